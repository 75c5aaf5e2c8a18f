/* config: the YAML configuration file -> struct config.
 *
 * The format is the llm_router_config.yaml template (routing, paths,
 * evaluation) plus optional ragdeck extensions (providers, models, pricing,
 * store, theme, terminal, embedder, ingest, retrieval, http, router); docs/config.md
 * lists every key with its type, range and default. Loading never stops at
 * the first problem: every error, warning and note is collected with its
 * 1-based line and column so the user can fix them all in one pass. */
#ifndef RAGDECK_CONFIG_H
#define RAGDECK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum config_severity { CONFIG_NOTE, CONFIG_WARNING, CONFIG_ERROR };

struct config_diag {
	enum config_severity severity;
	int line, col;       /* 1-based; 0 when the message is about the whole file */
	char *msg;
};

/* Zero-initialise before the first load; loads append to it. */
struct config_diags {
	char *source;        /* name used by config_diags_format (last load) */
	struct config_diag *items;
	size_t n, cap;
};

enum provider_kind { PROVIDER_OPENAI, PROVIDER_ANTHROPIC, PROVIDER_LOCAL };

struct config_provider {
	char *name;
	enum provider_kind kind;
	char *base_url;      /* NULL for kind local */
	char *api_key_env;   /* name of the variable holding the key; NULL: none */
};

struct config_model_route {
	char *match;         /* fnmatch(3) glob over model names */
	char *provider;      /* name of a providers entry */
};

struct config_price {
	char *model;
	double input_per_mtok, output_per_mtok;   /* USD per million tokens */
};

struct config_rule {
	char *pattern;       /* POSIX extended regex (a plain substring is one) */
	char *path;          /* retrieval | adaptation | hybrid | direct */
};

/* A number key set to "auto": the code that reads it decides (see the key's
 * documentation). */
#define CONFIG_AUTO -1.0
/* An integer key set to "auto" (such keys have a minimum above 0). */
#define CONFIG_AUTO_INT 0

struct config {
	char *source_path;   /* NULL when built-in defaults */
	struct {
		char *default_model, *fallback_model;
		struct {
			bool enabled;
			char *vector_db, *collection;
			int top_k, max_context_tokens;
			char *embedding_model;
			int cache_ttl_seconds;
		} retrieval;
		struct {
			bool enabled;
			char *model_path;            /* NULL when unset */
			int max_tokens;
			double temperature, repetition_penalty;
			char **stop_sequences;
			size_t n_stop_sequences;
		} adaptation;
	} routing;
	struct {
		char **metrics;
		size_t n_metrics;
		double latency_p95_ms, hallucination_score;
	} evaluation;
	struct config_provider *providers;
	size_t n_providers;
	struct config_model_route *models;   /* user routes first, then built-ins */
	size_t n_models;
	struct config_price *pricing;
	size_t n_pricing;
	char *store_path;    /* NULL: the caller uses paths_default_db() */
	struct {
		char *backend;       /* sqlite | postgres (store/pg.h) */
		char *url;           /* postgres: a libpq URL or NULL for the PG* variables */
		long hnsw_min_rows;  /* postgres: chunks of a collection from which it gets an HNSW index */
	} store_server;
	char *theme;
	struct {
		char *grapheme_width;   /* per_codepoint | cluster (core/util/grapheme.h) */
	} terminal;
	struct {
		char *kind;      /* hash | http */
		int dim;         /* 0 (auto): 384 for hash; http: the collection's, else learned */
		char *model;     /* NULL: routing.paths.retrieval.embedding_model */
		char *provider;  /* NULL: the models routes pick it */
		int batch_inputs;    /* 0 (auto): by provider (config_embed_batch) */
		int batch_tokens;    /* 0 (auto): by provider */
		int concurrency;     /* requests in flight while ingesting */
		int timeout_ms;      /* one ingest request */
		int query_timeout_ms;  /* one question's embedding */
		char *too_long;  /* truncate | fail */
	} embedder;
	struct {
		int chunk_tokens, overlap_tokens, min_chunk_tokens, max_file_mb;
		int threads;     /* 0: one per online core */
		struct {         /* field names of record files; NULL: the defaults */
			char *id, *title, *body, *date;
		} records;
		int watch_debounce_ms; /* ingest --watch: quiet time before a file is taken */
	} ingest;
	struct {
		char *fusion;                    /* rrf | convex */
		int rrf_k;
		double vector_weight;            /* CONFIG_AUTO: by the embedder (docs/retrieval.md) */
		double fts_weight, heading_weight, proximity_weight, archived_weight;
		bool quantize_int8;
		int oversample, threads;         /* threads 0: all cores */
		double min_score;
		char *summarize_over_budget;     /* the model that condenses chunks the token budget
		                                  * drops into one summary block; NULL: off */
		struct {
			char *provider;              /* a providers entry, not of kind local; NULL: none */
			char *model;                 /* NULL: the request names no model */
			int top_n;                   /* candidates sent */
			int timeout_ms;
		} reranker;
	} retrieval;
	struct {
		long connect_timeout_ms, first_byte_timeout_ms, idle_timeout_ms, total_timeout_ms;
		int max_retries;
	} http;
	struct {
		struct config_rule *rules;
		size_t n_rules;
		int breaker_failures, breaker_window_s, breaker_cooldown_s;
		double min_retrieval_score;
	} router;
};

