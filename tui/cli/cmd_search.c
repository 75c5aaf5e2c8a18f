/* ragdeck search: hybrid retrieval from the command line, with the
 * evidence for every rank and the time of every stage. */
#include "tui/cli/cli.h"
#include "tui/cli/progress.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/search/query_input.h"
#include "core/search/result_json.h"
#include "core/search/retrieve.h"
#include "tui/cli/search_explain.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char search_help[] =
	"Usage: ragdeck search [OPTION]... QUERY\n"
	"Retrieve the chunks that best match QUERY: vector and BM25 candidates\n"
	"fused by reciprocal rank, then packed under max_context_tokens. A QUERY\n"
	"of - is read from standard input (up to 1 MiB). Otherwise, when standard\n"
	"input is a pipe or a file (cat error.log | ragdeck search \"sync fails\"),\n"
	"the words of its last KiB (not its timestamps or counts) join QUERY.\n"
	"\n"
	"  -k, --top-k N          hits to show (default: routing.paths.retrieval.top_k)\n"
	"  -m, --mode MODE        hybrid (default), vector or fts\n"
	"  -c, --collection NAME  collection to search (default: the config's)\n"
	"      --path GLOB        only documents whose stored path matches GLOB\n"
	"      --explain PATH     instead of the hits, why the document at PATH (the\n"
	"                         file, its stored path, or a unique suffix of one)\n"
	"                         was or was not retrieved: its best chunks' ranks\n"
	"                         and verdicts\n"
	"  -i, --input FILE       let the end of FILE join the query (- for stdin)\n"
	"      --no-input         never read standard input beside QUERY\n"
	"      --json             print a JSON object (see docs/search-json.md)\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

/* One line of text, whitespace collapsed, cleaned for the terminal. Text
 * longer than max bytes is cut at the last space within them, or at a
 * character boundary when that space is in the first half, and ends in
 * "…". Caller frees. */
