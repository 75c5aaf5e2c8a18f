/* search_rows: what retrieval reads from the store of one collection: the
 * full-text candidates ranked by ragdeck_rank, a term's document frequency
 * in the index, the chunks a path or document filter allows, the chunks of
 * documents that are not current, and a chunk with its document.
 *
 * A struct store_search holds these queries prepared once on its store's
 * connection, so a search costs no statement preparation. It belongs to
 * one retriever and, like the store, is not shared between threads; free
 * it before closing the store. */
#ifndef RAGDECK_SEARCH_ROWS_H
#define RAGDECK_SEARCH_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_search;

/* Prepare the search queries of collection coll on s. Returns 0, or -1
 * with err. Caller frees with store_search_free. */
int store_search_open(struct store *s, int64_t coll, struct store_search **out,
                      char *err, size_t errlen);

struct pg_store;

/* The same queries on collection coll of the PostgreSQL store p
 * (store/pg.h): every store_search_* function below then reads the
 * server. Returns 0. Caller frees with store_search_free before p. */
int store_search_open_server(struct pg_store *p, int64_t coll, struct store_search **out);

/* Free; NULL-safe; clears *q. */
void store_search_free(struct store_search **q);

/* Full-text candidates for the FTS5 MATCH expression match, ranked by the
 * ragdeck_rank call rank (store/fts.h), best first: up to limit chunk ids
 * into ids and their rank values (negative, lower is better) into ranks,
 * *n how many. Rows of other collections are not excluded here, so
 * keep(ud, id) says which to take: the rest are read past, however many
 * rank first, until limit are taken or the matches end. Returns 0, or -1
 * with err. */
int store_search_fts(struct store_search *q, const char *match, const char *rank,
                     bool (*keep)(void *ud, int64_t id), void *ud, size_t limit,
                     int64_t *ids, double *ranks, size_t *n, char *err, size_t errlen);

/* Whether chunk id matches the FTS5 MATCH expression match: 1 when it
 * does, 0 when not, -1 with err. */
int store_search_fts_holds(struct store_search *q, const char *match, int64_t id, char *err, size_t errlen);

/* Chunks of the index holding term (one token as the index stems it, see
 * fts_tokenize), over every collection; 0 when none or when the read
 * failed (a term then looks rare, which only costs the query budget). */
int64_t store_search_term_docs(struct store_search *q, const char *term);

/* Ids of the collection's chunks, ascending: those of documents whose
 * stored path matches the GLOB pattern path_glob (NULL: any) and, when
 * doc_ids is not NULL, that are among the n_doc_ids documents listed.
 * *ids (caller frees, also on failure) and *n get them. Returns 0, or -1
 * with err. */
int store_search_chunk_ids(struct store_search *q, const char *path_glob, const int64_t *doc_ids,
                           size_t n_doc_ids, int64_t **ids, size_t *n, char *err, size_t errlen);

/* A chunk of an archived or superseded document. */
struct store_stale_chunk {
	int64_t chunk, doc;
	int64_t successor;        /* the document superseding doc in this collection; 0: none stored */
};

/* The chunks of the collection's documents that are not current, by
 * chunk id ascending. *rows (caller frees) and *n get them; on failure
 * both are cleared. Returns 0, or -1 with err. */
int store_search_stale(struct store_search *q, struct store_stale_chunk **rows, size_t *n,
                       char *err, size_t errlen);

/* Ids of the chunks of document doc, in no set order. *ids (caller frees,
 * also on failure) and *n get them. Returns 0, or -1 with err. */
int store_search_doc_chunks(struct store_search *q, int64_t doc, int64_t **ids, size_t *n,
                            char *err, size_t errlen);

/* A chunk with what a hit shows of its document. */
struct store_search_chunk {
	struct store_chunk_row chunk; /* heading_path and text "" when NULL */
	int64_t doc_id;
	char *path;
	char status[16];              /* "current", "archived", "superseded" */
};

/* Read chunk id (of any collection) into out; free it with
 * store_search_chunk_free. Returns 0, 1 when no such chunk (out zeroed),
 * -1 with err. */
int store_search_chunk(struct store_search *q, int64_t id, struct store_search_chunk *out,
                       char *err, size_t errlen);
void store_search_chunk_free(struct store_search_chunk *c);

#endif
