#include "core/answer/query_log.h"
#include "core/answer/turn.h"
#include "core/search/result_json.h"
#include "core/util/clock.h"
#include "store/query_log.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static char *spans_json(const struct metrics_turn *m)
{
	cJSON *o = cJSON_CreateObject();
	for (int s = 0; s < METRICS_N_SPANS; s++)
		if (m->spans & (1u << s))
			cJSON_AddNumberToObject(o, metrics_span_name((enum metrics_span)s), (double)m->span_us[s]);
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

cJSON *query_log_hops(const struct turn_record *r)
{
	cJSON *hops = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_hops; i++) {
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "model", r->hops[i].model);
		cJSON_AddStringToObject(h, "reason", r->hops[i].reason);
		cJSON_AddItemToArray(hops, h);
	}
	return hops;
}

/* nums[0..n) as a JSON array. */
static cJSON *int_array(const int *nums, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(nums[i]));
	return a;
}

cJSON *query_log_summary(const struct turn_record *r)
{
	const struct summary_report *s = &r->summary;
	if (!s->attempted)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "model", s->model);
	cJSON_AddStringToObject(o, "provider", s->provider);
	cJSON_AddBoolToObject(o, "used", s->used);
	result_json_add_string_or_null(o, "error", s->error);
	cJSON_AddItemToObject(o, "labels", int_array(s->labels, s->n_labels));
	cJSON *ids = cJSON_AddArrayToObject(o, "chunk_ids");
	for (size_t i = 0; i < s->n_chunks; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)s->chunk_ids[i]));
	cJSON_AddNumberToObject(o, "room", s->room);
	cJSON_AddNumberToObject(o, "tokens", s->tokens);
	cJSON_AddBoolToObject(o, "trimmed", s->trimmed);
	result_json_add_string_or_null(o, "text", s->text);
	cJSON_AddBoolToObject(o, "called", s->called);
	cJSON *u = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(u, "input_tokens", (double)s->usage.input_tokens);
	cJSON_AddNumberToObject(u, "output_tokens", (double)s->usage.output_tokens);
	cJSON_AddBoolToObject(u, "estimated", s->usage.estimated != 0);
	cJSON_AddNumberToObject(o, "latency_us", (double)s->latency_us);
	cJSON_AddNumberToObject(o, "http_status", (double)s->http_status);
	cJSON_AddNumberToObject(o, "retries", s->retries);
	if (s->cost_known)
		cJSON_AddNumberToObject(o, "cost_usd", s->cost_usd);
	else
		cJSON_AddNullToObject(o, "cost_usd");
	return o;
}

static char *decision_json(const struct turn_record *r)
{
	const struct router_decision *d = &r->decision;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", router_path_name(d->path));
	cJSON_AddStringToObject(o, "wanted", router_path_name(d->wanted));
	cJSON_AddStringToObject(o, "model", d->model ? d->model : "");
	cJSON_AddStringToObject(o, "rule", d->rule ? d->rule : "");
	cJSON_AddStringToObject(o, "sentence", d->sentence ? d->sentence : "");
	cJSON_AddBoolToObject(o, "no_grounding", d->no_grounding);
	cJSON_AddNumberToObject(o, "facts_score", d->facts_score);
	cJSON_AddNumberToObject(o, "format_score", d->format_score);
	cJSON *chain = cJSON_AddArrayToObject(o, "chain");
	for (size_t i = 0; i < d->n_chain; i++)
		cJSON_AddItemToArray(chain, cJSON_CreateString(d->chain[i]));
	cJSON *sig = cJSON_AddArrayToObject(o, "signals");
	for (size_t i = 0; i < d->n_signals; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", d->signals[i].name);
		cJSON_AddStringToObject(s, "axis", d->signals[i].axis == ROUTER_AXIS_FACTS ? "facts" : "format");
		cJSON_AddNumberToObject(s, "value", d->signals[i].value);
		cJSON_AddNumberToObject(s, "contribution", d->signals[i].contribution);
		cJSON_AddStringToObject(s, "evidence", d->signals[i].evidence ? d->signals[i].evidence : "");
		cJSON_AddItemToArray(sig, s);
	}
	cJSON_AddItemToObject(o, "hops", query_log_hops(r));
	cJSON_AddBoolToObject(o, "format_checked", r->format_checked);
	cJSON_AddBoolToObject(o, "format_ok", r->format_ok);
	cJSON_AddBoolToObject(o, "leaked_system_prompt", r->leaked_system_prompt);
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

static char *retrieval_json(const struct turn_record *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *hits = cJSON_AddArrayToObject(o, "hits");
	for (size_t i = 0; i < r->retrieval.n_hits; i++)
		cJSON_AddItemToArray(hits, result_json_hit_logged(&r->retrieval.hits[i]));
	if (r->retrieval.vector_error)
		cJSON_AddStringToObject(o, "vector_error", r->retrieval.vector_error);
	cJSON_AddNumberToObject(o, "embed_tokens", (double)r->metrics.embed_tokens);
	cJSON_AddNumberToObject(o, "embed_cost_usd", r->metrics.embed_cost_usd);
	cJSON_AddNumberToObject(o, "budget_tokens", r->retrieval.pack.budget);
	cJSON_AddNumberToObject(o, "used_tokens", r->retrieval.pack.total_tokens);
	cJSON_AddNumberToObject(o, "flagged_blocks", (double)r->prompt.n_flagged);
	cJSON_AddItemToObject(o, "summary", query_log_summary(r));
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

int query_log_write(struct store *s, int64_t session_id, const struct turn_record *r, int64_t *id,
                   char *err, size_t errlen)
{
	const struct metrics_turn *m = &r->metrics;
	char *spans = spans_json(m), *decision = decision_json(r), *retrieval = retrieval_json(r);
	struct store_query_row row = {
		.session_id = session_id,
		.created_ms = clock_unix_now() * 1000,
		.question = r->question, .answer = r->answer,
		.path = router_path_name(r->decision.path), .model = r->model, .provider = r->provider,
		.outcome = metrics_outcome_name(m->outcome), .error = r->error,
		.tokens_in = m->tokens_in, .tokens_out = m->tokens_out, .tokens_estimated = !m->usage_reported,
		.context_tokens = m->context_tokens, .question_tokens = m->question_tokens,
		.prompt_tokens = r->prompt.total_tokens,
		.cost_usd = m->cost_usd,
		.total_us = (int64_t)r->total_us, .ttft_us = (int64_t)r->ttft_us,
		.has_grounding = m->has_grounding, .grounding = m->grounding,
		.has_unsupported = m->has_unsupported, .unsupported_sentences = m->unsupported_sentences,
		.spans_json = spans, .decision_json = decision, .retrieval_json = retrieval,
	};
	int rc = store_query_insert(s, &row, id, err, errlen);
	cJSON_free(spans);
	cJSON_free(decision);
	cJSON_free(retrieval);
	return rc;
}
