#include "tests/integration/fixture_embed.h"
#include "tests/integration/fixture_http.h"
#include "core/embed/embed.h"
#include "core/llm/json.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_DIM 64
#define DIM_MIN 32   /* the hash embedder's range */
#define DIM_MAX 4096
#define MAX_HEAD (64u << 10)
#define MAX_BODY (256u << 20)

enum fault { FAULT_NONE, FAULT_WRONG_DIM, FAULT_RATE_LIMIT, FAULT_ERROR_500, FAULT_CUT,
	     FAULT_DIE_AFTER, FAULT_GARBAGE };

static const char *const fault_names[] = {
	[FAULT_NONE] = "", [FAULT_WRONG_DIM] = "wrong-dim", [FAULT_RATE_LIMIT] = "rate-limit",
	[FAULT_ERROR_500] = "error-500", [FAULT_CUT] = "cut", [FAULT_DIE_AFTER] = "die-after",
	[FAULT_GARBAGE] = "garbage",
};

/* One connection: its socket and thread, and what it keeps between requests. */
struct conn {
	struct fixture_embed *s;
	int fd;                 /* -1 once the thread is closing it; under s->lock */
	bool finished;          /* the thread has ended and can be joined; under s->lock */
	pthread_t thread;
	struct embedder *emb;   /* its own: an embedder is not thread-safe */
	struct strbuf in;       /* bytes received and not yet taken by a request */
	struct conn *next;
};

/* What a reply to the "input too long" case looks like on one kind of server. */
struct too_long_style {
	const char *name;
	int status;
	/* The body for an input of tokens tokens where max_tokens fit. */
	void (*body)(struct strbuf *sb, size_t max_tokens, size_t tokens);
};

struct fixture_embed {
	struct fixture_embed_opts opts;
	enum fault fault;
	const struct too_long_style *too_long;
	int listen_fd;
	int stop_pipe[2];       /* readable once stopping: wakes every poll */
	pthread_t acceptor;
	char url[64];
	pthread_mutex_t lock;   /* guards everything below */
	bool stopping;
	struct conn *conns;
	size_t received;        /* embeddings requests read: the ordinal for every-3rd faults */
	size_t answered;        /* embeddings replies sent or being sent: for die-after */
	size_t in_flight;
	uint64_t busy_since_ns; /* when in_flight last went from 0 to 1 */
	uint64_t busy_ns;       /* closed busy intervals */
	struct fixture_embed_stats stats;
};

/* A parsed request head and its body. */
struct request {
	char method[16];
	char path[512];
	bool close;             /* the client asked for the connection to end */
	bool expect_continue;
	bool chunked;
	size_t content_length;
	char *body;             /* NUL-terminated */
};

struct reply {
	int status;
	const char *headers;    /* extra lines, each ending in "\r\n"; NULL: none */
	struct strbuf body;
	bool cut;               /* the "cut" fault: half the body, then close */
	bool close;             /* end the connection after this reply */
	bool abandon;           /* the server is stopping: send nothing */
};

static void die(const char *what)
{
	fprintf(stderr, "fixture_embed: %s: %s\n", what, strerror(errno));
	abort();
}

/* ---- "input too long" bodies ---- */

static void too_long_openai(struct strbuf *sb, size_t max_tokens, size_t tokens)
{
	sb_printf(sb, "{\"error\":{\"message\":\"This model's maximum context length is %zu tokens, "
		  "however you requested %zu tokens (%zu in your prompt; 0 for the completion). "
		  "Please reduce your prompt; or completion length.\",\"type\":\"invalid_request_error\","
		  "\"param\":null,\"code\":\"context_length_exceeded\"}}", max_tokens, tokens, tokens);
}

static void too_long_ollama(struct strbuf *sb, size_t max_tokens, size_t tokens)
{
	(void)max_tokens;
	(void)tokens;
	sb_puts(sb, "{\"error\":\"the input length exceeds the context length\"}");
}

