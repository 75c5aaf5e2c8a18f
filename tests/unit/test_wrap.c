/* Unit tests for tui/ui/wrap: display-width wrapping and light Markdown, as
 * text dumps; streaming equivalence and its cost. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/clock.h"
#include "core/util/grapheme.h"
#include "core/util/utf8.h"
#include "tui/ui/wrap.h"

static char *dump(const char *text, int width)
{
	struct wrap *w = wrap_new();
	struct strbuf sb = STRBUF_INIT;
	wrap_layout(w, text, strlen(text), width);
	wrap_dump(w, text, &sb);
	wrap_free(&w);
	assert_null(w);
	return sb_detach(&sb, NULL);
}

static void expect(const char *text, int width, const char *want)
{
	char *got = dump(text, width);
	assert_string_equal(got, want);
	free(got);
}

static void text_wraps_at_spaces_by_width(void **state)
{
	(void)state;
	expect("the quick brown fox jumps over the lazy dog", 16,
	       "the quick brown\n"
	       "fox jumps over\n"
	       "the lazy dog\n");
	expect("exactly ten", 11, "exactly ten\n");
	expect("two  spaces   between", 7, "two\nspaces\nbetween\n");
}

static void word_longer_than_width_is_broken(void **state)
{
	(void)state;
	expect("abcdefghijkl mn o", 5, "abcde\nfghij\nkl mn\no\n");
	expect("ab", 1, "a\nb\n");
	expect("ab", 0, "a\nb\n");
}

static void wide_characters_take_two_columns(void **state)
{
	(void)state;
	/* 日本語のテキスト: 8 characters, 16 columns */
	expect("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad"
	       "\xe3\x82\xb9\xe3\x83\x88", 7,
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n"
	       "\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\n"
	       "\xe3\x82\xb9\xe3\x83\x88\n");
	/* three emoji at width 5: two fit (4 columns), the third does not */
	expect("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 5,
	       "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\n\xf0\x9f\x98\x80\n");
	/* a wide character wider than the whole width gets a row alone */
	expect("a\xe6\x97\xa5", 1, "a\n\xe6\x97\xa5\n");
}

#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" \
               "\xe2\x80\x8d\xf0\x9f\x91\xa6"
#define TECHNOLOGIST "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb"

/* Rows of text laid out at width: how many, each within the width. */
static size_t rows_within(const char *text, int width)
{
	struct wrap *w = wrap_new();
	wrap_layout(w, text, strlen(text), width);
	size_t n = wrap_row_count(w);
	for (size_t i = 0; i < n; i++)
		if (wrap_row(w, i)->cols > (unsigned)width)
			fail_msg("width %d: row %zu takes %u columns", width, i, wrap_row(w, i)->cols);
	wrap_free(&w);
	return n;
}

/* A ZWJ family is 8 columns where terminals draw it member by member (the
 * default), 2 where they draw it whole; twelve of them, the question of
 * the bug report, must not be laid out as 24 columns. */
static void emoji_sequences_take_the_columns_terminals_draw(void **state)
{
	(void)state;
	char families[12 * sizeof FAMILY] = "", techs[12 * sizeof TECHNOLOGIST] = "";
	for (int i = 0; i < 12; i++) {
		strcat(families, FAMILY);
		strcat(techs, TECHNOLOGIST);
	}
	assert_int_equal(rows_within(families, 70), 2);
	assert_int_equal(rows_within(families, 20), 6);
	assert_int_equal(rows_within(families, 8), 12);
	assert_int_equal(rows_within(techs, 20), 3);
	grapheme_set_mode(GRAPHEME_CLUSTER);
	assert_int_equal(rows_within(techs, 20), 2);
	assert_int_equal(rows_within(families, 20), 6);
	grapheme_set_mode(GRAPHEME_PER_CODEPOINT);
	/* flags, skin tones, keycaps, combining marks, CJK, Hebrew, Arabic */
	const char *mixed = "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7 \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd 1\xef\xb8\x8f\xe2\x83\xa3 "
	                    "e\xcc\x81 \xe4\xb8\xad\xe6\x96\x87 \xd7\xa9\xd6\xb8\xd7\x9c\xd7\x95\xd7\x9d "
	                    "\xd8\xb3\xd9\x8e\xd9\x84\xd8\xa7\xd9\x85 " FAMILY " " TECHNOLOGIST;
	for (int width = 8; width <= 50; width++)
		assert_true(rows_within(mixed, width) >= 1);
}

