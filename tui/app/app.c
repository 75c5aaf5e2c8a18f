/* app: the full-screen app's lifecycle and its one event loop.
 *
 * The loop: drain keys, advance transfers (callbacks append to the chat),
 * read the ingest worker's messages, render once if anything changed
 * (wnoutrefresh per window, one doupdate; a key or a resize at once, text
 * arriving at most FRAME_US apart), then block in llm_client_poll
 * on stdin, the worker's pipe, the signal pipe (tui/ui/sigwatch) and the
 * transfers' sockets and timers. With nothing streaming and no key pressed
 * it sleeps in poll without a timeout: idle costs no CPU. A SIGHUP, SIGTERM
 * or SIGINT ends the loop like a quit. */
#include "tui/app/app.h"
#include "core/util/clock.h"
#include "core/util/error.h"
#include "tui/cli/cli.h"
#include "tui/app/app_impl.h"
#include "tui/ui/sigwatch.h"
#include "tui/app/worker.h"
#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/ingest/watch.h"
#include "store/session.h"
#include "store/store.h"
#include "core/util/grapheme.h"
#include "core/util/log.h"
#include "core/util/paths.h"
#include "core/util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RAGDECK_DATADIR
#define RAGDECK_DATADIR "/usr/local/share"
#endif
#define THEMES_DIR RAGDECK_DATADIR "/ragdeck/themes"

/* Rolling window of the dashboard: last 100 turns, last hour. */
#define WINDOW_TURNS 100
#define WINDOW_MS (3600 * 1000)

/* The panes by layout slot: the one table of them. */
static const struct pane_ops *const pane_table[LAYOUT_PANE_COUNT] = {
	[LAYOUT_CHAT] = &pane_chat,
	[LAYOUT_CONTEXT] = &pane_context,
	[LAYOUT_DASHBOARD] = &pane_dashboard,
	[LAYOUT_ROUTING] = &pane_routing,
	[LAYOUT_EVAL] = &pane_eval,
};

void app_status(struct app *a, bool alert, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof a->status, fmt, ap);
	va_end(ap);
	a->status_alert = alert;
	a->dirty = true;
}

int app_set_theme(struct app *a, const char *name, char *err, size_t errlen)
{
	const char *dirs[2];
	size_t n = theme_search_path(THEMES_DIR, dirs);
	struct theme t;
	if (theme_load(name, dirs, n, &t, err, errlen) != 0)
		return -1;
	a->theme = t;
	if (a->inputw)
		screen_set_theme(&a->theme);
	a->need_layout = true;
	a->dirty = true;
	return 0;
}

/* What the running worker does, for "... is already running". */
static const char *worker_kind(const struct app *a)
{
	return a->worker_eval ? "an eval" : a->worker_watch ? "a watched change" : "an ingest";
}

void app_ingest(struct app *a, const char *path)
{
	char err[ERR_LEN];
	if (a->worker) {
		app_status(a, false, "%s is already running", worker_kind(a));
		return;
	}
	struct embedder *e = cli_embedder(a->cli, NULL, EMBED_FOR_INGEST, NULL, 0, err, sizeof err);
	if (!e) {
		app_status(a, true, "cannot ingest: %s", err);
		return;
	}
	if (worker_start_ingest(store_path(a->cli->store), a->cli->cfg, e, path, &a->worker, err,
	                        sizeof err) != 0)
		app_status(a, true, "%s", err);
	else
		app_status(a, false, "ingesting %s…", path);
}

void app_eval(struct app *a, const char *golden)
{
	char err[ERR_LEN];
	if (a->worker) {
		app_status(a, false, "%s is already running", worker_kind(a));
		return;
	}
	/* One connection for every evaluation of the session: it is used by
	 * one worker at a time and never by this thread. */
	if (!a->eval_store && store_open(store_path(a->cli->store), &a->eval_store, err, sizeof err) != 0) {
		app_status(a, true, "cannot evaluate: %s", err);
		return;
	}
	struct embedder *e = cli_embedder(a->cli, NULL, EMBED_FOR_QUERIES, NULL, 0, err, sizeof err);
	if (!e) {
		app_status(a, true, "cannot evaluate: %s", err);
		return;
	}
	if (worker_start_eval(a->eval_store, a->cli->cfg, e, golden, &a->worker, err, sizeof err) != 0) {
		app_status(a, true, "%s", err);
		return;
	}
	pane_eval_begin(a->panes[LAYOUT_EVAL], golden);
	a->worker_eval = true;
	a->zoom = true;
	app_focus(a, LAYOUT_EVAL);
	app_status(a, false, "evaluating %s…", golden);
}

