/* Unit tests for core/ingest/chunk: sections, block splitting, overlap, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/chunk.h"
#include "core/util/tokens.h"
#include "core/util/strbuf.h"

enum { PLAIN, MARKDOWN, CODE };

static struct chunk_list run(const char *text, int target, int overlap, int mode)
{
	struct chunk_opts o = {
		.target_tokens = target,
		.overlap_tokens = overlap,
		.markdown = mode == MARKDOWN,
		.code = mode == CODE,
	};
	struct chunk_list l = { 0 };
	char err[256] = "";
	int rc = chunk_text(text, strlen(text), &o, &l, err, sizeof err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	return l;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int count_lines_before(const char *t, size_t pos)
{
	int n = 1;
	for (size_t i = 0; i < pos; i++)
		n += t[i] == '\n';
	return n;
}

static int chunk_tokens(const char *t, const struct chunk *c)
{
	return tokens_estimate(t + c->byte_start, c->byte_end - c->byte_start);
}

static bool starts_with(const char *t, const struct chunk *c, const char *prefix)
{
	size_t n = strlen(prefix);
	return c->byte_end - c->byte_start >= n && memcmp(t + c->byte_start, prefix, n) == 0;
}

static bool ends_with(const char *t, const struct chunk *c, const char *suffix)
{
	size_t n = strlen(suffix);
	return c->byte_end - c->byte_start >= n && memcmp(t + c->byte_end - n, suffix, n) == 0;
}

/* What every chunk list must satisfy, whatever the input. */
static void check_invariants(const char *t, const struct chunk_list *l)
{
	size_t len = strlen(t);
	char *covered = calloc(len + 1, 1);
	assert_non_null(covered);
	for (size_t i = 0; i < l->n; i++) {
		const struct chunk *c = &l->items[i];
		assert_true(c->byte_start < c->byte_end);
		assert_true(c->byte_end <= len);
		assert_false(is_space(t[c->byte_start]));
		assert_false(is_space(t[c->byte_end - 1]));
		assert_true(((unsigned char)t[c->byte_start] & 0xc0) != 0x80);
		assert_true(((unsigned char)t[c->byte_end] & 0xc0) != 0x80);
		assert_int_equal(c->tokens, chunk_tokens(t, c));
		assert_int_equal(c->line_start, count_lines_before(t, c->byte_start));
		assert_int_equal(c->line_end, count_lines_before(t, c->byte_end - 1));
		assert_non_null(c->heading_path);
		if (i > 0) {
			assert_true(c->byte_start > l->items[i - 1].byte_start);
			assert_true(c->byte_end > l->items[i - 1].byte_end);
		}
		memset(covered + c->byte_start, 1, c->byte_end - c->byte_start);
	}
	for (size_t i = 0; i < len; i++)
		if (!is_space(t[i]))
			assert_true(covered[i]);
	free(covered);
}

/* Deterministic generated prose: sentences of 5 to 14 words. */
static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static const char *const words[] = {
	"sync", "folder", "the", "token", "expires", "after", "rotation", "admin", "console",
	"upload", "retry", "limit", "per", "minute", "region", "invoice", "customer", "support",
	"configuration", "encryption", "a", "to", "of", "webhook", "signature", "version",
};

static void sentence(struct strbuf *sb, unsigned *seed, bool stop)
{
	int n = 5 + (int)(rnd(seed) % 10);
	for (int i = 0; i < n; i++) {
		const char *w = words[rnd(seed) % (sizeof words / sizeof *words)];
		if (i == 0)
			sb_printf(sb, "%c%s", w[0] - 'a' + 'A', w + 1);
		else
			sb_printf(sb, " %s", w);
	}
	sb_puts(sb, stop ? ". " : " ");
}

