/* openai: Chat Completions streaming, for OpenAI and the servers that copy
 * its API (Ollama /v1, llama.cpp server, vLLM). /embeddings is
 * core/llm/embeddings.c and core/embed/embed_http.c. */
#include "core/llm/errmsg.h"
#include "core/llm/json.h"
#include "core/llm/provider.h"
#include "core/util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct openai_state {
	int done;         /* data: [DONE] arrived */
	int finished;     /* a finish_reason arrived */
	int usage_seen;   /* a usage object arrived (wins over llama.cpp timings) */
};

static int openai_start(struct llm_stream *s, const struct llm_request *req, const char *key,
			char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", req->model);
	cJSON_AddItemToObject(root, "messages", llm_json_messages(req, 1));
	cJSON_AddBoolToObject(root, "stream", 1);
	cJSON *so = cJSON_AddObjectToObject(root, "stream_options");
	cJSON_AddBoolToObject(so, "include_usage", 1);
	if (req->max_tokens > 0)
		cJSON_AddNumberToObject(root, "max_tokens", req->max_tokens);
	if (req->temperature >= 0)
		cJSON_AddNumberToObject(root, "temperature", req->temperature);
	if (req->repetition_penalty > 0) {
		cJSON_AddNumberToObject(root, "repetition_penalty", req->repetition_penalty);
		cJSON_AddNumberToObject(root, "repeat_penalty", req->repetition_penalty);
	}
	if (req->n_stop)
		cJSON_AddItemToObject(root, "stop", llm_json_strings(req->stop, req->n_stop));
	llm_stream_set_body(s, llm_json_finish(root));
	llm_stream_add_header(s, "Content-Type: application/json");
	llm_stream_add_header(s, "Accept: text/event-stream");
	if (key) {
		struct strbuf bearer = STRBUF_INIT;
		sb_printf(&bearer, "Bearer %s", key);
		llm_stream_add_secret_header(s, "Authorization", bearer.buf);
		explicit_bzero(bearer.buf, bearer.len);
		sb_free(&bearer);
	}
	return 0;
}

/* The message of an error object or, failing that, the raw text. */
static int fail_with_server_error(struct llm_stream *s, const char *text, size_t len)
{
	struct strbuf m = STRBUF_INIT;
	cJSON *root = cJSON_ParseWithLength(text, len);
	if (!root || llm_errmsg_from_json(root, &m) != 0)
		sb_append(&m, text, len);
	cJSON_Delete(root);
	llm_stream_fail(s, "server error mid-stream: %s", sb_str(&m));
	sb_free(&m);
	return 1;
}

static int decode_choices(struct llm_stream *s, struct openai_state *st, const cJSON *choices)
{
	const cJSON *ch;
	cJSON_ArrayForEach(ch, choices) {
		long index = llm_json_long(ch, "index");
		if (index > 0)
			continue;
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ch, "delta");
		const char *text = llm_json_str(delta, "content");
		if (text && llm_stream_emit(s, text, strlen(text)))
			return 1;
		const char *reason = llm_json_str(ch, "finish_reason");
		if (reason) {
			llm_stream_set_finish(s, reason);
			st->finished = 1;
		}
	}
	return 0;
}

static void decode_usage(struct llm_stream *s, struct openai_state *st, const cJSON *root)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
	if (cJSON_IsObject(usage)) {
		llm_stream_set_usage(s, llm_json_long(usage, "prompt_tokens"),
				     llm_json_long(usage, "completion_tokens"));
		st->usage_seen = 1;
		return;
	}
	/* llama.cpp server: "timings": {"prompt_n", "predicted_n", ...} */
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "timings");
	if (cJSON_IsObject(t) && !st->usage_seen)
		llm_stream_set_usage(s, llm_json_long(t, "prompt_n"), llm_json_long(t, "predicted_n"));
}

static int openai_event(struct llm_stream *s, const struct llm_sse_event *ev)
{
	struct openai_state *st = llm_stream_state(s);
	if (st->done)
		return 0;
	if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
		st->done = 1;
		llm_stream_complete(s);
		return 0;
	}
	cJSON *root = cJSON_ParseWithLength(ev->data, ev->data_len);
	if (!root)
		return llm_stream_fail(s, "malformed JSON in the event stream: %.80s", ev->data);
	int rc = 0;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (e && !cJSON_IsNull(e)) {
		rc = fail_with_server_error(s, ev->data, ev->data_len);
		goto cleanup;
	}
	rc = decode_choices(s, st, cJSON_GetObjectItemCaseSensitive(root, "choices"));
	if (!rc)
		decode_usage(s, st, root);
cleanup:
	cJSON_Delete(root);
	return rc;
}

/* llama.cpp server reports failures as a non-standard "error:" line. */
static int openai_field(struct llm_stream *s, const char *name, const char *value, size_t len)
{
	if (strcmp(name, "error") != 0)
		return 0;
	return fail_with_server_error(s, value, len);
}

static void openai_finish(struct llm_stream *s)
{
	struct openai_state *st = llm_stream_state(s);
	if (st->done || st->finished)
		llm_stream_complete(s);
	else
		llm_stream_fail(s, "the stream from %s ended before data: [DONE]", llm_stream_url(s));
}

const struct llm_provider_ops llm_openai_ops = {
	.name = "openai",
	.key_env = "OPENAI_API_KEY",
	.base_env = "OPENAI_BASE_URL",
	.default_base = "https://api.openai.com/v1",
	.path = "/chat/completions",
	.state_size = sizeof(struct openai_state),
	.start = openai_start,
	.on_event = openai_event,
	.on_field = openai_field,
	.finish = openai_finish,
};
