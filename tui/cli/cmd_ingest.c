/* ragdeck ingest: add files and directories to the knowledge store. */
#include "tui/cli/cli.h"
#include "core/search/result_json.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "tui/cli/progress.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/ingest/watch.h"
#include "tui/cli/ingest_watch.h"
#include "core/util/log.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ingest_help[] =
	"Usage: ragdeck ingest [OPTION]... PATH...\n"
	"Add files and directories to the knowledge store. Unchanged files are\n"
	"skipped; changed files are replaced; bad files are skipped with a reason.\n"
	"\n"
	"  -c, --collection NAME  collection to ingest into (default: the config's\n"
	"                         routing.paths.retrieval.collection)\n"
	"  -i, --include GLOB     only files matching GLOB (repeatable)\n"
	"  -x, --exclude GLOB     leave out files and directories matching GLOB (repeatable)\n"
	"      --prune            drop documents whose files are gone\n"
	"  -w, --watch            after the run, keep the store in step with the\n"
	"                         files until SIGINT or SIGTERM (a line per batch)\n"
	"      --json             print the summary as JSON (with --watch: one\n"
	"                         object per line)\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n"
	"\n"
	"A GLOB with a '/' matches the path below PATH, one without matches the\n"
	"file name. Hidden files and directories, backups (NAME~) and editors'\n"
	"temporaries are skipped unless named. --watch takes a file once it has\n"
	"been quiet for ingest.watch_debounce_ms (300 ms by default).\n";

struct globs {
	const char **items;
	size_t n, cap;
};

/* --include, --exclude: one more glob for the struct globs at dest (a
 * CLI_OPT_FUNC parser; every pattern is taken). */
static int globs_option(void *dest, const char *s)
{
	struct globs *g = dest;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->items = xreallocarray(g->items, g->cap, sizeof *g->items);
	}
	g->items[g->n++] = s;
	return 0;
}

static void on_progress(void *ud, const struct ingest_progress *p)
{
	progress_draw(ud, p, p->files_done == p->files_total);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* "PREFIX PATH: REASON" for each note of v. */
static void print_notes(const char *prefix, const struct ingest_skip *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *path = cli_display_path(v[i].path);
		printf("%s ", prefix);
		cli_put_cell(stdout, path, strlen(path));
		printf(": ");
		cli_put_cell(stdout, v[i].reason, strlen(v[i].reason));
		printf("\n");
	}
}

/* vec_index: what became of the vector index file ("written", "current",
 * "not written"). */
static void print_summary(const struct ingest_summary *s, const char *collection, const char *model,
                          const char *vec_index)
{
	double secs = (double)s->total_us / 1e6;
	size_t not_stored = s->n_unstored + s->not_reached;
	printf("%zu files in collection %s: %zu added, %zu changed, %zu unchanged, %zu skipped, %zu pruned",
	       s->files, collection, s->added, s->changed, s->unchanged, s->skipped, s->pruned);
	if (not_stored)
		printf(", %zu not stored", not_stored);
	printf("\n");
	if (s->record_files)
		printf("records: %zu in %zu export files, each counted above as a document; %zu malformed skipped\n",
		       s->records, s->record_files, s->malformed_records);
	printf("%zu chunks from %.1f MB in %.2f s (%.1f MB/s, %d threads)", s->chunks, (double)s->bytes / 1e6, secs,
	       secs > 0 ? (double)s->bytes / 1e6 / secs : 0.0, s->threads);
	if (s->invalid_utf8)
		printf("; %zu invalid UTF-8 sequences replaced", s->invalid_utf8);
	printf("\n");
	if (s->embed_requests) {
		printf("embedded with ");
		cli_put_clean(stdout, model, strlen(model));
		printf(": %ld tokens%s in %d requests (%d retried), $%.4f\n", s->embed_tokens,
		       s->embed_tokens_estimated ? " (estimated)" : "", s->embed_requests, s->embed_retries, s->cost_usd);
	}
	for (size_t i = 0; i < s->n_truncated; i++) {
		const char *path = cli_display_path(s->truncated[i].path);
		printf("embedded from its first part (longer than the model takes): ");
		cli_put_cell(stdout, path, strlen(path));
		printf(" %s\n", s->truncated[i].reason);
	}
	print_notes("skipped", s->skips, s->n_skips);
	print_notes("note", s->notes, s->n_notes);
	print_notes("not stored", s->unstored, s->n_unstored);
	if (s->not_reached)
		printf("not stored: %zu files not reached (the run stopped before them)\n", s->not_reached);
	if (s->interrupted)
		printf("interrupted: %zu documents written are kept; run the same command again to do the rest\n",
		       s->added + s->changed);
	if (strcmp(vec_index, "current") != 0)
		printf("vector index %s\n", vec_index);
}