static void options_out_of_range_are_rejected_with_a_message(void **state)
{
	(void)state;
	struct chunk_list l = { 0 };
	char err[256] = "";
	struct chunk_opts zero = { .target_tokens = 0 };
	assert_int_equal(chunk_text("text", 4, &zero, &l, err, sizeof err), -1);
	assert_non_null(strstr(err, "ingest.chunk_tokens"));
	struct chunk_opts negative = { .target_tokens = 100, .overlap_tokens = -1 };
	err[0] = '\0';
	assert_int_equal(chunk_text("text", 4, &negative, &l, err, sizeof err), -1);
	assert_non_null(strstr(err, "ingest.overlap_tokens"));
	struct chunk_opts ok = { .target_tokens = 100 };
	assert_int_equal(chunk_text(NULL, 4, &ok, &l, err, sizeof err), -1);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
}

static void empty_and_blank_text_give_no_chunks(void **state)
{
	(void)state;
	struct chunk_opts o = { .target_tokens = 100, .markdown = true };
	struct chunk_list l = { 0 };
	char err[64];
	assert_int_equal(chunk_text(NULL, 0, &o, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 0);
	l = run(" \n\t\n\r\n   ", 100, 10, MARKDOWN);
	assert_int_equal(l.n, 0);
	chunk_list_free(&l);
}

static void small_text_is_one_trimmed_chunk_with_exact_lines(void **state)
{
	(void)state;
	const char *t = "\n\n  Hello world.\nSecond line here.  \n\n";
	struct chunk_list l = run(t, 100, 10, PLAIN);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].byte_start, 4);
	assert_int_equal(l.items[0].byte_end, 34);
	assert_int_equal(l.items[0].line_start, 3);
	assert_int_equal(l.items[0].line_end, 4);
	assert_string_equal(l.items[0].heading_path, "");
	/* Hello 1, world 1, . 1, Second 1, line 1, here 1, . 1 */
	assert_int_equal(l.items[0].tokens, 7);
	chunk_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
}

static void headings_give_exact_paths_and_open_their_chunks(void **state)
{
	(void)state;
	const char *t = "Preface text.\n\n"
	                "# Install\nIntro to installing.\n\n"
	                "## Linux\nUse the package.\n\n"
	                "### Proxy ###\nSet HTTPS_PROXY first.\n\n"
	                "## macOS\nDrag the app.\n\n"
	                "# FAQ\r\nAsk us.\r\n";
	struct chunk_list l = run(t, 100, 10, MARKDOWN);
	const char *paths[] = { "", "Install", "Install > Linux", "Install > Linux > Proxy",
		                "Install > macOS", "FAQ" };
	const char *heads[] = { "Preface", "# Install\n", "## Linux\n", "### Proxy ###\n",
		                "## macOS\n", "# FAQ\r\n" };
	assert_int_equal(l.n, 6);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.items[i].heading_path, paths[i]);
		assert_true(starts_with(t, &l.items[i], heads[i]));
	}
	assert_true(ends_with(t, &l.items[3], "Set HTTPS_PROXY first."));
	assert_int_equal(l.items[3].line_start, 9);
	assert_int_equal(l.items[3].line_end, 10);
	check_invariants(t, &l);
	chunk_list_free(&l);
}

static void skipped_levels_and_heading_only_sections(void **state)
{
	(void)state;
	const char *t = "# Guide\n### Deep\nBody one.\n## Mid\nBody two.\n#NotAHeading here\n";
	struct chunk_list l = run(t, 100, 0, MARKDOWN);
	/* "# Guide" alone is no chunk: it opens the first chunk under it */
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].heading_path, "Guide > Deep");
	assert_true(starts_with(t, &l.items[0], "# Guide\n### Deep\nBody one."));
	assert_int_equal(l.items[0].line_start, 1);
	assert_string_equal(l.items[1].heading_path, "Guide > Mid");
	assert_true(ends_with(t, &l.items[1], "#NotAHeading here"));
	check_invariants(t, &l);
	chunk_list_free(&l);
}

static struct chunk_list run_min(const char *text, int target, int min_tokens)
{
	struct chunk_opts o = { .target_tokens = target, .markdown = true, .min_tokens = min_tokens };
	struct chunk_list l = { 0 };
	char err[256] = "";
	assert_int_equal(chunk_text(text, strlen(text), &o, &l, err, sizeof err), 0);
	return l;
}

