/* sigwatch: SIGHUP, SIGTERM and SIGINT through a self-pipe. */
#include "tui/ui/sigwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int watched[] = { SIGHUP, SIGTERM, SIGINT };
#define N_WATCHED (sizeof watched / sizeof watched[0])

static volatile sig_atomic_t caught_;
static int pipe_[2] = { -1, -1 };
static struct sigaction old_[N_WATCHED];

/* Async-signal-safe: an assignment and a write to a non-blocking pipe
 * (a full pipe is already readable). */
static void on_signal(int sig)
{
	int saved = errno;
	if (!caught_)
		caught_ = sig;
	ssize_t w = write(pipe_[1], "", 1);
	(void)w;
	errno = saved;
}

int sigwatch_start(char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	if (pipe_[0] >= 0)
		sigwatch_stop();
	caught_ = 0;
	if (pipe(pipe_) != 0) {
		snprintf(err, errlen, "cannot make a pipe for signals: %s", strerror(errno));
		pipe_[0] = pipe_[1] = -1;
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(pipe_[i], F_SETFD, FD_CLOEXEC);
		fcntl(pipe_[i], F_SETFL, O_NONBLOCK);
	}
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_WATCHED; i++)
		sigaction(watched[i], &sa, &old_[i]);
	return 0;
}

int sigwatch_fd(void)
{
	return pipe_[0];
}

int sigwatch_caught(void)
{
	return caught_;
}

void sigwatch_stop(void)
{
	if (pipe_[0] < 0)
		return;
	for (size_t i = 0; i < N_WATCHED; i++)
		sigaction(watched[i], &old_[i], NULL);
	close(pipe_[0]);
	close(pipe_[1]);
	pipe_[0] = pipe_[1] = -1;
}
