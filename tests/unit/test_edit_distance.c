/* Unit tests for core/util/edit_distance: Levenshtein distances, the cap
 * at max + 1 and the longest words measured. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/util/edit_distance.h"

static void counts_insertions_deletions_substitutions(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("", "", 5), 0);
	assert_int_equal(edit_distance("top_k", "top_k", 5), 0);
	assert_int_equal(edit_distance("top_k", "topk", 5), 1);
	assert_int_equal(edit_distance("topk", "top_k", 5), 1);
	assert_int_equal(edit_distance("quit", "quot", 5), 1);
	assert_int_equal(edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(edit_distance("", "abc", 5), 3);
}

static void a_transposition_is_two_edits(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("theme", "tehme", 5), 2);
}

static void over_max_is_max_plus_one(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("kitten", "sitting", 2), 3);
	assert_int_equal(edit_distance("a", "abcdefgh", 2), 3);
	assert_int_equal(edit_distance("abc", "xyz", 0), 1);
}

static void words_over_the_limit_are_not_measured(void **state)
{
	(void)state;
	char longer[EDIT_DISTANCE_MAX_LEN + 2], limit[EDIT_DISTANCE_MAX_LEN + 1];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	memset(limit, 'a', sizeof limit - 1);
	limit[sizeof limit - 1] = '\0';
	assert_int_equal(edit_distance(limit, limit, 2), 0);
	assert_int_equal(edit_distance(longer, longer, 2), 3);
	assert_int_equal(edit_distance(longer, limit, 2), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_insertions_deletions_substitutions),
		cmocka_unit_test(a_transposition_is_two_edits),
		cmocka_unit_test(over_max_is_max_plus_one),
		cmocka_unit_test(words_over_the_limit_are_not_measured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
