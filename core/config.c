/* config: load, validate and print the YAML configuration.
 *
 * The file is read with libyaml's document API, then walked by a schema:
 * every mapping of the format is a `struct section`, a table of `struct
 * field`s that say where in the target struct a key lands, its type and its
 * range. The same tables drive validation, "did you mean" suggestions and
 * config_print, so a key cannot be loadable but missing from the printout.
 * Parts that are not a fixed set of keys (providers, models, pricing, router
 * rules, evaluation in two places) are custom fields with their own loader
 * and printer. */
#include "core/config.h"
#include "core/paths.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CFG(member) offsetof(struct config, member)

/* A config file is small; these bounds keep a hostile or mistaken input
 * (a multi-gigabyte file, a mapping of a million keys) from taking minutes. */
#define MAX_FILE_BYTES ((size_t)4 << 20)
#define MAX_ENTRIES 1000
#define SHOWN_VALUE_MAX 60
#define SUGGEST_MAX_DISTANCE 2

struct field;
struct loader;
struct printer;
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

typedef void (*custom_load_fn)(struct loader *l, void *base, const yaml_node_t *key,
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
	bool hidden;                      /* an alias of a printed key */
	const struct section *sub;        /* F_MAP */
	custom_load_fn load;              /* F_CUSTOM */
	custom_print_fn print;            /* F_CUSTOM */
	const char *secret_hint;          /* F_SECRET */
};

struct section {
	const struct field *fields;
	size_t n;
	/* Cross-key checks, run after the section's keys are loaded. */
	void (*check)(struct loader *l, void *base, const yaml_node_t *map, const char *path);
};

struct loader {
	yaml_document_t doc;
	const char *text;                 /* the input, for marks of reader errors */
	size_t len;
	struct config *cfg;
	struct config_diags *diags;
	int errors;
	const yaml_node_t *eval_key;      /* first "evaluation" key seen */
	bool eval_under_routing;
	yaml_mark_t *route_marks;         /* provider value of each user models entry */
	size_t n_user_routes;
};

struct printer {
	FILE *f;
	bool dash;                        /* next line starts a list item */
};

/* ---- built-in data ------------------------------------------------------ */

static const char *const provider_kinds[] = { "openai", "anthropic", "local", NULL };
static const char *const vector_dbs[] = { "sqlite", "qdrant", NULL };
static const char *const embedder_kinds[] = { "hash", "http", NULL };
static const char *const route_paths[] = { "retrieval", "adaptation", "hybrid", "direct", NULL };
static const char *const metric_names[] = {
	"latency_p95", "token_cost", "hallucination_score", "format_compliance",
	"recall_at_k", "mrr", "ndcg", NULL,
};
static const char *const default_metrics[] = {
	"latency_p95", "token_cost", "hallucination_score", "format_compliance",
};

static const struct config_provider builtin_providers[] = {
	{ "openai", PROVIDER_OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY" },
	{ "anthropic", PROVIDER_ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY" },
	{ "local", PROVIDER_LOCAL, NULL, NULL },
};

static const struct config_model_route builtin_routes[] = {
	{ "gpt-*", "openai" },
	{ "o[0-9]*", "openai" },
	{ "text-embedding-*", "openai" },
	{ "claude-*", "anthropic" },
	{ "local", "local" },
	{ "local-*", "local" },
};

static const struct config_price builtin_prices[] = {
	{ "gpt-4o", 2.50, 10.00 },
	{ "gpt-4o-mini", 0.15, 0.60 },
	{ "claude-sonnet-4-6", 3.00, 15.00 },
	{ "text-embedding-3-small", 0.02, 0.0 },
	{ "local", 0.0, 0.0 },
};

/* ---- diagnostics -------------------------------------------------------- */

static void diags_vadd(struct config_diags *d, enum config_severity sev, int line, int col,
                       const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = xreallocarray(d->items, d->cap, sizeof(*d->items));
	}
	sb_vprintf(&sb, fmt, ap);
	d->items[d->n].severity = sev;
	d->items[d->n].line = line;
	d->items[d->n].col = col;
	d->items[d->n].msg = sb_detach(&sb, NULL);
	d->n++;
}

static void diags_add(struct config_diags *d, enum config_severity sev, int line, int col,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diags_add(struct config_diags *d, enum config_severity sev, int line, int col,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_vadd(d, sev, line, col, fmt, ap);
	va_end(ap);
}

static void diags_set_source(struct config_diags *d, const char *name)
{
	free(d->source);
	d->source = xstrdup(name);
}

static void report(struct loader *l, enum config_severity sev, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void report(struct loader *l, enum config_severity sev, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_vadd(l->diags, sev, (int)m.line + 1, (int)m.column + 1, fmt, ap);
	va_end(ap);
	if (sev == CONFIG_ERROR)
		l->errors++;
}

/* Order the messages of one load (from index first on) by position; an
 * insertion sort keeps messages at one position in the order they were
 * made, and the few checks that run after the walk move only a short way. */
static void diags_sort_from(struct config_diags *d, size_t first)
{
	for (size_t i = first + 1; i < d->n; i++) {
		struct config_diag x = d->items[i];
		size_t j = i;
		while (j > first && (d->items[j - 1].line > x.line ||
		                     (d->items[j - 1].line == x.line && d->items[j - 1].col > x.col))) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = x;
	}
}

size_t config_diags_count(const struct config_diags *d, enum config_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->items[i].severity == sev;
	return n;
}

char *config_diags_format(const struct config_diags *d)
{
	static const char *const names[] = { "note", "warning", "error" };
	struct strbuf sb = STRBUF_INIT;
	const char *src = d->source ? d->source : "config";
	for (size_t i = 0; i < d->n; i++) {
		const struct config_diag *g = &d->items[i];
		if (g->line > 0)
			sb_printf(&sb, "%s:%d:%d: %s: %s\n", src, g->line, g->col, names[g->severity], g->msg);
		else
			sb_printf(&sb, "%s: %s: %s\n", src, names[g->severity], g->msg);
	}
	return sb_detach(&sb, NULL);
}

void config_diags_free(struct config_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	free(d->source);
	memset(d, 0, sizeof(*d));
}

/* ---- small helpers ------------------------------------------------------ */

static void strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **strv_dup(const char *const *src, size_t n)
{
	char **v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(src[i]);
	return v;
}

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Keep cand in *best when it is the closest plausible spelling of word. */
static void consider(const char *word, const char *cand, const char **best, size_t *best_d)
{
	size_t d = edit_distance(word, cand);
	if (d <= SUGGEST_MAX_DISTANCE && d < strlen(word) && d < *best_d) {
		*best = cand;
		*best_d = d;
	}
}

static void suggest_choice(struct strbuf *sb, const char *word, const char *const *choices)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; choices[i]; i++)
		consider(word, choices[i], &best, &best_d);
	if (best)
		sb_printf(sb, " (did you mean \"%s\"?)", best);
}

/* "a or b", "a, b or c" */
static void choices_text(struct strbuf *sb, const char *const *choices)
{
	size_t n = 0;
	while (choices[n])
		n++;
	if (n > 2)
		sb_puts(sb, "one of ");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(sb, i + 1 == n ? " or " : ", ");
		sb_puts(sb, choices[i]);
	}
}

/* Append s quoted for a one-line message: control bytes shown as '?', long
 * values cut on a UTF-8 boundary. */
static void quote_for_message(struct strbuf *sb, const char *s, size_t len)
{
	size_t n = len;
	if (n > SHOWN_VALUE_MAX) {
		n = SHOWN_VALUE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	sb_putc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			sb_putc(sb, '?');
		else if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else
			sb_putc(sb, (char)c);
	}
	sb_putc(sb, '"');
	if (n < len)
		sb_puts(sb, "...");
}

