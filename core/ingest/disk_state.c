/* disk_state: a stored document's file against what was ingested. */
#include "core/ingest/disk_state.h"
#include "core/ingest/loader.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int64_t mtime_ns_of(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The file at path hashed like ingest hashes it; false when unreadable. */
static bool hash_file(const char *path, char out[17])
{
	char *data = NULL, err[256];
	size_t len = 0;
	if (loader_read_file(path, DISK_STATE_HASH_MAX, &data, &len, err, sizeof err) != LOADER_OK)
		return false;
	hash64_hex(data, len, out);
	free(data);
	return true;
}

/* A record's file: path cut at its last '#', when that exists. */
static enum disk_state record_file_state(const char *path, int64_t bytes, int64_t mtime_ns)
{
	const char *hash = strrchr(path, '#');
	const char *slash = strrchr(path, '/');
	if (!hash || (slash && hash < slash))
		return DISK_MISSING;
	char *file = xstrndup(path, (size_t)(hash - path));
	struct stat st;
	int rc = stat(file, &st);
	free(file);
	if (rc != 0)
		return errno == ENOENT || errno == ENOTDIR ? DISK_MISSING : DISK_UNREADABLE;
	return st.st_size == bytes && mtime_ns_of(&st) == mtime_ns ? DISK_SAME : DISK_CHANGED;
}

enum disk_state disk_state_of(const char *path, int64_t bytes, int64_t mtime_ns, const char *hash)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return record_file_state(path, bytes, mtime_ns);
		return DISK_UNREADABLE;
	}
	if (!S_ISREG(st.st_mode))
		return DISK_CHANGED;
	if (st.st_size == bytes && mtime_ns_of(&st) == mtime_ns)
		return DISK_SAME;
	if (st.st_size != bytes || st.st_size > (off_t)DISK_STATE_HASH_MAX)
		return DISK_CHANGED;
	char now[17];
	if (!hash_file(path, now))
		return DISK_UNREADABLE;
	return strcmp(now, hash) == 0 ? DISK_SAME : DISK_CHANGED;
}

const char *disk_state_name(enum disk_state s)
{
	switch (s) {
	case DISK_CHANGED: return "stale";
	case DISK_MISSING: return "deleted";
	case DISK_UNREADABLE: return "unreadable";
	case DISK_SAME: break;
	}
	return "";
}
