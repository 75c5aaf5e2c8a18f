/* fts_query: turn arbitrary user text into a safe FTS5 MATCH expression.
 *
 * Every word becomes a double-quoted FTS5 string joined with OR, so no
 * input (quotes, NEAR, AND/OR/NOT, '*', '-', '^', ':', parentheses, emoji,
 * invalid UTF-8) can produce FTS5 syntax or an SQLite error. */
#ifndef RAGDECK_FTS_QUERY_H
#define RAGDECK_FTS_QUERY_H

#include <stdbool.h>
#include <stddef.h>

/* Most terms a query keeps (the first ones, after dropping duplicates). */
#define FTS_QUERY_MAX_TERMS 32

/* The words of a query, in order of first appearance. */
struct fts_terms {
	char *items[FTS_QUERY_MAX_TERMS];
	size_t n;
};

/* Split text[0..len) into terms as fts_query_build does (words, ASCII
 * lower-cased, de-duplicated, stopwords dropped unless nothing else is
 * left). Free with fts_terms_free. */
void fts_query_terms(const char *text, size_t len, struct fts_terms *out);

/* The MATCH expression for the terms with keep[i] true (keep NULL: all);
 * NULL when none is kept. Caller frees. */
char *fts_query_join(const struct fts_terms *t, const bool *keep);

void fts_terms_free(struct fts_terms *t);

/* Build the MATCH expression for text[0..len). Words are runs of letters
 * and digits (any script; other code points separate words), lower-cased
 * for ASCII, de-duplicated; common English stopwords are dropped unless
 * nothing else is left. Returns NULL when the text has no word at all (the
 * caller then skips full-text search). Caller frees. */
char *fts_query_build(const char *text, size_t len);

#endif
