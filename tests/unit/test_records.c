/* Unit tests for core/ingest/records: help desk exports (JSON Lines, CSV)
 * into records, with the fields common exports use, configured names,
 * RFC 4180 quoting, conversations, missing and duplicate ids, malformed
 * lines counted, and data files that are no record files left alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/records.h"

static bool parse(enum records_kind kind, const char *data, const struct record_fields *fields,
                  struct record_set *out)
{
	return records_parse(kind, data, strlen(data), fields, out);
}

static void kind_comes_from_the_extension(void **state)
{
	(void)state;
	assert_int_equal(records_kind_for_path("/kb/tickets.jsonl"), RECORDS_JSONL);
	assert_int_equal(records_kind_for_path("/kb/chats.NDJSON"), RECORDS_JSONL);
	assert_int_equal(records_kind_for_path("/kb/export.Csv"), RECORDS_CSV);
	assert_int_equal(records_kind_for_path("/kb/notes.md"), RECORDS_NONE);
	assert_int_equal(records_kind_for_path("/kb.csv/readme"), RECORDS_NONE);
}

static void zendesk_jsonl_uses_the_default_fields(void **state)
{
	(void)state;
	struct record_set s;
	const char *data =
		"{\"id\": 4312, \"subject\": \"Refund not received\", \"description\": \"Customer paid twice.\","
		" \"created_at\": \"2026-03-02T10:00:00Z\", \"status\": \"closed\"}\n"
		"\n"
		"{\"ID\": \"4313\", \"Subject\": \"Login loop\", \"Description\": \"SSO redirects forever.\"}\n";
	assert_true(parse(RECORDS_JSONL, data, NULL, &s));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].id, "4312");
	assert_string_equal(s.items[0].title, "Refund not received");
	assert_string_equal(s.items[0].body, "Customer paid twice.");
	assert_string_equal(s.items[0].date, "2026-03-02T10:00:00Z");
	assert_int_equal(s.items[0].line, 1);
	assert_string_equal(s.items[1].id, "4313");
	assert_null(s.items[1].date);
	assert_int_equal(s.items[1].line, 3);
	assert_int_equal(s.malformed, 0);

	size_t len = 0;
	char *text = record_text(&s.items[0], &len);
	assert_string_equal(text, "# Refund not received\n\nTicket 4312 \xC2\xB7 2026-03-02T10:00:00Z\n\n"
	                          "Customer paid twice.\n");
	assert_int_equal(len, strlen(text));
	free(text);
	text = record_text(&s.items[1], &len);
	assert_string_equal(text, "# Login loop\n\nTicket 4313\n\nSSO redirects forever.\n");
	free(text);
	char *title = record_title(&s.items[0]);
	assert_string_equal(title, "4312: Refund not received");
	free(title);
	record_set_free(&s);
}

static void numbers_as_ids_are_integers(void **state)
{
	(void)state;
	struct record_set s;
	assert_true(parse(RECORDS_JSONL, "{\"ticket_id\": 1e3, \"body\": \"x\"}\n{\"number\": 12.5, \"text\": \"y\"}\n",
	                  NULL, &s));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].id, "1000");
	assert_string_equal(s.items[1].id, "12.5");
	record_set_free(&s);
	/* Past int64_t: kept as a double, never cast. */
	assert_true(parse(RECORDS_JSONL, "{\"id\": 1e300, \"body\": \"x\"}\n{\"id\": -4e19, \"body\": \"y\"}\n",
	                  NULL, &s));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].id, "1.0000000000000001e+300");
	assert_string_equal(s.items[1].id, "-4e+19");
	record_set_free(&s);
}

static void jira_csv_uses_the_default_fields(void **state)
{
	(void)state;
	struct record_set s;
	const char *data = "Summary,Issue key,Issue id,Description,Created\n"
	                   "Export times out,SUP-17,10017,Large exports fail after 30 s.,2026-01-04 09:12\n"
	                   "Typo in invoice,SUP-18,10018,The VAT line says VTA.,2026-01-05 11:00\n";
	assert_true(parse(RECORDS_CSV, data, NULL, &s));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].id, "SUP-17");
	assert_string_equal(s.items[0].title, "Export times out");
	assert_string_equal(s.items[0].body, "Large exports fail after 30 s.");
	assert_string_equal(s.items[0].date, "2026-01-04 09:12");
	assert_int_equal(s.items[1].line, 3);
	record_set_free(&s);
}

