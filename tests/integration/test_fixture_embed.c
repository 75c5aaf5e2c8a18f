/* Tests of the embeddings fixture server itself, over real loopback HTTP
 * with libcurl: the OpenAI reply shape and its vectors, every fault, the
 * "input too long" styles, keep-alive, concurrency and the counters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed/embed.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "tests/integration/fixture_embed.h"

/* What one request got back. */
struct got {
	CURLcode rc;
	long status;
	long connects;          /* new connections the transfer opened */
	struct strbuf head;     /* the header lines */
	struct strbuf body;
	struct curl_slist *headers;
	char *url;
};

static size_t append_to(char *p, size_t size, size_t n, void *arg)
{
	sb_append(arg, p, size * n);
	return size * n;
}

/* Set h up to POST body (NULL: GET) to base + path, the reply into g. */
static void prepare(CURL *h, const char *base, const char *path, const char *body, struct got *g,
		    const char *extra_header)
{
	struct strbuf url = STRBUF_INIT;
	sb_printf(&url, "%s%s", base, path);
	g->url = sb_detach(&url, NULL);
	g->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (extra_header)
		g->headers = curl_slist_append(g->headers, extra_header);
	curl_easy_setopt(h, CURLOPT_URL, g->url);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, g->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_to);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &g->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, append_to);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &g->head);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
}

static void finish(CURL *h, CURLcode rc, struct got *g)
{
	g->rc = rc;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &g->connects);
	curl_slist_free_all(g->headers);
	g->headers = NULL;
	free(g->url);
	g->url = NULL;
}

static void got_free(struct got *g)
{
	sb_free(&g->head);
	sb_free(&g->body);
}

/* One request on handle h (connections are reused between calls). */
static void request_on(CURL *h, const char *base, const char *path, const char *body, struct got *g,
		       const char *extra_header)
{
	memset(g, 0, sizeof(*g));
	prepare(h, base, path, body, g, extra_header);
	finish(h, curl_easy_perform(h), g);
}

/* One request on a fresh handle. */
static void request(const char *base, const char *path, const char *body, struct got *g)
{
	CURL *h = curl_easy_init();
	request_on(h, base, path, body, g, NULL);
	curl_easy_cleanup(h);
}

static cJSON *parse_body(const struct got *g)
{
	cJSON *root = cJSON_ParseWithLength(sb_str(&g->body), g->body.len);
	assert_non_null(root);
	return root;
}

/* The "error" object of an OpenAI error body, its type checked. */
static void assert_openai_error(const struct got *g, long status, const char *type,
				const char *message_part)
{
	assert_int_equal(g->rc, CURLE_OK);
	assert_int_equal(g->status, status);
	cJSON *root = parse_body(g);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	assert_true(cJSON_IsObject(e));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, type);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "param")));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(e, "code"));
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring, message_part));
	cJSON_Delete(root);
}

static const char *const texts[] = {
	"How do I reset my password?",
	"The backup runs nightly at 02:00 UTC.",
	"Café crème, naïve façade",
	"",
	"kubectl rollout restart deployment/api",
};
#define N_TEXTS (sizeof texts / sizeof texts[0])

/* {"model": "m", "input": [texts...], "encoding_format": "float"} */
static char *batch_body(const char *const *v, size_t n)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", "text-embedding-3-small");
	cJSON *input = cJSON_AddArrayToObject(root, "input");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(input, cJSON_CreateString(v[i]));
	cJSON_AddStringToObject(root, "encoding_format", "float");
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

/* The hash embedder's vector of text at dim (caller frees). */
static float *offline_vector(const char *text, int dim)
{
	struct embedder *e = embed_hash_new(dim);
	float *v = xcalloc((size_t)dim, sizeof(*v));
	size_t len = strlen(text);
	char err[128];
	assert_int_equal(embed_texts(e, &text, &len, 1, v, err, sizeof err), 0);
	embed_free(&e);
	return v;
}

/* Each data item's vector equals the offline vector of the input at its
 * index, float for float; returns how many items are out of input order. */
