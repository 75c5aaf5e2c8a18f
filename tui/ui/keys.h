/* keys: every command of the app, its key bindings, the help screen and
 * the ':' command line, without curses.
 *
 * Commands are declared once, in KEYS_COMMANDS (tig-style): enum, name (as
 * typed after ':' and in help), how the command line takes it, the name of
 * its argument, and a help sentence. Bindings map a key in a keymap to a
 * command; a key is looked up in the keymap of what has the focus, then in
 * the global one.
 *
 * Key codes are this module's own, so nothing here needs curses: a
 * character is its Unicode code point, KEYS_CTRL('a') is Ctrl-A, special
 * keys are KEYS_UP and friends (above the Unicode range, so they never
 * collide with a character, unlike curses' KEY_* values), and KEYS_ALT()
 * marks a key pressed with Alt (or after Esc). The screen code translates
 * wget_wch's results into these once. */
#ifndef RAGDECK_KEYS_H
#define RAGDECK_KEYS_H

#include <stddef.h>

#include "core/util/strbuf.h"

/* How ':' takes a command: not at all, without an argument, with text
 * (the rest of the line), or with a positive number. */
enum keys_colon {
	KEYS_KEY_ONLY,
	KEYS_COLON,
	KEYS_COLON_TEXT,
	KEYS_COLON_NUMBER,
};

