#include "store/embedding.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char get_sql[] =
	"SELECT embed_model, embed_dim, reembed_model, reembed_dim FROM collections WHERE id = ?1";
static const char claim_sql[] =
	"UPDATE collections SET embed_model = ?2, embed_dim = ?3 WHERE id = ?1 AND embed_model IS NULL";
static const char begin_sql[] =
	"UPDATE collections SET reembed_model = ?2, reembed_dim = ?3 WHERE id = ?1";
/* Vectors of chunks of coll under any model but the collection's own and
 * keep (a re-embedding's target, or NULL). */
static const char drop_others_sql[] =
	"DELETE FROM embeddings WHERE model != ?2 AND model IS NOT ?3 AND chunk_id IN"
	" (SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.collection_id = ?1)";
static const char todo_sql[] =
	"SELECT c.id, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id"
	" WHERE d.collection_id = ?1 AND c.id > ?2"
	" AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id AND e.model = ?3)"
	" ORDER BY c.id LIMIT ?4";
static const char count_sql[] =
	"SELECT count(*), count(e.chunk_id) FROM chunks c JOIN documents d ON d.id = c.document_id"
	" LEFT JOIN embeddings e ON e.chunk_id = c.id AND e.model = ?2 WHERE d.collection_id = ?1";
static const char put_sql[] =
	"INSERT OR REPLACE INTO embeddings (chunk_id, model, dim, vector)"
	" SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?1)";
static const char finish_sql[] =
	"UPDATE collections SET embed_model = reembed_model, embed_dim = reembed_dim,"
	" reembed_model = NULL, reembed_dim = NULL, vec_generation = random() WHERE id = ?1;";
static const char docs_model_sql[] =
	"UPDATE documents SET embed_model = ?2 WHERE collection_id = ?1";

