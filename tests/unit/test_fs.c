/* Unit tests for core/util/fs: a file read whole, and the code of each way
 * a read fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util/fs.h"

static void write_file(const char *path, size_t bytes)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < bytes; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
}

static void a_file_is_read_whole_and_terminated(void **state)
{
	(void)state;
	char path[] = "/tmp/rdfsXXXXXX", err[ERR_LEN];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, 100000);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(fs_read_file(path, 1 << 20, &buf, &len, err, sizeof err), RD_OK);
	assert_int_equal(len, 100000);
	assert_int_equal(buf[len], '\0');
	assert_int_equal(buf[26], 'a');
	free(buf);
	unlink(path);
}

static void each_failure_has_its_code(void **state)
{
	(void)state;
	char path[] = "/tmp/rdfsXXXXXX", err[ERR_LEN];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, (1 << 20) + 1);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(fs_read_file(path, 1 << 20, &buf, &len, err, sizeof err), RD_ERR_TOO_BIG);
	assert_string_equal(err, "larger than 1 MiB");
	assert_null(buf);
	unlink(path);
	assert_int_equal(fs_read_file(path, 0, &buf, &len, err, sizeof err), RD_ERR_NOT_FOUND);
	assert_string_equal(err, "No such file or directory");
	assert_int_equal(fs_read_file("/tmp", 0, &buf, &len, err, sizeof err), RD_ERR_IO);
	assert_string_equal(err, "Is a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_file_is_read_whole_and_terminated),
		cmocka_unit_test(each_failure_has_its_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
