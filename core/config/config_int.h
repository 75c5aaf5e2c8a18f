/* config internals shared by core/config/config*.c; not installed, not for other
 * modules.
 *
 * The module is four files:
 *   config.c        the schema tables, built-in data, defaults, lookups, free
 *   config_node.c   diagnostics, YAML node access, messages, "did you mean"
 *   config_load.c   the table-driven loader, custom fields, file lookup order
 *   config_print.c  the effective-config printer
 *
 * The schema: every mapping of the format is a `struct section`, a table of
 * `struct field`s that say where in the target struct a key lands, its type
 * and its range. The same tables drive validation, "did you mean"
 * suggestions and config_print, so a key cannot be loadable but missing from
 * the printout. Parts that are not a fixed set of keys (providers, models,
 * pricing, router rules, evaluation in two places) are F_CUSTOM fields with
 * their own loader (config_load.c) and printer (config_print.c). */
#ifndef RAGDECK_CONFIG_INT_H
#define RAGDECK_CONFIG_INT_H

#include "core/config/config.h"
#include "core/util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct field;
struct config_reader;
struct printer;      /* private to config_print.c */
struct section;

enum field_type {
	F_BOOL,
	F_INT,       /* int, range min..max */
	F_LONG,      /* long, range min..max */
	F_DOUBLE,    /* double, range min..max */
	F_STR,       /* char *, non-empty; nullable: ~ means unset (NULL) */
	F_CHOICE,    /* char *, one of choices */
	F_KIND,      /* enum provider_kind, index into choices */
	F_LIST,      /* char ** with a size_t count at count_off; at most max items */
	F_MAP,       /* nested section on the same base */
	F_CUSTOM,    /* own load and print functions */
	F_SECRET,    /* a key that must never appear: always an error */
};

typedef void (*custom_load_fn)(struct config_reader *l, void *base, const yaml_node_t *key,
                               const yaml_node_t *val, const char *path);
typedef void (*custom_print_fn)(struct printer *p, const struct field *f, const void *base,
                                int indent);

struct field {
	const char *key;
	enum field_type type;
	size_t off;                       /* of the value, from the section's base */
	size_t count_off;                 /* F_LIST */
	double min, max;
	const char *const *choices;       /* NULL-terminated */
	bool (*check)(const char *s, struct strbuf *why);   /* F_STR, F_LIST items */
	const char *expect;               /* what check accepts, for messages */
	bool nullable;
	bool env_var;                     /* value names an environment variable */
	bool may_hold_secret;             /* a bad value is not quoted in the message */
	bool hidden;                      /* an alias of a printed key */
	bool allow_auto;                  /* "auto" is a value, stored as CONFIG_AUTO (F_DOUBLE)
	                                   * or CONFIG_AUTO_INT (F_INT) */
	const struct section *sub;        /* F_MAP */
	custom_load_fn load;              /* F_CUSTOM */
	custom_print_fn print;            /* F_CUSTOM */
	const char *secret_hint;          /* F_SECRET */
};

struct section {
	const struct field *fields;
	size_t n;
	/* Cross-key checks, run after the section's keys are loaded. */
	void (*check)(struct config_reader *l, void *base, const yaml_node_t *map, const char *path);
};

/* The state of one config_load_string. */
struct config_reader {
	yaml_document_t doc;
	struct config *cfg;
	struct config_diags *diags;
	int errors;
	const yaml_node_t *eval_key;      /* first "evaluation" key seen */
	bool eval_under_routing;
	yaml_mark_t *route_marks;         /* provider value of each user models entry */
	size_t n_user_routes;
};

/* ---- config.c: schema, built-in data, lifecycle helpers ----------------- */

/* The top level of the format, and the sections custom fields use. */
extern const struct section config_top_section;
extern const struct section config_eval_section;
extern const struct section config_provider_section;
extern const struct section config_route_section;
extern const struct section config_price_section;
extern const struct section config_rule_section;

/* Names of enum provider_kind, NULL-terminated. */
extern const char *const config_provider_kinds[];

/* The built-in model routes, which user routes come before. */
extern const struct config_model_route config_builtin_routes[];
extern const size_t config_n_builtin_routes;

/* The default endpoint of a provider kind: $OPENAI_BASE_URL or
 * $ANTHROPIC_BASE_URL when set, else the official URL; NULL for local. */
const char *config_official_base_url(enum provider_kind kind);

/* The built-in provider of kind (its official server and key variable). */
const struct config_provider *config_builtin_provider_of_kind(enum provider_kind kind);

/* Index of the provider called name, or n_providers. */
size_t config_provider_index(const struct config *c, const char *name);

/* True when s is a name of letters, digits, '_' and '-', at most 64 bytes;
 * why may be NULL. */
bool config_check_name(const char *s, struct strbuf *why);

/* NULL-safe xstrdup. */
char *config_xstrdup_or_null(const char *s);

