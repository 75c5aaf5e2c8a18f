/* Unit tests for core/util/utf8: decoding, repair, widths and the terminal
 * sanitizer against hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/utf8.h"

#define R UTF8_REPLACEMENT
/* Length of a string literal that may contain NUL bytes. */
#define LIT(s) s, sizeof(s) - 1

static void assert_sanitized(const char *in, size_t len, const char *want)
{
	size_t n = 99;
	char *out = utf8_sanitize(in, len, &n);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	free(out);
}

static void assert_repaired(const char *in, size_t len, const char *want, size_t want_invalid)
{
	size_t n = 99, bad = 99;
	char *out = utf8_repair(in, len, &n, &bad);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(bad, want_invalid);
	free(out);
}

static void decode_accepts_every_boundary_code_point(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} ok[] = {
		{ LIT("\x7F"), 0x7F },
		{ LIT("\xC2\x80"), 0x80 },
		{ LIT("\xDF\xBF"), 0x7FF },
		{ LIT("\xE0\xA0\x80"), 0x800 },
		{ LIT("\xED\x9F\xBF"), 0xD7FF },
		{ LIT("\xEE\x80\x80"), 0xE000 },
		{ LIT("\xEF\xBF\xBF"), 0xFFFF },
		{ LIT("\xF0\x90\x80\x80"), 0x10000 },
		{ LIT("\xF4\x8F\xBF\xBF"), 0x10FFFF },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint32_t cp = 0;
		assert_int_equal(utf8_decode(ok[i].s, ok[i].len, &cp), ok[i].len);
		assert_int_equal(cp, ok[i].cp);
	}
}

static void decode_rejects_overlongs_surrogates_and_truncation(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{ LIT("\x80") },             /* lone continuation */
		{ LIT("\xC0\x80") },         /* overlong NUL */
		{ LIT("\xC1\xBF") },         /* overlong 0x7F */
		{ LIT("\xE0\x9F\xBF") },     /* overlong 0x7FF */
		{ LIT("\xF0\x8F\xBF\xBF") }, /* overlong 0xFFFF */
		{ LIT("\xED\xA0\x80") },     /* U+D800 */
		{ LIT("\xED\xBF\xBF") },     /* U+DFFF */
		{ LIT("\xF4\x90\x80\x80") }, /* U+110000 */
		{ LIT("\xF5\x80\x80\x80") },
		{ LIT("\xFF") },
		{ LIT("\xE2\x82") },         /* truncated euro sign */
		{ LIT("") },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint32_t cp = 0;
		assert_int_equal(utf8_decode(bad[i].s, bad[i].len, &cp), 0);
	}
}

static void encode_round_trips_every_scalar_value(void **state)
{
	(void)state;
	char buf[4];
	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		uint32_t back = 0;
		size_t n = utf8_encode(cp, buf);
		assert_int_equal(utf8_decode(buf, n, &back), n);
		assert_int_equal(back, cp);
	}
	assert_int_equal(utf8_encode(0xD800, buf), 3);
	assert_memory_equal(buf, R, 3);
	assert_int_equal(utf8_encode(0x110000, buf), 3);
	assert_memory_equal(buf, R, 3);
}

static void valid_checks_whole_buffer_including_tail(void **state)
{
	(void)state;
	assert_true(utf8_valid(LIT("")));
	assert_true(utf8_valid(LIT("plain ascii text that is longer than eight bytes")));
	assert_true(utf8_valid(LIT("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80")));
	assert_true(utf8_valid(LIT("nul\0inside")));
	assert_false(utf8_valid(LIT("sixteen ascii b \xC3")));
	assert_false(utf8_valid(LIT("\xED\xA0\x80 surrogate")));
}

