/* fuzz_sanitize: utf8_sanitize on arbitrary bytes. The result must be valid
 * UTF-8 free of everything a terminal would act on (ESC, C0 but tab and
 * newline, DEL, C1, bidirectional controls) and a fixed point. */
#include "tests/fuzz/fuzz.h"
#include "core/util/utf8.h"

#include <stdbool.h>
#include <string.h>

static bool is_bidi_control(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static bool is_inert(uint32_t cp)
{
	if (cp == '\t' || cp == '\n')
		return true;
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return false;
	return !is_bidi_control(cp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0;
	char *out = utf8_sanitize((const char *)data, size, &len);
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(out[len] == '\0');
	FUZZ_CHECK(strlen(out) == len);
	FUZZ_CHECK(utf8_valid(out, len));
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_decode(out + i, len - i, &cp);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(is_inert(cp));
		i += n;
	}
	size_t again_len = 0;
	char *again = utf8_sanitize(out, len, &again_len);
	FUZZ_CHECK(again_len == len);
	FUZZ_CHECK(memcmp(again, out, len) == 0);
	free(again);
	free(out);
	return 0;
}
