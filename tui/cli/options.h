/* options: the subcommands' options parsed from one table each, with the
 * shared --db, --config and --help added by the parser. The same tables,
 * described instead of parsed, make the shell completion scripts. */
#ifndef RAGDECK_OPTIONS_H
#define RAGDECK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct cli;
struct option;

enum cli_opt_type {
	CLI_OPT_FLAG,   /* no argument: *(bool *)dest = true */
	CLI_OPT_STRING, /* *(const char **)dest = the argument (it points into argv) */
	CLI_OPT_INT,    /* *(int *)dest = the argument, a whole number from min to max */
	CLI_OPT_FUNC,   /* parse(dest, argument) returns 0, or -1 when it refuses it */
};

/* What a shell completes for an option's argument or a command's operands. */
enum cli_complete {
	CLI_COMPLETE_NONE, /* free text: nothing is offered */
	CLI_COMPLETE_PATH, /* a file or a directory */
};

struct cli_opt {
	const char *name;  /* long name without "--"; NULL ends a table, and
	                    * that last entry's `complete` says what the
	                    * command's operands are */
	char letter;       /* short name, or 0 for none */
	enum cli_opt_type type;
	void *dest;
	int min, max;      /* CLI_OPT_INT */
	int (*parse)(void *dest, const char *arg); /* CLI_OPT_FUNC */
	const char *refused; /* CLI_OPT_INT, CLI_OPT_FUNC: the usage error for a
	                      * value refused, a format with one %s for the value */
	const char *choices; /* the values a shell offers, separated by spaces
	                      * ("hybrid vector fts"); NULL: by `complete` */
	enum cli_complete complete;
};

/* A table as cli_options_parse describes it when cli->describe is set. */
struct cli_describe {
	struct cli_opt *opts; /* the table's options (dest and parse NULL), then
	                       * the shared ones; NULL until described */
	size_t n;
	enum cli_complete operands;
};

/* Parse the options of argv (argv[0] the command's name) by opts and the
 * shared --db, --config and --help, with getopt_long; optind is left at
 * the first operand. Returns 0 to go on, or -1 with *exit_code set:
 * EXIT_OK after help was printed to stdout, EXIT_USAGE after a usage error
 * naming cmd ("unknown option", or the option's refused message) went to
 * stderr. With cli->describe set nothing is parsed: opts and the shared
 * options are copied there, and -1 is returned with EXIT_OK, so the
 * command stops as it does after --help. */
int cli_options_parse(struct cli *cli, const char *cmd, const char *help, const struct cli_opt *opts, int argc,
                      char **argv, int *exit_code);

/* Append getopt_long's table longopts (ended by a zeroed entry) to d as a
 * cli_opt table would describe it: a letter when an option's code is a
 * character, an argument completed as a path. */
void cli_describe_longopts(struct cli_describe *d, const struct option *longopts);

/* Free what d holds and zero it; NULL-safe. */
void cli_describe_free(struct cli_describe *d);

/* CLI_OPT_FUNC parser of --mode: hybrid, vector or fts into
 * *(enum retrieve_mode *)dest; CLI_RETRIEVE_MODES are its choices. */
#define CLI_RETRIEVE_MODES "hybrid vector fts"
int cli_opt_retrieve_mode(void *dest, const char *arg);

#endif
