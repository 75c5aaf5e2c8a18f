/* app_keys: what a key does — the input line, the ':' command line, the
 * overlays, the focused pane, and the app-wide commands. */
#include "tui/app/app_impl.h"
#include "core/util/error.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const enum layout_pane focus_order[] = {
	LAYOUT_CHAT, LAYOUT_CONTEXT, LAYOUT_DASHBOARD, LAYOUT_ROUTING, LAYOUT_EVAL,
};
#define N_FOCUS (sizeof focus_order / sizeof focus_order[0])

void app_focus(struct app *a, enum layout_pane p)
{
	a->focus = p;
	a->input_focus = false;
	a->need_layout = true;
	a->dirty = true;
}

/* Tab order: input, then the panes. */
static void focus_step(struct app *a, int dir)
{
	int pos = 0;   /* 0 = input, 1.. = focus_order */
	int n = pane_eval_shown(a->panes[LAYOUT_EVAL]) ? (int)N_FOCUS : (int)N_FOCUS - 1;   /* the eval pane is last */
	if (!a->input_focus)
		for (int i = 0; i < n; i++)
			if (focus_order[i] == a->focus)
				pos = i + 1;
	pos = (pos + dir + n + 1) % (n + 1);
	if (pos == 0) {
		a->input_focus = true;
		a->dirty = true;
	} else {
		app_focus(a, focus_order[pos - 1]);
	}
}

static void show_help(struct app *a)
{
	struct strbuf sb = STRBUF_INIT;
	keys_help(a->keys, &sb);
	app_show_text(a, "help (Esc closes)", sb_str(&sb), sb.len);
	sb_free(&sb);
}

static void interrupt(struct app *a)
{
	if (a->running && !turn_done(a->running)) {
		app_cancel_turn(a);
		a->ctrl_c = 1;
		app_status(a, false, "answer stopped; press Ctrl-C again to quit");
		return;
	}
	if (++a->ctrl_c >= 2)
		a->quit = true;
	else
		app_status(a, false, "press Ctrl-C again to quit");
}

static void cancel(struct app *a)
{
	if (a->cmd_active) {
		a->cmd_active = false;
		lineedit_set(a->cmdline, "", 0);
	} else if (a->running && !turn_done(a->running)) {
		app_cancel_turn(a);
	} else if (!a->input_focus && pane_command(a->panes[a->focus], KEYS_CMD_CANCEL) == OVERLAY_PASS) {
		a->input_focus = true;   /* unless the pane had a selection to drop */
	}
	a->dirty = true;
}

void app_command(struct app *a, enum keys_cmd cmd, const char *arg, long num)
{
	char err[ERR_LEN];
	switch (cmd) {
	case KEYS_CMD_QUIT: a->quit = true; break;
	case KEYS_CMD_HELP: show_help(a); break;
	case KEYS_CMD_ZOOM: a->zoom = !a->zoom; a->need_layout = true; break;
	case KEYS_CMD_NEW_SESSION:
		app_clear_chat(a);
		a->session_id = 0;
		app_status(a, false, "new session: it is saved with its first question");
		break;
	case KEYS_CMD_SESSIONS: app_list_sessions(a); break;
	case KEYS_CMD_SESSION: app_load_session(a, num); break;
	case KEYS_CMD_INGEST: app_ingest(a, arg); break;
	case KEYS_CMD_WATCH: app_watch(a, arg); break;
	case KEYS_CMD_MODEL:
		free(a->model);
		a->model = strcmp(arg, "default") == 0 ? NULL : xstrdup(arg);
		app_status(a, false, "answering with %s", a->model ? a->model : "the router's choice");
		break;
	case KEYS_CMD_THEME:
		if (app_set_theme(a, arg, err, sizeof err) != 0)
			app_status(a, true, "%s", err);
		else
			app_status(a, false, "theme %s (%s)", a->theme.name, screen_mode_name());
		break;
	case KEYS_CMD_EXPORT: app_export(a, arg); break;
	case KEYS_CMD_EVAL: app_eval(a, arg); break;
	case KEYS_CMD_WHY_NOT: app_why_not(a, arg); break;
	default: app_status(a, true, "%s works from a key, not from ':'", keys_cmd_name(cmd)); break;
	}
	a->dirty = true;
}

