/* injection: flag retrieved text that addresses the model with instructions.
 *
 * A retrieved chunk is reference material; text in it that tries to steer
 * the model ("ignore all previous instructions", chat-template role tags, a
 * request to reveal the system prompt, an encoded payload to decode and
 * obey) is flagged so reviewers see it next to the answer. The scanner only
 * flags: the prompt module still quotes the chunk, inside delimiters the
 * text cannot forge.
 *
 * The patterns aim at text written to a model, not at documentation that
 * uses the same words for people ("the agent will ignore files matching
 * .dwignore", "you can ignore this warning", "System: Linux" in a
 * requirements table). They are POSIX extended regular expressions matched
 * case-insensitively, plus one decoder: a base64 blob near "decode" or
 * "base64" is decoded and flagged when the decoded text itself matches. */
#ifndef RAGDECK_INJECTION_H
#define RAGDECK_INJECTION_H

#include <stddef.h>

/* One match. */
struct injection_hit {
	const char *pattern;   /* static id, e.g. "ignore-instructions" */
	size_t offset;         /* byte offset of the match in the scanned text */
	size_t len;            /* bytes matched */
};

struct injection_result {
	struct injection_hit *hits;   /* by offset, then pattern order */
	size_t n_hits;
};

/* The most hits one scan reports; a chunk with more is flagged anyway. */
#define INJECTION_MAX_HITS 32

/* Scan the NUL-terminated text. Fills out (0 hits for harmless text).
 * Never fails; free out with injection_result_free. Thread-safe. */
void injection_scan(const char *text, struct injection_result *out);

/* Free the hits; out is empty afterwards. */
void injection_result_free(struct injection_result *out);

#endif