/* error: why the run stopped; NULL when it did not fail. line: all on
 * one line (watch mode's stream of objects). */
static void print_summary_json(const struct ingest_summary *s, const char *collection, const char *model,
                               const char *vec_index, const char *error, bool line)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "collection", collection);
	cJSON_AddStringToObject(o, "vector_index", vec_index);
	cJSON_AddNumberToObject(o, "files", (double)s->files);
	cJSON_AddNumberToObject(o, "added", (double)s->added);
	cJSON_AddNumberToObject(o, "changed", (double)s->changed);
	cJSON_AddNumberToObject(o, "unchanged", (double)s->unchanged);
	cJSON_AddNumberToObject(o, "skipped", (double)s->skipped);
	cJSON_AddNumberToObject(o, "pruned", (double)s->pruned);
	cJSON_AddNumberToObject(o, "record_files", (double)s->record_files);
	cJSON_AddNumberToObject(o, "records", (double)s->records);
	cJSON_AddNumberToObject(o, "malformed_records", (double)s->malformed_records);
	cJSON_AddNumberToObject(o, "chunks", (double)s->chunks);
	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "invalid_utf8", (double)s->invalid_utf8);
	cJSON_AddBoolToObject(o, "interrupted", s->interrupted);
	result_json_add_string_or_null(o, "error", error);
	ingest_notes_json(o, "skips", s->skips, s->n_skips, "reason");
	ingest_notes_json(o, "notes", s->notes, s->n_notes, "note");
	ingest_notes_json(o, "not_stored", s->unstored, s->n_unstored, "reason");
	cJSON_AddNumberToObject(o, "not_reached", (double)s->not_reached);
	ingest_notes_json(o, "truncated", s->truncated, s->n_truncated, "lines");
	cJSON *e = cJSON_AddObjectToObject(o, "embedding");
	cJSON_AddStringToObject(e, "model", model);
	cJSON_AddNumberToObject(e, "tokens", (double)s->embed_tokens);
	cJSON_AddBoolToObject(e, "tokens_estimated", s->embed_tokens_estimated);
	cJSON_AddNumberToObject(e, "requests", s->embed_requests);
	cJSON_AddNumberToObject(e, "retries", s->embed_retries);
	cJSON_AddNumberToObject(e, "cost_usd", s->cost_usd);
	cJSON_AddNumberToObject(o, "threads", s->threads);
	cJSON *t = cJSON_AddObjectToObject(o, "timings_us");
	cJSON_AddNumberToObject(t, "walk", (double)s->walk_us);
	cJSON_AddNumberToObject(t, "load", (double)s->load_us);
	cJSON_AddNumberToObject(t, "chunk", (double)s->chunk_us);
	cJSON_AddNumberToObject(t, "embed", (double)s->embed_us);
	cJSON_AddNumberToObject(t, "store", (double)s->store_us);
	cJSON_AddNumberToObject(t, "total", (double)s->total_us);
	cJSON *p = cJSON_AddObjectToObject(o, "phase_share_percent");
	uint64_t work = s->load_us + s->chunk_us + s->embed_us + s->store_us;
	cJSON_AddNumberToObject(p, "load", share(s->load_us, work));
	cJSON_AddNumberToObject(p, "chunk", share(s->chunk_us, work));
	cJSON_AddNumberToObject(p, "embed", share(s->embed_us, work));
	cJSON_AddNumberToObject(p, "store", share(s->store_us, work));
	if (line)
		cli_print_json_line(stdout, o);
	else
		cli_print_json(stdout, o);
	cJSON_Delete(o);
}

/* Ingest paths, bring the vector index file up to date and print the
 * summary (json: as JSON, on one line when watching). Returns EXIT_OK
 * when the run completed, or was stopped while watching (*stopped), and
 * EXIT_FAIL otherwise (logged). */
