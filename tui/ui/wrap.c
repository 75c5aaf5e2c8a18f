/* wrap: light Markdown into rows of styled runs, wrapped by display width.
 *
 * Each source line is laid out on its own: classify it (fence, code,
 * heading, list item, blank, paragraph), turn its visible text into spans
 * (byte ranges with a style, Markdown markers left out), then cut the spans
 * into rows. The only state carried from line to line is whether a fenced
 * block is open, which is what makes the streaming shortcut in wrap_layout
 * exact: complete lines never change once laid out. */
#include "tui/ui/wrap.h"
#include "core/util/grapheme.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CITE_DIGITS 6
#define MAX_HEADING_LEVEL 6
#define MAX_FENCE_INDENT 3

struct span {
	size_t off, len;
	enum wrap_style style;
	int cite;
};

struct fence {
	bool open;
	char ch;      /* '`' or '~' */
	size_t n;     /* length of the opening run */
};

struct wrap {
	int width;
	struct wrap_row *rows;
	size_t nrows, cap_rows;
	struct wrap_run *runs;
	size_t nruns, cap_runs;
	struct wrap_cite *cites;
	size_t ncites, cap_cites;
	struct span *spans;           /* the current line's, scratch */
	size_t nspans, cap_spans;
	struct fence fence;
	const char *text;             /* during wrap_layout */
	/* What the complete lines of the previous layout left: their bytes (to
	 * check the next text extends them), and the counts and fence state
	 * after them. */
	struct strbuf seen;
	size_t stable_rows, stable_runs, stable_cites;
	struct fence stable_fence;
};

/* A place in the current line's spans: span index and byte offset. */
struct pos {
	size_t si, off;
};

/* Grow *arr (of *cap elements of size sz) to hold at least need. */
static void *grow(void *arr, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	*cap = c;
	return xreallocarray(arr, c, sz);
}

struct wrap *wrap_new(void)
{
	struct wrap *w = xcalloc(1, sizeof(*w));
	w->width = -1;
	return w;
}

