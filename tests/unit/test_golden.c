/* Unit tests for core/eval/golden: the shipped set and the fixtures load with
 * every field, broken files fail with file:line:col (YAML) or file:line
 * (JSONL), and written sets read back equal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval/golden.h"

static struct golden_set *load_yaml(const char *text, char *err, size_t errlen)
{
	struct golden_set *s = NULL;
	if (golden_load_yaml("t.yaml", text, strlen(text), &s, err, errlen) != 0)
		assert_null(s);
	return s;
}

static void shipped_set_loads_all_items(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load("../../examples/golden.yaml", &s, err, sizeof err), 0);
	assert_int_equal(s->n_items, 71);
	size_t per[GOLDEN_N_CATEGORIES] = { 0 };
	for (size_t i = 0; i < s->n_items; i++)
		per[s->items[i].category]++;
	assert_true(per[GOLDEN_FACTUAL] > 0 && per[GOLDEN_STRUCTURAL] > 0 && per[GOLDEN_HYBRID] > 0);
	assert_int_equal(per[0] + per[1] + per[2], 71);
	golden_set_free(&s);
	assert_null(s);
}

static void fixture_items_have_every_field(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load("../fixtures/eval/golden6.yaml", &s, err, sizeof err), 0);
	assert_int_equal(s->n_items, 6);
	const struct golden_item *a = &s->items[0];
	assert_string_equal(a->id, "refund-window-current");
	assert_int_equal(a->category, GOLDEN_FACTUAL);
	assert_int_equal(a->n_relevant, 1);
	assert_string_equal(a->relevant[0].path, "policies/refund-policy.md");
	assert_int_equal(a->relevant[0].line_start, 7);
	assert_int_equal(a->relevant[0].line_end, 21);
	assert_int_equal(a->n_must_contain, 1);
	assert_string_equal(a->must_contain[0], "14");
	assert_int_equal(a->format, GOLDEN_FORMAT_NONE);
	assert_int_equal(a->line, 4);
	const struct golden_item *j = &s->items[2];
	assert_int_equal(j->format, GOLDEN_FORMAT_JSON);
	assert_int_equal(j->n_relevant, 0);
	char *schema = cJSON_PrintUnformatted(j->schema);
	assert_string_equal(schema, "{\"required\":[\"id\",\"priority\",\"plan\",\"tags\"],"
	                            "\"properties\":{\"id\":\"string\",\"priority\":\"string\",\"plan\":\"string\",\"tags\":\"array\"}}");
	cJSON_free(schema);
	const struct golden_item *r = &s->items[3];
	assert_int_equal(r->format, GOLDEN_FORMAT_REGEX);
	assert_string_equal(r->pattern, "^docs: [^\n]{1,60}[ \t\n]*$");
	assert_int_equal(s->items[5].category, GOLDEN_HYBRID);
	assert_string_equal(s->items[5].pattern, "\\| *Plan *\\|");
	assert_int_equal(s->items[5].n_must_contain, 4);
	golden_set_free(&s);
}

static void jsonl_fixture_loads_and_skips_blank_lines(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load("../fixtures/eval/golden2.jsonl", &s, err, sizeof err), 0);
	assert_int_equal(s->n_items, 2);
	assert_int_equal(s->items[0].line, 1);
	assert_int_equal(s->items[1].line, 3);
	assert_int_equal(s->items[0].relevant[0].line_end, 21);
	assert_int_equal(s->items[1].format, GOLDEN_FORMAT_JSON);
	assert_non_null(s->items[1].schema);
	golden_set_free(&s);
}

static void broken_file_names_line_and_column(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load("../fixtures/eval/golden-bad-lines.yaml", &s, err, sizeof err), -1);
	assert_null(s);
	assert_string_equal(err, "../fixtures/eval/golden-bad-lines.yaml:7:9: 'lines' [9, 3] ends before it starts");
}

static void yaml_errors_point_at_the_key(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: trivia\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:4:5: category 'trivia' is not factual, structural or hybrid");
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n    mustcontain: [x]\n",
	                      err, sizeof err));
	assert_string_equal(err, "t.yaml:5:5: unknown key 'mustcontain' (see docs/golden.md)");
	assert_null(load_yaml("items:\n  - id: a\n    category: factual\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:2:5: item has no 'question' (add question: \"...\")");
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n    format: regex\n"
	                      "    pattern: \"a(\"\n", err, sizeof err));
	assert_non_null(strstr(err, "t.yaml:6:5: 'pattern' is not a usable POSIX extended regex"));
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n    pattern: x\n",
	                      err, sizeof err));
	assert_string_equal(err, "t.yaml:5:5: 'pattern' needs format: regex");
}

static void duplicate_ids_and_bad_yaml_are_rejected(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(load_yaml("items:\n  - {id: a, question: q, category: factual}\n"
	                      "  - {id: a, question: r, category: hybrid}\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:3:6: duplicate id 'a' (first used on line 2)");
	assert_null(load_yaml("items:\n  - id: [\n", err, sizeof err));
	assert_non_null(strstr(err, "t.yaml:3:1: invalid YAML: "));
	assert_null(load_yaml("questions: []\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:1:1: expected 'items:' followed by a list of items");
	/* A key twice in one mapping (found by fuzz_golden: it did not read
	 * back as written), in the item or deep in its schema. */
	assert_null(load_yaml("items:\n  - {id: a, question: q, category: factual, question: r}\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:2:45: key 'question' is given twice in one mapping");
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: hybrid\n    format: json\n"
	                      "    schema: {properties: {a, b: string, a: string}}\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:6:41: key 'a' is given twice in one mapping");
	struct golden_set *ok = load_yaml("items:\n  - id: a\n    question: q\n    category: hybrid\n    format: json\n"
	                                  "    schema: {properties: {a: {type: string}, b: {type: string}}}\n",
	                                  err, sizeof err);
	assert_non_null(ok);   /* the same key in two mappings is no repeat */
	golden_set_free(&ok);
	struct golden_set *s = NULL;
	const char *twice = "{\"id\":\"a\",\"question\":\"q\",\"category\":\"factual\",\"id\":\"b\"}\n";
	assert_int_equal(golden_load_jsonl("t.jsonl", twice, strlen(twice), &s, err, sizeof err), -1);
	assert_string_equal(err, "t.jsonl:1: key 'id' is given twice in one mapping");
}

