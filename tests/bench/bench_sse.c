/* bench_sse: event stream parse throughput and token delivery latency.
 *
 * 1. Parses a generated OpenAI-style stream (64 MiB; 4 MiB with --quick) in
 *    16 KiB reads: MB/s of the SSE parser alone, and with each event's JSON
 *    decoded by cJSON as the openai provider does.
 * 2. Streams events from the fixture server over loopback, one write every
 *    2 ms, through the whole client (libcurl multi, SSE, JSON, callbacks),
 *    and reports the time from the server's write of an event's last byte
 *    to the text reaching on_text: median and p99 in microseconds. */
#include "core/llm/llm.h"
#include "core/llm/sse.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "tests/integration/fixture_server.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED 16384

static const char *const words[] = {
	"the", " agent", " listens", " on", " port", " 7443", ",", " and", " the", " proxy",
	" honours", " no_proxy", " for", " local", " hosts", ".", "\\n", " Backups", " run", " nightly",
};

static void add_event(struct strbuf *sb, size_t i)
{
	sb_printf(sb, "data: {\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\","
		  "\"created\":1700000000,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,"
		  "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n",
		  words[i % (sizeof(words) / sizeof(words[0]))]);
}

struct counts {
	size_t events;
	size_t text_bytes;
	int decode;
};

static int count_event(void *ud, const struct llm_sse_event *ev)
{
	struct counts *c = ud;
	c->events++;
	if (!c->decode)
		return 0;
	cJSON *root = cJSON_ParseWithLength(ev->data, ev->data_len);
	const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
	const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ch, "delta");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
	if (cJSON_IsString(content))
		c->text_bytes += strlen(content->valuestring);
	cJSON_Delete(root);
	return 0;
}

/* Parse buf in FEED-byte reads; returns MB/s, or -1 when events went missing. */
static double parse_rate(const struct strbuf *buf, size_t want_events, int decode)
{
	struct counts c = { 0, 0, decode };
	struct llm_sse_callbacks cbs = { .on_event = count_event, .ud = &c };
	struct llm_sse *p = llm_sse_new(&cbs, 0);
	char err[256];
	uint64_t t0 = clock_now_ns();
	for (size_t off = 0; off < buf->len; off += FEED) {
		size_t n = buf->len - off < FEED ? buf->len - off : FEED;
		if (llm_sse_feed(p, buf->buf + off, n, err, sizeof(err)) != LLM_SSE_OK) {
			fprintf(stderr, "bench_sse: %s\n", err);
			llm_sse_free(&p);
			return -1;
		}
	}
	uint64_t ns = clock_now_ns() - t0;
	llm_sse_free(&p);
	if (c.events != want_events) {
		fprintf(stderr, "bench_sse: parsed %zu events, expected %zu\n", c.events, want_events);
		return -1;
	}
	return ((double)buf->len / 1e6) / ((double)ns / 1e9);
}

struct arrivals {
	uint64_t *t;
	size_t n, cap;
};

static void on_text(void *ud, const char *text, size_t len)
{
	(void)text;
	(void)len;
	struct arrivals *a = ud;
	if (a->n < a->cap)
		a->t[a->n++] = clock_now_ns();
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return (a > b) - (a < b);
}

/* Loopback latency over n events; 0, or -1 on failure. */
static int latency(size_t n)
{
	struct strbuf body = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		add_event(&body, i);
	sb_puts(&body, "data: [DONE]\n\n");
	struct fixture_response r = {
		.status = 200, .content_type = "text/event-stream", .framing = FIXTURE_CHUNKED,
		.body = body.buf, .split_events = 1, .delay_ms = 2, .reset_after = -1,
	};
	struct fixture_server *srv = fixture_start(&r, 1);
	struct strbuf base = STRBUF_INIT;
	sb_printf(&base, "%s/v1", fixture_url(srv));
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_OPENAI, .base_url = base.buf, .api_key_env = "" };
	struct llm_message msg = { LLM_ROLE_USER, "bench" };
	struct llm_request req = { .model = "gpt-test", .messages = &msg, .n_messages = 1, .temperature = -1 };
	struct arrivals a = { xcalloc(n, sizeof(uint64_t)), 0, n };
	struct llm_callbacks cbs = { .on_text = on_text, .ud = &a };
	struct llm_client *c = llm_client_new();
	struct llm_stream *s = NULL;
	char err[512];
	int rc = -1;
	if (llm_stream_start(c, &cfg, NULL, &req, &cbs, &s, err, sizeof(err)) != 0 ||
	    llm_client_run(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_sse: %s\n", err);
		goto cleanup;
	}
	const struct llm_result *res = llm_stream_result(s);
	size_t nw = 0;
	const uint64_t *w = fixture_write_times(srv, &nw);
	if (res->outcome != LLM_OUTCOME_OK || a.n != n || nw < n) {
		fprintf(stderr, "bench_sse: stream %s (%s), %zu texts, %zu writes for %zu events\n",
			llm_outcome_name(res->outcome), res->error, a.n, nw, n);
		goto cleanup;
	}
	uint64_t *d = xcalloc(n, sizeof(*d));
	for (size_t i = 0; i < n; i++)
		d[i] = a.t[i] > w[i] ? a.t[i] - w[i] : 0;
	qsort(d, n, sizeof(*d), cmp_u64);
	printf("socket-to-callback latency over %zu events (loopback, one write per event): "
	       "median %.1f us, p99 %.1f us, max %.1f us\n", n, (double)d[n / 2] / 1e3,
	       (double)d[(n * 99) / 100] / 1e3, (double)d[n - 1] / 1e3);
	free(d);
	rc = 0;
cleanup:
	llm_stream_free(&s);
	llm_client_free(&c);
	fixture_stop(&srv);
	free(a.t);
	sb_free(&base);
	sb_free(&body);
	return rc;
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	size_t target = quick ? (4u << 20) : (64u << 20);
	size_t n_events = 0;
	struct strbuf buf = STRBUF_INIT;
	while (buf.len < target)
		add_event(&buf, n_events++);
	int rc = 0;
	double sse_only = parse_rate(&buf, n_events, 0);
	double with_json = parse_rate(&buf, n_events, 1);
	if (sse_only < 0 || with_json < 0) {
		rc = 1;
	} else {
		printf("sse parse: %.1f MB, %zu events: %.0f MB/s\n", (double)buf.len / 1e6,
		       n_events, sse_only);
		printf("sse parse + cJSON decode of each event: %.0f MB/s\n", with_json);
	}
	if (latency(quick ? 100 : 2000) != 0)
		rc = 1;
	sb_free(&buf);
	return rc;
}
