/* Integration tests for core/llm: real HTTP over loopback against the
 * scripted fixture server, in the OpenAI, llama.cpp and Anthropic wire
 * formats. Each test checks the exact text, usage and error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/llm/llm.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "tests/integration/fixture_server.h"

#define OPENAI_KEY "test-key-123456"
#define ANTHROPIC_KEY "ant-key-abcdef"

static const char openai_stream[] =
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
	"\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
	"\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
	"\"delta\":{\"content\":\", w\xc3\xb6rld\"},\"finish_reason\":null}]}\n\n"
	": keep-alive\n\n"
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
	"\"delta\":{\"content\":\"!\\nBye\"},\"finish_reason\":null}]}\n\n"
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
	"\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
	"\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n"
	"data: [DONE]\n\n";
#define OPENAI_TEXT "Hello, w\xc3\xb6rld!\nBye"

static const char llamacpp_stream[] =
	"data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Local\"}}],"
	"\"created\":1,\"id\":\"x\",\"model\":\"qwen\",\"object\":\"chat.completion.chunk\"}\r\n\r\n"
	"data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\" llama\"}}],"
	"\"created\":1,\"id\":\"x\",\"model\":\"qwen\",\"object\":\"chat.completion.chunk\"}\r\n\r\n"
	"data: {\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"created\":1,"
	"\"id\":\"x\",\"model\":\"qwen\",\"object\":\"chat.completion.chunk\",\"timings\":"
	"{\"prompt_n\":7,\"prompt_ms\":10.5,\"predicted_n\":2,\"predicted_ms\":20.1,"
	"\"predicted_per_second\":99.5}}\r\n\r\n"
	"data: [DONE]\r\n\r\n";

static const char anthropic_stream[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
	"\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,"
	"\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
	"\"text\":\"\"}}\n\n"
	"event: ping\ndata: {\"type\": \"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
	"\"text\":\"Hi\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
	"\"text\":\" there\"}}\n\n"
	"event: future_event\ndata: {\"type\":\"future_event\",\"x\":1}\n\n"
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},"
	"\"usage\":{\"output_tokens\":7}}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
	"\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}\n\n"
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

/* What one stream produced, copied out of the result. */
struct got {
	struct strbuf streamed;   /* concatenated on_text pieces */
	int pieces;
	int done_calls;
	enum llm_outcome outcome;
	char *text;
	char *error;
	char *finish;
	struct llm_usage usage;
	long status;
	int retries;
	uint64_t ttft_us, total_us;
	struct llm_stream *cancel_on_text;   /* cancel this stream at the first piece */
};

static void got_free(struct got *g)
{
	sb_free(&g->streamed);
	free(g->text);
	free(g->error);
	free(g->finish);
	memset(g, 0, sizeof(*g));
}

static void on_text(void *ud, const char *t, size_t n)
{
	struct got *g = ud;
	sb_append(&g->streamed, t, n);
	g->pieces++;
	if (g->cancel_on_text)
		llm_stream_cancel(g->cancel_on_text);
}

static void on_done(void *ud, const struct llm_result *r)
{
	struct got *g = ud;
	g->done_calls++;
	g->outcome = r->outcome;
	g->text = xstrndup(r->text, r->text_len);
	g->error = xstrdup(r->error);
	g->finish = xstrdup(r->finish_reason);
	g->usage = r->usage;
	g->status = r->http_status;
	g->retries = r->retries;
	g->ttft_us = r->ttft_us;
	g->total_us = r->total_us;
}

static struct llm_http_opts fast_opts(void)
{
	struct llm_http_opts o;
	llm_http_opts_init(&o);
	o.connect_timeout_ms = 2000;
	o.first_byte_timeout_ms = 5000;
	o.idle_timeout_ms = 5000;
	o.total_timeout_ms = 20000;
	o.max_retries = 2;
	o.retry_base_ms = 1;
	o.retry_cap_ms = 4;
	return o;
}

static const struct llm_message chat[] = {
	{ LLM_ROLE_USER, "Say hi" },
};

static struct llm_request base_request(const char *model)
{
	struct llm_request req = {
		.model = model, .system = "Be brief.", .messages = chat, .n_messages = 1,
		.max_tokens = 64, .temperature = 0.2,
	};
	return req;
}