#define KEYS_COMMANDS(X) \
	X(QUIT, "quit", KEYS_COLON, NULL, "Quit ragdeck") \
	X(INTERRUPT, "interrupt", KEYS_KEY_ONLY, NULL, \
	  "Stop the running answer; twice in a row, quit") \
	X(CANCEL, "cancel", KEYS_KEY_ONLY, NULL, \
	  "Stop the answer, or close the help, the command line or a search") \
	X(HELP, "help", KEYS_COLON, NULL, "Show the keys and commands") \
	X(COMMAND_LINE, "command-line", KEYS_KEY_ONLY, NULL, "Open the : command line") \
	X(REDRAW, "redraw", KEYS_KEY_ONLY, NULL, "Redraw the screen") \
	X(FOCUS_NEXT, "focus-next", KEYS_KEY_ONLY, NULL, "Move the focus to the next pane") \
	X(FOCUS_PREV, "focus-prev", KEYS_KEY_ONLY, NULL, \
	  "Move the focus to the previous pane") \
	X(FOCUS_PANE_1, "focus-chat", KEYS_KEY_ONLY, NULL, "Focus the chat pane") \
	X(FOCUS_PANE_2, "focus-context", KEYS_KEY_ONLY, NULL, "Focus the context pane") \
	X(FOCUS_PANE_3, "focus-dashboard", KEYS_KEY_ONLY, NULL, "Focus the dashboard pane") \
	X(FOCUS_PANE_4, "focus-routing", KEYS_KEY_ONLY, NULL, "Focus the routing pane") \
	X(FOCUS_PANE_5, "focus-eval", KEYS_KEY_ONLY, NULL, "Focus the eval pane") \
	X(FOCUS_INPUT, "focus-input", KEYS_KEY_ONLY, NULL, "Move the focus to the input line") \
	X(ZOOM, "zoom", KEYS_COLON, NULL, "Show the focused pane full screen, or go back") \
	X(SCROLL_UP, "scroll-up", KEYS_KEY_ONLY, NULL, "Scroll up one line") \
	X(SCROLL_DOWN, "scroll-down", KEYS_KEY_ONLY, NULL, "Scroll down one line") \
	X(PAGE_UP, "page-up", KEYS_KEY_ONLY, NULL, "Scroll up one page") \
	X(PAGE_DOWN, "page-down", KEYS_KEY_ONLY, NULL, "Scroll down one page") \
	X(SCROLL_TOP, "scroll-top", KEYS_KEY_ONLY, NULL, "Go to the top") \
	X(SCROLL_BOTTOM, "scroll-bottom", KEYS_KEY_ONLY, NULL, "Go to the bottom") \
	X(OPEN_CHUNK, "open-chunk", KEYS_KEY_ONLY, NULL, \
	  "Open the selected or cited chunk in its document") \
	X(MARK_RELEVANT, "mark-relevant", KEYS_KEY_ONLY, NULL, \
	  "Mark the selected chunk relevant") \
	X(MARK_IRRELEVANT, "mark-irrelevant", KEYS_KEY_ONLY, NULL, \
	  "Mark the selected chunk irrelevant") \
	X(APPROVE, "approve", KEYS_KEY_ONLY, NULL, \
	  "Approve the latest answer as a training pair (ragdeck pairs export)") \
	X(EDIT_QUESTION, "edit-question", KEYS_KEY_ONLY, NULL, \
	  "Put the last question in the input line to edit and resend") \
	X(ASK_AGAIN, "ask-again", KEYS_KEY_ONLY, NULL, \
	  "Ask the last question again; the old answer stays, marked replaced") \
	X(NEXT_CITATION, "next-citation", KEYS_KEY_ONLY, NULL, "Select the next citation [n]") \
	X(PREV_CITATION, "prev-citation", KEYS_KEY_ONLY, NULL, \
	  "Select the previous citation [n]") \
	X(COPY_ANSWER, "copy-answer", KEYS_KEY_ONLY, NULL, \
	  "Copy the answer on show to the clipboard (OSC 52; in tmux: set-clipboard on)") \
	X(COPY_CODE, "copy-code", KEYS_KEY_ONLY, NULL, \
	  "Copy a code block of the answer on show; n/N then move between its code blocks") \
	X(COPY_CITATION, "copy-citation", KEYS_KEY_ONLY, NULL, \
	  "Copy the selected citation as path:lines") \
	X(REINGEST, "reingest", KEYS_KEY_ONLY, NULL, \
	  "Ingest the selected chunk's file again (marked stale when it changed on disk)") \
	X(WHY_NOT, "why-not", KEYS_COLON_TEXT, "PATH", \
	  "Why the document at PATH was or was not retrieved for the question in the context " \
	  "pane (Tab completes stored paths)") \
	X(SUBMIT, "submit", KEYS_KEY_ONLY, NULL, "Send the question") \
	X(NEWLINE, "newline", KEYS_KEY_ONLY, NULL, "Start a new line in the question") \
	X(EDIT_LEFT, "edit-left", KEYS_KEY_ONLY, NULL, "Cursor one character left") \
	X(EDIT_RIGHT, "edit-right", KEYS_KEY_ONLY, NULL, "Cursor one character right") \
	X(EDIT_HOME, "edit-home", KEYS_KEY_ONLY, NULL, "Cursor to the start of the line") \
	X(EDIT_END, "edit-end", KEYS_KEY_ONLY, NULL, "Cursor to the end of the line") \
	X(EDIT_WORD_LEFT, "edit-word-left", KEYS_KEY_ONLY, NULL, \
	  "Cursor to the previous word") \
	X(EDIT_WORD_RIGHT, "edit-word-right", KEYS_KEY_ONLY, NULL, \
	  "Cursor past the next word") \
	X(EDIT_DELETE_BACK, "edit-delete-back", KEYS_KEY_ONLY, NULL, \
	  "Delete before the cursor") \
	X(EDIT_DELETE_FORWARD, "edit-delete-forward", KEYS_KEY_ONLY, NULL, \
	  "Delete under the cursor") \
	X(EDIT_KILL_TO_START, "edit-kill-to-start", KEYS_KEY_ONLY, NULL, \
	  "Cut to the start of the line") \
	X(EDIT_KILL_TO_END, "edit-kill-to-end", KEYS_KEY_ONLY, NULL, \
	  "Cut to the end of the line") \
	X(EDIT_KILL_WORD_BACK, "edit-kill-word-back", KEYS_KEY_ONLY, NULL, \
	  "Cut the word before the cursor") \
	X(EDIT_YANK, "edit-yank", KEYS_KEY_ONLY, NULL, "Paste what was cut last") \
	X(HISTORY_PREV, "history-prev", KEYS_KEY_ONLY, NULL, \
	  "Line above, or the previous question") \
	X(HISTORY_NEXT, "history-next", KEYS_KEY_ONLY, NULL, \
	  "Line below, or the next question") \
	X(HISTORY_SEARCH, "history-search", KEYS_KEY_ONLY, NULL, \
	  "Search past questions as you type (any case); Enter takes it unsent") \
	X(NEW_SESSION, "new", KEYS_COLON, NULL, "Start a new session") \
	X(SESSIONS, "sessions", KEYS_COLON, NULL, "List the saved sessions") \
	X(SESSION, "session", KEYS_COLON_NUMBER, "N", "Switch to session N") \
	X(INGEST, "ingest", KEYS_COLON_TEXT, "PATH", "Add a file or directory to the store") \
	X(WATCH, "watch", KEYS_COLON_TEXT, "PATH|off", \
	  "Ingest PATH, then keep the store in step with its files while the app runs; off stops") \
	X(MODEL, "model", KEYS_COLON_TEXT, "NAME", "Answer with model NAME") \
	X(THEME, "theme", KEYS_COLON_TEXT, "NAME", "Switch to colour theme NAME") \
	X(EXPORT, "export", KEYS_COLON_TEXT, "FILE", \
	  "Save the conversation as Markdown in FILE") \
	X(EVAL, "eval", KEYS_COLON_TEXT, "GOLDEN", \
	  "Evaluate the golden set GOLDEN in the eval pane and store the run")

