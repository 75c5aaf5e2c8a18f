/* eval: golden items through full turns, scored and summarised. */
#include "core/eval/eval.h"
#include "core/util/error.h"
#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/llm/local.h"
#include "core/answer/prompt.h"
#include "core/answer/turn.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A drop smaller than this is rounding, not a regression. */
#define REGRESSION_EPS 1e-9

static const char *const check_names[EVAL_N_CHECKS] = {
	[EVAL_IS_JSON] = "is_json",
	[EVAL_SCHEMA] = "schema",
	[EVAL_REGEX] = "regex",
	[EVAL_MUST_CONTAIN] = "must_contain",
};

const char *eval_check_name(enum eval_check_kind k)
{
	return k < EVAL_N_CHECKS ? check_names[k] : "?";
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

static enum eval_check verdict(bool ok)
{
	return ok ? EVAL_CHECK_PASS : EVAL_CHECK_FAIL;
}

bool eval_check_answer(const struct golden_item *item, const char *answer, enum eval_check *check)
{
	char err[ERR_LEN];
	bool ok = true;
	for (int i = 0; i < EVAL_N_CHECKS; i++)
		check[i] = EVAL_CHECK_NA;
	if (item->format == GOLDEN_FORMAT_JSON) {
		cJSON *json = NULL;
		check[EVAL_IS_JSON] = verdict(prompt_check_json(answer, &json, err, sizeof err) == 0);
		if (item->schema)
			check[EVAL_SCHEMA] = verdict(json && prompt_check_schema(json, item->schema, err, sizeof err) == 0);
		cJSON_Delete(json);
	} else if (item->format == GOLDEN_FORMAT_REGEX) {
		check[EVAL_REGEX] = verdict(prompt_check_regex(answer, item->pattern, err, sizeof err) == 0);
	}
	if (item->n_must_contain) {
		bool all = true;
		for (size_t i = 0; i < item->n_must_contain; i++)
			all = all && contains_nocase(answer, item->must_contain[i]);
		check[EVAL_MUST_CONTAIN] = verdict(all);
	}
	for (int i = 0; i < EVAL_N_CHECKS; i++)
		ok = ok && check[i] != EVAL_CHECK_FAIL;
	return ok;
}

static struct eval_source *sources_of(const struct golden_source *g, size_t n)
{
	struct eval_source *src = xcalloc(n + 1, sizeof *src);
	for (size_t i = 0; i < n; i++)
		src[i] = (struct eval_source){ g[i].path, g[i].line_start, g[i].line_end };
	return src;
}

static void score_retrieval(struct eval_item_result *r, const struct turn_record *rec, int k)
{
	const struct golden_item *item = r->item;
	const struct retrieve_result *rr = &rec->retrieval;
	struct eval_hit *hits = xcalloc(rr->n_hits + 1, sizeof *hits);
	struct eval_source *rel = sources_of(item->relevant, item->n_relevant);
	struct eval_source *stale = sources_of(item->stale, item->n_stale);
	for (size_t i = 0; i < rr->n_hits; i++)
		hits[i] = (struct eval_hit){ rr->hits[i].path, rr->hits[i].line_start, rr->hits[i].line_end,
		                             rr->hits[i].packed };
	eval_retrieval_score(hits, rr->n_hits, rel, item->n_relevant, k, &r->retrieval);
	r->stale_first = eval_stale_first(hits, rr->n_hits, rel, item->n_relevant, stale, item->n_stale);
	free(hits);
	free(rel);
	free(stale);
}

/* The context of the turn's prompt as the model was given it (quoted,
 * delimiters cut): each placed block "[n] text", then the summary of the
 * blocks that did not fit under its label ("[summary] of blocks [4] [5]:
 * ..."); a summarized block's own text was never given. */
static char *context_of(const struct turn_record *rec)
{
	const struct prompt *p = &rec->prompt;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->n_blocks; i++) {
		const struct prompt_block *b = &p->blocks[i];
		if (!b->text_len)
			continue;
		sb_printf(&sb, "%s[%d] ", sb.len ? "\n\n" : "", b->number);
		sb_append(&sb, p->user + b->text_offset, b->text_len);
	}
	if (p->has_summary) {
		char *label = pack_summary_label(&rec->retrieval.pack);
		sb_printf(&sb, "%s%s\n", sb.len ? "\n\n" : "", label);
		sb_append(&sb, p->user + p->summary.text_offset, p->summary.text_len);
		free(label);
	}
	return sb_detach(&sb, NULL);
}

