/* The database's files on disk: the modes of its -wal and -shm files, and
 * what an SQLite failure on them means for the user. */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const side_suffix[] = { "-wal", "-shm" };

void store_match_side_modes(const char *path)
{
	struct stat db, st;
	if (stat(path, &db) != 0 || !S_ISREG(db.st_mode))
		return;
	mode_t want = (db.st_mode & 0777) | 0600;
	for (size_t i = 0; i < sizeof side_suffix / sizeof side_suffix[0]; i++) {
		char side[PATH_MAX];
		if (snprintf(side, sizeof side, "%s%s", path, side_suffix[i]) >= (int)sizeof side)
			continue;
		/* lstat: a symbolic link is not ours to follow. A failed chmod
		 * leaves the file to store_advice. */
		if (lstat(side, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    (st.st_mode & 0777) != want)
			(void)chmod(side, want);
	}
}

/* The directory holding path, absolute when it can be resolved. */
static void dir_of(const char *path, char *out, size_t n)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s", path);
	const char *dir = dirname(copy);
	char *real = realpath(dir, NULL);
	snprintf(out, n, "%s", real ? real : dir);
	free(real);
}

static bool disk_full(sqlite3 *db, int rc)
{
	return (rc & 0xff) == SQLITE_FULL ||
	       ((rc & 0xff) == SQLITE_IOERR && db && sqlite3_system_errno(db) == ENOSPC);
}

static bool writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

/* Why this process cannot write the database at path, into out: the first
 * of the file, its -wal and -shm files and its directory that it may not
 * write, with what to do. False when all of them can be written. */
static bool name_unwritable(const char *path, char *out, size_t n)
{
	char file[PATH_MAX + 8], dir[PATH_MAX];
	struct stat st;
	if (stat(path, &st) == 0 && !writable(path)) {
		snprintf(out, n, "%s is not writable (mode %04o): make it writable (chmod u+w) or pass --db PATH", path,
		         (unsigned)(st.st_mode & 07777));
		return true;
	}
	snprintf(file, sizeof file, "%s-wal", path);
	if (stat(file, &st) == 0 && !writable(file)) {
		snprintf(out, n,
		         "%s is not writable (mode %04o, owner uid %u), left by a connection that ran as another user "
		         "or could only read: give it the database's owner and mode (it may hold committed writes: do "
		         "not delete it)",
		         file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		return true;
	}
	snprintf(file, sizeof file, "%s-shm", path);
	if (stat(file, &st) == 0 && !writable(file)) {
		snprintf(out, n,
		         "%s is not writable (mode %04o, owner uid %u), left by a connection that ran as another user "
		         "or could only read: when no ragdeck is running, delete it (SQLite makes it again) or give it "
		         "the database's owner and mode",
		         file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		return true;
	}
	dir_of(path, dir, sizeof dir);
	if (!writable(dir)) {
		snprintf(out, n,
		         "its directory %s is not writable and SQLite makes the -wal and -shm files there: make it "
		         "writable or pass --db PATH",
		         dir);
		return true;
	}
	return false;
}

enum rd_err store_code(sqlite3 *db, int rc)
{
	if (disk_full(db, rc))
		return RD_ERR_FULL;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return RD_ERR_LOCKED;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return RD_ERR_CORRUPT;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return RD_ERR_READ_ONLY;
	default:
		return RD_ERR_IO;
	}
}

void store_advice(const char *path, sqlite3 *db, int rc, char *out, size_t n)
{
	char why[3 * PATH_MAX];
	out[0] = '\0';
	if (disk_full(db, rc)) {
		dir_of(path, why, sizeof why);
		snprintf(out, n, ": the disk holding %s is full: free space there, then run the same command again", why);
		return;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(out, n, ": another process is writing to it; retry when it is done");
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(out, n, ": the file is damaged; move it aside and ingest again");
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		if (name_unwritable(path, why, sizeof why))
			snprintf(out, n, ": %s", why);
		break;
	default:
		break;
	}
}
