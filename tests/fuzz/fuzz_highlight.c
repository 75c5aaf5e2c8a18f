/* fuzz_highlight: hl_line on arbitrary lines. The first byte picks the
 * language, the second the span limit (0 to 16); the rest is split into
 * lines at '\n' and classified one after the other, the state carried.
 * Properties:
 * - the spans cover each line in order from its start to its end, none
 *   empty, at most the limit, no two neighbours of one class;
 * - the next line's state does not depend on the limit;
 * - on the sanitized text (valid UTF-8), no span starts inside a
 *   character;
 * - hl_lang_from_name takes the first line as an info string. */
#include "tests/fuzz/fuzz.h"
#include "core/util/utf8.h"
#include "tui/ui/highlight.h"

#include <stdbool.h>
#include <string.h>

#define SPAN_LIMIT 16

static unsigned check_line(enum hl_lang lang, unsigned state, const char *s, size_t len, size_t max,
			   bool utf8)
{
	struct hl_span sp[SPAN_LIMIT];
	size_t n = SPAN_LIMIT + 1, none = 1, at = 0;
	unsigned next = hl_line(lang, state, s, len, sp, max, &n);
	FUZZ_CHECK(n <= max);
	FUZZ_CHECK(n > 0 || len == 0 || max == 0);
	for (size_t k = 0; k < n; k++) {
		FUZZ_CHECK(sp[k].off == at && sp[k].len > 0);
		FUZZ_CHECK((unsigned)sp[k].cls < HL_CLASS_COUNT);
		FUZZ_CHECK(k == 0 || sp[k].cls != sp[k - 1].cls);
		FUZZ_CHECK(!utf8 || ((unsigned char)s[at] & 0xC0) != 0x80);
		at += sp[k].len;
	}
	FUZZ_CHECK(n == 0 || at == len);
	FUZZ_CHECK(hl_line(lang, state, s, len, NULL, 0, &none) == next && none == 0);
	return next;
}

static void check_text(enum hl_lang lang, const char *s, size_t len, size_t max, bool utf8)
{
	unsigned state = HL_STATE_START;
	for (size_t i = 0; i <= len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		state = check_line(lang, state, s + i, end - i, max, utf8);
		i = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum hl_lang lang = (enum hl_lang)(data[0] % HL_LANG_COUNT);
	size_t max = data[1] % (SPAN_LIMIT + 1);
	const char *s = (const char *)data + 2;
	size_t len = size - 2;
	const char *nl = memchr(s, '\n', len);
	FUZZ_CHECK((unsigned)hl_lang_from_name(s, nl ? (size_t)(nl - s) : len) < HL_LANG_COUNT);
	check_text(lang, s, len, max, false);
	size_t clean_len = 0;
	char *clean = utf8_sanitize(s, len, &clean_len);
	check_text(lang, clean, clean_len, max, true);
	free(clean);
	return 0;
}