static void run_cmdline(struct app *a)
{
	struct keys_cmdline cl;
	char err[ERR_LEN];
	char *line = lineedit_submit(a->cmdline);
	a->cmd_active = false;
	if (line[strspn(line, " \t")] == '\0') {
		free(line);
		return;
	}
	if (keys_parse_cmdline(line, &cl, err, sizeof err) != 0)
		app_status(a, true, "%s", err);
	else
		app_command(a, cl.cmd, cl.arg, cl.num);
	free(cl.arg);
	free(line);
}

/* Editing commands shared by the input and command lines. */
static bool edit(struct lineedit *le, enum keys_cmd cmd)
{
	switch (cmd) {
	case KEYS_CMD_EDIT_LEFT: return lineedit_left(le);
	case KEYS_CMD_EDIT_RIGHT: return lineedit_right(le);
	case KEYS_CMD_EDIT_HOME: return lineedit_home(le);
	case KEYS_CMD_EDIT_END: return lineedit_end(le);
	case KEYS_CMD_EDIT_WORD_LEFT: return lineedit_word_left(le);
	case KEYS_CMD_EDIT_WORD_RIGHT: return lineedit_word_right(le);
	case KEYS_CMD_EDIT_DELETE_BACK: return lineedit_delete_back(le);
	case KEYS_CMD_EDIT_DELETE_FORWARD: return lineedit_delete_forward(le);
	case KEYS_CMD_EDIT_KILL_TO_START: return lineedit_kill_to_start(le);
	case KEYS_CMD_EDIT_KILL_TO_END: return lineedit_kill_to_end(le);
	case KEYS_CMD_EDIT_KILL_WORD_BACK: return lineedit_kill_word_back(le);
	case KEYS_CMD_EDIT_YANK: return lineedit_yank(le);
	case KEYS_CMD_HISTORY_PREV: return lineedit_up(le);
	case KEYS_CMD_HISTORY_NEXT: return lineedit_down(le);
	case KEYS_CMD_NEWLINE: return lineedit_insert(le, "\n", 1);
	default: return false;
	}
}

/* The UTF-8 of a key that types a character into buf; 0 for other keys. */
static size_t key_text(int key, char buf[4])
{
	if (key < 0x20 || key >= KEYS_SPECIAL_BASE || (key & KEYS_ALT_FLAG))
		return 0;
	return utf8_encode((uint32_t)key, buf);
}

static bool insert_char(struct lineedit *le, int key)
{
	char buf[4];
	return lineedit_insert(le, buf, key_text(key, buf));
}

/* A key while a history search (Ctrl-R) is on: true when the search took
 * it. Any other key ends the search, keeping the match, and then does
 * what it does (a movement moves from the match, Tab moves the focus). */
static bool search_key(struct app *a, int key, enum keys_cmd cmd)
{
	char buf[4];
	size_t n = key_text(key, buf);
	if (cmd == KEYS_CMD_HISTORY_SEARCH)
		lineedit_search_older(a->input);
	else if (cmd == KEYS_CMD_SUBMIT)
		lineedit_search_accept(a->input);
	else if (cmd == KEYS_CMD_CANCEL)
		lineedit_search_cancel(a->input);
	else if (cmd == KEYS_CMD_EDIT_DELETE_BACK)
		lineedit_search_back(a->input);
	else if (cmd == KEYS_CMD_NONE && n > 0)
		lineedit_search_insert(a->input, buf, n);
	else {
		lineedit_search_accept(a->input);
		return false;
	}
	a->need_layout = true;
	return true;
}

static void input_key(struct app *a, int key, enum keys_cmd cmd)
{
	size_t len;
	lineedit_text(a->input, &len);
	if (cmd == KEYS_CMD_SUBMIT && a->running && !turn_done(a->running)) {
		app_status(a, false, "still answering: your question waits here; Esc stops the answer");
	} else if (cmd == KEYS_CMD_SUBMIT) {
		char *q = lineedit_submit(a->input);
		if (q[strspn(q, " \t\n")] != '\0')
			app_ask(a, q);
		free(q);
	} else if (cmd == KEYS_CMD_PAGE_UP || cmd == KEYS_CMD_PAGE_DOWN) {
		pane_command(a->panes[LAYOUT_CHAT], cmd);
	} else if (cmd == KEYS_CMD_HISTORY_SEARCH) {
		lineedit_search_start(a->input);
	} else if (cmd != KEYS_CMD_NONE) {
		edit(a->input, cmd);
	} else if (len == 0 && key == ':') {
		a->cmd_active = true;
	} else if (len == 0 && key == '?') {
		show_help(a);
	} else {
		insert_char(a->input, key);
	}
	a->need_layout = true;
}

