/* fixture_stream: the event stream of a scripted model reply in the
 * OpenAI chat completions or the Anthropic messages wire format, for the
 * fixture servers of the tests (fixture_serve, in-process servers). */
#ifndef RAGDECK_TEST_FIXTURE_STREAM_H
#define RAGDECK_TEST_FIXTURE_STREAM_H

#include <stdbool.h>

struct strbuf;

struct fixture_stream {
	bool openai;         /* else Anthropic */
	int tokens;          /* text events; with text, its words */
	long prompt_tokens;  /* the input tokens the usage reports */
	const char *text;    /* the reply, one event per word; NULL: "w1 .. wN" */
	const char *fault;   /* "" or a fault fixture_serve names (error-mid, malformed,
	                      * long-line break the stream half way; flood sends 1 KiB
	                      * tokens) */
};

/* Append sp's reply to sb: its text events, then (unless a fault broke it)
 * the finish reason, the usage and the end marker of its wire format. */
void fixture_stream_body(struct strbuf *sb, const struct fixture_stream *sp);

/* Words of text (split at single spaces). */
int fixture_count_words(const char *text);

#endif
