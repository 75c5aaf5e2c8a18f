/* loader_pdf_render: the classified PDF page model (loader_pdf_int.h) as
 * Markdown-ish text: lines sharing a baseline grouped into table rows, the
 * other lines of a block joined into a paragraph, headings and outline
 * marks in place, a form-feed line between pages. */
#include "core/ingest/loader_pdf_int.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows of one table are at most this many sizes apart. */
#define TABLE_ROW_GAP 2.5f
/* A cell wider than this fraction of the page is a text column, not a cell. */
#define WIDE_CELL 0.3f

/* ---- tables ---- */

/* A line's place for sorting into rows: by baseline, then left edge. */
struct line_pos {
	float base, x0;
	size_t line;
};

static int cmp_by_base(const void *a, const void *b)
{
	const struct line_pos *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

static int cmp_by_x(const void *a, const void *b)
{
	const struct line_pos *x = a, *y = b;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

/* The rows of a page: lines in order of baseline, rows as ranges of it. */
struct rows {
	size_t *order;     /* line indices */
	size_t *start;     /* row r is order[start[r] .. start[r + 1]) */
	size_t n;
};

/* Several cells and at least one narrower than a text column. */
static bool row_is_tabular(const struct pdfl_page *pg, const struct rows *r, size_t row)
{
	int cells = 0;
	bool narrow = false;
	for (size_t k = r->start[row]; k < r->start[row + 1]; k++) {
		const struct pdfl_line *l = &pg->lines[r->order[k]];
		cells += l->cells;
		narrow |= (l->x1 - l->x0) / (float)l->cells < WIDE_CELL * pg->w;
	}
	return cells >= 2 && narrow;
}

/* Rows of the page's body lines, each sorted left to right. */
static void group_rows(struct pdfl_page *pg, struct rows *r)
{
	struct line_pos *pos = xcalloc(pg->n + 1, sizeof *pos);
	size_t n = 0;
	for (size_t j = 0; j < pg->n; j++)
		if (!pg->lines[j].drop && !pg->lines[j].heading)
			pos[n++] = (struct line_pos){ pg->lines[j].base, pg->lines[j].x0, j };
	qsort(pos, n, sizeof *pos, cmp_by_base);
	r->order = xcalloc(n + 1, sizeof *r->order);
	r->start = xcalloc(n + 1, sizeof *r->start);
	r->n = 0;
	for (size_t k = 0; k < n; k++) {
		const struct pdfl_line *l = &pg->lines[pos[k].line];
		const struct pdfl_line *first = r->n ? &pg->lines[pos[r->start[r->n - 1]].line] : NULL;
		if (!first || fabsf(l->base - first->base) > PDFL_ROW_BASE_TOL * fmaxf(l->size, first->size))
			r->start[r->n++] = k;
	}
	r->start[r->n] = n;
	for (size_t row = 0; row < r->n; row++)
		qsort(&pos[r->start[row]], r->start[row + 1] - r->start[row], sizeof *pos, cmp_by_x);
	for (size_t k = 0; k < n; k++)
		r->order[k] = pos[k].line;
	free(pos);
}

/* Rows close together that are all tabular, two or more, form a table:
 * their lines get the table's and their row's ids. */
static void find_tables(struct pdfl_page *pg, struct rows *r)
{
	int tables = 0;
	group_rows(pg, r);
	for (size_t row = 0, end; row < r->n; row = end) {
		end = row + 1;
		if (!row_is_tabular(pg, r, row))
			continue;
		while (end < r->n && row_is_tabular(pg, r, end)) {
			const struct pdfl_line *a = &pg->lines[r->order[r->start[end - 1]]];
			const struct pdfl_line *b = &pg->lines[r->order[r->start[end]]];
			if (b->base - a->base > TABLE_ROW_GAP * fmaxf(a->size, b->size))
				break;
			end++;
		}
		if (end - row < 2)
			continue;
		for (size_t x = row; x < end; x++)
			for (size_t k = r->start[x]; k < r->start[x + 1]; k++) {
				pg->lines[r->order[k]].table = tables;
				pg->lines[r->order[k]].row = (int)x;
			}
		tables++;
	}
}

/* ---- rendering ---- */

enum emitted { EMIT_NONE, EMIT_PARA, EMIT_HEADING, EMIT_ROW };

struct render {
	struct strbuf *out;
	struct strbuf para;
	enum emitted last;
	int block;          /* of the open paragraph or heading */
	size_t line;        /* last line of the open heading */
	int level;          /* of the open heading */
	int table;          /* of the last row */
};

/* End what is open: a paragraph or heading gets its blank line, a table
 * its blank line after the last row. */
static void close_open(struct render *r)
{
	if (r->last == EMIT_PARA) {
		sb_append(r->out, sb_str(&r->para), r->para.len);
		sb_puts(r->out, "\n\n");
		sb_reset(&r->para);
	} else if (r->last == EMIT_HEADING) {
		sb_puts(r->out, "\n\n");
	} else if (r->last == EMIT_ROW) {
		sb_putc(r->out, '\n');
	}
	r->last = EMIT_NONE;
}

/* Append s[0..n) with tabs and newlines as spaces. */
static void put_flat(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_putc(sb, s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ? ' ' : s[i]);
}

static void emit_heading(struct render *r, int level, const char *s, size_t n, int block, size_t line,
                         bool joinable)
{
	if (joinable && r->last == EMIT_HEADING && r->level == level && r->block == block && r->line + 1 == line) {
		sb_putc(r->out, ' ');
	} else {
		close_open(r);
		for (int i = 0; i < level; i++)
			sb_putc(r->out, '#');
		sb_putc(r->out, ' ');
	}
	put_flat(r->out, s, n);
	r->last = EMIT_HEADING;
	r->level = level;
	r->block = block;
	r->line = line;
}

static void emit_row(struct render *r, const struct pdfl_page *pg, const struct rows *rows, int table,
                     size_t row)
{
	if (r->last != EMIT_ROW || r->table != table)
		close_open(r);
	sb_putc(r->out, '|');
	for (size_t k = rows->start[row]; k < rows->start[row + 1]; k++) {
		const struct pdfl_line *l = &pg->lines[rows->order[k]];
		const char *s = pdfl_text(pg, l);
		sb_putc(r->out, ' ');
		for (size_t i = 0; i < l->len; i++) {
			if (s[i] == '\t')
				sb_puts(r->out, " | ");
			else if (s[i] == '|')
				sb_puts(r->out, "\\|");
			else
				sb_putc(r->out, s[i]);
		}
		sb_puts(r->out, " |");
	}
	sb_putc(r->out, '\n');
	r->last = EMIT_ROW;
	r->table = table;
}

static bool ends_with(const struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	return sb->len >= n && memcmp(sb_str(sb) + sb->len - n, s, n) == 0;
}

/* The paragraph ends in a hyphen after a letter: length of the hyphen
 * (ASCII, U+2010 or a soft hyphen), else 0. */
static size_t trailing_hyphen(const struct strbuf *sb)
{
	size_t h = ends_with(sb, "-") ? 1 : ends_with(sb, "\xe2\x80\x90") ? 3 : ends_with(sb, "\xc2\xad") ? 2 : 0;
	if (h == 0 || sb->len <= h)
		return 0;
	unsigned char c = (unsigned char)sb_str(sb)[sb->len - h - 1];
	return (pdfl_lower((char)c) >= 'a' && pdfl_lower((char)c) <= 'z') || c >= 0x80 ? h : 0;
}

/* Add a body line to the open paragraph, or open one for a new block. A
 * line-end hyphen before a lower-case letter joins the word. */
static void emit_text(struct render *r, const char *s, size_t n, int block)
{
	if (r->last != EMIT_PARA || r->block != block) {
		close_open(r);
		if (s[0] == '#' || s[0] == '|')
			sb_putc(&r->para, '\\');
	} else {
		size_t h = trailing_hyphen(&r->para);
		if (h > 0 && s[0] >= 'a' && s[0] <= 'z')
			sb_truncate(&r->para, r->para.len - h);
		else
			sb_putc(&r->para, ' ');
	}
	put_flat(&r->para, s, n);
	r->last = EMIT_PARA;
	r->block = block;
}

static int cmp_mark_at(const void *a, const void *b)
{
	const struct pdfl_mark *x = *(struct pdfl_mark *const *)a, *y = *(struct pdfl_mark *const *)b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void emit_mark(struct render *r, const struct pdfl_mark *m)
{
	emit_heading(r, m->level, m->title, strlen(m->title), -1, 0, false);
}

static void render_page(struct render *r, struct pdfl_page *pg)
{
	struct rows rows;
	find_tables(pg, &rows);
	bool *row_done = xcalloc(rows.n + 1, sizeof *row_done);
	struct pdfl_mark **marks = xcalloc(pg->n_marks + 1, sizeof *marks);
	size_t n_marks = 0, next_mark = 0;
	for (size_t m = 0; m < pg->n_marks; m++)
		if (!pg->marks[m].used)
			marks[n_marks++] = &pg->marks[m];
	qsort(marks, n_marks, sizeof *marks, cmp_mark_at);
	for (size_t j = 0; j < pg->n; j++) {
		const struct pdfl_line *l = &pg->lines[j];
		while (next_mark < n_marks && marks[next_mark]->at <= j)
			emit_mark(r, marks[next_mark++]);
		if (l->drop)
			continue;
		if (l->mark >= 0)
			emit_mark(r, &pg->marks[l->mark]);
		else if (l->heading)
			emit_heading(r, l->heading, pdfl_text(pg, l), l->len, l->block, j, true);
		else if (l->table < 0)
			emit_text(r, pdfl_text(pg, l), l->len, l->block);
		else if (!row_done[l->row]) {
			emit_row(r, pg, &rows, l->table, (size_t)l->row);
			row_done[l->row] = true;
		}
	}
	while (next_mark < n_marks)
		emit_mark(r, marks[next_mark++]);
	close_open(r);
	free(marks);
	free(row_done);
	free(rows.order);
	free(rows.start);
}

static void trim_end(struct strbuf *sb, size_t floor)
{
	size_t n = sb->len;
	while (n > floor && (sb_str(sb)[n - 1] == '\n' || sb_str(sb)[n - 1] == ' '))
		n--;
	sb_truncate(sb, n);
}

void pdfl_render(struct pdfl_doc *doc, struct strbuf *out)
{
	struct render r = { .out = out, .para = STRBUF_INIT, .last = EMIT_NONE };
	for (size_t p = 0; p < doc->n; p++) {
		size_t start = out->len;
		if (p > 0)
			sb_puts(out, "\n\n\f\n\n");
		render_page(&r, &doc->pages[p]);
		trim_end(out, start + (p > 0 ? 5 : 0));
	}
	sb_putc(out, '\n');
	sb_free(&r.para);
}
