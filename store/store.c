#include "store/store.h"
#include "store/fts.h"
#include "store/schema.h"
#include "store/store_int.h"
#include "core/util/fs.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Statements prepared once per connection: ingest runs them per chunk. */
enum stmt_id {
	ST_DOC_STATE,
	ST_DOC_INSERT,
	ST_DOC_UPDATE,
	ST_DOC_TOUCH,
	ST_DOC_META,
	ST_DOC_DELETE,
	ST_CHUNKS_DELETE,
	ST_CHUNK_INSERT,
	ST_EMBED_INSERT,
	ST_FTS_INSERT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_DOC_STATE] = "SELECT id, bytes, mtime_ns, content_hash, embed_model, pipeline, format FROM documents"
	                 " WHERE collection_id = ?1 AND path = ?2",
	[ST_DOC_INSERT] = "INSERT INTO documents (collection_id, path, format, title, content_hash,"
	                  " bytes, mtime_ns, first_seen, last_changed, change_count, invalid_utf8,"
	                  " embed_model, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 0, ?9, ?10, ?11)",
	/* Redone with the same content (a new ingest pipeline) is no change. */
	[ST_DOC_UPDATE] = "UPDATE documents SET format = ?2, title = ?3, content_hash = ?4, bytes = ?5,"
	                  " mtime_ns = ?6, last_changed = CASE WHEN content_hash = ?4 THEN last_changed ELSE ?7 END,"
	                  " change_count = change_count + (content_hash != ?4),"
	                  " invalid_utf8 = ?8, embed_model = ?9, body = ?10 WHERE id = ?1",
	[ST_DOC_TOUCH] = "UPDATE documents SET bytes = ?2, mtime_ns = ?3 WHERE id = ?1",
	[ST_DOC_META] = "UPDATE documents SET pipeline = ?2, status = ?3, status_reason = ?4,"
	                " superseded_by = ?5, effective_date = ?6, reviewed_date = ?7, released_date = ?8"
	                " WHERE id = ?1",
	[ST_DOC_DELETE] = "DELETE FROM documents WHERE id = ?1",
	[ST_CHUNKS_DELETE] = "DELETE FROM chunks WHERE document_id = ?1",
	[ST_CHUNK_INSERT] = "INSERT INTO chunks (document_id, ordinal, byte_start, byte_end, line_start,"
	                    " line_end, heading_path, tokens, text, page_start, page_end)"
	                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_EMBED_INSERT] = "INSERT INTO embeddings (chunk_id, model, dim, vector) VALUES (?1, ?2, ?3, ?4)",
	[ST_FTS_INSERT] = "INSERT INTO chunks_fts (rowid, text, heading_path) VALUES (?1, ?2, ?3)",
};

/* A full-text row waiting for the end of the batch. */
struct fts_pending {
	int64_t chunk_id;
	char *text;
	char *heading_path;
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	/* Inside a batch, full-text rows are written at commit: FTS5 flushes
	 * its pending index to a new segment at every savepoint, and each
	 * document of a batch has one. */
	struct fts_pending *fts;
	size_t n_fts, cap_fts;
	/* store_batch_begin opened a transaction that store_batch_commit has
	 * not ended. SQLite may roll it back on its own after SQLITE_FULL or
	 * an I/O error; this flag is how that is noticed. */
	bool batch;
	bool fts_tuned;   /* the index's settings for batches were checked */
};

/* Forget deferred full-text rows from index mark on. */
static void drop_pending_fts(struct store *s, size_t mark)
{
	for (size_t i = mark; i < s->n_fts; i++) {
		free(s->fts[i].text);
		free(s->fts[i].heading_path);
	}
	s->n_fts = mark;
}

/* A message for a failed open that says what to do about it; returns its
 * error code. */
static enum rd_err open_error(const char *path, sqlite3 *db, int rc, const char *detail, char *err, size_t errlen)
{
	char advice[1024];
	store_advice(path, db, rc, advice, sizeof advice);
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		snprintf(err, errlen, "%s is not a usable ragdeck database (%s): move it aside or pass --db PATH",
		         path, detail);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, errlen, "%s is locked by another process (%s): wait for it to finish and retry",
		         path, detail);
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		if (advice[0])
			snprintf(err, errlen, "cannot open %s for writing (%s)%s", path, detail, advice);
		else
			snprintf(err, errlen, "cannot open %s for writing (%s): check its permissions or pass --db PATH",
			         path, detail);
		break;
	default:
		snprintf(err, errlen, "cannot open database %s (%s)%s", path, detail, advice);
	}
	return store_code(db, rc);
}

