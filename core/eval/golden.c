/* golden: evaluation sets from YAML and JSONL.
 *
 * Both formats go through one validator: a YAML item is first turned into
 * the cJSON value its JSONL line would hold, with the position of every
 * node kept aside, so a message points at the offending key in either
 * format. */
#include "core/eval/golden.h"
#include "core/util/error.h"
#include "core/config/safe_yaml.h"
#include "core/util/safe_regex.h"
#include "core/util/fs.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const category_names[GOLDEN_N_CATEGORIES] = {
	[GOLDEN_FACTUAL] = "factual",
	[GOLDEN_STRUCTURAL] = "structural",
	[GOLDEN_HYBRID] = "hybrid",
};

static const char *const item_keys[] = {
	"id", "question", "category", "relevant", "stale", "reference_answer",
	"must_contain", "format", "schema", "pattern",
};

const char *golden_category_name(enum golden_category c)
{
	return c < GOLDEN_N_CATEGORIES ? category_names[c] : "?";
}

const char *golden_format_name(enum golden_format f)
{
	switch (f) {
	case GOLDEN_FORMAT_JSON: return "json";
	case GOLDEN_FORMAT_REGEX: return "regex";
	default: return "none";
	}
}

int golden_category_parse(const char *s)
{
	for (int i = 0; i < GOLDEN_N_CATEGORIES; i++)
		if (strcmp(s, category_names[i]) == 0)
			return i;
	return -1;
}

/* ---- positions ------------------------------------------------------- */

struct loc {
	const cJSON *node;
	int line, col;
};

/* Where the nodes of the item being validated came from. */
struct posmap {
	const char *name;
	bool has_col;             /* YAML: line and column per node */
	int line;                 /* JSONL: the line of every node */
	struct loc *v;
	size_t n, cap;
};

static void pos_add(struct posmap *pm, const cJSON *node, yaml_mark_t m)
{
	if (pm->n == pm->cap) {
		pm->cap = pm->cap ? pm->cap * 2 : 32;
		pm->v = xreallocarray(pm->v, pm->cap, sizeof *pm->v);
	}
	pm->v[pm->n++] = (struct loc){ node, (int)m.line + 1, (int)m.column + 1 };
}

static void pos_fail(const struct posmap *pm, const cJSON *node, char *err, size_t errlen,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "name:line:col: message" for node (the item when node is unknown); the
 * last registration of a node wins, which for a member is its key. */
static void pos_fail(const struct posmap *pm, const cJSON *node, char *err, size_t errlen,
                     const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	if (pm->has_col) {
		/* The item itself is registered last: the default. */
		struct loc at = pm->n ? pm->v[pm->n - 1] : (struct loc){ NULL, 1, 1 };
		for (size_t i = 0; i < pm->n; i++)
			if (pm->v[i].node == node)
				at = pm->v[i];
		sb_printf(&sb, "%s:%d:%d: ", pm->name, at.line, at.col);
	} else {
		sb_printf(&sb, "%s:%d: ", pm->name, pm->line);
	}
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s", sb_str(&sb));
	sb_free(&sb);
}

/* ---- validation ------------------------------------------------------ */

static void item_free(struct golden_item *it)
{
	free(it->id);
	free(it->question);
	for (size_t i = 0; i < it->n_relevant; i++)
		free(it->relevant[i].path);
	free(it->relevant);
	for (size_t i = 0; i < it->n_stale; i++)
		free(it->stale[i].path);
	free(it->stale);
	free(it->reference_answer);
	for (size_t i = 0; i < it->n_must_contain; i++)
		free(it->must_contain[i]);
	free(it->must_contain);
	cJSON_Delete(it->schema);
	free(it->pattern);
	memset(it, 0, sizeof *it);
}

static bool known_key(const char *k)
{
	for (size_t i = 0; i < sizeof item_keys / sizeof item_keys[0]; i++)
		if (strcmp(k, item_keys[i]) == 0)
			return true;
	return false;
}

/* A non-empty string member, or NULL (absent when !required). */
static int get_string(const struct posmap *pm, const cJSON *o, const char *key, bool required,
                      char **out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		pos_fail(pm, o, err, errlen, "item has no '%s' (add %s: \"...\")", key, key);
		return -1;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		pos_fail(pm, v, err, errlen, "'%s' must be a non-empty string", key);
		return -1;
	}
	*out = xstrdup(v->valuestring);
	return 0;
}

