/* ragdeck docs / ragdeck chunks: what the store holds, for reviewers. */
#include "tui/cli/cli.h"
#include "core/search/result_json.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/log.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char docs_help[] =
	"Usage: ragdeck docs [OPTION]...\n"
	"List ingested documents: path, chunks, bytes, last changed, change count.\n"
	"\n"
	"  -c, --collection NAME  only this collection (default: all)\n"
	"      --json             print a JSON array\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

static const char chunks_help[] =
	"Usage: ragdeck chunks [OPTION]... PATH\n"
	"Show how one document was chunked: line and byte ranges, tokens, heading\n"
	"path and text of every chunk. PATH is the file (./refunds.md), its stored\n"
	"path, or a unique suffix of one (for example billing/refunds.md).\n"
	"\n"
	"      --json             print a JSON object\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

/* Print untrusted text (document content) inert. */
static void print_clean(const char *s)
{
	cli_put_clean(stdout, s, strlen(s));
}

/* Print an untrusted name (a file name, a heading) inert, on one line. */
static void print_cell(const char *s)
{
	cli_put_cell(stdout, s, strlen(s));
}

static void print_docs_text(const struct store_doc_row *rows, size_t n)
{
	char when[32];
	printf("%-10s %6s %10s  %-20s %7s  %-10s  %s\n", "COLLECTION", "CHUNKS", "BYTES", "LAST CHANGED", "CHANGES",
	       "STATUS", "PATH");
	for (size_t i = 0; i < n; i++) {
		char *collection = cli_cell(rows[i].collection, strlen(rows[i].collection));
		clock_format_utc(rows[i].last_changed, when, sizeof when);
		printf("%-10s %6lld %10lld  %-20s %7lld  %-10s  ", collection, (long long)rows[i].n_chunks,
		       (long long)rows[i].bytes, when, (long long)rows[i].change_count, rows[i].status);
		print_cell(cli_display_path(rows[i].path));
		putchar('\n');
		free(collection);
	}
	printf("%zu documents\n", n);
}

static void print_docs_json(const struct store_doc_row *rows, size_t n)
{
	char when[32];
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)rows[i].id);
		cJSON_AddStringToObject(o, "collection", rows[i].collection);
		cJSON_AddStringToObject(o, "path", rows[i].path);
		cJSON_AddStringToObject(o, "format", rows[i].format);
		if (rows[i].title)
			cJSON_AddStringToObject(o, "title", rows[i].title);
		cJSON_AddNumberToObject(o, "chunks", (double)rows[i].n_chunks);
		cJSON_AddNumberToObject(o, "bytes", (double)rows[i].bytes);
		clock_format_utc(rows[i].first_seen, when, sizeof when);
		cJSON_AddStringToObject(o, "first_seen", when);
		clock_format_utc(rows[i].last_changed, when, sizeof when);
		cJSON_AddStringToObject(o, "last_changed", when);
		cJSON_AddNumberToObject(o, "change_count", (double)rows[i].change_count);
		cJSON_AddNumberToObject(o, "invalid_utf8", (double)rows[i].invalid_utf8);
		cJSON_AddStringToObject(o, "status", rows[i].status);
		if (rows[i].status_reason[0])
			cJSON_AddStringToObject(o, "status_reason", rows[i].status_reason);
		if (rows[i].superseded_by)
			cJSON_AddStringToObject(o, "superseded_by", rows[i].superseded_by);
		const char *dates[][2] = { { "effective", rows[i].effective_date },
		                           { "reviewed", rows[i].reviewed_date },
		                           { "released", rows[i].released_date } };
		for (size_t d = 0; d < 3; d++)
			if (dates[d][1])
				cJSON_AddStringToObject(o, dates[d][0], dates[d][1]);
		cJSON_AddItemToArray(a, o);
	}
	cli_print_json(stdout, a);
	cJSON_Delete(a);
}