static void configured_names_replace_the_defaults(void **state)
{
	(void)state;
	struct record_set s;
	struct record_fields fields = { .id = "ref", .title = "headline", .body = "Notes", .date = "closed" };
	const char *data = "{\"id\": 1, \"ref\": \"R-9\", \"headline\": \"Printer\", \"notes\": \"Jammed tray.\","
	                   " \"description\": \"ignored\", \"closed\": \"2026-02-01\"}\n";
	assert_true(parse(RECORDS_JSONL, data, &fields, &s));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.items[0].id, "R-9");
	assert_string_equal(s.items[0].title, "Printer");
	assert_string_equal(s.items[0].body, "Jammed tray.");
	assert_string_equal(s.items[0].date, "2026-02-01");
	record_set_free(&s);
	/* The default body field is no body when another is configured. */
	fields = (struct record_fields){ .body = "notes" };
	assert_false(parse(RECORDS_JSONL, "{\"id\": 1, \"description\": \"x\"}\n", &fields, &s));
	assert_int_equal(s.n, 0);
}

static void quoted_csv_keeps_commas_quotes_and_newlines(void **state)
{
	(void)state;
	struct record_set s;
	const char *data = "\xEF\xBB\xBFid,subject,description\r\n"
	                   "7,\"Refund, partial\",\"He said \"\"no\"\"\r\nthen left\"\r\n"
	                   "8,Plain,\"Line one\nLine two\"\r\n"
	                   "9,Last,No newline at end";
	assert_true(parse(RECORDS_CSV, data, NULL, &s));
	assert_int_equal(s.n, 3);
	assert_string_equal(s.items[0].id, "7");
	assert_string_equal(s.items[0].title, "Refund, partial");
	assert_string_equal(s.items[0].body, "He said \"no\"\nthen left");
	assert_int_equal(s.items[0].line, 2);
	assert_string_equal(s.items[1].body, "Line one\nLine two");
	assert_int_equal(s.items[1].line, 4);
	assert_string_equal(s.items[2].body, "No newline at end");
	assert_int_equal(s.items[2].line, 6);
	assert_int_equal(s.malformed, 0);
	record_set_free(&s);
}

static void a_conversation_body_is_joined_as_paragraphs(void **state)
{
	(void)state;
	struct record_set s;
	const char *data = "{\"conversation_id\": \"c-1\", \"messages\": 1, \"body\": [\"Hi, my card fails.\","
	                   " {\"author\": \"agent\", \"body\": \"Which card?\"}, {\"text\": \"The Visa.\"}, 5]}\n";
	assert_true(parse(RECORDS_JSONL, data, NULL, &s));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.items[0].id, "c-1");
	assert_null(s.items[0].title);
	assert_string_equal(s.items[0].body, "Hi, my card fails.\n\nWhich card?\n\nThe Visa.");
	size_t len;
	char *text = record_text(&s.items[0], &len);
	assert_string_equal(text, "# c-1\n\nTicket c-1\n\nHi, my card fails.\n\nWhich card?\n\nThe Visa.\n");
	free(text);
	record_set_free(&s);
}

static void ids_are_made_fit_for_a_path(void **state)
{
	(void)state;
	struct record_set s;
	char data[512];
	char long_id[160];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	snprintf(data, sizeof data,
	         "{\"subject\": \"no id\", \"body\": \"a\"}\n"
	         "{\"id\": \"A#1\\u0007\\nB\", \"body\": \"b\"}\n"
	         "{\"id\": \"%s\", \"body\": \"c\"}\n"
	         "{\"id\": \"  \", \"body\": \"d\"}\n",
	         long_id);
	assert_true(parse(RECORDS_JSONL, data, NULL, &s));
	assert_int_equal(s.n, 4);
	assert_string_equal(s.items[0].id, "line 1");
	assert_string_equal(s.items[1].id, "A_1 B");
	assert_int_equal(strlen(s.items[2].id), RECORD_ID_MAX);
	assert_string_equal(s.items[3].id, "line 4");
	record_set_free(&s);
}