/* Create a new database file with mode 0600 before SQLite sees it; SQLite
 * gives its -wal and -shm files the same permissions. An existing file is
 * left alone: opening and closing a descriptor on it would drop the POSIX
 * locks every other connection of this process holds on it (SQLite's
 * documented "close() drops locks" hazard), and a writer could then
 * corrupt it. */
static enum rd_err create_private_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (strcmp(path, ":memory:") == 0)
		return RD_OK;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "the database path %s is a directory: pass --db with a file in it, for example "
		         "--db %s/ragdeck.db", path, path);
		return RD_ERR_INVALID;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return RD_OK;
		snprintf(err, errlen, "cannot create database %s: %s", path, strerror(errno));
		return errno == ENOSPC ? RD_ERR_FULL : errno == EACCES || errno == EROFS ? RD_ERR_READ_ONLY : RD_ERR_IO;
	}
	close(fd);
	return RD_OK;
}

/* How long a connection waits for another process's lock, trying again
 * every millisecond: SQLite's own busy timeout sleeps up to 100 ms between
 * tries and keeps missing a lock that is free only for the moment between
 * two of an ingest's batches. */
#define LOCK_WAIT_MS 5000

/* Times the statements are prepared again after a concurrent schema
 * change (prepare_statements). */
#define SCHEMA_RETRIES 50

static int wait_for_lock(void *ud, int tries)
{
	(void)ud;
	if (tries >= LOCK_WAIT_MS)
		return 0;
	nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	return 1;
}

/* Prepare the cached statements. Another process opening a new database
 * at the same moment can change its schema while they are prepared (seen
 * as SQLITE_SCHEMA, "no such table" after SQLite's own retries): they are
 * prepared again, a few times, a millisecond apart. Returns SQLITE_OK or
 * the last failure's code. */
static int prepare_statements(struct store *s)
{
	int rc = SQLITE_OK;
	for (int attempt = 0; attempt < SCHEMA_RETRIES; attempt++) {
		for (int i = 0; i < ST_COUNT; i++) {
			sqlite3_finalize(s->stmt[i]);
			s->stmt[i] = NULL;
		}
		for (int i = 0; i < ST_COUNT && rc == SQLITE_OK; i++)
			rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
		if ((rc & 0xff) != SQLITE_SCHEMA)
			return rc;
		rc = SQLITE_OK;
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
	return SQLITE_SCHEMA;
}

/* Set the connection's pragmas. Switching a new database to WAL while
 * another process does the same can fail with SQLITE_BUSY without SQLite
 * calling the busy handler (it would risk a deadlock): the pragmas, which
 * are idempotent, are set again a millisecond later, for as long as the
 * busy handler would have waited. Returns the last SQLite code; *msg as
 * sqlite3_exec gives it. */
static int set_pragmas(sqlite3 *db, char **msg)
{
	int rc = SQLITE_BUSY;
	for (int waited = 0; (rc & 0xff) == SQLITE_BUSY && waited < LOCK_WAIT_MS; waited++) {
		sqlite3_free(*msg);
		*msg = NULL;
		if (waited > 0)
			nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
		rc = sqlite3_exec(db,
		                  "PRAGMA journal_mode = WAL;"
		                  "PRAGMA synchronous = NORMAL;"
		                  "PRAGMA foreign_keys = ON;"
		                  "PRAGMA temp_store = MEMORY;"
		                  "PRAGMA cache_size = -65536;",
		                  NULL, NULL, msg);
	}
	return rc;
}

enum rd_err store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	int rc;
	enum rd_err code = RD_ERR_IO;
	char *msg = NULL;

	*out = NULL;
	if (fs_make_parent_dirs(path, err, errlen) != 0)
		goto fail;
	code = create_private_file(path, err, errlen);
	if (code != RD_OK)
		goto fail;
	store_match_side_modes(path);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		code = open_error(path, s->db, rc, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), err, errlen);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, wait_for_lock, NULL);
	rc = set_pragmas(s->db, &msg);
	/* The pragmas made the -wal and -shm files with the database's mode,
	 * which may lack owner write (a 0400 database). */
	store_match_side_modes(path);
	if (rc != SQLITE_OK) {
		code = open_error(path, s->db, rc, msg ? msg : sqlite3_errmsg(s->db), err, errlen);
		sqlite3_free(msg);
		goto fail;
	}
	code = RD_ERR_IO;
	if (fts_rank_register(s->db, err, errlen) != 0)
		goto fail;
	code = schema_migrate(s->db, err, errlen);
	if (code != RD_OK)
		goto fail;
	if ((rc = prepare_statements(s)) != SQLITE_OK) {
		code = open_error(path, s->db, rc, sqlite3_errmsg(s->db), err, errlen);
		goto fail;
	}
	*out = s;
	return RD_OK;
