/* tokens: a fast estimate of how many BPE tokens (cl100k-like) a text costs.
 *
 * Used for chunk sizes, context budgets and cost when a provider does not
 * report usage. The rule, applied in one pass over the bytes:
 *
 *   - a run of ASCII letters costs 1 token up to 7 letters, then 1 more per
 *     further 4 letters or part of 4 ("license" 1, "retrieval" 2,
 *     "configuration" 3);
 *   - a run of ASCII digits costs 1 token per 3 digits or part of 3;
 *   - every other printable ASCII character (punctuation, symbol) costs 1,
 *     except that a run of one repeated symbol costs 1 per 8 or part of 8
 *     ("..." 1, a "----------" table rule 2);
 *   - whitespace and control characters are free (BPE merges a leading space
 *     into the next word);
 *   - every non-ASCII code point costs 1 (right for CJK, pessimistic for
 *     accented Latin letters); stray UTF-8 continuation bytes are free.
 *
 * On English prose this lands within a few percent of cl100k (the GPL-3 text:
 * 7,700 estimated against about 7,800 real tokens). The estimate only depends
 * on token runs, so for two texts split at whitespace the counts add up. */
#ifndef RAGDECK_TOKENS_H
#define RAGDECK_TOKENS_H

#include <stddef.h>

/* Estimated tokens in s[0..len). s may be NULL when len is 0. Saturates at
 * INT_MAX. */
int tokens_estimate(const char *s, size_t len);

/* tokens_estimate of a NUL-terminated string; NULL counts 0. */
int tokens_estimate_str(const char *s);

/* Where a suffix of s[0..len) holding about `want` tokens begins: the largest
 * offset, at the start of a token run, whose suffix estimates at least `want`
 * tokens; 0 when the whole text estimates fewer. Never lands inside an ASCII
 * word, a digit run or a UTF-8 sequence. Costs O(length of the suffix). */
size_t tokens_suffix_start(const char *s, size_t len, int want);

/* The longest prefix of s[0..len) that estimates at most `max` tokens, as a
 * byte length: 0 when even the first costly character exceeds max. Ends at a
 * UTF-8 boundary, but may end inside an ASCII word or digit run (it is the
 * last resort for text with no spaces). */
size_t tokens_prefix_end(const char *s, size_t len, int max);

#endif
