#include "core/llm/llm.h"
#include "core/util/error.h"
#include "core/llm/errmsg.h"
#include "core/llm/provider.h"
#include "core/llm/retry.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERROR_MAX 400          /* bytes of one error line */
#define ERRBODY_MAX 65536      /* bytes kept of a non-stream reply */
#define TEXT_MAX (4u << 20)    /* bytes of one answer: past it the stream fails */

static const struct llm_provider_ops *const providers[] = {
	[LLM_KIND_OPENAI] = &llm_openai_ops,
	[LLM_KIND_ANTHROPIC] = &llm_anthropic_ops,
	[LLM_KIND_LOCAL] = &llm_local_ops,
};

static const char *const outcome_names[] = {
	[LLM_OUTCOME_OK] = "ok",
	[LLM_OUTCOME_INTERRUPTED] = "interrupted",
	[LLM_OUTCOME_FAILED] = "failed",
	[LLM_OUTCOME_CANCELLED] = "cancelled",
};

struct llm_client {
	struct llm_http *http;
	struct llm_stream *streams;
	uint64_t rng;
	int in_perform;   /* cancels wait for the end of the pass */
};

enum stream_state {
	ST_HTTP,          /* an attempt is running */
	ST_WAIT_RETRY,    /* backing off before the next attempt */
	ST_QUEUED,        /* handing out a precomputed answer */
	ST_DONE,
};

enum body_mode {
	BODY_UNKNOWN,
	BODY_EVENTS,      /* 2xx event stream: to the provider */
	BODY_ERROR,       /* anything else: kept for the error message */
};

struct llm_stream {
	struct llm_client *client;
	struct llm_stream *prev, *next;
	const struct llm_provider_ops *ops;
	void *pstate;          /* ops->state_size bytes, zeroed per attempt */
	struct llm_sse *sse;
	struct llm_callbacks cbs;
	struct llm_http_opts opts;
	char *provider;
	char *model;
	char *url;
	char *key_env;
	char **headers;
	size_t n_headers;
	char *body;
	struct llm_http_xfer *xfer;
	enum stream_state state;
	int attempts;
	uint64_t t_start, t_first, t_end, retry_at;
	size_t input_bytes;
	enum body_mode body_mode;
	struct strbuf errbody;
	long status;
	struct strbuf text;
	struct strbuf finish;
	struct strbuf error;
	long in_tok, out_tok;
	int usage_set;        /* 0 none, 1 reported, 2 estimated by the provider */
	int accepted;         /* an attempt got a 2xx event stream: the provider took the
	                       * request and may bill its input */
	int complete;
	int cancelled;
	struct strbuf queue;
	size_t *piece_end;
	size_t n_pieces, pieces_cap, next_piece;
	struct llm_result result;
};

const char *llm_outcome_name(enum llm_outcome o)
{
	return (unsigned)o < sizeof(outcome_names) / sizeof(outcome_names[0]) ? outcome_names[o] : "?";
}

static const struct llm_provider_ops *ops_for(enum llm_kind k)
{
	return (unsigned)k < sizeof(providers) / sizeof(providers[0]) ? providers[k] : NULL;
}

const char *llm_kind_name(enum llm_kind k)
{
	const struct llm_provider_ops *ops = ops_for(k);
	return ops ? ops->name : "?";
}

int llm_kind_parse(const char *name, enum llm_kind *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		if (strcmp(name, providers[i]->name) == 0) {
			*out = (enum llm_kind)i;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown provider kind \"%s\": use openai, anthropic or local", name);
	return -1;
}

struct llm_client *llm_client_new(void)
{
	struct llm_client *c = xcalloc(1, sizeof(*c));
	c->http = llm_http_new();
	c->rng = clock_now_ns() | 1;
	return c;
}

/* ---- provider-facing calls ---- */

void *llm_stream_state(struct llm_stream *s)
{
	return s->pstate;
}

const char *llm_stream_url(const struct llm_stream *s)
{
	return s->url ? s->url : "";
}

void llm_stream_add_header(struct llm_stream *s, const char *line)
{
	s->headers = xreallocarray(s->headers, s->n_headers + 1, sizeof(*s->headers));
	s->headers[s->n_headers++] = xstrdup(line);
}

void llm_stream_add_secret_header(struct llm_stream *s, const char *name, const char *secret)
{
	struct strbuf h = STRBUF_INIT;
	sb_printf(&h, "%s: %s", name, secret);
	llm_stream_add_header(s, h.buf);
	explicit_bzero(h.buf, h.len);
	sb_free(&h);
}

void llm_stream_set_body(struct llm_stream *s, char *json)
{
	free(s->body);
	s->body = json;
}