fail:
	store_close(&s);
	return code;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	drop_pending_fts(s, 0);
	free(s->fts);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
	*sp = NULL;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

enum rd_err store_fail(struct store *s, const char *what, char *err, size_t errlen)
{
	store_error(s, what, err, errlen);
	return store_code(s->db, sqlite3_extended_errcode(s->db));
}

int store_error(struct store *s, const char *what, char *err, size_t errlen)
{
	char advice[1024];
	store_advice(s->path, s->db, sqlite3_extended_errcode(s->db), advice, sizeof advice);
	snprintf(err, errlen, "%s: %s (database %s)%s", what, sqlite3_errmsg(s->db), s->path, advice);
	return -1;
}

int store_read_rows(sqlite3_stmt *st, size_t elem, void **rows, size_t *n,
                    void (*read_row)(sqlite3_stmt *st, void *row))
{
	size_t cap = 0;
	int rc;
	*rows = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*rows = xreallocarray(*rows, cap, elem);
		}
		read_row(st, (char *)*rows + *n * elem);
		(*n)++;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static char *column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? xstrdup((const char *)t) : NULL;
}

static void copy_column(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

enum rd_err store_collection_id(struct store *s, const char *name, bool create, int64_t *id,
                                char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum rd_err result;
	if (create) {
		if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO collections (name, created_at, vec_generation)"
		                              " VALUES (?1, strftime('%s','now'), random())", -1, &st, NULL) != SQLITE_OK)
			goto error;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto error;
		sqlite3_finalize(st);
		st = NULL;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM collections WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		goto error;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		result = RD_OK;
	} else if (rc == SQLITE_DONE) {
		result = RD_ERR_NOT_FOUND;
	} else {
		goto error;
	}
	sqlite3_finalize(st);
	return result;
error:
	result = store_fail(s, "cannot look up collection", err, errlen);
	sqlite3_finalize(st);
	return result;
}

/* The state columns of a document (id, bytes, mtime_ns, content_hash,
 * embed_model, pipeline, format) from column first on of the current row. */
static void read_doc_state(sqlite3_stmt *st, int first, struct store_doc_state *out)
{
	out->id = sqlite3_column_int64(st, first);
	out->bytes = sqlite3_column_int64(st, first + 1);
	out->mtime_ns = sqlite3_column_int64(st, first + 2);
	copy_column(st, first + 3, out->content_hash, sizeof out->content_hash);
	copy_column(st, first + 4, out->embed_model, sizeof out->embed_model);
	copy_column(st, first + 5, out->pipeline, sizeof out->pipeline);
	copy_column(st, first + 6, out->format, sizeof out->format);
}

/* Step st, which selects at most one document's state, into out: RD_OK,
 * RD_ERR_NOT_FOUND or the failure's code with err. */
static enum rd_err step_doc_state(struct store *s, sqlite3_stmt *st, struct store_doc_state *out, char *err,
                                  size_t errlen)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_doc_state(st, 0, out);
		return RD_OK;
	}
	if (rc != SQLITE_DONE)
		return store_fail(s, "cannot read document state", err, errlen);
	return RD_ERR_NOT_FOUND;
}

enum rd_err store_doc_state(struct store *s, int64_t coll, const char *path,
                            struct store_doc_state *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_DOC_STATE];
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	enum rd_err result = step_doc_state(s, st, out, err, errlen);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