enum keys_cmd {
	KEYS_CMD_NONE,
#define KEYS_ENUM_(id, name, colon, arg, help) KEYS_CMD_##id,
	KEYS_COMMANDS(KEYS_ENUM_)
#undef KEYS_ENUM_
	KEYS_CMD_COUNT
};

/* Key codes. */
#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_ALT_FLAG 0x40000000
#define KEYS_ALT(k) ((k) | KEYS_ALT_FLAG)
#define KEYS_TAB '\t'
#define KEYS_ENTER '\r'
#define KEYS_ESC 0x1b
#define KEYS_F(n) (KEYS_F0 + (n))

enum keys_special {
	KEYS_SPECIAL_BASE = 0x110000,
	KEYS_UP = KEYS_SPECIAL_BASE,
	KEYS_DOWN,
	KEYS_LEFT,
	KEYS_RIGHT,
	KEYS_HOME,
	KEYS_END,
	KEYS_PGUP,
	KEYS_PGDN,
	KEYS_INSERT,
	KEYS_DELETE,
	KEYS_BACKSPACE,        /* curses' KEY_BACKSPACE and DEL (0x7f) */
	KEYS_BTAB,             /* Shift-Tab */
	KEYS_CTRL_LEFT,
	KEYS_CTRL_RIGHT,
	KEYS_RESIZE,
	KEYS_F0,               /* KEYS_F(1) .. KEYS_F(12) follow */
	KEYS_SPECIAL_END = KEYS_F0 + 13
};

enum keys_map {
	KEYS_MAP_GLOBAL,   /* anywhere */
	KEYS_MAP_PANE,     /* a pane has the focus */
	KEYS_MAP_INPUT,    /* the input line has the focus */
	KEYS_MAP_COUNT
};

struct keys_table;

/* Name of a command ("focus-next"); "" for KEYS_CMD_NONE or out of range. */
const char *keys_cmd_name(enum keys_cmd cmd);

/* Help sentence of a command; "" for KEYS_CMD_NONE or out of range. */
const char *keys_cmd_help(enum keys_cmd cmd);

/* How ':' takes a command; KEYS_KEY_ONLY for KEYS_CMD_NONE or out of
 * range. */
enum keys_colon keys_cmd_colon(enum keys_cmd cmd);

/* The command called name, or KEYS_CMD_NONE. */
enum keys_cmd keys_cmd_by_name(const char *name);

/* A table holding the default bindings. Never NULL; free with
 * keys_table_free. */
struct keys_table *keys_table_new(void);

/* Free t (NULL-safe) and set *t to NULL. */
void keys_table_free(struct keys_table **t);

/* Bind key in map to cmd, replacing its binding there; KEYS_CMD_NONE
 * removes it. */
void keys_bind(struct keys_table *t, enum keys_map map, int key, enum keys_cmd cmd);

/* The command for key in map, else in the global map, else
 * KEYS_CMD_NONE (for the input line: insert the character). */
enum keys_cmd keys_lookup(const struct keys_table *t, enum keys_map map, int key);

/* Write a key's name into buf (always NUL-terminated): "q", "C-a",
 * "M-f", "Up", "PgDn", "F1", "S-Tab", "Enter", "Space". */
void keys_key_name(int key, char *buf, size_t size);

/* The key a name written by keys_key_name stands for, or -1. */
int keys_parse_key(const char *name);

/* Append the help screen: for each keymap the bound commands (in binding
 * order) with their keys, name and help, then the ':' commands with their
 * usage. */
void keys_help(const struct keys_table *t, struct strbuf *out);

/* A parsed ':' command line. */
struct keys_cmdline {
	enum keys_cmd cmd;
	char *arg;         /* KEYS_COLON_TEXT: the argument; else NULL. Caller frees. */
	long num;          /* KEYS_COLON_NUMBER: the number; else 0 */
};

/* Parse a command line ("ingest docs/", ":session 3"; a leading ':' and
 * surrounding blanks are ignored). Returns 0 with *out filled, or -1 with
 * err saying what is wrong (unknown command with a suggestion, missing or
 * extra argument, bad number) and out->arg NULL. */
int keys_parse_cmdline(const char *line, struct keys_cmdline *out, char *err, size_t errlen);

#endif
