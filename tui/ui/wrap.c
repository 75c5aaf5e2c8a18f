/* wrap: text into rows of styled runs, wrapped by display width.
 *
 * A line to lay out is first turned into spans (byte ranges with a style,
 * of the text or of the arena of drawn-only bytes), then cut into rows that
 * start with a prefix (quote bars, a list marker, a code box's side).
 * Markdown blocks come from wrap_md.c; this file has the rows, the code
 * boxes and the streaming driver, which splits the text into pieces whose
 * layout never changes once they are complete: lines of plain text, lines
 * of a fenced code block, and Markdown blocks that end at a blank line
 * followed by an unindented one. */
#include "tui/ui/wrap.h"
#include "tui/ui/wrap_int.h"
#include "tui/ui/highlight.h"
#include "core/util/grapheme.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CITE_DIGITS 6
#define MAX_FENCE_INDENT 3
#define MIN_FENCE 3

/* A place in the current line's spans: span index and byte offset. */
struct pos {
	size_t si, off;
};

void *wrap_grow(void *arr, size_t *cap, size_t need, size_t sz)
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
	w->markdown = true;
	w->record_cites = true;
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
	free(w->blocks);
	free(w->spans);
	sb_free(&w->lits);
	sb_free(&w->md_input);
	sb_free(&w->seen);
	free(w);
	*pw = NULL;
}

