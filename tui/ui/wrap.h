/* wrap: light Markdown rendered into display rows of styled runs.
 *
 * Input is sanitized UTF-8 (utf8_sanitize) and a width in terminal columns.
 * Output is rows; a row is an indent (blank columns) followed by runs, and a
 * run is a byte range of the input with a style. Runs point into the
 * caller's text by offset, so the text may move (grow by realloc) between
 * layout and drawing as long as its bytes stay the same.
 *
 * The Markdown is the part a chat answer uses:
 * - every newline ends a row (model output is not hard-wrapped, and lists,
 *   code and tables rely on its newlines);
 * - ATX headings "# Title" (up to six '#'): the '#'s are hidden;
 * - *emphasis*, _emphasis_ (not inside words, so snake_case stays),
 *   **strong**, __strong__, `inline code`, [text](url) links and \-escapes:
 *   the markers are hidden; an opener with no closer on its line is text;
 * - fenced code blocks (``` or ~~~): the fence rows are hidden, the code is
 *   not word-wrapped; a code row wider than the width is cut at width - 1
 *   columns and continues on the next row, and the cut row carries
 *   WRAP_ROW_BROKEN so the pane draws a continuation mark in its last
 *   column;
 * - list items "- ", "* ", "+ ", "1. ", "1) ": the marker is a
 *   WRAP_LIST_BULLET run (the pane may draw a bullet glyph instead of '-'),
 *   and continuation rows hang under the item's text;
 * - citations "[n]" (n: 1 to 6 digits) are WRAP_CITATION runs carrying n,
 *   and are listed with their row and column so the chat pane can jump
 *   between them and to chunk n.
 *
 * Text wraps at spaces by display width, the columns grapheme_next gives
 * each cluster (core/util/grapheme.h): a cluster is never split, and a
 * word longer than the width is broken at the width. Leading indentation is kept and
 * wrapped rows repeat it. A tab is a run of its own that takes the columns
 * to the next multiple of WRAP_TAB_COLS (but not past the width); the pane
 * draws it as that many spaces.
 *
 * Streaming: laying out a text that extends the previous one at the same
 * width redoes only its last, unfinished line (see wrap_layout). */
#ifndef RAGDECK_WRAP_H
#define RAGDECK_WRAP_H

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
	WRAP_URL,          /* the url of [text](url), without parentheses */
	WRAP_STYLE_COUNT
};

struct wrap_run {
	size_t off, len;          /* bytes of the text */
	unsigned cols;            /* display columns */
	enum wrap_style style;
	int cite;                 /* citation number for WRAP_CITATION, else 0 */
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

struct wrap;

/* A new, empty layout. Never NULL; free with wrap_free. */
struct wrap *wrap_new(void);

/* Free w (NULL-safe) and set *w to NULL. */
void wrap_free(struct wrap **w);

/* Lay out text[0..len) at width columns (width < 1 counts as 1), replacing
 * the previous rows. When the width is unchanged and text starts with every
 * complete line ('\n'-terminated) of the previous call's text, those lines
 * are kept and only the rest is laid out: a streamed answer costs one line
 * per token, not the whole answer. text need not be NUL-terminated. */
void wrap_layout(struct wrap *w, const char *text, size_t len, int width);

/* Number of rows of the last layout. */
size_t wrap_row_count(const struct wrap *w);

/* Row i (< wrap_row_count). The pointer is valid until the next layout. */
const struct wrap_row *wrap_row(const struct wrap *w, size_t i);

/* The runs of row i, *n of them. Valid until the next layout. */
const struct wrap_run *wrap_row_runs(const struct wrap *w, size_t i, size_t *n);

/* The citations of the last layout in reading order, *n of them. Valid
 * until the next layout. */
const struct wrap_cite *wrap_cites(const struct wrap *w, size_t *n);

/* Append the layout as text, one line per row, for tests and debug dumps:
 * the indent as spaces, unstyled runs as their text, a styled run as
 * "{X:text}" with X one of H (heading), E (emphasis), S (strong), C (code),
 * B (code block), L (list bullet), R<n> (citation n), K (link), U (url);
 * tabs as spaces; a broken row ends in '\'. text is the laid-out text. */
void wrap_dump(const struct wrap *w, const char *text, struct strbuf *out);

#endif
