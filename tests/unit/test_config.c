/* Unit tests for core/config/config: loading the template and its variants,
 * every validation message with its line and column, provider and price
 * lookups, path resolution and the printed round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config/config.h"

#define FIXTURES "../fixtures/"
#define TEMPLATE FIXTURES "llm_router_config.yaml"
#define TEMPLATE_TOPLEVEL FIXTURES "llm_router_config_toplevel_eval.yaml"
#define FULL FIXTURES "config_full.yaml"

#define QDRANT_NOTE \
	"routing.paths.retrieval.vector_db is \"qdrant\": this build has no Qdrant backend, so " \
	"collection \"enterprise_docs_v2\" is kept in the embedded SQLite store"

static void assert_dbl(double got, double want)
{
	if (got != want)
		fail_msg("got %.17g, want %.17g", got, want);
}

static int load(const char *yaml, struct config **c, struct config_diags *d)
{
	return config_load_string("t.yaml", yaml, strlen(yaml), c, d);
}

static void assert_diag(const struct config_diag *g, enum config_severity sev, int line, int col,
                        const char *msg)
{
	assert_string_equal(g->msg, msg);
	assert_int_equal(g->severity, sev);
	assert_int_equal(g->line, line);
	assert_int_equal(g->col, col);
}

/* yaml must fail to load with exactly this one diagnostic. */
static void expect_one_error(const char *yaml, int line, int col, const char *msg)
{
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load(yaml, &c, &d), -1);
	assert_null(c);
	assert_int_equal(d.n, 1);
	assert_diag(&d.items[0], CONFIG_ERROR, line, col, msg);
	config_diags_free(&d);
}

static void record_field_names_load_and_print(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load("ingest:\n  records:\n    id: Ref\n    body: notes\n    date: ~\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(c->ingest.records.id, "Ref");
	assert_string_equal(c->ingest.records.body, "notes");
	assert_null(c->ingest.records.title);
	assert_null(c->ingest.records.date);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	config_print(c, f);
	fclose(f);
	assert_non_null(strstr(text, "  records:\n    id: \"Ref\"\n    title: ~\n    body: \"notes\"\n    date: ~\n"));
	free(text);
	config_free(&c);
	config_diags_free(&d);
}

/* yaml must load with exactly this one warning; the config is returned. */
static struct config *expect_one_warning(const char *yaml, int line, int col, const char *msg)
{
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load(yaml, &c, &d), 0);
	assert_non_null(c);
	assert_int_equal(d.n, 1);
	assert_diag(&d.items[0], CONFIG_WARNING, line, col, msg);
	config_diags_free(&d);
	return c;
}

static struct config *load_clean(const char *yaml)
{
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load(yaml, &c, &d), 0);
	assert_int_equal(d.n, 0);
	config_diags_free(&d);
	return c;
}

