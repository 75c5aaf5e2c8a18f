/* fixture_server: a scripted HTTP/1.1 server on 127.0.0.1 for tests.
 *
 * Runs in a thread on an ephemeral port. The i-th request gets script[i]
 * (the last entry repeats); every connection serves one request and closes.
 * Responses can come whole, in pieces of any size, split at one offset or
 * at each event boundary, with pauses; with Content-Length, chunked, or
 * close-delimited framing; and can end in a TCP reset mid-body. Requests are
 * recorded (method, path, headers, body) for assertions. */
#ifndef RAGDECK_TEST_FIXTURE_SERVER_H
#define RAGDECK_TEST_FIXTURE_SERVER_H

#include <stddef.h>
#include <stdint.h>

enum fixture_framing {
	FIXTURE_LENGTH,    /* Content-Length */
	FIXTURE_CHUNKED,   /* Transfer-Encoding: chunked, one chunk per write */
	FIXTURE_CLOSE,     /* body ends when the connection closes */
};

struct fixture_request;

struct fixture_response {
	int status;                 /* 0 means 200 */
	const char *content_type;   /* NULL: no Content-Type header */
	const char *headers;        /* extra lines, each ending in "\r\n"; NULL: none */
	enum fixture_framing framing;
	const char *body;           /* NULL: empty */
	size_t body_len;            /* 0: strlen(body) */
	size_t piece;               /* bytes per write; 0: see split_at */
	size_t split_at;            /* piece == 0: two writes at this offset; 0: one write */
	int split_events;           /* one write per event (after each "\n\n") */
	unsigned delay_ms;          /* pause between writes */
	unsigned head_delay_ms;     /* pause before the status line */
	long reset_after;           /* >= 0: TCP reset after this many body bytes; -1: none */
	size_t pause_at;            /* with pause_ms: pause after this many body bytes */
	unsigned pause_ms;
	/* Called on the server's thread with each request this entry answers,
	 * before answering: a body to send instead of body (valid until the
	 * next call), or NULL to send body. May be NULL. */
	const char *(*respond)(void *ud, const struct fixture_request *req);
	void *respond_ud;
};

struct fixture_request {
	char method[16];
	char path[512];
	char *head;                 /* the header lines as received */
	char *body;                 /* NUL-terminated */
	size_t body_len;
};

struct fixture_server;

/* Start serving script (n >= 1 entries, copied shallowly: strings must
 * outlive the server). Aborts the test program when the socket fails. */
struct fixture_server *fixture_start(const struct fixture_response *script, size_t n);

/* Append the body of every request from now on to the file at path, one
 * line each (a body's own line breaks kept), as the request arrives and
 * before it is answered. Aborts the test program when the file cannot be
 * opened. */
void fixture_log_requests(struct fixture_server *s, const char *path);

/* "http://127.0.0.1:PORT" */
const char *fixture_url(const struct fixture_server *s);

/* Requests received so far. */
size_t fixture_request_count(struct fixture_server *s);

/* Request i (0-based), NULL when none; valid until the server takes the
 * next request or fixture_stop. */
const struct fixture_request *fixture_request(struct fixture_server *s, size_t i);

/* Value of header name (case-insensitive) in r, copied into buf; NULL when absent. */
const char *fixture_header(const struct fixture_request *r, const char *name, char *buf, size_t len);

/* Monotonic ns (clock_now_ns) right after each body write of the latest
 * response; *n gets the count. Valid until the next request or fixture_stop. */
const uint64_t *fixture_write_times(struct fixture_server *s, size_t *n);

/* Stop the thread, free everything, set *s to NULL; NULL-safe. */
void fixture_stop(struct fixture_server **s);

#endif
