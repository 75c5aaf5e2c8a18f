/* pane_chat: the conversation, newest at the bottom, answers streaming in. */
#include "tui/app/pane.h"
#include "tui/ui/clipboard.h"
#include "tui/ui/highlight.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct chat_pane {
	int scroll;                /* rows scrolled up from the bottom */
	int cite_sel;              /* selected citation of the message on show, -1: none */
	int code_sel;              /* selected code block of the message on show, -1: none */
};

static void *chat_create(struct pane_host *h)
{
	struct chat_pane *c = xcalloc(1, sizeof *c);
	(void)h;
	c->cite_sel = -1;
	c->code_sel = -1;
	return c;
}

void chat_msg_clean(struct chat_msg *m)
{
	utf8_clean_update(&m->clean, sb_str(&m->raw), m->raw.len);
}

/* The theme element of each highlight class (HL_PLAIN: the code block's). */
static const enum theme_elem hl_elems[HL_CLASS_COUNT] = {
	[HL_PLAIN] = THEME_CODE_BLOCK, [HL_KEYWORD] = THEME_HL_KEYWORD, [HL_TYPE] = THEME_HL_TYPE,
	[HL_FUNCTION] = THEME_HL_FUNCTION, [HL_STRING] = THEME_HL_STRING, [HL_NUMBER] = THEME_HL_NUMBER,
	[HL_COMMENT] = THEME_HL_COMMENT, [HL_VARIABLE] = THEME_HL_VARIABLE, [HL_KEY] = THEME_HL_KEY,
	[HL_HEADER] = THEME_HL_HEADER, [HL_ADDED] = THEME_HL_ADDED, [HL_REMOVED] = THEME_HL_REMOVED,
	[HL_ERROR] = THEME_HL_ERROR, [HL_WARN] = THEME_HL_WARN,
};

static enum theme_elem run_elem(enum wrap_style s, unsigned hl, bool assistant)
{
	if (s == WRAP_CODE_BLOCK)
		return hl < HL_CLASS_COUNT ? hl_elems[hl] : THEME_CODE_BLOCK;
	switch (s) {
	case WRAP_HEADING: return THEME_HEADING;
	case WRAP_EMPHASIS: return THEME_EMPHASIS;
	case WRAP_STRONG: return THEME_STRONG;
	case WRAP_CODE: return THEME_CODE;
	case WRAP_CITATION: return THEME_CITATION;
	case WRAP_LINK: return THEME_LINK;
	case WRAP_URL: return THEME_URL;
	case WRAP_LIST_BULLET: return THEME_BULLET;
	case WRAP_STRIKE: return THEME_STRIKE;
	case WRAP_QUOTE: return THEME_QUOTE;
	case WRAP_RULE: return THEME_RULE;
	case WRAP_CODE_FRAME: return THEME_CODE_FRAME;
	case WRAP_CODE_LANG: return THEME_CODE_LANG;
	case WRAP_TABLE_HEAD: return THEME_TABLE_HEAD;
	default: return assistant ? THEME_ASSISTANT : THEME_USER;
	}
}

/* Rows a message takes: its label, its text, its footer, a blank. */
static size_t msg_rows(struct chat_msg *m, int width)
{
	chat_msg_clean(m);
	if (!m->wrap) {
		m->wrap = wrap_new();
		wrap_set_markdown(m->wrap, m->assistant);   /* what a person typed shows as typed */
	}
	wrap_layout(m->wrap, m->clean.buf, m->clean.len, width);
	m->wrap_width = width;
	return 1 + wrap_row_count(m->wrap) + (m->assistant ? 1 : 0) + 1;
}

/* Draw run of m at (y, x) in style e, the bytes of its unsupported
 * sentences in THEME_UNSUPPORTED (prose runs only: code, citations and
 * drawn-only bytes keep their style). Returns the columns drawn. */
