#include "core/eval/eval_history.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "store/evalstore.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eval_set_hash(const struct golden_set *set, char out[17])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	golden_write_jsonl(f, set->items, set->n_items);
	fclose(f);
	hash64_hex(buf, len, out);
	free(buf);
}

static char *config_text(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print(cfg, f);
	fclose(f);
	return buf;
}

static int previous_scores_row(void *ud, const struct evalstore_result *r)
{
	cJSON *m = cJSON_Parse(r->metrics_json);
	cJSON_AddItemToObject(ud, r->item_id, m ? m : cJSON_CreateObject());
	return 0;
}

static int compare_previous(struct store *s, const char *golden_id, const struct golden_set *set,
                            const struct eval_item_result *res, const char *params,
                            struct eval_history *out, char *err, size_t errlen)
{
	char *summary = NULL;
	int rc = evalstore_previous_run(s, golden_id, params, 0, &out->prev_id, err, errlen);
	if (rc != 0) {
		out->prev_id = 0;
		return rc < 0 ? -1 : 0;
	}
	cJSON *prev = cJSON_CreateObject(), *cur = cJSON_CreateObject();
	rc = evalstore_results_each(s, out->prev_id, previous_scores_row, prev, err, errlen);
	if (rc == 0)
		rc = evalstore_run_summary(s, out->prev_id, &summary, err, errlen) < 0 ? -1 : 0;
	if (rc == 0) {
		for (size_t i = 0; i < set->n_items; i++)
			cJSON_AddItemToObject(cur, res[i].item->id, eval_item_json(&res[i]));
		out->regressions = eval_regressions(prev, cur);
		out->prev_summary = summary ? cJSON_Parse(summary) : NULL;
	}
	cJSON_Delete(prev);
	cJSON_Delete(cur);
	free(summary);
	return rc;
}

cJSON *eval_params_new(const char *model, int top_k, int max_context)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "model", model);
	cJSON_AddNumberToObject(p, "top_k", top_k);
	cJSON_AddNumberToObject(p, "max_context_tokens", max_context);
	return p;
}

int eval_history_save(struct store *s, const struct config *cfg, const char *golden_id,
                   const struct golden_set *set, const struct eval_item_result *res,
                   const struct eval_summary *overall, const cJSON *pj,
                   struct eval_history *out, char *err, size_t errlen)
{
	char hash[17];
	cJSON *sj = eval_summary_json(overall);
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(pj, "model");
	memset(out, 0, sizeof *out);
	char *params = cJSON_PrintUnformatted(pj), *summary = cJSON_PrintUnformatted(sj);
	char *conf = config_text(cfg);
	eval_set_hash(set, hash);
	struct evalstore_run row = {
		.started_at = clock_unix_now(), .golden_path = golden_id, .golden_hash = hash,
		.config = conf, .model = cJSON_GetStringValue(model), .params_json = params, .summary_json = summary,
	};
	int rc = compare_previous(s, golden_id, set, res, params, out, err, errlen);
	if (rc == 0)
		rc = store_batch_begin(s, err, errlen);
	if (rc == 0)
		rc = evalstore_run_insert(s, &row, &out->run_id, err, errlen);
	for (size_t i = 0; rc == 0 && i < set->n_items; i++) {
		cJSON *m = eval_item_json(&res[i]);
		char *mj = cJSON_PrintUnformatted(m);
		struct evalstore_result er = {
			.item_id = res[i].item->id, .category = golden_category_name(res[i].item->category),
			.metrics_json = mj, .answer = res[i].answer, .passed = res[i].passed,
		};
		rc = evalstore_result_insert(s, out->run_id, &er, err, errlen);
		cJSON_free(mj);
		cJSON_Delete(m);
	}
	if (rc == 0)
		rc = store_batch_commit(s, err, errlen);
	cJSON_Delete(sj);
	cJSON_free(params);
	cJSON_free(summary);
	free(conf);
	return rc;
}

void eval_history_free(struct eval_history *st)
{
	cJSON_Delete(st->prev_summary);
	cJSON_Delete(st->regressions);
	memset(st, 0, sizeof *st);
}
