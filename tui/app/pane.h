/* pane: the app's state as the panes see it, and the pane vtable.
 *
 * Internal to the full-screen app (tui/app/app.c, tui/pane_*.c, tui/app/viewer.c):
 * everything here runs on the main thread, the only one that draws. */
#ifndef RAGDECK_PANE_H
#define RAGDECK_PANE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/answer/turn.h"
#include "core/util/strbuf.h"
#include "tui/ui/keys.h"
#include "tui/ui/layout.h"
#include "tui/ui/lineedit.h"
#include "tui/app/screen.h"
#include "tui/ui/theme.h"
#include "tui/ui/wrap.h"

struct app;
struct cli;
struct embedder;
struct eval_view;
struct worker;
struct worker_eval;
struct worker_msg;

/* One message of the conversation. */
struct chat_msg {
	bool assistant;
	struct strbuf raw;         /* as typed or received (untrusted) */
	char *clean;               /* raw through utf8_sanitize */
	size_t clean_len, clean_of;   /* clean_of: raw length clean was made from */
	struct wrap *wrap;
	int wrap_width;
	struct turn *turn;         /* the turn that answered (this run only), else NULL */
	char *footer;              /* model, timings, tokens, cost; NULL while streaming */
	bool interrupted;
	int64_t query_id;
	int64_t msg_id;            /* messages row; 0 when not saved */
	bool approved;
};

/* The text overlays that cover the body: help, the session list, the
 * chunk viewer. */
enum overlay { OVERLAY_NONE, OVERLAY_TEXT, OVERLAY_VIEWER };

/* A document shown around one chunk. */
struct viewer {
	char *path;
	char *body;                /* sanitised document text */
	size_t body_len;
	size_t hl_start, hl_end;   /* the chunk's bytes in body */
	struct wrap *wrap;
	int width;
	int scroll;                /* first row shown */
	bool centred;              /* scrolled to the chunk once */
};

/* Rolling numbers of this run for the dashboard. */
#define APP_LATENCIES 64
struct app_totals {
	uint64_t latency_ms[APP_LATENCIES];   /* ring of total times */
	size_t n_latency;
	size_t turns, errors, interrupted, fallbacks;
	long tokens_in, tokens_out;
	double cost;
	bool cost_known;
};

struct app {
	struct cli *cli;
	struct theme theme;
	struct keys_table *keys;
	struct lineedit *input;
	struct lineedit *cmdline;  /* the ':' line while open */
	bool cmd_active;
	struct layout layout;
	enum layout_pane focus;
	bool input_focus;          /* keys go to the input line */
	bool zoom;
	WINDOW *win[LAYOUT_PANE_COUNT];
	WINDOW *tabbar, *inputw, *statusw, *overlayw;
	bool need_layout;

	struct chat_msg **msgs;
	size_t n_msgs;
	int chat_scroll;           /* rows scrolled up from the bottom */
	int cite_sel;              /* selected citation of the context message, -1: none */
	long ctx_msg;              /* assistant message the context pane shows, -1: none */
	int ctx_sel, ctx_scroll;

	enum overlay overlay;
	struct strbuf overlay_text;
	char overlay_title[64];
	int overlay_scroll;
	struct viewer viewer;

	char status[256];
	bool status_alert;
	bool dirty, quit;
	int ctrl_c;                /* Ctrl-C presses in a row */

	struct llm_client *client;
	struct embedder *embedder;
	struct retriever *retriever;
	struct router *router;
	struct breaker_set *breakers;
	struct metrics_window *window;
	struct turn *running;
	struct chat_msg *streaming;
	char *model;               /* :model, NULL: the router's choice */
	int64_t session_id;
	char save_error[256];     /* why the current question could not be saved */
	struct app_totals totals;
	struct worker *worker;
	bool worker_eval;          /* the worker runs an evaluation, not an ingest */
	struct store *eval_store;  /* the evaluations' own connection, opened at the first */
	struct eval_view *eval;    /* the eval pane's run; NULL: the pane is hidden */
	const struct turn_record *ctx_eval;   /* eval item the context pane shows instead */
	char *history_path;
};