static void copy_text(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* Run sql with coll as ?1, then text a as ?2 and b as ?3 and integer i as
 * ?3 (bind_int: b is NULL) when given. Returns 0, or -1 with err. */
static int exec_bound(struct store *s, const char *sql, int64_t coll, const char *a, const char *b,
                      int i, bool bind_int, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		if (a)
			sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
		if (bind_int)
			sqlite3_bind_int(st, 3, i);
		else if (b)
			sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	if (rc != 0)
		store_error(s, what, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int store_embedding_get(struct store *s, int64_t coll, struct store_embedding *out, char *err,
                        size_t errlen)
{
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	int rc = -1;
	if (sqlite3_prepare_v2(store_db(s), get_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			copy_text(st, 0, out->model, sizeof out->model);
			out->dim = sqlite3_column_int(st, 1);
			copy_text(st, 2, out->reembed_model, sizeof out->reembed_model);
			out->reembed_dim = sqlite3_column_int(st, 3);
		}
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
	}
	if (rc != 0)
		store_error(s, "cannot read the collection's embedding model", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int store_embedding_claim(struct store *s, int64_t coll, const char *model, int dim,
                          struct store_embedding *out, char *err, size_t errlen)
{
	if (exec_bound(s, claim_sql, coll, model, NULL, dim, true, "cannot record the collection's embedding model",
	               err, errlen) != 0 ||
	    store_embedding_get(s, coll, out, err, errlen) != 0)
		return -1;
	return strcmp(out->model, model) == 0 && out->dim == dim ? 0 : 1;
}

/* Run f inside a write transaction of its own. */
static int in_transaction(struct store *s, int (*f)(struct store *s, void *ud, char *err, size_t errlen),
                          void *ud, char *err, size_t errlen)
{
	if (sqlite3_exec(store_db(s), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, "cannot start a write transaction", err, errlen);
	int rc = f(s, ud, err, errlen);
	if (rc >= 0 && sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = store_error(s, "cannot commit", err, errlen);
	if (rc < 0)
		sqlite3_exec(store_db(s), "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

struct begin_args {
	int64_t coll;
	const char *model;
	int dim;
};

static int begin_in(struct store *s, void *ud, char *err, size_t errlen)
{
	const struct begin_args *a = ud;
	struct store_embedding cur;
	if (store_embedding_get(s, a->coll, &cur, err, errlen) != 0)
		return -1;
	if (strcmp(cur.reembed_model, a->model) == 0 && cur.reembed_dim == a->dim)
		return 0;
	/* Keep the collection's own vectors and those of the new target. */
	if (exec_bound(s, drop_others_sql, a->coll, cur.model, a->model, 0, false,
	               "cannot drop an abandoned re-embedding's vectors", err, errlen) != 0)
		return -1;
	return exec_bound(s, begin_sql, a->coll, a->model, NULL, a->dim, true, "cannot record the re-embedding",
	                  err, errlen);
}

int store_reembed_begin(struct store *s, int64_t coll, const char *model, int dim, char *err,
                        size_t errlen)
{
	struct begin_args a = { coll, model, dim };
	return in_transaction(s, begin_in, &a, err, errlen);
}

static void read_todo(sqlite3_stmt *st, void *row)
{
	struct store_todo_chunk *c = row;
	const unsigned char *h = sqlite3_column_text(st, 1), *t = sqlite3_column_text(st, 2);
	c->id = sqlite3_column_int64(st, 0);
	c->heading_path = xstrdup(h ? (const char *)h : "");
	c->text = xstrdup(t ? (const char *)t : "");
}

int store_reembed_todo(struct store *s, int64_t coll, const char *model, int64_t after, size_t limit,
                       struct store_todo_chunk **rows, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	*rows = NULL;
	*n = 0;
	int rc = -1;
	if (sqlite3_prepare_v2(store_db(s), todo_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_int64(st, 2, after);
		sqlite3_bind_text(st, 3, model, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (int64_t)limit);
		rc = store_read_rows(st, sizeof **rows, (void **)rows, n, read_todo);
	}
	if (rc != 0) {
		store_error(s, "cannot list the chunks to embed", err, errlen);
		store_todo_chunks_free(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void store_todo_chunks_free(struct store_todo_chunk *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].heading_path);
		free(rows[i].text);
	}
	free(rows);
}

int store_reembed_count(struct store *s, int64_t coll, const char *model, int64_t *done, int64_t *total,
                        char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*done = *total = 0;
	if (sqlite3_prepare_v2(store_db(s), count_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, coll);
		sqlite3_bind_text(st, 2, model, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*total = sqlite3_column_int64(st, 0);
			*done = sqlite3_column_int64(st, 1);
			rc = 0;
		}
	}
	if (rc != 0)
		store_error(s, "cannot count the collection's vectors", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

struct put_args {
	const char *model;
	int dim;
	const int64_t *ids;
	const float *vectors;
	size_t n;
};

static int put_in(struct store *s, void *ud, char *err, size_t errlen)
{
	const struct put_args *a = ud;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), put_sql, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
	for (size_t i = 0; i < a->n && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, a->ids[i]);
		sqlite3_bind_text(st, 2, a->model, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, a->dim);
		/* Little-endian float32, as store_doc_put writes them. */
		sqlite3_bind_blob(st, 4, a->vectors + i * (size_t)a->dim, a->dim * (int)sizeof(float), SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	if (rc != 0)
		store_error(s, "cannot write vectors", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int store_embeddings_put(struct store *s, const char *model, int dim, const int64_t *ids,
                         const float *vectors, size_t n, char *err, size_t errlen)
{
	struct put_args a = { model, dim, ids, vectors, n };
	return in_transaction(s, put_in, &a, err, errlen);
}

static int finish_in(struct store *s, void *ud, char *err, size_t errlen)
{
	int64_t coll = *(const int64_t *)ud, done, total;
	struct store_embedding cur;
	if (store_embedding_get(s, coll, &cur, err, errlen) != 0)
		return -1;
	if (!cur.reembed_model[0])
		return 1;
	if (store_reembed_count(s, coll, cur.reembed_model, &done, &total, err, errlen) != 0)
		return -1;
	if (done < total)
		return 1;
	if (exec_bound(s, finish_sql, coll, NULL, NULL, 0, false, "cannot record the new model", err, errlen) != 0 ||
	    exec_bound(s, docs_model_sql, coll, cur.reembed_model, NULL, 0, false, "cannot record the new model",
	               err, errlen) != 0 ||
	    exec_bound(s, drop_others_sql, coll, cur.reembed_model, NULL, 0, false, "cannot drop the old vectors",
	               err, errlen) != 0)
		return -1;
	return 0;
}

int store_reembed_finish(struct store *s, int64_t coll, char *err, size_t errlen)
{
	return in_transaction(s, finish_in, &coll, err, errlen);
}