static void combining_marks_stay_with_their_base(void **state)
{
	(void)state;
	const char *e = "e\xcc\x81";   /* e + COMBINING ACUTE: one column */
	char text[64] = "";
	for (int i = 0; i < 6; i++)
		strcat(text, e);
	struct wrap *w = wrap_new();
	wrap_layout(w, text, strlen(text), 4);
	assert_int_equal(wrap_row_count(w), 2);
	size_t n;
	const struct wrap_run *r = wrap_row_runs(w, 0, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].len, 12);
	assert_int_equal(r[0].cols, 4);
	r = wrap_row_runs(w, 1, &n);
	assert_int_equal(r[0].off, 12);
	assert_int_equal(r[0].len, 6);
	assert_int_equal(r[0].cols, 2);
	wrap_free(&w);
	/* woman + ZWJ + laptop is one glyph: never split after the joiner */
	expect("a\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 2,
	       "a\n\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\n");
}

static char *dump_plain(const char *text, int width)
{
	struct wrap *w = wrap_new();
	struct strbuf sb = STRBUF_INIT;
	wrap_set_markdown(w, false);
	wrap_layout(w, text, strlen(text), width);
	wrap_dump(w, text, &sb);
	wrap_free(&w);
	return sb_detach(&sb, NULL);
}

static void expect_plain(const char *text, int width, const char *want)
{
	char *got = dump_plain(text, width);
	assert_string_equal(got, want);
	free(got);
}

static void headings_hide_their_hashes(void **state)
{
	(void)state;
	expect("# Title\n### Third level  \n#hashtag\n####### seven\n", 40,
	       "{H:Title}\n"
	       "\n"
	       "{H:Third level}\n"
	       "\n"
	       "#hashtag\n"
	       "####### seven\n");
	expect("## A long heading that wraps", 12, "{H:A long}\n{H:heading that}\n{H:wraps}\n");
	expect("# Use `x` [2]", 40, "{H:Use }{C:x}{H: }{R2:[2]}\n");
}

static void emphasis_and_strong_hide_markers(void **state)
{
	(void)state;
	expect("a *em* b _em_ c **st** d __st__ e ~~gone~~", 80,
	       "a {E:em} b {E:em} c {S:st} d {S:st} e {X:gone}\n");
	expect("snake_case_name and 5 * 3 * 2 and *open", 80,
	       "snake_case_name and 5 * 3 * 2 and *open\n");
	expect("**bold *both* bold**", 80, "{S:bold }{S:both}{S: bold}\n");
	expect("\\*not em\\* and \\[1]", 80, "*not em* and [1]\n");
	expect("a &amp; b &#x41; &copy; &#27; &bogus;", 80, "a & b A \xc2\xa9 &#27; &bogus;\n");
}

static void inline_code_is_literal(void **state)
{
	(void)state;
	expect("run `a*b*c [1]` now and ` alone", 80, "run {C:a*b*c [1]} now and ` alone\n");
}

static void citations_are_runs_with_positions(void **state)
{
	(void)state;
	const char *text = "Restart the agent [1] then check logs [12][3].\n[1234567] [a] [] [7";
	struct wrap *w = wrap_new();
	struct strbuf sb = STRBUF_INIT;
	wrap_layout(w, text, strlen(text), 24);
	wrap_dump(w, text, &sb);
	assert_string_equal(sb_str(&sb),
	                    "Restart the agent {R1:[1]}\n"
	                    "then check logs {R12:[12]}{R3:[3]}.\n"
	                    "[1234567] [a] [] [7\n");
	size_t n;
	const struct wrap_cite *c = wrap_cites(w, &n);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].n, 1);
	assert_int_equal(c[0].row, 0);
	assert_int_equal(c[0].col, 18);
	assert_int_equal(c[1].n, 12);
	assert_int_equal(c[1].row, 1);
	assert_int_equal(c[1].col, 16);
	assert_int_equal(c[2].n, 3);
	assert_int_equal(c[2].col, 20);
	size_t nr;
	const struct wrap_run *r = wrap_row_runs(w, 1, &nr);
	assert_int_equal(nr, 4);
	assert_int_equal(r[1].style, WRAP_CITATION);
	assert_int_equal(r[1].cite, 12);
	assert_int_equal(r[1].cols, 4);
	sb_free(&sb);
	wrap_free(&w);
}

