/* sse: incremental parser for server-sent event streams.
 *
 * Follows the WHATWG "event stream interpretation": lines end in "\n",
 * "\r\n" or "\r" (a "\r" ending one buffer and a "\n" starting the next are
 * one line ending), ":" starts a comment, one space after the field colon is
 * dropped, a line without a colon is a field with an empty value, "data"
 * lines are joined with "\n", a blank line dispatches the event, and a
 * leading UTF-8 byte order mark is skipped. Input may be split anywhere.
 *
 * A line longer than the configured cap ends the stream with an error
 * instead of growing the buffer without bound. */
#ifndef RAGDECK_LLM_SSE_H
#define RAGDECK_LLM_SSE_H

#include <stddef.h>

#define LLM_SSE_DEFAULT_MAX_LINE ((size_t)1 << 20)

enum llm_sse_rc {
	LLM_SSE_OK = 0,
	LLM_SSE_STOPPED = 1,    /* a callback returned non-zero */
	LLM_SSE_ELINE = -1,     /* a line exceeded the cap; the parser is dead */
};

struct llm_sse_event {
	const char *type;   /* event name; "message" when no event: field came */
	const char *data;   /* data lines joined with '\n'; NUL-terminated */
	size_t data_len;
	const char *id;     /* last event ID seen so far, "" when none */
	long retry_ms;      /* latest valid retry: value, -1 when none */
};

/* Called for each dispatched event; pointers are valid during the call only.
 * Return 0 to go on, non-zero to stop parsing. */
typedef int (*llm_sse_event_fn)(void *ud, const struct llm_sse_event *ev);
/* Called for a field the spec does not define (llama.cpp's "error:"). value
 * is NUL-terminated. Return 0 to go on, non-zero to stop parsing. */
typedef int (*llm_sse_field_fn)(void *ud, const char *name, const char *value,
				size_t value_len);

struct llm_sse_callbacks {
	llm_sse_event_fn on_event;
	llm_sse_field_fn on_other_field;   /* may be NULL: such fields are ignored */
	void *ud;
};

/* New parser calling cbs; max_line caps one line in bytes (0: the 1 MiB
 * default). Never NULL. Free with llm_sse_free. */
struct llm_sse *llm_sse_new(const struct llm_sse_callbacks *cbs, size_t max_line);

/* Parse len more bytes. Returns LLM_SSE_OK, LLM_SSE_STOPPED when a callback
 * asked to stop (the rest of buf is dropped), or LLM_SSE_ELINE with err
 * naming the cap; after ELINE every call fails the same way. */
int llm_sse_feed(struct llm_sse *p, const char *buf, size_t len, char *err, size_t errlen);

/* The stream ended. A partial last line is dropped; an event whose closing
 * blank line never came is dispatched (servers that end the body right after
 * "data: [DONE]\n"; a browser would drop it). Returns like llm_sse_feed. */
int llm_sse_end(struct llm_sse *p, char *err, size_t errlen);

/* Back to the state of a new parser (the last event ID is forgotten too). */
void llm_sse_reset(struct llm_sse *p);

/* Free the parser and set *p to NULL; NULL-safe. */
void llm_sse_free(struct llm_sse **p);

#endif
