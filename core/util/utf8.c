/* utf8: strict UTF-8 decoding, repair, display width and the terminal
 * sanitizer. */
#include "core/util/utf8.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <string.h>
#include <utf8proc.h>

#define ASCII_HIGH_BITS 0x8080808080808080ULL

/* Index of the first byte >= 0x80 at or after i, or len. Eight bytes at a
 * time: most text is ASCII. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t len)
{
	while (i + 8 <= len) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & ASCII_HIGH_BITS)
			break;
		i += 8;
	}
	while (i < len && s[i] < 0x80)
		i++;
	return i;
}

static bool is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* Decode the sequence at s (len >= 1). Returns its length and sets *cp when
 * it is well formed; otherwise returns 0 and sets *bad to the length of the
 * maximal subpart (at least 1) that one U+FFFD replaces. The second byte's
 * range depends on the lead (Unicode table 3-7): that is what rules out
 * overlongs, surrogates and values over U+10FFFF. */
static size_t scan_seq(const unsigned char *s, size_t len, uint32_t *cp, size_t *bad)
{
	unsigned char b = s[0];

	*bad = 1;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b < 0xC2 || b > 0xF4 || len < 2)
		return 0;
	if (b < 0xE0) {
		if (!is_cont(s[1]))
			return 0;
		*cp = (uint32_t)(b & 0x1F) << 6 | (s[1] & 0x3F);
		return 2;
	}
	unsigned char lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
	unsigned char hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
	if (s[1] < lo || s[1] > hi)
		return 0;
	*bad = 2;
	if (len < 3 || !is_cont(s[2]))
		return 0;
	if (b < 0xF0) {
		*cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		return 3;
	}
	*bad = 3;
	if (len < 4 || !is_cont(s[3]))
		return 0;
	*cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
	      (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
	return 4;
}

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	size_t bad;
	if (len == 0)
		return 0;
	return scan_seq((const unsigned char *)s, len, cp, &bad);
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

bool utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	uint32_t cp;
	size_t bad;

	while (i < len) {
		if (s[i] < 0x80) {
			i = skip_ascii(s, i, len);
			continue;
		}
		size_t n = scan_seq(s + i, len - i, &cp, &bad);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

char *utf8_repair(const char *str, size_t len, size_t *out_len, size_t *n_invalid)
{
	const unsigned char *s = (const unsigned char *)str;
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, run = 0, count = 0;
	uint32_t cp;
	size_t bad;

	sb_grow(&sb, len);
	while ((i = skip_ascii(s, i, len)) < len) {
		size_t n = scan_seq(s + i, len - i, &cp, &bad);
		if (n) {
			i += n;
			continue;
		}
		sb_append(&sb, s + run, i - run);
		sb_append(&sb, UTF8_REPLACEMENT, 3);
		count++;
		i += bad;
		run = i;
	}
	sb_append(&sb, s + run, len - run);
	if (n_invalid)
		*n_invalid = count;
	return sb_detach(&sb, out_len);
}

size_t utf8_floor_boundary(const char *s, size_t len, size_t pos)
{
	if (pos >= len)
		return len;
	for (int k = 0; k < 3 && pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80; k++)
		pos--;
	return pos;
}

int utf8_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return -1;
	if (cp < 0x300)
		return 1;
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
	/* Where the C library's wcwidth, which curses and most terminals lay
	 * out by, differs from utf8proc's widths: spacing vowel signs and the
	 * prepended concatenation marks take a column, the medial vowels and
	 * final consonants of a Hangul syllable written in jamo none. */
	if (p->category == UTF8PROC_CATEGORY_MC ||
	    (p->category == UTF8PROC_CATEGORY_CF && p->boundclass == UTF8PROC_BOUNDCLASS_PREPEND))
		return 1;
	if (p->boundclass == UTF8PROC_BOUNDCLASS_V || p->boundclass == UTF8PROC_BOUNDCLASS_T)
		return 0;
	return utf8proc_charwidth((utf8proc_int32_t)cp);
}

size_t utf8_display_width(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, width = 0;
	uint32_t cp;
	size_t bad;

	while (i < len) {
		if (s[i] < 0x80) {
			width += s[i] >= 0x20 && s[i] != 0x7F;
			i++;
			continue;
		}
		size_t n = scan_seq(s + i, len - i, &cp, &bad);
		if (n == 0) {
			width++;
			i += bad;
			continue;
		}
		int w = utf8_cp_width(cp);
		if (w > 0)
			width += (size_t)w;
		i += n;
	}
	return width;
}

/* End of a CSI sequence whose parameters start at i: parameter and
 * intermediate bytes, then one final byte. A byte outside the grammar ends
 * the sequence without being consumed. */
static size_t csi_end(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && s[i] >= 0x20 && s[i] <= 0x3F)
		i++;
	if (i < len && s[i] >= 0x40 && s[i] <= 0x7E)
		i++;
	return i;
}

/* End of a control string (OSC, DCS, SOS, PM, APC) whose payload starts at
 * i: after BEL, ST (ESC \, U+009C or a raw 0x9C), CAN or SUB; before an ESC
 * that is not ST (it starts the next sequence); or the end of input. */