/* An evaluation's final message: its results to the eval pane. */
static void eval_done(struct app *a, const struct worker_msg *m)
{
	struct worker_eval *ev = worker_take_eval(a->worker);
	worker_free(&a->worker);
	a->worker_eval = false;
	app_status(a, m->rc != 0, "%s", m->text);
	/* Closing rolls back what a failed run left uncommitted. */
	if (m->rc != 0)
		store_close(&a->eval_store);
	pane_eval_done(a->panes[LAYOUT_EVAL], ev, m);
}

static void open_retriever(struct app *a)
{
	char err[ERR_LEN];
	retriever_free(&a->retriever);
	if (cli_open_retriever(a->cli->cfg, a->cli->store, a->embedder, NULL, VEC_BUILD_BACKGROUND, NULL,
	                       &a->retriever, err, sizeof err) != 0)
		app_status(a, true, "answering without documents: %s", err);
}

/* Stop watching, saying so when say. */
static void stop_watching(struct app *a, bool say)
{
	if (!a->watch)
		return;
	if (say)
		app_status(a, false, "stopped watching %s", a->watch_root);
	watch_free(&a->watch);
	free(a->watch_root);
	a->watch_root = NULL;
}

void app_watch(struct app *a, const char *path)
{
	char err[ERR_LEN];
	if (strcmp(path, "off") == 0) {
		if (!a->watch)
			app_status(a, false, "nothing is being watched");
		stop_watching(a, true);
		return;
	}
	if (a->worker) {
		app_status(a, false, "%s is already running: :watch when it is done", worker_kind(a));
		return;
	}
	stop_watching(a, false);
	struct ingest_opts io;
	ingest_opts_from_config(a->cli->cfg, NULL, &io);
	struct watch_opts wo = {
		.include = io.include, .n_include = io.n_include, .exclude = io.exclude, .n_exclude = io.n_exclude,
		.debounce_ms = a->cli->cfg->ingest.watch_debounce_ms, .ignore_prefix = store_path(a->cli->store),
	};
	const char *roots[1] = { path };
	if (watch_open(roots, 1, &wo, &a->watch, err, sizeof err) != 0) {
		app_status(a, true, "cannot watch %s: %s", path, err);
		return;
	}
	a->watch_root = xstrdup(path);
	/* Changes from now on are caught while this first ingest runs. */
	app_ingest(a, path);
}

/* Read the watcher's events and hand the batch that is due to the worker
 * when it is free. Returns how long the loop may sleep for the next one
 * (-1: no limit). */
static int poll_watch(struct app *a, bool readable)
{
	char err[ERR_LEN];
	if (!a->watch)
		return -1;
	uint64_t now = clock_now_us() / 1000;
	if (readable && watch_read(a->watch, now, err, sizeof err) < 0) {
		app_status(a, true, "watch stopped: %s", err);
		stop_watching(a, false);
		return -1;
	}
	if (a->worker)
		return -1; /* the worker's final message wakes the loop */
	struct watch_batch b;
	if (watch_take_due(a->watch, now, &b)) {
		struct embedder *e = cli_embedder(a->cli, NULL, EMBED_FOR_INGEST, NULL, 0, err, sizeof err);
		if (!e) {
			watch_batch_free(&b);
			app_status(a, true, "watch stopped: %s", err);
			stop_watching(a, false);
			return -1;
		}
		if (worker_start_watch(store_path(a->cli->store), a->cli->cfg, e, &b, &a->worker, err, sizeof err) != 0) {
			app_status(a, true, "watch stopped: %s", err);
			stop_watching(a, false);
			return -1;
		}
		a->worker_watch = true;
		a->dirty = true;
		return -1;
	}
	return watch_timeout_ms(a->watch, now);
}

