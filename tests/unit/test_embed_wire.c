/* core/embed/embed_batch (cutting inputs into requests) and core/llm/embeddings
 * (the /embeddings body, reply and "too long" errors), without a network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed/embed_batch.h"
#include "core/llm/embeddings.h"
#include "core/util/tokens.h"

static void batches_keep_order_and_both_limits(void **state)
{
	(void)state;
	const char *texts[] = { "one two three", "four", "five six seven eight nine ten", "eleven", "twelve" };
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(texts[i]);
	struct embed_batch b[5];
	/* Inputs only. */
	assert_int_equal(embed_batch_plan(texts, lens, 5, 2, 1000, b), 3);
	assert_int_equal(b[0].start, 0);
	assert_int_equal(b[0].count, 2);
	assert_int_equal(b[2].start, 4);
	assert_int_equal(b[2].count, 1);
	assert_int_equal(b[0].tokens, tokens_estimate(texts[0], lens[0]) + tokens_estimate(texts[1], lens[1]));
	/* Tokens: "five ... ten" (6 tokens) is over the budget of 4 on its own
	 * and goes alone; the rest pack up to 4. */
	size_t n = embed_batch_plan(texts, lens, 5, 100, 4, b);
	assert_int_equal(n, 3);
	assert_int_equal(b[0].count, 2);   /* 3 + 1 tokens */
	assert_int_equal(b[1].start, 2);
	assert_int_equal(b[1].count, 1);
	assert_int_equal(b[2].count, 2);
	/* Limits below 1 count as 1; no input, no batch. */
	assert_int_equal(embed_batch_plan(texts, lens, 5, 0, 0, b), 5);
	assert_int_equal(embed_batch_plan(texts, lens, 0, 8, 8, b), 0);
}

static void body_names_model_inputs_and_dimensions(void **state)
{
	(void)state;
	const char *texts[] = { "quote \" and\nnewline", "" };
	size_t lens[] = { strlen(texts[0]), 0 };
	char *b = llm_embed_body("text-embedding-3-small", texts, lens, 2, 512);
	assert_string_equal(b, "{\"model\":\"text-embedding-3-small\",\"input\":[\"quote \\\" and\\nnewline\",\"\"],"
	                       "\"encoding_format\":\"float\",\"dimensions\":512}");
	free(b);
	b = llm_embed_body("m", texts, lens, 1, 0);
	assert_null(strstr(b, "dimensions"));
	free(b);
}

static void reply_is_read_by_index_with_usage(void **state)
{
	(void)state;
	static const char ok[] = "{\"data\":[{\"index\":1,\"embedding\":[0,0,2]},{\"index\":0,\"embedding\":[3,4,0]}],"
	                         "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12}}";
	float out[6];
	long tokens;
	int dim = 3;
	char err[256];
	assert_int_equal(llm_embed_parse(ok, strlen(ok), 2, &dim, out, &tokens, err, sizeof err), 0);
	assert_int_equal(tokens, 12);
	assert_true(fabsf(out[0] - 0.6f) < 1e-6f && fabsf(out[1] - 0.8f) < 1e-6f && fabsf(out[5] - 1) < 1e-6f);
	/* Learning: dim 0 takes the first vector's size; out may be NULL. */
	dim = 0;
	assert_int_equal(llm_embed_parse(ok, strlen(ok), 2, &dim, NULL, &tokens, err, sizeof err), 0);
	assert_int_equal(dim, 3);
	static const struct {
		const char *body;
		size_t n;
		const char *want;
	} bad[] = {
		{ "not json", 1, "embeddings reply is not JSON" },
		{ "{\"object\":\"list\"}", 1, "embeddings reply has no \"data\" array" },
		{ "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":0,\"embedding\":[1,2,3]}]}", 2,
		  "embeddings reply has a bad or repeated index 0 (2 inputs)" },
		{ "{\"data\":[{\"index\":5,\"embedding\":[1,2,3]}]}", 1, "embeddings reply has a bad or repeated index 5 (1 inputs)" },
		{ "{\"data\":[{\"index\":0,\"embedding\":[1,2]}]}", 1, "the server returned 2-dimensional vectors, expected 3" },
		{ "{\"data\":[{\"index\":0,\"embedding\":[1,\"x\",2]}]}", 1, "embeddings reply has a value that is not a number at index 0" },
		{ "{\"data\":[{\"index\":0,\"embedding\":[1,2,3]}]}", 2, "embeddings reply has 1 vectors for 2 inputs" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dim = 3;
		assert_int_equal(llm_embed_parse(bad[i].body, strlen(bad[i].body), bad[i].n, &dim, out, &tokens, err,
		                                 sizeof err), -1);
		assert_string_equal(err, bad[i].want);
	}
	static const char no_usage[] = "{\"data\":[{\"index\":0,\"embedding\":[1,0,0]}]}";
	dim = 3;
	assert_int_equal(llm_embed_parse(no_usage, strlen(no_usage), 1, &dim, out, &tokens, err, sizeof err), 0);
	assert_int_equal(tokens, -1);
}

static void too_long_errors_of_each_server_are_recognised(void **state)
{
	(void)state;
	static const char openai[] = "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
	                             "\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}";
	static const char ollama[] = "{\"error\":\"the input length exceeds the context length\"}";
	static const char llamacpp[] = "{\"error\":{\"code\":500,\"message\":\"input is too large to process. "
	                               "increase the physical batch size\",\"type\":\"server_error\"}}";
	static const char tei[] = "{\"error\":\"Input validation error: `inputs` must have less than 512 tokens. "
	                          "Given: 600\",\"error_type\":\"Validation\"}";
	static const char other[] = "{\"error\":{\"message\":\"model not found\"}}";
	assert_true(llm_embed_too_long(400, openai, strlen(openai)));
	assert_true(llm_embed_too_long(400, ollama, strlen(ollama)));
	assert_true(llm_embed_too_long(500, llamacpp, strlen(llamacpp)));
	assert_true(llm_embed_too_long(413, tei, strlen(tei)));
	assert_true(llm_embed_too_long(413, "", 0));
	assert_false(llm_embed_too_long(404, other, strlen(other)));
	assert_false(llm_embed_too_long(200, ollama, strlen(ollama)));
	assert_false(llm_embed_too_long(500, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batches_keep_order_and_both_limits),
		cmocka_unit_test(body_names_model_inputs_and_dimensions),
		cmocka_unit_test(reply_is_read_by_index_with_usage),
		cmocka_unit_test(too_long_errors_of_each_server_are_recognised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
