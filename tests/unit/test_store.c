/* Unit tests for store/: schema, document replacement, FTS in step,
 * cascades, tombstones, and the messages for unusable files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/embedding.h"
#include "store/store.h"
#include "store/store_int.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
	int64_t coll;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	strcpy(f->dir, "/tmp/rdstoreXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/sub/dir/t.db", f->dir);
	if (store_open(f->path, &f->s, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (store_collection_id(f->s, "docs", true, &f->coll, err, sizeof err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	store_close(&f->s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static const char body_v1[] = "# Refunds\n\nRefunds take thirty days.\n\n## Annual\n\nAnnual plans are prorated.\n";
static const char body_v2[] = "# Refunds\n\nRefunds take fourteen days.\n";

/* store_doc_find's code for path in coll, and the first id it names. */
static enum rd_err find(struct fixture *f, int64_t coll, const char *path, int64_t *id)
{
	char err[256];
	int64_t *ids;
	size_t n;
	enum rd_err rc = store_doc_find(f->s, coll, path, &ids, &n, err, sizeof err);
	*id = n ? ids[0] : 0;
	free(ids);
	return rc;
}

/* The id of the document stored at path, read directly. */
static int64_t doc_id(struct fixture *f, const char *path)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), "SELECT id FROM documents WHERE path = ?1", -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static const float vec_a[4] = { 1, 0, 0, 0 };
static const float vec_b[4] = { 0, 1, 0, 0 };

