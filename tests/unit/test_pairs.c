/* Unit tests for core/eval/pairs: the good fixture is fit, the bad fixture
 * reports each problem on its line with exact counts, repeats name the
 * right earlier line, outliers need eight items and only warn, format
 * checks and --format parsing, and the chat-format writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval/pairs.h"

#define GOOD "../fixtures/pairs/good.jsonl"
#define BAD "../fixtures/pairs/bad.jsonl"
#define CAPITAL_SENTENCE "regex:^[A-Z].*\\.$"

static struct pairs_report *check(const char *text, const struct pairs_format *fmt)
{
	struct pairs_report *r = NULL;
	char err[256] = "";
	assert_int_equal(pairs_check_text("t.jsonl", text, strlen(text), fmt, &r, err, sizeof err), 0);
	assert_non_null(r);
	return r;
}

/* kind:line[/other] of every problem, comma-separated, into buf. */
static const char *problems(const struct pairs_report *r, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < r->n_problems && at < len; i++) {
		const struct pairs_problem *p = &r->problems[i];
		at += (size_t)snprintf(buf + at, len - at, "%s%s:%d", i ? "," : "",
		                       pairs_kind_name(p->kind), p->line);
		if (p->other_line && at < len)
			at += (size_t)snprintf(buf + at, len - at, "/%d", p->other_line);
	}
	return buf;
}

static void good_file_is_fit(void **state)
{
	(void)state;
	struct pairs_report *r = NULL;
	struct pairs_format fmt;
	char err[256] = "";
	assert_int_equal(pairs_check_file(GOOD, NULL, &r, err, sizeof err), 0);
	assert_int_equal(r->n_items, 10);
	assert_int_equal(r->n_problems, 0);
	assert_true(r->outliers_checked);
	assert_float_equal(r->median, 12.5, 1e-9);
	assert_float_equal(r->mad, 1.0, 1e-9);
	assert_true(pairs_report_fit(r));
	pairs_report_free(&r);
	assert_null(r);

	assert_int_equal(pairs_format_parse(CAPITAL_SENTENCE, &fmt, err, sizeof err), 0);
	assert_int_equal(pairs_check_file(GOOD, &fmt, &r, err, sizeof err), 0);
	assert_int_equal(r->n_problems, 0);
	assert_true(pairs_report_fit(r));
	pairs_report_free(&r);
}

static void bad_file_reports_each_problem_on_its_line(void **state)
{
	(void)state;
	struct pairs_report *r = NULL;
	struct pairs_format fmt;
	char err[256] = "", buf[512];
	assert_int_equal(pairs_format_parse(CAPITAL_SENTENCE, &fmt, err, sizeof err), 0);
	assert_int_equal(pairs_check_file(BAD, &fmt, &r, err, sizeof err), 0);
	assert_int_equal(r->n_items, 13);
	assert_string_equal(problems(r, buf, sizeof buf),
	                    "schema:2,schema:3,empty:4,duplicate:5/1,contradiction:7/6,format:8,outlier:9");
	assert_int_equal(r->counts[PAIRS_SCHEMA], 2);
	assert_int_equal(r->counts[PAIRS_EMPTY], 1);
	assert_int_equal(r->counts[PAIRS_DUPLICATE], 1);
	assert_int_equal(r->counts[PAIRS_CONTRADICTION], 1);
	assert_int_equal(r->counts[PAIRS_FORMAT], 1);
	assert_int_equal(r->counts[PAIRS_OUTLIER], 1);
	assert_string_equal(r->problems[0].detail, "not JSON (near byte 75 of the line)");
	assert_string_equal(r->problems[1].detail, "no assistant message");
	assert_string_equal(r->problems[2].detail, "output is empty");
	assert_string_equal(r->problems[4].detail, "same input as line 6, different output");
	assert_string_equal(r->problems[6].detail,
	                    "output of 76 tokens is outside 9.0..15.0 (median 12.0, MAD 1.0)");
	assert_false(pairs_report_fit(r));
	pairs_report_free(&r);
}

