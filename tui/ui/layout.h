/* layout: where each pane goes for a terminal size, without curses.
 *
 * Three modes:
 * - split (at least LAYOUT_SPLIT_COLS x LAYOUT_SPLIT_ROWS): chat on the left
 *   (60% of the width), the right column split top to bottom into context
 *   (40% of the body), dashboard and routing (30% each);
 * - tabs (smaller): a one-row tab bar, then the focused pane at full width;
 * - zoom (any size, when asked): the focused pane alone, no tab bar.
 * The input line (one or more rows) and the status line (one row) are always
 * at the bottom, status last. Pane rectangles include their border.
 *
 * The eval pane is the fifth pane and exists only while an evaluation is
 * shown (eval_active). In split mode it takes the context pane's place in
 * the right column, except while the context pane has the focus (then
 * context shows, so focusing it by number always makes it visible); in tabs
 * mode it is a fifth tab. Focus on the eval pane without an active
 * evaluation falls back to chat.
 *
 * Sizes never go negative: on a tiny terminal the status line, then the
 * input line, then the body get rows in that order and what does not fit is
 * 0 rows high. */
#ifndef RAGDECK_LAYOUT_H
#define RAGDECK_LAYOUT_H

#include <stdbool.h>

#include "core/util/strbuf.h"

#define LAYOUT_SPLIT_COLS 100
#define LAYOUT_SPLIT_ROWS 30

enum layout_pane {
	LAYOUT_CHAT,
	LAYOUT_CONTEXT,
	LAYOUT_DASHBOARD,
	LAYOUT_ROUTING,
	LAYOUT_EVAL,
	LAYOUT_PANE_COUNT
};

enum layout_mode {
	LAYOUT_SPLIT,
	LAYOUT_TABS,
	LAYOUT_ZOOM,
};

struct layout_rect {
	int x, y;   /* top-left cell, 0-based */
	int w, h;   /* 0 when hidden */
};

struct layout_params {
	int cols, rows;            /* terminal size; negative counts as 0 */
	enum layout_pane focus;
	bool zoom;
	bool eval_active;
	int input_rows;            /* rows the input wants (multi-line); clamped to 1..rows/3 */
};

struct layout {
	int cols, rows;
	enum layout_mode mode;
	enum layout_pane focus;                  /* after the eval fallback */
	struct layout_rect pane[LAYOUT_PANE_COUNT];
	bool visible[LAYOUT_PANE_COUNT];
	struct layout_rect tabbar;               /* h == 0 outside tabs mode */
	enum layout_pane tabs[LAYOUT_PANE_COUNT];  /* tab order, in tabs mode */
	int ntabs;
	struct layout_rect input, status;
};

/* Compute the layout for p into out (fully written). */
void layout_compute(const struct layout_params *p, struct layout *out);

/* Short lower-case name of a pane ("chat", "eval"); "?" when out of range. */
const char *layout_pane_name(enum layout_pane pane);

/* Append the window tree of l to out, one line per window:
 *   "split 120x40 focus=chat\n  chat 0,0 72x39 *\n ..."
 * visible panes in pane order, the focused one marked '*', then tabbar
 * (tabs mode only), input and status. For tests and debug dumps. */
void layout_describe(const struct layout *l, struct strbuf *out);

/* Append an ASCII drawing of l to out: l->rows lines of l->cols characters,
 * each ending in '\n'. Panes are boxes of '+', '-', '|' with the pane's
 * name (and '*' when focused) on the top border, the tab bar lists its
 * tabs with the focused one in brackets, the input row is '>' then
 * spaces, the status row is '='. */
void layout_draw(const struct layout *l, struct strbuf *out);

#endif
