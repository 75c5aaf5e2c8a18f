/* fuzz_fts_query: fts_query_build on arbitrary bytes. A query, when there is
 * one, must run as a MATCH against an FTS5 table set up like the store's
 * without an SQLite error; NULL must mean the text has no term. */
#include "tests/fuzz/fuzz.h"
#include "core/util/fts_query.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

static sqlite3_stmt *match_stmt(void)
{
	static sqlite3 *db;
	static sqlite3_stmt *st;
	if (st)
		return st;
	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(text, heading_path,"
		" tokenize='unicode61 remove_diacritics 2');"
		"INSERT INTO t VALUES ('Proxy settings for the desktop agent', 'Install > Linux');"
		"INSERT INTO t VALUES ('Refunds are issued within 14 days', 'Billing');"
		"INSERT INTO t VALUES ('Ünïcödé wörds and 日本語 text', 'Misc');",
		NULL, NULL, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1 ORDER BY rank",
				      -1, &st, NULL) == SQLITE_OK);
	return st;
}

/* q must run as a MATCH without an SQLite error. */
static void check_match(const char *q)
{
	sqlite3_stmt *st = match_stmt();
	FUZZ_CHECK(sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC) == SQLITE_OK);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		fprintf(stderr, "MATCH %s: %s\n", q, sqlite3_errmsg(sqlite3_db_handle(st)));
	FUZZ_CHECK(rc == SQLITE_DONE);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char *q = fts_query_build(text, size);
	struct fts_terms terms;
	fts_query_terms(text, size, &terms);
	FUZZ_CHECK(terms.n <= FTS_QUERY_MAX_TERMS);
	FUZZ_CHECK((q == NULL) == (terms.n == 0));
	if (q)
		check_match(q);
	/* A subset of the terms, as retrieval keeps after dropping common ones. */
	bool keep[FTS_QUERY_MAX_TERMS];
	size_t kept = 0;
	for (size_t i = 0; i < terms.n; i++) {
		FUZZ_CHECK(terms.items[i].text != NULL && terms.items[i].text[0] != '\0');
		keep[i] = data[i % size] & 1;
		kept += keep[i];
	}
	char *subset = fts_query_join(&terms, keep);
	FUZZ_CHECK((subset == NULL) == (kept == 0));
	if (subset)
		check_match(subset);
	free(subset);
	fts_terms_free(&terms);
	free(q);
	return 0;
}