/* Run one stream to its end on client c; the result lands in g. */
static void run_on(struct llm_client *c, const struct llm_provider_cfg *cfg,
		   const struct llm_http_opts *o, const struct llm_request *req, struct got *g)
{
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = g };
	struct llm_stream *s = NULL;
	char err[512];
	int rc = llm_stream_start(c, cfg, o, req, &cbs, &s, err, sizeof(err));
	if (rc != 0)
		fail_msg("start failed: %s", err);
	assert_int_equal(llm_client_run(c, err, sizeof(err)), 0);
	assert_int_equal(g->done_calls, 1);
	assert_string_equal(sb_str(&g->streamed), g->text);
	llm_stream_free(&s);
}

static void run(const struct llm_provider_cfg *cfg, const struct llm_http_opts *o,
		const struct llm_request *req, struct got *g)
{
	struct llm_client *c = llm_client_new();
	run_on(c, cfg, o, req, g);
	llm_client_free(&c);
}

static char *url_with(struct fixture_server *s, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s%s", fixture_url(s), suffix);
	return sb_detach(&sb, NULL);
}

static struct fixture_response sse(const char *body, enum fixture_framing f)
{
	struct fixture_response r = {
		.status = 200, .content_type = "text/event-stream", .framing = f,
		.body = body, .reset_after = -1,
	};
	return r;
}

static void assert_openai_ok(const struct got *g)
{
	assert_int_equal(g->outcome, LLM_OUTCOME_OK);
	assert_string_equal(g->text, OPENAI_TEXT);
	assert_string_equal(g->finish, "stop");
	assert_string_equal(g->error, "");
	assert_int_equal(g->usage.input_tokens, 12);
	assert_int_equal(g->usage.output_tokens, 5);
	assert_int_equal(g->usage.estimated, 0);
	assert_int_equal(g->status, 200);
	assert_true(g->ttft_us > 0 && g->ttft_us <= g->total_us);
}

static void assert_llamacpp_ok(const struct got *g)
{
	assert_int_equal(g->outcome, LLM_OUTCOME_OK);
	assert_string_equal(g->text, "Local llama");
	assert_string_equal(g->finish, "stop");
	assert_string_equal(g->error, "");
	assert_int_equal(g->usage.input_tokens, 7);
	assert_int_equal(g->usage.output_tokens, 2);
	assert_int_equal(g->usage.estimated, 0);
}

static void assert_anthropic_ok(const struct got *g)
{
	assert_int_equal(g->outcome, LLM_OUTCOME_OK);
	assert_string_equal(g->text, "Hi there");
	assert_string_equal(g->finish, "end_turn");
	assert_string_equal(g->error, "");
	assert_int_equal(g->usage.input_tokens, 25);
	assert_int_equal(g->usage.output_tokens, 15);
	assert_int_equal(g->usage.estimated, 0);
}

struct flavour {
	enum llm_kind kind;
	const char *suffix;        /* base URL = fixture URL + suffix */
	const char *key_env;
	const char *model;
	const char *stream;
	void (*check)(const struct got *g);
};

static const struct flavour flavours[] = {
	{ LLM_KIND_OPENAI, "/v1", NULL, "gpt-test", openai_stream, assert_openai_ok },
	{ LLM_KIND_OPENAI, "/v1", "", "qwen", llamacpp_stream, assert_llamacpp_ok },
	{ LLM_KIND_ANTHROPIC, "", NULL, "claude-test", anthropic_stream, assert_anthropic_ok },
};

/* Serve fl's stream with each response in script, checking every run. */
static void run_script(const struct flavour *fl, const struct fixture_response *script, size_t n)
{
	struct fixture_server *srv = fixture_start(script, n);
	char *base = url_with(srv, fl->suffix);
	struct llm_provider_cfg cfg = { .kind = fl->kind, .base_url = base, .api_key_env = fl->key_env };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request(fl->model);
	struct llm_client *c = llm_client_new();
	for (size_t i = 0; i < n; i++) {
		struct got g = { 0 };
		run_on(c, &cfg, &o, &req, &g);
		fl->check(&g);
		got_free(&g);
	}
	assert_int_equal(fixture_request_count(srv), n);
	llm_client_free(&c);
	free(base);
	fixture_stop(&srv);
}

