/* config: diagnostics and YAML node access for the loader.
 *
 * Every message of a load is collected with the 1-based line and column of
 * the node it is about; the helpers here find, size and describe nodes and
 * report a wrong one in the words the user needs to fix it, with a "did you
 * mean" suggestion when a name is misspelt. */
#include "core/config/config.h"
#include "core/config/config_int.h"
#include "core/util/edit_distance.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A config file is small; this bound keeps a hostile or mistaken input (a
 * mapping of a million keys) from taking minutes. */
#define MAX_ENTRIES 1000
#define SHOWN_VALUE_MAX 60
#define SUGGEST_MAX_DISTANCE 2

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

void config_diags_add(struct config_diags *d, enum config_severity sev, int line, int col,
                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diags_vadd(d, sev, line, col, fmt, ap);
	va_end(ap);
}

void config_diags_set_source(struct config_diags *d, const char *name)
{
	free(d->source);
	d->source = xstrdup(name);
}

void config_report(struct config_reader *l, enum config_severity sev, yaml_mark_t m, const char *fmt, ...)
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
void config_diags_sort_from(struct config_diags *d, size_t first)
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

/* ---- messages and suggestions ------------------------------------------- */

void config_consider(const char *word, const char *cand, const char **best, size_t *best_d)
{
	size_t d = edit_distance(word, cand, SUGGEST_MAX_DISTANCE);
	if (d <= SUGGEST_MAX_DISTANCE && d < strlen(word) && d < *best_d) {
		*best = cand;
		*best_d = d;
	}
}

void config_suggest_choice(struct strbuf *sb, const char *word, const char *const *choices)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; choices[i]; i++)
		config_consider(word, choices[i], &best, &best_d);
	if (best)
		sb_printf(sb, " (did you mean \"%s\"?)", best);
}

void config_choices_text(struct strbuf *sb, const char *const *choices)
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

const yaml_node_t *config_node_at(struct config_reader *l, int index)
{
	return yaml_document_get_node(&l->doc, index);
}

const char *config_scalar_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool config_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = config_scalar_text(n);
	return !s[0] || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

bool config_is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

void config_describe(struct strbuf *sb, const yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		sb_puts(sb, "a mapping");
	else if (n->type == YAML_SEQUENCE_NODE)
		sb_puts(sb, "a list");
	else if (config_is_null(n))
		sb_puts(sb, "nothing");
	else
		quote_for_message(sb, config_scalar_text(n), n->data.scalar.length);
}

const char *config_where_prefix(const char *path)
{
	return path[0] ? "under " : "at the top level";
}

void config_bad_value(struct config_reader *l, const yaml_node_t *n, const char *path, const char *expect,
                      const char *why, bool hide)
{
	struct strbuf got = STRBUF_INIT;
	if (hide && n->type == YAML_SCALAR_NODE && !config_is_null(n))
		sb_puts(&got, "a value that is not shown here in case it is a key");
	else
		config_describe(&got, n);
	config_report(l, CONFIG_ERROR, n->start_mark, "%s: expected %s, got %s%s", path, expect,
	              sb_str(&got), why ? why : "");
	sb_free(&got);
}

const yaml_node_t *config_map_find(struct config_reader *l, const yaml_node_t *map, const char *key)
{
	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = config_node_at(l, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(config_scalar_text(k), key))
			return config_node_at(l, p->value);
	}
	return NULL;
}

size_t config_map_size(struct config_reader *l, const yaml_node_t *n, const char *path, const char *expect)
{
	if (config_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE) {
		config_bad_value(l, n, path, expect, NULL, false);
		return 0;
	}
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (count > MAX_ENTRIES) {
		config_report(l, CONFIG_ERROR, n->start_mark, "%s: more than %d keys",
		              path[0] ? path : "file", MAX_ENTRIES);
		return 0;
	}
	return count;
}

size_t config_seq_size(struct config_reader *l, const yaml_node_t *n, const char *path, const char *expect,
                       bool *ok)
{
	*ok = config_is_null(n);
	if (*ok)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		config_bad_value(l, n, path, expect, NULL, false);
		return 0;
	}
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > MAX_ENTRIES) {
		config_report(l, CONFIG_ERROR, n->start_mark, "%s: more than %d items", path, MAX_ENTRIES);
		return 0;
	}
	*ok = true;
	return count;
}

const char *config_pair_key(struct config_reader *l, const yaml_node_t *map, size_t i, const char *path,
                            const yaml_node_t **key, const yaml_node_t **val)
{
	const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
	*key = config_node_at(l, pairs[i].key);
	*val = config_node_at(l, pairs[i].value);
	if ((*key)->type != YAML_SCALAR_NODE || config_is_null(*key)) {
		struct strbuf got = STRBUF_INIT;
		config_describe(&got, *key);
		config_report(l, CONFIG_ERROR, (*key)->start_mark, "expected a key name %s%s, got %s",
		              config_where_prefix(path), path, sb_str(&got));
		sb_free(&got);
		return NULL;
	}
	const char *name = config_scalar_text(*key);
	for (size_t j = 0; j < i; j++) {
		const yaml_node_t *prev = config_node_at(l, pairs[j].key);
		if (prev->type == YAML_SCALAR_NODE && !strcmp(config_scalar_text(prev), name)) {
			config_report(l, CONFIG_ERROR, (*key)->start_mark,
			              "duplicate key \"%s\" %s%s (first at line %d); keep one", name,
			              config_where_prefix(path), path, (int)prev->start_mark.line + 1);
			return NULL;
		}
	}
	return name;
}

char *config_join_path(const char *path, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	if (path[0])
		sb_printf(&sb, "%s.%s", path, key);
	else
		sb_puts(&sb, key);
	return sb_detach(&sb, NULL);
}

char *config_index_path(const char *path, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s[%zu]", path, i);
	return sb_detach(&sb, NULL);
}
