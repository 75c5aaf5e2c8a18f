/* pg_publish: a collection of the SQLite store made the same on the
 * PostgreSQL store, document by document (store/pg.h). */
#include "store/pg_int.h"
#include "store/fts.h"
#include "store/store_int.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The server's documents of the collection, sorted by path. */
struct server_doc {
	char *path, *stamp;
	bool seen;
};

static int compare_server_doc(const void *a, const void *b)
{
	return strcmp(((const struct server_doc *)a)->path, ((const struct server_doc *)b)->path);
}

static char *col_text(sqlite3_stmt *st, int c)
{
	const unsigned char *t = sqlite3_column_text(st, c);
	return t ? xstrdup((const char *)t) : NULL;
}

/* The document columns publish copies, in the order of the INSERT below. */
#define DOC_COLUMNS                                                                                          \
	"d.path, d.format, d.title, d.content_hash, d.bytes, d.mtime_ns, d.first_seen, d.last_changed,"      \
	" d.change_count, d.invalid_utf8, d.embed_model, d.pipeline, d.status, d.status_reason,"             \
	" d.superseded_by,"                                                                                   \
	" d.effective_date, d.reviewed_date, d.released_date, d.body"
#define N_DOC_COLUMNS 19

int pg_local_docs(sqlite3 *db, int64_t coll, const char *model, struct local_doc **out, size_t *n, char *err,
                  size_t errlen)
{
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(db,
	                            "SELECT d.id, d.path, d.content_hash || '|' || d.status || '|' || d.status_reason"
	                            " || '|' || coalesce(d.superseded_by, '') || '|' || coalesce(d.title, '') || '|'"
	                            " || coalesce(d.effective_date, '') || coalesce(d.reviewed_date, '')"
	                            " || coalesce(d.released_date, '') || '|' || ?2 || '|' || d.pipeline || '|'"
	                            " || (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) || '|'"
	                            " || (SELECT count(*) FROM chunks c JOIN embeddings e ON e.chunk_id = c.id"
	                            "     AND e.model = ?2 WHERE c.document_id = d.id)"
	                            " FROM documents d WHERE d.collection_id = ?1 ORDER BY d.id",
	                            -1, &st, NULL);
	size_t cap = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*out = xreallocarray(*out, cap, sizeof **out);
			}
			(*out)[(*n)++] = (struct local_doc){ sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2) };
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read the local documents: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void pg_local_docs_free(struct local_doc *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].path);
		free(d[i].stamp);
	}
	free(d);
}

/* ---- one document ------------------------------------------------------ */

struct publish {
	sqlite3 *db;
	struct pg_store *p;
	struct fts_tokenizer *tok;
	char coll[24];
	char model[128];
	int dim;
	sqlite3_stmt *doc, *chunks;
	struct pg_copy_report *rep;
};

/* Delete the server's document path of the collection (its chunks with
 * it) and take its rows out of the collection's BM25 totals. In the
 * caller's transaction. */
static int delete_server_doc(struct publish *pb, const char *path, char *err, size_t errlen)
{
	const char *params[] = { pb->coll, path };
	if (pg_do(pb->p,
	          "UPDATE lexemes l SET chunks = l.chunks - g.n FROM (SELECT u.lexeme, count(*) AS n FROM documents d"
	          " JOIN chunks c ON c.document_id = d.id CROSS JOIN LATERAL unnest(c.tsv) u"
	          " WHERE d.collection_id = $1 AND d.path = $2 GROUP BY u.lexeme) g"
	          " WHERE l.collection_id = $1 AND l.lexeme = g.lexeme",
	          2, params, "cannot update the lexicon on the server", err, errlen) != 0)
		return -1;
	return pg_do(pb->p,
	             "WITH d AS (DELETE FROM documents WHERE collection_id = $1 AND path = $2 RETURNING id),"
	             " gone AS (DELETE FROM chunks WHERE document_id IN (SELECT id FROM d)"
	             "  RETURNING text_terms + heading_terms AS t,"
	             "  EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_id = chunks.id) AS v)"
	             " UPDATE collections SET chunks = chunks - (SELECT count(*) FROM gone),"
	             "  tokens = tokens - (SELECT coalesce(sum(t), 0) FROM gone),"
	             "  vectors = vectors - (SELECT count(*) FROM gone WHERE v) WHERE id = $1",
	             2, params, "cannot delete a document on the server", err, errlen);
}