static void fill_from_turn(struct eval_item_result *r, const struct turn_record *rec, int k)
{
	r->answer = xstrdup(rec->answer ? rec->answer : "");
	r->context = context_of(rec);
	r->model = xstrdup(rec->model ? rec->model : "");
	r->error = xstrdup(rec->error ? rec->error : "");
	r->outcome = rec->outcome;
	r->metrics = rec->metrics;
	r->summary_error = rec->summary.error ? xstrdup(rec->summary.error) : NULL;
	r->path = rec->decision.path;
	r->declined = llm_local_declines(r->answer);
	score_retrieval(r, rec, k);
	bool checks_ok = eval_check_answer(r->item, r->answer, r->check);
	r->passed = checks_ok && rec->outcome == LLM_OUTCOME_OK;
}

static void fill_failed(struct eval_item_result *r, const char *model, const char *why)
{
	r->answer = xstrdup("");
	r->context = xstrdup("");
	r->model = xstrdup(model ? model : "");
	r->error = xstrdup(why);
	r->outcome = LLM_OUTCOME_FAILED;
	r->path = ROUTER_DIRECT;
	r->metrics.outcome = METRICS_FAILED;
	for (int i = 0; i < EVAL_N_CHECKS; i++)
		r->check[i] = EVAL_CHECK_NA;
}

int eval_run(const struct turn_env *env, const struct golden_set *set, const struct eval_opts *opts,
             struct eval_item_result **out, char *err, size_t errlen)
{
	struct eval_item_result *res = xcalloc(set->n_items + 1, sizeof *res);
	struct turn_opts topts = { .model = opts->model, .top_k = opts->top_k, .mode = opts->mode,
	                           .nonce = opts->nonce };
	struct turn_callbacks cbs = { 0 };
	int k = opts->top_k ? opts->top_k : env->cfg->routing.retrieval.top_k;
	int rc = -1;
	size_t done = 0;
	struct turn_env run_env = *env;
	struct router *router = NULL;
	struct breaker_set *breakers = NULL;
	*out = NULL;
	/* One router and one set of breakers for the whole run, as the app
	 * keeps them: the rules compile once, and a provider that keeps
	 * failing is skipped instead of timing out item after item. */
	if (!run_env.router) {
		if (router_new(env->cfg, &router, err, errlen) != 0)
			goto cleanup;
		run_env.router = router;
	}
	if (!run_env.breakers) {
		struct breaker_opts bo;
		breaker_opts_from_config(env->cfg, &bo);
		breakers = breaker_set_new(&bo);
		run_env.breakers = breakers;
	}
	env = &run_env;
	for (; done < set->n_items; done++) {
		struct eval_item_result *r = &res[done];
		struct turn *t = NULL;
		char why[ERR_LEN];
		r->item = &set->items[done];
		if (turn_start(env, r->item->question, &topts, &cbs, &t, why, sizeof why) != 0) {
			fill_failed(r, opts->model, why);
		} else {
			if (llm_client_run(env->client, err, errlen) != 0) {
				turn_free(&t);
				goto cleanup;
			}
			fill_from_turn(r, turn_record(t), k);
			if (opts->keep_retrieval)
				turn_take_retrieval(t, &r->hits);
			turn_free(&t);
		}
		if (opts->progress)
			opts->progress(opts->ud, done + 1, set->n_items, r);
	}
	*out = res;
	res = NULL;
	rc = 0;
cleanup:
	if (res)
		eval_results_free(res, done);
	router_free(&router);
	breaker_set_free(&breakers);
	return rc;
}

void eval_results_free(struct eval_item_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].answer);
		free(r[i].model);
		free(r[i].error);
		free(r[i].context);
		free(r[i].judge.reason);
		free(r[i].summary_error);
		retrieve_result_free(&r[i].hits);
	}
	free(r);
}

/* ---- summaries ------------------------------------------------------- */

static void add_retrieval(struct eval_summary *s, const struct eval_retrieval *r)
{
	if (!r->defined)
		return;
	s->n_retrieval++;
	s->recall_1 += r->recall_1;
	s->recall_k += r->recall_k;
	s->precision_k += r->precision_k;
	s->mrr10 += r->mrr10;
	s->ndcg10 += r->ndcg10;
	s->context_precision += r->context_precision;
	s->context_recall += r->context_recall;
}

static void mean_retrieval(struct eval_summary *s)
{
	double n = s->n_retrieval ? (double)s->n_retrieval : 1.0;
	s->recall_1 /= n;
	s->recall_k /= n;
	s->precision_k /= n;
	s->mrr10 /= n;
	s->ndcg10 /= n;
	s->context_precision /= n;
	s->context_recall /= n;
}