static size_t assert_vectors_match(const cJSON *root, const char *const *v, size_t n, int dim)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	assert_int_equal(cJSON_GetArraySize(data), n);
	bool *seen = xcalloc(n, sizeof(*seen));
	size_t moved = 0, position = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, data) {
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(item, "object")->valuestring, "embedding");
		int index = cJSON_GetObjectItemCaseSensitive(item, "index")->valueint;
		assert_true(index >= 0 && (size_t)index < n && !seen[index]);
		seen[index] = true;
		moved += (size_t)index != position++;
		const cJSON *vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
		assert_int_equal(cJSON_GetArraySize(vec), dim);
		float *want = offline_vector(v[index], dim);
		int d = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, vec) {
			assert_true((float)x->valuedouble == want[d]);
			d++;
		}
		free(want);
	}
	free(seen);
	return moved;
}

static size_t usage_tokens(const cJSON *root, const char *name)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	return (size_t)cJSON_GetObjectItemCaseSensitive(usage, name)->valuedouble;
}

static void shuffled_indexes_map_back_to_the_offline_vectors(void **state)
{
	(void)state;
	struct fixture_embed *s = fixture_embed_start(NULL);
	char *body = batch_body(texts, N_TEXTS);
	struct got g;
	request(fixture_embed_url(s), "/embeddings", body, &g);
	assert_int_equal(g.rc, CURLE_OK);
	assert_int_equal(g.status, 200);
	assert_non_null(strstr(sb_str(&g.head), "Content-Type: application/json"));
	cJSON *root = parse_body(&g);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "object")->valuestring, "list");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "model")->valuestring,
			    "text-embedding-3-small");
	assert_int_equal(assert_vectors_match(root, texts, N_TEXTS, 64), N_TEXTS);
	size_t tokens = 0;
	for (size_t i = 0; i < N_TEXTS; i++)
		tokens += (strlen(texts[i]) + 3) / 4;
	assert_int_equal(usage_tokens(root, "prompt_tokens"), tokens);
	assert_int_equal(usage_tokens(root, "total_tokens"), tokens);
	cJSON_Delete(root);
	got_free(&g);
	free(body);
	fixture_embed_stop(&s);
	assert_null(s);
	fixture_embed_stop(&s);
}

static void single_string_input_and_dimensions_are_honoured(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .dim = 48 };
	struct fixture_embed *s = fixture_embed_start(&o);
	const char *one[] = { "a single string input" };
	struct got g;
	request(fixture_embed_url(s), "/embeddings",
		"{\"model\":\"m\",\"input\":\"a single string input\",\"encoding_format\":\"float\"}", &g);
	assert_int_equal(g.status, 200);
	cJSON *root = parse_body(&g);
	assert_int_equal(assert_vectors_match(root, one, 1, 48), 0);
	assert_int_equal(usage_tokens(root, "prompt_tokens"), (strlen(one[0]) + 3) / 4);
	cJSON_Delete(root);
	got_free(&g);
	request(fixture_embed_url(s), "/embeddings",
		"{\"model\":\"m\",\"input\":[\"a single string input\"],\"dimensions\":128}", &g);
	assert_int_equal(g.status, 200);
	root = parse_body(&g);
	assert_vectors_match(root, one, 1, 128);
	cJSON_Delete(root);
	got_free(&g);
	fixture_embed_stop(&s);
}

static void bad_requests_and_unknown_paths_get_openai_errors(void **state)
{
	(void)state;
	struct fixture_embed *s = fixture_embed_start(NULL);
	const char *url = fixture_embed_url(s);
	static const char *const bad[] = {
		"{\"model\":\"m\",\"input\":[\"a\"",
		"{\"model\":\"m\"}",
		"{\"model\":\"m\",\"input\":[]}",
		"{\"model\":\"m\",\"input\":[1,2,3]}",
		"{\"input\":[\"a\"]}",
		"{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"base64\"}",
		"{\"model\":\"m\",\"input\":\"a\",\"dimensions\":7}",
	};
	struct got g;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		request(url, "/embeddings", bad[i], &g);
		assert_openai_error(&g, 400, "invalid_request_error", "");
		got_free(&g);
	}
	request(url, "/chat/completions", "{}", &g);
	assert_openai_error(&g, 404, "invalid_request_error", "Invalid URL (POST /v1/chat/completions)");
	got_free(&g);
	request(url, "/embeddings", NULL, &g);
	assert_openai_error(&g, 404, "invalid_request_error", "Invalid URL (GET /v1/embeddings)");
	got_free(&g);
	fixture_embed_stop(&s);
}

