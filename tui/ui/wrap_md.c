/* wrap_md: Markdown blocks laid out through md4c's callbacks.
 *
 * md4c reports blocks, spans and text as it parses; this file keeps the
 * stack of containers (block quotes, lists, items) that decides what each
 * row starts with, collects a paragraph's text as spans until its line
 * ends, and gathers a table's cells to align them once the table is
 * complete. md4c hands text as pointers into the input wherever it can, so
 * most runs stay offsets of the caller's text. */
#include "tui/ui/wrap_int.h"
#include "core/util/grapheme.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not the permissive (bare URL) autolinks: md4c 0.4.8 reads past the end
 * of its input looking for where such a URL ends (found by fuzz_markdown);
 * a bare URL stays plain text, which shows it just as well. */
#define MD_FLAGS (MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS | MD_FLAG_NOHTML)

/* The longest text md4c hands from its own storage (a newline, a space,
 * U+FFFD); anything else not inside the block is refused. */
#define MD_OWN_TEXT_MAX 8

/* The narrowest a table column gets before the table turns into records. */
#define MIN_COLUMN 3

enum cont_kind { C_QUOTE, C_LIST, C_ITEM };

struct cont {
	enum cont_kind kind;
	bool tight;             /* C_LIST */
	bool ordered;           /* C_LIST */
	unsigned next;          /* C_LIST, ordered: the next item's number */
	char delim;             /* C_LIST, ordered: '.' or ')' */
	unsigned level;         /* C_LIST: lists around it */
	bool marker_done;       /* C_ITEM: its marker is on screen */
	char marker[32];        /* C_ITEM */
	unsigned marker_cols;   /* C_ITEM */
};

struct cell {
	size_t first, n;        /* spans */
	MD_ALIGN align;
};

struct trow {
	size_t first, n;        /* cells */
	bool head;
};

/* One laid-out line of a cell: runs in the scratch array. */
struct cell_line {
	size_t first, n;
	unsigned indent, cols;
};

struct table {
	struct cell *cells;
	size_t ncells, cap_cells;
	struct trow *rows;
	size_t nrows, cap_rows;
	bool head;
	unsigned ncols;
};

struct md {
	struct wrap *w;
	const char *begin, *end;  /* what md4c parses: a copy of the block run */
	size_t off;               /* where the run starts in the text */
	struct cont stack[WRAP_MAX_PREFIX];
	size_t depth;           /* containers open, some maybe past the stack */
	bool gap;               /* a blank row before the next block */
	bool text_open;         /* inline text is being collected */
	bool heading, code, cell;
	int em, strong, strike, code_span, link, img;
	size_t link_first;      /* first span of the open link's text */
	size_t href_off, href_len;  /* in the text */
	struct table t;
};

static size_t stored(const struct md *m)
{
	return m->depth < WRAP_MAX_PREFIX ? m->depth : WRAP_MAX_PREFIX;
}

static struct cont *push(struct md *m, enum cont_kind kind)
{
	struct cont *c = m->depth < WRAP_MAX_PREFIX ? &m->stack[m->depth] : NULL;
	m->depth++;
	if (c)
		*c = (struct cont){ .kind = kind };
	return c;
}

static void pop(struct md *m)
{
	if (m->depth)
		m->depth--;
}

/* The innermost list around the current block. */
static const struct cont *inner_list(const struct md *m)
{
	for (size_t i = stored(m); i-- > 0;)
		if (m->stack[i].kind == C_LIST)
			return &m->stack[i];
	return NULL;
}

/* What the next row starts with (first) and the rows after it (rest). */
static void prefixes(struct md *m, struct prefix *first, struct prefix *rest)
{
	*first = *rest = (struct prefix){ 0 };
	for (size_t i = 0; i < stored(m); i++) {
		struct cont *c = &m->stack[i];
		if (c->kind == C_QUOTE) {
			prefix_add(m->w, first, "│ ", WRAP_QUOTE);
			prefix_add(m->w, rest, "│ ", WRAP_QUOTE);
		} else if (c->kind == C_ITEM) {
			if (c->marker_done)
				prefix_add_blank(first, c->marker_cols);
			else
				prefix_add(m->w, first, c->marker, WRAP_LIST_BULLET);
			prefix_add_blank(rest, c->marker_cols);
		}
	}
}