static int get_line(const struct posmap *pm, const cJSON *v, int *out, char *err, size_t errlen)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e9 ||
	    v->valuedouble != (double)(int)v->valuedouble) {
		pos_fail(pm, v, err, errlen, "a line number must be a whole number from 1");
		return -1;
	}
	*out = (int)v->valuedouble;
	return 0;
}

static int get_source(const struct posmap *pm, const cJSON *v, struct golden_source *s,
                      char *err, size_t errlen)
{
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(v, "lines");
	if (!cJSON_IsObject(v)) {
		pos_fail(pm, v, err, errlen, "a source must be a mapping {path, lines}");
		return -1;
	}
	for (const cJSON *k = v->child; k; k = k->next) {
		if (strcmp(k->string, "path") != 0 && strcmp(k->string, "lines") != 0) {
			pos_fail(pm, k, err, errlen, "unknown key '%s' in a source (expected path, lines)",
			         k->string);
			return -1;
		}
	}
	if (get_string(pm, v, "path", true, &s->path, err, errlen) != 0)
		return -1;
	if (!lines || cJSON_IsNull(lines))
		return 0;
	if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) != 2) {
		pos_fail(pm, lines, err, errlen, "'lines' must be [first, last]");
		return -1;
	}
	if (get_line(pm, lines->child, &s->line_start, err, errlen) != 0 ||
	    get_line(pm, lines->child->next, &s->line_end, err, errlen) != 0)
		return -1;
	if (s->line_end < s->line_start) {
		pos_fail(pm, lines, err, errlen, "'lines' [%d, %d] ends before it starts", s->line_start,
		         s->line_end);
		return -1;
	}
	return 0;
}

/* The list of sources under key ("relevant" or "stale") into *out. */
static int get_sources(const struct posmap *pm, const cJSON *o, const char *key,
                       struct golden_source **out, size_t *n, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v)) {
		pos_fail(pm, v, err, errlen, "'%s' must be a list of {path, lines}", key);
		return -1;
	}
	*out = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof **out);
	for (const cJSON *e = v->child; e; e = e->next)
		if (get_source(pm, e, &(*out)[(*n)++], err, errlen) != 0)
			return -1;
	return 0;
}

static int get_must_contain(const struct posmap *pm, const cJSON *o, struct golden_item *it,
                            char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "must_contain");
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v)) {
		pos_fail(pm, v, err, errlen, "'must_contain' must be a list of strings");
		return -1;
	}
	it->must_contain = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *it->must_contain);
	for (const cJSON *e = v->child; e; e = e->next) {
		char num[32];
		if (cJSON_IsNumber(e)) {
			snprintf(num, sizeof num, "%.15g", e->valuedouble);
			it->must_contain[it->n_must_contain++] = xstrdup(num);
			continue;
		}
		if (!cJSON_IsString(e) || !e->valuestring[0]) {
			pos_fail(pm, e, err, errlen, "'must_contain' entries must be non-empty strings");
			return -1;
		}
		it->must_contain[it->n_must_contain++] = xstrdup(e->valuestring);
	}
	return 0;
}

static int get_format(const struct posmap *pm, const cJSON *o, struct golden_item *it,
                      char *err, size_t errlen)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(o, "format");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(o, "schema");
	const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(o, "pattern");
	if (fmt && !cJSON_IsNull(fmt)) {
		const char *f = cJSON_IsString(fmt) ? fmt->valuestring : "";
		if (strcmp(f, "json") == 0) {
			it->format = GOLDEN_FORMAT_JSON;
		} else if (strcmp(f, "regex") == 0) {
			it->format = GOLDEN_FORMAT_REGEX;
		} else {
			pos_fail(pm, fmt, err, errlen, "'format' must be json or regex");
			return -1;
		}
	}
	if (schema && !cJSON_IsNull(schema)) {
		if (it->format != GOLDEN_FORMAT_JSON || !cJSON_IsObject(schema)) {
			pos_fail(pm, schema, err, errlen, "'schema' must be a mapping and needs format: json");
			return -1;
		}
		it->schema = cJSON_Duplicate(schema, true);
	}
	if (it->format == GOLDEN_FORMAT_REGEX) {
		regex_t re;
		char why[ERR_LEN];
		if (get_string(pm, o, "pattern", true, &it->pattern, err, errlen) != 0)
			return -1;
		if (safe_regex_compile(&re, it->pattern, REG_NOSUB, why, sizeof why) != 0) {
			pos_fail(pm, pattern, err, errlen, "'pattern' is not a usable POSIX extended regex: %s", why);
			return -1;
		}
		regfree(&re);
	} else if (pattern && !cJSON_IsNull(pattern)) {
		pos_fail(pm, pattern, err, errlen, "'pattern' needs format: regex");
		return -1;
	}
	return 0;
}