static void too_long_llamacpp(struct strbuf *sb, size_t max_tokens, size_t tokens)
{
	(void)max_tokens;
	(void)tokens;
	sb_puts(sb, "{\"error\":{\"code\":500,\"message\":\"input is too large to process. increase "
		    "the physical batch size\",\"type\":\"server_error\"}}");
}

static void too_long_tei(struct strbuf *sb, size_t max_tokens, size_t tokens)
{
	sb_printf(sb, "{\"error\":\"Input validation error: `inputs` must have less than %zu tokens. "
		  "Given: %zu\",\"error_type\":\"Validation\"}", max_tokens, tokens);
}

static const struct too_long_style too_long_styles[] = {
	{ .name = "openai", .status = 400, .body = too_long_openai },
	{ .name = "ollama", .status = 400, .body = too_long_ollama },
	{ .name = "llamacpp", .status = 500, .body = too_long_llamacpp },
	{ .name = "tei", .status = 413, .body = too_long_tei },
};
#define N_TOO_LONG_STYLES (sizeof too_long_styles / sizeof too_long_styles[0])

static int fault_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (strcmp(fault_names[i], name ? name : "") == 0)
			return (int)i;
	return -1;
}

static const struct too_long_style *too_long_by_name(const char *name)
{
	for (size_t i = 0; i < N_TOO_LONG_STYLES; i++)
		if (strcmp(too_long_styles[i].name, name ? name : "openai") == 0)
			return &too_long_styles[i];
	return NULL;
}

int fixture_embed_check(const struct fixture_embed_opts *o, char *err, size_t errlen)
{
	static const struct fixture_embed_opts defaults = { 0 };
	if (!o)
		o = &defaults;
	if (o->dim != 0 && (o->dim < DIM_MIN || o->dim > DIM_MAX)) {
		snprintf(err, errlen, "dim %d is outside %d..%d", o->dim, DIM_MIN, DIM_MAX);
		return -1;
	}
	if (fault_by_name(o->fault) < 0) {
		snprintf(err, errlen, "unknown fault \"%s\": use wrong-dim, rate-limit, error-500, cut, "
			 "die-after or garbage", o->fault);
		return -1;
	}
	if (!too_long_by_name(o->too_long_style)) {
		snprintf(err, errlen, "unknown too-long style \"%s\": use openai, ollama, llamacpp or tei",
			 o->too_long_style);
		return -1;
	}
	if (o->max_inputs < 0 || o->die_after < 0) {
		snprintf(err, errlen, "max_inputs and die_after must not be negative");
		return -1;
	}
	if (fault_by_name(o->fault) == FAULT_DIE_AFTER && o->die_after < 1) {
		snprintf(err, errlen, "the die-after fault needs die_after of at least 1");
		return -1;
	}
	return 0;
}

/* ---- stopping and the counters ---- */

/* Caller holds s->lock. Every poll on the stop pipe wakes from now on. */
static void signal_stop(struct fixture_embed *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	if (write(s->stop_pipe[1], "x", 1) != 1)
		die("write");
}

/* An embeddings request was read: returns its ordinal (1-based). */
static size_t request_begin(struct fixture_embed *s)
{
	pthread_mutex_lock(&s->lock);
	size_t ordinal = ++s->received;
	if (s->in_flight++ == 0)
		s->busy_since_ns = clock_now_ns();
	if (s->in_flight > s->stats.max_in_flight)
		s->stats.max_in_flight = s->in_flight;
	pthread_mutex_unlock(&s->lock);
	return ordinal;
}

static void request_end(struct fixture_embed *s)
{
	pthread_mutex_lock(&s->lock);
	if (--s->in_flight == 0)
		s->busy_ns += clock_now_ns() - s->busy_since_ns;
	pthread_mutex_unlock(&s->lock);
}

/* The reply to an embeddings request holding n_inputs inputs is about to be
 * sent: count it, or mark it abandoned when the server is stopping. The
 * die-after fault stops the server here, before the last reply goes out, so
 * a client that has it sees every later connection refused. */
