/* support: per-sentence support marks for a finished answer (offline,
 * lexical, the grounding rules of grounding.h).
 *
 * Each sentence of the answer (grounding_sentences) is scored against the
 * context blocks: its support is the share of its content words that occur
 * in any block; a block supports it on its own when it holds at least
 * GROUNDING_SHARE of them. A counted sentence (GROUNDING_MIN_WORDS content
 * words or more) is supported by its citations when the blocks it cites
 * hold that share together, supported only by uncited blocks when the
 * whole context does but its citations do not, else unsupported. */
#ifndef RAGDECK_SUPPORT_H
#define RAGDECK_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

/* A context block as the prompt numbered it ([number]). */
struct support_block {
	int number;
	const char *text;
};

enum support_basis {
	SUPPORT_NONE,      /* unsupported (or not counted) */
	SUPPORT_CITED,     /* the blocks it cites support it */
	SUPPORT_UNCITED,   /* only blocks it does not cite support it */
};

struct support_sentence {
	size_t start, end;        /* bytes [start, end) of the answer */
	char *text;               /* those bytes, NUL-terminated */
	int *cited;               /* citation numbers in the sentence, in order, no repeats */
	size_t n_cited;
	double support;           /* share of its content words found in the context, 0..1 */
	int *supported_by;        /* blocks holding GROUNDING_SHARE alone, best first */
	size_t n_supported_by;
	bool counted;             /* GROUNDING_MIN_WORDS content words or more */
	enum support_basis basis; /* SUPPORT_NONE when not counted */
};

struct support_result {
	struct support_sentence *sentences;
	size_t n;
	size_t unsupported;       /* counted sentences with SUPPORT_NONE */
};

/* Score every sentence of answer against blocks[0..n_blocks) into out
 * (zeroed first; free with support_result_free). Never fails: aborts on
 * out of memory. */
void support_score(const char *answer, const struct support_block *blocks, size_t n_blocks,
                   struct support_result *out);

/* Free what support_score stored in r (NULL-safe) and zero it. */
void support_result_free(struct support_result *r);

/* "cited", "uncited" or "none". */
const char *support_basis_name(enum support_basis b);

#endif
