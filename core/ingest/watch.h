/* watch: keep a collection in step with files through inotify.
 *
 * A watcher covers roots (files or directories; directories recursively,
 * new subdirectories watched as they appear) with the walk's rules
 * (walk_name_ignored, the include and exclude globs), so hidden files,
 * .git and editors' temporaries never cause work. It has no thread, no
 * signal handler and prints nothing: its owner polls watch_fd, calls
 * watch_read when it is readable and watch_take_due when
 * watch_timeout_ms says a path is due, and applies each batch with
 * watch_apply. Time is passed in (milliseconds of a monotonic clock), so
 * the debounce can be tested without sleeping.
 *
 * A path is due once it has been quiet for the debounce interval, or once
 * it has been waiting for max_delay_ms since its first event (a file
 * written all the time still gets in). A rename inside the tree is the
 * old path gone and the new one changed (the pair is matched by cookie to
 * move a directory's watches); a rename out is a delete, a rename in a new
 * path; an editor's save by rename ends as one change of the target. A
 * lost event (IN_Q_OVERFLOW) or a directory that could not be watched
 * (the inotify watch limit) turns the next batch into a rescan of the
 * roots, with the reason. */
#ifndef RAGDECK_WATCH_H
#define RAGDECK_WATCH_H

#include "core/ingest/ingest.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct embedder;

#define WATCH_DEBOUNCE_MS_DEFAULT 300
#define WATCH_MAX_DELAY_MS_DEFAULT 5000

/* The globs are borrowed: they must outlive the watcher. */
struct watch_opts {
	const char *const *include;  /* the walk's globs (walk.h) */
	size_t n_include;
	const char *const *exclude;
	size_t n_exclude;
	int debounce_ms;             /* quiet time before a path is due; 0: the default */
	int max_delay_ms;            /* longest wait after a path's first event; 0: the default */
	const char *ignore_prefix;   /* NULL, or the database's path: the paths that
	                              * start with it (its -wal, -shm and vector
	                              * index files) never cause work, so a store
	                              * inside a watched tree does not feed itself */
};

/* What is due: paths to ingest again and paths gone (a directory with
 * every document under it), or a rescan. A path can be in both lists (a
 * directory deleted and made again: its old documents go, the new tree
 * comes in). */
struct watch_batch {
	char **changed;              /* canonical absolute paths; a rescan: the roots */
	size_t n_changed;
	char **deleted;
	size_t n_deleted;
	bool rescan;                 /* ingest the roots again, with prune */
	char reason[512];            /* why, when rescan */
};

/* What became of one document or file of a batch. */
enum watch_outcome {
	WATCH_ADDED,
	WATCH_UPDATED,               /* its content, model or chunking changed */
	WATCH_REMOVED,
	WATCH_SKIPPED,               /* see the summary's skips for why */
};

struct watch_change {
	char *path;
	enum watch_outcome outcome;
};

/* What watch_apply did. The counts are the ingest run's (committed
 * documents only) plus the documents watch_apply deleted. */
struct watch_result {
	struct watch_change *changes; /* removals, then what the run did by path,
	                               * then skips; unchanged files are not named */
	size_t n_changes, cap_changes;
	size_t added, updated, removed, unchanged, skipped;
	bool rescanned;
	struct ingest_summary summary; /* the run's (zero when none ran), with skip reasons */
	uint64_t elapsed_us;
};

struct watch;

/* Watch roots (each an existing file or directory) with o (NULL: no
 * globs, default times). Returns 0 with *out, or -1 with err (no inotify
 * instance: the per-user instance limit; a root that does not exist).
 * A subdirectory that cannot be watched is not an error: the first
 * batch is then a rescan saying so. Free with watch_free. */
int watch_open(const char *const *roots, size_t n_roots, const struct watch_opts *o, struct watch **out,
               char *err, size_t errlen);

/* Close the inotify descriptor and free; NULL-safe; clears *w. */
void watch_free(struct watch **w);

/* The descriptor to poll for POLLIN (non-blocking, close-on-exec). */
int watch_fd(const struct watch *w);

/* Read every event queued on the descriptor without blocking and take
 * them in at now_ms. Returns the number of events read (0: none queued),
 * or -1 with err when the read failed. */
int watch_read(struct watch *w, uint64_t now_ms, char *err, size_t errlen);

/* Take in len bytes of struct inotify_event records (what a read of the
 * descriptor returns; aligned for struct inotify_event) at now_ms, and
 * return how many. watch_read calls it; tests feed it events the kernel
 * is hard to make send (IN_Q_OVERFLOW). */
size_t watch_feed(struct watch *w, const void *buf, size_t len, uint64_t now_ms);

/* Milliseconds from now_ms until the first path is due (0: one is due),
 * or -1 when nothing is pending: a poll timeout. */
int watch_timeout_ms(const struct watch *w, uint64_t now_ms);

/* Move what is due at now_ms into *out (zeroed first). Returns true when
 * the batch holds anything; paths not due yet stay pending. Free with
 * watch_batch_free. */
bool watch_take_due(struct watch *w, uint64_t now_ms, struct watch_batch *out);

/* Free what b holds and zero it; NULL-safe. */
void watch_batch_free(struct watch_batch *b);

/* Apply b to opts->collection: the documents of deleted paths (and of
 * every path under a deleted directory, and of a changed path that no
 * longer exists) are deleted in one transaction; the changed paths that
 * exist go through ingest_run (its crash safety, its freshness checks),
 * with prune for a rescan. opts->stop stops it as it stops an ingest
 * (out->summary.interrupted). Returns 0, or -1 with err (the store or the
 * embedder failed: what committed is kept and counted). Free out with
 * watch_result_free (also after -1). */
int watch_apply(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
                const struct watch_batch *b, struct watch_result *out, char *err, size_t errlen);

/* Free what r holds and zero it; NULL-safe. */
void watch_result_free(struct watch_result *r);

/* "added", "updated", "removed" or "skipped". */
const char *watch_outcome_name(enum watch_outcome o);

#endif
