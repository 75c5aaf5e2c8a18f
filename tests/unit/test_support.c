/* Unit tests for core/answer/support and grounding's sentence splitter:
 * where sentences start and end in hand-made answers, and which blocks
 * support each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/answer/grounding.h"
#include "core/answer/support.h"

/* Assert that text splits into exactly the sentences given (NULL-ended). */
static void expect_split(const char *text, ...)
{
	struct grounding_span *s;
	size_t n = grounding_sentences(text, &s), i = 0;
	va_list ap;
	va_start(ap, text);
	for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
		assert_true(i < n);
		char *got = strndup(text + s[i].start, s[i].end - s[i].start);
		assert_string_equal(got, want);
		free(got);
	}
	va_end(ap);
	assert_int_equal(n, i);
	free(s);
}

static void abbreviations_and_numbers_do_not_end_a_sentence(void **state)
{
	(void)state;
	expect_split("Use a flag, e.g. --fast, i.e. the quick path. Dr. Ng wrote v1.2 in 2019. "
	             "It needs 3.5 GB of disk!",
	             "Use a flag, e.g. --fast, i.e. the quick path.", "Dr. Ng wrote v1.2 in 2019.",
	             "It needs 3.5 GB of disk!", NULL);
}

static void bullets_and_numbered_lines_are_sentences(void **state)
{
	(void)state;
	expect_split("Steps:\n- open the settings pane\n* pick a theme\n1. save it\n2) restart",
	             "Steps:", "open the settings pane", "pick a theme", "save it", "restart", NULL);
}

static void fenced_code_is_skipped(void **state)
{
	(void)state;
	expect_split("Run this.\n```sh\nmake install. now\n```\nThen restart.\n~~~\nx. y\n~~~\n",
	             "Run this.", "Then restart.", NULL);
}

static void citations_stay_with_their_sentence(void **state)
{
	(void)state;
	expect_split("Refunds take fourteen days. [2] Plans renew monthly [1]. Done [1, 3].",
	             "Refunds take fourteen days. [2]", "Plans renew monthly [1].", "Done [1, 3].",
	             NULL);
}

static void a_citation_right_after_the_stop_ends_the_sentence(void **state)
{
	(void)state;
	expect_split("Refunds take fourteen days.[1] The agent listens on port 7443.[2] "
	             "Quantum entanglement powers billing.[2][3] Done.",
	             "Refunds take fourteen days.[1]", "The agent listens on port 7443.[2]",
	             "Quantum entanglement powers billing.[2][3]", "Done.", NULL);
	expect_split("Index a[1].b stays whole. Next.", "Index a[1].b stays whole.", "Next.", NULL);
}

static void file_names_urls_no_and_single_letters_end_sentences(void **state)
{
	(void)state;
	expect_split("See docs/refunds.md. Then restart. Open example.com. Then log in.",
	             "See docs/refunds.md.", "Then restart.", "Open example.com.", "Then log in.", NULL);
	expect_split("The answer is no. Ask again later. See form No. 5 for details.",
	             "The answer is no.", "Ask again later.", "See form No. 5 for details.", NULL);
	expect_split("Use plan B. Then call J. R. Smith at 9 a.m. today. It works in the U.S. too.",
	             "Use plan B.", "Then call J. R. Smith at 9 a.m. today.", "It works in the U.S. too.", NULL);
}

static void citations_alone_on_a_line_belong_to_the_sentence_above(void **state)
{
	(void)state;
	expect_split("Refunds take fourteen days.\n[1]\nThey are paid by card.\n  [2, 3]  \n",
	             "Refunds take fourteen days.\n[1]", "They are paid by card.\n  [2, 3]", NULL);
	expect_split("[1]\nFirst line.", "[1]", "First line.", NULL);
}

static void headings_are_sentences(void **state)
{
	(void)state;
	expect_split("## Refund policy\nRefunds take fourteen days. They are paid by card.",
	             "Refund policy", "Refunds take fourteen days.", "They are paid by card.", NULL);
}

static const struct support_block blocks[] = {
	{ 1, "Refunds on monthly plans are paid within fourteen days of the charge date." },
	{ 2, "The desktop agent listens on port 7443 for local control." },
};

