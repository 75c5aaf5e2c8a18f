/* Unit tests for core/eval/eval_metrics: each metric against hand-computed
 * values, and the degenerate cases (no sources, no hits, shared matches). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "core/eval/eval_metrics.h"

#define EPS 1e-12

static void source_path_matches_at_a_directory_boundary(void **state)
{
	(void)state;
	struct eval_source s = { "policies/refund-policy.md", 0, 0 };
	struct eval_hit yes = { "/kb/policies/refund-policy.md", 1, 2, false };
	struct eval_hit same = { "policies/refund-policy.md", 1, 2, false };
	struct eval_hit archived = { "/kb/policies/archive/refund-policy-2024.md", 1, 2, false };
	struct eval_hit glued = { "/kb/xpolicies/refund-policy.md", 1, 2, false };
	assert_true(eval_hit_matches(&yes, &s));
	assert_true(eval_hit_matches(&same, &s));
	assert_false(eval_hit_matches(&archived, &s));
	assert_false(eval_hit_matches(&glued, &s));
}

static void line_ranges_must_overlap_when_given(void **state)
{
	(void)state;
	struct eval_source s = { "b.md", 10, 20 };
	struct eval_hit before = { "/b.md", 1, 9, false };
	struct eval_hit touching = { "/b.md", 20, 30, false };
	struct eval_hit inside = { "/b.md", 12, 13, false };
	struct eval_hit after = { "/b.md", 21, 30, false };
	assert_false(eval_hit_matches(&before, &s));
	assert_true(eval_hit_matches(&touching, &s));
	assert_true(eval_hit_matches(&inside, &s));
	assert_false(eval_hit_matches(&after, &s));
}

/* Sources A (whole a.md) and B (b.md:10-20); relevant hits at ranks 2 and
 * 4, rank 5 repeats A. */
static void mixed_ranking_matches_hand_computed_values(void **state)
{
	(void)state;
	struct eval_source src[] = { { "a.md", 0, 0 }, { "b.md", 10, 20 } };
	struct eval_hit hits[] = {
		{ "/kb/x.md", 1, 5, true },
		{ "/kb/a.md", 1, 5, true },
		{ "/kb/b.md", 21, 30, true },
		{ "/kb/b.md", 15, 18, false },
		{ "/kb/a.md", 6, 9, false },
	};
	struct eval_retrieval r;
	eval_retrieval_score(hits, 5, src, 2, 3, &r);
	assert_true(r.defined);
	assert_float_equal(r.recall_k, 0.5, EPS);
	assert_float_equal(r.precision_k, 1.0 / 3.0, EPS);
	assert_float_equal(r.mrr10, 0.5, EPS);
	/* (1/log2 3 + 1/log2 5) / (1 + 1/log2 3) = 1.061606 / 1.630930 */
	assert_float_equal(r.ndcg10, (1 / log2(3) + 1 / log2(5)) / (1 + 1 / log2(3)), EPS);
	assert_float_equal(r.ndcg10, 0.650920, 1e-6);
	assert_int_equal(r.n_context, 3);
	assert_float_equal(r.context_precision, 1.0 / 3.0, EPS);
	assert_float_equal(r.context_recall, 0.5, EPS);

	assert_float_equal(r.recall_1, 0.0, EPS);

	eval_retrieval_score(hits, 5, src, 2, 5, &r);
	assert_float_equal(r.recall_k, 1.0, EPS);
	assert_float_equal(r.precision_k, 0.4, EPS);

	eval_retrieval_score(hits + 1, 4, src, 2, 5, &r);
	assert_float_equal(r.recall_1, 0.5, EPS);
}

static void stale_source_first_only_above_every_relevant_hit(void **state)
{
	(void)state;
	struct eval_source rel[] = { { "policy.md", 0, 0 } };
	struct eval_source stale[] = { { "archive/policy-2024.md", 0, 0 } };
	struct eval_hit above[] = { { "/kb/x.md", 1, 2, true }, { "/kb/archive/policy-2024.md", 1, 2, true },
	                            { "/kb/policy.md", 1, 2, true } };
	struct eval_hit below[] = { { "/kb/policy.md", 1, 2, true }, { "/kb/archive/policy-2024.md", 1, 2, true } };
	struct eval_hit alone[] = { { "/kb/archive/policy-2024.md", 1, 2, true } };
	struct eval_hit neither[] = { { "/kb/x.md", 1, 2, true } };
	assert_true(eval_stale_first(above, 3, rel, 1, stale, 1));
	assert_false(eval_stale_first(below, 2, rel, 1, stale, 1));
	assert_true(eval_stale_first(alone, 1, rel, 1, stale, 1));
	assert_false(eval_stale_first(neither, 1, rel, 1, stale, 1));
	assert_false(eval_stale_first(above, 3, rel, 1, stale, 0));
}

