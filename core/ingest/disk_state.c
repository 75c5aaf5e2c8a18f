/* disk_state: a stored document's file against what was ingested. */
#include "core/ingest/disk_state.h"
#include "core/ingest/loader.h"
#include "core/ingest/records.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <errno.h>
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

/* The verdict on file, which stat says is st, without a memo. */
static enum disk_state judge(const char *file, bool record, const struct stat *st,
                             const struct store_doc_state *stored)
{
	if (!S_ISREG(st->st_mode))
		return DISK_CHANGED;
	if (st->st_size == stored->bytes && mtime_ns_of(st) == stored->mtime_ns)
		return DISK_SAME;
	if (record || st->st_size != stored->bytes || st->st_size > (off_t)DISK_STATE_HASH_MAX)
		return DISK_CHANGED;
	char now[17];
	if (!hash_file(file, now))
		return DISK_UNREADABLE;
	return strcmp(now, stored->content_hash) == 0 ? DISK_SAME : DISK_CHANGED;
}

enum disk_state disk_state_of(const char *path, const struct store_doc_state *stored, struct disk_memo *memo)
{
	bool record = strcmp(stored->format, RECORD_FORMAT) == 0 && records_file_len(path) > 0;
	char *file = record ? xstrndup(path, records_file_len(path)) : xstrdup(path);
	struct stat st;
	enum disk_state state;
	if (stat(file, &st) != 0) {
		state = errno == ENOENT || errno == ENOTDIR ? DISK_MISSING : DISK_UNREADABLE;
	} else if (memo && memo->valid && memo->size == st.st_size && memo->mtime_ns == mtime_ns_of(&st)) {
		state = memo->state;
	} else {
		state = judge(file, record, &st, stored);
		if (memo)
			*memo = (struct disk_memo){ .valid = true, .size = st.st_size, .mtime_ns = mtime_ns_of(&st),
			                            .state = state };
	}
	free(file);
	return state;
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
