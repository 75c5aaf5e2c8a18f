/* config: the table-driven loader, from YAML text to struct config, and
 * the lookup order of the config file.
 *
 * The document is read by safe_yaml (libyaml's document within limits on
 * nesting and aliases), then walked by the schema tables of config.c: load_section matches each key to its field and
 * load_field converts and range-checks the value into the target struct.
 * Loading never stops at the first problem; the messages go to the
 * caller's config_diags, sorted by position at the end of the load. */
#include "core/config/config.h"
#include "core/config/config_int.h"
#include "core/util/fs.h"
#include "core/util/paths.h"
#include "core/config/safe_yaml.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A config file is small; this bound keeps a hostile or mistaken input (a
 * multi-gigabyte file) from taking minutes. */
#define MAX_FILE_BYTES ((size_t)4 << 20)

/* ---- loading one field -------------------------------------------------- */

static void *field_ptr(void *base, const struct field *f)
{
	return (char *)base + f->off;
}

/* The text of a scalar that is a valid string for f, or NULL after
 * reporting why not. */
static const char *string_value(struct config_reader *l, const struct field *f, const yaml_node_t *n,
                                const char *path)
{
	const char *expect = f->expect ? f->expect : "a non-empty string";
	if (n->type != YAML_SCALAR_NODE || config_is_null(n) || !config_scalar_text(n)[0]) {
		config_bad_value(l, n, path, expect, NULL, f->env_var);
		return NULL;
	}
	const char *s = config_scalar_text(n);
	if (strlen(s) != n->data.scalar.length) {
		config_report(l, CONFIG_ERROR, n->start_mark, "%s: the value contains a NUL byte", path);
		return NULL;
	}
	if (f->check) {
		struct strbuf why = STRBUF_INIT;
		bool ok = f->check(s, &why);
		if (!ok)
			config_bad_value(l, n, path, expect, sb_str(&why), f->env_var || f->may_hold_secret);
		sb_free(&why);
		if (!ok)
			return NULL;
	}
	return s;
}

static void load_str(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *n,
                     const char *path)
{
	char **dst = field_ptr(base, f);
	if (f->nullable && config_is_null(n)) {
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
static int choice_value(struct config_reader *l, const char *const *choices, const yaml_node_t *n,
                        const char *path)
{
	if (n->type == YAML_SCALAR_NODE && !config_is_null(n)) {
		for (int i = 0; choices[i]; i++)
			if (!strcmp(choices[i], config_scalar_text(n)))
				return i;
	}
	struct strbuf expect = STRBUF_INIT, hint = STRBUF_INIT;
	config_choices_text(&expect, choices);
	if (n->type == YAML_SCALAR_NODE && !config_is_null(n))
		config_suggest_choice(&hint, config_scalar_text(n), choices);
	config_bad_value(l, n, path, sb_str(&expect), sb_str(&hint), false);
	sb_free(&expect);
	sb_free(&hint);
	return -1;
}

static void load_choice(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *n,
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
	if (n->type == YAML_SCALAR_NODE && !config_is_plain(n))
		return " (write it without quotes)";
	return NULL;
}

static void load_bool(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *n,
                      const char *path)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	if (config_is_plain(n)) {
		for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
			if (!strcasecmp(config_scalar_text(n), yes[i]) ||
			    !strcasecmp(config_scalar_text(n), no[i])) {
				*(bool *)field_ptr(base, f) = !strcasecmp(config_scalar_text(n), yes[i]);
				return;
			}
		}
	}
	config_bad_value(l, n, path, "true or false", quoted_hint(n), false);
}