static void add_judge(struct eval_judge_summary *s, const struct eval_judge *j)
{
	if (j->status == EVAL_JUDGE_NOT_ASKED)
		return;
	s->model = j->model;
	s->prompt_version = j->prompt_version;
	s->cost_known = j->cost_known;
	s->asked++;
	s->unjudged += j->status == EVAL_JUDGE_UNJUDGED;
	s->tokens_in += j->tokens_in;
	s->tokens_out += j->tokens_out;
	s->cost_usd += j->cost_usd;
	if (j->status != EVAL_JUDGE_JUDGED)
		return;
	s->judged++;
	s->cached += j->cached;
	s->relevance += j->relevance;
	if (j->claims)
		s->faithfulness += (double)j->supported / j->claims;
	else
		s->no_claims++;
}

static void mean_judge(struct eval_judge_summary *s)
{
	size_t with_claims = s->judged - s->no_claims;
	s->faithfulness = with_claims ? s->faithfulness / (double)with_claims : 0;
	s->relevance = s->judged ? s->relevance / (double)s->judged : 0;
}

void eval_summarize(const struct eval_item_result *r, size_t n, int category, struct eval_summary *out)
{
	struct metrics_window *w = metrics_window_new(n ? n : 1, INT64_MAX / 4, n ? n : 1);
	int64_t now = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		if (category >= 0 && (int)r[i].item->category != category)
			continue;
		out->items++;
		out->passed += r[i].passed;
		add_retrieval(out, &r[i].retrieval);
		out->n_stale += r[i].item->n_stale > 0;
		out->stale_first += r[i].stale_first;
		out->declined += r[i].retrieval.defined && r[i].declined;
		out->routes[r[i].path]++;
		for (int c = 0; c < EVAL_N_CHECKS; c++) {
			out->checked[c] += r[i].check[c] != EVAL_CHECK_NA;
			out->check_passed[c] += r[i].check[c] == EVAL_CHECK_PASS;
		}
		out->tokens_in += r[i].metrics.tokens_in;
		out->tokens_out += r[i].metrics.tokens_out;
		add_judge(&out->judge, &r[i].judge);
		metrics_window_add(w, &r[i].metrics);
		if (r[i].metrics.at_ms > now)
			now = r[i].metrics.at_ms;
	}
	mean_retrieval(out);
	mean_judge(&out->judge);
	metrics_window_summary(w, METRICS_LAST_N, now, &out->m);
	metrics_window_free(&w);
}

/* ---- JSON ------------------------------------------------------------ */