static char *preview(const char *text, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	bool space = false;
	/* One byte past max tells whether there is more. */
	for (const char *p = text; *p && sb.len <= max; p++) {
		if (*p == '\n' || *p == '\t' || *p == ' ' || *p == '\r') {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_putc(&sb, ' ');
		space = false;
		sb_putc(&sb, *p);
	}
	if (sb.len > max) {
		size_t end = utf8_floor_boundary(sb_str(&sb), sb.len, max);
		size_t word = end;
		while (word > 0 && sb.buf[word] != ' ')
			word--;
		sb_truncate(&sb, word > max / 2 ? word : end);
		sb_puts(&sb, "\xE2\x80\xA6");
	}
	char *clean = utf8_sanitize(sb_str(&sb), sb.len, NULL);
	sb_free(&sb);
	return clean;
}

static void print_text(const struct retrieve_result *res)
{
	for (size_t i = 0; i < res->n_hits; i++) {
		const struct retrieve_hit *h = &res->hits[i];
		const char *shown = cli_display_path(h->path);
		char *path = cli_cell(shown, strlen(shown));
		char *heading = cli_cell(h->heading_path, strlen(h->heading_path));
		char *pre = preview(h->text, 160);
		char loc[PACK_LOCATION_LEN];
		pack_location(loc, sizeof loc, h->line_start, h->line_end, h->page_start, h->page_end);
		printf("%2d. %.4f  %s%s%s%s%s%s%s\n", h->rank, h->fused, path, loc,
		       heading[0] ? "  (" : "", heading, heading[0] ? ")" : "",
		       h->status != DOC_CURRENT ? "  " : "", h->status != DOC_CURRENT ? doc_status_name(h->status) : "");
		printf("    vector ");
		if (h->vec_rank)
			printf("#%d %.3f", h->vec_rank, h->vec_score);
		else
			printf("-");
		printf("   bm25 ");
		if (h->fts_rank)
			printf("#%d %.2f", h->fts_rank, h->bm25);
		else
			printf("-");
		if (h->reranked)
			printf("   rerank %.3f", h->rerank_score);
		printf("   %d tokens%s\n    %s\n", h->tokens, h->packed ? "" : "   (dropped: over budget)", pre);
		free(path);
		free(heading);
		free(pre);
	}
	if (res->n_hits == 0)
		printf("no matches\n");
	const struct retrieve_timings *t = &res->us;
	printf("\ncontext: %zu blocks, %d of %d tokens, %zu chunks dropped for budget\n", res->pack.n_blocks,
	       res->pack.total_tokens, res->pack.budget, res->pack.n_dropped);
	printf("time: %.2f ms (embed %.2f, vector %.2f, fts %.2f, fuse %.2f, rerank %.2f, pack %.2f)"
	       " over %zu vectors\n",
	       (double)t->total_us / 1e3, (double)t->embed_us / 1e3, (double)t->vector_us / 1e3,
	       (double)t->fts_us / 1e3, (double)t->fuse_us / 1e3, (double)t->rerank_us / 1e3,
	       (double)t->pack_us / 1e3, res->index_rows);
	if (res->rerank_error) {
		/* The reason quotes the server's reply: untrusted text. */
		fputs("reranker: skipped (", stdout);
		cli_put_clean(stdout, res->rerank_error, strlen(res->rerank_error));
		fputs(")\n", stdout);
	}
	if (res->vector_error) {
		fputs("vectors: not used, full text alone (", stdout);
		cli_put_clean(stdout, res->vector_error, strlen(res->vector_error));
		fputs(")\n", stdout);
	}
}

static void print_json(const struct retrieve_result *res, const char *query, const char *mode)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "query", query);
	cJSON_AddStringToObject(o, "mode", mode);
	cJSON *hits = cJSON_AddArrayToObject(o, "hits");
	for (size_t i = 0; i < res->n_hits; i++)
		cJSON_AddItemToArray(hits, result_json_hit(&res->hits[i]));
	cJSON *ctx = cJSON_AddObjectToObject(o, "context");
	cJSON_AddNumberToObject(ctx, "budget_tokens", res->pack.budget);
	cJSON_AddNumberToObject(ctx, "used_tokens", res->pack.total_tokens);
	cJSON *blocks = cJSON_AddArrayToObject(ctx, "blocks");
	for (size_t i = 0; i < res->pack.n_blocks; i++) {
		const struct pack_block *b = &res->pack.blocks[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "number", b->number);
		cJSON_AddStringToObject(j, "path", b->path);
		cJSON_AddNumberToObject(j, "line_start", b->line_start);
		cJSON_AddNumberToObject(j, "line_end", b->line_end);
		result_json_add_pages(j, b->page_start, b->page_end);
		cJSON_AddNumberToObject(j, "tokens", b->tokens);
		cJSON *ids = cJSON_AddArrayToObject(j, "chunk_ids");
		for (size_t c = 0; c < b->n_chunks; c++)
			cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)b->chunk_ids[c]));
		cJSON_AddItemToArray(blocks, j);
	}
	cJSON *dropped = cJSON_AddArrayToObject(ctx, "dropped_chunk_ids");
	for (size_t i = 0; i < res->pack.n_dropped; i++)
		cJSON_AddItemToArray(dropped, cJSON_CreateNumber((double)res->pack.dropped[i]));
	cJSON *t = cJSON_AddObjectToObject(o, "timings_us");
	result_json_add_stage_timings(t, &res->us);
	cJSON_AddNumberToObject(t, "total", (double)res->us.total_us);
	cJSON_AddNumberToObject(o, "vectors_searched", (double)res->index_rows);
	cJSON_AddBoolToObject(o, "embedding_cached", res->embed_cached);
	cJSON_AddNumberToObject(o, "vector_weight", res->vector_weight);
	cJSON_AddNumberToObject(o, "coverage", res->coverage);
	result_json_add_string_or_null(o, "fts_match", res->fts_match);
	cJSON_AddNumberToObject(o, "fts_terms_dropped", (double)res->fts_terms_dropped);
	cJSON_AddBoolToObject(o, "reranked", res->reranked);
	result_json_add_string_or_null(o, "rerank_error", res->rerank_error);
	result_json_add_string_or_null(o, "vector_error", res->vector_error);
	cJSON_AddNumberToObject(o, "embed_tokens", (double)res->embed_tokens);
	cli_print_json(stdout, o);
	cJSON_Delete(o);
}

/* Print why the document at path was or was not retrieved for q. Returns
 * EXIT_OK, or EXIT_FAIL after logging the failure. */
