#include "core/embed/embed_http.h"
#include "core/util/error.h"
#include "core/embed/embed.h"
#include "core/embed/embed_batch.h"
#include "core/llm/embeddings.h"
#include "core/llm/errmsg.h"
#include "core/llm/provider.h"
#include "core/llm/retry.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A reply body larger than this is refused (1,536 floats of 2,048 inputs
 * take about 40 MiB as JSON). */
#define REPLY_MAX ((size_t)64 << 20)
#define ERROR_MAX 400
/* Halvings of an input the model says is too long before giving up. */
#define TRUNCATE_STEPS 8

struct http_impl {
	struct embed_http_opts o;    /* model and provider strings point below */
	char *model, *name, *base_url, *key_env;
	char *url;
	struct strbuf auth;          /* "Authorization: Bearer ..." or empty; wiped on free */
	const char *key;             /* redacted from messages */
	struct llm_http *http;       /* kept between calls: connections are reused */
	struct breaker_set *breaker;
	struct breaker_opts breaker_opts;
	uint64_t rng;
};

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct call;

/* One request: inputs [start, start + count). */
struct job {
	struct call *call;
	size_t start, count;
	size_t cut;                  /* count 1: bytes of the input sent; 0: all */
	int steps;                   /* halvings of that input so far */
	int attempt;
	uint64_t due_us;
	enum job_state state;
	struct strbuf body;
	struct llm_http_xfer *xfer;
};

struct call {
	struct http_impl *h;
	const char *const *texts;
	const size_t *lens;
	size_t n;
	float *out;                  /* NULL: learning the dimension */
	int dim;
	struct embed_report *rep;
	struct job **jobs;
	size_t n_jobs, cap_jobs;
	size_t running;
	bool failed;
	bool server_failed;          /* the failure was the server's, not one input's */
	struct strbuf err;
};

static struct job *add_job(struct call *c, size_t start, size_t count)
{
	if (c->n_jobs == c->cap_jobs) {
		c->cap_jobs = c->cap_jobs ? c->cap_jobs * 2 : 16;
		c->jobs = xreallocarray(c->jobs, c->cap_jobs, sizeof *c->jobs);
	}
	struct job *j = xcalloc(1, sizeof *j);
	*j = (struct job){ .call = c, .start = start, .count = count, .body = STRBUF_INIT };
	c->jobs[c->n_jobs++] = j;
	return j;
}

/* Fail the call with a message (made one line, key removed); input is the
 * input to blame or -1. */
