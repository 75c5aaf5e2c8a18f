/* ragdeck ask: one whole turn from the command line — retrieval, grounded
 * prompt, streamed answer, numbered sources. */
#include "tui/cli/cli.h"
#include "tui/cli/progress.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "tui/ui/term_md.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/answer/turn.h"
#include "core/answer/query_log.h"
#include "core/search/result_json.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char ask_help[] =
	"Usage: ragdeck ask [OPTION]... QUESTION\n"
	"Answer QUESTION from the knowledge store: retrieve, build a grounded\n"
	"prompt, stream the answer as it arrives, then list the numbered sources.\n"
	"A QUESTION of - is read from standard input (up to 1 MiB). Otherwise,\n"
	"when standard input is a pipe or a file (cat error.log | ragdeck ask\n"
	"\"why does this fail?\"), it is attached to the question as the user's\n"
	"input: its own labelled block in the prompt, apart from the documents,\n"
	"and its last lines join the question in the search (up to 100 KiB).\n"
	"\n"
	"  -m, --model MODEL      model to ask (default: routing.default_model);\n"
	"                         \"local\" answers offline from the retrieved text\n"
	"  -k, --top-k N          chunks to retrieve (default: the config's top_k)\n"
	"  -c, --collection NAME  collection to search (default: the config's)\n"
	"      --no-stream        print the answer once it is complete\n"
	"      --raw              print the answer's Markdown as it is (the default\n"
	"                         when standard output is not a terminal; on a\n"
	"                         terminal it is rendered block by block)\n"
	"  -i, --input FILE       attach FILE as the user's input (- for stdin)\n"
	"      --no-input         never attach standard input\n"
	"      --json             print one JSON object (answer, citations, model,\n"
	"                         provider, usage, timings)\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n"
	"\n"
	"Keys come from the environment only (OPENAI_API_KEY, ANTHROPIC_API_KEY or\n"
	"the variable the config names). Exit status 1 when the answer failed or\n"
	"was interrupted; what arrived is still printed.\n";

struct ask_state {
	bool stream;
	struct term_md *md;   /* rendering for a terminal, or NULL */
};

static void on_text(void *ud, const char *text, size_t len)
{
	struct ask_state *st = ud;
	if (!st->stream)
		return;
	if (st->md) {
		term_md_add(st->md, text, len);
		return;
	}
	cli_put_clean(stdout, text, len);
	fflush(stdout);
}

/* The context blocks the answer was given: none when the router chose a
 * path without documents (the probe's chunks were only looked at). */
static size_t cited_blocks(const struct turn_record *r)
{
	return r->prompt.n_blocks ? r->retrieval.pack.n_blocks : 0;
}

static void print_sources(const struct turn_record *r)
{
	const struct pack_result *pack = &r->retrieval.pack;
	size_t n = cited_blocks(r);
	if (n == 0) {
		printf("\n(no sources: %s)\n", pack->n_blocks ? "answered without the documents"
		                                            : "nothing in the knowledge store matched");
		return;
	}
	printf("\nSources:\n");
	for (size_t i = 0; i < n; i++) {
		const struct pack_block *b = &pack->blocks[i];
		const char *path = cli_display_path(b->path);
		printf("  [%d] ", b->number);
		cli_put_cell(stdout, path, strlen(path));
		char loc[PACK_LOCATION_LEN];
		pack_location(loc, sizeof loc, b->line_start, b->line_end, b->page_start, b->page_end);
		fputs(loc, stdout);
		if (b->heading_path[0]) {
			printf("  (");
			cli_put_cell(stdout, b->heading_path, strlen(b->heading_path));
			printf(")");
		}
		if (b->archived)
			printf("  [archived]");
		if (b->summarized)
			printf("  [summarized]");
		printf("\n");
	}
}

static void print_route(const struct turn_record *r)
{
	const char *s = r->decision.sentence ? r->decision.sentence : "";
	printf("Route: %s (%s): ", router_path_name(r->decision.path), r->decision.rule ? r->decision.rule : "");
	cli_put_clean(stdout, s, strlen(s));
	printf("\n\n");
	fflush(stdout);
}