int llm_stream_emit(struct llm_stream *s, const char *text, size_t len)
{
	if (s->cancelled || s->state == ST_DONE)
		return 1;
	if (len == 0)
		return 0;
	if (!s->t_first)
		s->t_first = clock_now_us();
	if (s->text.len + len > TEXT_MAX)
		return llm_stream_fail(s, "the answer passed %u MiB; the rest was dropped", TEXT_MAX >> 20);
	sb_append(&s->text, text, len);
	if (s->cbs.on_text)
		s->cbs.on_text(s->cbs.ud, text, len);
	return s->cancelled;
}

void llm_stream_queue(struct llm_stream *s, const char *piece, size_t len)
{
	if (s->n_pieces == s->pieces_cap) {
		s->pieces_cap = s->pieces_cap ? s->pieces_cap * 2 : 64;
		s->piece_end = xreallocarray(s->piece_end, s->pieces_cap, sizeof(*s->piece_end));
	}
	sb_append(&s->queue, piece, len);
	s->piece_end[s->n_pieces++] = s->queue.len;
}

void llm_stream_set_usage(struct llm_stream *s, long input_tokens, long output_tokens)
{
	if (input_tokens >= 0)
		s->in_tok = input_tokens;
	if (output_tokens >= 0)
		s->out_tok = output_tokens;
	s->usage_set = 1;
}

void llm_stream_set_usage_estimate(struct llm_stream *s, long input_tokens, long output_tokens)
{
	s->in_tok = input_tokens;
	s->out_tok = output_tokens;
	s->usage_set = 2;
}

void llm_stream_set_finish(struct llm_stream *s, const char *reason)
{
	sb_reset(&s->finish);
	sb_puts(&s->finish, reason);
}

void llm_stream_complete(struct llm_stream *s)
{
	s->complete = 1;
}

static void set_error_v(struct llm_stream *s, const char *fmt, va_list ap)
{
	if (s->error.len)
		return;
	sb_vprintf(&s->error, fmt, ap);
	llm_errmsg_clean(&s->error, s->key_env ? getenv(s->key_env) : NULL, ERROR_MAX);
	if (!s->error.len)
		sb_puts(&s->error, "stream failed");
}

int llm_stream_fail(struct llm_stream *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error_v(s, fmt, ap);
	va_end(ap);
	return 1;
}

int llm_resolve_endpoint(const struct llm_provider_ops *ops, const struct llm_provider_cfg *cfg,
			 const char *path, char **url, const char **key, char *err, size_t errlen)
{
	const char *key_env = cfg->api_key_env ? cfg->api_key_env : ops->key_env;
	*url = NULL;
	*key = NULL;
	if (key_env && key_env[0]) {
		const char *k = getenv(key_env);
		if (!k || !k[0]) {
			snprintf(err, errlen, "%s is not set: export it or choose another provider",
				 key_env);
			return -1;
		}
		*key = k;
	}
	const char *base = cfg->base_url && cfg->base_url[0] ? cfg->base_url : NULL;
	const char *env = ops->base_env ? getenv(ops->base_env) : NULL;
	if (!base)
		base = env && env[0] ? env : ops->default_base;
	if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0) {
		snprintf(err, errlen, "base URL \"%s\" of provider %s must start with http:// or https://",
			 base, cfg->name ? cfg->name : ops->name);
		return -1;
	}
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, base, n);
	sb_puts(&sb, path);
	*url = sb_detach(&sb, NULL);
	return 0;
}

/* ---- the stream engine ---- */

static long estimate_tokens(size_t bytes)
{
	return (long)((bytes + 3) / 4);
}

static size_t request_bytes(const struct llm_request *req)
{
	size_t n = req->system ? strlen(req->system) : 0;
	for (size_t i = 0; i < req->n_messages; i++)
		n += req->messages[i].content ? strlen(req->messages[i].content) : 0;
	if (req->question)
		n += strlen(req->question);
	for (size_t i = 0; i < req->n_blocks; i++)
		n += req->blocks[i].text ? strlen(req->blocks[i].text) : 0;
	return n;
}