/* Insert local document id's row; *server_id gets its new id. */
static int insert_doc(struct publish *pb, int64_t id, const char *stamp, char *server_id, size_t idlen, char *err,
                      size_t errlen)
{
	sqlite3_stmt *st = pb->doc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "cannot read a local document: %s", sqlite3_errmsg(pb->db));
		return -1;
	}
	const char *params[N_DOC_COLUMNS + 2] = { pb->coll, stamp };
	for (int c = 0; c < N_DOC_COLUMNS; c++)
		params[2 + c] = (const char *)sqlite3_column_text(st, c);
	PGresult *res = pg_run(pb->p,
	                       "INSERT INTO documents (collection_id, stamp, path, format, title, content_hash, bytes,"
	                       " mtime_ns, first_seen, last_changed, change_count, invalid_utf8, embed_model, pipeline,"
	                       " status, status_reason, superseded_by, effective_date, reviewed_date, released_date,"
	                       " body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
	                       " $17, $18, $19, $20, $21) RETURNING id",
	                       N_DOC_COLUMNS + 2, params, PGRES_TUPLES_OK, "cannot write a document on the server", err,
	                       errlen);
	sqlite3_reset(st);
	if (!res)
		return -1;
	snprintf(server_id, idlen, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Chunks written by one publish from which it refreshes the planner's
 * statistics itself. */
#define ANALYZE_AFTER_CHUNKS 1000

/* Chunks go to the server in INSERTs of up to CHUNK_ROWS rows: one round
 * trip per statement, not per chunk. */
#define CHUNK_ROWS 128
#define CHUNK_PARAMS 14 /* per row, after the shared document and collection */

/* Chunk rows waiting for one multi-row INSERT; params own their strings. */
struct chunk_rows {
	char *params[CHUNK_ROWS * CHUNK_PARAMS];
	int n;
};

static void chunk_rows_clear(struct chunk_rows *b)
{
	for (int i = 0; i < b->n * CHUNK_PARAMS; i++)
		free(b->params[i]);
	b->n = 0;
}

/* INSERT the waiting rows under server document doc, their vectors into
 * embeddings in the same statement (matched by ordinal). */
static int flush_chunks(struct publish *pb, struct chunk_rows *b, const char *doc, char *err, size_t errlen)
{
	if (b->n == 0)
		return 0;
	struct strbuf sql = { 0 };
	sb_puts(&sql, "WITH c AS (INSERT INTO chunks (document_id, collection_id, ordinal, byte_start, byte_end,"
	              " line_start, line_end, page_start, page_end, heading_path, text, tokens, text_terms,"
	              " heading_terms, tsv) VALUES ");
	for (int r = 0; r < b->n; r++) {
		int p = 3 + r * CHUNK_PARAMS;
		sb_printf(&sql, "%s($1, $2", r ? ", " : "");
		for (int c = 0; c < CHUNK_PARAMS - 2; c++)
			sb_printf(&sql, ", $%d", p + c);
		sb_printf(&sql, ", $%d::tsvector)", p + CHUNK_PARAMS - 2);
	}
	sb_puts(&sql, " RETURNING id, ordinal), v (ordinal, embedding) AS (VALUES ");
	for (int r = 0; r < b->n; r++) {
		int p = 3 + r * CHUNK_PARAMS;
		sb_printf(&sql, "%s($%d::integer, $%d::vector)", r ? ", " : "", p, p + CHUNK_PARAMS - 1);
	}
	sb_puts(&sql, ") INSERT INTO embeddings (chunk_id, collection_id, embedding)"
	              " SELECT c.id, $2, v.embedding FROM c JOIN v ON v.ordinal = c.ordinal WHERE v.embedding IS NOT NULL");
	const char **params = xcalloc((size_t)(2 + b->n * CHUNK_PARAMS), sizeof *params);
	params[0] = doc;
	params[1] = pb->coll;
	for (int i = 0; i < b->n * CHUNK_PARAMS; i++)
		params[2 + i] = b->params[i];
	int rc = pg_do(pb->p, sb_str(&sql), 2 + b->n * CHUNK_PARAMS, params, "cannot write chunks on the server", err,
	               errlen);
	free(params);
	free(sql.buf);
	chunk_rows_clear(b);
	return rc;
}

static char *int_text(long long v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%lld", v);
	return xstrdup(buf);
}

/* Insert the chunks of local document id under server document doc, with
 * their tsvectors and vectors. */
static int insert_chunks(struct publish *pb, int64_t id, const char *doc, int64_t *chunks, int64_t *tokens,
                         int64_t *vectors, char *err, size_t errlen)
{
	sqlite3_stmt *st = pb->chunks;
	struct chunk_rows *b = xcalloc(1, sizeof *b);
	int rc, failed = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pb->model, -1, SQLITE_STATIC);
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *heading = (const char *)sqlite3_column_text(st, 8);
		const char *text = (const char *)sqlite3_column_text(st, 9);
		int text_terms = 0, heading_terms = 0;
		char **row = &b->params[b->n * CHUNK_PARAMS];
		for (int c = 0; c < 7; c++)
			row[c] = int_text(sqlite3_column_int64(st, c));
		row[7] = xstrdup(heading ? heading : "");
		row[8] = xstrdup(text ? text : "");
		row[9] = int_text(sqlite3_column_int64(st, 10));
		row[12] = pg_tsvector_text(pb->tok, row[8], row[7], &text_terms, &heading_terms);
		row[10] = int_text(text_terms);
		row[11] = int_text(heading_terms);
		row[13] = NULL;
		int bytes = sqlite3_column_bytes(st, 11);
		if (sqlite3_column_type(st, 11) == SQLITE_BLOB && bytes == pb->dim * (int)sizeof(float)) {
			float *v = xcalloc((size_t)pb->dim, sizeof *v);
			memcpy(v, sqlite3_column_blob(st, 11), (size_t)bytes);
			row[13] = pg_vector_text(v, pb->dim);
			free(v);
		}
		b->n++;
		(*chunks)++;
		*tokens += text_terms + heading_terms;
		*vectors += row[13] != NULL;
		if (b->n == CHUNK_ROWS)
			failed = flush_chunks(pb, b, doc, err, errlen) != 0;
	}
	if (!failed && rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read local chunks: %s", sqlite3_errmsg(pb->db));
		failed = 1;
	}
	if (!failed)
		failed = flush_chunks(pb, b, doc, err, errlen) != 0;
	chunk_rows_clear(b);
	free(b);
	sqlite3_reset(st);
	return failed ? -1 : 0;
}

