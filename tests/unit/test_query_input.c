/* Unit tests for core/search/query_input: the words of a log's end joining
 * a question. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/search/query_input.h"

static char *joined(const char *question, const char *input, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	query_with_input(&sb, question, input, len);
	return sb_detach(&sb, NULL);
}

static void words_with_letters_join_the_question(void **state)
{
	(void)state;
	const char log[] = "2026-12-01 10:00:09 ERROR sync stuck on \"Pending\" for 3 files\n"
	                   "10.0.0.7:443 DW-1012 0x80070005 caf\xc3\xa9\n";
	char *q = joined("why does this fail?", log, sizeof log - 1);
	assert_string_equal(q, "why does this fail?\nERROR sync stuck on \"Pending\" for files DW-1012 0x80070005 "
	                       "caf\xc3\xa9 ");
	free(q);
	q = joined("why?", "", 0);
	assert_string_equal(q, "why?");
	free(q);
}

/* Only the end of a long input joins, from a line start. */
static void only_the_last_kib_joins_from_a_line_start(void **state)
{
	(void)state;
	size_t len = 3 * QUERY_INPUT_BYTES;
	char *log = malloc(len);
	memset(log, 'a', len);
	for (size_t i = 99; i < len; i += 100)
		log[i] = '\n';
	memcpy(log, "EARLY", 5);
	memcpy(log + len / 100 * 100, "LATE", 4);   /* the start of the last, short line */
	char *q = joined("q", log, len);
	assert_null(strstr(q, "EARLY"));
	assert_non_null(strstr(q, "LATE"));
	/* whole lines only: every word is a full 99-letter line, or LATE's */
	for (char *w = strtok(strchr(q, '\n') + 1, " "); w; w = strtok(NULL, " "))
		assert_true(strlen(w) == 99 || strncmp(w, "LATE", 4) == 0);
	free(q);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_with_letters_join_the_question),
		cmocka_unit_test(only_the_last_kib_joins_from_a_line_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
