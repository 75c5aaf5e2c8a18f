/* ingest: files -> loader -> chunker -> embedder -> store.
 *
 * Each document is written in one transaction. Unchanged files (same size
 * and mtime, or same content hash) are skipped; bad files are skipped with a
 * reason and never stop the run. */
#ifndef RAGDECK_INGEST_H
#define RAGDECK_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct embedder;

struct ingest_opts {
	const char *collection;
	const char *const *include;
	size_t n_include;
	const char *const *exclude;
	size_t n_exclude;
	bool prune;              /* drop documents of the collection whose file is gone */
	int64_t max_file_bytes;
	int chunk_tokens;
	int overlap_tokens;
	int min_chunk_tokens;
};

/* Progress after each file, for a progress bar. */
struct ingest_progress {
	size_t files_done, files_total;
	uint64_t bytes_done, bytes_total;
	size_t chunks;
	uint64_t elapsed_us;
	const char *current;     /* path being finished */
};

typedef void (*ingest_progress_fn)(void *ud, const struct ingest_progress *p);

struct ingest_skip {
	char *path;
	char *reason;
};

struct ingest_summary {
	size_t files;            /* files found by the walk */
	size_t added, changed, unchanged, skipped, pruned;
	size_t chunks;           /* chunks written */
	uint64_t bytes;          /* bytes of files loaded */
	size_t invalid_utf8;     /* sequences repaired with U+FFFD */
	size_t stale;            /* documents written as archived or superseded */
	struct ingest_skip *skips;
	size_t n_skips, cap_skips;
	/* Time per phase, microseconds. */
	uint64_t walk_us, load_us, chunk_us, embed_us, store_us, total_us;
};

/* Ingest the files under paths into opts->collection. Returns 0 when the
 * run completed (files may have been skipped: see out->skips), -1 when it
 * could not run at all (err says why). Free out with ingest_summary_free. */
int ingest_run(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
               const char *const *paths, size_t n_paths, ingest_progress_fn progress, void *ud,
               struct ingest_summary *out, char *err, size_t errlen);

void ingest_summary_free(struct ingest_summary *s);

#endif
