/* qcache: a small cache of query embeddings with a time to live.
 *
 * Embedding a query is free with the hash embedder but a network round trip
 * with an HTTP model; repeated questions (retries, eval sweeps) hit here. */
#ifndef RAGDECK_QCACHE_H
#define RAGDECK_QCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qcache;

/* A cache of up to capacity vectors of dim floats, each valid ttl_seconds
 * (0 disables caching). Caller frees with qcache_free. */
struct qcache *qcache_new(size_t capacity, int dim, int ttl_seconds);
void qcache_free(struct qcache **c);

/* Copy the vector cached for text (at time now, seconds) into out. */
bool qcache_get(struct qcache *c, const char *text, size_t len, int64_t now, float *out);

/* Remember vec for text at time now, evicting the least recently used. */
void qcache_put(struct qcache *c, const char *text, size_t len, int64_t now, const float *vec);

/* Lookups answered from the cache / all lookups, since creation. */
void qcache_stats(const struct qcache *c, uint64_t *hits, uint64_t *lookups);

#endif