static void load_number(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *n,
                        const char *path)
{
	struct strbuf expect = STRBUF_INIT;
	bool ok = false;
	double v = 0;
	if (f->type == F_DOUBLE)
		sb_printf(&expect, "a number from %g to %g%s", f->min, f->max, f->allow_auto ? ", or auto" : "");
	else
		sb_printf(&expect, "an integer from %.0f to %.0f%s", f->min, f->max, f->allow_auto ? ", or auto" : "");
	if (f->allow_auto && config_is_plain(n) && !strcmp(config_scalar_text(n), "auto")) {
		if (f->type == F_DOUBLE)
			*(double *)field_ptr(base, f) = CONFIG_AUTO;
		else
			*(int *)field_ptr(base, f) = CONFIG_AUTO_INT;
		sb_free(&expect);
		return;
	}
	if (config_is_plain(n) && !config_is_null(n)) {
		const char *s = config_scalar_text(n);
		char *end;
		errno = 0;
		if (f->type == F_DOUBLE)
			v = strtod(s, &end);
		else
			v = (double)strtol(s, &end, 10);
		ok = end != s && !*end && errno == 0 && isfinite(v) && v >= f->min && v <= f->max;
	}
	if (!ok)
		config_bad_value(l, n, path, sb_str(&expect), quoted_hint(n), false);
	else if (f->type == F_DOUBLE)
		*(double *)field_ptr(base, f) = v;
	else if (f->type == F_LONG)
		*(long *)field_ptr(base, f) = (long)v;
	else
		*(int *)field_ptr(base, f) = (int)v;
	sb_free(&expect);
}

static void load_list(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *n,
                      const char *path)
{
	struct strbuf expect = STRBUF_INIT;
	char **items = NULL;
	size_t count, kept = 0;
	bool ok;

	sb_printf(&expect, "a list of at most %.0f ", f->max);
	if (f->choices) {
		sb_puts(&expect, "names, each ");
		config_choices_text(&expect, f->choices);
	} else {
		sb_puts(&expect, "non-empty strings");
	}
	count = config_seq_size(l, n, path, sb_str(&expect), &ok);
	if (!ok || config_is_null(n))
		goto cleanup;
	if ((double)count > f->max) {
		config_report(l, CONFIG_ERROR, n->start_mark, "%s: expected at most %.0f items, got %zu",
		              path, f->max, count);
		goto cleanup;
	}
	items = xcalloc(count ? count : 1, sizeof(*items));
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item = config_node_at(l, n->data.sequence.items.start[i]);
		char *ipath = config_index_path(path, i);
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
		config_strv_free(*dst, *dst_n);
		*dst = items;
		*dst_n = kept;
		items = NULL;
	}
cleanup:
	config_strv_free(items, kept);
	sb_free(&expect);
}

static void load_section(struct config_reader *l, const struct section *s, void *base,
                         const yaml_node_t *map, const char *path);

static void load_field(struct config_reader *l, const struct field *f, void *base, const yaml_node_t *key,
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
		config_report(l, CONFIG_ERROR, key->start_mark, "%s: %s", path, f->secret_hint);
		break;
	}
}

static void unknown_key(struct config_reader *l, const struct section *s, const yaml_node_t *key,
                        const char *name, const char *path)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	struct strbuf hint = STRBUF_INIT;
	for (size_t i = 0; i < s->n; i++)
		if (s->fields[i].type != F_SECRET)
			config_consider(name, s->fields[i].key, &best, &best_d);
	if (best)
		sb_printf(&hint, " (did you mean \"%s\"?)", best);
	config_report(l, CONFIG_WARNING, key->start_mark, "unknown key \"%s\" %s%s%s; it is ignored",
	              name, config_where_prefix(path), path, sb_str(&hint));
	sb_free(&hint);
}

static void load_section(struct config_reader *l, const struct section *s, void *base,
                         const yaml_node_t *map, const char *path)
{
	size_t n = config_map_size(l, map, path, "a mapping of keys");
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *key, *val;
		const char *name = config_pair_key(l, map, i, path, &key, &val);
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
		char *fpath = config_join_path(path, name);
		load_field(l, f, base, key, val, fpath);
		free(fpath);
	}
	if (s->check && map->type == YAML_MAPPING_NODE)
		s->check(l, base, map, path);
}

/* ---- custom fields ------------------------------------------------------ */

void config_evaluation_load(struct config_reader *l, void *base, const yaml_node_t *key,
                            const yaml_node_t *val, const char *path)
{
	bool under_routing = strchr(path, '.') != NULL;
	if (l->eval_key) {
		config_report(l, CONFIG_ERROR, key->start_mark,
		              "evaluation is set twice, %s at line %d and %s at line %d; keep one of them",
		              l->eval_under_routing ? "under routing" : "at the top level",
		              (int)l->eval_key->start_mark.line + 1,
		              under_routing ? "under routing" : "at the top level",
		              (int)key->start_mark.line + 1);
		return;
	}
	l->eval_key = key;
	l->eval_under_routing = under_routing;
	load_section(l, &config_eval_section, base, val, path);
}