static void fill_result(struct llm_stream *s)
{
	struct llm_result *r = &s->result;
	if (s->cancelled)
		r->outcome = LLM_OUTCOME_CANCELLED;
	else if (s->error.len)
		r->outcome = s->text.len ? LLM_OUTCOME_INTERRUPTED : LLM_OUTCOME_FAILED;
	else
		r->outcome = LLM_OUTCOME_OK;
	if (s->cancelled && !s->error.len)
		sb_puts(&s->error, "cancelled");
	r->text = sb_str(&s->text);
	r->text_len = s->text.len;
	r->finish_reason = sb_str(&s->finish);
	if (s->usage_set) {
		r->usage.input_tokens = s->in_tok;
		r->usage.output_tokens = s->out_tok;
		r->usage.estimated = s->usage_set == 2;
	} else {
		/* No provider bills a request it refused or never received. */
		r->usage.input_tokens = s->accepted ? estimate_tokens(s->input_bytes) : 0;
		r->usage.output_tokens = estimate_tokens(s->text.len);
		r->usage.estimated = 1;
	}
	r->ttft_us = s->t_first ? s->t_first - s->t_start : 0;
	r->total_us = s->t_end - s->t_start;
	uint64_t gen_us = s->t_first ? s->t_end - s->t_first : 0;
	r->tokens_per_sec = gen_us && r->usage.output_tokens > 0
			    ? (double)r->usage.output_tokens * 1e6 / (double)gen_us : 0.0;
	r->error = sb_str(&s->error);
	r->http_status = s->status;
	r->retries = s->attempts > 0 ? s->attempts - 1 : 0;
	r->provider = s->provider;
	r->model = s->model;
}

/* The stream is over: release the attempt, fill the result, tell the caller. */
static void finalize(struct llm_stream *s)
{
	if (s->xfer) {
		llm_http_cancel(s->xfer);
		s->xfer = NULL;
	}
	s->state = ST_DONE;
	s->t_end = clock_now_us();
	fill_result(s);
	if (s->cbs.on_done)
		s->cbs.on_done(s->cbs.ud, &s->result);
}

static void reset_attempt(struct llm_stream *s)
{
	if (s->ops->state_size)
		memset(s->pstate, 0, s->ops->state_size);
	if (s->sse)
		llm_sse_reset(s->sse);
	s->body_mode = BODY_UNKNOWN;
	sb_reset(&s->errbody);
	sb_reset(&s->finish);
	s->in_tok = s->out_tok = 0;
	s->usage_set = 0;
	s->complete = 0;
}

static int can_retry(const struct llm_stream *s)
{
	return !s->cancelled && s->text.len == 0 && s->attempts - 1 < s->opts.max_retries;
}

static void retry_later(struct llm_stream *s, long retry_after_ms)
{
	long ms = llm_retry_delay_ms(&s->opts, s->attempts - 1, retry_after_ms, &s->client->rng);
	reset_attempt(s);
	s->retry_at = clock_now_us() + (uint64_t)ms * 1000;
	s->state = ST_WAIT_RETRY;
}

static int is_event_stream(const struct llm_http_head *head)
{
	if (head->status < 200 || head->status > 299)
		return 0;
	const char *ct = head->content_type;
	return ct[0] == '\0' || strncasecmp(ct, "text/event-stream", 17) == 0;
}

static int on_body(void *ud, const struct llm_http_head *head, const char *buf, size_t len)
{
	struct llm_stream *s = ud;
	if (s->cancelled || s->state == ST_DONE)
		return 1;
	if (s->body_mode == BODY_UNKNOWN)
		s->body_mode = is_event_stream(head) ? BODY_EVENTS : BODY_ERROR;
	s->accepted |= s->body_mode == BODY_EVENTS;
	if (s->body_mode == BODY_ERROR) {
		size_t room = ERRBODY_MAX - s->errbody.len;
		sb_append(&s->errbody, buf, len < room ? len : room);
		return 0;
	}
	char err[ERR_LEN];
	int rc = llm_sse_feed(s->sse, buf, len, err, sizeof(err));
	if (rc == LLM_SSE_ELINE)
		llm_stream_fail(s, "%s", err);
	return rc != LLM_SSE_OK || s->error.len != 0;
}

static int sse_event(void *ud, const struct llm_sse_event *ev)
{
	struct llm_stream *s = ud;
	return s->ops->on_event(s, ev) || s->error.len != 0;
}

static int sse_field(void *ud, const char *name, const char *value, size_t len)
{
	struct llm_stream *s = ud;
	if (!s->ops->on_field)
		return 0;
	return s->ops->on_field(s, name, value, len) || s->error.len != 0;
}

/* The event-stream reply ended cleanly. */
static void end_events(struct llm_stream *s)
{
	char err[ERR_LEN];
	if (llm_sse_end(s->sse, err, sizeof(err)) == LLM_SSE_ELINE)
		llm_stream_fail(s, "%s", err);
	if (!s->error.len)
		s->ops->finish(s);
}

