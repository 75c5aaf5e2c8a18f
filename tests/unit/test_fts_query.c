/* Unit tests for core/util/fts_query: hostile inputs never reach FTS5 as syntax. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/fts_query.h"

static void words_become_quoted_or_terms(void **state)
{
	(void)state;
	char *q = fts_query_build("How do I reset my Password?", 27);
	assert_string_equal(q, "\"reset\" OR \"password\"");
	free(q);
}

static void only_stopwords_are_kept_when_nothing_else(void **state)
{
	(void)state;
	char *q = fts_query_build("what is it", 10);
	assert_string_equal(q, "\"what\" OR \"is\" OR \"it\"");
	free(q);
}

static void duplicates_collapse_and_case_folds(void **state)
{
	(void)state;
	char *q = fts_query_build("Proxy proxy PROXY tls", 21);
	assert_string_equal(q, "\"proxy\" OR \"tls\"");
	free(q);
}

static void no_words_gives_null(void **state)
{
	(void)state;
	assert_null(fts_query_build("", 0));
	assert_null(fts_query_build("\"*-()^:", 7));
	assert_null(fts_query_build("\xF0\x9F\x98\x80\xF0\x9F\x94\xA5", 8));
}

static void non_ascii_words_survive(void **state)
{
	(void)state;
	const char *t = "Zürich 東京 café";
	char *q = fts_query_build(t, strlen(t));
	assert_string_equal(q, "\"zürich\" OR \"東京\" OR \"café\"");
	free(q);
}

static void terms_are_capped(void **state)
{
	(void)state;
	char text[4096] = "";
	for (int i = 0; i < 100; i++) {
		char w[16];
		snprintf(w, sizeof w, "w%d ", i);
		strcat(text, w);
	}
	char *q = fts_query_build(text, strlen(text));
	int terms = 1;
	for (const char *p = q; (p = strstr(p, " OR ")); p += 4)
		terms++;
	assert_int_equal(terms, FTS_QUERY_MAX_TERMS);
	free(q);
}

static const char *const hostile[] = {
	"\"", "\"\"", "\"unbalanced", "a\"b\"c\"", "NEAR(a b, 2)", "NEAR", "a NEAR b",
	"AND", "OR", "NOT", "a AND", "OR b", "NOT NOT NOT", "* prefix*", "*", "-", "-a --b",
	"^start", "col:term", "text:refund", "{text heading}: x", "(((", ")))", "(a OR b",
	"a) OR (b", "+", "a + b", "'; DROP TABLE chunks; --", "\\", "%", "_", "a\x01b",
	"\xff\xfe\xfd", "\xc3", "\xe2\x80", "emoji \xF0\x9F\x94\xA5 fire", "\xe2\x80\xae" "bidi",
	"tab\tnew\nline", "x AND NOT y OR NEAR(z)", "\"NEAR\"(a)", "a:b:c", "refund*", "0", "00:00",
};

static void hostile_inputs_never_raise_sqlite_errors(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(text, heading_path, tokenize='unicode61 remove_diacritics 2');"
		"INSERT INTO t VALUES ('refund policy near the start', 'Billing');"
		"INSERT INTO t VALUES ('NOT and OR are words too', 'Grammar');",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1", -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char *q = fts_query_build(hostile[i], strlen(hostile[i]));
		if (!q)
			continue;
		sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE)
			fail_msg("input %zu (%s) -> %s: %s", i, hostile[i], q, sqlite3_errmsg(db));
		sqlite3_reset(st);
		free(q);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void operator_words_match_as_words(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(text);"
		"INSERT INTO t VALUES ('alpha beta');"
		"INSERT INTO t VALUES ('near gamma');", NULL, NULL, NULL), SQLITE_OK);
	char *q = fts_query_build("NEAR", 4);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(q);
	sqlite3_close(db);
}

static void join_keeps_only_the_selected_terms(void **state)
{
	(void)state;
	struct fts_terms t;
	fts_query_terms("refund window annual", 20, &t);
	assert_int_equal(t.n, 3);
	bool keep[3] = { true, false, true };
	char *q = fts_query_join(&t, keep);
	assert_string_equal(q, "\"refund\" OR \"annual\"");
	free(q);
	bool none[3] = { false, false, false };
	assert_null(fts_query_join(&t, none));
	fts_terms_free(&t);
	assert_int_equal(t.n, 0);
}

static void scaffolding_and_single_letters_are_dropped(void **state)
{
	(void)state;
	const char *t = "Hi, can anyone please tell me how I'd reset a password? Thanks";
	char *q = fts_query_build(t, strlen(t));
	assert_string_equal(q, "\"reset\" OR \"password\"");
	free(q);
}

static void identifiers_are_read_as_parts_and_numbers_kept(void **state)
{
	(void)state;
	const char *t = "DW-1043 on agent 4.6 port 7443 with 2fa, 2 seats";
	struct fts_terms terms;
	fts_query_terms(t, strlen(t), &terms);
	const char *want[] = { "dw", "1043", "agent", "4", "6", "port", "7443", "2fa", "2", "seats" };
	assert_int_equal(terms.n, 10);
	for (size_t i = 0; i < terms.n; i++)
		assert_string_equal(terms.items[i].text, want[i]);
	assert_int_equal(terms.items[0].kind, FTS_TERM_WORD);
	assert_int_equal(terms.items[1].kind, FTS_TERM_IDENT);
	assert_int_equal(terms.items[3].kind, FTS_TERM_WORD);
	assert_int_equal(terms.items[6].kind, FTS_TERM_IDENT);
	assert_int_equal(terms.items[7].kind, FTS_TERM_IDENT);
	fts_terms_free(&terms);
}

static void quoted_text_is_also_a_phrase(void **state)
{
	(void)state;
	const char *t = "dwsync says \xe2\x80\x9c" "agent not running\xe2\x80\x9d after the upgrade";
	struct fts_terms terms;
	fts_query_terms(t, strlen(t), &terms);
	char *q = fts_query_join(&terms, NULL);
	assert_string_equal(q, "\"dwsync\" OR \"says\" OR \"agent not running\" OR \"agent\" OR \"running\" OR "
	                       "\"upgrade\"");
	assert_int_equal(terms.items[2].kind, FTS_TERM_PHRASE);
	assert_true(terms.items[2].weight == FTS_WEIGHT_QUOTED);
	free(q);
	fts_terms_free(&terms);
}

static void rank_call_lists_the_kept_weights_in_match_order(void **state)
{
	(void)state;
	const char *t = "refund \"annual plan\" window";
	struct fts_terms terms;
	fts_query_terms(t, strlen(t), &terms);
	bool keep[5] = { true, true, false, true, false };
	assert_int_equal(terms.n, 5);
	char *r = fts_query_rank(&terms, keep, 0.5, 1, 2);
	assert_string_equal(r, "ragdeck_rank(0.5, 1, 2, 1, 1.5, 1)");
	free(r);
	bool none[5] = { false };
	assert_null(fts_query_rank(&terms, none, 0.5, 1, 1));
	fts_terms_free(&terms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_become_quoted_or_terms),
		cmocka_unit_test(only_stopwords_are_kept_when_nothing_else),
		cmocka_unit_test(duplicates_collapse_and_case_folds),
		cmocka_unit_test(no_words_gives_null),
		cmocka_unit_test(non_ascii_words_survive),
		cmocka_unit_test(terms_are_capped),
		cmocka_unit_test(hostile_inputs_never_raise_sqlite_errors),
		cmocka_unit_test(operator_words_match_as_words),
		cmocka_unit_test(join_keeps_only_the_selected_terms),
		cmocka_unit_test(scaffolding_and_single_letters_are_dropped),
		cmocka_unit_test(identifiers_are_read_as_parts_and_numbers_kept),
		cmocka_unit_test(quoted_text_is_also_a_phrase),
		cmocka_unit_test(rank_call_lists_the_kept_weights_in_match_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
