/* openai: Chat Completions streaming and /embeddings, for OpenAI and the
 * servers that copy its API (Ollama /v1, llama.cpp server, vLLM). */
#include "core/llm/errmsg.h"
#include "core/llm/json.h"
#include "core/llm/provider.h"
#include "core/llm/retry.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMBED_ERROR_MAX 400

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

/* ---- /embeddings ---- */

static void normalise(float *v, int dim)
{
	double sum = 0;
	for (int i = 0; i < dim; i++)
		sum += (double)v[i] * v[i];
	if (sum <= 0)
		return;
	float inv = (float)(1.0 / sqrt(sum));
	for (int i = 0; i < dim; i++)
		v[i] *= inv;
}

static int parse_embeddings(const char *body, size_t len, const char *model, size_t n, int dim,
			    float *out, char *err, size_t errlen)
{
	int rc = -1;
	size_t got = 0;
	char *seen = xcalloc(n ? n : 1, 1);
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsArray(data)) {
		snprintf(err, errlen, "embeddings reply has no \"data\" array");
		goto cleanup;
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, data) {
		long index = llm_json_long(item, "index");
		const cJSON *vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
		if (index < 0 || (size_t)index >= n || seen[index] || !cJSON_IsArray(vec)) {
			snprintf(err, errlen, "embeddings reply has a bad or repeated index %ld "
				 "(%zu inputs)", index, n);
			goto cleanup;
		}
		int got_dim = cJSON_GetArraySize(vec);
		if (got_dim != dim) {
			snprintf(err, errlen, "model %s returned %d-dimensional vectors, expected %d: "
				 "set the embedder's dim to %d", model, got_dim, dim, got_dim);
			goto cleanup;
		}
		float *v = out + (size_t)index * (size_t)dim;
		const cJSON *x;
		int i = 0;
		cJSON_ArrayForEach(x, vec)
			v[i++] = cJSON_IsNumber(x) ? (float)x->valuedouble : 0.0f;
		normalise(v, dim);
		seen[index] = 1;
		got++;
	}
	if (got != n) {
		snprintf(err, errlen, "embeddings reply has %zu vectors for %zu inputs", got, n);
		goto cleanup;
	}
	rc = 0;
cleanup:
	cJSON_Delete(root);
	free(seen);
	return rc;
}

static char *embed_body(const char *model, const char *const *texts, const size_t *lens, size_t n)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", model);
	cJSON *input = cJSON_AddArrayToObject(root, "input");
	for (size_t i = 0; i < n; i++) {
		char *t = xstrndup(texts[i], lens[i]);
		cJSON_AddItemToArray(input, cJSON_CreateString(t));
		free(t);
	}
	cJSON_AddStringToObject(root, "encoding_format", "float");
	return llm_json_finish(root);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* One attempt. Returns 0, 1 when worth retrying (why in m), -1 otherwise. */
static int embed_once(const struct llm_http_spec *spec, const char *model, size_t n, int dim,
		      float *out, long *retry_after_ms, struct strbuf *m)
{
	struct llm_http_reply reply = { 0 };
	char msg[1024];
	int rc = llm_http_request(spec, &reply, msg, sizeof(msg));
	*retry_after_ms = reply.retry_after_ms;
	if (rc != LLM_HTTP_OK) {
		sb_puts(m, msg);
		rc = llm_retry_transport(rc) ? 1 : -1;
	} else if (reply.status < 200 || reply.status > 299) {
		llm_errmsg_http(reply.status, reply.content_type, reply.body.buf, reply.body.len,
				spec->url, m);
		rc = llm_retry_status(reply.status) ? 1 : -1;
	} else if (parse_embeddings(sb_str(&reply.body), reply.body.len, model, n, dim, out,
				    msg, sizeof(msg)) != 0) {
		sb_printf(m, "%s: %s", spec->url, msg);
		rc = -1;
	}
	sb_free(&reply.body);
	return rc;
}

int llm_openai_embed(const struct llm_provider_cfg *cfg, const struct llm_http_opts *opts,
		     const char *model, const char *const *texts, const size_t *lens, size_t n,
		     int dim, float *out, char *err, size_t errlen)
{
	struct llm_http_opts o;
	char *url = NULL;
	char *body = NULL;
	const char *key = NULL;
	struct strbuf auth = STRBUF_INIT;
	struct strbuf m = STRBUF_INIT;
	uint64_t rng = clock_now_ns() | 1;
	int rc = -1;
	if (opts)
		o = *opts;
	else
		llm_http_opts_init(&o);
	if (dim <= 0) {
		snprintf(err, errlen, "embedding dimension must be positive, got %d", dim);
		goto cleanup;
	}
	if (llm_resolve_endpoint(&llm_openai_ops, cfg, "/embeddings", &url, &key, err, errlen) != 0)
		goto cleanup;
	if (n == 0) {
		rc = 0;
		goto cleanup;
	}
	body = embed_body(model, texts, lens, n);
	const char *headers[3] = { "Content-Type: application/json", "Accept: application/json", NULL };
	size_t n_headers = 2;
	if (key) {
		sb_printf(&auth, "Authorization: Bearer %s", key);
		headers[n_headers++] = auth.buf;
	}
	struct llm_http_spec spec = {
		.url = url, .headers = headers, .n_headers = n_headers,
		.body = body, .body_len = strlen(body), .opts = &o,
	};
	for (int attempt = 0;; attempt++) {
		long retry_after_ms = -1;
		sb_reset(&m);
		rc = embed_once(&spec, model, n, dim, out, &retry_after_ms, &m);
		if (rc <= 0 || attempt >= o.max_retries)
			break;
		sleep_ms(llm_retry_delay_ms(&o, attempt, retry_after_ms, &rng));
	}
	if (rc != 0) {
		llm_errmsg_clean(&m, key, EMBED_ERROR_MAX);
		snprintf(err, errlen, "%s", sb_str(&m));
		rc = -1;
	}
cleanup:
	if (auth.buf)
		explicit_bzero(auth.buf, auth.len);
	sb_free(&auth);
	sb_free(&m);
	free(body);
	free(url);
	return rc;
}
