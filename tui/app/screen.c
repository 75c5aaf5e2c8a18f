#include "tui/app/screen.h"
#include "tui/ui/clipboard.h"
#include "tui/ui/keys.h"
#include "tui/ui/paste.h"
#include "core/util/clock.h"
#include "core/util/grapheme.h"
#include "core/util/utf8.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"
/* Drawn for a character the C library cannot lay out in our columns. */
#define STAND_IN 0xFFFD
/* Two clusters a terminal that draws clusters whole gives 2 columns each:
 * a thumbs up with a skin tone, a man and a laptop joined by a ZWJ. */
#define CLUSTER_PROBE "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb"
#define CLUSTER_PROBE_COLS 4
/* How long a terminal may take to report its cursor position. */
#define PROBE_WAIT_MS 1000

_Static_assert(GRAPHEME_CELL_MAX <= CCHARW_MAX, "a one-cell cluster must fit a curses cell");

/* The codes curses reports the paste markers with. Its key tables keep 16
 * bits of a code (keys.h's codes, above 0x10FFFF, come back cut to control
 * characters), and the codes just above KEY_MAX go to the terminal's
 * extended keys (kLFT5 and the like, a few hundred at most): these sit
 * clear of both. */
#define CURSES_PASTE_START (KEY_MAX + 0x1000)
#define CURSES_PASTE_END (KEY_MAX + 0x1001)
_Static_assert(CURSES_PASTE_END < 0x10000, "curses keeps 16 bits of a key code");

/* What screen_key returns for the paste start marker before it reads the
 * paste; never seen outside. A key no binding knows (special_key's -1)
 * stays a key. */
#define PASTE_START (KEYS_SPECIAL_END + 2)
#define NO_KEY INT_MIN

static bool open_;
static enum theme_mode mode_;
static attr_t attrs_[THEME_ELEM_COUNT];

/* Input: a paste being read, the bytes read past the end of the last one
 * (keys typed after it, decoded by after_paste_key), and a key read ahead
 * of its turn. */
static bool pasting_;
static struct paste paste_;
static struct strbuf after_;
static size_t after_off_;
static int ahead_ = NO_KEY;

static attr_t to_curses(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_ATTR_BOLD)
		r |= A_BOLD;
	if (a & THEME_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ATTR_DIM)
		r |= A_DIM;
	if (a & THEME_ATTR_ITALIC)
		r |= A_ITALIC;
	return r;
}

void screen_set_theme(const struct theme *t)
{
	struct theme mono;
	struct theme_style st[THEME_ELEM_COUNT];
	mode_ = has_colors() ? theme_mode_for(COLORS, getenv("NO_COLOR")) : THEME_MODE_MONO;
	if (!t || mode_ == THEME_MODE_MONO) {
		theme_builtin_mono(&mono);
		t = &mono;
	}
	theme_resolve(t, mode_, st);
	for (int i = 0; i < THEME_ELEM_COUNT; i++) {
		attrs_[i] = to_curses(st[i].attrs);
		if (mode_ == THEME_MODE_MONO)
			continue;
		init_pair((short)(i + 1), st[i].fg, st[i].bg);
		attrs_[i] |= COLOR_PAIR(i + 1);
	}
}

const char *screen_mode_name(void)
{
	switch (mode_) {
	case THEME_MODE_256: return "256 colours";
	case THEME_MODE_8: return "8 colours";
	default: return "no colour";
	}
}

attr_t screen_attr(enum theme_elem e)
{
	return (unsigned)e < THEME_ELEM_COUNT ? attrs_[e] : A_NORMAL;
}

int screen_check(char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "not a terminal");
		return -1;
	}
	if (!term || !*term || strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "the terminal type TERM=%s cannot draw the app", term ? term : "");
		return -1;
	}
	return 0;
}

/* Where the terminal's cursor is after text[0..len) written at the start of
 * the line, from its cursor position report (CSI 6n): the column, 0-based,
 * or -1 when no report came within PROBE_WAIT_MS. The line is cleared
 * after. stdin must be in a mode that does not echo. */