/* Replace the server's copy of one local document in one transaction. */
static int publish_doc(struct publish *pb, const struct local_doc *d, char *err, size_t errlen)
{
	char server_id[24];
	int64_t chunks = 0, tokens = 0, vectors = 0;
	if (pg_do(pb->p, "BEGIN", 0, NULL, "cannot start a transaction on the server", err, errlen) != 0)
		return -1;
	int rc = delete_server_doc(pb, d->path, err, errlen);
	if (rc == 0)
		rc = insert_doc(pb, d->id, d->stamp, server_id, sizeof server_id, err, errlen);
	if (rc == 0)
		rc = insert_chunks(pb, d->id, server_id, &chunks, &tokens, &vectors, err, errlen);
	if (rc == 0) {
		const char *params[] = { pb->coll, server_id };
		rc = pg_do(pb->p,
		           "INSERT INTO lexemes (collection_id, lexeme, chunks) SELECT $1, u.lexeme, count(*) FROM chunks c"
		           " CROSS JOIN LATERAL unnest(c.tsv) u WHERE c.document_id = $2 GROUP BY u.lexeme"
		           " ON CONFLICT (collection_id, lexeme) DO UPDATE SET chunks = lexemes.chunks + EXCLUDED.chunks",
		           2, params, "cannot update the lexicon on the server", err, errlen);
	}
	if (rc == 0) {
		char c[24], t[24], v[24];
		snprintf(c, sizeof c, "%lld", (long long)chunks);
		snprintf(t, sizeof t, "%lld", (long long)tokens);
		snprintf(v, sizeof v, "%lld", (long long)vectors);
		const char *params[] = { pb->coll, c, t, v };
		rc = pg_do(pb->p, "UPDATE collections SET chunks = chunks + $2, tokens = tokens + $3,"
		                  " vectors = vectors + $4 WHERE id = $1",
		           4, params, "cannot update the collection on the server", err, errlen);
	}
	if (rc == 0)
		rc = pg_do(pb->p, "COMMIT", 0, NULL, "cannot commit a document on the server", err, errlen);
	if (rc != 0) {
		PQclear(PQexec(pb->p->conn, "ROLLBACK"));
		return -1;
	}
	pb->rep->docs_written++;
	pb->rep->chunks_written += chunks;
	pb->rep->vectors_written += vectors;
	return 0;
}

