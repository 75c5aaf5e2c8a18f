/* core/search/coverage: the weighted share of a question a passage holds, with
 * the index's own stemming and near spellings for words it does not know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/search/coverage.h"
#include "core/util/fts_query.h"
#include "store/fts.h"
#include "store/store_int.h"

struct fixture {
	sqlite3 *db;
	struct fts_tokenizer *tok;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f || sqlite3_open(":memory:", &f->db) != SQLITE_OK)
		return -1;
	f->tok = fts_tokenizer_open_db(f->db);
	*state = f;
	return f->tok ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fts_tokenizer_free(&f->tok);
	sqlite3_close(f->db);
	free(f);
	return 0;
}

/* Coverage of text/heading for question, with df[i] given per term in an
 * index of rows passages. */
static double score(struct fixture *f, const char *question, const int64_t *df, size_t ndf, size_t rows,
                    const char *text, const char *heading)
{
	struct fts_terms terms;
	fts_query_terms(question, strlen(question), &terms);
	assert_int_equal(terms.n, ndf);
	struct coverage *c = coverage_new(f->tok, &terms, df, rows);
	double s = coverage_score(c, text, heading);
	coverage_free(&c);
	assert_null(c);
	fts_terms_free(&terms);
	return s;
}

static void stems_match_across_word_forms(void **state)
{
	const int64_t df[] = { 5, 5 };
	double s = score(*state, "resetting passwords", df, 2, 100, "To reset a password, open Settings.", "");
	assert_float_equal(s, 1.0, 1e-9);
}

static void rare_terms_weigh_more(void **state)
{
	/* "vpn" is in 1 passage of 1000, "settings" in 500: holding only the
	 * rare one is most of the question. */
	const int64_t df[] = { 1, 500 };
	double rare = score(*state, "vpn settings", df, 2, 1000, "The VPN client reconnects.", "");
	double common = score(*state, "vpn settings", df, 2, 1000, "Open the settings page.", "");
	assert_true(rare > 0.8);
	assert_true(common < 0.2);
	assert_float_equal(rare + common, 1.0, 1e-9);
}

static void heading_counts_as_held(void **state)
{
	const int64_t df[] = { 3, 3 };
	double s = score(*state, "refund window", df, 2, 50, "Thirty days from purchase.", "Billing > Refund window");
	assert_float_equal(s, 1.0, 1e-9);
}

static void phrase_needs_every_word(void **state)
{
	/* A quoted phrase is its words plus the phrase itself ("on" is kept
	 * only inside the phrase): a passage missing "on" holds two of three. */
	const int64_t df[] = { 2, 2, 2 };
	double all = score(*state, "\"single sign on\"", df, 3, 50, "Single sign on uses SAML.", "");
	double part = score(*state, "\"single sign on\"", df, 3, 50, "Sign in to a single account.", "");
	assert_float_equal(all, 1.0, 1e-9);
	assert_float_equal(part, 2.0 / 3.0, 1e-9);
}

static void unknown_words_match_near_spellings(void **state)
{
	/* "pasword" is in no passage (df 0): one edit from "password" counts;
	 * a known word must match exactly. */
	const int64_t unknown[] = { 0 };
	const int64_t known[] = { 4 };
	assert_float_equal(score(*state, "pasword", unknown, 1, 50, "Change your password.", ""), 1.0, 1e-9);
	assert_float_equal(score(*state, "pasword", known, 1, 50, "Change your password.", ""), 0.0, 1e-9);
	/* Three letters or fewer never match loosely. */
	assert_float_equal(score(*state, "vpm", unknown, 1, 50, "The vpn client.", ""), 0.0, 1e-9);
}

static void empty_question_covers_nothing(void **state)
{
	struct fixture *f = *state;
	struct fts_terms terms;
	fts_query_terms("", 0, &terms);
	struct coverage *c = coverage_new(f->tok, &terms, NULL, 10);
	assert_float_equal(coverage_score(c, "anything at all", ""), 0.0, 1e-9);
	coverage_free(&c);
	coverage_free(&c);
	fts_terms_free(&terms);
}

static void edit_distance_counts_transpositions_once(void **state)
{
	(void)state;
	assert_int_equal(coverage_edit_distance("recieve", "receive", 2), 1);
	assert_int_equal(coverage_edit_distance("kitten", "sitting", 3), 3);
	assert_int_equal(coverage_edit_distance("kitten", "sitting", 2), 3);
	assert_int_equal(coverage_edit_distance("same", "same", 0), 0);
	assert_int_equal(coverage_edit_distance("a", "abcd", 1), 2);
	char longer[40];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	assert_int_equal(coverage_edit_distance(longer, longer, 2), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stems_match_across_word_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(rare_terms_weigh_more, setup, teardown),
		cmocka_unit_test_setup_teardown(heading_counts_as_held, setup, teardown),
		cmocka_unit_test_setup_teardown(phrase_needs_every_word, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_words_match_near_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_question_covers_nothing, setup, teardown),
		cmocka_unit_test(edit_distance_counts_transpositions_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