static void report_prints_problems_then_summary(void **state)
{
	(void)state;
	struct pairs_report *r = NULL;
	char err[256] = "", *out = NULL;
	size_t len = 0;
	assert_int_equal(pairs_check_file(BAD, NULL, &r, err, sizeof err), 0);
	FILE *f = open_memstream(&out, &len);
	pairs_report_print(f, r);
	fclose(f);
	assert_string_equal(out,
		BAD ":2: schema: not JSON (near byte 75 of the line)\n"
		BAD ":3: schema: no assistant message\n"
		BAD ":4: empty: output is empty\n"
		BAD ":5: duplicate: same input and output as line 1\n"
		BAD ":7: contradiction: same input as line 6, different output\n"
		BAD ":9: outlier (warning): output of 76 tokens is outside 9.0..15.0 (median 12.0, MAD 1.0)\n"
		BAD ": 13 items, 2 schema errors, 1 empty, 1 duplicate, 1 contradiction, "
		"0 format failures, 1 outlier: unfit\n");
	free(out);
	pairs_report_free(&r);
}

static void repeats_name_the_first_line_of_their_kind(void **state)
{
	(void)state;
	char buf[256];
	/* outputs A, B, B, A, C for one input */
	struct pairs_report *r = check(
		"{\"prompt\": \"q\", \"completion\": \"A\"}\n"
		"{\"prompt\": \"q\", \"completion\": \"B\"}\n"
		"{\"prompt\": \"q\", \"completion\": \"B\"}\n"
		"{\"prompt\": \"q\", \"completion\": \"A\"}\n"
		"{\"prompt\": \"q\", \"completion\": \"C\"}\n"
		"{\"prompt\": \"other\", \"completion\": \"A\"}\n", NULL);
	assert_string_equal(problems(r, buf, sizeof buf),
	                    "contradiction:2/1,duplicate:3/2,duplicate:4/1,contradiction:5/1");
	assert_false(pairs_report_fit(r));
	pairs_report_free(&r);
}

static void prompt_and_chat_formats_compare_equal(void **state)
{
	(void)state;
	char buf[256];
	struct pairs_report *r = check(
		"{\"prompt\": \"q\", \"completion\": \"a\"}\n"
		"{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n"
		"{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"q\"},"
		" {\"role\": \"assistant\", \"content\": \"b\"}]}\n"
		"{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"x\"},"
		" {\"role\": \"assistant\", \"content\": \"a\"}]}\n", NULL);
	/* line 3 has another input (the system message); line 4's output is
	 * its last assistant message */
	assert_string_equal(problems(r, buf, sizeof buf), "duplicate:2/1,duplicate:4/1");
	pairs_report_free(&r);
}

static void schema_errors_say_what_is_wrong(void **state)
{
	(void)state;
	char buf[256];
	struct pairs_report *r = check(
		"[1, 2]\n"
		"{\"messages\": {}}\n"
		"{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}\n"
		"{\"messages\": [{\"role\": \"user\", \"content\": null}]}\n"
		"{\"prompt\": \"q\"}\n"
		"{\"prompt\": \"q\", \"completion\": \"a\"} trailing\n", NULL);
	assert_string_equal(problems(r, buf, sizeof buf),
	                    "schema:1,schema:2,schema:3,schema:4,schema:5,schema:6");
	assert_string_equal(r->problems[0].detail, "not a JSON object");
	assert_string_equal(r->problems[1].detail, "\"messages\" is not an array");
	assert_string_equal(r->problems[2].detail,
	                    "messages[0] has role \"tool\" (system, user or assistant)");
	assert_string_equal(r->problems[3].detail,
	                    "messages[0] needs a string \"role\" and a string \"content\"");
	assert_string_equal(r->problems[4].detail,
	                    "expected {\"messages\": [...]} or string \"prompt\" and \"completion\"");
	assert_string_equal(r->problems[5].detail, "extra text after the JSON value at byte 36");
	assert_int_equal(r->counts[PAIRS_SCHEMA], 6);
	pairs_report_free(&r);
}

