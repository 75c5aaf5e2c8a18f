/* fts_query: user text -> the weighted terms of a full-text query, and the
 * safe FTS5 MATCH expression and ranking call for them.
 *
 * Query analysis, in the order of the text:
 *
 *   words         runs of letters and digits (any script; other code points
 *                 separate words), ASCII lower-cased. An identifier is read
 *                 as its parts ("DW-1043" is dw and 1043, "control.port" is
 *                 control and port): the ranking's proximity bonus rewards
 *                 parts that stand together in a chunk, which measured
 *                 better than one phrase per identifier (docs/retrieval.md).
 *                 A word with a letter and a digit (2fa, v2, ipv6) or of
 *                 three or more digits (413, 7443) is an identifier term.
 *   quoted text   2 to FTS_PHRASE_MAX words between double quotes are also
 *                 a phrase, of weight FTS_WEIGHT_QUOTED.
 *   dropped       common English stopwords and the scaffolding of questions
 *                 and requests ("please", "help", "anyone", "tell", "know",
 *                 "need", "want", ...) and one-letter words, unless nothing
 *                 else is left.
 *
 * Duplicates collapse to their first occurrence. Every term is quoted as an
 * FTS5 string and the terms are joined with OR, so no input (quotes, NEAR,
 * AND/OR/NOT, '*', '-', '^', ':', parentheses, emoji, invalid UTF-8) can
 * produce FTS5 syntax or an SQLite error. */
#ifndef RAGDECK_FTS_QUERY_H
#define RAGDECK_FTS_QUERY_H

#include <stdbool.h>
#include <stddef.h>

/* Most terms a query keeps: quoted phrases and identifiers first, then
 * words, each in text order. */
#define FTS_QUERY_MAX_TERMS 48
/* Longest phrase, in words. */
#define FTS_PHRASE_MAX 4

#define FTS_WEIGHT_WORD 1.0
#define FTS_WEIGHT_IDENT 1.0
#define FTS_WEIGHT_QUOTED 1.5

enum fts_term_kind { FTS_TERM_WORD, FTS_TERM_IDENT, FTS_TERM_PHRASE };

/* One term: an FTS5 token, or several separated by single spaces (a
 * phrase). Tokens hold only letters and digits. */
struct fts_term {
	char *text;
	enum fts_term_kind kind;
	double weight;
	size_t pos;               /* byte offset in the text: terms are kept in this order */
};

struct fts_terms {
	struct fts_term items[FTS_QUERY_MAX_TERMS];
	size_t n;
};

/* Analyse text[0..len) into out (see the top of this file). Free with
 * fts_terms_free. */
void fts_query_terms(const char *text, size_t len, struct fts_terms *out);

/* The MATCH expression for the terms with keep[i] true (keep NULL: all);
 * NULL when none is kept. Caller frees. */
char *fts_query_join(const struct fts_terms *t, const bool *keep);

/* The ranking call for the same kept terms, in the same order:
 * "ragdeck_rank(PROX, W_TEXT, W_HEADING, W_0, ...)" (store/fts_rank.h).
 * NULL when none is kept. Caller frees. */
char *fts_query_rank(const struct fts_terms *t, const bool *keep, double proximity, double text_weight,
                     double heading_weight);

void fts_terms_free(struct fts_terms *t);

/* fts_query_join of every term of text[0..len): NULL when the text has no
 * word at all (the caller then skips full-text search). Caller frees. */
char *fts_query_build(const char *text, size_t len);

#endif