static void small_sections_join_the_next_under_their_common_path(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 3;
	sb_puts(&sb, "# FAQ\n\n*Last reviewed: 2026-04-21.*\n\n## Files\n\n### Upload limits\n\n");
	for (int i = 0; i < 6; i++)
		sentence(&sb, &seed, true);
	sb_puts(&sb, "\n\n## Languages\n\nEnglish and German.\n\n## Contact\n\n");
	for (int i = 0; i < 6; i++)
		sentence(&sb, &seed, true);
	sb_puts(&sb, "\n\n## Last\n\nShort tail.\n");
	const char *t = sb_str(&sb);
	struct chunk_list l = run_min(t, 200, 24);
	assert_int_equal(l.n, 3);
	/* title and date, then a heading-only section, open the first real one */
	assert_true(starts_with(t, &l.items[0], "# FAQ\n\n*Last reviewed"));
	assert_string_equal(l.items[0].heading_path, "FAQ");
	assert_true(strstr(t + l.items[0].byte_start, "### Upload limits") < t + l.items[0].byte_end);
	/* a small sibling joins the next: the path that encloses both */
	assert_true(starts_with(t, &l.items[1], "## Languages"));
	assert_string_equal(l.items[1].heading_path, "FAQ");
	/* the last section stays its own chunk, however small */
	assert_true(starts_with(t, &l.items[2], "## Last"));
	assert_string_equal(l.items[2].heading_path, "FAQ > Last");
	check_invariants(t, &l);
	chunk_list_free(&l);

	l = run_min(t, 200, 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.items[1].heading_path, "FAQ > Files > Upload limits");
	assert_string_equal(l.items[2].heading_path, "FAQ > Languages");
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void heading_stays_with_the_start_of_its_content(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 9;
	sb_puts(&sb, "# A heading of some length\n\n");
	size_t body = sb.len;
	while (tokens_estimate(sb_str(&sb) + body, sb.len - body) < 40)
		sentence(&sb, &seed, true);
	sb_puts(&sb, "\n\n## Code\n\n```\n");
	for (int i = 0; i < 30; i++)
		sb_printf(&sb, "call(%d);\n", i);
	sb_puts(&sb, "```\n");
	const char *t = sb_str(&sb);
	/* the paragraph alone fits the target, not beside its heading */
	int target = tokens_estimate(t + body, strcspn(t + body, "#") - 2);
	struct chunk_list l = run(t, target, 0, MARKDOWN);
	assert_true(l.n >= 3);
	assert_true(starts_with(t, &l.items[0], "# A heading"));
	assert_true(l.items[0].byte_end > body);
	assert_true(l.items[0].tokens <= target);
	size_t code = 0;
	while (strcmp(l.items[code].heading_path, "A heading of some length > Code") != 0)
		code++;
	assert_true(starts_with(t, &l.items[code], "## Code\n\n```\ncall(0);"));
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void hash_lines_in_fences_plain_text_and_code_are_not_headings(void **state)
{
	(void)state;
	const char *md = "# Setup\n\n```sh\n# not a heading\nmake\n```\n\n~~~ python title=\"x\"\n"
	                 "# also not\n```\n~~~\nAfter.\n";
	struct chunk_list l = run(md, 100, 0, MARKDOWN);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].heading_path, "Setup");
	assert_true(ends_with(md, &l.items[0], "After."));
	chunk_list_free(&l);

	const char *txt = "# comment\nplain words\n";
	l = run(txt, 100, 0, PLAIN);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].heading_path, "");
	chunk_list_free(&l);

	const char *c = "#include <stdio.h>\n# define X 1\nint x;\n";
	struct chunk_opts both = { .target_tokens = 100, .markdown = true, .code = true };
	char err[64];
	assert_int_equal(chunk_text(c, strlen(c), &both, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].heading_path, "");
	chunk_list_free(&l);
}