/* Fill it from the object o. On failure it may hold a part (free it). */
static int item_from_json(const struct posmap *pm, const cJSON *o, struct golden_item *it,
                          char *err, size_t errlen)
{
	char *cat = NULL;
	int rc = -1;
	if (!cJSON_IsObject(o)) {
		pos_fail(pm, o, err, errlen, "an item must be a mapping (id, question, category, ...)");
		return -1;
	}
	for (const cJSON *k = o->child; k; k = k->next) {
		if (!known_key(k->string)) {
			pos_fail(pm, k, err, errlen, "unknown key '%s' (see docs/golden.md)", k->string);
			goto cleanup;
		}
	}
	if (get_string(pm, o, "id", true, &it->id, err, errlen) != 0 ||
	    get_string(pm, o, "question", true, &it->question, err, errlen) != 0 ||
	    get_string(pm, o, "category", true, &cat, err, errlen) != 0 ||
	    get_string(pm, o, "reference_answer", false, &it->reference_answer, err, errlen) != 0)
		goto cleanup;
	int c = golden_category_parse(cat);
	if (c < 0) {
		pos_fail(pm, cJSON_GetObjectItemCaseSensitive(o, "category"), err, errlen,
		         "category '%s' is not factual, structural or hybrid", cat);
		goto cleanup;
	}
	it->category = (enum golden_category)c;
	if (get_sources(pm, o, "relevant", &it->relevant, &it->n_relevant, err, errlen) != 0 ||
	    get_sources(pm, o, "stale", &it->stale, &it->n_stale, err, errlen) != 0 ||
	    get_must_contain(pm, o, it, err, errlen) != 0 ||
	    get_format(pm, o, it, err, errlen) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	free(cat);
	return rc;
}

/* ---- sets ------------------------------------------------------------ */

static struct golden_set *set_new(const char *name)
{
	struct golden_set *s = xcalloc(1, sizeof *s);
	s->source = xstrdup(name);
	return s;
}

static struct golden_item *set_push(struct golden_set *s)
{
	s->items = xreallocarray(s->items, s->n_items + 1, sizeof *s->items);
	memset(&s->items[s->n_items], 0, sizeof s->items[0]);
	return &s->items[s->n_items++];
}

void golden_set_free(struct golden_set **sp)
{
	struct golden_set *s = sp ? *sp : NULL;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_items; i++)
		item_free(&s->items[i]);
	free(s->items);
	free(s->source);
	free(s);
	*sp = NULL;
}

/* Add the validated item o; it stays in the set even on failure so the
 * set's free releases its parts. */
/* The first member of a mapping anywhere in o whose key an earlier member
 * of the same mapping has (YAML and JSON both leave that to the reader;
 * a schema holding one would mean two things); NULL when none. */
static const cJSON *repeated_key(const cJSON *o)
{
	for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(o))
			for (const cJSON *d = o->child; d != c; d = d->next)
				if (strcmp(d->string, c->string) == 0)
					return c;
		const cJSON *inner = repeated_key(c);
		if (inner)
			return inner;
	}
	return NULL;
}

static int set_add(struct golden_set *s, const struct posmap *pm, const cJSON *o, int line,
                   char *err, size_t errlen)
{
	struct golden_item *it = set_push(s);
	it->line = line;
	const cJSON *twice = repeated_key(o);
	if (twice) {
		pos_fail(pm, twice, err, errlen, "key '%s' is given twice in one mapping", twice->string);
		return -1;
	}
	if (item_from_json(pm, o, it, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i + 1 < s->n_items; i++) {
		if (strcmp(s->items[i].id, it->id) == 0) {
			pos_fail(pm, cJSON_GetObjectItemCaseSensitive(o, "id"), err, errlen,
			         "duplicate id '%s' (first used on line %d)", it->id, s->items[i].line);
			return -1;
		}
	}
	return 0;
}

/* ---- YAML ------------------------------------------------------------ */

/* A plain scalar that reads as a number, boolean or null becomes one;
 * everything else (and anything quoted) is a string. strtod also reads
 * "-nan" and "-infinity", which JSON cannot hold: those stay strings. */
static cJSON *scalar_to_json(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		char *end;
		if (strcmp(s, "true") == 0)
			return cJSON_CreateTrue();
		if (strcmp(s, "false") == 0)
			return cJSON_CreateFalse();
		if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0 || !s[0])
			return cJSON_CreateNull();
		errno = 0;
		double d = strtod(s, &end);
		if (!*end && errno == 0 && isfinite(d) && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}

/* n as cJSON, aliases written out. The reader bounds what that costs: the
 * nesting (the recursion here), the nodes aliases repeat, and no cycle. */
static cJSON *node_to_json(yaml_document_t *doc, yaml_node_t *n, struct posmap *pm)
{
	cJSON *out = NULL;
	if (!n)
		return cJSON_CreateNull();
	switch (n->type) {
	case YAML_SCALAR_NODE:
		out = scalar_to_json(n);
		break;
	case YAML_SEQUENCE_NODE:
		out = cJSON_CreateArray();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			cJSON_AddItemToArray(out, node_to_json(doc, yaml_document_get_node(doc, *i), pm));
		break;
	case YAML_MAPPING_NODE:
		out = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			yaml_node_t *v = yaml_document_get_node(doc, p->value);
			const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
			cJSON *cv = node_to_json(doc, v, pm);
			cJSON_AddItemToObject(out, key, cv);
			/* The key's position stands for the member (unknown keys). */
			if (k)
				pos_add(pm, cv, k->start_mark);
		}
		break;
	default:
		out = cJSON_CreateNull();
		break;
	}
	pos_add(pm, out, n->start_mark);
	return out;
}

