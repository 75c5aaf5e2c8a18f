/* layout: pane rectangles for a terminal size, and text dumps of them. */
#include "tui/ui/layout.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const pane_names[LAYOUT_PANE_COUNT] = {
	[LAYOUT_CHAT] = "chat",
	[LAYOUT_CONTEXT] = "context",
	[LAYOUT_DASHBOARD] = "dashboard",
	[LAYOUT_ROUTING] = "routing",
	[LAYOUT_EVAL] = "eval",
};

static const char *const mode_names[] = {
	[LAYOUT_SPLIT] = "split",
	[LAYOUT_TABS] = "tabs",
	[LAYOUT_ZOOM] = "zoom",
};

/* Share of the width for chat and of the right column's height for context
 * and routing, in percent; dashboard gets what is left. */
#define CHAT_WIDTH_PCT 60
#define CONTEXT_HEIGHT_PCT 40
#define ROUTING_HEIGHT_PCT 30

const char *layout_pane_name(enum layout_pane pane)
{
	return (unsigned)pane < LAYOUT_PANE_COUNT ? pane_names[pane] : "?";
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void place(struct layout *l, enum layout_pane pane, int x, int y, int w, int h)
{
	l->pane[pane] = (struct layout_rect){ x, y, w, h };
	l->visible[pane] = w > 0 && h > 0;
}

static enum layout_pane effective_focus(const struct layout_params *p)
{
	if ((unsigned)p->focus >= LAYOUT_PANE_COUNT)
		return LAYOUT_CHAT;
	if (p->focus == LAYOUT_EVAL && !p->eval_active)
		return LAYOUT_CHAT;
	return p->focus;
}

static void split(struct layout *l, bool eval_active, int body_h)
{
	int chat_w = l->cols * CHAT_WIDTH_PCT / 100;
	int right_w = l->cols - chat_w;
	int ctx_h = body_h * CONTEXT_HEIGHT_PCT / 100;
	int rt_h = body_h * ROUTING_HEIGHT_PCT / 100;
	int dash_h = body_h - ctx_h - rt_h;
	enum layout_pane second = eval_active && l->focus != LAYOUT_CONTEXT ? LAYOUT_EVAL
	                                                                     : LAYOUT_CONTEXT;

	l->mode = LAYOUT_SPLIT;
	place(l, LAYOUT_CHAT, 0, 0, chat_w, body_h);
	place(l, second, chat_w, 0, right_w, ctx_h);
	place(l, LAYOUT_DASHBOARD, chat_w, ctx_h, right_w, dash_h);
	place(l, LAYOUT_ROUTING, chat_w, ctx_h + dash_h, right_w, rt_h);
}

static void tabs(struct layout *l, bool eval_active, int body_h)
{
	int bar_h = body_h >= 2 ? 1 : 0;

	l->mode = LAYOUT_TABS;
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++)
		if (i != LAYOUT_EVAL || eval_active)
			l->tabs[l->ntabs++] = (enum layout_pane)i;
	l->tabbar = (struct layout_rect){ 0, 0, l->cols, bar_h };
	place(l, l->focus, 0, bar_h, l->cols, body_h - bar_h);
}

void layout_compute(const struct layout_params *p, struct layout *out)
{
	memset(out, 0, sizeof(*out));
	out->cols = p->cols > 0 ? p->cols : 0;
	out->rows = p->rows > 0 ? p->rows : 0;
	out->focus = effective_focus(p);

	int status_h = out->rows >= 1 ? 1 : 0;
	int avail = out->rows - status_h;
	int input_h = clamp(p->input_rows, 1, out->rows / 3 > 1 ? out->rows / 3 : 1);
	input_h = input_h < avail ? input_h : avail;
	int body_h = avail - input_h;

	out->status = (struct layout_rect){ 0, avail, out->cols, status_h };
	out->input = (struct layout_rect){ 0, body_h, out->cols, input_h };
	if (p->zoom) {
		out->mode = LAYOUT_ZOOM;
		place(out, out->focus, 0, 0, out->cols, body_h);
	} else if (out->cols >= LAYOUT_SPLIT_COLS && out->rows >= LAYOUT_SPLIT_ROWS) {
		split(out, p->eval_active, body_h);
	} else {
		tabs(out, p->eval_active, body_h);
	}
}