static void print_hops(const struct turn_record *r)
{
	for (size_t i = 0; i < r->n_hops; i++) {
		printf("skipped %s: ", r->hops[i].model);
		cli_put_clean(stdout, r->hops[i].reason, strlen(r->hops[i].reason));
		printf("\n");
	}
	struct strbuf line = STRBUF_INIT;
	summary_report_describe(&r->summary, &line);
	if (line.len) {
		cli_put_clean(stdout, line.buf, line.len);
		printf("\n");
	}
	sb_free(&line);
}

static void print_footer(const struct turn_record *r)
{
	char ttft[32] = "-";
	if (r->ttft_us)
		snprintf(ttft, sizeof ttft, "%.0f ms", (double)r->ttft_us / 1e3);
	printf("\n%s via %s: first token %s, total %.0f ms, %ld in / %ld out tokens%s",
	       r->model, r->provider, ttft, (double)r->total_us / 1e3,
	       r->usage.input_tokens, r->usage.output_tokens, r->usage.estimated ? " (estimated)" : "");
	if (r->metrics.cost_known)
		printf(", $%.6f%s", r->metrics.cost_usd, r->metrics.cost_estimated ? " (estimated)" : "");
	if (r->metrics.has_grounding)
		printf(", grounding %.2f", r->metrics.grounding);
	if (r->outcome != LLM_OUTCOME_OK)
		printf(", %s", llm_outcome_name(r->outcome));
	printf("\n");
}

/* nums[0..n) as a JSON array ([] when n is 0, where cJSON_CreateIntArray
 * gives NULL). */
static cJSON *int_array(const int *nums, size_t n)
{
	return n ? cJSON_CreateIntArray(nums, (int)n) : cJSON_CreateArray();
}

