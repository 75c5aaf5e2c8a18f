/* Unit tests for core/config/safe_yaml: documents come out as yaml_parser_load
 * builds them, and each limit and alias rule holds at its exact bound with
 * the position of the event that crossed it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config/safe_yaml.h"

/* ---- the same documents as libyaml's loader -------------------------------- */

static void assert_same_mark(yaml_mark_t a, yaml_mark_t b)
{
	assert_int_equal(a.index, b.index);
	assert_int_equal(a.line, b.line);
	assert_int_equal(a.column, b.column);
}

static void assert_same_node(const yaml_node_t *a, const yaml_node_t *b)
{
	assert_int_equal(a->type, b->type);
	assert_string_equal((const char *)a->tag, (const char *)b->tag);
	assert_same_mark(a->start_mark, b->start_mark);
	assert_same_mark(a->end_mark, b->end_mark);
	switch (a->type) {
	case YAML_SCALAR_NODE:
		assert_int_equal(a->data.scalar.length, b->data.scalar.length);
		assert_memory_equal(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length);
		assert_int_equal(a->data.scalar.style, b->data.scalar.style);
		break;
	case YAML_SEQUENCE_NODE:
		assert_int_equal(a->data.sequence.style, b->data.sequence.style);
		assert_int_equal(a->data.sequence.items.top - a->data.sequence.items.start,
		                 b->data.sequence.items.top - b->data.sequence.items.start);
		for (yaml_node_item_t *i = a->data.sequence.items.start, *j = b->data.sequence.items.start;
		     i < a->data.sequence.items.top; i++, j++)
			assert_int_equal(*i, *j);
		break;
	case YAML_MAPPING_NODE:
		assert_int_equal(a->data.mapping.style, b->data.mapping.style);
		assert_int_equal(a->data.mapping.pairs.top - a->data.mapping.pairs.start,
		                 b->data.mapping.pairs.top - b->data.mapping.pairs.start);
		for (yaml_node_pair_t *p = a->data.mapping.pairs.start, *q = b->data.mapping.pairs.start;
		     p < a->data.mapping.pairs.top; p++, q++) {
			assert_int_equal(p->key, q->key);
			assert_int_equal(p->value, q->value);
		}
		break;
	default:
		fail_msg("node of no type");
	}
}

static void assert_same_document(const yaml_document_t *a, const yaml_document_t *b)
{
	assert_int_equal(a->nodes.top - a->nodes.start, b->nodes.top - b->nodes.start);
	for (const yaml_node_t *n = a->nodes.start, *m = b->nodes.start; n < a->nodes.top; n++, m++)
		assert_same_node(n, m);
	assert_int_equal(a->version_directive != NULL, b->version_directive != NULL);
	if (a->version_directive) {
		assert_int_equal(a->version_directive->major, b->version_directive->major);
		assert_int_equal(a->version_directive->minor, b->version_directive->minor);
	}
	assert_int_equal(a->tag_directives.end - a->tag_directives.start,
	                 b->tag_directives.end - b->tag_directives.start);
	for (const yaml_tag_directive_t *t = a->tag_directives.start, *u = b->tag_directives.start;
	     t < a->tag_directives.end; t++, u++) {
		assert_string_equal((const char *)t->handle, (const char *)u->handle);
		assert_string_equal((const char *)t->prefix, (const char *)u->prefix);
	}
	assert_int_equal(a->start_implicit, b->start_implicit);
	assert_int_equal(a->end_implicit, b->end_implicit);
	assert_same_mark(a->start_mark, b->start_mark);
	assert_same_mark(a->end_mark, b->end_mark);
}