/* ---- YAML node access --------------------------------------------------- */

static const yaml_node_t *node_at(struct loader *l, int index)
{
	return yaml_document_get_node(&l->doc, index);
}

static const char *scalar_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = scalar_text(n);
	return !s[0] || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static void describe(struct strbuf *sb, const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		sb_puts(sb, "a mapping");
	else if (n->type == YAML_SEQUENCE_NODE)
		sb_puts(sb, "a list");
	else if (is_null(n))
		sb_puts(sb, "nothing");
	else
		quote_for_message(sb, scalar_text(n), n->data.scalar.length);
}

/* "under routing.paths" or "at the top level" */
static const char *where_prefix(const char *path)
{
	return path[0] ? "under " : "at the top level";
}

/* Report "PATH: expected EXPECT, got VALUE[why]". A value that may be a
 * secret (hide) is not repeated. */
static void bad_value(struct loader *l, const yaml_node_t *n, const char *path, const char *expect,
                      const char *why, bool hide)
{
	struct strbuf got = STRBUF_INIT;
	if (hide && n->type == YAML_SCALAR_NODE && !is_null(n))
		sb_puts(&got, "a value that is not shown here in case it is a key");
	else
		describe(&got, n);
	report(l, CONFIG_ERROR, n->start_mark, "%s: expected %s, got %s%s", path, expect,
	       sb_str(&got), why ? why : "");
	sb_free(&got);
}

static const yaml_node_t *map_find(struct loader *l, const yaml_node_t *map, const char *key)
{
	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node_at(l, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(scalar_text(k), key))
			return node_at(l, p->value);
	}
	return NULL;
}

/* Number of pairs of a mapping, 0 for null (nothing to do). Reports a node
 * that is not a mapping or is too large and returns 0. */
static size_t map_size(struct loader *l, const yaml_node_t *n, const char *path, const char *expect)
{
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE) {
		bad_value(l, n, path, expect, NULL, false);
		return 0;
	}
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > MAX_ENTRIES) {
		report(l, CONFIG_ERROR, n->start_mark, "%s: more than %d keys", path[0] ? path : "file",
		       MAX_ENTRIES);
		return 0;
	}
	return count;
}

/* Same for a list; *ok is false when the node is neither null nor a list. */
static size_t seq_size(struct loader *l, const yaml_node_t *n, const char *path, const char *expect,
                       bool *ok)
{
	*ok = is_null(n);
	if (*ok)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		bad_value(l, n, path, expect, NULL, false);
		return 0;
	}
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > MAX_ENTRIES) {
		report(l, CONFIG_ERROR, n->start_mark, "%s: more than %d items", path, MAX_ENTRIES);
		return 0;
	}
	*ok = true;
	return count;
}

/* Key of pair i of map, or NULL after reporting a key that is not a plain
 * name or repeats an earlier key. */
static const char *pair_key(struct loader *l, const yaml_node_t *map, size_t i, const char *path,
                            const yaml_node_t **key, const yaml_node_t **val)
{
	const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
	*key = node_at(l, pairs[i].key);
	*val = node_at(l, pairs[i].value);
	if ((*key)->type != YAML_SCALAR_NODE || is_null(*key)) {
		struct strbuf got = STRBUF_INIT;
		describe(&got, *key);
		report(l, CONFIG_ERROR, (*key)->start_mark, "expected a key name %s%s, got %s",
		       where_prefix(path), path, sb_str(&got));
		sb_free(&got);
		return NULL;
	}
	const char *name = scalar_text(*key);
	for (size_t j = 0; j < i; j++) {
		const yaml_node_t *prev = node_at(l, pairs[j].key);
		if (prev->type == YAML_SCALAR_NODE && !strcmp(scalar_text(prev), name)) {
			report(l, CONFIG_ERROR, (*key)->start_mark,
			       "duplicate key \"%s\" %s%s (first at line %d); keep one", name,
			       where_prefix(path), path, (int)prev->start_mark.line + 1);
			return NULL;
		}
	}
	return name;
}

static char *join_path(const char *path, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	if (path[0])
		sb_printf(&sb, "%s.%s", path, key);
	else
		sb_puts(&sb, key);
	return sb_detach(&sb, NULL);
}

static char *index_path(const char *path, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s[%zu]", path, i);
	return sb_detach(&sb, NULL);
}

/* ---- string checks ------------------------------------------------------ */

static bool all_chars(const char *s, const char *extra)
{
	for (const char *p = s; *p; p++) {
		char c = *p;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && !strchr(extra, c))
			return false;
	}
	return true;
}

static bool check_collection(const char *s, struct strbuf *why)
{
	(void)why;
	return strlen(s) <= 128 && all_chars(s, "_.-");
}

static bool check_name(const char *s, struct strbuf *why)
{
	(void)why;
	return strlen(s) <= 64 && all_chars(s, "_-");
}

static bool check_env_name(const char *s, struct strbuf *why)
{
	(void)why;
	return strlen(s) <= 128 && !(s[0] >= '0' && s[0] <= '9') && all_chars(s, "_");
}

static bool check_url(const char *s, struct strbuf *why)
{
	(void)why;
	const char *rest;
	if (!strncmp(s, "http://", 7))
		rest = s + 7;
	else if (!strncmp(s, "https://", 8))
		rest = s + 8;
	else
		return false;
	if (!rest[0] || rest[0] == '/')
		return false;
	for (const char *p = rest; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool check_path(const char *s, struct strbuf *why)
{
	(void)why;
	return s[0] != '~';
}

static bool check_regex(const char *s, struct strbuf *why)
{
	regex_t re;
	int rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
	if (rc == 0) {
		regfree(&re);
		return true;
	}
	char msg[256];
	regerror(rc, &re, msg, sizeof(msg));
	sb_printf(why, " (regcomp: %s)", msg);
	return false;
}

/* ---- loading one field -------------------------------------------------- */

static void *field_ptr(void *base, const struct field *f)
{
	return (char *)base + f->off;
}

static const void *field_cptr(const void *base, const struct field *f)
{
	return (const char *)base + f->off;
}

/* The text of a scalar that is a valid string for f, or NULL after
 * reporting why not. */
static const char *string_value(struct loader *l, const struct field *f, const yaml_node_t *n,
                                const char *path)
{
	const char *expect = f->expect ? f->expect : "a non-empty string";
	if (n->type != YAML_SCALAR_NODE || is_null(n) || !scalar_text(n)[0]) {
		bad_value(l, n, path, expect, NULL, f->env_var);
		return NULL;
	}
	const char *s = scalar_text(n);
	if (strlen(s) != n->data.scalar.length) {
		report(l, CONFIG_ERROR, n->start_mark, "%s: the value contains a NUL byte", path);
		return NULL;
	}
	if (f->check) {
		struct strbuf why = STRBUF_INIT;
		bool ok = f->check(s, &why);
		if (!ok)
			bad_value(l, n, path, expect, sb_str(&why), f->env_var);
		sb_free(&why);
		if (!ok)
			return NULL;
	}
	return s;
}

static void load_str(struct loader *l, const struct field *f, void *base, const yaml_node_t *n,
                     const char *path)
{
	char **dst = field_ptr(base, f);
	if (f->nullable && is_null(n)) {
		free(*dst);
		*dst = NULL;
		return;
	}
	const char *s = string_value(l, f, n, path);
	if (s) {
		free(*dst);
		*dst = xstrdup(s);
	}
}

/* Index of a scalar among choices, or -1 after reporting it. */
static int choice_value(struct loader *l, const char *const *choices, const yaml_node_t *n,
                        const char *path)
{
	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		for (int i = 0; choices[i]; i++)
			if (!strcmp(choices[i], scalar_text(n)))
				return i;
	}
	struct strbuf expect = STRBUF_INIT, hint = STRBUF_INIT;
	choices_text(&expect, choices);
	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		suggest_choice(&hint, scalar_text(n), choices);
	bad_value(l, n, path, sb_str(&expect), sb_str(&hint), false);
	sb_free(&expect);
	sb_free(&hint);
	return -1;
}

static void load_choice(struct loader *l, const struct field *f, void *base, const yaml_node_t *n,
                        const char *path)
{
	int i = choice_value(l, f->choices, n, path);
	if (i < 0)
		return;
	if (f->type == F_KIND) {
		*(enum provider_kind *)field_ptr(base, f) = (enum provider_kind)i;
	} else {
		char **dst = field_ptr(base, f);
		free(*dst);
		*dst = xstrdup(f->choices[i]);
	}
}

/* Numbers and true/false are plain scalars; "5" in quotes is a string. */
static const char *quoted_hint(const yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE && !is_plain(n))
		return " (write it without quotes)";
	return NULL;
}