static int probe_column(const char *text, size_t len)
{
	char buf[128];
	size_t got = 0;
	int row, col = -1;
	uint64_t deadline = clock_now_ns() + (uint64_t)PROBE_WAIT_MS * 1000000u;
	fputs("\r", stdout);
	fwrite(text, 1, len, stdout);
	fputs("\033[6n", stdout);
	fflush(stdout);
	while (col < 0 && got < sizeof buf - 1) {
		uint64_t now = clock_now_ns();
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			break;
		ssize_t n = read(STDIN_FILENO, buf + got, sizeof buf - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		for (const char *p = strchr(buf, '\033'); p && col < 0; p = strchr(p + 1, '\033'))
			if (sscanf(p, "\033[%d;%dR", &row, &col) != 2)
				col = -1;
	}
	fputs("\r\033[K", stdout);
	fflush(stdout);
	return col > 0 ? col - 1 : -1;
}

int screen_copy(const char *text, size_t len)
{
	size_t n;
	char *seq = clipboard_osc52(text, len, &n);
	if (!seq)
		return -1;
	/* after what curses wrote: the sequence moves no cursor */
	fflush(stdout);
	fwrite(seq, 1, n, stdout);
	fflush(stdout);
	free(seq);
	return 0;
}

int screen_draws_clusters(bool *whole, char *err, size_t errlen)
{
	struct termios saved, quiet;
	if (screen_check(err, errlen) != 0)
		return -1;
	if (tcgetattr(STDIN_FILENO, &saved) != 0) {
		snprintf(err, errlen, "cannot read the terminal's settings: %s", strerror(errno));
		return -1;
	}
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	quiet.c_cc[VMIN] = 0;
	quiet.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	int col = probe_column(CLUSTER_PROBE, strlen(CLUSTER_PROBE));
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (col < 0) {
		snprintf(err, errlen, "the terminal did not report where its cursor is");
		return -1;
	}
	*whole = col == CLUSTER_PROBE_COLS;
	return 0;
}

int screen_open(const struct theme *t, char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	SCREEN *scr;
	if (screen_check(err, errlen) != 0)
		return -1;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen, "the terminal type TERM=%s is unknown", term);
		return -1;
	}
	open_ = true;
	if (COLS < SCREEN_MIN_COLS || LINES < SCREEN_MIN_ROWS) {
		snprintf(err, errlen, "the terminal is %dx%d, the app needs at least %dx%d", COLS, LINES,
		         SCREEN_MIN_COLS, SCREEN_MIN_ROWS);
		screen_close();
		return -1;
	}
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* The end marker is read by paste_more; one without a start is
	 * swallowed as a key nothing is bound to. */
	define_key("\033[200~", CURSES_PASTE_START);
	define_key(PASTE_END_MARKER, CURSES_PASTE_END);
	screen_set_theme(t);
	fputs(PASTE_ON, stdout);
	fflush(stdout);
	return 0;
}

void screen_close(void)
{
	if (!open_)
		return;
	open_ = false;
	curs_set(1);
	endwin();
	fputs(PASTE_OFF, stdout);
	fflush(stdout);
	paste_free(&paste_);
	sb_free(&after_);
	after_off_ = 0;
	pasting_ = false;
	ahead_ = NO_KEY;
}

static int special_key(int k)
{
	static const struct { int curses, keys; } map[] = {
		{ KEY_UP, KEYS_UP }, { KEY_DOWN, KEYS_DOWN }, { KEY_LEFT, KEYS_LEFT },
		{ KEY_RIGHT, KEYS_RIGHT }, { KEY_HOME, KEYS_HOME }, { KEY_END, KEYS_END },
		{ KEY_PPAGE, KEYS_PGUP }, { KEY_NPAGE, KEYS_PGDN }, { KEY_IC, KEYS_INSERT },
		{ KEY_DC, KEYS_DELETE }, { KEY_BACKSPACE, KEYS_BACKSPACE }, { KEY_BTAB, KEYS_BTAB },
		{ KEY_RESIZE, KEYS_RESIZE }, { KEY_ENTER, KEYS_ENTER },
		{ CURSES_PASTE_START, PASTE_START },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].curses == k)
			return map[i].keys;
	if (k >= KEY_F(1) && k <= KEY_F(12))
		return KEYS_F(k - KEY_F0);
	const char *name = keyname(k);
	if (name && strcmp(name, "kLFT5") == 0)
		return KEYS_CTRL_LEFT;
	if (name && strcmp(name, "kRIT5") == 0)
		return KEYS_CTRL_RIGHT;
	return -1;
}

