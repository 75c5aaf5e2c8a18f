/* Unit tests for tui/ui/lineedit: editing, history and its file, reverse
 * search, views. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/strbuf.h"
#include "tui/ui/lineedit.h"

#define E_ACUTE "e\xcc\x81"        /* e + combining acute: one cluster */
#define NICHI "\xe6\x97\xa5"       /* 日: two columns */

static struct lineedit *with_text(const char *s)
{
	struct lineedit *le = lineedit_new(0);
	lineedit_insert(le, s, strlen(s));
	return le;
}

static void insert_puts_cursor_after_the_text(void **state)
{
	(void)state;
	struct lineedit *le = with_text("held");
	assert_true(lineedit_left(le));
	assert_true(lineedit_insert(le, "l", 1));
	assert_string_equal(lineedit_text(le, NULL), "helld");
	lineedit_end(le);
	lineedit_delete_back(le);
	lineedit_insert(le, "o", 1);
	size_t len;
	assert_string_equal(lineedit_text(le, &len), "hello");
	assert_int_equal(len, 5);
	assert_int_equal(lineedit_cursor(le), 5);
	assert_false(lineedit_insert(le, "", 0));
	lineedit_free(&le);
	assert_null(le);
}

static void cursor_moves_and_deletes_whole_clusters(void **state)
{
	(void)state;
	struct lineedit *le = with_text("a" E_ACUTE NICHI);
	assert_int_equal(lineedit_cursor(le), 7);
	assert_true(lineedit_left(le));
	assert_int_equal(lineedit_cursor(le), 4);
	assert_true(lineedit_left(le));
	assert_int_equal(lineedit_cursor(le), 1);
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_cursor(le), 4);
	assert_true(lineedit_delete_back(le));
	assert_string_equal(lineedit_text(le, NULL), "a" NICHI);
	assert_int_equal(lineedit_cursor(le), 1);
	assert_true(lineedit_delete_forward(le));
	assert_string_equal(lineedit_text(le, NULL), "a");
	assert_false(lineedit_delete_forward(le));
	assert_true(lineedit_home(le));
	assert_false(lineedit_left(le));
	assert_false(lineedit_delete_back(le));
	lineedit_free(&le);
}

static void insert_cleans_controls_and_expands_tabs(void **state)
{
	(void)state;
	struct lineedit *le = with_text("a\x1b[31mb\tc\r\nd\xff");
	assert_string_equal(lineedit_text(le, NULL), "a\xef\xbf\xbd" "b    c\nd\xef\xbf\xbd");
	lineedit_set(le, "x\ty", 3);
	assert_string_equal(lineedit_text(le, NULL), "x    y");
	assert_int_equal(lineedit_cursor(le), 6);
	lineedit_free(&le);
}

static void home_and_end_stay_on_the_current_line(void **state)
{
	(void)state;
	struct lineedit *le = with_text("ab\ncd\nef");
	lineedit_left(le);
	lineedit_left(le);
	lineedit_left(le);
	assert_int_equal(lineedit_cursor(le), 5);
	assert_true(lineedit_home(le));
	assert_int_equal(lineedit_cursor(le), 3);
	assert_true(lineedit_end(le));
	assert_int_equal(lineedit_cursor(le), 5);
	assert_false(lineedit_end(le));
	lineedit_free(&le);
}

static void word_jumps_skip_punctuation_and_blanks(void **state)
{
	(void)state;
	/* "hello, w\xc3\xb6rld  foo": words at 0-5, 7-13, 15-18 */
	struct lineedit *le = with_text("hello, w\xc3\xb6rld  foo");
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 15);
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 7);
	assert_true(lineedit_word_left(le));
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_word_left(le));
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 5);
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 13);
	assert_true(lineedit_word_right(le));
	assert_int_equal(lineedit_cursor(le), 18);
	assert_false(lineedit_word_right(le));
	lineedit_free(&le);
}