static int put_run(WINDOW *w, int y, int x, int maxcols, const struct chat_msg *m,
                   const struct wrap_run *run, enum theme_elem e)
{
	const char *text = wrap_run_text(m->wrap, m->clean.buf, run);
	bool prose = run->style == WRAP_NORMAL || run->style == WRAP_EMPHASIS ||
	             run->style == WRAP_STRONG || run->style == WRAP_HEADING;
	if (run->lit || !prose || !m->n_unsupported)
		return screen_put(w, y, x, maxcols, text, run->len, e);
	size_t off = run->off, end = run->off + run->len;
	int cols = 0;
	while (off < end) {
		size_t cut = end;
		bool in = false;
		for (size_t k = 0; k < m->n_unsupported && !in; k++) {
			const struct chat_mark *mk = &m->unsupported[k];
			if (mk->start <= off && off < mk->end) {
				in = true;
				cut = mk->end < end ? mk->end : end;
			} else if (mk->start > off && mk->start < cut)
				cut = mk->start;
		}
		cols += screen_put(w, y, x + cols, maxcols - cols, text + (off - run->off), cut - off,
		                   in ? THEME_UNSUPPORTED : e);
		off = cut;
	}
	return cols;
}

/* Draw row r of m; selected_cite and the frame of the code block whose
 * rows are [code_first, code_end) are drawn selected. */
static void draw_text_row(WINDOW *w, int y, struct chat_msg *m, size_t r, int selected_cite,
                          size_t code_first, size_t code_end, int width)
{
	const struct wrap_row *row = wrap_row(m->wrap, r);
	size_t n;
	const struct wrap_run *runs = wrap_row_runs(m->wrap, r, &n);
	int x = 1 + (int)row->indent;
	bool in_code = r >= code_first && r < code_end;
	for (size_t i = 0; i < n; i++) {
		const struct wrap_run *run = &runs[i];
		enum theme_elem e = run_elem(run->style, run->hl, m->assistant);
		if ((run->style == WRAP_CITATION && run->cite == selected_cite) ||
		    (in_code && run->style == WRAP_CODE_FRAME))
			e = THEME_SELECTION;
		x += put_run(w, y, x, width + 1 - x, m, run, e);
	}
	if (row->flags & WRAP_ROW_BROKEN)
		screen_put(w, y, width, 1, "…", strlen("…"), THEME_DIM);
}

/* The rows of the selected code block of message idx: [*first, *end). */
static void selected_code_rows(const struct pane *p, size_t idx, size_t *first, size_t *end)
{
	const struct chat_pane *c = p->state;
	struct chat_msg *m = p->host->msgs[idx];
	size_t n;
	*first = *end = 0;
	if ((long)idx != p->host->shown || c->code_sel < 0 || !m->wrap)
		return;
	const struct wrap_block *b = wrap_code_blocks(m->wrap, &n);
	if ((size_t)c->code_sel < n) {
		*first = b[c->code_sel].first_row;
		*end = *first + b[c->code_sel].nrows;
	}
}

static void draw_footer(WINDOW *w, int y, struct chat_msg *m, bool streaming, int width)
{
	if (streaming)
		screen_put(w, y, 1, width, "… streaming (Esc stops)", strlen("… streaming (Esc stops)"), THEME_DIM);
	else if (m->footer)
		screen_put(w, y, 1, width, m->footer, strlen(m->footer),
		           m->interrupted && !m->replaced ? THEME_WARN : THEME_DIM);
}

static int selected_cite(const struct pane *p, size_t idx)
{
	const struct chat_pane *c = p->state;
	size_t n;
	const struct wrap_cite *cites;
	struct chat_msg *m = p->host->msgs[idx];
	if ((long)idx != p->host->shown || c->cite_sel < 0 || !m->wrap)
		return -1;
	cites = wrap_cites(m->wrap, &n);
	return (size_t)c->cite_sel < n ? cites[c->cite_sel].n : -1;
}

static void chat_draw(struct pane *p, WINDOW *w, bool focused)
{
	struct pane_host *host = p->host;
	struct chat_pane *c = p->state;
	int h, wd;
	getmaxyx(w, h, wd);
	screen_frame(w, "1 chat", focused);
	int inner_h = h - 2, width = wd - 2;
	if (inner_h <= 0 || width <= 0)
		return;
	size_t total = 0;
	for (size_t i = 0; i < host->n_msgs; i++)
		total += msg_rows(host->msgs[i], width);
	int max_scroll = total > (size_t)inner_h ? (int)(total - (size_t)inner_h) : 0;
	if (c->scroll > max_scroll)
		c->scroll = max_scroll;
	if (c->scroll < 0)
		c->scroll = 0;
	long first = (long)total - inner_h - c->scroll;
	long row = 0;
	for (size_t i = 0; i < host->n_msgs && row < first + inner_h; i++) {
		struct chat_msg *m = host->msgs[i];
		size_t nrows = wrap_row_count(m->wrap);
		long rows = (long)msg_rows(m, width);
		if (row + rows <= first) {
			row += rows;
			continue;
		}
		int cite = selected_cite(p, i);
		size_t code_first, code_end;
		selected_code_rows(p, i, &code_first, &code_end);
		for (long r = 0; r < rows; r++, row++) {
			int y = (int)(row - first) + 1;
			if (row < first || y > inner_h)
				continue;
			if (r == 0)
				screen_put(w, y, 1, width, m->assistant ? "ragdeck" : "you", m->assistant ? 7 : 3,
				           m->assistant ? THEME_TITLE : THEME_USER);
			else if ((size_t)r <= nrows)
				draw_text_row(w, y, m, (size_t)r - 1, cite, code_first + 1, code_end + 1, width);
			else if (m->assistant && (size_t)r == nrows + 1)
				draw_footer(w, y, m, m == host->streaming, width);
		}
	}
}

