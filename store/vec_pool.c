/* vec_pool: batches of indexed parts, claimed under one mutex. */
#include "store/vec_pool.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/util/xalloc.h"

/* One vec_pool_run call; lives on the caller's stack until all parts are done. */
struct batch {
	vec_pool_fn fn;
	void *arg;
	size_t n;
	size_t next; /* next unclaimed part */
	size_t done; /* parts finished */
	struct batch *link;
};

struct vec_pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a batch was queued, or stop */
	pthread_cond_t done; /* some batch finished */
	struct batch *queue; /* batches with unclaimed parts, oldest first */
	pthread_t *tids;
	size_t nworkers;
	bool stop;
};

static void unlink_batch(struct vec_pool *p, struct batch *b)
{
	struct batch **pp = &p->queue;
	while (*pp != b)
		pp = &(*pp)->link;
	*pp = b->link;
}

/* Claim the next part of b and run it; called and returns with p->mu held. */
static void run_part(struct vec_pool *p, struct batch *b)
{
	size_t i = b->next++;
	if (b->next == b->n)
		unlink_batch(p, b);
	pthread_mutex_unlock(&p->mu);
	b->fn(b->arg, i);
	pthread_mutex_lock(&p->mu);
	if (++b->done == b->n)
		pthread_cond_broadcast(&p->done);
}

static void *worker(void *arg)
{
	struct vec_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && !p->queue)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		run_part(p, p->queue);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct vec_pool *vec_pool_new(void)
{
	struct vec_pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

void vec_pool_free(struct vec_pool **pp)
{
	struct vec_pool *p = *pp;
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->nworkers; i++)
		pthread_join(p->tids[i], NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p->tids);
	free(p);
	*pp = NULL;
}

/* Start workers until there are want of them; called with p->mu held. A
 * failed pthread_create only means fewer helpers: the caller runs the rest.
 * Workers block every signal, so that handlers (SIGWINCH, SIGINT) keep
 * running on the application's own threads. */
static void ensure_workers(struct vec_pool *p, size_t want)
{
	sigset_t all, old;

	if (p->nworkers >= want)
		return;
	p->tids = xreallocarray(p->tids, want, sizeof(*p->tids));
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (p->nworkers < want) {
		if (pthread_create(&p->tids[p->nworkers], NULL, worker, p) != 0)
			break;
		p->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void vec_pool_run(struct vec_pool *p, size_t n, vec_pool_fn fn, void *arg)
{
	struct batch b = { .fn = fn, .arg = arg, .n = n };
	struct batch **tail;

	if (n == 0)
		return;
	pthread_mutex_lock(&p->mu);
	ensure_workers(p, n - 1);
	for (tail = &p->queue; *tail; tail = &(*tail)->link)
		;
	*tail = &b;
	if (n > 1)
		pthread_cond_broadcast(&p->work);
	while (b.next < b.n)
		run_part(p, &b);
	while (b.done < b.n)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
