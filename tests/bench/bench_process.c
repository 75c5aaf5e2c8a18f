/* bench_process: the process-level driver of bench_process.sh.
 *
 * A shell cannot time a process precisely: `date +%s%N` around a command
 * adds two forks of date and the shell's own fork and exec, and it cannot
 * see the child's peak memory. This driver starts the process itself
 * (posix_spawn, or forkpty for the app), times exec to exit on
 * CLOCK_MONOTONIC and reads the peak resident set from wait4's rusage.
 *
 *   bench_process corpus DIR BYTES
 *       write the generated Markdown corpus (tests/bench/corpus.c) of about
 *       BYTES under DIR; prints the bytes written
 *   bench_process run [--json-total] -- COMMAND [ARG]...
 *       run COMMAND once (stdin /dev/null, stderr kept); prints
 *       "WALL_US MAXRSS_KB IN_PROCESS_US": the last is the "total" of the
 *       "timings_us" object in its output (ragdeck search --json) with
 *       --json-total, else -1. Exits 1 when COMMAND fails.
 *   bench_process frame ROWS COLS NEEDLE -- COMMAND [ARG]...
 *       run COMMAND on a ROWSxCOLS pseudo-terminal and time exec to the
 *       first appearance of NEEDLE in its output (the end of its first
 *       frame), then end it with SIGTERM; prints "WALL_US MAXRSS_KB".
 *       Exits 1 when NEEDLE did not show within 60 s.
 *   bench_process overhead N
 *       time N runs of /bin/true as `run` does; prints the median in us:
 *       the harness's own cost, to read the other numbers against.
 *   bench_process open DB COLLECTION N
 *       open the database and COLLECTION's retriever (the offline
 *       embedder, 384 dimensions: its vectors mapped from the index file)
 *       N times in this process, each on a new connection; prints
 *       "P50_US P95_US" of store_open + retriever_open. */
#include "tests/bench/corpus.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/search/retrieve.h"
#include "core/util/clock.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Captured standard output of a run: ragdeck search --json prints a few
 * KB; anything past this is read and dropped. */
enum { OUT_CAP = 1 << 20, FRAME_TIMEOUT_MS = 60000 };

static int usage(void)
{
	fprintf(stderr, "usage: bench_process corpus DIR BYTES\n"
	                "       bench_process run [--json-total] -- COMMAND [ARG]...\n"
	                "       bench_process frame ROWS COLS NEEDLE -- COMMAND [ARG]...\n"
	                "       bench_process overhead N\n"
	                "       bench_process open DB COLLECTION N\n");
	return 2;
}

/* The "total" member of the "timings_us" object in out, or -1. */
static long long json_total_us(const char *out)
{
	const char *t = strstr(out, "\"timings_us\"");
	const char *total = t ? strstr(t, "\"total\"") : NULL;
	const char *colon = total ? strchr(total, ':') : NULL;
	return colon ? strtoll(colon + 1, NULL, 10) : -1;
}

/* Run argv once; its output goes to out (NUL-terminated, cut at OUT_CAP)
 * when out is not NULL, else to /dev/null. Returns its wait status, or -1
 * when it could not start. */
static int run_once(char **argv, char *out, uint64_t *wall_us, long *maxrss_kb)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, status = -1;
	size_t len = 0;
	pid_t pid;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (out) {
		if (pipe(pipefd) != 0)
			goto cleanup;
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
		posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	} else {
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	}
	uint64_t t0 = clock_now_ns();
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "bench_process: cannot start %s: %s\n", argv[0], strerror(rc));
		goto cleanup;
	}
	if (out) {
		close(pipefd[1]);
		pipefd[1] = -1;
		char drop[4096];
		ssize_t n;
		do {
			char *dst = len < OUT_CAP - 1 ? out + len : drop;
			size_t room = len < OUT_CAP - 1 ? OUT_CAP - 1 - len : sizeof drop;
			n = read(pipefd[0], dst, room);
			if (n > 0 && dst != drop)
				len += (size_t)n;
		} while (n > 0 || (n < 0 && errno == EINTR));
		out[len] = '\0';
	}
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	*wall_us = (clock_now_ns() - t0) / 1000u;
	*maxrss_kb = ru.ru_maxrss;
cleanup:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&fa);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	bool json_total = false;
	int i = 0;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--json-total") != 0)
			return usage();
		json_total = true;
	}
	if (i + 1 >= argc)
		return usage();
	char *out = json_total ? malloc(OUT_CAP) : NULL;
	uint64_t wall_us = 0;
	long maxrss_kb = 0;
	int status = run_once(argv + i + 1, out, &wall_us, &maxrss_kb);
	int rc = 1;
	if (status == -1) {
		/* run_once said why */
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_process: %s failed (wait status %d)\n", argv[i + 1], status);
	} else {
		long long in_process = json_total ? json_total_us(out) : -1;
		if (json_total && in_process < 0)
			fprintf(stderr, "bench_process: no timings_us.total in the output of %s\n", argv[i + 1]);
		else {
			printf("%llu %ld %lld\n", (unsigned long long)wall_us, maxrss_kb, in_process);
			rc = 0;
		}
	}
	free(out);
	return rc;
}

