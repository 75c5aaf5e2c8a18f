/* replay: the store's floor for an ingest benchmark (see replay.h). */
#include "tests/bench/replay.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ingest commits a batch after about this long (core/ingest/ingest.c). */
#define REPLAY_BATCH_US 1000000

static const char doc_sql[] =
	"SELECT id, path, format, title, content_hash, bytes, mtime_ns, invalid_utf8, embed_model, body,"
	" pipeline, status, status_reason, superseded_by, effective_date, reviewed_date, released_date"
	" FROM documents ORDER BY id";

static const char chunk_sql[] =
	"SELECT c.byte_start, c.byte_end, c.line_start, c.line_end, c.heading_path, c.tokens, e.dim, e.vector"
	" FROM chunks c JOIN embeddings e ON e.chunk_id = c.id"
	" WHERE c.document_id = ?1 ORDER BY c.ordinal";

/* No full-text index: inserts into chunks_fts (rows and settings) land in
 * a view that drops them, and its config table is an empty plain one, so
 * the store's statements still prepare and run. */
static const char no_fts_sql[] =
	"DROP TABLE chunks_vocab;"
	"DROP TRIGGER chunks_ad;"
	"DROP TABLE chunks_fts;"
	"CREATE TABLE chunks_fts_config(k PRIMARY KEY, v);"
	"CREATE VIEW chunks_fts(rowid, text, heading_path, chunks_fts, rank) AS SELECT 0, '', '', '', 0 WHERE 0;"
	"CREATE TRIGGER chunks_fts_drop INSTEAD OF INSERT ON chunks_fts BEGIN SELECT 1 WHERE 0; END;";

/* One document's chunks read from the source, vectors copied. */
struct doc_chunks {
	struct store_chunk_in *rows;
	char **headings;
	float *vectors;
	size_t n;
	int dim;
};

static void doc_chunks_free(struct doc_chunks *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->headings[i]);
	free(c->headings);
	free(c->rows);
	free(c->vectors);
	*c = (struct doc_chunks){ 0 };
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static int read_chunks(sqlite3_stmt *st, int64_t doc_id, struct doc_chunks *out)
{
	size_t cap = 0;
	int rc;
	sqlite3_bind_int64(st, 1, doc_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->dim = sqlite3_column_int(st, 6);
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->rows = xreallocarray(out->rows, cap, sizeof *out->rows);
			out->headings = xreallocarray(out->headings, cap, sizeof *out->headings);
			out->vectors = xreallocarray(out->vectors, cap * (size_t)out->dim, sizeof *out->vectors);
		}
		memcpy(out->vectors + out->n * (size_t)out->dim, sqlite3_column_blob(st, 7),
		       (size_t)out->dim * sizeof *out->vectors);
		out->headings[out->n] = xstrdup(column_text(st, 4));
		out->rows[out->n] = (struct store_chunk_in){
			.byte_start = sqlite3_column_int64(st, 0),
			.byte_end = sqlite3_column_int64(st, 1),
			.line_start = sqlite3_column_int(st, 2),
			.line_end = sqlite3_column_int(st, 3),
			.tokens = sqlite3_column_int(st, 5),
		};
		out->n++;
	}
	sqlite3_reset(st);
	/* The vectors array moved while it grew: point the rows at it now. */
	for (size_t i = 0; i < out->n; i++) {
		out->rows[i].heading_path = out->headings[i];
		out->rows[i].vector = out->vectors + i * (size_t)out->dim;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The document on row st of doc_sql as the store takes it. */
static struct store_doc_in doc_from_row(sqlite3_stmt *st, int dim)
{
	return (struct store_doc_in){
		.path = column_text(st, 1),
		.format = column_text(st, 2),
		.title = column_text(st, 3),
		.content_hash = column_text(st, 4),
		.bytes = sqlite3_column_int64(st, 5),
		.mtime_ns = sqlite3_column_int64(st, 6),
		.invalid_utf8 = sqlite3_column_int64(st, 7),
		.embed_model = column_text(st, 8),
		.body = column_text(st, 9),
		.body_len = (size_t)sqlite3_column_bytes(st, 9),
		.dim = dim,
		.pipeline = column_text(st, 10),
		.status = column_text(st, 11),
		.status_reason = column_text(st, 12),
		.superseded_by = column_text(st, 13),
		.effective_date = column_text(st, 14),
		.reviewed_date = column_text(st, 15),
		.released_date = column_text(st, 16),
	};
}

/* A new store at dst, its full-text index replaced when !fts. */
static int open_target(const char *dst, bool fts, struct store **out, char *err, size_t errlen)
{
	if (store_open(dst, out, err, errlen) != 0)
		return -1;
	if (fts)
		return 0;
	store_close(out);
	sqlite3 *db = NULL;
	int rc = sqlite3_open(dst, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, no_fts_sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "replay: cannot drop the full-text index of %s: %s", dst, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK && store_open(dst, out, err, errlen) == RD_OK ? 0 : -1;
}

/* Write one document, committing the batch when it is a second old. */
static int write_doc(struct store *s, int64_t coll, const struct store_doc_in *doc, const struct doc_chunks *c,
                     uint64_t *batch_start, struct replay_result *out, char *err, size_t errlen)
{
	uint64_t t0 = clock_now_us();
	int rc = 0;
	if (!*batch_start) {
		rc = store_batch_begin(s, err, errlen);
		*batch_start = t0;
	}
	bool replaced;
	if (rc == 0)
		rc = store_doc_put(s, coll, doc, c->rows, c->n, 0, &replaced, err, errlen);
	if (rc == 0 && clock_now_us() - *batch_start > REPLAY_BATCH_US) {
		rc = store_batch_commit(s, err, errlen);
		*batch_start = 0;
	}
	out->write_us += clock_now_us() - t0;
	out->documents++;
	out->chunks += c->n;
	return rc;
}

int replay_store(const char *src, const char *dst, bool fts, struct replay_result *out, char *err,
                 size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *docs = NULL, *chunks = NULL;
	struct store *s = NULL;
	int64_t coll = 0;
	uint64_t batch_start = 0;
	int rc = -1;
	*out = (struct replay_result){ 0 };
	if (open_target(dst, fts, &s, err, errlen) != 0 ||
	    store_collection_id(s, "replay", true, &coll, err, errlen) != 0)
		goto cleanup;
	if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, doc_sql, -1, &docs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, chunk_sql, -1, &chunks, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "replay: cannot read %s: %s", src, sqlite3_errmsg(db));
		goto cleanup;
	}
	int step;
	while ((step = sqlite3_step(docs)) == SQLITE_ROW) {
		struct doc_chunks c = { 0 };
		int failed = read_chunks(chunks, sqlite3_column_int64(docs, 0), &c);
		if (failed) {
			snprintf(err, errlen, "replay: cannot read the chunks of %s: %s", src, sqlite3_errmsg(db));
		} else {
			struct store_doc_in doc = doc_from_row(docs, c.dim);
			failed = write_doc(s, coll, &doc, &c, &batch_start, out, err, errlen);
		}
		doc_chunks_free(&c);
		if (failed)
			goto cleanup;
	}
	if (step != SQLITE_DONE) {
		snprintf(err, errlen, "replay: cannot read the documents of %s: %s", src, sqlite3_errmsg(db));
		goto cleanup;
	}
	uint64_t t0 = clock_now_us();
	rc = store_batch_commit(s, err, errlen);
	out->write_us += clock_now_us() - t0;
cleanup:
	sqlite3_finalize(docs);
	sqlite3_finalize(chunks);
	sqlite3_close(db);
	store_close(&s);
	return rc;
}
