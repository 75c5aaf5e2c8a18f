/* Unit tests for core/answer/grounding: supported-sentence share on hand-checked
 * answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "core/answer/grounding.h"

static const char *const ctx[] = {
	"Refunds on monthly plans are paid within fourteen days of the charge date.",
	"The desktop agent listens on port 7443 for local control.",
};

static void supported_and_unsupported_sentences_are_counted(void **state)
{
	(void)state;
	struct grounding_result r;
	const char *answer = "Monthly plans get refunds within fourteen days [1]. "
	                     "The agent listens on port 7443 [2]. "
	                     "Quantum entanglement powers the billing engine.";
	assert_true(grounding_score(answer, ctx, 2, &r));
	assert_int_equal(r.sentences, 3);
	assert_int_equal(r.supported, 2);
	assert_true(fabs(r.score - 2.0 / 3.0) < 1e-12);
}

static void short_sentences_and_citations_do_not_count(void **state)
{
	(void)state;
	struct grounding_result r;
	assert_false(grounding_score("Yes [1]. OK.", ctx, 2, &r));
	assert_int_equal(r.sentences, 0);
	assert_true(r.score == 0.0);
}

static void empty_context_supports_nothing(void **state)
{
	(void)state;
	struct grounding_result r;
	assert_true(grounding_score("Refunds are paid within fourteen days.", NULL, 0, &r));
	assert_int_equal(r.supported, 0);
	assert_true(r.score == 0.0);
}

static void decimals_do_not_end_sentences(void **state)
{
	(void)state;
	struct grounding_result r;
	const char *c[] = { "Version 4.6 restored the thirty minute rescan interval." };
	assert_true(grounding_score("Version 4.6 restored the thirty minute rescan interval.", c, 1, &r));
	assert_int_equal(r.sentences, 1);
	assert_int_equal(r.supported, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(supported_and_unsupported_sentences_are_counted),
		cmocka_unit_test(short_sentences_and_citations_do_not_count),
		cmocka_unit_test(empty_context_supports_nothing),
		cmocka_unit_test(decimals_do_not_end_sentences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