static void markers_done(struct md *m)
{
	for (size_t i = 0; i < stored(m); i++)
		m->stack[i].marker_done = true;
}

/* Lay out the spans collected so far as one line of the current block. */
static void emit_line(struct md *m)
{
	struct prefix first, rest;
	wrap_split_citations(m->w, 0);
	prefixes(m, &first, &rest);
	wrap_fill(m->w, &first, &rest, 0);
	markers_done(m);
}

/* End the text being collected, if any, as the block's last line. */
static void flush_text(struct md *m)
{
	if (!m->text_open)
		return;
	emit_line(m);
	m->text_open = false;
	m->gap = true;
}

/* Before a block: the blank row that separates it from the one before,
 * except between the parts of a tight list. */
static void begin_block(struct md *m)
{
	const struct cont *list = inner_list(m);
	if (m->gap && m->w->nrows > 0 && !(list && list->tight)) {
		struct prefix p = { 0 };
		for (size_t i = 0; i < stored(m); i++) {
			if (m->stack[i].kind == C_QUOTE)
				prefix_add(m->w, &p, "│", WRAP_QUOTE);
			else if (m->stack[i].kind == C_ITEM)
				prefix_add_blank(&p, m->stack[i].marker_cols);
		}
		while (p.n && p.p[p.n - 1].blank)
			p.cols -= p.p[--p.n].cols;
		wrap_push_row(m->w, &p, 0);
	}
	m->gap = false;
}

static const char *const bullets[] = { "• ", "◦ ", "▪ " };

static void enter_item(struct md *m, const MD_BLOCK_LI_DETAIL *d)
{
	struct cont *list = stored(m) == m->depth && m->depth && m->stack[m->depth - 1].kind == C_LIST
	                            ? &m->stack[m->depth - 1] : NULL;
	struct cont *c = push(m, C_ITEM);
	if (!c)
		return;
	int n;
	if (list && list->ordered)
		n = snprintf(c->marker, sizeof c->marker, "%u%c ", list->next++, list->delim);
	else
		n = snprintf(c->marker, sizeof c->marker, "%s", bullets[(list ? list->level : 0) % 3]);
	if (d->is_task && n >= 0 && (size_t)n < sizeof c->marker)
		snprintf(c->marker + n, sizeof c->marker - (size_t)n, "%s",
		         d->task_mark == ' ' ? "[ ] " : "[x] ");
	c->marker_cols = (unsigned)grapheme_width(c->marker, strlen(c->marker));
}

static void enter_list(struct md *m, bool ordered, const void *detail)
{
	unsigned level = 0;
	for (size_t i = 0; i < stored(m); i++)
		level += m->stack[i].kind == C_LIST;
	begin_block(m);
	struct cont *c = push(m, C_LIST);
	if (!c)
		return;
	c->ordered = ordered;
	c->level = level;
	if (ordered) {
		const MD_BLOCK_OL_DETAIL *d = detail;
		c->tight = d->is_tight;
		c->next = d->start;
		c->delim = d->mark_delimiter;
	} else {
		c->tight = ((const MD_BLOCK_UL_DETAIL *)detail)->is_tight;
	}
}

static void enter_code(struct md *m, const MD_BLOCK_CODE_DETAIL *d)
{
	struct prefix first, rest;
	begin_block(m);
	prefixes(m, &first, &rest);
	const char *lang = d->lang.text;
	size_t n = d->lang.size;
	wrap_code_open(m->w, &first, lang ? lang : "", lang ? n : 0);
	markers_done(m);
	m->code = true;
}

static void add_row_of(struct md *m)
{
	struct table *t = &m->t;
	t->rows = wrap_grow(t->rows, &t->cap_rows, t->nrows + 1, sizeof(*t->rows));
	t->rows[t->nrows++] = (struct trow){ t->ncells, 0, t->head };
}

static void add_cell(struct md *m, const MD_BLOCK_TD_DETAIL *d)
{
	struct table *t = &m->t;
	if (!t->nrows)
		add_row_of(m);
	t->cells = wrap_grow(t->cells, &t->cap_cells, t->ncells + 1, sizeof(*t->cells));
	t->cells[t->ncells++] = (struct cell){ m->w->nspans, 0, d->align };
	t->rows[t->nrows - 1].n++;
	if (t->rows[t->nrows - 1].n > t->ncols)
		t->ncols = (unsigned)t->rows[t->nrows - 1].n;
	m->cell = true;
}