static void each_flavour_whole_bytewise_chunked_and_close_delimited(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(flavours) / sizeof(flavours[0]); f++) {
		struct fixture_response script[4];
		script[0] = sse(flavours[f].stream, FIXTURE_LENGTH);
		script[1] = sse(flavours[f].stream, FIXTURE_CHUNKED);
		script[1].piece = 1;
		script[2] = sse(flavours[f].stream, FIXTURE_CLOSE);
		script[3] = sse(flavours[f].stream, FIXTURE_CHUNKED);
		script[3].split_events = 1;
		script[3].delay_ms = 2;
		run_script(&flavours[f], script, 4);
	}
}

static void each_flavour_split_at_every_boundary(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(flavours) / sizeof(flavours[0]); f++) {
		size_t len = strlen(flavours[f].stream);
		struct fixture_response *script = xcalloc(len - 1, sizeof(*script));
		for (size_t cut = 1; cut < len; cut++) {
			script[cut - 1] = sse(flavours[f].stream, FIXTURE_LENGTH);
			script[cut - 1].split_at = cut;
			script[cut - 1].delay_ms = 1;
		}
		run_script(&flavours[f], script, len - 1);
		free(script);
	}
}

static void openai_request_carries_model_messages_options_and_bearer_key(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_LENGTH);
	struct fixture_server *srv = fixture_start(&r, 1);
	char *base = url_with(srv, "/v1/");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("gpt-test");
	const char *stop[] = { "END" };
	req.stop = stop;
	req.n_stop = 1;
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_openai_ok(&g);
	const struct fixture_request *q = fixture_request(srv, 0);
	char v[256];
	assert_string_equal(q->method, "POST");
	assert_string_equal(q->path, "/v1/chat/completions");
	assert_string_equal(fixture_header(q, "Authorization", v, sizeof(v)), "Bearer " OPENAI_KEY);
	assert_string_equal(fixture_header(q, "Content-Type", v, sizeof(v)), "application/json");
	assert_string_equal(fixture_header(q, "Accept", v, sizeof(v)), "text/event-stream");
	assert_null(fixture_header(q, "Expect", v, sizeof(v)));
	assert_string_equal(q->body,
			    "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"system\",\"content\":"
			    "\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hi\"}],\"stream\":true,"
			    "\"stream_options\":{\"include_usage\":true},\"max_tokens\":64,"
			    "\"temperature\":0.2,\"stop\":[\"END\"]}");
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

static void llamacpp_without_key_variable_sends_no_authorization(void **state)
{
	(void)state;
	struct fixture_response r = sse(llamacpp_stream, FIXTURE_CHUNKED);
	struct fixture_server *srv = fixture_start(&r, 1);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base,
					.api_key_env = "", .name = "llamacpp" };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("qwen");
	req.max_tokens = 0;
	req.temperature = -1;
	req.repetition_penalty = 1.15;
	req.system = NULL;
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_llamacpp_ok(&g);
	const struct fixture_request *q = fixture_request(srv, 0);
	char v[256];
	assert_null(fixture_header(q, "Authorization", v, sizeof(v)));
	assert_string_equal(q->body,
			    "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}],"
			    "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
			    "\"repetition_penalty\":1.15,\"repeat_penalty\":1.15}");
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

static void anthropic_request_has_version_key_and_top_level_system(void **state)
{
	(void)state;
	struct fixture_response r = sse(anthropic_stream, FIXTURE_LENGTH);
	struct fixture_server *srv = fixture_start(&r, 1);
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_ANTHROPIC, .base_url = fixture_url(srv) };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("claude-test");
	req.max_tokens = 0;
	const char *stop[] = { "###", "END" };
	req.stop = stop;
	req.n_stop = 2;
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_anthropic_ok(&g);
	const struct fixture_request *q = fixture_request(srv, 0);
	char v[256];
	assert_string_equal(q->path, "/v1/messages");
	assert_string_equal(fixture_header(q, "x-api-key", v, sizeof(v)), ANTHROPIC_KEY);
	assert_string_equal(fixture_header(q, "anthropic-version", v, sizeof(v)), "2023-06-01");
	assert_null(fixture_header(q, "Authorization", v, sizeof(v)));
	assert_string_equal(q->body,
			    "{\"model\":\"claude-test\",\"max_tokens\":1024,\"system\":\"Be brief.\","
			    "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}],\"stream\":true,"
			    "\"temperature\":0.2,\"stop_sequences\":[\"###\",\"END\"]}");
	got_free(&g);
	fixture_stop(&srv);
}

/* One scripted exchange with the OpenAI flavour; returns the server for
 * request assertions (caller stops it). */
