/* ragdeck pairs: check fine-tuning pairs before training ("pairs check"),
 * and write the chat turns approved in the app as pairs ("pairs export"). */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/eval/judge_pairs.h"
#include "core/eval/pairs.h"
#include "core/util/log.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"
#include "store/evalstore.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char pairs_help[] =
	"Usage: ragdeck pairs check [--format json|regex:PATTERN] [--judge MODEL] FILE.jsonl\n"
	"       ragdeck pairs export [--min-score X [--judge MODEL]] [--json]\n"
	"check: validate fine-tuning pairs, one per line, in the OpenAI chat format\n"
	"{\"messages\": [{\"role\": ..., \"content\": ...}]} or as {\"prompt\", \"completion\"}.\n"
	"Reports, with line numbers, lines that are not JSON or of neither shape,\n"
	"empty inputs or outputs, duplicates, contradictions (same input, different\n"
	"outputs), outputs failing the format check, and length outliers (output\n"
	"tokens outside median +- 3 x MAD, from 8 items on; a warning only).\n"
	"With --judge, MODEL (a model the config reaches) also scores each\n"
	"well-formed pair from 0 to 1 for consistency with its instruction and with\n"
	"up to 3 similar pairs of the file; verdicts are cached in the database.\n"
	"export: write the approved assistant answers with their questions as JSONL\n"
	"pairs in the chat format to standard output.\n"
	"\n"
	"      --format CHECK     check: outputs must be JSON (json) or match the\n"
	"                         POSIX extended regex PATTERN (regex:PATTERN)\n"
	"      --judge MODEL      check: score the pairs with MODEL; export: with\n"
	"                         --min-score, use MODEL's scores (default: the\n"
	"                         newest score of any judge)\n"
	"      --min-score X      export: only pairs a judge scored X (0 to 1) or more;\n"
	"                         pairs never judged are left out and counted\n"
	"      --json             export: print one JSON array instead of JSONL\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status of check: 0 when the set is fit, 1 when it is unfit (any\n"
	"problem but outliers) or unreadable, 2 on usage errors; the judge's scores\n"
	"and failures never change it.\n";


enum action { ACTION_CHECK, ACTION_EXPORT };

/* A --min-score value: a number from 0 to 1 (a CLI_OPT_FUNC parser). */
struct min_score {
	bool set;
	double value;
};

static int parse_min_score(void *dest, const char *arg)
{
	struct min_score *m = dest;
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= 0 && v <= 1))
		return -1;
	*m = (struct min_score){ true, v };
	return 0;
}

static void judge_progress(void *ud, size_t done, size_t total)
{
	(void)ud;
	if (isatty(fileno(stderr)) && done < total)
		fprintf(stderr, "\rjudge %zu/%zu", done, total);
	else if (isatty(fileno(stderr)))
		fprintf(stderr, "\r%*s\r", 24, "");
}

/* The judge's verdict of each pair, one line each, and its summary line. */
static void judge_report(struct judge *j, const struct pairs_report *r)
{
	struct judge_pair_result *res = xcalloc(r->n_ok + 1, sizeof *res);
	struct judge_pairs_summary sum;
	judge_pairs_run(j, r, res, &sum, judge_progress, NULL);
	for (size_t i = 0; i < r->n_ok; i++) {
		printf("%s:%d: ", r->source, res[i].line);
		if (res[i].judged)
			printf("judged %.2f%s: ", res[i].score, res[i].cached ? " (cached)" : "");
		else
			printf("unjudged: ");
		cli_put_cell(stdout, res[i].reason, strlen(res[i].reason));
		printf("\n");
	}
	printf("judge %s (%s): %zu pair%s, %zu judged (%zu from cache), %zu unjudged", judge_model(j),
	       JUDGE_PAIRS_PROMPT_VERSION, r->n_ok, r->n_ok == 1 ? "" : "s", sum.judged, sum.cached, sum.unjudged);
	if (sum.judged)
		printf(", mean score %.3f", sum.mean);
	printf("; judge tokens %ld in, %ld out, cost ", sum.tokens_in, sum.tokens_out);
	if (sum.cost_known)
		printf("$%.6f\n", sum.cost_usd);
	else
		printf("unknown (%s has no price)\n", judge_model(j));
	judge_pair_results_free(res, r->n_ok);
	free(res);
}

