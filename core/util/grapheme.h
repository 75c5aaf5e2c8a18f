/* grapheme: user-perceived characters and the terminal columns they take.
 *
 * A cluster is an extended grapheme cluster (Unicode UAX #29, segmented by
 * libutf8proc) of at most GRAPHEME_MAX_CPS code points: a letter with its
 * combining marks, a Hangul syllable written in jamo, an emoji with its skin
 * tone and variation selector, a ZWJ sequence (a family), a flag (two
 * regional indicators). A control character (tab and newline included) and
 * each invalid byte are clusters of their own. Editing and wrapping never
 * split a cluster.
 *
 * Terminals disagree about the columns of a cluster of several code points:
 * xterm, VTE, the Linux console and curses itself add up the widths of its
 * code points (a family of four is 8 columns), tmux 3.3 joins the two sides
 * of a ZWJ into one cell, kitty draws the whole cluster in the width of its
 * first character (2). So the app assumes one model, chosen once at start
 * (grapheme_set_mode), and draws each cluster in a form that terminals of
 * that model give exactly the columns assumed (grapheme_drawn):
 *
 * - GRAPHEME_PER_CODEPOINT, the default: a cluster takes the sum of its code
 *   points' widths (utf8_cp_width) and is drawn code point by code point,
 *   leaving out what makes a terminal join, widen or narrow characters: the
 *   zero width joiner and the variation selectors U+FE0E and U+FE0F are not
 *   drawn (a family shows as its members side by side, a red heart as the
 *   text heart), a character that takes columns but belongs to the cluster
 *   before it (a skin tone) is drawn after a zero width space, and a lone
 *   regional indicator is drawn as U+FFFD. Every terminal then draws the
 *   columns assumed, whatever its model.
 * - GRAPHEME_CLUSTER, for terminals that draw clusters whole (kitty,
 *   WezTerm, foot): a cluster of 2 to GRAPHEME_CELL_MAX code points whose
 *   first character is 1 or 2 columns wide is drawn whole in one cell of
 *   that width, as kitty draws it; except when a variation selector would
 *   change that width (U+FE0F after a narrow character, U+FE0E after a wide
 *   one), when it holds Thai or Lao SARA AM (which such terminals widen), or
 *   when it starts with a regional indicator: those, and longer clusters,
 *   are drawn as in GRAPHEME_PER_CODEPOINT.
 *
 * Nothing here depends on the process locale; the mode is process-wide and
 * set before anything is laid out. */
#ifndef RAGDECK_GRAPHEME_H
#define RAGDECK_GRAPHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Code points one cluster holds at most; a longer run of combining marks
 * goes on as clusters that start with a mark. */
#define GRAPHEME_MAX_CPS 32
/* Code points drawn in one cell in GRAPHEME_CLUSTER mode (what a curses
 * cell holds, CCHARW_MAX). */
#define GRAPHEME_CELL_MAX 5
/* Room grapheme_drawn needs for any cluster. */
#define GRAPHEME_DRAWN_MAX (2 * GRAPHEME_MAX_CPS)

enum grapheme_mode {
	GRAPHEME_PER_CODEPOINT,
	GRAPHEME_CLUSTER,
};

/* One cluster as grapheme_next found it. */
struct grapheme {
	unsigned cols;    /* columns it takes in the current mode; 0 for a
	                   * control, 1 for an invalid byte */
	bool one_cell;    /* draw all its code points in one cell */
};

/* Set the model the app assumes (GRAPHEME_PER_CODEPOINT until called). */
void grapheme_set_mode(enum grapheme_mode m);

/* The model in use. */
enum grapheme_mode grapheme_mode(void);

/* The mode called name ("per_codepoint" or "cluster"), into *m. Returns 0,
 * or -1 for any other name. */
int grapheme_mode_parse(const char *name, enum grapheme_mode *m);

/* End of the cluster that starts at s[i] (i < len); *g describes it. */
size_t grapheme_next(const char *s, size_t len, size_t i, struct grapheme *g);

/* Start of the cluster that ends at s[i] (0 when i is 0); for an i inside
 * a cluster, that cluster's start. Looks back only as far as it must: to a
 * place where every terminal breaks (before a letter, an ideograph or a
 * control), at most 4 * GRAPHEME_MAX_CPS code points. */
size_t grapheme_prev(const char *s, size_t len, size_t i);

/* Columns of s[0..len): the sum of its clusters' columns. */
size_t grapheme_width(const char *s, size_t len);

/* The code points to send to the terminal for the cluster s[i..end) that
 * grapheme_next described in *g, written to out (room for
 * GRAPHEME_DRAWN_MAX); returns how many. Drawn one cell each (a code point
 * of width 0 joins the cell before it), their widths add up to g->cols; for
 * a one_cell cluster they all go in one cell whose width is its first code
 * point's. An invalid byte gives U+FFFD; a control gives nothing. */
size_t grapheme_drawn(const char *s, size_t i, size_t end, const struct grapheme *g,
                      uint32_t *out);

#endif
