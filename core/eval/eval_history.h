/* eval_history: store a finished evaluation run and compare it with the
 * previous run of the same golden set and parameters.
 *
 * Shared by `ragdeck eval` and the app's eval pane, so runs from either
 * compare with each other. */
#ifndef RAGDECK_EVAL_HISTORY_H
#define RAGDECK_EVAL_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/eval/eval.h"

struct config;
struct store;
struct cJSON;

/* What a stored run is and how it compares. */
struct eval_history {
	int64_t run_id;
	int64_t prev_id;                /* 0: first run of this set and parameters */
	struct cJSON *prev_summary;     /* NULL without a previous run */
	struct cJSON *regressions;      /* array of {"id", "what"}; NULL without a previous run */
};

/* Hash of the set's canonical text (comments and layout do not count) as
 * 16 hex digits into out. */
void eval_set_hash(const struct golden_set *set, char out[17]);

/* The parameters a run is stored and compared under: model, top_k,
 * max_context_tokens. A caller adds what else sets the run apart (a
 * retrieval mode, a swept key) before eval_history_save. Caller frees with
 * cJSON_Delete. */
struct cJSON *eval_params_new(const char *model, int top_k, int max_context);

/* Store the run of set (results res[0..set->n_items), overall summary
 * overall) under golden_id (the set's real path) with a snapshot of cfg (no
 * secrets) and params (eval_params_new), after comparing with the previous
 * run of the same set and parameters. Returns 0 or -1 with err; free out
 * with eval_history_free in both cases. */
int eval_history_save(struct store *s, const struct config *cfg, const char *golden_id,
                   const struct golden_set *set, const struct eval_item_result *res,
                   const struct eval_summary *overall, const struct cJSON *params,
                   struct eval_history *out, char *err, size_t errlen);

void eval_history_free(struct eval_history *st);

#endif
