/* term_md: a Markdown answer printed to a terminal as styled lines, block
 * by block while it streams (ragdeck ask on a terminal).
 *
 * The text is laid out by wrap at the terminal's width; a row is printed
 * once it can no longer change (its block or code line is complete), the
 * rest when the answer ends. Styles are SGR sequences: colours and
 * attributes, or attributes alone for NO_COLOR. Text from the model is
 * sanitized before layout, so only this module's own sequences reach the
 * terminal. */
#ifndef RAGDECK_TERM_MD_H
#define RAGDECK_TERM_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct term_md;

/* A renderer printing to out at width columns (width < 20 counts as 20),
 * with colours or (color false) attributes only. Never NULL. */
struct term_md *term_md_new(FILE *out, int width, bool color);

/* Append the answer's next text (untrusted, any bytes) and print the rows
 * it completed. */
void term_md_add(struct term_md *t, const char *text, size_t len);

/* Print what is left: the answer has ended. */
void term_md_finish(struct term_md *t);

/* Free t (NULL-safe) and set *t to NULL. */
void term_md_free(struct term_md **t);

/* The width to render at for the terminal on fd: its columns, else
 * $COLUMNS, else 80. */
int term_md_width(int fd);

#endif