static void table_layout(struct md *m);

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	if (type == MD_BLOCK_DOC)
		return 0;
	if (type != MD_BLOCK_THEAD && type != MD_BLOCK_TBODY && type != MD_BLOCK_TR &&
	    type != MD_BLOCK_TH && type != MD_BLOCK_TD)
		flush_text(m);
	switch (type) {
	case MD_BLOCK_QUOTE:
		begin_block(m);
		push(m, C_QUOTE);
		break;
	case MD_BLOCK_UL: enter_list(m, false, detail); break;
	case MD_BLOCK_OL: enter_list(m, true, detail); break;
	case MD_BLOCK_LI: enter_item(m, detail); break;
	case MD_BLOCK_H:
		begin_block(m);
		m->heading = true;
		m->text_open = true;
		break;
	case MD_BLOCK_P:
	case MD_BLOCK_HTML:
		begin_block(m);
		m->text_open = true;
		break;
	case MD_BLOCK_CODE: enter_code(m, detail); break;
	case MD_BLOCK_HR: {
		struct prefix first, rest;
		begin_block(m);
		prefixes(m, &first, &rest);
		struct strbuf sb = STRBUF_INIT;
		wrap_push_row(m->w, &first, 0);
		for (unsigned c = m->w->rows[m->w->nrows - 1].cols; c < (unsigned)m->w->width; c++)
			sb_puts(&sb, "─");
		if (sb.len)
			wrap_push_lit(m->w, sb.buf, sb.len, WRAP_RULE);
		sb_free(&sb);
		markers_done(m);
		m->gap = true;
		break;
	}
	case MD_BLOCK_TABLE:
		begin_block(m);
		m->t.nrows = m->t.ncells = 0;
		m->t.ncols = 0;
		m->w->nspans = 0;
		break;
	case MD_BLOCK_THEAD: m->t.head = true; break;
	case MD_BLOCK_TBODY: m->t.head = false; break;
	case MD_BLOCK_TR: add_row_of(m); break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: add_cell(m, detail); break;
	default: break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	(void)detail;
	switch (type) {
	case MD_BLOCK_H:
		flush_text(m);
		m->heading = false;
		break;
	case MD_BLOCK_P:
	case MD_BLOCK_HTML:
		flush_text(m);
		break;
	case MD_BLOCK_CODE:
		if (m->w->nspans)
			wrap_code_line(m->w);
		wrap_code_close(m->w);
		m->code = false;
		m->gap = true;
		break;
	case MD_BLOCK_QUOTE:
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush_text(m);
		pop(m);
		m->gap = true;
		break;
	case MD_BLOCK_LI:
		flush_text(m);
		if (stored(m) == m->depth && m->depth && !m->stack[m->depth - 1].marker_done) {
			m->text_open = true;   /* an empty item: its marker alone */
			flush_text(m);
		}
		pop(m);
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		struct cell *c = &m->t.cells[m->t.ncells - 1];
		wrap_split_citations(m->w, c->first);
		c->n = m->w->nspans - c->first;
		m->cell = false;
		break;
	}
	case MD_BLOCK_TABLE:
		table_layout(m);
		m->gap = true;
		break;
	default: break;
	}
	return 0;
}

static enum wrap_style inline_style(const struct md *m)
{
	if (m->code_span)
		return WRAP_CODE;
	if (m->heading)
		return WRAP_HEADING;
	if (m->cell && m->t.head)
		return WRAP_TABLE_HEAD;
	if (m->link || m->img)
		return WRAP_LINK;
	if (m->strong)
		return WRAP_STRONG;
	if (m->em)
		return WRAP_EMPHASIS;
	if (m->strike)
		return WRAP_STRIKE;
	return WRAP_NORMAL;
}

/* Add md4c's text: by offset when it points into the laid-out text, else
 * as drawn-only bytes. */