static void wrong_dim_fault_adds_one_float(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .fault = "wrong-dim" };
	struct fixture_embed *s = fixture_embed_start(&o);
	char *body = batch_body(texts, 2);
	struct got g;
	request(fixture_embed_url(s), "/embeddings", body, &g);
	assert_int_equal(g.status, 200);
	cJSON *root = parse_body(&g);
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(root, "data"))
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(item, "embedding")), 65);
	cJSON_Delete(root);
	got_free(&g);
	free(body);
	fixture_embed_stop(&s);
}

/* Six requests under fault; the 3rd and 6th get status, the rest 200. */
static void every_third_request_fails(const char *fault, long status, const char *type)
{
	struct fixture_embed_opts o = { .fault = fault };
	struct fixture_embed *s = fixture_embed_start(&o);
	CURL *h = curl_easy_init();
	struct got g;
	for (int i = 1; i <= 6; i++) {
		request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g, NULL);
		if (i % 3) {
			assert_int_equal(g.status, 200);
		} else {
			assert_openai_error(&g, status, type, "");
			assert_int_equal(strstr(sb_str(&g.head), "Retry-After: 1\r\n") != NULL, status == 429);
		}
		got_free(&g);
	}
	curl_easy_cleanup(h);
	fixture_embed_stop(&s);
}

static void rate_limit_fault_answers_429_with_retry_after(void **state)
{
	(void)state;
	every_third_request_fails("rate-limit", 429, "requests");
}

static void error_500_fault_answers_500(void **state)
{
	(void)state;
	every_third_request_fails("error-500", 500, "server_error");
}

static void cut_fault_closes_halfway_through_the_body(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .fault = "cut" };
	struct fixture_embed *s = fixture_embed_start(&o);
	char *body = batch_body(texts, N_TEXTS);
	struct got g;
	request(fixture_embed_url(s), "/embeddings", body, &g);
	assert_int_equal(g.rc, CURLE_PARTIAL_FILE);
	assert_int_equal(g.status, 200);
	assert_true(g.body.len > 0);
	assert_null(cJSON_ParseWithLength(sb_str(&g.body), g.body.len));
	got_free(&g);
	free(body);
	fixture_embed_stop(&s);
}

static void die_after_fault_refuses_connections_after_n_replies(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .fault = "die-after", .die_after = 2 };
	struct fixture_embed *s = fixture_embed_start(&o);
	CURL *h = curl_easy_init();
	struct got g;
	for (int i = 0; i < 2; i++) {
		request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g, NULL);
		assert_int_equal(g.status, 200);
		got_free(&g);
	}
	request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g, NULL);
	assert_int_equal(g.rc, CURLE_COULDNT_CONNECT);
	got_free(&g);
	request(fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g);
	assert_int_equal(g.rc, CURLE_COULDNT_CONNECT);
	got_free(&g);
	curl_easy_cleanup(h);
	struct fixture_embed_stats st;
	fixture_embed_stats(s, &st);
	assert_int_equal(st.requests, 2);
	fixture_embed_stop(&s);
}

static void garbage_fault_answers_200_json_that_is_not_json(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .fault = "garbage" };
	struct fixture_embed *s = fixture_embed_start(&o);
	struct got g;
	request(fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g);
	assert_int_equal(g.rc, CURLE_OK);
	assert_int_equal(g.status, 200);
	assert_non_null(strstr(sb_str(&g.head), "Content-Type: application/json"));
	assert_true(g.body.len > 0);
	assert_null(cJSON_ParseWithLength(sb_str(&g.body), g.body.len));
	got_free(&g);
	fixture_embed_stop(&s);
}

