/* golden: evaluation sets (questions with their expected sources and
 * checks), loaded from YAML or JSONL and written back out.
 *
 * The format is documented in docs/golden.md; examples/golden.yaml is the
 * reference set. YAML errors name file:line:col, JSONL errors file:line. */
#ifndef RAGDECK_GOLDEN_H
#define RAGDECK_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cJSON;

enum golden_category {
	GOLDEN_FACTUAL,
	GOLDEN_STRUCTURAL,
	GOLDEN_HYBRID,
	GOLDEN_N_CATEGORIES
};

enum golden_format { GOLDEN_FORMAT_NONE, GOLDEN_FORMAT_JSON, GOLDEN_FORMAT_REGEX };

/* An expected source: a document path (relative, matched as a suffix of
 * the stored path) and an optional 1-based inclusive line range (0, 0:
 * the whole document). */
struct golden_source {
	char *path;
	int line_start, line_end;
};

struct golden_item {
	char *id;
	char *question;
	enum golden_category category;
	struct golden_source *relevant;
	size_t n_relevant;
	struct golden_source *stale;  /* outdated versions (archived, superseded) that must
	                               * not rank above the first relevant hit */
	size_t n_stale;
	char *reference_answer;      /* NULL when absent */
	char **must_contain;         /* matched case-insensitively */
	size_t n_must_contain;
	enum golden_format format;
	struct cJSON *schema;        /* format json: NULL or a schema for prompt_check_schema */
	char *pattern;               /* format regex: POSIX ERE */
	int line;                    /* where the item starts in its file (1-based) */
};

struct golden_set {
	char *source;                /* the file name given to the loader */
	struct golden_item *items;
	size_t n_items;
};

/* Name of a category ("factual", "structural", "hybrid") or format
 * ("none", "json", "regex"); parse a category name (-1 when unknown). */
const char *golden_category_name(enum golden_category c);
const char *golden_format_name(enum golden_format f);
int golden_category_parse(const char *s);

/* Load the set at path: JSONL when the name ends in ".jsonl" or ".json",
 * YAML otherwise. Returns 0 with *out set (caller frees with
 * golden_set_free), or -1 with err "path:line:col: what is wrong" (YAML)
 * or "path:line: ..." (JSONL) and *out NULL. */
int golden_load(const char *path, struct golden_set **out, char *err, size_t errlen);

/* Same as golden_load for the len bytes at text; name stands for the file
 * in messages. */
int golden_load_yaml(const char *name, const char *text, size_t len, struct golden_set **out,
                     char *err, size_t errlen);
int golden_load_jsonl(const char *name, const char *text, size_t len, struct golden_set **out,
                      char *err, size_t errlen);

/* Free the set and everything it owns; NULL-safe; clears *s. */
void golden_set_free(struct golden_set **s);

/* Write items[0..n) to f in the golden YAML format (with an "items:"
 * root) or as JSONL (one object per line); either reads back through the
 * loader to equal items. */
void golden_write_yaml(FILE *f, const struct golden_item *items, size_t n);
void golden_write_jsonl(FILE *f, const struct golden_item *items, size_t n);

#endif
