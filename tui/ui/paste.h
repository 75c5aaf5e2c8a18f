/* paste: the body of a bracketed paste as it arrives, without curses.
 *
 * A terminal in bracketed-paste mode sends pasted text between ESC [200~
 * and ESC [201~. The screen code reads the body straight from the terminal
 * in blocks (curses reads one byte per system call, seconds for a pasted
 * log) and feeds the blocks here until the end marker shows up, however
 * the blocks cut it.
 *
 * The text is kept as sent except for line breaks: a terminal sends each
 * as a carriage return (what Enter sends), sometimes as CR LF, and both
 * become one newline. Everything else is left for the line editor's
 * sanitizer. */
#ifndef RAGDECK_PASTE_H
#define RAGDECK_PASTE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/strbuf.h"

/* The sequence that ends a bracketed paste. */
#define PASTE_END_MARKER "\033[201~"

struct paste {
	struct strbuf text;   /* the body so far, line breaks as newlines */
	size_t held;          /* bytes of PASTE_END_MARKER matched at the end of the last block */
	bool after_cr;        /* the last byte was a CR: an LF right after it is the same break */
};

/* Start a new paste in p: empty text, nothing held. p may be zeroed or used
 * before. */
void paste_begin(struct paste *p);

/* Feed the block buf[0..len) read during the paste. Returns the bytes used:
 * all of them while the end marker has not been seen, else up to and
 * including it (the rest is what was typed after the paste), with *done
 * set. A marker cut across blocks is matched; bytes that looked like its
 * start and were not go to the text. */
size_t paste_feed(struct paste *p, const char *buf, size_t len, bool *done);

/* Release p's memory (p stays usable). */
void paste_free(struct paste *p);

#endif