/* Built-in defaults that work offline: default and fallback model "local",
 * retrieval enabled (sqlite, collection "default", top_k 5,
 * max_context_tokens 3000, embedding_model "hash", ttl 3600), adaptation
 * disabled, thresholds 800 ms / 0.85, the built-in providers, model routes
 * and prices. Never NULL; caller frees with config_free. */
struct config *config_defaults(void);

/* Parse the file at path on top of the defaults. Returns 0 when no
 * CONFIG_ERROR was found (warnings and notes may have been added), -1
 * otherwise (including an unreadable file). *out is set only on success;
 * caller frees it with config_free. Every message is appended to diags. */
int config_load_file(const char *path, struct config **out, struct config_diags *diags);

/* Same as config_load_file for the len bytes at yaml; name stands for the
 * file in messages and becomes source_path. */
int config_load_string(const char *name, const char *yaml, size_t len, struct config **out,
                       struct config_diags *diags);

/* Which file to load: cli_path (--config), else $RAGDECK_CONFIG, else
 * $XDG_CONFIG_HOME/ragdeck/config.yaml (or $HOME/.config/...) when it
 * exists, else *out = NULL meaning built-in defaults. Returns 0, or -1 with
 * err set when a --config or $RAGDECK_CONFIG path is missing or not a
 * regular file. Caller frees *out. */
int config_resolve_path(const char *cli_path, char **out, char *err, size_t errlen);

/* Print the effective configuration to f as YAML that config_load_string
 * reads back to an equal config: every key, defaults and extensions
 * included. Never prints a secret: a provider shows only the name of its key
 * variable and whether that variable is set. */
void config_print(const struct config *c, FILE *f);

/* The provider serving model: the first models entry whose glob matches.
 * NULL when no route matches or the route names no provider. Points into c. */
const struct config_provider *config_provider_for_model(const struct config *c, const char *model);

/* The provider called name, or NULL. Points into c. */
const struct config_provider *config_provider_find(const struct config *c, const char *name);

/* Price of model: the exact name, else the longest pricing name that is a
 * prefix of model ("gpt-4o-2024-08-06" -> "gpt-4o"). NULL when unknown.
 * Points into c. */
const struct config_price *config_price_for_model(const struct config *c, const char *model);

/* Whether evaluation.metrics lists name ("latency_p95", "recall_at_k",
 * ...): eval prints and gates on, and the alerts watch, only those. */
bool config_metric_on(const struct config *c, const char *name);

/* Whether p is OpenAI's own API (kind openai; its base_url, else
 * $OPENAI_BASE_URL, else the default, is api.openai.com) rather than a
 * server that copies it (Ollama, llama.cpp, vLLM, TEI). */
bool config_provider_is_openai_api(const struct config_provider *p);

/* The embedding model c names: embedder.model, else
 * routing.paths.retrieval.embedding_model. Points into c. */
const char *config_embed_model(const struct config *c);

/* The provider of the HTTP embedder: embedder.provider, else the models
 * route of config_embed_model. NULL when none. Points into c. */
const struct config_provider *config_embed_provider(const struct config *c);

/* Inputs and estimated tokens per embedding request: embedder.batch_inputs
 * and batch_tokens, or for auto the provider's defaults: 512 and 100000
 * for OpenAI's own endpoint, 32 and 8192 for the servers that copy its API
 * (TEI refuses more than 32 inputs by default, llama.cpp and Ollama embed
 * one context at a time). */
void config_embed_batch(const struct config *c, int *inputs, long *tokens);

/* Free *c and everything it owns; NULL-safe; sets *c to NULL. */
void config_free(struct config **c);

/* Number of diagnostics of severity sev. */
size_t config_diags_count(const struct config_diags *d, enum config_severity sev);

/* All diagnostics, one per line: "source:line:col: error: msg" (no line and
 * column for whole-file messages). Never NULL; caller frees. */
char *config_diags_format(const struct config_diags *d);

/* Free the messages and the source name; d is empty afterwards. */
void config_diags_free(struct config_diags *d);

#endif
