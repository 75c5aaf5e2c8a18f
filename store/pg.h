/* pg: the PostgreSQL + pgvector store a team shares (store.backend:
 * postgres). It holds the knowledge of collections: documents, chunks,
 * their full-text vectors (tsvector, GIN index) and embeddings
 * (pgvector's vector type, exact or HNSW search). The query log, sessions
 * and eval runs stay in the local SQLite file (docs/architecture.md).
 *
 * Documents reach the server from a SQLite store (pg_publish: ingest runs
 * locally and publishes, or `ragdeck store copy`); retrieval reads it
 * through store_search_open_server (store/search_rows.h) and
 * pg_vector_search. Full-text ranking is done on the client from each
 * match's term positions, the same BM25 with phrase weights and proximity
 * bonus as ragdeck_rank (store/fts.h), so both backends rank alike.
 *
 * A struct pg_store is one libpq connection: one thread at a time. A
 * connection lost is reset on the next call, with backoff; the call that
 * saw it fails with one line naming the server. */
#ifndef RAGDECK_PG_H
#define RAGDECK_PG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "store/vecindex.h"

struct pg_store;
struct store;

/* The schema version this build writes and reads. */
#define PG_SCHEMA_VERSION 1

/* Connect to url (NULL or "": libpq's PG* environment variables and
 * ~/.pgpass), refuse a URL holding a password, and bring the schema to
 * PG_SCHEMA_VERSION (creating the vector extension when allowed).
 * hnsw_min_rows: a collection of at least that many chunks gets an HNSW
 * index when published (0: never). Returns RD_OK, or an error with err
 * naming the server (never its password). Caller frees with pg_close. */
enum rd_err pg_open(const char *url, long hnsw_min_rows, struct pg_store **out, char *err, size_t errlen);

/* Close; NULL-safe; clears *p. */
void pg_close(struct pg_store **p);

/* "user@host:port/database" for messages. */
const char *pg_name(const struct pg_store *p);

/* What `ragdeck config check` reports: whether the server at url answers,
 * whether the vector extension is installed and at which version, and
 * whether the schema is current, as lines into out (each ending in a
 * newline). Changes nothing on the server. Returns 0 when all is well, 1
 * when something is missing or old (said in out), -1 when the server
 * cannot be reached (why in out). */
int pg_check(const char *url, char *out, size_t outlen);

/* The collection called name: its id, and the embedding model and
 * dimension its vectors have ("" and 0 before any). Returns RD_OK,
 * RD_ERR_NOT_FOUND, or an error with err. */
enum rd_err pg_collection(struct pg_store *p, const char *name, int64_t *id, char *model, size_t model_len,
                          int *dim, char *err, size_t errlen);

/* The text of server document doc_id as it was ingested (caller frees
 * *body). Returns RD_OK, RD_ERR_NOT_FOUND, or an error with err. */
enum rd_err pg_document_body(struct pg_store *p, int64_t doc_id, char **body, size_t *len, char *err,
                             size_t errlen);

/* Chunks of collection coll holding a vector. Returns -1 on failure. */
int64_t pg_vector_count(struct pg_store *p, int64_t coll, char *err, size_t errlen);

/* The k chunks of coll whose vectors have the highest inner product with
 * q (dim floats, normalized: cosine), best first, into out; *n how many.
 * exact: a full scan even where the collection has an HNSW index; else
 * the index is used when there is one, with hnsw.ef_search set to ef
 * (clamped to 1..1000). allowed (sorted or not, n_allowed ids): only
 * those chunks, or all when NULL. Returns 0, or -1 with err. */
int pg_vector_search(struct pg_store *p, int64_t coll, const float *q, int dim, size_t k, int ef, bool exact,
                     const int64_t *allowed, size_t n_allowed, struct vec_hit *out, size_t *n, char *err,
                     size_t errlen);

/* Documents, chunks and vectors of a collection on one side. */
struct pg_counts {
	int64_t docs, chunks, vectors;
};

/* What pg_publish or pg_pull did. */
struct pg_copy_report {
	int64_t docs_written, docs_unchanged, docs_deleted;
	int64_t chunks_written, vectors_written;
	struct pg_counts local, server;   /* the collection on each side at the end */
	bool hnsw_built;                  /* pg_publish: the HNSW index was built */
};

/* Make collection name on the server hold what collection name holds in
 * the SQLite store local: every document whose content hash, status or
 * model differs is replaced in one transaction (its chunks, their
 * full-text vectors and embeddings as stored: nothing is embedded again),
 * documents gone locally are deleted, and the counts are compared at the
 * end. Another publish of the same collection waits on an advisory lock.
 * stop, when set, is polled between documents. Returns RD_OK, or an error
 * with err (documents published so far stay whole). */
enum rd_err pg_publish(struct store *local, const char *name, struct pg_store *p,
                       const volatile sig_atomic_t *stop, struct pg_copy_report *rep, char *err, size_t errlen);

/* The reverse of pg_publish: make collection name of the SQLite store
 * local hold what the server's holds (documents, chunks and vectors as
 * stored, nothing embedded again), each changed document written in one
 * transaction, documents the server does not have deleted, counts
 * compared at the end. A local collection holding another model's
 * vectors is refused. stop is polled between documents. Returns RD_OK, or
 * an error with err. */
enum rd_err pg_pull(struct pg_store *p, const char *name, struct store *local, const volatile sig_atomic_t *stop,
                    struct pg_copy_report *rep, char *err, size_t errlen);

#endif
