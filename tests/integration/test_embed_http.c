/* core/embed/embed_http against loopback servers: the exact /embeddings request
 * (scripted server), and batching, concurrency, retries, input-too-long
 * handling in each server's dialect, a server that dies and the query
 * breaker against the embeddings fixture (tests/integration/fixture_embed.h),
 * whose vectors are the hash embedder's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed/embed.h"
#include "core/embed/embed_http.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "tests/integration/fixture_embed.h"
#include "tests/integration/fixture_server.h"

#define KEY "test-embed-key-7f3a"
#define DIM 64

static struct embed_http_opts opts_for(const char *base)
{
	struct embed_http_opts o = {
		.provider = { .kind = LLM_KIND_OPENAI, .name = "fixture", .base_url = base, .api_key_env = "" },
		.model = "emb", .dim = DIM, .batch_inputs = 8, .batch_tokens = 100000, .concurrency = 4,
		.truncate_too_long = true,
	};
	llm_http_opts_init(&o.http);
	o.http.connect_timeout_ms = 2000;
	o.http.first_byte_timeout_ms = 5000;
	o.http.total_timeout_ms = 20000;
	o.http.max_retries = 2;
	o.http.retry_base_ms = 1;
	o.http.retry_cap_ms = 4;
	return o;
}

/* n texts "text number i ..." of various lengths. */
static void make_texts(size_t n, struct strbuf *bufs, const char **texts, size_t *lens)
{
	for (size_t i = 0; i < n; i++) {
		bufs[i] = (struct strbuf)STRBUF_INIT;
		sb_printf(&bufs[i], "text number %zu about refunds", i);
		for (size_t k = 0; k < i % 5; k++)
			sb_puts(&bufs[i], " and invoices and accounts");
		texts[i] = bufs[i].buf;
		lens[i] = bufs[i].len;
	}
}

static void free_texts(size_t n, struct strbuf *bufs)
{
	for (size_t i = 0; i < n; i++)
		sb_free(&bufs[i]);
}

/* Vectors of e equal the hash embedder's for the same texts. */
static void assert_hash_vectors(const char *const *texts, const size_t *lens, size_t n, const float *got)
{
	struct embedder *h = embed_hash_new(DIM);
	float *want = calloc(n * DIM, sizeof *want);
	char err[256];
	assert_int_equal(embed_texts(h, texts, lens, n, want, err, sizeof err), 0);
	for (size_t i = 0; i < n * DIM; i++)
		assert_true(fabsf(want[i] - got[i]) < 1e-5f);
	free(want);
	embed_free(&h);
}

static void request_is_exact_and_reply_matched_by_index(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 200, .content_type = "application/json", .reset_after = -1,
		  .body = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":1,"
		          "\"embedding\":[0,3,4]},{\"object\":\"embedding\",\"index\":0,"
		          "\"embedding\":[2,0,0]}],\"model\":\"emb\",\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}" },
		{ .status = 200, .content_type = "application/json", .reset_after = -1,
		  .body = "{\"data\":[{\"index\":0,\"embedding\":[1,2]},{\"index\":1,\"embedding\":[1,2]}]}" },
	};
	struct fixture_server *srv = fixture_start(r, 2);
	char base[128];
	snprintf(base, sizeof base, "%s/v1", fixture_url(srv));
	setenv("EMBED_TEST_KEY", KEY, 1);
	struct embed_http_opts o = opts_for(base);
	o.provider.api_key_env = "EMBED_TEST_KEY";
	o.dim = 3;
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	assert_non_null(e);
	assert_string_equal(e->model, "emb");
	const char *texts[] = { "alpha and more", "beta" };
	size_t lens[] = { 5, 4 };
	float out[6];
	struct embed_report rep = { 0 };
	assert_int_equal(embed_texts_report(e, texts, lens, 2, out, &rep, err, sizeof err), 0);
	const float want[6] = { 1, 0, 0, 0, 0.6f, 0.8f };
	for (int i = 0; i < 6; i++)
		assert_true(fabsf(out[i] - want[i]) < 1e-6f);
	assert_int_equal(rep.tokens, 7);
	assert_false(rep.tokens_estimated);
	assert_int_equal(rep.requests, 1);
	const struct fixture_request *q = fixture_request(srv, 0);
	char v[128];
	assert_string_equal(q->path, "/v1/embeddings");
	assert_string_equal(fixture_header(q, "Authorization", v, sizeof v), "Bearer " KEY);
	assert_string_equal(q->body, "{\"model\":\"emb\",\"input\":[\"alpha\",\"beta\"],\"encoding_format\":\"float\"}");
	/* A reply of another dimension fails the call, naming both sizes. */
	assert_int_equal(embed_texts_report(e, texts, lens, 2, out, &rep, err, sizeof err), -1);
	assert_non_null(strstr(err, "returned 2-dimensional vectors, expected 3"));
	assert_int_equal(rep.failed_input, -1);
	assert_null(strstr(err, KEY));
	embed_free(&e);
	fixture_stop(&srv);
	unsetenv("EMBED_TEST_KEY");
}