static void on_end(void *ud, int rc, const struct llm_http_head *head, const char *msg)
{
	struct llm_stream *s = ud;
	s->xfer = NULL;
	if (s->state == ST_DONE)
		return;
	s->status = head->status;
	if (s->body_mode == BODY_UNKNOWN)
		s->body_mode = is_event_stream(head) ? BODY_EVENTS : BODY_ERROR;
	s->accepted |= s->body_mode == BODY_EVENTS;
	if (s->error.len || s->cancelled) {
		finalize(s);
	} else if (rc != LLM_HTTP_OK && s->complete) {
		/* the end marker came; a broken close after it loses nothing */
		finalize(s);
	} else if (rc != LLM_HTTP_OK) {
		if (llm_retry_transport(rc) && can_retry(s)) {
			retry_later(s, -1);
			return;
		}
		llm_stream_fail(s, "%s", msg[0] ? msg : "the transfer stopped");
		finalize(s);
	} else if (s->body_mode == BODY_ERROR) {
		if (llm_retry_status(head->status) && can_retry(s)) {
			retry_later(s, head->retry_after_ms);
			return;
		}
		struct strbuf m = STRBUF_INIT;
		llm_errmsg_http(head->status, head->content_type, s->errbody.buf, s->errbody.len,
				s->url, &m);
		llm_stream_fail(s, "%s", sb_str(&m));
		sb_free(&m);
		finalize(s);
	} else {
		end_events(s);
		finalize(s);
	}
}

/* Start the next HTTP attempt. Returns 0, or -1 with the stream's error set. */
static int begin_attempt(struct llm_stream *s)
{
	char err[ERR_LEN];
	struct llm_http_spec spec = {
		.url = s->url,
		.headers = (const char *const *)s->headers,
		.n_headers = s->n_headers,
		.body = s->body,
		.body_len = s->body ? strlen(s->body) : 0,
		.opts = &s->opts,
	};
	struct llm_http_handlers hd = { .on_body = on_body, .on_end = on_end, .ud = s };
	s->attempts++;
	s->state = ST_HTTP;
	reset_attempt(s);
	if (llm_http_start(s->client->http, &spec, &hd, &s->xfer, err, sizeof(err)) != 0) {
		llm_stream_fail(s, "%s", err);
		return -1;
	}
	return 0;
}

/* Hand out the next queued piece; finalize after the last. */
static void deliver_piece(struct llm_stream *s)
{
	if (s->next_piece < s->n_pieces) {
		size_t from = s->next_piece ? s->piece_end[s->next_piece - 1] : 0;
		size_t to = s->piece_end[s->next_piece++];
		llm_stream_emit(s, s->queue.buf + from, to - from);
	}
	if (s->next_piece >= s->n_pieces && s->state != ST_DONE && !s->cancelled)
		finalize(s);
}

static void step(struct llm_stream *s, uint64_t now)
{
	if (s->state == ST_DONE)
		return;
	if (s->cancelled) {
		finalize(s);
	} else if (s->state == ST_WAIT_RETRY && now >= s->retry_at) {
		if (begin_attempt(s) != 0)
			finalize(s);
	} else if (s->state == ST_QUEUED) {
		deliver_piece(s);
	}
}

int llm_client_perform(struct llm_client *c)
{
	c->in_perform = 1;
	llm_http_perform(c->http);
	uint64_t now = clock_now_us();
	struct llm_stream *next;
	for (struct llm_stream *s = c->streams; s; s = next) {
		next = s->next;
		step(s, now);
	}
	c->in_perform = 0;
	int active = 0;
	for (struct llm_stream *s = c->streams; s; s = s->next) {
		if (s->state != ST_DONE && s->cancelled)
			finalize(s);
	}
	for (struct llm_stream *s = c->streams; s; s = s->next)
		active += s->state != ST_DONE;
	return active;
}

long llm_client_timeout_ms(struct llm_client *c)
{
	long t = llm_http_timeout_ms(c->http);
	uint64_t now = clock_now_us();
	for (struct llm_stream *s = c->streams; s; s = s->next) {
		long ms = -1;
		if (s->state == ST_DONE)
			continue;
		if (s->cancelled || s->state == ST_QUEUED)
			ms = 0;
		else if (s->state == ST_WAIT_RETRY)
			ms = s->retry_at <= now ? 0 : (long)((s->retry_at - now + 999) / 1000);
		if (ms >= 0 && (t < 0 || ms < t))
			t = ms;
	}
	return t;
}

int llm_client_poll(struct llm_client *c, struct pollfd *extra, size_t n_extra,
		    long timeout_ms, char *err, size_t errlen)
{
	long t = llm_client_timeout_ms(c);
	if (timeout_ms < 0 || (t >= 0 && t < timeout_ms))
		timeout_ms = t;
	return llm_http_poll(c->http, extra, n_extra, timeout_ms, err, errlen);
}