static void request_commit(struct fixture_embed *s, size_t n_inputs, struct reply *r)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		r->abandon = true;
		goto unlock;
	}
	s->stats.requests++;
	s->stats.inputs += n_inputs;
	if (n_inputs > s->stats.largest_batch)
		s->stats.largest_batch = n_inputs;
	if (s->fault == FAULT_DIE_AFTER && ++s->answered == (size_t)s->opts.die_after) {
		signal_stop(s);
		/* the socket stays open until fixture_embed_stop, so its number
		 * cannot be reused under the acceptor; new connections are refused */
		shutdown(s->listen_fd, SHUT_RDWR);
		r->close = true;
	}
unlock:
	pthread_mutex_unlock(&s->lock);
}

void fixture_embed_stats(struct fixture_embed *s, struct fixture_embed_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	uint64_t busy = s->busy_ns + (s->in_flight ? clock_now_ns() - s->busy_since_ns : 0);
	out->busy_ms = busy / 1000000;
	pthread_mutex_unlock(&s->lock);
}

/* ---- socket input and output ---- */

/* Wait until fd is readable (fd < 0: for ms milliseconds; ms < 0: forever).
 * Returns 0, or -1 when the server stops first. */
static int wait_for(struct fixture_embed *s, int fd, int ms)
{
	uint64_t end = clock_now_us() + (uint64_t)(ms > 0 ? ms : 0) * 1000;
	for (;;) {
		int left = -1;
		if (ms >= 0) {
			uint64_t now = clock_now_us();
			left = now >= end ? 0 : (int)((end - now + 999) / 1000);
		}
		struct pollfd p[2] = { { .fd = s->stop_pipe[0], .events = POLLIN },
				       { .fd = fd, .events = POLLIN } };
		int rc = poll(p, fd >= 0 ? 2 : 1, left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || p[0].revents)
			return -1;
		if (rc > 0 || left == 0)
			return 0;
	}
}

/* Receive more bytes into c->in. Returns 0, or -1 when the peer closed or
 * the server stops. */
static int receive_more(struct conn *c)
{
	char buf[16384];
	for (;;) {
		if (wait_for(c->s, c->fd, -1) != 0)
			return -1;
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		sb_append(&c->in, buf, (size_t)n);
		return 0;
	}
}

/* ---- HTTP requests ---- */

static bool header_is(const char *line, size_t len, const char *name, const char **value)
{
	size_t n = strlen(name);
	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return false;
	*value = line + n + 1;
	while (**value == ' ' || **value == '\t')
		(*value)++;
	return true;
}

/* Fill r from the head (request line and header lines, CRLF-separated).
 * Returns 0, or -1 when it is not a request this server understands. */
static int parse_head(const char *head, struct request *r)
{
	char version[16];
	if (sscanf(head, "%15s %511s %15s", r->method, r->path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0)
		return -1;
	/* HTTP/1.0 clients get one reply per connection */
	r->close = strcmp(version, "HTTP/1.0") == 0;
	for (const char *l = strstr(head, "\r\n"); l && l[2]; ) {
		l += 2;
		const char *eol = strstr(l, "\r\n");
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		const char *v;
		if (header_is(l, len, "Content-Length", &v)) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(v, &end, 10);
			if (end == v || *v == '-' || errno != 0 || n > SIZE_MAX)
				return -1;
			r->content_length = (size_t)n;
		} else if (header_is(l, len, "Connection", &v)) {
			r->close = r->close || strncasecmp(v, "close", 5) == 0;
		} else if (header_is(l, len, "Expect", &v)) {
			r->expect_continue = strncasecmp(v, "100-continue", 12) == 0;
		} else if (header_is(l, len, "Transfer-Encoding", &v)) {
			r->chunked = true;
		}
		l = eol;
	}
	return 0;
}

/* Take the next request from c->in, receiving as needed. Returns 1 for a
 * request, 0 for one to refuse with 400 (malformed head) or 413 (too large;
 * status in *status), -1 when the peer closed or the server stops. */
