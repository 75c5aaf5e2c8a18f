/* commands: the headless subcommands, declared once.
 *
 * X(name, actions, usage, summary): the table drives dispatch, the
 * top-level --help, the man page test and the completion scripts. actions
 * are the words one of which must follow the name ("pairs check"),
 * separated by spaces, or "". Each command is `int cmd_NAME(struct cli *,
 * int argc, char **argv)` with argv[0] the command name, returning an exit
 * code (EXIT_OK, EXIT_FAIL, EXIT_USAGE). */
#ifndef RAGDECK_COMMANDS_H
#define RAGDECK_COMMANDS_H

#include <getopt.h>
#include <stddef.h>

struct cli;

#define RAGDECK_COMMANDS(X) \
	X(ingest, "", "ingest [--collection NAME] [--include GLOB] [--exclude GLOB] [--prune] [--watch] [--json] PATH...", \
	  "add files and directories to the knowledge store") \
	X(reembed, "", "reembed [--collection NAME] [--model MODEL] [--json]", \
	  "embed a collection again with another model; search keeps the old vectors until done") \
	X(publish, "", "publish [--collection NAME] [--to URL] [--json]", \
	  "copy a collection to the PostgreSQL store a team shares, without embedding again") \
	X(pull, "", "pull [--collection NAME] [--from URL] [--json]", \
	  "copy a collection of the PostgreSQL store into the local store, without embedding again") \
	X(docs, "", "docs [--collection NAME] [--json]", "list ingested documents") \
	X(chunks, "", "chunks [--json] PATH", "show how one document was chunked") \
	X(search, "", "search [-k N] [--mode hybrid|vector|fts] [--collection C] [--path GLOB] [--input FILE] [--json] QUERY", \
	  "retrieve the chunks that best match a query") \
	X(ask, "", "ask [--model M] [-k N] [--no-stream] [--raw] [--input FILE] [--json] QUESTION", \
	  "answer a question from the documents, with numbered sources") \
	X(stats, "", "stats [--since DURATION] [--json]", \
	  "latency percentiles, error and fallback rates, cost, alerts") \
	X(eval, "", "eval [--model M] [-k N] [--sweep KEY=V1,V2,...] [--judge MODEL] [--json] GOLDEN", \
	  "score a golden set: retrieval, grounding, format, latency, cost; gate on thresholds") \
	X(golden, "export", "golden export [--json]", "write reviewer marks as golden items (YAML, or JSONL)") \
	X(pairs, "check export", "pairs check [--format json|regex:PATTERN] [--judge MODEL] FILE.jsonl | " \
	  "pairs export [--min-score X [--judge MODEL]] [--json]", \
	  "check fine-tuning pairs before training; export approved chat turns as pairs") \
	X(config, "check", "config check [FILE]", "check a config file and print the effective config") \
	X(completion, "bash zsh fish", "completion bash|zsh|fish", "print the shell completion script for bash, zsh or fish")

#define DECLARE_COMMAND(name, actions, usage, summary) int cmd_##name(struct cli *cli, int argc, char **argv);
RAGDECK_COMMANDS(DECLARE_COMMAND)
#undef DECLARE_COMMAND

/* A row of RAGDECK_COMMANDS. */
struct cli_command {
	const char *name;
	const char *actions;
	const char *usage;
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* RAGDECK_COMMANDS in order, cli_n_commands of them. */
extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;

/* The options before a command (the app's, and the shared --db, --config
 * and --help), ended by a zeroed entry: tui/main.c parses by it, and the
 * completion scripts offer it. */
extern const struct option cli_app_longopts[];

#endif
