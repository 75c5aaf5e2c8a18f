/* pane_context: the chunks retrieved for the shown turn, with their ranks,
 * scores, sources, budget status and injection flags; opens and marks them. */
#include "tui/app/pane.h"
#include "tui/cli/cli.h"
#include "store/session.h"
#include "core/util/grapheme.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_PER_HIT 2

struct context_pane {
	int sel, scroll;                     /* selected hit, first hit shown */
	const struct turn_record *item;      /* an eval item shown instead of the turn on show */
};

static void *context_create(struct pane_host *h)
{
	(void)h;
	return xcalloc(1, sizeof(struct context_pane));
}

/* The eval item drilled into, else the turn on show. */
static const struct turn_record *shown(const struct pane *p)
{
	const struct context_pane *c = p->state;
	return c->item ? c->item : host_record(p->host);
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
	char lines[PACK_LOCATION_LEN];
	const char *path = cli_display_path(h->path);
	size_t len = strlen(path);
	int used = 0;
	pack_location(lines, sizeof lines, h->line_start, h->line_end, h->page_start, h->page_end);
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

static void draw_hit(struct pane_host *host, WINDOW *w, int y, int width, const struct turn_record *r, size_t i,
                     bool sel)
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
	/* The file's mark and the budget's keep their room: the path gives way. */
	enum disk_state disk = host_disk_state(host, h->doc_id);
	char mark[16] = "";
	if (disk != DISK_SAME)
		snprintf(mark, sizeof mark, " %s", disk_state_name(disk));
	const char *budget = h->summarized ? " summarized" : h->packed ? "" : " over budget";
	int keep = (int)(strlen(mark) + strlen(budget));
	if (keep > (width + 1 - x) / 2)
		keep = 0;
	x += draw_path(w, y, x, width + 1 - x - keep, h, e);
	if (mark[0])
		x += screen_printf(w, y, x, width + 1 - x, THEME_WARN, "%s", mark);
	if (budget[0])
		x += screen_printf(w, y, x, width + 1 - x, THEME_WARN, "%s", budget);
	if (h->status != DOC_CURRENT)
		x += screen_printf(w, y, x, width + 1 - x, THEME_WARN, " %s", doc_status_name(h->status));
	if (flagged(r, b))
		screen_printf(w, y, x, width + 1 - x, THEME_INJECTION_FLAG, " ! injection?");
	x = 5;
	if (disk == DISK_CHANGED || disk == DISK_MISSING)
		x += screen_printf(w, y + 1, x, width - 4, THEME_WARN, "u: ingest again  ");
	x += screen_printf(w, y + 1, x, width + 1 - x, THEME_DIM, "%.4f %s ", h->fused, ranks);
	screen_printf(w, y + 1, x, width + 1 - x, THEME_DIM, "%s",
	              h->heading_path && h->heading_path[0] ? h->heading_path : "");
}

static void context_draw(struct pane *pn, WINDOW *w, bool focused)
{
	struct context_pane *c = pn->state;
	int h, wd;
	const struct turn_record *r = shown(pn);
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
	int x = 1 + screen_printf(w, 1, 1, width, THEME_DIM, "%zu chunks, %zu packed", r->retrieval.n_hits,
	                          p->n_packed);
	if (p->summary)
		x += screen_printf(w, 1, x, width + 1 - x, THEME_DIM, ", %zu summarized", p->n_blocks - p->n_packed);
	screen_printf(w, 1, x, width + 1 - x, THEME_DIM, " in %d/%d tokens, %zu flagged", p->total_tokens, p->budget,
	              r->prompt.n_flagged);
	int shown = (inner_h - 1) / ROWS_PER_HIT;
	if (shown < 1)
		return;
	if (c->sel >= (int)r->retrieval.n_hits)
		c->sel = (int)r->retrieval.n_hits - 1;
	if (c->sel < 0)
		c->sel = 0;
	if (c->sel < c->scroll)
		c->scroll = c->sel;
	if (c->sel >= c->scroll + shown)
		c->scroll = c->sel - shown + 1;
	for (int k = 0; k < shown && (size_t)(c->scroll + k) < r->retrieval.n_hits; k++)
		draw_hit(pn->host, w, 2 + k * ROWS_PER_HIT, width, r, (size_t)(c->scroll + k),
		         c->scroll + k == c->sel);
}

const struct turn_record *pane_context_shown(const struct pane *p)
{
	return shown(p);
}

bool pane_context_show_block(struct pane *p, int n)
{
	struct context_pane *c = p->state;
	c->item = NULL;
	const struct turn_record *r = host_record(p->host);
	if (!r)
		return false;
	for (size_t i = 0; i < r->retrieval.n_hits; i++) {
		long b = block_of(r, r->retrieval.hits[i].chunk_id);
		if (b >= 0 && r->retrieval.pack.blocks[b].number == n) {
			c->sel = (int)i;
			return true;
		}
	}
	return false;
}

void pane_context_show_item(struct pane *p, const struct turn_record *rec)
{
	struct context_pane *c = p->state;
	c->item = rec;
	if (rec)
		c->sel = c->scroll = 0;
}

static void mark(struct pane *p, bool relevant)
{
	const struct context_pane *c = p->state;
	const struct turn_record *r = shown(p);
	if (!r || (size_t)c->sel >= r->retrieval.n_hits) {
		host_status(p->host, false, "no chunk selected");
		return;
	}
	const struct retrieve_hit *h = &r->retrieval.hits[c->sel];
	struct session_feedback f = {
		.query_id = r->query_id, .chunk_id = h->chunk_id, .document_path = h->path,
		.line_start = h->line_start, .line_end = h->line_end, .question = r->question,
		.relevant = relevant,
	};
	host_mark(p->host, &f, h->rank);
}

static enum overlay_reply context_command(struct pane *p, enum keys_cmd cmd)
{
	struct context_pane *c = p->state;
	const struct turn_record *r = shown(p);
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: c->sel--; break;
	case KEYS_CMD_SCROLL_DOWN: c->sel++; break;
	case KEYS_CMD_PAGE_UP: c->sel -= 5; break;
	case KEYS_CMD_PAGE_DOWN: c->sel += 5; break;
	case KEYS_CMD_SCROLL_TOP: c->sel = 0; break;
	case KEYS_CMD_SCROLL_BOTTOM: c->sel = 1 << 30; break;
	case KEYS_CMD_MARK_RELEVANT: mark(p, true); break;
	case KEYS_CMD_MARK_IRRELEVANT: mark(p, false); break;
	case KEYS_CMD_REINGEST:
		if (r && (size_t)c->sel < r->retrieval.n_hits)
			host_reingest(p->host, r, (size_t)c->sel);
		break;
	case KEYS_CMD_OPEN_CHUNK:
		if (r && (size_t)c->sel < r->retrieval.n_hits)
			host_open_chunk(p->host, r, (size_t)c->sel);
		break;
	case KEYS_CMD_WHY_NOT: host_why_not_prompt(p->host); break;
	default: return OVERLAY_PASS;
	}
	return OVERLAY_TAKEN;
}

static void context_event(struct pane *p, enum pane_event e)
{
	struct context_pane *c = p->state;
	if (e == PANE_EVENT_SHOWN)
		c->sel = c->scroll = 0;
}

const struct pane_ops pane_context = {
	.create = context_create,
	.destroy = free,
	.draw = context_draw,
	.command = context_command,
	.event = context_event,
};