static void long_paragraph_splits_at_sentence_ends(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 7;
	for (int i = 0; i < 40; i++)
		sentence(&sb, &seed, true);
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 40, 0, PLAIN);
	assert_true(l.n >= 8);
	for (size_t i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		assert_true(c->tokens <= 40);
		assert_true(ends_with(t, c, "."));
		assert_true(t[c->byte_start] >= 'A' && t[c->byte_start] <= 'Z');
		if (i > 0)
			assert_int_equal(c->byte_start, l.items[i - 1].byte_end + 1);
	}
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void overlap_starts_at_a_sentence_inside_the_previous_chunk(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 11;
	sb_puts(&sb, "# Title\n\n");
	for (int i = 0; i < 60; i++)
		sentence(&sb, &seed, true);
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 60, 15, MARKDOWN);
	assert_true(l.n >= 6);
	size_t with_overlap = 0;
	for (size_t i = 1; i < l.n; i++) {
		const struct chunk *c = &l.items[i], *p = &l.items[i - 1];
		assert_true(c->tokens <= 60);
		assert_true(c->byte_start > p->byte_start);
		assert_true(c->byte_start <= p->byte_end + 1);
		assert_true(t[c->byte_start - 2] == '.' && t[c->byte_start - 1] == ' ');
		if (c->byte_start < p->byte_end) {
			with_overlap++;
			int ov = tokens_estimate(t + c->byte_start, p->byte_end - c->byte_start);
			assert_true(ov >= 1 && ov <= 15);
		}
	}
	/* sentences are 5-14 tokens: most chunks find a sentence start in reach */
	assert_true(with_overlap * 2 >= l.n - 1);
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void overlap_never_crosses_a_section(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 5;
	for (int s = 0; s < 4; s++) {
		sb_printf(&sb, "## Part %d\n\n", s);
		for (int i = 0; i < 12; i++)
			sentence(&sb, &seed, true);
		sb_puts(&sb, "\n\n");
	}
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 50, 20, MARKDOWN);
	for (size_t i = 1; i < l.n; i++) {
		const struct chunk *c = &l.items[i], *p = &l.items[i - 1];
		if (strcmp(c->heading_path, p->heading_path) != 0) {
			assert_true(starts_with(t, c, "## Part "));
			assert_true(c->byte_start > p->byte_end);
		}
	}
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void sentence_without_stops_splits_at_spaces(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	unsigned seed = 3;
	for (int i = 0; i < 30; i++)
		sentence(&sb, &seed, false);
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 25, 0, PLAIN);
	assert_true(l.n >= 6);
	for (size_t i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		assert_true(c->tokens <= 25);
		assert_true(c->byte_start == 0 || t[c->byte_start - 1] == ' ');
		assert_true(t[c->byte_end] == ' ' || t[c->byte_end] == '\0');
	}
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void text_without_spaces_splits_between_utf8_characters(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 300; i++)
		sb_puts(&sb, i % 3 ? "\xe8\xaa\x9e" : "\xc3\xa9");
	for (int i = 0; i < 500; i++)
		sb_putc(&sb, (char)('a' + i % 26));
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 50, 0, MARKDOWN);
	struct strbuf joined = STRBUF_INIT;
	for (size_t i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		assert_true(c->tokens <= 50);
		if (i > 0)
			assert_int_equal(c->byte_start, l.items[i - 1].byte_end);
		sb_append(&joined, t + c->byte_start, c->byte_end - c->byte_start);
	}
	assert_string_equal(sb_str(&joined), t);
	/* 300 code points at one token each need at least 6 chunks of 50 */
	assert_true(l.n >= 6 + 1);
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&joined);
	sb_free(&sb);
}

static void cjk_sentences_end_at_full_stops(void **state)
{
	(void)state;
	/* four sentences of 6 code points each, the last ending in ？ */
	const char *t = "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94\xe3\x80\x82"
	                "\xe5\x85\xad\xe4\xb8\x83\xe5\x85\xab\xe4\xb9\x9d\xe5\x8d\x81\xef\xbc\x81"
	                "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94\xe3\x80\x82"
	                "\xe5\x85\xad\xe4\xb8\x83\xe5\x85\xab\xe4\xb9\x9d\xe5\x8d\x81\xef\xbc\x9f";
	struct chunk_list l = run(t, 13, 0, PLAIN);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].byte_start, 0);
	assert_int_equal(l.items[0].byte_end, 36);
	assert_int_equal(l.items[0].tokens, 12);
	assert_int_equal(l.items[1].byte_start, 36);
	assert_int_equal(l.items[1].byte_end, 72);
	check_invariants(t, &l);
	chunk_list_free(&l);
}

