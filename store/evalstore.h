/* evalstore: evaluation runs and results (eval_runs, eval_results), and
 * the rows evaluation data is made from (reviewer marks, approved turns).
 *
 * Summaries, metrics and parameters are JSON documents built by the
 * caller; the store keeps them as text. */
#ifndef RAGDECK_EVALSTORE_H
#define RAGDECK_EVALSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct evalstore_run {
	int64_t id;               /* set by the store */
	int64_t started_at;       /* Unix seconds */
	const char *golden_path;  /* the identity of a golden set across runs */
	const char *golden_hash;
	const char *config;       /* config_print output (no secrets) */
	const char *model;
	const char *params_json;
	const char *summary_json;
};

struct evalstore_result {
	const char *item_id;
	const char *category;
	const char *metrics_json;
	const char *answer;
	bool passed;
};

/* Add a run; *id gets its row id. Returns 0 or -1 with err. */
int evalstore_run_insert(struct store *s, const struct evalstore_run *run, int64_t *id, char *err,
                         size_t errlen);

/* Add the result of one item to run run_id. Returns 0 or -1 with err. */
int evalstore_result_insert(struct store *s, int64_t run_id, const struct evalstore_result *r,
                            char *err, size_t errlen);

/* The latest run of golden_path with the same params_json, older than
 * run before_id (0: the latest of all). Returns 0 with *prev set, 1 when
 * there is none, -1 with err. */
int evalstore_previous_run(struct store *s, const char *golden_path, const char *params_json,
                           int64_t before_id, int64_t *prev, char *err, size_t errlen);

/* The summary JSON of run id into *json (caller frees). Returns 0, 1 when
 * there is no such run, -1 with err. */
int evalstore_run_summary(struct store *s, int64_t id, char **json, char *err, size_t errlen);

/* Call fn for each result of run_id in item order (strings valid during
 * the call only). A non-zero return from fn stops the walk and is
 * returned. Returns 0, fn's value, or -1 with err. */
int evalstore_results_each(struct store *s, int64_t run_id,
                           int (*fn)(void *ud, const struct evalstore_result *r), void *ud,
                           char *err, size_t errlen);

/* A reviewer mark of a chunk as relevant to a question. */
struct evalstore_mark {
	const char *question;
	const char *path;
	int line_start, line_end;
};

/* Call fn for each relevant mark (feedback.relevant = 1), grouped by
 * question in the order questions were first marked. Same contract as
 * evalstore_results_each. */
int evalstore_marks_each(struct store *s, int (*fn)(void *ud, const struct evalstore_mark *m), void *ud,
                         char *err, size_t errlen);

/* An approved assistant message with the user message before it. */
struct evalstore_pair {
	int64_t message_id;
	const char *question;
	const char *answer;
};

/* Call fn for each approved assistant message (messages.approved = 1)
 * that follows a user message of its session, oldest first. Same
 * contract as evalstore_results_each. */
int evalstore_approved_each(struct store *s, int (*fn)(void *ud, const struct evalstore_pair *p),
                            void *ud, char *err, size_t errlen);

/* The identity of a cached judge verdict (table judge_verdicts). */
struct evalstore_judge_key {
	const char *item_id;          /* "" for a subject without an id (a training pair) */
	const char *content_hash;     /* hash of everything the judge was shown */
	const char *judge_model;
	const char *prompt_version;
};

/* The verdict cached under key into *verdict (caller frees). Returns 0, 1
 * when none is cached, -1 with err. */
int evalstore_judge_get(struct store *s, const struct evalstore_judge_key *key, char **verdict, char *err,
                        size_t errlen);

/* What one judge verdict cost to get: its tokens, and its USD when the
 * judge model has a price (cost_known). */
struct evalstore_judge_cost {
	long tokens_in, tokens_out;
	double cost_usd;
	bool cost_known;
};

/* Cache verdict (a JSON document) under key, replacing one cached there,
 * with what getting it cost and the time now. Returns 0 or -1 with err. */
int evalstore_judge_put(struct store *s, const struct evalstore_judge_key *key, const char *verdict,
                        const struct evalstore_judge_cost *cost, char *err, size_t errlen);

/* The newest verdict cached for content_hash under prompt_version (any
 * item id) by judge_model, or by any model when judge_model is NULL, into
 * *verdict and its model into *model (caller frees both). Returns 0, 1
 * when there is none, -1 with err. */
int evalstore_judge_latest(struct store *s, const char *content_hash, const char *prompt_version,
                           const char *judge_model, char **verdict, char **model, char *err, size_t errlen);

#endif