/* Read master until needle shows (searched across reads); false on EOF,
 * an error or timeout. */
static bool read_until(int master, const char *needle, int timeout_ms)
{
	size_t nlen = strlen(needle), kept = 0;
	char buf[8192];
	uint64_t end = clock_now_ns() + (uint64_t)timeout_ms * 1000000u;
	if (nlen == 0 || nlen >= sizeof buf / 2)
		return false;
	for (;;) {
		uint64_t now = clock_now_ns();
		if (now >= end)
			return false;
		struct pollfd p = { .fd = master, .events = POLLIN };
		int r = poll(&p, 1, (int)((end - now) / 1000000u) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		ssize_t n = read(master, buf + kept, sizeof buf - 1 - kept);
		if (n <= 0)
			return false;
		size_t len = kept + (size_t)n;
		for (size_t i = kept; i < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[len] = '\0';
		if (strstr(buf, needle))
			return true;
		/* keep the last nlen - 1 bytes: the needle may straddle reads */
		kept = len < nlen ? len : nlen - 1;
		memmove(buf, buf + len - kept, kept);
	}
}

/* Read and drop what master still has until the child exits. */
static void drain(int master)
{
	char buf[8192];
	struct pollfd p = { .fd = master, .events = POLLIN };
	while (poll(&p, 1, 2000) > 0 && read(master, buf, sizeof buf) > 0)
		;
}

static int cmd_frame(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--") != 0)
		return usage();
	struct winsize ws = { .ws_row = (unsigned short)atoi(argv[0]), .ws_col = (unsigned short)atoi(argv[1]) };
	const char *needle = argv[2];
	char **command = argv + 4;
	int master = -1;
	uint64_t t0 = clock_now_ns();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("bench_process: forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(command[0], command);
		_exit(127);
	}
	bool shown = read_until(master, needle, FRAME_TIMEOUT_MS);
	uint64_t wall_us = (clock_now_ns() - t0) / 1000u;
	kill(pid, SIGTERM);
	drain(master);
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	close(master);
	if (!shown) {
		fprintf(stderr, "bench_process: \"%s\" did not show on %s's screen within %d s (wait status %d)\n",
		        needle, command[0], FRAME_TIMEOUT_MS / 1000, status);
		return 1;
	}
	printf("%llu %ld\n", (unsigned long long)wall_us, ru.ru_maxrss);
	return 0;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int cmd_overhead(int argc, char **argv)
{
	int n = argc == 1 ? atoi(argv[0]) : 0;
	if (n <= 0)
		return usage();
	uint64_t *v = calloc((size_t)n, sizeof *v);
	char *command[] = { "true", NULL };
	for (int i = 0; i < n; i++) {
		long maxrss_kb;
		if (run_once(command, NULL, &v[i], &maxrss_kb) != 0)
			return 1;
	}
	qsort(v, (size_t)n, sizeof *v, compare_u64);
	printf("%llu\n", (unsigned long long)v[n / 2]);
	free(v);
	return 0;
}

static int cmd_open(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	int n = atoi(argv[2]);
	if (n < 1)
		return usage();
	uint64_t *v = calloc((size_t)n, sizeof *v);
	struct config *cfg = config_defaults();
	struct embedder *e = embed_hash_new(384);
	struct retriever_opts ro;
	retriever_opts_from_config(cfg, argv[1], &ro);
	char err[1024];
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		struct store *s = NULL;
		struct retriever *r = NULL;
		uint64_t t = clock_now_us();
		if (store_open(argv[0], &s, err, sizeof err) != 0 || retriever_open(s, e, &ro, &r, err, sizeof err) != 0) {
			fprintf(stderr, "bench_process: %s\n", err);
			rc = 1;
		}
		v[i] = clock_now_us() - t;
		retriever_free(&r);
		store_close(&s);
	}
	qsort(v, (size_t)n, sizeof *v, compare_u64);
	if (rc == 0)
		printf("%llu %llu\n", (unsigned long long)v[n / 2], (unsigned long long)v[(n * 95 + 99) / 100 - 1]);
	free(v);
	embed_free(&e);
	config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "corpus") == 0 && argc == 4) {
		printf("%llu\n", (unsigned long long)corpus_generate(argv[2], strtoull(argv[3], NULL, 10)));
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "frame") == 0)
		return cmd_frame(argc - 2, argv + 2);
	if (strcmp(argv[1], "overhead") == 0)
		return cmd_overhead(argc - 2, argv + 2);
	if (strcmp(argv[1], "open") == 0)
		return cmd_open(argc - 2, argv + 2);
	return usage();
}