enum rd_err store_doc_state_of_id(struct store *s, int64_t id, struct store_doc_state *out, char *err,
                                  size_t errlen)
{
	static const char sql[] = "SELECT id, bytes, mtime_ns, content_hash, embed_model, pipeline, format"
	                          " FROM documents WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "cannot read document state", err, errlen);
	sqlite3_bind_int64(st, 1, id);
	enum rd_err result = step_doc_state(s, st, out, err, errlen);
	sqlite3_finalize(st);
	return result;
}

static void read_doc_sub(sqlite3_stmt *st, void *row)
{
	struct store_doc_sub *r = row;
	r->path = column_strdup(st, 0);
	read_doc_state(st, 1, &r->state);
}

int store_doc_records(struct store *s, int64_t coll, const char *file, struct store_doc_sub **rows, size_t *n,
                      char *err, size_t errlen)
{
	/* A range on the (collection_id, path) index: '$' follows '#', so
	 * [X#, X$) is every path starting with "X#", with no LIKE escaping;
	 * of those, the records (core/ingest/records.h) whose id holds no '#'
	 * (an id never does), not a file "X#y.md" or the records of "X#y.csv". */
	static const char sql[] =
		"SELECT path, id, bytes, mtime_ns, content_hash, embed_model, pipeline, format FROM documents"
		" WHERE collection_id = ?1 AND path >= ?2 || '#' AND path < ?2 || '$' AND format = 'record'"
		" AND instr(substr(path, length(?2) + 2), '#') = 0 ORDER BY path";
	sqlite3_stmt *st = NULL;
	void *v = NULL;
	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "cannot list a file's records", err, errlen);
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_doc_sub);
	*rows = v;
	sqlite3_finalize(st);
	if (failed) {
		store_doc_subs_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return store_error(s, "cannot list a file's records", err, errlen);
	}
	return 0;
}

void store_doc_subs_free(struct store_doc_sub *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].path);
	free(rows);
}

/* Step a cached statement that returns no rows, then reset it. */
static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int write_document_row(struct store *s, int64_t coll, const struct store_doc_in *doc,
                              int64_t existing_id, int64_t now, int64_t *doc_id)
{
	sqlite3_stmt *st;
	if (existing_id) {
		st = s->stmt[ST_DOC_UPDATE];
		sqlite3_bind_int64(st, 1, existing_id);
		sqlite3_bind_text(st, 2, doc->format, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, doc->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, doc->content_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, doc->bytes);
		sqlite3_bind_int64(st, 6, doc->mtime_ns);
		sqlite3_bind_int64(st, 7, now);
		sqlite3_bind_int64(st, 8, doc->invalid_utf8);
		sqlite3_bind_text(st, 9, doc->embed_model, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, doc->body, (int)doc->body_len, SQLITE_STATIC);
		*doc_id = existing_id;
		return step_done(st);
	}
	st = s->stmt[ST_DOC_INSERT];
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, doc->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, doc->format, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, doc->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, doc->content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, doc->bytes);
	sqlite3_bind_int64(st, 7, doc->mtime_ns);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, doc->invalid_utf8);
	sqlite3_bind_text(st, 10, doc->embed_model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, doc->body, (int)doc->body_len, SQLITE_STATIC);
	if (step_done(st) != 0)
		return -1;
	*doc_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* What ingest read about the document besides its text. */
static int write_document_meta(struct store *s, int64_t doc_id, const struct store_doc_in *doc)
{
	sqlite3_stmt *st = s->stmt[ST_DOC_META];
	sqlite3_bind_int64(st, 1, doc_id);
	sqlite3_bind_text(st, 2, doc->pipeline ? doc->pipeline : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, doc->status ? doc->status : "current", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, doc->status_reason ? doc->status_reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, doc->superseded_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, doc->effective_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, doc->reviewed_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, doc->released_date, -1, SQLITE_STATIC);
	return step_done(st);
}