static int char_key(uint32_t c)
{
	return c == 0x7f ? KEYS_BACKSPACE : (int)c;
}

/* The length of the key sequence curses binds at s[0..n) (asked through
 * key_defined, so it matches what wget_wch would have) with its key in
 * *key, or 0. */
static size_t bound_sequence(const char *s, size_t n, int *key)
{
	char seq[16];
	for (size_t len = 2; len <= n && len < sizeof seq; len++) {
		memcpy(seq, s, len);
		seq[len] = '\0';
		int code = key_defined(seq);
		if (code == 0)
			return 0;
		if (code > 0) {
			*key = special_key(code);
			return len;
		}
	}
	return 0;
}

/* Drop n bytes from the front of the bytes read past a paste's end. */
static void after_used(size_t n)
{
	after_off_ += n;
	if (after_off_ == after_.len) {
		sb_reset(&after_);
		after_off_ = 0;
	}
}

/* One key from the bytes read past a paste's end: a key sequence, else a
 * UTF-8 character, else a byte. A sequence cut off at the end of these
 * bytes comes out as Esc and characters. */
static void after_paste_key(int *key)
{
	const char *s = after_.buf + after_off_;
	size_t n = after_.len - after_off_, used = 0;
	uint32_t cp;
	if (s[0] == KEYS_ESC)
		used = bound_sequence(s, n, key);
	else if ((unsigned char)s[0] >= 0x80 && (used = utf8_decode(s, n, &cp)) > 0)
		*key = char_key(cp);
	if (!used) {
		*key = char_key((unsigned char)s[0]);
		used = 1;
	}
	after_used(used);
}

/* The next key: the one read ahead, else one from the bytes read past a
 * paste, else one from curses. */
static bool next_key(int *key)
{
	wint_t wc;
	if (ahead_ != NO_KEY) {
		*key = ahead_;
		ahead_ = NO_KEY;
		return true;
	}
	if (after_off_ < after_.len) {
		after_paste_key(key);
		return true;
	}
	int r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return false;
	*key = r == KEY_CODE_YES ? special_key((int)wc) : char_key((uint32_t)wc);
	return true;
}

/* Read what has arrived of a paste: the bytes already read past the last
 * one first, then the terminal itself in blocks. curses holds none of it:
 * it had read nothing past the start marker when it matched it. True with
 * *key = SCREEN_PASTE once the end marker is in (or the terminal is gone);
 * false while the rest is still on its way. */
static bool paste_more(int *key)
{
	char buf[4096];
	bool done = false;
	if (after_off_ < after_.len)
		after_used(paste_feed(&paste_, after_.buf + after_off_, after_.len - after_off_, &done));
	while (!done) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(&p, 1, 0) != 1)
			return false;
		ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return false;
		if (n <= 0)
			break;
		size_t used = paste_feed(&paste_, buf, (size_t)n, &done);
		sb_append(&after_, buf + used, (size_t)n - used);
	}
	pasting_ = false;
	*key = SCREEN_PASTE;
	return true;
}

bool screen_key(int *key)
{
	int next;
	if (pasting_)
		return paste_more(key);
	if (!next_key(key))
		return false;
	if (*key == PASTE_START) {
		pasting_ = true;
		paste_begin(&paste_);
		return paste_more(key);
	}
	/* Esc followed at once by a key is that key with Alt; any other key
	 * after it is kept for the next call. */
	if (*key == KEYS_ESC && next_key(&next)) {
		if (next >= 0 && next < KEYS_SPECIAL_BASE)
			*key = KEYS_ALT(next);
		else
			ahead_ = next;
	}
	return true;
}

/* Draw cp where the app counts cols columns for it. Curses lays a
 * character out by the C library's wcwidth (a blank cell when that does not
 * know it); where that disagrees with our count, a stand-in of our width is
 * drawn, so curses' idea of the row stays ours. */
static void put_cp(WINDOW *w, uint32_t cp, int cols)
{
	wchar_t wc = (wchar_t)cp;
	if (wcwidth(wc) == cols) {
		waddnwstr(w, &wc, 1);
		return;
	}
	if (cols == 0)
		return;
	wc = STAND_IN;
	waddnwstr(w, &wc, 1);
	for (int k = 1; k < cols; k++)
		waddch(w, ' ');
}