static char *print_to_string(const struct config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	config_print(c, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void assert_default_extensions(const struct config *c)
{
	assert_int_equal(c->n_providers, 3);
	assert_int_equal(c->n_models, 6);
	assert_int_equal(c->n_pricing, 5);
	assert_null(c->store_path);
	assert_string_equal(c->theme, "dark");
	assert_string_equal(c->terminal.grapheme_width, "per_codepoint");
	assert_string_equal(c->embedder.kind, "hash");
	assert_int_equal(c->embedder.dim, CONFIG_AUTO_INT);
	assert_null(c->embedder.model);
	assert_null(c->embedder.provider);
	assert_int_equal(c->embedder.batch_inputs, CONFIG_AUTO_INT);
	assert_int_equal(c->embedder.batch_tokens, CONFIG_AUTO_INT);
	assert_int_equal(c->embedder.concurrency, 4);
	assert_int_equal(c->embedder.timeout_ms, 60000);
	assert_int_equal(c->embedder.query_timeout_ms, 5000);
	assert_string_equal(c->embedder.too_long, "truncate");
	assert_int_equal(c->ingest.chunk_tokens, 350);
	assert_int_equal(c->ingest.overlap_tokens, 40);
	assert_int_equal(c->ingest.min_chunk_tokens, 32);
	assert_int_equal(c->ingest.max_file_mb, 20);
	assert_int_equal(c->ingest.threads, 0);
	assert_null(c->ingest.records.id);
	assert_null(c->ingest.records.title);
	assert_null(c->ingest.records.body);
	assert_null(c->ingest.records.date);
	assert_int_equal(c->ingest.watch_debounce_ms, 300);
	assert_string_equal(c->retrieval.fusion, "convex");
	assert_int_equal(c->retrieval.rrf_k, 60);
	assert_dbl(c->retrieval.vector_weight, CONFIG_AUTO);
	assert_dbl(c->retrieval.fts_weight, 1.0);
	assert_dbl(c->retrieval.heading_weight, 1.0);
	assert_dbl(c->retrieval.proximity_weight, 0.5);
	assert_dbl(c->retrieval.archived_weight, 0.5);
	assert_true(c->retrieval.quantize_int8);
	assert_int_equal(c->retrieval.oversample, 4);
	assert_int_equal(c->retrieval.threads, 0);
	assert_dbl(c->retrieval.min_score, 0.0);
	assert_null(c->retrieval.summarize_over_budget);
	assert_null(c->retrieval.reranker.provider);
	assert_null(c->retrieval.reranker.model);
	assert_int_equal(c->retrieval.reranker.top_n, 20);
	assert_int_equal(c->retrieval.reranker.timeout_ms, 3000);
	assert_int_equal(c->http.connect_timeout_ms, 10000);
	assert_int_equal(c->http.first_byte_timeout_ms, 60000);
	assert_int_equal(c->http.idle_timeout_ms, 30000);
	assert_int_equal(c->http.total_timeout_ms, 300000);
	assert_int_equal(c->http.max_retries, 3);
	assert_int_equal(c->router.n_rules, 0);
	assert_int_equal(c->router.breaker_failures, 3);
	assert_int_equal(c->router.breaker_window_s, 60);
	assert_int_equal(c->router.breaker_cooldown_s, 30);
	assert_dbl(c->router.min_retrieval_score, 0.3);
}

static void assert_template_values(const struct config *c)
{
	assert_string_equal(c->routing.default_model, "gpt-4o");
	assert_string_equal(c->routing.fallback_model, "claude-sonnet-4-6");
	assert_true(c->routing.retrieval.enabled);
	assert_string_equal(c->routing.retrieval.vector_db, "qdrant");
	assert_string_equal(c->routing.retrieval.collection, "enterprise_docs_v2");
	assert_int_equal(c->routing.retrieval.top_k, 5);
	assert_int_equal(c->routing.retrieval.max_context_tokens, 3000);
	assert_string_equal(c->routing.retrieval.embedding_model, "text-embedding-3-small");
	assert_int_equal(c->routing.retrieval.cache_ttl_seconds, 3600);
	assert_true(c->routing.adaptation.enabled);
	assert_string_equal(c->routing.adaptation.model_path, "./lora_output/merged_model");
	assert_int_equal(c->routing.adaptation.max_tokens, 1024);
	assert_dbl(c->routing.adaptation.temperature, 0.1);
	assert_dbl(c->routing.adaptation.repetition_penalty, 1.1);
	assert_int_equal(c->routing.adaptation.n_stop_sequences, 2);
	assert_string_equal(c->routing.adaptation.stop_sequences[0], "</response>");
	assert_string_equal(c->routing.adaptation.stop_sequences[1], "```");
	assert_int_equal(c->evaluation.n_metrics, 4);
	assert_string_equal(c->evaluation.metrics[0], "latency_p95");
	assert_string_equal(c->evaluation.metrics[1], "token_cost");
	assert_string_equal(c->evaluation.metrics[2], "hallucination_score");
	assert_string_equal(c->evaluation.metrics[3], "format_compliance");
	assert_dbl(c->evaluation.latency_p95_ms, 800);
	assert_dbl(c->evaluation.hallucination_score, 0.85);
	assert_default_extensions(c);
}

static void assert_fixture_loads_with_its_notes(const char *path)
{
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(config_load_file(path, &c, &d), 0);
	assert_non_null(c);
	assert_string_equal(c->source_path, path);
	assert_template_values(c);
	assert_int_equal(d.n, 2);
	assert_diag(&d.items[0], CONFIG_NOTE, 8, 18, QDRANT_NOTE);
	assert_diag(&d.items[1], CONFIG_NOTE, 12, 24,
	            "routing.paths.retrieval.embedding_model is \"text-embedding-3-small\", but the embedder is the "
	            "offline hash one: set embedder.kind: http to embed with text-embedding-3-small (docs/config.md)");
	config_free(&c);
	assert_null(c);
	config_diags_free(&d);
}

/* A store URL never holds the password: as user:password@ or password=,
 * it is an error that says where the password goes instead. */
static void store_url_with_a_password_is_an_error(void **state)
{
	(void)state;
	static const char *const urls[] = {
		"postgresql://kb:s3cret@db/kb",
		"postgres://kb:s3cret@db:5432/kb",
		"postgresql://db/kb?password=s3cret",
		"host=db dbname=kb PASSWORD=s3cret",
	};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		char yaml[256];
		snprintf(yaml, sizeof yaml, "store:\n  backend: postgres\n  url: \"%s\"\n", urls[i]);
		struct config_diags d = { 0 };
		struct config *c = NULL;
		assert_int_equal(load(yaml, &c, &d), -1);
		assert_true(d.n >= 1);
		assert_non_null(strstr(d.items[0].msg, "~/.pgpass or PGPASSWORD"));
		assert_null(strstr(d.items[0].msg, "s3cret"));
		config_diags_free(&d);
	}
	struct config *c = load_clean("store:\n  backend: postgres\n  url: \"postgresql://kb@db/kb?host=/run/pg\"\n");
	assert_string_equal(c->store_server.url, "postgresql://kb@db/kb?host=/run/pg");
	config_free(&c);
}

static void template_fixture_loads_every_key_with_its_two_notes(void **state)
{
	(void)state;
	assert_fixture_loads_with_its_notes(TEMPLATE);
}

static void toplevel_evaluation_fixture_loads_the_same_values(void **state)
{
	(void)state;
	assert_fixture_loads_with_its_notes(TEMPLATE_TOPLEVEL);
}

static void defaults_work_offline(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	assert_null(c->source_path);
	assert_string_equal(c->routing.default_model, "local");
	assert_string_equal(c->routing.fallback_model, "local");
	assert_true(c->routing.retrieval.enabled);
	assert_string_equal(c->routing.retrieval.vector_db, "sqlite");
	assert_string_equal(c->routing.retrieval.collection, "default");
	assert_int_equal(c->routing.retrieval.top_k, 5);
	assert_int_equal(c->routing.retrieval.max_context_tokens, 3000);
	assert_string_equal(c->routing.retrieval.embedding_model, "hash");
	assert_int_equal(c->routing.retrieval.cache_ttl_seconds, 3600);
	assert_false(c->routing.adaptation.enabled);
	assert_null(c->routing.adaptation.model_path);
	assert_int_equal(c->routing.adaptation.n_stop_sequences, 0);
	assert_int_equal(c->evaluation.n_metrics, 7);
	assert_true(config_metric_on(c, "ndcg"));
	assert_dbl(c->evaluation.latency_p95_ms, 800);
	assert_dbl(c->evaluation.hallucination_score, 0.85);
	assert_default_extensions(c);
	const struct config_provider *p = config_provider_for_model(c, c->routing.default_model);
	assert_non_null(p);
	assert_int_equal(p->kind, PROVIDER_LOCAL);
	config_free(&c);
	config_free(&c);
	config_free(NULL);
}

static void empty_file_is_valid_and_gives_defaults(void **state)
{
	(void)state;
	static const char *const empties[] = { "", "# only a comment\n", "---\n", "~\n" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		struct config *c = load_clean(empties[i]);
		assert_string_equal(c->routing.default_model, "local");
		assert_string_equal(c->source_path, "t.yaml");
		assert_default_extensions(c);
		config_free(&c);
	}
}

/* ---- range errors -------------------------------------------------------- */

struct range_case {
	const char *path, *low, *high, *expect;
};

static const struct range_case range_cases[] = {
	{ "routing.paths.retrieval.top_k", "0", "101", "an integer from 1 to 100" },
	{ "routing.paths.retrieval.max_context_tokens", "99", "200001", "an integer from 100 to 200000" },
	{ "routing.paths.retrieval.cache_ttl_seconds", "-1", "604801", "an integer from 0 to 604800" },
	{ "routing.paths.adaptation.max_tokens", "0", "32769", "an integer from 1 to 32768" },
	{ "routing.paths.adaptation.temperature", "-0.1", "2.01", "a number from 0 to 2" },
	{ "routing.paths.adaptation.repetition_penalty", "0.49", "2.5", "a number from 0.5 to 2" },
	{ "routing.evaluation.alert_thresholds.latency_p95_ms", "0", "600001", "a number from 1 to 600000" },
	{ "evaluation.alert_thresholds.hallucination_score", "-0.5", "1.5", "a number from 0 to 1" },
	{ "embedder.dim", "31", "4097", "an integer from 32 to 4096, or auto" },
	{ "ingest.chunk_tokens", "63", "4097", "an integer from 64 to 4096" },
	{ "ingest.overlap_tokens", "-1", "2049", "an integer from 0 to 2048" },
	{ "ingest.max_file_mb", "0", "1025", "an integer from 1 to 1024" },
	{ "ingest.threads", "-1", "65", "an integer from 0 to 64" },
	{ "ingest.watch_debounce_ms", "9", "60001", "an integer from 10 to 60000" },
	{ "retrieval.rrf_k", "0", "1001", "an integer from 1 to 1000" },
	{ "retrieval.vector_weight", "-1", "10.5", "a number from 0 to 10, or auto" },
	{ "retrieval.heading_weight", "-1", "10.5", "a number from 0 to 10" },
	{ "retrieval.proximity_weight", "-1", "10.5", "a number from 0 to 10" },
	{ "retrieval.archived_weight", "-0.1", "1.5", "a number from 0 to 1" },
	{ "ingest.min_chunk_tokens", "-1", "2049", "an integer from 0 to 2048" },
	{ "retrieval.fts_weight", "-0.001", "11", "a number from 0 to 10" },
	{ "retrieval.oversample", "0", "101", "an integer from 1 to 100" },
	{ "retrieval.threads", "-1", "257", "an integer from 0 to 256" },
	{ "retrieval.min_score", "-0.01", "1.01", "a number from 0 to 1" },
	{ "retrieval.reranker.top_n", "0", "101", "an integer from 1 to 100" },
	{ "retrieval.reranker.timeout_ms", "0", "60001", "an integer from 1 to 60000" },
	{ "http.connect_timeout_ms", "0", "3600001", "an integer from 1 to 3600000" },
	{ "http.first_byte_timeout_ms", "0", "3600001", "an integer from 1 to 3600000" },
	{ "http.idle_timeout_ms", "0", "3600001", "an integer from 1 to 3600000" },
	{ "http.total_timeout_ms", "0", "99999999999", "an integer from 1 to 3600000" },
	{ "http.max_retries", "-1", "11", "an integer from 0 to 10" },
	{ "router.breaker_failures", "0", "101", "an integer from 1 to 100" },
	{ "router.breaker_window_s", "0", "86401", "an integer from 1 to 86400" },
	{ "router.breaker_cooldown_s", "0", "86401", "an integer from 1 to 86400" },
	{ "router.min_retrieval_score", "-1", "2", "a number from 0 to 1" },
	{ "pricing.gpt-4o.input_per_mtok", "-1", "100001", "a number from 0 to 100000" },
	{ "pricing.gpt-4o.output_per_mtok", "-0.5", "1e9", "a number from 0 to 100000" },
};

/* Nest path as block mappings ending in "last: value"; report where the
 * value starts (1-based). */
static void nested_yaml(char *buf, size_t size, const char *path, const char *value, int *line,
                        int *col)
{
	char copy[256];
	size_t used = 0;
	int depth = 0;
	snprintf(copy, sizeof(copy), "%s", path);
	char *save = NULL;
	char *key = strtok_r(copy, ".", &save);
	while (key) {
		char *next = strtok_r(NULL, ".", &save);
		if (next) {
			used += (size_t)snprintf(buf + used, size - used, "%*s%s:\n", 2 * depth, "", key);
		} else {
			used += (size_t)snprintf(buf + used, size - used, "%*s%s: %s\n", 2 * depth, "", key,
			                         value);
			*line = depth + 1;
			*col = 2 * depth + (int)strlen(key) + 3;
		}
		depth++;
		key = next;
	}
}

static void every_range_error_names_key_range_and_position(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *rc = &range_cases[i];
		const char *values[] = { rc->low, rc->high };
		for (size_t v = 0; v < 2; v++) {
			char yaml[512], msg[512];
			int line = 0, col = 0;
			nested_yaml(yaml, sizeof(yaml), rc->path, values[v], &line, &col);
			snprintf(msg, sizeof(msg), "%s: expected %s, got \"%s\"", rc->path, rc->expect,
			         values[v]);
			expect_one_error(yaml, line, col, msg);
		}
	}
}

