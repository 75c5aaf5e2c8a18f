/* Unit tests for core/llm/breaker: the sliding failure window opens a breaker,
 * the cooldown leads to one half-open trial, success closes and failure
 * reopens; the pick along the fallback chain skips missing keys and
 * cooling providers with the reason for each hop. Time is passed in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/llm/breaker.h"
#include "core/config/config.h"

#define S 1000ULL   /* one second in ms */

static struct breaker_set *three_per_minute(void)
{
	struct breaker_opts o = { .failures = 3, .window_ms = 60 * S, .cooldown_ms = 30 * S };
	return breaker_set_new(&o);
}

static void three_failures_within_the_window_open_the_breaker(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	uint64_t left;
	breaker_record(s, "openai", BREAKER_FAILURE, 0);
	breaker_record(s, "openai", BREAKER_FAILURE, 10 * S);
	assert_int_equal(breaker_state(s, "openai", 10 * S, NULL), BREAKER_CLOSED);
	assert_true(breaker_allow(s, "openai", 15 * S));
	breaker_record(s, "openai", BREAKER_FAILURE, 20 * S);
	assert_int_equal(breaker_state(s, "openai", 20 * S, &left), BREAKER_OPEN);
	assert_int_equal(left, 30 * S);
	assert_false(breaker_allow(s, "openai", 49 * S));
	assert_int_equal(breaker_state(s, "openai", 50 * S - 1, &left), BREAKER_OPEN);
	assert_int_equal(left, 1);
	assert_int_equal(breaker_state(s, "openai", 50 * S, &left), BREAKER_HALF_OPEN);
	assert_int_equal(left, 0);
	assert_int_equal(breaker_state(s, "anthropic", 20 * S, NULL), BREAKER_CLOSED);
	breaker_set_free(&s);
	assert_null(s);
}

static void failures_spread_wider_than_the_window_do_not_open_it(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	breaker_record(s, "p", BREAKER_FAILURE, 0);
	breaker_record(s, "p", BREAKER_FAILURE, 30 * S);
	breaker_record(s, "p", BREAKER_FAILURE, 60 * S);   /* the first is exactly 60 s old: out */
	assert_int_equal(breaker_state(s, "p", 60 * S, NULL), BREAKER_CLOSED);
	breaker_record(s, "p", BREAKER_FAILURE, 89 * S);   /* 30, 60, 89 within 60 s */
	assert_int_equal(breaker_state(s, "p", 89 * S, NULL), BREAKER_OPEN);
	breaker_set_free(&s);
}

static void successes_do_not_erase_recent_failures(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	for (int i = 0; i < 3; i++) {
		breaker_record(s, "p", BREAKER_FAILURE, (uint64_t)i * 2 * S);
		breaker_record(s, "p", BREAKER_SUCCESS, (uint64_t)i * 2 * S + S);
	}
	assert_int_equal(breaker_state(s, "p", 5 * S, NULL), BREAKER_OPEN);
	breaker_set_free(&s);
}

static void open_breaker(struct breaker_set *s, const char *p, uint64_t at)
{
	for (int i = 0; i < 3; i++)
		breaker_record(s, p, BREAKER_FAILURE, at);
	assert_int_equal(breaker_state(s, p, at, NULL), BREAKER_OPEN);
}

static void half_open_allows_one_trial_and_success_closes(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	char buf[64];
	open_breaker(s, "p", 0);
	assert_string_equal(breaker_describe(s, "p", 30 * S, buf, sizeof(buf)), "half-open (trial allowed)");
	assert_true(breaker_allow(s, "p", 30 * S));
	assert_false(breaker_allow(s, "p", 31 * S));
	assert_string_equal(breaker_describe(s, "p", 31 * S, buf, sizeof(buf)), "half-open (trial in flight)");
	breaker_record(s, "p", BREAKER_SUCCESS, 32 * S);
	assert_int_equal(breaker_state(s, "p", 32 * S, NULL), BREAKER_CLOSED);
	/* the failures before opening are forgotten: two new ones do not reopen */
	breaker_record(s, "p", BREAKER_FAILURE, 33 * S);
	breaker_record(s, "p", BREAKER_FAILURE, 34 * S);
	assert_int_equal(breaker_state(s, "p", 34 * S, NULL), BREAKER_CLOSED);
	assert_string_equal(breaker_describe(s, "p", 34 * S, buf, sizeof(buf)), "available");
	breaker_set_free(&s);
}

static void failed_trial_reopens_for_a_full_cooldown(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	uint64_t left;
	open_breaker(s, "p", 0);
	assert_true(breaker_allow(s, "p", 40 * S));
	breaker_record(s, "p", BREAKER_FAILURE, 42 * S);
	assert_int_equal(breaker_state(s, "p", 42 * S, &left), BREAKER_OPEN);
	assert_int_equal(left, 30 * S);
	assert_int_equal(breaker_state(s, "p", 72 * S, NULL), BREAKER_HALF_OPEN);
	breaker_set_free(&s);
}

static void cancelled_trial_gives_the_slot_back(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	open_breaker(s, "p", 0);
	assert_true(breaker_allow(s, "p", 30 * S));
	breaker_record(s, "p", BREAKER_CANCELLED, 31 * S);
	assert_int_equal(breaker_state(s, "p", 31 * S, NULL), BREAKER_HALF_OPEN);
	assert_true(breaker_allow(s, "p", 31 * S));
	breaker_set_free(&s);
}

static void cooldown_is_described_in_whole_seconds_rounded_up(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	char buf[64];
	open_breaker(s, "anthropic", 1000 * S);
	assert_string_equal(breaker_describe(s, "anthropic", 1000 * S + 18 * S + 200, buf, sizeof(buf)),
	                    "cooling down (12 s left)");
	assert_string_equal(breaker_describe(s, "anthropic", 1000 * S + 18 * S, buf, sizeof(buf)),
	                    "cooling down (12 s left)");
	assert_string_equal(breaker_describe(s, "never-seen", 0, buf, sizeof(buf)), "available");
	breaker_set_free(&s);
}