void wrap_set_markdown(struct wrap *w, bool on)
{
	if (w->markdown != on)
		w->width = -1;
	w->markdown = on;
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

static inline const char *span_base(const struct wrap *w, const struct span *sp)
{
	return sp->lit ? w->lits.buf : w->text;
}

/* --- spans --------------------------------------------------------------- */

size_t wrap_lit(struct wrap *w, const char *s, size_t n)
{
	size_t off = w->lits.len;
	sb_append(&w->lits, s, n);
	return off;
}

unsigned wrap_lit_cols(const struct wrap *w, size_t off, size_t len)
{
	return (unsigned)grapheme_width(w->lits.buf + off, len);
}

void wrap_add_span(struct wrap *w, size_t off, size_t len, enum wrap_style style, int cite, bool lit)
{
	struct span *prev = w->nspans ? &w->spans[w->nspans - 1] : NULL;

	if (len == 0)
		return;
	const char *s = lit ? w->lits.buf : w->text;
	if (prev && !cite && !prev->cite && prev->style == style && prev->lit == lit &&
	    prev->off + prev->len == off && s[prev->off] != '\t' && s[off] != '\t') {
		prev->len += len;
		return;
	}
	w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
	w->spans[w->nspans++] = (struct span){ off, len, style, cite, lit, 0 };
}

void wrap_add_text(struct wrap *w, size_t off, size_t len, enum wrap_style style)
{
	size_t end = off + len;
	while (off < end) {
		const char *tab = memchr(w->text + off, '\t', end - off);
		size_t stop = tab ? (size_t)(tab - w->text) : end;
		wrap_add_span(w, off, stop - off, style, 0, false);
		if (!tab)
			break;
		wrap_add_span(w, stop, 1, style, 0, false);
		off = stop + 1;
	}
}

void wrap_add_lit(struct wrap *w, const char *s, enum wrap_style style)
{
	size_t n = strlen(s);
	wrap_add_span(w, wrap_lit(w, s, n), n, style, 0, true);
}

static bool cites_in(enum wrap_style s)
{
	return s == WRAP_NORMAL || s == WRAP_EMPHASIS || s == WRAP_STRONG || s == WRAP_HEADING ||
	       s == WRAP_TABLE_HEAD || s == WRAP_STRIKE;
}

/* Length of a citation "[n]" at s[i..end), else 0; its number in *n. */
static size_t citation_at(const char *s, size_t i, size_t end, int *n)
{
	size_t j = i + 1;
	*n = 0;
	if (s[i] != '[')
		return 0;
	while (j < end && j - i <= MAX_CITE_DIGITS && isdigit((unsigned char)s[j]))
		*n = *n * 10 + (s[j++] - '0');
	return j > i + 1 && j - i <= MAX_CITE_DIGITS + 1 && j < end && s[j] == ']' ? j + 1 - i : 0;
}

void wrap_split_citations(struct wrap *w, size_t from)
{
	size_t n = w->nspans;
	struct span *old = NULL;
	size_t i;
	for (i = from; i < n; i++)
		if (!w->spans[i].lit && cites_in(w->spans[i].style) &&
		    memchr(w->text + w->spans[i].off, '[', w->spans[i].len))
			break;
	if (i == n)
		return;
	old = xmemdup(w->spans + from, (n - from) * sizeof(*old));
	w->nspans = from;
	for (i = 0; i < n - from; i++) {
		struct span sp = old[i];
		if (sp.lit || !cites_in(sp.style)) {
			w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
			w->spans[w->nspans++] = sp;
			continue;
		}
		size_t end = sp.off + sp.len, lit = sp.off;
		for (size_t k = sp.off; k < end;) {
			int num;
			size_t c = citation_at(w->text, k, end, &num);
			if (!c) {
				k++;
				continue;
			}
			wrap_add_span(w, lit, k - lit, sp.style, 0, false);
			wrap_add_span(w, k, c, WRAP_CITATION, num, false);
			k += c;
			lit = k;
		}
		wrap_add_span(w, lit, end - lit, sp.style, 0, false);
	}
	free(old);
}

/* --- prefixes and rows --------------------------------------------------- */

void prefix_add(struct wrap *w, struct prefix *pre, const char *s, enum wrap_style style)
{
	size_t n = strlen(s);
	if (pre->n == sizeof pre->p / sizeof pre->p[0])
		return;
	size_t off = wrap_lit(w, s, n);
	unsigned cols = wrap_lit_cols(w, off, n);
	pre->p[pre->n++] = (struct piece){ off, n, cols, style, false };
	pre->cols += cols;
}

void prefix_add_blank(struct prefix *pre, unsigned cols)
{
	if (cols == 0 || pre->n == sizeof pre->p / sizeof pre->p[0])
		return;
	pre->p[pre->n++] = (struct piece){ 0, 0, cols, WRAP_NORMAL, true };
	pre->cols += cols;
}

static const char spaces[] = "                                ";

void wrap_push_lit(struct wrap *w, const char *s, size_t n, enum wrap_style style)
{
	size_t off = wrap_lit(w, s, n);
	struct wrap_run run = { off, n, wrap_lit_cols(w, off, n), style, 0, true, 0 };
	wrap_push_run(w, &run, false);
}

void wrap_push_blank(struct wrap *w, unsigned cols)
{
	struct wrap_row *row = &w->rows[w->nrows - 1];
	if (row->nruns == 0) {
		row->indent += cols;
		row->cols += cols;
		return;
	}
	while (cols > 0) {
		unsigned k = cols < sizeof spaces - 1 ? cols : (unsigned)(sizeof spaces - 1);
		wrap_push_lit(w, spaces, k, WRAP_NORMAL);
		cols -= k;
	}
}

/* pre, or blank half the width when pre takes more than that. */
static const struct prefix *clamp_prefix(const struct prefix *pre, unsigned width, struct prefix *tmp)
{
	if (pre->cols <= width / 2)
		return pre;
	*tmp = (struct prefix){ 0 };
	prefix_add_blank(tmp, width / 2);
	return tmp;
}

void wrap_push_row(struct wrap *w, const struct prefix *pre, unsigned flags)
{
	struct prefix tmp;
	if (pre)
		pre = clamp_prefix(pre, (unsigned)w->width, &tmp);
	w->rows = wrap_grow(w->rows, &w->cap_rows, w->nrows + 1, sizeof(*w->rows));
	w->rows[w->nrows++] = (struct wrap_row){ w->nruns, 0, 0, 0, flags };
	for (size_t i = 0; pre && i < pre->n; i++) {
		const struct piece *pc = &pre->p[i];
		if (pc->blank) {
			wrap_push_blank(w, pc->cols);
			continue;
		}
		struct wrap_run run = { pc->off, pc->len, pc->cols, pc->style, 0, true, 0 };
		wrap_push_run(w, &run, false);
	}
}

void wrap_push_run(struct wrap *w, const struct wrap_run *run, bool cite_start)
{
	struct wrap_row *row = &w->rows[w->nrows - 1];
	if (run->style == WRAP_CITATION && cite_start && w->record_cites) {
		w->cites = wrap_grow(w->cites, &w->cap_cites, w->ncites + 1, sizeof(*w->cites));
		w->cites[w->ncites++] = (struct wrap_cite){ w->nrows - 1, row->cols, run->cite };
	}
	w->runs = wrap_grow(w->runs, &w->cap_runs, w->nruns + 1, sizeof(*w->runs));
	w->runs[w->nruns++] = *run;
	row->nruns++;
	row->cols += run->cols;
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

/* Emit a row starting with pre and holding the spans' bytes in [a, b);
 * tab stops count from column origin. */
static void emit_row(struct wrap *w, const struct prefix *pre, struct pos a, struct pos b, unsigned flags,
                     unsigned origin)
{
	wrap_push_row(w, pre, flags);
	for (size_t si = a.si; si < w->nspans && si <= b.si; si++) {
		const struct span *sp = &w->spans[si];
		size_t from = si == a.si ? a.off : sp->off;
		size_t to = si == b.si ? b.off : sp->off + sp->len;
		if (to <= from)
			continue;
		struct wrap_run run = { from, to - from,
		                        cols_of(span_base(w, sp), from, to, w->rows[w->nrows - 1].cols - origin,
		                                (unsigned)w->width - origin),
		                        sp->style, sp->cite, sp->lit, sp->hl };
		wrap_push_run(w, &run, from == sp->off);
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

static inline char byte_at(const struct wrap *w, struct pos p)
{
	return span_base(w, &w->spans[p.si])[p.off];
}

static inline struct pos after_cluster(const struct wrap *w, struct pos p, unsigned col,
                                       unsigned *cw)
{
	const struct span *sp = &w->spans[p.si];
	return move_to(w, p, next_cluster(span_base(w, sp), sp->off + sp->len, p.off, col,
	                                  (unsigned)w->width, cw));
}

/* End of the printable ASCII non-blank bytes from p in p's span, at most
 * room of them, stopping before one that a combining mark may follow: the
 * fast path through plain words. */
static inline size_t ascii_word_end(const struct wrap *w, struct pos p, unsigned room)
{
	const char *s = span_base(w, &w->spans[p.si]);
	size_t end = w->spans[p.si].off + w->spans[p.si].len, k = p.off;
	size_t stop = end - k > room ? k + room : end;
	while (k < stop && (unsigned char)s[k] > 0x20 && (unsigned char)s[k] < 0x7F)
		k++;
	if (k < end && (unsigned char)s[k] >= 0x80 && k > p.off)
		k--;
	return k;
}

void wrap_fill(struct wrap *w, const struct prefix *first, const struct prefix *rest, size_t body)
{
	unsigned width = (unsigned)w->width;
	struct prefix tf, tr, lone = { 0 };
	bool first_row = true;

	first = clamp_prefix(first, width, &tf);
	rest = clamp_prefix(rest, width, &tr);
	if (!w->nspans) {
		wrap_push_row(w, first, 0);
		return;
	}
	struct pos p = { 0, w->spans[0].off };
	while (!at_end(w, p)) {
		const struct prefix *pre = first_row ? first : rest;
		unsigned avail = width - pre->cols, col = 0, cw;
		if (!first_row) {
			while (!at_end(w, p) && is_blank(byte_at(w, p)))
				p = after_cluster(w, p, pre->cols, &cw);
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
			bool blank = is_blank(byte_at(w, q));
			bool breakable = w->spans[q.si].lit || q.off >= body;
			struct pos nq = after_cluster(w, q, pre->cols + col, &cw);
			if (blank && !in_blank && breakable && col > 0) {
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
					/* wider than what the prefix leaves: alone, with
					 * less indent */
					end = brk_next = nq;
					lone = (struct prefix){ 0 };
					prefix_add_blank(&lone, cw < width ? width - cw : 0);
					pre = &lone;
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
		emit_row(w, pre, p, end, 0, 0);
		p = at_end(w, end) ? end : brk_next;
		first_row = false;
	}
	w->nspans = 0;
}

/* --- code boxes ---------------------------------------------------------- */

static const char hbar[] = "────────────────────────────────";

/* Append cols columns of '─' to the last row. */
static void push_hbar(struct wrap *w, unsigned cols, enum wrap_style style)
{
	const unsigned per = (unsigned)(sizeof hbar - 1) / 3;
	while (cols > 0) {
		unsigned k = cols < per ? cols : per;
		wrap_push_lit(w, hbar, (size_t)k * 3, style);
		cols -= k;
	}
}

/* Columns left on the last row. */
static unsigned room(const struct wrap *w)
{
	unsigned used = w->rows[w->nrows - 1].cols;
	return used < (unsigned)w->width ? (unsigned)w->width - used : 0;
}

void wrap_code_open(struct wrap *w, const struct prefix *pre, const char *lang, size_t lang_len)
{
	struct prefix tmp;
	pre = clamp_prefix(pre, (unsigned)w->width, &tmp);
	w->blocks = wrap_grow(w->blocks, &w->cap_blocks, w->nblocks + 1, sizeof(*w->blocks));
	w->blocks[w->nblocks] = (struct wrap_block){ w->nrows, 1, false };
	wrap_push_row(w, pre, 0);
	wrap_push_lit(w, "╭", strlen("╭"), WRAP_CODE_FRAME);
	if (room(w) > 0)
		wrap_push_lit(w, "─", strlen("─"), WRAP_CODE_FRAME);
	if (lang_len > 0 && room(w) > 2) {
		size_t off = wrap_lit(w, lang, lang_len);
		unsigned cols = wrap_lit_cols(w, off, lang_len);
		if (cols + 2 <= room(w)) {
			wrap_push_lit(w, " ", 1, WRAP_CODE_FRAME);
			struct wrap_run run = { off, lang_len, cols, WRAP_CODE_LANG, 0, true, 0 };
			wrap_push_run(w, &run, false);
			wrap_push_lit(w, " ", 1, WRAP_CODE_FRAME);
		}
	}
	push_hbar(w, room(w), WRAP_CODE_FRAME);
	w->code = (struct code_seg){ .open = true, .lang = (unsigned char)hl_lang_from_name(lang, lang_len),
	                             .hl_state = HL_STATE_START, .pre = *pre, .block = w->nblocks++ };
	struct prefix *side = &w->code.pre;
	if (side->n < sizeof side->p / sizeof side->p[0]) {
		size_t off = wrap_lit(w, "│ ", strlen("│ "));
		side->p[side->n++] = (struct piece){ off, strlen("│ "), 2, WRAP_CODE_FRAME, false };
		side->cols += 2;
	}
}

/* Most classes one code line is split into; past them the rest is plain. */
#define MAX_HL_SPANS 256

/* Split the current line's spans by the highlighter's classes when they
 * are one contiguous range of the text (a code line always is, save for
 * what md4c hands from its own storage), and step the block's state. */
static void highlight_line(struct wrap *w)
{
	struct hl_span hs[MAX_HL_SPANS];
	size_t n = 0, k = 0;
	for (size_t i = 0; i < w->nspans; i++)
		if (w->spans[i].lit || (i && w->spans[i - 1].off + w->spans[i - 1].len != w->spans[i].off))
			return;
	size_t start = w->nspans ? w->spans[0].off : 0;
	size_t len = w->nspans ? w->spans[w->nspans - 1].off + w->spans[w->nspans - 1].len - start : 0;
	w->code.hl_state = hl_line((enum hl_lang)w->code.lang, w->code.hl_state, w->text + start, len, hs,
	                           MAX_HL_SPANS, &n);
	if (n == 0 || (n == 1 && hs[0].cls == HL_PLAIN))
		return;
	struct span *old = xmemdup(w->spans, w->nspans * sizeof *old);
	size_t nold = w->nspans;
	w->nspans = 0;
	for (size_t i = 0; i < nold; i++) {
		size_t off = old[i].off, end = off + old[i].len;
		while (off < end) {
			while (k < n && start + hs[k].off + hs[k].len <= off)
				k++;
			size_t stop = k < n && start + hs[k].off + hs[k].len < end ? start + hs[k].off + hs[k].len : end;
			struct span sp = old[i];
			sp.off = off;
			sp.len = stop - off;
			sp.hl = k < n ? (unsigned char)hs[k].cls : HL_PLAIN;
			w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
			w->spans[w->nspans++] = sp;
			off = stop;
		}
	}
	free(old);
}

void wrap_code_line(struct wrap *w)
{
	struct prefix tmp;
	const struct prefix *pre = clamp_prefix(&w->code.pre, (unsigned)w->width, &tmp);
	unsigned width = (unsigned)w->width;
	unsigned avail = pre->cols < width ? width - pre->cols : 1;
	unsigned keep = avail >= 2 ? avail - 1 : avail;

	if (w->code.lang != HL_LANG_NONE)
		highlight_line(w);
	if (!w->nspans) {
		wrap_push_row(w, pre, 0);
	} else {
		struct pos p = { 0, w->spans[0].off };
		while (!at_end(w, p)) {
			struct pos q = p, fit = p;
			unsigned col = 0, cw;
			bool cut = false;
			while (!at_end(w, q)) {
				struct pos nq = after_cluster(w, q, col, &cw);
				if (col + cw > avail) {
					cut = true;
					break;
				}
				col += cw;
				q = nq;
				if (col <= keep)
					fit = q;
			}
			if (!cut) {
				emit_row(w, pre, p, q, 0, pre->cols);
				break;
			}
			if (fit.si == p.si && fit.off == p.off)
				fit = after_cluster(w, p, 0, &cw);
			emit_row(w, pre, p, fit, WRAP_ROW_BROKEN, pre->cols);
			p = fit;
		}
	}
	w->nspans = 0;
	w->blocks[w->code.block].nrows = w->nrows - w->blocks[w->code.block].first_row;
}

void wrap_code_close(struct wrap *w)
{
	struct prefix pre = w->code.pre;
	pre.n--;    /* without the box's side */
	pre.cols -= 2;
	wrap_push_row(w, &pre, 0);
	wrap_push_lit(w, "╰", strlen("╰"), WRAP_CODE_FRAME);
	push_hbar(w, room(w), WRAP_CODE_FRAME);
	w->code.open = false;
	w->blocks[w->code.block].nrows = w->nrows - w->blocks[w->code.block].first_row;
	w->blocks[w->code.block].closed = true;
}

/* --- the text, piece by piece -------------------------------------------- */

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
	if (n < MIN_FENCE)
		return 0;
	if (s[i] == '`' && memchr(s + i + n, '`', end - i - n))
		return 0;   /* a backtick fence's info string has none */
	return n;
}

/* s[start..end) closes a fence of n ch's. */
static bool closes_fence(const char *s, size_t start, size_t end, char ch, size_t n)
{
	size_t i;
	if (leading(s, start, end, &i) > MAX_FENCE_INDENT || i >= end || s[i] != ch)
		return false;
	size_t k = 0;
	while (i + k < end && s[i + k] == ch)
		k++;
	if (k < n)
		return false;
	for (i += k; i < end; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

static bool blank_line(const char *s, size_t start, size_t end)
{
	size_t i;
	leading(s, start, end, &i);
	return i == end;
}

/* Keep what the layout holds now as the stable point at text offset off. */
static void mark_stable(struct wrap *w, size_t off)
{
	sb_append(&w->seen, w->text + w->seen.len, off - w->seen.len);
	w->stable = (struct wrap_mark){ w->nrows, w->nruns, w->ncites, w->nblocks, w->lits.len, w->code };
}

static size_t line_end(const struct wrap *w, size_t off, bool *complete)
{
	const char *nl = memchr(w->text + off, '\n', w->text_len - off);
	*complete = nl != NULL;
	return nl ? (size_t)(nl - w->text) : w->text_len;
}

static void layout_plain(struct wrap *w, size_t off)
{
	while (off < w->text_len) {
		bool complete;
		size_t end = line_end(w, off, &complete), i;
		struct prefix pre = { 0 };
		unsigned lead = leading(w->text, off, end, &i);
		prefix_add_blank(&pre, i < end ? lead : 0);
		w->nspans = 0;
		w->work += end - off + complete;
		wrap_add_text(w, i, end - i, WRAP_NORMAL);
		wrap_fill(w, &pre, &pre, i);
		if (!complete)
			break;
		off = end + 1;
		mark_stable(w, off);
	}
}

/* Lines of the open code segment from off: each complete one is stable.
 * Returns where the text after the segment starts, or len. */
static size_t layout_code(struct wrap *w, size_t off)
{
	while (off < w->text_len) {
		bool complete;
		size_t end = line_end(w, off, &complete);
		w->work += end - off + complete;
		if (closes_fence(w->text, off, end, w->code.ch, w->code.n)) {
			/* an answer often ends on its closing fence with no newline:
			 * closed for now, settled once the line is whole */
			wrap_code_close(w);
			if (!complete)
				return w->text_len;
			mark_stable(w, end + 1);
			return end + 1;
		}
		w->nspans = 0;
		wrap_add_text(w, off, end - off, WRAP_CODE_BLOCK);
		wrap_code_line(w);
		if (!complete)
			return w->text_len;
		off = end + 1;
		mark_stable(w, off);
	}
	return off;
}

/* The end of the Markdown block run from off: the start of a (complete)
 * line that opens an unindented fence, or of an unindented line after a
 * blank one, outside any fence; len when the text ends first. */
static size_t markdown_end(const struct wrap *w, size_t off, bool *found)
{
	const char *s = w->text;
	bool prev_blank = false, in_fence = false;
	char ch = 0;
	size_t n = 0;
	*found = false;
	for (size_t l = off; l < w->text_len;) {
		bool complete;
		size_t end = line_end(w, l, &complete), i;
		unsigned lead = leading(s, l, end, &i);
		if (in_fence) {
			if (complete && closes_fence(s, l, end, ch, n))
				in_fence = false;
		} else if (l > off && lead == 0 && ((complete && fence_run(s, i, end)) || (prev_blank && i < end))) {
			/* a fence only once its line is whole: "```" may grow an
			 * info string that makes it text */
			*found = true;
			return l;
		} else if (lead <= MAX_FENCE_INDENT && (n = fence_run(s, i, end))) {
			in_fence = true;
			ch = s[i];
		}
		prev_blank = blank_line(s, l, end);
		if (!complete)
			break;
		l = end + 1;
	}
	return w->text_len;
}

/* The line before off (off at a line start) is blank. */
static bool after_blank(const struct wrap *w, size_t off)
{
	if (off < 2)
		return false;
	size_t start = off - 1;
	while (start > 0 && w->text[start - 1] != '\n')
		start--;
	return blank_line(w->text, start, off - 1);
}

static void layout_markdown(struct wrap *w, size_t off)
{
	while (off < w->text_len) {
		if (w->code.open) {
			off = layout_code(w, off);
			continue;
		}
		bool complete, found;
		size_t end = line_end(w, off, &complete), i, n;
		if (leading(w->text, off, end, &i) == 0 && (n = fence_run(w->text, i, end))) {
			w->work += end - off + complete;
			size_t info = i + n, info_end;
			leading(w->text, info, end, &info);
			for (info_end = info; info_end < end && !isspace((unsigned char)w->text[info_end]);)
				info_end++;
			if (w->nrows > 0 && after_blank(w, off))
				wrap_push_row(w, NULL, 0);
			wrap_code_open(w, &(struct prefix){ 0 }, w->text + info, info_end - info);
			w->code.ch = w->text[i];
			w->code.n = n;
			if (!complete)
				return;
			off = end + 1;
			mark_stable(w, off);
			continue;
		}
		size_t stop = markdown_end(w, off, &found);
		w->work += stop - off;
		wrap_markdown(w, off, stop, w->nrows > 0 && after_blank(w, off));
		if (!found)
			return;
		off = stop;
		mark_stable(w, off);
	}
}

void wrap_layout(struct wrap *w, const char *text, size_t len, int width)
{
	size_t off = w->seen.len;

	if (width < 1)
		width = 1;
	if (width != w->width || len < off || memcmp(text, sb_str(&w->seen), off) != 0) {
		w->width = width;
		sb_reset(&w->seen);
		w->stable = (struct wrap_mark){ 0 };
		off = 0;
	}
	w->nrows = w->stable.rows;
	w->nruns = w->stable.runs;
	w->ncites = w->stable.cites;
	w->nblocks = w->stable.blocks;
	sb_truncate(&w->lits, w->stable.lits);
	w->code = w->stable.code;
	w->text = text;
	w->text_len = len;
	if (w->markdown)
		layout_markdown(w, off);
	else
		layout_plain(w, off);
	w->nspans = 0;
	w->text = NULL;
}

/* --- public -------------------------------------------------------------- */

size_t wrap_stable_rows(const struct wrap *w)
{
	return w->stable.rows;
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

const char *wrap_run_text(const struct wrap *w, const char *text, const struct wrap_run *run)
{
	return (run->lit ? w->lits.buf : text) + run->off;
}

size_t wrap_work(const struct wrap *w)
{
	return w->work;
}

const struct wrap_block *wrap_code_blocks(const struct wrap *w, size_t *n)
{
	*n = w->nblocks;
	return w->blocks;
}

void wrap_code_text(const struct wrap *w, const char *text, size_t i, struct strbuf *out)
{
	const struct wrap_block *b = &w->blocks[i];
	size_t last = b->first_row + b->nrows - (b->closed ? 1 : 0);
	for (size_t r = b->first_row + 1; r < last; r++) {
		const struct wrap_row *row = &w->rows[r];
		for (size_t k = 0; k < row->nruns; k++) {
			const struct wrap_run *run = &w->runs[row->first_run + k];
			if (!run->lit)
				sb_append(out, text + run->off, run->len);
		}
		if (!(row->flags & WRAP_ROW_BROKEN))
			sb_putc(out, '\n');
	}
}

static const char *const dump_tags[WRAP_STYLE_COUNT] = {
	[WRAP_HEADING] = "H", [WRAP_EMPHASIS] = "E", [WRAP_STRONG] = "S",
	[WRAP_CODE] = "C", [WRAP_CODE_BLOCK] = "B", [WRAP_LIST_BULLET] = "L",
	[WRAP_CITATION] = "R", [WRAP_LINK] = "K", [WRAP_URL] = "U",
	[WRAP_STRIKE] = "X", [WRAP_QUOTE] = "Q", [WRAP_RULE] = "D",
	[WRAP_CODE_FRAME] = "F", [WRAP_CODE_LANG] = "G", [WRAP_TABLE_HEAD] = "T",
};

/* The letter wrap_dump adds to a code run's tag for its class. */
static const char hl_letters[HL_CLASS_COUNT + 1] = "-ktfsncvyharew";

void wrap_dump(const struct wrap *w, const char *text, struct strbuf *out)
{
	for (size_t r = 0; r < w->nrows; r++) {
		const struct wrap_row *row = &w->rows[r];
		for (unsigned k = 0; k < row->indent; k++)
			sb_putc(out, ' ');
		for (size_t k = 0; k < row->nruns; k++) {
			const struct wrap_run *run = &w->runs[row->first_run + k];
			const char *tag = dump_tags[run->style];
			const char *bytes = wrap_run_text(w, text, run);
			if (tag)
				sb_printf(out, "{%s", tag);
			if (run->style == WRAP_CODE_BLOCK && run->hl && run->hl < HL_CLASS_COUNT)
				sb_putc(out, hl_letters[run->hl]);
			if (run->style == WRAP_CITATION)
				sb_printf(out, "%d", run->cite);
			if (tag)
				sb_putc(out, ':');
			if (bytes[0] == '\t')
				for (unsigned c = 0; c < run->cols; c++)
					sb_putc(out, ' ');
			else
				sb_append(out, bytes, run->len);
			if (tag)
				sb_putc(out, '}');
		}
		if (row->flags & WRAP_ROW_BROKEN)
			sb_putc(out, '\\');
		sb_putc(out, '\n');
	}
}