static void load_bool(struct loader *l, const struct field *f, void *base, const yaml_node_t *n,
                      const char *path)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	if (is_plain(n)) {
		for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
			if (!strcasecmp(scalar_text(n), yes[i]) || !strcasecmp(scalar_text(n), no[i])) {
				*(bool *)field_ptr(base, f) = !strcasecmp(scalar_text(n), yes[i]);
				return;
			}
		}
	}
	bad_value(l, n, path, "true or false", quoted_hint(n), false);
}

static void load_number(struct loader *l, const struct field *f, void *base, const yaml_node_t *n,
                        const char *path)
{
	struct strbuf expect = STRBUF_INIT;
	bool ok = false;
	double v = 0;
	if (f->type == F_DOUBLE)
		sb_printf(&expect, "a number from %g to %g", f->min, f->max);
	else
		sb_printf(&expect, "an integer from %.0f to %.0f", f->min, f->max);
	if (is_plain(n) && !is_null(n)) {
		const char *s = scalar_text(n);
		char *end;
		errno = 0;
		if (f->type == F_DOUBLE)
			v = strtod(s, &end);
		else
			v = (double)strtol(s, &end, 10);
		ok = end != s && !*end && errno == 0 && isfinite(v) && v >= f->min && v <= f->max;
	}
	if (!ok)
		bad_value(l, n, path, sb_str(&expect), quoted_hint(n), false);
	else if (f->type == F_DOUBLE)
		*(double *)field_ptr(base, f) = v;
	else if (f->type == F_LONG)
		*(long *)field_ptr(base, f) = (long)v;
	else
		*(int *)field_ptr(base, f) = (int)v;
	sb_free(&expect);
}

static void load_list(struct loader *l, const struct field *f, void *base, const yaml_node_t *n,
                      const char *path)
{
	struct strbuf expect = STRBUF_INIT;
	char **items = NULL;
	size_t count, kept = 0;
	bool ok;

	sb_printf(&expect, "a list of at most %.0f ", f->max);
	if (f->choices) {
		sb_puts(&expect, "names, each ");
		choices_text(&expect, f->choices);
	} else {
		sb_puts(&expect, "non-empty strings");
	}
	count = seq_size(l, n, path, sb_str(&expect), &ok);
	if (!ok || is_null(n))
		goto cleanup;
	if ((double)count > f->max) {
		report(l, CONFIG_ERROR, n->start_mark, "%s: expected at most %.0f items, got %zu", path,
		       f->max, count);
		goto cleanup;
	}
	items = xcalloc(count ? count : 1, sizeof(*items));
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item = node_at(l, n->data.sequence.items.start[i]);
		char *ipath = index_path(path, i);
		const char *s = NULL;
		if (f->choices) {
			int c = choice_value(l, f->choices, item, ipath);
			s = c >= 0 ? f->choices[c] : NULL;
		} else {
			s = string_value(l, f, item, ipath);
		}
		free(ipath);
		if (!s)
			ok = false;
		else
			items[kept++] = xstrdup(s);
	}
	if (ok) {
		size_t *dst_n = (size_t *)((char *)base + f->count_off);
		char ***dst = field_ptr(base, f);
		strv_free(*dst, *dst_n);
		*dst = items;
		*dst_n = kept;
		items = NULL;
	}
cleanup:
	strv_free(items, kept);
	sb_free(&expect);
}

static void load_section(struct loader *l, const struct section *s, void *base,
                         const yaml_node_t *map, const char *path);

static void load_field(struct loader *l, const struct field *f, void *base, const yaml_node_t *key,
                       const yaml_node_t *val, const char *path)
{
	switch (f->type) {
	case F_BOOL:
		load_bool(l, f, base, val, path);
		break;
	case F_INT:
	case F_LONG:
	case F_DOUBLE:
		load_number(l, f, base, val, path);
		break;
	case F_STR:
		load_str(l, f, base, val, path);
		break;
	case F_CHOICE:
	case F_KIND:
		load_choice(l, f, base, val, path);
		break;
	case F_LIST:
		load_list(l, f, base, val, path);
		break;
	case F_MAP:
		load_section(l, f->sub, base, val, path);
		break;
	case F_CUSTOM:
		f->load(l, base, key, val, path);
		break;
	case F_SECRET:
		report(l, CONFIG_ERROR, key->start_mark, "%s: %s", path, f->secret_hint);
		break;
	}
}

static void unknown_key(struct loader *l, const struct section *s, const yaml_node_t *key,
                        const char *name, const char *path)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	struct strbuf hint = STRBUF_INIT;
	for (size_t i = 0; i < s->n; i++)
		if (s->fields[i].type != F_SECRET)
			consider(name, s->fields[i].key, &best, &best_d);
	if (best)
		sb_printf(&hint, " (did you mean \"%s\"?)", best);
	report(l, CONFIG_WARNING, key->start_mark, "unknown key \"%s\" %s%s%s; it is ignored", name,
	       where_prefix(path), path, sb_str(&hint));
	sb_free(&hint);
}

static void load_section(struct loader *l, const struct section *s, void *base,
                         const yaml_node_t *map, const char *path)
{
	size_t n = map_size(l, map, path, "a mapping of keys");
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *key, *val;
		const char *name = pair_key(l, map, i, path, &key, &val);
		const struct field *f = NULL;
		if (!name)
			continue;
		for (size_t j = 0; j < s->n && !f; j++)
			if (!strcmp(s->fields[j].key, name))
				f = &s->fields[j];
		if (!f) {
			unknown_key(l, s, key, name, path);
			continue;
		}
		char *fpath = join_path(path, name);
		load_field(l, f, base, key, val, fpath);
		free(fpath);
	}
	if (s->check && map->type == YAML_MAPPING_NODE)
		s->check(l, base, map, path);
}

/* ---- printing ----------------------------------------------------------- */

static void print_section(struct printer *p, const struct section *s, const void *base, int indent);

static void line_start(struct printer *p, int indent)
{
	if (p->dash) {
		fprintf(p->f, "%*s- ", indent - 2, "");
		p->dash = false;
	} else {
		fprintf(p->f, "%*s", indent, "");
	}
}