static void add(struct md *m, const char *text, size_t size, enum wrap_style style)
{
	struct wrap *w = m->w;
	if (text >= m->begin && text <= m->end && size <= (size_t)(m->end - text))
		wrap_add_text(w, m->off + (size_t)(text - m->begin), size, style);
	else if ((text < m->begin || text > m->end) && size <= MD_OWN_TEXT_MAX)
		wrap_add_span(w, wrap_lit(w, text, size), size, style, 0, true);
}

static const struct { const char *name, *utf8; } entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
	{ "nbsp", "\xC2\xA0" }, { "copy", "©" }, { "reg", "®" }, { "trade", "™" },
	{ "hellip", "…" }, { "mdash", "—" }, { "ndash", "–" }, { "laquo", "«" },
	{ "raquo", "»" }, { "middot", "·" }, { "deg", "°" }, { "times", "×" },
	{ "rarr", "→" }, { "larr", "←" }, { "bull", "•" },
};

/* An entity ("&amp;", "&#39;", "&#x2014;") as text: decoded when known and
 * safe to draw, else as written. */
static void add_entity(struct md *m, const char *s, size_t n, enum wrap_style style)
{
	char buf[8];
	if (n >= 4 && s[1] == '#') {
		bool hex = s[2] == 'x' || s[2] == 'X';
		char *end;
		char num[16];
		size_t k = n - (hex ? 4 : 3);
		if (k > 0 && k < sizeof num) {
			memcpy(num, s + (hex ? 3 : 2), k);
			num[k] = '\0';
			unsigned long cp = strtoul(num, &end, hex ? 16 : 10);
			if (*end == '\0' && cp >= 0x20 && cp <= 0x10FFFF) {
				size_t len = utf8_encode((uint32_t)cp, buf);
				size_t clean_len;
				char *clean = utf8_sanitize(buf, len, &clean_len);
				bool same = clean_len == len && memcmp(clean, buf, len) == 0;
				free(clean);
				if (same) {
					add(m, buf, len, style);
					return;
				}
			}
		}
	} else {
		for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
			if (strlen(entities[i].name) == n - 2 && memcmp(entities[i].name, s + 1, n - 2) == 0) {
				add(m, entities[i].utf8, strlen(entities[i].utf8), style);
				return;
			}
	}
	add(m, s, n, style);
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct md *m = ud;
	if (m->code) {
		if (size == 1 && text[0] == '\n')
			wrap_code_line(m->w);
		else
			add(m, text, size, WRAP_CODE_BLOCK);
		return 0;
	}
	if (!m->text_open && !m->cell) {
		begin_block(m);      /* a tight list item's text comes without a paragraph */
		m->text_open = true;
	}
	switch (type) {
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		if (m->cell)
			add(m, " ", 1, inline_style(m));
		else
			emit_line(m);
		break;
	case MD_TEXT_NULLCHAR: add(m, "\xEF\xBF\xBD", 3, inline_style(m)); break;
	case MD_TEXT_ENTITY: add_entity(m, text, size, inline_style(m)); break;
	default:
		if (size == 1 && text > m->begin && text[-1] == '\\')
			/* an escaped character stays apart: "\\[1]" is no citation */
			wrap_add_span(m->w, wrap_lit(m->w, text, 1), 1, inline_style(m), 0, true);
		else
			add(m, text, size, inline_style(m));
		break;
	}
	return 0;
}

