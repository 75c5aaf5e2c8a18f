/* pg internals shared by store/pg*.c and store/search_rows.c: the libpq
 * connection and the calls every part makes on it. */
#ifndef RAGDECK_PG_INT_H
#define RAGDECK_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/pg.h"
#include "store/search_rows.h"

struct pg_store {
	PGconn *conn;
	char *conninfo;
	char name[256];
	long hnsw_min_rows;
	int64_t next_reset_us; /* no reconnect before this (backoff) */
	int resets;            /* failed resets in a row */
};

/* Run sql with n text parameters (NULL: SQL NULL). A connection found
 * lost is reset first (with backoff). Returns the result when it has
 * status want, else NULL with err "what: the server's message" (the
 * server named when the connection is gone). Caller PQclears. */
PGresult *pg_run(struct pg_store *p, const char *sql, int n, const char *const *params, ExecStatusType want,
                 const char *what, char *err, size_t errlen);

/* pg_run for a command whose result is not read. Returns 0 or -1. */
int pg_do(struct pg_store *p, const char *sql, int n, const char *const *params, const char *what, char *err,
          size_t errlen);

/* Integer value of row r, column c (0 when NULL). */
int64_t pg_int(const PGresult *res, int r, int c);

/* "[v0,v1,...]": dim floats as pgvector's text form, each exact. Caller frees. */
char *pg_vector_text(const float *v, int dim);

/* "{1,2,3}": n ids as a bigint[] literal. Caller frees. */
char *pg_ids_text(const int64_t *ids, size_t n);

/* The search queries of collection coll on p's server: what
 * store_search_open_server makes; the store_search_* functions call these
 * for a server search (same contracts as in search_rows.h). */
struct pg_search;
struct pg_search *pg_search_open(struct pg_store *p, int64_t coll);
void pg_search_free(struct pg_search *q);
int pg_search_fts(struct pg_search *q, const char *match, const char *rank, bool (*keep)(void *ud, int64_t id),
                  void *ud, size_t limit, int64_t *ids, double *ranks, size_t *n, char *err, size_t errlen);
int pg_search_fts_holds(struct pg_search *q, const char *match, int64_t id, char *err, size_t errlen);
int64_t pg_search_term_docs(struct pg_search *q, const char *term);
int pg_search_chunk_ids(struct pg_search *q, const char *path_glob, const int64_t *doc_ids, size_t n_doc_ids,
                        int64_t **ids, size_t *n, char *err, size_t errlen);
int pg_search_stale(struct pg_search *q, struct store_stale_chunk **rows, size_t *n, char *err, size_t errlen);
int pg_search_doc_chunks(struct pg_search *q, int64_t doc, int64_t **ids, size_t *n, char *err, size_t errlen);
int pg_search_chunk(struct pg_search *q, int64_t id, struct store_search_chunk *out, char *err, size_t errlen);

/* A document of the SQLite store and its stamp: whatever a search would
 * see differently when it changes (hash, status, dates, title, model,
 * pipeline, chunk and vector counts). The server keeps the stamp it was
 * published with, so either side tells changed documents by it. */
struct local_doc {
	int64_t id;
	char *path, *stamp;
};

/* Every document of collection coll (vectors of model) of the SQLite
 * store db, by id. Returns 0, or -1 with err. Free with pg_local_docs_free. */
struct sqlite3;
int pg_local_docs(struct sqlite3 *db, int64_t coll, const char *model, struct local_doc **out, size_t *n, char *err,
                  size_t errlen);
void pg_local_docs_free(struct local_doc *d, size_t n);

/* The counts of collection coll (vectors of model) in the SQLite store db,
 * and of collection coll (its id as text) on p's server. Return 0, or -1
 * with err. */
int pg_local_counts(struct sqlite3 *db, int64_t coll, const char *model, struct pg_counts *out, char *err,
                    size_t errlen);
int pg_server_counts(struct pg_store *p, const char *coll, struct pg_counts *out, char *err, size_t errlen);

/* Whether r's two sides hold the same counts; when not, err says so
 * ("... does not match after VERB ..."). */
bool pg_counts_match(const struct pg_copy_report *r, const char *verb, char *err, size_t errlen);

/* The tsvector literal of a chunk, from the full-text tokenizer's tokens
 * of text and heading (store/fts.h): text tokens at positions 1..T,
 * heading tokens (weight A) after a gap of FTS_RANK_WINDOW so no phrase
 * or proximity pair spans the two. *text_terms and *heading_terms get T
 * and the heading's count (BM25's row length is their sum). Caller frees. */
struct fts_tokenizer;
char *pg_tsvector_text(struct fts_tokenizer *tok, const char *text, const char *heading, int *text_terms,
                       int *heading_terms);

#endif
