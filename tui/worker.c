#include "tui/worker.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/ingest.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "store/store.h"

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
	char *db_path, *path;
	const struct config *cfg;
	struct embedder *embedder;
	uint64_t last_sent_us;
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
		.files_done = p->files_done, .files_total = p->files_total, .chunks = p->chunks,
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
	struct ingest_opts opts = {
		.collection = w->cfg->routing.retrieval.collection,
		.max_file_bytes = (int64_t)w->cfg->ingest.max_file_mb * 1024 * 1024,
		.chunk_tokens = w->cfg->ingest.chunk_tokens,
		.overlap_tokens = w->cfg->ingest.overlap_tokens,
	};
	if (ingest_run(store, w->embedder, &opts, paths, 1, on_progress, w, &sum, err, sizeof err) != 0) {
		snprintf(m.text, sizeof m.text, "ingest %s: %s", w->path, err);
		goto cleanup;
	}
	m.rc = 0;
	m.files_done = m.files_total = sum.files;
	m.chunks = sum.chunks;
	snprintf(m.text, sizeof m.text,
	         "ingested %s: %zu files, %zu added, %zu changed, %zu unchanged, %zu skipped, %zu chunks",
	         w->path, sum.files, sum.added, sum.changed, sum.unchanged, sum.skipped, sum.chunks);
cleanup:
	ingest_summary_free(&sum);
	store_close(&store);
	send_msg(w, &m);
	return NULL;
}

int worker_start_ingest(const char *db_path, const struct config *cfg, struct embedder *embedder,
                        const char *path, struct worker **out, char *err, size_t errlen)
{
	struct worker *w = xcalloc(1, sizeof *w);
	w->fds[0] = w->fds[1] = -1;
	w->cfg = cfg;
	w->embedder = embedder;
	w->db_path = xstrdup(db_path);
	w->path = xstrdup(path);
	if (pipe(w->fds) != 0 || fcntl(w->fds[0], F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errlen, "cannot start the ingest: pipe: %s", strerror(errno));
		goto fail;
	}
	int rc = pthread_create(&w->thread, NULL, run, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the ingest thread: %s", strerror(rc));
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
	free(w->db_path);
	free(w->path);
	free(w);
	return -1;
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
	free(w->db_path);
	free(w->path);
	free(w);
	*wp = NULL;
}