static void range_bounds_themselves_are_accepted(void **state)
{
	(void)state;
	struct config *c = load_clean("routing:\n  paths:\n    retrieval:\n      top_k: 100\n"
	                              "    adaptation:\n      temperature: 2\n"
	                              "      repetition_penalty: 0.5\n"
	                              "http:\n  total_timeout_ms: 3600000\n  max_retries: 0\n");
	assert_int_equal(c->routing.retrieval.top_k, 100);
	assert_dbl(c->routing.adaptation.temperature, 2.0);
	assert_dbl(c->routing.adaptation.repetition_penalty, 0.5);
	assert_int_equal(c->http.total_timeout_ms, 3600000);
	assert_int_equal(c->http.max_retries, 0);
	config_free(&c);
}

static void overlap_above_half_the_chunk_is_an_error(void **state)
{
	(void)state;
	expect_one_error("ingest:\n  chunk_tokens: 100\n  overlap_tokens: 60\n", 3, 19,
	                 "ingest.overlap_tokens is 60, more than half of chunk_tokens (100); use at most 50");
	/* The default overlap (40) is too large for a 64-token chunk. */
	expect_one_error("ingest:\n  chunk_tokens: 64\n", 2, 17,
	                 "ingest.overlap_tokens is 40, more than half of chunk_tokens (64); use at most 32");
}

/* ---- type errors --------------------------------------------------------- */

static void type_errors_name_the_expected_type_and_the_value(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	const char *yaml = "# x\nrouting:\n  default_model: gpt-4o\n  paths:\n    retrieval:\n"
	                   "      enabled: true\n      top_k: five\n";
	assert_int_equal(config_load_string("tests/fixtures/x.yaml", yaml, strlen(yaml), &c, &d), -1);
	char *text = config_diags_format(&d);
	assert_string_equal(text, "tests/fixtures/x.yaml:7:14: error: routing.paths.retrieval.top_k: "
	                          "expected an integer from 1 to 100, got \"five\"\n");
	free(text);
	config_diags_free(&d);

	expect_one_error("routing:\n  paths:\n    retrieval:\n      enabled: maybe\n", 4, 16,
	                 "routing.paths.retrieval.enabled: expected true or false, got \"maybe\"");
	expect_one_error("retrieval:\n  rrf_k: \"60\"\n", 2, 10,
	                 "retrieval.rrf_k: expected an integer from 1 to 1000, got \"60\" "
	                 "(write it without quotes)");
	expect_one_error("ingest:\n  chunk_tokens: 100.5\n", 2, 17,
	                 "ingest.chunk_tokens: expected an integer from 64 to 4096, got \"100.5\"");
	expect_one_error("ingest:\n  records:\n    body: [a]\n", 3, 11,
	                 "ingest.records.body: expected a non-empty string, got a list");
	expect_one_error("ingest:\n  records: body\n", 2, 12,
	                 "ingest.records: expected a mapping of keys, got \"body\"");
	expect_one_error("theme: [a]\n", 1, 8,
	                 "theme: expected a theme name of letters, digits, '_' and '-', got a list");
	expect_one_error("theme: ../../etc\n", 1, 8,
	                 "theme: expected a theme name of letters, digits, '_' and '-', got \"../../etc\"");
	expect_one_error("terminal:\n  grapheme_width: wide\n", 2, 19,
	                 "terminal.grapheme_width: expected per_codepoint or cluster, got \"wide\"");
	expect_one_error("http:\n  max_retries: {a: 1}\n", 2, 16,
	                 "http.max_retries: expected an integer from 0 to 10, got a mapping");
	expect_one_error("routing:\n  default_model: ~\n", 2, 18,
	                 "routing.default_model: expected a non-empty string, got nothing");
	expect_one_error("routing:\n  fallback_model: \"\"\n", 2, 19,
	                 "routing.fallback_model: expected a non-empty string, got \"\"");
	expect_one_error("embedder:\n  kind: hashh\n", 2, 9,
	                 "embedder.kind: expected hash or http, got \"hashh\" (did you mean \"hash\"?)");
	expect_one_error("routing:\n  paths:\n    retrieval:\n      vector_db: pg\n", 4, 18,
	                 "routing.paths.retrieval.vector_db: expected sqlite or qdrant, got \"pg\"");
	expect_one_error("routing:\n  paths:\n    retrieval:\n      collection: \"my docs\"\n", 4, 19,
	                 "routing.paths.retrieval.collection: expected a collection name of letters, "
	                 "digits, '_', '.' and '-', got \"my docs\"");
	expect_one_error("evaluation:\n  metrics: [latency_p95, mrrr]\n", 2, 26,
	                 "evaluation.metrics[1]: expected one of latency_p95, token_cost, "
	                 "hallucination_score, format_compliance, recall_at_k, mrr or ndcg, got \"mrrr\" "
	                 "(did you mean \"mrr\"?)");
	expect_one_error("evaluation:\n  metrics: latency_p95\n", 2, 12,
	                 "evaluation.metrics: expected a list of at most 16 names, each one of "
	                 "latency_p95, token_cost, hallucination_score, format_compliance, recall_at_k, "
	                 "mrr or ndcg, got \"latency_p95\"");
	expect_one_error("routing:\n  paths:\n    adaptation:\n      stop_sequences: [a, \"\"]\n", 4, 27,
	                 "routing.paths.adaptation.stop_sequences[1]: expected a non-empty string, got \"\"");
	expect_one_error("routing:\n  paths:\n    adaptation:\n      stop_sequences: [a,b,c,d,e,f,g,h,i,"
	                 "j,k,l,m,n,o,p,q]\n", 4, 23,
	                 "routing.paths.adaptation.stop_sequences: expected at most 16 items, got 17");
	expect_one_error("store:\n  path: ~/notes.db\n", 2, 9,
	                 "store.path: expected a file path (~ is not expanded; write the full path), got "
	                 "\"~/notes.db\"");
	expect_one_error("routing: [a, b]\n", 1, 10, "routing: expected a mapping of keys, got a list");
}

static void top_level_that_is_not_a_mapping_is_an_error(void **state)
{
	(void)state;
	expect_one_error("- a\n- b\n", 1, 1,
	                 "the top level must be a mapping of keys (routing:, providers:, ...), got a list");
	expect_one_error("just text\n", 1, 1,
	                 "the top level must be a mapping of keys (routing:, providers:, ...), got "
	                 "\"just text\"");
}

static void adaptation_enabled_without_model_path_warns(void **state)
{
	(void)state;
	struct config *c = expect_one_warning(
		"routing:\n  paths:\n    adaptation:\n      enabled: yes\n", 4, 7,
		"routing.paths.adaptation.enabled is true but model_path is not set, so the adaptation "
		"path has no model");
	assert_true(c->routing.adaptation.enabled);
	config_free(&c);
}

/* ---- keys ---------------------------------------------------------------- */

static void unknown_key_is_a_warning_with_line_and_suggestion(void **state)
{
	(void)state;
	struct config *c = expect_one_warning(
		"routing:\n  paths:\n    retrieval:\n      tpo_k: 7\n", 4, 7,
		"unknown key \"tpo_k\" under routing.paths.retrieval (did you mean \"top_k\"?); it is ignored");
	assert_int_equal(c->routing.retrieval.top_k, 5);
	config_free(&c);
	c = expect_one_warning("themes: light\n", 1, 1,
	                       "unknown key \"themes\" at the top level (did you mean \"theme\"?); it is ignored");
	config_free(&c);
	c = expect_one_warning("zzz: 1\n", 1, 1, "unknown key \"zzz\" at the top level; it is ignored");
	config_free(&c);
}