/* Commands the input line takes (the rest are app-wide). */
static bool input_cmd(enum keys_cmd cmd)
{
	return cmd == KEYS_CMD_NONE || cmd == KEYS_CMD_SUBMIT || cmd == KEYS_CMD_NEWLINE ||
	       (cmd >= KEYS_CMD_EDIT_LEFT && cmd <= KEYS_CMD_HISTORY_SEARCH) ||
	       cmd == KEYS_CMD_PAGE_UP || cmd == KEYS_CMD_PAGE_DOWN;
}

/* Commands that work the same wherever the focus is. */
static bool global_command(struct app *a, enum keys_cmd cmd)
{
	switch (cmd) {
	case KEYS_CMD_INTERRUPT: interrupt(a); return true;
	case KEYS_CMD_REDRAW: clearok(curscr, TRUE); a->need_layout = true; return true;
	case KEYS_CMD_FOCUS_NEXT: focus_step(a, 1); return true;
	case KEYS_CMD_FOCUS_PREV: focus_step(a, -1); return true;
	case KEYS_CMD_FOCUS_PANE_1: app_focus(a, LAYOUT_CHAT); return true;
	case KEYS_CMD_FOCUS_PANE_2: app_focus(a, LAYOUT_CONTEXT); return true;
	case KEYS_CMD_FOCUS_PANE_3: app_focus(a, LAYOUT_DASHBOARD); return true;
	case KEYS_CMD_FOCUS_PANE_4: app_focus(a, LAYOUT_ROUTING); return true;
	case KEYS_CMD_FOCUS_PANE_5: app_focus(a, LAYOUT_EVAL); return true;
	case KEYS_CMD_FOCUS_INPUT: a->input_focus = true; return true;
	case KEYS_CMD_COMMAND_LINE: a->cmd_active = true; return true;
	case KEYS_CMD_HELP: show_help(a); return true;
	case KEYS_CMD_ZOOM: case KEYS_CMD_QUIT: app_command(a, cmd, NULL, 0); return true;
	default: return false;
	}
}

/* A paste goes into the line being edited whole: its newlines stay and
 * nothing is sent. During a history search it is searched for. */
static void paste(struct app *a)
{
	size_t len;
	const char *text = screen_paste_text(&len);
	if (!a->cmd_active)
		a->input_focus = true;
	if (!a->cmd_active && lineedit_search_active(a->input))
		lineedit_search_insert(a->input, text, len);
	else
		lineedit_insert(a->cmd_active ? a->cmdline : a->input, text, len);
	a->need_layout = true;
}

/* The overlay stack's handler: its items are panes. */
static enum overlay_reply offer(void *item, enum keys_cmd cmd)
{
	return pane_command(item, cmd);
}

void app_key(struct app *a, int key)
{
	enum keys_cmd cmd;
	a->dirty = true;
	if (key == KEYS_RESIZE) {
		a->need_layout = true;
		return;
	}
	if (key == SCREEN_PASTE) {
		paste(a);
		return;
	}
	if (key != KEYS_CTRL('c'))
		a->ctrl_c = 0;
	bool typing = a->cmd_active || (a->input_focus && !overlay_stack_top(a->overlays));
	cmd = keys_lookup(a->keys, typing ? KEYS_MAP_INPUT : KEYS_MAP_PANE, key);
	if (cmd == KEYS_CMD_INTERRUPT) {
		interrupt(a);
	} else if (a->cmd_active) {
		if (cmd == KEYS_CMD_SUBMIT)
			run_cmdline(a);
		else if (cmd == KEYS_CMD_CANCEL)
			cancel(a);
		else if (cmd == KEYS_CMD_FOCUS_NEXT)
			app_complete_cmdline(a);   /* Tab */
		else if (!edit(a->cmdline, cmd))
			insert_char(a->cmdline, key);
	} else if (typing && lineedit_search_active(a->input) && search_key(a, key, cmd)) {
		return;
	} else if (overlay_stack_offer(a->overlays, cmd, offer) != OVERLAY_PASS) {
		return;
	} else if (cmd == KEYS_CMD_CANCEL) {
		cancel(a);
	} else if (typing && input_cmd(cmd)) {
		input_key(a, key, cmd);
	} else if (!global_command(a, cmd) && !a->input_focus) {
		pane_command(a->panes[a->focus], cmd);
	}
}
