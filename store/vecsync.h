/* vecsync: keep a collection's vectors in memory in step with the
 * embeddings table, including writes made by other processes.
 *
 * Chunk ids only grow (AUTOINCREMENT) and every deleted chunk leaves a
 * tombstone with a growing sequence number, so catching up is two indexed
 * range reads: new vectors above the last chunk id seen, and tombstones
 * above the last sequence seen. Nothing is reloaded. Vectors replaced in
 * place (a finished re-embedding) change the collection's generation
 * instead, and everything is loaded again. */
#ifndef RAGDECK_VECSYNC_H
#define RAGDECK_VECSYNC_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct vec_index;

/* Where the vectors in memory stand relative to the table. Zero-initialise,
 * then set collection, model and dim; a persisted index (store/vecfile.h)
 * sets the rest to what it holds. */
struct vec_sync {
	int64_t collection;
	char model[256];
	int dim;
	int64_t generation;       /* the collection's vec_generation; 0: not read yet */
	int64_t last_chunk_id;
	int64_t last_tombstone;
	size_t added, removed;    /* by the last call */
};

/* Bring the vectors up to date with the committed state of the store (one
 * read transaction, so a consistent snapshot): new vectors into delta,
 * deleted chunks out of delta or, when base (NULL-safe) holds them,
 * removed there. Vectors of another model or dimension are ignored.
 * Returns 0; 1 when the collection's generation is no longer sync's
 * (nothing was read; sync->generation is the new one: start again from an
 * empty delta and last ids of 0, or from a persisted index of the new
 * generation); -1 with err. */
int vec_sync_catch_up(struct store *s, struct vec_index *base, struct vec_index *delta,
                      struct vec_sync *sync, char *err, size_t errlen);

/* How far the database has moved past sync (one read transaction): the
 * collection's generation now, the vectors added and the chunks deleted
 * (of any collection: an upper bound) after sync's last ids. Returns 0 or
 * -1 with err. */
int vec_sync_pending(struct store *s, const struct vec_sync *sync, int64_t *generation, size_t *added,
                     size_t *deleted, char *err, size_t errlen);

#endif
