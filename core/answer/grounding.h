/* grounding: how much of an answer the retrieved context supports
 * (offline, lexical).
 *
 * The answer is split into sentences (grounding_sentences); citation
 * markers like [2] are ignored. A sentence with at least three content
 * words (letters, digits and marks of any script, three characters or
 * more, not a stopword, lower-cased; punctuation such as curly quotes and
 * dashes, and every kind of space, separate words) is supported when at least 60% of its content words occur
 * in the context. The score is supported / counted sentences: the
 * hallucination_score the config's alert threshold refers to (higher is
 * better). The splitter, the content words and the word sets are public so
 * per-sentence support (support.h) scores the same sentences the same way. */
#ifndef RAGDECK_GROUNDING_H
#define RAGDECK_GROUNDING_H

#include <stdbool.h>
#include <stddef.h>

/* A sentence needs this many content words to be counted. */
#define GROUNDING_MIN_WORDS 3
/* The share of its content words the context must hold to support it. */
#define GROUNDING_SHARE 0.6

struct grounding_result {
	size_t sentences;         /* sentences counted (three content words or more) */
	size_t supported;
	double score;             /* supported / sentences; 0 when none counted */
};

/* One sentence: bytes [start, end) of the text, without a list marker, a
 * heading's #s or the whitespace around it. */
struct grounding_span {
	size_t start, end;
};

/* Score answer against the context texts. Returns false (and a zero
 * result) when the answer has no sentence to count. */
bool grounding_score(const char *answer, const char *const *context, size_t n_context,
                     struct grounding_result *out);

/* Split text into sentences, in order, into *out (caller frees with free;
 * NULL when none); returns how many. A line break, a blank line, a heading,
 * a Markdown bullet or numbered item start a new sentence; '.', '?', '!'
 * followed by a space (a no-break one too) or a citation end one unless
 * they end an abbreviation (e.g., U.S., Dr., No. before a number, an
 * initial next to another: J. R. Smith), sit inside a number or a name
 * (v1.2, 3.5, example.com) or the next word starts lower-case; a file name
 * or URL before the '.' ends the sentence (docs/refunds.md.); the
 * ideographic full stop and the fullwidth '!' and '?' end one with no space
 * after them. Citation markers after the end ("refund. [2]",
 * "refund.[2][3]", or alone on the next line) belong to the sentence;
 * fenced code blocks are skipped. Words of scripts written without spaces
 * (Chinese, Japanese) are not segmented: such a sentence is one word. */
size_t grounding_sentences(const char *text, struct grounding_span **out);

/* The next content word of [*p, end), lower-cased into buf (size bytes,
 * NUL-terminated, cut to fit); *p moves past it. Returns its length, 0
 * when the range holds no more. Citation markers like [12] are skipped. */
size_t grounding_next_word(const char **p, const char *end, char *buf, size_t size);

/* When s (before end) opens a citation marker like [2] or [1, 3], its
 * length, with its numbers stored in nums[0..cap) and their count (up to
 * cap) in *n; else 0. */
size_t grounding_citation(const char *s, const char *end, int *nums, size_t cap, size_t *n);

/* A set of content words. */
struct grounding_words;

/* The content words of text[0..len). Never NULL (aborts on out of
 * memory); free with grounding_words_free. */
struct grounding_words *grounding_words_of(const char *text, size_t len);

/* Add the content words of text[0..len) to w. */
void grounding_words_add(struct grounding_words *w, const char *text, size_t len);

/* True when the content word word[0..n) is in w. */
bool grounding_words_has(const struct grounding_words *w, const char *word, size_t n);

/* Free *w (NULL-safe) and clear the pointer. */
void grounding_words_free(struct grounding_words **w);

#endif