static void load_provider(struct config_reader *l, struct config *c, const char *name,
                          const yaml_node_t *key, const yaml_node_t *val, const char *path)
{
	size_t at = config_provider_index(c, name);
	struct config_provider *p = at < c->n_providers ? &c->providers[at] : NULL;
	bool is_new = p == NULL;
	if (is_new && (config_is_null(val) || val->type == YAML_MAPPING_NODE) &&
	    !config_map_find(l, val, "kind")) {
		config_report(l, CONFIG_ERROR, key->start_mark,
		              "%s: a new provider needs kind: openai, anthropic or local", path);
		return;
	}
	if (is_new) {
		c->providers = xreallocarray(c->providers, c->n_providers + 1, sizeof(*c->providers));
		p = &c->providers[c->n_providers++];
		memset(p, 0, sizeof(*p));
		p->name = xstrdup(name);
	}
	load_section(l, &config_provider_section, p, val, path);
	/* A new provider without base_url talks to its kind's official server
	 * with that server's key variable. With its own base_url it gets no
	 * key unless it names one: an OpenAI key must not go to a local or
	 * third-party server by default. */
	if (is_new && !config_map_find(l, val, "base_url")) {
		const struct config_provider *like = config_builtin_provider_of_kind(p->kind);
		p->base_url = config_xstrdup_or_null(config_official_base_url(p->kind));
		if (!config_map_find(l, val, "api_key_env"))
			p->api_key_env = config_xstrdup_or_null(like->api_key_env);
	}
	const yaml_node_t *url = config_map_find(l, val, "base_url");
	if (p->kind != PROVIDER_LOCAL && !p->base_url && (!url || config_is_null(url)))
		config_report(l, CONFIG_ERROR, key->start_mark, "%s: kind %s needs a base_url", path,
		              config_provider_kinds[p->kind]);
}

void config_providers_load(struct config_reader *l, void *base, const yaml_node_t *key,
                           const yaml_node_t *val, const char *path)
{
	size_t n = config_map_size(l, val, path, "a mapping of provider names");
	(void)key;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *k, *v;
		const char *name = config_pair_key(l, val, i, path, &k, &v);
		if (!name)
			continue;
		char *ppath = config_join_path(path, name);
		if (!config_check_name(name, NULL))
			config_report(l, CONFIG_ERROR, k->start_mark,
			              "%s: a provider name uses only letters, digits, '_' and '-'", ppath);
		else
			load_provider(l, base, name, k, v, ppath);
		free(ppath);
	}
}

void config_models_load(struct config_reader *l, void *base, const yaml_node_t *key,
                        const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	bool ok;
	size_t n = config_seq_size(l, val, path, "a list of {match, provider} entries", &ok), kept = 0;
	(void)key;
	if (!ok || config_is_null(val))
		return;
	struct config_model_route *routes = xcalloc(n + config_n_builtin_routes, sizeof(*routes));
	free(l->route_marks);
	l->route_marks = xcalloc(n ? n : 1, sizeof(*l->route_marks));
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = config_node_at(l, val->data.sequence.items.start[i]);
		char *ipath = config_index_path(path, i);
		struct config_model_route r = { NULL, NULL };
		if (item->type != YAML_MAPPING_NODE) {
			config_bad_value(l, item, ipath, "a mapping with match and provider", NULL, false);
		} else {
			load_section(l, &config_route_section, &r, item, ipath);
			if (!config_map_find(l, item, "match") || !config_map_find(l, item, "provider"))
				config_report(l, CONFIG_ERROR, item->start_mark,
				              "%s: needs both match and provider", ipath);
			if (r.match && r.provider) {
				l->route_marks[kept] = config_map_find(l, item, "provider")->start_mark;
				routes[kept++] = r;
				r = (struct config_model_route){ NULL, NULL };
			}
		}
		config_route_free(&r);
		free(ipath);
	}
	l->n_user_routes = kept;
	size_t total = kept;
	for (size_t i = 0; i < config_n_builtin_routes; i++) {
		bool shadowed = false;
		for (size_t j = 0; j < kept && !shadowed; j++)
			shadowed = !strcmp(routes[j].match, config_builtin_routes[i].match);
		if (!shadowed) {
			routes[total].match = xstrdup(config_builtin_routes[i].match);
			routes[total++].provider = xstrdup(config_builtin_routes[i].provider);
		}
	}
	for (size_t i = 0; i < c->n_models; i++)
		config_route_free(&c->models[i]);
	free(c->models);
	c->models = routes;
	c->n_models = total;
}