static void an_unknown_role_is_shown_on_one_inert_line(void **state)
{
	(void)state;
	/* A newline would split the report's line, an escape would reach the
	 * terminal: both are shown escaped, and a long role is cut at a whole
	 * character. */
	struct pairs_report *r = check(
		"{\"messages\": [{\"role\": \"assist\\nant\\u001b[31m\\u009b\", \"content\": \"x\"}]}\n"
		"{\"messages\": [{\"role\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x"
		"\xc3\xa9\", \"content\": \"x\"}]}\n", NULL);
	assert_int_equal(r->n_problems, 2);
	assert_string_equal(r->problems[0].detail,
	                    "messages[0] has role \"assist\\nant\\u001b[31m\\u009b\" (system, user or assistant)");
	assert_string_equal(r->problems[1].detail,
	                    "messages[0] has role \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9x\" (system, user or assistant)");
	pairs_report_free(&r);
}

static void empty_input_or_output_is_reported_once(void **state)
{
	(void)state;
	char buf[256];
	struct pairs_report *r = check(
		"{\"prompt\": \" \\n\", \"completion\": \"a\"}\n"
		"{\"messages\": [{\"role\": \"system\", \"content\": \"\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n"
		"{\"prompt\": \"\", \"completion\": \"\"}\n"
		"{\"prompt\": \"\", \"completion\": \"\"}\n", NULL);
	/* empty pairs are not counted again as duplicates */
	assert_string_equal(problems(r, buf, sizeof buf), "empty:1,empty:2,empty:3,empty:4");
	assert_string_equal(r->problems[0].detail, "input is empty");
	assert_string_equal(r->problems[2].detail, "input and output are empty");
	assert_false(pairs_report_fit(r));
	pairs_report_free(&r);
}

static void blank_lines_are_skipped_but_counted(void **state)
{
	(void)state;
	char buf[256];
	struct pairs_report *r = check("\n  \r\n{\"prompt\": \"q\", \"completion\": \"a\"}\n\n"
	                               "{\"prompt\": \"q\", \"completion\": \"a\"}", NULL);
	assert_int_equal(r->n_items, 2);
	assert_string_equal(problems(r, buf, sizeof buf), "duplicate:5/3");
	pairs_report_free(&r);
}

static void empty_file_is_unfit(void **state)
{
	(void)state;
	struct pairs_report *r = check("\n\n", NULL);
	assert_int_equal(r->n_items, 0);
	assert_int_equal(r->n_problems, 0);
	assert_false(r->outliers_checked);
	assert_false(pairs_report_fit(r));
	pairs_report_free(&r);
}

/* n pairs with one-token outputs except the last, of `last` words. */
static char *lengths_text(int n, int last)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (int i = 1; i <= n; i++) {
		fprintf(f, "{\"prompt\": \"q%d\", \"completion\": \"", i);
		for (int w = 0; w < (i == n ? last : 1); w++)
			fputs(w ? " word" : "word", f);
		fputs("\"}\n", f);
	}
	fclose(f);
	return buf;
}

static void outliers_only_warn(void **state)
{
	(void)state;
	char buf[256];
	char *text = lengths_text(8, 5);
	struct pairs_report *r = check(text, NULL);
	assert_true(r->outliers_checked);
	assert_float_equal(r->median, 1.0, 1e-9);
	assert_float_equal(r->mad, 0.0, 1e-9);
	assert_string_equal(problems(r, buf, sizeof buf), "outlier:8");
	assert_string_equal(r->problems[0].detail,
	                    "output of 5 tokens is outside 1.0..1.0 (median 1.0, MAD 0.0)");
	assert_true(pairs_report_fit(r));
	pairs_report_free(&r);
	free(text);
}

static void outliers_need_eight_items(void **state)
{
	(void)state;
	char *text = lengths_text(7, 50);
	struct pairs_report *r = check(text, NULL);
	assert_false(r->outliers_checked);
	assert_int_equal(r->n_problems, 0);
	assert_true(pairs_report_fit(r));
	pairs_report_free(&r);
	free(text);
}

