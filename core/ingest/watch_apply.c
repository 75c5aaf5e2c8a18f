/* watch: a due batch applied to the store (watch.h). Deletions are one
 * transaction of their own; everything that exists goes through
 * ingest_run, so a watcher writes what an ingest would and is as safe to
 * kill. */
#include "core/ingest/records.h"
#include "core/ingest/watch_int.h"
#include "core/util/clock.h"
#include "core/util/error.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const outcome_names[] = {
	[WATCH_ADDED] = "added",
	[WATCH_UPDATED] = "updated",
	[WATCH_REMOVED] = "removed",
	[WATCH_SKIPPED] = "skipped",
};

const char *watch_outcome_name(enum watch_outcome o)
{
	return outcome_names[o];
}

static void add_change(struct watch_result *r, const char *path, enum watch_outcome o)
{
	if (r->n_changes == r->cap_changes) {
		r->cap_changes = r->cap_changes ? r->cap_changes * 2 : 16;
		r->changes = xreallocarray(r->changes, r->cap_changes, sizeof *r->changes);
	}
	r->changes[r->n_changes++] = (struct watch_change){ .path = xstrdup(path), .outcome = o };
}

/* Whether the document row is at or under path, or is a record of the
 * export at path ("FILE#ID"). */
static bool row_under(const struct store_doc_row *row, const char *path)
{
	return watch_under(row->path, path) || records_of_file(row->path, row->format, path);
}

/* Delete, in one transaction, the documents of coll at or under any of
 * gone[0..n). Returns 0 or -1 with err (what was deleted before a failure
 * commits: each deletion is whole). */
static int delete_gone(struct store *store, int64_t coll, char *const *gone, size_t n, struct watch_result *out,
                       char *err, size_t errlen)
{
	struct store_doc_row *rows = NULL;
	size_t n_rows = 0;
	int rc = store_docs_list(store, coll, &rows, &n_rows, err, errlen);
	bool open = false;
	for (size_t i = 0; i < n_rows && rc == 0; i++) {
		bool hit = false;
		for (size_t g = 0; g < n && !hit; g++)
			hit = row_under(&rows[i], gone[g]);
		if (!hit)
			continue;
		if (!open && (rc = store_batch_begin(store, err, errlen)) != 0)
			break;
		open = true;
		rc = store_doc_delete(store, rows[i].id, err, errlen);
		if (rc == 0)
			add_change(out, rows[i].path, WATCH_REMOVED);
	}
	if (open) {
		char commit_err[ERR_LEN];
		if (store_batch_commit(store, commit_err, sizeof commit_err) != 0) {
			if (rc == 0)
				snprintf(err, errlen, "%s", commit_err);
			rc = -1;
			/* rolled back: nothing was removed */
			for (size_t i = 0; i < out->n_changes; i++)
				free(out->changes[i].path);
			out->n_changes = 0;
		}
	}
	out->removed = out->n_changes;
	store_doc_rows_free(rows, n_rows);
	return rc;
}

/* True when the document row is under one of paths[0..n) (row_under). */
static bool under_any(const struct store_doc_row *row, char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (row_under(row, paths[i]))
			return true;
	return false;
}

/* Name the documents at or under paths that the run added, replaced or
 * pruned, from the collection's listings before and after (both ordered
 * by path), and the files it skipped. */
static void name_changes(struct watch_result *out, char *const *paths, size_t n, const struct store_doc_row *was,
                         size_t n_was, const struct store_doc_row *is, size_t n_is)
{
	size_t i = 0, k = 0;
	while (i < n_was || k < n_is) {
		int c = i == n_was ? 1 : k == n_is ? -1 : strcmp(was[i].path, is[k].path);
		const struct store_doc_row *row = c < 0 ? &was[i] : &is[k];
		const char *path = row->path;
		bool in = under_any(row, paths, n);
		if (in && c < 0)
			add_change(out, path, WATCH_REMOVED);
		else if (in && c > 0)
			add_change(out, path, WATCH_ADDED);
		else if (in && (was[i].id != is[k].id || was[i].change_count != is[k].change_count))
			add_change(out, path, WATCH_UPDATED);
		i += c <= 0;
		k += c >= 0;
	}
	for (size_t s = 0; s < out->summary.n_skips; s++)
		add_change(out, out->summary.skips[s].path, WATCH_SKIPPED);
}

/* Ingest paths[0..n) (each existing when the batch was split; a rescan's
 * with prune) and name what became of the documents under them. */
static int ingest_paths(struct store *store, struct embedder *embedder, const struct ingest_opts *opts, int64_t coll,
                        char *const *paths, size_t n, bool rescan, struct watch_result *out, char *err,
                        size_t errlen)
{
	struct store_doc_row *was = NULL, *is = NULL;
	size_t n_was = 0, n_is = 0;
	struct ingest_opts o = *opts;
	o.missing_ok = true;
	o.prune = o.prune || rescan;
	int rc = store_docs_list(store, coll, &was, &n_was, err, errlen);
	if (rc == 0)
		rc = ingest_run(store, embedder, &o, (const char *const *)paths, n, NULL, NULL, &out->summary, err,
		                errlen);
	if (rc == 0)
		rc = store_docs_list(store, coll, &is, &n_is, err, errlen);
	if (rc == 0)
		name_changes(out, paths, n, was, n_was, is, n_is);
	store_doc_rows_free(was, n_was);
	store_doc_rows_free(is, n_is);
	return rc;
}

int watch_apply(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
                const struct watch_batch *b, struct watch_result *out, char *err, size_t errlen)
{
	uint64_t t0 = clock_now_us();
	char **gone = xcalloc(b->n_deleted + b->n_changed + 1, sizeof *gone);
	char **present = xcalloc(b->n_changed + 1, sizeof *present);
	size_t n_gone = 0, n_present = 0;
	int64_t coll = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->rescanned = b->rescan;
	for (size_t i = 0; i < b->n_deleted; i++)
		gone[n_gone++] = b->deleted[i];
	/* A path changed and then removed before its batch: a deletion. */
	for (size_t i = 0; i < b->n_changed; i++) {
		struct stat st;
		if (lstat(b->changed[i], &st) != 0 && errno == ENOENT)
			gone[n_gone++] = b->changed[i];
		else
			present[n_present++] = b->changed[i];
	}
	if (store_collection_id(store, opts->collection, true, &coll, err, errlen) != RD_OK)
		goto cleanup;
	if (n_gone && delete_gone(store, coll, gone, n_gone, out, err, errlen) != 0)
		goto cleanup;
	if (n_present &&
	    ingest_paths(store, embedder, opts, coll, present, n_present, b->rescan, out, err, errlen) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	out->added = out->summary.added;
	out->updated = out->summary.changed;
	out->unchanged = out->summary.unchanged;
	out->skipped = out->summary.skipped;
	out->removed += out->summary.pruned;
	out->elapsed_us = clock_now_us() - t0;
	free(gone);
	free(present);
	return rc;
}

void watch_result_free(struct watch_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_changes; i++)
		free(r->changes[i].path);
	free(r->changes);
	ingest_summary_free(&r->summary);
	memset(r, 0, sizeof *r);
}