/* Free the n strings of v and v; NULL-safe. */
void config_strv_free(char **v, size_t n);

/* Free what r owns, not r. */
void config_route_free(struct config_model_route *r);

/* Free n rules and the array; NULL-safe. */
void config_rules_free(struct config_rule *rules, size_t n);

/* ---- config_node.c: diagnostics and YAML node access -------------------- */

/* Append a message at line:col (0:0 for the whole file). */
void config_diags_add(struct config_diags *d, enum config_severity sev, int line, int col,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Replace the source name used by config_diags_format. */
void config_diags_set_source(struct config_diags *d, const char *name);

/* Order the messages from index first on by position, stable. */
void config_diags_sort_from(struct config_diags *d, size_t first);

/* Append a message at mark m to l's diagnostics; counts errors. */
void config_report(struct config_reader *l, enum config_severity sev, yaml_mark_t m, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Keep cand in *best when it is the closest plausible spelling of word. */
void config_consider(const char *word, const char *cand, const char **best, size_t *best_d);

/* Append " (did you mean \"X\"?)" when one of choices is close to word. */
void config_suggest_choice(struct strbuf *sb, const char *word, const char *const *choices);

/* Append the choices as "a", "a or b" or "one of a, b or c". */
void config_choices_text(struct strbuf *sb, const char *const *choices);

/* Node index of l's document; the text of a scalar node. */
const yaml_node_t *config_node_at(struct config_reader *l, int index);
const char *config_scalar_text(const yaml_node_t *n);

/* A plain empty, ~ or null scalar. */
bool config_is_null(const yaml_node_t *n);

/* A scalar without quotes. */
bool config_is_plain(const yaml_node_t *n);

/* Append what n is for a message: a mapping, a list, nothing or the quoted
 * value. */
void config_describe(struct strbuf *sb, const yaml_node_t *n);

/* What goes before path in a message: "under " for a non-empty path
 * ("under routing.paths"), "at the top level" for the empty one. */
const char *config_where_prefix(const char *path);

/* Report "PATH: expected EXPECT, got VALUE[why]" as an error. A value that
 * may be a secret (hide) is not repeated. */
void config_bad_value(struct config_reader *l, const yaml_node_t *n, const char *path, const char *expect,
                      const char *why, bool hide);

/* Value of key in map, or NULL (also when map is not a mapping). */
const yaml_node_t *config_map_find(struct config_reader *l, const yaml_node_t *map, const char *key);

/* Number of pairs of a mapping, 0 for null (nothing to do). Reports a node
 * that is not a mapping or is too large and returns 0. */
size_t config_map_size(struct config_reader *l, const yaml_node_t *n, const char *path,
                       const char *expect);

/* Same for a list; *ok is false when the node is neither null nor a list. */
size_t config_seq_size(struct config_reader *l, const yaml_node_t *n, const char *path,
                       const char *expect, bool *ok);

/* Key of pair i of map (and *key, *val), or NULL after reporting a key that
 * is not a plain name or repeats an earlier key. */
const char *config_pair_key(struct config_reader *l, const yaml_node_t *map, size_t i, const char *path,
                            const yaml_node_t **key, const yaml_node_t **val);

/* "path.key" (or "key" at the top level) and "path[i]"; caller frees. */
char *config_join_path(const char *path, const char *key);
char *config_index_path(const char *path, size_t i);

/* ---- config_load.c: custom fields and cross-key checks of the tables ---- */

void config_evaluation_load(struct config_reader *l, void *base, const yaml_node_t *key,
                            const yaml_node_t *val, const char *path);
void config_providers_load(struct config_reader *l, void *base, const yaml_node_t *key,
                           const yaml_node_t *val, const char *path);
void config_models_load(struct config_reader *l, void *base, const yaml_node_t *key,
                        const yaml_node_t *val, const char *path);
void config_pricing_load(struct config_reader *l, void *base, const yaml_node_t *key,
                         const yaml_node_t *val, const char *path);
void config_rules_load(struct config_reader *l, void *base, const yaml_node_t *key,
                       const yaml_node_t *val, const char *path);

void config_check_retrieval_path(struct config_reader *l, void *base, const yaml_node_t *map,
                                 const char *path);
void config_check_adaptation_path(struct config_reader *l, void *base, const yaml_node_t *map,
                                  const char *path);
void config_check_ingest(struct config_reader *l, void *base, const yaml_node_t *map, const char *path);

/* ---- config_print.c: printers of the custom fields ---------------------- */

void config_evaluation_print(struct printer *p, const struct field *f, const void *base,
                             int indent);
void config_providers_print(struct printer *p, const struct field *f, const void *base,
                            int indent);
void config_models_print(struct printer *p, const struct field *f, const void *base, int indent);
void config_pricing_print(struct printer *p, const struct field *f, const void *base, int indent);
void config_rules_print(struct printer *p, const struct field *f, const void *base, int indent);

#endif
