/* ragdeck publish: a collection of the local SQLite store copied to the
 * PostgreSQL store a team shares (store/pg.h), without embedding again. */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/log.h"
#include "store/pg.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char publish_help[] =
	"Usage: ragdeck publish [OPTION]...\n"
	"Copy a collection of the local store (--db, else store.path) to the\n"
	"PostgreSQL store (store.url, else the PG* environment variables):\n"
	"documents, chunks, full-text vectors and embeddings as stored, nothing\n"
	"embedded again. Only documents that changed are written, each replaced\n"
	"in one transaction, so searches on the server never see half of one;\n"
	"documents gone from the local store are deleted there. Two publishes of\n"
	"one collection take turns. The counts of both sides are compared at the\n"
	"end. With store.backend: postgres, ingest publishes by itself.\n"
	"\n"
	"  -c, --collection NAME  collection to publish (default: the config's\n"
	"                         routing.paths.retrieval.collection)\n"
	"      --to URL           the server (a postgresql:// URL without a\n"
	"                         password; ~/.pgpass and PGPASSWORD are used)\n"
	"      --json             print the summary as JSON\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

static void print_report(const struct pg_publish_report *r, const char *collection, const char *server,
                         double seconds, bool json)
{
	if (!json) {
		printf("published %s to %s in %.1f s: %lld documents written, %lld unchanged, %lld deleted; "
		       "%lld chunks, %lld vectors written\n",
		       collection, server, seconds, (long long)r->docs_written, (long long)r->docs_unchanged,
		       (long long)r->docs_deleted, (long long)r->chunks_written, (long long)r->vectors_written);
		printf("server now holds %lld documents, %lld chunks, %lld vectors (the same as the local store)%s\n",
		       (long long)r->server_docs, (long long)r->server_chunks, (long long)r->server_vectors,
		       r->hnsw_built ? "; HNSW index built" : "");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "collection", collection);
	cJSON_AddStringToObject(o, "server", server);
	cJSON_AddNumberToObject(o, "seconds", seconds);
	cJSON_AddNumberToObject(o, "documents_written", (double)r->docs_written);
	cJSON_AddNumberToObject(o, "documents_unchanged", (double)r->docs_unchanged);
	cJSON_AddNumberToObject(o, "documents_deleted", (double)r->docs_deleted);
	cJSON_AddNumberToObject(o, "chunks_written", (double)r->chunks_written);
	cJSON_AddNumberToObject(o, "vectors_written", (double)r->vectors_written);
	cJSON_AddNumberToObject(o, "server_documents", (double)r->server_docs);
	cJSON_AddNumberToObject(o, "server_chunks", (double)r->server_chunks);
	cJSON_AddNumberToObject(o, "server_vectors", (double)r->server_vectors);
	cJSON_AddBoolToObject(o, "hnsw_built", r->hnsw_built);
	char *text = cJSON_PrintUnformatted(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

int cli_publish(struct cli *cli, const char *collection, const char *url, const volatile sig_atomic_t *stop,
                bool json)
{
	struct pg_store *p = NULL;
	struct pg_publish_report rep;
	char err[ERR_LEN];
	if (!collection)
		collection = cli->cfg->routing.retrieval.collection;
	if (!url)
		url = cli->cfg->store_server.url;
	if (pg_open(url, cli->cfg->store_server.hnsw_min_rows, &p, err, sizeof err) != RD_OK) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	uint64_t start = clock_now_us();
	enum rd_err rc = pg_publish(cli->store, collection, p, stop, &rep, err, sizeof err);
	if (rc == RD_OK)
		print_report(&rep, collection, pg_name(p), (double)(clock_now_us() - start) / 1e6, json);
	else
		log_error("publishing %s to %s stopped: %s; the documents written are whole: publish again to go on",
		          collection, pg_name(p), err);
	pg_close(&p);
	return rc == RD_OK ? EXIT_OK : EXIT_FAIL;
}

int cmd_publish(struct cli *cli, int argc, char **argv)
{
	const char *collection = NULL, *url = NULL;
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "to", .type = CLI_OPT_STRING, .dest = &url },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "publish", publish_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind != argc)
		return cli_usage_error(cli, "publish ", "publish takes no arguments");
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	return cli_publish(cli, collection, url, cli_catch_stop_signals(), json);
}