static void abbreviations_and_list_numbers_do_not_end_sentences(void **state)
{
	(void)state;
	/* "Use e.g." would fit beside the first sentence, the whole second
	 * sentence does not: a false stop after "e.g." would end chunk one there */
	const char *t = "One two three. Use e.g. grep to find it.";
	int target = tokens_estimate_str("Use e.g. grep to find it.");
	assert_true(tokens_estimate_str("One two three. Use e.g.") <= target);
	struct chunk_list l = run(t, target, 0, PLAIN);
	assert_true(l.n >= 2);
	assert_int_equal(l.items[0].byte_end, strlen("One two three."));
	chunk_list_free(&l);

	const char *steps = "Steps follow here.\n1. Open the door.\n2. Close it.";
	target = tokens_estimate_str("1. Open the door.");
	assert_true(tokens_estimate_str("Steps follow here. 1.") <= target);
	l = run(steps, target, 0, PLAIN);
	assert_true(l.n >= 2);
	assert_int_equal(l.items[0].byte_end, strlen("Steps follow here."));
	assert_true(starts_with(steps, &l.items[1], "1. Open"));
	check_invariants(steps, &l);
	chunk_list_free(&l);
}

static void big_fenced_block_splits_at_line_ends(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "# Code\n\nIntro line.\n\n```python\n");
	for (int i = 0; i < 60; i++)
		sb_printf(&sb, "    value_%d = compute(%d) + offset\n", i, i * 7);
	sb_puts(&sb, "```\n\nAfter the code.\n");
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 50, 8, MARKDOWN);
	assert_true(l.n >= 4);
	assert_true(starts_with(t, &l.items[0], "# Code"));
	size_t fence = (size_t)(strstr(t, "```python") - t);
	bool fence_opened = false;
	for (size_t i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		assert_true(c->tokens <= 50);
		assert_string_equal(c->heading_path, "Code");
		size_t s = c->byte_start;
		while (s > 0 && (t[s - 1] == ' '))
			s--;
		assert_true(s == 0 || t[s - 1] == '\n');
		assert_true(t[c->byte_end] == '\n' || t[c->byte_end] == '\0');
		if (c->byte_start <= fence && fence < c->byte_end)
			fence_opened = true;
	}
	assert_true(fence_opened);
	assert_true(ends_with(t, &l.items[l.n - 1], "After the code."));
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void line_longer_than_target_is_one_chunk(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "Before.\n\n```\n");
	for (int i = 0; i < 100; i++)
		sb_printf(&sb, "x%d+", i);
	sb_puts(&sb, "\nshort line\n```\n");
	const char *t = sb_str(&sb);
	struct chunk_list l = run(t, 30, 0, MARKDOWN);
	size_t big = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (l.items[i].tokens > 30) {
			big++;
			assert_true(starts_with(t, &l.items[i], "x0+x1+"));
			assert_true(ends_with(t, &l.items[i], "x99+"));
		}
	}
	assert_int_equal(big, 1);
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void fitting_table_and_list_stay_whole(void **state)
{
	(void)state;
	const char *t = "# Limits\n\n"
	                "Rate limits depend on the plan you have and reset every minute.\n\n"
	                "| Plan | Requests |\n|------|----------|\n| Free | 60 |\n| Team | 300 |\n\n"
	                "- first item of the list\n- second item of the list\n";
	int table = tokens_estimate_str(
		"| Plan | Requests |\n|------|----------|\n| Free | 60 |\n| Team | 300 |");
	int list = tokens_estimate_str("- first item of the list\n- second item of the list");
	struct chunk_list l = run(t, table + list, 0, MARKDOWN);
	assert_int_equal(l.n, 2);
	assert_true(ends_with(t, &l.items[0], "every minute."));
	assert_true(starts_with(t, &l.items[1], "| Plan"));
	assert_true(ends_with(t, &l.items[1], "second item of the list"));
	check_invariants(t, &l);
	chunk_list_free(&l);
}