static void links_show_text_and_url(void **state)
{
	(void)state;
	expect("see [the docs](https://x.test/a) or [x](y", 80,
	       "see {K:the docs}{U: }{U:https://x.test/a} or [x](y\n");
	expect("go to https://x.test/b or <https://x.test/c> now", 80,
	       "go to https://x.test/b or {K:https://x.test/c} now\n");
	expect("![a diagram](d.png)", 80, "{K:[image: }{K:a diagram}{K:]}\n");
}

static void fenced_code_is_cut_not_wrapped(void **state)
{
	(void)state;
	expect("```c\nint main(void) { return 0; }\n\tx;\n\n```\nafter *it*", 12,
	       "{F:╭}{F:─}{F: }{G:c}{F: }{F:───────}\n"
	       "{F:│ }{Bt:int}{B: }{Bf:main}{B:(}\\\n"
	       "{F:│ }{Bt:void}{B:) { }{Bk:r}\\\n"
	       "{F:│ }{Bk:eturn}{B: }{Bn:0}{B:; }}\n"
	       "{F:│ }{B:    }{B:x;}\n"
	       "{F:│ }\n"
	       "{F:╰}{F:───────────}\n"
	       "after {E:it}\n");
	/* a ~~~ block is closed only by ~~~; an unclosed block runs to the end */
	expect("~~~\n```\n*a*\n~~~~\n*b*\n````\n# not a heading", 20,
	       "{F:╭}{F:─}{F:──────────────────}\n"
	       "{F:│ }{B:```}\n"
	       "{F:│ }{B:*a*}\n"
	       "{F:╰}{F:───────────────────}\n"
	       "{E:b}\n"
	       "{F:╭}{F:─}{F:──────────────────}\n"
	       "{F:│ }{B:# not a heading}\n");
	/* highlighting carries a block comment from line to line; an unknown
	 * language is not highlighted */
	expect("```c\n/* a\nb */ int x;\n```\n\n```klingon\nint x;\n```", 20,
	       "{F:╭}{F:─}{F: }{G:c}{F: }{F:───────────────}\n"
	       "{F:│ }{Bc:/* a}\n"
	       "{F:│ }{Bc:b */}{B: }{Bt:int}{B: x;}\n"
	       "{F:╰}{F:───────────────────}\n"
	       "\n"
	       "{F:╭}{F:─}{F: }{G:klingon}{F: }{F:─────────}\n"
	       "{F:│ }{B:int x;}\n"
	       "{F:╰}{F:───────────────────}\n");
	/* indented code, and code inside a list item under its text */
	expect("    make all\n\n1. run:\n\n   ```sh\n   ls\n   ```", 16,
	       "{F:╭}{F:─}{F:──────────────}\n"
	       "{F:│ }{B:make all}\n"
	       "{F:╰}{F:───────────────}\n"
	       "\n"
	       "{L:1. }run:\n"
	       "\n"
	       "   {F:╭}{F:─}{F: }{G:sh}{F: }{F:───────}\n"
	       "   {F:│ }{Bf:ls}\n"
	       "   {F:╰}{F:────────────}\n");
	size_t n;
	struct wrap *w = wrap_new();
	const char *text = "```\nabcdefgh\n```";
	wrap_layout(w, text, strlen(text), 5);
	assert_int_equal(wrap_row_count(w), 6);
	assert_int_equal(wrap_row(w, 1)->flags, WRAP_ROW_BROKEN);
	assert_int_equal(wrap_row(w, 1)->cols, 4);
	assert_int_equal(wrap_row(w, 4)->flags, 0);
	const struct wrap_run *r = wrap_row_runs(w, 4, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].off, 10);
	assert_int_equal(r[1].len, 2);
	wrap_free(&w);
}