static void kills_fill_the_kill_buffer_and_yank_inserts_it(void **state)
{
	(void)state;
	struct lineedit *le = with_text("one two/three  ");
	assert_true(lineedit_kill_word_back(le));
	assert_string_equal(lineedit_text(le, NULL), "one ");
	assert_true(lineedit_yank(le));
	assert_string_equal(lineedit_text(le, NULL), "one two/three  ");

	lineedit_set(le, "first\nsecond", 12);
	lineedit_up(le);
	assert_int_equal(lineedit_cursor(le), 5);
	lineedit_left(le);
	lineedit_left(le);
	assert_true(lineedit_kill_to_end(le));
	assert_string_equal(lineedit_text(le, NULL), "fir\nsecond");
	assert_true(lineedit_kill_to_end(le));   /* at the end of a line: joins */
	assert_string_equal(lineedit_text(le, NULL), "firsecond");
	assert_true(lineedit_kill_to_start(le));
	assert_string_equal(lineedit_text(le, NULL), "second");
	assert_int_equal(lineedit_cursor(le), 0);
	assert_false(lineedit_kill_to_start(le));
	lineedit_end(le);
	assert_true(lineedit_yank(le));
	assert_string_equal(lineedit_text(le, NULL), "secondfir");
	lineedit_free(&le);
}

static void submit(struct lineedit *le, const char *s)
{
	lineedit_set(le, s, strlen(s));
	free(lineedit_submit(le));
}

static void history_browsing_keeps_the_draft(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(0);
	submit(le, "one");
	submit(le, "two");
	lineedit_insert(le, "dra", 3);
	assert_true(lineedit_history_prev(le));
	assert_string_equal(lineedit_text(le, NULL), "two");
	lineedit_insert(le, "!", 1);          /* dropped when moving on */
	assert_true(lineedit_history_prev(le));
	assert_string_equal(lineedit_text(le, NULL), "one");
	assert_false(lineedit_history_prev(le));
	assert_true(lineedit_history_next(le));
	assert_string_equal(lineedit_text(le, NULL), "two");
	assert_true(lineedit_history_next(le));
	assert_string_equal(lineedit_text(le, NULL), "dra");
	assert_int_equal(lineedit_cursor(le), 3);
	assert_false(lineedit_history_next(le));
	lineedit_free(&le);
}

static void submit_skips_blank_and_repeated_entries(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(3);
	char *text;
	lineedit_insert(le, "ask\nthis", 8);
	text = lineedit_submit(le);
	assert_string_equal(text, "ask\nthis");
	free(text);
	assert_string_equal(lineedit_text(le, NULL), "");
	assert_int_equal(lineedit_cursor(le), 0);
	submit(le, "ask\nthis");
	submit(le, "  \n ");
	text = lineedit_submit(le);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(lineedit_history_count(le), 1);
	submit(le, "b");
	submit(le, "c");
	submit(le, "d");
	assert_int_equal(lineedit_history_count(le), 3);
	assert_string_equal(lineedit_history_entry(le, 0), "b");
	assert_string_equal(lineedit_history_entry(le, 2), "d");
	assert_null(lineedit_history_entry(le, 3));
	lineedit_free(&le);
}

