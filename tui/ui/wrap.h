/* wrap: text laid out into display rows of styled runs, as plain text or
 * as Markdown.
 *
 * Input is sanitized UTF-8 (utf8_sanitize) and a width in terminal columns.
 * Output is rows; a row is an indent (blank columns) followed by runs, and a
 * run is a byte range with a style: of the caller's text, by offset (so the
 * text may move between layout and drawing as long as its bytes stay the
 * same), or of the layout's own drawn-only bytes (borders, bullets, decoded
 * entities: run.lit; wrap_run_text gives either).
 *
 * Plain text (wrap_set_markdown false): every newline ends a row, leading
 * indentation is kept and wrapped rows repeat it.
 *
 * Markdown (the default) is parsed by md4c (CommonMark with GitHub tables,
 * strikethrough and task lists; raw HTML shown as text; a bare URL is text):
 * - a newline inside a paragraph ends the row (model output is not
 *   hard-wrapped, so its newlines are meant);
 * - headings, *emphasis*, **strong**, ~~strike~~, `inline code` and links
 *   lose their markers; a link shows its text then its URL (unless the text
 *   is the URL);
 * - list items start with a bullet (•, ◦, ▪ by depth) or their number, and
 *   their rows hang under the text; block quotes start every row with │;
 * - fenced and indented code sits in a box naming its language, its runs
 *   carrying the highlighter's class (tui/ui/highlight.h) when the
 *   language is one it knows; code rows
 *   are cut, not wrapped, at the width: a cut row carries WRAP_ROW_BROKEN so
 *   the pane draws a continuation mark in its last column;
 * - tables are aligned in bordered columns; wider than the width, the widest
 *   columns are narrowed and their cells wrap; with no room for every column,
 *   each row becomes "header: value" lines;
 * - citations "[n]" (n: 1 to 6 digits) in text are WRAP_CITATION runs
 *   carrying n, listed with their row and column.
 *
 * Text wraps at spaces by display width, the columns grapheme_next gives
 * each cluster (core/util/grapheme.h): a cluster is never split, and a
 * word longer than the width is broken at the width. A tab is a run of its
 * own that takes the columns to the next multiple of WRAP_TAB_COLS (but not
 * past the width); the pane draws it as that many spaces.
 *
 * Streaming: laying out a text that extends the previous one at the same
 * width redoes only the last unfinished Markdown block (blocks end at a blank
 * line followed by an unindented line) or, in plain text and in a fenced code
 * block, only the last unfinished line (see wrap_layout). */
#ifndef RAGDECK_WRAP_H
#define RAGDECK_WRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/strbuf.h"

#define WRAP_TAB_COLS 4

enum wrap_style {
	WRAP_NORMAL,
	WRAP_HEADING,
	WRAP_EMPHASIS,
	WRAP_STRONG,
	WRAP_CODE,         /* `inline code` */
	WRAP_CODE_BLOCK,   /* a line of a fenced block */
	WRAP_LIST_BULLET,  /* "-", "*", "+", "12." */
	WRAP_CITATION,     /* "[3]"; run.cite holds 3 */
	WRAP_LINK,         /* the text of [text](url) */
	WRAP_URL,          /* the url of [text](url) */
	WRAP_STRIKE,       /* ~~struck~~ */
	WRAP_QUOTE,        /* the bar before a quoted row */
	WRAP_RULE,         /* a thematic break; a table's borders */
	WRAP_CODE_FRAME,   /* a code box's border */
	WRAP_CODE_LANG,    /* the language on a code box's top border */
	WRAP_TABLE_HEAD,   /* a table's header cell */
	WRAP_STYLE_COUNT
};

struct wrap_run {
	size_t off, len;          /* bytes of the text */
	unsigned cols;            /* display columns */
	enum wrap_style style;
	int cite;                 /* citation number for WRAP_CITATION, else 0 */
	bool lit;                 /* off is in the layout's own bytes */
	unsigned char hl;         /* WRAP_CODE_BLOCK: the highlight class */
};