void wrap_free(struct wrap **pw)
{
	struct wrap *w = *pw;
	if (!w)
		return;
	free(w->rows);
	free(w->runs);
	free(w->cites);
	free(w->spans);
	sb_free(&w->seen);
	free(w);
	*pw = NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Columns of a tab at col: to the next tab stop, but not past the width
 * (one column when already at or past it). */
static unsigned tab_cols(unsigned col, unsigned width)
{
	unsigned n = WRAP_TAB_COLS - col % WRAP_TAB_COLS;
	if (col + n > width)
		n = col < width ? width - col : 1;
	return n;
}

/* grapheme_next with tabs: a tab at col takes tab_cols columns. */
static inline size_t next_cluster(const char *s, size_t end, size_t i, unsigned col,
                                  unsigned width, unsigned *cw)
{
	struct grapheme g;
	if (s[i] == '\t') {
		*cw = tab_cols(col, width);
		return i + 1;
	}
	i = grapheme_next(s, end, i, &g);
	*cw = g.cols;
	return i;
}

/* --- spans of one line -------------------------------------------------- */

/* Add a span, merged into the previous one when it continues it with the
 * same style (never for tabs and citations: each is a run of its own). */
static void add_span(struct wrap *w, size_t off, size_t len, enum wrap_style style, int cite)
{
	const char *s = w->text;
	struct span *prev = w->nspans ? &w->spans[w->nspans - 1] : NULL;

	if (len == 0)
		return;
	if (prev && !cite && !prev->cite && prev->style == style && prev->off + prev->len == off &&
	    s[prev->off] != '\t' && s[off] != '\t') {
		prev->len += len;
		return;
	}
	w->spans = grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
	w->spans[w->nspans++] = (struct span){ off, len, style, cite };
}

/* Add text[off..off+len) in style, each tab as a span of its own. */
static void add_text(struct wrap *w, size_t off, size_t len, enum wrap_style style)
{
	size_t end = off + len;
	while (off < end) {
		const char *tab = memchr(w->text + off, '\t', end - off);
		size_t stop = tab ? (size_t)(tab - w->text) : end;
		add_span(w, off, stop - off, style, 0);
		if (!tab)
			break;
		add_span(w, stop, 1, style, 0);
		off = stop + 1;
	}
}

enum { K_STAR, K_STAR2, K_UNDER, K_UNDER2, K_COUNT };

/* Inline Markdown state over one line's content s[start..end). */
struct inline_scan {
	struct wrap *w;
	const char *s;
	size_t start, end;
	enum wrap_style base;
	bool em, strong;
	char em_ch, strong_ch;
	size_t last_closer[K_COUNT];   /* last position that can close, +1; 0: none */
	size_t rbracket;               /* next ']' at or after a position, or end */
	bool no_tick, no_paren;        /* no '`' or ')' left on the line */
	size_t lit;                    /* start of text not yet added */
};

static bool space_at(const struct inline_scan *in, size_t i)
{
	return i < in->start || i >= in->end || isspace((unsigned char)in->s[i]);
}

static bool alnum_at(const struct inline_scan *in, size_t i)
{
	return i >= in->start && i < in->end && isalnum((unsigned char)in->s[i]);
}

static enum wrap_style cur_style(const struct inline_scan *in)
{
	if (in->base != WRAP_NORMAL)
		return in->base;
	return in->strong ? WRAP_STRONG : in->em ? WRAP_EMPHASIS : WRAP_NORMAL;
}

/* Add the pending text up to i; markup from i on is handled by the caller. */
static void flush(struct inline_scan *in, size_t i)
{
	if (i > in->lit)
		add_text(in->w, in->lit, i - in->lit, cur_style(in));
	in->lit = i;
}

/* Length of the '*' or '_' run that counts at i: 2 for "**", else 1. */
static size_t marker_len(const struct inline_scan *in, size_t i)
{
	return i + 1 < in->end && in->s[i + 1] == in->s[i] ? 2 : 1;
}

static int marker_kind(char c, size_t n)
{
	return (c == '*' ? K_STAR : K_UNDER) + (n == 2);
}

static bool can_close_at(const struct inline_scan *in, size_t i, size_t n)
{
	return !space_at(in, i - 1) && (in->s[i] == '*' || !alnum_at(in, i + n));
}

/* One pass recording the last place each marker kind could close, so an
 * opener without any closer after it is text, in linear time. */
static void find_closers(struct inline_scan *in)
{
	for (size_t i = in->start; i < in->end;) {
		char c = in->s[i];
		if (c != '*' && c != '_') {
			i++;
			continue;
		}
		size_t n = marker_len(in, i);
		if (i > in->start && can_close_at(in, i, n))
			in->last_closer[marker_kind(c, n)] = i + 1;
		i += n;
	}
}

/* Handle '*' or '_' at i; returns the position after it. */
static size_t emphasis(struct inline_scan *in, size_t i)
{
	char c = in->s[i];
	size_t n = marker_len(in, i);
	bool *open = n == 2 ? &in->strong : &in->em;
	char *open_ch = n == 2 ? &in->strong_ch : &in->em_ch;

	if (*open && *open_ch == c && can_close_at(in, i, n)) {
		flush(in, i);
		*open = false;
		in->lit = i + n;
	} else if (!*open && !space_at(in, i + n) && (c == '*' || !alnum_at(in, i - 1)) &&
	           in->last_closer[marker_kind(c, n)] > i + n + 1) {
		flush(in, i);
		*open = true;
		*open_ch = c;
		in->lit = i + n;
	}
	return i + n;
}

/* Handle '`' at i; returns the position after what was consumed. */
static size_t code_span(struct inline_scan *in, size_t i)
{
	const char *close = in->no_tick ? NULL : memchr(in->s + i + 1, '`', in->end - i - 1);
	if (!close) {
		in->no_tick = true;
		return i + 1;
	}
	size_t c = (size_t)(close - in->s);
	flush(in, i);
	add_text(in->w, i + 1, c - i - 1, WRAP_CODE);
	in->lit = c + 1;
	return c + 1;
}

/* Handle '[' at i: a citation [n] or a link [text](url). */
static size_t bracket(struct inline_scan *in, size_t i)
{
	size_t j = i + 1;
	int n = 0;
	while (j < in->end && j - i <= MAX_CITE_DIGITS && isdigit((unsigned char)in->s[j]))
		n = n * 10 + (in->s[j++] - '0');
	if (j > i + 1 && j - i <= MAX_CITE_DIGITS + 1 && j < in->end && in->s[j] == ']') {
		flush(in, i);
		add_span(in->w, i, j + 1 - i, WRAP_CITATION, n);
		in->lit = j + 1;
		return j + 1;
	}
	if (in->rbracket <= i) {
		const char *rb = memchr(in->s + i, ']', in->end - i);
		in->rbracket = rb ? (size_t)(rb - in->s) : in->end;
	}
	size_t rb = in->rbracket;
	if (rb + 1 >= in->end || rb == i + 1 || in->s[rb + 1] != '(' || in->no_paren)
		return i + 1;
	const char *rp = memchr(in->s + rb + 2, ')', in->end - rb - 2);
	if (!rp) {
		in->no_paren = true;
		return i + 1;
	}
	size_t p = (size_t)(rp - in->s);
	flush(in, i);
	add_text(in->w, i + 1, rb - i - 1, WRAP_LINK);
	add_text(in->w, rb + 1, p - rb, WRAP_URL);
	in->lit = p + 1;
	return p + 1;
}

/* Spans for the inline Markdown of s[start..end) on a base style. */
static void parse_inline(struct wrap *w, size_t start, size_t end, enum wrap_style base)
{
	struct inline_scan in = { .w = w, .s = w->text, .start = start, .end = end,
	                          .base = base, .lit = start };
	find_closers(&in);
	for (size_t i = start; i < end;) {
		char c = in.s[i];
		if (c == '\\' && i + 1 < end && ispunct((unsigned char)in.s[i + 1])) {
			flush(&in, i);
			in.lit = i + 1;
			i += 2;
		} else if (c == '`') {
			i = code_span(&in, i);
		} else if (c == '[') {
			i = bracket(&in, i);
		} else if (c == '*' || c == '_') {
			i = emphasis(&in, i);
		} else {
			i++;
		}
	}
	flush(&in, end);
}

/* --- rows ---------------------------------------------------------------- */

static void push_row(struct wrap *w, unsigned indent, unsigned flags)
{
	w->rows = grow(w->rows, &w->cap_rows, w->nrows + 1, sizeof(*w->rows));
	w->rows[w->nrows++] = (struct wrap_row){ w->nruns, 0, indent, indent, flags };
}

static void push_run(struct wrap *w, size_t off, size_t len, unsigned cols,
                     const struct span *sp)
{
	struct wrap_row *row = &w->rows[w->nrows - 1];
	if (sp->style == WRAP_CITATION && off == sp->off) {
		w->cites = grow(w->cites, &w->cap_cites, w->ncites + 1, sizeof(*w->cites));
		w->cites[w->ncites++] = (struct wrap_cite){ w->nrows - 1, row->cols, sp->cite };
	}
	w->runs = grow(w->runs, &w->cap_runs, w->nruns + 1, sizeof(*w->runs));
	w->runs[w->nruns++] = (struct wrap_run){ off, len, cols, sp->style, sp->cite };
	row->nruns++;
	row->cols += cols;
}

/* Columns of s[from..to) starting at column col. */
static unsigned cols_of(const char *s, size_t from, size_t to, unsigned col, unsigned width)
{
	unsigned start = col, cw;
	size_t i = from;
	while (i < to && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
		i++;
	if (i == to)
		return (unsigned)(to - from);
	while (from < to) {
		from = next_cluster(s, to, from, col, width, &cw);
		col += cw;
	}
	return col - start;
}

/* Emit a row of indent columns holding the spans' bytes in [a, b). */
static void emit_row(struct wrap *w, unsigned indent, struct pos a, struct pos b, unsigned flags)
{
	push_row(w, indent, flags);
	for (size_t si = a.si; si < w->nspans && si <= b.si; si++) {
		const struct span *sp = &w->spans[si];
		size_t from = si == a.si ? a.off : sp->off;
		size_t to = si == b.si ? b.off : sp->off + sp->len;
		if (to > from)
			push_run(w, from, to - from,
			         cols_of(w->text, from, to, w->rows[w->nrows - 1].cols,
			                 (unsigned)w->width), sp);
	}
}

static bool at_end(const struct wrap *w, struct pos p)
{
	return p.si >= w->nspans;
}

/* Advance p to off (inside or at the end of its span). */
static inline struct pos move_to(const struct wrap *w, struct pos p, size_t off)
{
	p.off = off;
	if (off >= w->spans[p.si].off + w->spans[p.si].len) {
		p.si++;
		p.off = p.si < w->nspans ? w->spans[p.si].off : off;
	}
	return p;
}

static inline struct pos after_cluster(const struct wrap *w, struct pos p, unsigned col,
                                       unsigned *cw)
{
	const struct span *sp = &w->spans[p.si];
	return move_to(w, p, next_cluster(w->text, sp->off + sp->len, p.off, col,
	                                  (unsigned)w->width, cw));
}

/* End of the printable ASCII non-blank bytes from p in p's span, at most
 * room of them, stopping before one that a combining mark may follow: the
 * fast path through plain words. */
static inline size_t ascii_word_end(const struct wrap *w, struct pos p, unsigned room)
{
	const char *s = w->text;
	size_t end = w->spans[p.si].off + w->spans[p.si].len, k = p.off;
	size_t stop = end - k > room ? k + room : end;
	while (k < stop && (unsigned char)s[k] > 0x20 && (unsigned char)s[k] < 0x7F)
		k++;
	if (k < end && (unsigned char)s[k] >= 0x80 && k > p.off)
		k--;
	return k;
}

static unsigned clamp_indent(unsigned indent, unsigned width)
{
	return indent > width / 2 ? width / 2 : indent;
}

/* Word-wrap the line's spans: the first row indented by first, the others
 * by rest. Spaces before body (a list marker's) are not break points. */
static void wrap_spans(struct wrap *w, unsigned first, unsigned rest, size_t body)
{
	unsigned width = (unsigned)w->width;
	bool first_row = true;

	if (!w->nspans) {
		push_row(w, clamp_indent(first, width), 0);
		return;
	}
	struct pos p = { 0, w->spans[0].off };
	first = clamp_indent(first, width);
	rest = clamp_indent(rest, width);
	while (!at_end(w, p)) {
		unsigned indent = first_row ? first : rest, avail = width - indent, col = 0, cw;
		if (!first_row) {
			while (!at_end(w, p) && is_blank(w->text[p.off]))
				p = after_cluster(w, p, indent, &cw);
			if (at_end(w, p))
				break;
		}
		struct pos q = p, brk_end = p, brk_next = p, end = p;
		bool have_brk = false, in_blank = false;
		for (;;) {
			if (at_end(w, q)) {
				end = q;
				break;
			}
			bool blank = is_blank(w->text[q.off]);
			struct pos nq = after_cluster(w, q, indent + col, &cw);
			if (blank && !in_blank && q.off >= body && col > 0) {
				brk_end = q;
				have_brk = true;
			}
			if (!blank && in_blank)
				brk_next = q;
			if (!blank && col + cw <= avail) {
				size_t k = ascii_word_end(w, q, avail - col);
				if (k > q.off) {
					col += (unsigned)(k - q.off);
					q = move_to(w, q, k);
					in_blank = false;
					continue;
				}
			}
			if (col + cw > avail) {
				if (col == 0) {
					/* wider than what the indent leaves: alone, with
					 * less indent */
					end = brk_next = nq;
					indent = cw < width ? width - cw : 0;
				} else if (blank) {
					end = have_brk ? brk_end : q;
					brk_next = q;
				} else if (have_brk) {
					end = brk_end;
				} else {
					end = brk_next = q;     /* a word longer than the row */
				}
				break;
			}
			in_blank = blank;
			col += cw;
			q = nq;
		}
		emit_row(w, indent, p, end, 0);
		p = at_end(w, end) ? end : brk_next;
		first_row = false;
	}
}

/* Cut a code line (one span list, no Markdown) at the width, keeping the
 * last column of a cut row for the continuation mark. */
static void wrap_code(struct wrap *w)
{
	unsigned width = (unsigned)w->width, keep = width >= 2 ? width - 1 : width;
	struct pos p = { 0, w->spans[0].off };

	while (!at_end(w, p)) {
		struct pos q = p, fit = p;
		unsigned col = 0, cw;
		bool cut = false;
		while (!at_end(w, q)) {
			struct pos nq = after_cluster(w, q, col, &cw);
			if (col + cw > width) {
				cut = true;
				break;
			}
			col += cw;
			q = nq;
			if (col <= keep)
				fit = q;
		}
		if (!cut) {
			emit_row(w, 0, p, q, 0);
			break;
		}
		if (fit.si == p.si && fit.off == p.off)
			fit = after_cluster(w, p, 0, &cw);
		emit_row(w, 0, p, fit, WRAP_ROW_BROKEN);
		p = fit;
	}
}

/* --- line classes -------------------------------------------------------- */

/* Columns of leading blanks of s[start..end), and where they stop. */
static unsigned leading(const char *s, size_t start, size_t end, size_t *stop)
{
	unsigned col = 0;
	size_t i = start;
	for (; i < end && is_blank(s[i]); i++)
		col += s[i] == '\t' ? tab_cols(col, UINT_MAX) : 1;
	*stop = i;
	return col;
}

/* A fence run of 3+ '`' or '~' at s[i]: its length, else 0. */
static size_t fence_run(const char *s, size_t i, size_t end)
{
	size_t n = 0;
	if (i >= end || (s[i] != '`' && s[i] != '~'))
		return 0;
	while (i + n < end && s[i + n] == s[i])
		n++;
	return n >= 3 ? n : 0;
}

/* Update the fence state for the line; true when the line is a fence. */
static bool fence_line(struct wrap *w, size_t start, size_t end)
{
	const char *s = w->text;
	size_t i;
	if (leading(s, start, end, &i) > MAX_FENCE_INDENT)
		return false;
	size_t n = fence_run(s, i, end);
	if (!n)
		return false;
	if (!w->fence.open) {
		w->fence = (struct fence){ true, s[i], n };
		return true;
	}
	if (s[i] != w->fence.ch || n < w->fence.n)
		return false;
	for (size_t j = i + n; j < end; j++)
		if (!is_blank(s[j]))
			return false;
	w->fence.open = false;
	return true;
}

/* Length of a list marker at s[i] ("-", "*", "+", "12.", "3)") followed by
 * a blank, else 0. */
static size_t list_marker(const char *s, size_t i, size_t end)
{
	size_t n = 0;
	if (i < end && (s[i] == '-' || s[i] == '*' || s[i] == '+'))
		n = 1;
	else {
		while (i + n < end && n < 9 && isdigit((unsigned char)s[i + n]))
			n++;
		if (n == 0 || i + n >= end || (s[i + n] != '.' && s[i + n] != ')'))
			return 0;
		n++;
	}
	return i + n < end && is_blank(s[i + n]) ? n : 0;
}

/* Heading level at s[i] ("## x"), else 0. */
static size_t heading_level(const char *s, size_t i, size_t end)
{
	size_t n = 0;
	while (i + n < end && s[i + n] == '#' && n <= MAX_HEADING_LEVEL)
		n++;
	if (n == 0 || n > MAX_HEADING_LEVEL || (i + n < end && !is_blank(s[i + n])))
		return 0;
	return n;
}

static void layout_line(struct wrap *w, size_t start, size_t end)
{
	const char *s = w->text;
	size_t i, n;

	w->nspans = 0;
	if (fence_line(w, start, end))
		return;
	if (w->fence.open) {
		add_text(w, start, end - start, WRAP_CODE_BLOCK);
		if (w->nspans)
			wrap_code(w);
		else
			push_row(w, 0, 0);
		return;
	}
	unsigned lead = leading(s, start, end, &i);
	if (i == end) {
		push_row(w, 0, 0);
	} else if (lead <= MAX_FENCE_INDENT && (n = heading_level(s, i, end))) {
		for (i += n; i < end && is_blank(s[i]); i++)
			;
		while (end > i && is_blank(s[end - 1]))
			end--;
		parse_inline(w, i, end, WRAP_HEADING);
		wrap_spans(w, 0, 0, i);
	} else if ((n = list_marker(s, i, end))) {
		size_t body;
		unsigned hang = lead + (unsigned)n;
		hang += leading(s, i + n, end, &body);
		add_span(w, i, n, WRAP_LIST_BULLET, 0);
		add_text(w, i + n, body - i - n, WRAP_NORMAL);
		parse_inline(w, body, end, WRAP_NORMAL);
		wrap_spans(w, lead, hang, body);
	} else {
		parse_inline(w, i, end, WRAP_NORMAL);
		wrap_spans(w, lead, lead, i);
	}
}

/* --- public ---------------------------------------------------------------- */

void wrap_layout(struct wrap *w, const char *text, size_t len, int width)
{
	size_t off = w->seen.len;

	if (width < 1)
		width = 1;
	if (width != w->width || len < off || memcmp(text, sb_str(&w->seen), off) != 0) {
		w->width = width;
		sb_reset(&w->seen);
		w->stable_rows = w->stable_runs = w->stable_cites = 0;
		w->stable_fence = (struct fence){ false, 0, 0 };
		off = 0;
	}
	w->nrows = w->stable_rows;
	w->nruns = w->stable_runs;
	w->ncites = w->stable_cites;
	w->fence = w->stable_fence;
	w->text = text;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len;
		layout_line(w, off, end);
		if (!nl)
			break;
		sb_append(&w->seen, text + off, end + 1 - off);
		w->stable_rows = w->nrows;
		w->stable_runs = w->nruns;
		w->stable_cites = w->ncites;
		w->stable_fence = w->fence;
		off = end + 1;
	}
	w->text = NULL;
}

size_t wrap_row_count(const struct wrap *w)
{
	return w->nrows;
}

const struct wrap_row *wrap_row(const struct wrap *w, size_t i)
{
	return &w->rows[i];
}

const struct wrap_run *wrap_row_runs(const struct wrap *w, size_t i, size_t *n)
{
	*n = w->rows[i].nruns;
	return *n ? w->runs + w->rows[i].first_run : NULL;
}

const struct wrap_cite *wrap_cites(const struct wrap *w, size_t *n)
{
	*n = w->ncites;
	return w->cites;
}

static const char *const dump_tags[WRAP_STYLE_COUNT] = {
	[WRAP_HEADING] = "H", [WRAP_EMPHASIS] = "E", [WRAP_STRONG] = "S",
	[WRAP_CODE] = "C", [WRAP_CODE_BLOCK] = "B", [WRAP_LIST_BULLET] = "L",
	[WRAP_CITATION] = "R", [WRAP_LINK] = "K", [WRAP_URL] = "U",
};

void wrap_dump(const struct wrap *w, const char *text, struct strbuf *out)
{
	for (size_t r = 0; r < w->nrows; r++) {
		const struct wrap_row *row = &w->rows[r];
		for (unsigned k = 0; k < row->indent; k++)
			sb_putc(out, ' ');
		for (size_t k = 0; k < row->nruns; k++) {
			const struct wrap_run *run = &w->runs[row->first_run + k];
			const char *tag = dump_tags[run->style];
			if (tag)
				sb_printf(out, "{%s", tag);
			if (run->style == WRAP_CITATION)
				sb_printf(out, "%d", run->cite);
			if (tag)
				sb_putc(out, ':');
			if (text[run->off] == '\t')
				for (unsigned c = 0; c < run->cols; c++)
					sb_putc(out, ' ');
			else
				sb_append(out, text + run->off, run->len);
			if (tag)
				sb_putc(out, '}');
		}
		if (row->flags & WRAP_ROW_BROKEN)
			sb_putc(out, '\\');
		sb_putc(out, '\n');
	}
}
