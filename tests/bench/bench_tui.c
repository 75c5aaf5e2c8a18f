/* bench_tui: how fast the full-screen app answers a key, and what it costs
 * while idle.
 *
 * Runs the real binary on a pseudo-terminal (120x40) against a temporary
 * database holding examples/kb, then:
 * 1. reference: 200 keypresses with nothing streaming; each is timed from
 *    the write of the key to the terminal output showing it;
 * 2. the same while the fixture server streams an answer at 500 tokens/s
 *    (one token every 2 ms), printing median and p99 and the ratio against
 *    the reference;
 * 3. idle: the CPU time the app uses over 10 s with nothing happening
 *    (utime + stime from /proc/PID/stat), as a share of one core;
 * 4. paste: a 1 MB bracketed paste, one line and then a log of 100-byte
 *    lines (100 KB each with --quick), timed from its first byte to the
 *    input line showing its end, with the CPU time the app spent on it;
 * 5. Markdown: a fresh app streams a 20,000-token Markdown answer
 *    (paragraphs, lists, a table and a code block in every section; 2,000
 *    with --quick) at 1,000 tokens/s, with keypresses timed meanwhile and
 *    the app's CPU time per token, early in the answer and at its end (a
 *    renderer that redoes the whole answer per token costs more and more).
 * Goals: p99 under 20 ms while streaming, idle CPU under 0.5%.
 *
 *   bench_tui RAGDECK FIXTURE_SERVE KB_DIR [--quick] */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A key no screen of the app draws on its own: its bytes in the output are
 * the echo of the keypress. */
#define KEY "\xd0\xb6"

static int master = -1;
static char tail[256];

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Read what the app wrote within timeout_ms; true when needle appeared
 * (searched across read boundaries). */
static bool wait_output(const char *needle, int timeout_ms)
{
	uint64_t end = now_us() + (uint64_t)timeout_ms * 1000u;
	char buf[8192], win[sizeof tail + sizeof buf + 1];
	for (;;) {
		int64_t left = (int64_t)(end - now_us()) / 1000;
		if (left < 0)
			return false;
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			return false;
		size_t tl = strlen(tail);
		memcpy(win, tail, tl);
		memcpy(win + tl, buf, (size_t)n);
		win[tl + (size_t)n] = '\0';
		for (size_t i = 0; i < tl + (size_t)n; i++)
			if (win[i] == '\0')
				win[i] = ' ';
		bool found = strstr(win, needle) != NULL;
		size_t keep = tl + (size_t)n < 64 ? tl + (size_t)n : 64;
		memcpy(tail, win + tl + (size_t)n - keep, keep);
		tail[keep] = '\0';
		if (found) {
			tail[0] = '\0';
			return true;
		}
	}
}

static void drain(int ms)
{
	wait_output("\x01\x02never", ms);
}

static void type(const char *s)
{
	if (write(master, s, strlen(s)) < 0)
		perror("write");
}

/* Write s[0..len) whole, reading the app's output meanwhile (an app
 * blocked writing its screen stops reading keys). */
