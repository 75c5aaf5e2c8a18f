/* Unit tests for core/embed/embed and the hash embedder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed/embed.h"
#include "core/util/strbuf.h"

/* Embed one NUL-terminated text; caller frees. */
static float *embed1(struct embedder *e, const char *text)
{
	float *v = malloc((size_t)e->dim * sizeof *v);
	assert_non_null(v);
	size_t len = text ? strlen(text) : 0;
	char err[128] = "";
	assert_int_equal(embed_texts(e, &text, &len, 1, v, err, sizeof err), 0);
	return v;
}

static double dot(const float *a, const float *b, int dim)
{
	double s = 0.0;
	for (int i = 0; i < dim; i++)
		s += (double)a[i] * (double)b[i];
	return s;
}

static double cosine_of(struct embedder *e, const char *a, const char *b)
{
	float *va = embed1(e, a), *vb = embed1(e, b);
	double c = dot(va, vb, e->dim);
	free(va);
	free(vb);
	return c;
}

static bool same_vector(struct embedder *e, const char *a, const char *b)
{
	float *va = embed1(e, a), *vb = embed1(e, b);
	bool same = memcmp(va, vb, (size_t)e->dim * sizeof *va) == 0;
	free(va);
	free(vb);
	return same;
}

static void hash_embedder_names_its_kind_dim_and_model(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(384);
	assert_non_null(e);
	assert_string_equal(e->ops->kind, "hash");
	assert_int_equal(e->dim, 384);
	assert_string_equal(e->model, "hash-v1-384");
	embed_free(&e);
	assert_null(e);
	embed_free(&e);
	embed_free(NULL);
}

static void dimensions_outside_32_to_4096_are_refused(void **state)
{
	(void)state;
	assert_null(embed_hash_new(31));
	assert_null(embed_hash_new(4097));
	assert_null(embed_hash_new(0));
	assert_null(embed_hash_new(-384));
	struct embedder *lo = embed_hash_new(32), *hi = embed_hash_new(4096);
	assert_non_null(lo);
	assert_non_null(hi);
	embed_free(&lo);
	embed_free(&hi);
}

static void same_input_gives_bit_identical_output(void **state)
{
	(void)state;
	const char *texts[] = { "How do I reset my password?", "billing invoice for March",
		                "How do I reset my password?" };
	size_t lens[3];
	for (int i = 0; i < 3; i++)
		lens[i] = strlen(texts[i]);
	struct embedder *a = embed_hash_new(384), *b = embed_hash_new(384);
	float *va = malloc(3 * 384 * sizeof *va), *vb = malloc(3 * 384 * sizeof *vb);
	char err[128];
	assert_int_equal(embed_texts(a, texts, lens, 3, va, err, sizeof err), 0);
	/* a fresh embedder, one text at a time, after other work */
	float *noise = embed1(b, "unrelated words to dirty the scratch tables");
	for (int i = 0; i < 3; i++)
		assert_int_equal(embed_texts(b, &texts[i], &lens[i], 1, vb + i * 384, err, sizeof err), 0);
	assert_memory_equal(va, vb, 3 * 384 * sizeof *va);
	assert_memory_equal(va, va + 2 * 384, 384 * sizeof *va);
	free(noise);
	free(va);
	free(vb);
	embed_free(&a);
	embed_free(&b);
}

/* Components recorded from this implementation: if the tokenizer, a hash,
 * a weight or the dimension mapping changes, stored vectors no longer
 * match new queries, and this test says so. */
static void known_answer_components(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(32);
	float *v = embed1(e, "How do I reset my password?");
	int nonzero = 0;
	for (int i = 0; i < 32; i++)
		nonzero += v[i] != 0.0f;
	assert_int_equal(nonzero, 17);
	/* the words "reset" and "password", their pair, and n-gram sums */
	assert_float_equal(v[3], 0.584649801, 1e-6);
	assert_float_equal(v[15], -0.584649801, 1e-6);
	assert_float_equal(v[31], 0.47746399, 1e-6);
	assert_float_equal(v[10], 0.015374572, 1e-6);
	assert_float_equal(v[23], -0.121043712, 1e-6);
	free(v);
	embed_free(&e);
}

static void vectors_have_unit_norm(void **state)
{
	(void)state;
	const int dims[] = { 32, 384, 1536 };
	const char *texts[] = { "a", "How do I reset my password?",
		                /* Ünïcödé wörds and 日本 text */
		                "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 w\xc3\xb6rds and "
		                "\xe6\x97\xa5\xe6\x9c\xac text",
		                "x1 y2 z3 4096 tokens" };
	for (size_t d = 0; d < 3; d++) {
		struct embedder *e = embed_hash_new(dims[d]);
		for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
			float *v = embed1(e, texts[t]);
			assert_true(fabs(1.0 - sqrt(dot(v, v, e->dim))) < 1e-5);
			free(v);
		}
		embed_free(&e);
	}
}

static void text_without_words_gives_the_zero_vector(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(64);
	/* empty, NULL, spaces, punctuation, dash, quotes and ellipsis, bad bytes */
	const char *texts[] = { "", NULL, "  \n\t ", "... !!! ???",
		                "\xe2\x80\x94 \xe2\x80\x9c\xe2\x80\x9d \xe2\x80\xa6", "\xff\xfe\x80" };
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
		float *v = embed1(e, texts[t]);
		for (int i = 0; i < 64; i++)
			assert_true(v[i] == 0.0f);
		free(v);
	}
	embed_free(&e);
}

