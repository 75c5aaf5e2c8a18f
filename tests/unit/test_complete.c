/* Unit tests for tui/cli/complete: the places of a command line are made
 * from the commands' own option tables (an option added to a table is in
 * every script), a command that skips its parser is named, and each
 * shell's script carries an option's name, letter and value kind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/cli/commands.h"
#include "tui/cli/complete.h"
#include "tui/cli/options.h"
#include "core/util/error.h"

/* A command as the real ones are written: the table on the stack, parsed
 * first. */
static int cmd_frob(struct cli *cli, int argc, char **argv)
{
	const char *level = NULL, *file = NULL;
	bool quiet = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "zap-level", .letter = 'z', .type = CLI_OPT_STRING, .dest = &level, .choices = "low high" },
		{ .name = "zap-file", .type = CLI_OPT_STRING, .dest = &file, .complete = CLI_COMPLETE_PATH },
		{ .name = "quiet", .type = CLI_OPT_FLAG, .dest = &quiet },
		{ .complete = CLI_COMPLETE_PATH },
	};
	if (cli_options_parse(cli, "frob", "frob help\n", opts, argc, argv, &exit_code) != 0)
		return exit_code;
	return EXIT_FAIL;
}

/* A command that refuses its arguments before it parses its options. */
static int cmd_early(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	return EXIT_USAGE;
}

static const struct cli_command fake[] = {
	{ "frob", "", "frob [--zap-level L] PATH", "frobnicate things", cmd_frob },
	{ "twist", "left right", "twist left|right", "twist them", cmd_frob },
};

static const struct complete_ctx *find_ctx(const struct complete_model *m, const char *key)
{
	for (size_t i = 0; i < m->n_ctx; i++)
		if (strcmp(m->ctx[i].key, key) == 0)
			return &m->ctx[i];
	return NULL;
}

static const struct cli_opt *find_opt(const struct complete_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->opts.n; i++)
		if (strcmp(c->opts.opts[i].name, name) == 0)
			return &c->opts.opts[i];
	return NULL;
}

/* The script of shell for m. Caller frees. */
static char *script(const struct complete_model *m, const char *shell)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(complete_write(m, shell, f), 0);
	fclose(f);
	return text;
}

static void places_come_from_the_tables(void **state)
{
	(void)state;
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, fake, 2, err, sizeof err), 0);
	assert_int_equal(m.n_ctx, 5);
	assert_string_equal(m.ctx[0].key, "-");
	assert_int_equal(m.ctx[0].n_next, 2);
	assert_string_equal(m.ctx[0].next[1].word, "twist");
	assert_string_equal(m.ctx[0].next[1].about, "twist them");
	const struct cli_opt *theme = find_opt(&m.ctx[0], "theme");
	assert_non_null(theme);
	assert_int_equal(theme->complete, CLI_COMPLETE_PATH);
	assert_int_equal(find_opt(&m.ctx[0], "version")->letter, 'V');

	const struct complete_ctx *frob = find_ctx(&m, "frob");
	assert_non_null(frob);
	assert_int_equal(frob->n_next, 0);
	assert_int_equal(frob->opts.operands, CLI_COMPLETE_PATH);
	const struct cli_opt *level = find_opt(frob, "zap-level");
	assert_non_null(level);
	assert_int_equal(level->letter, 'z');
	assert_string_equal(level->choices, "low high");
	assert_null(level->dest);
	assert_non_null(find_opt(frob, "db"));
	assert_non_null(find_opt(frob, "config"));
	assert_int_equal(find_opt(frob, "help")->letter, 'h');

	const struct complete_ctx *twist = find_ctx(&m, "twist");
	assert_non_null(twist);
	assert_int_equal(twist->n_next, 2);
	assert_string_equal(twist->next[0].word, "left");
	assert_null(twist->next[0].about);
	assert_non_null(find_opt(twist, "help"));
	assert_null(find_opt(twist, "zap-level"));
	assert_non_null(find_opt(find_ctx(&m, "twist left"), "zap-level"));
	assert_non_null(find_opt(find_ctx(&m, "twist right"), "zap-file"));
	complete_model_free(&m);
	complete_model_free(&m);
}

static void a_command_that_skips_its_parser_is_named(void **state)
{
	(void)state;
	const struct cli_command cmds[] = {
		fake[0],
		{ "early", "", "early", "stops first", cmd_early },
	};
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, cmds, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "'ragdeck early'"));
	complete_model_free(&m);
}

