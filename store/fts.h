/* fts: what the store adds to FTS5: the index's tokenizer, for code that
 * must see words as the index does, and "ragdeck_rank", the ranking
 * function every store connection registers.
 *
 * The tokenizer is FTS_TOKENIZER: Porter stemming over unicode61 with
 * diacritics removed, so "refunds", "refunded" and "refund" are one term.
 *
 * It is FTS5's BM25 (k1 1.2, b 0.75, the same IDF and length
 * normalisation as bm25()) with two additions: a weight per query phrase
 * (identifiers count more than ordinary words, synonyms less), and a
 * proximity bonus when two phrases that are consecutive in the query occur
 * within FTS_RANK_WINDOW tokens of each other, in that order, in one
 * column of the row. Used as
 *
 *   ... WHERE chunks_fts MATCH ?1
 *         AND rank MATCH 'ragdeck_rank(PROX, W_COL0, W_COL1, W_P0, W_P1, ...)'
 *       ORDER BY rank
 *
 * PROX scales the bonus (each consecutive pair found adds PROX times the
 * smaller IDF of the two, times the smaller of their weights); W_COL are
 * the column weights (text, heading path); W_Pi the weight of phrase i of
 * the MATCH expression (missing: 1). Like bm25(), the value is negative,
 * lower is better, so ORDER BY rank keeps FTS5's fast path. */
#ifndef RAGDECK_FTS_H
#define RAGDECK_FTS_H

#include <stddef.h>

#define FTS_RANK_WINDOW 3

/* The tokenizer of chunks_fts, as its CREATE statement names it. */
#define FTS_TOKENIZER "porter unicode61 remove_diacritics 2"

struct store;
struct fts_tokenizer;

/* The index's tokenizer on the FTS5 of s's connection; NULL when FTS5 or
 * the tokenizer is missing. Usable while s is open, by s's thread. Free
 * with fts_tokenizer_free. */
struct fts_tokenizer *fts_tokenizer_open(struct store *s);
void fts_tokenizer_free(struct fts_tokenizer **t);

/* The same tokenizer on a private in-memory SQLite connection, for code
 * with no store open (the PostgreSQL store, store/pg.h); freed with it. */
struct fts_tokenizer *fts_tokenizer_open_memory(void);

/* Call on_token for every token of text[0..len) as a query sees it: the
 * token (lower-cased, stemmed, not NUL-terminated) and the byte range it
 * came from. Returns 0, or -1 when the tokenizer failed. */
int fts_tokenize(struct fts_tokenizer *t, const char *text, size_t len,
                 void (*on_token)(void *ud, const char *token, size_t n, size_t start, size_t end),
                 void *ud);

#endif
