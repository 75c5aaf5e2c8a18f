/* store: the SQLite knowledge store (collections, documents, chunks, FTS5,
 * embeddings).
 *
 * One struct store wraps one connection; it is not shared between threads.
 * Writes of one document happen in one transaction, so a crash at any point
 * leaves either the old or the new version of that document, never a mix. */
#ifndef RAGDECK_STORE_H
#define RAGDECK_STORE_H

#include "core/util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Open (creating, mode 0600, with missing parent directories 0700) the
 * database at path: WAL, foreign keys, busy timeout, schema migrations.
 * The -wal and -shm files this process owns get the database's mode plus
 * owner read and write (a stale 0400 -shm would refuse every write).
 * A directory, a corrupt, foreign or locked file, a full disk or a file
 * that cannot be written gives an error naming the path and what to do,
 * and its code: RD_ERR_INVALID (a directory), RD_ERR_LOCKED,
 * RD_ERR_CORRUPT, RD_ERR_READ_ONLY, RD_ERR_FULL, RD_ERR_VERSION (a newer
 * schema) or RD_ERR_IO. Returns RD_OK or that code. Caller closes with
 * store_close. */
enum rd_err store_open(const char *path, struct store **out, char *err, size_t errlen);

/* Close and free; NULL-safe; clears *s. */
void store_close(struct store **s);

/* The path the store was opened with. */
const char *store_path(const struct store *s);

/* Write "WHAT: <SQLite's message> (database PATH)" into err, plus what to do
 * when the database is locked by another writer or damaged, when the disk
 * holding it is full (naming the directory), or when a write fails because
 * the database, its -wal or -shm file or its directory cannot be written
 * (naming which). Returns -1. */
int store_error(struct store *s, const char *what, char *err, size_t errlen);

/* store_error's message, returning the failure's code: RD_ERR_LOCKED,
 * RD_ERR_CORRUPT, RD_ERR_READ_ONLY, RD_ERR_FULL or RD_ERR_IO. */
enum rd_err store_fail(struct store *s, const char *what, char *err, size_t errlen);

/* Id of the collection called name. With create, a missing one is made.
 * Returns RD_OK, RD_ERR_NOT_FOUND when absent and !create, or the
 * failure's code with err. */
enum rd_err store_collection_id(struct store *s, const char *name, bool create, int64_t *id,
                                char *err, size_t errlen);

/* What the store remembers of a document, to decide whether to redo it. */
struct store_doc_state {
	int64_t id;
	int64_t bytes;
	int64_t mtime_ns;
	char content_hash[33];
	char embed_model[256];
	char pipeline[128];
	char format[16];          /* loader format name, or "record" */
};

/* Look up the document at path in collection coll. Returns RD_OK when
 * found (out filled), RD_ERR_NOT_FOUND when absent, or the failure's code
 * with err. */
enum rd_err store_doc_state(struct store *s, int64_t coll, const char *path,
                            struct store_doc_state *out, char *err, size_t errlen);

/* What the store remembers of document id (any collection), into out.
 * Returns RD_OK, RD_ERR_NOT_FOUND, or the failure's code with err. */
enum rd_err store_doc_state_of_id(struct store *s, int64_t id, struct store_doc_state *out, char *err,
                                  size_t errlen);

/* A stored document's path and state. */
struct store_doc_sub {
	char *path;
	struct store_doc_state state;
};

/* The documents of collection coll that are records of the export at
 * file: format "record", path "<file>#<id>" with no '#' in the id, ordered
 * by path (byte order), into *rows (caller frees with store_doc_subs_free).
 * Returns 0 or -1 with err. */
int store_doc_records(struct store *s, int64_t coll, const char *file, struct store_doc_sub **rows, size_t *n,
                      char *err, size_t errlen);

/* Free rows[0..n) and their paths; NULL-safe. */
void store_doc_subs_free(struct store_doc_sub *rows, size_t n);

/* A document to write: body is the normalised text the chunks refer to. */
struct store_doc_in {
	const char *path;
	const char *format;
	const char *title;        /* may be NULL */
	const char *content_hash; /* hex, at most 32 characters */
	int64_t bytes;            /* size of the file on disk */
	int64_t mtime_ns;
	const char *body;
	size_t body_len;
	int64_t invalid_utf8;     /* sequences replaced with U+FFFD */
	const char *embed_model;
	int dim;
	const char *pipeline;      /* what made the chunks (see ingest); NULL: "" */
	const char *status;        /* "current", "archived", "superseded"; NULL: current */
	const char *status_reason; /* the evidence for status; may be NULL */
	const char *superseded_by; /* the successor's path; may be NULL */
	const char *effective_date, *reviewed_date, *released_date; /* YYYY-MM-DD or NULL */
};

/* One chunk of the body: text is body[byte_start, byte_end). */
struct store_chunk_in {
	int64_t byte_start, byte_end;
	int line_start, line_end;
	int page_start, page_end; /* 0: the document has no pages */
	const char *heading_path;
	int tokens;
	const float *vector; /* dim floats */
};

/* Insert or replace the document at doc->path in one transaction (a
 * savepoint inside a batch): old
 * chunks, FTS rows and vectors go, new ones come in; first_seen is kept,
 * last_changed and change_count advance on replacement. *replaced tells
 * which happened. Returns 0 or -1 with err (nothing written). */