static void up_and_down_move_by_line_then_browse_history(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(0);
	submit(le, "old");
	lineedit_insert(le, NICHI "bc\nde\nlonger", 15);
	lineedit_up(le);
	lineedit_up(le);
	lineedit_end(le);
	assert_int_equal(lineedit_cursor(le), 5);
	assert_true(lineedit_down(le));          /* column 4 -> end of "de" */
	assert_int_equal(lineedit_cursor(le), 8);
	assert_true(lineedit_down(le));          /* column 2 of "longer" */
	assert_int_equal(lineedit_cursor(le), 11);
	lineedit_home(le);
	lineedit_right(le);
	assert_true(lineedit_up(le));            /* column 1 of "de" */
	assert_int_equal(lineedit_cursor(le), 7);
	assert_true(lineedit_up(le));            /* column 1 is inside 日: before it */
	assert_int_equal(lineedit_cursor(le), 0);
	assert_true(lineedit_up(le));            /* first line: history */
	assert_string_equal(lineedit_text(le, NULL), "old");
	assert_true(lineedit_down(le));
	assert_string_equal(lineedit_text(le, NULL), NICHI "bc\nde\nlonger");
	assert_false(lineedit_down(le));
	lineedit_free(&le);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void history_file_round_trips_with_escapes_and_mode_0600(void **state)
{
	(void)state;
	char dir[] = "/tmp/ragdeck-lineedit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], sub[96];
	snprintf(sub, sizeof(sub), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/history", sub);
	char err[256] = "";

	struct lineedit *le = lineedit_new(0);
	submit(le, "plain");
	submit(le, "two\nlines");
	submit(le, "back\\slash\\n");
	assert_int_equal(lineedit_history_save(le, path, err, sizeof(err)), 0);
	assert_string_equal(read_all(path), "plain\ntwo\\nlines\nback\\\\slash\\\\n\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	struct lineedit *again = lineedit_new(0);
	assert_int_equal(lineedit_history_load(again, path, err, sizeof(err)), 0);
	assert_int_equal(lineedit_history_count(again), 3);
	assert_string_equal(lineedit_history_entry(again, 1), "two\nlines");
	assert_string_equal(lineedit_history_entry(again, 2), "back\\slash\\n");
	assert_true(lineedit_history_prev(again));
	assert_string_equal(lineedit_text(again, NULL), "back\\slash\\n");

	struct lineedit *small = lineedit_new(2);
	assert_int_equal(lineedit_history_load(small, path, err, sizeof(err)), 0);
	assert_int_equal(lineedit_history_count(small), 2);
	assert_string_equal(lineedit_history_entry(small, 0), "two\nlines");

	unlink(path);
	assert_int_equal(lineedit_history_load(small, path, err, sizeof(err)), 0);
	assert_int_equal(lineedit_history_count(small), 0);
	rmdir(sub);
	rmdir(dir);
	lineedit_free(&le);
	lineedit_free(&again);
	lineedit_free(&small);
}

static void history_errors_name_the_file(void **state)
{
	(void)state;
	char err[256] = "";
	struct lineedit *le = lineedit_new(0);
	assert_int_equal(lineedit_history_load(le, "/tmp", err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: cannot read history: Is a directory");
	submit(le, "x");
	assert_int_equal(lineedit_history_save(le, "/proc/ragdeck-no/history", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/proc/ragdeck-no"));
	lineedit_free(&le);
}

static void line_view_scrolls_to_keep_the_cursor_visible(void **state)
{
	(void)state;
	struct lineedit *le = with_text("abcdefghij");
	struct lineedit_view v;
	lineedit_view_line(le, 5, &v);
	assert_int_equal(v.off, 6);
	assert_int_equal(v.len, 4);
	assert_int_equal(v.cursor_col, 4);
	lineedit_home(le);
	lineedit_view_line(le, 5, &v);
	assert_int_equal(v.off, 0);
	assert_int_equal(v.len, 5);
	assert_int_equal(v.cursor_col, 0);
	lineedit_end(le);
	lineedit_view_line(le, 5, &v);
	lineedit_left(le);
	lineedit_left(le);
	lineedit_view_line(le, 5, &v);      /* off the end: the view fills up */
	assert_int_equal(v.off, 5);
	assert_int_equal(v.len, 5);
	assert_int_equal(v.cursor_col, 3);
	lineedit_end(le);
	for (int i = 0; i < 5; i++)
		lineedit_delete_back(le);
	lineedit_view_line(le, 5, &v);      /* shrunk: scrolls back to fill */
	assert_int_equal(v.off, 1);
	assert_int_equal(v.len, 4);
	assert_int_equal(v.cursor_col, 4);

	lineedit_set(le, NICHI NICHI NICHI, 9);
	lineedit_view_line(le, 4, &v);
	assert_int_equal(v.off, 6);
	assert_int_equal(v.len, 3);
	assert_int_equal(v.cursor_col, 2);
	lineedit_view_line(le, 0, &v);
	assert_int_equal(v.off, 9);
	assert_int_equal(v.cursor_col, 0);
	lineedit_free(&le);
}

static void rows_view_wraps_each_line_at_the_width(void **state)
{
	(void)state;
	struct lineedit *le = with_text("abcdef\nxy");
	size_t n, row;
	unsigned col;
	const struct lineedit_row *r = lineedit_view_rows(le, 4, &n, &row, &col);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].off, 0);
	assert_int_equal(r[0].len, 4);
	assert_int_equal(r[0].cols, 4);
	assert_int_equal(r[1].off, 4);
	assert_int_equal(r[1].len, 2);
	assert_int_equal(r[2].off, 7);
	assert_int_equal(r[2].len, 2);
	assert_int_equal(row, 2);
	assert_int_equal(col, 2);

	lineedit_up(le);
	lineedit_home(le);
	for (int i = 0; i < 4; i++)
		lineedit_right(le);
	r = lineedit_view_rows(le, 4, &n, &row, &col);
	assert_int_equal(row, 1);
	assert_int_equal(col, 0);

	lineedit_set(le, "abcd", 4);
	r = lineedit_view_rows(le, 4, &n, &row, &col);
	assert_int_equal(n, 2);              /* the cursor gets a row of its own */
	assert_int_equal(r[1].off, 4);
	assert_int_equal(r[1].len, 0);
	assert_int_equal(row, 1);
	assert_int_equal(col, 0);

	lineedit_set(le, E_ACUTE E_ACUTE E_ACUTE "\n\n" NICHI NICHI, 17);
	r = lineedit_view_rows(le, 3, &n, &row, &col);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].len, 9);
	assert_int_equal(r[0].cols, 3);
	assert_int_equal(r[1].len, 0);
	assert_int_equal(r[2].len, 3);
	assert_int_equal(r[3].len, 3);
	assert_int_equal(row, 3);
	assert_int_equal(col, 2);

	lineedit_set(le, "", 0);
	r = lineedit_view_rows(le, 10, &n, &row, &col);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].len, 0);
	assert_int_equal(row, 0);
	lineedit_free(&le);
}

#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" \
               "\xe2\x80\x8d\xf0\x9f\x91\xa6"   /* 25 bytes, 8 columns */
#define FLAG_FR "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"   /* 8 bytes, 2 columns */
#define THUMB_SKIN "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" /* 8 bytes, 4 columns */

/* Emoji sequences are one cluster each for the cursor, and the rows and
 * the cursor column count the columns a terminal draws them in. */
static void emoji_sequences_move_as_one_and_take_their_columns(void **state)
{
	(void)state;
	struct lineedit *le = with_text("a" FAMILY FLAG_FR THUMB_SKIN "b");
	static const size_t stops[] = { 43, 42, 34, 26, 1, 0 };
	assert_int_equal(lineedit_cursor(le), stops[0]);
	for (size_t i = 1; i < sizeof stops / sizeof stops[0]; i++) {
		assert_true(lineedit_left(le));
		assert_int_equal(lineedit_cursor(le), stops[i]);
	}
	assert_true(lineedit_right(le));
	assert_true(lineedit_right(le));
	assert_int_equal(lineedit_cursor(le), 26);
	size_t n, row;
	unsigned col;
	const struct lineedit_row *r = lineedit_view_rows(le, 10, &n, &row, &col);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].len, 26);
	assert_int_equal(r[0].cols, 9);
	assert_int_equal(r[1].cols, 7);
	assert_int_equal(row, 1);
	assert_int_equal(col, 0);
	assert_true(lineedit_delete_back(le));
	assert_string_equal(lineedit_text(le, NULL), "a" FLAG_FR THUMB_SKIN "b");
	lineedit_end(le);
	r = lineedit_view_rows(le, 10, &n, &row, &col);
	assert_int_equal(n, 1);
	assert_int_equal(col, 8);
	lineedit_free(&le);
}

