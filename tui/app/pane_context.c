/* pane_context: the chunks retrieved for the shown turn, with their ranks,
 * scores, sources, budget status and injection flags; opens and marks them. */
#include "tui/app/pane.h"
#include "tui/cli/cli.h"
#include "store/session.h"
#include "core/util/grapheme.h"

#include <stdio.h>

#include <string.h>

#define ROWS_PER_HIT 2

/* The drilled eval item, else the shown turn. */
static const struct turn_record *shown(const struct app *a)
{
	return a->ctx_eval ? a->ctx_eval : app_record(a);
}

/* Index of the packed block holding chunk id, or -1. */
static long block_of(const struct turn_record *r, int64_t chunk)
{
	const struct pack_result *p = &r->retrieval.pack;
	for (size_t b = 0; b < p->n_blocks; b++)
		for (size_t c = 0; c < p->blocks[b].n_chunks; c++)
			if (p->blocks[b].chunk_ids[c] == chunk)
				return (long)b;
	return -1;
}

static bool flagged(const struct turn_record *r, long b)
{
	return b >= 0 && (size_t)b < r->prompt.n_blocks && r->prompt.blocks[b].flags.n_hits > 0;
}

/* path:lines, the path's start cut off ("…/dir/file.md:3-9") when it does
 * not fit in cols. */
static int draw_path(WINDOW *w, int y, int x, int cols, const struct retrieve_hit *h,
                     enum theme_elem e)
{
	char lines[32];
	const char *path = cli_display_path(h->path);
	size_t len = strlen(path);
	int used = 0;
	snprintf(lines, sizeof lines, ":%d-%d", h->line_start, h->line_end);
	int room = cols - (int)strlen(lines);
	if (room > 1 && (int)grapheme_width(path, len) > room) {
		used = screen_put(w, y, x, 1, "…", strlen("…"), e);
		while (len && (int)grapheme_width(path, len) > room - used) {
			struct grapheme g;
			size_t next = grapheme_next(path, len, 0, &g);
			path += next;
			len -= next;
		}
	}
	used += screen_put_raw(w, y, x + used, cols - used, path, len, e);
	used += screen_put(w, y, x + used, cols - used, lines, strlen(lines), e);
	return used;
}

static void draw_hit(WINDOW *w, int y, int width, const struct turn_record *r, size_t i, bool sel)
{
	const struct retrieve_hit *h = &r->retrieval.hits[i];
	long b = block_of(r, h->chunk_id);
	int x = 1;
	enum theme_elem e = sel ? THEME_SELECTION : THEME_NORMAL;
	char ranks[48];
	if (b >= 0)
		x += screen_printf(w, y, x, width, sel ? e : THEME_CITATION, "[%d] ",
		                   r->retrieval.pack.blocks[b].number);
	else
		x += screen_printf(w, y, x, width, sel ? e : THEME_DIM, "[-] ");
	snprintf(ranks, sizeof ranks, "vec %s%d fts %s%d", h->vec_rank ? "#" : "", h->vec_rank,
	         h->fts_rank ? "#" : "", h->fts_rank);
	x += screen_printf(w, y, x, width + 1 - x, e, "#%d ", h->rank);
	x += draw_path(w, y, x, width + 1 - x, h, e);
	if (h->status != DOC_CURRENT)
		x += screen_printf(w, y, x, width + 1 - x, THEME_WARN, " %s", doc_status_name(h->status));
	if (!h->packed)
		x += screen_printf(w, y, x, width + 1 - x, THEME_WARN, " over budget");
	if (flagged(r, b))
		screen_printf(w, y, x, width + 1 - x, THEME_INJECTION_FLAG, " ! injection?");
	x = 5 + screen_printf(w, y + 1, 5, width - 4, THEME_DIM, "%.4f %s ", h->fused, ranks);
	screen_printf(w, y + 1, x, width + 1 - x, THEME_DIM, "%s",
	              h->heading_path && h->heading_path[0] ? h->heading_path : "");
}