/* s as a YAML double-quoted scalar. */
static void print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* The shortest text that reads back as exactly v. */
static void print_double(FILE *f, double v)
{
	char buf[40];
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void print_field(struct printer *p, const struct field *f, const void *base, int indent)
{
	if (f->hidden || f->type == F_SECRET)
		return;
	if (f->type == F_CUSTOM) {
		f->print(p, f, base, indent);
		return;
	}
	line_start(p, indent);
	fprintf(p->f, "%s:", f->key);
	switch (f->type) {
	case F_BOOL:
		fprintf(p->f, " %s\n", *(const bool *)field_cptr(base, f) ? "true" : "false");
		break;
	case F_INT:
		fprintf(p->f, " %d\n", *(const int *)field_cptr(base, f));
		break;
	case F_LONG:
		fprintf(p->f, " %ld\n", *(const long *)field_cptr(base, f));
		break;
	case F_DOUBLE:
		fputc(' ', p->f);
		print_double(p->f, *(const double *)field_cptr(base, f));
		fputc('\n', p->f);
		break;
	case F_STR: {
		const char *s = *(char *const *)field_cptr(base, f);
		fputc(' ', p->f);
		if (s)
			print_quoted(p->f, s);
		else
			fputc('~', p->f);
		if (f->env_var && s)
			fprintf(p->f, "  # %s", getenv(s) && getenv(s)[0] ? "set" : "not set");
		fputc('\n', p->f);
		break;
	}
	case F_CHOICE:
		fprintf(p->f, " %s\n", *(char *const *)field_cptr(base, f));
		break;
	case F_KIND:
		fprintf(p->f, " %s\n", f->choices[*(const enum provider_kind *)field_cptr(base, f)]);
		break;
	case F_LIST: {
		char *const *v = *(char **const *)field_cptr(base, f);
		size_t n = *(const size_t *)((const char *)base + f->count_off);
		fputs(" [", p->f);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", p->f);
			print_quoted(p->f, v[i]);
		}
		fputs("]\n", p->f);
		break;
	}
	case F_MAP:
		fputc('\n', p->f);
		print_section(p, f->sub, base, indent + 2);
		break;
	case F_CUSTOM:
	case F_SECRET:
		break;
	}
}

static void print_section(struct printer *p, const struct section *s, const void *base, int indent)
{
	for (size_t i = 0; i < s->n; i++)
		print_field(p, &s->fields[i], base, indent);
}

/* "key:" or "key: []" for an empty collection. */
static void print_collection_key(struct printer *p, const struct field *f, int indent, size_t n)
{
	line_start(p, indent);
	fprintf(p->f, "%s:%s\n", f->key, n ? "" : " []");
}

/* ---- sections ----------------------------------------------------------- */

static const struct field provider_fields[] = {
	{ .key = "kind", .type = F_KIND, .off = offsetof(struct config_provider, kind),
	  .choices = provider_kinds },
	{ .key = "base_url", .type = F_STR, .off = offsetof(struct config_provider, base_url),
	  .nullable = true, .check = check_url, .expect = "an http:// or https:// URL" },
	{ .key = "api_key_env", .type = F_STR, .off = offsetof(struct config_provider, api_key_env),
	  .nullable = true, .env_var = true, .check = check_env_name,
	  .expect = "the NAME of an environment variable (letters, digits and _), not the key itself" },
	{ .key = "api_key", .type = F_SECRET,
	  .secret_hint = "a config file must not hold an API key; put the key in an environment "
	                 "variable and name that variable with api_key_env (for example "
	                 "api_key_env: OPENAI_API_KEY)" },
};
static const struct section provider_section = { provider_fields, ARRAY_LEN(provider_fields), NULL };

static const struct field route_fields[] = {
	{ .key = "match", .type = F_STR, .off = offsetof(struct config_model_route, match),
	  .expect = "a glob over model names (for example \"llama3*\")" },
	{ .key = "provider", .type = F_STR, .off = offsetof(struct config_model_route, provider),
	  .check = check_name, .expect = "a provider name" },
};
static const struct section route_section = { route_fields, ARRAY_LEN(route_fields), NULL };

static const struct field price_fields[] = {
	{ .key = "input_per_mtok", .type = F_DOUBLE,
	  .off = offsetof(struct config_price, input_per_mtok), .min = 0, .max = 100000 },
	{ .key = "output_per_mtok", .type = F_DOUBLE,
	  .off = offsetof(struct config_price, output_per_mtok), .min = 0, .max = 100000 },
};
static const struct section price_section = { price_fields, ARRAY_LEN(price_fields), NULL };

static const struct field rule_fields[] = {
	{ .key = "pattern", .type = F_STR, .off = offsetof(struct config_rule, pattern),
	  .check = check_regex, .expect = "a POSIX extended regular expression or plain text" },
	{ .key = "path", .type = F_CHOICE, .off = offsetof(struct config_rule, path),
	  .choices = route_paths },
};
static const struct section rule_section = { rule_fields, ARRAY_LEN(rule_fields), NULL };

static const struct field threshold_fields[] = {
	{ .key = "latency_p95_ms", .type = F_DOUBLE, .off = CFG(evaluation.latency_p95_ms),
	  .min = 1, .max = 600000 },
	{ .key = "hallucination_score", .type = F_DOUBLE, .off = CFG(evaluation.hallucination_score),
	  .min = 0, .max = 1 },
};
static const struct section threshold_section = { threshold_fields, ARRAY_LEN(threshold_fields), NULL };

static const struct field eval_fields[] = {
	{ .key = "metrics", .type = F_LIST, .off = CFG(evaluation.metrics),
	  .count_off = CFG(evaluation.n_metrics), .max = 16, .choices = metric_names },
	{ .key = "alert_thresholds", .type = F_MAP, .sub = &threshold_section },
};
static const struct section eval_section = { eval_fields, ARRAY_LEN(eval_fields), NULL };

/* ---- custom fields ------------------------------------------------------ */

static void load_evaluation(struct loader *l, void *base, const yaml_node_t *key,
                            const yaml_node_t *val, const char *path)
{
	bool under_routing = strchr(path, '.') != NULL;
	if (l->eval_key) {
		report(l, CONFIG_ERROR, key->start_mark,
		       "evaluation is set twice, %s at line %d and %s at line %d; keep one of them",
		       l->eval_under_routing ? "under routing" : "at the top level",
		       (int)l->eval_key->start_mark.line + 1,
		       under_routing ? "under routing" : "at the top level", (int)key->start_mark.line + 1);
		return;
	}
	l->eval_key = key;
	l->eval_under_routing = under_routing;
	load_section(l, &eval_section, base, val, path);
}

static void print_evaluation(struct printer *p, const struct field *f, const void *base, int indent)
{
	line_start(p, indent);
	fprintf(p->f, "%s:\n", f->key);
	print_section(p, &eval_section, base, indent + 2);
}

/* Index of the provider called name, or n_providers. */
static size_t provider_index(const struct config *c, const char *name)
{
	size_t i = 0;
	while (i < c->n_providers && strcmp(c->providers[i].name, name))
		i++;
	return i;
}

const struct config_provider *config_provider_find(const struct config *c, const char *name)
{
	size_t i = provider_index(c, name);
	return i < c->n_providers ? &c->providers[i] : NULL;
}

static const struct config_provider *builtin_provider_of_kind(enum provider_kind kind)
{
	for (size_t i = 0; i < ARRAY_LEN(builtin_providers); i++)
		if (builtin_providers[i].kind == kind)
			return &builtin_providers[i];
	return NULL;
}