int store_doc_put(struct store *s, int64_t coll, const struct store_doc_in *doc,
                  const struct store_chunk_in *chunks, size_t n_chunks, int64_t now,
                  bool *replaced, char *err, size_t errlen);

/* Group the following writes into one transaction until
 * store_batch_commit: ingest commits about every second instead of per
 * document, which keeps FTS5 from flushing a tiny segment per commit.
 * Each document still gets a savepoint, and a crash loses only whole
 * uncommitted documents. The first batch on a database also sets the
 * full-text index's pending size to hold a batch (store.c). Returns 0 or
 * -1 with err. */
int store_batch_begin(struct store *s, char *err, size_t errlen);

/* Commit the open batch (no-op when none is open). On failure the batch is
 * rolled back: none of its documents are stored, also when SQLite had
 * already rolled it back on its own after an error (a full disk). Returns
 * 0 or -1 with err. */
int store_batch_commit(struct store *s, char *err, size_t errlen);

/* Record a new size and mtime of its file for a document whose content
 * did not change (a record's file changes size when another record of it
 * does). Returns 0 or -1 with err. */
int store_doc_touch(struct store *s, int64_t doc_id, int64_t bytes, int64_t mtime_ns, char *err,
                    size_t errlen);

/* Delete a document with its chunks, FTS rows and vectors. */
int store_doc_delete(struct store *s, int64_t doc_id, char *err, size_t errlen);

/* One row of a document listing. */
struct store_doc_row {
	int64_t id;
	char *collection;
	char *path;
	char *format;
	char *title;         /* NULL when none */
	int64_t bytes;
	int64_t n_chunks;
	int64_t first_seen, last_changed, change_count;
	int64_t invalid_utf8;
	char *status;        /* "current", "archived", "superseded" */
	char *status_reason; /* "" when current */
	char *superseded_by; /* NULL when none */
	char *effective_date, *reviewed_date, *released_date; /* NULL when unknown */
};

/* Documents of collection coll (0: all collections), ordered by path.
 * Caller frees with store_doc_rows_free. */
int store_docs_list(struct store *s, int64_t coll, struct store_doc_row **rows, size_t *n,
                    char *err, size_t errlen);
void store_doc_rows_free(struct store_doc_row *rows, size_t n);

/* Document doc_id as store_docs_list gives it, into *row (caller frees
 * with store_doc_rows_free(*row, 1) on RD_OK; NULL otherwise), without
 * reading the others. Returns RD_OK, RD_ERR_NOT_FOUND, or the failure's
 * code with err. */
enum rd_err store_doc_get(struct store *s, int64_t doc_id, struct store_doc_row **row, char *err, size_t errlen);

/* The documents of collection coll (0: every collection) that path
 * names, the one lookup of `chunks`, `search --explain` and the app's
 * :why-not: when path is a file on disk, its canonical path (realpath,
 * as ingest stores it), so "./refunds.md" and "../kb/refunds.md" work;
 * else, or when that is not stored, path as given: the document stored
 * at it exactly, or else those whose stored path ends in it at a '/'
 * ("billing/refunds.md" names "/kb/billing/refunds.md", "efunds.md"
 * names nothing; bytes compared as they are, case too). *ids (caller
 * frees, also on failure) and *n get them, by path. Returns RD_OK
 * (exactly one), RD_ERR_NOT_FOUND (none), RD_ERR_AMBIGUOUS (several, all
 * in *ids), or the failure's code with err. */
enum rd_err store_doc_find(struct store *s, int64_t coll, const char *path, int64_t **ids, size_t *n, char *err,
                           size_t errlen);

/* The stored path of document doc_id; NULL when absent. Caller frees. */
char *store_doc_path(struct store *s, int64_t doc_id);

/* The normalised body of document doc_id (the text its chunks' byte
 * ranges refer to) into *body, NUL-terminated, *len its length without
 * the NUL. Returns RD_OK (caller frees *body), RD_ERR_NOT_FOUND, or the
 * failure's code with err; *body is NULL unless RD_OK. */
enum rd_err store_doc_body(struct store *s, int64_t doc_id, char **body, size_t *len, char *err, size_t errlen);

/* One chunk as stored. */
struct store_chunk_row {
	int64_t id;
	int ordinal;
	int64_t byte_start, byte_end;
	int line_start, line_end;
	int page_start, page_end; /* 0: the document has no pages */
	int tokens;
	char *heading_path;
	char *text;
};

/* Chunks of one document in order. Caller frees with store_chunk_rows_free. */
int store_chunks_of_doc(struct store *s, int64_t doc_id, struct store_chunk_row **rows,
                        size_t *n, char *err, size_t errlen);
void store_chunk_rows_free(struct store_chunk_row *rows, size_t n);

/* Change history of a document (the router's volatility signal). Returns
 * 0, 1 when absent, -1 with err. */
int store_doc_history(struct store *s, int64_t doc_id, int *change_count, int64_t *first_seen,
                      int64_t *last_changed, char *err, size_t errlen);

/* Run PRAGMA integrity_check; returns 0 when "ok", -1 with the first
 * problem in err otherwise. */
int store_integrity_check(struct store *s, char *err, size_t errlen);

#endif
