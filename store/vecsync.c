#include "store/vecsync.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/vecindex.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "embeddings are stored as little-endian float32 BLOBs; add byte swapping for this platform"
#endif

/* One integer from a query with up to two integer parameters; *out is left
 * as it is when the query yields NULL. */
static int query_int64(sqlite3 *db, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* The collection's vec_generation into *out. */
static int read_generation(sqlite3 *db, int64_t collection, int64_t *out)
{
	return query_int64(db, "SELECT vec_generation FROM collections WHERE id = ?1", collection, 0, out);
}

int vec_sync_snapshot(sqlite3 *db, struct vec_sync *sync)
{
	sync->generation = 0;
	sync->last_chunk_id = sync->last_tombstone = 0;
	if (read_generation(db, sync->collection, &sync->generation) != 0 ||
	    query_int64(db, "SELECT max(seq) FROM chunk_tombstones", 0, 0, &sync->last_tombstone) != 0 ||
	    query_int64(db, "SELECT max(id) FROM chunks", 0, 0, &sync->last_chunk_id) != 0)
		return -1;
	return 0;
}

int vec_sync_count(sqlite3 *db, const struct vec_sync *sync, int64_t after, size_t *count)
{
	static const char sql[] =
		"SELECT count(*) FROM embeddings e"
		" CROSS JOIN chunks c ON c.id = e.chunk_id"
		" CROSS JOIN documents d ON d.id = c.document_id"
		" WHERE e.chunk_id > ?1 AND d.collection_id = ?2 AND e.model = ?3 AND e.dim = ?4"
		" AND length(e.vector) = ?4 * 4";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, sync->collection);
	sqlite3_bind_text(st, 3, sync->model, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, sync->dim);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int vec_sync_each(sqlite3 *db, const struct vec_sync *sync, int64_t after,
                  int (*fn)(void *ud, int64_t id, const float *v), void *ud)
{
	static const char sql[] =
		/* CROSS JOIN fixes the loop order: drive from the id range of
		 * embeddings, which is empty on a catch-up with nothing new;
		 * the planner would otherwise walk every document. */
		"SELECT e.chunk_id, e.vector FROM embeddings e"
		" CROSS JOIN chunks c ON c.id = e.chunk_id"
		" CROSS JOIN documents d ON d.id = c.document_id"
		" WHERE e.chunk_id > ?1 AND d.collection_id = ?2 AND e.model = ?3 AND e.dim = ?4"
		" ORDER BY e.chunk_id";
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, sync->collection);
	sqlite3_bind_text(st, 3, sync->model, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, sync->dim);
	size_t bytes = (size_t)sync->dim * sizeof(float);
	float *row = xmalloc(bytes);
	int stopped = 0;
	while (!stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 1);
		if (blob && (size_t)sqlite3_column_bytes(st, 1) == bytes) {
			memcpy(row, blob, bytes); /* BLOBs carry no alignment promise */
			stopped = fn(ud, sqlite3_column_int64(st, 0), row);
		}
	}
	free(row);
	sqlite3_finalize(st);
	return stopped ? stopped : rc == SQLITE_DONE ? 0 : -1;
}

/* Deleted chunks leave the delta or, when the base holds them, are
 * remembered as removed there. */
static int apply_tombstones(sqlite3 *db, struct vec_index *base, struct vec_index *delta,
                            struct vec_sync *sync)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT seq, chunk_id FROM chunk_tombstones WHERE seq > ?1 ORDER BY seq",
	                            -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, sync->last_tombstone);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 1);
		sync->last_tombstone = sqlite3_column_int64(st, 0);
		if (vec_index_remove(delta, id) == 0 || (base && vec_index_remove(base, id) == 0))
			sync->removed++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* On the first load into an empty delta, size its arena for every vector
 * at once: growing it by doubling would fault in and copy the memory
 * several times. */
static void reserve_for_first_load(sqlite3 *db, struct vec_index *delta, const struct vec_sync *sync)
{
	size_t n = 0;
	if (sync->last_chunk_id == 0 && vec_index_count(delta) == 0 && vec_sync_count(db, sync, 0, &n) == 0)
		vec_index_reserve(delta, n);
}

static int add_vector(void *ud, int64_t id, const float *v)
{
	vec_index_upsert(ud, id, v);
	return 0;
}

static int load_new_vectors(sqlite3 *db, struct vec_index *delta, struct vec_sync *sync)
{
	size_t before = vec_index_count(delta);
	if (vec_sync_each(db, sync, sync->last_chunk_id, add_vector, delta) != 0)
		return -1;
	sync->added = vec_index_count(delta) - before;
	/* The highest chunk id committed, so later catch-ups skip ids of
	 * other collections and models too. */
	return query_int64(db, "SELECT max(id) FROM chunks WHERE id > ?1", sync->last_chunk_id, 0,
	                   &sync->last_chunk_id);
}

int vec_sync_catch_up(struct store *s, struct vec_index *base, struct vec_index *delta,
                      struct vec_sync *sync, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	sync->added = sync->removed = 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	int64_t generation = sync->generation;
	if (read_generation(db, sync->collection, &generation) != 0)
		goto rollback;
	if (sync->generation && generation != sync->generation) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sync->generation = generation;
		return 1;
	}
	sync->generation = generation;
	reserve_for_first_load(db, delta, sync);
	if (apply_tombstones(db, base, delta, sync) != 0 || load_new_vectors(db, delta, sync) != 0)
		goto rollback;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	snprintf(err, errlen, "cannot load vectors from %s: %s", store_path(s), sqlite3_errmsg(db));
	return -1;
}

int vec_sync_pending(struct store *s, const struct vec_sync *sync, int64_t *generation, size_t *added,
                     size_t *deleted, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	int64_t tombstones = 0;
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	         read_generation(db, sync->collection, generation) == 0 &&
	         vec_sync_count(db, sync, sync->last_chunk_id, added) == 0 &&
	         query_int64(db, "SELECT count(*) FROM chunk_tombstones WHERE seq > ?1", sync->last_tombstone, 0,
	                     &tombstones) == 0 ? 0 : -1;
	if (rc != 0)
		snprintf(err, errlen, "cannot read vectors from %s: %s", store_path(s), sqlite3_errmsg(db));
	sqlite3_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	*deleted = (size_t)tombstones;
	return rc;
}
