/* watch internals shared by watch.c (inotify: directories, events, the
 * watcher) and watch_pending.c (the pending paths, their debounce and the
 * batches), and the one helper watch_apply.c borrows. */
#ifndef RAGDECK_WATCH_INT_H
#define RAGDECK_WATCH_INT_H

#include "core/ingest/watch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A pending path's state: changed (ingest it), gone (delete its
 * documents), gone as a directory (everything under it goes, also when
 * it comes back: then it is gone and changed), changed as a directory
 * (its walk takes in the paths pending under it). */
#define P_CHANGED 1u
#define P_GONE 2u
#define P_GONE_DIR 4u
#define P_CHANGED_DIR 8u

struct root {
	char *path;                  /* canonical */
	bool is_dir;
};

struct wdir {
	int wd;
	char *path;
};

struct pend {
	char *path;
	unsigned flags;
	uint64_t first_ms, last_ms;
};

/* A directory renamed from a watched place, waiting for its other half
 * in the same feed. */
struct move {
	uint32_t cookie;
	char *path;
	bool paired;
};

struct watch {
	int fd;
	struct root *roots;
	size_t n_roots;
	struct watch_opts opts;
	char *ignore;                /* opts.ignore_prefix made canonical, or NULL */
	struct wdir *dirs;
	size_t n_dirs, cap_dirs;
	struct pend *pend;
	size_t n_pend, cap_pend;
	struct move *moves;
	size_t n_moves, cap_moves;
	bool rescan;
	uint64_t rescan_first, rescan_last;
	size_t rescan_causes;
	char reason[512];
};

/* True when path is dir or below it. */
bool watch_under(const char *path, const char *dir);

/* Make the next batch a rescan (the first reason is kept, later causes
 * counted); its quiet time restarts at now_ms. */
void watch_rescan_because(struct watch *w, uint64_t now_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A file or directory path written, made or moved in at now_ms. */
void watch_mark_changed(struct watch *w, const char *path, bool is_dir, uint64_t now_ms);

/* A path removed or moved away at now_ms. */
void watch_mark_gone(struct watch *w, const char *path, bool is_dir, uint64_t now_ms);

/* Free the pending paths of w. */
void watch_pending_free(struct watch *w);

#endif
