/* Unit tests for tui/ui/clipboard: the OSC 52 sequence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tui/ui/clipboard.h"

static void expect(const char *text, const char *want)
{
	size_t n;
	char *got = clipboard_osc52(text, strlen(text), &n);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void text_is_base64_between_osc_52_and_bel(void **state)
{
	(void)state;
	expect("", "\033]52;c;\a");
	expect("f", "\033]52;c;Zg==\a");
	expect("fo", "\033]52;c;Zm8=\a");
	expect("foo", "\033]52;c;Zm9v\a");
	expect("systemctl restart nginx\n", "\033]52;c;c3lzdGVtY3RsIHJlc3RhcnQgbmdpbngK\a");
	/* UTF-8 and high bytes go through base64 untouched */
	expect("caf\xc3\xa9 \xff", "\033]52;c;Y2Fmw6kg/w==\a");
}

static void text_over_the_limit_is_refused(void **state)
{
	(void)state;
	size_t n;
	char *big = malloc(CLIPBOARD_MAX + 1);
	memset(big, 'a', CLIPBOARD_MAX + 1);
	assert_null(clipboard_osc52(big, CLIPBOARD_MAX + 1, &n));
	char *ok = clipboard_osc52(big, CLIPBOARD_MAX, &n);
	assert_non_null(ok);
	assert_int_equal(n, strlen("\033]52;c;") + CLIPBOARD_MAX / 3 * 4 + (CLIPBOARD_MAX % 3 ? 4 : 0) + 1);
	free(ok);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_base64_between_osc_52_and_bel),
		cmocka_unit_test(text_over_the_limit_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
