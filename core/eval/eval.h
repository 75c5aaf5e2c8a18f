/* eval: run a golden set through full turns and score it.
 *
 * Every item is asked through turn_start + llm_client_run, the same code
 * `ragdeck ask` uses, then scored: retrieval metrics (eval_metrics.h)
 * from the turn's hits, the turn's lexical grounding score, format and
 * must-contain checks on the answer, spans, tokens and cost. Summaries
 * reuse the metrics window, so percentiles, cost per query and per
 * successful answer, and the threshold alerts are the ones `ragdeck
 * stats` computes. The optional LLM judge (judge_eval.h) runs afterwards
 * on the finished results; its numbers stay in their own fields. */
#ifndef RAGDECK_EVAL_H
#define RAGDECK_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/eval/eval_metrics.h"
#include "core/eval/golden.h"
#include "core/llm/llm.h"
#include "core/answer/metrics.h"
#include "core/search/retrieve.h"
#include "core/answer/router.h"

struct cJSON;
struct turn_env;

/* The result of one check on an answer. */
enum eval_check { EVAL_CHECK_NA, EVAL_CHECK_PASS, EVAL_CHECK_FAIL };

enum eval_check_kind { EVAL_IS_JSON, EVAL_SCHEMA, EVAL_REGEX, EVAL_MUST_CONTAIN, EVAL_N_CHECKS };

/* What the LLM judge made of an item (core/eval/judge_eval.h). */
enum eval_judge_status { EVAL_JUDGE_NOT_ASKED, EVAL_JUDGE_JUDGED, EVAL_JUDGE_UNJUDGED };

struct eval_judge {
	enum eval_judge_status status;
	const char *model;                /* the judge model (not owned); NULL when not asked */
	const char *prompt_version;       /* static */
	bool cached;                      /* the verdict came from the store: no request */
	int claims, supported;            /* the answer's claims, those the context supports;
	                                   * faithfulness = supported / claims (none without claims) */
	double relevance;                 /* 0..1 */
	char *reason;                     /* judged: the relevance reason; unjudged: why (owned,
	                                   * untrusted: sanitize before printing) */
	long tokens_in, tokens_out;       /* of this run's requests (0 for a cached verdict) */
	double cost_usd;                  /* of those tokens, when cost_known */
	bool cost_known;                  /* the judge model has a price */
};

struct eval_item_result {
	const struct golden_item *item;   /* points into the caller's set */
	char *answer;
	char *model;
	enum llm_outcome outcome;
	char *error;                      /* "" when none */
	struct eval_retrieval retrieval;
	enum router_path path;            /* where the router sent the question */
	bool stale_first;                 /* an outdated source (item->stale) ranked above
	                                   * every relevant one */
	bool declined;                    /* the answer says the documents do not contain one */
	enum eval_check check[EVAL_N_CHECKS];
	bool passed;                      /* answered and no check failed */
	struct metrics_turn metrics;      /* spans, tokens, cost, grounding, and the summary of
	                                   * chunks over budget (summarize_called, summarized,
	                                   * its tokens and cost) */
	char *summary_error;              /* why the turn went on without that summary; NULL
	                                   * when it was placed or none was tried */
	struct retrieve_result hits;      /* with eval_opts.keep_retrieval: what the turn
	                                   * retrieved (empty when it did not) */
	char *context;                    /* the context blocks the answer was given, each
	                                   * "[n] text"; "" without any */
	struct eval_judge judge;          /* NOT_ASKED unless judge_eval_run ran */
};

struct eval_opts {
	const char *model;                /* NULL: routing.default_model */
	int top_k;                        /* 0: routing.paths.retrieval.top_k */
	enum retrieve_mode mode;          /* hybrid, or one list alone */
	const char *nonce;                /* NULL: random per turn */
	bool keep_retrieval;              /* keep each turn's retrieved chunks in its result */
	/* Called after each item (may be NULL). */
	void (*progress)(void *ud, size_t done, size_t total, const struct eval_item_result *r);
	void *ud;
};

/* Run every item of set through a turn in env (without a router or
 * breakers in env, one of each is built for the whole run). Returns 0 with
 * results[set->n_items] in *out (free with eval_results_free), or -1 with
 * err when the router cannot be built or the transport failed as a whole. A failing item is a result
 * (outcome failed, error set), not an error. */
int eval_run(const struct turn_env *env, const struct golden_set *set, const struct eval_opts *opts,
             struct eval_item_result **out, char *err, size_t errlen);

void eval_results_free(struct eval_item_result *r, size_t n);

/* Score answer against item's checks into check[EVAL_N_CHECKS]; returns
 * true when none failed. */
bool eval_check_answer(const struct golden_item *item, const char *answer, enum eval_check *check);

struct eval_summary {
	size_t items;
	size_t passed;
	size_t n_retrieval;               /* items with defined retrieval metrics */
	double recall_1, recall_k, precision_k, mrr10, ndcg10, context_precision, context_recall;
	size_t n_stale, stale_first;      /* items with outdated sources; how many ranked one first */
	size_t declined;                  /* items with sources whose answer declined */
	size_t routes[ROUTER_DIRECT + 1]; /* items per router path */
	size_t checked[EVAL_N_CHECKS], check_passed[EVAL_N_CHECKS];
	long tokens_in, tokens_out;
	struct metrics_summary m;         /* spans, cost, grounding (the hallucination_score) */
	struct eval_judge_summary {       /* the LLM judge, apart from every offline number */
		const char *model;            /* NULL: no item was put to a judge */
		const char *prompt_version;
		size_t asked, judged, unjudged, cached;
		size_t no_claims;             /* judged items whose answer made no claim */
		double faithfulness;          /* mean over judged items with claims */
		double relevance;             /* mean over judged items */
		long tokens_in, tokens_out;
		double cost_usd;              /* when cost_known */
		bool cost_known;
	} judge;
};

/* Summarise the results of category (-1: all). */
void eval_summarize(const struct eval_item_result *r, size_t n, int category, struct eval_summary *out);

/* Name of a check ("is_json", "schema", "regex", "must_contain"). */
const char *eval_check_name(enum eval_check_kind k);

/* JSON of a summary, and of one item's scores (the object regressions are
 * computed from: numbers where higher is better, booleans where true is a
 * pass). Each has a "judge" object when the judge was asked, which
 * regressions leave alone. Caller frees with cJSON_Delete. */
struct cJSON *eval_summary_json(const struct eval_summary *s);
struct cJSON *eval_item_json(const struct eval_item_result *r);

/* An item's summary of chunks over budget (retrieval.summarize_over_budget)
 * as JSON: {"called", "placed", "error", "input_tokens", "output_tokens",
 * "cost_usd"}; JSON null when the turn tried none. Kept apart from
 * eval_item_json, whose numbers are compared as scores. Caller frees with
 * cJSON_Delete. */
struct cJSON *eval_item_summary_json(const struct eval_item_result *r);

/* Items of cur that regressed against prev, both objects mapping item id
 * to eval_item_json scores: a number that dropped or a boolean that went
 * from true to false. Returns an array of {"id", "what"} (what names each
 * metric, "recall_k 1.00 -> 0.00"); caller frees with cJSON_Delete. */
struct cJSON *eval_regressions(const struct cJSON *prev, const struct cJSON *cur);

#endif