/* Row flag: a code row cut at the width; draw a mark in the last column. */
#define WRAP_ROW_BROKEN 1u

struct wrap_row {
	size_t first_run, nruns;  /* runs, see wrap_row_runs */
	unsigned indent;          /* blank columns before the first run */
	unsigned cols;            /* indent plus the runs' columns; <= width,
	                           * except a row holding one cluster wider
	                           * than the width (the pane cuts it) */
	unsigned flags;
};

/* A citation's position on screen. */
struct wrap_cite {
	size_t row;
	unsigned col;
	int n;
};

/* A code block's rows: its top border, its lines, its bottom border. */
struct wrap_block {
	size_t first_row, nrows;
	bool closed;              /* its bottom border is the last row */
};

struct wrap;

/* A new, empty layout. Never NULL; free with wrap_free. */
struct wrap *wrap_new(void);

/* Free w (NULL-safe) and set *w to NULL. */
void wrap_free(struct wrap **w);

/* Lay text out as Markdown (on, the default) or as plain text; a change
 * drops the previous layout. */
void wrap_set_markdown(struct wrap *w, bool on);

/* Lay out text[0..len) at width columns (width < 1 counts as 1), replacing
 * the previous rows. When the width is unchanged and text starts with every
 * complete line ('\n'-terminated) of the previous call's text, those lines
 * are kept and only the rest is laid out: a streamed answer costs one line
 * per token, not the whole answer. text need not be NUL-terminated. */
void wrap_layout(struct wrap *w, const char *text, size_t len, int width);

/* Rows of the last layout that no longer change as the text grows at the
 * same width: those of its complete blocks and lines. */
size_t wrap_stable_rows(const struct wrap *w);

/* Number of rows of the last layout. */
size_t wrap_row_count(const struct wrap *w);

/* Row i (< wrap_row_count). The pointer is valid until the next layout. */
const struct wrap_row *wrap_row(const struct wrap *w, size_t i);

/* The runs of row i, *n of them. Valid until the next layout. */
const struct wrap_run *wrap_row_runs(const struct wrap *w, size_t i, size_t *n);

/* The citations of the last layout in reading order, *n of them. Valid
 * until the next layout. */
const struct wrap_cite *wrap_cites(const struct wrap *w, size_t *n);

/* The bytes of run: in text (the laid-out text) or in the layout's own. */
const char *wrap_run_text(const struct wrap *w, const char *text, const struct wrap_run *run);

/* The code blocks of the last layout in reading order, *n of them. Valid
 * until the next layout. */
const struct wrap_block *wrap_code_blocks(const struct wrap *w, size_t *n);

/* Append code block i's code (no borders; a cut row joined to its
 * continuation, rows ended by newlines) to out. */
void wrap_code_text(const struct wrap *w, const char *text, size_t i, struct strbuf *out);

/* Bytes of text laid out since wrap_new, counting each time a byte is laid
 * out again: the streaming cost, measurable without a clock. */
size_t wrap_work(const struct wrap *w);

/* Append the layout as text, one line per row, for tests and debug dumps:
 * the indent as spaces, unstyled runs as their text, a styled run as
 * "{X:text}" with X one of H (heading), E (emphasis), S (strong), C (code),
 * B (code block), L (list bullet), R<n> (citation n), K (link), U (url),
 * X (strike), Q (quote bar), D (rule or table border), F (code frame),
 * G (code language), T (table head), a highlighted code run's B followed by
 * its class (k keyword, t type, f function, s string, n number, c comment,
 * v variable, y key, h header, a added, r removed, e error, w warn: the
 * order of enum hl_class); tabs as spaces; a broken row ends in
 * '\'. text is the laid-out text. */
void wrap_dump(const struct wrap *w, const char *text, struct strbuf *out);

#endif