static void context_draw(struct app *a, WINDOW *w, bool focused)
{
	int h, wd;
	const struct turn_record *r = shown(a);
	getmaxyx(w, h, wd);
	screen_frame(w, "2 context", focused);
	int inner_h = h - 2, width = wd - 2;
	if (inner_h <= 0 || width <= 0)
		return;
	if (!r || r->retrieval.n_hits == 0) {
		screen_printf(w, 1, 1, width, THEME_DIM, "%s",
		              r ? "no chunks were retrieved for this question" : "ask a question to see its sources");
		return;
	}
	const struct pack_result *p = &r->retrieval.pack;
	screen_printf(w, 1, 1, width, THEME_DIM, "%zu chunks, %zu packed in %d/%d tokens, %zu flagged",
	              r->retrieval.n_hits, p->n_blocks, p->total_tokens, p->budget, r->prompt.n_flagged);
	int shown = (inner_h - 1) / ROWS_PER_HIT;
	if (shown < 1)
		return;
	if (a->ctx_sel >= (int)r->retrieval.n_hits)
		a->ctx_sel = (int)r->retrieval.n_hits - 1;
	if (a->ctx_sel < 0)
		a->ctx_sel = 0;
	if (a->ctx_sel < a->ctx_scroll)
		a->ctx_scroll = a->ctx_sel;
	if (a->ctx_sel >= a->ctx_scroll + shown)
		a->ctx_scroll = a->ctx_sel - shown + 1;
	for (int k = 0; k < shown && (size_t)(a->ctx_scroll + k) < r->retrieval.n_hits; k++)
		draw_hit(w, 2 + k * ROWS_PER_HIT, width, r, (size_t)(a->ctx_scroll + k),
		         a->ctx_scroll + k == a->ctx_sel);
}

bool pane_context_show_block(struct app *a, int n)
{
	a->ctx_eval = NULL;
	const struct turn_record *r = app_record(a);
	if (!r)
		return false;
	for (size_t i = 0; i < r->retrieval.n_hits; i++) {
		long b = block_of(r, r->retrieval.hits[i].chunk_id);
		if (b >= 0 && r->retrieval.pack.blocks[b].number == n) {
			a->ctx_sel = (int)i;
			app_focus(a, LAYOUT_CONTEXT);
			return true;
		}
	}
	return false;
}

static void mark(struct app *a, bool relevant)
{
	const struct turn_record *r = shown(a);
	char err[512];
	if (!r || (size_t)a->ctx_sel >= r->retrieval.n_hits) {
		app_status(a, false, "no chunk selected");
		return;
	}
	const struct retrieve_hit *h = &r->retrieval.hits[a->ctx_sel];
	struct session_feedback f = {
		.query_id = r->query_id, .chunk_id = h->chunk_id, .document_path = h->path,
		.line_start = h->line_start, .line_end = h->line_end, .question = r->question,
		.relevant = relevant,
	};
	if (session_feedback_put(a->cli->store, &f, err, sizeof err) != 0)
		app_status(a, true, "%s", err);
	else
		app_status(a, false, "marked #%d %s", h->rank, relevant ? "relevant" : "irrelevant");
}

static bool context_command(struct app *a, enum keys_cmd cmd)
{
	const struct turn_record *r = shown(a);
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: a->ctx_sel--; return true;
	case KEYS_CMD_SCROLL_DOWN: a->ctx_sel++; return true;
	case KEYS_CMD_PAGE_UP: a->ctx_sel -= 5; return true;
	case KEYS_CMD_PAGE_DOWN: a->ctx_sel += 5; return true;
	case KEYS_CMD_SCROLL_TOP: a->ctx_sel = 0; return true;
	case KEYS_CMD_SCROLL_BOTTOM: a->ctx_sel = 1 << 30; return true;
	case KEYS_CMD_MARK_RELEVANT: mark(a, true); return true;
	case KEYS_CMD_MARK_IRRELEVANT: mark(a, false); return true;
	case KEYS_CMD_OPEN_CHUNK:
		if (r && (size_t)a->ctx_sel < r->retrieval.n_hits)
			viewer_open(a, &r->retrieval.hits[a->ctx_sel]);
		return true;
	default: return false;
	}
}

const struct pane_ops pane_context = {
	.title = "context",
	.draw = context_draw,
	.command = context_command,
};
