#include "tui/app/worker.h"
#include "tui/cli/cli.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/ingest/watch.h"
#include "tui/cli/ingest_watch.h"
#include "core/util/strbuf.h"
#include "core/eval/eval_history.h"
#include "core/answer/turn.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Progress is sent at most this often; the final message always. */
#define WORKER_PROGRESS_US 100000

struct worker {
	pthread_t thread;
	int fds[2];
	char *db_path, *path;      /* path: what to ingest, or the golden set */
	const struct config *cfg;
	struct embedder *embedder;
	uint64_t last_sent_us;
	struct worker_eval *eval;  /* an evaluation's results until taken */
	struct store *store;       /* an evaluation's connection (borrowed) */
	struct watch_batch batch;  /* a watched batch to apply */
};

static void send_msg(struct worker *w, const struct worker_msg *m)
{
	/* A message is smaller than PIPE_BUF, so the write is atomic; the pipe
	 * is blocking on this end, so a slow reader only slows the ingest. */
	ssize_t n;
	do
		n = write(w->fds[1], m, sizeof *m);
	while (n < 0 && errno == EINTR);
}

static void on_progress(void *ud, const struct ingest_progress *p)
{
	struct worker *w = ud;
	uint64_t now = clock_now_us();
	if (now - w->last_sent_us < WORKER_PROGRESS_US)
		return;
	w->last_sent_us = now;
	struct worker_msg m = {
		.n_done = p->files_done, .n_total = p->files_total, .chunks = p->chunks,
	};
	snprintf(m.text, sizeof m.text, "%s", p->current ? p->current : "");
	send_msg(w, &m);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct store *store = NULL;
	struct ingest_summary sum;
	struct worker_msg m = { .done = true, .rc = -1 };
	char err[200];
	const char *paths[1] = { w->path };
	memset(&sum, 0, sizeof sum);
	if (store_open(w->db_path, &store, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "ingest %s: %s", w->path, err);
		goto cleanup;
	}
	struct ingest_opts opts;
	ingest_opts_from_config(w->cfg, NULL, &opts);
	if (ingest_run(store, w->embedder, &opts, paths, 1, on_progress, w, &sum, err, sizeof err) != 0) {
		/* The count before the reason: a long reason is cut, the count is not. */
		snprintf(m.text, sizeof m.text, "ingest stopped, %zu documents committed: %s", sum.added + sum.changed,
		         err);
		goto cleanup;
	}
	bool wrote;
	int persisted = retriever_persist(store, w->embedder, opts.collection, NULL, NULL, &wrote, err, sizeof err);
	m.rc = 0;
	m.n_done = m.n_total = sum.files;
	m.chunks = sum.chunks;
	snprintf(m.text, sizeof m.text,
	         "ingested %s: %zu files, %zu added, %zu changed, %zu unchanged, %zu skipped, %zu chunks",
	         w->path, sum.files, sum.added, sum.changed, sum.unchanged, sum.skipped, sum.chunks);
	if (persisted != 0) {
		size_t len = strlen(m.text);
		snprintf(m.text + len, sizeof m.text - len, "; %s", err);
	}
cleanup:
	ingest_summary_free(&sum);
	store_close(&store);
	send_msg(w, &m);
	return NULL;
}

/* A watched batch: applied as `ragdeck ingest --watch` applies it. */
static void *run_watch(void *arg)
{
	struct worker *w = arg;
	struct store *store = NULL;
	struct watch_result r;
	struct worker_msg m = { .done = true, .rc = -1 };
	char err[200];
	memset(&r, 0, sizeof r);
	if (store_open(w->db_path, &store, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "watch: %s", err);
		goto cleanup;
	}
	struct ingest_opts opts;
	ingest_opts_from_config(w->cfg, NULL, &opts);
	if (watch_apply(store, w->embedder, &opts, &w->batch, &r, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "watch stopped: %s", err);
		goto cleanup;
	}
	const char *vec_index = "current";
	if (r.added + r.updated + r.removed && !r.summary.interrupted)
		vec_index = ingest_persist_vectors(store, w->embedder, opts.collection, NULL, err, sizeof err);
	struct strbuf line = STRBUF_INIT;
	ingest_watch_line(&w->batch, &r, vec_index, &line);
	if (strcmp(vec_index, "not written") == 0)
		sb_printf(&line, "; vector index not written: %s", err);
	m.rc = 0;
	m.n_done = m.n_total = r.summary.files;
	m.chunks = r.summary.chunks;
	snprintf(m.text, sizeof m.text, "watch: %s", sb_str(&line));
	sb_free(&line);
cleanup:
	watch_result_free(&r);
	store_close(&store);
	send_msg(w, &m);
	return NULL;
}

/* Evaluation --------------------------------------------------------------
 * The same run, storage and comparison as `ragdeck eval` without a sweep,
 * so runs made here and there compare with each other. */

struct eval_job {
	struct worker *w;
	struct store *store;          /* borrowed from the worker */
	struct retriever *retriever;
	struct worker_eval *ev;
	char *golden_id;              /* realpath: the set's identity across runs */
	int top_k, max_context;
};

static void on_item(void *ud, size_t done, size_t total, const struct eval_item_result *r)
{
	struct eval_job *j = ud;
	struct worker_msg m = { .n_done = done, .n_total = total };
	snprintf(m.text, sizeof m.text, "%s", r && r->item ? r->item->id : "");
	send_msg(j->w, &m);
}

