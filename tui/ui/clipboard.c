/* clipboard: the OSC 52 sequence, base64 and all. */
#include "tui/ui/clipboard.h"
#include "core/util/xalloc.h"

#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char head[] = "\033]52;c;";

char *clipboard_osc52(const char *text, size_t len, size_t *out_len)
{
	if (len > CLIPBOARD_MAX)
		return NULL;
	size_t n = sizeof head - 1 + (len + 2) / 3 * 4 + 1;
	char *out = xmalloc(n + 1), *o = out;
	const unsigned char *s = (const unsigned char *)text;
	memcpy(o, head, sizeof head - 1);
	o += sizeof head - 1;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o++ = '\a';
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}
