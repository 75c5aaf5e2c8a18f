/* Unit tests for tui/cli/options: a table's flags, strings, numbers and
 * parsers, the shared --db, --config and --help, the exit codes of help
 * and usage errors, and a table described for completion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/cli/options.h"
#include "core/search/retrieve.h"

struct parsed {
	bool json;
	const char *collection;
	int k;
	enum retrieve_mode mode;
};

/* Parse argv (NULL-ended) by the table the subcommands use; *exit_code
 * gets -1 when parsing went on. */
static int parse(struct cli *cli, struct parsed *p, char **argv, int *exit_code)
{
	const struct cli_opt opts[] = {
		{ .name = "collection", .letter = 'c', .type = CLI_OPT_STRING, .dest = &p->collection },
		{ .name = "top-k", .letter = 'k', .type = CLI_OPT_INT, .dest = &p->k, .min = 1, .max = 10,
		  .refused = "-k takes a number from 1 to 10, not '%s'" },
		{ .name = "mode", .type = CLI_OPT_FUNC, .dest = &p->mode, .parse = cli_opt_retrieve_mode,
		  .choices = CLI_RETRIEVE_MODES, .refused = "--mode is hybrid, vector or fts, not '%s'" },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &p->json },
		{ 0 },
	};
	int argc = 0;
	while (argv[argc])
		argc++;
	optind = 0;
	*exit_code = -1;
	return cli_options_parse(cli, "test", "test help\n", opts, argc, argv, exit_code);
}

static void every_kind_of_option_is_stored(void **state)
{
	(void)state;
	struct cli cli = { .prog = "ragdeck" };
	struct parsed p = { 0 };
	char *argv[] = { "test", "--json", "-c", "docs", "--top-k=7", "--mode", "fts", "--db", "x.db",
	                 "--config", "c.yaml", "QUERY", NULL };
	int exit_code;
	assert_int_equal(parse(&cli, &p, argv, &exit_code), 0);
	assert_int_equal(exit_code, -1);
	assert_true(p.json);
	assert_string_equal(p.collection, "docs");
	assert_int_equal(p.k, 7);
	assert_int_equal(p.mode, RETRIEVE_FTS);
	assert_string_equal(cli.db_path, "x.db");
	assert_string_equal(cli.config_path, "c.yaml");
	assert_string_equal(argv[optind], "QUERY");
}

static void refused_values_are_usage_errors(void **state)
{
	(void)state;
	struct cli cli = { .prog = "ragdeck" };
	struct parsed p = { 0 };
	char *zero[] = { "test", "-k", "0", NULL };
	char *big[] = { "test", "-k", "11", NULL };
	char *word[] = { "test", "-k", "3x", NULL };
	char *mode[] = { "test", "--mode", "fuzzy", NULL };
	int exit_code;
	assert_int_equal(parse(&cli, &p, zero, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_USAGE);
	assert_int_equal(parse(&cli, &p, big, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_USAGE);
	assert_int_equal(parse(&cli, &p, word, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_USAGE);
	assert_int_equal(parse(&cli, &p, mode, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_USAGE);
	assert_int_equal(p.k, 0);
	assert_int_equal(p.mode, RETRIEVE_HYBRID);
}

static void unknown_option_is_a_usage_error(void **state)
{
	(void)state;
	struct cli cli = { .prog = "ragdeck" };
	struct parsed p = { 0 };
	char *argv[] = { "test", "--bogus", NULL };
	int exit_code;
	assert_int_equal(parse(&cli, &p, argv, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_USAGE);
}

static void help_stops_with_exit_ok(void **state)
{
	(void)state;
	struct cli cli = { .prog = "ragdeck" };
	struct parsed p = { 0 };
	char *argv[] = { "test", "--json", "-h", "--bogus", NULL };
	int exit_code;
	assert_int_equal(parse(&cli, &p, argv, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_OK);
}

static void describing_copies_the_table_and_the_shared_options(void **state)
{
	(void)state;
	struct cli_describe d = { 0 };
	struct cli cli = { .prog = "ragdeck", .describe = &d };
	struct parsed p = { 0 };
	char *argv[] = { "test", "--json", NULL };
	int exit_code;
	assert_int_equal(parse(&cli, &p, argv, &exit_code), -1);
	assert_int_equal(exit_code, EXIT_OK);
	assert_false(p.json);
	assert_int_equal(d.n, 7);
	assert_string_equal(d.opts[0].name, "collection");
	assert_int_equal(d.opts[0].letter, 'c');
	assert_null(d.opts[0].dest);
	assert_string_equal(d.opts[2].name, "mode");
	assert_string_equal(d.opts[2].choices, CLI_RETRIEVE_MODES);
	assert_null(d.opts[2].parse);
	assert_string_equal(d.opts[4].name, "db");
	assert_int_equal(d.opts[4].type, CLI_OPT_STRING);
	assert_int_equal(d.opts[4].complete, CLI_COMPLETE_PATH);
	assert_string_equal(d.opts[5].name, "config");
	assert_string_equal(d.opts[6].name, "help");
	assert_int_equal(d.opts[6].letter, 'h');
	assert_int_equal(d.opts[6].type, CLI_OPT_FLAG);
	assert_int_equal(d.operands, CLI_COMPLETE_NONE);
	cli_describe_free(&d);
	assert_null(d.opts);
	cli_describe_free(NULL);
}

/* The words completion offers for --mode are the ones the parser takes. */
static void retrieve_modes_are_the_parsers_words(void **state)
{
	(void)state;
	char words[] = CLI_RETRIEVE_MODES;
	enum retrieve_mode m;
	int n = 0;
	for (char *w = strtok(words, " "); w; w = strtok(NULL, " "), n++) {
		assert_int_equal(cli_opt_retrieve_mode(&m, w), 0);
		assert_string_equal(retrieve_mode_name(m), w);
	}
	assert_int_equal(n, RETRIEVE_FTS + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_of_option_is_stored),
		cmocka_unit_test(refused_values_are_usage_errors),
		cmocka_unit_test(unknown_option_is_a_usage_error),
		cmocka_unit_test(help_stops_with_exit_ok),
		cmocka_unit_test(describing_copies_the_table_and_the_shared_options),
		cmocka_unit_test(retrieve_modes_are_the_parsers_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
