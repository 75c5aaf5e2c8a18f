/* viewer: opening a retrieved chunk in the chunk viewer overlay
 * (pane_viewer.c), with its document's body read from the store. */
#include "tui/app/app_impl.h"
#include "tui/cli/cli.h"
#include "store/store.h"
#include "core/util/xalloc.h"

#include <sqlite3.h>
#include <stdlib.h>

/* The document body of doc_id, or NULL with the reason on the status line. */
static char *load_body(struct app *a, int64_t doc_id, size_t *len)
{
	sqlite3 *db = store_db(a->cli->store);
	sqlite3_stmt *st = NULL;
	char *body = NULL;
	if (sqlite3_prepare_v2(db, "SELECT body FROM documents WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_int64(st, 1, doc_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto cleanup;
	*len = (size_t)sqlite3_column_bytes(st, 0);
	body = xmemdup(sqlite3_column_blob(st, 0), *len + 1);
	body[*len] = '\0';
cleanup:
	if (!body)
		app_status(a, true, "cannot read the document: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return body;
}

int viewer_open(struct app *a, const struct turn_record *r, size_t i)
{
	const struct retrieve_hit *h = &r->retrieval.hits[i];
	size_t len = 0;
	char *raw = load_body(a, h->doc_id, &len);
	if (!raw)
		return -1;
	app_overlay_push(a, pane_viewer_new(&a->host, raw, len, r, i));
	free(raw);
	app_status(a, false, "%s:%d-%d  (Esc closes, +/- mark the chunk)", cli_display_path(h->path),
	           h->line_start, h->line_end);
	return 0;
}