static void a_later_record_with_the_same_id_wins(void **state)
{
	(void)state;
	struct record_set s;
	const char *data = "{\"id\": 1, \"body\": \"first\"}\n"
	                   "{\"id\": 2, \"body\": \"two\"}\n"
	                   "{\"id\": 1, \"body\": \"second\"}\n"
	                   "{\"id\": 1, \"body\": \"third\"}\n";
	assert_true(parse(RECORDS_JSONL, data, NULL, &s));
	assert_int_equal(s.n, 2);
	assert_int_equal(s.duplicates, 2);
	assert_string_equal(s.items[0].id, "2");
	assert_string_equal(s.items[1].id, "1");
	assert_string_equal(s.items[1].body, "third");
	char note[200];
	records_note(&s, note, sizeof note);
	assert_string_equal(note, "2 duplicate ids (the later record kept)");
	record_set_free(&s);
}

static void malformed_lines_are_counted_with_their_numbers(void **state)
{
	(void)state;
	struct record_set s;
	const char *data = "{\"id\": 1, \"body\": \"ok\"}\n"
	                   "{\"id\": 2, \"body\": \"cut\n"
	                   "[1, 2]\n"
	                   "{\"id\": 3, \"body\": \"ok\"}\r\n";
	assert_true(parse(RECORDS_JSONL, data, NULL, &s));
	assert_int_equal(s.n, 2);
	assert_int_equal(s.malformed, 2);
	assert_int_equal(s.malformed_lines[0], 2);
	assert_int_equal(s.malformed_lines[1], 3);
	char note[200];
	records_note(&s, note, sizeof note);
	assert_string_equal(note, "2 malformed records skipped (lines 2, 3)");
	record_set_free(&s);

	const char *csv = "id,body\n1,ok\n2,too,many\n\"3,open quote\n";
	assert_true(parse(RECORDS_CSV, csv, NULL, &s));
	assert_int_equal(s.n, 1);
	assert_int_equal(s.malformed, 2);
	assert_int_equal(s.malformed_lines[0], 3);
	assert_int_equal(s.malformed_lines[1], 4);
	record_set_free(&s);
}

static void a_data_file_without_a_body_is_no_record_file(void **state)
{
	(void)state;
	struct record_set s;
	assert_false(parse(RECORDS_JSONL, "{\"id\": 1, \"price\": 3.5}\n{\"id\": 2, \"body\": \"x\"}\n", NULL, &s));
	assert_int_equal(s.n, 0);
	assert_false(parse(RECORDS_CSV, "id,price,qty\n1,3.5,2\n", NULL, &s));
	assert_false(parse(RECORDS_JSONL, "not json\n", NULL, &s));
	assert_false(parse(RECORDS_CSV, "", NULL, &s));
	assert_false(parse(RECORDS_JSONL, "[{\"body\": \"an array\"}]\n", NULL, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_comes_from_the_extension),
		cmocka_unit_test(zendesk_jsonl_uses_the_default_fields),
		cmocka_unit_test(numbers_as_ids_are_integers),
		cmocka_unit_test(jira_csv_uses_the_default_fields),
		cmocka_unit_test(configured_names_replace_the_defaults),
		cmocka_unit_test(quoted_csv_keeps_commas_quotes_and_newlines),
		cmocka_unit_test(a_conversation_body_is_joined_as_paragraphs),
		cmocka_unit_test(ids_are_made_fit_for_a_path),
		cmocka_unit_test(a_later_record_with_the_same_id_wins),
		cmocka_unit_test(malformed_lines_are_counted_with_their_numbers),
		cmocka_unit_test(a_data_file_without_a_body_is_no_record_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
