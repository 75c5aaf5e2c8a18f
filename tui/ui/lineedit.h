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
 * the caller knows whether to redraw.
 *
 * Ctrl-R searches the history as readline's reverse-i-search does: while a
 * search is on, the buffer shows the entry that matched (the caller draws
 * lineedit_search_prompt before it) and the caller routes the search's
 * keys to the lineedit_search_* calls. */
#ifndef RAGDECK_LINEEDIT_H
#define RAGDECK_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_HISTORY_MAX 1000
#define LINEEDIT_TAB_SPACES 4

struct lineedit;
struct strbuf;

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

/* Put text[0..len) (sanitized like an insert) in the buffer to be edited
 * again, the cursor at its end, and stop browsing the history. What the
 * buffer held before goes to the kill buffer (Ctrl-Y brings it back)
 * unless it was blank. Returns true when it was not blank. */
bool lineedit_recall(struct lineedit *le, const char *text, size_t len);

/* Take the buffer for sending (a search that is on is accepted first):
 * returns it (never NULL; caller frees), adds it to the history unless it
 * is blank or repeats the last entry, and leaves the editor empty at the
 * end of the history. */
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

/* Load the history as lineedit_history_load does from path or, while
 * path does not exist, from fallback (NULL: none), where it was kept
 * before: the first save to path ends the fallback. */
int lineedit_history_load_or(struct lineedit *le, const char *path, const char *fallback,
                              char *err, size_t errlen);

/* Write the history to path in the same format, mode 0600, through a
 * temporary file renamed over it, creating missing directories. Returns 0,
 * or -1 with err naming the file and the reason. */
int lineedit_history_save(const struct lineedit *le, const char *path, char *err, size_t errlen);

/* Start an incremental reverse search of the history (Ctrl-R) with an
 * empty query; the buffer and cursor are kept for lineedit_search_cancel.
 * When a search is on already, the same as lineedit_search_older. */
void lineedit_search_start(struct lineedit *le);

/* Whether a search is on. */
bool lineedit_search_active(const struct lineedit *le);

/* Append text[0..len) (sanitized like an insert) to the query and show
 * the newest entry that contains it, looking from the entry shown (or the
 * newest, before a match) back.
 * Case is ignored letter by letter (each code point's simple lowercase
 * mapping, so "É" finds "é" but "ß" does not find "SS"). Without such an
 * entry the search has failed and the last match stays shown. The cursor
 * sits where the query starts in the entry (its last occurrence). */
void lineedit_search_insert(struct lineedit *le, const char *text, size_t len);

/* Ctrl-R again: the next older entry that contains the query (entries
 * the same as the one shown are skipped); at the oldest the search fails
 * and the match stays. With an empty query, the query of the previous
 * search comes back and is searched for. */
void lineedit_search_older(struct lineedit *le);

/* Backspace: drop the query's last character (cluster) and search for
 * the shorter query from the newest entry again; an empty query shows the
 * buffer the search started with. False when the query was empty. */
bool lineedit_search_back(struct lineedit *le);

/* End the search keeping the match in the buffer, the cursor where the
 * query starts in it (Enter, or a movement key before it moves); Up and
 * Down go on from the matched entry, as if it had been reached with Up.
 * Without a match the buffer is what it was. No effect when no search is
 * on. */
void lineedit_search_accept(struct lineedit *le);

/* End the search and bring back the buffer and cursor it started with
 * (Esc, Ctrl-G). No effect when no search is on. */
void lineedit_search_cancel(struct lineedit *le);

/* Append the search line's prompt to out: "(reverse-i-search)'QUERY': ",
 * or "(failed reverse-i-search)'QUERY': " when nothing matches; nothing
 * when no search is on. The query holds only sanitized text. */
void lineedit_search_prompt(const struct lineedit *le, struct strbuf *out);

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