/* Every document of text, loaded both ways, must be the same. */
static void assert_loads_like_libyaml(const char *text, size_t len)
{
	yaml_parser_t parser;
	struct safe_yaml r;
	struct safe_yaml_error e;
	size_t docs = 0;
	assert_int_equal(yaml_parser_initialize(&parser), 1);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	assert_int_equal(safe_yaml_open(&r, text, len, &e), 0);
	for (;;) {
		yaml_document_t want, got;
		assert_int_equal(yaml_parser_load(&parser, &want), 1);
		if (safe_yaml_next(&r, &got, &e) != 0)
			fail_msg("document %zu: %s at %zu:%zu", docs, e.msg, e.mark.line + 1,
			         e.mark.column + 1);
		assert_same_document(&got, &want);
		bool last = !yaml_document_get_root_node(&want);
		yaml_document_delete(&want);
		yaml_document_delete(&got);
		if (last)
			break;
		docs++;
	}
	safe_yaml_done(&r);
	yaml_parser_delete(&parser);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void documents_are_built_as_libyaml_builds_them(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"",
		"# only a comment\n",
		"---\n",
		"plain\n",
		"a: 1\nb: [x, 'y', \"z\\n\"]\nc: {d: e, f: [g]}\nh:\n  - |\n    literal\n  - >\n    folded\n"
		"  - \n",
		"%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\n!e!foo a: !!str 1\n! b: !local c\n"
		"d: !!seq [! x]\n",
		"base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: [*b, *b]\n&k key: &v v\nagain: *v\n",
		"? [a, b]\n: c\n? {d: e}\n: f\n",
		"a\n---\nb\n...\n--- c\n--- &r [1, 2]\n",
		"- \"\\0 nul\"\n- '\xc3\xa9'\n- {? complex : key}\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_loads_like_libyaml(texts[i], strlen(texts[i]));
	static const char *const files[] = {
		"../../examples/golden.yaml", "../fixtures/config_full.yaml",
		"../fixtures/llm_router_config.yaml", "../../themes/dark.yaml",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		char *text = read_all(files[i], &len);
		assert_loads_like_libyaml(text, len);
		free(text);
	}
}

/* ---- limits and alias rules ------------------------------------------------- */

/* text must be refused at line:col (1-based) with msg. */
static void expect_refused(const char *text, size_t line, size_t col, const char *msg)
{
	struct safe_yaml r;
	struct safe_yaml_error e;
	yaml_document_t doc;
	assert_int_equal(safe_yaml_open(&r, text, strlen(text), &e), 0);
	assert_int_equal(safe_yaml_next(&r, &doc, &e), -1);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.mark.line + 1, line);
	assert_int_equal(e.mark.column + 1, col);
	assert_null(yaml_document_get_root_node(&doc));
	safe_yaml_done(&r);
}

static void expect_loads(const char *text)
{
	struct safe_yaml r;
	struct safe_yaml_error e;
	yaml_document_t doc;
	assert_int_equal(safe_yaml_open(&r, text, strlen(text), &e), 0);
	if (safe_yaml_next(&r, &doc, &e) != 0)
		fail_msg("%s at %zu:%zu", e.msg, e.mark.line + 1, e.mark.column + 1);
	assert_non_null(yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	safe_yaml_done(&r);
}

/* prefix, n copies of unit, then suffix; caller frees. */
static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputs(prefix, f);
	for (size_t i = 0; i < n; i++)
		fputs(unit, f);
	fputs(suffix, f);
	fclose(f);
	return buf;
}

#define TOO_DEEP "more than 64 levels of nesting (counting what aliases repeat); flatten the data"

static void nesting_stops_at_64_levels(void **state)
{
	(void)state;
	char *ok = repeat("", "[", 64, "x");
	char *closed = repeat(ok, "]", 64, "\n");
	expect_loads(closed);
	free(closed);
	free(ok);
	char *deep = repeat("", "[", 65, "x\n");
	expect_refused(deep, 1, 65, TOO_DEEP);
	free(deep);
	/* The case: 100,000 open brackets take libyaml's scanner
	 * seconds; the reader stops at the 65th. */
	char *bomb = repeat("routing: ", "[", 100000, "\n");
	expect_refused(bomb, 1, 73, TOO_DEEP);
	free(bomb);
	char *block = repeat("", "- ", 65, "x\n");
	expect_refused(block, 1, 129, TOO_DEEP);
	free(block);
}

static void an_alias_counts_the_levels_it_repeats(void **state)
{
	(void)state;
	/* &a spans 40 levels; under the root mapping and 23 more it reaches
	 * 64, under 24 more 65. */
	char *open40 = repeat("a: &a ", "[", 40, "x");
	char *anchor = repeat(open40, "]", 40, "\nb: ");
	char *fits_open = repeat(anchor, "[", 23, "*a");
	char *fits = repeat(fits_open, "]", 23, "\n");
	expect_loads(fits);
	char *over_open = repeat(anchor, "[", 24, "*a");
	char *over = repeat(over_open, "]", 24, "\n");
	expect_refused(over, 2, 28, TOO_DEEP);
	free(over);
	free(over_open);
	free(fits);
	free(fits_open);
	free(anchor);
	free(open40);
}

static void aliases_stop_at_ten_thousand(void **state)
{
	(void)state;
	char *ok = repeat("- &a x\n", "- *a\n", 10000, "");
	expect_loads(ok);
	free(ok);
	char *over = repeat("- &a x\n", "- *a\n", 10001, "");
	expect_refused(over, 10002, 3, "more than 10000 aliases; write the values out instead");
	free(over);
}

#define TOO_MANY "aliases repeat more than 100000 nodes in all; write the values out instead of " \
	"nesting aliases"

