/* ragdeck reembed: embed a collection again with another model, while
 * search keeps using the old vectors (store/embedding.h). */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "tui/cli/progress.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/embed/embed_open.h"
#include "core/util/clock.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/embedding.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char reembed_help[] =
	"Usage: ragdeck reembed [OPTION]...\n"
	"Embed every chunk of a collection again with the configured embedder (or\n"
	"--model). The old vectors stay, and search keeps using them, until every\n"
	"chunk has a new one; then the collection switches to the new model in one\n"
	"step and the old vectors are dropped. Stopped (Ctrl-C, a kill, a server\n"
	"that fails), it goes on where it was when run again.\n"
	"\n"
	"  -c, --collection NAME  collection to re-embed (default: the config's\n"
	"                         routing.paths.retrieval.collection)\n"
	"  -m, --model MODEL      embed with MODEL instead of the config's embedder:\n"
	"                         \"hash\" (or hash-v1-DIM) for the offline embedder,\n"
	"                         else an HTTP model reached through the config's\n"
	"                         providers and models routes\n"
	"      --json             print the summary as JSON\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

struct reembed {
	struct cli *cli;
	const char *collection;
	int64_t coll;
	struct embedder *e;
	struct store_embedding before;
	const volatile sig_atomic_t *stop;
	struct progress_bar bar;
	int64_t done, total;
	size_t embedded;
	long tokens;
	bool tokens_estimated;
	int requests, truncated;
	double price, cost;
	uint64_t start_us;
	bool interrupted;
	char err[ERR_LEN];
};

/* Point the config at --model: "hash" or "hash-v1-DIM" is the offline
 * embedder, anything else an HTTP model. */
static int use_model(struct config *cfg, const char *model)
{
	int dim = 0;
	if (strcmp(model, "hash") == 0 || sscanf(model, "hash-v1-%d", &dim) == 1) {
		free(cfg->embedder.kind);
		cfg->embedder.kind = xstrdup("hash");
		cfg->embedder.dim = dim;
		return 0;
	}
	free(cfg->embedder.kind);
	free(cfg->embedder.model);
	cfg->embedder.kind = xstrdup("http");
	cfg->embedder.model = xstrdup(model);
	if (!config_embed_provider(cfg)) {
		log_error("no provider serves model %s: add a models route (- match: \"%s\" with provider: NAME) or set "
		          "embedder.provider in the config", model, model);
		return -1;
	}
	return 0;
}

/* Embed and write one group of chunks still missing a new vector. Returns
 * the number written, 0 when none is left, -1 on failure (r->err). */
static long embed_group(struct reembed *r, int64_t *after)
{
	struct store *s = r->cli->store;
	struct store_todo_chunk *todo = NULL;
	size_t n = 0;
	if (store_reembed_todo(s, r->coll, r->e->model, *after, r->e->group_inputs, &todo, &n, r->err,
	                       sizeof r->err) != 0)
		return -1;
	if (n == 0)
		return 0;
	struct strbuf *texts = xcalloc(n, sizeof *texts);
	const char **ptrs = xcalloc(n, sizeof *ptrs);
	size_t *lens = xcalloc(n, sizeof *lens);
	int64_t *ids = xcalloc(n, sizeof *ids);
	float *vectors = xcalloc(n, (size_t)r->e->dim * sizeof *vectors);
	for (size_t i = 0; i < n; i++) {
		embed_input(&texts[i], todo[i].heading_path, todo[i].text, strlen(todo[i].text));
		ptrs[i] = texts[i].buf ? texts[i].buf : "";
		lens[i] = texts[i].len;
		ids[i] = todo[i].id;
	}
	struct embed_report rep = { 0 };
	long rc = embed_texts_report(r->e, ptrs, lens, n, vectors, &rep, r->err, sizeof r->err);
	r->tokens += rep.tokens;
	r->tokens_estimated |= rep.tokens_estimated;
	r->requests += rep.requests;
	r->truncated += (int)rep.n_truncated;
	r->cost = (double)r->tokens * r->price / 1e6;
	if (rc != 0 && rep.failed_input >= 0) {
		char why[sizeof r->err];
		snprintf(why, sizeof why, "%s", r->err);
		snprintf(r->err, sizeof r->err, "chunk %lld (%.200s) could not be embedded: %.500s; the collection stays on %.200s",
		         (long long)ids[rep.failed_input], todo[rep.failed_input].heading_path, why, r->before.model);
	}
	if (rc == 0)
		rc = store_embeddings_put(s, r->e->model, r->e->dim, ids, vectors, n, r->err, sizeof r->err) == 0
		             ? (long)n : -1;
	if (rc > 0) {
		*after = ids[n - 1];
		r->embedded += n;
		r->done += (int64_t)n;
	}
	for (size_t i = 0; i < n; i++)
		sb_free(&texts[i]);
	free(texts);
	free(ptrs);
	free(lens);
	free(ids);
	free(vectors);
	store_todo_chunks_free(todo, n);
	return rc;
}

/* Embed what is missing until none is, then switch the collection. A
 * document ingested meanwhile adds chunks: they are embedded in a further
 * pass before the switch. Returns 0, or -1 with r->err. */