static struct fixture_server *openai_run(const struct fixture_response *script, size_t n,
					 struct llm_http_opts *o, struct got *g)
{
	struct fixture_server *srv = fixture_start(script, n);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_request req = base_request("gpt-test");
	run(&cfg, o, &req, g);
	free(base);
	return srv;
}

static void expect_error(const struct got *g, struct fixture_server *srv, const char *path,
			 const char *fmt)
{
	char want[1024];
	char url[256];
	snprintf(url, sizeof(url), "%s%s", fixture_url(srv), path);
	snprintf(want, sizeof(want), fmt, url);
	assert_string_equal(g->error, want);
}

static void openai_error_object_mid_stream_keeps_partial_text(void **state)
{
	(void)state;
	struct fixture_response r = sse(
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Part\"}}]}\n\n"
		"data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"never\"}}]}\n\n",
		FIXTURE_CHUNKED);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "Part");
	assert_string_equal(g.error, "server error mid-stream: server_error: The server had an error");
	assert_int_equal(g.usage.estimated, 1);
	assert_int_equal(g.usage.output_tokens, 1);
	assert_int_equal(g.retries, 0);
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void openai_error_before_any_token_fails_without_retry(void **state)
{
	(void)state;
	struct fixture_response r = sse(
		"data: {\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}\n\n",
		FIXTURE_LENGTH);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_string_equal(g.text, "");
	assert_string_equal(g.error, "server error mid-stream: server_error: model overloaded");
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void llamacpp_error_line_ends_the_stream(void **state)
{
	(void)state;
	struct fixture_response r = sse(
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Local\"}}]}\n\n"
		"error: {\"code\":500,\"message\":\"context size exceeded\",\"type\":\"server_error\"}\n\n",
		FIXTURE_CLOSE);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "Local");
	assert_string_equal(g.error, "server error mid-stream: server_error: context size exceeded");
	got_free(&g);
	fixture_stop(&srv);
}

static void anthropic_error_event_reports_its_type_and_message(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		sse("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
		    "{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
		    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
		    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Par\"}}\n\n"
		    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
		    "\"message\":\"Overloaded\"}}\n\n", FIXTURE_CHUNKED),
		sse("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
		    "\"message\":\"Overloaded\"}}\n\n", FIXTURE_LENGTH),
	};
	struct fixture_server *srv = fixture_start(r, 2);
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_ANTHROPIC, .base_url = fixture_url(srv) };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("claude-test");
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "Par");
	assert_string_equal(g.error, "server error mid-stream: overloaded_error: Overloaded");
	assert_int_equal(g.usage.input_tokens, 9);
	assert_int_equal(g.usage.output_tokens, 1);
	assert_int_equal(g.usage.estimated, 0);
	got_free(&g);
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_string_equal(g.text, "");
	assert_string_equal(g.error, "server error mid-stream: overloaded_error: Overloaded");
	got_free(&g);
	fixture_stop(&srv);
}

static void retry_after_seconds_is_honoured_then_success(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 429, .content_type = "application/json", .headers = "Retry-After: 1\r\n",
		  .body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
		  .reset_after = -1 },
		sse(openai_stream, FIXTURE_LENGTH),
	};
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_openai_ok(&g);
	assert_int_equal(g.retries, 1);
	assert_true(g.total_us >= 1000000);
	assert_true(g.total_us < 3000000);
	assert_int_equal(fixture_request_count(srv), 2);
	got_free(&g);
	fixture_stop(&srv);
}

static void retry_after_ms_is_honoured_then_success(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 429, .content_type = "application/json",
		  .headers = "retry-after-ms: 150\r\nRetry-After: 9\r\n",
		  .body = "{\"error\":{\"message\":\"slow down\"}}", .reset_after = -1 },
		sse(openai_stream, FIXTURE_CHUNKED),
	};
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_openai_ok(&g);
	assert_int_equal(g.retries, 1);
	assert_true(g.total_us >= 150000);
	assert_true(g.total_us < 1000000);
	got_free(&g);
	fixture_stop(&srv);
}

static void server_error_500_is_retried_then_success(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 500, .content_type = "application/json",
		  .body = "{\"error\":{\"message\":\"internal\"}}", .reset_after = -1 },
		sse(openai_stream, FIXTURE_LENGTH),
	};
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_openai_ok(&g);
	assert_int_equal(g.retries, 1);
	assert_int_equal(fixture_request_count(srv), 2);
	got_free(&g);
	fixture_stop(&srv);
}

