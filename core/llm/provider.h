/* provider: the contract between llm.c and each provider (internal to core/llm).
 *
 * llm.c owns the stream: transport, event stream parsing, retries, timing,
 * cancel and the result. A provider turns a request into HTTP (start),
 * decodes the events of a 2xx event-stream reply (on_event, on_field),
 * checks the end (finish), and reports through the llm_stream_* calls below.
 * Its per-attempt state is state_size zeroed bytes (llm_stream_state),
 * cleared again before each retry, so it never holds resources and needs no
 * cancel hook. A provider without HTTP (path NULL) queues its whole answer
 * in start; llm.c hands it out one piece per llm_client_perform pass. */
#ifndef RAGDECK_LLM_PROVIDER_H
#define RAGDECK_LLM_PROVIDER_H

#include <stddef.h>

#include "core/llm/llm.h"
#include "core/llm/sse.h"

struct llm_provider_ops {
	const char *name;           /* kind name, "openai" */
	const char *key_env;        /* default key variable; NULL: no key */
	const char *base_env;       /* base URL variable, "OPENAI_BASE_URL" */
	const char *default_base;   /* official endpoint */
	const char *path;           /* appended to the base URL; NULL: no HTTP */
	size_t state_size;          /* bytes of per-attempt state */
	/* Build the request with llm_stream_add_header and llm_stream_set_body
	 * (key is NULL when none is sent), or queue the answer with
	 * llm_stream_queue. Returns 0, or -1 with err set. */
	int (*start)(struct llm_stream *s, const struct llm_request *req, const char *key,
		     char *err, size_t errlen);
	/* One event of the reply. Return 0 to go on, non-zero to end the
	 * transfer (after llm_stream_fail, or when emit asked to stop). */
	int (*on_event)(struct llm_stream *s, const struct llm_sse_event *ev);
	/* A field SSE does not define (may be NULL). Returns like on_event. */
	int (*on_field)(struct llm_stream *s, const char *name, const char *value, size_t len);
	/* The reply ended cleanly: check the stream was complete. */
	void (*finish)(struct llm_stream *s);
};

extern const struct llm_provider_ops llm_openai_ops;
extern const struct llm_provider_ops llm_anthropic_ops;
extern const struct llm_provider_ops llm_local_ops;

/* The provider's per-attempt state: state_size bytes, zeroed per attempt. */
void *llm_stream_state(struct llm_stream *s);

/* The endpoint URL ("" without HTTP). */
const char *llm_stream_url(const struct llm_stream *s);

/* Add a request header line "Name: value". */
void llm_stream_add_header(struct llm_stream *s, const char *line);
/* Add a header line "name: secret"; the temporary copy is wiped. */
void llm_stream_add_secret_header(struct llm_stream *s, const char *name, const char *secret);
/* Set the request body; takes ownership of json (freed with free). */
void llm_stream_set_body(struct llm_stream *s, char *json);

/* Hand answer text to the caller. Returns non-zero when the stream wants no
 * more (cancelled, ended, or the answer would pass 4 MiB, which fails the
 * stream keeping what came before): stop decoding then. */
int llm_stream_emit(struct llm_stream *s, const char *text, size_t len);
/* Queue a piece of a precomputed answer (providers without HTTP). */
void llm_stream_queue(struct llm_stream *s, const char *piece, size_t len);

/* Usage as the provider reported it; a negative value keeps the old one.
 * Values overwrite (Anthropic's counts are cumulative). */
void llm_stream_set_usage(struct llm_stream *s, long input_tokens, long output_tokens);
/* Usage the provider estimated itself (marked estimated in the result). */
void llm_stream_set_usage_estimate(struct llm_stream *s, long input_tokens, long output_tokens);
/* The finish / stop reason. */
void llm_stream_set_finish(struct llm_stream *s, const char *reason);
/* The end marker arrived ([DONE], message_stop): the answer is whole. */
void llm_stream_complete(struct llm_stream *s);

/* Record why the stream fails (the first reason wins; made one line, key
 * removed). Returns 1, so decoders can "return llm_stream_fail(...)". */
int llm_stream_fail(struct llm_stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The endpoint and key for ops and cfg: *url (caller frees) is the base URL
 * (cfg->base_url, else $base_env, else default_base, trailing '/' dropped)
 * plus path; *key the key from the environment (NULL when the provider
 * sends none). Returns 0, or -1 with a one-line err naming the variable. */
int llm_resolve_endpoint(const struct llm_provider_ops *ops, const struct llm_provider_cfg *cfg,
			 const char *path, char **url, const char **key, char *err, size_t errlen);

#endif