static int write_chunk_rows(struct store *s, int64_t doc_id, const struct store_doc_in *doc,
                            const struct store_chunk_in *chunks, size_t n, bool deferred)
{
	sqlite3_stmt *ci = s->stmt[ST_CHUNK_INSERT];
	sqlite3_stmt *ei = s->stmt[ST_EMBED_INSERT];
	sqlite3_stmt *fi = s->stmt[ST_FTS_INSERT];
	for (size_t i = 0; i < n; i++) {
		const struct store_chunk_in *c = &chunks[i];
		if (c->byte_start < 0 || c->byte_end < c->byte_start || (size_t)c->byte_end > doc->body_len)
			return -1;
		sqlite3_bind_int64(ci, 1, doc_id);
		sqlite3_bind_int64(ci, 2, (int64_t)i);
		sqlite3_bind_int64(ci, 3, c->byte_start);
		sqlite3_bind_int64(ci, 4, c->byte_end);
		sqlite3_bind_int(ci, 5, c->line_start);
		sqlite3_bind_int(ci, 6, c->line_end);
		sqlite3_bind_text(ci, 7, c->heading_path ? c->heading_path : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(ci, 8, c->tokens);
		sqlite3_bind_text(ci, 9, doc->body + c->byte_start, (int)(c->byte_end - c->byte_start),
		                  SQLITE_STATIC);
		sqlite3_bind_int(ci, 10, c->page_start);
		sqlite3_bind_int(ci, 11, c->page_end);
		if (step_done(ci) != 0)
			return -1;
		int64_t chunk_id = sqlite3_last_insert_rowid(s->db);
		const char *text = doc->body + c->byte_start;
		size_t text_len = (size_t)(c->byte_end - c->byte_start);
		const char *heading = c->heading_path ? c->heading_path : "";
		if (deferred) {
			if (s->n_fts == s->cap_fts) {
				s->cap_fts = s->cap_fts ? s->cap_fts * 2 : 256;
				s->fts = xreallocarray(s->fts, s->cap_fts, sizeof *s->fts);
			}
			s->fts[s->n_fts++] = (struct fts_pending){ chunk_id, xstrndup(text, text_len), xstrdup(heading) };
		} else {
			sqlite3_bind_int64(fi, 1, chunk_id);
			sqlite3_bind_text(fi, 2, text, (int)text_len, SQLITE_STATIC);
			sqlite3_bind_text(fi, 3, heading, -1, SQLITE_STATIC);
			if (step_done(fi) != 0)
				return -1;
		}
		if (!c->vector)
			continue;
		sqlite3_bind_int64(ei, 1, chunk_id);
		sqlite3_bind_text(ei, 2, doc->embed_model, -1, SQLITE_STATIC);
		sqlite3_bind_int(ei, 3, doc->dim);
		/* float32 BLOBs are stored little-endian: the byte order of every
		 * platform this builds for (checked at compile time in vecsync). */
		sqlite3_bind_blob(ei, 4, c->vector, doc->dim * (int)sizeof(float), SQLITE_STATIC);
		if (step_done(ei) != 0)
			return -1;
	}
	return 0;
}

/* Write the deferred full-text rows of the batch. */
static int flush_pending_fts(struct store *s)
{
	sqlite3_stmt *fi = s->stmt[ST_FTS_INSERT];
	int rc = 0;
	for (size_t i = 0; i < s->n_fts && rc == 0; i++) {
		sqlite3_bind_int64(fi, 1, s->fts[i].chunk_id);
		sqlite3_bind_text(fi, 2, s->fts[i].text, -1, SQLITE_STATIC);
		sqlite3_bind_text(fi, 3, s->fts[i].heading_path, -1, SQLITE_STATIC);
		rc = step_done(fi);
	}
	drop_pending_fts(s, 0);
	return rc;
}

int store_doc_put(struct store *s, int64_t coll, const struct store_doc_in *doc,
                  const struct store_chunk_in *chunks, size_t n_chunks, int64_t now,
                  bool *replaced, char *err, size_t errlen)
{
	struct store_doc_state prev;
	int64_t doc_id = 0;
	/* Inside a caller's batch the document gets a savepoint of its own,
	 * so a failed document never leaves a half in the batch. */
	bool own_txn = !s->batch;
	size_t fts_mark = s->n_fts;
	if (s->batch && sqlite3_get_autocommit(s->db)) {
		snprintf(err, errlen, "%s: not written: SQLite rolled the open batch back after an earlier error "
		         "(database %s)", doc->path, s->path);
		return -1;
	}
	if (sqlite3_exec(s->db, own_txn ? "BEGIN IMMEDIATE" : "SAVEPOINT doc", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, "cannot start a write transaction", err, errlen);
	enum rd_err found = store_doc_state(s, coll, doc->path, &prev, err, errlen);
	if (found != RD_OK && found != RD_ERR_NOT_FOUND)
		goto rollback;
	if (found == RD_OK) {
		sqlite3_bind_int64(s->stmt[ST_CHUNKS_DELETE], 1, prev.id);
		if (step_done(s->stmt[ST_CHUNKS_DELETE]) != 0)
			goto db_fail;
	}
	if (write_document_row(s, coll, doc, found == RD_OK ? prev.id : 0, now, &doc_id) != 0 ||
	    write_document_meta(s, doc_id, doc) != 0 ||
	    write_chunk_rows(s, doc_id, doc, chunks, n_chunks, !own_txn) != 0)
		goto db_fail;
	if (sqlite3_exec(s->db, own_txn ? "COMMIT" : "RELEASE doc", NULL, NULL, NULL) != SQLITE_OK)
		goto db_fail;
	if (replaced)
		*replaced = found == RD_OK;
	return 0;
db_fail:
	store_error(s, doc->path, err, errlen);
rollback:
	sqlite3_exec(s->db, own_txn ? "ROLLBACK" : "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
	drop_pending_fts(s, fts_mark);
	return -1;
}

/* FTS5 turns its pending index into a new segment whenever it reaches
 * 'hashsize' bytes (1 MB by default). A batch writes its deferred rows at
 * commit, 10 to 20 MB of text a second, and holding them in one segment
 * instead of one per MB takes 44% fewer instructions for the store's
 * writes of 100 MB (docs/architecture.md, "Ingest"). The setting lives in
 * the index's config table: it is written once per database, inside the
 * first batch that finds it missing. */
#define FTS_HASHSIZE (16 * 1024 * 1024)

static int tune_fts_for_batches(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, "SELECT v FROM chunks_fts_config WHERE k = 'hashsize'", -1, &st, NULL);
	bool set = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == FTS_HASHSIZE;
	sqlite3_finalize(st);
	if (rc == SQLITE_OK && !set) {
		char sql[96];
		snprintf(sql, sizeof sql, "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('hashsize', %d)", FTS_HASHSIZE);
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	}
	s->fts_tuned = rc == SQLITE_OK;
	return rc == SQLITE_OK ? 0 : -1;
}

int store_batch_begin(struct store *s, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, "cannot start a write transaction", err, errlen);
	if (!s->fts_tuned && tune_fts_for_batches(s) != 0) {
		store_error(s, "cannot set up the full-text index for a batch", err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	s->batch = true;
	return 0;
}

int store_batch_commit(struct store *s, char *err, size_t errlen)
{
	if (!s->batch)
		return 0;
	s->batch = false;
	if (sqlite3_get_autocommit(s->db)) {
		drop_pending_fts(s, 0);
		snprintf(err, errlen, "cannot commit: SQLite rolled the batch back after an earlier error (database %s)",
		         s->path);
		return -1;
	}
	if (flush_pending_fts(s) != 0 || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_error(s, "cannot commit", err, errlen);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int store_doc_touch(struct store *s, int64_t doc_id, int64_t bytes, int64_t mtime_ns, char *err,
                    size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_DOC_TOUCH];
	sqlite3_bind_int64(st, 1, doc_id);
	sqlite3_bind_int64(st, 2, bytes);
	sqlite3_bind_int64(st, 3, mtime_ns);
	return step_done(st) == 0 ? 0 : store_error(s, "cannot update document time", err, errlen);
}

int store_doc_delete(struct store *s, int64_t doc_id, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->stmt[ST_DOC_DELETE];
	sqlite3_bind_int64(st, 1, doc_id);
	return step_done(st) == 0 ? 0 : store_error(s, "cannot delete document", err, errlen);
}

static void read_doc_row(sqlite3_stmt *st, void *row)
{
	struct store_doc_row *r = row;
	r->id = sqlite3_column_int64(st, 0);
	r->collection = column_strdup(st, 1);
	r->path = column_strdup(st, 2);
	r->format = column_strdup(st, 3);
	r->title = column_strdup(st, 4);
	r->bytes = sqlite3_column_int64(st, 5);
	r->n_chunks = sqlite3_column_int64(st, 6);
	r->first_seen = sqlite3_column_int64(st, 7);
	r->last_changed = sqlite3_column_int64(st, 8);
	r->change_count = sqlite3_column_int64(st, 9);
	r->invalid_utf8 = sqlite3_column_int64(st, 10);
	r->status = column_strdup(st, 11);
	r->status_reason = column_strdup(st, 12);
	r->superseded_by = column_strdup(st, 13);
	r->effective_date = column_strdup(st, 14);
	r->reviewed_date = column_strdup(st, 15);
	r->released_date = column_strdup(st, 16);
}

/* The documents the condition where (bound to arg as ?1) selects, as
 * store_docs_list gives them. Returns 0, or -1 with err. */
static int read_docs(struct store *s, const char *where, int64_t arg, struct store_doc_row **rows, size_t *n,
                     char *err, size_t errlen)
{
	static const char select[] =
		"SELECT d.id, c.name, d.path, d.format, d.title, d.bytes,"
		" (SELECT count(*) FROM chunks WHERE document_id = d.id),"
		" d.first_seen, d.last_changed, d.change_count, d.invalid_utf8, d.status, d.status_reason,"
		" d.superseded_by, d.effective_date, d.reviewed_date, d.released_date"
		" FROM documents d JOIN collections c ON c.id = d.collection_id WHERE ";
	char *sql = xmalloc(sizeof select + strlen(where));
	sqlite3_stmt *st = NULL;
	void *v = NULL;
	*rows = NULL;
	*n = 0;
	snprintf(sql, sizeof select + strlen(where), "%s%s", select, where);
	int prepared = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	free(sql);
	if (prepared != SQLITE_OK)
		return store_error(s, "cannot list documents", err, errlen);
	sqlite3_bind_int64(st, 1, arg);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_doc_row);
	*rows = v;
	sqlite3_finalize(st);
	if (failed) {
		store_doc_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return store_error(s, "cannot list documents", err, errlen);
	}
	return 0;
}

int store_docs_list(struct store *s, int64_t coll, struct store_doc_row **rows, size_t *n,
                    char *err, size_t errlen)
{
	return read_docs(s, "?1 = 0 OR d.collection_id = ?1 ORDER BY c.name, d.path", coll, rows, n, err, errlen);
}

enum rd_err store_doc_get(struct store *s, int64_t doc_id, struct store_doc_row **row, char *err, size_t errlen)
{
	size_t n;
	if (read_docs(s, "d.id = ?1", doc_id, row, &n, err, errlen) != 0)
		return store_fail(s, "cannot read a document", err, errlen);
	if (n)
		return RD_OK;
	store_doc_rows_free(*row, 0);
	*row = NULL;
	return RD_ERR_NOT_FOUND;
}

void store_doc_rows_free(struct store_doc_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].collection);
		free(rows[i].path);
		free(rows[i].format);
		free(rows[i].title);
		free(rows[i].status);
		free(rows[i].status_reason);
		free(rows[i].superseded_by);
		free(rows[i].effective_date);
		free(rows[i].reviewed_date);
		free(rows[i].released_date);
	}
	free(rows);
}