static void jsonl_errors_name_the_line(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	const char *bad = "{\"id\":\"a\",\"question\":\"q\",\"category\":\"factual\"}\n{\"id\":\"b\",\n";
	assert_int_equal(golden_load_jsonl("t.jsonl", bad, strlen(bad), &s, err, sizeof err), -1);
	assert_null(s);
	assert_non_null(strstr(err, "t.jsonl:2: not a JSON object"));
	const char *lines = "{\"id\":\"a\",\"question\":\"q\",\"category\":\"factual\",\"relevant\":[{\"path\":\"x\",\"lines\":[0,2]}]}\n";
	assert_int_equal(golden_load_jsonl("t.jsonl", lines, strlen(lines), &s, err, sizeof err), -1);
	assert_string_equal(err, "t.jsonl:1: a line number must be a whole number from 1");
}

static struct golden_set *reread(const struct golden_set *s, bool jsonl)
{
	char *buf = NULL;
	size_t len = 0;
	char err[256] = "";
	struct golden_set *back = NULL;
	FILE *f = open_memstream(&buf, &len);
	if (jsonl)
		golden_write_jsonl(f, s->items, s->n_items);
	else
		golden_write_yaml(f, s->items, s->n_items);
	fclose(f);
	int rc = jsonl ? golden_load_jsonl("w", buf, len, &back, err, sizeof err)
	               : golden_load_yaml("w", buf, len, &back, err, sizeof err);
	assert_int_equal(rc, 0);
	free(buf);
	return back;
}

