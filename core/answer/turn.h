/* turn: one assistant turn — retrieve, build the grounded prompt, stream
 * the answer — driven by the caller's loop.
 *
 * Retrieval and prompt building run synchronously inside turn_start (a few
 * milliseconds); the answer then streams on the caller's llm_client, and
 * the caller's callbacks see text as it arrives and the finished record.
 * With retrieval.summarize_over_budget set and chunks left out for budget,
 * a summarize call (core/answer/summarize.h) runs first on the same
 * client; the prompt is built and the answer started when it ends, however
 * it ends. */
#ifndef RAGDECK_TURN_H
#define RAGDECK_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/llm/llm.h"
#include "core/answer/metrics.h"
#include "core/answer/prompt.h"
#include "core/search/retrieve.h"
#include "core/answer/router.h"
#include "core/answer/summarize.h"
#include "core/answer/support.h"

struct config;
struct store;
struct breaker_set;

/* What turns share for a session. The caller owns every member; all but
 * cfg and client may be NULL. */
struct turn_env {
	const struct config *cfg;
	struct retriever *retriever;   /* NULL: no retrieval (empty collection) */
	struct llm_client *client;
	struct router *router;         /* NULL: one built from cfg for this turn */
	struct breaker_set *breakers;  /* NULL: fresh breakers for this turn */
	struct store *log;             /* NULL: turns are not written to the query log */
	int64_t session_id;            /* query log session; 0: none */
	struct metrics_window *window; /* NULL: no rolling percentiles */
};

/* A model of the fallback chain that did not answer, and why. */
struct turn_hop {
	char *model;
	char *reason;
};

struct turn_opts {
	const char *model;             /* NULL: the router's choice (or routing.default_model) */
	int top_k;                     /* 0: routing.paths.retrieval.top_k */
	enum retrieve_mode mode;       /* hybrid (the default), or one list alone */
	bool no_retrieval;             /* answer without context */
	const char *nonce;             /* NULL: random (tests pass one) */
	const char *input;             /* input the user supplied with the question (a piped
	                                * log): its own block in the prompt, and its last
	                                * lines join the question in the retrieval query */
	size_t input_len;
};

/* Everything known about a turn once it has finished. */
struct turn_record {
	char *question;
	char *model;
	char *provider;
	struct retrieve_result retrieval;
	struct prompt prompt;
	enum llm_outcome outcome;
	char *answer;
	size_t answer_len;
	char *finish_reason;
	char *error;                   /* "" when none */
	struct llm_usage usage;
	uint64_t ttft_us, generation_us, total_us, retrieve_us, prompt_us;
	double tokens_per_sec;
	long http_status;
	int retries;
	struct router_decision decision;  /* path, signals, rule, sentence, chain */
	struct turn_hop *hops;         /* chain models skipped or failed before `model` */
	size_t n_hops;
	struct metrics_turn metrics;   /* spans, tokens, cost, outcome */
	bool format_checked;           /* the path asked for JSON: the answer was checked */
	bool format_ok;
	bool leaked_system_prompt;
	struct support_result support; /* per-sentence marks; empty without context blocks */
	struct summary_report summary; /* the chunks left out for budget, condensed or why not */
	int64_t query_id;              /* query log row; 0 when not logged */
};

struct turn_callbacks {
	/* A piece of answer text (not NUL-terminated, not sanitised). */
	void (*on_text)(void *ud, const char *text, size_t len);
	/* The turn finished; rec stays valid until turn_free. */
	void (*on_done)(void *ud, const struct turn_record *rec);
	void *ud;
};

struct turn;

/* Start a turn for question. Returns 0 with *out set (free with
 * turn_free after on_done), or -1 with a one-line err (retrieval failed,
 * provider unavailable) and no callbacks. While a summarize call runs the
 * answer has not started: when it then cannot start (no usable model, the
 * prompt failed), on_done reports the turn failed with that err. */
int turn_start(const struct turn_env *env, const char *question, const struct turn_opts *opts,
               const struct turn_callbacks *cbs, struct turn **out, char *err, size_t errlen);

/* How a turn routes a question, without answering it. */
struct turn_routing {
	struct router_decision decision;  /* free with router_decision_free */
	struct retrieve_result retrieval; /* the probe's; free with retrieve_result_free */
	bool retrieved;                   /* the probe ran and succeeded */
	char probe_error[512];            /* why the probe failed; "" when it did not */
	uint64_t route_us, retrieve_us;
};

/* Route question as turn_start does: the router's first look (prefix,
 * config rules), the retrieval probe unless that look names a path without
 * documents, then the decision with the probe's signals. env->router must
 * be set. A failed probe is not an error: the decision degrades and
 * probe_error says why. */
void turn_route(const struct turn_env *env, const char *question, const struct turn_opts *opts,
                struct turn_routing *out);

/* Cancel a running turn: the connection closes, the partial answer stays. */
void turn_cancel(struct turn *t);

/* True once on_done has run. */
bool turn_done(const struct turn *t);

/* True while the summarize call runs (the answer waits for it). */
bool turn_summarizing(const struct turn *t);

/* The record (complete once turn_done). */
const struct turn_record *turn_record(const struct turn *t);

/* Move the record's retrieval into *out (the caller frees it with
 * retrieve_result_free); the record keeps an empty one. */
void turn_take_retrieval(struct turn *t, struct retrieve_result *out);

/* Free the turn and its record; NULL-safe; clears *t. */
void turn_free(struct turn **t);

#endif
