/* config: the schema of the configuration, and the life of a struct config.
 *
 * The tables below are the one description of the format: every mapping is
 * a `struct section`, a table of `struct field`s that say where in the
 * target struct a key lands, its type and its range. config_load.c walks
 * them to validate and load, config_print.c to print, and the "did you
 * mean" suggestions come from them, so a key cannot be loadable but missing
 * from the printout. Parts that are not a fixed set of keys (providers,
 * models, pricing, router rules, evaluation in two places) are custom fields
 * whose loaders and printers live with the loader and the printer. Also
 * here: the built-in providers, routes and prices, the defaults, the
 * lookups and config_free. */
#include "core/config/config.h"
#include "core/config/config_int.h"
#include "core/util/safe_regex.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CFG(member) offsetof(struct config, member)

/* ---- built-in data ------------------------------------------------------ */

const char *const config_provider_kinds[] = { "openai", "anthropic", "local", NULL };
static const char *const vector_dbs[] = { "sqlite", "qdrant", NULL };
static const char *const store_backends[] = { "sqlite", "postgres", NULL };
static const char *const embedder_kinds[] = { "hash", "http", NULL };
static const char *const too_long_rules[] = { "truncate", "fail", NULL };
static const char *const fusion_methods[] = { "rrf", "convex", NULL };
static const char *const grapheme_widths[] = { "per_codepoint", "cluster", NULL };
static const char *const route_paths[] = { "retrieval", "adaptation", "hybrid", "direct", NULL };
static const char *const metric_names[] = {
	"latency_p95", "token_cost", "hallucination_score", "format_compliance",
	"recall_at_k", "mrr", "ndcg", NULL,
};
static const char *const default_metrics[] = {
	"latency_p95", "token_cost", "hallucination_score", "format_compliance", "recall_at_k", "mrr", "ndcg",
};

static const struct config_provider builtin_providers[] = {
	{ "openai", PROVIDER_OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY" },
	{ "anthropic", PROVIDER_ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY" },
	{ "local", PROVIDER_LOCAL, NULL, NULL },
};

const struct config_model_route config_builtin_routes[] = {
	{ "gpt-*", "openai" },
	{ "o[0-9]*", "openai" },
	{ "text-embedding-*", "openai" },
	{ "claude-*", "anthropic" },
	{ "local", "local" },
	{ "local-*", "local" },
};
const size_t config_n_builtin_routes = ARRAY_LEN(config_builtin_routes);

static const struct config_price builtin_prices[] = {
	{ "gpt-4o", 2.50, 10.00 },
	{ "gpt-4o-mini", 0.15, 0.60 },
	{ "claude-sonnet-4-6", 3.00, 15.00 },
	{ "text-embedding-3-small", 0.02, 0.0 },
	{ "local", 0.0, 0.0 },
};

/* ---- small helpers ------------------------------------------------------ */

void config_strv_free(char **v, size_t n)
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

char *config_xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void config_route_free(struct config_model_route *r)
{
	free(r->match);
	free(r->provider);
}

void config_rules_free(struct config_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rules[i].pattern);
		free(rules[i].path);
	}
	free(rules);
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

bool config_check_name(const char *s, struct strbuf *why)
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
	char msg[256];
	if (safe_regex_compile(&re, s, REG_NOSUB, msg, sizeof msg) == 0) {
		regfree(&re);
		return true;
	}
	sb_printf(why, " (%s)", msg);
	return false;
}

/* ---- sections ----------------------------------------------------------- */

