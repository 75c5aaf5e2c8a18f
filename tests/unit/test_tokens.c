/* Unit tests for core/util/tokens: the counting rule and suffix search. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/util/tokens.h"

static int est(const char *s)
{
	return tokens_estimate(s, strlen(s));
}

static void empty_and_null_cost_nothing(void **state)
{
	(void)state;
	assert_int_equal(tokens_estimate(NULL, 0), 0);
	assert_int_equal(tokens_estimate_str(NULL), 0);
	assert_int_equal(est(""), 0);
	assert_int_equal(est(" \t\r\n\n  "), 0);
}

static void letter_runs_cost_one_up_to_seven_then_one_per_four(void **state)
{
	(void)state;
	assert_int_equal(est("a"), 1);
	assert_int_equal(est("license"), 1);
	assert_int_equal(est("licenses"), 2);
	assert_int_equal(est("retrieval"), 2);
	assert_int_equal(est("abcdefghijk"), 2);
	assert_int_equal(est("abcdefghijkl"), 3);
	assert_int_equal(est("configuration"), 3);
	assert_int_equal(est("The quick brown fox"), 4);
}

static void digit_runs_cost_one_per_three(void **state)
{
	(void)state;
	assert_int_equal(est("7"), 1);
	assert_int_equal(est("123"), 1);
	assert_int_equal(est("1234"), 2);
	assert_int_equal(est("2024"), 2);
	assert_int_equal(est("1234567"), 3);
}

static void symbols_cost_one_each_and_break_runs(void **state)
{
	(void)state;
	assert_int_equal(est("."), 1);
	assert_int_equal(est(".,"), 2);
	assert_int_equal(est("a.b"), 3);
	/* "v" 1, "1" 1, "." 1, "2" 1, "beta" 1: letters and digits are separate runs */
	assert_int_equal(est("v1.2beta"), 5);
	assert_int_equal(est("Hello, world!"), 4);
}

static void repeated_symbol_runs_cost_one_per_eight(void **state)
{
	(void)state;
	assert_int_equal(est("..."), 1);
	assert_int_equal(est("--------"), 1);
	assert_int_equal(est("---------"), 2);
	assert_int_equal(est("|-------|-----|"), 5);
	assert_int_equal(est("= = ="), 3);
	/* the suffix search counts runs the same way */
	assert_int_equal(tokens_suffix_start("a ================", 18, 1), 2);
	assert_int_equal(tokens_suffix_start("a ================", 18, 2), 2);
	assert_int_equal(tokens_suffix_start("a ================", 18, 3), 0);
}

static void non_ascii_code_points_cost_one_each(void **state)
{
	(void)state;
	/* 日本語 is three code points of three bytes each */
	assert_int_equal(est("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 3);
	/* café: "caf" 1 + "é" 1 */
	assert_int_equal(est("caf\xc3\xa9"), 2);
	/* an emoji (4 bytes) is one code point */
	assert_int_equal(est("\xf0\x9f\x98\x80"), 1);
	/* a stray continuation byte is free */
	assert_int_equal(est("\x80"), 0);
}

static void length_limits_the_count(void **state)
{
	(void)state;
	assert_int_equal(tokens_estimate("hello world", 5), 1);
	assert_int_equal(tokens_estimate("12345", 2), 1);
}

static void counts_add_up_across_whitespace_splits(void **state)
{
	(void)state;
	const char *s = "Reset the password, then wait 15 minutes; \xe5\x86\x8d\xe8\xa9\xa6 again.";
	size_t n = strlen(s);
	int whole = tokens_estimate(s, n);
	for (size_t i = 1; i < n; i++) {
		if (s[i] != ' ')
			continue;
		assert_int_equal(tokens_estimate(s, i) + tokens_estimate(s + i, n - i), whole);
	}
}

static void suffix_start_holds_at_least_want_tokens(void **state)
{
	(void)state;
	const char *s = "alpha beta gamma 12345 delta, epsilon \xe6\x97\xa5\xe6\x9c\xac end "
	                "-------- configuration ...";
	size_t n = strlen(s);
	int total = tokens_estimate(s, n);
	for (int want = 1; want <= total; want++) {
		size_t o = tokens_suffix_start(s, n, want);
		int got = tokens_estimate(s + o, n - o);
		assert_true(got >= want);
		/* the largest such offset: any later word start holds fewer */
		for (size_t k = o + 1; k < n; k++)
			if (s[k - 1] == ' ' && s[k] != ' ')
				assert_true(tokens_estimate(s + k, n - k) < want);
		/* never inside a word or a UTF-8 sequence */
		assert_true(o == 0 || s[o - 1] == ' ' || s[o - 1] == ',' ||
		            ((unsigned char)s[o] & 0xc0) != 0x80);
	}
}

static void prefix_end_stops_before_the_token_that_overflows(void **state)
{
	(void)state;
	const char *s = "one two three";
	assert_int_equal(tokens_prefix_end(s, strlen(s), 0), 0);
	/* the free space after "one" is kept */
	assert_int_equal(tokens_prefix_end(s, strlen(s), 1), 4);
	assert_int_equal(tokens_prefix_end(s, strlen(s), 2), 8);
	assert_int_equal(tokens_prefix_end(s, strlen(s), 3), strlen(s));
	/* inside a long word: "abcdefg" is one token, the 8th letter starts the next */
	assert_int_equal(tokens_prefix_end("abcdefghijkl", 12, 1), 7);
	/* never inside a UTF-8 sequence: each CJK character is 3 bytes */
	assert_int_equal(tokens_prefix_end("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 2), 6);
}

static void suffix_start_exact_offsets(void **state)
{
	(void)state;
	const char *s = "one two three";
	assert_int_equal(tokens_suffix_start(s, strlen(s), 1), 8);
	assert_int_equal(tokens_suffix_start(s, strlen(s), 2), 4);
	assert_int_equal(tokens_suffix_start(s, strlen(s), 3), 0);
	assert_int_equal(tokens_suffix_start(s, strlen(s), 4), 0);
	assert_int_equal(tokens_suffix_start(s, strlen(s), 0), strlen(s));
	/* "1234567" is three tokens as one run: the suffix holds the whole run */
	assert_int_equal(tokens_suffix_start("x 1234567", 9, 2), 2);
	/* a long word is one run of 3 tokens, never cut */
	assert_int_equal(tokens_suffix_start("a configuration", 15, 1), 2);
	/* two CJK code points: the suffix begins at a lead byte */
	assert_int_equal(tokens_suffix_start("\xe6\x97\xa5\xe6\x9c\xac", 6, 1), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_null_cost_nothing),
		cmocka_unit_test(letter_runs_cost_one_up_to_seven_then_one_per_four),
		cmocka_unit_test(digit_runs_cost_one_per_three),
		cmocka_unit_test(symbols_cost_one_each_and_break_runs),
		cmocka_unit_test(repeated_symbol_runs_cost_one_per_eight),
		cmocka_unit_test(non_ascii_code_points_cost_one_each),
		cmocka_unit_test(length_limits_the_count),
		cmocka_unit_test(counts_add_up_across_whitespace_splits),
		cmocka_unit_test(suffix_start_holds_at_least_want_tokens),
		cmocka_unit_test(suffix_start_exact_offsets),
		cmocka_unit_test(prefix_end_stops_before_the_token_that_overflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
