/* options: the subcommands' options parsed from one table each, with the
 * shared --db, --config and --help added by the parser. */
#ifndef RAGDECK_OPTIONS_H
#define RAGDECK_OPTIONS_H

#include <stdbool.h>

struct cli;

enum cli_opt_type {
	CLI_OPT_FLAG,   /* no argument: *(bool *)dest = true */
	CLI_OPT_STRING, /* *(const char **)dest = the argument (it points into argv) */
	CLI_OPT_INT,    /* *(int *)dest = the argument, a whole number from min to max */
	CLI_OPT_FUNC,   /* parse(dest, argument) returns 0, or -1 when it refuses it */
};

struct cli_opt {
	const char *name;  /* long name without "--"; NULL ends a table */
	char letter;       /* short name, or 0 for none */
	enum cli_opt_type type;
	void *dest;
	int min, max;      /* CLI_OPT_INT */
	int (*parse)(void *dest, const char *arg); /* CLI_OPT_FUNC */
	const char *refused; /* CLI_OPT_INT, CLI_OPT_FUNC: the usage error for a
	                      * value refused, a format with one %s for the value */
};

/* Parse the options of argv (argv[0] the command's name) by opts and the
 * shared --db, --config and --help, with getopt_long; optind is left at
 * the first operand. Returns 0 to go on, or -1 with *exit_code set:
 * EXIT_OK after help was printed to stdout, EXIT_USAGE after a usage error
 * naming cmd ("unknown option", or the option's refused message) went to
 * stderr. */
int cli_options_parse(struct cli *cli, const char *cmd, const char *help, const struct cli_opt *opts, int argc,
                      char **argv, int *exit_code);

/* CLI_OPT_FUNC parser of --mode: hybrid, vector or fts into
 * *(enum retrieve_mode *)dest. */
int cli_opt_retrieve_mode(void *dest, const char *arg);

#endif