static int delete_doc(struct publish *pb, const char *path, char *err, size_t errlen)
{
	if (pg_do(pb->p, "BEGIN", 0, NULL, "cannot start a transaction on the server", err, errlen) != 0)
		return -1;
	if (delete_server_doc(pb, path, err, errlen) != 0 ||
	    pg_do(pb->p, "COMMIT", 0, NULL, "cannot commit a deletion on the server", err, errlen) != 0) {
		PQclear(PQexec(pb->p->conn, "ROLLBACK"));
		return -1;
	}
	pb->rep->docs_deleted++;
	return 0;
}

/* ---- the collection ------------------------------------------------------ */

/* The collection on the server, made when missing; when it holds vectors
 * of another model or dimension, emptied first (in one transaction) so no
 * search mixes two models. */
static int server_collection(struct publish *pb, const char *name, char *err, size_t errlen)
{
	char dim[16];
	snprintf(dim, sizeof dim, "%d", pb->dim);
	const char *params[] = { name, pb->model, dim };
	if (pg_do(pb->p, "INSERT INTO collections (name, model, dim) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
	          3, params, "cannot create the collection on the server", err, errlen) != 0)
		return -1;
	PGresult *res = pg_run(pb->p, "SELECT id, model, dim, hnsw_dim FROM collections WHERE name = $1", 1, params,
	                       PGRES_TUPLES_OK, "cannot read the collection on the server", err, errlen);
	if (!res)
		return -1;
	snprintf(pb->coll, sizeof pb->coll, "%s", PQgetvalue(res, 0, 0));
	bool same = strcmp(PQgetvalue(res, 0, 1), pb->model) == 0 && pg_int(res, 0, 2) == pb->dim;
	int hnsw_dim = (int)pg_int(res, 0, 3);
	PQclear(res);
	if (same)
		return 0;
	char sql[256];
	snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS embeddings_hnsw_%s_%d", pb->coll, hnsw_dim);
	const char *p2[] = { pb->coll, pb->model, dim };
	if (pg_do(pb->p, "BEGIN", 0, NULL, "cannot start a transaction on the server", err, errlen) != 0)
		return -1;
	int rc = pg_do(pb->p, sql, 0, NULL, "cannot drop the old vector index", err, errlen);
	if (rc == 0)
		rc = pg_do(pb->p, "DELETE FROM documents WHERE collection_id = $1", 1, p2,
		           "cannot empty the collection on the server", err, errlen);
	if (rc == 0)
		rc = pg_do(pb->p, "DELETE FROM lexemes WHERE collection_id = $1", 1, p2,
		           "cannot empty the collection on the server", err, errlen);
	if (rc == 0)
		rc = pg_do(pb->p, "UPDATE collections SET model = $2, dim = $3, chunks = 0, tokens = 0, vectors = 0,"
		                  " hnsw_dim = 0"
		                  " WHERE id = $1",
		           3, p2, "cannot update the collection on the server", err, errlen);
	if (rc == 0)
		rc = pg_do(pb->p, "COMMIT", 0, NULL, "cannot commit on the server", err, errlen);
	if (rc != 0)
		PQclear(PQexec(pb->p->conn, "ROLLBACK"));
	return rc;
}

static int read_server_docs(struct publish *pb, struct server_doc **out, size_t *n, char *err, size_t errlen)
{
	const char *params[] = { pb->coll };
	PGresult *res = pg_run(pb->p, "SELECT path, stamp FROM documents WHERE collection_id = $1", 1, params,
	                       PGRES_TUPLES_OK, "cannot read the server's documents", err, errlen);
	*out = NULL;
	*n = 0;
	if (!res)
		return -1;
	int rows = PQntuples(res);
	*out = xcalloc(rows ? (size_t)rows : 1, sizeof **out);
	for (int i = 0; i < rows; i++)
		(*out)[i] = (struct server_doc){ xstrdup(PQgetvalue(res, i, 0)), xstrdup(PQgetvalue(res, i, 1)), false };
	*n = (size_t)rows;
	PQclear(res);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, compare_server_doc);
	return 0;
}

int pg_server_counts(struct pg_store *p, const char *coll, struct pg_counts *out, char *err, size_t errlen)
{
	const char *params[] = { coll };
	PGresult *res = pg_run(p,
	                       "SELECT (SELECT count(*) FROM documents WHERE collection_id = $1),"
	                       " (SELECT count(*) FROM chunks WHERE collection_id = $1),"
	                       " (SELECT count(*) FROM embeddings WHERE collection_id = $1)",
	                       1, params, PGRES_TUPLES_OK, "cannot count the server's rows", err, errlen);
	if (!res)
		return -1;
	*out = (struct pg_counts){ pg_int(res, 0, 0), pg_int(res, 0, 1), pg_int(res, 0, 2) };
	PQclear(res);
	return 0;
}