/* A pane: how it draws and what commands it takes. */
struct pane_ops {
	const char *title;
	/* Draw into w (border included) with the focus shown or not. */
	void (*draw)(struct app *a, WINDOW *w, bool focused);
	/* Handle cmd while focused; true when it was this pane's. NULL: the
	 * pane takes no commands of its own. */
	bool (*command)(struct app *a, enum keys_cmd cmd);
};

extern const struct pane_ops pane_chat;
extern const struct pane_ops pane_context;
extern const struct pane_ops pane_dashboard;
extern const struct pane_ops pane_routing;
extern const struct pane_ops pane_eval;

/* The panes by layout slot (app.c): the one table drawing and keys use. */
extern const struct pane_ops *const app_panes[LAYOUT_PANE_COUNT];

/* Handle one key (keys.h code or SCREEN_PASTE) on the main thread
 * (app_keys.c). */
void app_key(struct app *a, int key);

/* Run a parsed ':' command (app_keys.c). */
void app_command(struct app *a, enum keys_cmd cmd, const char *arg, long num);

/* Ask question: start a turn streaming into a new assistant message
 * (app_turn.c). The caller makes sure no other turn is still running. */
void app_ask(struct app *a, const char *question);

/* Stop the running answer, keeping what arrived. */
void app_cancel_turn(struct app *a);

/* Free every message and clear the conversation. */
void app_clear_chat(struct app *a);

/* Load the messages of session id into the chat. Returns 0, or -1 with the
 * reason on the status line. */
int app_load_session(struct app *a, int64_t id);

/* Write the conversation as Markdown to path. Returns 0, or -1 with the
 * reason on the status line. */
int app_export(struct app *a, const char *path);

/* Show the saved sessions in the text overlay. */
void app_list_sessions(struct app *a);

/* Start ingesting path in the worker; progress goes to the status line. */
void app_ingest(struct app *a, const char *path);

/* Start evaluating the golden set at golden in the worker; the eval pane
 * shows its progress, then its results (pane_eval.c). */
void app_eval(struct app *a, const char *golden);

/* An evaluation's progress message; its final message with its results
 * (ev taken, NULL after a failure); release the eval pane's run. */
void pane_eval_progress(struct app *a, const struct worker_msg *m);
void pane_eval_done(struct app *a, struct worker_eval *ev, const struct worker_msg *m);
void pane_eval_free(struct app *a);

/* Load and apply theme name. Returns 0, or -1 with err. */
int app_set_theme(struct app *a, const char *name, char *err, size_t errlen);

/* Status line message (sanitised when drawn); alert shows it in the alert
 * style. Marks the app dirty. */
void app_status(struct app *a, bool alert, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The record the routing pane shows, and the context pane unless an eval
 * item is drilled into (the selected or last
 * assistant message's), or NULL. */
const struct turn_record *app_record(const struct app *a);

/* Move the focus to pane p (leaving the input line). */
void app_focus(struct app *a, enum layout_pane p);

/* Bring the sanitised copy of m up to date with its raw text. */
void chat_msg_clean(struct chat_msg *m);

/* Select the context hit of citation n of the shown record and focus the
 * context pane. False when no hit belongs to block n. */
bool pane_context_show_block(struct app *a, int n);

/* Open the document of hit h with the chunk highlighted. Returns 0, or -1
 * with the reason on the status line. */
int viewer_open(struct app *a, const struct retrieve_hit *h);

/* Draw the viewer into w; handle a command while it is open (true when
 * handled); release it. */
void viewer_draw(struct app *a, WINDOW *w);
bool viewer_command(struct app *a, enum keys_cmd cmd);
void viewer_close(struct viewer *v);

/* Show text (untrusted allowed) in the text overlay under title. */
void pane_help_show(struct app *a, const char *title, const char *text, size_t len);
void pane_help_draw(struct app *a, WINDOW *w);
bool pane_help_command(struct app *a, enum keys_cmd cmd);

#endif
