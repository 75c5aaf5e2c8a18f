/* http: non-blocking HTTP transfers on libcurl's multi interface.
 *
 * The caller's loop drives everything: llm_http_poll waits (with extra fds
 * such as stdin), llm_http_perform moves bytes and runs the handlers. TLS
 * peer verification stays on and libcurl's proxy environment variables
 * (https_proxy, no_proxy, ...) are honoured. Headers are never logged, so an
 * API key in them goes nowhere but the server. */
#ifndef RAGDECK_LLM_HTTP_H
#define RAGDECK_LLM_HTTP_H

#include <poll.h>
#include <stddef.h>

#include "core/util/strbuf.h"

/* Timeouts and retry policy of one request. 0 disables a timeout. */
struct llm_http_opts {
	long connect_timeout_ms;     /* TCP and TLS handshake */
	long first_byte_timeout_ms;  /* start of an attempt to the first response byte */
	long idle_timeout_ms;        /* longest silence between response bytes */
	long total_timeout_ms;       /* one attempt, start to end */
	int max_retries;             /* extra attempts, only before the first token */
	long retry_base_ms;          /* first backoff delay; doubles per retry */
	long retry_cap_ms;           /* longest backoff delay */
	size_t max_line_bytes;       /* longest event stream line; 0: 1 MiB */
};

/* Fill o with the defaults: connect 10 s, first byte 60 s, idle 30 s,
 * total 600 s, 2 retries, backoff 500 ms doubling up to 8 s, 1 MiB lines. */
void llm_http_opts_init(struct llm_http_opts *o);

/* How a transfer ended. */
enum llm_http_rc {
	LLM_HTTP_OK = 0,
	LLM_HTTP_ECONNECT = -1,   /* name lookup or connect failed, or connect timeout */
	LLM_HTTP_ETIMEOUT = -2,   /* first-byte, idle or total timeout */
	LLM_HTTP_ECLOSED = -3,    /* connection reset or closed mid-response */
	LLM_HTTP_EABORTED = -4,   /* the body handler asked to stop */
	LLM_HTTP_EOTHER = -5,     /* TLS, protocol and anything else */
};

/* The response head, complete before the first body byte. */
struct llm_http_head {
	long status;                /* 0 when no response arrived */
	const char *content_type;   /* "" when absent */
	long retry_after_ms;        /* from retry-after-ms or retry-after; -1 when absent */
};

struct llm_http_handlers {
	/* Body bytes. Return 0 to go on, non-zero to abort (ends with EABORTED). */
	int (*on_body)(void *ud, const struct llm_http_head *head, const char *buf, size_t len);
	/* Called once when the transfer ends, outside libcurl's callbacks: rc is
	 * an llm_http_rc, msg a one-line reason naming the URL ("" when ok).
	 * The transfer is freed right after: drop your pointer to it first. */
	void (*on_end)(void *ud, int rc, const struct llm_http_head *head, const char *msg);
	void *ud;
};

struct llm_http_spec {
	const char *url;
	const char *const *headers;   /* "Name: value" lines */
	size_t n_headers;
	const char *body;             /* POSTed (copied); NULL sends a GET */
	size_t body_len;
	const struct llm_http_opts *opts;
};

struct llm_http;
struct llm_http_xfer;

/* New transfer set (a libcurl multi handle). Never NULL; free with llm_http_free. */
struct llm_http *llm_http_new(void);

/* Cancel all transfers silently (no on_end), free h and set *h to NULL; NULL-safe. */
void llm_http_free(struct llm_http **h);

/* Start a transfer; *out (may be NULL) receives its handle, valid until
 * on_end runs or llm_http_cancel. Returns 0, or -1 with err set. */
int llm_http_start(struct llm_http *h, const struct llm_http_spec *spec,
		   const struct llm_http_handlers *hd, struct llm_http_xfer **out,
		   char *err, size_t errlen);

/* Close the transfer's connection without calling on_end; safe inside a
 * handler (the close then happens when libcurl returns). */
void llm_http_cancel(struct llm_http_xfer *x);

/* Move bytes, run handlers, enforce the first-byte and idle timeouts.
 * Returns the number of transfers still running. */
int llm_http_perform(struct llm_http *h);

/* Milliseconds until llm_http_perform has work due: 0 now, -1 nothing pending. */
long llm_http_timeout_ms(struct llm_http *h);

/* Wait up to timeout_ms (-1: until something happens) for the transfers or
 * any extra fd; fills extra[i].revents. Returns the number of ready extra
 * fds, or -1 with err set. */
int llm_http_poll(struct llm_http *h, struct pollfd *extra, size_t n_extra,
		  long timeout_ms, char *err, size_t errlen);

/* What a blocking request got back. Free body with sb_free. */
struct llm_http_reply {
	long status;             /* 0 when no response arrived */
	long retry_after_ms;     /* -1 when absent */
	char content_type[128];
	struct strbuf body;
};

/* Blocking request: runs spec to the end, filling *reply (zero it first).
 * Returns an llm_http_rc, with err set when not LLM_HTTP_OK. */
int llm_http_request(const struct llm_http_spec *spec, struct llm_http_reply *reply,
		     char *err, size_t errlen);

#endif
