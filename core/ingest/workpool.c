/* workpool: jobs run on worker threads, handed back in submission order
 * (see workpool.h).
 *
 * The jobs held sit in a ring in submission order. Three counters run
 * over it: head (the oldest held, next to take back), next_run (the oldest
 * not started) and tail (the next to submit). Only the owner moves head
 * and tail; whoever starts a job (a worker, or the owner helping or
 * running jobs without workers) moves next_run; all under the lock. */
#include "core/ingest/workpool.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* How often a waiting owner looks at the caller's stop flag. */
#define STOP_POLL_NS 20000000L

struct slot {
	void *job;
	uint64_t bytes;
	bool done;
};

struct worker_arg {
	struct workpool *pool;
	size_t index;
};

struct workpool {
	workpool_fn fn;
	void *ctx;
	struct slot *ring;
	size_t max_jobs;
	uint64_t max_bytes;
	size_t head, next_run, tail;  /* ever-growing; a slot is ring[i % max_jobs] */
	uint64_t bytes;               /* stated sizes of the jobs held */
	bool quit;
	pthread_mutex_t lock;
	pthread_cond_t work_cv;       /* a job was submitted, or quit */
	pthread_cond_t done_cv;       /* the job at head finished */
	pthread_t *threads;
	struct worker_arg *args;
	size_t n_workers;
};

static struct slot *slot_at(const struct workpool *p, size_t i)
{
	return &p->ring[i % p->max_jobs];
}

/* Run the job at ring position i, started by this thread, as worker;
 * called and returns with the lock held. */
static void run_slot(struct workpool *p, size_t i, size_t worker)
{
	void *job = slot_at(p, i)->job;
	pthread_mutex_unlock(&p->lock);
	p->fn(p->ctx, job, worker);
	pthread_mutex_lock(&p->lock);
	slot_at(p, i)->done = true;
	if (i == p->head)
		pthread_cond_signal(&p->done_cv);
}

/* A worker: run the oldest job not started until told to quit. */
static void *worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct workpool *p = a->pool;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->quit && p->next_run == p->tail)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->quit)
			break;
		run_slot(p, p->next_run++, a->index);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Tell the workers to quit and wait for them. */
static void stop_workers(struct workpool *p, size_t started)
{
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < started; i++)
		pthread_join(p->threads[i], NULL);
}

struct workpool *workpool_new(size_t n_workers, size_t max_jobs, uint64_t max_bytes, workpool_fn fn, void *ctx)
{
	struct workpool *p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->ctx = ctx;
	p->max_jobs = max_jobs ? max_jobs : 1;
	p->max_bytes = max_bytes;
	p->ring = xcalloc(p->max_jobs, sizeof *p->ring);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->threads = xcalloc(n_workers ? n_workers : 1, sizeof *p->threads);
	p->args = xcalloc(n_workers ? n_workers : 1, sizeof *p->args);
	for (size_t i = 0; i < n_workers; i++) {
		p->args[i] = (struct worker_arg){ .pool = p, .index = i };
		int rc = pthread_create(&p->threads[i], NULL, worker_main, &p->args[i]);
		if (rc != 0) {
			p->n_workers = i;
			workpool_free(&p, NULL);
			errno = rc;
			return NULL;
		}
	}
	p->n_workers = n_workers;
	return p;
}

bool workpool_has_room(const struct workpool *p, uint64_t bytes)
{
	size_t held = p->tail - p->head;
	return held < p->max_jobs && (held == 0 || p->bytes + bytes <= p->max_bytes);
}

void workpool_submit(struct workpool *p, void *job, uint64_t bytes)
{
	pthread_mutex_lock(&p->lock);
	*slot_at(p, p->tail) = (struct slot){ .job = job, .bytes = bytes };
	p->tail++;
	p->bytes += bytes;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
}

size_t workpool_held(const struct workpool *p)
{
	return p->tail - p->head;
}

bool workpool_help(struct workpool *p)
{
	pthread_mutex_lock(&p->lock);
	bool help = p->head != p->tail && !slot_at(p, p->head)->done && p->next_run != p->tail;
	if (help)
		run_slot(p, p->next_run++, p->n_workers);
	pthread_mutex_unlock(&p->lock);
	return help;
}

/* The deadline pthread_cond_timedwait takes (CLOCK_REALTIME): ns from now. */
static struct timespec deadline_in(long ns)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ns / 1000000000L;
	t.tv_nsec += ns % 1000000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

bool workpool_wait_ready(struct workpool *p, uint64_t timeout_us)
{
	if (p->head == p->tail || !p->n_workers)
		return false;
	struct timespec until = deadline_in((long)(timeout_us * 1000));
	struct slot *s = slot_at(p, p->head);
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	while (!s->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->done_cv, &p->lock, &until);
	bool done = s->done;
	pthread_mutex_unlock(&p->lock);
	return done;
}

/* Wait on done_cv; with a stop flag to watch, for at most STOP_POLL_NS. */
static void wait_done(struct workpool *p, bool timed)
{
	if (!timed) {
		pthread_cond_wait(&p->done_cv, &p->lock);
		return;
	}
	struct timespec until = deadline_in(STOP_POLL_NS);
	pthread_cond_timedwait(&p->done_cv, &p->lock, &until);
}

void *workpool_take(struct workpool *p, const volatile sig_atomic_t *stop)
{
	if (p->head == p->tail)
		return NULL;
	struct slot *s = slot_at(p, p->head);
	pthread_mutex_lock(&p->lock);
	while (!s->done && !(stop && *stop)) {
		if (p->n_workers)
			wait_done(p, stop != NULL);
		else
			run_slot(p, p->next_run++, 0);
	}
	void *job = s->done ? s->job : NULL;
	if (job) {
		p->bytes -= s->bytes;
		p->head++;
	}
	pthread_mutex_unlock(&p->lock);
	return job;
}

void workpool_free(struct workpool **pp, void (*drop)(void *job))
{
	struct workpool *p = pp ? *pp : NULL;
	if (!p)
		return;
	stop_workers(p, p->n_workers);
	for (size_t i = p->head; i < p->tail && drop; i++)
		drop(slot_at(p, i)->job);
	pthread_cond_destroy(&p->done_cv);
	pthread_cond_destroy(&p->work_cv);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p->args);
	free(p->ring);
	free(p);
	*pp = NULL;
}