static int run(struct reembed *r)
{
	struct store *s = r->cli->store;
	for (;;) {
		if (store_reembed_count(s, r->coll, r->e->model, &r->done, &r->total, r->err, sizeof r->err) != 0)
			return -1;
		int64_t after = 0;
		long got;
		while ((got = embed_group(r, &after)) > 0) {
			progress_draw_chunks(&r->bar, (uint64_t)r->done, (uint64_t)r->total, r->embedded,
			                     clock_now_us() - r->start_us, r->cost, false);
			if (*r->stop) {
				r->interrupted = true;
				return 0;
			}
		}
		if (got < 0)
			return -1;
		int fin = store_reembed_finish(s, r->coll, r->err, sizeof r->err);
		if (fin <= 0)
			return fin;
	}
}

static void print_text(const struct reembed *r, const char *old_model)
{
	printf("%s collection %s: %lld of %lld chunks embedded with ", r->interrupted ? "interrupted," : "re-embedded",
	       r->collection, (long long)r->done, (long long)r->total);
	cli_put_clean(stdout, r->e->model, strlen(r->e->model));
	printf(" (%d dimensions); %zu in this run, %ld tokens%s, %d requests, $%.4f\n", r->e->dim, r->embedded,
	       r->tokens, r->tokens_estimated ? " (estimated)" : "", r->requests, r->cost);
	if (r->truncated)
		printf("%d chunks were longer than the model takes and were embedded from their first part\n",
		       r->truncated);
	if (r->interrupted)
		printf("search keeps using %s; run ragdeck reembed again to go on\n", old_model);
}

static void print_json(const struct reembed *r, const char *old_model)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "collection", r->collection);
	cJSON_AddStringToObject(o, "from_model", old_model);
	cJSON_AddStringToObject(o, "model", r->e->model);
	cJSON_AddNumberToObject(o, "dim", r->e->dim);
	cJSON_AddBoolToObject(o, "complete", !r->interrupted);
	cJSON_AddNumberToObject(o, "chunks", (double)r->total);
	cJSON_AddNumberToObject(o, "embedded", (double)r->done);
	cJSON_AddNumberToObject(o, "embedded_this_run", (double)r->embedded);
	cJSON_AddNumberToObject(o, "tokens", (double)r->tokens);
	cJSON_AddBoolToObject(o, "tokens_estimated", r->tokens_estimated);
	cJSON_AddNumberToObject(o, "requests", r->requests);
	cJSON_AddNumberToObject(o, "truncated", r->truncated);
	cJSON_AddNumberToObject(o, "cost_usd", r->cost);
	cli_print_json(stdout, o);
	cJSON_Delete(o);
}

int cmd_reembed(struct cli *cli, int argc, char **argv)
{
	struct reembed r = { .cli = cli };
	const char *model = NULL;
	bool json = false;
	int exit_code, rc = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &r.collection },
		{ .name = "model", .letter = 'm', .type = CLI_OPT_STRING, .dest = &model },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "reembed", reembed_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind != argc)
		return cli_usage_error(cli, "reembed ", "reembed takes no arguments");
	if (cli_open_store(cli) != 0 || (model && use_model(cli->cfg, model) != 0))
		return EXIT_FAIL;
	if (!r.collection)
		r.collection = cli->cfg->routing.retrieval.collection;
	enum rd_err found = store_collection_id(cli->store, r.collection, false, &r.coll, r.err, sizeof r.err);
	if (found == RD_ERR_NOT_FOUND)
		snprintf(r.err, sizeof r.err, "there is no collection \"%s\" to re-embed", r.collection);
	if (found != RD_OK || store_embedding_get(cli->store, r.coll, &r.before, r.err, sizeof r.err) != 0)
		goto fail;
	char target[STORE_MODEL_MAX];
	embed_config_model(cli->cfg, target, sizeof target);
	if (strcmp(r.before.model, target) == 0 && !r.before.reembed_model[0]) {
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "collection", r.collection);
			cJSON_AddStringToObject(o, "model", target);
			cJSON_AddBoolToObject(o, "complete", true);
			cJSON_AddNumberToObject(o, "embedded_this_run", 0);
			cli_print_json(stdout, o);
			cJSON_Delete(o);
		} else {
			printf("collection %s is already embedded with %s\n", r.collection, target);
		}
		return EXIT_OK;
	}
	int known_dim = strcmp(r.before.reembed_model, target) == 0 ? r.before.reembed_dim : 0;
	r.e = embed_open(cli->cfg, EMBED_FOR_INGEST, known_dim, r.err, sizeof r.err);
	if (!r.e || store_reembed_begin(cli->store, r.coll, r.e->model, r.e->dim, r.err, sizeof r.err) != 0)
		goto fail;
	const struct config_price *price =
		strcmp(cli->cfg->embedder.kind, "http") == 0 ? config_price_for_model(cli->cfg, r.e->model) : NULL;
	r.price = price ? price->input_per_mtok : 0;
	r.stop = cli_catch_stop_signals();
	r.start_us = clock_now_us();
	progress_init(&r.bar);
	int ran = run(&r);
	progress_clear(&r.bar);
	if (json)
		print_json(&r, r.before.model);
	else
		print_text(&r, r.before.model);
	if (ran != 0)
		goto fail;
	if (!r.interrupted && model)
		log_info("set the config's embedder to %s so that search and ingest use the new vectors", r.e->model);
	rc = r.interrupted ? EXIT_FAIL : EXIT_OK;
	embed_free(&r.e);
	return rc;
fail:
	log_error("reembed: %s", r.err);
	embed_free(&r.e);
	return EXIT_FAIL;
}