static void item_without_sources_has_no_defined_metrics(void **state)
{
	(void)state;
	struct eval_hit hits[] = { { "/kb/a.md", 1, 5, true } };
	struct eval_retrieval r;
	eval_retrieval_score(hits, 1, NULL, 0, 5, &r);
	assert_false(r.defined);
	assert_float_equal(r.recall_k, 0, 0);
	assert_float_equal(r.ndcg10, 0, 0);
	assert_int_equal(r.n_context, 0);
}

static void no_hits_score_zero(void **state)
{
	(void)state;
	struct eval_source src[] = { { "a.md", 0, 0 } };
	struct eval_retrieval r;
	eval_retrieval_score(NULL, 0, src, 1, 5, &r);
	assert_true(r.defined);
	assert_float_equal(r.recall_k, 0, 0);
	assert_float_equal(r.precision_k, 0, 0);
	assert_float_equal(r.mrr10, 0, 0);
	assert_float_equal(r.ndcg10, 0, 0);
	assert_float_equal(r.context_precision, 0, 0);
	assert_float_equal(r.context_recall, 0, 0);
}

/* One hit overlapping both sources earns one of them; the next hit earns
 * the other, so the ranking is perfect. */
static void hit_matching_two_sources_is_credited_once(void **state)
{
	(void)state;
	struct eval_source src[] = { { "a.md", 1, 10 }, { "a.md", 5, 15 } };
	struct eval_hit hits[] = { { "/a.md", 1, 20, true }, { "/a.md", 12, 14, true } };
	struct eval_retrieval r;
	eval_retrieval_score(hits, 2, src, 2, 2, &r);
	assert_float_equal(r.recall_k, 1.0, EPS);
	assert_float_equal(r.precision_k, 1.0, EPS);
	assert_float_equal(r.mrr10, 1.0, EPS);
	assert_float_equal(r.ndcg10, 1.0, EPS);
	assert_float_equal(r.context_precision, 1.0, EPS);
	assert_float_equal(r.context_recall, 1.0, EPS);
}

static void duplicate_chunks_of_one_source_count_once(void **state)
{
	(void)state;
	struct eval_source src[] = { { "a.md", 0, 0 } };
	struct eval_hit hits[] = { { "/a.md", 1, 2, true }, { "/a.md", 3, 4, true } };
	struct eval_retrieval r;
	eval_retrieval_score(hits, 2, src, 1, 2, &r);
	assert_float_equal(r.precision_k, 0.5, EPS);
	assert_float_equal(r.ndcg10, 1.0, EPS);
	/* context precision asks whether each packed chunk is on topic */
	assert_float_equal(r.context_precision, 1.0, EPS);
}

static void precision_divides_by_k_not_by_hits(void **state)
{
	(void)state;
	struct eval_source src[] = { { "a.md", 0, 0 } };
	struct eval_hit hits[] = { { "/a.md", 1, 2, false } };
	struct eval_retrieval r;
	eval_retrieval_score(hits, 1, src, 1, 5, &r);
	assert_float_equal(r.precision_k, 0.2, EPS);
	assert_int_equal(r.n_context, 0);
	assert_float_equal(r.context_precision, 0, 0);
}

/* Twelve sources, the first relevant hit at rank 11: outside the @10
 * cutoff, and the ideal DCG counts ten relevant hits, not twelve. */
static void cutoff_of_ten_bounds_mrr_and_ndcg(void **state)
{
	(void)state;
	struct eval_source src[12];
	struct eval_hit hits[12];
	for (int i = 0; i < 12; i++) {
		src[i] = (struct eval_source){ "a.md", i * 10 + 1, i * 10 + 5 };
		hits[i] = (struct eval_hit){ "/z.md", 1, 1, false };
	}
	hits[10] = (struct eval_hit){ "/a.md", 1, 2, false };
	struct eval_retrieval r;
	eval_retrieval_score(hits, 12, src, 12, 12, &r);
	assert_float_equal(r.mrr10, 0, 0);
	assert_float_equal(r.ndcg10, 0, 0);
	assert_float_equal(r.recall_k, 1.0 / 12.0, EPS);
	for (int i = 0; i < 12; i++)
		hits[i] = (struct eval_hit){ "/a.md", i * 10 + 1, i * 10 + 1, false };
	eval_retrieval_score(hits, 12, src, 12, 12, &r);
	assert_float_equal(r.ndcg10, 1.0, EPS);
	assert_float_equal(r.recall_k, 1.0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(source_path_matches_at_a_directory_boundary),
		cmocka_unit_test(line_ranges_must_overlap_when_given),
		cmocka_unit_test(mixed_ranking_matches_hand_computed_values),
		cmocka_unit_test(item_without_sources_has_no_defined_metrics),
		cmocka_unit_test(no_hits_score_zero),
		cmocka_unit_test(hit_matching_two_sources_is_credited_once),
		cmocka_unit_test(duplicate_chunks_of_one_source_count_once),
		cmocka_unit_test(precision_divides_by_k_not_by_hits),
		cmocka_unit_test(cutoff_of_ten_bounds_mrr_and_ndcg),
		cmocka_unit_test(stale_source_first_only_above_every_relevant_hit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
