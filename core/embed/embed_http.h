/* embed_http: the embedder of an OpenAI-compatible /embeddings server
 * (OpenAI, Ollama /v1, llama.cpp server, vLLM, Hugging Face TEI's OpenAI
 * route), behind the interface of core/embed/embed.h.
 *
 * One call cuts its inputs into requests (core/embed/embed_batch.h) and keeps up
 * to `concurrency` of them in flight on one libcurl multi handle, whose
 * connections are kept between calls. Vectors are matched to inputs by
 * "index", checked for the dimension and L2-normalised. A request that
 * fails with 408, 409, 429, 5xx or a broken connection is tried again
 * after the server's Retry-After or a doubling backoff, up to the HTTP
 * options' max_retries. When the server says an input is too long for the
 * model, the request is halved until the input is found; that input is
 * then embedded from its first half, quarter, ... (truncate_too_long) or
 * the call fails naming it. Another 400 or 422 is narrowed down the same
 * way to the input the server refuses. Errors never contain the key. */
#ifndef RAGDECK_EMBED_HTTP_H
#define RAGDECK_EMBED_HTTP_H

#include <stdbool.h>

#include "core/llm/breaker.h"
#include "core/llm/llm.h"

struct embedder;

struct embed_http_opts {
	struct llm_provider_cfg provider;   /* kind openai; name shown in messages */
	const char *model;
	int dim;                  /* 0: learned with embed_http_learn_dim */
	bool ask_dimensions;      /* send dim as "dimensions" (OpenAI text-embedding-3) */
	int batch_inputs;         /* inputs per request */
	long batch_tokens;        /* estimated tokens per request */
	int concurrency;          /* requests in flight */
	struct llm_http_opts http;  /* timeouts and retries of each request */
	bool truncate_too_long;
	/* Non-NULL: a breaker over this server (for query embeddings): while
	 * it is open, calls fail at once saying how long it cools down. */
	const struct breaker_opts *breaker;
};

/* An embedder for o (strings copied). Returns NULL with err when the
 * provider is not of kind openai, its key variable is not set or its base
 * URL is unusable. Free with embed_free. */
struct embedder *embed_http_new(const struct embed_http_opts *o, char *err, size_t errlen);

/* When the embedder was made with dim 0, embed one short text to learn the
 * model's dimension and set e->dim. No-op when dim is known. Returns 0,
 * or -1 with err. */
int embed_http_learn_dim(struct embedder *e, char *err, size_t errlen);

#endif
