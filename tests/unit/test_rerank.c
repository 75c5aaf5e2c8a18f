/* Unit tests for core/search/rerank: reading the response shapes of the reranking
 * servers, the endpoint, and one request against the loopback fixture
 * server (tests/integration/fixture_server.h): what is sent, the key only
 * when its variable is set, and every failure as -1 with a one-line reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/search/rerank.h"
#include "core/util/clock.h"
#include "tests/integration/fixture_server.h"

/* A variable no real setup uses, so the test cannot send a real key. */
#define KEY_VAR "RAGDECK_TEST_RERANK_KEY"
#define KEY "rk-test-0123456789abcdef"

static int parse(const char *body, size_t n, double *scores, char *err, size_t errlen)
{
	return rerank_parse(body, strlen(body), n, scores, err, errlen);
}

static void assert_all_nan(const double *scores, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_true(isnan(scores[i]));
}

/* ---- parsing ------------------------------------------------------------ */

static void parse_reads_a_results_object_in_any_order(void **state)
{
	(void)state;
	double s[4];
	char err[256] = "";
	assert_int_equal(parse("{\"model\":\"m\",\"results\":[{\"index\":3,\"relevance_score\":0.91,"
	                       "\"document\":{\"text\":\"x\"}},{\"index\":0,\"relevance_score\":0.4},"
	                       "{\"index\":1,\"relevance_score\":-2.5},{\"index\":2,"
	                       "\"relevance_score\":0}],\"usage\":{\"total_tokens\":9}}",
	                       4, s, err, sizeof err),
	                 0);
	assert_true(s[0] == 0.4 && s[1] == -2.5 && s[2] == 0 && s[3] == 0.91);
}

static void parse_reads_a_bare_array_with_score(void **state)
{
	(void)state;
	double s[3];
	char err[256] = "";
	assert_int_equal(parse("[{\"index\":2,\"score\":0.99},{\"index\":0,\"score\":0.01}]", 3, s, err,
	                       sizeof err),
	                 0);
	assert_true(s[2] == 0.99 && s[0] == 0.01);
	assert_true(isnan(s[1]));
}

static void parse_accepts_empty_results_scoring_nothing(void **state)
{
	(void)state;
	double s[2] = { 1, 1 };
	char err[256] = "";
	assert_int_equal(parse("{\"results\":[]}", 2, s, err, sizeof err), 0);
	assert_all_nan(s, 2);
	assert_int_equal(parse("[]", 2, s, err, sizeof err), 0);
	assert_all_nan(s, 2);
}

