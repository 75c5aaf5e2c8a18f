/* pane_chat: the conversation, newest at the bottom, answers streaming in. */
#include "tui/app/pane.h"
#include "core/util/utf8.h"
#include "store/session.h"
#include "tui/cli/cli.h"

#include <stdlib.h>
#include <string.h>

void chat_msg_clean(struct chat_msg *m)
{
	if (m->clean && m->clean_of == m->raw.len)
		return;
	free(m->clean);
	m->clean = utf8_sanitize(sb_str(&m->raw), m->raw.len, &m->clean_len);
	m->clean_of = m->raw.len;
}

static enum theme_elem run_elem(enum wrap_style s, bool assistant)
{
	switch (s) {
	case WRAP_HEADING: return THEME_HEADING;
	case WRAP_EMPHASIS: case WRAP_STRONG: return THEME_EMPHASIS;
	case WRAP_CODE: case WRAP_CODE_BLOCK: return THEME_CODE;
	case WRAP_CITATION: return THEME_CITATION;
	case WRAP_LINK: case WRAP_URL: return THEME_EMPHASIS;
	case WRAP_LIST_BULLET: return THEME_DIM;
	default: return assistant ? THEME_ASSISTANT : THEME_USER;
	}
}

/* Rows a message takes: its label, its text, its footer, a blank. */
static size_t msg_rows(struct chat_msg *m, int width)
{
	chat_msg_clean(m);
	if (!m->wrap)
		m->wrap = wrap_new();
	wrap_layout(m->wrap, m->clean, m->clean_len, width);
	m->wrap_width = width;
	return 1 + wrap_row_count(m->wrap) + (m->assistant ? 1 : 0) + 1;
}

static void draw_text_row(WINDOW *w, int y, struct chat_msg *m, size_t r,
                          int selected_cite, int width)
{
	const struct wrap_row *row = wrap_row(m->wrap, r);
	size_t n;
	const struct wrap_run *runs = wrap_row_runs(m->wrap, r, &n);
	int x = 1 + (int)row->indent;
	for (size_t i = 0; i < n; i++) {
		const struct wrap_run *run = &runs[i];
		enum theme_elem e = run_elem(run->style, m->assistant);
		if (run->style == WRAP_CITATION && run->cite == selected_cite)
			e = THEME_SELECTION;
		x += screen_put(w, y, x, width + 1 - x, m->clean + run->off, run->len, e);
	}
}

static void draw_footer(WINDOW *w, int y, struct chat_msg *m, bool streaming, int width)
{
	if (streaming)
		screen_put(w, y, 1, width, "… streaming (Esc stops)", strlen("… streaming (Esc stops)"), THEME_DIM);
	else if (m->footer)
		screen_put(w, y, 1, width, m->footer, strlen(m->footer),
		           m->interrupted ? THEME_WARN : THEME_DIM);
}

static int selected_cite(const struct app *a, size_t idx)
{
	size_t n;
	const struct wrap_cite *c;
	struct chat_msg *m = a->msgs[idx];
	if ((long)idx != a->ctx_msg || a->cite_sel < 0 || !m->wrap)
		return -1;
	c = wrap_cites(m->wrap, &n);
	return (size_t)a->cite_sel < n ? c[a->cite_sel].n : -1;
}