static void duplicate_key_is_an_error(void **state)
{
	(void)state;
	expect_one_error("ingest:\n  chunk_tokens: 100\n  chunk_tokens: 200\n", 3, 3,
	                 "duplicate key \"chunk_tokens\" under ingest (first at line 2); keep one");
	expect_one_error("theme: a\nhttp: {}\ntheme: b\n", 3, 1,
	                 "duplicate key \"theme\" at the top level (first at line 1); keep one");
}

static void later_documents_are_ignored_with_a_warning(void **state)
{
	(void)state;
	struct config *c = expect_one_warning("theme: a\n---\ntheme: b\n", 3, 1,
	                                      "only the first YAML document is configuration; this one is ignored");
	assert_string_equal(c->theme, "a");
	config_free(&c);
}

/* ---- broken YAML --------------------------------------------------------- */

static void unclosed_quote_is_a_syntax_error_with_its_line(void **state)
{
	(void)state;
	expect_one_error("routing:\n  default_model: \"gpt-4o\n  fallback_model: x\n", 4, 1,
	                 "invalid YAML: found unexpected end of stream while scanning a quoted scalar "
	                 "(line 2 column 18)");
}

static void bad_indentation_is_a_syntax_error_with_its_line(void **state)
{
	(void)state;
	expect_one_error("routing:\n  default_model: x\n fallback_model: y\n", 3, 2,
	                 "invalid YAML: did not find expected key while parsing a block mapping "
	                 "(line 1 column 1)");
	expect_one_error("routing:\n\tdefault_model: x\n", 2, 1,
	                 "invalid YAML: found character that cannot start any token while scanning for "
	                 "the next token (line 2 column 1); indent with spaces, YAML does not allow tabs here");
}

static void invalid_utf8_is_reported_at_its_position(void **state)
{
	(void)state;
	expect_one_error("theme: a\ntheme2: \"\xc3\x28\"\n", 2, 11, "invalid YAML: invalid trailing UTF-8 octet");
}

/* ---- limits of the YAML reader -------------------------------------------- */

static void deep_nesting_is_refused_at_the_65th_level(void **state)
{
	(void)state;
	/* 100,000 open brackets kept libyaml's scanner busy for 20 s; the
	 * reader stops at the one that is the 65th level (the 64th '['). */
	size_t n = 100000;
	char *yaml = malloc(9 + n + 2);
	assert_non_null(yaml);
	memcpy(yaml, "routing: ", 9);
	memset(yaml + 9, '[', n);
	memcpy(yaml + 9 + n, "\n", 2);
	expect_one_error(yaml, 1, 73,
	                 "more than 64 levels of nesting (counting what aliases repeat); flatten the data");
	free(yaml);
}

static void alias_bomb_is_refused_even_under_an_unknown_key(void **state)
{
	(void)state;
	/* Nothing walks x, but any reader of the file could: the expansion is
	 * refused whatever the key. */
	expect_one_error("x:\n"
	                 "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	                 "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                 "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                 "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                 "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                 "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                 "  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	                 "  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	                 "  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
	                 7, 10,
	                 "aliases repeat more than 100000 nodes in all; write the values out instead of "
	                 "nesting aliases");
}

static void aliases_within_the_limits_load(void **state)
{
	(void)state;
	struct config *c = load_clean("routing:\n  default_model: &m local\n  fallback_model: *m\n"
	                              "router:\n  rules: &r\n    - {pattern: \"^hi\", path: direct}\n");
	assert_string_equal(c->routing.fallback_model, "local");
	assert_int_equal(c->router.n_rules, 1);
	config_free(&c);
	expect_one_error("routing:\n  default_model: *m\n", 2, 18,
	                 "alias *m names no anchor defined before it");
}

static void a_later_document_is_read_within_the_limits_too(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	const char *yaml = "theme: a\n---\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n";
	assert_int_equal(load(yaml, &c, &d), -1);
	assert_int_equal(d.n, 1);
	assert_diag(&d.items[0], CONFIG_ERROR, 3, 65,
	            "more than 64 levels of nesting (counting what aliases repeat); flatten the data");
	config_diags_free(&d);
}

/* ---- evaluation in two places ------------------------------------------- */

static void evaluation_in_both_places_is_an_error_naming_both_lines(void **state)
{
	(void)state;
	expect_one_error("routing:\n  evaluation:\n    metrics: [mrr]\nevaluation:\n  metrics: [ndcg]\n", 4, 1,
	                 "evaluation is set twice, under routing at line 2 and at the top level at line 4; "
	                 "keep one of them");
	expect_one_error("evaluation:\n  metrics: [ndcg]\nrouting:\n  evaluation:\n    metrics: [mrr]\n", 4, 3,
	                 "evaluation is set twice, at the top level at line 1 and under routing at line 4; "
	                 "keep one of them");
}

/* ---- providers, models, secrets ----------------------------------------- */

static void api_key_in_a_provider_is_an_error_pointing_to_api_key_env(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load("providers:\n  openai:\n    api_key: sk-live-123\n", &c, &d), -1);
	assert_int_equal(d.n, 1);
	assert_diag(&d.items[0], CONFIG_ERROR, 3, 5,
	            "providers.openai.api_key: a config file must not hold an API key; put the key in an "
	            "environment variable and name that variable with api_key_env (for example "
	            "api_key_env: OPENAI_API_KEY)");
	config_diags_free(&d);

	/* A key pasted into api_key_env is refused without being repeated. */
	assert_int_equal(load("providers:\n  openai:\n    api_key_env: sk-live-456\n", &c, &d), -1);
	char *text = config_diags_format(&d);
	assert_null(strstr(text, "sk-live-456"));
	assert_string_equal(text, "t.yaml:3:18: error: providers.openai.api_key_env: expected the NAME "
	                          "of an environment variable (letters, digits and _), not the key "
	                          "itself, got a value that is not shown here in case it is a key\n");
	free(text);
	config_diags_free(&d);
}

static void built_in_routes_send_models_to_their_providers(void **state)
{
	(void)state;
	static const struct {
		const char *model, *provider;
	} cases[] = {
		{ "gpt-4o", "openai" }, { "o3-mini", "openai" }, { "text-embedding-3-small", "openai" },
		{ "claude-sonnet-4-6", "anthropic" }, { "local", "local" }, { "local-extractive", "local" },
	};
	struct config *c = config_defaults();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct config_provider *p = config_provider_for_model(c, cases[i].model);
		assert_non_null(p);
		assert_string_equal(p->name, cases[i].provider);
	}
	assert_null(config_provider_for_model(c, "mistral-large"));
	assert_null(config_provider_for_model(c, "localhost"));
	const struct config_provider *a = config_provider_find(c, "anthropic");
	assert_int_equal(a->kind, PROVIDER_ANTHROPIC);
	assert_string_equal(a->base_url, "https://api.anthropic.com");
	assert_string_equal(a->api_key_env, "ANTHROPIC_API_KEY");
	assert_null(config_provider_find(c, "nope"));
	config_free(&c);
}

static void user_routes_come_first_and_shadow_built_ins(void **state)
{
	(void)state;
	struct config *c = load_clean("providers:\n  ollama:\n    kind: openai\n"
	                              "    base_url: \"http://localhost:11434/v1\"\n"
	                              "models:\n  - match: \"gpt-*\"\n    provider: ollama\n");
	assert_int_equal(c->n_providers, 4);
	assert_int_equal(c->n_models, 6);
	assert_string_equal(c->models[0].match, "gpt-*");
	assert_string_equal(c->models[0].provider, "ollama");
	assert_string_equal(config_provider_for_model(c, "gpt-4o")->name, "ollama");
	assert_string_equal(config_provider_for_model(c, "o1")->name, "openai");
	/* A provider with its own base_url gets no key variable by default. */
	const struct config_provider *o = config_provider_find(c, "ollama");
	assert_int_equal(o->kind, PROVIDER_OPENAI);
	assert_null(o->api_key_env);
	config_free(&c);
}

static void new_provider_without_base_url_inherits_its_kind(void **state)
{
	(void)state;
	struct config *c = load_clean("providers:\n  work:\n    kind: openai\n    api_key_env: WORK_KEY\n"
	                              "  team:\n    kind: anthropic\n"
	                              "  openai:\n    base_url: \"https://proxy.example.com/v1\"\n");
	const struct config_provider *w = config_provider_find(c, "work");
	assert_string_equal(w->base_url, "https://api.openai.com/v1");
	assert_string_equal(w->api_key_env, "WORK_KEY");
	const struct config_provider *t = config_provider_find(c, "team");
	assert_string_equal(t->base_url, "https://api.anthropic.com");
	assert_string_equal(t->api_key_env, "ANTHROPIC_API_KEY");
	const struct config_provider *o = config_provider_find(c, "openai");
	assert_string_equal(o->base_url, "https://proxy.example.com/v1");
	assert_string_equal(o->api_key_env, "OPENAI_API_KEY");
	config_free(&c);
}

