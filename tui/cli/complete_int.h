/* complete_int.h: the script writers behind complete_write, one file a
 * shell, and what they share. */
#ifndef RAGDECK_COMPLETE_INT_H
#define RAGDECK_COMPLETE_INT_H

#include "tui/cli/complete.h"

/* What a shell offers for an option's value. */
enum complete_value {
	COMPLETE_FLAG,  /* the option takes no value */
	COMPLETE_TEXT,  /* free text: nothing */
	COMPLETE_PATH,  /* file and directory names */
	COMPLETE_WORDS, /* the option's choices */
};

/* What o takes, by its type, choices and complete hint. */
enum complete_value complete_value(const struct cli_opt *o);

/* Write s to out single-quoted as bash and zsh read it. */
void complete_put_quoted(FILE *out, const char *s);

/* Write s to out between open and close, each character of special after
 * a backslash: fish's single quotes (a quote or a backslash escaped), or
 * zsh's list of words in an _arguments action (a colon escaped). */
void complete_put_escaped(FILE *out, const char *s, char open, const char *special, char close);

/* The writers: m's script for each shell to out. */
void complete_write_bash(const struct complete_model *m, FILE *out);
void complete_write_zsh(const struct complete_model *m, FILE *out);
void complete_write_fish(const struct complete_model *m, FILE *out);

#endif