static void written_sets_read_back_equal(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load("../../examples/golden.yaml", &s, err, sizeof err), 0);
	for (int jsonl = 0; jsonl < 2; jsonl++) {
		struct golden_set *b = reread(s, jsonl);
		assert_int_equal(b->n_items, s->n_items);
		for (size_t i = 0; i < s->n_items; i++) {
			const struct golden_item *x = &s->items[i], *y = &b->items[i];
			assert_string_equal(x->id, y->id);
			assert_string_equal(x->question, y->question);
			assert_int_equal(x->category, y->category);
			assert_int_equal(x->n_relevant, y->n_relevant);
			for (size_t r = 0; r < x->n_relevant; r++) {
				assert_string_equal(x->relevant[r].path, y->relevant[r].path);
				assert_int_equal(x->relevant[r].line_start, y->relevant[r].line_start);
				assert_int_equal(x->relevant[r].line_end, y->relevant[r].line_end);
			}
			assert_int_equal(x->n_must_contain, y->n_must_contain);
			assert_int_equal(x->format, y->format);
			assert_true(cJSON_Compare(x->schema, y->schema, true) || (!x->schema && !y->schema));
			if (x->pattern)
				assert_string_equal(x->pattern, y->pattern);
			if (x->reference_answer)
				assert_string_equal(x->reference_answer, y->reference_answer);
		}
		golden_set_free(&b);
	}
	golden_set_free(&s);
}

static void an_empty_set_reads_back(void **state)
{
	(void)state;
	struct golden_set empty = { 0 };
	for (int jsonl = 0; jsonl < 2; jsonl++) {
		struct golden_set *b = reread(&empty, jsonl);
		assert_int_equal(b->n_items, 0);
		golden_set_free(&b);
	}
}

static void non_finite_numbers_stay_strings(void **state)
{
	(void)state;
	char err[256] = "";
	/* strtod reads these; JSON (and the JSONL a set is written as) cannot
	 * hold them, so they are the strings they look like. */
	struct golden_set *s = load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n"
	                                 "    format: json\n    schema: {n: -nan, i: -infinity, x: -1.5}\n"
	                                 "    must_contain: [-inf]\n", err, sizeof err);
	assert_non_null(s);
	const cJSON *schema = s->items[0].schema;
	assert_string_equal(cJSON_GetObjectItem(schema, "n")->valuestring, "-nan");
	assert_string_equal(cJSON_GetObjectItem(schema, "i")->valuestring, "-infinity");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(schema, "x")));
	assert_string_equal(s->items[0].must_contain[0], "-inf");
	for (int jsonl = 0; jsonl < 2; jsonl++) {
		struct golden_set *b = reread(s, jsonl);
		assert_true(cJSON_Compare(b->items[0].schema, schema, true));
		golden_set_free(&b);
	}
	golden_set_free(&s);
	assert_null(load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n"
	                      "    relevant: [{path: p.md, lines: [-nan, 3]}]\n", err, sizeof err));
	assert_string_equal(err, "t.yaml:5:37: a line number must be a whole number from 1");
}

static void jsonl_sets_hold_only_what_yaml_can(void **state)
{
	(void)state;
	struct golden_set *s = NULL;
	char err[256] = "";
	/* Invalid UTF-8 cannot be written as YAML: refused where it is. */
	const char *bad = "\n{\"id\": \"a\xff\", \"question\": \"q\", \"category\": \"factual\"}\n";
	assert_int_equal(golden_load_jsonl("t.jsonl", bad, strlen(bad), &s, err, sizeof err), -1);
	assert_string_equal(err, "t.jsonl:2: not valid UTF-8 (byte 10 of the line)");
	/* DEL, U+FFFE and U+FFFF are valid but a YAML reader refuses them raw:
	 * the YAML writer escapes them. */
	const char *odd = "{\"id\": \"a\", \"question\": \"x\x7fy\xef\xbf\xbez\xef\xbf\xbf\", "
	                  "\"category\": \"factual\"}\n";
	assert_int_equal(golden_load_jsonl("t.jsonl", odd, strlen(odd), &s, err, sizeof err), 0);
	struct golden_set *b = reread(s, false);
	assert_string_equal(b->items[0].question, "x\x7fy\xef\xbf\xbez\xef\xbf\xbf");
	golden_set_free(&b);
	golden_set_free(&s);
}