/* Step the citation selection of the message on show by dir. */
static enum overlay_reply step_cite(struct pane *p, int dir)
{
	struct pane_host *h = p->host;
	struct chat_pane *c = p->state;
	size_t n = 0;
	if (h->shown < 0 || !h->msgs[h->shown]->wrap)
		return OVERLAY_PASS;
	wrap_cites(h->msgs[h->shown]->wrap, &n);
	if (n == 0) {
		host_status(h, false, "this answer cites nothing");
		return OVERLAY_TAKEN;
	}
	if (c->cite_sel < 0)
		c->cite_sel = dir > 0 ? 0 : (int)n - 1;
	else
		c->cite_sel = (int)(((size_t)c->cite_sel + (dir > 0 ? 1 : n - 1)) % n);
	return OVERLAY_TAKEN;
}

/* Approve (or un-approve) the latest saved answer as a training pair. */
static void approve_latest(struct pane_host *h)
{
	for (size_t i = h->n_msgs; i-- > 0;) {
		struct chat_msg *m = h->msgs[i];
		if (!m->assistant || !m->msg_id)
			continue;
		if (host_approve(h, m) == 0)
			host_status(h, false, m->approved ? "answer approved as a training pair (ragdeck pairs export)"
			                                  : "answer no longer approved");
		return;
	}
	host_status(h, false, "no saved answer to approve yet");
}

static void open_cited(struct pane *p)
{
	int n = p->host->shown >= 0 ? selected_cite(p, (size_t)p->host->shown) : -1;
	if (n < 0)
		host_status(p->host, false, "select a citation with n first");
	else if (!host_show_block(p->host, n))
		host_status(p->host, true, "citation [%d] is not among the retrieved chunks", n);
}

/* The answer on show, or NULL with the reason in the status line. */
static struct chat_msg *shown_answer(struct pane *p)
{
	struct pane_host *h = p->host;
	if (h->shown < 0) {
		host_status(h, false, "no answer on show yet");
		return NULL;
	}
	struct chat_msg *m = h->msgs[h->shown];
	chat_msg_clean(m);
	return m;
}

/* Copy text (sanitized) to the clipboard, saying what in the status line. */
static void copy(struct pane *p, const char *text, size_t len, const char *what)
{
	size_t lines = len > 0;
	for (size_t i = 0; i + 1 < len; i++)
		lines += text[i] == '\n';
	if (screen_copy(text, len) != 0)
		host_status(p->host, true, "%s is %zu KiB, over the %d KiB a terminal takes: not copied", what,
		            len / 1024, CLIPBOARD_MAX / 1024);
	else
		host_status(p->host, false, "copied %s (%zu line%s) to the clipboard", what, lines,
		            lines == 1 ? "" : "s");
}

static void copy_answer(struct pane *p)
{
	struct chat_msg *m = shown_answer(p);
	if (m)
		copy(p, m->clean.buf, m->clean.len, "the answer");
}

static void copy_code(struct pane *p)
{
	struct chat_pane *c = p->state;
	struct chat_msg *m = shown_answer(p);
	size_t n = 0;
	if (!m)
		return;
	if (m->wrap)
		wrap_code_blocks(m->wrap, &n);
	if (n == 0) {
		host_status(p->host, false, "this answer has no code block");
		return;
	}
	if (c->code_sel < 0 || (size_t)c->code_sel >= n)
		c->code_sel = 0;
	struct strbuf sb = STRBUF_INIT;
	char what[64];
	wrap_code_text(m->wrap, m->clean.buf, (size_t)c->code_sel, &sb);
	snprintf(what, sizeof what, "code block %d of %zu", c->code_sel + 1, n);
	copy(p, sb_str(&sb), sb.len, what);
	sb_free(&sb);
}

