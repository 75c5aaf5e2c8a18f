/* Unit tests for core/answer/metrics: cost arithmetic against hand-computed
 * values, nearest-rank percentiles, the rolling windows (last N turns, last
 * M ms) against a sort-based reference on random data, aggregates and
 * alerts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config/config.h"
#include "core/answer/metrics.h"

#define USD_EPS 1e-12

static void cost_matches_hand_computed_values(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	/* 1,234 x 2.50 / 1M = 0.003085; 567 x 10.00 / 1M = 0.00567 */
	assert_true(fabs(metrics_cost_usd(config_price_for_model(c, "gpt-4o"), 1234, 567) - 0.008755) < USD_EPS);
	/* 10,000 x 3.00 / 1M + 2,000 x 15.00 / 1M = 0.03 + 0.03 */
	assert_true(fabs(metrics_cost_usd(config_price_for_model(c, "claude-sonnet-4-6"), 10000, 2000) - 0.06) <
	            USD_EPS);
	/* 1M x 0.15 / 1M + 1M x 0.60 / 1M */
	assert_true(fabs(metrics_cost_usd(config_price_for_model(c, "gpt-4o-mini"), 1000000, 1000000) - 0.75) <
	            USD_EPS);
	assert_true(metrics_cost_usd(config_price_for_model(c, "local"), 5000, 5000) == 0.0);
	config_free(&c);
}

static void finished_turn_is_priced_from_reported_or_estimated_usage(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	struct metrics_turn t = { .question_tokens = 12, .tokens_in = 1500, .tokens_out = 300,
	                          .usage_reported = true };
	metrics_turn_finish(&t, c, "gpt-4o-2024-08-06");
	assert_true(t.cost_known);
	assert_false(t.cost_estimated);
	/* 1500 x 2.5 + 300 x 10 = 3750 + 3000 per 1M */
	assert_true(fabs(t.cost_usd - 0.00675) < USD_EPS);
	assert_true(t.expansion == 125.0);

	struct metrics_turn e = { .tokens_in = 100, .tokens_out = 10 };
	metrics_turn_finish(&e, c, "claude-sonnet-4-6");
	assert_true(e.cost_estimated);
	assert_true(fabs(e.cost_usd - 0.00045) < USD_EPS);
	assert_true(e.expansion == 0.0);

	struct metrics_turn u = { .tokens_in = 100, .tokens_out = 10 };
	metrics_turn_finish(&u, c, "mystery-model");
	assert_false(u.cost_known);
	assert_false(u.cost_estimated);
	assert_true(u.cost_usd == 0.0);
	config_free(&c);
}

/* A request that got no reply stream is billed nothing: its usage is 0 in,
 * 0 out, not reported. It costs 0, is not "priced from estimated tokens",
 * and does not pull the expansion mean down. */
static void a_turn_no_model_received_costs_nothing(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	struct metrics_turn none = { .question_tokens = 12, .outcome = METRICS_FAILED };
	metrics_turn_finish(&none, c, "gpt-4o-mini");
	assert_true(none.cost_known);
	assert_true(none.cost_usd == 0.0);
	assert_false(none.cost_estimated);
	assert_true(none.expansion == 0.0);

	struct metrics_turn ok = { .question_tokens = 10, .tokens_in = 1000, .tokens_out = 20, .outcome = METRICS_OK,
	                           .usage_reported = true };
	metrics_turn_finish(&ok, c, "gpt-4o-mini");
	struct metrics_window *w = metrics_window_new(10, 60000, 10);
	metrics_window_add(w, &ok);
	metrics_window_add(w, &none);
	struct metrics_summary s;
	metrics_window_summary(w, METRICS_LAST_N, 0, &s);
	assert_int_equal(s.n_priced, 2);
	assert_int_equal(s.n_estimated, 0);
	assert_true(fabs(s.cost_total - ok.cost_usd) < USD_EPS);
	assert_true(fabs(s.expansion_mean - 100.0) < 1e-12);
	metrics_window_free(&w);
	config_free(&c);
}

