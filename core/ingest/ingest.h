/* ingest: files -> loader -> chunker -> embedder -> store.
 *
 * Each document is written whole or not at all, and written documents are
 * committed about every second, so a run that is killed keeps them and the
 * next run does only the rest. Unchanged files (same size and mtime, or
 * same content hash, with the same model and pipeline) are skipped; bad
 * files are skipped with a reason and never stop the run. The chunks of
 * several documents are embedded together, in calls of the embedder's
 * group_inputs, so an HTTP embedder keeps its server busy. A collection
 * keeps the first model it was embedded with: a run with another is
 * refused (store/embedding.h).
 *
 * Worker threads read, chunk and (with an embedder that has copies, as the
 * hash embedder does) embed files while the calling thread alone talks to
 * the store; documents are written in the walk's order, so a run on any
 * number of threads stores the same documents, ids, chunks and vectors
 * and sums up the same. Progress is reported on the calling thread. */
#ifndef RAGDECK_INGEST_H
#define RAGDECK_INGEST_H

#include "core/ingest/records.h"

#include <signal.h>
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
	bool missing_ok;         /* a path that does not exist is left out, not an
	                          * error (watch mode: the file went between its
	                          * event and the run; the caller deletes it) */
	int64_t max_file_bytes;
	int chunk_tokens;
	int overlap_tokens;
	int min_chunk_tokens;
	double embed_price_per_mtok;      /* USD per million embedding tokens */
	struct record_fields records;     /* field names of record files (records.h) */
	int threads;             /* threads the run uses, the calling one (the only
	                          * writer) included: 1 does everything on it,
	                          * 0 is one per online core */
	const volatile sig_atomic_t *stop;  /* non-NULL: the run stops soon after *stop
	                                     * turns non-zero (a signal handler's flag) */
};

/* Progress after each file, for a progress bar. */
struct ingest_progress {
	size_t files_done, files_total;
	uint64_t bytes_done, bytes_total;
	size_t chunks;
	size_t embedded;         /* chunks embedded so far */
	long embed_tokens;
	double cost_usd;         /* of the embeddings so far */
	uint64_t elapsed_us;
	const char *current;     /* path being finished */
};

typedef void (*ingest_progress_fn)(void *ud, const struct ingest_progress *p);

struct ingest_skip {
	char *path;
	char *reason;
};

/* What a run did. added, changed, pruned, chunks, invalid_utf8 and stale
 * count what was committed: a document written in a batch that did not
 * commit is in unstored instead. Each file the walk found is added,
 * changed, unchanged, skipped (with its reason), unstored or not reached;
 * a record file's records (records.h) are counted as documents in added,
 * changed, unchanged and skipped, and a record no longer in its file as
 * pruned. */
struct ingest_summary {
	size_t files;            /* files found by the walk */
	size_t added, changed, unchanged, skipped, pruned;
	size_t record_files;     /* files whose records are documents */
	size_t records;          /* records among added, changed and unchanged */
	size_t malformed_records;  /* lines or rows of record files skipped */
	/* What a person should know of a file that is no skip: a record
	 * file's malformed and duplicate records. */
	struct ingest_skip *notes;
	size_t n_notes, cap_notes;
	size_t chunks;           /* chunks committed */
	uint64_t bytes;          /* bytes of files loaded */
	size_t invalid_utf8;     /* sequences repaired with U+FFFD */
	size_t stale;            /* documents written as archived or superseded */
	struct ingest_skip *skips;
	size_t n_skips, cap_skips;
	/* Chunks longer than the model takes, embedded from their first part:
	 * path and "lines A-B". */
	struct ingest_skip *truncated;
	size_t n_truncated, cap_truncated;
	/* Documents written and then lost: their own write failed, or the
	 * batch holding them was rolled back. */
	struct ingest_skip *unstored;
	size_t n_unstored, cap_unstored;
	size_t not_reached;      /* files the run stopped before (failed or interrupted) */
	long embed_tokens;       /* as the server counted them, or estimated */
	bool embed_tokens_estimated;
	int embed_requests, embed_retries;
	double cost_usd;
	bool interrupted;        /* *opts->stop ended the run early */
	int threads;             /* threads the run used, the writer included */
	/* Time per phase, microseconds. */
	uint64_t walk_us, load_us, chunk_us, embed_us, store_us, total_us;
};

/* Options from cfg's ingest keys, its collection (or collection when not
 * NULL) and the price of its embedding model; no globs, no prune, no stop
 * flag. Strings point into cfg. */
struct config;
void ingest_opts_from_config(const struct config *cfg, const char *collection, struct ingest_opts *o);

/* Ingest the files under paths into opts->collection. Returns 0 when the
 * run completed or was stopped (out->interrupted; files may have been
 * skipped: see out->skips), -1 when it could not run or go on (a path
 * does not exist and opts->missing_ok is not set, the collection holds another model's vectors, the
 * embedding server failed, the database failed or the disk is full: err
 * says why; what was committed is kept and counted, what was not is in
 * out->unstored and out->not_reached). Free out with
 * ingest_summary_free (also after -1). */
int ingest_run(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
               const char *const *paths, size_t n_paths, ingest_progress_fn progress, void *ud,
               struct ingest_summary *out, char *err, size_t errlen);

void ingest_summary_free(struct ingest_summary *s);

#endif
