#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/session.h"
#include "store/store.h"
#include "store/store_int.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	strcpy(f->dir, "/tmp/rdsessionXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	if (store_open(f->path, &f->s, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(&f->s);
	unlink(f->path);
	char aux[160];
	snprintf(aux, sizeof aux, "%s-wal", f->path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", f->path);
	unlink(aux);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_last_of_empty_store_is_zero(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t id = 42;
	assert_int_equal(session_last(f->s, &id, err, sizeof err), 0);
	assert_int_equal(id, 0);
	struct session_row *rows = NULL;
	size_t n = 7;
	assert_int_equal(session_list(f->s, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_null(rows);
}

static void test_messages_come_back_in_order_with_roles(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t id = 0, m1 = 0, m2 = 0;
	assert_int_equal(session_create(f->s, NULL, &id, err, sizeof err), 0);
	assert_true(id > 0);
	assert_int_equal(session_message_append(f->s, id, false, "What is WAL?", 12, 0, &m1, err, sizeof err), 0);
	assert_int_equal(session_message_append(f->s, id, true, "Write-ahead log [1].xx", 20, 0, &m2, err, sizeof err), 0);
	assert_true(m2 > m1);
	struct session_msg *msgs = NULL;
	size_t n = 0;
	assert_int_equal(session_messages(f->s, id, &msgs, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_false(msgs[0].assistant);
	assert_string_equal(msgs[0].content, "What is WAL?");
	assert_true(msgs[1].assistant);
	assert_string_equal(msgs[1].content, "Write-ahead log [1].");
	assert_int_equal(msgs[1].query_id, 0);
	session_msgs_free(msgs, n);
}

static void test_touch_names_an_untitled_session_once(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t id = 0;
	assert_int_equal(session_create(f->s, "", &id, err, sizeof err), 0);
	assert_int_equal(session_touch(f->s, id, "first question", err, sizeof err), 0);
	assert_int_equal(session_touch(f->s, id, "second question", err, sizeof err), 0);
	struct session_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(session_list(f->s, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].title, "first question");
	assert_int_equal(rows[0].n_messages, 0);
	session_rows_free(rows, n);
}

static void test_long_title_is_cut_at_a_character_boundary(void **state)
{
	struct fixture *f = *state;
	char err[256], title[200];
	int64_t id = 0;
	/* 79 ASCII bytes then a 3-byte character straddling byte 80. */
	memset(title, 'a', 79);
	strcpy(title + 79, "\xe2\x82\xac tail");
	assert_int_equal(session_create(f->s, NULL, &id, err, sizeof err), 0);
	assert_int_equal(session_touch(f->s, id, title, err, sizeof err), 0);
	struct session_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(session_list(f->s, &rows, &n, err, sizeof err), 0);
	assert_int_equal(strlen(rows[0].title), 79);
	session_rows_free(rows, n);
}

static void test_last_is_the_most_recently_created(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t a = 0, b = 0, last = 0;
	assert_int_equal(session_create(f->s, "a", &a, err, sizeof err), 0);
	assert_int_equal(session_create(f->s, "b", &b, err, sizeof err), 0);
	assert_int_equal(session_last(f->s, &last, err, sizeof err), 0);
	assert_int_equal(last, b);
	struct session_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(session_list(f->s, &rows, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, b);
	assert_int_equal(rows[1].id, a);
	session_rows_free(rows, n);
}

static void test_feedback_mark_replaces_earlier_mark_of_same_chunk(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct session_feedback fb = {
		.chunk_id = 9, .document_path = "kb/wal.md", .line_start = 3, .line_end = 8,
		.question = "What is WAL?", .relevant = true,
	};
	assert_int_equal(session_feedback_put(f->s, &fb, err, sizeof err), 0);
	fb.relevant = false;
	assert_int_equal(session_feedback_put(f->s, &fb, err, sizeof err), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM feedback"), 1);
	assert_int_equal(count(f->s, "SELECT relevant FROM feedback WHERE chunk_id = 9"), 0);
	assert_int_equal(count(f->s, "SELECT line_end FROM feedback"), 8);
	fb.question = "Another question";
	assert_int_equal(session_feedback_put(f->s, &fb, err, sizeof err), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM feedback"), 2);
}

static void test_message_in_missing_session_fails_with_message(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	assert_int_equal(session_message_append(f->s, 999, false, "x", 1, 0, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot save the message"));
}

/* An answer asked again stays, marked replaced, and comes back so with
 * its approval; a user message cannot be marked. */
static void test_replaced_answer_stays_marked_with_its_approval(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t id = 0, q = 0, old = 0, newer = 0;
	assert_int_equal(session_create(f->s, NULL, &id, err, sizeof err), 0);
	assert_int_equal(session_message_append(f->s, id, false, "Port?", 5, 0, &q, err, sizeof err), 0);
	assert_int_equal(session_message_append(f->s, id, true, "7443", 4, 0, &old, err, sizeof err), 0);
	assert_int_equal(session_message_approve(f->s, old, true, err, sizeof err), 0);
	assert_int_equal(session_message_replace(f->s, old, err, sizeof err), 0);
	assert_int_equal(session_message_replace(f->s, q, err, sizeof err), 0);
	assert_int_equal(session_message_append(f->s, id, true, "Port 7443.", 10, 0, &newer, err, sizeof err), 0);
	struct session_msg *msgs = NULL;
	size_t n = 0;
	assert_int_equal(session_messages(f->s, id, &msgs, &n, err, sizeof err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(msgs[1].id, old);
	assert_false(msgs[0].replaced);
	assert_true(msgs[1].replaced);
	assert_true(msgs[1].approved);
	assert_false(msgs[2].replaced);
	assert_false(msgs[2].approved);
	session_msgs_free(msgs, n);
}

/* A version 6 database (messages without replaced) upgrades: its
 * messages are kept, none of them replaced. */
static void test_version_6_messages_upgrade_unreplaced(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t id = 0;
	assert_int_equal(session_create(f->s, NULL, &id, err, sizeof err), 0);
	assert_int_equal(session_message_append(f->s, id, true, "kept", 4, 0, NULL, err, sizeof err), 0);
	assert_int_equal(sqlite3_exec(store_db(f->s), "ALTER TABLE messages DROP COLUMN replaced;"
	                              "ALTER TABLE collections DROP COLUMN vec_generation; DROP INDEX documents_by_status;"
	                              "ALTER TABLE chunks DROP COLUMN page_start; ALTER TABLE chunks DROP COLUMN page_end;"
	                              "ALTER TABLE queries DROP COLUMN unsupported_sentences; DROP TABLE judge_verdicts;"
	                              "PRAGMA user_version = 6;", NULL, NULL, NULL), SQLITE_OK);
	store_close(&f->s);
	assert_int_equal(store_open(f->path, &f->s, err, sizeof err), 0);
	assert_int_equal(count(f->s, "PRAGMA user_version"), 11);
	assert_int_equal(count(f->s, "SELECT count(*) FROM messages WHERE content = 'kept' AND replaced = 0"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_last_of_empty_store_is_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_come_back_in_order_with_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touch_names_an_untitled_session_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_title_is_cut_at_a_character_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_is_the_most_recently_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback_mark_replaces_earlier_mark_of_same_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_in_missing_session_fails_with_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_answer_stays_marked_with_its_approval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_6_messages_upgrade_unreplaced, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
