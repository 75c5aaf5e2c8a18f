/* llm: streamed answers from a model provider, driven by the caller's loop.
 *
 * A client holds the transfers of any number of streams. The full-screen app
 * calls llm_client_poll (stdin as an extra fd) and llm_client_perform in its
 * loop; headless commands call llm_client_run. Text arrives through
 * on_text as it streams; on_done reports the result once per stream.
 *
 * Providers: "openai" (Chat Completions: OpenAI, Ollama /v1, llama.cpp
 * server, vLLM), "anthropic" (Messages API) and "local" (offline extractive
 * answers from the context blocks). The caller cannot tell them apart.
 *
 * Base URL precedence: cfg->base_url when given, else the OPENAI_BASE_URL /
 * ANTHROPIC_BASE_URL environment variable, else the official endpoint
 * (https://api.openai.com/v1, https://api.anthropic.com). The OpenAI base
 * includes "/v1" as in the official clients; "/chat/completions" is appended.
 * The Anthropic base excludes it; "/v1/messages" is appended.
 *
 * Keys come only from the environment and never appear in messages. */
#ifndef RAGDECK_LLM_H
#define RAGDECK_LLM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/llm/http.h"

enum llm_kind {
	LLM_KIND_OPENAI,
	LLM_KIND_ANTHROPIC,
	LLM_KIND_LOCAL,
};

struct llm_provider_cfg {
	enum llm_kind kind;
	const char *name;         /* shown in results and messages; NULL: the kind's name */
	const char *base_url;     /* NULL: environment, then the official endpoint */
	const char *api_key_env;  /* NULL: OPENAI_API_KEY / ANTHROPIC_API_KEY;
				   * "": send no key (Ollama, llama.cpp) */
};

enum llm_role {
	LLM_ROLE_USER,
	LLM_ROLE_ASSISTANT,
};

struct llm_message {
	enum llm_role role;
	const char *content;
};

/* A numbered retrieved chunk. Remote providers see it through the prompt the
 * caller built; the local answerer reads it directly. */
struct llm_context_block {
	int number;             /* cited as [number] */
	const char *path;
	int line_start, line_end;
	const char *heading_path; /* may be NULL */
	bool archived;          /* from an archived or superseded document */
	const char *text;
};

struct llm_request {
	const char *model;                  /* may be NULL for the local answerer */
	const char *system;                 /* NULL: none */
	const struct llm_message *messages;
	size_t n_messages;
	const char *question;               /* local answerer; NULL: the last user message */
	const struct llm_context_block *blocks;
	size_t n_blocks;
	int max_tokens;                     /* 0: provider default (Anthropic needs one: 1024) */
	double temperature;                 /* < 0: not sent */
	double repetition_penalty;          /* <= 0: not sent; OpenAI-compatible servers
	                                     * only (as "repetition_penalty" for vLLM and
	                                     * "repeat_penalty" for llama.cpp) */
	const char *const *stop;            /* stop sequences */
	size_t n_stop;
};

enum llm_outcome {
	LLM_OUTCOME_OK,
	LLM_OUTCOME_INTERRUPTED,   /* text arrived, then the stream broke: partial kept */
	LLM_OUTCOME_FAILED,        /* nothing arrived */
	LLM_OUTCOME_CANCELLED,
};

struct llm_usage {
	long input_tokens;
	long output_tokens;
	int estimated;             /* 1: the provider reported none; counted as bytes / 4, the
	                            * input only when a reply stream began (a refused
	                            * connection or an error status is billed nothing: 0) */
};

/* The end of a stream. Strings belong to the stream (valid until it is freed). */
struct llm_result {
	enum llm_outcome outcome;
	const char *text;          /* everything delivered through on_text */
	size_t text_len;
	const char *finish_reason; /* "stop", "length", "end_turn", ...; "" when none came */
	struct llm_usage usage;
	uint64_t ttft_us;          /* start to first text; 0 when none came */
	uint64_t total_us;         /* start to end, retries included */
	double tokens_per_sec;     /* output tokens / (end - first text); 0 when unknown */
	const char *error;         /* one line, "" when ok; never contains the key */
	long http_status;          /* of the last attempt; 0 when none */
	int retries;               /* attempts after the first */
	const char *provider;
	const char *model;
};

/* Callbacks run inside llm_client_perform (or llm_stream_cancel). Both may
 * cancel any stream; on_done may also start streams (on_text runs inside
 * libcurl, which refuses that); neither may free a stream. */
struct llm_callbacks {
	/* A piece of answer text (not NUL-terminated). */
	void (*on_text)(void *ud, const char *text, size_t len);
	/* Once per stream, at its end (also after llm_stream_cancel). */
	void (*on_done)(void *ud, const struct llm_result *res);
	void *ud;
};

struct llm_client;
struct llm_stream;

/* New client. Never NULL; free with llm_client_free after its streams. */
struct llm_client *llm_client_new(void);

/* Free the client and set *c to NULL; NULL-safe. Streams not yet freed are
 * cancelled without callbacks and detached; llm_stream_free still frees them. */
void llm_client_free(struct llm_client **c);

/* Advance transfers and timers, running callbacks. Returns the number of
 * streams not yet done. */
int llm_client_perform(struct llm_client *c);

/* Milliseconds until llm_client_perform has work due: 0 now, -1 nothing. */
long llm_client_timeout_ms(struct llm_client *c);

/* Block until a transfer, a timer or one of the extra fds (e.g. stdin) needs
 * attention, at most timeout_ms (-1: no limit of the caller's). Fills
 * extra[i].revents; returns the number of ready extra fds, or -1 with err. */
int llm_client_poll(struct llm_client *c, struct pollfd *extra, size_t n_extra,
		    long timeout_ms, char *err, size_t errlen);

/* Headless: poll and perform until every stream is done. Returns 0, or -1
 * with err set when waiting failed. */
int llm_client_run(struct llm_client *c, char *err, size_t errlen);

/* Start streaming req from the provider cfg with opts (NULL: defaults).
 * Nothing is read from req after the call. Returns 0 with *out set (free it
 * with llm_stream_free), or -1 with a one-line err (missing key, unknown
 * kind) and no callbacks. */
int llm_stream_start(struct llm_client *c, const struct llm_provider_cfg *cfg,
		     const struct llm_http_opts *opts, const struct llm_request *req,
		     const struct llm_callbacks *cbs, struct llm_stream **out,
		     char *err, size_t errlen);

/* Stop now: the connection closes, the text so far is kept, on_done reports
 * LLM_OUTCOME_CANCELLED (right away, or at the end of the current
 * llm_client_perform when called from a callback). No-op once done. */
void llm_stream_cancel(struct llm_stream *s);

/* 1 once on_done ran. */
int llm_stream_done(const struct llm_stream *s);

/* The result once done, else NULL. Valid until llm_stream_free. */
const struct llm_result *llm_stream_result(const struct llm_stream *s);

/* Cancel silently if running, free, set *s to NULL; NULL-safe. Not from
 * inside a callback. */
void llm_stream_free(struct llm_stream **s);

/* "ok", "interrupted", "failed", "cancelled". */
const char *llm_outcome_name(enum llm_outcome o);

/* "openai", "anthropic", "local". */
const char *llm_kind_name(enum llm_kind k);

/* Parse a kind name as above. Returns 0, or -1 with err listing the names. */
int llm_kind_parse(const char *name, enum llm_kind *out, char *err, size_t errlen);

#endif