static void json_check_accepts_fenced_json(void **state)
{
	(void)state;
	struct pairs_format fmt;
	char err[256] = "", buf[256];
	assert_int_equal(pairs_format_parse("json", &fmt, err, sizeof err), 0);
	assert_int_equal(fmt.check, PAIRS_CHECK_JSON);
	struct pairs_report *r = check(
		"{\"prompt\": \"a\", \"completion\": \"{\\\"ok\\\": true}\"}\n"
		"{\"prompt\": \"b\", \"completion\": \"```json\\n[1, 2]\\n```\"}\n"
		"{\"prompt\": \"c\", \"completion\": \"{\\\"ok\\\": tru}\"}\n", &fmt);
	assert_string_equal(problems(r, buf, sizeof buf), "format:3");
	assert_string_equal(r->problems[0].detail,
	                    "output fails the json check: not JSON: cannot parse at byte 7 of the 11-byte value");
	pairs_report_free(&r);
}

static void format_argument_is_json_or_a_compiling_regex(void **state)
{
	(void)state;
	struct pairs_format fmt;
	char err[256] = "";
	const char *arg = "regex:^[0-9]+$";
	assert_int_equal(pairs_format_parse(arg, &fmt, err, sizeof err), 0);
	assert_int_equal(fmt.check, PAIRS_CHECK_REGEX);
	assert_ptr_equal(fmt.pattern, arg + 6);
	assert_int_equal(pairs_format_parse("xml", &fmt, err, sizeof err), -1);
	assert_string_equal(err, "unknown format check 'xml': use json or regex:PATTERN");
	assert_int_equal(pairs_format_parse("regex:", &fmt, err, sizeof err), -1);
	assert_string_equal(err, "unknown format check 'regex:': use json or regex:PATTERN");
	assert_int_equal(pairs_format_parse("regex:a(", &fmt, err, sizeof err), -1);
	assert_non_null(strstr(err, "format pattern /a(/ does not compile"));
}

static void bad_pattern_given_directly_fails_the_check(void **state)
{
	(void)state;
	struct pairs_format fmt = { PAIRS_CHECK_REGEX, "a(" };
	struct pairs_report *r = NULL;
	char err[256] = "";
	const char *text = "{\"prompt\": \"q\", \"completion\": \"a\"}\n";
	assert_int_equal(pairs_check_text("t.jsonl", text, strlen(text), &fmt, &r, err, sizeof err), -1);
	assert_null(r);
	assert_non_null(strstr(err, "does not compile"));
}

static void missing_file_is_named(void **state)
{
	(void)state;
	struct pairs_report *r = NULL;
	char err[256] = "";
	assert_int_equal(pairs_check_file("../fixtures/pairs/missing.jsonl", NULL, &r, err, sizeof err), -1);
	assert_null(r);
	assert_string_equal(err,
	                    "cannot read pairs file ../fixtures/pairs/missing.jsonl: No such file or directory");
}

static void chat_json_reads_back_as_the_same_pair(void **state)
{
	(void)state;
	cJSON *o = pairs_chat_json("What is \"x\"?", "It is y.");
	char *s = cJSON_PrintUnformatted(o);
	assert_string_equal(s, "{\"messages\":[{\"role\":\"user\",\"content\":\"What is \\\"x\\\"?\"},"
	                       "{\"role\":\"assistant\",\"content\":\"It is y.\"}]}");
	char *text = malloc(strlen(s) * 2 + 3);
	sprintf(text, "%s\n%s\n", s, s);
	struct pairs_report *r = check(text, NULL);
	char buf[64];
	assert_string_equal(problems(r, buf, sizeof buf), "duplicate:2/1");
	pairs_report_free(&r);
	free(text);
	free(s);
	cJSON_Delete(o);
}

/* The well-formed pairs are kept for a judge, each with its instruction,
 * what it asks, its output and a hash that a chat line and a
 * prompt/completion line of the same pair share with pairs_chat_hash. */