static void load_provider(struct loader *l, struct config *c, const char *name,
                          const yaml_node_t *key, const yaml_node_t *val, const char *path)
{
	size_t at = provider_index(c, name);
	struct config_provider *p = at < c->n_providers ? &c->providers[at] : NULL;
	bool is_new = p == NULL;
	if (is_new && (is_null(val) || val->type == YAML_MAPPING_NODE) && !map_find(l, val, "kind")) {
		report(l, CONFIG_ERROR, key->start_mark,
		       "%s: a new provider needs kind: openai, anthropic or local", path);
		return;
	}
	if (is_new) {
		c->providers = xreallocarray(c->providers, c->n_providers + 1, sizeof(*c->providers));
		p = &c->providers[c->n_providers++];
		memset(p, 0, sizeof(*p));
		p->name = xstrdup(name);
	}
	load_section(l, &provider_section, p, val, path);
	/* A new provider without base_url talks to its kind's official server
	 * with that server's key variable. With its own base_url it gets no
	 * key unless it names one: an OpenAI key must not go to a local or
	 * third-party server by default. */
	if (is_new && !map_find(l, val, "base_url")) {
		const struct config_provider *like = builtin_provider_of_kind(p->kind);
		p->base_url = xstrdup_or_null(like->base_url);
		if (!map_find(l, val, "api_key_env"))
			p->api_key_env = xstrdup_or_null(like->api_key_env);
	}
	const yaml_node_t *url = map_find(l, val, "base_url");
	if (p->kind != PROVIDER_LOCAL && !p->base_url && (!url || is_null(url)))
		report(l, CONFIG_ERROR, key->start_mark, "%s: kind %s needs a base_url", path,
		       provider_kinds[p->kind]);
}

static void load_providers(struct loader *l, void *base, const yaml_node_t *key,
                           const yaml_node_t *val, const char *path)
{
	size_t n = map_size(l, val, path, "a mapping of provider names");
	(void)key;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *k, *v;
		const char *name = pair_key(l, val, i, path, &k, &v);
		if (!name)
			continue;
		char *ppath = join_path(path, name);
		if (!check_name(name, NULL))
			report(l, CONFIG_ERROR, k->start_mark,
			       "%s: a provider name uses only letters, digits, '_' and '-'", ppath);
		else
			load_provider(l, base, name, k, v, ppath);
		free(ppath);
	}
}

static void print_providers(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_collection_key(p, f, indent, c->n_providers);
	for (size_t i = 0; i < c->n_providers; i++) {
		line_start(p, indent + 2);
		print_quoted(p->f, c->providers[i].name);
		fputs(":\n", p->f);
		print_section(p, &provider_section, &c->providers[i], indent + 4);
	}
}

static void route_free(struct config_model_route *r)
{
	free(r->match);
	free(r->provider);
}

static void load_models(struct loader *l, void *base, const yaml_node_t *key,
                        const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	bool ok;
	size_t n = seq_size(l, val, path, "a list of {match, provider} entries", &ok), kept = 0;
	(void)key;
	if (!ok || is_null(val))
		return;
	struct config_model_route *routes = xcalloc(n + ARRAY_LEN(builtin_routes), sizeof(*routes));
	free(l->route_marks);
	l->route_marks = xcalloc(n ? n : 1, sizeof(*l->route_marks));
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = node_at(l, val->data.sequence.items.start[i]);
		char *ipath = index_path(path, i);
		struct config_model_route r = { NULL, NULL };
		if (item->type != YAML_MAPPING_NODE) {
			bad_value(l, item, ipath, "a mapping with match and provider", NULL, false);
		} else {
			load_section(l, &route_section, &r, item, ipath);
			if (!map_find(l, item, "match") || !map_find(l, item, "provider"))
				report(l, CONFIG_ERROR, item->start_mark, "%s: needs both match and provider",
				       ipath);
			if (r.match && r.provider) {
				l->route_marks[kept] = map_find(l, item, "provider")->start_mark;
				routes[kept++] = r;
				r = (struct config_model_route){ NULL, NULL };
			}
		}
		route_free(&r);
		free(ipath);
	}
	l->n_user_routes = kept;
	size_t total = kept;
	for (size_t i = 0; i < ARRAY_LEN(builtin_routes); i++) {
		bool shadowed = false;
		for (size_t j = 0; j < kept && !shadowed; j++)
			shadowed = !strcmp(routes[j].match, builtin_routes[i].match);
		if (!shadowed) {
			routes[total].match = xstrdup(builtin_routes[i].match);
			routes[total++].provider = xstrdup(builtin_routes[i].provider);
		}
	}
	for (size_t i = 0; i < c->n_models; i++)
		route_free(&c->models[i]);
	free(c->models);
	c->models = routes;
	c->n_models = total;
}

/* Print the items of a list of structs, each as a block mapping. */
static void print_items(struct printer *p, const struct field *f, const struct section *s,
                        const void *items, size_t size, size_t n, int indent)
{
	print_collection_key(p, f, indent, n);
	for (size_t i = 0; i < n; i++) {
		p->dash = true;
		print_section(p, s, (const char *)items + i * size, indent + 4);
	}
}

static void print_models(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_items(p, f, &route_section, c->models, sizeof(*c->models), c->n_models, indent);
}

static void load_pricing(struct loader *l, void *base, const yaml_node_t *key,
                         const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	size_t n = map_size(l, val, path, "a mapping of model names");
	(void)key;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *k, *v;
		const char *model = pair_key(l, val, i, path, &k, &v);
		if (!model)
			continue;
		char *ppath = join_path(path, model);
		if (v->type != YAML_MAPPING_NODE) {
			bad_value(l, v, ppath, "a mapping with input_per_mtok and output_per_mtok", NULL, false);
		} else {
			size_t at = 0;
			while (at < c->n_pricing && strcmp(c->pricing[at].model, model))
				at++;
			if (at == c->n_pricing) {
				c->pricing = xreallocarray(c->pricing, c->n_pricing + 1, sizeof(*c->pricing));
				c->pricing[c->n_pricing++] = (struct config_price){ xstrdup(model), 0.0, 0.0 };
			}
			load_section(l, &price_section, &c->pricing[at], v, ppath);
		}
		free(ppath);
	}
}

static void print_pricing(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_collection_key(p, f, indent, c->n_pricing);
	for (size_t i = 0; i < c->n_pricing; i++) {
		line_start(p, indent + 2);
		print_quoted(p->f, c->pricing[i].model);
		fputs(":\n", p->f);
		print_section(p, &price_section, &c->pricing[i], indent + 4);
	}
}

static void rules_free(struct config_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rules[i].pattern);
		free(rules[i].path);
	}
	free(rules);
}

static void load_rules(struct loader *l, void *base, const yaml_node_t *key,
                       const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	bool ok;
	size_t n = seq_size(l, val, path, "a list of {pattern, path} entries", &ok), kept = 0;
	(void)key;
	if (!ok || is_null(val))
		return;
	struct config_rule *rules = xcalloc(n ? n : 1, sizeof(*rules));
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = node_at(l, val->data.sequence.items.start[i]);
		char *ipath = index_path(path, i);
		struct config_rule r = { NULL, NULL };
		if (item->type != YAML_MAPPING_NODE) {
			bad_value(l, item, ipath, "a mapping with pattern and path", NULL, false);
		} else {
			load_section(l, &rule_section, &r, item, ipath);
			if (!map_find(l, item, "pattern") || !map_find(l, item, "path"))
				report(l, CONFIG_ERROR, item->start_mark, "%s: needs both pattern and path", ipath);
		}
		if (r.pattern && r.path) {
			rules[kept++] = r;
		} else {
			free(r.pattern);
			free(r.path);
		}
		free(ipath);
	}
	rules_free(c->router.rules, c->router.n_rules);
	c->router.rules = rules;
	c->router.n_rules = kept;
}

static void print_rules(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_items(p, f, &rule_section, c->router.rules, sizeof(*c->router.rules),
	            c->router.n_rules, indent);
}

/* ---- cross-key checks --------------------------------------------------- */

