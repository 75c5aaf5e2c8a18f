/* lineedit: the input line's model, without curses.
 *
 * A UTF-8 buffer and a cursor (a byte offset, always at the start of a
 * grapheme cluster, core/util/grapheme.h: a letter with its combining
 * marks or an emoji sequence moves and deletes as one), emacs-style
 * editing, multi-line content, a history that persists to a file, and
 * views that say what to draw for a width, in the columns grapheme_next
 * gives each cluster.
 *
 * Inserted text goes through utf8_sanitize (escape sequences and controls
 * other than newline become U+FFFD, carriage returns are dropped) and each
 * tab becomes LINEEDIT_TAB_SPACES spaces, so the buffer holds only
 * printable text and newlines. Bracketed paste is the caller's: it passes
 * the pasted block to lineedit_insert in one call and its newlines stay.
 *
 * Editing functions return true when the buffer or the cursor changed, so
 * the caller knows whether to redraw. */
#ifndef RAGDECK_LINEEDIT_H
#define RAGDECK_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_HISTORY_MAX 1000
#define LINEEDIT_TAB_SPACES 4

struct lineedit;

/* A new, empty editor keeping at most history_max entries (0 means
 * LINEEDIT_HISTORY_MAX). Never NULL; free with lineedit_free. */
struct lineedit *lineedit_new(size_t history_max);

/* Free le (NULL-safe) and set *le to NULL. */
void lineedit_free(struct lineedit **le);

/* The buffer (NUL-terminated, valid until the next change) and its length
 * in *len (may be NULL). */
const char *lineedit_text(const struct lineedit *le, size_t *len);

/* The cursor's byte offset in the buffer. */
size_t lineedit_cursor(const struct lineedit *le);

/* Replace the buffer with text[0..len) (sanitized like an insert) and put
 * the cursor at its end. */
void lineedit_set(struct lineedit *le, const char *text, size_t len);

/* Insert text[0..len) at the cursor and move the cursor after it. */
bool lineedit_insert(struct lineedit *le, const char *text, size_t len);

/* Cursor movement: one cluster left or right; start or end of the current
 * line (Ctrl-A, Ctrl-E); to the start of the previous word or the end of
 * the next one (Alt-b, Alt-f, Ctrl-Left, Ctrl-Right). A word is a run of
 * characters other than blanks, newlines and ASCII punctuation. */
bool lineedit_left(struct lineedit *le);
bool lineedit_right(struct lineedit *le);
bool lineedit_home(struct lineedit *le);
bool lineedit_end(struct lineedit *le);
bool lineedit_word_left(struct lineedit *le);
bool lineedit_word_right(struct lineedit *le);

/* Up and Down: on the first (last) line recall the previous (next) history
 * entry, otherwise move to the same display column of the line above
 * (below), or its end when it is shorter. */
bool lineedit_up(struct lineedit *le);
bool lineedit_down(struct lineedit *le);

/* Delete the cluster before the cursor (Backspace) or at it (Delete). */
bool lineedit_delete_back(struct lineedit *le);
bool lineedit_delete_forward(struct lineedit *le);

/* Kill from the start of the line to the cursor (Ctrl-U), from the cursor
 * to the end of the line or, at the end, the newline (Ctrl-K), or the
 * blanks and then the non-blanks before the cursor (Ctrl-W). The killed
 * text replaces the kill buffer. */
bool lineedit_kill_to_start(struct lineedit *le);
bool lineedit_kill_to_end(struct lineedit *le);
bool lineedit_kill_word_back(struct lineedit *le);

/* Insert the kill buffer at the cursor (Ctrl-Y). */
bool lineedit_yank(struct lineedit *le);

/* Take the buffer for sending: returns it (never NULL; caller frees),
 * adds it to the history unless it is blank or repeats the last entry,
 * and leaves the editor empty at the end of the history. */
char *lineedit_submit(struct lineedit *le);

/* Step through the history: prev recalls the entry before the one shown
 * (the first step keeps the line being edited as a draft), next the one
 * after, and past the newest entry brings the draft back. Changes to a
 * recalled entry are dropped when moving on. False at either end. */
bool lineedit_history_prev(struct lineedit *le);
bool lineedit_history_next(struct lineedit *le);

/* Number of history entries, and entry i (0 is the oldest). */
size_t lineedit_history_count(const struct lineedit *le);
const char *lineedit_history_entry(const struct lineedit *le, size_t i);

/* Replace the history with the file at path: one entry per line, with
 * "\n" for a newline and "\\" for a backslash; only the newest
 * history_max entries are kept. A missing file is an empty history.
 * Returns 0, or -1 with err set (the file exists but cannot be read). */
int lineedit_history_load(struct lineedit *le, const char *path, char *err, size_t errlen);

/* Write the history to path in the same format, mode 0600, through a
 * temporary file renamed over it, creating missing directories. Returns 0,
 * or -1 with err naming the file and the reason. */
int lineedit_history_save(const struct lineedit *le, const char *path, char *err, size_t errlen);

/* Single-line view for width columns: the visible bytes off..off+len and
 * the cursor's column in them. Scrolls horizontally only as far as needed
 * to keep the cursor visible, and back when the text shrinks. A newline
 * counts one column (draw a placeholder for it). */
struct lineedit_view {
	size_t off, len;
	unsigned cursor_col;
};
void lineedit_view_line(struct lineedit *le, unsigned width, struct lineedit_view *v);

/* Multi-line view for width columns: every line of the buffer cut into
 * rows of at most width columns (at cluster boundaries; a cluster wider
 * than width has a row of its own, which the screen cuts), plus an empty row
 * when the cursor sits after a full last row. *n gets the row count,
 * *cursor_row and *cursor_col where the cursor is. The rows stay valid
 * until the next call or change. */
struct lineedit_row {
	size_t off, len;
	unsigned cols;
};
const struct lineedit_row *lineedit_view_rows(struct lineedit *le, unsigned width, size_t *n,
                                              size_t *cursor_row, unsigned *cursor_col);

#endif