static int explain(struct retriever *r, const struct retrieve_query *q, const char *path, bool json)
{
	struct explain_result e;
	char err[ERR_LEN];
	int rc = retrieve_explain(r, q, path, &e, err, sizeof err);
	if (rc != 0)
		log_error("%s", err);
	else if (json)
		search_explain_json(stdout, &e, q->text, retrieve_mode_name(q->mode));
	else
		search_explain_text(stdout, &e);
	explain_result_free(&e);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	const char *collection = NULL, *path_glob = NULL, *input_path = NULL, *explain_path = NULL;
	enum retrieve_mode mode = RETRIEVE_HYBRID;
	int k = 0, exit_code;
	bool json = false, no_input = false;
	const struct cli_opt opts[] = {
		{ .name = "top-k", .letter = 'k', .type = CLI_OPT_INT, .dest = &k, .min = 1, .max = 1000,
		  .refused = "-k takes a number from 1 to 1000, not '%s'" },
		{ .name = "mode", .letter = 'm', .type = CLI_OPT_FUNC, .dest = &mode, .parse = cli_opt_retrieve_mode,
		  .choices = CLI_RETRIEVE_MODES, .refused = "--mode is hybrid, vector or fts, not '%s'" },
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "path", .type = CLI_OPT_STRING, .dest = &path_glob },
		{ .name = "explain", .type = CLI_OPT_STRING, .dest = &explain_path, .complete = CLI_COMPLETE_PATH },
		{ .name = "input", .letter = 'i', .type = CLI_OPT_STRING, .dest = &input_path,
		  .complete = CLI_COMPLETE_PATH },
		{ .name = "no-input", .type = CLI_OPT_FLAG, .dest = &no_input },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "search", search_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (argc - optind != 1)
		return cli_usage_error(cli, "search ", "search needs exactly one QUERY (quote it, or - to read it)");
	if (input_path && no_input)
		return cli_usage_error(cli, "search ", "--input and --no-input do not go together");
	bool query_from_stdin = strcmp(argv[optind], "-") == 0;
	if (query_from_stdin && input_path && strcmp(input_path, "-") == 0)
		return cli_usage_error(cli, "search ", "standard input cannot hold both the query and the input");
	char *query = NULL, *input = NULL;
	size_t input_len = 0;
	if (cli_operand_text(cli, "search", "query", argv[optind], &query) != 0)
		return EXIT_USAGE;
	if (cli_read_input(cli, "search", input_path, no_input || query_from_stdin, &input, &input_len) != 0) {
		free(query);
		return EXIT_USAGE;
	}
	struct strbuf text = STRBUF_INIT;
	query_with_input(&text, query, input, input_len);
	free(input);
	free(query);
	query = sb_detach(&text, NULL);
	struct embedder *embedder = NULL;
	if (cli_open_store(cli) != 0 || !(embedder = cli_embedder_or_log(cli, collection, EMBED_FOR_QUERIES))) {
		free(query);
		return EXIT_FAIL;
	}
	struct retriever_opts ro;
	retriever_opts_from_config(cli->cfg, collection, &ro);
	struct retriever *r = NULL;
	struct retrieve_result res;
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	struct retrieve_query q = {
		.text = query,
		.k = k ? k : cli->cfg->routing.retrieval.top_k,
		.mode = mode,
		.path_glob = path_glob,
		.max_context_tokens = cli->cfg->routing.retrieval.max_context_tokens,
	};
	struct progress_bar bar;
	progress_init(&bar);
	ro.vec_progress = progress_vec_index;
	ro.vec_progress_ud = &bar;
	int opened = retriever_open(cli->store, embedder, &ro, &r, err, sizeof err);
	progress_clear(&bar);
	if (opened == 0 && retriever_vectors(r).note)
		log_warn("%s", retriever_vectors(r).note);
	if (opened == 0 && explain_path) {
		rc = explain(r, &q, explain_path, json);
		goto cleanup;
	}
	if (opened != 0 || retriever_search(r, &q, &res, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (json)
		print_json(&res, q.text, retrieve_mode_name(q.mode));
	else
		print_text(&res);
	retrieve_result_free(&res);
	rc = EXIT_OK;
cleanup:
	retriever_free(&r);
	embed_free(&embedder);
	free(query);
	return rc;
}