static int read_request(struct conn *c, struct request *r, int *status)
{
	const char *end;
	while (!(end = c->in.len ? strstr(c->in.buf, "\r\n\r\n") : NULL)) {
		if (c->in.len > MAX_HEAD) {
			*status = 413;
			return 0;
		}
		if (receive_more(c) != 0)
			return -1;
	}
	size_t head_len = (size_t)(end - c->in.buf) + 4;
	char *head = xstrndup(c->in.buf, head_len - 2);
	int rc = parse_head(head, r);
	free(head);
	*status = rc != 0 ? 400 : r->content_length > MAX_BODY ? 413 : 0;
	if (*status)
		return 0;
	if (r->expect_continue && c->in.len < head_len + r->content_length &&
	    fixture_send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0)
		return -1;
	while (c->in.len < head_len + r->content_length)
		if (receive_more(c) != 0)
			return -1;
	r->body = xstrndup(c->in.buf + head_len, r->content_length);
	size_t used = head_len + r->content_length;
	memmove(c->in.buf, c->in.buf + used, c->in.len - used);
	sb_truncate(&c->in, c->in.len - used);
	return 1;
}

/* ---- replies ---- */

static void json_string(struct strbuf *sb, const char *s)
{
	cJSON *item = cJSON_CreateStringReference(s);
	char *quoted = cJSON_PrintUnformatted(item);
	sb_puts(sb, quoted);
	free(quoted);
	cJSON_Delete(item);
}

/* OpenAI's error shape; code NULL prints as null. */
static void openai_error(struct reply *r, int status, const char *type, const char *code,
			 const char *message)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddNullToObject(e, "param");
	if (code)
		cJSON_AddStringToObject(e, "code", code);
	else
		cJSON_AddNullToObject(e, "code");
	char *json = llm_json_finish(root);
	r->status = status;
	sb_reset(&r->body);
	sb_puts(&r->body, json);
	free(json);
}

static void invalid_request(struct reply *r, const char *message)
{
	openai_error(r, 400, "invalid_request_error", NULL, message);
}

/* Send r. Returns 0, or -1 when the connection is lost or was cut on purpose. */
static int send_reply(int fd, const struct reply *r)
{
	struct strbuf h = STRBUF_INIT;
	sb_printf(&h, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s%s\r\n",
		  r->status, fixture_http_reason(r->status), r->body.len, r->headers ? r->headers : "",
		  r->close ? "Connection: close\r\n" : "");
	size_t body_len = r->cut ? r->body.len / 2 : r->body.len;
	int rc = -1;
	if (fixture_send_all(fd, h.buf, h.len) == 0 && fixture_send_all(fd, sb_str(&r->body), body_len) == 0)
		rc = r->cut ? -1 : 0;
	sb_free(&h);
	return rc;
}

/* ---- /v1/embeddings ---- */

/* The texts of a request's "input": a string or a non-empty array of
 * strings. Returns their number, 0 when input is anything else. */
static size_t collect_inputs(const cJSON *input, const char ***texts, size_t **lens)
{
	size_t n = cJSON_IsString(input) ? 1 : cJSON_IsArray(input) ? (size_t)cJSON_GetArraySize(input) : 0;
	if (n == 0)
		return 0;
	*texts = xcalloc(n, sizeof(**texts));
	*lens = xcalloc(n, sizeof(**lens));
	if (cJSON_IsString(input)) {
		(*texts)[0] = input->valuestring;
	} else {
		size_t i = 0;
		const cJSON *item;
		cJSON_ArrayForEach(item, input) {
			if (!cJSON_IsString(item))
				return 0;
			(*texts)[i++] = item->valuestring;
		}
	}
	for (size_t i = 0; i < n; i++)
		(*lens)[i] = strlen((*texts)[i]);
	return n;
}

static size_t tokens_of(size_t bytes)
{
	return (bytes + 3) / 4;
}

/* The order the data items go out in: a cyclic permutation (Sattolo's
 * algorithm, seeded by n), so with two inputs or more no item keeps its
 * place and the same batch always comes back in the same order. */
