/* replay: the store's floor for an ingest benchmark.
 *
 * Writes the documents an ingest run stored (their bodies, chunks with
 * heading paths and byte ranges, and vectors) into a fresh database
 * through the store's own insert path (store_doc_put in batches committed
 * about every second, as ingest commits), with nothing else: no walk, no
 * loading, chunking or embedding. Only the writes are timed, so the result
 * is the fastest ingest could go with this store on one writer. */
#ifndef RAGDECK_BENCH_REPLAY_H
#define RAGDECK_BENCH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct replay_result {
	size_t documents, chunks;
	uint64_t write_us;   /* time inside the store's write calls */
};

/* Replay every document of the database at src into a new database at
 * dst (which must not exist), in document id order. With fts false,
 * chunks_fts in dst is replaced by a view whose inserts do nothing, to
 * show what the full-text index costs. Returns 0, or -1 with err. */
int replay_store(const char *src, const char *dst, bool fts, struct replay_result *out, char *err,
                 size_t errlen);

#endif