static const struct field provider_fields[] = {
	{ .key = "kind", .type = F_KIND, .off = offsetof(struct config_provider, kind),
	  .choices = config_provider_kinds },
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
const struct section config_provider_section = {
	provider_fields, ARRAY_LEN(provider_fields), NULL
};

static const struct field route_fields[] = {
	{ .key = "match", .type = F_STR, .off = offsetof(struct config_model_route, match),
	  .expect = "a glob over model names (for example \"llama3*\")" },
	{ .key = "provider", .type = F_STR, .off = offsetof(struct config_model_route, provider),
	  .check = config_check_name, .expect = "a provider name" },
};
const struct section config_route_section = { route_fields, ARRAY_LEN(route_fields), NULL };

static const struct field price_fields[] = {
	{ .key = "input_per_mtok", .type = F_DOUBLE,
	  .off = offsetof(struct config_price, input_per_mtok), .min = 0, .max = 100000 },
	{ .key = "output_per_mtok", .type = F_DOUBLE,
	  .off = offsetof(struct config_price, output_per_mtok), .min = 0, .max = 100000 },
};
const struct section config_price_section = { price_fields, ARRAY_LEN(price_fields), NULL };

static const struct field rule_fields[] = {
	{ .key = "pattern", .type = F_STR, .off = offsetof(struct config_rule, pattern),
	  .check = check_regex, .expect = "a POSIX extended regular expression or plain text" },
	{ .key = "path", .type = F_CHOICE, .off = offsetof(struct config_rule, path),
	  .choices = route_paths },
};
const struct section config_rule_section = { rule_fields, ARRAY_LEN(rule_fields), NULL };

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
const struct section config_eval_section = { eval_fields, ARRAY_LEN(eval_fields), NULL };

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
	retrieval_path_fields, ARRAY_LEN(retrieval_path_fields), config_check_retrieval_path
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
	adaptation_path_fields, ARRAY_LEN(adaptation_path_fields), config_check_adaptation_path
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
	{ .key = "evaluation", .type = F_CUSTOM, .load = config_evaluation_load,
	  .print = config_evaluation_print },
};
static const struct section routing_section = { routing_fields, ARRAY_LEN(routing_fields), NULL };

/* A PostgreSQL connection URL or keyword string that holds no password:
 * the password comes from ~/.pgpass or PGPASSWORD, never from this file. */
static bool check_pg_url(const char *s, struct strbuf *why)
{
	bool is_url = strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0;
	if (!is_url && !strchr(s, '=')) {
		sb_puts(why, " (not a postgresql:// URL or key=value connection string)");
		return false;
	}
	for (const char *p = s; *p; p++)
		if (strncasecmp(p, "password=", 9) == 0) {
			sb_puts(why, " (it holds a password: put it in ~/.pgpass or PGPASSWORD instead)");
			return false;
		}
	if (is_url) {
		const char *host = strstr(s, "://") + 3;
		const char *at = strchr(host, '@');
		const char *end = host + strcspn(host, "/?");
		if (at && at < end && memchr(host, ':', (size_t)(at - host))) {
			sb_puts(why, " (it holds a password: put it in ~/.pgpass or PGPASSWORD instead)");
			return false;
		}
	}
	return true;
}

static const struct field store_fields[] = {
	{ .key = "path", .type = F_STR, .off = CFG(store_path), .nullable = true,
	  .check = check_path, .expect = "a file path (~ is not expanded; write the full path)" },
	{ .key = "backend", .type = F_CHOICE, .off = CFG(store_server.backend), .choices = store_backends },
	{ .key = "url", .type = F_STR, .off = CFG(store_server.url), .nullable = true,
	  .check = check_pg_url, .expect = "a postgresql:// URL without a password", .may_hold_secret = true },
	{ .key = "hnsw_min_rows", .type = F_LONG, .off = CFG(store_server.hnsw_min_rows), .min = 0,
	  .max = 1e12 },
};
static const struct section store_section = { store_fields, ARRAY_LEN(store_fields), NULL };

static const struct field terminal_fields[] = {
	{ .key = "grapheme_width", .type = F_CHOICE, .off = CFG(terminal.grapheme_width),
	  .choices = grapheme_widths },
};
static const struct section terminal_section = { terminal_fields, ARRAY_LEN(terminal_fields), NULL };

static const struct field embedder_fields[] = {
	{ .key = "kind", .type = F_CHOICE, .off = CFG(embedder.kind), .choices = embedder_kinds },
	{ .key = "dim", .type = F_INT, .off = CFG(embedder.dim), .min = 32, .max = 4096, .allow_auto = true },
	{ .key = "model", .type = F_STR, .off = CFG(embedder.model), .nullable = true },
	{ .key = "provider", .type = F_STR, .off = CFG(embedder.provider), .nullable = true,
	  .check = config_check_name, .expect = "a provider name" },
	{ .key = "batch_inputs", .type = F_INT, .off = CFG(embedder.batch_inputs), .min = 1, .max = 4096,
	  .allow_auto = true },
	{ .key = "batch_tokens", .type = F_INT, .off = CFG(embedder.batch_tokens), .min = 64, .max = 1000000,
	  .allow_auto = true },
	{ .key = "concurrency", .type = F_INT, .off = CFG(embedder.concurrency), .min = 1, .max = 64 },
	{ .key = "timeout_ms", .type = F_INT, .off = CFG(embedder.timeout_ms), .min = 100, .max = 600000 },
	{ .key = "query_timeout_ms", .type = F_INT, .off = CFG(embedder.query_timeout_ms), .min = 100,
	  .max = 600000 },
	{ .key = "too_long", .type = F_CHOICE, .off = CFG(embedder.too_long), .choices = too_long_rules },
};
static const struct section embedder_section = { embedder_fields, ARRAY_LEN(embedder_fields), NULL };

