/* metrics: per-turn spans, tokens and cost; rolling exact percentiles and
 * alerts over the last N turns and over the last M milliseconds.
 *
 * Percentiles are nearest-rank: the p-th percentile of n values is the
 * value at 1-based rank ceil(p * n / 100) of the values in ascending order
 * (so p50 of {1, 2, 3, 4} is 2 and p99 of fewer than 100 values is the
 * maximum). They are exact: the window keeps, per span and per scope, its
 * values in a sorted array. Adding a turn inserts into each array
 * (binary search + memmove) and drops the turns that left the window in
 * one filtering pass, so a turn costs O(N) for a window of N turns (times
 * the nine spans), and reading a percentile costs O(1). The other
 * aggregates (outcomes, cost, expansion, grounding) are summed over the
 * window's turns when a summary is asked for, O(N).
 *
 * Timestamps are the caller's (milliseconds, any epoch, non-decreasing: a
 * turn older than the previous one is filed at the previous time). */
#ifndef RAGDECK_METRICS_H
#define RAGDECK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_price;

enum metrics_span {
	METRICS_SPAN_ROUTE,
	METRICS_SPAN_EMBED,
	METRICS_SPAN_VECTOR,
	METRICS_SPAN_FTS,
	METRICS_SPAN_FUSE,
	METRICS_SPAN_RERANK,      /* only turns that called a reranker */
	METRICS_SPAN_PACK,
	METRICS_SPAN_TTFT,        /* request sent -> first token */
	METRICS_SPAN_GENERATION,  /* first token -> last token */
	METRICS_SPAN_TOTAL,       /* question -> answer complete */
	METRICS_N_SPANS
};

enum metrics_outcome {
	METRICS_OK,
	METRICS_INTERRUPTED,      /* the user stopped the answer */
	METRICS_FAILED,
	METRICS_FELL_BACK,        /* answered, by a model further down the chain */
	METRICS_N_OUTCOMES
};

/* One turn. Zero-initialise, then set what was measured. */
struct metrics_turn {
	int64_t at_ms;
	uint64_t span_us[METRICS_N_SPANS];
	unsigned spans;           /* bit 1u << span: that span was measured */
	int question_tokens;
	int tokens_in;            /* the whole prompt, as a provider could bill it: 0 when it never got there */
	int tokens_out;
	int context_tokens;
	bool usage_reported;      /* tokens_in/out came from the provider */
	enum metrics_outcome outcome;
	bool has_grounding;
	double grounding;         /* 0..1, from the evaluator */
	bool has_unsupported;     /* the answer had counted sentences (support.h) */
	int unsupported_sentences;
	long embed_tokens;        /* the question's embedding (HTTP embedders) */
	bool summarize_called;    /* a summarize call went out (retrieval.summarize_over_budget) */
	bool summarized;          /* and its summary went into the context */
	long summary_tokens_in, summary_tokens_out;
	double summary_cost_usd;  /* of that call at its model's price (0 without one); the
	                           * caller's (summary_report_price); part of cost_usd */
	/* set by metrics_turn_finish: */
	double embed_cost_usd;    /* of embed_tokens; part of cost_usd */
	double answer_cost_usd;   /* of tokens_in and tokens_out alone; part of cost_usd */
	double cost_usd;
	bool cost_known;          /* the model has a price */
	bool cost_estimated;      /* priced from estimated tokens (none: not estimated) */
	double expansion;         /* tokens_in / question_tokens; 0 without a question or
	                           * when no prompt reached the model */
};

/* Name of a span ("route", "embed", "vector", "fts", "fuse", "rerank", "pack",
 * "ttft", "generation", "total") or outcome ("ok", "interrupted", "failed",
 * "fell_back"). */
const char *metrics_span_name(enum metrics_span s);
const char *metrics_outcome_name(enum metrics_outcome o);

/* Record span s of t as us microseconds. */
void metrics_turn_span(struct metrics_turn *t, enum metrics_span s, uint64_t us);