static void worker_messages(struct app *a)
{
	struct worker_msg m;
	while (a->worker && worker_read(a->worker, &m)) {
		if (!m.done && a->worker_eval) {
			pane_eval_progress(a->panes[LAYOUT_EVAL], &m);
			a->dirty = true;
			continue;
		}
		if (!m.done) {
			app_status(a, false, "ingesting: %zu/%zu files, %zu chunks  %s", m.n_done,
			            m.n_total, m.chunks, m.text);
			continue;
		}
		if (a->worker_eval) {
			eval_done(a, &m);
			continue;
		}
		worker_free(&a->worker);
		app_forget_disk_states(a);
		app_status(a, m.rc != 0, "%s", m.text);
		if (a->worker_watch && m.rc != 0)
			stop_watching(a, false);
		a->worker_watch = false;
		if (m.rc == 0 && !a->running)
			open_retriever(a);
	}
}

/* Windows ---------------------------------------------------------------- */

static void del(WINDOW **w)
{
	if (*w)
		delwin(*w);
	*w = NULL;
}

static WINDOW *make(const struct layout_rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return NULL;
	return newwin(r->h, r->w, r->y, r->x);
}

static int input_rows(struct app *a, int cols)
{
	size_t n = 1, crow;
	unsigned ccol;
	if (cols > 3 && !a->cmd_active && !lineedit_search_active(a->input))
		lineedit_view_rows(a->input, (unsigned)(cols - 2), &n, &crow, &ccol);
	return (int)n;
}


static void relayout(struct app *a)
{
	struct layout_params p = {
		.cols = COLS, .rows = LINES, .focus = a->focus, .zoom = a->zoom,
		.eval_active = pane_eval_shown(a->panes[LAYOUT_EVAL]),
		.input_rows = input_rows(a, COLS),
	};
	layout_compute(&p, &a->layout);
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++) {
		struct pane *p = a->panes[i];
		del(&p->win);
		if (a->layout.visible[i])
			p->win = make(&a->layout.pane[i]);
	}
	del(&a->tabbar);
	del(&a->inputw);
	del(&a->statusw);
	del(&a->overlayw);
	a->tabbar = make(&a->layout.tabbar);
	a->inputw = make(&a->layout.input);
	a->statusw = make(&a->layout.status);
	int top = a->layout.tabbar.h > 0 ? a->layout.tabbar.y + a->layout.tabbar.h : 0;
	struct layout_rect body = { 0, top, COLS, a->layout.input.y - top };
	a->overlayw = make(&body);
	a->need_layout = false;
	clearok(curscr, TRUE);
}

static void draw_tabbar(struct app *a)
{
	WINDOW *w = a->tabbar;
	int x = 0;
	if (!w)
		return;
	wbkgdset(w, ' ' | screen_attr(THEME_STATUS));
	werase(w);
	for (int i = 0; i < a->layout.ntabs; i++) {
		enum layout_pane p = a->layout.tabs[i];
		bool f = p == a->layout.focus;
		x += screen_printf(w, 0, x, COLS - x, f ? THEME_SELECTION : THEME_STATUS, f ? "[%d %s]" : " %d %s ",
		                   (int)p + 1, layout_pane_name(p));
	}
}

static void draw_status(struct app *a)
{
	WINDOW *w = a->statusw;
	char right[160];
	if (!w)
		return;
	wbkgdset(w, ' ' | screen_attr(THEME_STATUS));
	werase(w);
	char vectors[48] = "";
	if (a->vectors_building) {
		struct vec_store_state st = retriever_vectors(a->retriever);
		snprintf(vectors, sizeof vectors, "vector index %zu%% · ", st.total ? st.done * 100 / st.total : 0);
	}
	char watching[64] = "";
	if (a->watch) {
		const char *base = strrchr(a->watch_root, '/');
		base = base && base[1] ? base + 1 : a->watch_root;
		snprintf(watching, sizeof watching, "%s %.24s · ", a->worker_watch ? "updating" : "watching", base);
	}
	snprintf(right, sizeof right, " %s%s%s%s · session %lld · %s ", watching, vectors,
	         a->running ? "streaming · " : "",
	         a->model ? a->model : "default model", (long long)a->session_id, a->theme.name);
	int rcols = (int)strlen(right);
	if (a->status[0])
		screen_put_raw(w, 0, 0, COLS - rcols, a->status, strlen(a->status),
		               a->status_alert ? THEME_ALERT : THEME_STATUS);
	else
		screen_printf(w, 0, 0, COLS - rcols, THEME_STATUS,
		              "Enter ask · Tab focus · ? help · : command · Esc stop · Ctrl-C twice quit");
	if (COLS > rcols * 2)
		screen_put_raw(w, 0, COLS - rcols, rcols, right, strlen(right), THEME_STATUS);
}