static const yaml_node_t *root_items(yaml_document_t *doc, const yaml_node_t *root)
{
	if (root && root->type == YAML_SEQUENCE_NODE)
		return root;
	if (!root || root->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, "items") == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static void reader_fail(const char *name, const struct safe_yaml_error *e, char *err,
                        size_t errlen)
{
	snprintf(err, errlen, "%s:%zu:%zu: %s", name, e->mark.line + 1, e->mark.column + 1, e->msg);
}

int golden_load_yaml(const char *name, const char *text, size_t len, struct golden_set **out,
                     char *err, size_t errlen)
{
	struct safe_yaml reader;
	struct safe_yaml_error ye;
	yaml_document_t doc;
	struct golden_set *s = set_new(name);
	struct posmap pm = { .name = name, .has_col = true };
	bool have_reader = false, have_doc = false;
	int rc = -1;
	*out = NULL;
	if (safe_yaml_open(&reader, text, len, &ye) != 0) {
		reader_fail(name, &ye, err, errlen);
		goto cleanup;
	}
	have_reader = true;
	if (safe_yaml_next(&reader, &doc, &ye) != 0) {
		reader_fail(name, &ye, err, errlen);
		goto cleanup;
	}
	have_doc = true;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	const yaml_node_t *items = root_items(&doc, root);
	if (!items || items->type != YAML_SEQUENCE_NODE) {
		yaml_mark_t m = root ? root->start_mark : (yaml_mark_t){ 0 };
		snprintf(err, errlen, "%s:%zu:%zu: expected 'items:' followed by a list of items", name,
		         m.line + 1, m.column + 1);
		goto cleanup;
	}
	for (yaml_node_item_t *i = items->data.sequence.items.start; i < items->data.sequence.items.top; i++) {
		yaml_node_t *n = yaml_document_get_node(&doc, *i);
		pm.n = 0;
		cJSON *o = node_to_json(&doc, n, &pm);
		int bad = set_add(s, &pm, o, (int)n->start_mark.line + 1, err, errlen);
		cJSON_Delete(o);
		if (bad)
			goto cleanup;
	}
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_reader)
		safe_yaml_done(&reader);
	free(pm.v);
	golden_set_free(&s);
	return rc;
}

/* ---- JSONL ----------------------------------------------------------- */

/* Bytes at the start of s[0..len) that are valid UTF-8. A YAML set cannot
 * hold anything else, so neither may a JSONL one: either format must read
 * back when written as the other. */
static size_t valid_utf8_bytes(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = (unsigned char)s[i] < 0x80 ? 1 : utf8_decode(s + i, len - i, &cp);
		if (!n)
			break;
		i += n;
	}
	return i;
}

/* True when s[0..n) holds only spaces, tabs and CRs; reads no further
 * (the text need not end in a NUL). */
static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