static int store_eval(struct eval_job *j, char *err, size_t errlen)
{
	struct worker_eval *ev = j->ev;
	const struct config *cfg = j->w->cfg;
	struct eval_history st;
	cJSON *params = eval_params_new(cfg->routing.default_model, j->top_k, j->max_context);
	int rc = eval_history_save(j->store, cfg, j->golden_id, ev->set, ev->res, &ev->sum[0], params, &st,
	                        err, errlen);
	cJSON_Delete(params);
	ev->run_id = st.run_id;
	ev->prev_id = st.prev_id;
	ev->prev_summary = st.prev_summary;
	ev->regressions = st.regressions;
	return rc;
}

static void *run_eval(void *arg)
{
	struct eval_job j = { .w = arg };
	const struct config *cfg = j.w->cfg;
	struct llm_client *client = NULL;
	struct worker_msg m = { .done = true, .rc = -1 };
	char err[200];
	j.ev = xcalloc(1, sizeof *j.ev);
	j.top_k = cfg->routing.retrieval.top_k;
	j.max_context = cfg->routing.retrieval.max_context_tokens;
	if (golden_load(j.w->path, &j.ev->set, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "eval: %s", err);
		goto cleanup;
	}
	j.golden_id = realpath(j.w->path, NULL);
	if (!j.golden_id)
		j.golden_id = xstrdup(j.w->path);
	j.store = j.w->store;
	cli_open_retriever(cfg, j.store, j.w->embedder, NULL, VEC_BUILD_NOW, NULL, &j.retriever, err, sizeof err);
	client = llm_client_new();
	struct turn_env env = { .cfg = cfg, .retriever = j.retriever, .client = client };
	struct eval_opts o = { .top_k = j.top_k, .keep_retrieval = true, .progress = on_item, .ud = &j };
	if (eval_run(&env, j.ev->set, &o, &j.ev->res, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "eval %s: %s", j.w->path, err);
		goto cleanup;
	}
	for (int i = 0; i < WORKER_EVAL_ROWS; i++)
		eval_summarize(j.ev->res, j.ev->set->n_items, i - 1, &j.ev->sum[i]);
	if (store_eval(&j, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "eval %s: %s", j.w->path, err);
		goto cleanup;
	}
	m.rc = 0;
	m.n_done = m.n_total = j.ev->set->n_items;
	snprintf(m.text, sizeof m.text, "eval %s: %zu items, %zu passed, run %lld", j.w->path,
	         j.ev->sum[0].items, j.ev->sum[0].passed, (long long)j.ev->run_id);
	j.w->eval = j.ev;
	j.ev = NULL;
cleanup:
	worker_eval_free(&j.ev);
	llm_client_free(&client);
	retriever_free(&j.retriever);
	free(j.golden_id);
	send_msg(j.w, &m);
	return NULL;
}

static int start(const char *db_path, struct store *store, const struct config *cfg,
                 struct embedder *embedder, const char *path, struct watch_batch *batch, void *(*fn)(void *),
                 struct worker **out, char *err, size_t errlen)
{
	struct worker *w = xcalloc(1, sizeof *w);
	if (batch) {
		w->batch = *batch;
		*batch = (struct watch_batch){ 0 };
	}
	w->store = store;
	w->fds[0] = w->fds[1] = -1;
	w->cfg = cfg;
	w->embedder = embedder;
	w->db_path = xstrdup(db_path);
	w->path = xstrdup(path);
	if (pipe(w->fds) != 0 || fcntl(w->fds[0], F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errlen, "cannot start the worker: pipe: %s", strerror(errno));
		goto fail;
	}
	int rc = pthread_create(&w->thread, NULL, fn, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the worker thread: %s", strerror(rc));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	if (w->fds[0] >= 0)
		close(w->fds[0]);
	if (w->fds[1] >= 0)
		close(w->fds[1]);
	embed_free(&w->embedder);
	watch_batch_free(&w->batch);
	free(w->db_path);
	free(w->path);
	free(w);
	return -1;
}

int worker_start_ingest(const char *db_path, const struct config *cfg, struct embedder *embedder,
                        const char *path, struct worker **out, char *err, size_t errlen)
{
	return start(db_path, NULL, cfg, embedder, path, NULL, run, out, err, errlen);
}

int worker_start_watch(const char *db_path, const struct config *cfg, struct embedder *embedder,
                       struct watch_batch *batch, struct worker **out, char *err, size_t errlen)
{
	return start(db_path, NULL, cfg, embedder, "watch", batch, run_watch, out, err, errlen);
}

int worker_start_eval(struct store *store, const struct config *cfg, struct embedder *embedder,
                      const char *golden_path, struct worker **out, char *err, size_t errlen)
{
	return start(store_path(store), store, cfg, embedder, golden_path, NULL, run_eval, out, err, errlen);
}

struct worker_eval *worker_take_eval(struct worker *w)
{
	struct worker_eval *e = w->eval;
	w->eval = NULL;
	return e;
}

void worker_eval_free(struct worker_eval **ep)
{
	struct worker_eval *e = ep ? *ep : NULL;
	if (!e)
		return;
	size_t n = e->set ? e->set->n_items : 0;
	eval_results_free(e->res, e->res ? n : 0);
	cJSON_Delete(e->prev_summary);
	cJSON_Delete(e->regressions);
	golden_set_free(&e->set);
	free(e);
	*ep = NULL;
}

int worker_fd(const struct worker *w)
{
	return w->fds[0];
}

int worker_read(struct worker *w, struct worker_msg *m)
{
	ssize_t n;
	do
		n = read(w->fds[0], m, sizeof *m);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *m ? 1 : 0;
}

void worker_free(struct worker **wp)
{
	struct worker *w = wp ? *wp : NULL;
	if (!w)
		return;
	pthread_join(w->thread, NULL);
	close(w->fds[0]);
	close(w->fds[1]);
	embed_free(&w->embedder);
	worker_eval_free(&w->eval);
	watch_batch_free(&w->batch);
	free(w->db_path);
	free(w->path);
	free(w);
	*wp = NULL;
}