/* The open link's text is its URL (an autolink): no need to show both. */
static bool link_is_url(const struct md *m)
{
	const struct wrap *w = m->w;
	if (w->nspans != m->link_first + 1 || w->spans[m->link_first].lit)
		return false;
	const struct span *sp = &w->spans[m->link_first];
	const char *href = w->text + m->href_off;
	return sp->len <= m->href_len &&
	       memcmp(w->text + sp->off, href + m->href_len - sp->len, sp->len) == 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	switch (type) {
	case MD_SPAN_EM: m->em++; break;
	case MD_SPAN_STRONG: m->strong++; break;
	case MD_SPAN_DEL: m->strike++; break;
	case MD_SPAN_CODE: m->code_span++; break;
	case MD_SPAN_A: {
		const MD_SPAN_A_DETAIL *d = detail;
		struct wrap *w = m->w;
		if (m->link++)
			break;
		m->link_first = w->nspans;
		m->href_len = d->href.size;
		if (d->href.text >= m->begin && d->href.text <= m->end && d->href.size <= (size_t)(m->end - d->href.text))
			m->href_off = m->off + (size_t)(d->href.text - m->begin);
		else
			m->href_len = 0;   /* not where the block is: show the text alone */
		break;
	}
	case MD_SPAN_IMG:
		if (!m->img++)
			wrap_add_lit(m->w, "[image: ", WRAP_LINK);
		break;
	default: break;
	}
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	(void)detail;
	switch (type) {
	case MD_SPAN_EM: m->em--; break;
	case MD_SPAN_STRONG: m->strong--; break;
	case MD_SPAN_DEL: m->strike--; break;
	case MD_SPAN_CODE: m->code_span--; break;
	case MD_SPAN_A:
		if (--m->link || m->href_len == 0 || link_is_url(m))
			break;
		wrap_add_lit(m->w, " ", WRAP_URL);
		wrap_add_span(m->w, m->href_off, m->href_len, WRAP_URL, 0, false);
		break;
	case MD_SPAN_IMG:
		if (!--m->img)
			wrap_add_lit(m->w, "]", WRAP_LINK);
		break;
	default: break;
	}
	return 0;
}

/* --- tables -------------------------------------------------------------- */

static unsigned spans_cols(const struct wrap *w, const struct span *sp, size_t n)
{
	unsigned cols = 0;
	for (size_t i = 0; i < n; i++)
		cols += (unsigned)grapheme_width((sp[i].lit ? w->lits.buf : w->text) + sp[i].off, sp[i].len);
	return cols;
}

/* Column widths for the natural widths nat within budget columns: the
 * columns that fit their share keep their width, the others split the
 * rest. */
static void fit_columns(const unsigned *nat, unsigned *width, unsigned ncols, unsigned budget)
{
	bool *fixed = xcalloc(ncols, sizeof *fixed);
	unsigned left = budget, nleft = ncols;
	bool changed = true;
	while (changed && nleft > 0) {
		changed = false;
		unsigned share = left / nleft;
		for (unsigned c = 0; c < ncols; c++)
			if (!fixed[c] && nat[c] <= share) {
				width[c] = nat[c] ? nat[c] : 1;
				fixed[c] = true;
				left -= width[c];
				nleft--;
				changed = true;
			}
	}
	for (unsigned c = 0, k = 0; c < ncols; c++)
		if (!fixed[c]) {
			width[c] = left / nleft + (k < left % nleft ? 1 : 0);
			k++;
		}
	free(fixed);
}

/* Scratch for a table row: each cell's lines and their runs. */
struct row_lines {
	struct cell_line *lines;
	size_t nlines, cap_lines;
	struct wrap_run *runs;
	size_t nruns, cap_runs;
	size_t *first_line;     /* per column */
	size_t *count;          /* per column */
};

/* Lay the cell's spans out at width columns into the scratch. */
static void cell_lines(struct md *m, const struct span *sp, const struct cell *cell, unsigned width,
                       struct row_lines *rl, unsigned col)
{
	struct wrap *w = m->w;
	size_t r0 = w->nrows, u0 = w->nruns;
	int saved = w->width;
	struct prefix none = { 0 };

	w->width = (int)width;
	w->nspans = 0;
	for (size_t i = 0; cell && i < cell->n; i++) {
		w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
		w->spans[w->nspans++] = sp[cell->first + i];
	}
	w->record_cites = false;
	wrap_fill(w, &none, &none, 0);
	w->record_cites = true;
	w->width = saved;
	rl->first_line[col] = rl->nlines;
	rl->count[col] = w->nrows - r0;
	for (size_t r = r0; r < w->nrows; r++) {
		const struct wrap_row *row = &w->rows[r];
		rl->lines = wrap_grow(rl->lines, &rl->cap_lines, rl->nlines + 1, sizeof(*rl->lines));
		rl->lines[rl->nlines++] = (struct cell_line){ rl->nruns, row->nruns, row->indent, row->cols };
		if (!row->nruns)
			continue;
		rl->runs = wrap_grow(rl->runs, &rl->cap_runs, rl->nruns + row->nruns, sizeof(*rl->runs));
		memcpy(rl->runs + rl->nruns, w->runs + row->first_run, row->nruns * sizeof(*rl->runs));
		rl->nruns += row->nruns;
	}
	w->nrows = r0;
	w->nruns = u0;
}

