/* pane_help: a scrolling text overlay over the body (the keys, the session
 * list). */
#include "tui/app/pane.h"
#include "core/util/utf8.h"

#include <stdio.h>
#include <stdlib.h>

void pane_help_show(struct app *a, const char *title, const char *text, size_t len)
{
	size_t n = 0;
	char *clean = utf8_sanitize(text, len, &n);
	sb_reset(&a->overlay_text);
	sb_append(&a->overlay_text, clean, n);
	free(clean);
	snprintf(a->overlay_title, sizeof a->overlay_title, "%s", title);
	a->overlay_scroll = 0;
	a->overlay = OVERLAY_TEXT;
	a->dirty = true;
}

void pane_help_draw(struct app *a, WINDOW *w)
{
	int h, wd, line = 0;
	getmaxyx(w, h, wd);
	screen_frame(w, a->overlay_title, true);
	const char *s = sb_str(&a->overlay_text), *end = s + a->overlay_text.len;
	if (a->overlay_scroll < 0)
		a->overlay_scroll = 0;
	while (s < end) {
		const char *nl = s;
		while (nl < end && *nl != '\n')
			nl++;
		int y = line - a->overlay_scroll + 1;
		if (y >= h - 1)
			break;
		if (y >= 1)
			screen_put(w, y, 1, wd - 2, s, (size_t)(nl - s), THEME_NORMAL);
		line++;
		s = nl + 1;
	}
}

bool pane_help_command(struct app *a, enum keys_cmd cmd)
{
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: a->overlay_scroll--; return true;
	case KEYS_CMD_SCROLL_DOWN: a->overlay_scroll++; return true;
	case KEYS_CMD_PAGE_UP: a->overlay_scroll -= 10; return true;
	case KEYS_CMD_PAGE_DOWN: a->overlay_scroll += 10; return true;
	case KEYS_CMD_SCROLL_TOP: a->overlay_scroll = 0; return true;
	case KEYS_CMD_CANCEL: case KEYS_CMD_QUIT: case KEYS_CMD_HELP:
		a->overlay = OVERLAY_NONE;
		return true;
	default: return false;
	}
}
