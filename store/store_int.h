/* store internals shared by store/store*.c; not for other modules. */
#ifndef RAGDECK_STORE_INT_H
#define RAGDECK_STORE_INT_H

#include "core/util/error.h"

#include <sqlite3.h>
#include <stddef.h>

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

#endif