/* --- reverse search (Ctrl-R) ---------------------------------------------- */

/* A history of questions, newest last, and "draft" typed in the buffer
 * with the cursor after "dr". */
static struct lineedit *with_questions(void)
{
	struct lineedit *le = lineedit_new(0);
	submit(le, "How do refunds work?");
	submit(le, "What port does the agent use?");
	submit(le, "Refund window on annual plans");
	submit(le, "unrelated");
	lineedit_insert(le, "draft", 5);
	for (int i = 0; i < 3; i++)
		lineedit_left(le);
	return le;
}

/* Type s into the search a character (byte) at a time. */
static void type(struct lineedit *le, const char *s)
{
	for (; *s; s++)
		lineedit_search_insert(le, s, 1);
}

static const char *prompt_of(const struct lineedit *le)
{
	static struct strbuf sb = STRBUF_INIT;
	sb_reset(&sb);
	lineedit_search_prompt(le, &sb);
	return sb_str(&sb);
}

static void search_narrows_to_the_newest_entry_holding_the_query(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	assert_string_equal(prompt_of(le), "");
	lineedit_search_start(le);
	assert_true(lineedit_search_active(le));
	assert_string_equal(prompt_of(le), "(reverse-i-search)'': ");
	assert_string_equal(lineedit_text(le, NULL), "draft");   /* nothing typed: the line stays */
	lineedit_search_insert(le, "r", 1);
	assert_string_equal(lineedit_text(le, NULL), "unrelated");
	assert_int_equal(lineedit_cursor(le), 2);
	lineedit_search_insert(le, "E", 1);                      /* case is ignored */
	assert_string_equal(lineedit_text(le, NULL), "unrelated");
	lineedit_search_insert(le, "f", 1);
	assert_string_equal(lineedit_text(le, NULL), "Refund window on annual plans");
	assert_int_equal(lineedit_cursor(le), 0);
	assert_string_equal(prompt_of(le), "(reverse-i-search)'rEf': ");
	lineedit_search_insert(le, "unds", 4);
	assert_string_equal(lineedit_text(le, NULL), "How do refunds work?");
	assert_int_equal(lineedit_cursor(le), 7);
	lineedit_free(&le);
}

