/* office_writer: paragraphs, list items and table rows of DOCX and ODT
 * documents as the Markdown-ish blocks the chunker reads. */
#include "core/ingest/office.h"

#include <string.h>

/* Most cells written per row; a repeat count or a wide row is cut here. */
#define ROW_CELLS_MAX 64
#define MAX_HEADING 6
#define MAX_INDENT 8

void office_writer_init(struct office_writer *w, struct strbuf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

void office_writer_free(struct office_writer *w)
{
	sb_free(&w->para);
	sb_free(&w->cell);
	sb_free(&w->row);
}

void office_append_clean(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		bool c0 = (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F;
		/* U+0080..U+009F is C2 80..C2 9F */
		bool c1 = u[i] == 0xC2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F;
		if (!c0 && !c1)
			continue;
		sb_append(sb, s + run, i - run);
		i += c1;
		run = i + 1;
	}
	sb_append(sb, s + run, len - run);
}

void office_text(struct office_writer *w, const char *s, size_t len)
{
	office_append_clean(&w->para, s, len);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* s[*start..*end) without surrounding whitespace. */
static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_ws(s[*start]))
		(*start)++;
	while (*end > *start && is_ws(s[*end - 1]))
		(*end)--;
}

/* Separate a new block of kind k from what came before. */
static void open_block(struct office_writer *w, enum office_block k)
{
	if (w->out->len > 0 && !(k == w->last && k != OFFICE_PARA))
		sb_putc(w->out, '\n');
	w->last = k;
}

/* Append s[0..len) with newlines and tabs as spaces. */
static void append_one_line(struct strbuf *sb, const char *s, size_t len)
{
	size_t from = sb->len;
	sb_append(sb, s, len);
	for (size_t i = from; i < sb->len; i++) {
		if (sb->buf[i] == '\n' || sb->buf[i] == '\t')
			sb->buf[i] = ' ';
	}
}

void office_end_para(struct office_writer *w, int heading, const char *marker, int level)
{
	size_t a = 0, b = w->para.len;
	const char *s = sb_str(&w->para);

	trim(s, &a, &b);
	if (a == b)
		goto done;
	if (w->tables > 0) {
		if (w->cell.len > 0)
			sb_putc(&w->cell, ' ');
		append_one_line(&w->cell, s + a, b - a);
	} else if (heading > 0) {
		open_block(w, OFFICE_PARA);
		for (int i = 0; i < (heading > MAX_HEADING ? MAX_HEADING : heading); i++)
			sb_putc(w->out, '#');
		sb_putc(w->out, ' ');
		append_one_line(w->out, s + a, b - a);
		sb_putc(w->out, '\n');
	} else if (marker) {
		open_block(w, OFFICE_ITEM);
		for (int i = 0; i < (level > MAX_INDENT ? MAX_INDENT : level); i++)
			sb_puts(w->out, "  ");
		sb_puts(w->out, marker);
		sb_append(w->out, s + a, b - a);
		sb_putc(w->out, '\n');
	} else {
		open_block(w, OFFICE_PARA);
		sb_append(w->out, s + a, b - a);
		sb_putc(w->out, '\n');
	}
done:
	sb_reset(&w->para);
}

void office_drop_para(struct office_writer *w)
{
	sb_reset(&w->para);
}

void office_table_start(struct office_writer *w)
{
	if (w->tables++ == 0)
		w->rows = 0;
}

void office_table_end(struct office_writer *w)
{
	if (w->tables == 0)
		return;
	if (--w->tables == 0)
		w->last = OFFICE_NONE;
}

void office_row_start(struct office_writer *w)
{
	if (w->tables != 1)
		return;
	sb_reset(&w->row);
	sb_reset(&w->cell);
	w->cells = 0;
}

void office_cell_end(struct office_writer *w, long repeat)
{
	if (w->tables != 1)
		return;
	if (w->para.len > 0)
		office_end_para(w, 0, NULL, 0);
	/* The text goes in once, its repeats are empty: a large cell repeated
	 * must not multiply the row. */
	for (long i = 0; i < (repeat < 1 ? 1 : repeat) && w->cells < ROW_CELLS_MAX; i++) {
		sb_append(&w->row, " ", 1);
		if (i == 0 && w->cell.len > 0) {
			/* a "|" in a cell would start a new column */
			for (size_t j = 0; j < w->cell.len; j++)
				sb_putc(&w->row, w->cell.buf[j] == '|' ? '/' : w->cell.buf[j]);
			sb_putc(&w->row, ' ');
		}
		sb_putc(&w->row, '|');
		w->cells++;
	}
	sb_reset(&w->cell);
}

/* True when the row holds nothing but separators and spaces. */
static bool row_is_empty(const struct strbuf *row)
{
	for (size_t i = 0; i < row->len; i++) {
		if (row->buf[i] != ' ' && row->buf[i] != '|')
			return false;
	}
	return true;
}

void office_row_end(struct office_writer *w)
{
	if (w->tables != 1)
		return;
	if (w->cell.len > 0 || w->para.len > 0)
		office_cell_end(w, 1);
	if (w->cells == 0 || row_is_empty(&w->row))
		return;
	open_block(w, OFFICE_ROW);
	if (w->rows == 1) {
		/* a second row makes the first one a header, as in HTML tables */
		sb_putc(w->out, '|');
		for (size_t i = 0; i < w->head_cells; i++)
			sb_puts(w->out, "---|");
		sb_putc(w->out, '\n');
	}
	if (w->rows == 0)
		w->head_cells = w->cells;
	sb_putc(w->out, '|');
	sb_append(w->out, w->row.buf, w->row.len);
	sb_putc(w->out, '\n');
	w->rows++;
}