void config_pricing_load(struct config_reader *l, void *base, const yaml_node_t *key,
                         const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	size_t n = config_map_size(l, val, path, "a mapping of model names");
	(void)key;
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *k, *v;
		const char *model = config_pair_key(l, val, i, path, &k, &v);
		if (!model)
			continue;
		char *ppath = config_join_path(path, model);
		if (v->type != YAML_MAPPING_NODE) {
			config_bad_value(l, v, ppath, "a mapping with input_per_mtok and output_per_mtok",
			                 NULL, false);
		} else {
			size_t at = 0;
			while (at < c->n_pricing && strcmp(c->pricing[at].model, model))
				at++;
			if (at == c->n_pricing) {
				c->pricing = xreallocarray(c->pricing, c->n_pricing + 1, sizeof(*c->pricing));
				c->pricing[c->n_pricing++] = (struct config_price){ xstrdup(model), 0.0, 0.0 };
			}
			load_section(l, &config_price_section, &c->pricing[at], v, ppath);
		}
		free(ppath);
	}
}

void config_rules_load(struct config_reader *l, void *base, const yaml_node_t *key,
                       const yaml_node_t *val, const char *path)
{
	struct config *c = base;
	bool ok;
	size_t n = config_seq_size(l, val, path, "a list of {pattern, path} entries", &ok), kept = 0;
	(void)key;
	if (!ok || config_is_null(val))
		return;
	struct config_rule *rules = xcalloc(n ? n : 1, sizeof(*rules));
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = config_node_at(l, val->data.sequence.items.start[i]);
		char *ipath = config_index_path(path, i);
		struct config_rule r = { NULL, NULL };
		if (item->type != YAML_MAPPING_NODE) {
			config_bad_value(l, item, ipath, "a mapping with pattern and path", NULL, false);
		} else {
			load_section(l, &config_rule_section, &r, item, ipath);
			if (!config_map_find(l, item, "pattern") || !config_map_find(l, item, "path"))
				config_report(l, CONFIG_ERROR, item->start_mark,
				              "%s: needs both pattern and path", ipath);
		}
		if (r.pattern && r.path) {
			rules[kept++] = r;
		} else {
			free(r.pattern);
			free(r.path);
		}
		free(ipath);
	}
	config_rules_free(c->router.rules, c->router.n_rules);
	c->router.rules = rules;
	c->router.n_rules = kept;
}

/* ---- cross-key checks --------------------------------------------------- */

void config_check_retrieval_path(struct config_reader *l, void *base, const yaml_node_t *map,
                                 const char *path)
{
	const struct config *c = base;
	const yaml_node_t *db = config_map_find(l, map, "vector_db");
	if (!db || strcmp(c->routing.retrieval.vector_db, "qdrant"))
		return;
	config_report(l, CONFIG_NOTE, db->start_mark,
	              "%s.vector_db is \"qdrant\": this build has no Qdrant backend, so "
	              "collection \"%s\" is kept in the embedded SQLite store",
	              path, c->routing.retrieval.collection);
}

void config_check_adaptation_path(struct config_reader *l, void *base, const yaml_node_t *map,
                                  const char *path)
{
	const struct config *c = base;
	if (c->routing.adaptation.enabled && !c->routing.adaptation.model_path)
		config_report(l, CONFIG_WARNING, map->start_mark,
		              "%s.enabled is true but model_path is not set, so the adaptation path "
		              "has no model",
		              path);
}