static void search_again_goes_to_older_matches_skipping_repeats(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(0);
	submit(le, "port a");
	submit(le, "port b");
	submit(le, "other");
	submit(le, "port b");
	lineedit_search_start(le);
	lineedit_search_insert(le, "PORT", 4);
	assert_string_equal(lineedit_text(le, NULL), "port b");
	lineedit_search_older(le);                   /* the same text again is passed over */
	assert_string_equal(lineedit_text(le, NULL), "port a");
	assert_string_equal(prompt_of(le), "(reverse-i-search)'PORT': ");
	lineedit_search_older(le);                   /* nothing older: failed, the match stays */
	assert_string_equal(lineedit_text(le, NULL), "port a");
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'PORT': ");
	lineedit_search_start(le);                   /* Ctrl-R while searching: older again */
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'PORT': ");
	lineedit_free(&le);
}

static void search_without_a_match_fails_and_keeps_the_line(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	lineedit_search_start(le);
	lineedit_search_insert(le, "quokka", 6);
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'quokka': ");
	assert_string_equal(lineedit_text(le, NULL), "draft");
	lineedit_search_insert(le, "s", 1);
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'quokkas': ");
	lineedit_search_accept(le);
	assert_false(lineedit_search_active(le));
	assert_string_equal(lineedit_text(le, NULL), "draft");
	assert_false(lineedit_history_next(le));     /* not browsing the history */
	lineedit_free(&le);

	struct lineedit *empty = lineedit_new(0);
	lineedit_search_start(empty);
	lineedit_search_insert(empty, "a", 1);
	assert_string_equal(prompt_of(empty), "(failed reverse-i-search)'a': ");
	lineedit_free(&empty);
}

static void backspace_shortens_the_query_and_searches_from_the_newest(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	lineedit_search_start(le);
	assert_false(lineedit_search_back(le));      /* nothing to shorten */
	type(le, "refunx");
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'refunx': ");
	assert_string_equal(lineedit_text(le, NULL), "Refund window on annual plans");
	assert_true(lineedit_search_back(le));
	assert_string_equal(prompt_of(le), "(reverse-i-search)'refun': ");
	assert_string_equal(lineedit_text(le, NULL), "Refund window on annual plans");
	lineedit_search_older(le);
	assert_string_equal(lineedit_text(le, NULL), "How do refunds work?");
	assert_true(lineedit_search_back(le));       /* "refu": the newest holding it again */
	assert_string_equal(lineedit_text(le, NULL), "Refund window on annual plans");
	for (int i = 0; i < 3; i++)
		assert_true(lineedit_search_back(le));
	assert_string_equal(lineedit_text(le, NULL), "unrelated");   /* "r" */
	assert_true(lineedit_search_back(le));
	assert_string_equal(prompt_of(le), "(reverse-i-search)'': ");
	assert_string_equal(lineedit_text(le, NULL), "draft");       /* the line it started with */
	assert_int_equal(lineedit_cursor(le), 2);
	assert_false(lineedit_search_back(le));
	type(le, "unr");                             /* typed after a deletion: from the newest */
	assert_string_equal(lineedit_text(le, NULL), "unrelated");
	for (int i = 0; i < 3; i++)
		lineedit_search_back(le);

	lineedit_search_insert(le, NICHI "x", 4);     /* a wide character goes whole */
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'" NICHI "x': ");
	lineedit_search_back(le);
	lineedit_search_back(le);
	assert_string_equal(prompt_of(le), "(reverse-i-search)'': ");
	lineedit_free(&le);
}