static void bad_request_400_is_not_retried(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 400, .content_type = "application/json",
		  .body = "{\"error\":{\"message\":\"Unknown model gpt-test\","
			  "\"type\":\"invalid_request_error\",\"param\":null}}", .reset_after = -1 },
		sse(openai_stream, FIXTURE_LENGTH),
	};
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.status, 400);
	assert_int_equal(g.retries, 0);
	expect_error(&g, srv, "/v1/chat/completions",
		     "HTTP 400 from %s: invalid_request_error: Unknown model gpt-test");
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void retries_stop_at_max_retries(void **state)
{
	(void)state;
	struct fixture_response r = { .status = 503, .content_type = "text/plain",
				      .body = "upstream busy\n", .reset_after = -1 };
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.retries, 2);
	assert_int_equal(g.status, 503);
	expect_error(&g, srv, "/v1/chat/completions", "HTTP 503 from %s: upstream busy");
	assert_int_equal(fixture_request_count(srv), 3);
	got_free(&g);
	fixture_stop(&srv);
}

static void key_echoed_by_the_server_is_redacted(void **state)
{
	(void)state;
	struct fixture_response r = { .status = 401, .content_type = "application/json",
				      .body = "{\"error\":{\"message\":\"Incorrect API key provided: "
					      OPENAI_KEY ".\",\"type\":\"invalid_request_error\"}}",
				      .reset_after = -1 };
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.retries, 0);
	expect_error(&g, srv, "/v1/chat/completions",
		     "HTTP 401 from %s: invalid_request_error: Incorrect API key provided: [redacted].");
	assert_null(strstr(g.error, OPENAI_KEY));
	got_free(&g);
	fixture_stop(&srv);
}

static void slow_drip_under_the_idle_timeout_completes(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_CHUNKED);
	r.split_events = 1;
	r.delay_ms = 60;
	struct llm_http_opts o = fast_opts();
	o.idle_timeout_ms = 200;
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_openai_ok(&g);
	assert_true(g.total_us >= 7 * 60000);
	got_free(&g);
	fixture_stop(&srv);
}

static void silence_past_the_idle_timeout_interrupts(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_CHUNKED);
	const char *third = strstr(openai_stream, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
					"\"choices\":[{\"index\":0,\"delta\":{\"content\":\", w");
	r.pause_at = (size_t)(third - openai_stream);
	r.pause_ms = 800;
	struct llm_http_opts o = fast_opts();
	o.idle_timeout_ms = 150;
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "Hello");
	expect_error(&g, srv, "/v1/chat/completions", "%s sent nothing for 150 ms (idle timeout)");
	assert_true(g.total_us >= 150000);
	assert_true(g.total_us < 600000);
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void no_first_byte_in_time_fails_after_retries(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_LENGTH);
	r.head_delay_ms = 700;
	struct llm_http_opts o = fast_opts();
	o.first_byte_timeout_ms = 100;
	o.max_retries = 1;
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.retries, 1);
	expect_error(&g, srv, "/v1/chat/completions",
		     "no response from %s within 100 ms (first-byte timeout)");
	assert_true(g.total_us >= 200000);
	assert_true(g.total_us < 650000);
	got_free(&g);
	fixture_stop(&srv);
}

static void reset_after_tokens_keeps_partial_and_does_not_retry(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_CHUNKED);
	r.reset_after = (long)(strstr(openai_stream, ": keep-alive") - openai_stream);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "Hello, w\xc3\xb6rld");
	char want[256];
	snprintf(want, sizeof(want), "connection to %s/v1/chat/completions closed mid-response: ",
		 fixture_url(srv));
	assert_memory_equal(g.error, want, strlen(want));
	assert_int_equal(g.retries, 0);
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void reset_before_any_token_is_retried(void **state)
{
	(void)state;
	struct fixture_response r[2] = { sse(openai_stream, FIXTURE_LENGTH),
					 sse(openai_stream, FIXTURE_LENGTH) };
	r[0].reset_after = 40;
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_openai_ok(&g);
	assert_int_equal(g.retries, 1);
	got_free(&g);
	fixture_stop(&srv);
}

