/* pg_pull: a collection of the PostgreSQL store copied into the SQLite
 * store, document by document, through the same writes ingest makes
 * (store_doc_put), so the local store keeps its full-text index, vector
 * file and freshness marks (store/pg.h). */
#include "store/pg_int.h"
#include "store/embedding.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pull {
	struct pg_store *p;
	struct store *local;
	int64_t coll;
	char server_coll[24];
	char model[STORE_MODEL_MAX];
	int dim;
	struct pg_copy_report *rep;
};

static int compare_local_doc(const void *a, const void *b)
{
	return strcmp(((const struct local_doc *)a)->path, ((const struct local_doc *)b)->path);
}

/* pgvector's text form "[a,b,...]" into dim floats. Returns 0, or -1 when
 * it does not hold exactly dim numbers. */
static int parse_vector(const char *s, float *v, int dim)
{
	if (*s++ != '[')
		return -1;
	for (int i = 0; i < dim; i++) {
		char *end;
		v[i] = strtof(s, &end);
		if (end == s || *end != (i + 1 < dim ? ',' : ']'))
			return -1;
		s = end + 1;
	}
	return *s ? -1 : 0;
}

static const char *value_or_null(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

/* Write server document id (its row in doc, row 0) and its chunks into the
 * local store in one transaction. */
static int pull_doc(struct pull *pl, const PGresult *doc, char *err, size_t errlen)
{
	const char *params[] = { PQgetvalue(doc, 0, 0) };
	PGresult *res = pg_run(pl->p,
	                       "SELECT c.byte_start, c.byte_end, c.line_start, c.line_end, c.page_start, c.page_end,"
	                       " c.heading_path, c.tokens, e.embedding::text FROM chunks c"
	                       " LEFT JOIN embeddings e ON e.chunk_id = c.id WHERE c.document_id = $1 ORDER BY c.ordinal",
	                       1, params, PGRES_TUPLES_OK, "cannot read a document's chunks on the server", err, errlen);
	if (!res)
		return -1;
	int n = PQntuples(res), rc = 0;
	struct store_chunk_in *chunks = xcalloc(n ? (size_t)n : 1, sizeof *chunks);
	float *vectors = xcalloc((size_t)(n ? n : 1) * (size_t)(pl->dim ? pl->dim : 1), sizeof *vectors);
	int64_t with_vector = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		float *v = vectors + (size_t)i * (size_t)pl->dim;
		bool has = !PQgetisnull(res, i, 8);
		if (has && parse_vector(PQgetvalue(res, i, 8), v, pl->dim) != 0) {
			snprintf(err, errlen, "a vector on the server is not of %d dimensions", pl->dim);
			rc = -1;
		}
		with_vector += has;
		chunks[i] = (struct store_chunk_in){
			.byte_start = pg_int(res, i, 0), .byte_end = pg_int(res, i, 1),
			.line_start = (int)pg_int(res, i, 2), .line_end = (int)pg_int(res, i, 3),
			.page_start = (int)pg_int(res, i, 4), .page_end = (int)pg_int(res, i, 5),
			.heading_path = PQgetvalue(res, i, 6), .tokens = (int)pg_int(res, i, 7),
			.vector = has ? v : NULL,
		};
	}
	const char *body = PQgetvalue(doc, 0, 15);
	struct store_doc_in in = {
		.path = PQgetvalue(doc, 0, 1),
		.format = PQgetvalue(doc, 0, 2),
		.title = value_or_null(doc, 0, 3),
		.content_hash = PQgetvalue(doc, 0, 4),
		.bytes = pg_int(doc, 0, 5),
		.mtime_ns = pg_int(doc, 0, 6),
		.body = body,
		.body_len = strlen(body),
		.invalid_utf8 = pg_int(doc, 0, 7),
		.embed_model = pl->model,
		.dim = pl->dim,
		.pipeline = PQgetvalue(doc, 0, 8),
		.status = PQgetvalue(doc, 0, 9),
		.status_reason = PQgetvalue(doc, 0, 10),
		.superseded_by = value_or_null(doc, 0, 11),
		.effective_date = value_or_null(doc, 0, 12),
		.reviewed_date = value_or_null(doc, 0, 13),
		.released_date = value_or_null(doc, 0, 14),
	};
	if (rc == 0 && store_doc_put(pl->local, pl->coll, &in, chunks, (size_t)n, clock_unix_now(), NULL, err,
	                             errlen) != 0)
		rc = -1;
	if (rc == 0) {
		pl->rep->docs_written++;
		pl->rep->chunks_written += n;
		pl->rep->vectors_written += with_vector;
	}
	free(chunks);
	free(vectors);
	PQclear(res);
	return rc;
}