static void repair_replaces_each_maximal_subpart_once(void **state)
{
	(void)state;
	/* The example of Unicode 15 section 3.9, table 3-8. */
	assert_repaired(LIT("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
	                "a" R R R "b" R "c" R R "d", 6);
	assert_repaired(LIT("\xC0\xAF"), R R, 2);
	assert_repaired(LIT("\xE0\x80\xAF"), R R R, 3);
	assert_repaired(LIT("\xED\xA0\x80"), R R R, 3);
	assert_repaired(LIT("\xF4\x90\x80\x80"), R R R R, 4);
	assert_repaired(LIT("x\xF0\x9F\x98"), "x" R, 1);
	assert_repaired(LIT("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC", 0);
	assert_repaired(LIT(""), "", 0);
}

static void floor_boundary_never_splits_a_sequence(void **state)
{
	(void)state;
	const char s[] = "a\xE2\x82\xAC" "b";
	size_t len = sizeof s - 1;
	static const size_t want[] = { 0, 1, 1, 1, 4, 5 };
	for (size_t pos = 0; pos <= len; pos++)
		assert_int_equal(utf8_floor_boundary(s, len, pos), want[pos]);
	assert_int_equal(utf8_floor_boundary(s, len, 99), 5);
}

static void code_point_widths_follow_unicode_tables(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		int width;
	} cases[] = {
		{ 'a', 1 }, { 0x00, -1 }, { 0x1B, -1 }, { 0x7F, -1 }, { 0x85, -1 }, { 0x9F, -1 },
		{ 0xA0, 1 }, { 0xE9, 1 }, { 0x0410, 1 }, { 0x05D0, 1 }, { 0x0627, 1 },
		{ 0x0301, 0 }, { 0x0E31, 0 }, { 0x093F, 1 }, { 0x200B, 0 }, { 0x200D, 0 },
		{ 0xFE0F, 0 }, { 0xFEFF, 0 }, { 0x1160, 0 }, { 0xE0100, 0 },
		{ 0x1100, 2 }, { 0x3000, 2 }, { 0x3042, 2 }, { 0x4E00, 2 }, { 0x9FFF, 2 },
		{ 0xAC00, 2 }, { 0xD7A3, 2 }, { 0xFF21, 2 }, { 0xFF61, 1 }, { 0x20000, 2 },
		{ 0x1F600, 2 }, { 0x1F44D, 2 }, { 0x1F3FD, 2 }, { 0x1FAE8, 2 }, { 0x2764, 1 },
		{ 0x231A, 2 }, { 0x1F1E6, 1 }, { 0x2500, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (utf8_cp_width(cases[i].cp) != cases[i].width)
			fail_msg("U+%04X: width %d, want %d", (unsigned)cases[i].cp,
			         utf8_cp_width(cases[i].cp), cases[i].width);
	}
}

static void display_width_sums_columns(void **state)
{
	(void)state;
	assert_int_equal(utf8_display_width(LIT("hello")), 5);
	assert_int_equal(utf8_display_width(LIT("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E")), 6);
	assert_int_equal(utf8_display_width(LIT("e\xCC\x81")), 1);
	assert_int_equal(utf8_display_width(LIT("\xF0\x9F\x98\x80x")), 3);
	assert_int_equal(utf8_display_width(LIT("a\tb\x1b")), 2);
	assert_int_equal(utf8_display_width(LIT("\xFF\xE2\x82")), 2);
	assert_int_equal(utf8_display_width(LIT("")), 0);
}

static void sanitize_removes_osc52_clipboard_write(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\x1b]52;c;ZXZpbCBjb21tYW5k\x07" "b"), "a" R "b");
	assert_sanitized(LIT("a\x1b]52;c;ZXZpbA==\x1b\\b"), "a" R "b");
}

static void sanitize_removes_title_sets_with_bel_and_st(void **state)
{
	(void)state;
	assert_sanitized(LIT("\x1b]0;pwned\x07title"), R "title");
	assert_sanitized(LIT("x\x1b]2;pwned\x1b\\y"), "x" R "y");
	assert_sanitized(LIT("x\x1b]0;pwned\xC2\x9Cy"), "x" R "y");
	assert_sanitized(LIT("x\x1b]0;t\xC4\x9Ctle\x07y"), "x" R "y");
}

static void sanitize_removes_dcs_and_other_strings(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\x1bP1$r0m\x1b\\b"), "a" R "b");
	assert_sanitized(LIT("a\x1b_apc payload\x1b\\b"), "a" R "b");
	assert_sanitized(LIT("a\x1b^pm\x1b\\b\x1bXsos\x1b\\c"), "a" R "b" R "c");
	assert_sanitized(LIT("a\x1b]8;;http://e.test\x1b\\link\x1b]8;;\x1b\\"), "a" R "link" R);
}

static void sanitize_removes_csi_sequences_as_one_run(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\x1b[31mb"), "a" R "b");
	assert_sanitized(LIT("a\x1b[2J\x1b[H\x1b[10;20Hb"), "a" R "b");
	assert_sanitized(LIT("\x1b[?1049h\x1b[6n"), R);
	assert_sanitized(LIT("x\x1b(By\x1b" "7z"), "x" R "y" R "z");
	assert_sanitized(LIT("x\x1b[31m\r\x1b[0my"), "x" R "y");
}

static void sanitize_removes_eight_bit_c1_controls(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\xC2\x9B" "31mb"), "a" R "b");
	assert_sanitized(LIT("a\x9B" "31mb"), "a" R "b");
	assert_sanitized(LIT("a\xC2\x9D" "0;t\xC2\x9C" "b"), "a" R "b");
	assert_sanitized(LIT("a\x9D" "0;t\x07" "b"), "a" R "b");
	assert_sanitized(LIT("a\xC2\x85" "b"), "a" R "b");
}

static void sanitize_removes_truncated_escapes_at_end(void **state)
{
	(void)state;
	assert_sanitized(LIT("abc\x1b"), "abc" R);
	assert_sanitized(LIT("abc\x1b["), "abc" R);
	assert_sanitized(LIT("abc\x1b[12;3"), "abc" R);
	assert_sanitized(LIT("abc\x1b]0;half a title"), "abc" R);
	assert_sanitized(LIT("abc\x1bP"), "abc" R);
	assert_sanitized(LIT("abc\xC2"), "abc" R);
}

static void sanitize_removes_bidi_overrides(void **state)
{
	(void)state;
	assert_sanitized(LIT("invoice\xE2\x80\xAEgpj.exe"), "invoice" R "gpj.exe");
	assert_sanitized(LIT("a\xE2\x81\xA6" "b\xE2\x81\xA9" "c"), "a" R "b" R "c");
	assert_sanitized(LIT("a\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C" "b"), "a" R "b");
	assert_sanitized(LIT("a\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD" "b"), "a" R "b");
}

static void sanitize_removes_nul_del_and_c0(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\0b"), "a" R "b");
	assert_sanitized(LIT("a\x7f" "b"), "a" R "b");
	assert_sanitized(LIT("a\x07\x08\x0b\x0c" "b"), "a" R "b");
	assert_sanitized(LIT("line\r\nnext\r"), "line\nnext");
	assert_sanitized(LIT("page 1\n\f\npage 2"), "page 1\n\npage 2");
}

static void sanitize_repairs_invalid_utf8(void **state)
{
	(void)state;
	assert_sanitized(LIT("a\x80" "b"), "a" R "b");
	assert_sanitized(LIT("a\xBF\xBF" "b"), "a" R "b");
	assert_sanitized(LIT("\xC0\xAF"), R);
	assert_sanitized(LIT("a\xE0\x80\xAF" "b"), "a" R "b");
	assert_sanitized(LIT("a\xED\xA0\x80\xED\xB0\x80" "b"), "a" R "b");
	assert_sanitized(LIT("a\xF8\x88\x80\x80\x80" "b"), "a" R "b");
}

static void sanitize_keeps_ordinary_text_byte_identical(void **state)
{
	(void)state;
	const char text[] =
		"tab\there\nnew line, caf\xC3\xA9, na\xC3\xAFve, stra\xC3\x9F" "e\n"
		"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 "
		"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\n"
		"emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
		"\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB e\xCC\x81 a\xCC\x8A\n"
		"U+FFFD stays: " R " and ~!@#$%^&*()_+{}|:\"<>?[]\\;',./`\n";
	assert_sanitized(LIT(text), text);
}

/* A small deterministic generator, so failures reproduce. */
static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void assert_terminal_safe(const char *s, size_t len)
{
	assert_true(utf8_valid(s, len));
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_decode(s + i, len - i, &cp);
		assert_true(n > 0);
		assert_true(cp == '\t' || cp == '\n' || utf8_cp_width(cp) >= 0);
		assert_true(cp != 0x061C && cp != 0x200E && cp != 0x200F);
		assert_false(cp >= 0x202A && cp <= 0x202E);
		assert_false(cp >= 0x2066 && cp <= 0x2069);
		i += n;
	}
}

static void sanitize_output_is_always_safe_and_stable(void **state)
{
	(void)state;
	static const char *const parts[] = {
		"\x1b", "[", "]", "P", "\\", "\x07", "\x9b", "\x9c", "\xC2\x9B", "\xC2\x9C",
		"\xE2\x80\xAE", "\xE2\x81\xA6", "\0", "\x7f", "\r", "\n", "\t", "a", "0;", "m",
		"\xE6\x97\xA5", "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xC0", "\x80", "\xF4",
		"\x18", "e\xCC\x81", ";", "\xFF",
	};
	static const size_t part_len[] = {
		1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1,
		3, 4, 3, 1, 1, 1, 1, 3, 1, 1,
	};
	size_t n_parts = sizeof parts / sizeof parts[0];
	uint32_t seed = 20240601;
	char in[256];

	assert_int_equal(n_parts, sizeof part_len / sizeof part_len[0]);
	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		size_t pieces = next_rand(&seed) % 24;
		for (size_t k = 0; k < pieces; k++) {
			size_t p = next_rand(&seed) % n_parts;
			memcpy(in + len, parts[p], part_len[p]);
			len += part_len[p];
		}
		size_t n1 = 0, n2 = 0;
		char *once = utf8_sanitize(in, len, &n1);
		assert_terminal_safe(once, n1);
		assert_int_equal(once[n1], '\0');
		char *twice = utf8_sanitize(once, n1, &n2);
		assert_int_equal(n2, n1);
		assert_memory_equal(twice, once, n1);
		free(once);
		free(twice);
	}
}