static void one_failure_opens_when_the_threshold_is_one(void **state)
{
	(void)state;
	struct breaker_opts o = { .failures = 0, .window_ms = 10 * S, .cooldown_ms = 5 * S };
	struct breaker_set *s = breaker_set_new(&o);
	breaker_record(s, "p", BREAKER_FAILURE, 7);
	assert_int_equal(breaker_state(s, "p", 7, NULL), BREAKER_OPEN);
	breaker_set_free(&s);
}

static void pick_skips_missing_keys_and_cooling_providers_with_reasons(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	open_breaker(s, "anthropic", 100 * S);
	struct breaker_candidate chain[] = {
		{ "gpt-4o", "openai", "OPENAI_API_KEY", false },
		{ "claude-sonnet-4-6", "anthropic", "ANTHROPIC_API_KEY", true },
		{ "local", "local", NULL, false },
	};
	struct breaker_pick pick;
	char err[256];
	assert_int_equal(breaker_pick(s, chain, 3, 118 * S, &pick, err, sizeof(err)), 0);
	assert_int_equal(pick.chosen, 2);
	assert_false(pick.trial);
	assert_int_equal(pick.n_skipped, 2);
	assert_string_equal(pick.skipped[0].model, "gpt-4o");
	assert_string_equal(pick.skipped[0].reason, "OPENAI_API_KEY is not set");
	assert_string_equal(pick.skipped[1].model, "claude-sonnet-4-6");
	assert_string_equal(pick.skipped[1].reason, "cooling down, 12 s left");
	breaker_pick_free(&pick);
	assert_int_equal(pick.n_skipped, 0);

	/* when the cooldown is over the same chain takes anthropic as its trial */
	assert_int_equal(breaker_pick(s, chain, 3, 130 * S, &pick, err, sizeof(err)), 0);
	assert_int_equal(pick.chosen, 1);
	assert_true(pick.trial);
	breaker_pick_free(&pick);
	assert_int_equal(breaker_pick(s, chain, 3, 131 * S, &pick, err, sizeof(err)), 0);
	assert_int_equal(pick.chosen, 2);
	assert_string_equal(pick.skipped[1].reason, "half-open, its trial request is still running");
	breaker_pick_free(&pick);
	breaker_set_free(&s);
}

static void pick_with_nothing_usable_lists_every_hop(void **state)
{
	(void)state;
	struct breaker_set *s = three_per_minute();
	open_breaker(s, "local", 0);
	struct breaker_candidate chain[] = {
		{ "gpt-4o", "openai", "OPENAI_API_KEY", false },
		{ "my-model", NULL, NULL, false },
		{ "local", "local", NULL, false },
	};
	struct breaker_pick pick;
	char err[256];
	assert_int_equal(breaker_pick(s, chain, 3, 3 * S, &pick, err, sizeof(err)), -1);
	assert_int_equal(pick.chosen, -1);
	assert_int_equal(pick.n_skipped, 3);
	assert_string_equal(err, "no usable model: gpt-4o: OPENAI_API_KEY is not set; my-model: no provider "
	                    "serves this model (add a models entry for it); local: cooling down, 27 s left");
	breaker_pick_free(&pick);
	assert_int_equal(breaker_pick(s, chain, 0, 3 * S, &pick, err, sizeof(err)), -1);
	assert_string_equal(err, "no usable model: the fallback chain is empty");
	breaker_pick_free(&pick);
	breaker_set_free(&s);
}

static void candidates_come_from_config_routes_and_the_environment(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	struct breaker_opts o;
	breaker_opts_from_config(c, &o);
	assert_int_equal(o.failures, 3);
	assert_int_equal(o.window_ms, 60 * S);
	assert_int_equal(o.cooldown_ms, 30 * S);

	setenv("OPENAI_API_KEY", "sk-test", 1);
	setenv("ANTHROPIC_API_KEY", "", 1);
	const char *models[] = { "gpt-4o", "claude-sonnet-4-6", "local", "./models/house-style" };
	struct breaker_candidate cand[4];
	breaker_candidates_from_config(c, models, 4, cand);
	assert_string_equal(cand[0].provider, "openai");
	assert_string_equal(cand[0].key_env, "OPENAI_API_KEY");
	assert_true(cand[0].key_set);
	assert_string_equal(cand[1].provider, "anthropic");
	assert_false(cand[1].key_set);
	assert_string_equal(cand[2].provider, "local");
	assert_null(cand[2].key_env);
	assert_null(cand[3].provider);
	unsetenv("OPENAI_API_KEY");
	unsetenv("ANTHROPIC_API_KEY");
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_failures_within_the_window_open_the_breaker),
		cmocka_unit_test(failures_spread_wider_than_the_window_do_not_open_it),
		cmocka_unit_test(successes_do_not_erase_recent_failures),
		cmocka_unit_test(half_open_allows_one_trial_and_success_closes),
		cmocka_unit_test(failed_trial_reopens_for_a_full_cooldown),
		cmocka_unit_test(cancelled_trial_gives_the_slot_back),
		cmocka_unit_test(cooldown_is_described_in_whole_seconds_rounded_up),
		cmocka_unit_test(one_failure_opens_when_the_threshold_is_one),
		cmocka_unit_test(pick_skips_missing_keys_and_cooling_providers_with_reasons),
		cmocka_unit_test(pick_with_nothing_usable_lists_every_hop),
		cmocka_unit_test(candidates_come_from_config_routes_and_the_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
