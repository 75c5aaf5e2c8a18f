/* app_host: the host side of the pane interface — what a pane may ask of
 * the app (pane.h's host_* calls: the store's writes among them), the
 * events the app sends the panes, and the overlay stack's openers. */
#include "tui/app/app_impl.h"
#include "core/util/error.h"
#include "tui/cli/cli.h"
#include "store/session.h"
#include "store/store.h"

#include "core/config/config.h"
#include "core/ingest/records.h"
#include "core/search/retrieve.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The app a pane's host belongs to: the host is a member of struct app. */
static struct app *app_of(struct pane_host *h)
{
	return (struct app *)(void *)((char *)h - offsetof(struct app, host));
}

void host_status(struct pane_host *h, bool alert, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	app_status(app_of(h), alert, "%s", msg);
}

void host_why_not_prompt(struct pane_host *h)
{
	struct app *a = app_of(h);
	static const char why_not[] = "why-not ";
	a->cmd_active = true;
	lineedit_set(a->cmdline, why_not, sizeof why_not - 1);
	a->dirty = true;
}

const struct turn_record *host_record(const struct pane_host *h)
{
	if (h->shown < 0 || (size_t)h->shown >= h->n_msgs || !h->msgs[h->shown]->turn)
		return NULL;
	return turn_record(h->msgs[h->shown]->turn);
}

void host_focus(struct pane_host *h, enum layout_pane p)
{
	app_focus(app_of(h), p);
}

int host_approve(struct pane_host *h, struct chat_msg *m)
{
	struct app *a = app_of(h);
	char err[ERR_LEN];
	if (session_message_approve(a->cli->store, m->msg_id, !m->approved, err, sizeof err) != 0) {
		app_status(a, true, "%s", err);
		return -1;
	}
	m->approved = !m->approved;
	return 0;
}

int host_mark(struct pane_host *h, const struct session_feedback *f, int rank)
{
	struct app *a = app_of(h);
	char err[ERR_LEN];
	if (session_feedback_put(a->cli->store, f, err, sizeof err) != 0) {
		app_status(a, true, "%s", err);
		return -1;
	}
	app_status(a, false, "marked #%d %s", rank, f->relevant ? "relevant" : "irrelevant");
	return 0;
}

void host_edit_question(struct pane_host *h)
{
	app_edit_question(app_of(h));
}

void host_ask_again(struct pane_host *h)
{
	app_ask_again(app_of(h));
}

/* What host_disk_state last found for a document. */
struct disk_seen {
	int64_t doc_id;
	enum disk_state state;
	uint64_t checked_us;
	struct disk_memo memo;     /* the file as last checked: read again only when it moves */
};

/* The cache slot of doc_id: its own, else a new one, else the oldest. */
static struct disk_seen *disk_slot(struct app *a, int64_t doc_id)
{
	struct disk_seen *oldest = NULL;
	for (size_t i = 0; i < a->n_disk; i++) {
		if (a->disk[i].doc_id == doc_id)
			return &a->disk[i];
		if (!oldest || a->disk[i].checked_us < oldest->checked_us)
			oldest = &a->disk[i];
	}
	if (a->n_disk < HOST_DISK_SEEN_MAX) {
		if (!a->disk)
			a->disk = xcalloc(HOST_DISK_SEEN_MAX, sizeof *a->disk);
		oldest = &a->disk[a->n_disk++];
	}
	*oldest = (struct disk_seen){ .doc_id = doc_id };
	return oldest;
}

/* Whether the collection is read from the PostgreSQL store: hits' document
 * ids are then the server's, not rows of the local store. */
static bool on_server(const struct app *a)
{
	return strcmp(a->cli->cfg->store_server.backend, "postgres") == 0;
}