static void every_shell_offers_a_new_option(void **state)
{
	(void)state;
	static const struct {
		const char *shell;
		const char *lines[6];
	} want[] = {
		{ "bash",
		  { "\t'frob')\n\t\topts='--zap-level -z --zap-file --quiet --db --config --help -h'\n\t\toperands=path\n",
		    "\t'twist')\n\t\topts='--help'\n\t\tnext='left right'\n",
		    "\t'frob --zap-level'|'frob -z') echo words 'low high' ;;\n",
		    "\t'twist left --zap-file') echo path ;;\n", "complete -F _ragdeck ragdeck\n" } },
		{ "zsh",
		  { "#compdef ragdeck\n", "\t\t\t'--zap-level=:zap-level:(low high)'\n\t\t\t'-z+:zap-level:(low high)'\n",
		    "\t\t\t'--zap-file=:zap-file:_files'\n\t\t\t'--quiet'\n", "\t\t\t'*:file:_files'\n",
		    "\t\twhat=action\n\t\tnext=(\n\t\t\t'left'\n\t\t\t'right'\n",
		    "\t\t\t'frob':'frobnicate things'\n" } },
		{ "fish",
		  { "complete -c ragdeck -n \"__ragdeck_at 'frob'\" -l zap-level -s z -x -a 'low high'\n",
		    "complete -c ragdeck -n \"__ragdeck_at 'twist right'\" -l zap-file -r -F\n",
		    "complete -c ragdeck -n \"__ragdeck_at 'frob'\" -l quiet\n",
		    "complete -c ragdeck -n \"__ragdeck_at 'twist'\" -a 'left'\n",
		    "complete -c ragdeck -n \"__ragdeck_at '-'\" -a 'frob' -d 'frobnicate things'\n",
		    "\t\t'frob --zap-level' 'frob -z' 'frob --zap-file'" } },
	};
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, fake, 2, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char *text = script(&m, want[i].shell);
		for (size_t j = 0; j < 6 && want[i].lines[j]; j++)
			if (!strstr(text, want[i].lines[j]))
				fail_msg("%s script lacks:\n%s\nin:\n%s", want[i].shell, want[i].lines[j], text);
		free(text);
	}
	complete_model_free(&m);
}

static void quotes_in_a_summary_stay_quoted(void **state)
{
	(void)state;
	const struct cli_command cmds[] = { { "frob", "", "frob", "it's \\ done", cmd_frob } };
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, cmds, 1, err, sizeof err), 0);
	char *zsh = script(&m, "zsh"), *fish = script(&m, "fish");
	assert_non_null(strstr(zsh, "'frob':'it'\\''s \\ done'\n"));
	assert_non_null(strstr(fish, "-a 'frob' -d 'it\\'s \\\\ done'\n"));
	free(zsh);
	free(fish);
	complete_model_free(&m);
}

static void every_real_command_is_described(void **state)
{
	(void)state;
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, cli_commands, cli_n_commands, err, sizeof err), 0);
	assert_int_equal(m.ctx[0].n_next, cli_n_commands);
	for (size_t i = 0; i < m.n_ctx; i++) {
		const struct complete_ctx *c = &m.ctx[i];
		if (c->n_next)
			continue;
		if (!find_opt(c, "db") || !find_opt(c, "config") || !find_opt(c, "help"))
			fail_msg("'%s' lacks a shared option", c->key);
	}
	const struct cli_opt *mode = find_opt(find_ctx(&m, "search"), "mode");
	assert_non_null(mode);
	assert_string_equal(mode->choices, CLI_RETRIEVE_MODES);
	assert_non_null(find_opt(find_ctx(&m, "pairs check"), "format"));
	assert_int_equal(find_ctx(&m, "ingest")->opts.operands, CLI_COMPLETE_PATH);
	const struct cli_opt *watch = find_opt(find_ctx(&m, "ingest"), "watch");
	assert_non_null(watch);
	assert_int_equal(watch->letter, 'w');
	assert_int_equal(watch->type, CLI_OPT_FLAG);
	assert_int_equal(find_ctx(&m, "search")->opts.operands, CLI_COMPLETE_NONE);
	const struct cli_opt *explain = find_opt(find_ctx(&m, "search"), "explain");
	assert_non_null(explain);
	assert_int_equal(explain->type, CLI_OPT_STRING);
	assert_int_equal(explain->complete, CLI_COMPLETE_PATH);
	assert_int_equal(find_ctx(&m, "completion")->n_next, 3);
	complete_model_free(&m);
}

static void an_unknown_shell_is_refused(void **state)
{
	(void)state;
	struct complete_model m;
	char err[ERR_LEN];
	assert_int_equal(complete_model_build(&m, fake, 1, err, sizeof err), 0);
	assert_int_equal(complete_write(&m, "tcsh", stdout), -1);
	complete_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(places_come_from_the_tables),
		cmocka_unit_test(a_command_that_skips_its_parser_is_named),
		cmocka_unit_test(every_shell_offers_a_new_option),
		cmocka_unit_test(quotes_in_a_summary_stay_quoted),
		cmocka_unit_test(every_real_command_is_described),
		cmocka_unit_test(an_unknown_shell_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
