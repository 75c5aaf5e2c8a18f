/* The texts the PostgreSQL store sends (store/pg_int.h): a chunk's
 * tsvector from the full-text tokenizer, vectors and id arrays. */
#include "store/fts.h"
#include "store/pg_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Text tokens at 1..T, the heading's after a gap of FTS_RANK_WINDOW with
 * weight A, lexemes stemmed as the index stems them, sorted, each once. */
static void tsvector_places_text_then_heading(void **state)
{
	(void)state;
	struct fts_tokenizer *tok = fts_tokenizer_open_memory();
	assert_non_null(tok);
	int text_terms = 0, heading_terms = 0;
	char *tsv = pg_tsvector_text(tok, "Refunds are refunded", "Refund policy", &text_terms, &heading_terms);
	assert_int_equal(text_terms, 3);
	assert_int_equal(heading_terms, 2);
	/* heading starts at 3 + 3 + 1 = 7 */
	assert_string_equal(tsv, "'ar':2 'polici':8A 'refund':1,3,7A");
	free(tsv);
	fts_tokenizer_free(&tok);
}

/* Empty text gives an empty tsvector and counts of zero; an apostrophe
 * separates tokens and diacritics go, as in the index. */
static void tsvector_of_empty_text_and_diacritics(void **state)
{
	(void)state;
	struct fts_tokenizer *tok = fts_tokenizer_open_memory();
	int text_terms = -1, heading_terms = -1;
	char *tsv = pg_tsvector_text(tok, "", "", &text_terms, &heading_terms);
	assert_string_equal(tsv, "");
	assert_int_equal(text_terms, 0);
	assert_int_equal(heading_terms, 0);
	free(tsv);
	tsv = pg_tsvector_text(tok, "l'été", "", &text_terms, &heading_terms);
	assert_string_equal(tsv, "'et':2 'l':1"); /* été, Porter-stemmed */
	free(tsv);
	fts_tokenizer_free(&tok);
}

/* A word repeated past tsvector's 256 positions keeps the first 255; a
 * position past 16383 is clamped there, as PostgreSQL would. */
static void tsvector_caps_positions(void **state)
{
	(void)state;
	struct fts_tokenizer *tok = fts_tokenizer_open_memory();
	size_t n = 17000;
	char *text = malloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 2 * i, i + 1 < n ? "a " : "b", 2);
	text[2 * n - 1] = '\0';
	int text_terms = 0, heading_terms = 0;
	char *tsv = pg_tsvector_text(tok, text, "", &text_terms, &heading_terms);
	assert_int_equal(text_terms, (int)n);
	assert_non_null(strstr(tsv, "'b':16383"));
	size_t commas = 0;
	for (const char *c = tsv; *c && *c != ' '; c++)
		commas += *c == ',';
	assert_int_equal(commas, 254);
	free(tsv);
	free(text);
	fts_tokenizer_free(&tok);
}

/* Floats as text read back bit for bit. */
static void vector_text_is_exact(void **state)
{
	(void)state;
	float v[3] = { 0.1f, -1.0f / 3.0f, 1e-20f };
	char *t = pg_vector_text(v, 3);
	assert_int_equal(t[0], '[');
	float back[3];
	assert_int_equal(sscanf(t, "[%g,%g,%g]", &back[0], &back[1], &back[2]), 3);
	assert_memory_equal(v, back, sizeof v);
	free(t);
	int64_t ids[] = { 1, -2, 9007199254740993LL };
	t = pg_ids_text(ids, 3);
	assert_string_equal(t, "{1,-2,9007199254740993}");
	free(t);
	t = pg_ids_text(NULL, 0);
	assert_string_equal(t, "{}");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tsvector_places_text_then_heading),
		cmocka_unit_test(tsvector_of_empty_text_and_diacritics),
		cmocka_unit_test(tsvector_caps_positions),
		cmocka_unit_test(vector_text_is_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