static void sentences_are_scored_against_blocks(void **state)
{
	(void)state;
	struct support_result r;
	const char *answer = "Monthly plans get refunds within fourteen days [1]. "
	                     "The desktop agent listens on port 7443 [1]. "
	                     "Quantum entanglement powers the billing engine [2]. Yes.";
	support_score(answer, blocks, 2, &r);
	assert_int_equal(r.n, 4);

	const struct support_sentence *s = &r.sentences[0];
	assert_true(s->counted);
	assert_int_equal(s->basis, SUPPORT_CITED);
	assert_int_equal(s->n_cited, 1);
	assert_int_equal(s->cited[0], 1);
	assert_int_equal(s->n_supported_by, 1);
	assert_int_equal(s->supported_by[0], 1);
	assert_true(s->support > 0.8 && s->support < 0.9); /* "get" is not in [1] */
	assert_int_equal(s->start, 0);
	assert_string_equal(s->text, "Monthly plans get refunds within fourteen days [1].");

	s = &r.sentences[1]; /* cites [1], only [2] holds it */
	assert_int_equal(s->basis, SUPPORT_UNCITED);
	assert_int_equal(s->n_supported_by, 1);
	assert_int_equal(s->supported_by[0], 2);
	assert_memory_equal(answer + s->start, "The desktop", 11);

	s = &r.sentences[2];
	assert_true(s->counted);
	assert_int_equal(s->basis, SUPPORT_NONE);
	assert_int_equal(s->n_supported_by, 0);
	assert_true(s->support < 0.6);

	assert_false(r.sentences[3].counted);
	assert_int_equal(r.unsupported, 1);
	support_result_free(&r);
	assert_null(r.sentences);
}

static void unicode_punctuation_and_case_split_words(void **state)
{
	(void)state;
	struct support_result r;
	const struct support_block de[] = {
		{ 1, "Über die Rückerstattung entscheidet das Team innerhalb von vierzehn Tagen." },
	};
	/* curly quotes, an em dash and a no-break space separate words; Ü
	 * lower-cases to ü */
	const char *answer = "\u201cRefunds\u201d on monthly plans are paid within fourteen days\u2014by card.\u00a0"
	                     "ÜBER DIE RÜCKERSTATTUNG ENTSCHEIDET DAS TEAM.";
	const struct support_block both[] = { blocks[0], de[0] };
	support_score(answer, both, 2, &r);
	assert_int_equal(r.n, 2);
	assert_true(r.sentences[0].support == 7.0 / 8.0);   /* of 8 words only "card" is not in [1] */
	assert_int_equal(r.sentences[0].basis, SUPPORT_UNCITED);
	assert_true(r.sentences[1].support > 0.99);
	assert_memory_equal(answer + r.sentences[1].start, "ÜBER", strlen("ÜBER"));
	support_result_free(&r);
	const char *code = "Read `arr[2]` from the refunds table within fourteen days [1].";
	support_score(code, blocks, 2, &r);
	assert_int_equal(r.sentences[0].n_cited, 1);   /* arr[2] in code is no citation */
	assert_int_equal(r.sentences[0].cited[0], 1);
	support_result_free(&r);
	expect_split("退款在十四天内处理。请联系支持团队！真的吗？好",
	             "退款在十四天内处理。", "请联系支持团队！", "真的吗？", "好", NULL);
}

static void supported_by_is_best_first(void **state)
{
	(void)state;
	const struct support_block two[] = {
		{ 4, "refunds monthly fourteen" },
		{ 7, "refunds monthly fourteen days charge" },
	};
	struct support_result r;
	support_score("Refunds monthly fourteen days charge. [4]", two, 2, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.sentences[0].n_supported_by, 2);
	assert_int_equal(r.sentences[0].supported_by[0], 7);
	assert_int_equal(r.sentences[0].supported_by[1], 4);
	assert_int_equal(r.sentences[0].basis, SUPPORT_CITED);
	support_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abbreviations_and_numbers_do_not_end_a_sentence),
		cmocka_unit_test(bullets_and_numbered_lines_are_sentences),
		cmocka_unit_test(fenced_code_is_skipped),
		cmocka_unit_test(citations_stay_with_their_sentence),
		cmocka_unit_test(a_citation_right_after_the_stop_ends_the_sentence),
		cmocka_unit_test(file_names_urls_no_and_single_letters_end_sentences),
		cmocka_unit_test(citations_alone_on_a_line_belong_to_the_sentence_above),
		cmocka_unit_test(headings_are_sentences),
		cmocka_unit_test(sentences_are_scored_against_blocks),
		cmocka_unit_test(unicode_punctuation_and_case_split_words),
		cmocka_unit_test(supported_by_is_best_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