/* USD for in and out tokens at price p (per million tokens). */
double metrics_cost_usd(const struct config_price *p, long in, long out);

/* Price t for model with c's pricing table (exact name, else the longest
 * priced prefix), add its question embedding (embed_tokens at the price of
 * c's embedding model) and its summarize call (summary_cost_usd), and
 * compute its expansion. A model without a price leaves cost_known false
 * and cost_usd the embedding's and the summary's alone. */
void metrics_turn_finish(struct metrics_turn *t, const struct config *c, const char *model);

/* The nearest-rank p-th percentile (0 < p <= 100) of sorted[0..n); 0 when
 * n is 0. */
uint64_t metrics_percentile(const uint64_t *sorted, size_t n, unsigned p);

struct metrics_window;

/* A window over the last last_n turns and the last last_ms milliseconds,
 * keeping at most capacity turns (raised to last_n when smaller; a time
 * window holding more than capacity turns loses its oldest and says so in
 * the summary). Never NULL; free with metrics_window_free. */
struct metrics_window *metrics_window_new(size_t last_n, int64_t last_ms, size_t capacity);

/* Free *w and clear the pointer; NULL-safe. */
void metrics_window_free(struct metrics_window **w);

/* Add a finished turn (copied). O(N); see the top of this file. */
void metrics_window_add(struct metrics_window *w, const struct metrics_turn *t);

enum metrics_scope { METRICS_LAST_N, METRICS_LAST_TIME };

struct metrics_pct {
	size_t n;                 /* turns that measured this span */
	uint64_t p50, p95, p99;   /* microseconds */
};

struct metrics_summary {
	enum metrics_scope scope;
	size_t turns;
	bool truncated;           /* time scope: turns within the time were dropped for capacity */
	struct metrics_pct span[METRICS_N_SPANS];
	size_t outcomes[METRICS_N_OUTCOMES];
	double error_rate;        /* failed / turns */
	double fallback_rate;     /* fell_back / turns */
	size_t n_priced;          /* turns whose model has a price */
	size_t n_estimated;       /* priced turns priced from estimated tokens */
	double cost_total;        /* USD over priced turns */
	double cost_per_query;    /* cost_total / n_priced */
	double cost_per_success;  /* cost_total / priced turns that answered (ok or fell_back) */
	long embed_tokens;        /* question embeddings over all turns */
	double embed_cost;        /* their USD; in cost_total for priced turns */
	size_t n_summarize_calls; /* turns that made a summarize call */
	size_t n_summarized;      /* ... whose summary went into the context */
	long summary_tokens_in, summary_tokens_out;
	double summary_cost;      /* USD of those calls over all turns; in cost_total for priced turns */
	double extra_cost_unpriced; /* embed_cost and summary_cost of turns whose answering model
	                           * has no price: known, but outside cost_total */
	double expansion_mean;    /* over turns with a question whose prompt reached the model */
	size_t n_grounded;
	double grounding_mean;    /* over turns with a grounding score */
	size_t n_marked;          /* turns with support marks */
	double unsupported_mean;  /* unsupported sentences per answer, over those */
};

/* Summarise scope at now_ms (the time scope first drops turns older than
 * now_ms - last_ms, for good: now_ms must not go back). Rates and means
 * are 0 when nothing counts. */
void metrics_window_summary(struct metrics_window *w, enum metrics_scope scope, int64_t now_ms,
                            struct metrics_summary *out);

struct metrics_alerts {
	bool latency;             /* total p95 over latency_p95_ms */
	bool grounding;           /* mean grounding under the threshold */
	char latency_msg[160];    /* "" when not firing */
	char grounding_msg[160];
};

/* Alerts of s against evaluation.alert_thresholds (latency_p95_ms,
 * hallucination_score) of c. */
void metrics_alerts_check(const struct metrics_summary *s, const struct config *c,
                          struct metrics_alerts *out);

#endif