int pg_local_counts(sqlite3 *db, int64_t coll, const char *model, struct pg_counts *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db,
	                            "SELECT (SELECT count(*) FROM documents WHERE collection_id = ?1),"
	                            " count(c.id), count(e.chunk_id) FROM chunks c JOIN documents d ON d.id = c.document_id"
	                            " LEFT JOIN embeddings e ON e.chunk_id = c.id AND e.model = ?2"
	                            " WHERE d.collection_id = ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		*out = (struct pg_counts){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                           sqlite3_column_int64(st, 2) };
	else
		snprintf(err, errlen, "cannot count the local rows: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

bool pg_counts_match(const struct pg_copy_report *r, const char *verb, char *err, size_t errlen)
{
	const struct pg_counts *l = &r->local, *s = &r->server;
	if (l->docs == s->docs && l->chunks == s->chunks && l->vectors == s->vectors)
		return true;
	snprintf(err, errlen,
	         "the copy does not match after %s: %lld/%lld documents, %lld/%lld chunks, %lld/%lld vectors "
	         "(server/local); %s again",
	         verb, (long long)s->docs, (long long)l->docs, (long long)s->chunks, (long long)l->chunks,
	         (long long)s->vectors, (long long)l->vectors, verb);
	return false;
}

/* An HNSW index on the collection once it holds hnsw_min_rows chunks. */
static int build_hnsw(struct publish *pb, char *err, size_t errlen)
{
	if (pb->p->hnsw_min_rows <= 0 || pb->rep->server.vectors < pb->p->hnsw_min_rows || pb->dim <= 0)
		return 0;
	const char *params[] = { pb->coll };
	PGresult *res = pg_run(pb->p, "SELECT hnsw_dim FROM collections WHERE id = $1", 1, params, PGRES_TUPLES_OK,
	                       "cannot read the collection on the server", err, errlen);
	if (!res)
		return -1;
	int have = (int)pg_int(res, 0, 0);
	PQclear(res);
	if (have == pb->dim)
		return 0;
	char sql[400], dim[16];
	snprintf(sql, sizeof sql,
	         "CREATE INDEX IF NOT EXISTS embeddings_hnsw_%s_%d ON embeddings USING hnsw"
	         " ((embedding::vector(%d)) vector_ip_ops) WHERE collection_id = %s",
	         pb->coll, pb->dim, pb->dim, pb->coll);
	snprintf(dim, sizeof dim, "%d", pb->dim);
	const char *p2[] = { pb->coll, dim };
	if (pg_do(pb->p, sql, 0, NULL, "cannot build the HNSW index", err, errlen) != 0 ||
	    pg_do(pb->p, "UPDATE collections SET hnsw_dim = $2 WHERE id = $1", 2, p2,
	          "cannot record the HNSW index", err, errlen) != 0)
		return -1;
	pb->rep->hnsw_built = true;
	return 0;
}

/* The local collection's id, model and dimension. */
static int local_collection(sqlite3 *db, const char *name, int64_t *coll, char *model, size_t model_len, int *dim,
                            char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT id, coalesce(embed_model, ''), coalesce(embed_dim, 0) FROM collections"
	                                " WHERE name = ?1",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	int result = -1;
	if (rc == SQLITE_ROW) {
		*coll = sqlite3_column_int64(st, 0);
		snprintf(model, model_len, "%s", (const char *)sqlite3_column_text(st, 1));
		*dim = sqlite3_column_int(st, 2);
		result = 0;
	} else if (rc == SQLITE_DONE)
		snprintf(err, errlen, "collection \"%s\" is not in the local store: ingest documents first", name);
	else
		snprintf(err, errlen, "cannot read the local collection: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return result;
}

static int prepare_reads(struct publish *pb, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(pb->db, "SELECT " DOC_COLUMNS " FROM documents d WHERE d.id = ?1", -1, &pb->doc,
	                       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(pb->db,
	                       "SELECT c.ordinal, c.byte_start, c.byte_end, c.line_start, c.line_end, c.page_start,"
	                       " c.page_end, c.id, c.heading_path, c.text, c.tokens, e.vector FROM chunks c"
	                       " LEFT JOIN embeddings e ON e.chunk_id = c.id AND e.model = ?2"
	                       " WHERE c.document_id = ?1 ORDER BY c.ordinal",
	                       -1, &pb->chunks, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the local store: %s", sqlite3_errmsg(pb->db));
		return -1;
	}
	return 0;
}

enum rd_err pg_publish(struct store *local, const char *name, struct pg_store *p, const volatile sig_atomic_t *stop,
                       struct pg_copy_report *rep, char *err, size_t errlen)
{
	struct publish pb = { .db = store_db(local), .p = p, .rep = rep };
	struct local_doc *docs = NULL;
	struct server_doc *server = NULL;
	size_t n_docs = 0, n_server = 0;
	int64_t coll = 0;
	enum rd_err rc = RD_ERR_IO;
	memset(rep, 0, sizeof *rep);
	pb.tok = fts_tokenizer_open(local);
	if (!pb.tok) {
		snprintf(err, errlen, "this SQLite has no FTS5 tokenizer");
		return RD_ERR_IO;
	}
	const char *params[] = { name };
	PGresult *lock = pg_run(p, "SELECT pg_advisory_lock(hashtext('ragdeck publish ' || $1))", 1, params,
	                        PGRES_TUPLES_OK, "cannot lock the collection on the server", err, errlen);
	if (!lock) {
		fts_tokenizer_free(&pb.tok);
		return RD_ERR_NETWORK;
	}
	PQclear(lock);
	bool reading = sqlite3_exec(pb.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	if (!reading)
		snprintf(err, errlen, "cannot read the local store: %s", sqlite3_errmsg(pb.db));
	else if (local_collection(pb.db, name, &coll, pb.model, sizeof pb.model, &pb.dim, err, errlen) == 0 &&
	         prepare_reads(&pb, err, errlen) == 0 &&
	         pg_local_docs(pb.db, coll, pb.model, &docs, &n_docs, err, errlen) == 0 &&
	         pg_local_counts(pb.db, coll, pb.model, &rep->local, err, errlen) == 0 &&
	         server_collection(&pb, name, err, errlen) == 0 &&
	         read_server_docs(&pb, &server, &n_server, err, errlen) == 0)
		rc = RD_OK;
	for (size_t i = 0; rc == RD_OK && i < n_docs; i++) {
		if (stop && *stop) {
			snprintf(err, errlen, "stopped: %lld documents published", (long long)rep->docs_written);
			rc = RD_ERR_CANCELLED;
			break;
		}
		struct server_doc key = { .path = docs[i].path };
		struct server_doc *s = n_server ? bsearch(&key, server, n_server, sizeof *server, compare_server_doc) : NULL;
		if (s)
			s->seen = true;
		if (s && strcmp(s->stamp, docs[i].stamp) == 0)
			rep->docs_unchanged++;
		else if (publish_doc(&pb, &docs[i], err, errlen) != 0)
			rc = RD_ERR_NETWORK;
	}
	for (size_t i = 0; rc == RD_OK && i < n_server; i++)
		if (!server[i].seen && delete_doc(&pb, server[i].path, err, errlen) != 0)
			rc = RD_ERR_NETWORK;
	if (rc == RD_OK && pg_server_counts(p, pb.coll, &rep->server, err, errlen) != 0)
		rc = RD_ERR_NETWORK;
	if (rc == RD_OK && !pg_counts_match(rep, "publishing", err, errlen))
		rc = RD_ERR_CORRUPT;
	if (rc == RD_OK && build_hnsw(&pb, err, errlen) != 0)
		rc = RD_ERR_NETWORK;
	/* Fresh statistics after a large change, or the planner may take the
	 * collection for a sliver of the table and scan past its HNSW index
	 * until autovacuum comes by. */
	if (rc == RD_OK && (rep->hnsw_built || rep->chunks_written >= ANALYZE_AFTER_CHUNKS) &&
	    pg_do(p, "ANALYZE chunks, embeddings", 0, NULL, "cannot update the server's statistics", err, errlen) != 0)
		rc = RD_ERR_NETWORK;
	char unlock_err[256];
	PQclear(pg_run(p, "SELECT pg_advisory_unlock(hashtext('ragdeck publish ' || $1))", 1, params, PGRES_TUPLES_OK,
	               "unlock", unlock_err, sizeof unlock_err));
	if (reading)
		sqlite3_exec(pb.db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(pb.doc);
	sqlite3_finalize(pb.chunks);
	pg_local_docs_free(docs, n_docs);
	for (size_t i = 0; i < n_server; i++) {
		free(server[i].path);
		free(server[i].stamp);
	}
	free(server);
	fts_tokenizer_free(&pb.tok);
	return rc;
}
