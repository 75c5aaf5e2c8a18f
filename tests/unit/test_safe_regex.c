/* safe_regex: the cost estimate, and what regex_compile accepts and refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/util/safe_regex.h"

static size_t cost(const char *pattern)
{
	int backref = 0;
	size_t loops;
	return safe_regex_cost(pattern, &backref, &loops);
}

/* The nodes pattern repeats while they can match the empty string. */
static size_t empty_loops(const char *pattern)
{
	int backref = 0;
	size_t loops;
	safe_regex_cost(pattern, &backref, &loops);
	return loops;
}

static void cost_counts_the_copies_repetitions_make(void **state)
{
	(void)state;
	assert_int_equal(cost("abc"), 3);
	assert_int_equal(cost("a{5}"), 5);
	assert_int_equal(cost("a{2,7}b"), 8);
	assert_int_equal(cost("a{3,}"), 4);
	assert_int_equal(cost("(ab)+"), 6);
	assert_int_equal(cost("a++"), 4);
	assert_int_equal(cost("x|yz"), 3);
	assert_int_equal(cost("[a-z]+"), 2);
	assert_int_equal(cost("[]a]"), 1);
	assert_int_equal(cost("[[:alpha:][:digit:]]"), 1);
	assert_int_equal(cost("\\.\\*"), 2);
	assert_true(cost("((a{100}){100}){100}") > 1000000);
	assert_true(cost("a++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++") >= SIZE_MAX / 4);
}

static void repetitions_of_what_can_match_nothing_are_counted(void **state)
{
	(void)state;
	assert_int_equal(empty_loops("a*b+(cd)?[0-9]{2,4}(x|y)+"), 0);   /* each repeats something */
	assert_int_equal(empty_loops("a*+"), 2);
	assert_int_equal(empty_loops("a*++"), 6);                         /* 2, then 4 */
	assert_int_equal(empty_loops("(a?)+"), 4);                         /* the group: a and itself, twice */
	assert_int_equal(empty_loops("(a|)*"), 2);                         /* an empty alternative */
	assert_int_equal(empty_loops("(a+)+"), 0);
	assert_int_equal(empty_loops("(a*b)+"), 0);
	assert_int_equal(empty_loops("(a*)(b*)(c*)(d*)"), 0);
	assert_true(empty_loops("a*+++++++++++++") > SAFE_REGEX_MAX_EMPTY_LOOPS);
}

static void ordinary_patterns_compile_and_match(void **state)
{
	(void)state;
	const char *ok[] = { "error code [0-9]+", "^(hi|hello|hey)[[:space:][:punct:]]*$", "[]a]+",
	                     "^[A-Z]{2}-[0-9]{4}$", "\\{\"answer\":", "(a{100}){100}", "a{,3}" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		regex_t re;
		char err[256] = "";
		if (safe_regex_compile(&re, ok[i], REG_NOSUB, err, sizeof err) != 0)
			fail_msg("/%s/ refused: %s", ok[i], err);
		regfree(&re);
	}
	regex_t re;
	char err[256];
	assert_int_equal(safe_regex_compile(&re, "code [0-9]+$", REG_NOSUB, err, sizeof err), 0);
	assert_int_equal(regexec(&re, "error code 42", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "error code x", 0, NULL, 0), 0);
	regfree(&re);
}

static void costly_patterns_are_refused_with_a_reason(void **state)
{
	(void)state;
	regex_t re;
	char err[256];
	assert_int_equal(safe_regex_compile(&re, "^(hi|:k:space++++++++++++++++++++++++++++++++++++++++++:]|$)",
	                                    REG_NOSUB, err, sizeof err), -1);
	assert_non_null(strstr(err, "nodes"));
	assert_int_equal(safe_regex_compile(&re, "((a{100}){100}){100}", REG_NOSUB, err, sizeof err), -1);
	assert_non_null(strstr(err, "repetitions"));
	/* found by fuzz_config: 8,192 nodes, but 25 s of regcomp */
	assert_int_equal(safe_regex_compile(&re, "^(h++++ax-*+++++++++++++:][:punct:]]|$)", REG_NOSUB, err,
	                                    sizeof err), -1);
	assert_non_null(strstr(err, "can match nothing"));
	assert_int_equal(safe_regex_compile(&re, "((((((((((((a*)+)+)+)+)+)+)+)+)+)+)+)+", REG_NOSUB, err,
	                                    sizeof err), -1);
	assert_int_equal(safe_regex_compile(&re, "(a+)\\1", REG_NOSUB, err, sizeof err), -1);
	assert_non_null(strstr(err, "back-references"));
	char long_pattern[SAFE_REGEX_MAX_PATTERN + 2];
	memset(long_pattern, 'a', sizeof long_pattern - 1);
	long_pattern[sizeof long_pattern - 1] = '\0';
	assert_int_equal(safe_regex_compile(&re, long_pattern, REG_NOSUB, err, sizeof err), -1);
	assert_non_null(strstr(err, "bytes long"));
}

static void malformed_patterns_get_regcomps_message(void **state)
{
	(void)state;
	regex_t re;
	char err[256] = "";
	assert_int_equal(safe_regex_compile(&re, "(unclosed", REG_NOSUB, err, sizeof err), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(safe_regex_compile(&re, "[z-a]", REG_NOSUB, err, sizeof err), -1);
	assert_true(strlen(err) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cost_counts_the_copies_repetitions_make),
		cmocka_unit_test(repetitions_of_what_can_match_nothing_are_counted),
		cmocka_unit_test(ordinary_patterns_compile_and_match),
		cmocka_unit_test(costly_patterns_are_refused_with_a_reason),
		cmocka_unit_test(malformed_patterns_get_regcomps_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
