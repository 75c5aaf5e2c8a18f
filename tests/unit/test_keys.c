/* Unit tests for tui/ui/keys: command table, bindings, key names, help text
 * and the ':' command line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tui/ui/keys.h"

static void every_command_has_a_unique_name_and_help(void **state)
{
	(void)state;
	for (int i = 1; i < KEYS_CMD_COUNT; i++) {
		const char *name = keys_cmd_name((enum keys_cmd)i);
		assert_true(strlen(name) > 0);
		assert_true(strlen(keys_cmd_help((enum keys_cmd)i)) > 0);
		assert_int_equal(keys_cmd_by_name(name), i);
	}
	assert_string_equal(keys_cmd_name(KEYS_CMD_NONE), "");
	assert_string_equal(keys_cmd_name(KEYS_CMD_COUNT), "");
	assert_string_equal(keys_cmd_name(KEYS_CMD_FOCUS_PANE_2), "focus-context");
	assert_int_equal(keys_cmd_by_name("nope"), KEYS_CMD_NONE);
}

static void lookup_tries_the_focused_map_then_global(void **state)
{
	(void)state;
	struct keys_table *t = keys_table_new();
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, 'q'), KEYS_CMD_QUIT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, 'q'), KEYS_CMD_NONE);
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, KEYS_ENTER), KEYS_CMD_OPEN_CHUNK);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_ENTER), KEYS_CMD_SUBMIT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_TAB), KEYS_CMD_FOCUS_NEXT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_CTRL('c')), KEYS_CMD_INTERRUPT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, KEYS_ESC), KEYS_CMD_CANCEL);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_ALT('f')), KEYS_CMD_EDIT_WORD_RIGHT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_CTRL_LEFT), KEYS_CMD_EDIT_WORD_LEFT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, '3'), KEYS_CMD_FOCUS_PANE_3);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, '3'), KEYS_CMD_NONE);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_ALT('3')), KEYS_CMD_FOCUS_PANE_3);
	keys_table_free(&t);
	assert_null(t);
}

/* No key is bound twice in one map, so the binding order never decides:
 * unbinding a key in a map leaves nothing behind in that map. */
static void default_bindings_do_not_collide(void **state)
{
	(void)state;
	struct keys_table *t = keys_table_new();
	for (int alt = 0; alt < 2; alt++)
	for (int k = 0; k < KEYS_SPECIAL_END; k = k == 0x7f ? KEYS_SPECIAL_BASE : k + 1)
	for (int m = 0; m < KEYS_MAP_COUNT; m++) {
		int key = alt ? KEYS_ALT(k) : k;
		enum keys_cmd c = keys_lookup(t, (enum keys_map)m, key);
		enum keys_cmd global = keys_lookup(t, KEYS_MAP_GLOBAL, key);
		keys_bind(t, (enum keys_map)m, key, KEYS_CMD_NONE);
		assert_int_equal(keys_lookup(t, (enum keys_map)m, key),
		                 m == KEYS_MAP_GLOBAL ? KEYS_CMD_NONE : global);
		if (c != global || m == KEYS_MAP_GLOBAL)
			keys_bind(t, (enum keys_map)m, key, c);
	}
	keys_table_free(&t);
}

static void bind_replaces_adds_and_removes(void **state)
{
	(void)state;
	struct keys_table *t = keys_table_new();
	keys_bind(t, KEYS_MAP_PANE, 'q', KEYS_CMD_ZOOM);
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, 'q'), KEYS_CMD_ZOOM);
	keys_bind(t, KEYS_MAP_PANE, 'x', KEYS_CMD_QUIT);
	assert_int_equal(keys_lookup(t, KEYS_MAP_PANE, 'x'), KEYS_CMD_QUIT);
	keys_bind(t, KEYS_MAP_GLOBAL, KEYS_CTRL('c'), KEYS_CMD_NONE);
	assert_int_equal(keys_lookup(t, KEYS_MAP_INPUT, KEYS_CTRL('c')), KEYS_CMD_NONE);
	keys_bind(t, KEYS_MAP_GLOBAL, KEYS_CTRL('c'), KEYS_CMD_NONE);
	keys_table_free(&t);
	keys_table_free(&t);
}

static void key_names_round_trip(void **state)
{
	(void)state;
	static const struct {
		int key;
		const char *name;
	} cases[] = {
		{ 'q', "q" }, { '?', "?" }, { ' ', "Space" }, { KEYS_TAB, "Tab" },
		{ KEYS_ENTER, "Enter" }, { KEYS_ESC, "Esc" }, { KEYS_CTRL('a'), "C-a" },
		{ KEYS_CTRL('\\'), "C-\\" }, { 0, "C-@" }, { KEYS_ALT('f'), "M-f" },
		{ KEYS_ALT(KEYS_ENTER), "M-Enter" }, { KEYS_UP, "Up" }, { KEYS_PGDN, "PgDn" },
		{ KEYS_BTAB, "S-Tab" }, { KEYS_CTRL_RIGHT, "C-Right" }, { KEYS_F(1), "F1" },
		{ KEYS_F(12), "F12" }, { KEYS_BACKSPACE, "Backspace" }, { 0xe9, "\xc3\xa9" },
		{ 0x65e5, "\xe6\x97\xa5" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		keys_key_name(cases[i].key, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].name);
		assert_int_equal(keys_parse_key(cases[i].name), cases[i].key);
	}
	keys_key_name(0x301, buf, sizeof(buf));
	assert_string_equal(buf, "<0x301>");
	assert_int_equal(keys_parse_key("F13"), -1);
	assert_int_equal(keys_parse_key("C-1"), -1);
	assert_int_equal(keys_parse_key("ab"), -1);
	assert_int_equal(keys_parse_key(" "), -1);
	assert_int_equal(keys_parse_key(""), -1);
	keys_key_name(KEYS_CTRL('a'), buf, 3);
	assert_string_equal(buf, "C-");
}

