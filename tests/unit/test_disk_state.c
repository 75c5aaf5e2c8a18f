/* Unit tests for core/ingest/disk_state: a stored document's file against
 * what was ingested — same, touched, changed (size or bytes), missing, an
 * export's record checked through its file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/ingest/disk_state.h"
#include "core/util/hash.h"
#include "store/store.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* What ingest would have stored of path now, in format. */
static struct store_doc_state remember(const char *path, const char *text, const char *format)
{
	struct stat st;
	struct store_doc_state s = { 0 };
	assert_int_equal(stat(path, &st), 0);
	s.bytes = st.st_size;
	s.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	hash64_hex(text, strlen(text), s.content_hash);
	snprintf(s.format, sizeof s.format, "%s", format);
	return s;
}

static enum disk_state check(const char *path, const struct store_doc_state *s)
{
	return disk_state_of(path, s, NULL);
}

/* Set path's mtime to seconds since the epoch. */
static void set_mtime(const char *path, time_t t)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "touch -d @%lld '%s'", (long long)t, path);
	assert_int_equal(system(cmd), 0);
}

static void file_states_follow_the_bytes_not_the_mtime(void **state)
{
	(void)state;
	char dir[] = "/tmp/rddiskXXXXXX", path[256], rec[300];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a.md", dir);
	write_file(path, "# A\n\nfirst text\n");
	struct store_doc_state s = remember(path, "# A\n\nfirst text\n", "markdown");
	assert_int_equal(check(path, &s), DISK_SAME);
	assert_string_equal(disk_state_name(DISK_SAME), "");

	set_mtime(path, 1000000000);
	assert_int_equal(check(path, &s), DISK_SAME); /* touched only */

	write_file(path, "# A\n\nfirst tExt\n"); /* same size, other bytes */
	assert_int_equal(check(path, &s), DISK_CHANGED);
	write_file(path, "# A\n\nfirst text, longer\n");
	assert_int_equal(check(path, &s), DISK_CHANGED);
	assert_string_equal(disk_state_name(DISK_CHANGED), "stale");

	/* An export's record: checked through its file by size and mtime. */
	snprintf(rec, sizeof rec, "%s#T-7", path);
	struct store_doc_state r = remember(path, "# A\n\nfirst text, longer\n", "record");
	assert_int_equal(check(rec, &r), DISK_SAME);
	write_file(path, "# A\n\nother tickets now\n");
	assert_int_equal(check(rec, &r), DISK_CHANGED);
	/* Not a record: "a.md#T-7" is a file of its own, and there is none. */
	struct store_doc_state plain = r;
	snprintf(plain.format, sizeof plain.format, "markdown");
	assert_int_equal(check(rec, &plain), DISK_MISSING);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(check(path, &s), DISK_MISSING);
	assert_int_equal(check(rec, &r), DISK_MISSING);
	assert_string_equal(disk_state_name(DISK_MISSING), "deleted");
	assert_int_equal(rmdir(dir), 0);
}

/* A memo spares the reading while the file's size and mtime stay: the
 * bytes changed behind an unchanged mtime are not seen through it. */
static void a_memo_is_used_while_the_file_has_not_moved(void **state)
{
	(void)state;
	char dir[] = "/tmp/rddiskXXXXXX", path[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/b.md", dir);
	write_file(path, "same bytes\n");
	struct store_doc_state s = remember(path, "same bytes\n", "markdown");
	set_mtime(path, 1000000000);
	struct disk_memo memo = { 0 };
	assert_int_equal(disk_state_of(path, &s, &memo), DISK_SAME); /* read and hashed */
	assert_true(memo.valid);
	write_file(path, "SAME bytes\n");
	set_mtime(path, 1000000000);
	assert_int_equal(disk_state_of(path, &s, &memo), DISK_SAME);  /* from the memo */
	assert_int_equal(disk_state_of(path, &s, NULL), DISK_CHANGED); /* read again */
	set_mtime(path, 1000000001);
	assert_int_equal(disk_state_of(path, &s, &memo), DISK_CHANGED); /* moved: read */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_states_follow_the_bytes_not_the_mtime),
		cmocka_unit_test(a_memo_is_used_while_the_file_has_not_moved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
