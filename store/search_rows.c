#include "store/search_rows.h"
#include "store/store_int.h"
#include "store/pg_int.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum search_stmt {
	SQ_FTS,
	SQ_FTS_HOLDS,
	SQ_VOCAB,
	SQ_FILTER,
	SQ_STALE,
	SQ_DOC_CHUNKS,
	SQ_CHUNK,
	SQ_COUNT
};

static const char *const search_sql[SQ_COUNT] = {
	/* No join here: FTS5 ranks on its own (the caller drops chunks of
	 * other collections), which keeps ORDER BY rank on its fast path. No
	 * LIMIT either: FTS5 ranks every match before it returns the first,
	 * and the caller stops reading once it has kept enough. */
	[SQ_FTS] = "SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ?1 AND rank MATCH ?2"
	           " ORDER BY rank",
	[SQ_FTS_HOLDS] = "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ?1 AND rowid = ?2",
	[SQ_VOCAB] = "SELECT doc FROM chunks_vocab WHERE term = ?1",
	[SQ_FILTER] = "SELECT c.id, c.document_id FROM chunks c JOIN documents d ON d.id = c.document_id"
	              " WHERE d.collection_id = ?1 AND (?2 IS NULL OR d.path GLOB ?2) ORDER BY c.id",
	/* With the successor document when the store holds it. */
	[SQ_STALE] = "SELECT c.id, d.id, (SELECT s.id FROM documents s WHERE s.collection_id = d.collection_id"
	             " AND s.path = d.superseded_by) FROM documents d JOIN chunks c ON c.document_id = d.id"
	             " WHERE d.collection_id = ?1 AND d.status != 'current' ORDER BY c.id",
	[SQ_DOC_CHUNKS] = "SELECT id FROM chunks WHERE document_id = ?1",
	[SQ_CHUNK] = "SELECT c.document_id, c.ordinal, c.byte_start, c.byte_end, c.line_start, c.line_end,"
	             " c.heading_path, c.text, c.tokens, d.path, d.status, c.page_start, c.page_end FROM chunks c"
	             " JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
};

struct store_search {
	struct store *store;
	int64_t collection;
	sqlite3_stmt *stmt[SQ_COUNT];
	struct pg_search *pg; /* set: the queries go to the PostgreSQL store */
};

int store_search_open_server(struct pg_store *p, int64_t coll, struct store_search **out)
{
	struct store_search *q = xcalloc(1, sizeof *q);
	q->collection = coll;
	q->pg = pg_search_open(p, coll);
	*out = q;
	return 0;
}

int store_search_open(struct store *s, int64_t coll, struct store_search **out,
                      char *err, size_t errlen)
{
	struct store_search *q = xcalloc(1, sizeof *q);
	q->store = s;
	q->collection = coll;
	*out = NULL;
	for (int i = 0; i < SQ_COUNT; i++) {
		if (sqlite3_prepare_v3(store_db(s), search_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->stmt[i],
		                       NULL) != SQLITE_OK) {
			store_error(s, "cannot prepare retrieval queries", err, errlen);
			store_search_free(&q);
			return -1;
		}
	}
	*out = q;
	return 0;
}

void store_search_free(struct store_search **qp)
{
	struct store_search *q = *qp;
	if (!q)
		return;
	for (int i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(q->stmt[i]);
	pg_search_free(q->pg);
	free(q);
	*qp = NULL;
}

/* Reset a cached statement for its next use. rc is its last step's
 * (SQLITE_DONE when the caller stopped early on purpose); anything else
 * puts "what: ..." into err, read before the reset. Returns 0 or -1. */
static int finish(struct store_search *q, sqlite3_stmt *st, int rc, const char *what,
                  char *err, size_t errlen)
{
	int result = rc == SQLITE_DONE ? 0 : store_error(q->store, what, err, errlen);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int store_search_fts(struct store_search *q, const char *match, const char *rank,
                     bool (*keep)(void *ud, int64_t id), void *ud, size_t limit,
                     int64_t *ids, double *ranks, size_t *n, char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_fts(q->pg, match, rank, keep, ud, limit, ids, ranks, n, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_FTS];
	int rc = SQLITE_DONE;
	*n = 0;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rank, -1, SQLITE_STATIC);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (!keep(ud, id))
			continue;
		ids[*n] = id;
		ranks[*n] = sqlite3_column_double(st, 1);
		(*n)++;
	}
	/* Stopping at limit leaves the statement on a row: not a failure. */
	return finish(q, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, "full-text search failed", err, errlen);
}