/* Field names of ticket and chat exports (core/ingest/records.h); null
 * keeps the defaults. */
static const struct field records_fields[] = {
	{ .key = "id", .type = F_STR, .off = CFG(ingest.records.id), .nullable = true },
	{ .key = "title", .type = F_STR, .off = CFG(ingest.records.title), .nullable = true },
	{ .key = "body", .type = F_STR, .off = CFG(ingest.records.body), .nullable = true },
	{ .key = "date", .type = F_STR, .off = CFG(ingest.records.date), .nullable = true },
};
static const struct section records_section = { records_fields, ARRAY_LEN(records_fields), NULL };

static const struct field ingest_fields[] = {
	{ .key = "chunk_tokens", .type = F_INT, .off = CFG(ingest.chunk_tokens), .min = 64, .max = 4096 },
	{ .key = "overlap_tokens", .type = F_INT, .off = CFG(ingest.overlap_tokens), .min = 0, .max = 2048 },
	{ .key = "min_chunk_tokens", .type = F_INT, .off = CFG(ingest.min_chunk_tokens), .min = 0, .max = 2048 },
	{ .key = "max_file_mb", .type = F_INT, .off = CFG(ingest.max_file_mb), .min = 1, .max = 1024 },
	{ .key = "threads", .type = F_INT, .off = CFG(ingest.threads), .min = 0, .max = 64 },
	{ .key = "records", .type = F_MAP, .sub = &records_section },
	{ .key = "watch_debounce_ms", .type = F_INT, .off = CFG(ingest.watch_debounce_ms), .min = 10,
	  .max = 60000 },
};
static const struct section ingest_section = {
	ingest_fields, ARRAY_LEN(ingest_fields), config_check_ingest
};

static const struct field reranker_fields[] = {
	{ .key = "provider", .type = F_STR, .off = CFG(retrieval.reranker.provider), .nullable = true,
	  .check = config_check_name, .expect = "a provider name" },
	{ .key = "model", .type = F_STR, .off = CFG(retrieval.reranker.model), .nullable = true },
	{ .key = "top_n", .type = F_INT, .off = CFG(retrieval.reranker.top_n), .min = 1, .max = 100 },
	{ .key = "timeout_ms", .type = F_INT, .off = CFG(retrieval.reranker.timeout_ms),
	  .min = 1, .max = 60000 },
};
static const struct section reranker_section = { reranker_fields, ARRAY_LEN(reranker_fields), NULL };