static void check_retrieval_path(struct loader *l, void *base, const yaml_node_t *map,
                                 const char *path)
{
	const struct config *c = base;
	const yaml_node_t *db = map_find(l, map, "vector_db");
	if (!db || strcmp(c->routing.retrieval.vector_db, "qdrant"))
		return;
	report(l, CONFIG_NOTE, db->start_mark,
	       "%s.vector_db is \"qdrant\": this build has no Qdrant backend, so collection \"%s\" "
	       "is kept in the embedded SQLite store",
	       path, c->routing.retrieval.collection);
}

static void check_adaptation_path(struct loader *l, void *base, const yaml_node_t *map,
                                  const char *path)
{
	const struct config *c = base;
	if (c->routing.adaptation.enabled && !c->routing.adaptation.model_path)
		report(l, CONFIG_WARNING, map->start_mark,
		       "%s.enabled is true but model_path is not set, so the adaptation path has no model",
		       path);
}

static void check_ingest(struct loader *l, void *base, const yaml_node_t *map, const char *path)
{
	const struct config *c = base;
	int chunk = c->ingest.chunk_tokens, overlap = c->ingest.overlap_tokens;
	if (overlap <= chunk / 2)
		return;
	const yaml_node_t *at = map_find(l, map, "overlap_tokens");
	if (!at)
		at = map_find(l, map, "chunk_tokens");
	report(l, CONFIG_ERROR, at ? at->start_mark : map->start_mark,
	       "%s.overlap_tokens is %d, more than half of chunk_tokens (%d); use at most %d", path,
	       overlap, chunk, chunk / 2);
}

/* ---- the schema --------------------------------------------------------- */

static const struct field retrieval_path_fields[] = {
	{ .key = "enabled", .type = F_BOOL, .off = CFG(routing.retrieval.enabled) },
	{ .key = "vector_db", .type = F_CHOICE, .off = CFG(routing.retrieval.vector_db),
	  .choices = vector_dbs },
	{ .key = "collection", .type = F_STR, .off = CFG(routing.retrieval.collection),
	  .check = check_collection, .expect = "a collection name of letters, digits, '_', '.' and '-'" },
	{ .key = "top_k", .type = F_INT, .off = CFG(routing.retrieval.top_k), .min = 1, .max = 100 },
	{ .key = "max_context_tokens", .type = F_INT, .off = CFG(routing.retrieval.max_context_tokens),
	  .min = 100, .max = 200000 },
	{ .key = "embedding_model", .type = F_STR, .off = CFG(routing.retrieval.embedding_model) },
	{ .key = "cache_ttl_seconds", .type = F_INT, .off = CFG(routing.retrieval.cache_ttl_seconds),
	  .min = 0, .max = 604800 },
};
static const struct section retrieval_path_section = {
	retrieval_path_fields, ARRAY_LEN(retrieval_path_fields), check_retrieval_path
};

static const struct field adaptation_path_fields[] = {
	{ .key = "enabled", .type = F_BOOL, .off = CFG(routing.adaptation.enabled) },
	{ .key = "model_path", .type = F_STR, .off = CFG(routing.adaptation.model_path),
	  .nullable = true },
	{ .key = "max_tokens", .type = F_INT, .off = CFG(routing.adaptation.max_tokens),
	  .min = 1, .max = 32768 },
	{ .key = "temperature", .type = F_DOUBLE, .off = CFG(routing.adaptation.temperature),
	  .min = 0, .max = 2 },
	{ .key = "repetition_penalty", .type = F_DOUBLE,
	  .off = CFG(routing.adaptation.repetition_penalty), .min = 0.5, .max = 2 },
	{ .key = "stop_sequences", .type = F_LIST, .off = CFG(routing.adaptation.stop_sequences),
	  .count_off = CFG(routing.adaptation.n_stop_sequences), .max = 16 },
};
static const struct section adaptation_path_section = {
	adaptation_path_fields, ARRAY_LEN(adaptation_path_fields), check_adaptation_path
};

static const struct field paths_fields[] = {
	{ .key = "retrieval", .type = F_MAP, .sub = &retrieval_path_section },
	{ .key = "adaptation", .type = F_MAP, .sub = &adaptation_path_section },
};
static const struct section paths_section = { paths_fields, ARRAY_LEN(paths_fields), NULL };

static const struct field routing_fields[] = {
	{ .key = "default_model", .type = F_STR, .off = CFG(routing.default_model) },
	{ .key = "fallback_model", .type = F_STR, .off = CFG(routing.fallback_model) },
	{ .key = "paths", .type = F_MAP, .sub = &paths_section },
	{ .key = "evaluation", .type = F_CUSTOM, .load = load_evaluation, .print = print_evaluation },
};
static const struct section routing_section = { routing_fields, ARRAY_LEN(routing_fields), NULL };

static const struct field store_fields[] = {
	{ .key = "path", .type = F_STR, .off = CFG(store_path), .nullable = true,
	  .check = check_path, .expect = "a file path (~ is not expanded; write the full path)" },
};
static const struct section store_section = { store_fields, ARRAY_LEN(store_fields), NULL };

static const struct field embedder_fields[] = {
	{ .key = "kind", .type = F_CHOICE, .off = CFG(embedder.kind), .choices = embedder_kinds },
	{ .key = "dim", .type = F_INT, .off = CFG(embedder.dim), .min = 32, .max = 4096 },
	{ .key = "model", .type = F_STR, .off = CFG(embedder.model), .nullable = true },
};
static const struct section embedder_section = { embedder_fields, ARRAY_LEN(embedder_fields), NULL };

static const struct field ingest_fields[] = {
	{ .key = "chunk_tokens", .type = F_INT, .off = CFG(ingest.chunk_tokens), .min = 64, .max = 4096 },
	{ .key = "overlap_tokens", .type = F_INT, .off = CFG(ingest.overlap_tokens), .min = 0, .max = 2048 },
	{ .key = "max_file_mb", .type = F_INT, .off = CFG(ingest.max_file_mb), .min = 1, .max = 1024 },
};
static const struct section ingest_section = { ingest_fields, ARRAY_LEN(ingest_fields), check_ingest };

static const struct field retrieval_fields[] = {
	{ .key = "rrf_k", .type = F_INT, .off = CFG(retrieval.rrf_k), .min = 1, .max = 1000 },
	{ .key = "vector_weight", .type = F_DOUBLE, .off = CFG(retrieval.vector_weight), .min = 0, .max = 10 },
	{ .key = "fts_weight", .type = F_DOUBLE, .off = CFG(retrieval.fts_weight), .min = 0, .max = 10 },
	{ .key = "quantize_int8", .type = F_BOOL, .off = CFG(retrieval.quantize_int8) },
	{ .key = "oversample", .type = F_INT, .off = CFG(retrieval.oversample), .min = 1, .max = 100 },
	{ .key = "threads", .type = F_INT, .off = CFG(retrieval.threads), .min = 0, .max = 256 },
	{ .key = "min_score", .type = F_DOUBLE, .off = CFG(retrieval.min_score), .min = 0, .max = 1 },
};
static const struct section retrieval_section = { retrieval_fields, ARRAY_LEN(retrieval_fields), NULL };

static const struct field http_fields[] = {
	{ .key = "connect_timeout_ms", .type = F_LONG, .off = CFG(http.connect_timeout_ms),
	  .min = 1, .max = 3600000 },
	{ .key = "first_byte_timeout_ms", .type = F_LONG, .off = CFG(http.first_byte_timeout_ms),
	  .min = 1, .max = 3600000 },
	{ .key = "idle_timeout_ms", .type = F_LONG, .off = CFG(http.idle_timeout_ms),
	  .min = 1, .max = 3600000 },
	{ .key = "total_timeout_ms", .type = F_LONG, .off = CFG(http.total_timeout_ms),
	  .min = 1, .max = 3600000 },
	{ .key = "max_retries", .type = F_INT, .off = CFG(http.max_retries), .min = 0, .max = 10 },
};
static const struct section http_section = { http_fields, ARRAY_LEN(http_fields), NULL };