static size_t *shuffled_order(size_t n)
{
	size_t *order = xcalloc(n, sizeof(*order));
	uint64_t x = 0x9e3779b97f4a7c15ull ^ n;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t j = (size_t)(x % (i - 1));
		size_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	return order;
}

/* The 200 body for n inputs embedded into vectors (n * dim floats). */
static void embeddings_body(struct strbuf *sb, const struct fixture_embed *s, const char *model,
			    const float *vectors, size_t n, int dim, size_t tokens)
{
	size_t *order = shuffled_order(n);
	sb_puts(sb, "{\"object\":\"list\",\"data\":[");
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		sb_printf(sb, "%s{\"object\":\"embedding\",\"index\":%zu,\"embedding\":[", k ? "," : "", i);
		const float *v = vectors + i * (size_t)dim;
		for (int d = 0; d < dim; d++)
			sb_printf(sb, "%s%.9g", d ? "," : "", (double)v[d]);
		if (s->fault == FAULT_WRONG_DIM)
			sb_puts(sb, ",0");
		sb_puts(sb, "]}");
	}
	sb_puts(sb, "],\"model\":");
	json_string(sb, model);
	sb_printf(sb, ",\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":%zu}}", tokens, tokens);
	free(order);
}

/* Embed the inputs with the connection's embedder for dim, made anew when
 * the dimension changes. Returns the vectors (caller frees). */
static float *embed_inputs(struct conn *c, int dim, const char *const *texts, const size_t *lens,
			   size_t n)
{
	if (c->emb && c->emb->dim != dim)
		embed_free(&c->emb);
	if (!c->emb)
		c->emb = embed_hash_new(dim);
	float *out = xcalloc(n * (size_t)dim, sizeof(*out));
	char err[256];
	if (embed_texts(c->emb, texts, lens, n, out, err, sizeof err) != 0) {
		fprintf(stderr, "fixture_embed: %s\n", err);
		abort();
	}
	return out;
}

/* The reply to a valid request body root with n inputs, the limits checked. */
static void embeddings_reply(struct conn *c, const cJSON *root, const char *const *texts,
			     const size_t *lens, size_t n, struct reply *r)
{
	const struct fixture_embed *s = c->s;
	const cJSON *dims = cJSON_GetObjectItemCaseSensitive(root, "dimensions");
	int dim = s->opts.dim;
	if (dims) {
		double d = cJSON_IsNumber(dims) ? dims->valuedouble : 0;
		if (d < DIM_MIN || d > DIM_MAX || d != (int)d) {
			invalid_request(r, "'dimensions' must be an integer from 32 to 4096 on this server");
			return;
		}
		dim = (int)d;
	}
	if (s->opts.max_inputs && n > (size_t)s->opts.max_inputs) {
		char m[128];
		snprintf(m, sizeof m, "too many inputs: %zu in one request, at most %d", n,
			 s->opts.max_inputs);
		invalid_request(r, m);
		return;
	}
	size_t tokens = 0;
	for (size_t i = 0; i < n; i++) {
		if (s->opts.max_input_bytes && lens[i] > s->opts.max_input_bytes) {
			r->status = s->too_long->status;
			s->too_long->body(&r->body, s->opts.max_input_bytes / 4, tokens_of(lens[i]));
			return;
		}
		tokens += tokens_of(lens[i]);
	}
	r->status = 200;
	if (s->fault == FAULT_GARBAGE) {
		sb_puts(&r->body, "upstream connect error or disconnect/reset before headers. "
				  "reset reason: connection termination");
		return;
	}
	float *vectors = embed_inputs(c, dim, texts, lens, n);
	embeddings_body(&r->body, s, llm_json_str(root, "model"), vectors, n, dim, tokens);
	r->cut = s->fault == FAULT_CUT;
	free(vectors);
}

/* The reply to the ordinal-th embeddings request with body; *n_inputs gets
 * the number of inputs it held (0 when it was refused before parsing). */