static const struct field retrieval_fields[] = {
	{ .key = "fusion", .type = F_CHOICE, .off = CFG(retrieval.fusion), .choices = fusion_methods },
	{ .key = "rrf_k", .type = F_INT, .off = CFG(retrieval.rrf_k), .min = 1, .max = 1000 },
	{ .key = "vector_weight", .type = F_DOUBLE, .off = CFG(retrieval.vector_weight), .min = 0, .max = 10,
	  .allow_auto = true },
	{ .key = "fts_weight", .type = F_DOUBLE, .off = CFG(retrieval.fts_weight), .min = 0, .max = 10 },
	{ .key = "heading_weight", .type = F_DOUBLE, .off = CFG(retrieval.heading_weight), .min = 0, .max = 10 },
	{ .key = "proximity_weight", .type = F_DOUBLE, .off = CFG(retrieval.proximity_weight), .min = 0, .max = 10 },
	{ .key = "archived_weight", .type = F_DOUBLE, .off = CFG(retrieval.archived_weight), .min = 0, .max = 1 },
	{ .key = "quantize_int8", .type = F_BOOL, .off = CFG(retrieval.quantize_int8) },
	{ .key = "oversample", .type = F_INT, .off = CFG(retrieval.oversample), .min = 1, .max = 100 },
	{ .key = "threads", .type = F_INT, .off = CFG(retrieval.threads), .min = 0, .max = 256 },
	{ .key = "min_score", .type = F_DOUBLE, .off = CFG(retrieval.min_score), .min = 0, .max = 1 },
	{ .key = "summarize_over_budget", .type = F_STR, .off = CFG(retrieval.summarize_over_budget),
	  .nullable = true },
	{ .key = "reranker", .type = F_MAP, .sub = &reranker_section },
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
	{ .key = "rules", .type = F_CUSTOM, .load = config_rules_load, .print = config_rules_print },
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
	{ .key = "evaluation", .type = F_CUSTOM, .load = config_evaluation_load, .hidden = true },
	{ .key = "providers", .type = F_CUSTOM, .load = config_providers_load,
	  .print = config_providers_print },
	{ .key = "models", .type = F_CUSTOM, .load = config_models_load, .print = config_models_print },
	{ .key = "pricing", .type = F_CUSTOM, .load = config_pricing_load,
	  .print = config_pricing_print },
	{ .key = "store", .type = F_MAP, .sub = &store_section },
	{ .key = "theme", .type = F_STR, .off = CFG(theme), .check = config_check_name,
	  .expect = "a theme name of letters, digits, '_' and '-'" },
	{ .key = "terminal", .type = F_MAP, .sub = &terminal_section },
	{ .key = "embedder", .type = F_MAP, .sub = &embedder_section },
	{ .key = "ingest", .type = F_MAP, .sub = &ingest_section },
	{ .key = "retrieval", .type = F_MAP, .sub = &retrieval_section },
	{ .key = "http", .type = F_MAP, .sub = &http_section },
	{ .key = "router", .type = F_MAP, .sub = &router_section },
};
const struct section config_top_section = { top_fields, ARRAY_LEN(top_fields), NULL };

/* ---- defaults ----------------------------------------------------------- */

struct config *config_defaults(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->routing.default_model = xstrdup("local");
	c->routing.fallback_model = xstrdup("local");
	c->routing.retrieval.enabled = true;
	c->routing.retrieval.vector_db = xstrdup("sqlite");
	c->store_server.backend = xstrdup("sqlite");
	c->store_server.hnsw_min_rows = 0;
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
			config_xstrdup_or_null(config_official_base_url(b->kind)),
			config_xstrdup_or_null(b->api_key_env) };
	}
	c->n_models = ARRAY_LEN(config_builtin_routes);
	c->models = xcalloc(c->n_models, sizeof(*c->models));
	for (size_t i = 0; i < c->n_models; i++)
		c->models[i] = (struct config_model_route){ xstrdup(config_builtin_routes[i].match),
			xstrdup(config_builtin_routes[i].provider) };
	c->n_pricing = ARRAY_LEN(builtin_prices);
	c->pricing = xcalloc(c->n_pricing, sizeof(*c->pricing));
	for (size_t i = 0; i < c->n_pricing; i++)
		c->pricing[i] = (struct config_price){ xstrdup(builtin_prices[i].model),
			builtin_prices[i].input_per_mtok, builtin_prices[i].output_per_mtok };

	c->theme = xstrdup("dark");
	c->terminal.grapheme_width = xstrdup("per_codepoint");
	c->embedder.kind = xstrdup("hash");
	c->embedder.concurrency = 4;
	c->embedder.timeout_ms = 60000;
	c->embedder.query_timeout_ms = 5000;
	c->embedder.too_long = xstrdup("truncate");
	c->ingest.chunk_tokens = 350;
	c->ingest.overlap_tokens = 40;
	c->ingest.min_chunk_tokens = 32;
	c->ingest.max_file_mb = 20;
	c->ingest.watch_debounce_ms = 300;
	c->retrieval.fusion = xstrdup("convex");
	c->retrieval.rrf_k = 60;
	c->retrieval.vector_weight = CONFIG_AUTO;
	c->retrieval.fts_weight = 1.0;
	c->retrieval.heading_weight = 1.0;
	c->retrieval.proximity_weight = 0.5;
	c->retrieval.archived_weight = 0.5;
	c->retrieval.quantize_int8 = true;
	c->retrieval.oversample = 4;
	c->retrieval.reranker.top_n = 20;
	c->retrieval.reranker.timeout_ms = 3000;
	c->http.connect_timeout_ms = 10000;
	c->http.first_byte_timeout_ms = 60000;
	c->http.idle_timeout_ms = 30000;
	c->http.total_timeout_ms = 300000;
	c->http.max_retries = 3;
	c->router.rules = xcalloc(1, sizeof(*c->router.rules));
	c->router.breaker_failures = 3;
	c->router.breaker_window_s = 60;
	c->router.breaker_cooldown_s = 30;
	c->router.min_retrieval_score = 0.3;
	return c;
}

