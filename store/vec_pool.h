/* vec_pool: a small persistent pool of worker threads for splitting scans.
 *
 * Workers start lazily, the first time a run needs them, and then wait on a
 * condition variable between runs. A run's parts are claimed one at a time by
 * idle workers and by the calling thread itself, so a run always completes
 * even if no worker could be started, and several threads may run batches on
 * the same pool at once. */
#ifndef RAGDECK_VEC_POOL_H
#define RAGDECK_VEC_POOL_H

#include <stddef.h>

struct vec_pool;

/* Work function: handles part i of a run. */
typedef void (*vec_pool_fn)(void *arg, size_t i);

/* A pool with no threads yet. Caller frees with vec_pool_free. */
struct vec_pool *vec_pool_new(void);

/* Stop and join the workers, then free; NULL-safe; clears *p. No run may be
 * in progress. */
void vec_pool_free(struct vec_pool **p);

/* Call fn(arg, i) for every i in [0, n), spread over the caller and up to
 * n - 1 workers, and return when all calls have returned. */
void vec_pool_run(struct vec_pool *p, size_t n, vec_pool_fn fn, void *arg);

#endif
