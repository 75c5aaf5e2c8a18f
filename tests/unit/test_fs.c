/* Unit tests for core/util/fs: fs_write_all writes everything, through a
 * pipe smaller than the data, and reports a failed write with errno. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util/fs.h"

#define BIG (1 << 20)

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
	assert_int_equal(fs_read_file(path, 0, &buf, &len, err, sizeof err), 0);
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
		cmocka_unit_test(writes_more_than_a_pipe_holds),
		cmocka_unit_test(writes_a_file_whole),
		cmocka_unit_test(failure_sets_errno),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