static void too_long_inputs_get_each_servers_error(void **state)
{
	(void)state;
	static const struct {
		const char *style;
		long status;
		const char *body;
	} cases[] = {
		{ NULL, 400, "{\"error\":{\"message\":\"This model's maximum context length is 25 tokens, "
			     "however you requested 38 tokens (38 in your prompt; 0 for the completion). "
			     "Please reduce your prompt; or completion length.\",\"type\":"
			     "\"invalid_request_error\",\"param\":null,\"code\":\"context_length_exceeded\"}}" },
		{ "ollama", 400, "{\"error\":\"the input length exceeds the context length\"}" },
		{ "llamacpp", 500, "{\"error\":{\"code\":500,\"message\":\"input is too large to process. "
				   "increase the physical batch size\",\"type\":\"server_error\"}}" },
		{ "tei", 413, "{\"error\":\"Input validation error: `inputs` must have less than 25 tokens. "
			      "Given: 38\",\"error_type\":\"Validation\"}" },
	};
	char long_text[151];
	memset(long_text, 'w', 150);
	long_text[150] = '\0';
	const char *inputs[] = { "short", long_text };
	char *body = batch_body(inputs, 2);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture_embed_opts o = { .max_input_bytes = 100, .too_long_style = cases[i].style };
		struct fixture_embed *s = fixture_embed_start(&o);
		struct got g;
		request(fixture_embed_url(s), "/embeddings", body, &g);
		assert_int_equal(g.status, cases[i].status);
		assert_string_equal(sb_str(&g.body), cases[i].body);
		got_free(&g);
		request(fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"short\"}", &g);
		assert_int_equal(g.status, 200);
		got_free(&g);
		fixture_embed_stop(&s);
	}
	free(body);
}

static void more_inputs_than_max_inputs_is_400(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .max_inputs = 2 };
	struct fixture_embed *s = fixture_embed_start(&o);
	char *three = batch_body(texts, 3), *two = batch_body(texts, 2);
	struct got g;
	request(fixture_embed_url(s), "/embeddings", three, &g);
	assert_openai_error(&g, 400, "invalid_request_error", "too many inputs");
	got_free(&g);
	request(fixture_embed_url(s), "/embeddings", two, &g);
	assert_int_equal(g.status, 200);
	got_free(&g);
	free(three);
	free(two);
	fixture_embed_stop(&s);
}

static void keep_alive_reuses_the_connection_until_close_is_asked(void **state)
{
	(void)state;
	struct fixture_embed *s = fixture_embed_start(NULL);
	CURL *h = curl_easy_init();
	struct got g;
	request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"one\"}", &g, NULL);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.connects, 1);
	got_free(&g);
	request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"two\"}", &g,
		   "Connection: close");
	assert_int_equal(g.status, 200);
	assert_int_equal(g.connects, 0);
	assert_non_null(strstr(sb_str(&g.head), "Connection: close\r\n"));
	got_free(&g);
	request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"three\"}", &g, NULL);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.connects, 1);
	got_free(&g);
	curl_easy_cleanup(h);
	fixture_embed_stop(&s);
}

static void expect_100_continue_is_answered(void **state)
{
	(void)state;
	struct fixture_embed *s = fixture_embed_start(NULL);
	CURL *h = curl_easy_init();
	struct got g;
	uint64_t start = clock_now_us();
	request_on(h, fixture_embed_url(s), "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g,
		   "Expect: 100-continue");
	uint64_t elapsed_ms = (clock_now_us() - start) / 1000;
	assert_int_equal(g.status, 200);
	/* without the 100 curl sends the body only after its one-second wait */
	assert_true(elapsed_ms < 900);
	got_free(&g);
	curl_easy_cleanup(h);
	fixture_embed_stop(&s);
}

#define PARALLEL 8

static void parallel_requests_are_served_concurrently(void **state)
{
	(void)state;
	struct fixture_embed_opts o = { .latency_ms = 200 };
	struct fixture_embed *s = fixture_embed_start(&o);
	CURLM *m = curl_multi_init();
	CURL *h[PARALLEL];
	struct got g[PARALLEL];
	char *body = batch_body(texts, 2);
	uint64_t start = clock_now_us();
	for (int i = 0; i < PARALLEL; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		h[i] = curl_easy_init();
		prepare(h[i], fixture_embed_url(s), "/embeddings", body, &g[i], NULL);
		curl_multi_add_handle(m, h[i]);
	}
	int running = PARALLEL;
	while (running) {
		assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			assert_int_equal(curl_multi_poll(m, NULL, 0, 1000, NULL), CURLM_OK);
	}
	uint64_t elapsed_ms = (clock_now_us() - start) / 1000;
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		for (int i = 0; i < PARALLEL; i++)
			if (msg->easy_handle == h[i])
				finish(h[i], msg->data.result, &g[i]);
	}
	for (int i = 0; i < PARALLEL; i++) {
		assert_int_equal(g[i].rc, CURLE_OK);
		assert_int_equal(g[i].status, 200);
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
		got_free(&g[i]);
	}
	curl_multi_cleanup(m);
	free(body);
	struct fixture_embed_stats st;
	fixture_embed_stats(s, &st);
	assert_true(elapsed_ms >= 190);
	assert_true(elapsed_ms < PARALLEL * 200 / 2);
	assert_true(st.max_in_flight >= 4);
	assert_true(st.busy_ms >= 190 && st.busy_ms <= elapsed_ms + 10);
	assert_int_equal(st.requests, PARALLEL);
	fixture_embed_stop(&s);
}

