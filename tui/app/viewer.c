/* viewer: a retrieved chunk shown inside its document, highlighted. */
#include "tui/app/pane.h"
#include "tui/cli/cli.h"
#include "store/store.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void viewer_close(struct viewer *v)
{
	free(v->path);
	free(v->body);
	wrap_free(&v->wrap);
	memset(v, 0, sizeof *v);
}

/* The document body of doc_id, or NULL with the reason on the status line. */
static char *load_body(struct app *a, int64_t doc_id, size_t *len)
{
	char *body = NULL, err[512];
	int rc = store_doc_body(a->cli->store, doc_id, &body, len, err, sizeof err);
	if (rc == 1)
		snprintf(err, sizeof err, "cannot read the document: it is no longer in the store");
	if (rc != 0)
		app_status(a, true, "%s", err);
	return body;
}

/* Where raw byte off of the document lands in its sanitised copy. */
static size_t clean_offset(const char *raw, size_t off)
{
	size_t n = 0;
	char *c = utf8_sanitize(raw, off, &n);
	free(c);
	return n;
}

int viewer_open(struct app *a, const struct retrieve_hit *h)
{
	struct viewer *v = &a->viewer;
	size_t len = 0;
	char *raw = load_body(a, h->doc_id, &len);
	if (!raw)
		return -1;
	viewer_close(v);
	size_t bs = (size_t)h->byte_start < len ? (size_t)h->byte_start : len;
	size_t be = (size_t)h->byte_end < len ? (size_t)h->byte_end : len;
	v->hl_start = clean_offset(raw, bs);
	v->hl_end = clean_offset(raw, be);
	v->body = utf8_sanitize(raw, len, &v->body_len);
	v->path = xstrdup(h->path);
	v->wrap = wrap_new();
	free(raw);
	a->overlay = OVERLAY_VIEWER;
	app_status(a, false, "%s:%d-%d  (Esc closes, +/- mark the chunk)", cli_display_path(h->path),
	           h->line_start, h->line_end);
	return 0;
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

void viewer_draw(struct app *a, WINDOW *w)
{
	struct viewer *v = &a->viewer;
	int h, wd;
	getmaxyx(w, h, wd);
	screen_frame(w, cli_display_path(v->path), true);
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

bool viewer_command(struct app *a, enum keys_cmd cmd)
{
	struct viewer *v = &a->viewer;
	int page = a->layout.rows > 6 ? a->layout.rows - 6 : 1;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: v->scroll--; return true;
	case KEYS_CMD_SCROLL_DOWN: v->scroll++; return true;
	case KEYS_CMD_PAGE_UP: v->scroll -= page; return true;
	case KEYS_CMD_PAGE_DOWN: v->scroll += page; return true;
	case KEYS_CMD_SCROLL_TOP: v->scroll = 0; return true;
	case KEYS_CMD_SCROLL_BOTTOM: v->scroll = 1 << 30; return true;
	case KEYS_CMD_MARK_RELEVANT: case KEYS_CMD_MARK_IRRELEVANT:
		return pane_context.command(a, cmd);
	case KEYS_CMD_CANCEL: case KEYS_CMD_QUIT:
		viewer_close(v);
		a->overlay = OVERLAY_NONE;
		return true;
	default: return false;
	}
}
