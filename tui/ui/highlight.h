/* highlight: syntax classes for the lines of a fenced code block, without
 * curses.
 *
 * The chat pane lays an answer out line by line while it streams, so the
 * lexers work one line at a time: hl_line classifies a line's bytes and
 * returns a small state for the next line (inside a block comment, a
 * triple-quoted string, a template string, a YAML block scalar, a diff
 * hunk). A caller keeps the state each line starts in, so a line that
 * grows while tokens arrive is classified again alone, and a line once
 * complete never changes.
 *
 * The lexers are small and table-driven, one per language; they colour
 * what helps reading an answer (keywords, strings, comments, numbers,
 * keys, added and removed lines, log levels) and leave the rest plain.
 * They never guess a language: an unknown or empty info string is not
 * highlighted. Which constructs each language covers and leaves out:
 * docs/architecture.md, "tui/ui". */
#ifndef RAGDECK_HIGHLIGHT_H
#define RAGDECK_HIGHLIGHT_H

#include <stddef.h>

enum hl_class {
	HL_PLAIN,
	HL_KEYWORD,   /* keywords and constants: if, def, SELECT, true, null, None */
	HL_TYPE,      /* types and builtins: int, size_t, str, VARCHAR, echo */
	HL_FUNCTION,  /* a called or defined function, a decorator, a shell command */
	HL_STRING,    /* quoted text, regexes, YAML/INI plain values, #include <path> */
	HL_NUMBER,    /* numbers; in logs also dates, times and addresses */
	HL_COMMENT,
	HL_VARIABLE,  /* shell $VAR and NAME=, interpolations, YAML anchors, SQL $1 */
	HL_KEY,       /* YAML, JSON and INI/TOML keys, log key=value keys */
	HL_HEADER,    /* diff file headers and @@ hunks, INI/TOML [sections] */
	HL_ADDED,     /* a diff's + line */
	HL_REMOVED,   /* a diff's - line */
	HL_ERROR,     /* log levels ERROR, FATAL, CRITICAL, PANIC */
	HL_WARN,      /* log level WARN, WARNING */
	HL_CLASS_COUNT
};

enum hl_lang {
	HL_LANG_NONE,     /* not highlighted: the line is one plain span */
	HL_LANG_SHELL,
	HL_LANG_CONSOLE,  /* a shell session: "$ " and "# " prompts, output plain */
	HL_LANG_YAML,
	HL_LANG_JSON,     /* with // and block comments (JSONC) */
	HL_LANG_PYTHON,
	HL_LANG_JS,       /* JavaScript and TypeScript */
	HL_LANG_C,        /* C and C++ */
	HL_LANG_SQL,
	HL_LANG_INI,      /* INI, TOML, .conf, .properties, systemd units */
	HL_LANG_DIFF,
	HL_LANG_LOG,
	HL_LANG_COUNT
};

/* Bytes [off, off + len) of a line in one class. */
struct hl_span {
	size_t off, len;
	enum hl_class cls;
};

/* The state a code block's first line starts in. */
#define HL_STATE_START 0u

/* The language of a fenced code block from its info string info[0..len)
 * (not NUL-terminated): its first word, up to white space or one of
 * ",{}:", case-insensitive, with the common aliases ("sh", "yml", "py",
 * "ts", "c++", "postgresql", "toml", "patch", ...). An unknown or empty
 * word is HL_LANG_NONE: no language is guessed from the code. */
enum hl_lang hl_lang_from_name(const char *info, size_t len);

/* Classify line[0..len) (not NUL-terminated, no newline; any bytes) of a
 * block in lang, starting in state (HL_STATE_START for the block's first
 * line, else what the previous line returned; any other value is read as
 * some valid state, never trusted). Writes to out[0..max) spans that
 * cover the line in order without gaps, adjacent spans of one class
 * merged, and their count to *n (0 for an empty line). A span never
 * splits a UTF-8 sequence of valid input. When the line needs more than
 * max spans, they stop early: the last one written is HL_PLAIN and runs
 * to the end of the line; with max 0 nothing is written and only the
 * state is computed. Returns the state for the next line. Time is linear
 * in len; nothing is allocated. */
unsigned hl_line(enum hl_lang lang, unsigned state, const char *line, size_t len,
		 struct hl_span *out, size_t max, size_t *n);

#endif
