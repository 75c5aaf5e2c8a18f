/* pane: the panes and overlays of the full-screen app as objects — a const
 * ops table plus the state the pane allocates and alone touches — and the
 * narrow host interface through which a pane reads the app and asks it for
 * things.
 *
 * A pane never sees struct app: what it may read is struct pane_host, what
 * it may ask for are the host_* calls (app_host.c). Whatever reaches the
 * store goes through those calls, so no pane writes to SQLite. Internal to
 * the full-screen app; everything here runs on the main thread, the only
 * one that draws. */
#ifndef RAGDECK_PANE_H
#define RAGDECK_PANE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/answer/turn.h"
#include "core/ingest/disk_state.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "tui/ui/keys.h"
#include "tui/ui/layout.h"
#include "tui/ui/overlay.h"
#include "tui/app/screen.h"
#include "tui/ui/theme.h"
#include "tui/ui/wrap.h"

struct session_feedback;
struct worker_eval;
struct worker_msg;

/* One message of the conversation. */
/* Bytes [start, end) of a message's clean text. */
struct chat_mark {
	size_t start, end;
};

struct chat_msg {
	bool assistant;
	struct strbuf raw;         /* as typed or received (untrusted) */
	struct utf8_clean clean;   /* raw sanitized (chat_msg_clean) */
	struct wrap *wrap;
	int wrap_width;
	struct turn *turn;         /* the turn that answered (this run only), else NULL */
	char *footer;              /* model, timings, tokens, cost; NULL while streaming */
	bool interrupted;
	int64_t query_id;
	int64_t msg_id;            /* messages row; 0 when not saved */
	bool approved;
	bool replaced;             /* asked again: a newer answer follows (its footer says so) */
	struct chat_mark *unsupported; /* its unsupported sentences, in order, once answered */
	size_t n_unsupported;
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

/* The app as the panes see it. The app keeps it current; panes read it
 * and write nothing in it but the chat messages' own caches (clean text,
 * wrapping). */
struct pane_host {
	const struct config *cfg;
	const struct layout *layout;       /* the current pane rectangles */
	struct chat_msg **msgs;            /* the conversation, oldest first */
	size_t n_msgs;
	struct chat_msg *streaming;        /* the message an answer streams into, or NULL */
	long shown;                        /* the assistant message whose turn is on show, -1: none */
	struct app_totals totals;
	struct metrics_window *window;     /* this run's turns, for the percentiles */
	struct breaker_set *breakers;      /* the providers' health */
};

/* What the app tells every pane of the table (its event op). */
enum pane_event {
	PANE_EVENT_MESSAGE,   /* a message joined the conversation, or it was cleared */
	PANE_EVENT_SHOWN,     /* another turn is on show, or none after a clear */
};

/* A pane or an overlay: its ops, its own state, the host it reads. */
struct pane {
	const struct pane_ops *ops;
	void *state;
	struct pane_host *host;
	WINDOW *win;               /* its window in the layout (the app's); NULL when hidden or an overlay */
};

struct pane_ops {
	/* The state of a pane of the table, made when the app starts; NULL:
	 * the pane keeps none. Overlays get theirs from their opener. */
	void *(*create)(struct pane_host *h);
	/* Free state (NULL-safe); NULL: nothing to free. */
	void (*destroy)(void *state);
	/* Draw into w (border included) with the focus shown or not. */
	void (*draw)(struct pane *p, WINDOW *w, bool focused);
	/* What it did with cmd (panes of the table never close); NULL: it
	 * takes no commands of its own. */
	enum overlay_reply (*command)(struct pane *p, enum keys_cmd cmd);
	/* React to an app event; NULL: none concerns it. */
	void (*event)(struct pane *p, enum pane_event e);
};

extern const struct pane_ops pane_chat;
extern const struct pane_ops pane_context;
extern const struct pane_ops pane_dashboard;
extern const struct pane_ops pane_routing;
extern const struct pane_ops pane_eval;

/* A pane of ops reading h, with state (taken; NULL: made by ops->create
 * when it has one). Caller frees with pane_free. */
struct pane *pane_new(const struct pane_ops *ops, struct pane_host *h, void *state);

/* Free p and its state (NULL-safe); clears *p. Its window is the app's. */
void pane_free(struct pane **p);

/* Offer cmd to p. Returns what p did with it; OVERLAY_PASS when it takes
 * no commands. */
enum overlay_reply pane_command(struct pane *p, enum keys_cmd cmd);

/* The host: what a pane may ask of the app (app_host.c) ---------------- */

/* Status line message (sanitised when drawn); alert shows it in the alert
 * style. */
void host_status(struct pane_host *h, bool alert, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The record of the turn on show (h->shown's), or NULL. */
const struct turn_record *host_record(const struct pane_host *h);

/* Move the focus to pane p (leaving the input line). */
void host_focus(struct pane_host *h, enum layout_pane p);

/* Approve saved answer m as a training pair, or withdraw its approval, in
 * the store; m->approved follows. Returns 0, or -1 with the reason on the
 * status line. */
int host_approve(struct pane_host *h, struct chat_msg *m);

/* Store the reviewer's mark f on a chunk, and say so on the status line
 * naming it by rank. Returns 0, or -1 with the reason on the status line. */
int host_mark(struct pane_host *h, const struct session_feedback *f, int rank);

/* Put the last question in the input line to edit and send again, and
 * move the focus there. While an answer streams, only say on the status
 * line that this waits for it. */
void host_edit_question(struct pane_host *h);

/* Ask the last question again: its answers so far stay, marked replaced
 * (in the saved session too), and a new one streams in below them. While
 * an answer streams, only say on the status line that this waits for it. */
void host_ask_again(struct pane_host *h);

/* Whether the file of stored document doc_id still holds what was
 * ingested (core/ingest/disk_state.h), checked at most every
 * HOST_DISK_RECHECK_US per document. */
#define HOST_DISK_RECHECK_US 2000000
#define HOST_DISK_SEEN_MAX 64
enum disk_state host_disk_state(struct pane_host *h, int64_t doc_id);

/* Ingest the file of hit i of record r again (the file of an export's
 * record), in the worker, with progress on the status line. */
void host_reingest(struct pane_host *h, const struct turn_record *r, size_t i);

/* Open the ':' command line holding "why-not " for a stored path to be
 * typed (Tab completes it). */
void host_why_not_prompt(struct pane_host *h);

/* Open hit i of record r in the chunk viewer, over the body. */
void host_open_chunk(struct pane_host *h, const struct turn_record *r, size_t i);

/* Show the chunk of citation n of the turn on show in the context pane and
 * focus it. False when no retrieved chunk belongs to block n. */
bool host_show_block(struct pane_host *h, int n);

/* Show rec (an eval item's chunks, borrowed: it must outlive the showing,
 * or be withdrawn with NULL) in the context pane instead of the turn on
 * show. */
void host_show_item(struct pane_host *h, const struct turn_record *rec);

/* What single panes offer the app --------------------------------------- */

/* Bring the sanitised copy of m up to date with its raw text (pane_chat.c). */
void chat_msg_clean(struct chat_msg *m);

/* Context pane p: select the hit of citation n of the turn on show,
 * leaving any eval item. False when no hit belongs to block n. */
bool pane_context_show_block(struct pane *p, int n);

/* Context pane p: the record it shows (an eval item, else the turn on
 * show), or NULL. */
const struct turn_record *pane_context_shown(const struct pane *p);

/* Context pane p: show rec instead of the turn on show, from its first
 * chunk; NULL goes back to the turn on show. */
void pane_context_show_item(struct pane *p, const struct turn_record *rec);

/* Eval pane p: a run of the golden set at golden started (the last run's
 * results are dropped); an item done; the final message, with the
 * results (ev taken; NULL after a failure). */
void pane_eval_begin(struct pane *p, const char *golden);
void pane_eval_progress(struct pane *p, const struct worker_msg *m);
void pane_eval_done(struct pane *p, struct worker_eval *ev, const struct worker_msg *m);

/* Eval pane p: whether it has a run to show (else the layout hides it). */
bool pane_eval_shown(const struct pane *p);

/* A text overlay showing text (untrusted allowed) under title; Esc, q or ?
 * close it. Caller frees with pane_free (the overlay stack does). */
struct pane *pane_help_new(struct pane_host *h, const char *title, const char *text, size_t len);

/* The chunk viewer: hit i of record r inside its document, whose raw body
 * is raw[0..len) (untrusted; copied sanitised), the chunk highlighted; + and
 * - mark it, Esc closes it. Caller frees with pane_free (the overlay stack
 * does). */
struct pane *pane_viewer_new(struct pane_host *h, const char *raw, size_t len,
                             const struct turn_record *r, size_t i);

#endif
