/* screen: the one place that talks to curses — terminal checks, start and
 * teardown, theme colour pairs, key translation, and drawing helpers that
 * never let a control character reach the terminal. Main thread only. */
#ifndef RAGDECK_SCREEN_H
#define RAGDECK_SCREEN_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/ui/keys.h"
#include "tui/ui/theme.h"

/* The key code screen_key returns besides keys.h's: a bracketed paste,
 * read whole (screen_paste_text). */
#define SCREEN_PASTE (KEYS_SPECIAL_END + 1)

/* Smallest terminal the app can draw anything useful on. */
#define SCREEN_MIN_COLS 20
#define SCREEN_MIN_ROWS 6

/* Check that stdin and stdout are terminals and $TERM is set and not
 * "dumb". Returns 0, or -1 with err saying what is missing. */
int screen_check(char *err, size_t errlen);

/* Whether the terminal draws a grapheme cluster whole, in the columns of
 * its first character (GRAPHEME_CLUSTER in core/util/grapheme.h): writes a
 * skin-toned emoji and a ZWJ sequence at the start of the line, asks for
 * the cursor position (CSI 6n) and clears the line; *whole is true when
 * they took 2 columns each. Call before screen_open. Returns 0, or -1 with
 * err when stdin and stdout are not a terminal or it did not answer within
 * a second. */
int screen_draws_clusters(bool *whole, char *err, size_t errlen);

/* Check the terminal as screen_check does and that terminfo knows it, then
 * start curses (raw, no echo, keypad, bracketed paste) and apply t
 * (NULL: the built-in mono theme). Returns 0, or -1 with err saying why the
 * terminal cannot be used; curses is not left running on error. */
int screen_open(const struct theme *t, char *err, size_t errlen);

/* Restore the terminal (bracketed paste off, endwin). Safe to call when
 * the screen is not open and more than once. */
void screen_close(void);

/* Apply theme t: colour pairs for the terminal's colours, or attributes
 * only under NO_COLOR or on a terminal without colour. */
void screen_set_theme(const struct theme *t);

/* The mode the theme was resolved for ("256 colours", "8 colours", "no
 * colour"). */
const char *screen_mode_name(void);

/* Put text[0..len) (sanitized) on the terminal's clipboard with OSC 52.
 * Returns 0, or -1 when it is longer than CLIPBOARD_MAX. */
int screen_copy(const char *text, size_t len);

/* The curses attributes (pair and attrs) of a theme element. */
attr_t screen_attr(enum theme_elem e);

/* Next key without blocking, translated into keys.h codes (characters as
 * code points, KEYS_* for special keys, KEYS_ALT for Esc-prefixed keys,
 * -1 for a key nothing is bound to), or SCREEN_PASTE for a whole
 * bracketed paste. A paste is read straight from the terminal in blocks
 * as it arrives, over as many calls as it takes; meanwhile the calls
 * return false. Returns false when nothing is waiting. */
bool screen_key(int *key);

/* The text of the paste screen_key just returned: raw (sanitise before
 * drawing), line breaks as newlines; *len gets its length. Valid until
 * the next screen_key. */
const char *screen_paste_text(size_t *len);

/* Draw text[0..len), already sanitised, at (y, x) of w in style e, cut to
 * at most maxcols display columns (wide characters never split). Returns
 * the columns drawn. */
int screen_put(WINDOW *w, int y, int x, int maxcols, const char *text, size_t len,
               enum theme_elem e);

/* Like screen_put for untrusted text: sanitised first. */
int screen_put_raw(WINDOW *w, int y, int x, int maxcols, const char *text, size_t len,
                   enum theme_elem e);

/* printf into row y of w from column x in style e, cut to maxcols; the
 * arguments are sanitised after formatting. */
int screen_printf(WINDOW *w, int y, int x, int maxcols, enum theme_elem e, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Draw a box around w with title in style BORDER_FOCUS when focused, else
 * BORDER, and clear its inside to the normal style. */
void screen_frame(WINDOW *w, const char *title, bool focused);

#endif