static void missing_key_and_wrong_kind_are_refused(void **state)
{
	(void)state;
	char err[512];
	struct embed_http_opts o = opts_for("http://127.0.0.1:9/v1");
	o.provider.api_key_env = "EMBED_TEST_UNSET_KEY";
	unsetenv("EMBED_TEST_UNSET_KEY");
	assert_null(embed_http_new(&o, err, sizeof err));
	assert_string_equal(err, "EMBED_TEST_UNSET_KEY is not set: export it or choose another provider");
	o.provider.kind = LLM_KIND_ANTHROPIC;
	assert_null(embed_http_new(&o, err, sizeof err));
	assert_non_null(strstr(err, "has no /embeddings endpoint"));
}

static void batches_by_inputs_and_tokens_give_the_offline_vectors(void **state)
{
	(void)state;
	enum { N = 100 };
	struct fixture_embed *srv = fixture_embed_start(NULL);
	struct embed_http_opts o = opts_for(fixture_embed_url(srv));
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	assert_non_null(e);
	struct strbuf bufs[N];
	const char *texts[N];
	size_t lens[N];
	make_texts(N, bufs, texts, lens);
	float *out = calloc(N * DIM, sizeof *out);
	struct embed_report rep = { 0 };
	assert_int_equal(embed_texts_report(e, texts, lens, N, out, &rep, err, sizeof err), 0);
	assert_hash_vectors(texts, lens, N, out);
	struct fixture_embed_stats st;
	fixture_embed_stats(srv, &st);
	assert_int_equal(st.requests, 13);          /* ceil(100 / 8) */
	assert_int_equal(st.largest_batch, 8);
	assert_int_equal(rep.requests, 13);
	assert_true(rep.tokens > 0);
	embed_free(&e);
	/* A token budget cuts batches sooner: each text is 8 to 25 tokens. */
	o.batch_inputs = 100;
	o.batch_tokens = 60;
	e = embed_http_new(&o, err, sizeof err);
	assert_int_equal(embed_texts_report(e, texts, lens, N, out, &rep, err, sizeof err), 0);
	assert_hash_vectors(texts, lens, N, out);
	fixture_embed_stats(srv, &st);
	assert_true(st.requests - 13 > 20);
	assert_true(st.largest_batch <= 8);
	embed_free(&e);
	free(out);
	free_texts(N, bufs);
	fixture_embed_stop(&srv);
}

static void requests_run_concurrently(void **state)
{
	(void)state;
	enum { N = 64 };
	struct fixture_embed_opts fo = { .latency_ms = 100 };
	struct fixture_embed *srv = fixture_embed_start(&fo);
	struct embed_http_opts o = opts_for(fixture_embed_url(srv));
	o.batch_inputs = 4;
	o.concurrency = 8;
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	struct strbuf bufs[N];
	const char *texts[N];
	size_t lens[N];
	make_texts(N, bufs, texts, lens);
	float *out = calloc(N * DIM, sizeof *out);
	uint64_t t0 = clock_now_us();
	assert_int_equal(embed_texts(e, texts, lens, N, out, err, sizeof err), 0);
	uint64_t took_ms = (clock_now_us() - t0) / 1000;
	struct fixture_embed_stats st;
	fixture_embed_stats(srv, &st);
	/* 16 requests of 100 ms, 8 at a time: about 200 ms, never 1.6 s. */
	assert_int_equal(st.requests, 16);
	assert_true(st.max_in_flight >= 4);
	assert_true(took_ms < 1200);
	assert_hash_vectors(texts, lens, N, out);
	embed_free(&e);
	free(out);
	free_texts(N, bufs);
	fixture_embed_stop(&srv);
}

