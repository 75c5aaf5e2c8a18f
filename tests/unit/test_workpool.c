/* Unit tests for core/ingest/workpool: jobs come back in the order they
 * were submitted whatever order the workers finish them in; the pool
 * holds no more than its job and byte limits, except one large job alone;
 * with no workers the owner runs each job as it takes it back, and with
 * workers busy an owner that would wait runs the next jobs; a wait for
 * a job still running gives up after its timeout, and a stop flag ends a
 * wait; freeing the pool lets started jobs finish and hands back
 * every job not taken. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/ingest/workpool.h"

#define N_JOBS 500

struct job {
	bool held;            /* waits while the context's hold is set */
	size_t seq;
	unsigned delay_us;
	bool ran;
	size_t worker;
	pthread_t thread;
};

struct ctx {
	atomic_int running, most_running;
	atomic_bool hold;     /* held jobs wait while set */
};

static void run_job(void *vctx, void *vjob, size_t worker)
{
	struct ctx *c = vctx;
	struct job *j = vjob;
	int now = atomic_fetch_add(&c->running, 1) + 1;
	int most = atomic_load(&c->most_running);
	while (now > most && !atomic_compare_exchange_weak(&c->most_running, &most, now))
		;
	while (j->held && atomic_load(&c->hold))
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	nanosleep(&(struct timespec){ .tv_nsec = (long)j->delay_us * 1000 }, NULL);
	j->ran = true;
	j->worker = worker;
	j->thread = pthread_self();
	atomic_fetch_sub(&c->running, 1);
}

static void jobs_come_back_in_submission_order(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	struct job *jobs = calloc(N_JOBS, sizeof *jobs);
	struct workpool *p = workpool_new(3, 16, 1 << 20, run_job, &c);
	size_t submitted = 0, taken = 0;
	assert_non_null(p);
	while (taken < N_JOBS) {
		while (submitted < N_JOBS && workpool_has_room(p, 100)) {
			/* Later jobs are often quicker: workers finish out of order. */
			jobs[submitted] = (struct job){ .seq = submitted, .delay_us = (unsigned)(submitted * 7919 % 400) };
			workpool_submit(p, &jobs[submitted], 100);
			submitted++;
		}
		assert_true(workpool_held(p) <= 16);
		struct job *j = workpool_take(p, NULL);
		assert_non_null(j);
		assert_true(j->ran);
		assert_int_equal(j->seq, taken);
		assert_true(j->worker < 3);
		taken++;
	}
	assert_null(workpool_take(p, NULL));
	assert_true(atomic_load(&c.most_running) > 1);
	workpool_free(&p, NULL);
	assert_null(p);
	free(jobs);
}

static void the_byte_limit_holds_except_for_one_large_job(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	struct job big = { 0 }, small[4] = { { 0 } };
	struct workpool *p = workpool_new(2, 100, 1000, run_job, &c);
	assert_true(workpool_has_room(p, 5000));
	workpool_submit(p, &big, 5000);
	assert_false(workpool_has_room(p, 1));
	assert_ptr_equal(workpool_take(p, NULL), &big);
	for (int i = 0; i < 4; i++) {
		assert_true(workpool_has_room(p, 250));
		workpool_submit(p, &small[i], 250);
	}
	assert_false(workpool_has_room(p, 1));
	assert_true(workpool_has_room(p, 0));
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(workpool_take(p, NULL), &small[i]);
	workpool_free(&p, NULL);
}

static void without_workers_the_owner_runs_each_job(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	struct job jobs[3] = { { 0 } };
	struct workpool *p = workpool_new(0, 8, 1 << 20, run_job, &c);
	for (int i = 0; i < 3; i++)
		workpool_submit(p, &jobs[i], 10);
	assert_false(workpool_wait_ready(p, 1000));
	assert_false(jobs[0].ran);
	assert_ptr_equal(workpool_take(p, NULL), &jobs[0]);
	assert_true(jobs[0].ran);
	assert_true(pthread_equal(jobs[0].thread, pthread_self()));
	assert_false(jobs[1].ran);
	workpool_free(&p, NULL);
}

static void an_owner_that_would_wait_runs_the_next_jobs(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	struct job jobs[3] = { { .held = true } };
	atomic_store(&c.hold, true);
	struct workpool *p = workpool_new(1, 8, 1 << 20, run_job, &c);
	for (int i = 0; i < 3; i++)
		workpool_submit(p, &jobs[i], 10);
	while (atomic_load(&c.running) == 0)
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	/* The worker is held in job 0: the owner runs jobs 1 and 2. */
	assert_true(workpool_help(p));
	assert_true(workpool_help(p));
	assert_true(jobs[1].ran && jobs[2].ran);
	assert_int_equal(jobs[1].worker, 1);
	assert_true(pthread_equal(jobs[2].thread, pthread_self()));
	assert_false(workpool_help(p));
	atomic_store(&c.hold, false);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(workpool_take(p, NULL), &jobs[i]);
	assert_false(workpool_help(p));
	workpool_free(&p, NULL);
}

static struct job *dropped[8];
static size_t n_dropped;

static void note_drop(void *job)
{
	dropped[n_dropped++] = job;
}

static void a_stop_ends_the_wait_and_free_hands_back_the_rest(void **state)
{
	(void)state;
	struct ctx c = { 0 };
	struct job jobs[4] = { { .held = true }, { .held = true }, { .held = true }, { .held = true } };
	volatile sig_atomic_t stop = 1;
	atomic_store(&c.hold, true);
	struct workpool *p = workpool_new(1, 8, 1 << 20, run_job, &c);
	for (int i = 0; i < 4; i++)
		workpool_submit(p, &jobs[i], 10);
	while (atomic_load(&c.running) == 0)
		nanosleep(&(struct timespec){ .tv_nsec = 100000 }, NULL);
	assert_false(workpool_wait_ready(p, 20000));
	assert_null(workpool_take(p, &stop));
	assert_int_equal(workpool_held(p), 4);
	atomic_store(&c.hold, false);
	n_dropped = 0;
	workpool_free(&p, note_drop);
	assert_int_equal(n_dropped, 4);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(dropped[i], &jobs[i]);
	/* The job the worker had started finished before the pool was freed. */
	assert_true(jobs[0].ran);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jobs_come_back_in_submission_order),
		cmocka_unit_test(the_byte_limit_holds_except_for_one_large_job),
		cmocka_unit_test(without_workers_the_owner_runs_each_job),
		cmocka_unit_test(an_owner_that_would_wait_runs_the_next_jobs),
		cmocka_unit_test(a_stop_ends_the_wait_and_free_hands_back_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