/* A border row: left, then each column's width + 2 of '─' joined by mid,
 * then right. */
static void border_row(struct md *m, const struct prefix *pre, const unsigned *width, unsigned ncols,
                       const char *left, const char *mid, const char *right)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, left);
	for (unsigned c = 0; c < ncols; c++) {
		for (unsigned k = 0; k < width[c] + 2; k++)
			sb_puts(&sb, "─");
		sb_puts(&sb, c + 1 < ncols ? mid : right);
	}
	wrap_push_row(m->w, pre, 0);
	wrap_push_lit(m->w, sb.buf, sb.len, WRAP_RULE);
	sb_free(&sb);
}

static void table_rows(struct md *m, const struct span *sp, const unsigned *width, unsigned ncols)
{
	struct wrap *w = m->w;
	struct table *t = &m->t;
	struct prefix first, rest;
	struct row_lines rl = { 0 };
	rl.first_line = xcalloc(ncols, sizeof *rl.first_line);
	rl.count = xcalloc(ncols, sizeof *rl.count);

	prefixes(m, &first, &rest);
	border_row(m, &first, width, ncols, "┌", "┬", "┐");
	markers_done(m);
	for (size_t r = 0; r < t->nrows; r++) {
		const struct trow *tr = &t->rows[r];
		size_t height = 1;
		rl.nlines = rl.nruns = 0;
		for (unsigned c = 0; c < ncols; c++) {
			const struct cell *cell = c < tr->n ? &t->cells[tr->first + c] : NULL;
			cell_lines(m, sp, cell, width[c], &rl, c);
			if (rl.count[c] > height)
				height = rl.count[c];
		}
		for (size_t k = 0; k < height; k++) {
			wrap_push_row(w, &rest, 0);
			wrap_push_lit(w, "│", strlen("│"), WRAP_RULE);
			for (unsigned c = 0; c < ncols; c++) {
				const struct cell *cell = c < tr->n ? &t->cells[tr->first + c] : NULL;
				const struct cell_line *ln = k < rl.count[c] ? &rl.lines[rl.first_line[c] + k] : NULL;
				unsigned used = ln ? ln->cols : 0, free_cols = width[c] > used ? width[c] - used : 0;
				unsigned left = 0;
				if (cell && cell->align == MD_ALIGN_RIGHT)
					left = free_cols;
				else if (cell && cell->align == MD_ALIGN_CENTER)
					left = free_cols / 2;
				wrap_push_blank(w, 1 + left + (ln ? ln->indent : 0));
				for (size_t i = 0; ln && i < ln->n; i++) {
					const struct wrap_run *run = &rl.runs[ln->first + i];
					wrap_push_run(w, run, run->style == WRAP_CITATION);
				}
				wrap_push_blank(w, free_cols - left + 1);
				wrap_push_lit(w, "│", strlen("│"), WRAP_RULE);
			}
		}
		if (tr->head && (r + 1 == t->nrows || !t->rows[r + 1].head))
			border_row(m, &rest, width, ncols, "├", "┼", "┤");
	}
	border_row(m, &rest, width, ncols, "└", "┴", "┘");
	free(rl.lines);
	free(rl.runs);
	free(rl.first_line);
	free(rl.count);
}

/* A table too wide for its columns: each body row as "header: value"
 * lines, rows apart by a blank row. */
static void table_records(struct md *m, const struct span *sp)
{
	struct wrap *w = m->w;
	struct table *t = &m->t;
	const struct trow *head = t->nrows && t->rows[0].head ? &t->rows[0] : NULL;
	bool any = false;
	for (size_t r = head ? 1 : 0; r < t->nrows; r++) {
		const struct trow *tr = &t->rows[r];
		if (any)
			begin_block(m);
		for (size_t c = 0; c < tr->n; c++) {
			const struct cell *cell = &t->cells[tr->first + c];
			w->nspans = 0;
			if (head && c < head->n) {
				const struct cell *hc = &t->cells[head->first + c];
				for (size_t i = 0; i < hc->n; i++) {
					struct span s = sp[hc->first + i];
					if (s.style != WRAP_CITATION)
						s.style = WRAP_TABLE_HEAD;
					w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
					w->spans[w->nspans++] = s;
				}
				wrap_add_lit(w, ": ", WRAP_TABLE_HEAD);
			}
			for (size_t i = 0; i < cell->n; i++) {
				w->spans = wrap_grow(w->spans, &w->cap_spans, w->nspans + 1, sizeof(*w->spans));
				w->spans[w->nspans++] = sp[cell->first + i];
			}
			struct prefix first, rest;
			prefixes(m, &first, &rest);
			wrap_fill(w, &first, &rest, 0);
			markers_done(m);
		}
		any = true;
		m->gap = true;
	}
}