void config_check_ingest(struct config_reader *l, void *base, const yaml_node_t *map, const char *path)
{
	const struct config *c = base;
	int chunk = c->ingest.chunk_tokens, overlap = c->ingest.overlap_tokens;
	if (c->ingest.min_chunk_tokens > chunk / 2) {
		const yaml_node_t *at = config_map_find(l, map, "min_chunk_tokens");
		config_report(l, CONFIG_ERROR, at ? at->start_mark : map->start_mark,
		              "%s.min_chunk_tokens is %d, more than half of chunk_tokens (%d); use at most %d",
		              path, c->ingest.min_chunk_tokens, chunk, chunk / 2);
	}
	if (overlap <= chunk / 2)
		return;
	const yaml_node_t *at = config_map_find(l, map, "overlap_tokens");
	if (!at)
		at = config_map_find(l, map, "chunk_tokens");
	config_report(l, CONFIG_ERROR, at ? at->start_mark : map->start_mark,
	              "%s.overlap_tokens is %d, more than half of chunk_tokens (%d); use at most %d",
	              path, overlap, chunk, chunk / 2);
}

/* ---- loading a document ------------------------------------------------- */

/* Append the names of c's providers, comma-separated. */
static void known_providers(const struct config *c, struct strbuf *sb)
{
	for (size_t j = 0; j < c->n_providers; j++)
		sb_printf(sb, "%s%s", j ? ", " : "", c->providers[j].name);
}

static void check_routes(struct config_reader *l)
{
	const struct config *c = l->cfg;
	for (size_t i = 0; i < l->n_user_routes; i++) {
		if (config_provider_find(c, c->models[i].provider))
			continue;
		struct strbuf known = STRBUF_INIT;
		known_providers(c, &known);
		config_report(l, CONFIG_ERROR, l->route_marks[i],
		              "models[%zu].provider: no provider named \"%s\"; known providers: %s", i,
		              c->models[i].provider, sb_str(&known));
		sb_free(&known);
	}
}

/* retrieval.reranker.provider, set in the file, must name a provider with
 * a server: checked once the whole file is read, since providers may come
 * after retrieval. */
static void check_reranker(struct config_reader *l, const yaml_node_t *root)
{
	const struct config *c = l->cfg;
	const char *name = c->retrieval.reranker.provider;
	const yaml_node_t *retrieval = config_map_find(l, root, "retrieval");
	const yaml_node_t *reranker = retrieval ? config_map_find(l, retrieval, "reranker") : NULL;
	const yaml_node_t *at = reranker ? config_map_find(l, reranker, "provider") : NULL;
	if (!name || !at)
		return;
	const struct config_provider *p = config_provider_find(c, name);
	if (!p) {
		struct strbuf known = STRBUF_INIT;
		known_providers(c, &known);
		config_report(l, CONFIG_ERROR, at->start_mark,
		              "retrieval.reranker.provider: no provider named \"%s\"; known providers: %s",
		              name, sb_str(&known));
		sb_free(&known);
	} else if (p->kind == PROVIDER_LOCAL) {
		config_report(l, CONFIG_ERROR, at->start_mark,
		              "retrieval.reranker.provider: \"%s\" is of kind local, which has no server; "
		              "name a provider whose base_url is a reranking server",
		              name);
	}
}

/* retrieval.summarize_over_budget, set in the file, must name a model a
 * route sends to a provider with a server: the summarize call goes there.
 * Checked once the whole file is read, since models may come after
 * retrieval. */
static void check_summarizer(struct config_reader *l, const yaml_node_t *root)
{
	const struct config *c = l->cfg;
	const char *model = c->retrieval.summarize_over_budget;
	const yaml_node_t *retrieval = config_map_find(l, root, "retrieval");
	const yaml_node_t *at = retrieval ? config_map_find(l, retrieval, "summarize_over_budget") : NULL;
	if (!model || !at)
		return;
	const struct config_provider *p = config_provider_for_model(c, model);
	if (!p)
		config_report(l, CONFIG_ERROR, at->start_mark,
		              "retrieval.summarize_over_budget: unknown model \"%s\": no entry of models: routes it "
		              "to a provider; add one (- match: \"%s\" with provider: NAME), or set the key to ~ to "
		              "summarize nothing",
		              model, model);
	else if (p->kind == PROVIDER_LOCAL)
		config_report(l, CONFIG_ERROR, at->start_mark,
		              "retrieval.summarize_over_budget: model \"%s\" goes to provider %s of kind local, which "
		              "quotes passages and cannot condense them; name a model of an openai or anthropic provider",
		              model, p->name);
}