int golden_load_jsonl(const char *name, const char *text, size_t len, struct golden_set **out,
                      char *err, size_t errlen)
{
	struct golden_set *s = set_new(name);
	struct posmap pm = { .name = name };
	size_t pos = 0;
	int rc = -1;
	*out = NULL;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pm.line++;
		pos += n + (nl ? 1 : 0);
		if (is_blank(line, n))
			continue;
		size_t valid = valid_utf8_bytes(line, n);
		if (valid < n) {
			snprintf(err, errlen, "%s:%d: not valid UTF-8 (byte %zu of the line)", name, pm.line,
			         valid + 1);
			goto cleanup;
		}
		const char *end = NULL;
		cJSON *o = cJSON_ParseWithLengthOpts(line, n, &end, false);
		if (!o) {
			snprintf(err, errlen, "%s:%d: not a JSON object (near byte %td of the line)", name,
			         pm.line, end ? end - line + 1 : 1);
			goto cleanup;
		}
		int bad = set_add(s, &pm, o, pm.line, err, errlen);
		cJSON_Delete(o);
		if (bad)
			goto cleanup;
	}
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	golden_set_free(&s);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int golden_load(const char *path, struct golden_set **out, char *err, size_t errlen)
{
	char why[ERR_LEN];
	char *text = NULL;
	size_t len = 0;
	int rc;
	*out = NULL;
	if (fs_read_file(path, 0, &text, &len, why, sizeof why) != 0) {
		snprintf(err, errlen, "cannot read golden set %s: %s", path, why);
		return -1;
	}
	if (ends_with(path, ".jsonl") || ends_with(path, ".json"))
		rc = golden_load_jsonl(path, text, len, out, err, errlen);
	else
		rc = golden_load_yaml(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

/* ---- writing --------------------------------------------------------- */

static void add_sources(cJSON *o, const char *key, const struct golden_source *src, size_t n)
{
	cJSON *list = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "path", src[i].path);
		if (src[i].line_start > 0) {
			int lines[2] = { src[i].line_start, src[i].line_end };
			cJSON_AddItemToObject(r, "lines", cJSON_CreateIntArray(lines, 2));
		}
		cJSON_AddItemToArray(list, r);
	}
}

static cJSON *item_to_json(const struct golden_item *it)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", it->id);
	cJSON_AddStringToObject(o, "question", it->question);
	cJSON_AddStringToObject(o, "category", golden_category_name(it->category));
	add_sources(o, "relevant", it->relevant, it->n_relevant);
	if (it->n_stale)
		add_sources(o, "stale", it->stale, it->n_stale);
	if (it->reference_answer)
		cJSON_AddStringToObject(o, "reference_answer", it->reference_answer);
	if (it->n_must_contain)
		cJSON_AddItemToObject(o, "must_contain",
		                      cJSON_CreateStringArray((const char *const *)it->must_contain,
		                                              (int)it->n_must_contain));
	if (it->format != GOLDEN_FORMAT_NONE)
		cJSON_AddStringToObject(o, "format", golden_format_name(it->format));
	if (it->schema)
		cJSON_AddItemToObject(o, "schema", cJSON_Duplicate(it->schema, true));
	if (it->pattern)
		cJSON_AddStringToObject(o, "pattern", it->pattern);
	return o;
}

/* JSON text j as a YAML flow value. A JSON printer leaves DEL, U+FFFE
 * and U+FFFF as they are, which a YAML reader refuses raw; only strings
 * can hold them, so they become the \u escapes both languages know.
 * Caller frees. */
static char *yaml_flow_value(const char *j)
{
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)j; *p; p++) {
		if (*p == 0x7f) {
			sb_puts(&sb, "\\u007f");
		} else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
			sb_puts(&sb, p[2] == 0xbe ? "\\ufffe" : "\\uffff");
			p += 2;
		} else {
			sb_putc(&sb, (char)*p);
		}
	}
	return sb_detach(&sb, NULL);
}

/* JSON values are YAML flow values (double-quoted strings use the same
 * escapes), so every member is written as its JSON text. */
void golden_write_yaml(FILE *f, const struct golden_item *items, size_t n)
{
	fputs(n ? "items:\n" : "items: []\n", f);
	for (size_t i = 0; i < n; i++) {
		cJSON *o = item_to_json(&items[i]);
		bool first = true;
		for (cJSON *m = o->child; m; m = m->next) {
			char *v = cJSON_PrintUnformatted(m);
			char *inert = utf8_json_escape_invisible(v);
			char *flow = yaml_flow_value(inert);
			fprintf(f, "%s%s: %s\n", first ? "  - " : "    ", m->string, flow);
			free(flow);
			free(inert);
			cJSON_free(v);
			first = false;
		}
		cJSON_Delete(o);
	}
}

void golden_write_jsonl(FILE *f, const struct golden_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *o = item_to_json(&items[i]);
		char *v = cJSON_PrintUnformatted(o);
		char *inert = utf8_json_escape_invisible(v);
		fprintf(f, "%s\n", inert);
		free(inert);
		cJSON_free(v);
		cJSON_Delete(o);
	}
}