static void repeated_nodes_stop_at_one_hundred_thousand(void **state)
{
	(void)state;
	/* &a is a list of 99 scalars: 100 nodes per alias. */
	char *items = repeat("a: &a [", "x, ", 98, "x]\nb: [");
	char *ok = repeat(items, "*a, ", 1000, "]\n");
	expect_loads(ok);
	char *over = repeat(items, "*a, ", 1001, "]\n");
	expect_refused(over, 2, 5 + 4 * 1000, TOO_MANY);
	free(over);
	free(ok);
	free(items);
}

static void the_billion_laughs_stop_at_the_budget(void **state)
{
	(void)state;
	/* Nine lists of nine: 9^9 scalars written out. b repeats 9 x 10
	 * nodes, c 9 x 91, d 9 x 820, e 9 x 7,381 (74,718 in all); f's first
	 * alias adds 66,430. */
	const char *bomb =
		"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	expect_refused(bomb, 6, 8, TOO_MANY);
}

static void an_alias_needs_an_earlier_anchor_it_is_not_inside(void **state)
{
	(void)state;
	expect_refused("a: *nowhere\n", 1, 4, "alias *nowhere names no anchor defined before it");
	expect_refused("a: *b\nb: &b 1\n", 1, 4, "alias *b names no anchor defined before it");
	expect_refused("a: &self [1, *self]\n", 1, 14, "alias *self is inside the node it names (a cycle)");
	expect_refused("a: &m {k: {l: *m}}\n", 1, 15, "alias *m is inside the node it names (a cycle)");
	expect_refused("a: &x 1\nb: [&x 2]\n", 2, 5,
	               "anchor &x is defined twice (first on line 1 column 4); rename one");
	/* Many anchors: each alias finds its own. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (int i = 0; i < 5000; i++)
		fprintf(f, "- &n%d %d\n", i, i);
	for (int i = 4999; i >= 0; i -= 7)
		fprintf(f, "- *n%d\n", i);
	fclose(f);
	struct safe_yaml r;
	struct safe_yaml_error e;
	yaml_document_t doc;
	assert_int_equal(safe_yaml_open(&r, buf, len, &e), 0);
	assert_int_equal(safe_yaml_next(&r, &doc, &e), 0);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	yaml_node_item_t *items = root->data.sequence.items.start;
	for (int k = 0, i = 4999; i >= 0; k++, i -= 7) {
		yaml_node_t *n = yaml_document_get_node(&doc, items[5000 + k]);
		assert_int_equal(atoi((const char *)n->data.scalar.value), i);
	}
	yaml_document_delete(&doc);
	safe_yaml_done(&r);
	free(buf);
}

static void syntax_errors_keep_libyamls_words_and_position(void **state)
{
	(void)state;
	expect_refused("a: [1, 2\n", 2, 1,
	               "invalid YAML: did not find expected ',' or ']' while parsing a flow sequence "
	               "(line 1 column 4)");
	expect_refused("a:\n\tb: 1\n", 2, 1,
	               "invalid YAML: found character that cannot start any token while scanning for "
	               "the next token (line 2 column 1); indent with spaces, YAML does not allow tabs "
	               "here");
	expect_refused("a: 1\nb: \"\xff\"\n", 2, 5, "invalid YAML: invalid leading UTF-8 octet");
}

static void later_documents_have_their_own_budget(void **state)
{
	(void)state;
	/* Each document repeats 60,000 nodes: together they would cross the
	 * limit. */
	char *one = repeat("a: &a [", "x, ", 98, "x]\nb: [");
	char *doc = repeat(one, "*a, ", 600, "]\n");
	char *stream = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&stream, &len);
	fprintf(f, "%s---\n%s", doc, doc);
	fclose(f);
	struct safe_yaml r;
	struct safe_yaml_error e;
	yaml_document_t d;
	assert_int_equal(safe_yaml_open(&r, stream, len, &e), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(safe_yaml_next(&r, &d, &e), 0);
		assert_non_null(yaml_document_get_root_node(&d));
		yaml_document_delete(&d);
	}
	assert_int_equal(safe_yaml_next(&r, &d, &e), 0);
	assert_null(yaml_document_get_root_node(&d));
	yaml_document_delete(&d);
	safe_yaml_done(&r);
	free(stream);
	free(doc);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documents_are_built_as_libyaml_builds_them),
		cmocka_unit_test(nesting_stops_at_64_levels),
		cmocka_unit_test(an_alias_counts_the_levels_it_repeats),
		cmocka_unit_test(aliases_stop_at_ten_thousand),
		cmocka_unit_test(repeated_nodes_stop_at_one_hundred_thousand),
		cmocka_unit_test(the_billion_laughs_stop_at_the_budget),
		cmocka_unit_test(an_alias_needs_an_earlier_anchor_it_is_not_inside),
		cmocka_unit_test(syntax_errors_keep_libyamls_words_and_position),
		cmocka_unit_test(later_documents_have_their_own_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