/* Whether stored ends in suffix at a '/' boundary (or is it). */
static bool path_ends_with(const char *stored, const char *suffix)
{
	size_t ls = strlen(stored), lx = strlen(suffix);
	if (lx > ls || strcmp(stored + ls - lx, suffix) != 0)
		return false;
	return lx == ls || suffix[0] == '/' || stored[ls - lx - 1] == '/';
}

/* The documents of coll (0: any) path names as stored: the one stored at
 * path, else those ending in it at a '/', by path, into *ids and *n.
 * Returns 0, or -1 (the caller says what failed). */
static int docs_named(struct store *s, int64_t coll, const char *path, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;
	*n = 0;
	/* instr() only narrows the rows read; path_ends_with decides. */
	if (sqlite3_prepare_v2(s->db, "SELECT id, path FROM documents WHERE (?1 = 0 OR collection_id = ?1)"
	                       " AND instr(path, ?2) > 0 ORDER BY path", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, coll);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *stored = (const char *)sqlite3_column_text(st, 1);
		if (!stored || !path_ends_with(stored, path))
			continue;
		bool exact = strcmp(stored, path) == 0;
		if (exact)
			*n = 0;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
		if (exact)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

enum rd_err store_doc_find(struct store *s, int64_t coll, const char *path, int64_t **ids, size_t *n, char *err,
                           size_t errlen)
{
	char *real = realpath(path, NULL);
	int rc = 0;
	*ids = NULL;
	*n = 0;
	if (real)
		rc = docs_named(s, coll, real, ids, n);
	if (rc == 0 && *n == 0)
		rc = docs_named(s, coll, path, ids, n);
	free(real);
	if (rc != 0)
		return store_fail(s, "cannot look up document", err, errlen);
	return *n == 0 ? RD_ERR_NOT_FOUND : *n == 1 ? RD_OK : RD_ERR_AMBIGUOUS;
}

char *store_doc_path(struct store *s, int64_t doc_id)
{
	sqlite3_stmt *st = NULL;
	char *path = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT path FROM documents WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, doc_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			path = column_strdup(st, 0);
	}
	sqlite3_finalize(st);
	return path;
}

enum rd_err store_doc_body(struct store *s, int64_t doc_id, char **body, size_t *len, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum rd_err result;
	*body = NULL;
	*len = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT body FROM documents WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto error;
	sqlite3_bind_int64(st, 1, doc_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		result = RD_ERR_NOT_FOUND;
	} else if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*body = xmalloc(*len + 1);
		if (*len)
			memcpy(*body, blob, *len);
		(*body)[*len] = '\0';
		result = RD_OK;
	} else {
		goto error;
	}
	sqlite3_finalize(st);
	return result;
error:
	result = store_fail(s, "cannot read the document", err, errlen);
	sqlite3_finalize(st);
	return result;
}