static void describe_rect(struct strbuf *out, const char *name, struct layout_rect r)
{
	sb_printf(out, "  %s %d,%d %dx%d", name, r.x, r.y, r.w, r.h);
}

void layout_describe(const struct layout *l, struct strbuf *out)
{
	sb_printf(out, "%s %dx%d focus=%s\n", mode_names[l->mode], l->cols, l->rows,
	          layout_pane_name(l->focus));
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++) {
		if (!l->visible[i])
			continue;
		describe_rect(out, pane_names[i], l->pane[i]);
		sb_puts(out, i == (int)l->focus ? " *\n" : "\n");
	}
	if (l->mode == LAYOUT_TABS) {
		describe_rect(out, "tabbar", l->tabbar);
		for (int i = 0; i < l->ntabs; i++)
			sb_printf(out, " %s%s", pane_names[l->tabs[i]], l->tabs[i] == l->focus ? "*" : "");
		sb_putc(out, '\n');
	}
	describe_rect(out, "input", l->input);
	sb_putc(out, '\n');
	describe_rect(out, "status", l->status);
	sb_putc(out, '\n');
}

struct canvas {
	char *cells;
	int cols, rows;
};

static void put(struct canvas *c, int x, int y, char ch)
{
	if (x >= 0 && x < c->cols && y >= 0 && y < c->rows)
		c->cells[(size_t)y * (size_t)c->cols + (size_t)x] = ch;
}

/* Write s from (x, y), at most max characters. */
static void text(struct canvas *c, int x, int y, const char *s, int max)
{
	for (int i = 0; s[i] && i < max; i++)
		put(c, x + i, y, s[i]);
}

static void fill(struct canvas *c, struct layout_rect r, char ch)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			put(c, x, y, ch);
}

static void box(struct canvas *c, struct layout_rect r, const char *title, bool focus)
{
	if (r.w < 2 || r.h < 2) {
		fill(c, r, '#');
		return;
	}
	int x1 = r.x + r.w - 1, y1 = r.y + r.h - 1;
	for (int x = r.x; x <= x1; x++) {
		put(c, x, r.y, '-');
		put(c, x, y1, '-');
	}
	for (int y = r.y; y <= y1; y++) {
		put(c, r.x, y, '|');
		put(c, x1, y, '|');
	}
	put(c, r.x, r.y, '+');
	put(c, x1, r.y, '+');
	put(c, r.x, y1, '+');
	put(c, x1, y1, '+');
	text(c, r.x + 1, r.y, title, r.w - 2);
	if (focus && (int)strlen(title) < r.w - 2)
		put(c, r.x + 1 + (int)strlen(title), r.y, '*');
}

static void tabbar(struct canvas *c, const struct layout *l)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < l->ntabs; i++) {
		bool f = l->tabs[i] == l->focus;
		sb_printf(&sb, "%c%d:%s%c", f ? '[' : ' ', (int)l->tabs[i] + 1,
		          pane_names[l->tabs[i]], f ? ']' : ' ');
	}
	if (l->tabbar.h > 0)
		text(c, l->tabbar.x, l->tabbar.y, sb_str(&sb), l->tabbar.w);
	sb_free(&sb);
}

void layout_draw(const struct layout *l, struct strbuf *out)
{
	size_t n = (size_t)l->cols * (size_t)l->rows;
	struct canvas c = { xmalloc(n), l->cols, l->rows };

	memset(c.cells, ' ', n);
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++)
		if (l->visible[i])
			box(&c, l->pane[i], pane_names[i], i == (int)l->focus);
	if (l->mode == LAYOUT_TABS)
		tabbar(&c, l);
	for (int y = l->input.y; y < l->input.y + l->input.h; y++)
		put(&c, 0, y, '>');
	fill(&c, l->status, '=');
	for (int y = 0; y < l->rows; y++) {
		sb_append(out, c.cells + (size_t)y * (size_t)l->cols, (size_t)l->cols);
		sb_putc(out, '\n');
	}
	free(c.cells);
}