static int put(struct fixture *f, const char *path, const char *body, const char *hash, bool *replaced)
{
	char err[256];
	size_t len = strlen(body);
	struct store_chunk_in chunks[2] = {
		{ .byte_start = 0, .byte_end = 37, .line_start = 1, .line_end = 3, .heading_path = "Refunds", .tokens = 8, .vector = vec_a },
		{ .byte_start = 38, .byte_end = (int64_t)len, .line_start = 5, .line_end = 7, .heading_path = "Refunds > Annual", .tokens = 6, .vector = vec_b },
	};
	size_t n = len > 60 ? 2 : 1;
	if (n == 1)
		chunks[0].byte_end = (int64_t)len;
	struct store_doc_in doc = {
		.path = path, .format = "markdown", .title = "Refunds", .content_hash = hash,
		.bytes = (int64_t)len, .mtime_ns = 42, .body = body, .body_len = len,
		.embed_model = "hash-4", .dim = 4,
	};
	int rc = store_doc_put(f->s, f->coll, &doc, chunks, n, 1000, replaced, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	return rc;
}

static int64_t count(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void database_is_private_wal_and_versioned(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char dir[128];
	snprintf(dir, sizeof dir, "%s/sub", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(count(f, "PRAGMA user_version"), 11);
	assert_int_equal(count(f, "PRAGMA foreign_keys"), 1);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
}

static void put_then_replace_keeps_first_seen_and_counts_changes(void **state)
{
	struct fixture *f = *state;
	bool replaced = true;
	char err[256];
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	assert_false(replaced);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'thirty'"), 1);

	assert_int_equal(put(f, "/kb/refunds.md", body_v2, "bbbb", &replaced), 0);
	assert_true(replaced);
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), 1);
	assert_int_equal(count(f, "SELECT change_count FROM documents"), 1);
	assert_int_equal(count(f, "SELECT first_seen FROM documents"), 1000);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'thirty'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'fourteen'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM chunk_tombstones"), 2);

	struct store_doc_state ds;
	assert_int_equal(store_doc_state(f->s, f->coll, "/kb/refunds.md", &ds, err, sizeof err), RD_OK);
	assert_string_equal(ds.content_hash, "bbbb");
	assert_string_equal(ds.embed_model, "hash-4");
	assert_int_equal(ds.mtime_ns, 42);
	assert_int_equal(store_doc_state(f->s, f->coll, "/kb/other.md", &ds, err, sizeof err), RD_ERR_NOT_FOUND);
}

static void chunk_text_is_the_body_slice(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	int64_t id;
	assert_int_equal(find(f, 0, "refunds.md", &id), RD_OK);
	struct store_chunk_row *rows;
	size_t n;
	assert_int_equal(store_chunks_of_doc(f->s, id, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].text, "# Refunds\n\nRefunds take thirty days.\n");
	assert_string_equal(rows[1].heading_path, "Refunds > Annual");
	assert_int_equal(rows[1].line_start, 5);
	store_chunk_rows_free(rows, n);
}

static void delete_cascades_to_chunks_vectors_and_fts(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	struct store_doc_state ds;
	assert_int_equal(store_doc_state(f->s, f->coll, "/kb/refunds.md", &ds, err, sizeof err), RD_OK);
	assert_int_equal(store_doc_delete(f->s, ds.id, err, sizeof err), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'refunds'"), 0);
	assert_int_equal(store_integrity_check(f->s, err, sizeof err), 0);
}

static void chunk_outside_body_rolls_back_everything(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	struct store_chunk_in bad = { .byte_start = 0, .byte_end = 9999, .heading_path = "", .vector = vec_a };
	struct store_doc_in doc = {
		.path = "/kb/refunds.md", .format = "markdown", .content_hash = "cccc",
		.body = "short", .body_len = 5, .embed_model = "hash-4", .dim = 4,
	};
	assert_int_equal(store_doc_put(f->s, f->coll, &doc, &bad, 1, 2000, &replaced, err, sizeof err), -1);
	assert_non_null(strstr(err, "/kb/refunds.md"));
	assert_int_equal(count(f, "SELECT count(*) FROM chunks"), 2);
	assert_int_equal(count(f, "SELECT change_count FROM documents"), 0);
}

static void suffix_lookup_reports_absent_and_ambiguous(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	int64_t id, *ids;
	size_t n;
	assert_int_equal(put(f, "/kb/a/refunds.md", body_v2, "1", &replaced), 0);
	assert_int_equal(put(f, "/kb/b/refunds.md", body_v2, "2", &replaced), 0);
	assert_int_equal(put(f, "/kb/b/x_%.md", body_v2, "3", &replaced), 0);
	assert_int_equal(store_doc_find(f->s, 0, "refunds.md", &ids, &n, err, sizeof err), RD_ERR_AMBIGUOUS);
	assert_int_equal(n, 2);
	free(ids);
	assert_int_equal(find(f, 0, "a/refunds.md", &id), RD_OK);
	assert_int_equal(find(f, 0, "efunds.md", &id), RD_ERR_NOT_FOUND);
	assert_int_equal(find(f, 0, "x_%.md", &id), RD_OK);
	assert_int_equal(find(f, 0, "xy%.md", &id), RD_ERR_NOT_FOUND);
	assert_int_equal(find(f, 0, "Refunds.md", &id), RD_ERR_NOT_FOUND);
}

/* A stored path wins over the longer ones it is a suffix of, and a
 * collection's lookup sees only its documents. */
static void exact_path_wins_and_a_collection_sees_its_own(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	int64_t id, other, docs = f->coll;
	assert_int_equal(put(f, "/kb/refunds.md", body_v2, "1", &replaced), 0);
	assert_int_equal(put(f, "/x/kb/refunds.md", body_v2, "2", &replaced), 0);
	assert_int_equal(store_collection_id(f->s, "other", true, &other, err, sizeof err), RD_OK);
	f->coll = other;
	assert_int_equal(put(f, "/y/kb/refunds.md", body_v2, "3", &replaced), 0);
	f->coll = docs;
	assert_int_equal(find(f, 0, "/kb/refunds.md", &id), RD_OK);
	assert_int_equal(id, doc_id(f, "/kb/refunds.md"));
	assert_int_equal(find(f, 0, "kb/refunds.md", &id), RD_ERR_AMBIGUOUS);
	assert_int_equal(find(f, other, "kb/refunds.md", &id), RD_OK);
	assert_int_equal(id, doc_id(f, "/y/kb/refunds.md"));
	assert_int_equal(find(f, docs, "y/kb/refunds.md", &id), RD_ERR_NOT_FOUND);
}

/* One document read by id holds what the list gives for it. */
static void one_document_reads_as_the_list_gives_it(void **state)
{
	struct fixture *f = *state;
	char err[256];
	bool replaced;
	assert_int_equal(put(f, "/kb/a.md", body_v1, "1", &replaced), 0);
	assert_int_equal(put(f, "/kb/b.md", body_v2, "2", &replaced), 0);
	struct store_doc_row *rows, *one;
	size_t n;
	assert_int_equal(store_docs_list(f->s, f->coll, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_doc_get(f->s, rows[1].id, &one, err, sizeof err), RD_OK);
	assert_int_equal(one->id, rows[1].id);
	assert_string_equal(one->path, "/kb/b.md");
	assert_string_equal(one->collection, "docs");
	assert_string_equal(one->status, rows[1].status);
	assert_int_equal(one->n_chunks, rows[1].n_chunks);
	store_doc_rows_free(one, 1);
	assert_int_equal(store_doc_get(f->s, rows[1].id + 100, &one, err, sizeof err), RD_ERR_NOT_FOUND);
	assert_null(one);
	store_doc_rows_free(rows, n);
}

/* A path to a file on disk is taken as the file's canonical path, which
 * is what ingest stores: "./refunds.md" and "../kb/refunds.md" find it. */
static void a_relative_path_to_a_file_finds_its_stored_path(void **state)
{
	struct fixture *f = *state;
	char kb[128], file[160], real[4096], cwd[4096];
	bool replaced;
	int64_t id;
	snprintf(kb, sizeof kb, "%s/kb", f->dir);
	snprintf(file, sizeof file, "%s/refunds.md", kb);
	assert_int_equal(mkdir(kb, 0700), 0);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(body_v2, fp);
	fclose(fp);
	assert_non_null(realpath(file, real));
	assert_int_equal(put(f, real, body_v2, "1", &replaced), 0);
	assert_int_equal(put(f, "/elsewhere/kb/refunds.md", body_v2, "2", &replaced), 0);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(kb), 0);
	enum rd_err here = find(f, 0, "./refunds.md", &id), up = find(f, 0, "../kb/refunds.md", &id);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(here, RD_OK);
	assert_int_equal(up, RD_OK);
	assert_int_equal(id, doc_id(f, real));
	assert_int_equal(find(f, 0, "kb/refunds.md", &id), RD_ERR_AMBIGUOUS);
}

static void garbage_file_gives_actionable_error(void **state)
{
	(void)state;
	char path[] = "/tmp/rdgarbageXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char junk[8192];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 131 + 7);
	assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);
	struct store *s = NULL;
	char err[512];
	assert_int_equal(store_open(path, &s, err, sizeof err), RD_ERR_CORRUPT);
	assert_null(s);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "--db"));
	unlink(path);
}

