/* grapheme: extended grapheme clusters (libutf8proc) and the columns they
 * take in the model the app assumes of the terminal. */
#include "core/util/grapheme.h"
#include "core/util/utf8.h"

#include <string.h>
#include <utf8proc.h>

#define ZWSP 0x200B
#define ZWJ 0x200D
#define VS15 0xFE0E
#define VS16 0xFE0F
#define REPLACEMENT 0xFFFD
/* How far grapheme_prev looks back for a sure break, in code points. */
#define SAFE_SCAN (4 * GRAPHEME_MAX_CPS)

static enum grapheme_mode mode_ = GRAPHEME_PER_CODEPOINT;

void grapheme_set_mode(enum grapheme_mode m)
{
	mode_ = m;
}

enum grapheme_mode grapheme_mode(void)
{
	return mode_;
}

int grapheme_mode_parse(const char *name, enum grapheme_mode *m)
{
	if (strcmp(name, "per_codepoint") == 0)
		*m = GRAPHEME_PER_CODEPOINT;
	else if (strcmp(name, "cluster") == 0)
		*m = GRAPHEME_CLUSTER;
	else
		return -1;
	return 0;
}

static bool is_regional_indicator(uint32_t cp)
{
	return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

static int bound_class(uint32_t cp)
{
	return utf8proc_get_property((utf8proc_int32_t)cp)->boundclass;
}

/* The code point at s[i] into *cp; returns its bytes, 0 for an invalid
 * byte. */
static size_t decode(const char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[i];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	return utf8_decode(s + i, len - i, cp);
}

/* What grapheme_next learns about a cluster while reading it. */
struct shape {
	uint32_t first;
	unsigned n, sum;           /* code points, and their widths added up */
	bool vs15, vs16, sara_am;
};

/* The GRAPHEME_CLUSTER rule: drawn whole in one cell of its first
 * character's width (see grapheme.h). */
static bool one_cell(const struct shape *sh)
{
	int w = utf8_cp_width(sh->first);
	return sh->n >= 2 && sh->n <= GRAPHEME_CELL_MAX && (w == 1 || w == 2) &&
	       !(w == 1 && sh->vs16) && !(w == 2 && sh->vs15) && !sh->sara_am &&
	       !is_regional_indicator(sh->first);
}

size_t grapheme_next(const char *s, size_t len, size_t i, struct grapheme *g)
{
	unsigned char c = (unsigned char)s[i];
	uint32_t cp, next;

	g->one_cell = false;
	if (c >= 0x20 && c < 0x7F && (i + 1 >= len || (unsigned char)s[i + 1] < 0x80)) {
		g->cols = 1;
		return i + 1;
	}
	size_t n = decode(s, len, i, &cp);
	if (n == 0) {
		g->cols = 1;
		return i + 1;
	}
	int w = utf8_cp_width(cp);
	if (w < 0) {
		g->cols = 0;
		return i + n;
	}
	struct shape sh = { .first = cp, .n = 1, .sum = (unsigned)w };
	utf8proc_int32_t state = 0;
	size_t end = i + n;
	while (end < len && sh.n < GRAPHEME_MAX_CPS) {
		size_t k = decode(s, len, end, &next);
		if (k == 0 || (w = utf8_cp_width(next)) < 0 ||
		    utf8proc_grapheme_break_stateful((utf8proc_int32_t)cp, (utf8proc_int32_t)next, &state))
			break;
		sh.n++;
		sh.sum += (unsigned)w;
		sh.vs15 = sh.vs15 || next == VS15;
		sh.vs16 = sh.vs16 || next == VS16;
		sh.sara_am = sh.sara_am || next == 0x0E33 || next == 0x0EB3;
		cp = next;
		end += k;
	}
	g->one_cell = mode_ == GRAPHEME_CLUSTER && one_cell(&sh);
	g->cols = g->one_cell ? (unsigned)utf8_cp_width(sh.first) : sh.sum;
	return end;
}

/* True when a cluster always ends between the code points a and b, whatever
 * came before a (UAX #29 rules GB4, GB5, GB9b, GB11 and GB999): around a
 * control, and before a character that continues nothing (a letter, an
 * ideograph, a symbol; an emoji unless a ZWJ joins it) when a is not a
 * prepended mark. */
static bool sure_break(uint32_t a, uint32_t b)
{
	if (utf8_cp_width(a) < 0 || utf8_cp_width(b) < 0)
		return true;
	int ca = bound_class(a), cb = bound_class(b);
	if (ca == UTF8PROC_BOUNDCLASS_CONTROL || cb == UTF8PROC_BOUNDCLASS_CONTROL)
		return true;
	if (ca == UTF8PROC_BOUNDCLASS_PREPEND)
		return false;
	return cb == UTF8PROC_BOUNDCLASS_OTHER ||
	       (cb == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC && ca != UTF8PROC_BOUNDCLASS_ZWJ);
}

/* Start of the code point that ends at i (i > 0), or i - 1 when the bytes
 * before i are not one valid sequence. */
static size_t cp_before(const char *s, size_t i)
{
	size_t p = i - 1;
	uint32_t cp;
	while (p > 0 && i - p < 4 && ((unsigned char)s[p] & 0xC0) == 0x80)
		p--;
	return utf8_decode(s + p, i - p, &cp) == i - p ? p : i - 1;
}

size_t grapheme_prev(const char *s, size_t len, size_t i)
{
	struct grapheme g;
	uint32_t a, b;

	if (i > len)
		i = len;
	if (i == 0)
		return 0;
	size_t p = cp_before(s, i);
	for (int k = 0; p > 0 && k < SAFE_SCAN; k++) {
		size_t q = cp_before(s, p);
		if (decode(s, len, q, &a) != p - q || decode(s, len, p, &b) == 0 || sure_break(a, b))
			break;
		p = q;
	}
	for (;;) {
		size_t next = grapheme_next(s, len, p, &g);
		if (next >= i)
			return p;
		p = next;
	}
}

size_t grapheme_width(const char *s, size_t len)
{
	struct grapheme g;
	size_t i = 0, cols = 0;
	while (i < len) {
		i = grapheme_next(s, len, i, &g);
		cols += g.cols;
	}
	return cols;
}

size_t grapheme_drawn(const char *s, size_t i, size_t end, const struct grapheme *g,
                      uint32_t *out)
{
	size_t n = 0;
	uint32_t cp;

	while (i < end) {
		size_t k = decode(s, end, i, &cp);
		if (k == 0) {
			out[n++] = REPLACEMENT;
			i++;
			continue;
		}
		i += k;
		int w = utf8_cp_width(cp);
		if (w < 0)
			continue;
		if (!g->one_cell) {
			if (cp == ZWJ || cp == VS15 || cp == VS16)
				continue;
			/* A character that takes columns yet belongs to the cluster
			 * before it (a skin tone): a zero width space keeps a
			 * terminal that draws clusters whole from joining them. */
			if (n > 0 && w > 0 && bound_class(cp) == UTF8PROC_BOUNDCLASS_EXTEND)
				out[n++] = ZWSP;
			if (n == 0 && i >= end && is_regional_indicator(cp))
				cp = REPLACEMENT;
		}
		out[n++] = cp;
	}
	return n;
}