static void stats_count_embedding_requests_only(void **state)
{
	(void)state;
	struct fixture_embed *s = fixture_embed_start(NULL);
	const char *url = fixture_embed_url(s);
	char *three = batch_body(texts, 3);
	struct got g;
	request(url, "/embeddings", three, &g);
	got_free(&g);
	request(url, "/embeddings", "{\"model\":\"m\",\"input\":\"x\"}", &g);
	got_free(&g);
	request(url, "/embeddings", "not json", &g);
	got_free(&g);
	request(url, "/models", NULL, &g);
	got_free(&g);
	/* the base URL ends in /v1; /stats sits at the root */
	char root[64];
	snprintf(root, sizeof root, "%.*s", (int)(strlen(url) - 3), url);
	request(root, "/stats", NULL, &g);
	assert_int_equal(g.status, 200);
	cJSON *st = parse_body(&g);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "requests")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "inputs")->valueint, 4);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "largest_batch")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "max_in_flight")->valueint, 1);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "busy_ms")));
	cJSON_Delete(st);
	got_free(&g);
	struct fixture_embed_stats direct;
	fixture_embed_stats(s, &direct);
	assert_int_equal(direct.requests, 3);
	assert_int_equal(direct.inputs, 4);
	assert_int_equal(direct.largest_batch, 3);
	free(three);
	fixture_embed_stop(&s);
}

static void options_are_checked(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(fixture_embed_check(NULL, err, sizeof err), 0);
	struct fixture_embed_opts bad_fault = { .fault = "explode" };
	assert_int_equal(fixture_embed_check(&bad_fault, err, sizeof err), -1);
	assert_non_null(strstr(err, "explode"));
	struct fixture_embed_opts bad_style = { .too_long_style = "vllm" };
	assert_int_equal(fixture_embed_check(&bad_style, err, sizeof err), -1);
	struct fixture_embed_opts bad_dim = { .dim = 8 };
	assert_int_equal(fixture_embed_check(&bad_dim, err, sizeof err), -1);
	struct fixture_embed_opts no_count = { .fault = "die-after" };
	assert_int_equal(fixture_embed_check(&no_count, err, sizeof err), -1);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shuffled_indexes_map_back_to_the_offline_vectors),
		cmocka_unit_test(single_string_input_and_dimensions_are_honoured),
		cmocka_unit_test(bad_requests_and_unknown_paths_get_openai_errors),
		cmocka_unit_test(wrong_dim_fault_adds_one_float),
		cmocka_unit_test(rate_limit_fault_answers_429_with_retry_after),
		cmocka_unit_test(error_500_fault_answers_500),
		cmocka_unit_test(cut_fault_closes_halfway_through_the_body),
		cmocka_unit_test(die_after_fault_refuses_connections_after_n_replies),
		cmocka_unit_test(garbage_fault_answers_200_json_that_is_not_json),
		cmocka_unit_test(too_long_inputs_get_each_servers_error),
		cmocka_unit_test(more_inputs_than_max_inputs_is_400),
		cmocka_unit_test(keep_alive_reuses_the_connection_until_close_is_asked),
		cmocka_unit_test(expect_100_continue_is_answered),
		cmocka_unit_test(parallel_requests_are_served_concurrently),
		cmocka_unit_test(stats_count_embedding_requests_only),
		cmocka_unit_test(options_are_checked),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