static void code_splits_at_blank_lines_and_top_level_lines(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int f = 0; f < 8; f++) {
		sb_printf(&sb, "static int func_%d(int a)\n{\n", f);
		for (int i = 0; i < 4; i++)
			sb_printf(&sb, "\ta += %d;\n", i + f);
		sb_puts(&sb, "\treturn a;\n}\n");
		if (f % 2)
			sb_putc(&sb, '\n');
	}
	const char *t = sb_str(&sb);
	int one = tokens_estimate_str("static int func_0(int a)\n{\n\ta += 0;\n\ta += 1;\n\ta += 2;\n"
	                              "\ta += 3;\n\treturn a;\n}");
	struct chunk_list l = run(t, one * 3 / 2, 0, CODE);
	assert_int_equal(l.n, 8);
	for (size_t i = 0; i < l.n; i++) {
		char want[64];
		snprintf(want, sizeof want, "static int func_%zu(", i);
		assert_true(starts_with(t, &l.items[i], want));
		assert_true(ends_with(t, &l.items[i], "return a;\n}"));
		assert_string_equal(l.items[i].heading_path, "");
	}
	check_invariants(t, &l);
	chunk_list_free(&l);
	sb_free(&sb);
}

/* Random Markdown mixing every block kind. */
static void generated_document(struct strbuf *sb, unsigned seed)
{
	for (int s = 0; s < 12; s++) {
		int level = 1 + (int)(rnd(&seed) % 3);
		for (int k = 0; k < level; k++)
			sb_putc(sb, '#');
		sb_printf(sb, " Section %d\n\n", s);
		int blocks = (int)(rnd(&seed) % 6);
		for (int b = 0; b < blocks; b++) {
			switch (rnd(&seed) % 6) {
			case 0:
				for (int i = (int)(rnd(&seed) % 12); i >= 0; i--)
					sentence(sb, &seed, true);
				break;
			case 1:
				for (int i = (int)(rnd(&seed) % 5); i >= 0; i--) {
					sb_puts(sb, "- ");
					sentence(sb, &seed, rnd(&seed) % 2);
					sb_putc(sb, '\n');
				}
				break;
			case 2:
				sb_puts(sb, "| a | b |\n|---|---|\n");
				for (int i = (int)(rnd(&seed) % 20); i >= 0; i--)
					sb_printf(sb, "| %u | %u |\n", rnd(&seed), rnd(&seed));
				break;
			case 3:
				sb_puts(sb, "```c\n");
				for (int i = (int)(rnd(&seed) % 30); i >= 0; i--)
					sb_printf(sb, "%*sx = f(%u);\n", (int)(rnd(&seed) % 3) * 4, "",
					          rnd(&seed));
				if (rnd(&seed) % 4)
					sb_puts(sb, "```\n");
				break;
			case 4:
				for (int i = (int)(rnd(&seed) % 80); i >= 0; i--)
					sb_puts(sb, rnd(&seed) % 2 ? "\xe8\xaa\x9e" : "\xe3\x80\x82");
				break;
			default:
				for (int i = (int)(rnd(&seed) % 6); i >= 0; i--)
					sentence(sb, &seed, false);
				sb_puts(sb, "\n");
				for (int i = (int)(rnd(&seed) % 6); i >= 0; i--)
					sentence(sb, &seed, false);
				break;
			}
			sb_puts(sb, "\n\n");
		}
	}
}

static int longest_line_tokens(const char *t)
{
	int best = 0;
	for (const char *p = t; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int k = tokens_estimate(p, n);
		if (k > best)
			best = k;
		p += n + (nl ? 1 : 0);
	}
	return best;
}

static void limits_and_invariants_hold_on_generated_documents(void **state)
{
	(void)state;
	const int targets[] = { 6, 20, 64, 350 };
	const int overlaps[] = { 0, 5, 40 };
	for (unsigned seed = 1; seed <= 4; seed++) {
		struct strbuf sb = STRBUF_INIT;
		generated_document(&sb, seed);
		const char *t = sb_str(&sb);
		int line_max = longest_line_tokens(t);
		for (size_t ti = 0; ti < sizeof targets / sizeof *targets; ti++) {
			for (size_t oi = 0; oi < sizeof overlaps / sizeof *overlaps; oi++) {
				for (int mode = PLAIN; mode <= CODE; mode++) {
					int target = targets[ti];
					struct chunk_list l = run(t, target, overlaps[oi], mode);
					int limit = target + target / 2;
					if (line_max + 4 > limit)
						limit = line_max + 4;
					assert_true(l.n > 0);
					for (size_t i = 0; i < l.n; i++)
						assert_true(l.items[i].tokens <= limit);
					check_invariants(t, &l);
					chunk_list_free(&l);
				}
			}
		}
		sb_free(&sb);
	}
}

