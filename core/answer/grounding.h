/* grounding: how much of an answer the retrieved context supports
 * (offline, lexical).
 *
 * The answer is split into sentences; citation markers like [2] are
 * ignored. A sentence with at least three content words (letters or
 * digits, three characters or more, not a stopword, lower-cased) is
 * supported when at least 60% of its content words occur in the context.
 * The score is supported / counted sentences: the hallucination_score the
 * config's alert threshold refers to (higher is better). */
#ifndef RAGDECK_GROUNDING_H
#define RAGDECK_GROUNDING_H

#include <stdbool.h>
#include <stddef.h>

struct grounding_result {
	size_t sentences;         /* sentences counted (three content words or more) */
	size_t supported;
	double score;             /* supported / sentences; 0 when none counted */
};

/* Score answer against the context texts. Returns false (and a zero
 * result) when the answer has no sentence to count. */
bool grounding_score(const char *answer, const char *const *context, size_t n_context,
                     struct grounding_result *out);

#endif
