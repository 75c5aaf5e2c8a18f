/* fts_query: turn arbitrary user text into a safe FTS5 MATCH expression.
 *
 * Every word becomes a double-quoted FTS5 string joined with OR, so no
 * input (quotes, NEAR, AND/OR/NOT, '*', '-', '^', ':', parentheses, emoji,
 * invalid UTF-8) can produce FTS5 syntax or an SQLite error. */
#ifndef RAGDECK_FTS_QUERY_H
#define RAGDECK_FTS_QUERY_H

#include <stddef.h>

/* Most terms a query keeps (the first ones, after dropping duplicates). */
#define FTS_QUERY_MAX_TERMS 32

/* Build the MATCH expression for text[0..len). Words are runs of letters
 * and digits (any script; other code points separate words), lower-cased
 * for ASCII, de-duplicated; common English stopwords are dropped unless
 * nothing else is left. Returns NULL when the text has no word at all (the
 * caller then skips full-text search). Caller frees. */
char *fts_query_build(const char *text, size_t len);

#endif