static int ingest_and_report(struct cli *cli, struct embedder *embedder, const struct ingest_opts *opts,
                             const char *const *paths, size_t n_paths, bool json, bool watching, bool *stopped)
{
	struct progress_bar bar;
	progress_init(&bar);
	struct ingest_summary sum;
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	int run = ingest_run(cli->store, embedder, opts, paths, n_paths, on_progress, &bar, &sum, err, sizeof err);
	progress_clear(&bar);
	/* A run that stopped leaves the file to the next run or search. */
	const char *vec_index = "not written";
	if (run == 0 && !sum.interrupted) {
		char why[ERR_LEN];
		vec_index = ingest_persist_vectors(cli->store, embedder, opts->collection, &bar, why, sizeof why);
		if (strcmp(vec_index, "not written") == 0)
			log_warn("%s", why);
	}
	if (json)
		print_summary_json(&sum, opts->collection, embedder->model, vec_index, run != 0 ? err : NULL, watching);
	else
		print_summary(&sum, opts->collection, embedder->model, vec_index);
	fflush(stdout);
	if (run != 0 && sum.added + sum.changed)
		log_error("ingest stopped: %s; the %zu documents committed are kept: run the same command again to go on",
		          err, sum.added + sum.changed);
	else if (run != 0)
		log_error("ingest stopped: %s", err);
	else
		rc = sum.interrupted && !watching ? EXIT_FAIL : EXIT_OK;
	*stopped = sum.interrupted;
	ingest_summary_free(&sum);
	return rc;
}

int cmd_ingest(struct cli *cli, int argc, char **argv)
{
	struct globs include = { 0 }, exclude = { 0 };
	const char *collection = NULL;
	bool prune = false, json = false, watching = false, stopped = false;
	struct embedder *embedder = NULL;
	struct watch *watcher = NULL;
	char err[ERR_LEN];
	int rc = EXIT_FAIL;

	const struct cli_opt options[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "include", .letter = 'i', .type = CLI_OPT_FUNC, .dest = &include, .parse = globs_option },
		{ .name = "exclude", .letter = 'x', .type = CLI_OPT_FUNC, .dest = &exclude, .parse = globs_option },
		{ .name = "prune", .type = CLI_OPT_FLAG, .dest = &prune },
		{ .name = "watch", .letter = 'w', .type = CLI_OPT_FLAG, .dest = &watching },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ .complete = CLI_COMPLETE_PATH }, /* PATH... */
	};
	if (cli_options_parse(cli, "ingest", ingest_help, options, argc, argv, &rc) != 0)
		goto cleanup;
	if (optind >= argc && (!prune || watching)) {
		rc = cli_usage_error(cli, "ingest ", watching ? "ingest --watch needs at least one PATH to watch"
		                                              : "ingest needs at least one PATH");
		goto cleanup;
	}
	const char *const *paths = (const char *const *)argv + optind;
	size_t n_paths = (size_t)(argc - optind);
	if (cli_open_store(cli) != 0 || !(embedder = cli_embedder_or_log(cli, collection, EMBED_FOR_INGEST)))
		goto cleanup;
	struct ingest_opts opts;
	ingest_opts_from_config(cli->cfg, collection, &opts);
	opts.include = include.items;
	opts.n_include = include.n;
	opts.exclude = exclude.items;
	opts.n_exclude = exclude.n;
	opts.prune = prune;
	opts.stop = cli_catch_stop_signals();
	/* Watching starts before the run, so a change made during it is seen. */
	struct watch_opts wo = { .include = include.items, .n_include = include.n, .exclude = exclude.items,
	                         .n_exclude = exclude.n, .debounce_ms = cli->cfg->ingest.watch_debounce_ms,
	                         .ignore_prefix = store_path(cli->store) };
	if (watching && watch_open(paths, n_paths, &wo, &watcher, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	rc = ingest_and_report(cli, embedder, &opts, paths, n_paths, json, watching, &stopped);
	/* A team store gets what a completed run stored. */
	if (strcmp(cli->cfg->store_server.backend, "postgres") == 0 && rc == EXIT_OK && !stopped &&
	    cli_publish(cli, opts.collection, NULL, opts.stop, json) != EXIT_OK)
		rc = EXIT_FAIL;
	if (rc == EXIT_OK && watching && !stopped)
		rc = ingest_watch_loop(cli, embedder, &opts, watcher, json);
cleanup:
	watch_free(&watcher);
	embed_free(&embedder);
	free(include.items);
	free(exclude.items);
	return rc;
}
