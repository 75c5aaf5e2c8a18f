/* viewer: opening a retrieved chunk in the chunk viewer overlay
 * (pane_viewer.c), with its document's body read from the store. */
#include "tui/app/app_impl.h"
#include "tui/cli/cli.h"
#include "store/store.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

/* The document body of doc_id, or NULL with the reason on the status line. */
static char *load_body(struct app *a, int64_t doc_id, size_t *len)
{
	char *body = NULL, err[512];
	int rc = store_doc_body(a->cli->store, doc_id, &body, len, err, sizeof err);
	if (rc == 1)
		snprintf(err, sizeof err, "cannot read the document: it is no longer in the store");
	if (rc != 0)
		app_status(a, true, "%s", err);
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
