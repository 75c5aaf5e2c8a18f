/* cli: what every headless subcommand shares (options, config, store). */
#ifndef RAGDECK_CLI_H
#define RAGDECK_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/embed/embed_open.h"
#include "store/vecstore.h"

struct config;
struct store;
struct embedder;

/* Exit codes of every subcommand. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli {
	const char *prog;        /* argv[0] basename for messages */
	const char *config_path; /* --config */
	const char *db_path;     /* --db */
	const char *theme;       /* --theme */
	struct config *cfg;      /* loaded by cli_load_config */
	struct store *store;     /* opened by cli_open_store */
	char *resolved_db;       /* path the store was opened at */
	struct cli_describe *describe; /* set: commands describe their options
	                                * instead of running (tui/cli/options.h) */
};

/* Load the config by the lookup order (--config, $RAGDECK_CONFIG, XDG file,
 * defaults), print its warnings and notes once to stderr. Returns 0 or
 * EXIT_FAIL after printing the errors. */
int cli_load_config(struct cli *cli);

/* Copy collection (NULL: the config's) of the open store to the
 * PostgreSQL store at url (NULL: store.url, else the PG* variables) and
 * print the summary (json: as JSON). stop (may be NULL) is polled
 * between documents. Returns EXIT_OK or EXIT_FAIL (logged). */
int cli_publish(struct cli *cli, const char *collection, const char *url, const volatile sig_atomic_t *stop,
                bool json);

/* Open the store at --db, else the config's store.path, else the XDG
 * default. Loads the config first when needed. Returns 0 or EXIT_FAIL
 * after printing why. */
int cli_open_store(struct cli *cli);

/* The embedder the config asks for, to use on collection (NULL: the
 * config's) for use (core/embed/embed_open.h); opens the store. When the
 * collection holds another model's vectors: with mismatch NULL that is an
 * error; else the reason goes to mismatch (else "") and the embedder is
 * still made (the app then searches without vectors and says why).
 * Returns NULL with err. Caller frees with embed_free. */
struct embedder *cli_embedder(struct cli *cli, const char *collection, enum embed_use use, char *mismatch,
                              size_t mismatch_len, char *err, size_t errlen);

/* cli_embedder for headless commands: a mismatch is an error, and the
 * error is printed. */
struct embedder *cli_embedder_or_log(struct cli *cli, const char *collection, enum embed_use use);

/* Open the retriever of collection (NULL: the config's) on store into *r
 * (freed with retriever_free), with cfg's retrieval settings. A missing
 * vector index file is written as build says; bar (NULL: none) shows that
 * write's progress. With retrieval disabled *r is NULL and 0 is returned;
 * with an empty or missing collection *r is NULL and -1 is returned with
 * err saying why: questions are then answered without context. */
struct retriever;
struct progress_bar;
int cli_open_retriever(const struct config *cfg, struct store *store, struct embedder *e,
                       const char *collection, enum vec_build build, struct progress_bar *bar,
                       struct retriever **r, char *err, size_t errlen);

/* Catch the first SIGINT (Ctrl-C) and SIGTERM in a flag, for long runs
 * that stop cleanly between steps and keep what they wrote; a second one
 * ends the process (what was committed stays). Returns the flag. */
const volatile sig_atomic_t *cli_catch_stop_signals(void);

/* Release what cli_load_config and cli_open_store acquired. */
void cli_release(struct cli *cli);

/* Print "PROG: error: ..." for a usage problem plus a hint to --help;
 * returns EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Longest question or query read from standard input. */
#define CLI_STDIN_MAX ((size_t)1 << 20)

/* The text of operand arg into *out (caller frees): arg itself, or for
 * "-" standard input up to CLI_STDIN_MAX bytes, trailing blanks and line
 * ends dropped. Returns 0, or prints a usage error naming cmd and what
 * (empty input, too large, unreadable) and returns -1. */
int cli_operand_text(const struct cli *cli, const char *cmd, const char *what, const char *arg, char **out);

/* Longest input attached beside a question or query (about 25,000 tokens). */
#define CLI_INPUT_MAX (100 * 1024)

/* Input to attach beside cmd's question or query into *out and *len
 * (caller frees; NULL and 0 when there is none): the file path (- for
 * standard input), or with path NULL standard input when it is a pipe or a
 * file (not a terminal, /dev/null or a socket) and no_input is false. When
 * standard input stays silent for 2 s a line on stderr says what it waits
 * for. Returns 0, or prints a usage error (over CLI_INPUT_MAX, unreadable)
 * and returns -1. */
int cli_read_input(const struct cli *cli, const char *cmd, const char *path, bool no_input, char **out,
                   size_t *len);

/* path relative to the current directory when it lies below it, else path
 * itself. Points into path or a static buffer; valid until the next call. */
const char *cli_display_path(const char *path);

/* Write s as a JSON document to f followed by a newline. */
struct cJSON;
void cli_print_json(FILE *f, struct cJSON *json);

/* Write s to f as one line of JSON (no newline inside), for a stream of
 * objects read a line at a time. */
void cli_print_json_line(FILE *f, struct cJSON *json);

/* Write untrusted text s[0..len) (document text, file names, model output)
 * to f with terminal controls made inert by utf8_sanitize. */
void cli_put_clean(FILE *f, const char *s, size_t len);

/* Untrusted s[0..len) made safe as cli_put_clean makes it and kept on one
 * line, for a table cell or a one-line field (a file name, a heading, a
 * collection): each newline shown as \n and each tab as \t, so a name
 * cannot spoof a row. Caller frees. */
char *cli_cell(const char *s, size_t len);

/* Write cli_cell(s, len) to f. */
void cli_put_cell(FILE *f, const char *s, size_t len);

/* Handle an option shared by every subcommand (--db, --config). Returns
 * true when opt was one of them. */
bool cli_common_option(struct cli *cli, int opt, const char *arg);

/* getopt_long codes of the shared options: tui/cli/options adds them to
 * every subcommand's table, tui/cli/commands.c to the app's
 * (cli_app_longopts). */
enum { OPT_DB = 0x100, OPT_CONFIG, OPT_THEME, OPT_CONTINUE, OPT_FIRST_FREE };

#define CLI_COMMON_LONGOPTS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "config", required_argument, NULL, OPT_CONFIG }, \
	{ "help", no_argument, NULL, 'h' }

#endif
