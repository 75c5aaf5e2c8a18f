/* disk_state: whether a stored document's file still holds what was
 * ingested — the check behind the "stale" mark on a citation. */
#ifndef RAGDECK_DISK_STATE_H
#define RAGDECK_DISK_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct store_doc_state;

enum disk_state {
	DISK_SAME,       /* size and mtime as stored, or new mtime, same bytes */
	DISK_CHANGED,    /* its content differs from what was ingested */
	DISK_MISSING,    /* the file is gone */
	DISK_UNREADABLE, /* it exists and cannot be read or checked */
};

/* Files larger than this are called changed on a new mtime without
 * reading them to compare hashes. */
#define DISK_STATE_HASH_MAX (64u << 20)

/* The file as the last check saw it, and its verdict: a file whose size
 * and mtime have not moved since is not read again. Zero-initialise. */
struct disk_memo {
	bool valid;
	int64_t size, mtime_ns;
	enum disk_state state;
};

/* Compare the file at path with what the store recorded at ingest
 * (stored: size, mtime in nanoseconds, content hash — hash64_hex of the
 * raw bytes — and format). A size or mtime that differs is confirmed by
 * reading and hashing the file (up to DISK_STATE_HASH_MAX), so a file only
 * touched is not called changed. A record of an export (format "record",
 * path "FILE#ID") is checked through FILE, by size and mtime only. memo
 * (may be NULL) spares the reading when the file has not moved since the
 * check that filled it; forget it (zero it) when the store changes. */
enum disk_state disk_state_of(const char *path, const struct store_doc_state *stored, struct disk_memo *memo);

/* A word for the state: "", "stale", "deleted" or "unreadable"; static. */
const char *disk_state_name(enum disk_state s);

#endif