static int check_file(struct cli *cli, const char *path, const struct pairs_format *fmt, const char *judge_model)
{
	struct pairs_report *r = NULL;
	struct judge *j = NULL;
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	if (judge_model) {
		if (cli_open_store(cli) != 0)
			return EXIT_FAIL;
		if (judge_new(cli->cfg, cli->store, judge_model, &j, err, sizeof err) != 0)
			return cli_usage_error(cli, "pairs ", "--judge: %s", err);
	}
	if (pairs_check_file(path, fmt, &r, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	pairs_report_print(stdout, r);
	if (j)
		judge_report(j, r);
	rc = pairs_report_fit(r) ? EXIT_OK : EXIT_FAIL;
cleanup:
	pairs_report_free(&r);
	judge_free(&j);
	return rc;
}

struct export {
	bool json;
	cJSON *array;                 /* --json: the pairs so far */
	struct store *store;
	struct min_score min;
	const char *judge_model;      /* whose scores --min-score reads; NULL: any judge's */
	size_t approved, below, unjudged;
	char err[ERR_LEN];
};

/* With --min-score, whether the pair's judged score lets it out (counted
 * when not). Returns 1 to keep it, 0 to leave it out, -1 with ex->err. */
static int passes(struct export *ex, const struct evalstore_pair *p)
{
	char hash[17];
	char *verdict = NULL, *model = NULL;
	double score = 0;
	pairs_chat_hash(p->question, p->answer, hash);
	int rc = evalstore_judge_latest(ex->store, hash, JUDGE_PAIRS_PROMPT_VERSION, ex->judge_model, &verdict,
	                                &model, ex->err, sizeof ex->err);
	if (rc == 0 && judge_pairs_score(verdict, &score) != 0)
		rc = 1;
	free(verdict);
	free(model);
	if (rc < 0)
		return -1;
	ex->unjudged += rc == 1;
	ex->below += rc == 0 && score < ex->min.value;
	return rc == 0 && score >= ex->min.value;
}

static int add_pair(void *ud, const struct evalstore_pair *p)
{
	struct export *ex = ud;
	ex->approved++;
	if (ex->min.set) {
		int keep = passes(ex, p);
		if (keep <= 0)
			return keep;
	}
	cJSON *o = pairs_chat_json(p->question, p->answer);
	if (ex->json) {
		cJSON_AddItemToArray(ex->array, o);
		return 0;
	}
	char *line = cJSON_PrintUnformatted(o);
	char *inert = utf8_json_escape_invisible(line);
	puts(inert);
	free(inert);
	free(line);
	cJSON_Delete(o);
	return 0;
}

static int export_pairs(struct cli *cli, bool json, struct min_score min, const char *judge_model)
{
	struct export ex = { .json = json, .array = cJSON_CreateArray(), .min = min, .judge_model = judge_model };
	char err[ERR_LEN] = "";
	int rc = EXIT_FAIL;
	if (cli_open_store(cli) != 0)
		goto cleanup;
	ex.store = cli->store;
	rc = evalstore_approved_each(cli->store, add_pair, &ex, err, sizeof err);
	if (rc != 0) {
		log_error("%s", ex.err[0] ? ex.err : err);   /* a verdict lookup's failure, else the store's */
		rc = EXIT_FAIL;
		goto cleanup;
	}
	if (json)
		cli_print_json(stdout, ex.array);
	if (min.set)
		log_info("pairs export: %zu of %zu approved pairs written; %zu scored under %.2f; %zu never judged by "
		         "%s with %s, left out (score them with 'ragdeck pairs check --judge MODEL' on an export)",
		         ex.approved - ex.below - ex.unjudged, ex.approved, ex.below, min.value, ex.unjudged,
		         judge_model ? judge_model : "any judge", JUDGE_PAIRS_PROMPT_VERSION);
	rc = EXIT_OK;
cleanup:
	cJSON_Delete(ex.array);
	return rc;
}

int cmd_pairs(struct cli *cli, int argc, char **argv)
{
	struct pairs_format fmt = { PAIRS_CHECK_NONE, NULL };
	const char *format_arg = NULL, *judge_model = NULL;
	struct min_score min = { false, 0 };
	enum action action;
	bool json = false;
	char err[ERR_LEN];
	int exit_code;
	/* The action comes first ("pairs check FILE"): options are parsed
	 * after it. */
	if (argc > 1 && (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "export") == 0)) {
		action = strcmp(argv[1], "check") == 0 ? ACTION_CHECK : ACTION_EXPORT;
		argc--;
		argv++;
	} else if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(pairs_help, stdout);
		return EXIT_OK;
	} else {
		return cli_usage_error(cli, "pairs ", "the pairs commands are 'pairs check FILE' and 'pairs export'");
	}
	const struct cli_opt opts[] = {
		{ .name = "format", .type = CLI_OPT_STRING, .dest = &format_arg, .choices = "json regex:" },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ .name = "judge", .type = CLI_OPT_STRING, .dest = &judge_model },
		{ .name = "min-score", .type = CLI_OPT_FUNC, .dest = &min, .parse = parse_min_score,
		  .refused = "--min-score takes a number from 0 to 1, not '%s'" },
		{ .complete = CLI_COMPLETE_PATH }, /* FILE.jsonl of pairs check */
	};
	if (cli_options_parse(cli, "pairs", pairs_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (action == ACTION_EXPORT) {
		if (format_arg)
			return cli_usage_error(cli, "pairs ", "--format belongs to 'pairs check'");
		if (argc - optind != 0)
			return cli_usage_error(cli, "pairs ", "pairs export takes no arguments");
		if (judge_model && !min.set)
			return cli_usage_error(cli, "pairs ", "--judge with 'pairs export' names whose scores --min-score "
			                       "reads: give --min-score too");
		return export_pairs(cli, json, min, judge_model);
	}
	if (json)
		return cli_usage_error(cli, "pairs ", "--json belongs to 'pairs export'");
	if (min.set)
		return cli_usage_error(cli, "pairs ", "--min-score belongs to 'pairs export'");
	if (argc - optind != 1)
		return cli_usage_error(cli, "pairs ", "pairs check takes one FILE");
	if (format_arg && pairs_format_parse(format_arg, &fmt, err, sizeof err) != 0)
		return cli_usage_error(cli, "pairs ", "--format: %s", err);
	return check_file(cli, argv[optind], &fmt, judge_model);
}
