/* commands: the headless subcommands, declared once.
 *
 * X(name, usage, summary): the table drives dispatch, the top-level --help
 * and the man page test. Each command is `int cmd_NAME(struct cli *, int
 * argc, char **argv)` with argv[0] the command name, returning an exit
 * code (EXIT_OK, EXIT_FAIL, EXIT_USAGE). */
#ifndef RAGDECK_COMMANDS_H
#define RAGDECK_COMMANDS_H

struct cli;

#define RAGDECK_COMMANDS(X) \
	X(ingest, "ingest [--collection NAME] [--include GLOB] [--exclude GLOB] [--prune] [--json] PATH...", \
	  "add files and directories to the knowledge store") \
	X(reembed, "reembed [--collection NAME] [--model MODEL] [--json]", \
	  "embed a collection again with another model; search keeps the old vectors until done") \
	X(docs, "docs [--collection NAME] [--json]", "list ingested documents") \
	X(chunks, "chunks [--json] PATH", "show how one document was chunked") \
	X(search, "search [-k N] [--mode hybrid|vector|fts] [--collection C] [--path GLOB] [--json] QUERY", \
	  "retrieve the chunks that best match a query") \
	X(ask, "ask [--model M] [-k N] [--no-stream] [--raw] [--input FILE] [--json] QUESTION", \
	  "answer a question from the documents, with numbered sources") \
	X(stats, "stats [--since DURATION] [--json]", \
	  "latency percentiles, error and fallback rates, cost, alerts") \
	X(eval, "eval [--model M] [-k N] [--sweep KEY=V1,V2,...] [--json] GOLDEN", \
	  "score a golden set: retrieval, grounding, format, latency, cost; gate on thresholds") \
	X(golden, "golden export [--json]", "write reviewer marks as golden items (YAML, or JSONL)") \
	X(pairs, "pairs check [--format json|regex:PATTERN] FILE.jsonl | pairs export [--json]", \
	  "check fine-tuning pairs before training; export approved chat turns as pairs") \
	X(config, "config check [FILE]", "check a config file and print the effective config")

#define DECLARE_COMMAND(name, usage, summary) int cmd_##name(struct cli *cli, int argc, char **argv);
RAGDECK_COMMANDS(DECLARE_COMMAND)
#undef DECLARE_COMMAND

#endif