static void parse_refuses_an_index_out_of_range_or_twice(void **state)
{
	(void)state;
	double s[2];
	char err[256];
	assert_int_equal(parse("{\"results\":[{\"index\":0,\"relevance_score\":0.5},"
	                       "{\"index\":2,\"relevance_score\":0.9}]}", 2, s, err, sizeof err),
	                 -1);
	assert_string_equal(err, "result 1 has index 2, but 2 documents were sent");
	assert_all_nan(s, 2);
	assert_int_equal(parse("[{\"index\":-1,\"score\":0.5}]", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "result 0 has index -1, but 2 documents were sent");
	assert_int_equal(parse("[{\"index\":1,\"score\":0.5},{\"index\":1,\"score\":0.6}]", 2, s, err,
	                       sizeof err),
	                 -1);
	assert_string_equal(err, "index 1 is scored twice");
	assert_int_equal(parse("[{\"index\":0.5,\"score\":0.5}]", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "result 0 has no integer \"index\"");
}

static void parse_refuses_malformed_json(void **state)
{
	(void)state;
	double s[2];
	char err[256];
	assert_int_equal(parse("{\"results\":[{\"index\":0,", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "the response is not JSON");
	assert_int_equal(parse("", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "the response is empty");
	assert_int_equal(parse("{\"data\":[]}", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "the response has no \"results\" list");
	assert_int_equal(parse("{\"results\":{\"index\":0}}", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "the response has no \"results\" list");
	assert_int_equal(parse("[{\"index\":0,\"relevance_score\":\"high\"}]", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "result 0 has no number \"relevance_score\" or \"score\"");
	assert_int_equal(parse("[{\"index\":0}]", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "result 0 has no number \"relevance_score\" or \"score\"");
	assert_int_equal(parse("[3]", 2, s, err, sizeof err), -1);
	assert_string_equal(err, "result 0 has no integer \"index\"");
	assert_all_nan(s, 2);
}

static void url_appends_v1_rerank_unless_it_ends_in_rerank(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/rerank" },
		{ "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/rerank" },
		{ "https://api.jina.ai", "https://api.jina.ai/v1/rerank" },
		{ "http://tei:80/rerank", "http://tei:80/rerank" },
		{ "https://gw.example.com/v2/rerank/", "https://gw.example.com/v2/rerank" },
		{ "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/rerank" },
		{ "https://api.cohere.com/v1/", "https://api.cohere.com/v1/rerank" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *url = rerank_url(cases[i][0]);
		assert_string_equal(url, cases[i][1]);
		free(url);
	}
}

/* ---- requests ----------------------------------------------------------- */

static const char *const docs[] = { "Refunds\n\nPaid within 14 days.", "Proxy \"setup\"." };

static struct rerank_opts opts_for(const struct fixture_server *srv)
{
	return (struct rerank_opts){ .name = "tei", .base_url = fixture_url(srv),
	                             .api_key_env = KEY_VAR, .model = "bge-reranker-v2-m3",
	                             .timeout_ms = 3000 };
}

static struct fixture_response reply(int status, const char *body)
{
	return (struct fixture_response){ .status = status, .content_type = "application/json",
	                                  .body = body, .reset_after = -1 };
}

static void run_posts_model_query_documents_top_n_and_returns_scores(void **state)
{
	(void)state;
	struct fixture_response r =
		reply(200, "{\"results\":[{\"index\":1,\"relevance_score\":0.8},"
		           "{\"index\":0,\"relevance_score\":0.3}]}");
	struct fixture_server *srv = fixture_start(&r, 1);
	struct rerank_opts o = opts_for(srv);
	double s[2];
	char err[512] = "", v[256];
	assert_int_equal(unsetenv(KEY_VAR), 0);
	assert_int_equal(rerank_run(&o, "how long do refunds take", docs, 2, s, err, sizeof err), 0);
	assert_true(s[0] == 0.3 && s[1] == 0.8);
	assert_int_equal(fixture_request_count(srv), 1);
	const struct fixture_request *q = fixture_request(srv, 0);
	assert_string_equal(q->method, "POST");
	assert_string_equal(q->path, "/v1/rerank");
	assert_string_equal(fixture_header(q, "Content-Type", v, sizeof v), "application/json");
	assert_null(fixture_header(q, "Authorization", v, sizeof v));
	assert_string_equal(q->body,
	                    "{\"model\":\"bge-reranker-v2-m3\",\"query\":\"how long do refunds take\","
	                    "\"documents\":[\"Refunds\\n\\nPaid within 14 days.\",\"Proxy \\\"setup\\\".\"],"
	                    "\"top_n\":2}");
	fixture_stop(&srv);
}

static void run_without_a_model_sends_no_model_field(void **state)
{
	(void)state;
	struct fixture_response r = reply(200, "[{\"index\":0,\"score\":1.5}]");
	struct fixture_server *srv = fixture_start(&r, 1);
	struct rerank_opts o = opts_for(srv);
	double s[1];
	char err[512] = "";
	o.model = NULL;
	o.api_key_env = NULL;
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), 0);
	assert_true(s[0] == 1.5);
	assert_string_equal(fixture_request(srv, 0)->body,
	                    "{\"query\":\"q\",\"documents\":[\"Refunds\\n\\nPaid within 14 days.\"],"
	                    "\"top_n\":1}");
	fixture_stop(&srv);
}

static void run_sends_the_key_only_when_its_variable_is_set_and_never_repeats_it(void **state)
{
	(void)state;
	struct fixture_response script[] = {
		reply(200, "[{\"index\":0,\"score\":0.5}]"),
		reply(401, "{\"error\":\"invalid key " KEY "\"}"),
	};
	struct fixture_server *srv = fixture_start(script, 2);
	struct rerank_opts o = opts_for(srv);
	double s[1];
	char err[512] = "", v[256];
	assert_int_equal(setenv(KEY_VAR, KEY, 1), 0);
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), 0);
	assert_string_equal(fixture_header(fixture_request(srv, 0), "Authorization", v, sizeof v),
	                    "Bearer " KEY);
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), -1);
	assert_null(strstr(err, KEY));
	assert_string_equal(err, "reranker tei: HTTP 401: {\"error\":\"invalid key [redacted]\"}");
	assert_int_equal(setenv(KEY_VAR, "", 1), 0);
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), -1);
	assert_null(fixture_header(fixture_request(srv, 2), "Authorization", v, sizeof v));
	assert_int_equal(unsetenv(KEY_VAR), 0);
	fixture_stop(&srv);
}

