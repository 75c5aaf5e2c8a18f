/* app_impl: the full-screen app's own state and the calls between its
 * files (app.c, app_keys.c, app_turn.c, app_host.c). Panes do not
 * include this: they see the app through struct pane_host (pane.h). */
#ifndef RAGDECK_APP_IMPL_H
#define RAGDECK_APP_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/app/pane.h"
#include "tui/ui/lineedit.h"
#include "tui/ui/overlay.h"

struct cli;
struct embedder;
struct worker;

struct app {
	struct cli *cli;
	struct pane_host host;     /* what the panes read */
	struct pane *panes[LAYOUT_PANE_COUNT];
	struct overlay_stack *overlays;   /* of struct pane; the top one covers the body */
	struct theme theme;
	struct keys_table *keys;
	struct lineedit *input;
	struct lineedit *cmdline;  /* the ':' line while open */
	bool cmd_active;
	struct layout layout;
	enum layout_pane focus;
	bool input_focus;          /* keys go to the input line */
	bool zoom;
	WINDOW *tabbar, *inputw, *statusw, *overlayw;
	bool need_layout;

	char status[256];
	bool status_alert;
	bool dirty, quit;
	uint64_t drawn_us;         /* when render last ran */
	bool vectors_building;     /* the vector index is being written in the background */
	uint64_t vectors_checked_us; /* when its progress was last looked at */
	int ctrl_c;                /* Ctrl-C presses in a row */

	struct llm_client *client;
	struct embedder *embedder;
	struct retriever *retriever;
	struct router *router;
	struct turn *running;
	char *model;               /* :model, NULL: the router's choice */
	int64_t session_id;
	char save_error[256];     /* why the current question could not be saved */
	struct worker *worker;
	bool worker_eval;          /* the worker runs an evaluation, not an ingest */
	bool worker_watch;         /* the worker applies a watched batch */
	struct watch *watch;       /* :watch PATH, NULL: none */
	char *watch_root;          /* its path, as shown */
	struct store *eval_store;  /* the evaluations' own connection, opened at the first */
	struct disk_seen *disk;    /* documents' files against the store (host_disk_state) */
	size_t n_disk;
	char *history_path;
};

/* Handle one key (keys.h code or SCREEN_PASTE) on the main thread
 * (app_keys.c). */
void app_key(struct app *a, int key);

/* Run a parsed ':' command (app_keys.c). */
void app_command(struct app *a, enum keys_cmd cmd, const char *arg, long num);

/* Ask question: start a turn streaming into a new assistant message
 * (app_turn.c). The caller makes sure no other turn is still running. */
void app_ask(struct app *a, const char *question);

/* The chat's e and r keys (host_edit_question, host_ask_again in pane.h). */
void app_edit_question(struct app *a);
void app_ask_again(struct app *a);

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

/* Show the saved sessions in a text overlay. */
void app_list_sessions(struct app *a);

/* Check every document's file again at its next host_disk_state (after
 * an ingest). */
void app_forget_disk_states(struct app *a);

/* :watch PATH: ingest path, then apply its watched changes (one batch at
 * a time in the worker, when it is free); :watch off stops watching. */
void app_watch(struct app *a, const char *path);

/* Start ingesting path in the worker; progress goes to the status line. */
void app_ingest(struct app *a, const char *path);

/* Start evaluating the golden set at golden in the worker, on the
 * evaluations' own store connection; the eval pane shows its progress,
 * then its results. */
void app_eval(struct app *a, const char *golden);

/* :why-not PATH: why the document at path was or was not retrieved for
 * the question the context pane shows, searched again now as the app
 * searches, in a text overlay (app_why.c). */
void app_why_not(struct app *a, const char *path);

/* Tab on the ':' line: complete a command's name, or the stored path
 * after why-not; the status line lists the matches when several remain
 * (app_why.c). */
void app_complete_cmdline(struct app *a);

/* Whether an answer is still streaming; then the status line says that
 * what waits for it (app_turn.c). */
bool app_still_answering(struct app *a, const char *what);

/* Load and apply theme name. Returns 0, or -1 with err. */
int app_set_theme(struct app *a, const char *name, char *err, size_t errlen);

/* Status line message (sanitised when drawn); alert shows it in the alert
 * style. Marks the app dirty. */
void app_status(struct app *a, bool alert, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Move the focus to pane p (leaving the input line). */
void app_focus(struct app *a, enum layout_pane p);

/* Tell every pane of the table about e (app_host.c). */
void app_notify(struct app *a, enum pane_event e);

/* Open overlay p (taken) over the body, in place of an open overlay of the
 * same kind (app_host.c). */
void app_overlay_push(struct app *a, struct pane *p);

/* Show text (untrusted allowed) in a text overlay under title. */
void app_show_text(struct app *a, const char *title, const char *text, size_t len);

#endif
