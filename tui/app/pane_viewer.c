/* pane_viewer: the chunk viewer, an overlay over the body — a retrieved
 * chunk shown inside its document (in a paged document, inside the pages it
 * spans), highlighted, scrolled to it once; + and - mark the chunk it
 * shows, Esc closes it. */
#include "tui/app/pane.h"
#include "tui/cli/cli.h"
#include "store/session.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A document shown around one chunk. */
struct viewer {
	char *path;
	char *title;               /* path, with the pages shown */
	char *body;                /* sanitised document text */
	size_t body_len;
	size_t hl_start, hl_end;   /* the chunk's bytes in body */
	struct wrap *wrap;
	int width;
	int scroll;                /* first row shown */
	bool centred;              /* scrolled to the chunk once */
	char *question;            /* of the turn that retrieved the chunk */
	struct session_feedback mark;   /* the chunk as + and - mark it (borrows path, question) */
	int rank;
};

static void viewer_destroy(void *state)
{
	struct viewer *v = state;
	if (!v)
		return;
	free(v->path);
	free(v->title);
	free(v->body);
	free(v->question);
	wrap_free(&v->wrap);
	free(v);
}

/* Where raw byte off of the document lands in its sanitised copy. */
static size_t clean_offset(const char *raw, size_t off)
{
	size_t n = 0;
	char *c = utf8_sanitize(raw, off, &n);
	free(c);
	return n;
}

/* The bytes [*from, *to) of pages first..last of a paged text (page N
 * starts after the (N-1)th form feed); the whole text when it has fewer. */
static void page_span(const char *raw, size_t len, int first, int last, size_t *from, size_t *to)
{
	int page = 1;
	*from = 0;
	*to = len;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] != '\f')
			continue;
		if (page == last) {
			*to = i;
			break;
		}
		page++;
		if (page == first)
			*from = i + 1;
	}
	if (*from > *to)
		*from = *to;
}

static const struct pane_ops viewer_ops;

struct pane *pane_viewer_new(struct pane_host *host, const char *raw, size_t len,
                             const struct turn_record *r, size_t i)
{
	const struct retrieve_hit *h = &r->retrieval.hits[i];
	struct viewer *v = xcalloc(1, sizeof *v);
	size_t from = 0, to = len;
	char loc[PACK_LOCATION_LEN] = "";
	if (h->page_start > 0) {
		page_span(raw, len, h->page_start, h->page_end, &from, &to);
		pack_location(loc, sizeof loc, h->line_start, h->line_end, h->page_start, h->page_end);
	}
	size_t bs = (size_t)h->byte_start < to ? (size_t)h->byte_start : to;
	size_t be = (size_t)h->byte_end < to ? (size_t)h->byte_end : to;
	bs = bs > from ? bs - from : 0;
	be = be > from ? be - from : 0;
	v->hl_start = clean_offset(raw + from, bs);
	v->hl_end = clean_offset(raw + from, be);
	v->body = utf8_sanitize(raw + from, to - from, &v->body_len);
	v->path = xstrdup(h->path);
	size_t tlen = strlen(cli_display_path(v->path)) + strlen(loc) + 1;
	v->title = xmalloc(tlen);
	snprintf(v->title, tlen, "%s%s", cli_display_path(v->path), loc);
	v->wrap = wrap_new();
	wrap_set_markdown(v->wrap, false);   /* the document as stored, line for line */
	v->question = r->question ? xstrdup(r->question) : NULL;
	v->mark = (struct session_feedback){
		.query_id = r->query_id, .chunk_id = h->chunk_id, .document_path = v->path,
		.line_start = h->line_start, .line_end = h->line_end, .question = v->question,
	};
	v->rank = h->rank;
	return pane_new(&viewer_ops, host, v);
}

static void draw_row(WINDOW *w, int y, struct viewer *v, size_t r, int width)
{
	const struct wrap_row *row = wrap_row(v->wrap, r);
	size_t n;
	const struct wrap_run *runs = wrap_row_runs(v->wrap, r, &n);
	int x = 1 + (int)row->indent;
	bool in = n > 0 && runs[0].off < v->hl_end && runs[n - 1].off + runs[n - 1].len > v->hl_start;
	if (in)
		screen_put(w, y, 0, 1, "▌", strlen("▌"), THEME_CITATION);
	for (size_t i = 0; i < n; i++) {
		const struct wrap_run *run = &runs[i];
		bool hl = run->off < v->hl_end && run->off + run->len > v->hl_start;
		x += screen_put(w, y, x, width + 1 - x, v->body + run->off, run->len,
		                hl ? THEME_SELECTION : THEME_NORMAL);
	}
}

static void viewer_draw(struct pane *p, WINDOW *w, bool focused)
{
	struct viewer *v = p->state;
	int h, wd;
	getmaxyx(w, h, wd);
	screen_frame(w, v->title, focused);
	int inner_h = h - 2, width = wd - 2;
	if (inner_h <= 0 || width <= 0)
		return;
	if (v->width != width) {
		wrap_layout(v->wrap, v->body, v->body_len, width);
		v->width = width;
	}
	size_t rows = wrap_row_count(v->wrap);
	if (!v->centred) {
		for (size_t r = 0; r < rows; r++) {
			size_t n;
			const struct wrap_run *runs = wrap_row_runs(v->wrap, r, &n);
			if (n && runs[n - 1].off + runs[n - 1].len > v->hl_start) {
				v->scroll = (int)r - inner_h / 4;
				break;
			}
		}
		v->centred = true;
	}
	if (v->scroll > (int)rows - inner_h)
		v->scroll = (int)rows - inner_h;
	if (v->scroll < 0)
		v->scroll = 0;
	for (int y = 0; y < inner_h && (size_t)(v->scroll + y) < rows; y++)
		draw_row(w, y + 1, v, (size_t)(v->scroll + y), width);
}

static void mark(struct pane *p, bool relevant)
{
	struct viewer *v = p->state;
	v->mark.relevant = relevant;
	host_mark(p->host, &v->mark, v->rank);
}

static enum overlay_reply viewer_command(struct pane *p, enum keys_cmd cmd)
{
	struct viewer *v = p->state;
	int rows = p->host->layout->rows;
	int page = rows > 6 ? rows - 6 : 1;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: v->scroll--; break;
	case KEYS_CMD_SCROLL_DOWN: v->scroll++; break;
	case KEYS_CMD_PAGE_UP: v->scroll -= page; break;
	case KEYS_CMD_PAGE_DOWN: v->scroll += page; break;
	case KEYS_CMD_SCROLL_TOP: v->scroll = 0; break;
	case KEYS_CMD_SCROLL_BOTTOM: v->scroll = 1 << 30; break;
	case KEYS_CMD_MARK_RELEVANT: mark(p, true); break;
	case KEYS_CMD_MARK_IRRELEVANT: mark(p, false); break;
	case KEYS_CMD_CANCEL: case KEYS_CMD_QUIT: return OVERLAY_CLOSE;
	default: return OVERLAY_PASS;
	}
	return OVERLAY_TAKEN;
}

static const struct pane_ops viewer_ops = {
	.destroy = viewer_destroy,
	.draw = viewer_draw,
	.command = viewer_command,
};