/* What c copies: the code without borders, cut rows joined again. */
static void code_blocks_give_back_their_text(void **state)
{
	(void)state;
	const char *text = "intro\n\n```sh\nsystemctl restart nginx\n\necho \"done\"\n```\n\n- x\n\n  ```\n  two\n  ```\n";
	struct wrap *w = wrap_new();
	struct strbuf sb = STRBUF_INIT;
	wrap_layout(w, text, strlen(text), 12);
	size_t n;
	const struct wrap_block *b = wrap_code_blocks(w, &n);
	assert_int_equal(n, 2);
	assert_true(b[0].closed);
	assert_int_equal(b[0].first_row, 2);
	wrap_code_text(w, text, 0, &sb);
	assert_string_equal(sb_str(&sb), "systemctl restart nginx\n\necho \"done\"\n");
	sb_reset(&sb);
	wrap_code_text(w, text, 1, &sb);
	assert_string_equal(sb_str(&sb), "two\n");
	/* while it streams, the block is open and holds what came so far */
	wrap_layout(w, text, 30, 12);
	b = wrap_code_blocks(w, &n);
	assert_int_equal(n, 1);
	assert_false(b[0].closed);
	sb_reset(&sb);
	wrap_code_text(w, text, 0, &sb);
	assert_string_equal(sb_str(&sb), "systemctl restart\n");
	sb_free(&sb);
	wrap_free(&w);
}

/* Terminal escapes are gone before layout (the caller sanitizes); what a
 * code block shows of them is the placeholder, never the bytes. */
static void hostile_escapes_in_code_stay_inert(void **state)
{
	(void)state;
	const char raw[] = "```\n\x1b]52;c;aGk=\x07\x1b[2J\x9b" "31m red\n```";
	size_t len;
	char *clean = utf8_sanitize(raw, sizeof raw - 1, &len);
	struct wrap *w = wrap_new();
	wrap_layout(w, clean, len, 40);
	for (size_t i = 0; i < wrap_row_count(w); i++) {
		size_t n;
		const struct wrap_run *r = wrap_row_runs(w, i, &n);
		for (size_t k = 0; k < n; k++) {
			const char *bytes = wrap_run_text(w, clean, &r[k]);
			for (size_t j = 0; j < r[k].len; j++)
				assert_true((unsigned char)bytes[j] >= 0x20 || bytes[j] == '\t');
		}
	}
	wrap_free(&w);
	free(clean);
}

static void list_items_hang_under_their_text(void **state)
{
	(void)state;
	expect("- first item that wraps here\n  * nested item wraps too\n12. numbered\n3) paren",
	       16,
	       "{L:• }first item\n"
	       "  that wraps\n"
	       "  here\n"
	       "  {L:◦ }nested item\n"
	       "    wraps too\n"
	       "\n"
	       "{L:12. }numbered\n"
	       "\n"
	       "{L:3) }paren\n");
	expect("1. one\n2. two\n   - a\n     1. deep\n3. three\n- [ ] task\n- [x] done", 40,
	       "{L:1. }one\n"
	       "{L:2. }two\n"
	       "   {L:◦ }a\n"
	       "     {L:1. }deep\n"
	       "{L:3. }three\n"
	       "\n"
	       "{L:• [ ] }task\n"
	       "{L:• [x] }done\n");
	expect("*not a list* and -not", 40, "{E:not a list} and -not\n");
	struct wrap *w = wrap_new();
	const char *text = "  - aa bb cc";
	wrap_layout(w, text, strlen(text), 9);
	assert_int_equal(wrap_row_count(w), 2);
	assert_int_equal(wrap_row(w, 0)->indent, 0);
	assert_int_equal(wrap_row(w, 0)->cols, 7);
	assert_int_equal(wrap_row(w, 1)->indent, 2);
	assert_int_equal(wrap_row(w, 1)->cols, 4);
	wrap_free(&w);
}

static void quotes_and_rules(void **state)
{
	(void)state;
	expect("> quoted text that wraps\n> > nested\n\n---\nafter", 14,
	       "{Q:│ }quoted text\n"
	       "{Q:│ }that wraps\n"
	       "{Q:│}\n"
	       "{Q:│ }{Q:│ }nested\n"
	       "\n"
	       "{D:──────────────}\n"
	       "\n"
	       "after\n");
}