static void fail_call(struct call *c, long input, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_call(struct call *c, long input, const char *fmt, ...)
{
	if (c->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	sb_reset(&c->err);
	sb_vprintf(&c->err, fmt, ap);
	va_end(ap);
	llm_errmsg_clean(&c->err, c->h->key, ERROR_MAX);
	c->failed = true;
	c->server_failed = input < 0;
	c->rep->failed_input = input;
}

static size_t input_len(const struct call *c, const struct job *j, size_t i)
{
	return j->cut && i == j->start ? j->cut : c->lens[i];
}

static long estimate_tokens(const struct call *c, const struct job *j)
{
	long t = 0;
	for (size_t i = j->start; i < j->start + j->count; i++)
		t += (long)((input_len(c, j, i) + 3) / 4);
	return t;
}

static int on_body(void *ud, const struct llm_http_head *head, const char *buf, size_t len)
{
	struct job *j = ud;
	(void)head;
	if (j->body.len + len > REPLY_MAX)
		return 1;
	sb_append(&j->body, buf, len);
	return 0;
}

static void requeue(struct job *j, uint64_t due_us)
{
	sb_reset(&j->body);
	j->state = JOB_QUEUED;
	j->due_us = due_us;
}

/* Halve j into two requests, to find the input the server refuses. */
static void split(struct call *c, struct job *j)
{
	size_t half = j->count / 2;
	add_job(c, j->start + half, j->count - half);
	j->count = half;
	j->attempt = 0;
	requeue(j, 0);
}

static void take_reply(struct call *c, struct job *j)
{
	char msg[256];
	long tokens;
	int dim = c->dim;
	float *rows = c->out ? c->out + j->start * (size_t)c->dim : NULL;
	if (llm_embed_parse(j->body.buf ? j->body.buf : "", j->body.len, j->count, &dim, rows, &tokens, msg,
	                    sizeof msg) != 0) {
		fail_call(c, -1, "%s (model %s): %s", c->h->url, c->h->model, msg);
		return;
	}
	c->dim = dim;
	if (tokens < 0) {
		tokens = estimate_tokens(c, j);
		c->rep->tokens_estimated = true;
	}
	c->rep->tokens += tokens;
	if (j->cut) {
		c->rep->n_truncated++;
		if (c->rep->truncated)
			c->rep->truncated[j->start] = 1;
	}
	j->state = JOB_DONE;
}

/* The server says input j->start is too long: send a shorter first part
 * (cut at a UTF-8 boundary), or fail naming it. */
static void shorten(struct call *c, struct job *j, const char *why)
{
	size_t len = j->cut ? j->cut : c->lens[j->start];
	size_t cut = len / 2;
	const char *t = c->texts[j->start];
	while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
		cut--;
	if (!c->h->o.truncate_too_long || j->steps >= TRUNCATE_STEPS || cut == 0) {
		fail_call(c, (long)j->start, "longer than model %s takes: %s", c->h->model, why);
		return;
	}
	j->cut = cut;
	j->steps++;
	j->attempt = 0;
	requeue(j, 0);
}

static void on_end(void *ud, int rc, const struct llm_http_head *head, const char *msg)
{
	struct job *j = ud;
	struct call *c = j->call;
	struct embed_report *rep = c->rep;
	j->xfer = NULL;
	c->running--;
	rep->requests++;
	if (c->failed) {
		j->state = JOB_DONE;
		return;
	}
	long status = rc == LLM_HTTP_OK ? head->status : 0;
	if (status >= 200 && status <= 299) {
		take_reply(c, j);
		return;
	}
	struct strbuf why = STRBUF_INIT;
	if (status)
		llm_errmsg_http(status, head->content_type, j->body.buf ? j->body.buf : "", j->body.len, c->h->url,
		                &why);
	else
		sb_puts(&why, rc == LLM_HTTP_EABORTED ? "the reply is larger than 64 MiB" : msg);
	if (status && llm_embed_too_long(status, j->body.buf, j->body.len)) {
		if (j->count > 1)
			split(c, j);
		else
			shorten(c, j, sb_str(&why));
	} else if ((status == 400 || status == 422) && j->count > 1) {
		split(c, j);
	} else if (status == 400 || status == 422) {
		fail_call(c, (long)j->start, "model %s refused it: %s", c->h->model, sb_str(&why));
	} else if ((status ? llm_retry_status(status) : llm_retry_transport(rc)) &&
	           j->attempt < c->h->o.http.max_retries) {
		long delay = llm_retry_delay_ms(&c->h->o.http, j->attempt, status ? head->retry_after_ms : -1,
		                                &c->h->rng);
		j->attempt++;
		rep->retries++;
		requeue(j, clock_now_us() + (uint64_t)delay * 1000);
	} else {
		fail_call(c, -1, "embedding with %s: %s", c->h->model, sb_str(&why));
	}
	sb_free(&why);
	if (c->failed)
		j->state = JOB_DONE;
}

static void start_job(struct call *c, struct job *j)
{
	struct http_impl *h = c->h;
	const char *texts[j->count];
	size_t lens[j->count];
	for (size_t i = 0; i < j->count; i++) {
		texts[i] = c->texts[j->start + i];
		lens[i] = input_len(c, j, j->start + i);
	}
	int dimensions = h->o.ask_dimensions && h->o.dim > 0 ? h->o.dim : 0;
	char *body = llm_embed_body(h->model, texts, lens, j->count, dimensions);
	const char *headers[3] = { "Content-Type: application/json", "Accept: application/json", NULL };
	size_t n_headers = 2;
	if (h->auth.len)
		headers[n_headers++] = h->auth.buf;
	struct llm_http_spec spec = {
		.url = h->url, .headers = headers, .n_headers = n_headers,
		.body = body, .body_len = strlen(body), .opts = &h->o.http,
	};
	struct llm_http_handlers hd = { .on_body = on_body, .on_end = on_end, .ud = j };
	char err[ERR_LEN];
	sb_reset(&j->body);
	if (llm_http_start(h->http, &spec, &hd, &j->xfer, err, sizeof err) != 0)
		fail_call(c, -1, "%s", err);
	else {
		j->state = JOB_RUNNING;
		c->running++;
	}
	free(body);
}

/* Start what is due, up to the concurrency; the wait until the next queued
 * request is due (-1: none queued). Returns whether anything is left. */
static bool start_due(struct call *c, long *wait_ms)
{
	uint64_t now = clock_now_us(), next = UINT64_MAX;
	bool left = false;
	for (size_t i = 0; i < c->n_jobs && !c->failed; i++) {
		struct job *j = c->jobs[i];
		if (j->state == JOB_RUNNING)
			left = true;
		if (j->state != JOB_QUEUED)
			continue;
		left = true;
		if (j->due_us <= now && c->running < (size_t)c->h->o.concurrency)
			start_job(c, j);
		else if (j->due_us > now && j->due_us < next)
			next = j->due_us;
		else if (j->due_us <= now)
			next = now;
	}
	*wait_ms = next == UINT64_MAX ? -1 : (long)((next - now + 999) / 1000);
	return left;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Run every job to its end or the first failure. */
static void run_jobs(struct call *c)
{
	char err[ERR_LEN];
	long wait;
	while (!c->failed && start_due(c, &wait)) {
		if (c->running == 0) {
			if (wait > 0)
				sleep_ms(wait);
			continue;
		}
		if (llm_http_poll(c->h->http, NULL, 0, wait, err, sizeof err) < 0) {
			fail_call(c, -1, "%s", err);
			break;
		}
		llm_http_perform(c->h->http);
	}
	for (size_t i = 0; i < c->n_jobs; i++) {
		if (c->jobs[i]->xfer)
			llm_http_cancel(c->jobs[i]->xfer);
		sb_free(&c->jobs[i]->body);
		free(c->jobs[i]);
	}
	free(c->jobs);
}

static int embed_call(struct http_impl *h, const char *const *texts, const size_t *lens, size_t n, float *out,
                      int *dim, struct embed_report *rep, char *err, size_t errlen)
{
	struct call c = { .h = h, .texts = texts, .lens = lens, .n = n, .out = out, .dim = *dim, .rep = rep,
	                  .err = STRBUF_INIT };
	uint64_t now_ms = clock_now_us() / 1000;
	char state[96];
	if (h->breaker && !breaker_allow(h->breaker, h->name, now_ms)) {
		breaker_describe(h->breaker, h->name, now_ms, state, sizeof state);
		snprintf(err, errlen, "embedding server %s is %s after failing", h->name, state);
		return -1;
	}
	struct embed_batch *plan = xcalloc(n, sizeof *plan);
	size_t nb = embed_batch_plan(texts, lens, n, h->o.batch_inputs, h->o.batch_tokens, plan);
	for (size_t i = 0; i < nb; i++)
		add_job(&c, plan[i].start, plan[i].count);
	free(plan);
	run_jobs(&c);
	if (h->breaker)
		breaker_record(h->breaker, h->name, c.failed && c.server_failed ? BREAKER_FAILURE : BREAKER_SUCCESS,
		               clock_now_us() / 1000);
	*dim = c.dim;
	if (c.failed)
		snprintf(err, errlen, "%s", sb_str(&c.err));
	sb_free(&c.err);
	return c.failed ? -1 : 0;
}

static int http_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                      struct embed_report *rep, char *err, size_t errlen)
{
	struct http_impl *h = e->impl;
	if (e->dim <= 0) {
		snprintf(err, errlen, "the dimension of model %s is not known yet", h->model);
		return -1;
	}
	int dim = e->dim;
	return embed_call(h, texts, lens, n, out, &dim, rep, err, errlen);
}

int embed_http_learn_dim(struct embedder *e, char *err, size_t errlen)
{
	if (e->dim > 0)
		return 0;
	struct http_impl *h = e->impl;
	static const char probe[] = "ragdeck dimension probe";
	const char *texts[] = { probe };
	size_t lens[] = { sizeof probe - 1 };
	struct embed_report rep = { .failed_input = -1 };
	int dim = 0;
	if (embed_call(h, texts, lens, 1, NULL, &dim, &rep, err, errlen) != 0)
		return -1;
	if (dim < 1 || dim > 65536) {
		snprintf(err, errlen, "model %s at %s returned vectors of %d floats", h->model, h->url, dim);
		return -1;
	}
	e->dim = dim;
	return 0;
}

static void http_destroy(struct embedder *e)
{
	struct http_impl *h = e->impl;
	llm_http_free(&h->http);
	breaker_set_free(&h->breaker);
	if (h->auth.buf)
		explicit_bzero(h->auth.buf, h->auth.len);
	sb_free(&h->auth);
	free(h->model);
	free(h->name);
	free(h->base_url);
	free(h->key_env);
	free(h->url);
	free(h);
	free(e->model);
	free(e);
}

static const struct embedder_ops http_ops = {
	.kind = "http",
	.embed = http_embed,
	.destroy = http_destroy,
};

struct embedder *embed_http_new(const struct embed_http_opts *o, char *err, size_t errlen)
{
	if (o->provider.kind != LLM_KIND_OPENAI) {
		snprintf(err, errlen, "provider %s is of kind %s, which has no /embeddings endpoint: route model %s to a "
		         "provider of kind openai", o->provider.name ? o->provider.name : "?",
		         llm_kind_name(o->provider.kind), o->model);
		return NULL;
	}
	struct http_impl *h = xcalloc(1, sizeof *h);
	h->o = *o;
	h->model = xstrdup(o->model);
	h->name = xstrdup(o->provider.name ? o->provider.name : "openai");
	h->base_url = o->provider.base_url ? xstrdup(o->provider.base_url) : NULL;
	h->key_env = o->provider.api_key_env ? xstrdup(o->provider.api_key_env) : NULL;
	h->o.model = h->model;
	h->o.provider.name = h->name;
	h->o.provider.base_url = h->base_url;
	h->o.provider.api_key_env = h->key_env;
	h->o.breaker = NULL;
	h->o.batch_inputs = o->batch_inputs > 0 ? o->batch_inputs : 1;
	h->o.batch_tokens = o->batch_tokens > 0 ? o->batch_tokens : 1;
	h->o.concurrency = o->concurrency > 0 ? o->concurrency : 1;
	h->auth = (struct strbuf)STRBUF_INIT;
	h->rng = clock_now_ns() | 1;
	struct embedder *e = xcalloc(1, sizeof *e);
	*e = (struct embedder){ .ops = &http_ops, .dim = o->dim > 0 ? o->dim : 0, .model = xstrdup(o->model),
	                        .impl = h };
	/* Two rounds of full requests in flight per call. */
	e->group_inputs = (size_t)h->o.batch_inputs * (size_t)h->o.concurrency * 2;
	if (llm_resolve_endpoint(&llm_openai_ops, &h->o.provider, "/embeddings", &h->url, &h->key, err, errlen) != 0) {
		http_destroy(e);
		return NULL;
	}
	if (h->key)
		sb_printf(&h->auth, "Authorization: Bearer %s", h->key);
	if (o->breaker) {
		h->breaker_opts = *o->breaker;
		h->breaker = breaker_set_new(&h->breaker_opts);
	}
	h->http = llm_http_new();
	return e;
}
