/* ingest_watch: the vector index file after a run, and `ragdeck ingest
 * --watch`'s loop (ingest_watch.h). */
#include "tui/cli/ingest_watch.h"
#include "tui/cli/cli.h"
#include "core/config/config.h"
#include "tui/cli/progress.h"
#include "core/ingest/watch.h"
#include "core/search/retrieve.h"
#include "core/util/clock.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

/* Paths a batch's line names; the rest are counted. */
#define LINE_PATHS 8

const char *ingest_persist_vectors(struct store *store, struct embedder *embedder, const char *collection,
                                   struct progress_bar *bar, char *err, size_t errlen)
{
	bool wrote = false;
	int rc = retriever_persist(store, embedder, collection, bar ? progress_vec_index : NULL, bar, &wrote, err,
	                           errlen);
	if (bar)
		progress_clear(bar);
	if (rc != 0)
		return "not written";
	return wrote ? "written" : "current";
}

static uint64_t now_ms(void)
{
	return clock_now_us() / 1000;
}

/* "HH:MM:SS", local time. */
static void clock_text(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static size_t n_changes(const struct watch_result *r)
{
	return r->added + r->updated + r->removed;
}

void ingest_watch_line(const struct watch_batch *b, const struct watch_result *r, const char *vec_index,
                       struct strbuf *out)
{
	if (b->rescan) {
		char *reason = cli_cell(b->reason, strlen(b->reason));
		sb_printf(out, "rescanned (%s): %zu added, %zu updated, %zu removed, %zu unchanged, %zu skipped", reason,
		          r->added, r->updated, r->removed, r->unchanged, r->skipped);
		free(reason);
	} else {
		for (size_t i = 0; i < r->n_changes && i < LINE_PATHS; i++) {
			const char *path = cli_display_path(r->changes[i].path);
			char *cell = cli_cell(path, strlen(path));
			sb_printf(out, "%s%s %s", i ? ", " : "", watch_outcome_name(r->changes[i].outcome), cell);
			free(cell);
		}
		if (r->n_changes > LINE_PATHS)
			sb_printf(out, " and %zu more", r->n_changes - LINE_PATHS);
	}
	double ms = (double)r->elapsed_us / 1000.0;
	if (!b->rescan && !r->n_changes)
		sb_printf(out, "no change (%zu unchanged, %.0f ms)", r->unchanged, ms);
	else
		sb_printf(out, " (%zu change%s, %.0f ms)", n_changes(r), n_changes(r) == 1 ? "" : "s", ms);
	if (r->summary.interrupted)
		sb_puts(out, ", interrupted");
	if (strcmp(vec_index, "written") == 0)
		sb_puts(out, ", vector index written");
}

/* "12:04:05 updated docs/a.md, removed docs/old.md (2 changes, 41 ms)". */
static void print_line(const struct watch_batch *b, const struct watch_result *r, const char *vec_index)
{
	char when[16];
	struct strbuf line = STRBUF_INIT;
	clock_text(when, sizeof when);
	ingest_watch_line(b, r, vec_index, &line);
	printf("%s %s\n", when, sb_str(&line));
	sb_free(&line);
}

void ingest_notes_json(struct cJSON *o, const char *name, const struct ingest_skip *v, size_t n, const char *key)
{
	cJSON *arr = cJSON_AddArrayToObject(o, name);
	for (size_t i = 0; i < n; i++) {
		cJSON *k = cJSON_CreateObject();
		cJSON_AddStringToObject(k, "path", v[i].path);
		cJSON_AddStringToObject(k, key, v[i].reason);
		cJSON_AddItemToArray(arr, k);
	}
}

static void print_json_line(const struct watch_batch *b, const struct watch_result *r, const char *vec_index)
{
	char when[16];
	clock_text(when, sizeof when);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddBoolToObject(o, "rescan", b->rescan);
	if (b->rescan)
		cJSON_AddStringToObject(o, "reason", b->reason);
	else
		cJSON_AddNullToObject(o, "reason");
	cJSON *arr = cJSON_AddArrayToObject(o, "changes");
	for (size_t i = 0; i < r->n_changes; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "path", r->changes[i].path);
		cJSON_AddStringToObject(c, "outcome", watch_outcome_name(r->changes[i].outcome));
		cJSON_AddItemToArray(arr, c);
	}
	cJSON_AddNumberToObject(o, "added", (double)r->added);
	cJSON_AddNumberToObject(o, "updated", (double)r->updated);
	cJSON_AddNumberToObject(o, "removed", (double)r->removed);
	cJSON_AddNumberToObject(o, "unchanged", (double)r->unchanged);
	cJSON_AddNumberToObject(o, "skipped", (double)r->skipped);
	ingest_notes_json(o, "skips", r->summary.skips, r->summary.n_skips, "reason");
	ingest_notes_json(o, "not_stored", r->summary.unstored, r->summary.n_unstored, "reason");
	cJSON_AddBoolToObject(o, "interrupted", r->summary.interrupted);
	cJSON_AddStringToObject(o, "vector_index", vec_index);
	cJSON_AddNumberToObject(o, "elapsed_ms", (double)(r->elapsed_us / 1000));
	cli_print_json_line(stdout, o);
	cJSON_Delete(o);
}