static void cancel_restores_the_line_and_its_cursor(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	lineedit_search_start(le);
	lineedit_search_insert(le, "port", 4);
	assert_string_equal(lineedit_text(le, NULL), "What port does the agent use?");
	lineedit_search_cancel(le);
	assert_false(lineedit_search_active(le));
	assert_string_equal(prompt_of(le), "");
	assert_string_equal(lineedit_text(le, NULL), "draft");
	assert_int_equal(lineedit_cursor(le), 2);
	lineedit_search_cancel(le);                  /* no search on: nothing happens */
	assert_string_equal(lineedit_text(le, NULL), "draft");
	lineedit_free(&le);
}

static void accept_keeps_the_match_and_history_goes_on_from_it(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	lineedit_search_start(le);
	lineedit_search_insert(le, "port", 4);
	lineedit_search_accept(le);
	assert_false(lineedit_search_active(le));
	assert_string_equal(lineedit_text(le, NULL), "What port does the agent use?");
	assert_int_equal(lineedit_cursor(le), 5);    /* where the query starts */
	assert_true(lineedit_history_prev(le));
	assert_string_equal(lineedit_text(le, NULL), "How do refunds work?");
	assert_true(lineedit_history_next(le));
	assert_true(lineedit_history_next(le));
	assert_true(lineedit_history_next(le));
	assert_true(lineedit_history_next(le));      /* past the newest: the line typed before */
	assert_string_equal(lineedit_text(le, NULL), "draft");

	lineedit_search_start(le);                   /* Ctrl-R on an empty query: the last one */
	lineedit_search_older(le);
	assert_string_equal(prompt_of(le), "(reverse-i-search)'port': ");
	assert_string_equal(lineedit_text(le, NULL), "What port does the agent use?");
	char *sent = lineedit_submit(le);            /* sending accepts the search */
	assert_string_equal(sent, "What port does the agent use?");
	free(sent);
	assert_false(lineedit_search_active(le));
	assert_int_equal(lineedit_history_count(le), 5);
	lineedit_free(&le);
}

#define E_ACUTE_UPPER "\xc3\x89"   /* É */
#define E_ACUTE_LOWER "\xc3\xa9"   /* é */

/* Case is ignored per code point beyond ASCII; the query is sanitized. */
static void search_ignores_case_of_any_letter_and_cleans_the_query(void **state)
{
	(void)state;
	struct lineedit *le = lineedit_new(0);
	submit(le, "Caf" E_ACUTE_UPPER " hours");
	submit(le, "plain");
	lineedit_search_start(le);
	lineedit_search_insert(le, "CAF" E_ACUTE_LOWER, 5);
	assert_string_equal(lineedit_text(le, NULL), "Caf" E_ACUTE_UPPER " hours");
	lineedit_search_cancel(le);
	lineedit_search_start(le);
	lineedit_search_insert(le, "p\x1b]0;owned\x07", 11);
	assert_string_equal(prompt_of(le), "(failed reverse-i-search)'p\xef\xbf\xbd': ");
	assert_null(strchr(prompt_of(le), '\x1b'));
	lineedit_free(&le);
}