static const struct field router_fields[] = {
	{ .key = "rules", .type = F_CUSTOM, .load = load_rules, .print = print_rules },
	{ .key = "breaker_failures", .type = F_INT, .off = CFG(router.breaker_failures),
	  .min = 1, .max = 100 },
	{ .key = "breaker_window_s", .type = F_INT, .off = CFG(router.breaker_window_s),
	  .min = 1, .max = 86400 },
	{ .key = "breaker_cooldown_s", .type = F_INT, .off = CFG(router.breaker_cooldown_s),
	  .min = 1, .max = 86400 },
	{ .key = "min_retrieval_score", .type = F_DOUBLE, .off = CFG(router.min_retrieval_score),
	  .min = 0, .max = 1 },
};
static const struct section router_section = { router_fields, ARRAY_LEN(router_fields), NULL };

static const struct field top_fields[] = {
	{ .key = "routing", .type = F_MAP, .sub = &routing_section },
	{ .key = "evaluation", .type = F_CUSTOM, .load = load_evaluation, .hidden = true },
	{ .key = "providers", .type = F_CUSTOM, .load = load_providers, .print = print_providers },
	{ .key = "models", .type = F_CUSTOM, .load = load_models, .print = print_models },
	{ .key = "pricing", .type = F_CUSTOM, .load = load_pricing, .print = print_pricing },
	{ .key = "store", .type = F_MAP, .sub = &store_section },
	{ .key = "theme", .type = F_STR, .off = CFG(theme), .check = check_name,
	  .expect = "a theme name of letters, digits, '_' and '-'" },
	{ .key = "embedder", .type = F_MAP, .sub = &embedder_section },
	{ .key = "ingest", .type = F_MAP, .sub = &ingest_section },
	{ .key = "retrieval", .type = F_MAP, .sub = &retrieval_section },
	{ .key = "http", .type = F_MAP, .sub = &http_section },
	{ .key = "router", .type = F_MAP, .sub = &router_section },
};
static const struct section top_section = { top_fields, ARRAY_LEN(top_fields), NULL };

/* ---- defaults ----------------------------------------------------------- */

struct config *config_defaults(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->routing.default_model = xstrdup("local");
	c->routing.fallback_model = xstrdup("local");
	c->routing.retrieval.enabled = true;
	c->routing.retrieval.vector_db = xstrdup("sqlite");
	c->routing.retrieval.collection = xstrdup("default");
	c->routing.retrieval.top_k = 5;
	c->routing.retrieval.max_context_tokens = 3000;
	c->routing.retrieval.embedding_model = xstrdup("hash");
	c->routing.retrieval.cache_ttl_seconds = 3600;
	c->routing.adaptation.max_tokens = 1024;
	c->routing.adaptation.temperature = 0.2;
	c->routing.adaptation.repetition_penalty = 1.0;
	c->routing.adaptation.stop_sequences = strv_dup(NULL, 0);
	c->evaluation.metrics = strv_dup(default_metrics, ARRAY_LEN(default_metrics));
	c->evaluation.n_metrics = ARRAY_LEN(default_metrics);
	c->evaluation.latency_p95_ms = 800;
	c->evaluation.hallucination_score = 0.85;

	c->n_providers = ARRAY_LEN(builtin_providers);
	c->providers = xcalloc(c->n_providers, sizeof(*c->providers));
	for (size_t i = 0; i < c->n_providers; i++) {
		const struct config_provider *b = &builtin_providers[i];
		c->providers[i] = (struct config_provider){ xstrdup(b->name), b->kind,
			xstrdup_or_null(b->base_url), xstrdup_or_null(b->api_key_env) };
	}
	c->n_models = ARRAY_LEN(builtin_routes);
	c->models = xcalloc(c->n_models, sizeof(*c->models));
	for (size_t i = 0; i < c->n_models; i++)
		c->models[i] = (struct config_model_route){ xstrdup(builtin_routes[i].match),
			xstrdup(builtin_routes[i].provider) };
	c->n_pricing = ARRAY_LEN(builtin_prices);
	c->pricing = xcalloc(c->n_pricing, sizeof(*c->pricing));
	for (size_t i = 0; i < c->n_pricing; i++)
		c->pricing[i] = (struct config_price){ xstrdup(builtin_prices[i].model),
			builtin_prices[i].input_per_mtok, builtin_prices[i].output_per_mtok };

	c->theme = xstrdup("dark");
	c->embedder.kind = xstrdup("hash");
	c->embedder.dim = 384;
	c->ingest.chunk_tokens = 350;
	c->ingest.overlap_tokens = 40;
	c->ingest.max_file_mb = 20;
	c->retrieval.rrf_k = 60;
	c->retrieval.vector_weight = 1.0;
	c->retrieval.fts_weight = 1.0;
	c->retrieval.quantize_int8 = true;
	c->retrieval.oversample = 4;
	c->http.connect_timeout_ms = 10000;
	c->http.first_byte_timeout_ms = 60000;
	c->http.idle_timeout_ms = 30000;
	c->http.total_timeout_ms = 300000;
	c->http.max_retries = 3;
	c->router.rules = xcalloc(1, sizeof(*c->router.rules));
	c->router.breaker_failures = 3;
	c->router.breaker_window_s = 60;
	c->router.breaker_cooldown_s = 30;
	c->router.min_retrieval_score = 0.15;
	return c;
}

/* ---- loading a document ------------------------------------------------- */

static void check_routes(struct loader *l)
{
	const struct config *c = l->cfg;
	for (size_t i = 0; i < l->n_user_routes; i++) {
		if (config_provider_find(c, c->models[i].provider))
			continue;
		struct strbuf known = STRBUF_INIT;
		for (size_t j = 0; j < c->n_providers; j++)
			sb_printf(&known, "%s%s", j ? ", " : "", c->providers[j].name);
		report(l, CONFIG_ERROR, l->route_marks[i],
		       "models[%zu].provider: no provider named \"%s\"; known providers: %s", i,
		       c->models[i].provider, sb_str(&known));
		sb_free(&known);
	}
}

/* Warn when routing.<key>, set in the file, names a model no route serves. */
static void check_model_served(struct loader *l, const yaml_node_t *root, const char *key)
{
	const yaml_node_t *routing = map_find(l, root, "routing");
	const yaml_node_t *n = routing ? map_find(l, routing, key) : NULL;
	const char *model = n && n->type == YAML_SCALAR_NODE && !is_null(n) ? scalar_text(n) : NULL;
	if (!model || !model[0] || config_provider_for_model(l->cfg, model))
		return;
	report(l, CONFIG_WARNING, n->start_mark,
	       "routing.%s: no entry of models: routes \"%s\" to a provider; add one "
	       "(- match: \"%s\" with provider: NAME)",
	       key, model, model);
}

/* Reader errors carry a byte offset instead of a mark. */
static yaml_mark_t mark_of_offset(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	return m;
}