static void nearest_rank_percentiles_follow_the_definition(void **state)
{
	(void)state;
	const uint64_t five[] = { 15, 20, 35, 40, 50 };
	assert_int_equal(metrics_percentile(five, 5, 30), 20);   /* rank ceil(1.5) = 2 */
	assert_int_equal(metrics_percentile(five, 5, 40), 20);   /* rank ceil(2.0) = 2 */
	assert_int_equal(metrics_percentile(five, 5, 50), 35);
	assert_int_equal(metrics_percentile(five, 5, 95), 50);
	assert_int_equal(metrics_percentile(five, 5, 100), 50);
	const uint64_t four[] = { 1, 2, 3, 4 };
	assert_int_equal(metrics_percentile(four, 4, 50), 2);
	assert_int_equal(metrics_percentile(four, 4, 1), 1);
	uint64_t hundred[100];
	for (int i = 0; i < 100; i++)
		hundred[i] = (uint64_t)i + 1;
	assert_int_equal(metrics_percentile(hundred, 100, 95), 95);
	assert_int_equal(metrics_percentile(hundred, 100, 99), 99);
	assert_int_equal(metrics_percentile(hundred, 99, 99), 99);
	assert_int_equal(metrics_percentile(NULL, 0, 50), 0);
	assert_string_equal(metrics_span_name(METRICS_SPAN_TTFT), "ttft");
	assert_string_equal(metrics_outcome_name(METRICS_FELL_BACK), "fell_back");
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Reference: the values of span among turns[from..to), sorted. */
static size_t reference(const struct metrics_turn *turns, size_t from, size_t to, int span, uint64_t *out)
{
	size_t n = 0;
	for (size_t i = from; i < to; i++)
		if (turns[i].spans & (1u << span))
			out[n++] = turns[i].span_us[span];
	qsort(out, n, sizeof(*out), compare_u64);
	return n;
}

static void check_against_reference(const struct metrics_summary *s, const struct metrics_turn *turns,
                                    size_t from, size_t to, uint64_t *scratch)
{
	assert_int_equal(s->turns, to - from);
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		size_t n = reference(turns, from, to, i, scratch);
		assert_int_equal(s->span[i].n, n);
		assert_int_equal(s->span[i].p50, metrics_percentile(scratch, n, 50));
		assert_int_equal(s->span[i].p95, metrics_percentile(scratch, n, 95));
		assert_int_equal(s->span[i].p99, metrics_percentile(scratch, n, 99));
	}
}