static void a_directory_as_database_path_says_so(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char err[512];
	assert_int_equal(store_open(f->dir, &s, err, sizeof err), RD_ERR_INVALID);
	assert_null(s);
	assert_non_null(strstr(err, f->dir));
	assert_non_null(strstr(err, "is a directory"));
	assert_non_null(strstr(err, "--db"));
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_mode & 0777 : 0;
}

/* A -shm left at 0400 (by a connection that opened a 0400 database) kept
 * every later writer out after the database was made writable again. */
static void stale_read_only_shm_is_given_the_database_mode(void **state)
{
	struct fixture *f = *state;
	char shm[128], err[512];
	bool replaced;
	store_close(&f->s);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	/* Not empty: SQLite itself gives an empty one the database's mode. */
	static const char page[32768];
	FILE *fp = fopen(shm, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(page, 1, sizeof page, fp), sizeof page);
	fclose(fp);
	assert_int_equal(chmod(shm, 0400), 0);
	assert_int_equal(store_open(f->path, &f->s, err, sizeof err), 0);
	assert_int_equal(mode_of(shm), 0600);
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
}

static void a_read_only_database_leaves_no_narrower_wal_or_shm(void **state)
{
	struct fixture *f = *state;
	char wal[128], shm[128], err[512];
	store_close(&f->s);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	assert_int_equal(chmod(f->path, 0400), 0);
	if (store_open(f->path, &f->s, err, sizeof err) == 0)
		assert_int_equal(sqlite3_exec(store_db(f->s), "SELECT count(*) FROM documents", NULL, NULL, NULL),
		                 SQLITE_OK);
	assert_true(access(shm, F_OK) == 0);
	assert_int_equal(mode_of(shm), 0600);
	assert_int_equal(mode_of(wal), 0600);
	store_close(&f->s);
	assert_int_equal(chmod(f->path, 0600), 0);
}

