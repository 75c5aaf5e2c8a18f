/* workpool: jobs run on worker threads and handed back in the order they
 * were submitted.
 *
 * One thread, the owner, submits jobs and takes them back; workers run
 * them in between, in submission order, as many at once as there are
 * workers, and the owner too when it would otherwise wait. What was
 * submitted and not yet taken back is bounded by a
 * count of jobs and by a sum of sizes the owner states for each (ingest:
 * the file's bytes), so memory stays bounded whatever the input. With no
 * workers the owner runs each job itself when it takes it back. */
#ifndef RAGDECK_WORKPOOL_H
#define RAGDECK_WORKPOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct workpool;

/* Run job; worker is the number of the thread running it, for state kept
 * per thread: 0..n_workers-1 for the workers, n_workers for the owner. */
typedef void (*workpool_fn)(void *ctx, void *job, size_t worker);

/* A pool of n_workers threads (0: none) running fn(ctx, job, worker),
 * holding at most max_jobs jobs (at least 1) and max_bytes of stated
 * sizes. Returns NULL when a thread cannot be started (errno says why).
 * Free with workpool_free. */
struct workpool *workpool_new(size_t n_workers, size_t max_jobs, uint64_t max_bytes, workpool_fn fn, void *ctx);

/* True when a job of size bytes may be submitted now: the pool holds
 * fewer than max_jobs, and either nothing or little enough that bytes
 * still fits (a job larger than max_bytes goes in alone). Owner only. */
bool workpool_has_room(const struct workpool *p, uint64_t bytes);

/* Queue job (the caller keeps ownership; the pool hands it back) for the
 * next free worker. Call only when workpool_has_room. Owner only. */
void workpool_submit(struct workpool *p, void *job, uint64_t bytes);

/* Jobs submitted and not taken back. Owner only. */
size_t workpool_held(const struct workpool *p);

/* While the oldest job held is not finished, run the oldest job no worker
 * has started on this thread (as worker n_workers), so an owner that would
 * wait for its workers does their work instead. Returns true when it ran
 * one; false when the oldest is finished or every job has started. Owner
 * only. */
bool workpool_help(struct workpool *p);

/* Wait at most timeout_us microseconds for the oldest job held to finish;
 * true when it has, so workpool_take would not wait (false at once with
 * nothing held or no workers: the owner would run it). Owner only. */
bool workpool_wait_ready(struct workpool *p, uint64_t timeout_us);

/* Take back the oldest job held, finished: waits for its worker, or runs
 * it on this thread when there are no workers. Returns NULL when nothing
 * is held, or when stop is not NULL and *stop turns non-zero while
 * waiting (a signal handler's flag cannot wake a waiting thread, so the
 * wait looks at it every few milliseconds). Owner only. */
void *workpool_take(struct workpool *p, const volatile sig_atomic_t *stop);

/* Stop the workers once their current job is done, join them, and pass
 * every job not taken back (finished or not) to drop, oldest first.
 * NULL-safe for p and *p; clears *p. */
void workpool_free(struct workpool **p, void (*drop)(void *job));

#endif
