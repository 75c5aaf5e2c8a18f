/* disk_state: whether a stored document's file still holds what was
 * ingested — the check behind the "stale" mark on a citation. */
#ifndef RAGDECK_DISK_STATE_H
#define RAGDECK_DISK_STATE_H

#include <stdint.h>

enum disk_state {
	DISK_SAME,       /* size and mtime as stored, or new mtime, same bytes */
	DISK_CHANGED,    /* its content differs from what was ingested */
	DISK_MISSING,    /* the file is gone */
	DISK_UNREADABLE, /* it exists and cannot be read or checked */
};

/* Files larger than this are called changed on a new mtime without
 * reading them to compare hashes. */
#define DISK_STATE_HASH_MAX (64u << 20)

/* Compare the file at path with what the store recorded at ingest: its
 * size, mtime (nanoseconds) and content hash (core/util/hash.h hash64_hex
 * of the raw bytes). A size or mtime that differs is confirmed by reading
 * and hashing the file (up to DISK_STATE_HASH_MAX), so a file only touched
 * is not called changed. A record of an export (path "FILE#ID") whose
 * path does not exist is checked through FILE, by size and mtime only. */
enum disk_state disk_state_of(const char *path, int64_t bytes, int64_t mtime_ns, const char *hash);

/* A word for the state: "", "stale", "deleted" or "unreadable"; static. */
const char *disk_state_name(enum disk_state s);

#endif