/* Why files of the batch were skipped or not stored, on stderr. */
static void log_notes(const char *what, const struct ingest_skip *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = cli_display_path(v[i].path);
		char *p = cli_cell(path, strlen(path)), *reason = cli_cell(v[i].reason, strlen(v[i].reason));
		log_warn("%s %s: %s", what, p, reason);
		free(p);
		free(reason);
	}
}

/* Apply one batch and print its line. Returns 0, or -1 when it failed
 * (logged). */
static int apply_batch(struct cli *cli, struct embedder *embedder, const struct ingest_opts *opts,
                       const struct watch_batch *b, bool json)
{
	struct watch_result r;
	char err[ERR_LEN];
	int rc = watch_apply(cli->store, embedder, opts, b, &r, err, sizeof err);
	const char *vec_index = "current";
	if (rc == 0 && !r.summary.interrupted && n_changes(&r)) {
		struct progress_bar bar;
		progress_init(&bar);
		char why[ERR_LEN];
		vec_index = ingest_persist_vectors(cli->store, embedder, opts->collection, &bar, why, sizeof why);
		if (strcmp(vec_index, "not written") == 0)
			log_warn("%s", why);
	}
	if (json)
		print_json_line(b, &r, vec_index);
	else
		print_line(b, &r, vec_index);
	fflush(stdout);
	if (rc == 0 && !r.summary.interrupted && n_changes(&r) &&
	    strcmp(cli->cfg->store_server.backend, "postgres") == 0)
		cli_publish(cli, opts->collection, NULL, opts->stop, json);
	log_notes("skipped", r.summary.skips, r.summary.n_skips);
	log_notes("not stored", r.summary.unstored, r.summary.n_unstored);
	if (rc != 0)
		log_error("watch stopped: %s; what was committed is kept: run the same command again to go on", err);
	watch_result_free(&r);
	return rc;
}

/* Wait until w's descriptor is readable, its next path is due, or a stop
 * signal came. The signals are blocked but for the wait itself, so one
 * that comes after the check still ends the wait. Returns 1 when events
 * are ready, 0 otherwise, -1 with errno. */
static int wait_for_events(struct watch *w, const volatile sig_atomic_t *stop)
{
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	int rc = 0;
	if (!*stop) {
		int timeout = watch_timeout_ms(w, now_ms());
		struct timespec ts = { .tv_sec = timeout / 1000, .tv_nsec = (long)(timeout % 1000) * 1000000 };
		fd_set in;
		FD_ZERO(&in);
		FD_SET(watch_fd(w), &in);
		rc = pselect(watch_fd(w) + 1, &in, NULL, NULL, timeout >= 0 ? &ts : NULL, &orig);
		if (rc < 0 && errno == EINTR)
			rc = 0;
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &orig, NULL);
	errno = e;
	return rc;
}

int ingest_watch_loop(struct cli *cli, struct embedder *embedder, const struct ingest_opts *opts, struct watch *w,
                      bool json)
{
	char err[ERR_LEN];
	for (;;) {
		int ready = wait_for_events(w, opts->stop);
		if (*opts->stop)
			return EXIT_OK;
		if (ready < 0) {
			log_error("watch stopped: cannot wait for file events: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (ready > 0 && watch_read(w, now_ms(), err, sizeof err) < 0) {
			log_error("watch stopped: %s", err);
			return EXIT_FAIL;
		}
		struct watch_batch b;
		while (!*opts->stop && watch_take_due(w, now_ms(), &b)) {
			int rc = apply_batch(cli, embedder, opts, &b, json);
			watch_batch_free(&b);
			if (rc != 0)
				return EXIT_FAIL;
		}
	}
}