/* The counted sentences of an answer with their support marks. */
static cJSON *sentences_json(const struct support_result *sr)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < sr->n; i++) {
		const struct support_sentence *s = &sr->sentences[i];
		if (!s->counted)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "text", s->text);
		cJSON_AddItemToObject(o, "cited", int_array(s->cited, s->n_cited));
		cJSON_AddNumberToObject(o, "support", (double)(int)(s->support * 100 + 0.5) / 100);
		cJSON_AddItemToObject(o, "supported_by", int_array(s->supported_by, s->n_supported_by));
		cJSON_AddBoolToObject(o, "supported", s->basis != SUPPORT_NONE);
		cJSON_AddStringToObject(o, "basis", support_basis_name(s->basis));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void print_json(const struct turn_record *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "question", r->question);
	cJSON_AddStringToObject(o, "answer", r->answer);
	cJSON_AddStringToObject(o, "outcome", llm_outcome_name(r->outcome));
	if (r->error[0])
		cJSON_AddStringToObject(o, "error", r->error);
	cJSON_AddStringToObject(o, "model", r->model);
	cJSON_AddStringToObject(o, "provider", r->provider);
	cJSON_AddStringToObject(o, "finish_reason", r->finish_reason);
	cJSON *cites = cJSON_AddArrayToObject(o, "citations");
	const struct pack_result *pack = &r->retrieval.pack;
	for (size_t i = 0; i < cited_blocks(r); i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "rank", pack->blocks[i].number);
		cJSON_AddStringToObject(c, "path", pack->blocks[i].path);
		cJSON_AddNumberToObject(c, "line_start", pack->blocks[i].line_start);
		cJSON_AddNumberToObject(c, "line_end", pack->blocks[i].line_end);
		result_json_add_pages(c, pack->blocks[i].page_start, pack->blocks[i].page_end);
		cJSON_AddStringToObject(c, "heading_path", pack->blocks[i].heading_path);
		cJSON_AddBoolToObject(c, "archived", pack->blocks[i].archived);
		cJSON_AddBoolToObject(c, "summarized", pack->blocks[i].summarized);
		/* Blocks in the prompt line up with the packer's blocks. */
		bool flagged = i < r->prompt.n_blocks && r->prompt.blocks[i].flags.n_hits > 0;
		cJSON_AddBoolToObject(c, "injection_flagged", flagged);
		cJSON_AddItemToArray(cites, c);
	}
	cJSON *u = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(u, "input_tokens", (double)r->usage.input_tokens);
	cJSON_AddNumberToObject(u, "output_tokens", (double)r->usage.output_tokens);
	cJSON_AddBoolToObject(u, "estimated", r->usage.estimated != 0);
	cJSON_AddNumberToObject(u, "context_tokens", r->prompt.context_tokens);
	cJSON_AddNumberToObject(u, "input_block_tokens", r->prompt.input_tokens);
	cJSON_AddNumberToObject(u, "prompt_tokens", r->prompt.total_tokens);
	cJSON_AddNumberToObject(u, "embed_tokens", (double)r->metrics.embed_tokens);
	cJSON_AddNumberToObject(u, "embed_cost_usd", r->metrics.embed_cost_usd);
	result_json_add_string_or_null(o, "vector_error", r->retrieval.vector_error);
	cJSON_AddItemToObject(o, "summary", query_log_summary(r));
	cJSON *t = cJSON_AddObjectToObject(o, "timings_us");
	result_json_add_stage_timings(t, &r->retrieval.us);
	cJSON_AddNumberToObject(t, "retrieve", (double)r->retrieve_us);
	cJSON_AddNumberToObject(t, "prompt", (double)r->prompt_us);
	cJSON_AddNumberToObject(t, "time_to_first_token", (double)r->ttft_us);
	cJSON_AddNumberToObject(t, "generation", (double)r->generation_us);
	cJSON_AddNumberToObject(t, "total", (double)r->total_us);
	cJSON_AddNumberToObject(o, "tokens_per_second", r->tokens_per_sec);
	cJSON_AddNumberToObject(o, "retries", r->retries);
	cJSON *d = cJSON_AddObjectToObject(o, "route");
	cJSON_AddStringToObject(d, "path", router_path_name(r->decision.path));
	cJSON_AddStringToObject(d, "rule", r->decision.rule ? r->decision.rule : "");
	cJSON_AddStringToObject(d, "sentence", r->decision.sentence ? r->decision.sentence : "");
	cJSON_AddItemToObject(d, "hops", query_log_hops(r));
	cJSON_AddStringToObject(o, "outcome_metric", metrics_outcome_name(r->metrics.outcome));
	if (r->format_checked)
		cJSON_AddBoolToObject(o, "format_ok", r->format_ok);
	cJSON_AddBoolToObject(o, "leaked_system_prompt", r->leaked_system_prompt);
	if (r->metrics.cost_known) {
		cJSON_AddNumberToObject(o, "cost_usd", r->metrics.cost_usd);
		cJSON_AddNumberToObject(o, "answer_cost_usd", r->metrics.answer_cost_usd);
	}
	if (r->metrics.has_grounding)
		cJSON_AddNumberToObject(o, "grounding", r->metrics.grounding);
	cJSON_AddItemToObject(o, "sentences", sentences_json(&r->support));
	cJSON_AddNumberToObject(o, "query_id", (double)r->query_id);
	cli_print_json(stdout, o);
	cJSON_Delete(o);
}

static void print_input(const struct turn_record *r, size_t bytes, const char *from)
{
	printf("Input: %.1f KiB from %s (%d tokens), beside the question\n\n", (double)bytes / 1024.0, from,
	       r->prompt.input_tokens);
}

