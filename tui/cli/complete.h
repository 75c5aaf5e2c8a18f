/* complete: the bash, zsh and fish completion scripts, made from the
 * commands' own option tables.
 *
 * Every command runs once (once per action) with cli->describe set, which
 * makes cli_options_parse hand over its table instead of parsing it; the
 * scripts are written from what was collected. An option added to a
 * command's table is thus offered by every shell without another change. */
#ifndef RAGDECK_COMPLETE_H
#define RAGDECK_COMPLETE_H

#include <stddef.h>
#include <stdio.h>

#include "tui/cli/options.h"

struct cli_command;

/* A word that may come where an operand would: a command, an action. */
struct complete_word {
	char *word;
	const char *about; /* the command's summary; NULL for an action */
};

/* A place on the command line that completes its own way. */
struct complete_ctx {
	char *key;                  /* "-" before the command, "search", "pairs"
	                             * before its action, "pairs check" */
	struct complete_word *next; /* what may follow instead of an operand:
	                             * the commands after "-", the actions after
	                             * a command that has some */
	size_t n_next;
	struct cli_describe opts;   /* the options there, and the operands */
};

struct complete_model {
	struct complete_ctx *ctx; /* ctx[0] is "-" */
	size_t n_ctx;
};

/* Collect the options of cmds[0..n) (each action of a command apart) and
 * of the app (cli_app_longopts) into *m. Returns 0, or -1 with err naming
 * the command that stopped before its option table was described (it must
 * call cli_options_parse before anything else). Free *m with
 * complete_model_free in both cases. */
int complete_model_build(struct complete_model *m, const struct cli_command *cmds, size_t n, char *err,
                         size_t errlen);

/* Free what m holds and zero it; NULL-safe. */
void complete_model_free(struct complete_model *m);

/* Write m's script for shell ("bash", "zsh" or "fish") to out. Returns 0,
 * or -1 for a shell not among them. */
int complete_write(const struct complete_model *m, const char *shell, FILE *out);

#endif
