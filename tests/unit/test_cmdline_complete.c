/* Unit tests for tui/ui/cmdline_complete: Tab on the ':' line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tui/ui/cmdline_complete.h"

static const char *paths[] = {
	"/srv/kb/refunds.md", "/srv/kb/returns.md", "/srv/kb/billing/refund-policy.md",
	"notes/setup.txt", "/srv/manuals/manual.pdf",
};
#define N_PATHS (sizeof paths / sizeof paths[0])

static void a_unique_segment_completes_to_the_rest_of_its_path(void **state)
{
	(void)state;
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("man", paths, N_PATHS, true, &c), 1);
	assert_string_equal(sb_str(&c.common), "manuals/manual.pdf");   /* its first place */
	assert_string_equal(c.shown[0], "manuals/manual.pdf");
	cmdline_completion_free(&c);
	assert_int_equal(cmdline_complete("notes/se", paths, N_PATHS, true, &c), 1);
	assert_string_equal(sb_str(&c.common), "notes/setup.txt");
	cmdline_completion_free(&c);
	assert_int_equal(cmdline_complete("kb/ret", paths, N_PATHS, true, &c), 1);
	assert_string_equal(sb_str(&c.common), "kb/returns.md");
	cmdline_completion_free(&c);
}

static void several_matches_extend_to_their_common_prefix(void **state)
{
	(void)state;
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("re", paths, N_PATHS, true, &c), 3);
	assert_string_equal(sb_str(&c.common), "re");
	assert_string_equal(c.shown[0], "refunds.md");
	assert_string_equal(c.shown[1], "returns.md");
	assert_string_equal(c.shown[2], "refund-policy.md");
	cmdline_completion_free(&c);
	assert_int_equal(cmdline_complete("ref", paths, N_PATHS, true, &c), 2);
	assert_string_equal(sb_str(&c.common), "refund");
	cmdline_completion_free(&c);
}

static void a_segment_matches_only_after_a_slash(void **state)
{
	(void)state;
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("unds", paths, N_PATHS, true, &c), 0);
	assert_string_equal(sb_str(&c.common), "unds");
	cmdline_completion_free(&c);
	assert_int_equal(cmdline_complete("man", paths, N_PATHS, false, &c), 0);
	cmdline_completion_free(&c);
}

static void an_empty_word_matches_every_candidate_whole(void **state)
{
	(void)state;
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("", paths, N_PATHS, true, &c), N_PATHS);
	assert_string_equal(sb_str(&c.common), "");
	assert_string_equal(c.shown[4], "/srv/manuals/manual.pdf");
	cmdline_completion_free(&c);
}

static void only_the_first_matches_are_kept_to_show(void **state)
{
	(void)state;
	const char *many[CMDLINE_COMPLETE_SHOWN + 3];
	char names[CMDLINE_COMPLETE_SHOWN + 3][16];
	for (size_t i = 0; i < CMDLINE_COMPLETE_SHOWN + 3; i++) {
		snprintf(names[i], sizeof names[i], "doc%zu.md", i);
		many[i] = names[i];
	}
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("doc", many, CMDLINE_COMPLETE_SHOWN + 3, false, &c),
	                 CMDLINE_COMPLETE_SHOWN + 3);
	assert_string_equal(c.shown[CMDLINE_COMPLETE_SHOWN - 1], names[CMDLINE_COMPLETE_SHOWN - 1]);
	assert_string_equal(sb_str(&c.common), "doc");
	cmdline_completion_free(&c);
}

static void the_common_prefix_never_ends_inside_a_character(void **state)
{
	(void)state;
	const char *accents[] = { "caf\xc3\xa9.md", "caf\xc3\xa8.md" };   /* é and è share their first byte */
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("c", accents, 2, false, &c), 2);
	assert_string_equal(sb_str(&c.common), "caf");
	cmdline_completion_free(&c);
}

static void command_names_complete_by_prefix(void **state)
{
	(void)state;
	const char *names[] = { "watch", "why-not", "quit", "theme" };
	struct cmdline_completion c;
	assert_int_equal(cmdline_complete("wh", names, 4, false, &c), 1);
	assert_string_equal(sb_str(&c.common), "why-not");
	cmdline_completion_free(&c);
	assert_int_equal(cmdline_complete("w", names, 4, false, &c), 2);
	assert_string_equal(sb_str(&c.common), "w");
	cmdline_completion_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_unique_segment_completes_to_the_rest_of_its_path),
		cmocka_unit_test(several_matches_extend_to_their_common_prefix),
		cmocka_unit_test(a_segment_matches_only_after_a_slash),
		cmocka_unit_test(an_empty_word_matches_every_candidate_whole),
		cmocka_unit_test(only_the_first_matches_are_kept_to_show),
		cmocka_unit_test(the_common_prefix_never_ends_inside_a_character),
		cmocka_unit_test(command_names_complete_by_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
