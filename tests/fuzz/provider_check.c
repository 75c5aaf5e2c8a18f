/* provider_check: drive a provider's event decoder with arbitrary bytes. */
#include "tests/fuzz/provider_check.h"
#include "tests/fuzz/fuzz.h"
#include "core/llm/provider.h"
#include "core/llm/sse.h"
#include "core/util/strbuf.h"

#include <string.h>

#define ERROR_MAX 400

struct run {
	const struct llm_provider_ops *ops;
	struct llm_stream *s;
	struct strbuf text;   /* everything on_text saw */
	unsigned cancel_after; /* pieces of text before on_text cancels; 0: never */
	unsigned pieces;
	int cancelled;        /* on_text cancelled the stream */
	int done_calls;
	int stopped;          /* the decoder asked to end the transfer */
};

static void on_text(void *ud, const char *text, size_t len)
{
	struct run *r = ud;
	FUZZ_CHECK(len > 0);
	sb_append(&r->text, text, len);
	if (r->cancel_after && ++r->pieces == r->cancel_after) {
		r->cancelled = 1;
		llm_stream_cancel(r->s);
	}
}

static void on_done(void *ud, const struct llm_result *res)
{
	struct run *r = ud;
	FUZZ_CHECK(res != NULL);
	r->done_calls++;
}

static int on_event(void *ud, const struct llm_sse_event *ev)
{
	struct run *r = ud;
	r->stopped = r->ops->on_event(r->s, ev) != 0;
	return r->stopped;
}

static int on_field(void *ud, const char *name, const char *value, size_t len)
{
	struct run *r = ud;
	if (!r->ops->on_field)
		return 0;
	r->stopped = r->ops->on_field(r->s, name, value, len) != 0;
	return r->stopped;
}

static struct llm_client *client(void)
{
	static struct llm_client *c;
	if (!c) {
		FUZZ_CHECK(setenv("FUZZ_API_KEY", PROVIDER_CHECK_KEY, 1) == 0);
		c = llm_client_new();
	}
	return c;
}

static void check_error(const char *error)
{
	size_t len = strlen(error);
	FUZZ_CHECK(len > 0 && len <= ERROR_MAX);
	FUZZ_CHECK(strstr(error, PROVIDER_CHECK_KEY) == NULL);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)error[i] >= 0x20 && error[i] != 0x7F);
}

void provider_check(enum llm_kind kind, const uint8_t *data, size_t size)
{
	if (size == 0)
		return;
	struct run r = { .text = STRBUF_INIT, .cancel_after = data[0] };
	struct llm_provider_cfg cfg = {
		.kind = kind, .base_url = "http://127.0.0.1:9", .api_key_env = "FUZZ_API_KEY",
	};
	struct llm_message msg = { .role = LLM_ROLE_USER, .content = "How do I set a proxy?" };
	struct llm_request req = {
		.model = "fuzz-model", .messages = &msg, .n_messages = 1, .temperature = -1,
	};
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = &r };
	char err[512];
	FUZZ_CHECK(llm_stream_start(client(), &cfg, NULL, &req, &cbs, &r.s, err, sizeof(err)) == 0);
	r.ops = kind == LLM_KIND_OPENAI ? &llm_openai_ops : &llm_anthropic_ops;

	struct llm_sse_callbacks sc = { .on_event = on_event, .on_other_field = on_field, .ud = &r };
	struct llm_sse *p = llm_sse_new(&sc, 0);
	int rc = llm_sse_feed(p, (const char *)data + 1, size - 1, err, sizeof(err));
	FUZZ_CHECK(rc == LLM_SSE_OK || (rc == LLM_SSE_STOPPED && r.stopped));
	if (rc == LLM_SSE_OK) {
		rc = llm_sse_end(p, err, sizeof(err));
		FUZZ_CHECK(rc == LLM_SSE_OK || (rc == LLM_SSE_STOPPED && r.stopped));
	}
	if (!r.stopped)
		r.ops->finish(r.s);
	llm_sse_free(&p);

	llm_stream_cancel(r.s);
	const struct llm_result *res = llm_stream_result(r.s);
	FUZZ_CHECK(res != NULL);
	FUZZ_CHECK(r.done_calls == 1);
	FUZZ_CHECK(res->text_len == r.text.len);
	FUZZ_CHECK(memcmp(res->text, sb_str(&r.text), r.text.len) == 0);
	check_error(res->error);
	/* A decoder that ends the transfer without being cancelled says why. */
	if (r.stopped && !r.cancelled)
		FUZZ_CHECK(strcmp(res->error, "cancelled") != 0);
	llm_stream_free(&r.s);
	sb_free(&r.text);
}