int cmd_ask(struct cli *cli, int argc, char **argv)
{
	struct turn_opts topts = { 0 };
	const char *collection = NULL;
	bool json = false, no_stream = false, raw = false, no_input = false;
	const char *input_path = NULL;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "model", .letter = 'm', .type = CLI_OPT_STRING, .dest = &topts.model },
		{ .name = "top-k", .letter = 'k', .type = CLI_OPT_INT, .dest = &topts.top_k, .min = 1, .max = 100,
		  .refused = "-k takes a number from 1 to 100, not '%s'" },
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &collection },
		{ .name = "no-stream", .type = CLI_OPT_FLAG, .dest = &no_stream },
		{ .name = "raw", .type = CLI_OPT_FLAG, .dest = &raw },
		{ .name = "input", .letter = 'i', .type = CLI_OPT_STRING, .dest = &input_path,
		  .complete = CLI_COMPLETE_PATH },
		{ .name = "no-input", .type = CLI_OPT_FLAG, .dest = &no_input },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "ask", ask_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (argc - optind != 1)
		return cli_usage_error(cli, "ask ", "ask needs exactly one QUESTION (quote it, or - to read it)");
	char *question = NULL, *input = NULL;
	size_t input_len = 0;
	bool question_from_stdin = strcmp(argv[optind], "-") == 0;
	if (input_path && no_input)
		return cli_usage_error(cli, "ask ", "--input and --no-input do not go together");
	if (question_from_stdin && input_path && strcmp(input_path, "-") == 0)
		return cli_usage_error(cli, "ask ", "standard input cannot hold both the question and the input");
	if (cli_operand_text(cli, "ask", "question", argv[optind], &question) != 0)
		return EXIT_USAGE;
	if (cli_read_input(cli, "ask", input_path, no_input || question_from_stdin, &input, &input_len) != 0) {
		free(question);
		return EXIT_USAGE;
	}
	topts.input = input;
	topts.input_len = input_len;
	struct embedder *embedder = NULL;
	if (cli_open_store(cli) != 0 || !(embedder = cli_embedder_or_log(cli, collection, EMBED_FOR_QUERIES))) {
		free(question);
		free(input);
		return EXIT_FAIL;
	}
	struct retriever *retriever = NULL;
	struct llm_client *client = llm_client_new();
	struct turn *turn = NULL;
	struct ask_state st = { .stream = !json && !no_stream };
	if (!json && !raw && isatty(STDOUT_FILENO)) {
		const char *no_color = getenv("NO_COLOR");
		st.md = term_md_new(stdout, term_md_width(STDOUT_FILENO), !(no_color && *no_color));
	}
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	struct progress_bar bar;
	progress_init(&bar);
	if (cli_open_retriever(cli->cfg, cli->store, embedder, collection, VEC_BUILD_NOW, &bar, &retriever, err,
	                       sizeof err) != 0)
		log_warn("answering without documents: %s", err);
	struct turn_env env = { .cfg = cli->cfg, .retriever = retriever, .client = client, .log = cli->store };
	struct turn_callbacks cbs = { .on_text = on_text, .ud = &st };
	if (turn_start(&env, question, &topts, &cbs, &turn, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (!json) {
		print_route(turn_record(turn));
		if (input_len)
			print_input(turn_record(turn), input_len, input_path && strcmp(input_path, "-") ? input_path
			                                                                               : "standard input");
	}
	if (llm_client_run(client, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	const struct turn_record *r = turn_record(turn);
	if (json) {
		print_json(r);
	} else {
		if (st.md) {
			if (!st.stream)
				term_md_add(st.md, r->answer, r->answer_len);
			term_md_finish(st.md);
		} else {
			if (!st.stream)
				cli_put_clean(stdout, r->answer, r->answer_len);
			if (r->answer_len && r->answer[r->answer_len - 1] != '\n')
				printf("\n");
		}
		print_sources(r);
		print_hops(r);
		print_footer(r);
	}
	if (r->outcome != LLM_OUTCOME_OK) {
		log_error("the answer %s: %s", r->outcome == LLM_OUTCOME_INTERRUPTED ? "was interrupted" : "failed",
		          r->error);
	} else {
		rc = EXIT_OK;
	}
cleanup:
	term_md_free(&st.md);
	turn_free(&turn);
	llm_client_free(&client);
	retriever_free(&retriever);
	embed_free(&embedder);
	free(question);
	free(input);
	return rc;
}
