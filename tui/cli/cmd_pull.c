/* ragdeck pull: a collection of the PostgreSQL store a team shares copied
 * into the local SQLite store, without embedding again (store/pg.h). */
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
#include <stdio.h>
#include <stdlib.h>

static const char pull_help[] =
	"Usage: ragdeck pull [OPTION]...\n"
	"Copy a collection of the PostgreSQL store (store.url, else the PG*\n"
	"environment variables) into the local store (--db, else store.path):\n"
	"documents, chunks and embeddings as stored, nothing embedded again, so\n"
	"the collection can be searched offline with store.backend: sqlite.\n"
	"Only documents that differ are written, each in one transaction;\n"
	"documents the server does not have are deleted locally. The server is\n"
	"read as one snapshot, and the counts of both sides are compared at the\n"
	"end. The local vector index file is written by the first search.\n"
	"\n"
	"  -c, --collection NAME  collection to pull (default: the config's\n"
	"                         routing.paths.retrieval.collection)\n"
	"      --from URL         the server (a postgresql:// URL without a\n"
	"                         password; ~/.pgpass and PGPASSWORD are used)\n"
	"      --json             print the summary as JSON\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

static void print_report(const struct pg_pull_report *r, const char *collection, const char *server,
                         double seconds, bool json)
{
	if (!json) {
		printf("pulled %s from %s in %.1f s: %lld documents written, %lld unchanged, %lld deleted; "
		       "%lld chunks, %lld vectors written\n",
		       collection, server, seconds, (long long)r->docs_written, (long long)r->docs_unchanged,
		       (long long)r->docs_deleted, (long long)r->chunks_written, (long long)r->vectors_written);
		printf("local store now holds %lld documents, %lld chunks, %lld vectors (the same as the server)\n",
		       (long long)r->local_docs, (long long)r->local_chunks, (long long)r->local_vectors);
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
	cJSON_AddNumberToObject(o, "local_documents", (double)r->local_docs);
	cJSON_AddNumberToObject(o, "local_chunks", (double)r->local_chunks);
	cJSON_AddNumberToObject(o, "local_vectors", (double)r->local_vectors);
	char *text = cJSON_PrintUnformatted(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

int cmd_pull(struct cli *cli, int argc, char **argv)
{
	const char *collection = NULL, *url = NULL;
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "from", .type = CLI_OPT_STRING, .dest = &url },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "pull", pull_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind != argc)
		return cli_usage_error(cli, "pull ", "pull takes no arguments");
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	if (!collection)
		collection = cli->cfg->routing.retrieval.collection;
	if (!url)
		url = cli->cfg->store_server.url;
	struct pg_store *p = NULL;
	struct pg_pull_report rep;
	char err[ERR_LEN];
	if (pg_open(url, cli->cfg->store_server.hnsw_min_rows, &p, err, sizeof err) != RD_OK) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	uint64_t start = clock_now_us();
	enum rd_err rc = pg_pull(p, collection, cli->store, cli_catch_stop_signals(), &rep, err, sizeof err);
	if (rc == RD_OK)
		print_report(&rep, collection, pg_name(p), (double)(clock_now_us() - start) / 1e6, json);
	else
		log_error("pulling %s from %s stopped: %s; the documents written are whole: pull again to go on",
		          collection, pg_name(p), err);
	pg_close(&p);
	return rc == RD_OK ? EXIT_OK : EXIT_FAIL;
}