static size_t string_end(const unsigned char *s, size_t len, size_t i)
{
	uint32_t cp;
	size_t bad;

	while (i < len) {
		unsigned char c = s[i];
		if (c == 0x07 || c == 0x18 || c == 0x1A || c == 0x9C)
			return i + 1;
		if (c == 0x1B)
			return i + 1 < len && s[i + 1] == '\\' ? i + 2 : i;
		size_t n = scan_seq(s + i, len - i, &cp, &bad);
		if (n == 2 && cp == 0x9C)
			return i + 2;
		i += n ? n : bad;
	}
	return len;
}

/* End of what a C1 control (code point or raw byte c1) introduces, given
 * that the control itself ends at i. */
static size_t c1_end(const unsigned char *s, size_t len, size_t i, uint32_t c1)
{
	switch (c1) {
	case 0x9B:
		return csi_end(s, len, i);
	case 0x90: case 0x98: case 0x9D: case 0x9E: case 0x9F:
		return string_end(s, len, i);
	default:
		return i;
	}
}

/* End of the escape sequence whose ESC is at i. */
static size_t escape_end(const unsigned char *s, size_t len, size_t i)
{
	i++;
	if (i >= len)
		return i;
	switch (s[i]) {
	case '[':
		return csi_end(s, len, i + 1);
	case ']': case 'P': case 'X': case '^': case '_':
		return string_end(s, len, i + 1);
	default:
		break;
	}
	while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
		i++;
	if (i < len && s[i] >= 0x30 && s[i] <= 0x7E)
		i++;
	return i;
}

static bool is_bidi_control(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

enum piece { PIECE_KEEP, PIECE_DROP, PIECE_REMOVE };

/* Classify the piece of input at i and set *end past it. */
static enum piece next_piece(const unsigned char *s, size_t len, size_t i, size_t *end)
{
	unsigned char c = s[i];
	uint32_t cp;
	size_t bad;

	if (c < 0x80) {
		*end = i + 1;
		if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n')
			return PIECE_KEEP;
		if (c == '\r' || c == '\f')
			return PIECE_DROP;
		if (c == 0x1B)
			*end = escape_end(s, len, i);
		return PIECE_REMOVE;
	}
	size_t n = scan_seq(s + i, len - i, &cp, &bad);
	if (n == 0) {
		*end = c <= 0x9F ? c1_end(s, len, i + 1, c) : i + bad;
		return PIECE_REMOVE;
	}
	*end = i + n;
	if (cp <= 0x9F) {
		*end = c1_end(s, len, i + n, cp);
		return PIECE_REMOVE;
	}
	return is_bidi_control(cp) ? PIECE_REMOVE : PIECE_KEEP;
}

char *utf8_sanitize_resumable(const char *str, size_t len, size_t *out_len, size_t *stable_in,
                              size_t *stable_out)
{
	const unsigned char *s = (const unsigned char *)str;
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, run = 0;  /* run: first kept byte not yet copied */
	size_t safe_in = 0, safe_out = 0;
	bool removed = false;   /* a removed run still owes its placeholder */

	sb_grow(&sb, len);
	while (i < len) {
		size_t end;
		enum piece p = next_piece(s, len, i, &end);
		if (p == PIECE_KEEP) {
			if (removed) {
				sb_append(&sb, UTF8_REPLACEMENT, 3);
				removed = false;
			}
			/* a kept character is whole: nothing after it changes it */
			safe_in = end;
			safe_out = sb.len + (end - run);
		} else {
			sb_append(&sb, s + run, i - run);
			run = end;
			removed = removed || p == PIECE_REMOVE;
		}
		i = end;
	}
	sb_append(&sb, s + run, len - run);
	if (removed)
		sb_append(&sb, UTF8_REPLACEMENT, 3);
	if (stable_in)
		*stable_in = safe_in;
	if (stable_out)
		*stable_out = safe_out;
	return sb_detach(&sb, out_len);
}

char *utf8_sanitize(const char *str, size_t len, size_t *out_len)
{
	return utf8_sanitize_resumable(str, len, out_len, NULL, NULL);
}

void utf8_clean_update(struct utf8_clean *c, const char *s, size_t len)
{
	size_t tail_len, tail_in, tail_out;
	if (c->buf && c->of == len)
		return;
	char *tail = utf8_sanitize_resumable(s + c->stable_in, len - c->stable_in, &tail_len, &tail_in, &tail_out);
	c->buf = xrealloc(c->buf, c->stable_out + tail_len + 1);
	memcpy(c->buf + c->stable_out, tail, tail_len + 1);
	free(tail);
	c->len = c->stable_out + tail_len;
	c->stable_in += tail_in;
	c->stable_out += tail_out;
	c->of = len;
}

char *utf8_json_escape_invisible(const char *json)
{
	size_t len = strlen(json), i = 0;
	struct strbuf sb = STRBUF_INIT;
	while (i < len) {
		uint32_t cp;
		size_t n = (unsigned char)json[i] < 0x80 ? 0 : utf8_decode(json + i, len - i, &cp);
		if (n && ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp) || cp == 0x2028 || cp == 0x2029)) {
			sb_printf(&sb, "\\u%04x", (unsigned)cp);
			i += n;
		} else {
			sb_putc(&sb, json[i++]);
		}
	}
	return sb_detach(&sb, NULL);
}