static void read_chunk_row(sqlite3_stmt *st, void *row)
{
	struct store_chunk_row *r = row;
	r->id = sqlite3_column_int64(st, 0);
	r->ordinal = sqlite3_column_int(st, 1);
	r->byte_start = sqlite3_column_int64(st, 2);
	r->byte_end = sqlite3_column_int64(st, 3);
	r->line_start = sqlite3_column_int(st, 4);
	r->line_end = sqlite3_column_int(st, 5);
	r->tokens = sqlite3_column_int(st, 6);
	r->heading_path = column_strdup(st, 7);
	r->text = column_strdup(st, 8);
	r->page_start = sqlite3_column_int(st, 9);
	r->page_end = sqlite3_column_int(st, 10);
}

int store_chunks_of_doc(struct store *s, int64_t doc_id, struct store_chunk_row **rows,
                        size_t *n, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT id, ordinal, byte_start, byte_end, line_start, line_end, tokens,"
		" heading_path, text, page_start, page_end FROM chunks WHERE document_id = ?1 ORDER BY ordinal";
	sqlite3_stmt *st = NULL;
	void *v = NULL;
	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "cannot read chunks", err, errlen);
	sqlite3_bind_int64(st, 1, doc_id);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_chunk_row);
	*rows = v;
	sqlite3_finalize(st);
	if (failed) {
		store_chunk_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return store_error(s, "cannot read chunks", err, errlen);
	}
	return 0;
}

void store_chunk_rows_free(struct store_chunk_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].heading_path);
		free(rows[i].text);
	}
	free(rows);
}

int store_doc_history(struct store *s, int64_t doc_id, int *change_count, int64_t *first_seen,
                      int64_t *last_changed, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int result = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT change_count, first_seen, last_changed FROM documents"
	                              " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "cannot read document history", err, errlen);
	sqlite3_bind_int64(st, 1, doc_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*change_count = sqlite3_column_int(st, 0);
		*first_seen = sqlite3_column_int64(st, 1);
		*last_changed = sqlite3_column_int64(st, 2);
		result = 0;
	} else if (rc == SQLITE_DONE) {
		result = 1;
	} else {
		store_error(s, "cannot read document history", err, errlen);
	}
	sqlite3_finalize(st);
	return result;
}

int store_integrity_check(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int result = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "cannot run integrity_check", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (r && strcmp(r, "ok") == 0)
			result = 0;
		else
			snprintf(err, errlen, "integrity_check on %s: %s", s->path, r ? r : "no answer");
	} else {
		store_error(s, "integrity_check failed", err, errlen);
	}
	sqlite3_finalize(st);
	return result;
}
