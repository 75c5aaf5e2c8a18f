/* Unit tests for core/util/strbuf and xalloc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

static void empty_buffer_reads_as_empty_string(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb_str(&sb), "");
	char *s = sb_detach(&sb, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void append_grows_and_stays_terminated(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		sb_putc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 1000);
	assert_int_equal(sb.buf[1000], '\0');
	assert_int_equal(sb.buf[27], 'b');
	sb_free(&sb);
	assert_null(sb.buf);
}

static void printf_appends_formatted_text(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "x=");
	sb_printf(&sb, "%d,%s", 42, "ok");
	assert_string_equal(sb_str(&sb), "x=42,ok");
	sb_truncate(&sb, 2);
	assert_string_equal(sb_str(&sb), "x=");
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	sb_free(&sb);
}

static void xstrndup_copies_prefix(void **state)
{
	(void)state;
	char *p = xstrndup("hello world", 5);
	assert_string_equal(p, "hello");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_buffer_reads_as_empty_string),
		cmocka_unit_test(append_grows_and_stays_terminated),
		cmocka_unit_test(printf_appends_formatted_text),
		cmocka_unit_test(xstrndup_copies_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