static void end_without_done_marker_is_interrupted(void **state)
{
	(void)state;
	const char *cut = strstr(openai_stream, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
				      "\"choices\":[{\"index\":0,\"delta\":{},");
	struct fixture_response r[2] = { sse(openai_stream, FIXTURE_LENGTH), sse("", FIXTURE_LENGTH) };
	r[0].body_len = (size_t)(cut - openai_stream);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, OPENAI_TEXT);
	expect_error(&g, srv, "/v1/chat/completions", "the stream from %s ended before data: [DONE]");
	assert_int_equal(g.usage.estimated, 1);
	got_free(&g);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_request req = base_request("gpt-test");
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_string_equal(g.text, "");
	expect_error(&g, srv, "/v1/chat/completions", "the stream from %s ended before data: [DONE]");
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

static void malformed_json_event_interrupts(void **state)
{
	(void)state;
	struct fixture_response r = sse(
		"data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n"
		"data: {not json\n\ndata: [DONE]\n\n", FIXTURE_LENGTH);
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "ok");
	assert_string_equal(g.error, "malformed JSON in the event stream: {not json");
	got_free(&g);
	fixture_stop(&srv);
}

static void over_long_line_ends_the_stream(void **state)
{
	(void)state;
	struct strbuf body = STRBUF_INIT;
	sb_puts(&body, "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: \"");
	for (int i = 0; i < 1000; i++)
		sb_putc(&body, 'x');
	sb_puts(&body, "\"\n\ndata: [DONE]\n\n");
	struct fixture_response r = sse(body.buf, FIXTURE_CHUNKED);
	r.piece = 100;
	struct llm_http_opts o = fast_opts();
	o.max_line_bytes = 256;
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_INTERRUPTED);
	assert_string_equal(g.text, "ok");
	assert_string_equal(g.error, "event stream line longer than 256 bytes: stream ended "
			    "(the server sent no line break)");
	assert_int_equal(fixture_request_count(srv), 1);
	got_free(&g);
	fixture_stop(&srv);
	sb_free(&body);
}

static void html_error_page_from_a_proxy_is_named(void **state)
{
	(void)state;
	struct fixture_response r[2] = {
		{ .status = 502, .content_type = "text/html",
		  .body = "<html><body><h1>502 Bad Gateway</h1></body></html>", .reset_after = -1 },
		{ .status = 200, .content_type = "text/html; charset=utf-8",
		  .body = "<!doctype html><title>Login</title>", .reset_after = -1 },
	};
	struct llm_http_opts o = fast_opts();
	o.max_retries = 0;
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(r, 2, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.status, 502);
	expect_error(&g, srv, "/v1/chat/completions",
		     "HTTP 502 from %s: the server sent an HTML page (text/html), not an API reply: "
		     "is a proxy or a wrong base URL in the way?");
	got_free(&g);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_request req = base_request("gpt-test");
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.status, 200);
	expect_error(&g, srv, "/v1/chat/completions",
		     "HTTP 200 from %s: the server sent an HTML page (text/html; charset=utf-8), "
		     "not an API reply: is a proxy or a wrong base URL in the way?");
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

static void json_reply_without_stream_is_a_clear_error(void **state)
{
	(void)state;
	struct fixture_response r = { .status = 200, .content_type = "application/json",
				      .body = "{\"id\":\"x\",\"choices\":[]}", .reset_after = -1 };
	struct llm_http_opts o = fast_opts();
	struct got g = { 0 };
	struct fixture_server *srv = openai_run(&r, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	expect_error(&g, srv, "/v1/chat/completions",
		     "HTTP 200 from %s: unexpected content type \"application/json\" (expected "
		     "text/event-stream): {\"id\":\"x\",\"choices\":[]}");
	got_free(&g);
	fixture_stop(&srv);
}

static void missing_key_fails_at_start_naming_the_variable(void **state)
{
	(void)state;
	struct llm_client *c = llm_client_new();
	struct llm_stream *s = (struct llm_stream *)&s;
	struct llm_request req = base_request("m");
	char err[256];
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .api_key_env = "RAGDECK_TEST_NO_SUCH_KEY" };
	assert_int_equal(llm_stream_start(c, &cfg, NULL, &req, NULL, &s, err, sizeof(err)), -1);
	assert_null(s);
	assert_string_equal(err, "RAGDECK_TEST_NO_SUCH_KEY is not set: export it or choose another provider");
	char *saved = xstrdup(getenv("ANTHROPIC_API_KEY"));
	unsetenv("ANTHROPIC_API_KEY");
	cfg = (struct llm_provider_cfg){ .kind = LLM_KIND_ANTHROPIC };
	assert_int_equal(llm_stream_start(c, &cfg, NULL, &req, NULL, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "ANTHROPIC_API_KEY is not set: export it or choose another provider");
	setenv("ANTHROPIC_API_KEY", saved, 1);
	free(saved);
	cfg = (struct llm_provider_cfg){ .kind = LLM_KIND_OPENAI };
	req.model = NULL;
	assert_int_equal(llm_stream_start(c, &cfg, NULL, &req, NULL, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "no model given for provider openai: name one in the config");
	llm_client_free(&c);
}

static void unreachable_server_names_the_url(void **state)
{
	(void)state;
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = "http://127.0.0.1:1/v1" };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("gpt-test");
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.retries, 2);
	assert_int_equal(g.status, 0);
	const char *want = "cannot connect to http://127.0.0.1:1/v1/chat/completions: ";
	assert_memory_equal(g.error, want, strlen(want));
	got_free(&g);
}