static void help_lists_keys_per_map_and_colon_commands(void **state)
{
	(void)state;
	struct keys_table *t = keys_table_new();
	struct strbuf sb = STRBUF_INIT;
	keys_help(t, &sb);
	const char *s = sb_str(&sb);
	assert_memory_equal(s, "Keys anywhere\n  C-c ", 20);
	assert_non_null(strstr(s, "\nKeys in a pane\n"));
	assert_non_null(strstr(s, "\n  k, Up                  scroll-up              "
	                          "Scroll up one line\n"));
	assert_non_null(strstr(s, "\n  Backspace, C-h         edit-delete-back       "
	                          "Delete before the cursor\n"));
	assert_non_null(strstr(s, "\n  C-r                    history-search         "
	                          "Search past questions as you type (any case); Enter takes it unsent\n"));
	assert_non_null(strstr(s, "\n  e                      edit-question          "));
	assert_non_null(strstr(s, "\n  r                      ask-again              "));
	assert_non_null(strstr(s, "\n  C-g                    cancel                 "));
	assert_non_null(strstr(s, "\nCommands (type : then the command)\n"));
	assert_non_null(strstr(s, "\n  :ingest PATH                                  "
	                          "Add a file or directory to the store\n"));
	assert_null(strstr(s, ":submit"));
	char *pane = strstr(s, "Keys in a pane");
	char *input = strstr(s, "Keys in the input line");
	assert_true(pane < input);
	assert_true(strstr(pane, " submit ") > input);

	keys_bind(t, KEYS_MAP_PANE, 'x', KEYS_CMD_SUBMIT);
	sb_reset(&sb);
	keys_help(t, &sb);
	assert_non_null(strstr(sb_str(&sb), "\n  x                      submit  "));
	sb_free(&sb);
	keys_table_free(&t);
}

static void cmdline_parses_commands_and_arguments(void **state)
{
	(void)state;
	struct keys_cmdline c;
	char err[256] = "";
	assert_int_equal(keys_parse_cmdline(":ingest  docs/my dir  ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_INGEST);
	assert_string_equal(c.arg, "docs/my dir");
	free(c.arg);
	assert_int_equal(keys_parse_cmdline("  session 12", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_SESSION);
	assert_int_equal(c.num, 12);
	assert_null(c.arg);
	assert_int_equal(keys_parse_cmdline(":quit", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_QUIT);
	assert_int_equal(keys_parse_cmdline(": new ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_NEW_SESSION);
	assert_int_equal(keys_parse_cmdline(":theme solarized-dark", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_THEME);
	assert_string_equal(c.arg, "solarized-dark");
	free(c.arg);
	assert_int_equal(keys_parse_cmdline(":export out.md", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_EXPORT);
	free(c.arg);
	assert_int_equal(keys_parse_cmdline(":model llama3.1:8b", &c, err, sizeof(err)), 0);
	assert_string_equal(c.arg, "llama3.1:8b");
	free(c.arg);
	assert_int_equal(keys_parse_cmdline(":sessions", &c, err, sizeof(err)), 0);
	assert_int_equal(c.cmd, KEYS_CMD_SESSIONS);
}

static void expect_cmdline_error(const char *line, const char *want)
{
	struct keys_cmdline c;
	char err[256] = "";
	assert_int_equal(keys_parse_cmdline(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_null(c.arg);
	assert_int_equal(c.cmd, KEYS_CMD_NONE);
}

static void cmdline_errors_say_what_to_type(void **state)
{
	(void)state;
	expect_cmdline_error(":", "no command given; press ? for the list of commands");
	expect_cmdline_error("   ", "no command given; press ? for the list of commands");
	expect_cmdline_error(":ingst x", "unknown command ':ingst'; did you mean ':ingest PATH'?");
	expect_cmdline_error(":sess", "unknown command ':sess'; did you mean ':sessions'?");
	expect_cmdline_error(":frobnicate", "unknown command ':frobnicate'; press ? for the list "
	                     "of commands");
	expect_cmdline_error(":submit", "unknown command ':submit'; press ? for the list of "
	                     "commands");
	expect_cmdline_error(":quit now", "':quit' takes no argument");
	expect_cmdline_error(":ingest", "':ingest' needs PATH: :ingest PATH");
	expect_cmdline_error(":session two", "':session' needs a positive number N, got 'two': "
	                     ":session N");
	expect_cmdline_error(":session 0", "':session' needs a positive number N, got '0': "
	                     ":session N");
	expect_cmdline_error(":session", "':session' needs a positive number N, got '': "
	                     ":session N");
	expect_cmdline_error(":session 99999999999999999999", "':session' needs a positive "
	                     "number N, got '99999999999999999999': :session N");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_command_has_a_unique_name_and_help),
		cmocka_unit_test(lookup_tries_the_focused_map_then_global),
		cmocka_unit_test(default_bindings_do_not_collide),
		cmocka_unit_test(bind_replaces_adds_and_removes),
		cmocka_unit_test(key_names_round_trip),
		cmocka_unit_test(help_lists_keys_per_map_and_colon_commands),
		cmocka_unit_test(cmdline_parses_commands_and_arguments),
		cmocka_unit_test(cmdline_errors_say_what_to_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