/* v as member key of o, or null when it is not defined. */
static void add_number_or_null(cJSON *o, const char *key, bool defined, double v)
{
	if (defined)
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

/* The judge's numbers of a summary: apart from the offline ones. */
static void add_judge_summary_json(cJSON *o, const struct eval_judge_summary *s)
{
	cJSON *j = cJSON_AddObjectToObject(o, "judge");
	cJSON_AddStringToObject(j, "model", s->model);
	cJSON_AddStringToObject(j, "prompt_version", s->prompt_version);
	add_number_or_null(j, "faithfulness", s->judged > s->no_claims, s->faithfulness);
	add_number_or_null(j, "relevance", s->judged > 0, s->relevance);
	cJSON_AddNumberToObject(j, "asked", (double)s->asked);
	cJSON_AddNumberToObject(j, "judged", (double)s->judged);
	cJSON_AddNumberToObject(j, "unjudged", (double)s->unjudged);
	cJSON_AddNumberToObject(j, "no_claims", (double)s->no_claims);
	cJSON_AddNumberToObject(j, "cached", (double)s->cached);
	cJSON_AddNumberToObject(j, "tokens_in", (double)s->tokens_in);
	cJSON_AddNumberToObject(j, "tokens_out", (double)s->tokens_out);
	add_number_or_null(j, "cost", s->cost_known, s->cost_usd);
}

/* One item's judge verdict, or why there is none. */
static void add_judge_item_json(cJSON *o, const struct eval_judge *ej)
{
	bool judged = ej->status == EVAL_JUDGE_JUDGED;
	cJSON *j = cJSON_AddObjectToObject(o, "judge");
	cJSON_AddStringToObject(j, "status", judged ? "judged" : "unjudged");
	add_number_or_null(j, "faithfulness", judged && ej->claims,
	                   ej->claims ? (double)ej->supported / ej->claims : 0);
	if (judged) {
		cJSON_AddNumberToObject(j, "claims", ej->claims);
		cJSON_AddNumberToObject(j, "supported", ej->supported);
	}
	add_number_or_null(j, "relevance", judged, ej->relevance);
	cJSON_AddStringToObject(j, judged ? "relevance_reason" : "reason", ej->reason ? ej->reason : "");
	cJSON_AddBoolToObject(j, "cached", ej->cached);
	cJSON_AddNumberToObject(j, "tokens_in", (double)ej->tokens_in);
	cJSON_AddNumberToObject(j, "tokens_out", (double)ej->tokens_out);
	add_number_or_null(j, "cost", ej->cost_known, ej->cost_usd);
}

cJSON *eval_summary_json(const struct eval_summary *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "items", (double)s->items);
	cJSON_AddNumberToObject(o, "passed", (double)s->passed);
	cJSON *rt = cJSON_AddObjectToObject(o, "retrieval");
	cJSON_AddNumberToObject(rt, "items", (double)s->n_retrieval);
	cJSON_AddNumberToObject(rt, "recall_1", s->recall_1);
	cJSON_AddNumberToObject(rt, "recall_k", s->recall_k);
	cJSON_AddNumberToObject(rt, "precision_k", s->precision_k);
	cJSON_AddNumberToObject(rt, "mrr10", s->mrr10);
	cJSON_AddNumberToObject(rt, "ndcg10", s->ndcg10);
	cJSON_AddNumberToObject(rt, "context_precision", s->context_precision);
	cJSON_AddNumberToObject(rt, "context_recall", s->context_recall);
	cJSON_AddNumberToObject(rt, "stale_items", (double)s->n_stale);
	cJSON_AddNumberToObject(rt, "stale_first", (double)s->stale_first);
	cJSON_AddNumberToObject(o, "declined", (double)s->declined);
	cJSON *routes = cJSON_AddObjectToObject(o, "routes");
	for (int p = 0; p <= ROUTER_DIRECT; p++)
		cJSON_AddNumberToObject(routes, router_path_name((enum router_path)p), (double)s->routes[p]);
	cJSON *g = cJSON_AddObjectToObject(o, "grounding");
	cJSON_AddNumberToObject(g, "items", (double)s->m.n_grounded);
	cJSON_AddNumberToObject(g, "hallucination_score", s->m.grounding_mean);
	cJSON *ch = cJSON_AddObjectToObject(o, "checks");
	for (int c = 0; c < EVAL_N_CHECKS; c++) {
		cJSON *e = cJSON_AddObjectToObject(ch, check_names[c]);
		cJSON_AddNumberToObject(e, "checked", (double)s->checked[c]);
		cJSON_AddNumberToObject(e, "passed", (double)s->check_passed[c]);
	}
	cJSON *lat = cJSON_AddObjectToObject(o, "latency_ms");
	for (int sp = 0; sp < METRICS_N_SPANS; sp++) {
		if (!s->m.span[sp].n)
			continue;
		cJSON *e = cJSON_AddObjectToObject(lat, metrics_span_name((enum metrics_span)sp));
		cJSON_AddNumberToObject(e, "p50", (double)s->m.span[sp].p50 / 1e3);
		cJSON_AddNumberToObject(e, "p95", (double)s->m.span[sp].p95 / 1e3);
	}
	cJSON *tk = cJSON_AddObjectToObject(o, "tokens");
	cJSON_AddNumberToObject(tk, "input", (double)s->tokens_in);
	cJSON_AddNumberToObject(tk, "output", (double)s->tokens_out);
	cJSON *cost = cJSON_AddObjectToObject(o, "cost_usd");
	cJSON_AddNumberToObject(cost, "priced_items", (double)s->m.n_priced);
	cJSON_AddNumberToObject(cost, "total", s->m.cost_total);
	cJSON_AddNumberToObject(cost, "per_query", s->m.cost_per_query);
	cJSON_AddNumberToObject(cost, "per_success", s->m.cost_per_success);
	cJSON_AddNumberToObject(cost, "embeddings", s->m.embed_cost);
	cJSON_AddNumberToObject(cost, "outside_total", s->m.extra_cost_unpriced);
	cJSON_AddNumberToObject(cost, "summaries", s->m.summary_cost);
	cJSON_AddNumberToObject(o, "embed_tokens", (double)s->m.embed_tokens);
	if (s->judge.model)
		add_judge_summary_json(o, &s->judge);
	cJSON *sum = cJSON_AddObjectToObject(o, "summaries");
	cJSON_AddNumberToObject(sum, "calls", (double)s->m.n_summarize_calls);
	cJSON_AddNumberToObject(sum, "placed", (double)s->m.n_summarized);
	cJSON_AddNumberToObject(sum, "input_tokens", (double)s->m.summary_tokens_in);
	cJSON_AddNumberToObject(sum, "output_tokens", (double)s->m.summary_tokens_out);
	cJSON_AddNumberToObject(sum, "cost_usd", s->m.summary_cost);
	return o;
}