/* No reply stream, no bill: a refused connection or an error status costs
 * nothing; a stream the server began and then broke may be billed for its
 * input, so that stays estimated. */
static void only_a_reply_stream_counts_estimated_input(void **state)
{
	(void)state;
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = "http://127.0.0.1:1/v1" };
	struct llm_http_opts o = fast_opts();
	o.max_retries = 0;
	struct llm_request req = base_request("gpt-test");
	struct got g = { 0 };
	run(&cfg, &o, &req, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.usage.input_tokens, 0);
	assert_int_equal(g.usage.output_tokens, 0);
	got_free(&g);

	struct fixture_response refused = {
		.status = 401, .content_type = "application/json",
		.body = "{\"error\":{\"message\":\"Incorrect API key\"}}", .reset_after = -1,
	};
	struct fixture_server *srv = openai_run(&refused, 1, &o, &g);
	assert_int_equal(g.status, 401);
	assert_int_equal(g.usage.input_tokens, 0);
	assert_int_equal(g.usage.output_tokens, 0);
	got_free(&g);
	fixture_stop(&srv);

	struct fixture_response broken = sse(openai_stream, FIXTURE_LENGTH);
	broken.reset_after = 10;
	srv = openai_run(&broken, 1, &o, &g);
	assert_int_equal(g.outcome, LLM_OUTCOME_FAILED);
	assert_int_equal(g.usage.estimated, 1);
	assert_true(g.usage.input_tokens > 0);
	assert_int_equal(g.usage.output_tokens, 0);
	got_free(&g);
	fixture_stop(&srv);
}

static void base_url_env_is_used_unless_config_names_one(void **state)
{
	(void)state;
	struct fixture_response r[2] = { sse(openai_stream, FIXTURE_LENGTH),
					 sse(anthropic_stream, FIXTURE_LENGTH) };
	struct fixture_server *srv = fixture_start(r, 2);
	char *base = url_with(srv, "/v1");
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("gpt-test");
	struct got g = { 0 };
	setenv("OPENAI_BASE_URL", base, 1);
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI };
	run(&cfg, &o, &req, &g);
	assert_openai_ok(&g);
	got_free(&g);
	setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1", 1);
	cfg = (struct llm_provider_cfg){ .kind = LLM_KIND_ANTHROPIC, .base_url = fixture_url(srv) };
	run(&cfg, &o, &req, &g);
	assert_anthropic_ok(&g);
	got_free(&g);
	unsetenv("OPENAI_BASE_URL");
	unsetenv("ANTHROPIC_BASE_URL");
	assert_string_equal(fixture_request(srv, 0)->path, "/v1/chat/completions");
	assert_string_equal(fixture_request(srv, 1)->path, "/v1/messages");
	free(base);
	fixture_stop(&srv);
}

static void cancel_from_on_text_closes_and_keeps_text(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_CHUNKED);
	r.split_events = 1;
	r.delay_ms = 300;
	struct fixture_server *srv = fixture_start(&r, 1);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("gpt-test");
	struct llm_client *c = llm_client_new();
	struct got g = { 0 };
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = &g };
	struct llm_stream *s = NULL;
	char err[256];
	assert_int_equal(llm_stream_start(c, &cfg, &o, &req, &cbs, &s, err, sizeof(err)), 0);
	g.cancel_on_text = s;
	assert_int_equal(llm_client_run(c, err, sizeof(err)), 0);
	assert_int_equal(g.done_calls, 1);
	assert_int_equal(g.outcome, LLM_OUTCOME_CANCELLED);
	assert_string_equal(g.text, "Hello");
	assert_string_equal(g.error, "cancelled");
	assert_int_equal(g.pieces, 1);
	assert_true(g.total_us < 900000);
	llm_stream_cancel(s);
	assert_int_equal(g.done_calls, 1);
	llm_stream_free(&s);
	llm_client_free(&c);
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