static void chat_draw(struct app *a, WINDOW *w, bool focused)
{
	int h, wd;
	getmaxyx(w, h, wd);
	screen_frame(w, "1 chat", focused);
	int inner_h = h - 2, width = wd - 2;
	if (inner_h <= 0 || width <= 0)
		return;
	size_t total = 0;
	for (size_t i = 0; i < a->n_msgs; i++)
		total += msg_rows(a->msgs[i], width);
	int max_scroll = total > (size_t)inner_h ? (int)(total - (size_t)inner_h) : 0;
	if (a->chat_scroll > max_scroll)
		a->chat_scroll = max_scroll;
	if (a->chat_scroll < 0)
		a->chat_scroll = 0;
	long first = (long)total - inner_h - a->chat_scroll;
	long row = 0;
	for (size_t i = 0; i < a->n_msgs && row < first + inner_h; i++) {
		struct chat_msg *m = a->msgs[i];
		size_t nrows = wrap_row_count(m->wrap);
		long rows = (long)msg_rows(m, width);
		if (row + rows <= first) {
			row += rows;
			continue;
		}
		int cite = selected_cite(a, i);
		for (long r = 0; r < rows; r++, row++) {
			int y = (int)(row - first) + 1;
			if (row < first || y > inner_h)
				continue;
			if (r == 0)
				screen_put(w, y, 1, width, m->assistant ? "ragdeck" : "you", m->assistant ? 7 : 3,
				           m->assistant ? THEME_TITLE : THEME_USER);
			else if ((size_t)r <= nrows)
				draw_text_row(w, y, m, (size_t)r - 1, cite, width);
			else if (m->assistant && (size_t)r == nrows + 1)
				draw_footer(w, y, m, m == a->streaming, width);
		}
	}
}

/* Step the citation selection of the shown message by dir. */
static bool step_cite(struct app *a, int dir)
{
	size_t n = 0;
	if (a->ctx_msg < 0 || !a->msgs[a->ctx_msg]->wrap)
		return false;
	wrap_cites(a->msgs[a->ctx_msg]->wrap, &n);
	if (n == 0) {
		app_status(a, false, "this answer cites nothing");
		return true;
	}
	if (a->cite_sel < 0)
		a->cite_sel = dir > 0 ? 0 : (int)n - 1;
	else
		a->cite_sel = (int)(((size_t)a->cite_sel + (dir > 0 ? 1 : n - 1)) % n);
	return true;
}

/* Approve (or un-approve) the latest saved answer as a training pair. */
static bool approve_latest(struct app *a)
{
	char err[256];
	for (size_t i = a->n_msgs; i-- > 0;) {
		struct chat_msg *m = a->msgs[i];
		if (!m->assistant || !m->msg_id)
			continue;
		if (session_message_approve(a->cli->store, m->msg_id, !m->approved, err, sizeof err) != 0) {
			app_status(a, true, "%s", err);
			return true;
		}
		m->approved = !m->approved;
		app_status(a, false, m->approved ? "answer approved as a training pair (ragdeck pairs export)"
		                                 : "answer no longer approved");
		return true;
	}
	app_status(a, false, "no saved answer to approve yet");
	return true;
}

static bool chat_command(struct app *a, enum keys_cmd cmd)
{
	int page = a->layout.pane[LAYOUT_CHAT].h > 4 ? a->layout.pane[LAYOUT_CHAT].h - 3 : 1;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: a->chat_scroll++; return true;
	case KEYS_CMD_SCROLL_DOWN: a->chat_scroll--; return true;
	case KEYS_CMD_PAGE_UP: a->chat_scroll += page; return true;
	case KEYS_CMD_PAGE_DOWN: a->chat_scroll -= page; return true;
	case KEYS_CMD_SCROLL_TOP: a->chat_scroll = 1 << 30; return true;
	case KEYS_CMD_SCROLL_BOTTOM: a->chat_scroll = 0; return true;
	case KEYS_CMD_APPROVE: return approve_latest(a);
	case KEYS_CMD_NEXT_CITATION: return step_cite(a, 1);
	case KEYS_CMD_PREV_CITATION: return step_cite(a, -1);
	case KEYS_CMD_OPEN_CHUNK: {
		int n = a->ctx_msg >= 0 ? selected_cite(a, (size_t)a->ctx_msg) : -1;
		if (n < 0)
			app_status(a, false, "select a citation with n first");
		else if (!pane_context_show_block(a, n))
			app_status(a, true, "citation [%d] is not among the retrieved chunks", n);
		return true;
	}
	default: return false;
	}
}

const struct pane_ops pane_chat = {
	.title = "chat",
	.draw = chat_draw,
	.command = chat_command,
};