/* The input line during a history search: the search's prompt, then the
 * match on one row (a newline in it drawn as a blank). */
static void draw_search(struct app *a, WINDOW *w, int wd)
{
	struct strbuf prompt = STRBUF_INIT;
	struct lineedit_view v;
	lineedit_search_prompt(a->input, &prompt);
	int x = screen_put_raw(w, 0, 0, wd - 1, sb_str(&prompt), prompt.len, THEME_TITLE);
	sb_free(&prompt);
	lineedit_view_line(a->input, (unsigned)(wd - x), &v);
	screen_put(w, 0, x, wd - x, lineedit_text(a->input, NULL) + v.off, v.len, THEME_NORMAL);
	curs_set(1);
	wmove(w, 0, x + (int)v.cursor_col);
}

/* The input line, or the ':' line; leaves the cursor where typing goes. */
static void draw_input(struct app *a)
{
	WINDOW *w = a->inputw;
	int h, wd;
	if (!w)
		return;
	getmaxyx(w, h, wd);
	wbkgdset(w, ' ' | screen_attr(THEME_NORMAL));
	werase(w);
	if (wd < 3)
		return;
	if (!a->cmd_active && lineedit_search_active(a->input)) {
		draw_search(a, w, wd);
		return;
	}
	struct lineedit *le = a->cmd_active ? a->cmdline : a->input;
	size_t n, crow;
	unsigned ccol;
	const char *text = lineedit_text(le, NULL);
	const struct lineedit_row *rows = lineedit_view_rows(le, (unsigned)(wd - 2), &n, &crow, &ccol);
	size_t first = crow >= (size_t)h ? crow - (size_t)h + 1 : 0;
	screen_put(w, 0, 0, 2, a->cmd_active ? ": " : "> ", 2,
	           a->input_focus || a->cmd_active ? THEME_TITLE : THEME_DIM);
	for (size_t r = first; r < n && (int)(r - first) < h; r++)
		screen_put(w, (int)(r - first), 2, wd - 2, text + rows[r].off, rows[r].len, THEME_NORMAL);
	bool typing = a->cmd_active || (a->input_focus && !overlay_stack_top(a->overlays));
	curs_set(typing ? 1 : 0);
	wmove(w, (int)(crow - first), 2 + (int)ccol);
}

/* The body: the top overlay over all of it (each covers the whole body,
 * so those below it are not drawn), else the panes of the layout. */
static void draw_body(struct app *a)
{
	struct pane *top = overlay_stack_top(a->overlays);
	if (top) {
		if (a->overlayw) {
			top->ops->draw(top, a->overlayw, true);
			wnoutrefresh(a->overlayw);
		}
		return;
	}
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++) {
		struct pane *p = a->panes[i];
		if (!p->win)
			continue;
		p->ops->draw(p, p->win, !a->input_focus && a->layout.focus == (enum layout_pane)i);
		wnoutrefresh(p->win);
	}
}

static void render(struct app *a)
{
	if (a->need_layout)
		relayout(a);
	draw_body(a);
	draw_tabbar(a);
	draw_status(a);
	draw_input(a);
	if (a->tabbar)
		wnoutrefresh(a->tabbar);
	if (a->statusw)
		wnoutrefresh(a->statusw);
	if (a->inputw)
		wnoutrefresh(a->inputw);
	doupdate();
	a->dirty = false;
}

/* Lifecycle -------------------------------------------------------------- */

/* The model of grapheme widths the config asks for; cluster only once the
 * terminal has shown it draws clusters whole, else per_codepoint and the
 * reason on the status line. */