static void http_503_gives_the_status_and_the_cleaned_start_of_the_body(void **state)
{
	(void)state;
	char body[600];
	size_t len = (size_t)snprintf(body, sizeof body, "model\x1b[31m loading\r\n\tretry later ");
	memset(body + len, 'x', sizeof body - len - 1);
	body[sizeof body - 1] = '\0';
	struct fixture_response r = reply(503, body);
	r.content_type = "text/plain";
	struct fixture_server *srv = fixture_start(&r, 1);
	struct rerank_opts o = opts_for(srv);
	double s[2] = { 0, 0 };
	char err[1024] = "";
	assert_int_equal(rerank_run(&o, "q", docs, 2, s, err, sizeof err), -1);
	const char *prefix = "reranker tei: HTTP 503: model [31m loading retry later xxx";
	assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
	for (const char *p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_int_equal(strlen(err), strlen("reranker tei: HTTP 503: ") + 200);
	assert_string_equal(err + strlen(err) - 3, "...");
	assert_all_nan(s, 2);
	fixture_stop(&srv);
}

static void a_connection_reset_is_an_error(void **state)
{
	(void)state;
	struct fixture_response r = reply(200, "{\"results\":[{\"index\":0,\"relevance_score\":0.5}]}");
	r.reset_after = 5;
	struct fixture_server *srv = fixture_start(&r, 1);
	struct rerank_opts o = opts_for(srv);
	double s[1];
	char err[512] = "", want[256];
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), -1);
	snprintf(want, sizeof want, "reranker tei: request to %s/v1/rerank failed: ", fixture_url(srv));
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_true(isnan(s[0]));
	fixture_stop(&srv);
}

static void a_slow_server_times_out_within_timeout_ms(void **state)
{
	(void)state;
	struct fixture_response r = reply(200, "[{\"index\":0,\"score\":0.5}]");
	r.head_delay_ms = 3000;
	struct fixture_server *srv = fixture_start(&r, 1);
	struct rerank_opts o = opts_for(srv);
	double s[1];
	char err[512] = "", want[256];
	o.timeout_ms = 200;
	uint64_t start = clock_now_us();
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), -1);
	uint64_t took = clock_now_us() - start;
	snprintf(want, sizeof want, "reranker tei: no response from %s/v1/rerank within 200 ms",
	         fixture_url(srv));
	assert_string_equal(err, want);
	assert_true(took >= 150000 && took < 2000000);
	fixture_stop(&srv);
}

static void a_refused_connection_is_an_error(void **state)
{
	(void)state;
	struct fixture_response r = reply(200, "[]");
	struct fixture_server *srv = fixture_start(&r, 1);
	char base[64], err[512] = "", want[256];
	double s[1];
	snprintf(base, sizeof base, "%s", fixture_url(srv));
	fixture_stop(&srv);
	struct rerank_opts o = { .name = "tei", .base_url = base, .timeout_ms = 1000 };
	assert_int_equal(rerank_run(&o, "q", docs, 1, s, err, sizeof err), -1);
	snprintf(want, sizeof want, "reranker tei: request to %s/v1/rerank failed: ", base);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
}

static void a_2xx_that_is_not_a_ranking_is_an_error(void **state)
{
	(void)state;
	struct fixture_response script[] = {
		reply(200, "<html>gateway</html>"),
		reply(200, "[{\"index\":9,\"score\":0.5}]"),
	};
	struct fixture_server *srv = fixture_start(script, 2);
	struct rerank_opts o = opts_for(srv);
	double s[2];
	char err[512] = "";
	assert_int_equal(rerank_run(&o, "q", docs, 2, s, err, sizeof err), -1);
	assert_string_equal(err, "reranker tei: the response is not JSON");
	assert_int_equal(rerank_run(&o, "q", docs, 2, s, err, sizeof err), -1);
	assert_string_equal(err, "reranker tei: result 0 has index 9, but 2 documents were sent");
	fixture_stop(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_a_results_object_in_any_order),
		cmocka_unit_test(parse_reads_a_bare_array_with_score),
		cmocka_unit_test(parse_accepts_empty_results_scoring_nothing),
		cmocka_unit_test(parse_refuses_an_index_out_of_range_or_twice),
		cmocka_unit_test(parse_refuses_malformed_json),
		cmocka_unit_test(url_appends_v1_rerank_unless_it_ends_in_rerank),
		cmocka_unit_test(run_posts_model_query_documents_top_n_and_returns_scores),
		cmocka_unit_test(run_without_a_model_sends_no_model_field),
		cmocka_unit_test(run_sends_the_key_only_when_its_variable_is_set_and_never_repeats_it),
		cmocka_unit_test(http_503_gives_the_status_and_the_cleaned_start_of_the_body),
		cmocka_unit_test(a_connection_reset_is_an_error),
		cmocka_unit_test(a_slow_server_times_out_within_timeout_ms),
		cmocka_unit_test(a_refused_connection_is_an_error),
		cmocka_unit_test(a_2xx_that_is_not_a_ranking_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
