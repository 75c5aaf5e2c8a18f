/* vecsync: keep an in-memory vector index in step with the embeddings
 * table, including writes made by other processes.
 *
 * Chunk ids only grow (AUTOINCREMENT) and every deleted chunk leaves a
 * tombstone with a growing sequence number, so catching up is two indexed
 * range reads: new vectors above the last chunk id seen, and tombstones
 * above the last sequence seen. Nothing is reloaded. */
#ifndef RAGDECK_VECSYNC_H
#define RAGDECK_VECSYNC_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct vec_index;

/* Where an index stands relative to the table. Zero-initialise, then set
 * collection, model and dim. */
struct vec_sync {
	int64_t collection;
	char model[256];
	int dim;
	int64_t last_chunk_id;
	int64_t last_tombstone;
	size_t added, removed;    /* by the last call */
};

/* Bring idx up to date with the committed state of the store (one read
 * transaction, so it sees a consistent snapshot). Vectors of another model
 * or dimension are ignored. Returns 0 or -1 with err. */
int vec_sync_catch_up(struct store *s, struct vec_index *idx, struct vec_sync *sync, char *err,
                      size_t errlen);

#endif
