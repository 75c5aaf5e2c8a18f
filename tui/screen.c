#include "tui/screen.h"
#include "tui/keys.h"
#include "tui/wrap.h"
#include "core/util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"

static bool open_;
static enum theme_mode mode_;
static attr_t attrs_[THEME_ELEM_COUNT];

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
	define_key("\033[200~", SCREEN_PASTE_START);
	define_key("\033[201~", SCREEN_PASTE_END);
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
}

static int special_key(int k)
{
	static const struct { int curses, keys; } map[] = {
		{ KEY_UP, KEYS_UP }, { KEY_DOWN, KEYS_DOWN }, { KEY_LEFT, KEYS_LEFT },
		{ KEY_RIGHT, KEYS_RIGHT }, { KEY_HOME, KEYS_HOME }, { KEY_END, KEYS_END },
		{ KEY_PPAGE, KEYS_PGUP }, { KEY_NPAGE, KEYS_PGDN }, { KEY_IC, KEYS_INSERT },
		{ KEY_DC, KEYS_DELETE }, { KEY_BACKSPACE, KEYS_BACKSPACE }, { KEY_BTAB, KEYS_BTAB },
		{ KEY_RESIZE, KEYS_RESIZE }, { KEY_ENTER, KEYS_ENTER },
		{ SCREEN_PASTE_START, SCREEN_PASTE_START }, { SCREEN_PASTE_END, SCREEN_PASTE_END },
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

static bool read_one(int *key)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return false;
	if (r == KEY_CODE_YES)
		*key = special_key((int)wc);
	else if (wc == 0x7f)
		*key = KEYS_BACKSPACE;
	else
		*key = (int)wc;
	return true;
}

bool screen_key(int *key)
{
	int next;
	if (!read_one(key))
		return false;
	/* Esc followed at once by a key is that key with Alt. */
	if (*key == KEYS_ESC && read_one(&next) && next >= 0 && next < KEYS_SPECIAL_BASE)
		*key = KEYS_ALT(next);
	return true;
}

int screen_put(WINDOW *w, int y, int x, int maxcols, const char *text, size_t len,
               enum theme_elem e)
{
	size_t i = 0, seg = 0;
	int cols = 0;
	if (maxcols <= 0 || wmove(w, y, x) == ERR)
		return 0;
	wattrset(w, screen_attr(e));
	while (i < len) {
		unsigned cw;
		size_t next = wrap_cluster_next(text, len, i, &cw);
		bool blank = text[i] == '\t' || text[i] == '\n';
		if (blank)
			cw = 1;
		if (cols + (int)cw > maxcols)
			break;
		if (blank) {
			waddnstr(w, text + seg, (int)(i - seg));
			waddch(w, ' ');
			seg = next;
		}
		cols += (int)cw;
		i = next;
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