static void provider_errors_are_reported(void **state)
{
	(void)state;
	expect_one_error("models:\n  - match: \"x*\"\n    provider: nope\n", 3, 15,
	                 "models[0].provider: no provider named \"nope\"; known providers: openai, "
	                 "anthropic, local");
	expect_one_error("providers:\n  ollama:\n    base_url: \"http://localhost:11434\"\n", 2, 3,
	                 "providers.ollama: a new provider needs kind: openai, anthropic or local");
	expect_one_error("providers:\n  x:\n    kind: gemini\n", 3, 11,
	                 "providers.x.kind: expected one of openai, anthropic or local, got \"gemini\"");
	expect_one_error("providers:\n  x:\n    kind: openai\n    base_url: ftp://host\n", 4, 15,
	                 "providers.x.base_url: expected an http:// or https:// URL, got \"ftp://host\"");
	expect_one_error("providers:\n  x:\n    kind: openai\n    base_url: ~\n", 2, 3,
	                 "providers.x: kind openai needs a base_url");
	expect_one_error("providers:\n  local:\n    kind: anthropic\n", 2, 3,
	                 "providers.local: kind anthropic needs a base_url");
	expect_one_error("providers:\n  \"a b\":\n    kind: local\n", 2, 3,
	                 "providers.a b: a provider name uses only letters, digits, '_' and '-'");
	expect_one_error("models:\n  - match: \"x*\"\n", 2, 5, "models[0]: needs both match and provider");
	expect_one_error("models:\n  - \"x*\"\n", 2, 5,
	                 "models[0]: expected a mapping with match and provider, got \"x*\"");
}

static void unroutable_default_model_is_a_warning(void **state)
{
	(void)state;
	struct config *c = expect_one_warning(
		"routing:\n  default_model: mistral\n", 2, 18,
		"routing.default_model: no entry of models: routes \"mistral\" to a provider; add one "
		"(- match: \"mistral\" with provider: NAME)");
	config_free(&c);
}

/* ---- pricing -------------------------------------------------------------- */

static void price_lookup_uses_exact_then_longest_prefix(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	const struct config_price *p = config_price_for_model(c, "gpt-4o");
	assert_string_equal(p->model, "gpt-4o");
	assert_dbl(p->input_per_mtok, 2.50);
	assert_dbl(p->output_per_mtok, 10.00);
	assert_string_equal(config_price_for_model(c, "gpt-4o-2024-08-06")->model, "gpt-4o");
	p = config_price_for_model(c, "gpt-4o-mini-2024-07-18");
	assert_string_equal(p->model, "gpt-4o-mini");
	assert_dbl(p->input_per_mtok, 0.15);
	assert_dbl(p->output_per_mtok, 0.60);
	p = config_price_for_model(c, "claude-sonnet-4-6");
	assert_dbl(p->input_per_mtok, 3.00);
	assert_dbl(p->output_per_mtok, 15.00);
	p = config_price_for_model(c, "text-embedding-3-small");
	assert_dbl(p->input_per_mtok, 0.02);
	assert_dbl(p->output_per_mtok, 0.0);
	assert_string_equal(config_price_for_model(c, "local")->model, "local");
	assert_null(config_price_for_model(c, "mystery-model"));
	assert_null(config_price_for_model(c, "gpt-4"));
	config_free(&c);
}

static void pricing_entries_override_and_extend_the_built_ins(void **state)
{
	(void)state;
	struct config *c = load_clean("pricing:\n  gpt-4o: {output_per_mtok: 12}\n"
	                              "  my-model: {input_per_mtok: 1.25}\n");
	assert_int_equal(c->n_pricing, 6);
	const struct config_price *p = config_price_for_model(c, "gpt-4o");
	assert_dbl(p->input_per_mtok, 2.50);
	assert_dbl(p->output_per_mtok, 12.0);
	p = config_price_for_model(c, "my-model-v2");
	assert_string_equal(p->model, "my-model");
	assert_dbl(p->input_per_mtok, 1.25);
	assert_dbl(p->output_per_mtok, 0.0);
	config_free(&c);
	expect_one_error("pricing:\n  x: 5\n", 2, 6,
	                 "pricing.x: expected a mapping with input_per_mtok and output_per_mtok, got \"5\"");
}

/* ---- router rules --------------------------------------------------------- */

static void router_rules_are_kept_as_given_and_validated(void **state)
{
	(void)state;
	struct config *c = load_clean("router:\n  rules:\n    - pattern: \"refund|invoice\"\n"
	                              "      path: retrieval\n    - {pattern: hello, path: direct}\n");
	assert_int_equal(c->router.n_rules, 2);
	assert_string_equal(c->router.rules[0].pattern, "refund|invoice");
	assert_string_equal(c->router.rules[0].path, "retrieval");
	assert_string_equal(c->router.rules[1].pattern, "hello");
	assert_string_equal(c->router.rules[1].path, "direct");
	config_free(&c);

	struct config_diags d = { 0 };
	assert_int_equal(load("router:\n  rules:\n    - pattern: \"(abc\"\n      path: direct\n", &c, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_int_equal(d.items[0].col, 16);
	const char *want = "router.rules[0].pattern: expected a POSIX extended regular expression or "
	                   "plain text, got \"(abc\" (";
	assert_int_equal(strncmp(d.items[0].msg, want, strlen(want)), 0);
	config_diags_free(&d);

	/* A pattern regcomp would expand to gigabytes is refused, not compiled. */
	d = (struct config_diags){ 0 };
	assert_int_equal(load("router:\n  rules:\n    - pattern: \"a+++++++++++++++++++++++++++++++++++++++\"\n"
	                      "      path: direct\n", &c, &d), -1);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.items[0].msg, "repetitions would compile to about"));
	config_diags_free(&d);

	expect_one_error("router:\n  rules:\n    - pattern: x\n      path: somewhere\n", 4, 13,
	                 "router.rules[0].path: expected one of retrieval, adaptation, hybrid or direct, "
	                 "got \"somewhere\"");
	expect_one_error("router:\n  rules:\n    - pattern: x\n", 3, 7,
	                 "router.rules[0]: needs both pattern and path");
}

/* ---- the full extension fixture ------------------------------------------ */

