/* HTML -> Markdown-ish text with a small tag scanner.
 *
 * One pass, no recursion and no element stack: nesting only moves counters,
 * so 100k nested tags cost what 100k flat ones do. Every search that can
 * fail to the end of input either ends the scan or is cached, which keeps
 * hostile input linear. */
#include "core/ingest/loader_int.h"
#include "core/util/utf8.h"

#include <stdbool.h>
#include <string.h>

#define MAX_INDENT 8

struct html {
	const char *s;
	size_t len, pos;
	struct strbuf *out;
	char *title;
	int brk;              /* newlines owed before the next text (0..2) */
	bool space;           /* a space owed before the next text */
	bool item;            /* a "- " marker owed */
	int heading;          /* level of a "#" prefix owed, 0 for none */
	int list_depth;
	int cells;            /* cells opened in the current table row */
	int rows;             /* rows closed in the current table */
	int header_cells;     /* cells of its first row */
	bool in_cell;
	bool in_head;
	int pre;              /* open <pre> elements */
	bool pre_first;       /* right after <pre>: one newline is dropped */
	size_t fence;         /* backticks of the open fence */
	size_t pre_close;     /* cached offset of the next "</pre" (len: none) */
	bool pre_close_known;
	char hidden[HTML_TAG_NAME_MAX + 1]; /* element being dropped, or "" */
	size_t hidden_depth;
	size_t quote_end[2];  /* 1 + offset of the last '"' and '\'', 0: none */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Offset just past the first '>' at or after from, or len. */
static size_t after_gt(const struct html *h, size_t from)
{
	const char *gt = memchr(h->s + from, '>', h->len - from);
	return gt ? (size_t)(gt - h->s) + 1 : h->len;
}

static void trim_trailing(struct strbuf *o, bool newlines)
{
	size_t n = o->len;
	while (n > 0 && (o->buf[n - 1] == ' ' || (newlines && o->buf[n - 1] == '\n')))
		n--;
	sb_truncate(o, n);
}

/* Write what is owed before visible text: line breaks or a space, then a
 * list marker and a heading prefix. */
static void open_text(struct html *h)
{
	struct strbuf *o = h->out;
	if (o->len > 0 && h->brk) {
		trim_trailing(o, false);
		int have = 0;
		while (have < 2 && (size_t)have < o->len && o->buf[o->len - 1 - (size_t)have] == '\n')
			have++;
		for (; have < h->brk; have++)
			sb_putc(o, '\n');
	} else if (o->len > 0 && h->space && o->buf[o->len - 1] != ' ') {
		sb_putc(o, ' ');
	}
	h->brk = 0;
	h->space = false;
	if (h->item) {
		for (int d = 1; d < h->list_depth && d <= MAX_INDENT; d++)
			sb_puts(o, "  ");
		sb_puts(o, "- ");
		h->item = false;
	}
	if (h->heading) {
		for (int i = 0; i < h->heading; i++)
			sb_putc(o, '#');
		sb_putc(o, ' ');
		h->heading = 0;
	}
}

static void want_break(struct html *h, int n)
{
	if (h->pre)
		return;
	if (h->in_cell)
		h->space = true;
	else if (n > h->brk)
		h->brk = n;
}

static void line_break(struct html *h)
{
	if (h->pre)
		sb_putc(h->out, '\n');
	else if (h->in_cell)
		h->space = true;
	else if (h->brk < 2)
		h->brk++;
}

static void put_code_point(struct html *h, uint32_t cp)
{
	char buf[4];
	if (cp < 0x80 && is_space((char)cp)) {
		if (!h->pre)
			h->space = true;
		else if (cp != '\r')
			sb_putc(h->out, (char)cp);
		return;
	}
	if (!h->pre)
		open_text(h);
	sb_append(h->out, buf, utf8_encode(cp, buf));
}

/* Emit s[i..end): entities decoded; whitespace collapsed outside <pre>. */
static void text(struct html *h, size_t i, size_t end)
{
	const char *s = h->s;
	if (h->pre_first && s[i] == '\n')
		i++;
	h->pre_first = false;
	while (i < end) {
		uint32_t cp;
		size_t n = s[i] == '&' ? loader_html_entity(s + i, end - i, &cp) : 0;
		if (n) {
			put_code_point(h, cp);
			i += n;
			continue;
		}
		size_t j = i + 1;
		if (h->pre) {
			while (j < end && s[j] != '&')
				j++;
			sb_append(h->out, s + i, j - i);
		} else if (is_space(s[i])) {
			while (j < end && is_space(s[j]))
				j++;
			h->space = true;
		} else {
			while (j < end && s[j] != '&' && !is_space(s[j]))
				j++;
			open_text(h);
			sb_append(h->out, s + i, j - i);
		}
		i = j;
	}
}

static void visible_text(struct html *h, size_t i, size_t end)
{
	if (h->hidden[0])
		return;
	if (h->in_head) {
		size_t k = i;
		while (k < end && is_space(h->s[k]))
			k++;
		if (k == end)
			return;
		h->in_head = false; /* text in <head> means the body began */
	}
	text(h, i, end);
}

/* Read <title> content (RCDATA): up to </title>, else up to the next tag. */
static void read_title(struct html *h)
{
	size_t end = loader_html_find_end_tag(h->s, h->pos, h->len, "title");
	bool closed = end < h->len;
	if (!closed) {
		const char *lt = memchr(h->s + h->pos, '<', h->len - h->pos);
		end = lt ? (size_t)(lt - h->s) : h->len;
	}
	if (!h->title)
		h->title = loader_html_title_text(h->s + h->pos, end - h->pos);
	h->pos = closed ? after_gt(h, end) : end;
}

static void skip_raw(struct html *h, const char *name)
{
	size_t end = loader_html_find_end_tag(h->s, h->pos, h->len, name);
	h->pos = end < h->len ? after_gt(h, end) : h->len;
}

/* Backticks for the fence of the <pre> whose content starts at h->pos:
 * longer than any backtick run inside it. */
static size_t fence_length(struct html *h)
{
	if (!h->pre_close_known || h->pre_close < h->pos) {
		h->pre_close = loader_html_find_end_tag(h->s, h->pos, h->len, "pre");
		h->pre_close_known = true;
	}
	size_t longest = 2, run = 0;
	for (size_t i = h->pos; i < h->pre_close; i++) {
		run = h->s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest + 1;
}

static void put_fence(struct html *h)
{
	for (size_t n = h->fence; n > 0; n--)
		sb_putc(h->out, '`');
}

static void open_pre(struct html *h)
{
	if (h->pre++ > 0)
		return;
	h->brk = 2;
	h->space = false;
	open_text(h);
	h->fence = fence_length(h);
	put_fence(h);
	sb_putc(h->out, '\n');
	h->pre_first = true;
}

static void close_pre(struct html *h)
{
	if (h->pre == 0) {
		want_break(h, 2);
		return;
	}
	if (--h->pre > 0)
		return;
	if (h->out->len > 0 && h->out->buf[h->out->len - 1] != '\n')
		sb_putc(h->out, '\n');
	put_fence(h);
	h->brk = 2;
	h->space = false;
}

/* Rows come out as Markdown table rows, "| a | b |". A second row puts
 * the separator row before it, so the first reads as the header; a table
 * of one row (a layout table: a note beside its icon) has none. */
static void open_cell(struct html *h)
{
	if (h->pre)
		return;
	h->space = false;
	if (h->cells == 0 && h->rows == 1) {
		open_text(h);
		sb_putc(h->out, '|');
		for (int i = 0; i < h->header_cells; i++)
			sb_puts(h->out, "---|");
		h->brk = 1;
	}
	open_text(h);
	if (h->cells > 0 && h->out->len && h->out->buf[h->out->len - 1] != ' ')
		sb_putc(h->out, ' ');
	sb_puts(h->out, "| ");
	h->space = false;
	h->cells++;
	h->in_cell = true;
}

static void close_row(struct html *h)
{
	if (h->pre || h->cells == 0)
		return;
	trim_trailing(h->out, false);
	sb_puts(h->out, " |");
	if (h->rows++ == 0)
		h->header_cells = h->cells;
	h->cells = 0;
}

/* A table or row begins or ends (the same either way): the open row is
 * closed, a table restarts its row count, and a line break follows. */
static void table_boundary(struct html *h, bool table)
{
	close_row(h);
	h->in_cell = false;
	if (table)
		h->rows = 0;
	want_break(h, table ? 2 : 1);
}

static void start_tag(struct html *h, const struct html_tag *t)
{
	enum html_tag_kind k = t->kind;

	if (h->hidden[0]) {
		if (k == HTML_RAW && !t->self_closing)
			skip_raw(h, t->name);
		else if (strcmp(t->name, h->hidden) == 0 && !t->self_closing)
			h->hidden_depth++;
		return;
	}
	if (h->in_head && k != HTML_TITLE && k != HTML_RAW && k != HTML_HIDDEN &&
	    k != HTML_HEAD_CONTENT && k != HTML_HEAD)
		h->in_head = false;
	switch (k) {
	case HTML_LINE: want_break(h, 1); break;
	case HTML_PARA: want_break(h, 2); break;
	case HTML_BR: line_break(h); break;
	case HTML_HEADING:
		want_break(h, 2);
		if (!h->pre && !h->in_cell)
			h->heading = t->name[1] - '0';
		break;
	case HTML_ITEM:
		want_break(h, 1);
		h->item = !h->pre && !h->in_cell;
		break;
	case HTML_LIST:
		want_break(h, h->list_depth ? 1 : 2);
		h->list_depth++;
		break;
	case HTML_TABLE:
	case HTML_ROW:
		table_boundary(h, k == HTML_TABLE);
		break;
	case HTML_CELL: open_cell(h); break;
	case HTML_PRE: open_pre(h); break;
	case HTML_RAW:
		if (!t->self_closing)
			skip_raw(h, t->name);
		break;
	case HTML_HIDDEN:
		if (!t->self_closing) {
			memcpy(h->hidden, t->name, sizeof h->hidden);
			h->hidden_depth = 1;
		}
		break;
	case HTML_HEAD: h->in_head = !t->self_closing; break;
	case HTML_TITLE: read_title(h); break;
	case HTML_HEAD_CONTENT:
	case HTML_INLINE: break;
	}
}

static void end_tag(struct html *h, const struct html_tag *t)
{
	enum html_tag_kind k = t->kind;

	if (h->hidden[0]) {
		if (strcmp(t->name, h->hidden) == 0 && --h->hidden_depth == 0)
			h->hidden[0] = '\0';
		return;
	}
	switch (k) {
	case HTML_LINE: want_break(h, 1); break;
	case HTML_PARA: want_break(h, 2); break;
	case HTML_BR: line_break(h); break;
	case HTML_HEADING:
		h->heading = 0;
		want_break(h, 2);
		break;
	case HTML_ITEM:
		h->item = false;
		want_break(h, 1);
		break;
	case HTML_LIST:
		if (h->list_depth > 0)
			h->list_depth--;
		want_break(h, h->list_depth ? 1 : 2);
		break;
	case HTML_TABLE:
	case HTML_ROW:
		table_boundary(h, k == HTML_TABLE);
		break;
	case HTML_CELL: h->in_cell = false; break;
	case HTML_PRE: close_pre(h); break;
	case HTML_HEAD: h->in_head = false; break;
	default: break;
	}
}

/* Handle the markup at h->pos == '<': comment, declaration, processing
 * instruction, start or end tag, or a literal '<'. */
static void markup(struct html *h)
{
	const char *s = h->s + h->pos;
	size_t left = h->len - h->pos;

	h->pre_first = false;
	if (left >= 4 && memcmp(s, "<!--", 4) == 0) {
		/* Ends at the first "-->"; "<!-->" and "<!--->" close at once. */
		size_t i = h->pos + 4;
		const char *p;
		while ((p = memchr(h->s + i, '>', h->len - i)) != NULL && !(p[-1] == '-' && p[-2] == '-'))
			i = (size_t)(p - h->s) + 1;
		h->pos = p ? (size_t)(p - h->s) + 1 : h->len;
		return;
	}
	if (left >= 2 && (s[1] == '!' || s[1] == '?')) {
		h->pos = after_gt(h, h->pos + 2);
		return;
	}
	bool closing = left >= 2 && s[1] == '/';
	size_t name_at = h->pos + 1 + closing;
	if (name_at >= h->len || !is_alpha(h->s[name_at])) {
		visible_text(h, h->pos, h->pos + 1);
		h->pos++;
		return;
	}
	struct html_tag t;
	h->pos = loader_html_scan_tag(h->s, h->len, name_at, h->quote_end, &t);
	if (closing)
		end_tag(h, &t);
	else
		start_tag(h, &t);
}

static size_t last_offset_plus_one(const char *s, size_t len, char c)
{
	while (len > 0 && s[len - 1] != c)
		len--;
	return len;
}

void loader_html_convert(const char *s, size_t len, struct strbuf *out, char **title)
{
	struct html h = { .s = s, .len = len, .out = out };

	h.quote_end[0] = last_offset_plus_one(s, len, '"');
	h.quote_end[1] = last_offset_plus_one(s, len, '\'');
	sb_grow(out, len / 2);
	while (h.pos < len) {
		const char *lt = memchr(s + h.pos, '<', len - h.pos);
		size_t end = lt ? (size_t)(lt - s) : len;
		if (end > h.pos)
			visible_text(&h, h.pos, end);
		h.pos = end;
		if (h.pos < len)
			markup(&h);
	}
	if (h.pre) {
		h.pre = 1;
		close_pre(&h);
	}
	trim_trailing(out, true);
	if (out->len > 0)
		sb_putc(out, '\n');
	*title = h.title;
}