cJSON *eval_item_summary_json(const struct eval_item_result *r)
{
	const struct metrics_turn *m = &r->metrics;
	if (!m->summarize_called && !r->summary_error)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "called", m->summarize_called);
	cJSON_AddBoolToObject(o, "placed", m->summarized);
	if (r->summary_error)
		cJSON_AddStringToObject(o, "error", r->summary_error);
	else
		cJSON_AddNullToObject(o, "error");
	cJSON_AddNumberToObject(o, "input_tokens", (double)m->summary_tokens_in);
	cJSON_AddNumberToObject(o, "output_tokens", (double)m->summary_tokens_out);
	cJSON_AddNumberToObject(o, "cost_usd", m->summary_cost_usd);
	return o;
}

cJSON *eval_item_json(const struct eval_item_result *r)
{
	cJSON *o = cJSON_CreateObject();
	if (r->retrieval.defined) {
		cJSON_AddNumberToObject(o, "recall_1", r->retrieval.recall_1);
		cJSON_AddNumberToObject(o, "recall_k", r->retrieval.recall_k);
		cJSON_AddNumberToObject(o, "precision_k", r->retrieval.precision_k);
		cJSON_AddNumberToObject(o, "mrr10", r->retrieval.mrr10);
		cJSON_AddNumberToObject(o, "ndcg10", r->retrieval.ndcg10);
		cJSON_AddNumberToObject(o, "context_precision", r->retrieval.context_precision);
		cJSON_AddNumberToObject(o, "context_recall", r->retrieval.context_recall);
	}
	if (r->metrics.has_grounding)
		cJSON_AddNumberToObject(o, "grounding", r->metrics.grounding);
	for (int c = 0; c < EVAL_N_CHECKS; c++)
		if (r->check[c] != EVAL_CHECK_NA)
			cJSON_AddBoolToObject(o, check_names[c], r->check[c] == EVAL_CHECK_PASS);
	if (r->item->n_stale)
		cJSON_AddBoolToObject(o, "current_first", !r->stale_first);
	cJSON_AddBoolToObject(o, "answered", r->outcome == LLM_OUTCOME_OK);
	if (r->retrieval.defined)
		cJSON_AddBoolToObject(o, "found_answer", !r->declined);
	cJSON_AddBoolToObject(o, "passed", r->passed);
	if (r->judge.status != EVAL_JUDGE_NOT_ASKED)
		add_judge_item_json(o, &r->judge);
	return o;
}

/* What dropped between a and b, appended to sb; true when anything did. */
static bool item_dropped(const cJSON *a, const cJSON *b, struct strbuf *sb)
{
	bool any = false;
	for (const cJSON *m = a->child; m; m = m->next) {
		const cJSON *now = cJSON_GetObjectItemCaseSensitive(b, m->string);
		const char *sep = any ? ", " : "";
		if (cJSON_IsNumber(m) && cJSON_IsNumber(now) && now->valuedouble < m->valuedouble - REGRESSION_EPS) {
			sb_printf(sb, "%s%s %.2f -> %.2f", sep, m->string, m->valuedouble, now->valuedouble);
			any = true;
		} else if (cJSON_IsTrue(m) && cJSON_IsFalse(now)) {
			sb_printf(sb, "%s%s pass -> fail", sep, m->string);
			any = true;
		}
	}
	return any;
}

cJSON *eval_regressions(const cJSON *prev, const cJSON *cur)
{
	cJSON *out = cJSON_CreateArray();
	for (const cJSON *item = cur ? cur->child : NULL; item; item = item->next) {
		const cJSON *before = cJSON_GetObjectItemCaseSensitive(prev, item->string);
		struct strbuf sb = STRBUF_INIT;
		if (before && item_dropped(before, item, &sb)) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "id", item->string);
			cJSON_AddStringToObject(e, "what", sb_str(&sb));
			cJSON_AddItemToArray(out, e);
		}
		sb_free(&sb);
	}
	return out;
}
