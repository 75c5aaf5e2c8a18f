/* ragdeck publish and ragdeck pull: a collection copied between the local
 * SQLite store and the PostgreSQL store a team shares, without embedding
 * again (store/pg.h). */
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

/* Which way a copy goes, and its words. */
struct direction {
	const char *verb, *past, *again, *holder, *same_as;
	enum rd_err (*copy)(struct cli *cli, struct pg_store *p, const char *collection,
	                    const volatile sig_atomic_t *stop, struct pg_copy_report *rep, char *err, size_t errlen);
};

static enum rd_err copy_to_server(struct cli *cli, struct pg_store *p, const char *collection,
                                  const volatile sig_atomic_t *stop, struct pg_copy_report *rep, char *err,
                                  size_t errlen)
{
	return pg_publish(cli->store, collection, p, stop, rep, err, errlen);
}

static enum rd_err copy_from_server(struct cli *cli, struct pg_store *p, const char *collection,
                                    const volatile sig_atomic_t *stop, struct pg_copy_report *rep, char *err,
                                    size_t errlen)
{
	return pg_pull(p, collection, cli->store, stop, rep, err, errlen);
}

static const struct direction publishing = { "publishing", "published", "publish", "server", "local store",
	                                         copy_to_server };
static const struct direction pulling = { "pulling", "pulled", "pull", "local store", "server", copy_from_server };

static void print_report(const struct direction *d, const struct pg_copy_report *r, const char *collection,
                         const char *server, double seconds, bool json)
{
	const struct pg_counts *now = d == &publishing ? &r->server : &r->local;
	if (!json) {
		printf("%s %s %s %s in %.1f s: %lld documents written, %lld unchanged, %lld deleted; "
		       "%lld chunks, %lld vectors written\n",
		       d->past, collection, d == &publishing ? "to" : "from", server, seconds, (long long)r->docs_written,
		       (long long)r->docs_unchanged, (long long)r->docs_deleted, (long long)r->chunks_written,
		       (long long)r->vectors_written);
		printf("%s now holds %lld documents, %lld chunks, %lld vectors (the same as the %s)%s\n", d->holder,
		       (long long)now->docs, (long long)now->chunks, (long long)now->vectors, d->same_as,
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
	cJSON_AddNumberToObject(o, "documents", (double)now->docs);
	cJSON_AddNumberToObject(o, "chunks", (double)now->chunks);
	cJSON_AddNumberToObject(o, "vectors", (double)now->vectors);
	cJSON_AddBoolToObject(o, "hnsw_built", r->hnsw_built);
	char *text = cJSON_PrintUnformatted(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

/* Copy collection (NULL: the config's) the way d says, with the server at
 * url (NULL: the config's), and print the summary. */
static int copy_collection(struct cli *cli, const struct direction *d, const char *collection, const char *url,
                           const volatile sig_atomic_t *stop, bool json)
{
	struct pg_store *p = NULL;
	struct pg_copy_report rep;
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
	enum rd_err rc = d->copy(cli, p, collection, stop, &rep, err, sizeof err);
	if (rc == RD_OK)
		print_report(d, &rep, collection, pg_name(p), (double)(clock_now_us() - start) / 1e6, json);
	else
		log_error("%s %s stopped: %s; the documents written are whole: %s again to go on", d->verb, collection,
		          err, d->again);
	pg_close(&p);
	return rc == RD_OK ? EXIT_OK : EXIT_FAIL;
}

int cli_publish(struct cli *cli, const char *collection, const char *url, const volatile sig_atomic_t *stop,
                bool json)
{
	return copy_collection(cli, &publishing, collection, url, stop, json);
}

/* Parse publish's or pull's options (the server's is url_option) and copy. */
static int copy_command(struct cli *cli, const struct direction *d, const char *name, const char *help,
                        const char *url_option, int argc, char **argv)
{
	const char *collection = NULL, *url = NULL;
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = url_option, .type = CLI_OPT_STRING, .dest = &url },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, name, help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind != argc) {
		char why[64];
		snprintf(why, sizeof why, "%s takes no arguments", name);
		char cmd[32];
		snprintf(cmd, sizeof cmd, "%s ", name);
		return cli_usage_error(cli, cmd, why);
	}
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	return copy_collection(cli, d, collection, url, cli_catch_stop_signals(), json);
}

int cmd_publish(struct cli *cli, int argc, char **argv)
{
	return copy_command(cli, &publishing, "publish", publish_help, "to", argc, argv);
}

int cmd_pull(struct cli *cli, int argc, char **argv)
{
	return copy_command(cli, &pulling, "pull", pull_help, "from", argc, argv);
}