static void well_formed_pairs_are_kept_with_their_hash(void **state)
{
	(void)state;
	struct pairs_report *r = check(
		"{\"prompt\": \"Refund window?\", \"completion\": \"14 days.\"}\n"
		"not json\n"
		"{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
		"{\"role\": \"user\", \"content\": \"Refund window?\"}, {\"role\": \"assistant\", \"content\": \"14 days.\"}]}\n"
		"{\"messages\": [{\"role\": \"user\", \"content\": \"Refund window?\"}, "
		"{\"role\": \"assistant\", \"content\": \"14 days.\"}]}\n"
		"{\"prompt\": \"Refund window?\", \"completion\": \"30 days.\"}\n", NULL);
	char hash[17];
	assert_int_equal(r->n_ok, 4);
	assert_int_equal(r->items[0].line, 1);
	assert_int_equal(r->items[1].line, 3);
	assert_string_equal(r->items[1].instruction, "system: Be brief.\n\nuser: Refund window?");
	assert_string_equal(r->items[1].asked, "Refund window?");
	assert_string_equal(r->items[1].output, "14 days.");
	pairs_chat_hash("Refund window?", "14 days.", hash);
	assert_string_equal(r->items[0].hash, hash);
	assert_string_equal(r->items[2].hash, hash);
	assert_string_not_equal(r->items[1].hash, hash);
	assert_string_not_equal(r->items[3].hash, hash);
	pairs_report_free(&r);
}

/* Control characters the key once used as separators, inside a pair's
 * text: the pair is read whole, and moving bytes between messages gives
 * another hash. */
static void separator_bytes_in_text_are_only_text(void **state)
{
	(void)state;
	struct pairs_report *r = check(
		"{\"prompt\": \"a\\u001e\", \"completion\": \"x\"}\n"
		"{\"messages\": [{\"role\": \"user\", \"content\": \"b\\u001fc\\u001e\\u001d\"}, "
		"{\"role\": \"assistant\", \"content\": \"y\"}]}\n"
		"{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"t\"}, "
		"{\"role\": \"assistant\", \"content\": \"z\"}]}\n"
		"{\"messages\": [{\"role\": \"system\", \"content\": \"s4:usert\"}, "
		"{\"role\": \"assistant\", \"content\": \"z\"}]}\n", NULL);
	assert_int_equal(r->n_ok, 4);
	assert_string_equal(r->items[0].asked, "a\x1e");
	assert_string_equal(r->items[1].asked, "b\x1f" "c\x1e\x1d");
	assert_string_equal(r->items[2].instruction, "system: s\n\nuser: t");
	assert_string_equal(r->items[3].instruction, "system: s4:usert");
	assert_string_not_equal(r->items[2].hash, r->items[3].hash);
	pairs_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file_is_fit),
		cmocka_unit_test(separator_bytes_in_text_are_only_text),
		cmocka_unit_test(bad_file_reports_each_problem_on_its_line),
		cmocka_unit_test(report_prints_problems_then_summary),
		cmocka_unit_test(repeats_name_the_first_line_of_their_kind),
		cmocka_unit_test(prompt_and_chat_formats_compare_equal),
		cmocka_unit_test(schema_errors_say_what_is_wrong),
		cmocka_unit_test(an_unknown_role_is_shown_on_one_inert_line),
		cmocka_unit_test(empty_input_or_output_is_reported_once),
		cmocka_unit_test(blank_lines_are_skipped_but_counted),
		cmocka_unit_test(empty_file_is_unfit),
		cmocka_unit_test(outliers_only_warn),
		cmocka_unit_test(outliers_need_eight_items),
		cmocka_unit_test(json_check_accepts_fenced_json),
		cmocka_unit_test(format_argument_is_json_or_a_compiling_regex),
		cmocka_unit_test(bad_pattern_given_directly_fails_the_check),
		cmocka_unit_test(missing_file_is_named),
		cmocka_unit_test(chat_json_reads_back_as_the_same_pair),
		cmocka_unit_test(well_formed_pairs_are_kept_with_their_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