static void jsonl_is_read_within_its_length(void **state)
{
	(void)state;
	/* The API takes a length: a last line of blanks without a NUL after
	 * it is read no further (AddressSanitizer and valgrind see a read past
	 * the buffer). */
	const char blanks[] = "{\"id\": \"a\", \"question\": \"q\", \"category\": \"factual\"}\n \t";
	size_t len = sizeof blanks - 1;
	char *text = malloc(len);
	assert_non_null(text);
	memcpy(text, blanks, len);
	struct golden_set *s = NULL;
	char err[256] = "";
	assert_int_equal(golden_load_jsonl("t.jsonl", text, len, &s, err, sizeof err), 0);
	assert_int_equal(s->n_items, 1);
	golden_set_free(&s);
	free(text);
}

static void stale_sources_load_and_read_back(void **state)
{
	(void)state;
	char err[256] = "";
	struct golden_set *s = load_yaml("items:\n"
	                                 "  - id: a\n    question: q\n    category: factual\n"
	                                 "    relevant: [{path: p/current.md}]\n"
	                                 "    stale: [{path: p/archive/old.md}, {path: p/older.md, lines: [3, 9]}]\n",
	                                 err, sizeof err);
	assert_non_null(s);
	const struct golden_item *it = &s->items[0];
	assert_int_equal(it->n_stale, 2);
	assert_string_equal(it->stale[0].path, "p/archive/old.md");
	assert_int_equal(it->stale[1].line_start, 3);
	for (int jsonl = 0; jsonl < 2; jsonl++) {
		struct golden_set *b = reread(s, jsonl);
		assert_int_equal(b->items[0].n_stale, 2);
		assert_string_equal(b->items[0].stale[1].path, "p/older.md");
		assert_int_equal(b->items[0].stale[1].line_end, 9);
		golden_set_free(&b);
	}
	golden_set_free(&s);
	s = load_yaml("items:\n  - id: a\n    question: q\n    category: factual\n    stale: p/old.md\n",
	              err, sizeof err);
	assert_null(s);
	assert_string_equal(err, "t.yaml:5:5: 'stale' must be a list of {path, lines}");
}

/* Anchors a..a+levels-1 of nine mapping pairs each, every level's values
 * aliases of the level before: the last one expands to about 9^levels
 * nodes. The item names the last level as its schema. */
static char *alias_bomb(int levels)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (int l = 0; l < levels; l++) {
		fprintf(f, "%c: &%c {", 'a' + l, 'a' + l);
		for (int k = 1; k <= 9; k++) {
			if (l == 0)
				fprintf(f, "%sk%d: lol", k > 1 ? ", " : "", k);
			else
				fprintf(f, "%sk%d: *%c", k > 1 ? ", " : "", k, 'a' + l - 1);
		}
		fputs("}\n", f);
	}
	fprintf(f, "items:\n  - id: bomb\n    question: q\n    category: factual\n"
	           "    format: json\n    schema: *%c\n", 'a' + levels - 1);
	fclose(f);
	return buf;
}

