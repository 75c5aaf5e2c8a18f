/* worker: an ingest or an evaluation run on its own thread, with its own
 * store connection, reporting through a pipe the app's loop polls. The
 * worker never touches curses; the app reads its messages on the main
 * thread. */
#ifndef RAGDECK_WORKER_H
#define RAGDECK_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eval/eval.h"
#include "core/search/retrieve.h"

struct cJSON;
struct config;
struct embedder;
struct store;
struct watch_batch;
struct worker;

/* What the worker reports: progress while running, then one final message. */
struct worker_msg {
	bool done;
	int rc;                    /* final: 0 ok, -1 failed */
	size_t n_done, n_total;    /* files (ingest) or items (eval) */
	size_t chunks;
	char text[256];            /* final: the summary or the error; else the current path or item */
};

/* A finished evaluation: the results, as `ragdeck eval` stores them, with
 * the chunks each item's turn retrieved (res[i].hits) and the comparison with the previous
 * stored run of the same set and parameters. */
#define WORKER_EVAL_ROWS 4         /* overall, then per golden category */
struct worker_eval {
	struct golden_set *set;
	struct eval_item_result *res;         /* set->n_items */
	struct eval_summary sum[WORKER_EVAL_ROWS];
	int64_t run_id, prev_id;              /* prev_id 0: first run */
	struct cJSON *prev_summary;           /* NULL without a previous run */
	struct cJSON *regressions;            /* array of {"id", "what"}; NULL without a previous run */
};

/* Start ingesting path into the store at db_path with embedder (taken:
 * the worker frees it) and the ingest settings of cfg (borrowed: it must
 * outlive the worker). Returns 0 with *out set, or -1 with err (the
 * thread or the pipe could not be made; the embedder is freed). */
int worker_start_ingest(const char *db_path, const struct config *cfg, struct embedder *embedder,
                        const char *path, struct worker **out, char *err, size_t errlen);

/* Start applying a watched batch of changes (core/ingest/watch.h; taken:
 * *batch is left empty) to the store at db_path, with embedder (taken)
 * and cfg (borrowed) as worker_start_ingest; the final message's text is
 * the batch's line ("watch: updated a.md (1 change, 12 ms)"). Returns 0
 * with *out set, or -1 with err (the batch and embedder are freed). */
int worker_start_watch(const char *db_path, const struct config *cfg, struct embedder *embedder,
                       struct watch_batch *batch, struct worker **out, char *err, size_t errlen);

/* Start evaluating the golden set at golden_path into store, a connection
 * only the worker uses while it runs (borrowed: it must outlive the
 * worker), with embedder (taken) and cfg (borrowed) as worker_start_ingest.
 * Items done are reported as progress; the results are taken with
 * worker_take_eval after the final message. Returns 0 with *out set, or -1
 * with err. */
int worker_start_eval(struct store *store, const struct config *cfg, struct embedder *embedder,
                      const char *golden_path, struct worker **out, char *err, size_t errlen);

/* After an evaluation's final message with rc 0: its results (the caller
 * frees them with worker_eval_free), else NULL. */
struct worker_eval *worker_take_eval(struct worker *w);

/* Free an evaluation's results (NULL-safe); clears *e. */
void worker_eval_free(struct worker_eval **e);

/* The fd to poll for messages. */
int worker_fd(const struct worker *w);

/* Read the next message without blocking. Returns 1 with *m filled, 0 when
 * none is waiting. */
int worker_read(struct worker *w, struct worker_msg *m);

/* Wait for the thread to end and free w (NULL-safe); clears *w. */
void worker_free(struct worker **w);

#endif