/* The embedder's model must reach a provider of kind openai when it is
 * HTTP; a model named for the offline embedder is noted, since the hash
 * embedder does not use it. Checked once the whole file is read. */
static void check_embedder(struct config_reader *l, const yaml_node_t *root)
{
	const struct config *c = l->cfg;
	const yaml_node_t *emb = config_map_find(l, root, "embedder");
	const yaml_node_t *at = emb ? config_map_find(l, emb, "kind") : NULL;
	const char *model = config_embed_model(c);
	if (strcmp(c->embedder.kind, "http") != 0) {
		const yaml_node_t *routing = config_map_find(l, root, "routing");
		const yaml_node_t *paths = routing ? config_map_find(l, routing, "paths") : NULL;
		const yaml_node_t *retr = paths ? config_map_find(l, paths, "retrieval") : NULL;
		const yaml_node_t *named = retr ? config_map_find(l, retr, "embedding_model") : NULL;
		if (named && strcmp(model, "hash") != 0 && !c->embedder.model)
			config_report(l, CONFIG_NOTE, named->start_mark,
			              "routing.paths.retrieval.embedding_model is \"%s\", but the embedder is the offline "
			              "hash one: set embedder.kind: http to embed with %s (docs/config.md)", model, model);
		return;
	}
	yaml_mark_t mark = at ? at->start_mark : emb ? emb->start_mark : root->start_mark;
	if (strcmp(model, "hash") == 0) {
		config_report(l, CONFIG_ERROR, mark,
		              "embedder.kind is http but no model is named: set embedder.model (for example "
		              "nomic-embed-text or text-embedding-3-small)");
		return;
	}
	const struct config_provider *p = config_embed_provider(c);
	struct strbuf known = STRBUF_INIT;
	known_providers(c, &known);
	if (!p && c->embedder.provider)
		config_report(l, CONFIG_ERROR, mark, "embedder.provider: no provider named \"%s\"; known providers: %s",
		              c->embedder.provider, sb_str(&known));
	else if (!p)
		config_report(l, CONFIG_ERROR, mark,
		              "embedder: no entry of models: routes \"%s\" to a provider; add one (- match: \"%s\" "
		              "with provider: NAME) or set embedder.provider", model, model);
	else if (p->kind != PROVIDER_OPENAI)
		config_report(l, CONFIG_ERROR, mark,
		              "embedder: model \"%s\" goes to provider %s of kind %s, which has no /embeddings "
		              "endpoint; route it to a provider of kind openai (OpenAI, Ollama, llama.cpp, vLLM, TEI)",
		              model, p->name, config_provider_kinds[p->kind]);
	sb_free(&known);
}

/* repetition_penalty reaches only servers that copy OpenAI's API: say so
 * when the adaptation model goes to OpenAI's own API or to Anthropic. */
static void check_repetition_penalty(struct config_reader *l, const yaml_node_t *root)
{
	const struct config *c = l->cfg;
	const char *model = c->routing.adaptation.model_path;
	const struct config_provider *p = model ? config_provider_for_model(c, model) : NULL;
	if (!p || c->routing.adaptation.repetition_penalty == 1.0 ||
	    (p->kind == PROVIDER_OPENAI && !config_provider_is_openai_api(p)) || p->kind == PROVIDER_LOCAL)
		return;
	const yaml_node_t *n = config_map_find(l, root, "routing");
	n = n ? config_map_find(l, n, "paths") : NULL;
	n = n ? config_map_find(l, n, "adaptation") : NULL;
	n = n ? config_map_find(l, n, "repetition_penalty") : NULL;
	if (n)
		config_report(l, CONFIG_NOTE, n->start_mark,
		              "routing.paths.adaptation.repetition_penalty is not sent to %s (%s has no such "
		              "parameter); it applies when model_path is served by vLLM or llama.cpp",
		              p->name, p->kind == PROVIDER_ANTHROPIC ? "Anthropic's API" : "OpenAI's API");
}