static void alias_bomb_is_refused_where_it_crosses_the_limit(void **state)
{
	(void)state;
	char err[256] = "";
	/* 9^5 nodes: the sixth alias of line 5 takes the repeated nodes past
	 * 100,000 (9 x 19 + 9 x 181 + 9 x 1,639 + 6 x 14,761). */
	for (int levels = 5; levels <= 9; levels += 4) {
		char *bomb = alias_bomb(levels);
		assert_null(load_yaml(bomb, err, sizeof err));
		assert_string_equal(err, "t.yaml:5:52: aliases repeat more than 100000 nodes in all; "
		                         "write the values out instead of nesting aliases");
		free(bomb);
	}
}

static void nesting_deeper_than_the_limit_is_refused(void **state)
{
	(void)state;
	char err[256] = "";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	fputs("items:\n  - id: deep\n    question: q\n    category: factual\n    format: json\n"
	      "    schema: ", f);
	for (int i = 0; i < 70; i++)
		fputs("{a: ", f);
	fputs("x", f);
	for (int i = 0; i < 70; i++)
		fputs("}", f);
	fputs("\n", f);
	fclose(f);
	/* The root, items and the item are three levels; the 62nd '{' of the
	 * schema (column 13 + 4 x 61) is the 65th. */
	assert_null(load_yaml(text, err, sizeof err));
	assert_string_equal(err, "t.yaml:6:257: more than 64 levels of nesting (counting what "
	                         "aliases repeat); flatten the data");
	free(text);
}

static void aliases_within_the_limits_read_as_written_out(void **state)
{
	(void)state;
	char err[256] = "";
	struct golden_set *s = load_yaml("items:\n"
	                                 "  - id: a\n    question: q\n    category: factual\n"
	                                 "    relevant: &src [{path: p/a.md, lines: [3, 9]}]\n"
	                                 "    must_contain: &words [alpha, beta]\n"
	                                 "  - id: b\n    question: r\n    category: hybrid\n"
	                                 "    relevant: *src\n    must_contain: *words\n",
	                                 err, sizeof err);
	assert_non_null(s);
	assert_int_equal(s->n_items, 2);
	const struct golden_item *b = &s->items[1];
	assert_int_equal(b->n_relevant, 1);
	assert_string_equal(b->relevant[0].path, "p/a.md");
	assert_int_equal(b->relevant[0].line_end, 9);
	assert_int_equal(b->n_must_contain, 2);
	assert_string_equal(b->must_contain[1], "beta");
	golden_set_free(&s);
}

static void alias_errors_point_at_the_alias(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(load_yaml("items:\n  - id: a\n    question: *q\n    category: factual\n", err,
	                      sizeof err));
	assert_string_equal(err, "t.yaml:3:15: alias *q names no anchor defined before it");
	assert_null(load_yaml("items:\n  - &it {id: a, question: q, category: factual, schema: *it}\n",
	                      err, sizeof err));
	assert_string_equal(err, "t.yaml:2:57: alias *it is inside the node it names (a cycle)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stale_sources_load_and_read_back),
		cmocka_unit_test(shipped_set_loads_all_items),
		cmocka_unit_test(fixture_items_have_every_field),
		cmocka_unit_test(jsonl_fixture_loads_and_skips_blank_lines),
		cmocka_unit_test(broken_file_names_line_and_column),
		cmocka_unit_test(yaml_errors_point_at_the_key),
		cmocka_unit_test(duplicate_ids_and_bad_yaml_are_rejected),
		cmocka_unit_test(jsonl_errors_name_the_line),
		cmocka_unit_test(written_sets_read_back_equal),
		cmocka_unit_test(an_empty_set_reads_back),
		cmocka_unit_test(non_finite_numbers_stay_strings),
		cmocka_unit_test(jsonl_sets_hold_only_what_yaml_can),
		cmocka_unit_test(jsonl_is_read_within_its_length),
		cmocka_unit_test(alias_bomb_is_refused_where_it_crosses_the_limit),
		cmocka_unit_test(nesting_deeper_than_the_limit_is_refused),
		cmocka_unit_test(aliases_within_the_limits_read_as_written_out),
		cmocka_unit_test(alias_errors_point_at_the_alias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