enum disk_state host_disk_state(struct pane_host *h, int64_t doc_id)
{
	struct app *a = app_of(h);
	/* The files a shared store was ingested from are on another machine. */
	if (on_server(a))
		return DISK_SAME;
	struct disk_seen *seen = disk_slot(a, doc_id);
	uint64_t now = clock_now_us();
	if (seen->checked_us && now - seen->checked_us < HOST_DISK_RECHECK_US)
		return seen->state;
	struct store_doc_state st;
	char err[ERR_LEN], *path = NULL;
	seen->state = DISK_SAME;
	if (store_doc_state_of_id(a->cli->store, doc_id, &st, err, sizeof err) == RD_OK &&
	    (path = store_doc_path(a->cli->store, doc_id)))
		seen->state = disk_state_of(path, &st, &seen->memo);
	free(path);
	seen->checked_us = now;
	return seen->state;
}

void app_forget_disk_states(struct app *a)
{
	a->n_disk = 0;
}

void host_reingest(struct pane_host *h, const struct turn_record *r, size_t i)
{
	struct app *a = app_of(h);
	if (on_server(a)) {
		app_status(a, true, "the collection is on the PostgreSQL store: ingest its files where they are kept");
		return;
	}
	const struct retrieve_hit *hit = &r->retrieval.hits[i];
	struct store_doc_state st;
	char err[ERR_LEN];
	/* An export's record "FILE#ID" is ingested again through FILE. */
	size_t file_len = records_file_len(hit->path);
	if (file_len && store_doc_state_of_id(a->cli->store, hit->doc_id, &st, err, sizeof err) == RD_OK &&
	    strcmp(st.format, RECORD_FORMAT) == 0) {
		char *file = xstrndup(hit->path, file_len);
		app_ingest(a, file);
		free(file);
		return;
	}
	app_ingest(a, hit->path);
}

void host_open_chunk(struct pane_host *h, const struct turn_record *r, size_t i)
{
	struct app *a = app_of(h);
	const struct retrieve_hit *hit = &r->retrieval.hits[i];
	char *body = NULL, err[ERR_LEN];
	size_t len = 0;
	enum rd_err rc = RD_ERR_NETWORK;
	if (!on_server(a))
		rc = store_doc_body(a->cli->store, hit->doc_id, &body, &len, err, sizeof err);
	else if (a->retriever)
		rc = retriever_document_body(a->retriever, hit->doc_id, &body, &len, err, sizeof err);
	else
		snprintf(err, sizeof err, "cannot read the document: the PostgreSQL store is not connected");
	if (rc == RD_ERR_NOT_FOUND)
		snprintf(err, sizeof err, "cannot read the document: it is no longer in the store");
	if (rc != RD_OK) {
		app_status(a, true, "%s", err);
		return;
	}
	app_overlay_push(a, pane_viewer_new(&a->host, body, len, r, i));
	free(body);
	char loc[PACK_LOCATION_LEN];
	pack_location(loc, sizeof loc, hit->line_start, hit->line_end, hit->page_start, hit->page_end);
	app_status(a, false, "%s%s  (Esc closes, +/- mark the chunk)", cli_display_path(hit->path), loc);
}

bool host_show_block(struct pane_host *h, int n)
{
	struct app *a = app_of(h);
	if (!pane_context_show_block(a->panes[LAYOUT_CONTEXT], n))
		return false;
	app_focus(a, LAYOUT_CONTEXT);
	return true;
}

void host_show_item(struct pane_host *h, const struct turn_record *rec)
{
	pane_context_show_item(app_of(h)->panes[LAYOUT_CONTEXT], rec);
}

void app_notify(struct app *a, enum pane_event e)
{
	for (int i = 0; i < LAYOUT_PANE_COUNT; i++)
		if (a->panes[i] && a->panes[i]->ops->event)
			a->panes[i]->ops->event(a->panes[i], e);
	a->dirty = true;
}

void app_overlay_push(struct app *a, struct pane *p)
{
	overlay_stack_push(a->overlays, p->ops, p);
	a->dirty = true;
}

void app_show_text(struct app *a, const char *title, const char *text, size_t len)
{
	app_overlay_push(a, pane_help_new(&a->host, title, text, len));
}