static void similar_texts_are_closer_than_unrelated_ones(void **state)
{
	(void)state;
	const int dims[] = { 32, 384, 1536 };
	for (size_t d = 0; d < 3; d++) {
		struct embedder *e = embed_hash_new(dims[d]);
		const char *q = "How do I reset my password?";
		double near = cosine_of(e, q, "password reset steps");
		double far = cosine_of(e, q, "billing invoice for March");
		assert_true(near > far + 0.3);
		assert_true(cosine_of(e, "I forgot my password", "Forgotten passwords") >
		            cosine_of(e, "I forgot my password", "Download the invoice"));
		embed_free(&e);
	}
}

static void case_accents_and_fullwidth_forms_do_not_matter(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(384);
	assert_true(same_vector(e, "Password RESET", "password reset"));
	assert_true(same_vector(e, "Caf\xc3\xa9 na\xc3\xafve \xc3\x86sir", "cafe naive aesir"));
	assert_true(same_vector(e, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x91", "abc1"));
	/* Greek and Cyrillic capitals: ΑΒΓ = αβγ, ПАРОЛЬ = пароль */
	assert_true(same_vector(e, "\xce\x91\xce\x92\xce\x93", "\xce\xb1\xce\xb2\xce\xb3"));
	assert_true(same_vector(e, "\xd0\x9f\xd0\x90\xd0\xa0\xd0\x9e\xd0\x9b\xd0\xac",
	                        "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c"));
	/* punctuation only separates */
	assert_true(same_vector(e, "reset-password!", "reset password"));
	assert_false(same_vector(e, "reset password", "password reset"));
	embed_free(&e);
}

static void stopwords_are_dropped_unless_nothing_else_is_left(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(384);
	assert_true(same_vector(e, "How do I reset my password?", "reset the password"));
	float *v = embed1(e, "to be or not to be");
	assert_true(fabs(1.0 - sqrt(dot(v, v, 384))) < 1e-5);
	free(v);
	embed_free(&e);
}

static void cjk_characters_match_inside_longer_text(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(384);
	/* 如何重置密码 "how to reset the password", 重置密码的步骤 "steps to reset
	 * the password", 下载三月发票 "download the March invoice" */
	const char *q = "\xe5\xa6\x82\xe4\xbd\x95\xe9\x87\x8d\xe7\xbd\xae\xe5\xaf\x86\xe7\xa0\x81";
	const char *near = "\xe9\x87\x8d\xe7\xbd\xae\xe5\xaf\x86\xe7\xa0\x81"
	                   "\xe7\x9a\x84\xe6\xad\xa5\xe9\xaa\xa4";
	const char *far = "\xe4\xb8\x8b\xe8\xbd\xbd\xe4\xb8\x89\xe6\x9c\x88\xe5\x8f\x91\xe7\xa5\xa8";
	assert_true(cosine_of(e, q, near) > cosine_of(e, q, far) + 0.3);
	embed_free(&e);
}

static void long_and_malformed_texts_embed_safely(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20000; i++)
		sb_printf(&sb, "w%d word%c \xe8\xaa\x9e \xc3", i % 977, 'a' + i % 26);
	struct embedder *e = embed_hash_new(256);
	float *v = embed1(e, sb_str(&sb));
	assert_true(fabs(1.0 - sqrt(dot(v, v, 256))) < 1e-5);
	float *w = embed1(e, "short text after a long one");
	float *x = embed1(e, "short text after a long one");
	assert_memory_equal(w, x, 256 * sizeof *w);
	free(v);
	free(w);
	free(x);
	embed_free(&e);
	sb_free(&sb);
}

static void embed_texts_checks_its_arguments(void **state)
{
	(void)state;
	struct embedder *e = embed_hash_new(32);
	float out[64];
	char err[128] = "";
	const char *texts[2] = { "fine", NULL };
	size_t lens[2] = { 4, 3 };
	assert_int_equal(embed_texts(e, texts, lens, 2, out, err, sizeof err), -1);
	assert_non_null(strstr(err, "text 2 of 2"));
	assert_int_equal(embed_texts(e, texts, lens, 0, out, err, sizeof err), 0);
	err[0] = '\0';
	assert_int_equal(embed_texts(NULL, texts, lens, 1, out, err, sizeof err), -1);
	assert_non_null(strstr(err, "embedder"));
	embed_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_embedder_names_its_kind_dim_and_model),
		cmocka_unit_test(dimensions_outside_32_to_4096_are_refused),
		cmocka_unit_test(same_input_gives_bit_identical_output),
		cmocka_unit_test(known_answer_components),
		cmocka_unit_test(vectors_have_unit_norm),
		cmocka_unit_test(text_without_words_gives_the_zero_vector),
		cmocka_unit_test(similar_texts_are_closer_than_unrelated_ones),
		cmocka_unit_test(case_accents_and_fullwidth_forms_do_not_matter),
		cmocka_unit_test(stopwords_are_dropped_unless_nothing_else_is_left),
		cmocka_unit_test(cjk_characters_match_inside_longer_text),
		cmocka_unit_test(long_and_malformed_texts_embed_safely),
		cmocka_unit_test(embed_texts_checks_its_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