static void table_layout(struct md *m)
{
	struct wrap *w = m->w;
	struct table *t = &m->t;
	unsigned ncols = t->ncols;
	size_t n = w->nspans;
	if (ncols == 0)
		return;
	struct span *sp = n ? xmemdup(w->spans, n * sizeof *sp) : xcalloc(1, sizeof *sp);
	unsigned *nat = xcalloc(ncols, sizeof *nat), *width = xcalloc(ncols, sizeof *width);
	unsigned sum = 0;
	w->nspans = 0;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->rows[r].n; c++) {
			const struct cell *cell = &t->cells[t->rows[r].first + c];
			unsigned cols = spans_cols(w, sp + cell->first, cell->n);
			if (cols > nat[c])
				nat[c] = cols;
		}
	for (unsigned c = 0; c < ncols; c++)
		sum += nat[c] ? nat[c] : 1;
	struct prefix first, rest;
	prefixes(m, &first, &rest);
	unsigned avail = (unsigned)w->width > rest.cols ? (unsigned)w->width - rest.cols : 0;
	unsigned overhead = 3 * ncols + 1;
	if (sum + overhead <= avail) {
		for (unsigned c = 0; c < ncols; c++)
			width[c] = nat[c] ? nat[c] : 1;
		table_rows(m, sp, width, ncols);
	} else if (avail >= overhead + MIN_COLUMN * ncols) {
		fit_columns(nat, width, ncols, avail - overhead);
		table_rows(m, sp, width, ncols);
	} else {
		table_records(m, sp);
	}
	w->nspans = 0;
	free(sp);
	free(nat);
	free(width);
}

/* --- entry ---------------------------------------------------------------- */

void wrap_markdown(struct wrap *w, size_t off, size_t end, bool gap)
{
	/* md4c 0.4.8 reads freed memory when its input ends inside a link
	 * destination ("[a](b" -- every link while it streams; valgrind shows
	 * it), and not when the input ends in a newline, which changes nothing
	 * else: it parses a copy that does. */
	sb_reset(&w->md_input);
	sb_append(&w->md_input, w->text + off, end - off);
	if (end == off || w->text[end - 1] != '\n')
		sb_putc(&w->md_input, '\n');
	struct md m = { .w = w, .begin = w->md_input.buf, .end = w->md_input.buf + (end - off), .off = off,
	                .gap = gap };
	const MD_PARSER parser = {
		.flags = MD_FLAGS,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text_cb,
	};
	struct wrap_mark before = { w->nrows, w->nruns, w->ncites, w->nblocks, w->lits.len, w->code };
	w->nspans = 0;
	int rc = md_parse(w->md_input.buf, (MD_SIZE)w->md_input.len, &parser, &m);
	flush_text(&m);
	free(m.t.cells);
	free(m.t.rows);
	if (rc == 0)
		return;
	/* md4c gave up (out of memory): the block's lines as they are */
	w->nrows = before.rows;
	w->nruns = before.runs;
	w->ncites = before.cites;
	w->nblocks = before.blocks;
	sb_truncate(&w->lits, before.lits);
	w->code = before.code;
	for (size_t l = off; l < end;) {
		const char *nl = memchr(w->text + l, '\n', end - l);
		size_t e = nl ? (size_t)(nl - w->text) : end;
		w->nspans = 0;
		wrap_add_text(w, l, e - l, WRAP_NORMAL);
		wrap_fill(w, &(struct prefix){ 0 }, &(struct prefix){ 0 }, 0);
		l = e + 1;
	}
}
