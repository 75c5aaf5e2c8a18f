/* Unit tests for tui/ui/paste: a bracketed paste's end marker, however the
 * reads cut it, and its line breaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tui/ui/paste.h"

/* Feed s in blocks of at most block bytes until the end marker; returns
 * the bytes used and whether the marker was seen. */
static size_t feed_in_blocks(struct paste *p, const char *s, size_t len, size_t block, bool *done)
{
	size_t used = 0;
	*done = false;
	while (used < len && !*done) {
		size_t n = len - used < block ? len - used : block;
		size_t u = paste_feed(p, s + used, n, done);
		assert_true(u == n || *done);
		used += u;
	}
	return used;
}

static void the_end_marker_is_found_however_the_reads_cut_it(void **state)
{
	(void)state;
	static const char in[] = "abc\rdef\033[201~typed after";
	size_t end = strlen("abc\rdef\033[201~");
	struct paste p = { 0 };
	for (size_t block = 1; block <= sizeof in; block++) {
		bool done;
		paste_begin(&p);
		assert_int_equal(feed_in_blocks(&p, in, sizeof in - 1, block, &done), end);
		assert_true(done);
		assert_string_equal(sb_str(&p.text), "abc\ndef");
	}
	paste_free(&p);
}

static void a_split_marker_needs_its_last_byte(void **state)
{
	(void)state;
	struct paste p = { 0 };
	bool done;
	paste_begin(&p);
	assert_int_equal(paste_feed(&p, "text\033[201", 9, &done), 9);
	assert_false(done);
	assert_string_equal(sb_str(&p.text), "text");
	assert_int_equal(paste_feed(&p, "~x", 2, &done), 1);
	assert_true(done);
	assert_string_equal(sb_str(&p.text), "text");
	paste_free(&p);
}

static void what_only_looked_like_the_marker_is_text(void **state)
{
	(void)state;
	struct paste p = { 0 };
	bool done;
	paste_begin(&p);
	/* An escape sequence in the pasted text, a marker cut short by another
	 * ESC, then the real marker. */
	static const char in[] = "a\033[31mb\033[20\033[201~";
	assert_int_equal(paste_feed(&p, in, sizeof in - 1, &done), sizeof in - 1);
	assert_true(done);
	assert_string_equal(sb_str(&p.text), "a\033[31mb\033[20");
	paste_free(&p);
}

static void cr_and_crlf_are_one_newline_each(void **state)
{
	(void)state;
	struct paste p = { 0 };
	bool done;
	paste_begin(&p);
	static const char in[] = "one\rtwo\r\nthree\nfour\r\r\n\tfive\033[201~";
	paste_feed(&p, in, sizeof in - 1, &done);
	assert_true(done);
	assert_string_equal(sb_str(&p.text), "one\ntwo\nthree\nfour\n\n\tfive");
	/* A CR LF cut between two reads is still one line break. */
	paste_begin(&p);
	paste_feed(&p, "x\r", 2, &done);
	paste_feed(&p, "\ny\033[201~", 8, &done);
	assert_true(done);
	assert_string_equal(sb_str(&p.text), "x\ny");
	paste_free(&p);
}

static void begin_forgets_the_last_paste(void **state)
{
	(void)state;
	struct paste p = { 0 };
	bool done;
	paste_begin(&p);
	paste_feed(&p, "old\r\033[2", 7, &done);
	paste_begin(&p);
	assert_int_equal(paste_feed(&p, "\nnew\033[201~", 10, &done), 10);
	assert_true(done);
	assert_string_equal(sb_str(&p.text), "\nnew");
	paste_free(&p);
}

static void a_megabyte_in_terminal_sized_reads(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *in = malloc(n + 6);
	for (size_t i = 0; i < n; i++)
		in[i] = i % 100 == 99 ? '\r' : (char)('a' + i % 26);
	memcpy(in + n, PASTE_END_MARKER, 6);
	struct paste p = { 0 };
	bool done;
	paste_begin(&p);
	assert_int_equal(feed_in_blocks(&p, in, n + 6, 4096, &done), n + 6);
	assert_true(done);
	assert_int_equal(p.text.len, n);
	assert_int_equal(p.text.buf[99], '\n');
	assert_memory_equal(p.text.buf, in, 99);
	free(in);
	paste_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_end_marker_is_found_however_the_reads_cut_it),
		cmocka_unit_test(a_split_marker_needs_its_last_byte),
		cmocka_unit_test(what_only_looked_like_the_marker_is_text),
		cmocka_unit_test(cr_and_crlf_are_one_newline_each),
		cmocka_unit_test(begin_forgets_the_last_paste),
		cmocka_unit_test(a_megabyte_in_terminal_sized_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