static void embeddings_request(struct conn *c, const char *body, size_t ordinal, struct reply *r,
			       size_t *n_inputs)
{
	const char **texts = NULL;
	size_t *lens = NULL;
	cJSON *root = NULL;
	enum fault fault = c->s->fault;
	if (fault == FAULT_RATE_LIMIT && ordinal % 3 == 0) {
		openai_error(r, 429, "requests", "rate_limit_exceeded",
			     "Rate limit reached for requests per min (RPM): Limit 2, Used 2, "
			     "Requested 1. Please try again in 1s.");
		r->headers = "Retry-After: 1\r\n";
		goto cleanup;
	}
	if (fault == FAULT_ERROR_500 && ordinal % 3 == 0) {
		openai_error(r, 500, "server_error", NULL,
			     "The server had an error while processing your request. Sorry about that!");
		goto cleanup;
	}
	root = cJSON_Parse(body);
	if (!cJSON_IsObject(root)) {
		invalid_request(r, "We could not parse the JSON body of your request. The OpenAI API "
				   "expects a JSON payload, but what was sent was not valid JSON.");
		goto cleanup;
	}
	const char *format = llm_json_str(root, "encoding_format");
	if (!llm_json_str(root, "model")) {
		invalid_request(r, "you must provide a model parameter");
	} else if (cJSON_GetObjectItemCaseSensitive(root, "encoding_format") &&
		   (!format || strcmp(format, "float") != 0)) {
		invalid_request(r, "this server only answers encoding_format \"float\"");
	} else if ((*n_inputs = collect_inputs(cJSON_GetObjectItemCaseSensitive(root, "input"),
					       &texts, &lens)) == 0) {
		invalid_request(r, "'input' is required: a string or a non-empty array of strings");
	} else {
		embeddings_reply(c, root, texts, lens, *n_inputs, r);
	}
cleanup:
	free(texts);
	free(lens);
	cJSON_Delete(root);
}

/* ---- routing ---- */

static void stats_reply(struct fixture_embed *s, struct reply *r)
{
	struct fixture_embed_stats st;
	fixture_embed_stats(s, &st);
	r->status = 200;
	sb_printf(&r->body, "{\"requests\":%zu,\"inputs\":%zu,\"max_in_flight\":%zu,\"busy_ms\":%llu,"
		  "\"largest_batch\":%zu}", st.requests, st.inputs, st.max_in_flight,
		  (unsigned long long)st.busy_ms, st.largest_batch);
}

/* The reply to an embeddings request, ready to send once the simulated
 * model time has passed since it began; counted in the stats. The caller
 * sends it, then calls request_end. */
static void serve_embeddings(struct conn *c, const char *body, struct reply *r)
{
	struct fixture_embed *s = c->s;
	uint64_t started_us = clock_now_us();
	size_t n_inputs = 0;
	size_t ordinal = request_begin(s);
	embeddings_request(c, body, ordinal, r, &n_inputs);
	uint64_t spent_ms = (clock_now_us() - started_us) / 1000;
	if (spent_ms < s->opts.latency_ms &&
	    wait_for(s, -1, (int)(s->opts.latency_ms - spent_ms)) != 0)
		r->abandon = true;
	else
		request_commit(s, n_inputs, r);
}

/* Answer one request. Returns 0 to keep the connection, -1 to close it. */
static int answer(struct conn *c, struct request *req)
{
	struct reply r = { .close = req->close };
	bool embeddings = false;
	char *query = strchr(req->path, '?');
	if (query)
		*query = '\0';
	if (req->chunked) {
		openai_error(&r, 411, "invalid_request_error", NULL,
			     "send the body with Content-Length, not chunked");
		r.close = true;
	} else if (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/v1/embeddings") == 0) {
		embeddings = true;
		serve_embeddings(c, req->body, &r);
	} else if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/stats") == 0) {
		stats_reply(c->s, &r);
	} else {
		char m[600];
		snprintf(m, sizeof m, "Invalid URL (%s %s)", req->method, req->path);
		openai_error(&r, 404, "invalid_request_error", NULL, m);
	}
	int rc = r.abandon ? -1 : send_reply(c->fd, &r);
	if (embeddings)
		request_end(c->s);
	sb_free(&r.body);
	return rc == 0 && !r.close ? 0 : -1;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	for (;;) {
		struct request req = { 0 };
		int status = 0;
		int got = read_request(c, &req, &status);
		if (got == 0) {
			struct reply r = { .close = true };
			openai_error(&r, status, "invalid_request_error", NULL,
				     status == 413 ? "the request is too large for this server"
						   : "the request head is not HTTP/1.x");
			send_reply(c->fd, &r);
			sb_free(&r.body);
		}
		int keep = got == 1 ? answer(c, &req) : -1;
		free(req.body);
		if (keep != 0)
			break;
	}
	pthread_mutex_lock(&c->s->lock);
	int fd = c->fd;
	c->fd = -1;
	c->finished = true;
	pthread_mutex_unlock(&c->s->lock);
	close(fd);
	return NULL;
}

