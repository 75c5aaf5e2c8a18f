/* sigwatch: the signals that end the full-screen app (SIGHUP: the terminal
 * closed or the SSH connection dropped; SIGTERM; SIGINT sent by kill, as
 * Ctrl-C in raw mode is a key) turned into an event for its poll loop.
 *
 * The handler only notes the first signal and writes a byte to a pipe
 * (the self-pipe trick), so it is safe whichever thread takes it, and the
 * loop, woken by the pipe, quits the normal way: the terminal restored,
 * the history and the session saved. Further signals are absorbed while
 * that runs (a hangup often comes twice: from the kernel and from the
 * shell). Main thread only, one watch at a time. */
#ifndef RAGDECK_SIGWATCH_H
#define RAGDECK_SIGWATCH_H

#include <stddef.h>

/* Catch SIGHUP, SIGTERM and SIGINT until sigwatch_stop, forgetting any
 * signal caught before. Returns 0, or -1 with err (no pipe could be made;
 * nothing is caught then). */
int sigwatch_start(char *err, size_t errlen);

/* The descriptor to poll for POLLIN: readable from the first signal on
 * (and it stays so). -1 when not started. */
int sigwatch_fd(void);

/* The first signal caught since sigwatch_start, or 0. */
int sigwatch_caught(void);

/* Put back the handlers sigwatch_start found and close the pipe. Safe
 * when not started. sigwatch_caught keeps its answer. */
void sigwatch_stop(void);

#endif