static void full_fixture_sets_every_extension(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(config_load_file(FULL, &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(c->routing.default_model, "llama3.1:8b");
	assert_false(c->routing.retrieval.enabled);
	assert_string_equal(c->routing.retrieval.collection, "handbook");
	assert_int_equal(c->routing.retrieval.top_k, 8);
	assert_int_equal(c->routing.retrieval.max_context_tokens, 6000);
	assert_int_equal(c->routing.retrieval.cache_ttl_seconds, 600);
	assert_null(c->routing.adaptation.model_path);
	assert_int_equal(c->routing.adaptation.max_tokens, 512);
	assert_dbl(c->routing.adaptation.temperature, 0.7);
	assert_dbl(c->routing.adaptation.repetition_penalty, 1.05);
	assert_int_equal(c->routing.adaptation.n_stop_sequences, 1);
	assert_string_equal(c->routing.adaptation.stop_sequences[0], "\n\nUser:");
	assert_int_equal(c->evaluation.n_metrics, 4);
	assert_string_equal(c->evaluation.metrics[2], "ndcg");
	assert_dbl(c->evaluation.latency_p95_ms, 1500.5);
	assert_dbl(c->evaluation.hallucination_score, 0.5);

	assert_int_equal(c->n_providers, 5);
	const struct config_provider *ollama = config_provider_for_model(c, "llama3.1:8b");
	assert_string_equal(ollama->name, "ollama");
	assert_string_equal(ollama->base_url, "http://localhost:11434/v1");
	assert_null(ollama->api_key_env);
	const struct config_provider *work = config_provider_for_model(c, "claude-sonnet-4-6");
	assert_string_equal(work->name, "work");
	assert_int_equal(work->kind, PROVIDER_ANTHROPIC);
	assert_string_equal(work->api_key_env, "WORK_ANTHROPIC_KEY");
	assert_string_equal(config_provider_find(c, "openai")->base_url, "https://proxy.example.com/v1");
	assert_int_equal(c->n_models, 8);
	assert_int_equal(c->n_pricing, 6);
	assert_dbl(config_price_for_model(c, "gpt-4o")->output_per_mtok, 8.0);
	assert_dbl(config_price_for_model(c, "llama3.1:8b")->input_per_mtok, 0.0);

	assert_string_equal(c->store_path, "/var/lib/ragdeck/handbook.db");
	assert_string_equal(c->store_server.backend, "postgres");
	assert_string_equal(c->store_server.url, "postgresql://kb@db.internal:5432/kb?sslmode=require");
	assert_int_equal(c->store_server.hnsw_min_rows, 50000);
	assert_string_equal(c->theme, "light");
	assert_string_equal(c->terminal.grapheme_width, "cluster");
	assert_string_equal(c->embedder.kind, "http");
	assert_int_equal(c->embedder.dim, 768);
	assert_string_equal(c->embedder.model, "nomic-embed-text");
	assert_string_equal(c->embedder.provider, "ollama");
	assert_int_equal(c->embedder.batch_inputs, 16);
	assert_int_equal(c->embedder.batch_tokens, 4096);
	assert_int_equal(c->embedder.concurrency, 8);
	assert_int_equal(c->embedder.timeout_ms, 30000);
	assert_int_equal(c->embedder.query_timeout_ms, 2000);
	assert_string_equal(c->embedder.too_long, "fail");
	assert_int_equal(c->ingest.chunk_tokens, 512);
	assert_int_equal(c->ingest.overlap_tokens, 64);
	assert_int_equal(c->ingest.max_file_mb, 50);
	assert_string_equal(c->retrieval.fusion, "rrf");
	assert_int_equal(c->retrieval.rrf_k, 30);
	assert_dbl(c->retrieval.vector_weight, 1.5);
	assert_dbl(c->retrieval.fts_weight, 0.5);
	assert_false(c->retrieval.quantize_int8);
	assert_int_equal(c->retrieval.oversample, 8);
	assert_int_equal(c->retrieval.threads, 4);
	assert_dbl(c->retrieval.min_score, 0.05);
	assert_string_equal(c->retrieval.summarize_over_budget, "gpt-4o-mini");
	assert_int_equal(c->http.connect_timeout_ms, 5000);
	assert_int_equal(c->http.first_byte_timeout_ms, 120000);
	assert_int_equal(c->http.idle_timeout_ms, 20000);
	assert_int_equal(c->http.total_timeout_ms, 600000);
	assert_int_equal(c->http.max_retries, 5);
	assert_int_equal(c->router.n_rules, 3);
	assert_string_equal(c->router.rules[0].pattern, "^(hi|hello|thanks)([[:space:][:punct:]]|$)");
	assert_string_equal(c->router.rules[2].path, "adaptation");
	assert_int_equal(c->router.breaker_failures, 5);
	assert_int_equal(c->router.breaker_window_s, 120);
	assert_int_equal(c->router.breaker_cooldown_s, 45);
	assert_dbl(c->router.min_retrieval_score, 0.2);
	config_free(&c);
	config_diags_free(&d);
}

/* ---- printing -------------------------------------------------------------- */

/* Print c, load the text, print again: both printouts must be identical. */
static void assert_round_trip(const struct config *c, size_t expected_diags)
{
	struct config_diags d = { 0 };
	struct config *back = NULL;
	char *first = print_to_string(c);
	assert_int_equal(load(first, &back, &d), 0);
	assert_int_equal(d.n, expected_diags);
	char *second = print_to_string(back);
	char *after_header = strchr(first, '\n');
	assert_string_equal(strchr(second, '\n'), after_header);
	assert_int_equal(back->n_providers, c->n_providers);
	assert_int_equal(back->n_models, c->n_models);
	assert_int_equal(back->n_pricing, c->n_pricing);
	assert_int_equal(back->router.n_rules, c->router.n_rules);
	free(first);
	free(second);
	config_free(&back);
	config_diags_free(&d);
}

static void printed_config_reloads_to_an_equal_config(void **state)
{
	(void)state;
	static const char *const files[] = { TEMPLATE, TEMPLATE_TOPLEVEL, FULL };
	static const size_t notes[] = { 2, 2, 0 };
	struct config *c = config_defaults();
	assert_round_trip(c, 0);
	config_free(&c);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct config_diags d = { 0 };
		assert_int_equal(config_load_file(files[i], &c, &d), 0);
		assert_round_trip(c, notes[i]);
		config_free(&c);
		config_diags_free(&d);
	}
}

static void printed_config_lists_every_key_and_reloads_template_values(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL, *back = NULL;
	assert_int_equal(config_load_file(TEMPLATE, &c, &d), 0);
	char *text = print_to_string(c);
	assert_non_null(strstr(text, "\n  evaluation:\n    metrics: [\"latency_p95\", \"token_cost\", "
	                             "\"hallucination_score\", \"format_compliance\"]\n"));
	assert_non_null(strstr(text, "\n      stop_sequences: [\"</response>\", \"```\"]\n"));
	assert_non_null(strstr(text, "\nstore:\n  path: ~\n  backend: sqlite\n  url: ~\n  hnsw_min_rows: 0\ntheme: \"dark\"\n"));
	assert_non_null(strstr(text, "\nrouter:\n  rules: []\n  breaker_failures: 3\n"));
	assert_non_null(strstr(text, "\n      temperature: 0.1\n"));
	assert_non_null(strstr(text, "\n  \"local\":\n    kind: local\n    base_url: ~\n    api_key_env: ~\n"));
	config_diags_free(&d);
	assert_int_equal(load(text, &back, &d), 0);
	assert_template_values(back);
	free(text);
	config_free(&c);
	config_free(&back);
	config_diags_free(&d);
}

static void printed_config_never_shows_a_key(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(setenv("OPENAI_API_KEY", "sk-test-SECRET", 1), 0);
	assert_int_equal(unsetenv("ANTHROPIC_API_KEY"), 0);
	assert_int_equal(setenv("WORK_ANTHROPIC_KEY", "sk-ant-test-SECRET2", 1), 0);
	assert_int_equal(config_load_file(FULL, &c, &d), 0);
	char *text = print_to_string(c);
	assert_null(strstr(text, "sk-test-SECRET"));
	assert_null(strstr(text, "SECRET2"));
	assert_non_null(strstr(text, "    api_key_env: \"OPENAI_API_KEY\"  # set\n"));
	assert_non_null(strstr(text, "    api_key_env: \"ANTHROPIC_API_KEY\"  # not set\n"));
	assert_non_null(strstr(text, "    api_key_env: \"WORK_ANTHROPIC_KEY\"  # set\n"));
	free(text);
	config_free(&c);
	config_diags_free(&d);
	unsetenv("OPENAI_API_KEY");
	unsetenv("WORK_ANTHROPIC_KEY");
}

/* ---- files and paths ----------------------------------------------------- */

static void missing_file_is_an_error_without_position(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(config_load_file(FIXTURES "does-not-exist.yaml", &c, &d), -1);
	assert_null(c);
	char *text = config_diags_format(&d);
	assert_string_equal(text, FIXTURES "does-not-exist.yaml: error: cannot read the config file: "
	                          "No such file or directory\n");
	free(text);
	config_diags_free(&d);
	assert_null(d.items);
	assert_int_equal(d.n, 0);
}

static void a_file_past_the_size_limit_is_said_not_to_be_a_config(void **state)
{
	(void)state;
	char path[] = "/tmp/rdbigconfigXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 0; i < (4 << 20) / 16 + 1; i++)
		fputs("# a long comment\n", f);
	fclose(f);
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(config_load_file(path, &c, &d), -1);
	char *text = config_diags_format(&d);
	assert_non_null(strstr(text, "cannot read the config file: larger than 4 MiB; this is not a config file"));
	free(text);
	config_diags_free(&d);
	unlink(path);
}

static void diagnostics_are_ordered_by_position(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	assert_int_equal(load("models:\n  - {match: \"x*\", provider: nope}\ntheme: \"bad theme\"\nzzz: 1\n",
	                      &c, &d), -1);
	assert_int_equal(config_diags_count(&d, CONFIG_ERROR), 2);
	assert_int_equal(config_diags_count(&d, CONFIG_WARNING), 1);
	assert_int_equal(config_diags_count(&d, CONFIG_NOTE), 0);
	char *text = config_diags_format(&d);
	assert_string_equal(text,
	                    "t.yaml:2:29: error: models[0].provider: no provider named \"nope\"; known "
	                    "providers: openai, anthropic, local\n"
	                    "t.yaml:3:8: error: theme: expected a theme name of letters, digits, '_' and "
	                    "'-', got \"bad theme\"\n"
	                    "t.yaml:4:1: warning: unknown key \"zzz\" at the top level; it is ignored\n");
	free(text);
	config_diags_free(&d);
}

struct tmpdir {
	char path[64];
	char file[128];
	char user_dir[128];
	char user_file[160];
};

static int make_tmpdir(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/ragdeck-test-config-XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	snprintf(t->file, sizeof(t->file), "%s/a.yaml", t->path);
	snprintf(t->user_dir, sizeof(t->user_dir), "%s/ragdeck", t->path);
	snprintf(t->user_file, sizeof(t->user_file), "%s/config.yaml", t->user_dir);
	*state = t;
	return 0;
}

static int remove_tmpdir(void **state)
{
	struct tmpdir *t = *state;
	unlink(t->user_file);
	rmdir(t->user_dir);
	unlink(t->file);
	rmdir(t->path);
	free(t);
	return 0;
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void resolve_path_follows_cli_env_xdg_order(void **state)
{
	struct tmpdir *t = *state;
	char err[512] = "";
	char *out = NULL;
	char want[512];

	touch(t->file);
	unsetenv("RAGDECK_CONFIG");
	assert_int_equal(setenv("XDG_CONFIG_HOME", t->path, 1), 0);

	assert_int_equal(config_resolve_path(NULL, &out, err, sizeof(err)), 0);
	assert_null(out);
	assert_int_equal(mkdir(t->user_dir, 0700), 0);
	touch(t->user_file);
	assert_int_equal(config_resolve_path(NULL, &out, err, sizeof(err)), 0);
	assert_string_equal(out, t->user_file);
	free(out);

	assert_int_equal(setenv("RAGDECK_CONFIG", t->file, 1), 0);
	assert_int_equal(config_resolve_path(NULL, &out, err, sizeof(err)), 0);
	assert_string_equal(out, t->file);
	free(out);
	assert_int_equal(config_resolve_path(t->user_file, &out, err, sizeof(err)), 0);
	assert_string_equal(out, t->user_file);
	free(out);

	assert_int_equal(setenv("RAGDECK_CONFIG", "/nonexistent/ragdeck.yaml", 1), 0);
	assert_int_equal(config_resolve_path(NULL, &out, err, sizeof(err)), -1);
	assert_null(out);
	assert_string_equal(err, "config file \"/nonexistent/ragdeck.yaml\" (from $RAGDECK_CONFIG) "
	                         "does not exist");
	unsetenv("RAGDECK_CONFIG");

	assert_int_equal(config_resolve_path("/nonexistent/x.yaml", &out, err, sizeof(err)), -1);
	assert_string_equal(err, "config file \"/nonexistent/x.yaml\" (from --config) does not exist");
	assert_int_equal(config_resolve_path(t->path, &out, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "config file \"%s\" (from --config) is not a regular file", t->path);
	assert_string_equal(err, want);
	unsetenv("XDG_CONFIG_HOME");
}

static void vector_weight_takes_auto_or_a_number(void **state)
{
	(void)state;
	struct config *c = NULL;
	struct config_diags d = { 0 };
	assert_int_equal(load("retrieval:\n  vector_weight: 0.25\n", &c, &d), 0);
	assert_dbl(c->retrieval.vector_weight, 0.25);
	config_free(&c);
	config_diags_free(&d);
	assert_int_equal(load("retrieval:\n  vector_weight: auto\n  fusion: rrf\n", &c, &d), 0);
	assert_dbl(c->retrieval.vector_weight, CONFIG_AUTO);
	char *text = print_to_string(c);
	assert_non_null(strstr(text, "  vector_weight: auto\n"));
	assert_non_null(strstr(text, "  fusion: \"rrf\"\n") ? text : strstr(text, "  fusion: rrf\n"));
	free(text);
	config_free(&c);
	config_diags_free(&d);
}

/* ---- reranker ------------------------------------------------------------ */

/* c printed holds want. */
static void assert_printed(const struct config *c, const char *want)
{
	char *text = print_to_string(c);
	if (!strstr(text, want))
		fail_msg("printed config lacks \"%s\":\n%s", want, text);
	free(text);
}

#define RERANKER_YAML \
	"retrieval:\n" \
	"  reranker:\n" \
	"    provider: my-tei\n" \
	"    model: bge-reranker-v2-m3\n" \
	"    top_n: 100\n" \
	"    timeout_ms: 1\n" \
	"providers:\n" \
	"  my-tei:\n" \
	"    kind: openai\n" \
	"    base_url: \"http://tei.internal:8080\"\n" \
	"    api_key_env: TEI_KEY\n"

/* The provider may be defined after retrieval: it is looked up once the
 * whole file is read. */
static void reranker_keys_load_and_name_a_provider_defined_later(void **state)
{
	(void)state;
	struct config *c = load_clean(RERANKER_YAML);
	assert_string_equal(c->retrieval.reranker.provider, "my-tei");
	assert_string_equal(c->retrieval.reranker.model, "bge-reranker-v2-m3");
	assert_int_equal(c->retrieval.reranker.top_n, 100);
	assert_int_equal(c->retrieval.reranker.timeout_ms, 1);
	assert_printed(c, "\n  reranker:\n    provider: \"my-tei\"\n    model: \"bge-reranker-v2-m3\"\n    top_n: 100\n"
	                  "    timeout_ms: 1\nhttp:\n");
	assert_round_trip(c, 0);
	config_free(&c);

	c = load_clean("retrieval:\n  reranker:\n    provider: ~\n    model: ~\n");
	assert_null(c->retrieval.reranker.provider);
	assert_null(c->retrieval.reranker.model);
	assert_printed(c, "\n  reranker:\n    provider: ~\n    model: ~\n    top_n: 20\n    timeout_ms: 3000\n");
	config_free(&c);
}

static void reranker_provider_must_exist_and_have_a_server(void **state)
{
	(void)state;
	expect_one_error("retrieval:\n  reranker:\n    provider: my-tie\n", 3, 15,
	                 "retrieval.reranker.provider: no provider named \"my-tie\"; known providers: "
	                 "openai, anthropic, local");
	expect_one_error("providers:\n  offline:\n    kind: local\n"
	                 "retrieval:\n  reranker: {provider: offline}\n", 5, 24,
	                 "retrieval.reranker.provider: \"offline\" is of kind local, which has no server; "
	                 "name a provider whose base_url is a reranking server");
	expect_one_error("retrieval:\n  reranker:\n    provider: \"my tei\"\n", 3, 15,
	                 "retrieval.reranker.provider: expected a provider name, got \"my tei\"");
}

/* ---- summarize_over_budget ---------------------------------------------- */

/* The model may be routed after retrieval; it prints where the other
 * retrieval keys do, and ~ turns it off. */
static void summarizer_loads_prints_and_turns_off(void **state)
{
	(void)state;
	struct config *c = load_clean("retrieval:\n  summarize_over_budget: qwen-small\n"
	                              "providers:\n  lan:\n    kind: openai\n    base_url: \"http://10.0.0.2:8080/v1\"\n"
	                              "models:\n  - match: \"qwen-*\"\n    provider: lan\n");
	assert_string_equal(c->retrieval.summarize_over_budget, "qwen-small");
	assert_string_equal(config_provider_for_model(c, c->retrieval.summarize_over_budget)->name, "lan");
	assert_printed(c, "\n  min_score: 0\n  summarize_over_budget: \"qwen-small\"\n  reranker:\n");
	assert_round_trip(c, 0);
	config_free(&c);

	c = load_clean("retrieval:\n  summarize_over_budget: ~\n");
	assert_null(c->retrieval.summarize_over_budget);
	assert_printed(c, "\n  summarize_over_budget: ~\n");
	config_free(&c);
}

static void summarizer_must_be_a_known_model_with_a_server(void **state)
{
	(void)state;
	expect_one_error("retrieval:\n  summarize_over_budget: mystery-7b\n", 2, 26,
	                 "retrieval.summarize_over_budget: unknown model \"mystery-7b\": no entry of models: routes "
	                 "it to a provider; add one (- match: \"mystery-7b\" with provider: NAME), or set the key "
	                 "to ~ to summarize nothing");
	expect_one_error("retrieval:\n  summarize_over_budget: local\n", 2, 26,
	                 "retrieval.summarize_over_budget: model \"local\" goes to provider local of kind local, "
	                 "which quotes passages and cannot condense them; name a model of an openai or anthropic "
	                 "provider");
	expect_one_error("retrieval:\n  summarize_over_budget: \"\"\n", 2, 26,
	                 "retrieval.summarize_over_budget: expected a non-empty string, got \"\"");
}

static void http_embedder_needs_a_model_served_by_an_openai_provider(void **state)
{
	(void)state;
	expect_one_error("embedder:\n  kind: http\n", 2, 9,
	                 "embedder.kind is http but no model is named: set embedder.model (for example "
	                 "nomic-embed-text or text-embedding-3-small)");
	expect_one_error("embedder:\n  kind: http\n  model: mxbai-embed\n", 2, 9,
	                 "embedder: no entry of models: routes \"mxbai-embed\" to a provider; add one (- match: "
	                 "\"mxbai-embed\" with provider: NAME) or set embedder.provider");
	expect_one_error("embedder:\n  kind: http\n  model: claude-embed\n", 2, 9,
	                 "embedder: model \"claude-embed\" goes to provider anthropic of kind anthropic, which has "
	                 "no /embeddings endpoint; route it to a provider of kind openai (OpenAI, Ollama, "
	                 "llama.cpp, vLLM, TEI)");
	expect_one_error("embedder:\n  kind: http\n  model: m\n  provider: nope\n", 2, 9,
	                 "embedder.provider: no provider named \"nope\"; known providers: openai, anthropic, local");
}

static void http_embedder_takes_its_provider_and_batch_defaults(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	static const char yaml[] =
		"providers:\n  ollama:\n    kind: openai\n    base_url: http://127.0.0.1:11434/v1\n    api_key_env: ~\n"
		"models:\n  - match: \"nomic-*\"\n    provider: ollama\n"
		"embedder:\n  kind: http\n  model: nomic-embed-text\n  dim: auto\n";
	assert_int_equal(load(yaml, &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(config_embed_model(c), "nomic-embed-text");
	assert_string_equal(config_embed_provider(c)->name, "ollama");
	int inputs;
	long tokens;
	config_embed_batch(c, &inputs, &tokens);
	assert_int_equal(inputs, 32);
	assert_int_equal(tokens, 8192);
	config_free(&c);
	config_diags_free(&d);
	/* OpenAI's own endpoint takes far larger requests. */
	static const char openai[] = "embedder:\n  kind: http\n  model: text-embedding-3-small\n";
	unsetenv("OPENAI_BASE_URL");
	assert_int_equal(load(openai, &c, &d), 0);
	assert_string_equal(config_embed_provider(c)->name, "openai");
	config_embed_batch(c, &inputs, &tokens);
	assert_int_equal(inputs, 512);
	assert_int_equal(tokens, 100000);
	config_free(&c);
	config_diags_free(&d);
}

static void repetition_penalty_is_said_not_to_reach_openai_or_anthropic(void **state)
{
	(void)state;
	struct config_diags d = { 0 };
	struct config *c = NULL;
	static const char to_openai[] =
		"routing:\n  paths:\n    adaptation:\n      enabled: true\n      model_path: gpt-4o-mini\n"
		"      repetition_penalty: 1.2\n";
	unsetenv("OPENAI_BASE_URL");
	assert_int_equal(load(to_openai, &c, &d), 0);
	assert_int_equal(d.n, 1);
	assert_diag(&d.items[0], CONFIG_NOTE, 6, 27,
	            "routing.paths.adaptation.repetition_penalty is not sent to openai (OpenAI's API has no such "
	            "parameter); it applies when model_path is served by vLLM or llama.cpp");
	assert_true(config_provider_is_openai_api(config_provider_for_model(c, "gpt-4o-mini")));
	config_free(&c);
	config_diags_free(&d);
	static const char to_vllm[] =
		"providers:\n  vllm: {kind: openai, base_url: \"http://gpu:8000/v1\", api_key_env: ~}\n"
		"models:\n  - {match: \"my-lora\", provider: vllm}\n"
		"routing:\n  paths:\n    adaptation:\n      enabled: true\n      model_path: my-lora\n"
		"      repetition_penalty: 1.2\n";
	assert_int_equal(load(to_vllm, &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_false(config_provider_is_openai_api(config_provider_for_model(c, "my-lora")));
	config_free(&c);
	config_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vector_weight_takes_auto_or_a_number),
		cmocka_unit_test(reranker_keys_load_and_name_a_provider_defined_later),
		cmocka_unit_test(reranker_provider_must_exist_and_have_a_server),
		cmocka_unit_test(summarizer_loads_prints_and_turns_off),
		cmocka_unit_test(summarizer_must_be_a_known_model_with_a_server),
		cmocka_unit_test(http_embedder_needs_a_model_served_by_an_openai_provider),
		cmocka_unit_test(http_embedder_takes_its_provider_and_batch_defaults),
		cmocka_unit_test(repetition_penalty_is_said_not_to_reach_openai_or_anthropic),
		cmocka_unit_test(template_fixture_loads_every_key_with_its_two_notes),
		cmocka_unit_test(store_url_with_a_password_is_an_error),
		cmocka_unit_test(toplevel_evaluation_fixture_loads_the_same_values),
		cmocka_unit_test(defaults_work_offline),
		cmocka_unit_test(record_field_names_load_and_print),
		cmocka_unit_test(empty_file_is_valid_and_gives_defaults),
		cmocka_unit_test(every_range_error_names_key_range_and_position),
		cmocka_unit_test(range_bounds_themselves_are_accepted),
		cmocka_unit_test(overlap_above_half_the_chunk_is_an_error),
		cmocka_unit_test(type_errors_name_the_expected_type_and_the_value),
		cmocka_unit_test(top_level_that_is_not_a_mapping_is_an_error),
		cmocka_unit_test(adaptation_enabled_without_model_path_warns),
		cmocka_unit_test(unknown_key_is_a_warning_with_line_and_suggestion),
		cmocka_unit_test(duplicate_key_is_an_error),
		cmocka_unit_test(later_documents_are_ignored_with_a_warning),
		cmocka_unit_test(unclosed_quote_is_a_syntax_error_with_its_line),
		cmocka_unit_test(bad_indentation_is_a_syntax_error_with_its_line),
		cmocka_unit_test(invalid_utf8_is_reported_at_its_position),
		cmocka_unit_test(evaluation_in_both_places_is_an_error_naming_both_lines),
		cmocka_unit_test(api_key_in_a_provider_is_an_error_pointing_to_api_key_env),
		cmocka_unit_test(built_in_routes_send_models_to_their_providers),
		cmocka_unit_test(user_routes_come_first_and_shadow_built_ins),
		cmocka_unit_test(new_provider_without_base_url_inherits_its_kind),
		cmocka_unit_test(provider_errors_are_reported),
		cmocka_unit_test(unroutable_default_model_is_a_warning),
		cmocka_unit_test(price_lookup_uses_exact_then_longest_prefix),
		cmocka_unit_test(pricing_entries_override_and_extend_the_built_ins),
		cmocka_unit_test(router_rules_are_kept_as_given_and_validated),
		cmocka_unit_test(full_fixture_sets_every_extension),
		cmocka_unit_test(printed_config_reloads_to_an_equal_config),
		cmocka_unit_test(printed_config_lists_every_key_and_reloads_template_values),
		cmocka_unit_test(printed_config_never_shows_a_key),
		cmocka_unit_test(missing_file_is_an_error_without_position),
		cmocka_unit_test(a_file_past_the_size_limit_is_said_not_to_be_a_config),
		cmocka_unit_test(diagnostics_are_ordered_by_position),
		cmocka_unit_test(deep_nesting_is_refused_at_the_65th_level),
		cmocka_unit_test(alias_bomb_is_refused_even_under_an_unknown_key),
		cmocka_unit_test(aliases_within_the_limits_load),
		cmocka_unit_test(a_later_document_is_read_within_the_limits_too),
		cmocka_unit_test_setup_teardown(resolve_path_follows_cli_env_xdg_order, make_tmpdir,
		                                remove_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
