/* anthropic: Messages API streaming. */
#include "core/llm/errmsg.h"
#include "core/llm/json.h"
#include "core/llm/provider.h"
#include "core/util/strbuf.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_TOKENS 1024

struct anthropic_state {
	int stopped;   /* message_stop arrived */
};

static int anthropic_start(struct llm_stream *s, const struct llm_request *req, const char *key,
			   char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", req->model);
	cJSON_AddNumberToObject(root, "max_tokens", req->max_tokens > 0 ? req->max_tokens
							  : DEFAULT_MAX_TOKENS);
	if (req->system && req->system[0])
		cJSON_AddStringToObject(root, "system", req->system);
	cJSON_AddItemToObject(root, "messages", llm_json_messages(req, 0));
	cJSON_AddBoolToObject(root, "stream", 1);
	if (req->temperature >= 0)
		cJSON_AddNumberToObject(root, "temperature", req->temperature);
	if (req->n_stop)
		cJSON_AddItemToObject(root, "stop_sequences", llm_json_strings(req->stop, req->n_stop));
	llm_stream_set_body(s, llm_json_finish(root));
	llm_stream_add_header(s, "Content-Type: application/json");
	llm_stream_add_header(s, "Accept: text/event-stream");
	llm_stream_add_header(s, "anthropic-version: 2023-06-01");
	if (key)
		llm_stream_add_secret_header(s, "x-api-key", key);
	return 0;
}

static void take_usage(struct llm_stream *s, const cJSON *usage)
{
	if (cJSON_IsObject(usage))
		llm_stream_set_usage(s, llm_json_long(usage, "input_tokens"),
				     llm_json_long(usage, "output_tokens"));
}

static int on_error(struct llm_stream *s, const cJSON *root)
{
	struct strbuf m = STRBUF_INIT;
	if (llm_errmsg_from_json(root, &m) != 0)
		sb_puts(&m, "unknown error");
	llm_stream_fail(s, "server error mid-stream: %s", sb_str(&m));
	sb_free(&m);
	return 1;
}

static int on_delta(struct llm_stream *s, const cJSON *root)
{
	const cJSON *delta = cJSON_GetObjectItemCaseSensitive(root, "delta");
	const char *type = llm_json_str(delta, "type");
	const char *text = llm_json_str(delta, "text");
	if (!type || strcmp(type, "text_delta") != 0 || !text)
		return 0;
	return llm_stream_emit(s, text, strlen(text));
}

/* message_delta: stop_reason, and usage that is cumulative: overwrite. */
static void on_message_delta(struct llm_stream *s, const cJSON *root)
{
	const cJSON *delta = cJSON_GetObjectItemCaseSensitive(root, "delta");
	const char *reason = llm_json_str(delta, "stop_reason");
	if (reason)
		llm_stream_set_finish(s, reason);
	take_usage(s, cJSON_GetObjectItemCaseSensitive(root, "usage"));
}

static int anthropic_event(struct llm_stream *s, const struct llm_sse_event *ev)
{
	struct anthropic_state *st = llm_stream_state(s);
	if (st->stopped || strcmp(ev->type, "ping") == 0)
		return 0;
	cJSON *root = cJSON_ParseWithLength(ev->data, ev->data_len);
	if (!root)
		return llm_stream_fail(s, "malformed JSON in the event stream: %.80s", ev->data);
	/* the data's "type" names the event; the event: line is a copy */
	const char *type = llm_json_str(root, "type");
	if (!type)
		type = ev->type;
	int rc = 0;
	if (strcmp(type, "error") == 0) {
		rc = on_error(s, root);
	} else if (strcmp(type, "message_start") == 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
		take_usage(s, cJSON_GetObjectItemCaseSensitive(msg, "usage"));
	} else if (strcmp(type, "content_block_delta") == 0) {
		rc = on_delta(s, root);
	} else if (strcmp(type, "message_delta") == 0) {
		on_message_delta(s, root);
	} else if (strcmp(type, "message_stop") == 0) {
		st->stopped = 1;
		llm_stream_complete(s);
	}
	cJSON_Delete(root);
	return rc;
}

static void anthropic_finish(struct llm_stream *s)
{
	struct anthropic_state *st = llm_stream_state(s);
	if (!st->stopped)
		llm_stream_fail(s, "the stream from %s ended before message_stop", llm_stream_url(s));
}

const struct llm_provider_ops llm_anthropic_ops = {
	.name = "anthropic",
	.key_env = "ANTHROPIC_API_KEY",
	.base_env = "ANTHROPIC_BASE_URL",
	.default_base = "https://api.anthropic.com",
	.path = "/v1/messages",
	.state_size = sizeof(struct anthropic_state),
	.start = anthropic_start,
	.on_event = anthropic_event,
	.on_field = NULL,
	.finish = anthropic_finish,
};