int llm_client_run(struct llm_client *c, char *err, size_t errlen)
{
	while (llm_client_perform(c) > 0) {
		if (llm_client_poll(c, NULL, 0, -1, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void unlink_stream(struct llm_stream *s)
{
	struct llm_client *c = s->client;
	if (!c)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		c->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->client = NULL;
}

static void destroy(struct llm_stream *s)
{
	if (s->xfer)
		llm_http_cancel(s->xfer);
	unlink_stream(s);
	for (size_t i = 0; i < s->n_headers; i++) {
		explicit_bzero(s->headers[i], strlen(s->headers[i]));
		free(s->headers[i]);
	}
	free(s->headers);
	free(s->body);
	free(s->provider);
	free(s->model);
	free(s->url);
	free(s->key_env);
	sb_free(&s->errbody);
	sb_free(&s->text);
	sb_free(&s->finish);
	sb_free(&s->error);
	sb_free(&s->queue);
	free(s->piece_end);
	llm_sse_free(&s->sse);
	free(s->pstate);
	free(s);
}

void llm_client_free(struct llm_client **cp)
{
	struct llm_client *c = *cp;
	if (!c)
		return;
	while (c->streams) {
		struct llm_stream *s = c->streams;
		if (s->xfer) {
			llm_http_cancel(s->xfer);
			s->xfer = NULL;
		}
		if (s->state != ST_DONE) {
			s->cancelled = 1;
			s->state = ST_DONE;
			s->t_end = clock_now_us();
			fill_result(s);
		}
		unlink_stream(s);
	}
	llm_http_free(&c->http);
	free(c);
	*cp = NULL;
}

int llm_stream_start(struct llm_client *c, const struct llm_provider_cfg *cfg,
		     const struct llm_http_opts *opts, const struct llm_request *req,
		     const struct llm_callbacks *cbs, struct llm_stream **out,
		     char *err, size_t errlen)
{
	const struct llm_provider_ops *ops = ops_for(cfg->kind);
	const char *key = NULL;
	*out = NULL;
	if (!ops) {
		snprintf(err, errlen, "unknown provider kind %d: use openai, anthropic or local",
			 (int)cfg->kind);
		return -1;
	}
	const char *name = cfg->name ? cfg->name : ops->name;
	if (ops->path && (!req->model || !req->model[0])) {
		snprintf(err, errlen, "no model given for provider %s: name one in the config", name);
		return -1;
	}
	struct llm_stream *s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	if (cbs)
		s->cbs = *cbs;
	if (opts)
		s->opts = *opts;
	else
		llm_http_opts_init(&s->opts);
	s->provider = xstrdup(name);
	s->model = xstrdup(req->model ? req->model : "extractive");
	s->input_bytes = request_bytes(req);
	s->pstate = xcalloc(1, ops->state_size ? ops->state_size : 1);
	if (ops->path) {
		struct llm_sse_callbacks sc = {
			.on_event = sse_event, .on_other_field = sse_field, .ud = s,
		};
		s->sse = llm_sse_new(&sc, s->opts.max_line_bytes);
		if (llm_resolve_endpoint(ops, cfg, ops->path, &s->url, &key, err, errlen) != 0)
			goto fail;
		const char *key_env = cfg->api_key_env ? cfg->api_key_env : ops->key_env;
		if (key)
			s->key_env = xstrdup(key_env);
	}
	if (ops->start(s, req, key, err, errlen) != 0)
		goto fail;
	s->client = c;
	s->next = c->streams;
	if (c->streams)
		c->streams->prev = s;
	c->streams = s;
	s->t_start = clock_now_us();
	if (!ops->path) {
		s->state = ST_QUEUED;
	} else if (begin_attempt(s) != 0) {
		snprintf(err, errlen, "%s", sb_str(&s->error));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	destroy(s);
	return -1;
}

void llm_stream_cancel(struct llm_stream *s)
{
	if (!s || s->state == ST_DONE || s->cancelled)
		return;
	s->cancelled = 1;
	if (s->xfer) {
		llm_http_cancel(s->xfer);
		s->xfer = NULL;
	}
	if (!s->client || !s->client->in_perform)
		finalize(s);
}

int llm_stream_done(const struct llm_stream *s)
{
	return s->state == ST_DONE;
}

const struct llm_result *llm_stream_result(const struct llm_stream *s)
{
	return s->state == ST_DONE ? &s->result : NULL;
}

void llm_stream_free(struct llm_stream **sp)
{
	if (!*sp)
		return;
	destroy(*sp);
	*sp = NULL;
}