static bool type_all(const char *s, size_t len)
{
	int flags = fcntl(master, F_GETFL);
	bool ok = false;
	fcntl(master, F_SETFL, flags | O_NONBLOCK);
	while (len > 0) {
		struct pollfd p = { .fd = master, .events = POLLIN | POLLOUT };
		char buf[8192];
		if (poll(&p, 1, 5000) <= 0)
			goto done;
		if ((p.revents & POLLIN) && read(master, buf, sizeof buf) <= 0 && errno != EAGAIN)
			goto done;
		if (!(p.revents & POLLOUT))
			continue;
		ssize_t n = write(master, s, len < 4096 ? len : 4096);
		if (n < 0 && errno != EAGAIN)
			goto done;
		if (n > 0) {
			s += n;
			len -= (size_t)n;
		}
	}
	ok = true;
done:
	fcntl(master, F_SETFL, flags);
	return ok;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct stats {
	double median_ms, p99_ms;
	int lost;
};

/* n keypresses, each timed to its echo; the input is cleared every 40. */
static struct stats keypresses(int n)
{
	uint64_t *v = calloc((size_t)n, sizeof *v);
	struct stats s = { 0 };
	int got = 0;
	for (int i = 0; i < n; i++) {
		if (i % 40 == 0) {
			type("\x15");   /* Ctrl-U */
			drain(30);
		}
		uint64_t t0 = now_us();
		type(KEY);
		if (!wait_output(KEY, 1000)) {
			s.lost++;
			continue;
		}
		v[got++] = now_us() - t0;
		drain(5);
	}
	qsort(v, (size_t)got, sizeof *v, cmp_u64);
	if (got) {
		s.median_ms = (double)v[got / 2] / 1e3;
		size_t r = (size_t)((99 * got + 99) / 100);
		s.p99_ms = (double)v[r - 1] / 1e3;
	}
	free(v);
	return s;
}

static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	/* After the command: state, then fields 4..13, then utime and stime. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The end of every paste: what the input line shows once it is all in. */
#define PASTE_END "zq-paste-end"

/* Paste about bytes bytes in bracketed-paste markers: words, cut into
 * lines of line_len bytes (0: one line), then PASTE_END. Returns false
 * when the input line did not show its end within a minute. */
static bool paste(pid_t app, size_t bytes, size_t line_len, double *wall_ms, double *cpu_ms)
{
	static const char words[] = "error: connection reset by peer at 10.0.3.7:5432 ";
	char *text = malloc(bytes + 64);
	size_t n = 0;
	n += (size_t)sprintf(text, "\x1b[200~");
	for (size_t i = 0; n < bytes; i++) {
		bool eol = line_len && i % line_len == line_len - 1;
		text[n++] = eol ? '\r' : words[i % (sizeof words - 1)];
	}
	n += (size_t)sprintf(text + n, "%s\x1b[201~", PASTE_END);
	double c0 = cpu_seconds(app);
	uint64_t t0 = now_us();
	bool ok = type_all(text, n) && wait_output(PASTE_END, 60000);
	*wall_ms = (double)(now_us() - t0) / 1e3;
	*cpu_ms = (cpu_seconds(app) - c0) * 1e3;
	free(text);
	return ok;
}

/* Start fixture_serve streaming tokens (or the words of text, when not
 * NULL) every delay_ms; returns its stdin (close it to stop the server)
 * and its URL in url. */
static int start_server(const char *serve, int tokens, const char *text, const char *delay_ms, char *url,
                        size_t urlsz, pid_t *pid)
{
	int in[2], out[2];
	char ntok[16];
	if (pipe(in) || pipe(out))
		return -1;
	snprintf(ntok, sizeof ntok, "%d", tokens);
	*pid = fork();
	if (*pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		if (text)
			execl(serve, serve, "--flavor", "openai", "--text", text, "--delay-ms", delay_ms, (char *)NULL);
		else
			execl(serve, serve, "--flavor", "openai", "--tokens", ntok, "--delay-ms", delay_ms, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ssize_t n = read(out[0], url, urlsz - 1);
	close(out[0]);
	if (n <= 0)
		return -1;
	url[n] = '\0';
	url[strcspn(url, "\r\n")] = '\0';
	return in[1];
}

/* A Markdown answer of about words words: sections of a heading, a
 * paragraph citing [n], a list, a table and a code block. */
static char *markdown_answer(int words)
{
	size_t cap = (size_t)words * 16 + 4096, len = 0;
	char *s = malloc(cap);
	int n = 0;
	for (int sec = 1; n < words; sec++) {
		len += (size_t)snprintf(s + len, cap - len,
			"## Step %d\n\nRestart the **agent** with `dwsync restart` and wait for *ready* in the log [%d]. "
			"If it stays pending, check the proxy settings and the disk space first.\n\n"
			"- open the settings\n- choose **Network**\n  - set the proxy\n\n"
			"| setting | value |\n|---|---:|\n| port | %d |\n| retries | 3 |\n\n"
			"```sh\ndwsync status --json\ndwsync restart --wait %d\n```\n\n",
			sec, sec % 5 + 1, 8000 + sec, sec);
		n += 80;
	}
	return s;
}

/* Phase 5: stream a Markdown answer of words tokens at 1,000 tokens/s
 * into a fresh app; prints keypress times and CPU per token. */
static int markdown_phase(const char *ragdeck, const char *serve, const char *db, int words, int nkeys)
{
	char url[256];
	pid_t spid;
	char *text = markdown_answer(words);
	int server = start_server(serve, 0, text, "1", url, sizeof url, &spid);
	free(text);
	if (server < 0)
		return 1;
	setenv("OPENAI_BASE_URL", url, 1);
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	pid_t app = forkpty(&master, NULL, NULL, &ws);
	if (app == 0) {
		execl(ragdeck, ragdeck, "--db", db, (char *)NULL);
		_exit(127);
	}
	if (app < 0 || !wait_output("1 chat", 5000))
		return 1;
	drain(300);
	type("\x15:model gpt-4o-mini\r");
	drain(100);
	uint64_t t0 = now_us();
	type("How do I restart the agent?\r");
	if (!wait_output("Step", 5000))
		return 1;
	struct stats st = keypresses(nkeys);
	/* CPU per second of stream, second by second, until the footer shows */
	double rates[256];
	int nrates = 0;
	bool done = false;
	while (!done && nrates < 256) {
		double c0 = cpu_seconds(app);
		uint64_t w0 = now_us();
		done = wait_output("via openai", 1000);
		double dt = (double)(now_us() - w0) / 1e6;
		if (!done && dt > 0.5)
			rates[nrates++] = (cpu_seconds(app) - c0) / dt * 1e3;
	}
	double wall_s = (double)(now_us() - t0) / 1e6;
	double first = 0, last = 0;
	int k = nrates < 3 ? nrates : 3;
	for (int i = 0; i < k; i++) {
		first += rates[i] / k;
		last += rates[nrates - 1 - i] / k;
	}
	printf("markdown answer, %d tokens at 1000/s: keypress median %.2f ms  p99 %.2f ms  (%d keys, %d lost)\n",
	       words, st.median_ms, st.p99_ms, nkeys, st.lost);
	printf("markdown answer: %s in %.1f s; app CPU per second of stream: %.0f ms in its first seconds, "
	       "%.0f ms in its last (ratio %.2fx)\n",
	       done ? "streamed" : "NOT FINISHED", wall_s, first, last, first > 0 ? last / first : 0);
	type("\x03\x03");
	int status = 0;
	waitpid(app, &status, 0);
	close(server);
	waitpid(spid, NULL, 0);
	return st.lost || !done;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_tui RAGDECK FIXTURE_SERVE KB_DIR [--quick]\n");
		return 2;
	}
	bool quick = argc > 4 && strcmp(argv[4], "--quick") == 0;
	int nkeys = quick ? 40 : 200, idle_s = quick ? 2 : 10;
	char dir[] = "/tmp/bench_tuiXXXXXX", cmd[4096], db[256], url[256];
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof db, "%s/kb.db", dir);
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_DATA_HOME", dir, 1);
	setenv("XDG_STATE_HOME", dir, 1);
	unsetenv("RAGDECK_CONFIG");
	snprintf(cmd, sizeof cmd, "%s/../../themes", argv[3]);
	setenv("RAGDECK_THEME_DIR", cmd, 0);
	snprintf(cmd, sizeof cmd, "'%s' --db '%s' ingest --collection default '%s' > /dev/null", argv[1], db, argv[3]);
	if (system(cmd) != 0)
		return 1;
	pid_t spid;
	int server = start_server(argv[2], 50000, NULL, "2", url, sizeof url, &spid);
	if (server < 0)
		return 1;
	setenv("OPENAI_BASE_URL", url, 1);
	setenv("OPENAI_API_KEY", "sk-test-bench", 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	pid_t app = forkpty(&master, NULL, NULL, &ws);
	if (app == 0) {
		execl(argv[1], argv[1], "--db", db, (char *)NULL);
		_exit(127);
	}
	if (app < 0 || !wait_output("1 chat", 5000)) {
		fprintf(stderr, "bench_tui: the app did not start\n");
		return 1;
	}
	drain(300);
	struct stats ref = keypresses(nkeys);
	type("\x15:model gpt-4o-mini\r");
	drain(100);
	type("What port does the agent use?\r");
	if (!wait_output("w20", 5000)) {
		fprintf(stderr, "bench_tui: the stream did not start\n");
		return 1;
	}
	struct stats st = keypresses(nkeys);
	type("\x1b");
	drain(500);
	double c0 = cpu_seconds(app);
	drain(idle_s * 1000);
	double c1 = cpu_seconds(app);
	double idle_pct = (c1 - c0) / idle_s * 100.0;
	size_t paste_bytes = quick ? 100000 : 1000000;
	double line_wall, line_cpu, log_wall, log_cpu;
	bool line_ok = paste(app, paste_bytes, 0, &line_wall, &line_cpu);
	type("\x15");
	drain(300);
	bool log_ok = paste(app, paste_bytes, 100, &log_wall, &log_cpu);
	printf("keypress to screen, idle app:       median %.2f ms  p99 %.2f ms  (%d keys, %d lost)\n",
	       ref.median_ms, ref.p99_ms, nkeys, ref.lost);
	printf("keypress to screen, 500 tokens/s:   median %.2f ms  p99 %.2f ms  (%d keys, %d lost)\n",
	       st.median_ms, st.p99_ms, nkeys, st.lost);
	printf("ratio streaming / idle:             median %.2fx  p99 %.2fx\n",
	       ref.median_ms > 0 ? st.median_ms / ref.median_ms : 0,
	       ref.p99_ms > 0 ? st.p99_ms / ref.p99_ms : 0);
	printf("idle CPU over %d s:                  %.3f%% of a core (goal < 0.5%%)\n", idle_s, idle_pct);
	printf("goal p99 < 20 ms while streaming:   %s\n", st.p99_ms < 20 ? "met" : "MISSED");
	printf("paste of %zu bytes, one line:    %s%.0f ms, app CPU %.0f ms\n", paste_bytes,
	       line_ok ? "" : "NOT SHOWN after ", line_wall, line_cpu);
	printf("paste of %zu bytes, 100-byte lines: %s%.0f ms, app CPU %.0f ms\n", paste_bytes,
	       log_ok ? "" : "NOT SHOWN after ", log_wall, log_cpu);
	type("\x03\x03");
	int status = 0;
	waitpid(app, &status, 0);
	close(server);
	waitpid(spid, NULL, 0);
	int md = markdown_phase(argv[1], argv[2], db, quick ? 2000 : 20000, nkeys);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return st.lost || ref.lost || !line_ok || !log_ok || md ? 1 : 0;
}