static void tables_align_in_columns(void **state)
{
	(void)state;
	const char *table = "| key | value | n |\n|:---|:---:|---:|\n| a | b [2] | 1 |\n| long key | x | 22 |";
	expect(table, 40,
	       "{D:┌──────────┬───────┬────┐}\n"
	       "{D:│} {T:key}      {D:│} {T:value} {D:│}  {T:n} {D:│}\n"
	       "{D:├──────────┼───────┼────┤}\n"
	       "{D:│} a        {D:│} b {R2:[2]} {D:│}  1 {D:│}\n"
	       "{D:│} long key {D:│}   x   {D:│} 22 {D:│}\n"
	       "{D:└──────────┴───────┴────┘}\n");
	/* narrower than the table: the widest column wraps its cells */
	expect("| id | what |\n|---|---|\n| 1 | restart the agent and wait |", 24,
	       "{D:┌────┬─────────────────┐}\n"
	       "{D:│} {T:id} {D:│} {T:what}            {D:│}\n"
	       "{D:├────┼─────────────────┤}\n"
	       "{D:│} 1  {D:│} restart the     {D:│}\n"
	       "{D:│}    {D:│} agent and wait  {D:│}\n"
	       "{D:└────┴─────────────────┘}\n");
	/* no room for every column: one "header: value" line per cell */
	expect("| a | b | c | d |\n|---|---|---|---|\n| 1 | 2 | 3 | 4 |\n| 5 | 6 | 7 | 8 |", 12,
	       "{T:a}{T:: }1\n{T:b}{T:: }2\n{T:c}{T:: }3\n{T:d}{T:: }4\n"
	       "\n"
	       "{T:a}{T:: }5\n{T:b}{T:: }6\n{T:c}{T:: }7\n{T:d}{T:: }8\n");
	/* wide characters and emoji count by the columns they take */
	expect("| \xe6\x97\xa5\xe6\x9c\xac | x |\n|---|---|\n| \xf0\x9f\x98\x80 | y |", 40,
	       "{D:┌──────┬───┐}\n"
	       "{D:│} {T:\xe6\x97\xa5\xe6\x9c\xac} {D:│} {T:x} {D:│}\n"
	       "{D:├──────┼───┤}\n"
	       "{D:│} \xf0\x9f\x98\x80   {D:│} y {D:│}\n"
	       "{D:└──────┴───┘}\n");
	/* a citation in a cell is found where it is drawn */
	struct wrap *w = wrap_new();
	wrap_layout(w, table, strlen(table), 40);
	size_t n;
	const struct wrap_cite *c = wrap_cites(w, &n);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].n, 2);
	assert_int_equal(c[0].row, 3);
	assert_int_equal(c[0].col, 15);
	wrap_free(&w);
}

static void plain_text_keeps_every_line(void **state)
{
	(void)state;
	expect_plain("a\n\n   \nb\n", 10, "a\n\n\nb\n");
	expect_plain("    indented text wraps", 12, "    indented\n    text\n    wraps\n");
	expect_plain("", 10, "");
	expect_plain("\ttab\tstop\nx\ty", 20, "    tab stop\nx   y\n");
	expect_plain("# not *markdown* [1]\n- x", 40, "# not *markdown* [1]\n- x\n");
}

static void dump_text(struct wrap *w, const char *text, struct strbuf *sb)
{
	sb_reset(sb);
	wrap_dump(w, text, sb);
	size_t n;
	const struct wrap_cite *c = wrap_cites(w, &n);
	for (size_t i = 0; i < n; i++)
		sb_printf(sb, "cite %d %zu:%u\n", c[i].n, c[i].row, c[i].col);
}