/* Embed N texts against a server with fault; returns the call's result. */
static int embed_against(const struct fixture_embed_opts *fo, int max_retries, struct embed_report *rep,
                         char *err, size_t errlen)
{
	enum { N = 24 };
	struct fixture_embed *srv = fixture_embed_start(fo);
	struct embed_http_opts o = opts_for(fixture_embed_url(srv));
	o.http.max_retries = max_retries;
	o.concurrency = 1;
	struct embedder *e = embed_http_new(&o, err, errlen);
	struct strbuf bufs[N];
	const char *texts[N];
	size_t lens[N];
	make_texts(N, bufs, texts, lens);
	float *out = calloc(N * DIM, sizeof *out);
	int rc = embed_texts_report(e, texts, lens, N, out, rep, err, errlen);
	if (rc == 0)
		assert_hash_vectors(texts, lens, N, out);
	embed_free(&e);
	free(out);
	free_texts(N, bufs);
	fixture_embed_stop(&srv);
	return rc;
}

static void rate_limits_and_server_errors_are_retried(void **state)
{
	(void)state;
	char err[512];
	struct embed_report rep = { 0 };
	struct fixture_embed_opts fo = { .fault = "error-500" };
	assert_int_equal(embed_against(&fo, 2, &rep, err, sizeof err), 0);
	assert_int_equal(rep.retries, 1);           /* the 3rd of 3 batches */
	assert_int_equal(rep.requests, 4);
	fo.fault = "rate-limit";
	uint64_t t0 = clock_now_us();
	assert_int_equal(embed_against(&fo, 2, &rep, err, sizeof err), 0);
	assert_int_equal(rep.retries, 1);
	assert_true(clock_now_us() - t0 >= 900000);   /* Retry-After: 1 was honoured */
	/* Without retries the 500 fails the call, as the server's failure. */
	fo.fault = "error-500";
	assert_int_equal(embed_against(&fo, 0, &rep, err, sizeof err), -1);
	assert_int_equal(rep.failed_input, -1);
	assert_non_null(strstr(err, "HTTP 500"));
}

static void broken_replies_fail_the_call(void **state)
{
	(void)state;
	char err[512];
	struct embed_report rep = { 0 };
	struct fixture_embed_opts fo = { .fault = "cut" };
	assert_int_equal(embed_against(&fo, 1, &rep, err, sizeof err), -1);
	assert_int_equal(rep.failed_input, -1);
	assert_int_equal(rep.retries, 1);
	fo.fault = "garbage";
	assert_int_equal(embed_against(&fo, 1, &rep, err, sizeof err), -1);
	assert_non_null(strstr(err, "not JSON"));
	fo.fault = "wrong-dim";
	assert_int_equal(embed_against(&fo, 1, &rep, err, sizeof err), -1);
	assert_non_null(strstr(err, "returned 65-dimensional vectors, expected 64"));
	fo = (struct fixture_embed_opts){ .fault = "die-after", .die_after = 1 };
	assert_int_equal(embed_against(&fo, 1, &rep, err, sizeof err), -1);
	assert_int_equal(rep.failed_input, -1);
}

/* Input 13 (0-based) of make_texts is the longest of its batch: made
 * longer than the fixture takes, in each server's dialect. */