/* The server document path, read whole, pulled. */
static int pull_path(struct pull *pl, const char *path, char *err, size_t errlen)
{
	const char *params[] = { pl->server_coll, path };
	PGresult *doc = pg_run(pl->p,
	                       "SELECT id, path, format, title, content_hash, bytes, mtime_ns, invalid_utf8, pipeline,"
	                       " status, status_reason, superseded_by, effective_date, reviewed_date, released_date, body"
	                       " FROM documents WHERE collection_id = $1 AND path = $2",
	                       2, params, PGRES_TUPLES_OK, "cannot read a document on the server", err, errlen);
	if (!doc)
		return -1;
	/* Deleted on the server since the list was read: the next pull
	 * deletes it here too. */
	int rc = PQntuples(doc) == 1 ? pull_doc(pl, doc, err, errlen) : 0;
	PQclear(doc);
	return rc;
}

/* The server's documents (path, stamp) and its counts. */
static PGresult *server_docs(struct pull *pl, char *err, size_t errlen)
{
	const char *params[] = { pl->server_coll };
	if (pg_server_counts(pl->p, pl->server_coll, &pl->rep->server, err, errlen) != 0)
		return NULL;
	return pg_run(pl->p, "SELECT path, stamp FROM documents WHERE collection_id = $1 ORDER BY id", 1, params,
	              PGRES_TUPLES_OK, "cannot read the server's documents", err, errlen);
}

/* The local collection, made when missing, claimed for the server's model. */
static int local_collection(struct pull *pl, const char *name, char *err, size_t errlen)
{
	struct store_embedding rec;
	if (store_collection_id(pl->local, name, true, &pl->coll, err, errlen) != RD_OK)
		return -1;
	int claimed = store_embedding_claim(pl->local, pl->coll, pl->model, pl->dim, &rec, err, errlen);
	if (claimed == 1)
		snprintf(err, errlen, "the local collection \"%s\" holds vectors of %s (%d dimensions), the server's are of "
		         "%s (%d): pull into another database or collection", name, rec.model, rec.dim, pl->model, pl->dim);
	return claimed == 0 ? 0 : -1;
}

enum rd_err pg_pull(struct pg_store *p, const char *name, struct store *local, const volatile sig_atomic_t *stop,
                    struct pg_copy_report *rep, char *err, size_t errlen)
{
	struct pull pl = { .p = p, .local = local, .rep = rep };
	struct local_doc *docs = NULL;
	size_t n_docs = 0;
	int64_t server_id;
	memset(rep, 0, sizeof *rep);
	enum rd_err found = pg_collection(p, name, &server_id, pl.model, sizeof pl.model, &pl.dim, err, errlen);
	if (found == RD_ERR_NOT_FOUND)
		snprintf(err, errlen, "collection \"%s\" is not on the PostgreSQL store %s", name, pg_name(p));
	if (found != RD_OK)
		return found;
	snprintf(pl.server_coll, sizeof pl.server_coll, "%lld", (long long)server_id);
	if (local_collection(&pl, name, err, errlen) != 0)
		return RD_ERR_INVALID;
	/* One snapshot of the server for the whole copy. */
	if (pg_do(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, "cannot read the server", err,
	          errlen) != 0)
		return RD_ERR_NETWORK;
	enum rd_err rc = RD_ERR_NETWORK;
	PGresult *server = server_docs(&pl, err, errlen);
	if (server && pg_local_docs(store_db(local), pl.coll, pl.model, &docs, &n_docs, err, errlen) == 0)
		rc = RD_OK;
	if (n_docs > 1)
		qsort(docs, n_docs, sizeof *docs, compare_local_doc);
	bool *seen = xcalloc(n_docs ? n_docs : 1, sizeof *seen);
	for (int i = 0; rc == RD_OK && i < PQntuples(server); i++) {
		if (stop && *stop) {
			snprintf(err, errlen, "stopped: %lld documents pulled", (long long)rep->docs_written);
			rc = RD_ERR_CANCELLED;
			break;
		}
		struct local_doc key = { .path = PQgetvalue(server, i, 0) };
		struct local_doc *d = n_docs ? bsearch(&key, docs, n_docs, sizeof *docs, compare_local_doc) : NULL;
		if (d)
			seen[d - docs] = true;
		if (d && strcmp(d->stamp, PQgetvalue(server, i, 1)) == 0)
			rep->docs_unchanged++;
		else if (pull_path(&pl, key.path, err, errlen) != 0)
			rc = RD_ERR_IO;
	}
	for (size_t i = 0; rc == RD_OK && i < n_docs; i++) {
		if (seen[i])
			continue;
		if (store_doc_delete(local, docs[i].id, err, errlen) != 0)
			rc = RD_ERR_IO;
		else
			rep->docs_deleted++;
	}
	PQclear(PQexec(p->conn, "COMMIT"));
	if (rc == RD_OK && pg_local_counts(store_db(local), pl.coll, pl.model, &rep->local, err, errlen) != 0)
		rc = RD_ERR_IO;
	if (rc == RD_OK && !pg_counts_match(rep, "pulling", err, errlen))
		rc = RD_ERR_CORRUPT;
	free(seen);
	PQclear(server);
	pg_local_docs_free(docs, n_docs);
	return rc;
}