static const char sample[] =
	"# Restarting the agent\n"
	"\n"
	"To restart, run the **restart** command [1] and wait for `ready` in the log.\n"
	"- check the *service* status [2]\n"
	"- if it fails, read the \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e notes [3]\n"
	"```sh\n"
	"systemctl restart ragdeck-agent.service && journalctl -u ragdeck-agent -f\n"
	"```\n"
	"Done caf\xc3\xa9 e\xcc\x81 \xf0\x9f\x98\x80 [4].\n"
	"\n"
	"| step | command |\n"
	"|---|:---:|\n"
	"| 1 | `stop` [5] |\n"
	"| 2 | start the \xe6\x97\xa5 agent |\n"
	"\n"
	"See [the guide](https://x.test/guide) and [the FAQ](faq.md \"FAQ\").\n"
	"\n"
	"> quoted [6]\n"
	"> 1. in a quote\n"
	"\n"
	"1. loose\n"
	"\n"
	"   more text\n"
	"2. item\n"
	"   ```\n"
	"   nested\n"
	"   ```\n"
	"\n"
	"```py\n"
	"print('unclosed')\n";

/* Streaming: laying out every prefix in turn gives exactly what laying out
 * that prefix from scratch gives. */
static void streaming_matches_fresh_layout_for_every_prefix(void **state)
{
	(void)state;
	struct wrap *inc = wrap_new(), *fresh = wrap_new();
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t len = strlen(sample);
	for (int width = 7; width <= 40; width += 11) {
		for (size_t n = 0; n <= len; n++) {
			if (n < len && (sample[n] & 0xC0) == 0x80)
				continue;
			wrap_layout(inc, sample, n, width);
			struct wrap *f = wrap_new();
			wrap_layout(f, sample, n, width);
			dump_text(inc, sample, &a);
			dump_text(f, sample, &b);
			assert_string_equal(sb_str(&a), sb_str(&b));
			wrap_free(&f);
		}
	}
	/* a width change and an edited prefix both start over */
	wrap_layout(inc, sample, len, 30);
	wrap_layout(fresh, sample, len, 30);
	dump_text(inc, sample, &a);
	dump_text(fresh, sample, &b);
	assert_string_equal(sb_str(&a), sb_str(&b));
	char *edited = strdup(sample);
	edited[3] = 'X';
	wrap_layout(inc, edited, len, 30);
	dump_text(inc, edited, &a);
	assert_non_null(strstr(sb_str(&a), "{H:RXstarting the agent}"));
	free(edited);
	sb_free(&a);
	sb_free(&b);
	wrap_free(&inc);
	wrap_free(&fresh);
}

/* What fuzz_markdown found: a line that starts like a fence may turn out to
 * be text ("```" growing an info string with a backtick), so it ends a block
 * only once it is whole; and a bare URL at the very end of a block, which
 * md4c's permissive autolinks read past, is plain text. */
static void streaming_waits_for_whole_fence_lines(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"- item\n    in``py\n````````\xef\xbf\xbd```abs\nmore",
		"---\n&amp; ![i](x.png) [t](http://u",
		"text\n```\ncode\n``` not a close\n```\nafter",
	};
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		const char *text = texts[t];
		size_t len = strlen(text);
		struct wrap *inc = wrap_new(), *whole = wrap_new();
		for (size_t n = 0; n <= len; n++)
			if (n == len || (text[n] & 0xC0) != 0x80)
				wrap_layout(inc, text, n, 15);
		wrap_layout(whole, text, len, 15);
		dump_text(inc, text, &a);
		dump_text(whole, text, &b);
		assert_string_equal(sb_str(&a), sb_str(&b));
		wrap_free(&inc);
		wrap_free(&whole);
	}
	sb_free(&a);
	sb_free(&b);
}

/* Every row fits the width, runs start and end on character boundaries and
 * their columns add up, at every width from 1 to 50. */
static void rows_fit_and_runs_are_whole_characters(void **state)
{
	(void)state;
	struct wrap *w = wrap_new();
	size_t len = strlen(sample);
	for (int width = 1; width <= 50; width++) {
		wrap_layout(w, sample, len, width);
		for (size_t i = 0; i < wrap_row_count(w); i++) {
			const struct wrap_row *row = wrap_row(w, i);
			size_t n;
			const struct wrap_run *r = wrap_row_runs(w, i, &n);
			unsigned cols = row->indent;
			for (size_t k = 0; k < n; k++) {
				const char *bytes = wrap_run_text(w, sample, &r[k]);
				assert_true(r[k].len > 0);
				assert_true(utf8_valid(bytes, r[k].len));
				if (bytes[0] != '\t')
					assert_int_equal(r[k].cols, grapheme_width(bytes, r[k].len));
				cols += r[k].cols;
			}
			assert_int_equal(cols, row->cols);
			if (width > 1 && row->cols > (unsigned)width)
				fail_msg("width %d row %zu has %u columns", width, i, row->cols);
		}
	}
	wrap_free(&w);
}