static void too_long_input_is_truncated_or_named(void **state)
{
	(void)state;
	static const char *const styles[] = { "openai", "ollama", "llamacpp", "tei" };
	for (size_t s = 0; s < 4; s++) {
		enum { N = 16 };
		struct fixture_embed_opts fo = { .max_input_bytes = 200, .too_long_style = styles[s] };
		struct fixture_embed *srv = fixture_embed_start(&fo);
		struct embed_http_opts o = opts_for(fixture_embed_url(srv));
		char err[512];
		struct strbuf bufs[N];
		const char *texts[N];
		size_t lens[N];
		make_texts(N, bufs, texts, lens);
		sb_reset(&bufs[13]);
		for (int k = 0; k < 40; k++)
			sb_puts(&bufs[13], "overlong ");
		texts[13] = bufs[13].buf;
		lens[13] = bufs[13].len;
		float *out = calloc(N * DIM, sizeof *out);
		unsigned char cut[N];
		struct embed_report rep = { .truncated = cut };
		struct embedder *e = embed_http_new(&o, err, sizeof err);
		assert_int_equal(embed_texts_report(e, texts, lens, N, out, &rep, err, sizeof err), 0);
		assert_int_equal(rep.n_truncated, 1);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(cut[i], i == 13);
		/* The other inputs keep their own vectors. */
		assert_hash_vectors(texts, lens, 13, out);
		embed_free(&e);
		o.truncate_too_long = false;
		e = embed_http_new(&o, err, sizeof err);
		rep = (struct embed_report){ 0 };
		assert_int_equal(embed_texts_report(e, texts, lens, N, out, &rep, err, sizeof err), -1);
		assert_int_equal(rep.failed_input, 13);
		assert_non_null(strstr(err, "longer than model emb takes"));
		embed_free(&e);
		free(out);
		free_texts(N, bufs);
		fixture_embed_stop(&srv);
	}
}

static void too_many_inputs_are_split_until_they_fit(void **state)
{
	(void)state;
	char err[512];
	struct embed_report rep = { 0 };
	struct fixture_embed_opts fo = { .max_inputs = 3 };
	assert_int_equal(embed_against(&fo, 0, &rep, err, sizeof err), 0);
	assert_true(rep.requests > 3);
}

static void dimension_is_learned_from_the_server(void **state)
{
	(void)state;
	struct fixture_embed_opts fo = { .dim = 96 };
	struct fixture_embed *srv = fixture_embed_start(&fo);
	struct embed_http_opts o = opts_for(fixture_embed_url(srv));
	o.dim = 0;
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	assert_int_equal(e->dim, 0);
	const char *t = "x";
	size_t len = 1;
	float v[96];
	assert_int_equal(embed_texts(e, &t, &len, 1, v, err, sizeof err), -1);
	assert_int_equal(embed_http_learn_dim(e, err, sizeof err), 0);
	assert_int_equal(e->dim, 96);
	assert_int_equal(embed_texts(e, &t, &len, 1, v, err, sizeof err), 0);
	embed_free(&e);
	fixture_embed_stop(&srv);
}

static void query_breaker_opens_after_failures_and_fails_fast(void **state)
{
	(void)state;
	struct breaker_opts bo = { .failures = 2, .window_ms = 60000, .cooldown_ms = 60000 };
	struct embed_http_opts o = opts_for("http://127.0.0.1:9/v1");
	o.breaker = &bo;
	o.http.max_retries = 0;
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	const char *t = "where is my invoice";
	size_t len = strlen(t);
	float v[DIM];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(embed_texts(e, &t, &len, 1, v, err, sizeof err), -1);
		assert_null(strstr(err, "cooling down"));
	}
	uint64_t t0 = clock_now_us();
	assert_int_equal(embed_texts(e, &t, &len, 1, v, err, sizeof err), -1);
	assert_true(clock_now_us() - t0 < 50000);
	assert_non_null(strstr(err, "embedding server fixture is cooling down"));
	embed_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_is_exact_and_reply_matched_by_index),
		cmocka_unit_test(missing_key_and_wrong_kind_are_refused),
		cmocka_unit_test(batches_by_inputs_and_tokens_give_the_offline_vectors),
		cmocka_unit_test(requests_run_concurrently),
		cmocka_unit_test(rate_limits_and_server_errors_are_retried),
		cmocka_unit_test(broken_replies_fail_the_call),
		cmocka_unit_test(too_long_input_is_truncated_or_named),
		cmocka_unit_test(too_many_inputs_are_split_until_they_fit),
		cmocka_unit_test(dimension_is_learned_from_the_server),
		cmocka_unit_test(query_breaker_opens_after_failures_and_fails_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