static void choose_grapheme_mode(struct app *a)
{
	enum grapheme_mode m = GRAPHEME_PER_CODEPOINT;
	bool whole = false;
	char err[ERR_LEN];
	if (grapheme_mode_parse(a->cli->cfg->terminal.grapheme_width, &m) != 0 || m != GRAPHEME_CLUSTER)
		return;
	if (screen_draws_clusters(&whole, err, sizeof err) != 0)
		app_status(a, true, "terminal.grapheme_width is cluster, but %s: using per_codepoint", err);
	else if (!whole)
		app_status(a, true, "terminal.grapheme_width is cluster, but this terminal draws clusters "
		           "apart: using per_codepoint");
	else
		grapheme_set_mode(m);
}

static void free_overlay(void *item)
{
	struct pane *p = item;
	pane_free(&p);
}

static int setup(struct app *a, const struct app_opts *o, char *err, size_t errlen)
{
	const char *theme = o->theme ? o->theme : a->cli->cfg->theme;
	struct breaker_opts bo;
	a->host.cfg = a->cli->cfg;
	a->host.layout = &a->layout;
	a->host.shown = -1;
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++)
		a->panes[i] = pane_new(pane_table[i], &a->host, NULL);
	a->overlays = overlay_stack_new(free_overlay);
	a->input_focus = true;
	a->need_layout = true;
	a->dirty = true;
	a->keys = keys_table_new();
	a->input = lineedit_new(0);
	a->cmdline = lineedit_new(0);
	a->client = llm_client_new();
	a->host.window = metrics_window_new(WINDOW_TURNS, WINDOW_MS, WINDOW_TURNS);
	breaker_opts_from_config(a->cli->cfg, &bo);
	a->host.breakers = breaker_set_new(&bo);
	if (router_new(a->cli->cfg, &a->router, err, errlen) != 0)
		return -1;
	if (app_set_theme(a, theme ? theme : THEME_DEFAULT_NAME, err, errlen) != 0) {
		/* Only a theme asked for on the command line is worth stopping for. */
		if (o->theme)
			return -1;
		theme_builtin_mono(&a->theme);
		app_status(a, true, "%s; showing the mono theme", err);
	}
	choose_grapheme_mode(a);
	/* Each database has its history; the one file all of them shared
	 * before seeds a database's until that is first saved. */
	a->history_path = paths_history(store_path(a->cli->store));
	if (a->history_path) {
		char *shared = paths_history(NULL);
		int rc = lineedit_history_load_or(a->input, a->history_path, shared, err, errlen);
		free(shared);
		if (rc != 0)
			return -1;
	}
	char mismatch[1024];
	a->embedder = cli_embedder(a->cli, NULL, EMBED_FOR_QUERIES, mismatch, sizeof mismatch, err, errlen);
	if (!a->embedder)
		return -1;
	open_retriever(a);
	/* The whole reason is in each turn's routing pane (a vector search hop). */
	if (mismatch[0])
		app_status(a, true, "searching without vectors (the collection has another model's): run ragdeck reembed");
	if (o->resume) {
		int64_t id = 0;
		if (session_last(a->cli->store, &id, err, errlen) != 0)
			return -1;
		if (id && app_load_session(a, id) != 0)
			return -1;
	}
	return 0;
}

static void teardown(struct app *a)
{
	char err[ERR_LEN];
	app_clear_chat(a);
	worker_free(&a->worker);
	stop_watching(a, false);
	store_close(&a->eval_store);
	if (a->history_path && a->input &&
	    lineedit_history_save(a->input, a->history_path, err, sizeof err) != 0)
		log_warn("%s", err);
	overlay_stack_free(&a->overlays);
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++) {
		if (a->panes[i])
			del(&a->panes[i]->win);
		pane_free(&a->panes[i]);
	}
	del(&a->tabbar);
	del(&a->inputw);
	del(&a->statusw);
	del(&a->overlayw);
	llm_client_free(&a->client);
	retriever_free(&a->retriever);
	embed_free(&a->embedder);
	router_free(&a->router);
	breaker_set_free(&a->host.breakers);
	metrics_window_free(&a->host.window);
	keys_table_free(&a->keys);
	lineedit_free(&a->input);
	lineedit_free(&a->cmdline);
	free(a->model);
	free(a->history_path);
	free(a->disk);
}

/* The shortest time between two frames drawn for streamed text alone
 * (60 per second): tokens that arrive faster are drawn together. */