/* Page N starts after the (N-1)th form feed line; a chunk spanning a
 * break has two pages; a text without form feeds has none. */
static void pages_follow_form_feeds(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int page = 1; page <= 6; page++) {
		if (page > 1)
			sb_puts(&sb, "\f\n");
		sb_printf(&sb, "# Page %d\n\n", page);
		for (int k = 0; k < 12; k++)
			sb_printf(&sb, "Sentence %d of page %d says something plain about it. ", k, page);
		sb_puts(&sb, "\n\n");
	}
	struct chunk_list l = run(sb_str(&sb), 60, 10, MARKDOWN);
	chunk_set_pages(sb.buf, sb.len, &l);
	assert_true(l.n >= 6);
	for (size_t i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		int first = 0, last = 0;
		char tag[32];
		for (int page = 1; page <= 6; page++) {
			snprintf(tag, sizeof tag, "of page %d ", page);
			char *hit = strstr(sb.buf + c->byte_start, tag);
			if (hit && (size_t)(hit - sb.buf) < c->byte_end) {
				if (!first)
					first = page;
				last = page;
			}
		}
		if (!first)
			continue; /* only a heading */
		assert_int_equal(c->page_start, first);
		assert_true(c->page_end >= last);
		assert_true(c->page_end <= c->page_start + 1);
	}
	chunk_list_free(&l);

	l = run("no pages here.\n\nnor here.\n", 60, 0, MARKDOWN);
	chunk_set_pages("no pages here.\n\nnor here.\n", 26, &l);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.items[i].page_start, 0);
	chunk_list_free(&l);
	sb_free(&sb);
}

static void free_is_null_safe_and_leaves_the_list_empty(void **state)
{
	(void)state;
	chunk_list_free(NULL);
	struct chunk_list l = run("# A\nb\n# C\nd\n", 100, 0, MARKDOWN);
	assert_int_equal(l.n, 2);
	chunk_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.cap, 0);
	chunk_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_out_of_range_are_rejected_with_a_message),
		cmocka_unit_test(empty_and_blank_text_give_no_chunks),
		cmocka_unit_test(small_text_is_one_trimmed_chunk_with_exact_lines),
		cmocka_unit_test(headings_give_exact_paths_and_open_their_chunks),
		cmocka_unit_test(skipped_levels_and_heading_only_sections),
		cmocka_unit_test(small_sections_join_the_next_under_their_common_path),
		cmocka_unit_test(heading_stays_with_the_start_of_its_content),
		cmocka_unit_test(hash_lines_in_fences_plain_text_and_code_are_not_headings),
		cmocka_unit_test(long_paragraph_splits_at_sentence_ends),
		cmocka_unit_test(overlap_starts_at_a_sentence_inside_the_previous_chunk),
		cmocka_unit_test(overlap_never_crosses_a_section),
		cmocka_unit_test(sentence_without_stops_splits_at_spaces),
		cmocka_unit_test(text_without_spaces_splits_between_utf8_characters),
		cmocka_unit_test(cjk_sentences_end_at_full_stops),
		cmocka_unit_test(abbreviations_and_list_numbers_do_not_end_sentences),
		cmocka_unit_test(big_fenced_block_splits_at_line_ends),
		cmocka_unit_test(line_longer_than_target_is_one_chunk),
		cmocka_unit_test(fitting_table_and_list_stay_whole),
		cmocka_unit_test(code_splits_at_blank_lines_and_top_level_lines),
		cmocka_unit_test(limits_and_invariants_hold_on_generated_documents),
		cmocka_unit_test(pages_follow_form_feeds),
		cmocka_unit_test(free_is_null_safe_and_leaves_the_list_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
