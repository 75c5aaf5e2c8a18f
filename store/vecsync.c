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

static int apply_tombstones(sqlite3 *db, struct vec_index *idx, struct vec_sync *sync)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT seq, chunk_id FROM chunk_tombstones WHERE seq > ?1 ORDER BY seq",
	                            -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, sync->last_tombstone);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sync->last_tombstone = sqlite3_column_int64(st, 0);
		if (vec_index_remove(idx, sqlite3_column_int64(st, 1)) == 0)
			sync->removed++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* On the first load, size the arena for every chunk at once: growing it
 * by doubling would fault in and copy the memory several times. */
static void reserve_for_first_load(sqlite3 *db, struct vec_index *idx, const struct vec_sync *sync)
{
	sqlite3_stmt *st = NULL;
	if (sync->last_chunk_id != 0 || vec_index_count(idx) != 0)
		return;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM chunks", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		vec_index_reserve(idx, (size_t)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
}

static int load_new_vectors(sqlite3 *db, struct vec_index *idx, struct vec_sync *sync)
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
	sqlite3_bind_int64(st, 1, sync->last_chunk_id);
	sqlite3_bind_int64(st, 2, sync->collection);
	sqlite3_bind_text(st, 3, sync->model, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, sync->dim);
	size_t bytes = (size_t)sync->dim * sizeof(float);
	float *row = xmalloc(bytes);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		if (blob && (size_t)sqlite3_column_bytes(st, 1) == bytes) {
			memcpy(row, blob, bytes); /* BLOBs carry no alignment promise */
			vec_index_upsert(idx, id, row);
			sync->added++;
		}
		sync->last_chunk_id = id;
	}
	free(row);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The highest chunk id committed, so later catch-ups skip ids of other
 * collections and models too. */
static int note_max_chunk(sqlite3 *db, struct vec_sync *sync)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM chunks", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		int64_t max = sqlite3_column_int64(st, 0);
		if (max > sync->last_chunk_id)
			sync->last_chunk_id = max;
	}
	sqlite3_finalize(st);
	return 0;
}

int vec_sync_catch_up(struct store *s, struct vec_index *idx, struct vec_sync *sync, char *err,
                      size_t errlen)
{
	sqlite3 *db = store_db(s);
	sync->added = sync->removed = 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	reserve_for_first_load(db, idx, sync);
	if (apply_tombstones(db, idx, sync) != 0 || load_new_vectors(db, idx, sync) != 0 ||
	    note_max_chunk(db, sync) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return 0;
fail:
	snprintf(err, errlen, "cannot load vectors from %s: %s", store_path(s), sqlite3_errmsg(db));
	return -1;
}