#define FRAME_US 16667
/* How often a background write of the vector index is looked at. */
#define VECTORS_POLL_MS 250

/* While the vector index is written in the background: its progress on
 * the status line, and the index taken up once written. Returns how long
 * the loop may sleep (-1: no limit). */
static int watch_vectors(struct app *a)
{
	char err[ERR_LEN];
	if (!a->retriever || !retriever_vectors(a->retriever).building) {
		a->vectors_building = false;
		return -1;
	}
	uint64_t now = clock_now_us();
	if (!a->vectors_building || now - a->vectors_checked_us >= VECTORS_POLL_MS * 1000) {
		a->vectors_checked_us = now;
		a->dirty = true;
		if (retriever_catch_up(a->retriever, err, sizeof err) != 0)
			app_status(a, true, "%s", err);
	}
	struct vec_store_state st = retriever_vectors(a->retriever);
	if (st.building) {
		a->vectors_building = true;
		return VECTORS_POLL_MS;
	}
	a->vectors_building = false;
	if (st.note)
		app_status(a, true, "%s", st.note);
	else
		app_status(a, false, "vector index ready: %zu vectors", st.mapped + st.loaded);
	return -1;
}

static void loop(struct app *a)
{
	char err[ERR_LEN];
	while (!a->quit) {
		int key;
		bool keyed = false;
		while (!a->quit && screen_key(&key)) {
			app_key(a, key);
			keyed = true;
		}
		llm_client_perform(a->client);
		if (a->running && turn_done(a->running)) {
			a->running = NULL;
			a->dirty = true;
		}
		worker_messages(a);
		if (a->quit)
			break;
		int wait_ms = watch_vectors(a);
		int watch_ms = poll_watch(a, false);
		if (watch_ms >= 0 && (wait_ms < 0 || watch_ms < wait_ms))
			wait_ms = watch_ms;
		if (a->dirty || a->need_layout) {
			uint64_t now = clock_now_us(), since = now - a->drawn_us;
			if (keyed || a->need_layout || since >= FRAME_US) {
				render(a);
				a->drawn_us = now;
			} else {
				wait_ms = (int)((FRAME_US - since) / 1000) + 1;
			}
		}
		struct pollfd fds[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = sigwatch_fd(), .events = POLLIN },
		};
		size_t n = 2, watch_at = 0;
		if (a->worker)
			fds[n++] = (struct pollfd){ .fd = worker_fd(a->worker), .events = POLLIN };
		if (a->watch) {
			watch_at = n;
			fds[n++] = (struct pollfd){ .fd = watch_fd(a->watch), .events = POLLIN };
		}
		if (llm_client_poll(a->client, fds, n, wait_ms, err, sizeof err) < 0)
			app_status(a, true, "%s", err);
		if (watch_at && (fds[watch_at].revents & POLLIN))
			poll_watch(a, true);
		if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) || sigwatch_caught())
			a->quit = true;
	}
}

/* The exit status: 0 after a quit; 128 + N after signal N, as a shell
 * reports a process the signal ended, with the line being typed put in
 * the history (the user did not choose to leave it: Up brings it back). */
static int quit_status(struct app *a)
{
	int sig = sigwatch_caught();
	if (!sig)
		return EXIT_OK;
	free(lineedit_submit(a->input));
	return 128 + sig;
}

static void unusable(const struct cli *cli, const char *why)
{
	log_error("cannot start the full-screen app: %s; the headless commands (ragdeck ask, search, "
	          "ingest, stats; see %s --help) work without it", why, cli->prog);
}

int app_run(struct cli *cli, const struct app_opts *opts)
{
	struct app a = { .cli = cli };
	char err[ERR_LEN];
	int rc = EXIT_FAIL;
	if (screen_check(err, sizeof err) != 0) {
		unusable(cli, err);
		return EXIT_FAIL;
	}
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	if (sigwatch_start(err, sizeof err) != 0) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	if (setup(&a, opts, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (screen_open(&a.theme, err, sizeof err) != 0) {
		unusable(cli, err);
		goto cleanup;
	}
	loop(&a);
	rc = quit_status(&a);
cleanup:
	screen_close();
	teardown(&a);
	sigwatch_stop();
	return rc;
}