/* JSON output escapes what a terminal acts on and decodes back exactly. */
static void json_escape_invisible_escapes_c1_and_bidi_only(void **state)
{
	(void)state;
	const char *in = "{\"a\":\"x\xc2\x9b" "31m \xe2\x80\xae" "evil\xe2\x80\xac \xe2\x80\xa8 caf\xc3\xa9" " \xe2\x82\xac \xf0\x9f\x98\x80\"}";
	char *out = utf8_json_escape_invisible(in);
	assert_string_equal(out, "{\"a\":\"x\\u009b31m \\u202eevil\\u202c \\u2028 caf\xc3\xa9" " \xe2\x82\xac \xf0\x9f\x98\x80\"}");
	cJSON *j = cJSON_Parse(out);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "a")->valuestring,
	                    "x\xc2\x9b" "31m \xe2\x80\xae" "evil\xe2\x80\xac \xe2\x80\xa8 caf\xc3\xa9" " \xe2\x82\xac \xf0\x9f\x98\x80");
	cJSON_Delete(j);
	free(out);
}

/* Streamed text sanitized piece by piece from the resume point equals the
 * whole text sanitized, for every split, with escapes, C1 controls, bidi
 * controls, carriage returns and broken sequences cut anywhere. */
static void sanitize_resumes_where_it_said(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"plain \xc3\xa9t\xc3\xa9 text\n",
		"a\x1b]52;c;aGk=\x07" "b\x1b[31mred\x1b[0m\r\nc",
		"\x1b]0;title\x1b\\x \xc2\x9b" "31m y \xe2\x80\xae z \xe2\x80",
		"\xff\xfe ok \x1b[2J\x1b[H\x7f\x01\x02 \xf0\x9f\x98\x80\x1b",
		"\xe2\x80\x8b\xe2\x81\xa6\xc2\x85 end",
	};
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		const char *s = texts[t];
		size_t len = strlen(s), whole_len;
		char *whole = utf8_sanitize(s, len, &whole_len);
		for (size_t k = 0; k <= len; k++) {
			size_t plen, in, out, rest_len;
			char *prefix = utf8_sanitize_resumable(s, k, &plen, &in, &out);
			assert_true(in <= k && out <= plen);
			char *rest = utf8_sanitize(s + in, len - in, &rest_len);
			assert_int_equal(out + rest_len, whole_len);
			assert_memory_equal(prefix, whole, out);
			assert_memory_equal(rest, whole + out, rest_len);
			free(prefix);
			free(rest);
		}
		free(whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_accepts_every_boundary_code_point),
		cmocka_unit_test(decode_rejects_overlongs_surrogates_and_truncation),
		cmocka_unit_test(encode_round_trips_every_scalar_value),
		cmocka_unit_test(valid_checks_whole_buffer_including_tail),
		cmocka_unit_test(repair_replaces_each_maximal_subpart_once),
		cmocka_unit_test(floor_boundary_never_splits_a_sequence),
		cmocka_unit_test(code_point_widths_follow_unicode_tables),
		cmocka_unit_test(display_width_sums_columns),
		cmocka_unit_test(sanitize_removes_osc52_clipboard_write),
		cmocka_unit_test(sanitize_removes_title_sets_with_bel_and_st),
		cmocka_unit_test(sanitize_removes_dcs_and_other_strings),
		cmocka_unit_test(sanitize_removes_csi_sequences_as_one_run),
		cmocka_unit_test(sanitize_removes_eight_bit_c1_controls),
		cmocka_unit_test(sanitize_removes_truncated_escapes_at_end),
		cmocka_unit_test(sanitize_removes_bidi_overrides),
		cmocka_unit_test(sanitize_removes_nul_del_and_c0),
		cmocka_unit_test(sanitize_repairs_invalid_utf8),
		cmocka_unit_test(sanitize_keeps_ordinary_text_byte_identical),
		cmocka_unit_test(sanitize_output_is_always_safe_and_stable),
		cmocka_unit_test(json_escape_invisible_escapes_c1_and_bidi_only),
		cmocka_unit_test(sanitize_resumes_where_it_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