static void recall_replaces_the_line_and_keeps_the_old_one_to_yank(void **state)
{
	(void)state;
	struct lineedit *le = with_questions();
	assert_true(lineedit_history_prev(le));
	assert_string_equal(lineedit_text(le, NULL), "unrelated");
	assert_true(lineedit_recall(le, "What port?\x1b[2J", 14));
	assert_string_equal(lineedit_text(le, NULL), "What port?\xef\xbf\xbd");
	assert_int_equal(lineedit_cursor(le), 13);
	assert_false(lineedit_history_next(le));     /* browsing ended */
	lineedit_set(le, "", 0);
	assert_true(lineedit_yank(le));
	assert_string_equal(lineedit_text(le, NULL), "unrelated");
	lineedit_set(le, " ", 1);
	assert_false(lineedit_recall(le, "x", 1));   /* a blank line is not kept */
	lineedit_free(&le);
}

/* A history that does not exist yet is read from the fallback, once. */
static void history_load_or_reads_the_fallback_until_the_file_exists(void **state)
{
	(void)state;
	char dir[] = "/tmp/ragdeck-lineedit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], old[128], err[256] = "";
	snprintf(path, sizeof path, "%s/history-0123456789abcdef", dir);
	snprintf(old, sizeof old, "%s/history", dir);
	struct lineedit *le = lineedit_new(0);
	submit(le, "asked before");
	assert_int_equal(lineedit_history_save(le, old, err, sizeof err), 0);
	lineedit_free(&le);

	le = lineedit_new(0);
	assert_int_equal(lineedit_history_load_or(le, path, old, err, sizeof err), 0);
	assert_int_equal(lineedit_history_count(le), 1);
	assert_string_equal(lineedit_history_entry(le, 0), "asked before");
	submit(le, "asked here");
	assert_int_equal(lineedit_history_save(le, path, err, sizeof err), 0);
	unlink(old);
	assert_int_equal(lineedit_history_load_or(le, path, NULL, err, sizeof err), 0);
	assert_int_equal(lineedit_history_count(le), 2);

	struct lineedit *other = lineedit_new(0);
	submit(other, "elsewhere");
	assert_int_equal(lineedit_history_save(other, old, err, sizeof err), 0);
	assert_int_equal(lineedit_history_load_or(le, path, old, err, sizeof err), 0);
	assert_int_equal(lineedit_history_count(le), 2);   /* the file exists: no fallback */
	assert_string_equal(lineedit_history_entry(le, 1), "asked here");
	unlink(path);
	unlink(old);
	rmdir(dir);
	lineedit_free(&le);
	lineedit_free(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(insert_puts_cursor_after_the_text),
		cmocka_unit_test(cursor_moves_and_deletes_whole_clusters),
		cmocka_unit_test(insert_cleans_controls_and_expands_tabs),
		cmocka_unit_test(home_and_end_stay_on_the_current_line),
		cmocka_unit_test(word_jumps_skip_punctuation_and_blanks),
		cmocka_unit_test(kills_fill_the_kill_buffer_and_yank_inserts_it),
		cmocka_unit_test(history_browsing_keeps_the_draft),
		cmocka_unit_test(submit_skips_blank_and_repeated_entries),
		cmocka_unit_test(up_and_down_move_by_line_then_browse_history),
		cmocka_unit_test(history_file_round_trips_with_escapes_and_mode_0600),
		cmocka_unit_test(history_errors_name_the_file),
		cmocka_unit_test(line_view_scrolls_to_keep_the_cursor_visible),
		cmocka_unit_test(rows_view_wraps_each_line_at_the_width),
		cmocka_unit_test(emoji_sequences_move_as_one_and_take_their_columns),
		cmocka_unit_test(search_narrows_to_the_newest_entry_holding_the_query),
		cmocka_unit_test(search_again_goes_to_older_matches_skipping_repeats),
		cmocka_unit_test(search_without_a_match_fails_and_keeps_the_line),
		cmocka_unit_test(backspace_shortens_the_query_and_searches_from_the_newest),
		cmocka_unit_test(cancel_restores_the_line_and_its_cursor),
		cmocka_unit_test(accept_keeps_the_match_and_history_goes_on_from_it),
		cmocka_unit_test(search_ignores_case_of_any_letter_and_cleans_the_query),
		cmocka_unit_test(recall_replaces_the_line_and_keeps_the_old_one_to_yank),
		cmocka_unit_test(history_load_or_reads_the_fallback_until_the_file_exists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
