/* coverage: how much of a question a passage holds, for the router's
 * retrieval signal and for reading a hit's evidence.
 *
 * The question's terms (as core/util/fts_query.h reads them) are stemmed by the
 * full-text index's own tokenizer and weighted by their IDF in the index,
 * ln(1 + N / (df + 1)). A passage's coverage is the weighted share of them
 * its text or heading holds: a phrase counts when all its words are there,
 * and a term the index does not know at all (df 0: a typo, a spelling the
 * documents do not use) counts when the passage holds a near spelling,
 * within one edit, or two from eight letters on (transpositions count
 * one). */
#ifndef RAGDECK_COVERAGE_H
#define RAGDECK_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/fts_query.h"

struct fts_tokenizer;
struct coverage;

/* The terms of a question, each with its document frequency df[i] in an
 * index of rows passages, stemmed by tok (NULL: as written). Never NULL;
 * free with coverage_free. */
struct coverage *coverage_new(struct fts_tokenizer *tok, const struct fts_terms *terms, const int64_t *df,
                              size_t rows);

/* The share, 0..1, of the question that text and heading (may be "") hold;
 * 0 when the question has no term. */
double coverage_score(const struct coverage *c, const char *text, const char *heading);

/* Free *c and clear it; NULL-safe. */
void coverage_free(struct coverage **c);

/* Edit distance of a and b counting an adjacent transposition as one
 * edit, or max + 1 when it is over max (or either is over 31 bytes). */
size_t coverage_edit_distance(const char *a, const char *b, size_t max);

#endif