/* SQLite may roll a transaction back on its own after SQLITE_FULL or an
 * I/O error; a commit after that must not report success. */
static void a_batch_rolled_back_behind_the_store_does_not_commit(void **state)
{
	struct fixture *f = *state;
	char err[512];
	bool replaced;
	assert_int_equal(store_batch_begin(f->s, err, sizeof err), 0);
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	assert_int_equal(sqlite3_exec(store_db(f->s), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(put(f, "/kb/other.md", body_v2, "bbbb", &replaced), -1);
	assert_int_equal(store_batch_commit(f->s, err, sizeof err), -1);
	assert_non_null(strstr(err, "rolled the batch back"));
	assert_int_equal(count(f, "SELECT count(*) FROM documents"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM chunks_fts"), 0);
	assert_int_equal(store_batch_commit(f->s, err, sizeof err), 0);
}

/* The first batch on a database gives the full-text index its pending
 * size for batches, kept in the index's config for later connections;
 * the rows written in the batch are indexed. */
static void a_batch_sets_the_full_text_pending_size_once(void **state)
{
	struct fixture *f = *state;
	char err[512];
	bool replaced;
	const char *hashsize = "SELECT v FROM chunks_fts_config WHERE k = 'hashsize'";
	assert_int_equal(count(f, hashsize), -1);
	assert_int_equal(store_batch_begin(f->s, err, sizeof err), 0);
	assert_int_equal(put(f, "/kb/refunds.md", body_v1, "aaaa", &replaced), 0);
	assert_int_equal(store_batch_commit(f->s, err, sizeof err), 0);
	assert_int_equal(count(f, hashsize), 16 * 1024 * 1024);
	assert_true(count(f, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'refund'") > 0);
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, err, sizeof err), RD_OK);
	assert_int_equal(store_batch_begin(f->s, err, sizeof err), 0);
	assert_int_equal(store_batch_commit(f->s, err, sizeof err), 0);
	assert_int_equal(count(f, hashsize), 16 * 1024 * 1024);
}

/* A write refused because another connection holds the lock says so in
 * its code, not only in its words. */
static void a_write_lock_held_elsewhere_is_told_apart_by_its_code(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	int64_t id;
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(f->s), 20);
	assert_int_equal(store_collection_id(f->s, "new", true, &id, err, sizeof err), RD_ERR_LOCKED);
	assert_non_null(strstr(err, "another process is writing"));
	assert_int_equal(store_collection_id(f->s, "docs", false, &id, err, sizeof err), RD_OK);
	assert_int_equal(store_collection_id(f->s, "missing", false, &id, err, sizeof err), RD_ERR_NOT_FOUND);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_collection_id(f->s, "new", true, &id, err, sizeof err), RD_OK);
}

static void newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	char err[512];
	assert_int_equal(sqlite3_exec(store_db(f->s), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, err, sizeof err), RD_ERR_VERSION);
	assert_non_null(strstr(err, "newer"));
}

static void first_model_is_claimed_and_others_refused(void **state)
{
	struct fixture *f = *state;
	struct store_embedding e;
	char err[256];
	assert_int_equal(store_embedding_get(f->s, f->coll, &e, err, sizeof err), 0);
	assert_string_equal(e.model, "");
	assert_int_equal(store_embedding_claim(f->s, f->coll, "hash-4", 4, &e, err, sizeof err), 0);
	assert_int_equal(store_embedding_claim(f->s, f->coll, "hash-4", 4, &e, err, sizeof err), 0);
	assert_int_equal(store_embedding_claim(f->s, f->coll, "nomic", 768, &e, err, sizeof err), 1);
	assert_string_equal(e.model, "hash-4");
	assert_int_equal(e.dim, 4);
	assert_int_equal(store_embedding_claim(f->s, f->coll, "hash-4", 8, &e, err, sizeof err), 1);
}

static void reembed_keeps_old_vectors_until_every_chunk_has_a_new_one(void **state)
{
	struct fixture *f = *state;
	struct store_embedding e;
	char err[256];
	assert_int_equal(put(f, "/d/a.md", body_v1, "h1", NULL), 0);
	assert_int_equal(store_embedding_claim(f->s, f->coll, "hash-4", 4, &e, err, sizeof err), 0);
	assert_int_equal(store_reembed_begin(f->s, f->coll, "m3", 3, err, sizeof err), 0);
	assert_int_equal(store_embedding_get(f->s, f->coll, &e, err, sizeof err), 0);
	assert_string_equal(e.model, "hash-4");
	assert_string_equal(e.reembed_model, "m3");
	assert_int_equal(e.reembed_dim, 3);

	struct store_todo_chunk *todo;
	size_t n;
	assert_int_equal(store_reembed_todo(f->s, f->coll, "m3", 0, 10, &todo, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(todo[1].heading_path, "Refunds > Annual");
	assert_string_equal(todo[1].text, "## Annual\n\nAnnual plans are prorated.\n");
	const float v[3] = { 0, 0, 1 };
	assert_int_equal(store_embeddings_put(f->s, "m3", 3, &todo[0].id, v, 1, err, sizeof err), 0);
	int64_t done, total;
	assert_int_equal(store_reembed_count(f->s, f->coll, "m3", &done, &total, err, sizeof err), 0);
	assert_int_equal(done, 1);
	assert_int_equal(total, 2);
	/* Not complete: nothing changes, both sets stay. */
	assert_int_equal(store_reembed_finish(f->s, f->coll, err, sizeof err), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'hash-4'"), 2);
	int64_t after = todo[0].id;
	store_todo_chunks_free(todo, n);
	assert_int_equal(store_reembed_todo(f->s, f->coll, "m3", after, 10, &todo, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_embeddings_put(f->s, "m3", 3, &todo[0].id, v, 1, err, sizeof err), 0);
	store_todo_chunks_free(todo, n);

	assert_int_equal(store_reembed_finish(f->s, f->coll, err, sizeof err), 0);
	assert_int_equal(store_embedding_get(f->s, f->coll, &e, err, sizeof err), 0);
	assert_string_equal(e.model, "m3");
	assert_int_equal(e.dim, 3);
	assert_string_equal(e.reembed_model, "");
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'hash-4'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'm3'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM documents WHERE embed_model = 'm3'"), 1);
	assert_int_equal(store_reembed_finish(f->s, f->coll, err, sizeof err), 1);
}

static void another_reembed_target_drops_the_abandoned_vectors(void **state)
{
	struct fixture *f = *state;
	struct store_embedding e;
	char err[256];
	assert_int_equal(put(f, "/d/a.md", body_v1, "h1", NULL), 0);
	assert_int_equal(store_embedding_claim(f->s, f->coll, "hash-4", 4, &e, err, sizeof err), 0);
	assert_int_equal(store_reembed_begin(f->s, f->coll, "m3", 3, err, sizeof err), 0);
	int64_t id = count(f, "SELECT min(id) FROM chunks");
	const float v[3] = { 1, 0, 0 };
	assert_int_equal(store_embeddings_put(f->s, "m3", 3, &id, v, 1, err, sizeof err), 0);
	/* The same target again goes on where it was. */
	assert_int_equal(store_reembed_begin(f->s, f->coll, "m3", 3, err, sizeof err), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'm3'"), 1);
	assert_int_equal(store_reembed_begin(f->s, f->coll, "m5", 5, err, sizeof err), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'm3'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'hash-4'"), 2);
	/* A chunk deleted meanwhile is passed over. */
	int64_t gone = 999999;
	const float w[5] = { 1, 0, 0, 0, 0 };
	assert_int_equal(store_embeddings_put(f->s, "m5", 5, &gone, w, 1, err, sizeof err), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'm5'"), 0);
}

/* A version 5 database (one vector per chunk, no model on the collection)
 * upgrades with its vectors and gets the model most of them have. */
static void version_5_database_upgrades_with_its_model(void **state)
{
	struct fixture *f = *state;
	char err[256];
	assert_int_equal(put(f, "/d/a.md", body_v1, "h1", NULL), 0);
	assert_int_equal(sqlite3_exec(store_db(f->s),
		"ALTER TABLE collections DROP COLUMN embed_model;"
		"ALTER TABLE collections DROP COLUMN embed_dim;"
		"ALTER TABLE collections DROP COLUMN reembed_model;"
		"ALTER TABLE collections DROP COLUMN reembed_dim;"
		"CREATE TABLE e5 (chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,"
		" model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL);"
		"INSERT INTO e5 SELECT chunk_id, model, dim, vector FROM embeddings;"
		"DROP TABLE embeddings; ALTER TABLE e5 RENAME TO embeddings;"
		"ALTER TABLE messages DROP COLUMN replaced;"
		"ALTER TABLE collections DROP COLUMN vec_generation; DROP INDEX documents_by_status;"
		"ALTER TABLE chunks DROP COLUMN page_start; ALTER TABLE chunks DROP COLUMN page_end;"
		"ALTER TABLE queries DROP COLUMN unsupported_sentences; DROP TABLE judge_verdicts;"
		"PRAGMA user_version = 5;", NULL, NULL, NULL), SQLITE_OK);
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, err, sizeof err), 0);
	assert_int_equal(count(f, "PRAGMA user_version"), 11);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings WHERE model = 'hash-4' AND dim = 4"), 2);
	struct store_embedding e;
	assert_int_equal(store_embedding_get(f->s, f->coll, &e, err, sizeof err), 0);
	assert_string_equal(e.model, "hash-4");
	assert_int_equal(e.dim, 4);
	assert_int_equal(store_integrity_check(f->s, err, sizeof err), 0);
	/* Deleting the document still cascades to the rebuilt table. */
	assert_int_equal(sqlite3_exec(store_db(f->s), "DELETE FROM documents", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM embeddings"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(database_is_private_wal_and_versioned, setup, teardown),
		cmocka_unit_test_setup_teardown(put_then_replace_keeps_first_seen_and_counts_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_text_is_the_body_slice, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_cascades_to_chunks_vectors_and_fts, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_outside_body_rolls_back_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(suffix_lookup_reports_absent_and_ambiguous, setup, teardown),
		cmocka_unit_test_setup_teardown(exact_path_wins_and_a_collection_sees_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(a_relative_path_to_a_file_finds_its_stored_path, setup, teardown),
		cmocka_unit_test_setup_teardown(one_document_reads_as_the_list_gives_it, setup, teardown),
		cmocka_unit_test(garbage_file_gives_actionable_error),
		cmocka_unit_test_setup_teardown(a_directory_as_database_path_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_read_only_shm_is_given_the_database_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(a_read_only_database_leaves_no_narrower_wal_or_shm, setup, teardown),
		cmocka_unit_test_setup_teardown(a_batch_rolled_back_behind_the_store_does_not_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(a_batch_sets_the_full_text_pending_size_once, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_write_lock_held_elsewhere_is_told_apart_by_its_code, setup, teardown),
		cmocka_unit_test_setup_teardown(first_model_is_claimed_and_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(reembed_keeps_old_vectors_until_every_chunk_has_a_new_one, setup, teardown),
		cmocka_unit_test_setup_teardown(another_reembed_target_drops_the_abandoned_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(version_5_database_upgrades_with_its_model, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
