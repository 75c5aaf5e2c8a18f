/* ragdeck golden export: reviewer marks (chunks marked relevant in the
 * context pane) become golden items, one per question. */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/eval/golden.h"
#include "core/util/log.h"
#include "core/util/xalloc.h"
#include "store/evalstore.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char golden_help[] =
	"Usage: ragdeck golden export [--json]\n"
	"Write the questions reviewers marked chunks relevant for as golden items\n"
	"(category factual, relevant sources from the marks) to standard output,\n"
	"as YAML, or as JSONL with --json. See docs/golden.md.\n"
	"\n"
	"      --json             write JSONL\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n";

struct marks {
	struct golden_item *items;
	size_t n;
};

static int add_mark(void *ud, const struct evalstore_mark *m)
{
	struct marks *ms = ud;
	struct golden_item *it = ms->n ? &ms->items[ms->n - 1] : NULL;
	if (!it || strcmp(it->question, m->question) != 0) {
		char id[32];
		ms->items = xreallocarray(ms->items, ms->n + 1, sizeof *ms->items);
		it = &ms->items[ms->n++];
		memset(it, 0, sizeof *it);
		snprintf(id, sizeof id, "marked-%zu", ms->n);
		it->id = xstrdup(id);
		it->question = xstrdup(m->question);
		it->category = GOLDEN_FACTUAL;
	}
	it->relevant = xreallocarray(it->relevant, it->n_relevant + 1, sizeof *it->relevant);
	it->relevant[it->n_relevant++] = (struct golden_source){ xstrdup(m->path), m->line_start, m->line_end };
	return 0;
}

static void marks_free(struct marks *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		for (size_t r = 0; r < ms->items[i].n_relevant; r++)
			free(ms->items[i].relevant[r].path);
		free(ms->items[i].relevant);
		free(ms->items[i].id);
		free(ms->items[i].question);
	}
	free(ms->items);
}

int cmd_golden(struct cli *cli, int argc, char **argv)
{
	struct marks ms = { 0 };
	bool json = false;
	char err[ERR_LEN];
	int exit_code, rc = EXIT_FAIL;
	/* The action comes first ("golden export --json"): options are parsed
	 * after it. */
	if (argc > 1 && strcmp(argv[1], "export") == 0) {
		argc--;
		argv++;
	} else if (argc < 2 || strcmp(argv[1], "--help") != 0) {
		return cli_usage_error(cli, "golden ", "the golden command is 'golden export'");
	}
	const struct cli_opt opts[] = {
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "golden", golden_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (argc - optind != 0)
		return cli_usage_error(cli, "golden ", "golden export takes no arguments");
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	if (evalstore_marks_each(cli->store, add_mark, &ms, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (json)
		golden_write_jsonl(stdout, ms.items, ms.n);
	else
		golden_write_yaml(stdout, ms.items, ms.n);
	rc = EXIT_OK;
cleanup:
	marks_free(&ms);
	return rc;
}
