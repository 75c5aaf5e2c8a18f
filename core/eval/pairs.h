/* pairs: fine-tuning pairs (JSONL) checked before anyone pays for
 * training, and approved chat turns written out as pairs.
 *
 * Each non-blank line holds one pair, either in the OpenAI chat format
 *
 *     {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}
 *
 * (input: the system and user messages in order; output: the last
 * assistant message) or as {"prompt": "...", "completion": "..."} (the
 * prompt counts as one user message, so both formats compare equal).
 *
 * The check reports, each with its line: lines that are not a JSON object
 * of either shape (schema), empty or whitespace-only input or output,
 * duplicates (same input and output as an earlier line), contradictions
 * (same input as an earlier line, different output), outputs failing the
 * format check, and length outliers: output token counts (tokens_estimate)
 * outside median +- 3 x MAD of the well-formed, non-empty items, computed
 * only when there are at least PAIRS_OUTLIER_MIN_ITEMS of them. With MAD 0
 * (more than half the outputs share one length) every other length is an
 * outlier. Outliers are warnings; every other problem makes the set unfit,
 * and so does a file without any pair. */
#ifndef RAGDECK_PAIRS_H
#define RAGDECK_PAIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cJSON;

#define PAIRS_OUTLIER_MIN_ITEMS 8

/* Problem kinds, in the order the report counts them. */
enum pairs_kind {
	PAIRS_SCHEMA,
	PAIRS_EMPTY,
	PAIRS_DUPLICATE,
	PAIRS_CONTRADICTION,
	PAIRS_FORMAT,
	PAIRS_OUTLIER,
	PAIRS_N_KINDS
};

/* The format check outputs must pass. */
enum pairs_check { PAIRS_CHECK_NONE, PAIRS_CHECK_JSON, PAIRS_CHECK_REGEX };

struct pairs_format {
	enum pairs_check check;
	const char *pattern;          /* PAIRS_CHECK_REGEX: POSIX ERE, not owned */
};

struct pairs_problem {
	enum pairs_kind kind;
	int line;                     /* 1-based line of the pair */
	int other_line;               /* duplicate: the line it repeats; contradiction:
	                                 the first line with the same input; else 0 */
	char *detail;                 /* what is wrong, without the line; owned */
};

/* A well-formed pair (non-empty input and output), as a judge sees it. */
struct pairs_item {
	int line;                     /* 1-based */
	char *instruction;            /* its system and user messages, one "role: content"
	                                 block each, in order; owned */
	char *asked;                  /* its user messages' contents alone, a blank line
	                                 between them: what it asks; owned */
	char *output;                 /* the assistant's reply; owned */
	char hash[17];                /* its identity (pairs_chat_hash for a chat line) */
};

struct pairs_report {
	char *source;                 /* the name given to the check; owned */
	struct pairs_item *items;     /* the well-formed pairs, by line */
	size_t n_ok;
	size_t n_items;               /* non-blank lines */
	size_t counts[PAIRS_N_KINDS];
	struct pairs_problem *problems;   /* sorted by line, then kind */
	size_t n_problems;
	bool outliers_checked;        /* enough items for the length statistics */
	double median, mad;           /* of output tokens, when outliers_checked */
};

/* "schema", "empty", "duplicate", "contradiction", "format", "outlier". */
const char *pairs_kind_name(enum pairs_kind k);

/* Parse a --format argument: "json" or "regex:PATTERN" (PATTERN must
 * compile). f->pattern points into arg. Returns 0, or -1 with err. */
int pairs_format_parse(const char *arg, struct pairs_format *f, char *err, size_t errlen);

/* Check the len bytes of JSONL at text; name stands for the file in the
 * report. fmt may be NULL (no format check). Returns 0 with *out set
 * (caller frees with pairs_report_free), or -1 with err when fmt holds a
 * pattern that does not compile. */
int pairs_check_text(const char *name, const char *text, size_t len, const struct pairs_format *fmt,
                     struct pairs_report **out, char *err, size_t errlen);

/* pairs_check_text on the file at path. Returns 0 with *out, or -1 with
 * err ("cannot open pairs file PATH: reason") and *out NULL. */
int pairs_check_file(const char *path, const struct pairs_format *fmt, struct pairs_report **out,
                     char *err, size_t errlen);

/* True when the set can go to training: at least one pair and no problem
 * other than outliers. */
bool pairs_report_fit(const struct pairs_report *r);

/* Write one "SOURCE:LINE: KIND: detail" line per problem, then the
 * summary line with every count and "fit" or "unfit". */
void pairs_report_print(FILE *f, const struct pairs_report *r);

/* Free the report and everything it owns; NULL-safe; clears *r. */
void pairs_report_free(struct pairs_report **r);

/* A pair in the chat format: {"messages": [user input, assistant output]}.
 * Caller frees with cJSON_Delete. */
struct cJSON *pairs_chat_json(const char *input, const char *output);

/* The identity of the pair pairs_chat_json(input, output) writes, as 16 hex
 * digits into out: the same hash pairs_check gives that line (a pair's
 * hash covers its roles, contents and output, whatever its format, so a
 * prompt/completion line hashes as the chat line with the same user input). */
void pairs_chat_hash(const char *input, const char *output, char out[17]);

#endif
