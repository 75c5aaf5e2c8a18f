/* vec_idmap: id -> row slot hash map for the vector index.
 *
 * Open addressing with linear probing, at most half full; removal shifts
 * later entries back, so there are no tombstones and lookups stay short
 * however many upserts and removals happen. */
#ifndef RAGDECK_VEC_IDMAP_H
#define RAGDECK_VEC_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vec_idmap_entry {
	int64_t id;
	size_t slot1; /* slot + 1; 0 marks an empty entry */
};

struct vec_idmap {
	struct vec_idmap_entry *e;
	size_t mask; /* capacity - 1 (capacity is a power of two), or 0 */
	size_t n;
};

/* An empty map (allocates nothing until the first put). */
void vec_idmap_init(struct vec_idmap *m);

/* Free the entries; the map is empty and reusable afterwards. */
void vec_idmap_free(struct vec_idmap *m);

/* Look id up. Returns true and sets *slot when present. */
bool vec_idmap_get(const struct vec_idmap *m, int64_t id, size_t *slot);

/* Map id to slot, replacing any earlier slot. */
void vec_idmap_put(struct vec_idmap *m, int64_t id, size_t slot);

/* Forget id. Returns true when it was present. */
bool vec_idmap_del(struct vec_idmap *m, int64_t id);

#endif
