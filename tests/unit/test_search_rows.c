/* Unit tests for store/search_rows and store_doc_body: what retrieval and
 * the viewer read from the store, the right rows for one collection, and
 * a one-line error naming the database when the schema is damaged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/search_rows.h"
#include "store/store.h"
#include "store/store_int.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
	int64_t coll, other;
	int64_t old_doc, new_doc, foreign_doc;
	struct store_search *q;
};

static const float vec[4] = { 1, 0, 0, 0 };

static const char old_body[] = "# Refunds\n\nRefunds take thirty days.\n";
static const char new_body[] = "# Refunds\n\nRefunds take fourteen days.\n\n## Annual\n\nAnnual plans are prorated.\n";
static const char foreign_body[] = "# Refunds\n\nRefunds of another team.\n";

/* Store body at path in coll as one chunk, or two split at split (0: one). */
static int64_t put(struct fixture *f, int64_t coll, const char *path, const char *body, size_t split,
                   const char *status, const char *superseded_by)
{
	char err[256];
	bool replaced;
	size_t len = strlen(body);
	struct store_chunk_in chunks[2] = {
		{ .byte_start = 0, .byte_end = (int64_t)(split ? split : len), .line_start = 1, .line_end = 3,
		  .heading_path = "Refunds", .tokens = 8, .vector = vec },
		{ .byte_start = (int64_t)split, .byte_end = (int64_t)len, .line_start = 5, .line_end = 7,
		  .heading_path = "Refunds > Annual", .tokens = 6, .vector = vec },
	};
	struct store_doc_in doc = {
		.path = path, .format = "markdown", .title = "Refunds", .content_hash = path,
		.bytes = (int64_t)len, .mtime_ns = 1, .body = body, .body_len = len,
		.embed_model = "hash-4", .dim = 4, .status = status, .superseded_by = superseded_by,
	};
	if (store_doc_put(f->s, coll, &doc, chunks, split ? 2 : 1, 1000, &replaced, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	int64_t *ids, id;
	size_t n;
	id = store_doc_find(f->s, 0, path, &ids, &n, err, sizeof err) == RD_OK ? ids[0] : -1;
	free(ids);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	strcpy(f->dir, "/tmp/rdsearchrowsXXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	if (store_open(f->path, &f->s, err, sizeof err) != 0 ||
	    store_collection_id(f->s, "docs", true, &f->coll, err, sizeof err) != 0 ||
	    store_collection_id(f->s, "other", true, &f->other, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->old_doc = put(f, f->coll, "/kb/refunds-2023.md", old_body, 0, "archived", "/kb/refunds.md");
	f->new_doc = put(f, f->coll, "/kb/refunds.md", new_body, 40, NULL, NULL);
	f->foreign_doc = put(f, f->other, "/team/refunds.md", foreign_body, 0, NULL, NULL);
	if (f->old_doc < 0 || f->new_doc < 0 || f->foreign_doc < 0 ||
	    store_search_open(f->s, f->coll, &f->q, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	store_search_free(&f->q);
	store_close(&f->s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The chunk ids of document doc, ascending. */
static size_t chunks_of(struct fixture *f, int64_t doc, int64_t *ids)
{
	char err[256];
	struct store_chunk_row *rows;
	size_t n;
	assert_int_equal(store_chunks_of_doc(f->s, doc, &rows, &n, err, sizeof err), 0);
	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i].id;
	store_chunk_rows_free(rows, n);
	return n;
}

static bool keep_all(void *ud, int64_t id)
{
	(void)ud;
	(void)id;
	return true;
}

static bool keep_not(void *ud, int64_t id)
{
	return id != *(const int64_t *)ud;
}

static const char rank_call[] = "ragdeck_rank(0, 1, 1, 1)";

static void fts_ranks_best_first_and_takes_only_what_the_caller_keeps(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t ids[8], foreign;
	double ranks[8];
	size_t n;
	chunks_of(f, f->foreign_doc, &foreign);
	assert_int_equal(store_search_fts(f->q, "refunds", rank_call, keep_all, NULL, 8, ids, ranks, &n,
	                                  err, sizeof err), 0);
	assert_int_equal(n, 4);  /* every collection (the caller filters), headings too */
	for (size_t i = 0; i < n; i++) {
		assert_true(ranks[i] < 0);
		if (i)
			assert_true(ranks[i - 1] <= ranks[i]);
	}
	assert_int_equal(store_search_fts(f->q, "refunds", rank_call, keep_not, &foreign, 8, ids, ranks, &n,
	                                  err, sizeof err), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_true(ids[i] != foreign);
	assert_int_equal(store_search_fts(f->q, "refunds", rank_call, keep_all, NULL, 1, ids, ranks, &n,
	                                  err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_search_fts(f->q, "prorated", rank_call, keep_all, NULL, 8, ids, ranks, &n,
	                                  err, sizeof err), 0);
	assert_int_equal(n, 1);
	int64_t annual[2];
	assert_int_equal(chunks_of(f, f->new_doc, annual), 2);
	assert_int_equal(ids[0], annual[1]);
	assert_int_equal(store_search_fts(f->q, "nowhere", rank_call, keep_all, NULL, 8, ids, ranks, &n,
	                                  err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_search_fts_holds(f->q, "\"prorated\"", annual[1], err, sizeof err), 1);
	assert_int_equal(store_search_fts_holds(f->q, "\"prorated\"", annual[0], err, sizeof err), 0);
	assert_int_equal(store_search_fts_holds(f->q, "\"nowhere\"", annual[1], err, sizeof err), 0);
}

static void term_docs_counts_chunks_of_every_collection(void **state)
{
	struct fixture *f = *state;
	/* Stemmed as the index holds it; the Annual chunk's heading counts. */
	assert_int_equal(store_search_term_docs(f->q, "refund"), 4);
	assert_int_equal(store_search_term_docs(f->q, "prorat"), 1);
	assert_int_equal(store_search_term_docs(f->q, "refunds"), 0);
	assert_int_equal(store_search_term_docs(f->q, "nowhere"), 0);
}

static void chunk_ids_are_the_collections_under_the_filter_in_order(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t old_ids[1], new_ids[2], *ids;
	size_t n;
	chunks_of(f, f->old_doc, old_ids);
	chunks_of(f, f->new_doc, new_ids);
	assert_int_equal(store_search_chunk_ids(f->q, NULL, NULL, 0, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], old_ids[0]);
	assert_int_equal(ids[1], new_ids[0]);
	assert_int_equal(ids[2], new_ids[1]);
	free(ids);
	assert_int_equal(store_search_chunk_ids(f->q, "*-2023.md", NULL, 0, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], old_ids[0]);
	free(ids);
	int64_t docs[2] = { f->foreign_doc, f->new_doc };
	assert_int_equal(store_search_chunk_ids(f->q, NULL, docs, 2, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], new_ids[0]);
	free(ids);
	assert_int_equal(store_search_chunk_ids(f->q, "/team/*", NULL, 0, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void stale_chunks_name_their_document_and_its_successor(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t old_ids[1];
	struct store_stale_chunk *rows;
	size_t n;
	chunks_of(f, f->old_doc, old_ids);
	assert_int_equal(store_search_stale(f->q, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].chunk, old_ids[0]);
	assert_int_equal(rows[0].doc, f->old_doc);
	assert_int_equal(rows[0].successor, f->new_doc);
	free(rows);
}

static void doc_chunks_lists_one_documents_chunks(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t want[2], *ids;
	size_t n;
	chunks_of(f, f->new_doc, want);
	assert_int_equal(store_search_doc_chunks(f->q, f->new_doc, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_true((ids[0] == want[0] && ids[1] == want[1]) || (ids[0] == want[1] && ids[1] == want[0]));
	free(ids);
	assert_int_equal(store_search_doc_chunks(f->q, 9999, &ids, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void chunk_comes_with_its_documents_path_and_status(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t ids[2];
	struct store_search_chunk c;
	chunks_of(f, f->new_doc, ids);
	assert_int_equal(store_search_chunk(f->q, ids[1], &c, err, sizeof err), 0);
	assert_int_equal(c.chunk.id, ids[1]);
	assert_int_equal(c.doc_id, f->new_doc);
	assert_int_equal(c.chunk.ordinal, 1);
	assert_int_equal(c.chunk.byte_start, 40);
	assert_int_equal(c.chunk.line_start, 5);
	assert_int_equal(c.chunk.tokens, 6);
	assert_string_equal(c.chunk.heading_path, "Refunds > Annual");
	assert_string_equal(c.chunk.text, new_body + 40);
	assert_string_equal(c.path, "/kb/refunds.md");
	assert_string_equal(c.status, "current");
	store_search_chunk_free(&c);
	chunks_of(f, f->old_doc, ids);
	assert_int_equal(store_search_chunk(f->q, ids[0], &c, err, sizeof err), 0);
	assert_string_equal(c.status, "archived");
	store_search_chunk_free(&c);
	assert_int_equal(store_search_chunk(f->q, 9999, &c, err, sizeof err), 1);
	assert_null(c.path);
}

static void doc_body_is_the_stored_text(void **state)
{
	struct fixture *f = *state;
	char err[256], *body;
	size_t len;
	assert_int_equal(store_doc_body(f->s, f->new_doc, &body, &len, err, sizeof err), RD_OK);
	assert_int_equal(len, strlen(new_body));
	assert_string_equal(body, new_body);
	free(body);
	assert_int_equal(store_doc_body(f->s, 9999, &body, &len, err, sizeof err), RD_ERR_NOT_FOUND);
	assert_null(body);
}

/* A damaged schema (tables gone behind the store's back) gives -1 and a
 * message naming the query and the database, never a crash. */
static void damaged_schema_fails_each_read_with_a_message(void **state)
{
	struct fixture *f = *state;
	char err[512], *body;
	int64_t ids[8], *list;
	double ranks[8];
	size_t n, len;
	struct store_stale_chunk *rows;
	struct store_search_chunk c;
	struct store_search *again;
	assert_int_equal(sqlite3_exec(store_db(f->s), "ALTER TABLE documents RENAME TO gone;"
	                              " DROP TABLE chunks_vocab; DROP TABLE chunks_fts", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_search_fts(f->q, "refunds", rank_call, keep_all, NULL, 8, ids, ranks, &n,
	                                  err, sizeof err), -1);
	assert_non_null(strstr(err, "full-text search failed: "));
	assert_non_null(strstr(err, f->path));
	assert_int_equal(store_search_fts_holds(f->q, "refunds", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "full-text search failed: "));
	assert_int_equal(store_search_term_docs(f->q, "refund"), 0);
	assert_int_equal(store_search_chunk_ids(f->q, NULL, NULL, 0, &list, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot apply the search filter: "));
	free(list);
	assert_int_equal(store_search_stale(f->q, &rows, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read document statuses: "));
	assert_null(rows);
	assert_int_equal(n, 0);
	assert_int_equal(store_search_chunk(f->q, 1, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read a chunk: "));
	assert_int_equal(store_doc_body(f->s, f->new_doc, &body, &len, err, sizeof err), RD_ERR_IO);
	assert_non_null(strstr(err, "cannot read the document: "));
	assert_null(body);
	assert_int_equal(store_search_open(f->s, f->coll, &again, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot prepare retrieval queries: "));
	assert_null(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fts_ranks_best_first_and_takes_only_what_the_caller_keeps, setup, teardown),
		cmocka_unit_test_setup_teardown(term_docs_counts_chunks_of_every_collection, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_ids_are_the_collections_under_the_filter_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_chunks_name_their_document_and_its_successor, setup, teardown),
		cmocka_unit_test_setup_teardown(doc_chunks_lists_one_documents_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(chunk_comes_with_its_documents_path_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(doc_body_is_the_stored_text, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_schema_fails_each_read_with_a_message, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
