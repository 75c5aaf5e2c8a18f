/* RST section titles -> "#" headings, keeping every line where it was. */
#include "core/ingest/loader_int.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ADORNMENT_CHARS "=-~^\"'`#*+:._"
#define MAX_STYLES 16
#define MAX_LEVEL 6

struct line {
	const char *s;
	size_t len; /* without the '\n' */
};

/* An adornment style: its character and whether it has an overline. */
struct style {
	char c;
	bool over;
};

struct rst {
	struct line *lines;
	size_t n;
	struct style styles[MAX_STYLES]; /* in order of first appearance */
	size_t n_styles;
};

static bool is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_blank_line(struct line l)
{
	for (size_t i = 0; i < l.len; i++) {
		if (!is_blank_char(l.s[i]))
			return false;
	}
	return true;
}

/* The line's text without surrounding blanks. */
static struct line trimmed(struct line l)
{
	while (l.len > 0 && is_blank_char(l.s[0])) {
		l.s++;
		l.len--;
	}
	while (l.len > 0 && is_blank_char(l.s[l.len - 1]))
		l.len--;
	return l;
}

/* The adornment character when l is at least two of one punctuation
 * character (trailing blanks allowed), else 0; *width is its length. */
static char adornment(struct line l, size_t *width)
{
	size_t n = l.len;
	while (n > 0 && is_blank_char(l.s[n - 1]))
		n--;
	if (n < 2 || !strchr(ADORNMENT_CHARS, l.s[0]))
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (l.s[i] != l.s[0])
			return 0;
	}
	*width = n;
	return l.s[0];
}

static bool fits_title(struct line t, size_t width)
{
	size_t w;
	struct line text = trimmed(t);
	return text.len > 0 && !adornment(t, &w) && utf8_display_width(text.s, text.len) <= width;
}

/* Heading level of a style, by order of first appearance. */
static int level_of(struct rst *r, char c, bool over)
{
	size_t i;
	for (i = 0; i < r->n_styles; i++) {
		if (r->styles[i].c == c && r->styles[i].over == over)
			break;
	}
	if (i == r->n_styles && i < MAX_STYLES)
		r->styles[r->n_styles++] = (struct style){ c, over };
	return i + 1 < MAX_LEVEL ? (int)i + 1 : MAX_LEVEL;
}

/* Lines spanned by a section title starting at line i (3 with an overline,
 * 2 without, 0 when there is none); *title is the index of its text line. */
static size_t match_title(struct rst *r, size_t i, size_t *title, int *level)
{
	size_t w1, w2;
	char c = adornment(r->lines[i], &w1);

	if (c) {
		if (i + 2 < r->n && adornment(r->lines[i + 2], &w2) == c && w2 == w1 &&
		    fits_title(r->lines[i + 1], w1)) {
			*title = i + 1;
			*level = level_of(r, c, true);
			return 3;
		}
		return 0;
	}
	if (i + 1 >= r->n || r->lines[i].len == 0 || is_blank_char(r->lines[i].s[0]))
		return 0;
	c = adornment(r->lines[i + 1], &w2);
	if (!c || !fits_title(r->lines[i], w2))
		return 0;
	*title = i;
	*level = level_of(r, c, false);
	return 2;
}

static void split_lines(struct rst *r, const char *s, size_t len)
{
	size_t cap = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
		if (r->n == cap) {
			cap = cap ? cap * 2 : 256;
			r->lines = xreallocarray(r->lines, cap, sizeof *r->lines);
		}
		r->lines[r->n++] = (struct line){ s + pos, n };
		pos += n + 1;
	}
}

/* End line k with its '\n' unless it is the last line and the text had
 * none. */
static void end_line(const struct rst *r, size_t k, bool ends_with_newline, struct strbuf *out)
{
	if (k + 1 < r->n || ends_with_newline)
		sb_putc(out, '\n');
}

void loader_rst_convert(const char *s, size_t len, struct strbuf *out, char **title)
{
	struct rst r = { 0 };
	bool ends_with_newline = len > 0 && s[len - 1] == '\n';
	bool may_start = true; /* a title follows the start, a blank line or a title */

	(void)title;
	split_lines(&r, s, len);
	sb_grow(out, len + len / 8);
	for (size_t i = 0; i < r.n;) {
		size_t title_line = 0, span = 0;
		int level = 0;
		if (may_start)
			span = match_title(&r, i, &title_line, &level);
		if (span == 0) {
			sb_append(out, r.lines[i].s, r.lines[i].len);
			end_line(&r, i, ends_with_newline, out);
			may_start = is_blank_line(r.lines[i]);
			i++;
			continue;
		}
		/* Adornment lines become empty lines, so line numbers hold. */
		for (size_t k = i; k < i + span; k++) {
			if (k == title_line) {
				struct line t = trimmed(r.lines[k]);
				for (int h = 0; h < level; h++)
					sb_putc(out, '#');
				sb_putc(out, ' ');
				sb_append(out, t.s, t.len);
			}
			end_line(&r, k, ends_with_newline, out);
		}
		i += span;
		may_start = true;
	}
	free(r.lines);
}
