/* store internals shared by the .c files of store/: the raw connection
 * and what runs on it. No module outside store/ includes this (store owns
 * all SQL); the unit tests may, to look at or damage a database. */
#ifndef RAGDECK_STORE_INT_H
#define RAGDECK_STORE_INT_H

#include "core/util/error.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct fts_tokenizer;

/* The underlying connection, for the store's modules that run their own
 * queries. Owned by the store. */
sqlite3 *store_db(struct store *s);

/* Step st to its end, reading each row with read_row into a growing array
 * of elem-byte elements; *rows (caller frees, also on failure) and *n get
 * what was read. Returns 0 when every row was read, -1 when a step failed. */
int store_read_rows(sqlite3_stmt *st, size_t elem, void **rows, size_t *n,
                    void (*read_row)(sqlite3_stmt *st, void *row));

/* Register ragdeck_rank (store/fts.h) on db. Returns 0, or -1 with err
 * when FTS5 is missing from this SQLite. */
int fts_rank_register(sqlite3 *db, char *err, size_t errlen);

/* The index's tokenizer on db's FTS5 (fts_tokenizer_open on a bare
 * connection); NULL when FTS5 or the tokenizer is missing. Free with
 * fts_tokenizer_free. */
struct fts_tokenizer *fts_tokenizer_open_db(sqlite3 *db);

/* Give the -wal and -shm files of the database at path that this process
 * owns the database's mode plus owner read and write, so a file made by a
 * connection that could only read (or while the database was 0400) does
 * not keep every later writer out. Files of other owners are left alone;
 * store_advice names them when they get in the way. */
void store_match_side_modes(const char *path);

/* What to do about SQLite result rc (extended codes) on the database at
 * path, db its connection or NULL: ": ..." or "" into out. A full disk
 * (SQLITE_FULL, or an I/O error with errno ENOSPC) names the directory;
 * a read-only failure names the first of the database, its -wal and -shm
 * files and its directory that cannot be written; a lock or damage says
 * what to do. */
void store_advice(const char *path, sqlite3 *db, int rc, char *out, size_t n);

/* The error code of SQLite result rc (extended codes) on connection db
 * (or NULL): a full disk, a lock, damage, a file that cannot be written,
 * or RD_ERR_IO. */
enum rd_err store_code(sqlite3 *db, int rc);

struct vec_sync;

/* Read the committed state sync stands for into it, within the caller's
 * read transaction: the collection's generation, the last tombstone and
 * the highest chunk id. Returns 0 or -1 (SQLite failed). */
int vec_sync_snapshot(sqlite3 *db, struct vec_sync *sync);

/* How many vectors of sync's collection, model and dimension (BLOBs of dim
 * floats) have a chunk id above after. Returns 0 or -1. */
int vec_sync_count(sqlite3 *db, const struct vec_sync *sync, int64_t after, size_t *count);

/* Hand each of those vectors to fn in chunk id order (v: dim floats, valid
 * for the call). fn returns 0 to go on; anything else stops the walk and
 * is returned. Returns 0 at the end, -1 when SQLite failed. */
int vec_sync_each(sqlite3 *db, const struct vec_sync *sync, int64_t after,
                  int (*fn)(void *ud, int64_t id, const float *v), void *ud);

#endif