/* ---- lookups, freeing --------------------------------------------------- */

size_t config_provider_index(const struct config *c, const char *name)
{
	size_t i = 0;
	while (i < c->n_providers && strcmp(c->providers[i].name, name))
		i++;
	return i;
}

const struct config_provider *config_provider_find(const struct config *c, const char *name)
{
	size_t i = config_provider_index(c, name);
	return i < c->n_providers ? &c->providers[i] : NULL;
}

const char *config_official_base_url(enum provider_kind kind)
{
	/* As the official client libraries do: the variable, when set, moves
	 * the default endpoint (a proxy, a gateway, a local test server). */
	static const char *const vars[] = {
		[PROVIDER_OPENAI] = "OPENAI_BASE_URL", [PROVIDER_ANTHROPIC] = "ANTHROPIC_BASE_URL",
		[PROVIDER_LOCAL] = NULL,
	};
	const char *env = vars[kind] ? getenv(vars[kind]) : NULL;
	if (env && env[0])
		return env;
	const struct config_provider *b = config_builtin_provider_of_kind(kind);
	return b ? b->base_url : NULL;
}

const struct config_provider *config_builtin_provider_of_kind(enum provider_kind kind)
{
	for (size_t i = 0; i < ARRAY_LEN(builtin_providers); i++)
		if (builtin_providers[i].kind == kind)
			return &builtin_providers[i];
	return NULL;
}

const struct config_provider *config_provider_for_model(const struct config *c, const char *model)
{
	for (size_t i = 0; i < c->n_models; i++)
		if (fnmatch(c->models[i].match, model, 0) == 0)
			return config_provider_find(c, c->models[i].provider);
	return NULL;
}

bool config_metric_on(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->evaluation.n_metrics; i++)
		if (strcmp(c->evaluation.metrics[i], name) == 0)
			return true;
	return false;
}

const char *config_embed_model(const struct config *c)
{
	return c->embedder.model ? c->embedder.model : c->routing.retrieval.embedding_model;
}

const struct config_provider *config_embed_provider(const struct config *c)
{
	if (c->embedder.provider)
		return config_provider_find(c, c->embedder.provider);
	return config_provider_for_model(c, config_embed_model(c));
}

bool config_provider_is_openai_api(const struct config_provider *p)
{
	const char *env = getenv("OPENAI_BASE_URL");
	const char *base = p && p->base_url ? p->base_url : env && env[0] ? env : "https://api.openai.com";
	return p && p->kind == PROVIDER_OPENAI && strstr(base, "://api.openai.com") != NULL;
}

void config_embed_batch(const struct config *c, int *inputs, long *tokens)
{
	bool official = config_provider_is_openai_api(config_embed_provider(c));
	*inputs = c->embedder.batch_inputs > 0 ? c->embedder.batch_inputs : official ? 512 : 32;
	*tokens = c->embedder.batch_tokens > 0 ? c->embedder.batch_tokens : official ? 100000 : 8192;
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
	free(c->ingest.records.id);
	free(c->ingest.records.title);
	free(c->ingest.records.body);
	free(c->ingest.records.date);
	config_strv_free(c->routing.adaptation.stop_sequences, c->routing.adaptation.n_stop_sequences);
	config_strv_free(c->evaluation.metrics, c->evaluation.n_metrics);
	for (size_t i = 0; i < c->n_providers; i++) {
		free(c->providers[i].name);
		free(c->providers[i].base_url);
		free(c->providers[i].api_key_env);
	}
	free(c->providers);
	for (size_t i = 0; i < c->n_models; i++)
		config_route_free(&c->models[i]);
	free(c->models);
	for (size_t i = 0; i < c->n_pricing; i++)
		free(c->pricing[i].model);
	free(c->pricing);
	free(c->store_path);
	free(c->store_server.backend);
	free(c->store_server.url);
	free(c->theme);
	free(c->terminal.grapheme_width);
	free(c->embedder.kind);
	free(c->retrieval.fusion);
	free(c->retrieval.summarize_over_budget);
	free(c->retrieval.reranker.provider);
	free(c->retrieval.reranker.model);
	free(c->embedder.model);
	free(c->embedder.provider);
	free(c->embedder.too_long);
	config_rules_free(c->router.rules, c->router.n_rules);
	free(c);
	*cp = NULL;
}