int cmd_docs(struct cli *cli, int argc, char **argv)
{
	const char *collection = NULL;
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "docs", docs_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind < argc)
		return cli_usage_error(cli, "docs ", "unexpected argument '%s'", argv[optind]);
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	char err[ERR_LEN];
	int64_t coll = 0;
	if (collection) {
		enum rd_err found = store_collection_id(cli->store, collection, false, &coll, err, sizeof err);
		if (found != RD_OK) {
			log_error("%s", found == RD_ERR_NOT_FOUND ? "no such collection (see 'ragdeck docs' for the ones there are)" : err);
			return EXIT_FAIL;
		}
	}
	struct store_doc_row *rows;
	size_t n;
	if (store_docs_list(cli->store, coll, &rows, &n, err, sizeof err) != 0) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	if (json)
		print_docs_json(rows, n);
	else
		print_docs_text(rows, n);
	store_doc_rows_free(rows, n);
	return EXIT_OK;
}

static void print_chunks_text(const char *path, const struct store_chunk_row *rows, size_t n)
{
	print_cell(cli_display_path(path));
	printf(": %zu chunks\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct store_chunk_row *c = &rows[i];
		printf("\n--- chunk %d  lines %d-%d  bytes %lld-%lld  %d tokens", c->ordinal, c->line_start,
		       c->line_end, (long long)c->byte_start, (long long)c->byte_end, c->tokens);
		if (c->page_start > 0 && c->page_end > c->page_start)
			printf("  pages %d-%d", c->page_start, c->page_end);
		else if (c->page_start > 0)
			printf("  page %d", c->page_start);
		if (c->heading_path[0]) {
			printf("  [");
			print_cell(c->heading_path);
			putchar(']');
		}
		printf("\n");
		print_clean(c->text);
		putchar('\n');
	}
}

static void print_chunks_json(const char *path, const struct store_chunk_row *rows, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", path);
	cJSON *a = cJSON_AddArrayToObject(o, "chunks");
	for (size_t i = 0; i < n; i++) {
		const struct store_chunk_row *c = &rows[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)c->id);
		cJSON_AddNumberToObject(j, "ordinal", c->ordinal);
		cJSON_AddNumberToObject(j, "line_start", c->line_start);
		cJSON_AddNumberToObject(j, "line_end", c->line_end);
		cJSON_AddNumberToObject(j, "byte_start", (double)c->byte_start);
		cJSON_AddNumberToObject(j, "byte_end", (double)c->byte_end);
		result_json_add_pages(j, c->page_start, c->page_end);
		cJSON_AddNumberToObject(j, "tokens", c->tokens);
		cJSON_AddStringToObject(j, "heading_path", c->heading_path);
		cJSON_AddStringToObject(j, "text", c->text);
		cJSON_AddItemToArray(a, j);
	}
	cli_print_json(stdout, o);
	cJSON_Delete(o);
}

int cmd_chunks(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ .complete = CLI_COMPLETE_PATH }, /* PATH */
	};
	if (cli_options_parse(cli, "chunks", chunks_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (argc - optind != 1)
		return cli_usage_error(cli, "chunks ", "chunks needs exactly one PATH");
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	const char *arg = argv[optind];
	char err[ERR_LEN];
	int64_t *ids, doc_id;
	size_t n_ids;
	enum rd_err found = store_doc_find(cli->store, 0, arg, &ids, &n_ids, err, sizeof err);
	doc_id = n_ids ? ids[0] : 0;
	free(ids);
	if (found != RD_OK) {
		if (found == RD_ERR_NOT_FOUND)
			log_error("no document matches %s (see 'ragdeck docs')", arg);
		else if (found == RD_ERR_AMBIGUOUS)
			log_error("%s matches several documents: give more of the path", arg);
		else
			log_error("%s", err);
		return EXIT_FAIL;
	}
	struct store_chunk_row *rows;
	size_t n;
	if (store_chunks_of_doc(cli->store, doc_id, &rows, &n, err, sizeof err) != 0) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	char *path = store_doc_path(cli->store, doc_id);
	if (json)
		print_chunks_json(path ? path : arg, rows, n);
	else
		print_chunks_text(path ? path : arg, rows, n);
	free(path);
	store_chunk_rows_free(rows, n);
	return EXIT_OK;
}