/* ---- connections ---- */

static void conn_join_free(struct conn *c)
{
	pthread_join(c->thread, NULL);
	embed_free(&c->emb);
	sb_free(&c->in);
	free(c);
}

/* Join and free the connections whose threads have ended. */
static void reap_finished(struct fixture_embed *s)
{
	pthread_mutex_lock(&s->lock);
	struct conn *done = NULL;
	for (struct conn **p = &s->conns; *p; ) {
		struct conn *c = *p;
		if (c->finished) {
			*p = c->next;
			c->next = done;
			done = c;
		} else {
			p = &c->next;
		}
	}
	pthread_mutex_unlock(&s->lock);
	while (done) {
		struct conn *next = done->next;
		conn_join_free(done);
		done = next;
	}
}

static void start_conn(struct fixture_embed *s, int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct conn *c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = fd;
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		close(fd);
		free(c);
		return;
	}
	if (pthread_create(&c->thread, NULL, conn_main, c) != 0)
		die("pthread_create");
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
}

static void *accept_main(void *arg)
{
	struct fixture_embed *s = arg;
	while (wait_for(s, s->listen_fd, -1) == 0) {
		int fd = accept(s->listen_fd, NULL, NULL);
		reap_finished(s);
		if (fd >= 0)
			start_conn(s, fd);
	}
	return NULL;
}

struct fixture_embed *fixture_embed_start(const struct fixture_embed_opts *o)
{
	static const struct fixture_embed_opts defaults = { 0 };
	char err[256];
	if (fixture_embed_check(o, err, sizeof err) != 0) {
		fprintf(stderr, "fixture_embed: %s\n", err);
		abort();
	}
	struct fixture_embed *s = xcalloc(1, sizeof(*s));
	s->opts = o ? *o : defaults;
	if (!s->opts.dim)
		s->opts.dim = DEFAULT_DIM;
	s->fault = (enum fault)fault_by_name(s->opts.fault);
	s->too_long = too_long_by_name(s->opts.too_long_style);
	pthread_mutex_init(&s->lock, NULL);
	if (pipe(s->stop_pipe) != 0)
		die("pipe");
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->listen_fd < 0)
		die("socket");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	if (listen(s->listen_fd, SOMAXCONN) != 0)
		die("listen");
	/* a connection reset between poll and accept must not block the acceptor */
	if (fcntl(s->listen_fd, F_SETFL, O_NONBLOCK) != 0)
		die("fcntl");
	if (getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0)
		die("getsockname");
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u/v1", (unsigned)ntohs(a.sin_port));
	if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0)
		die("pthread_create");
	return s;
}

const char *fixture_embed_url(const struct fixture_embed *s)
{
	return s->url;
}

void fixture_embed_stop(struct fixture_embed **sp)
{
	struct fixture_embed *s = sp ? *sp : NULL;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	signal_stop(s);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->acceptor, NULL);
	/* a thread blocked sending to a client that does not read wakes on shutdown */
	pthread_mutex_lock(&s->lock);
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&s->lock);
	while (s->conns) {
		struct conn *next = s->conns->next;
		conn_join_free(s->conns);
		s->conns = next;
	}
	close(s->listen_fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sp = NULL;
}