/* An answer of size bytes streamed at 4 bytes per token (20,000 tokens for
 * 80 KB), laid out after every token as the chat pane does: the bytes laid
 * out again grow with the answer, not with its square (counted, so the test
 * does not depend on the machine's speed); times are printed. */
static void stream_answer(size_t size)
{
	struct strbuf doc = STRBUF_INIT;
	while (doc.len < size) {
		sb_puts(&doc, sample);
		sb_puts(&doc, "```\n\n");
	}
	struct wrap *w = wrap_new();
	size_t calls = 0;
	uint64_t worst = 0, t0 = clock_now_ns();
	for (size_t n = 4; n < doc.len; n += 4) {
		n = utf8_floor_boundary(doc.buf, doc.len, n);
		uint64_t s = clock_now_ns();
		wrap_layout(w, doc.buf, n, 72);
		uint64_t d = clock_now_ns() - s;
		worst = d > worst ? d : worst;
		calls++;
	}
	double mean_us = (double)(clock_now_ns() - t0) / (double)calls / 1000.0;
	struct wrap *f = wrap_new();
	uint64_t s = clock_now_ns();
	wrap_layout(f, doc.buf, doc.len, 72);
	double full_us = (double)(clock_now_ns() - s) / 1000.0;
	print_message("wrap: %zu bytes, %zu streamed layouts: mean %.2f us, worst %.1f us; "
	              "full layout %.1f us, %zu rows; %zu bytes laid out (%.1fx the answer)\n",
	              doc.len, calls, mean_us, (double)worst / 1000.0, full_us, wrap_row_count(f),
	              wrap_work(w), (double)wrap_work(w) / (double)doc.len);
	/* each token re-lays at most the block it ends: one sample block */
	assert_true(wrap_work(w) < 64 * doc.len);
	assert_int_equal(wrap_work(f), doc.len);
	wrap_free(&f);
	wrap_free(&w);
	sb_free(&doc);
}

static void streaming_a_10kb_answer_is_cheap_per_token(void **state)
{
	(void)state;
	stream_answer(10 * 1024);
}

static void streaming_20000_tokens_stays_linear(void **state)
{
	(void)state;
	stream_answer(80 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_wraps_at_spaces_by_width),
		cmocka_unit_test(word_longer_than_width_is_broken),
		cmocka_unit_test(wide_characters_take_two_columns),
		cmocka_unit_test(emoji_sequences_take_the_columns_terminals_draw),
		cmocka_unit_test(combining_marks_stay_with_their_base),
		cmocka_unit_test(headings_hide_their_hashes),
		cmocka_unit_test(emphasis_and_strong_hide_markers),
		cmocka_unit_test(inline_code_is_literal),
		cmocka_unit_test(citations_are_runs_with_positions),
		cmocka_unit_test(links_show_text_and_url),
		cmocka_unit_test(fenced_code_is_cut_not_wrapped),
		cmocka_unit_test(code_blocks_give_back_their_text),
		cmocka_unit_test(hostile_escapes_in_code_stay_inert),
		cmocka_unit_test(list_items_hang_under_their_text),
		cmocka_unit_test(quotes_and_rules),
		cmocka_unit_test(tables_align_in_columns),
		cmocka_unit_test(plain_text_keeps_every_line),
		cmocka_unit_test(streaming_matches_fresh_layout_for_every_prefix),
		cmocka_unit_test(streaming_waits_for_whole_fence_lines),
		cmocka_unit_test(rows_fit_and_runs_are_whole_characters),
		cmocka_unit_test(streaming_a_10kb_answer_is_cheap_per_token),
		cmocka_unit_test(streaming_20000_tokens_stays_linear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
