/* ragdeck pairs: check fine-tuning pairs before training ("pairs check"),
 * and write the chat turns approved in the app as pairs ("pairs export"). */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/eval/pairs.h"
#include "core/util/log.h"
#include "core/util/utf8.h"
#include "store/evalstore.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char pairs_help[] =
	"Usage: ragdeck pairs check [--format json|regex:PATTERN] FILE.jsonl\n"
	"       ragdeck pairs export [--json]\n"
	"check: validate fine-tuning pairs, one per line, in the OpenAI chat format\n"
	"{\"messages\": [{\"role\": ..., \"content\": ...}]} or as {\"prompt\", \"completion\"}.\n"
	"Reports, with line numbers, lines that are not JSON or of neither shape,\n"
	"empty inputs or outputs, duplicates, contradictions (same input, different\n"
	"outputs), outputs failing the format check, and length outliers (output\n"
	"tokens outside median +- 3 x MAD, from 8 items on; a warning only).\n"
	"export: write the approved assistant answers with their questions as JSONL\n"
	"pairs in the chat format to standard output.\n"
	"\n"
	"      --format CHECK     check: outputs must be JSON (json) or match the\n"
	"                         POSIX extended regex PATTERN (regex:PATTERN)\n"
	"      --json             export: print one JSON array instead of JSONL\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status of check: 0 when the set is fit, 1 when it is unfit (any\n"
	"problem but outliers) or unreadable, 2 on usage errors.\n";


enum action { ACTION_CHECK, ACTION_EXPORT };

static int check_file(const char *path, const struct pairs_format *fmt)
{
	struct pairs_report *r = NULL;
	char err[ERR_LEN];
	int rc;
	if (pairs_check_file(path, fmt, &r, err, sizeof err) != 0) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	pairs_report_print(stdout, r);
	rc = pairs_report_fit(r) ? EXIT_OK : EXIT_FAIL;
	pairs_report_free(&r);
	return rc;
}

struct export {
	bool json;
	cJSON *array;                 /* --json: the pairs so far */
};

static int add_pair(void *ud, const struct evalstore_pair *p)
{
	struct export *ex = ud;
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

static int export_pairs(struct cli *cli, bool json)
{
	struct export ex = { json, cJSON_CreateArray() };
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	if (cli_open_store(cli) != 0)
		goto cleanup;
	if (evalstore_approved_each(cli->store, add_pair, &ex, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (json)
		cli_print_json(stdout, ex.array);
	rc = EXIT_OK;
cleanup:
	cJSON_Delete(ex.array);
	return rc;
}

int cmd_pairs(struct cli *cli, int argc, char **argv)
{
	struct pairs_format fmt = { PAIRS_CHECK_NONE, NULL };
	const char *format_arg = NULL;
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
		{ .complete = CLI_COMPLETE_PATH }, /* FILE.jsonl of pairs check */
	};
	if (cli_options_parse(cli, "pairs", pairs_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (action == ACTION_EXPORT) {
		if (format_arg)
			return cli_usage_error(cli, "pairs ", "--format belongs to 'pairs check'");
		if (argc - optind != 0)
			return cli_usage_error(cli, "pairs ", "pairs export takes no arguments");
		return export_pairs(cli, json);
	}
	if (json)
		return cli_usage_error(cli, "pairs ", "--json belongs to 'pairs export'");
	if (argc - optind != 1)
		return cli_usage_error(cli, "pairs ", "pairs check takes one FILE");
	if (format_arg && pairs_format_parse(format_arg, &fmt, err, sizeof err) != 0)
		return cli_usage_error(cli, "pairs ", "--format: %s", err);
	return check_file(argv[optind], &fmt);
}
