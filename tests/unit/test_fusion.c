/* Unit tests for core/search/fusion: RRF and convex arithmetic on hand-computed
 * cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "core/search/fusion.h"

static void equal_weights_match_hand_computed_scores(void **state)
{
	(void)state;
	struct fusion_params p = { .k = 60, .vec_weight = 1.0, .fts_weight = 1.0 };
	int64_t vec[] = { 10, 20, 30 };
	float vs[] = { 0.9f, 0.8f, 0.7f };
	int64_t fts[] = { 30, 40 };
	double bm[] = { -5.0, -3.0 };
	struct fused_hit out[5];
	size_t n = fusion_fuse(&p, vec, vs, 3, fts, bm, 2, out);
	assert_int_equal(n, 4);
	/* 30: 1/63 + 1/61 = 0.032266; 10: 1/61 = 0.016393; 40: 1/62 = 0.016129; 20: 1/62. */
	assert_int_equal(out[0].id, 30);
	assert_true(fabs(out[0].score - (1.0 / 63 + 1.0 / 61)) < 1e-12);
	assert_int_equal(out[0].vec_rank, 3);
	assert_int_equal(out[0].fts_rank, 1);
	assert_true(out[0].bm25 == -5.0);
	assert_int_equal(out[1].id, 10);
	/* 20 (vector rank 2) and 40 (fts rank 2) tie at 1/62: best single rank
	 * ties too, so the lower id wins. */
	assert_int_equal(out[2].id, 20);
	assert_int_equal(out[3].id, 40);
	assert_true(fabs(out[3].score - 1.0 / 62) < 1e-12);
	assert_int_equal(out[3].vec_rank, 0);
}

static void weights_shift_the_order(void **state)
{
	(void)state;
	struct fusion_params p = { .k = 1, .vec_weight = 0.5, .fts_weight = 2.0 };
	int64_t vec[] = { 1 };
	float vs[] = { 1.0f };
	int64_t fts[] = { 2 };
	double bm[] = { -1.0 };
	struct fused_hit out[2];
	size_t n = fusion_fuse(&p, vec, vs, 1, fts, bm, 1, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].id, 2);
	assert_true(fabs(out[0].score - 1.0) < 1e-12);   /* 2 / (1 + 1) */
	assert_true(fabs(out[1].score - 0.25) < 1e-12);  /* 0.5 / (1 + 1) */
}

static void empty_lists_give_nothing(void **state)
{
	(void)state;
	struct fusion_params p = { .k = 60, .vec_weight = 1, .fts_weight = 1 };
	struct fused_hit out[1];
	assert_int_equal(fusion_fuse(&p, NULL, NULL, 0, NULL, NULL, 0, out), 0);
}

static void zero_weight_list_only_breaks_ties(void **state)
{
	(void)state;
	struct fusion_params p = { .k = 60, .vec_weight = 1, .fts_weight = 0 };
	int64_t vec[] = { 5, 6 };
	float vs[] = { 0.5f, 0.4f };
	int64_t fts[] = { 6, 7 };
	double bm[] = { -2, -1 };
	struct fused_hit out[4];
	size_t n = fusion_fuse(&p, vec, vs, 2, fts, bm, 2, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].id, 5);
	assert_int_equal(out[1].id, 6);
	assert_int_equal(out[2].id, 7);
	assert_true(out[2].score == 0.0);
}

static void convex_adds_cosine_and_bm25_over_the_best(void **state)
{
	(void)state;
	struct fusion_params p = { .method = FUSION_CONVEX, .vec_weight = 0.5, .fts_weight = 1.0 };
	int64_t vec[] = { 7, 8 };
	float vs[] = { 0.5f, -0.2f };
	int64_t fts[] = { 8, 9 };
	double bm[] = { -8.0, -2.0 };
	struct fused_hit out[4];
	size_t n = fusion_fuse(&p, vec, vs, 2, fts, bm, 2, out);
	assert_int_equal(n, 3);
	/* 8: 0.5 * 0 (negative cosine) + 8/8 = 1; 9: 2/8 = 0.25; 7: 0.5 * 0.5 = 0.25,
	 * ties with 9 on score and best rank (1 vs 2): 7 first */
	assert_int_equal(out[0].id, 8);
	assert_true(fabs(out[0].score - 1.0) < 1e-12);
	assert_int_equal(out[1].id, 7);
	assert_int_equal(out[2].id, 9);
	assert_true(fabs(out[1].score - 0.25) < 1e-12 && fabs(out[2].score - 0.25) < 1e-12);
	assert_string_equal(fusion_method_name(FUSION_CONVEX), "convex");
	assert_int_equal(fusion_method_parse("rrf"), FUSION_RRF);
	assert_int_equal(fusion_method_parse("max"), -1);
}

static void with_no_vector_weight_the_full_text_order_stands(void **state)
{
	(void)state;
	struct fusion_params p = { .method = FUSION_CONVEX, .vec_weight = 0, .fts_weight = 1.0 };
	int64_t vec[] = { 3, 2, 1 };
	float vs[] = { 0.9f, 0.8f, 0.7f };
	int64_t fts[] = { 1, 2, 3 };
	double bm[] = { -9.0, -6.0, -3.0 };
	struct fused_hit out[6];
	assert_int_equal(fusion_fuse(&p, vec, vs, 3, fts, bm, 3, out), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(out[i].id, i + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_weights_match_hand_computed_scores),
		cmocka_unit_test(weights_shift_the_order),
		cmocka_unit_test(empty_lists_give_nothing),
		cmocka_unit_test(convex_adds_cosine_and_bm25_over_the_best),
		cmocka_unit_test(with_no_vector_weight_the_full_text_order_stands),
		cmocka_unit_test(zero_weight_list_only_breaks_ties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