static void cancel_between_passes_reports_at_once(void **state)
{
	(void)state;
	struct fixture_response r = sse(openai_stream, FIXTURE_CHUNKED);
	r.split_events = 1;
	r.delay_ms = 300;
	struct fixture_server *srv = fixture_start(&r, 1);
	char *base = url_with(srv, "/v1");
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base };
	struct llm_http_opts o = fast_opts();
	struct llm_request req = base_request("gpt-test");
	struct llm_client *c = llm_client_new();
	struct got g = { 0 };
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = &g };
	struct llm_stream *s = NULL;
	char err[256];
	assert_int_equal(llm_stream_start(c, &cfg, &o, &req, &cbs, &s, err, sizeof(err)), 0);
	while (g.pieces == 0) {
		assert_int_equal(llm_client_perform(c), 1);
		assert_true(llm_client_poll(c, NULL, 0, 1000, err, sizeof(err)) >= 0);
	}
	llm_stream_cancel(s);
	assert_int_equal(g.done_calls, 1);
	assert_int_equal(g.outcome, LLM_OUTCOME_CANCELLED);
	assert_string_equal(g.text, "Hello");
	assert_int_equal(llm_client_perform(c), 0);
	assert_int_equal(llm_client_timeout_ms(c), -1);
	llm_stream_free(&s);
	llm_client_free(&c);
	got_free(&g);
	free(base);
	fixture_stop(&srv);
}

int main(void)
{
	setenv("OPENAI_API_KEY", OPENAI_KEY, 1);
	setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY, 1);
	unsetenv("OPENAI_BASE_URL");
	unsetenv("ANTHROPIC_BASE_URL");
	/* proxies stay honoured, but loopback never goes through one */
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_flavour_whole_bytewise_chunked_and_close_delimited),
		cmocka_unit_test(each_flavour_split_at_every_boundary),
		cmocka_unit_test(openai_request_carries_model_messages_options_and_bearer_key),
		cmocka_unit_test(llamacpp_without_key_variable_sends_no_authorization),
		cmocka_unit_test(anthropic_request_has_version_key_and_top_level_system),
		cmocka_unit_test(openai_error_object_mid_stream_keeps_partial_text),
		cmocka_unit_test(openai_error_before_any_token_fails_without_retry),
		cmocka_unit_test(llamacpp_error_line_ends_the_stream),
		cmocka_unit_test(anthropic_error_event_reports_its_type_and_message),
		cmocka_unit_test(retry_after_seconds_is_honoured_then_success),
		cmocka_unit_test(retry_after_ms_is_honoured_then_success),
		cmocka_unit_test(server_error_500_is_retried_then_success),
		cmocka_unit_test(bad_request_400_is_not_retried),
		cmocka_unit_test(retries_stop_at_max_retries),
		cmocka_unit_test(key_echoed_by_the_server_is_redacted),
		cmocka_unit_test(slow_drip_under_the_idle_timeout_completes),
		cmocka_unit_test(silence_past_the_idle_timeout_interrupts),
		cmocka_unit_test(no_first_byte_in_time_fails_after_retries),
		cmocka_unit_test(reset_after_tokens_keeps_partial_and_does_not_retry),
		cmocka_unit_test(reset_before_any_token_is_retried),
		cmocka_unit_test(end_without_done_marker_is_interrupted),
		cmocka_unit_test(malformed_json_event_interrupts),
		cmocka_unit_test(over_long_line_ends_the_stream),
		cmocka_unit_test(html_error_page_from_a_proxy_is_named),
		cmocka_unit_test(json_reply_without_stream_is_a_clear_error),
		cmocka_unit_test(missing_key_fails_at_start_naming_the_variable),
		cmocka_unit_test(unreachable_server_names_the_url),
		cmocka_unit_test(only_a_reply_stream_counts_estimated_input),
		cmocka_unit_test(base_url_env_is_used_unless_config_names_one),
		cmocka_unit_test(cancel_from_on_text_closes_and_keeps_text),
		cmocka_unit_test(cancel_between_passes_reports_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
