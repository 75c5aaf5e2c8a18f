/* Unit tests for tui/ui/sigwatch: the signals that end the app become a
 * readable descriptor and a remembered number, and the old handlers come
 * back. The signals are real (raise), so a broken watch kills the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdbool.h>

#include "tui/ui/sigwatch.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void the_first_signal_wakes_the_descriptor_and_is_kept(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(sigwatch_start(err, sizeof err), 0);
	assert_true(sigwatch_fd() >= 0);
	assert_false(readable(sigwatch_fd()));
	assert_int_equal(sigwatch_caught(), 0);
	raise(SIGTERM);
	assert_true(readable(sigwatch_fd()));
	assert_int_equal(sigwatch_caught(), SIGTERM);
	/* A hangup after it (the shell passing one on) is absorbed. */
	raise(SIGHUP);
	raise(SIGINT);
	assert_int_equal(sigwatch_caught(), SIGTERM);
	sigwatch_stop();
	assert_int_equal(sigwatch_fd(), -1);
	assert_int_equal(sigwatch_caught(), SIGTERM);
}

static void each_watched_signal_is_caught(void **state)
{
	(void)state;
	char err[256];
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		assert_int_equal(sigwatch_start(err, sizeof err), 0);
		assert_int_equal(sigwatch_caught(), 0);
		raise(sigs[i]);
		assert_int_equal(sigwatch_caught(), sigs[i]);
		assert_true(readable(sigwatch_fd()));
		sigwatch_stop();
	}
}

static volatile sig_atomic_t own_handler_ran;

static void own_handler(int sig)
{
	own_handler_ran = sig;
}

static void stop_puts_back_the_handlers_found(void **state)
{
	(void)state;
	char err[256];
	struct sigaction sa = { .sa_handler = own_handler }, now;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	assert_int_equal(sigwatch_start(err, sizeof err), 0);
	raise(SIGHUP);
	assert_int_equal(own_handler_ran, 0);
	sigwatch_stop();
	sigwatch_stop();
	sigaction(SIGHUP, NULL, &now);
	assert_ptr_equal(now.sa_handler, own_handler);
	raise(SIGHUP);
	assert_int_equal(own_handler_ran, SIGHUP);
	sigaction(SIGTERM, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_DFL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGHUP, &sa, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_signal_wakes_the_descriptor_and_is_kept),
		cmocka_unit_test(each_watched_signal_is_caught),
		cmocka_unit_test(stop_puts_back_the_handlers_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
