/* ingest_watch: what `ragdeck ingest` does after its run: the vector index
 * file brought up to date and, with --watch, the loop that applies each
 * batch of changes (core/ingest/watch.h) and prints one line for it. */
#ifndef RAGDECK_INGEST_WATCH_H
#define RAGDECK_INGEST_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;
struct cli;
struct embedder;
struct ingest_skip;
struct ingest_opts;
struct progress_bar;
struct store;
struct strbuf;
struct watch;
struct watch_batch;
struct watch_result;

/* Bring collection's vector index file in store up to date (drawing on
 * bar; NULL: no progress) so the next search opens at once, as after a
 * finished ingest. Returns what became of it: "written", "current" or
 * "not written" (err says why; nothing is printed). */
const char *ingest_persist_vectors(struct store *store, struct embedder *embedder, const char *collection,
                                   struct progress_bar *bar, char *err, size_t errlen);

/* Add to o an array name of {"path": ..., key: reason} for v[0..n) (an
 * ingest summary's skips, notes, unstored or truncated documents). */
void ingest_notes_json(struct cJSON *o, const char *name, const struct ingest_skip *v, size_t n, const char *key);

/* The line a batch's application gets, without its time, appended to out:
 * "updated docs/a.md, removed docs/old.md (2 changes, 41 ms)"; a rescan
 * names its reason and counts; names shown as table cells (cli_cell);
 * vec_index as ingest_persist_vectors returned it. */
void ingest_watch_line(const struct watch_batch *b, const struct watch_result *r, const char *vec_index,
                       struct strbuf *out);

/* Apply w's batches to the store until *opts->stop (SIGINT, SIGTERM),
 * printing a line per batch to stdout (a JSON object per line with
 * json). Waits in pselect with the stop signals unblocked only there, so
 * a signal is never missed between the check and the wait. Returns
 * EXIT_OK when stopped (the batch in hand finished or abandoned as an
 * interrupted ingest abandons it), EXIT_FAIL when a batch or the events
 * failed (logged; what committed is kept). */
int ingest_watch_loop(struct cli *cli, struct embedder *embedder, const struct ingest_opts *opts, struct watch *w,
                      bool json);

#endif