/* Draw the n code points cps in one cell cols wide (GRAPHEME_CLUSTER).
 * setcchar keeps only the first spacing character, so the cell's code
 * points are set directly: curses sends them all, in order, and lays the
 * cell out by the first. */
static void put_cell(WINDOW *w, const uint32_t *cps, size_t n, int cols)
{
	cchar_t c;
	wchar_t first[2] = { (wchar_t)cps[0], L'\0' };
	if (wcwidth(first[0]) != cols || setcchar(&c, first, A_NORMAL, 0, NULL) == ERR) {
		put_cp(w, STAND_IN, cols);
		return;
	}
	for (size_t k = 1; k < n; k++)
		c.chars[k] = (wchar_t)cps[k];
	wadd_wch(w, &c);
}

/* Draw the cluster text[i..end) that g describes in at most room columns
 * (room >= 1); returns the columns drawn: g->cols, or fewer when it does
 * not fit (a cluster drawn code point by code point is cut between them).
 * A tab or a newline is drawn as one blank. */
static int put_cluster(WINDOW *w, const char *text, size_t i, size_t end, const struct grapheme *g,
                       int room)
{
	uint32_t cps[GRAPHEME_DRAWN_MAX];
	int cols = 0;
	if (text[i] == '\t' || text[i] == '\n') {
		waddch(w, ' ');
		return 1;
	}
	size_t n = grapheme_drawn(text, i, end, g, cps);
	if (g->one_cell) {
		if ((int)g->cols > room)
			return 0;
		put_cell(w, cps, n, (int)g->cols);
		return (int)g->cols;
	}
	for (size_t k = 0; k < n; k++) {
		int cw = utf8_cp_width(cps[k]);
		if (cols + cw > room)
			break;
		put_cp(w, cps[k], cw);
		cols += cw;
	}
	return cols;
}

const char *screen_paste_text(size_t *len)
{
	*len = paste_.text.len;
	return sb_str(&paste_.text);
}

int screen_put(WINDOW *w, int y, int x, int maxcols, const char *text, size_t len,
               enum theme_elem e)
{
	size_t i = 0, seg = 0;
	int cols = 0;
	if (maxcols <= 0 || wmove(w, y, x) == ERR)
		return 0;
	wattrset(w, screen_attr(e));
	while (i < len && cols < maxcols) {
		struct grapheme g;
		size_t next = grapheme_next(text, len, i, &g);
		unsigned char c = (unsigned char)text[i];
		if (next == i + 1 && c >= 0x20 && c < 0x7F) {
			/* plain ASCII: drawn with its neighbours in one call */
			cols++;
			i = next;
			continue;
		}
		waddnstr(w, text + seg, (int)(i - seg));
		int drawn = put_cluster(w, text, i, next, &g, maxcols - cols);
		cols += drawn;
		seg = i = next;
		if (drawn < (int)g.cols)
			break;
	}
	waddnstr(w, text + seg, (int)(i - seg));
	return cols;
}

int screen_put_raw(WINDOW *w, int y, int x, int maxcols, const char *text, size_t len,
                   enum theme_elem e)
{
	size_t n = 0;
	char *clean = utf8_sanitize(text, len, &n);
	int cols = screen_put(w, y, x, maxcols, clean, n, e);
	free(clean);
	return cols;
}

int screen_printf(WINDOW *w, int y, int x, int maxcols, enum theme_elem e, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return screen_put_raw(w, y, x, maxcols, buf, strlen(buf), e);
}

void screen_frame(WINDOW *w, const char *title, bool focused)
{
	int h, wd;
	getmaxyx(w, h, wd);
	wbkgdset(w, ' ' | screen_attr(THEME_NORMAL));
	werase(w);
	if (h < 2 || wd < 2)
		return;
	wattrset(w, screen_attr(focused ? THEME_BORDER_FOCUS : THEME_BORDER));
	box(w, 0, 0);
	screen_printf(w, 0, 2, wd - 4, focused ? THEME_BORDER_FOCUS : THEME_TITLE, " %s%s ", title,
	              focused ? " *" : "");
}