int store_search_fts_holds(struct store_search *q, const char *match, int64_t id, char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_fts_holds(q->pg, match, id, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_FTS_HOLDS];
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (finish(q, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, "full-text search failed", err, errlen) != 0)
		return -1;
	return rc == SQLITE_ROW;
}

int64_t store_search_term_docs(struct store_search *q, const char *term)
{
	if (q->pg)
		return pg_search_term_docs(q->pg, term);
	sqlite3_stmt *st = q->stmt[SQ_VOCAB];
	int64_t df = 0;
	sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		df = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return df;
}

/* Append id to the growing array *ids of *n (capacity *cap). */
static void push_id(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*ids = xreallocarray(*ids, *cap, sizeof **ids);
	}
	(*ids)[(*n)++] = id;
}

static bool listed(const int64_t *doc_ids, size_t n_doc_ids, int64_t doc)
{
	for (size_t i = 0; i < n_doc_ids; i++)
		if (doc_ids[i] == doc)
			return true;
	return false;
}

int store_search_chunk_ids(struct store_search *q, const char *path_glob, const int64_t *doc_ids,
                           size_t n_doc_ids, int64_t **ids, size_t *n, char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_chunk_ids(q->pg, path_glob, doc_ids, n_doc_ids, ids, n, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_FILTER];
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, q->collection);
	if (path_glob)
		sqlite3_bind_text(st, 2, path_glob, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!doc_ids || listed(doc_ids, n_doc_ids, sqlite3_column_int64(st, 1)))
			push_id(ids, n, &cap, sqlite3_column_int64(st, 0));
	return finish(q, st, rc, "cannot apply the search filter", err, errlen);
}

static void read_stale(sqlite3_stmt *st, void *row)
{
	*(struct store_stale_chunk *)row = (struct store_stale_chunk){
		sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)
	};
}

int store_search_stale(struct store_search *q, struct store_stale_chunk **rows, size_t *n,
                       char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_stale(q->pg, rows, n, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_STALE];
	void *v = NULL;
	sqlite3_bind_int64(st, 1, q->collection);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_stale);
	*rows = v;
	if (finish(q, st, failed ? SQLITE_ERROR : SQLITE_DONE, "cannot read document statuses", err, errlen) == 0)
		return 0;
	free(*rows);
	*rows = NULL;
	*n = 0;
	return -1;
}

int store_search_doc_chunks(struct store_search *q, int64_t doc, int64_t **ids, size_t *n,
                            char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_doc_chunks(q->pg, doc, ids, n, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_DOC_CHUNKS];
	size_t cap = 0;
	int rc;
	*ids = NULL;
	*n = 0;
	sqlite3_bind_int64(st, 1, doc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		push_id(ids, n, &cap, sqlite3_column_int64(st, 0));
	return finish(q, st, rc, "cannot read a document's chunks", err, errlen);
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return xstrdup(t ? (const char *)t : "");
}

int store_search_chunk(struct store_search *q, int64_t id, struct store_search_chunk *out,
                       char *err, size_t errlen)
{
	if (q->pg)
		return pg_search_chunk(q->pg, id, out, err, errlen);
	sqlite3_stmt *st = q->stmt[SQ_CHUNK];
	memset(out, 0, sizeof *out);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *status = sqlite3_column_text(st, 10);
		*out = (struct store_search_chunk){
			.chunk = {
				.id = id,
				.ordinal = sqlite3_column_int(st, 1),
				.byte_start = sqlite3_column_int64(st, 2),
				.byte_end = sqlite3_column_int64(st, 3),
				.line_start = sqlite3_column_int(st, 4),
				.line_end = sqlite3_column_int(st, 5),
				.heading_path = column_dup(st, 6),
				.text = column_dup(st, 7),
				.tokens = sqlite3_column_int(st, 8),
				.page_start = sqlite3_column_int(st, 11),
				.page_end = sqlite3_column_int(st, 12),
			},
			.doc_id = sqlite3_column_int64(st, 0),
			.path = column_dup(st, 9),
		};
		snprintf(out->status, sizeof out->status, "%s", status ? (const char *)status : "current");
	}
	if (finish(q, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, "cannot read a chunk", err, errlen) != 0)
		return -1;
	return rc == SQLITE_ROW ? 0 : 1;
}

void store_search_chunk_free(struct store_search_chunk *c)
{
	free(c->chunk.heading_path);
	free(c->chunk.text);
	free(c->path);
	memset(c, 0, sizeof *c);
}
