/* pane_help: a scrolling text overlay over the body (the keys, the session
 * list). */
#include "tui/app/pane.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

struct help_pane {
	struct strbuf text;        /* sanitised */
	char title[64];
	int scroll;                /* first line shown */
};

static const struct pane_ops help_ops;

struct pane *pane_help_new(struct pane_host *h, const char *title, const char *text, size_t len)
{
	struct help_pane *t = xcalloc(1, sizeof *t);
	size_t n = 0;
	char *clean = utf8_sanitize(text, len, &n);
	sb_append(&t->text, clean, n);
	free(clean);
	snprintf(t->title, sizeof t->title, "%s", title);
	return pane_new(&help_ops, h, t);
}

static void help_destroy(void *state)
{
	struct help_pane *t = state;
	if (!t)
		return;
	sb_free(&t->text);
	free(t);
}

static void help_draw(struct pane *p, WINDOW *w, bool focused)
{
	struct help_pane *t = p->state;
	int h, wd, line = 0;
	getmaxyx(w, h, wd);
	screen_frame(w, t->title, focused);
	const char *s = sb_str(&t->text), *end = s + t->text.len;
	if (t->scroll < 0)
		t->scroll = 0;
	while (s < end) {
		const char *nl = s;
		while (nl < end && *nl != '\n')
			nl++;
		int y = line - t->scroll + 1;
		if (y >= h - 1)
			break;
		if (y >= 1)
			screen_put(w, y, 1, wd - 2, s, (size_t)(nl - s), THEME_NORMAL);
		line++;
		s = nl + 1;
	}
}

static enum overlay_reply help_command(struct pane *p, enum keys_cmd cmd)
{
	struct help_pane *t = p->state;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: t->scroll--; return OVERLAY_TAKEN;
	case KEYS_CMD_SCROLL_DOWN: t->scroll++; return OVERLAY_TAKEN;
	case KEYS_CMD_PAGE_UP: t->scroll -= 10; return OVERLAY_TAKEN;
	case KEYS_CMD_PAGE_DOWN: t->scroll += 10; return OVERLAY_TAKEN;
	case KEYS_CMD_SCROLL_TOP: t->scroll = 0; return OVERLAY_TAKEN;
	case KEYS_CMD_CANCEL: case KEYS_CMD_QUIT: case KEYS_CMD_HELP: return OVERLAY_CLOSE;
	default: return OVERLAY_PASS;
	}
}

static const struct pane_ops help_ops = {
	.destroy = help_destroy,
	.draw = help_draw,
	.command = help_command,
};