/* Warn when routing.<key>, set in the file, names a model no route serves. */
static void check_model_served(struct config_reader *l, const yaml_node_t *root, const char *key)
{
	const yaml_node_t *routing = config_map_find(l, root, "routing");
	const yaml_node_t *n = routing ? config_map_find(l, routing, key) : NULL;
	const char *model =
		n && n->type == YAML_SCALAR_NODE && !config_is_null(n) ? config_scalar_text(n) : NULL;
	if (!model || !model[0] || config_provider_for_model(l->cfg, model))
		return;
	config_report(l, CONFIG_WARNING, n->start_mark,
	              "routing.%s: no entry of models: routes \"%s\" to a provider; add one "
	              "(- match: \"%s\" with provider: NAME)",
	              key, model, model);
}

static void load_root(struct config_reader *l, const yaml_node_t *root)
{
	if (!root || config_is_null(root))
		return;
	if (root->type != YAML_MAPPING_NODE) {
		struct strbuf got = STRBUF_INIT;
		config_describe(&got, root);
		config_report(l, CONFIG_ERROR, root->start_mark,
		              "the top level must be a mapping of keys (routing:, providers:, ...), got %s",
		              sb_str(&got));
		sb_free(&got);
		return;
	}
	load_section(l, &config_top_section, l->cfg, root, "");
	check_routes(l);
	check_reranker(l, root);
	check_summarizer(l, root);
	check_embedder(l, root);
	check_repetition_penalty(l, root);
	check_model_served(l, root, "default_model");
	check_model_served(l, root, "fallback_model");
}

static void reader_error(struct config_reader *l, const struct safe_yaml_error *e)
{
	config_report(l, CONFIG_ERROR, e->mark, "%s", e->msg);
}

/* Only the first document of a stream is configuration; say so when there
 * are more, and report a syntax error (or a broken limit) after the first
 * one. */
static void check_trailing_documents(struct config_reader *l, struct safe_yaml *reader)
{
	struct safe_yaml_error e;
	yaml_document_t next;
	if (safe_yaml_next(reader, &next, &e) != 0) {
		reader_error(l, &e);
		return;
	}
	const yaml_node_t *root = yaml_document_get_root_node(&next);
	if (root)
		config_report(l, CONFIG_WARNING, root->start_mark,
		              "only the first YAML document is configuration; this one is ignored");
	yaml_document_delete(&next);
}

int config_load_string(const char *name, const char *yaml, size_t len, struct config **out,
                       struct config_diags *diags)
{
	struct config_reader l = { .diags = diags };
	struct safe_yaml reader;
	struct safe_yaml_error e;
	bool have_reader = false, have_doc = false;
	size_t first_diag = diags->n;
	int rc = -1;

	config_diags_set_source(diags, name);
	l.cfg = config_defaults();
	l.cfg->source_path = xstrdup(name);
	if (safe_yaml_open(&reader, yaml, len, &e) != 0) {
		config_diags_add(diags, CONFIG_ERROR, 0, 0, "%s", e.msg);
		goto cleanup;
	}
	have_reader = true;
	if (safe_yaml_next(&reader, &l.doc, &e) != 0) {
		reader_error(&l, &e);
		goto cleanup;
	}
	have_doc = true;
	load_root(&l, yaml_document_get_root_node(&l.doc));
	check_trailing_documents(&l, &reader);
	if (l.errors)
		goto cleanup;
	*out = l.cfg;
	l.cfg = NULL;
	rc = 0;
cleanup:
	if (have_doc)
		yaml_document_delete(&l.doc);
	if (have_reader)
		safe_yaml_done(&reader);
	free(l.route_marks);
	config_free(&l.cfg);
	config_diags_sort_from(diags, first_diag);
	return rc;
}

/* Read all of path into *buf (NUL-terminated); why says what failed. */
static int read_file(const char *path, char **buf, size_t *len, struct strbuf *why)
{
	char err[ERR_LEN];
	enum rd_err rc = fs_read_file(path, MAX_FILE_BYTES, buf, len, err, sizeof err);
	if (rc == RD_OK)
		return 0;
	sb_puts(why, err);
	if (rc == RD_ERR_TOO_BIG)
		sb_puts(why, "; this is not a config file");
	return -1;
}

int config_load_file(const char *path, struct config **out, struct config_diags *diags)
{
	struct strbuf why = STRBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (read_file(path, &buf, &len, &why) < 0) {
		config_diags_set_source(diags, path);
		config_diags_add(diags, CONFIG_ERROR, 0, 0, "cannot read the config file: %s",
		                 sb_str(&why));
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
