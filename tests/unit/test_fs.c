/* Unit tests for core/util/fs: a file read whole, the code of each way a
 * read fails, and fs_write_all writing everything (through a pipe smaller
 * than the data) or reporting a failed write with errno. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util/fs.h"

#define BIG (1 << 20)

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

struct drain {
	int fd;
	size_t got;
};

static void *drain_pipe(void *arg)
{
	struct drain *d = arg;
	char buf[4096];
	ssize_t n;
	while ((n = read(d->fd, buf, sizeof buf)) > 0)
		d->got += (size_t)n;
	return NULL;
}

static void writes_more_than_a_pipe_holds(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct drain d = { fds[0], 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, drain_pipe, &d), 0);
	char *data = calloc(1, BIG);
	assert_int_equal(fs_write_all(fds[1], data, BIG), 0);
	close(fds[1]);
	pthread_join(t, NULL);
	close(fds[0]);
	assert_int_equal(d.got, BIG);
	free(data);
}

static void writes_a_file_whole(void **state)
{
	(void)state;
	char path[] = "/tmp/ragdeck-test-fs-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fs_write_all(fd, "hello\n", 6), 0);
	close(fd);
	char *buf = NULL;
	size_t len = 0;
	char err[128];
	assert_int_equal(fs_read_file(path, 0, &buf, &len, err, sizeof err), RD_OK);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "hello\n", 6);
	free(buf);
	unlink(path);
}

static void failure_sets_errno(void **state)
{
	(void)state;
	int fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	errno = 0;
	assert_int_equal(fs_write_all(fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	close(fd);
	assert_int_equal(fs_write_all(fd, "", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_file_is_read_whole_and_terminated),
		cmocka_unit_test(each_failure_has_its_code),
		cmocka_unit_test(writes_more_than_a_pipe_holds),
		cmocka_unit_test(writes_a_file_whole),
		cmocka_unit_test(failure_sets_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
