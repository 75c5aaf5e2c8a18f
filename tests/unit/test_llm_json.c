/* Unit tests for core/llm/json: the reply readers the providers share. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <string.h>

#include "core/llm/json.h"

static long long_of(const char *json, const char *name)
{
	cJSON *root = cJSON_Parse(json);
	assert_non_null(root);
	long v = llm_json_long(root, name);
	cJSON_Delete(root);
	return v;
}

static void long_reads_a_token_count(void **state)
{
	(void)state;
	assert_int_equal(long_of("{\"output_tokens\": 15}", "output_tokens"), 15);
	assert_int_equal(long_of("{\"n\": 0}", "n"), 0);
	assert_int_equal(long_of("{\"n\": 7.9}", "n"), 7);
}

static void long_is_minus_one_when_absent_or_not_a_number(void **state)
{
	(void)state;
	assert_int_equal(long_of("{\"n\": 3}", "m"), -1);
	assert_int_equal(long_of("{\"n\": \"3\"}", "n"), -1);
	assert_int_equal(long_of("{\"n\": null}", "n"), -1);
	assert_int_equal(long_of("{\"n\": -4}", "n"), -1);
	assert_int_equal(llm_json_long(NULL, "n"), -1);
}

/* Found by fuzz_anthropic: "output_tokens": 7222...2 (a 125-digit number)
 * was converted to long, which is undefined behaviour (x86 gave LONG_MIN). */
static void long_is_minus_one_when_too_large_for_a_long(void **state)
{
	(void)state;
	assert_int_equal(long_of("{\"n\": 7.22222e+124}", "n"), -1);
	assert_int_equal(long_of("{\"n\": 9223372036854775808}", "n"), -1);
	assert_int_equal(long_of("{\"n\": 1e308}", "n"), -1);
	assert_int_equal(long_of("{\"n\": 4611686018427387904}", "n"), 4611686018427387904L);
}

static void str_reads_only_strings(void **state)
{
	(void)state;
	cJSON *root = cJSON_Parse("{\"type\": \"text_delta\", \"n\": 1}");
	assert_non_null(root);
	assert_string_equal(llm_json_str(root, "type"), "text_delta");
	assert_null(llm_json_str(root, "n"));
	assert_null(llm_json_str(root, "missing"));
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_reads_a_token_count),
		cmocka_unit_test(long_is_minus_one_when_absent_or_not_a_number),
		cmocka_unit_test(long_is_minus_one_when_too_large_for_a_long),
		cmocka_unit_test(str_reads_only_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