static void rolling_percentiles_equal_a_sort_of_the_window_on_random_data(void **state)
{
	(void)state;
	enum { TURNS = 6000, N = 1000 };
	const int64_t M = 60000;
	struct metrics_turn *turns = calloc(TURNS, sizeof(*turns));
	uint64_t *scratch = calloc(TURNS, sizeof(*scratch));
	struct metrics_window *w = metrics_window_new(N, M, 4000);
	unsigned seed = 20260425;
	int64_t at = 0;
	double add_us = 0;
	for (size_t k = 0; k < TURNS; k++) {
		struct metrics_turn *t = &turns[k];
		at += rand_r(&seed) % 200;          /* bursts: often many turns per minute */
		if (k % 1500 == 1499)
			at += 120000;                   /* an idle gap empties the time window */
		t->at_ms = at;
		for (int i = 0; i < METRICS_N_SPANS; i++)
			if (i == METRICS_SPAN_TOTAL || rand_r(&seed) % 4)
				metrics_turn_span(t, (enum metrics_span)i, (uint64_t)(rand_r(&seed) % 50000));
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		metrics_window_add(w, t);
		clock_gettime(CLOCK_MONOTONIC, &b);
		add_us += (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
		if (k % 37 != 0 && k != TURNS - 1)
			continue;
		struct metrics_summary s;
		metrics_window_summary(w, METRICS_LAST_N, at, &s);
		check_against_reference(&s, turns, k + 1 > N ? k + 1 - N : 0, k + 1, scratch);
		metrics_window_summary(w, METRICS_LAST_TIME, at, &s);
		size_t from = k + 1;
		while (from > 0 && turns[from - 1].at_ms >= at - M)
			from--;
		assert_false(s.truncated);
		check_against_reference(&s, turns, from, k + 1, scratch);
	}
	print_message("window N=%d: %.2f us per added turn (9 spans, two scopes)\n", N, add_us / TURNS);
	metrics_window_free(&w);
	assert_null(w);
	free(turns);
	free(scratch);
}

static struct metrics_turn turn_at(int64_t at, uint64_t total_us)
{
	struct metrics_turn t = { .at_ms = at };
	metrics_turn_span(&t, METRICS_SPAN_TOTAL, total_us);
	return t;
}

static void time_window_forgets_turns_older_than_m(void **state)
{
	(void)state;
	struct metrics_window *w = metrics_window_new(100, 60000, 100);
	for (int i = 0; i < 10; i++) {
		struct metrics_turn t = turn_at(i * 1000, (uint64_t)(i + 1) * 1000);
		metrics_window_add(w, &t);
	}
	struct metrics_summary s;
	metrics_window_summary(w, METRICS_LAST_TIME, 65000, &s);   /* keeps turns at >= 5000 */
	assert_int_equal(s.turns, 5);
	assert_int_equal(s.span[METRICS_SPAN_TOTAL].p50, 8000);
	assert_int_equal(s.span[METRICS_SPAN_EMBED].n, 0);
	metrics_window_summary(w, METRICS_LAST_TIME, 200000, &s);
	assert_int_equal(s.turns, 0);
	assert_int_equal(s.span[METRICS_SPAN_TOTAL].p99, 0);
	metrics_window_summary(w, METRICS_LAST_N, 200000, &s);
	assert_int_equal(s.turns, 10);
	assert_int_equal(s.span[METRICS_SPAN_TOTAL].p95, 10000);
	metrics_window_free(&w);

	/* a turn stamped before the previous one is filed at the previous time */
	w = metrics_window_new(100, 60000, 100);
	struct metrics_turn first = turn_at(5000, 1), late = turn_at(100, 2);
	metrics_window_add(w, &first);
	metrics_window_add(w, &late);
	metrics_window_summary(w, METRICS_LAST_TIME, 65000, &s);
	assert_int_equal(s.turns, 2);
	metrics_window_summary(w, METRICS_LAST_TIME, 65001, &s);
	assert_int_equal(s.turns, 0);
	metrics_window_free(&w);
}

static void time_window_over_capacity_says_it_is_truncated(void **state)
{
	(void)state;
	struct metrics_window *w = metrics_window_new(3, 60000, 5);
	for (int i = 0; i < 8; i++) {
		struct metrics_turn t = turn_at(i, 10);
		metrics_window_add(w, &t);
	}
	struct metrics_summary s;
	metrics_window_summary(w, METRICS_LAST_TIME, 8, &s);
	assert_int_equal(s.turns, 5);
	assert_true(s.truncated);
	metrics_window_summary(w, METRICS_LAST_N, 8, &s);
	assert_int_equal(s.turns, 3);
	assert_false(s.truncated);
	metrics_window_summary(w, METRICS_LAST_TIME, 60000 + 4, &s);   /* the dropped turns are now too old */
	assert_int_equal(s.turns, 4);
	assert_false(s.truncated);
	metrics_window_free(&w);
}

static void aggregates_give_rates_and_cost_per_query_and_per_answer(void **state)
{
	(void)state;
	struct metrics_window *w = metrics_window_new(10, 60000, 10);
	struct metrics_turn t[] = {
		{ .outcome = METRICS_OK, .cost_known = true, .cost_usd = 0.010, .question_tokens = 10,
		  .expansion = 100, .has_grounding = true, .grounding = 0.9, .has_unsupported = true,
		  .unsupported_sentences = 1 },
		{ .outcome = METRICS_FAILED, .cost_known = true, .cost_usd = 0.002, .cost_estimated = true },
		{ .outcome = METRICS_FELL_BACK, .cost_known = true, .cost_usd = 0.005, .question_tokens = 5,
		  .expansion = 50, .has_grounding = true, .grounding = 0.6, .has_unsupported = true,
		  .unsupported_sentences = 2 },
		{ .outcome = METRICS_INTERRUPTED, .cost_known = true, .cost_usd = 0.001 },
		{ .outcome = METRICS_OK },   /* unpriced model */
	};
	for (size_t i = 0; i < 5; i++)
		metrics_window_add(w, &t[i]);
	struct metrics_summary s;
	metrics_window_summary(w, METRICS_LAST_N, 0, &s);
	assert_int_equal(s.turns, 5);
	assert_int_equal(s.outcomes[METRICS_OK], 2);
	assert_int_equal(s.outcomes[METRICS_INTERRUPTED], 1);
	assert_true(fabs(s.error_rate - 0.2) < 1e-12);
	assert_true(fabs(s.fallback_rate - 0.2) < 1e-12);
	assert_int_equal(s.n_priced, 4);
	assert_int_equal(s.n_estimated, 1);
	assert_true(fabs(s.cost_total - 0.018) < USD_EPS);
	assert_true(fabs(s.cost_per_query - 0.0045) < USD_EPS);
	assert_true(fabs(s.cost_per_success - 0.009) < USD_EPS);
	assert_true(fabs(s.expansion_mean - 75.0) < 1e-12);
	assert_int_equal(s.n_grounded, 2);
	assert_true(fabs(s.grounding_mean - 0.75) < 1e-12);
	assert_int_equal(s.n_marked, 2);
	assert_true(fabs(s.unsupported_mean - 1.5) < 1e-12);
	metrics_window_free(&w);
}

static void alerts_fire_on_p95_latency_and_low_grounding(void **state)
{
	(void)state;
	struct config *c = config_defaults();   /* 800 ms, 0.85 */
	struct metrics_window *w = metrics_window_new(20, 60000, 20);
	for (int i = 0; i < 20; i++) {
		struct metrics_turn t = turn_at(i, i == 19 ? 2000000 : (uint64_t)(i + 1) * 50000);
		metrics_window_add(w, &t);
	}
	struct metrics_summary s;
	struct metrics_alerts a;
	metrics_window_summary(w, METRICS_LAST_N, 20, &s);
	assert_int_equal(s.span[METRICS_SPAN_TOTAL].p95, 950000);   /* rank 19 of 20 */
	metrics_alerts_check(&s, c, &a);
	assert_true(a.latency);
	assert_string_equal(a.latency_msg, "p95 latency 950 ms is over the 800 ms threshold (20 turns)");
	assert_false(a.grounding);
	assert_string_equal(a.grounding_msg, "");

	struct metrics_turn g = turn_at(21, 1000);
	g.has_grounding = true;
	g.grounding = 0.5;
	metrics_window_add(w, &g);
	metrics_window_summary(w, METRICS_LAST_N, 21, &s);
	metrics_alerts_check(&s, c, &a);
	assert_true(a.grounding);
	assert_string_equal(a.grounding_msg, "grounding score 0.50 (mean of 1 turns) is under the 0.85 threshold");
	assert_true(a.latency);
	/* evaluation.metrics decides which thresholds are watched. */
	struct config *picked = NULL;
	struct config_diags d = { 0 };
	static const char yaml[] = "evaluation:\n  metrics: [recall_at_k, hallucination_score]\n";
	assert_int_equal(config_load_string("t.yaml", yaml, strlen(yaml), &picked, &d), 0);
	metrics_alerts_check(&s, picked, &a);
	assert_false(a.latency);
	assert_true(a.grounding);
	config_free(&picked);
	config_diags_free(&d);
	metrics_window_free(&w);

	struct metrics_window *quiet = metrics_window_new(5, 1000, 5);
	struct metrics_turn ok = turn_at(0, 799000);
	metrics_window_add(quiet, &ok);
	metrics_window_summary(quiet, METRICS_LAST_N, 0, &s);
	metrics_alerts_check(&s, c, &a);
	assert_false(a.latency);
	assert_false(a.grounding);
	metrics_window_free(&quiet);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cost_matches_hand_computed_values),
		cmocka_unit_test(finished_turn_is_priced_from_reported_or_estimated_usage),
		cmocka_unit_test(a_turn_no_model_received_costs_nothing),
		cmocka_unit_test(nearest_rank_percentiles_follow_the_definition),
		cmocka_unit_test(rolling_percentiles_equal_a_sort_of_the_window_on_random_data),
		cmocka_unit_test(time_window_forgets_turns_older_than_m),
		cmocka_unit_test(time_window_over_capacity_says_it_is_truncated),
		cmocka_unit_test(aggregates_give_rates_and_cost_per_query_and_per_answer),
		cmocka_unit_test(alerts_fire_on_p95_latency_and_low_grounding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