static void syntax_error(struct loader *l, const yaml_parser_t *parser)
{
	struct strbuf msg = STRBUF_INIT;
	yaml_mark_t at = parser->problem_mark;
	if (parser->error == YAML_READER_ERROR)
		at = mark_of_offset(l->text, l->len, parser->problem_offset);
	if (parser->error == YAML_MEMORY_ERROR)
		sb_puts(&msg, "out of memory while reading YAML");
	else
		sb_printf(&msg, "invalid YAML: %s", parser->problem ? parser->problem : "syntax error");
	if (parser->context)
		sb_printf(&msg, " %s (line %d column %d)", parser->context,
		          (int)parser->context_mark.line + 1, (int)parser->context_mark.column + 1);
	if (at.index < l->len && l->text[at.index] == '\t')
		sb_puts(&msg, "; indent with spaces, YAML does not allow tabs here");
	report(l, CONFIG_ERROR, at, "%s", sb_str(&msg));
	sb_free(&msg);
}

static void load_root(struct loader *l, const yaml_node_t *root)
{
	if (!root || is_null(root))
		return;
	if (root->type != YAML_MAPPING_NODE) {
		struct strbuf got = STRBUF_INIT;
		describe(&got, root);
		report(l, CONFIG_ERROR, root->start_mark,
		       "the top level must be a mapping of keys (routing:, providers:, ...), got %s",
		       sb_str(&got));
		sb_free(&got);
		return;
	}
	load_section(l, &top_section, l->cfg, root, "");
	check_routes(l);
	check_model_served(l, root, "default_model");
	check_model_served(l, root, "fallback_model");
}

/* Only the first document of a stream is configuration; say so when there
 * are more, and report a syntax error after the first one. */
static void check_trailing_documents(struct loader *l, yaml_parser_t *parser)
{
	yaml_document_t next;
	if (!yaml_parser_load(parser, &next)) {
		syntax_error(l, parser);
		return;
	}
	const yaml_node_t *root = yaml_document_get_root_node(&next);
	if (root)
		report(l, CONFIG_WARNING, root->start_mark,
		       "only the first YAML document is configuration; this one is ignored");
	yaml_document_delete(&next);
}

int config_load_string(const char *name, const char *yaml, size_t len, struct config **out,
                       struct config_diags *diags)
{
	struct loader l = { .diags = diags, .text = yaml, .len = len };
	yaml_parser_t parser;
	bool have_parser = false, have_doc = false;
	size_t first_diag = diags->n;
	int rc = -1;

	diags_set_source(diags, name);
	l.cfg = config_defaults();
	l.cfg->source_path = xstrdup(name);
	if (!yaml_parser_initialize(&parser)) {
		diags_add(diags, CONFIG_ERROR, 0, 0, "out of memory while reading YAML");
		goto cleanup;
	}
	have_parser = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		syntax_error(&l, &parser);
		goto cleanup;
	}
	have_doc = true;
	load_root(&l, yaml_document_get_root_node(&l.doc));
	check_trailing_documents(&l, &parser);
	if (l.errors)
		goto cleanup;
	*out = l.cfg;
	l.cfg = NULL;
	rc = 0;
cleanup:
	if (have_doc)
		yaml_document_delete(&l.doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	free(l.route_marks);
	config_free(&l.cfg);
	diags_sort_from(diags, first_diag);
	return rc;
}

/* Read all of path into *buf (NUL-terminated). Returns 0, or -1 with
 * errno-style why. */
static int read_file(const char *path, char **buf, size_t *len, struct strbuf *why)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;
	int rc = -1;
	FILE *f = fopen(path, "rb");
	if (!f) {
		sb_puts(why, strerror(errno));
		goto cleanup;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sb_append(&sb, chunk, n);
		if (sb.len > MAX_FILE_BYTES) {
			sb_printf(why, "larger than %zu MiB; this is not a config file", MAX_FILE_BYTES >> 20);
			goto cleanup;
		}
	}
	if (ferror(f)) {
		sb_puts(why, strerror(errno));
		goto cleanup;
	}
	*buf = sb_detach(&sb, len);
	rc = 0;
cleanup:
	if (f)
		fclose(f);
	sb_free(&sb);
	return rc;
}

int config_load_file(const char *path, struct config **out, struct config_diags *diags)
{
	struct strbuf why = STRBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (read_file(path, &buf, &len, &why) < 0) {
		diags_set_source(diags, path);
		diags_add(diags, CONFIG_ERROR, 0, 0, "cannot read the config file: %s", sb_str(&why));
		goto cleanup;
	}
	rc = config_load_string(path, buf, len, out, diags);
cleanup:
	free(buf);
	sb_free(&why);
	return rc;
}

/* ---- resolving the path ------------------------------------------------- */

static int take_explicit(const char *path, const char *from, char **out, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "config file \"%s\" (from %s) does not exist", path, from);
		else
			snprintf(err, errlen, "cannot use config file \"%s\" (from %s): %s", path, from,
			         strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "config file \"%s\" (from %s) is not a regular file", path, from);
		return -1;
	}
	*out = xstrdup(path);
	return 0;
}

int config_resolve_path(const char *cli_path, char **out, char *err, size_t errlen)
{
	const char *env = getenv("RAGDECK_CONFIG");
	struct stat st;
	*out = NULL;
	if (cli_path)
		return take_explicit(cli_path, "--config", out, err, errlen);
	if (env && env[0])
		return take_explicit(env, "$RAGDECK_CONFIG", out, err, errlen);
	char *user = paths_user_config();
	if (user && stat(user, &st) == 0 && S_ISREG(st.st_mode))
		*out = user;
	else
		free(user);
	return 0;
}

/* ---- printing, lookups, freeing ----------------------------------------- */

void config_print(const struct config *c, FILE *f)
{
	struct printer p = { f, false };
	fputs("# ragdeck effective configuration, from ", f);
	if (c->source_path) {
		for (const char *s = c->source_path; *s; s++)
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	} else {
		fputs("built-in defaults", f);
	}
	fputs("\n", f);
	print_section(&p, &top_section, c, 0);
}

const struct config_provider *config_provider_for_model(const struct config *c, const char *model)
{
	for (size_t i = 0; i < c->n_models; i++)
		if (fnmatch(c->models[i].match, model, 0) == 0)
			return config_provider_find(c, c->models[i].provider);
	return NULL;
}

const struct config_price *config_price_for_model(const struct config *c, const char *model)
{
	const struct config_price *best = NULL;
	size_t best_len = 0, len = strlen(model);
	for (size_t i = 0; i < c->n_pricing; i++) {
		const struct config_price *p = &c->pricing[i];
		size_t plen = strlen(p->model);
		if (plen == len && !strcmp(p->model, model))
			return p;
		if (plen < len && plen > best_len && !strncmp(p->model, model, plen)) {
			best = p;
			best_len = plen;
		}
	}
	return best;
}

void config_free(struct config **cp)
{
	struct config *c = cp ? *cp : NULL;
	if (!c)
		return;
	free(c->source_path);
	free(c->routing.default_model);
	free(c->routing.fallback_model);
	free(c->routing.retrieval.vector_db);
	free(c->routing.retrieval.collection);
	free(c->routing.retrieval.embedding_model);
	free(c->routing.adaptation.model_path);
	strv_free(c->routing.adaptation.stop_sequences, c->routing.adaptation.n_stop_sequences);
	strv_free(c->evaluation.metrics, c->evaluation.n_metrics);
	for (size_t i = 0; i < c->n_providers; i++) {
		free(c->providers[i].name);
		free(c->providers[i].base_url);
		free(c->providers[i].api_key_env);
	}
	free(c->providers);
	for (size_t i = 0; i < c->n_models; i++)
		route_free(&c->models[i]);
	free(c->models);
	for (size_t i = 0; i < c->n_pricing; i++)
		free(c->pricing[i].model);
	free(c->pricing);
	free(c->store_path);
	free(c->theme);
	free(c->embedder.kind);
	free(c->embedder.model);
	rules_free(c->router.rules, c->router.n_rules);
	free(c);
	*cp = NULL;
}
