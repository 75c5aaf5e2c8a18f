/* Unit tests for tui/ui/term_md: styled lines for a terminal, printed
 * block by block as the answer streams. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/ui/term_md.h"

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static struct term_md *open_capture(struct capture *c, bool color)
{
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return term_md_new(c->f, 40, color);
}

static char *close_capture(struct capture *c, struct term_md **t)
{
	term_md_free(t);
	fclose(c->f);
	return c->buf;
}

static void styles_are_sgr_attributes(void **state)
{
	(void)state;
	struct capture c;
	struct term_md *t = open_capture(&c, false);
	const char *md = "# Title\n\nSome **bold** and `code` [1].\n";
	term_md_add(t, md, strlen(md));
	term_md_finish(t);
	char *out = close_capture(&c, &t);
	assert_string_equal(out,
	                    "\033[1;4mTitle\033[0m\n"
	                    "\n"
	                    "Some \033[1mbold\033[0m and \033[2mcode\033[0m \033[4m[1]\033[0m.\n");
	free(out);
}

static void rows_print_once_their_block_is_complete(void **state)
{
	(void)state;
	struct capture c;
	struct term_md *t = open_capture(&c, true);
	const char *first = "Intro line.\n\n";
	term_md_add(t, first, strlen(first));
	fflush(c.f);
	assert_int_equal(c.len, 0);          /* the paragraph may still go on */
	const char *more = "Next para";
	term_md_add(t, more, strlen(more));
	fflush(c.f);
	assert_int_equal(c.len, 0);          /* no line ended */
	term_md_add(t, "graph.\n", 7);
	fflush(c.f);
	assert_string_equal(c.buf, "Intro line.\n");
	term_md_finish(t);
	char *out = close_capture(&c, &t);
	assert_string_equal(out, "Intro line.\n\nNext paragraph.\n");
	free(out);
}

/* Streamed in pieces or given whole, the output is the same, and nothing
 * from the answer reaches the terminal as an escape sequence. */
static void streaming_prints_what_a_whole_answer_prints(void **state)
{
	(void)state;
	const char *md = "## Steps\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nls -l\n```\n\n"
	                 "- one \033[31mred\033[0m\n- two \033]52;c;aGk=\007\n";
	struct capture whole, parts;
	struct term_md *t = open_capture(&whole, true);
	term_md_add(t, md, strlen(md));
	term_md_finish(t);
	char *a = close_capture(&whole, &t);
	t = open_capture(&parts, true);
	for (size_t i = 0; md[i]; i += 3)
		term_md_add(t, md + i, strlen(md + i) < 3 ? strlen(md + i) : 3);
	term_md_finish(t);
	char *b = close_capture(&parts, &t);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "┌───┬───┐"));
	assert_null(strstr(a, "\033]"));
	assert_null(strstr(a, "\033[31m"));
	assert_null(strchr(a, '\007'));
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(styles_are_sgr_attributes),
		cmocka_unit_test(rows_print_once_their_block_is_complete),
		cmocka_unit_test(streaming_prints_what_a_whole_answer_prints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