/* Step the code block selection by dir (n/N while a block is selected). */
static void step_code(struct pane *p, int dir)
{
	struct chat_pane *c = p->state;
	struct chat_msg *m = p->host->msgs[p->host->shown];
	size_t n = 0;
	wrap_code_blocks(m->wrap, &n);
	if (n == 0)
		return;
	c->code_sel = (int)(((size_t)c->code_sel + (dir > 0 ? 1 : n - 1)) % n);
	host_status(p->host, false, "code block %d of %zu: c copies it, Esc goes back to citations",
	            c->code_sel + 1, n);
}

static void copy_citation(struct pane *p)
{
	int n = p->host->shown >= 0 ? selected_cite(p, (size_t)p->host->shown) : -1;
	const struct turn_record *r = host_record(p->host);
	if (n < 0) {
		host_status(p->host, false, "select a citation with n first");
		return;
	}
	for (size_t i = 0; r && i < r->retrieval.pack.n_blocks; i++) {
		const struct pack_block *b = &r->retrieval.pack.blocks[i];
		if (b->number != n)
			continue;
		struct strbuf sb = STRBUF_INIT;
		char loc[PACK_LOCATION_LEN];
		pack_location(loc, sizeof loc, b->line_start, b->line_end, b->page_start, b->page_end);
		sb_printf(&sb, "%s%s", b->path, loc);
		size_t len;
		char *clean = utf8_sanitize(sb.buf, sb.len, &len);
		char what[32];
		snprintf(what, sizeof what, "citation [%d]", n);
		copy(p, clean, len, what);
		free(clean);
		sb_free(&sb);
		return;
	}
	host_status(p->host, true, "citation [%d] is not among the retrieved chunks", n);
}

static enum overlay_reply chat_command(struct pane *p, enum keys_cmd cmd)
{
	struct chat_pane *c = p->state;
	const struct layout_rect *r = &p->host->layout->pane[LAYOUT_CHAT];
	int page = r->h > 4 ? r->h - 3 : 1;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: c->scroll++; break;
	case KEYS_CMD_SCROLL_DOWN: c->scroll--; break;
	case KEYS_CMD_PAGE_UP: c->scroll += page; break;
	case KEYS_CMD_PAGE_DOWN: c->scroll -= page; break;
	case KEYS_CMD_SCROLL_TOP: c->scroll = 1 << 30; break;
	case KEYS_CMD_SCROLL_BOTTOM: c->scroll = 0; break;
	case KEYS_CMD_APPROVE: approve_latest(p->host); break;
	case KEYS_CMD_EDIT_QUESTION: host_edit_question(p->host); break;
	case KEYS_CMD_ASK_AGAIN: host_ask_again(p->host); break;
	case KEYS_CMD_NEXT_CITATION:
	case KEYS_CMD_PREV_CITATION:
		if (c->code_sel < 0 || p->host->shown < 0)
			return step_cite(p, cmd == KEYS_CMD_NEXT_CITATION ? 1 : -1);
		step_code(p, cmd == KEYS_CMD_NEXT_CITATION ? 1 : -1);
		break;
	case KEYS_CMD_OPEN_CHUNK: open_cited(p); break;
	case KEYS_CMD_COPY_ANSWER: copy_answer(p); break;
	case KEYS_CMD_COPY_CODE: copy_code(p); break;
	case KEYS_CMD_COPY_CITATION: copy_citation(p); break;
	case KEYS_CMD_CANCEL:
		if (c->code_sel < 0)
			return OVERLAY_PASS;
		c->code_sel = -1;
		break;
	default: return OVERLAY_PASS;
	}
	return OVERLAY_TAKEN;
}

static void chat_event(struct pane *p, enum pane_event e)
{
	struct chat_pane *c = p->state;
	if (e == PANE_EVENT_MESSAGE)
		c->scroll = 0;
	else
		c->cite_sel = c->code_sel = -1;
}

const struct pane_ops pane_chat = {
	.create = chat_create,
	.destroy = free,
	.draw = chat_draw,
	.command = chat_command,
	.event = chat_event,
};
