#include "core/answer/turn.h"
#include "core/util/error.h"
#include "core/llm/breaker.h"
#include "core/llm/local.h"
#include "core/llm/provider_config.h"
#include "core/config/config.h"
#include "core/answer/grounding.h"
#include "core/answer/support.h"
#include "core/util/tokens.h"
#include "core/answer/query_log.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "core/search/query_input.h"
#include "store/store.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

/* Output cap of an answer on the retrieval and direct paths; the
 * adaptation paths use adaptation.max_tokens. */
#define ANSWER_MAX_TOKENS 1024

/* Documents whose change history feeds the router. */
#define VOLATILITY_DOCS 3

static const char direct_system[] =
	"You are a concise assistant in a terminal. Answer the question directly.";
static const char adaptation_system[] =
	"Follow the requested output format and tone exactly. Output only the answer.";

struct turn {
	struct turn_record rec;
	struct turn_callbacks cbs;
	struct turn_env env;
	struct router *own_router;
	struct breaker_set *own_breakers;
	struct llm_stream *stream;
	struct llm_context_block *blocks;
	size_t n_blocks;
	const char *const *chain;      /* models to try, in order */
	size_t n_chain, next;          /* next: first model not tried yet */
	const char *current_provider;
	bool done;
	bool retrieved;                /* retrieval ran and succeeded */
	uint64_t started_us, stream_us;
	char *local_question;          /* the question and the end of the user's input, for
	                                * the local answerer; NULL without input */
	char *nonce;                   /* turn_opts' nonce and input, kept for a prompt built */
	char *input;                   /* after the summarize call; NULL: none */
	size_t input_len;
	struct llm_stream *summary_stream;  /* the summarize call; NULL: none */
	struct prompt summary_prompt;
	char **summary_texts;          /* per pack block: the summary's statements a summarized
	                                * block gives the local answerer; NULL entries for
	                                * the packed ones */
	size_t n_summary_texts;
};

static uint64_t now_ms(void)
{
	return clock_now_us() / 1000;
}

static void add_hop(struct turn_record *r, const char *model, const char *reason)
{
	r->hops = xreallocarray(r->hops, r->n_hops + 1, sizeof *r->hops);
	r->hops[r->n_hops].model = xstrdup(model);
	r->hops[r->n_hops].reason = xstrdup(reason);
	r->n_hops++;
}

static bool on_context_path(const struct turn *t)
{
	enum router_path p = t->rec.decision.path;
	return (p == ROUTER_RETRIEVAL || p == ROUTER_HYBRID) && !t->rec.decision.no_grounding;
}

static bool on_adaptation_path(const struct turn *t)
{
	enum router_path p = t->rec.decision.path;
	return p == ROUTER_ADAPTATION || p == ROUTER_HYBRID;
}

/* The router's view of the retrieval: how much of the question the best
 * chunk holds, and the change history of the top documents. */
static void gather_signals(const struct turn_env *env, const struct retrieve_result *res, bool probe_ok,
                           struct router_signals *sig, struct router_doc *docs)
{
	sig->probe = probe_ok ? ROUTER_PROBE_OK : ROUTER_PROBE_FAILED;
	sig->docs = docs;
	if (!probe_ok)
		return;
	sig->match = res->coverage;
	for (size_t i = 0; i < res->n_hits && sig->n_docs < VOLATILITY_DOCS; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= res->hits[j].doc_id == res->hits[i].doc_id;
		struct router_doc *d = &docs[sig->n_docs];
		char err[ERR_LEN];
		if (!seen && env->log &&
		    store_doc_history(env->log, res->hits[i].doc_id, &d->change_count, &d->first_seen,
		                      &d->last_changed, err, sizeof err) == 0)
			sig->n_docs++;
	}
}

void turn_route(const struct turn_env *env, const char *question, const struct turn_opts *opts,
                struct turn_routing *out)
{
	const struct config *cfg = env->cfg;
	struct router_decision probe;
	memset(out, 0, sizeof *out);
	uint64_t r0 = clock_now_us();
	router_decide(env->router, question, NULL, &probe);
	out->route_us = clock_now_us() - r0;
	/* The probe always runs (a few milliseconds): what the store holds
	 * for the question is the router's strongest signal. Only a prefix or
	 * a config rule that names a path without documents skips it. */
	bool by_hand = strncmp(probe.rule, "prefix:", 7) == 0 || strncmp(probe.rule, "config-rule:", 12) == 0;
	bool retrieve = env->retriever && cfg->routing.retrieval.enabled && !opts->no_retrieval &&
	                !(by_hand && (probe.path == ROUTER_DIRECT || probe.path == ROUTER_ADAPTATION));
	struct router_signals sig = { .probe = ROUTER_PROBE_NONE, .model = opts->model };
	struct router_doc docs[VOLATILITY_DOCS];
	if (retrieve) {
		struct strbuf text = STRBUF_INIT;
		query_with_input(&text, probe.question, opts->input, opts->input_len);
		struct retrieve_query q = {
			.text = sb_str(&text),
			.k = opts->top_k ? opts->top_k : cfg->routing.retrieval.top_k,
			.mode = opts->mode,
			.max_context_tokens = cfg->routing.retrieval.max_context_tokens,
		};
		out->retrieved = retriever_search(env->retriever, &q, &out->retrieval, out->probe_error,
		                                  sizeof out->probe_error) == 0;
		gather_signals(env, &out->retrieval, out->retrieved, &sig, docs);
		sb_free(&text);
	}
	out->retrieve_us = clock_now_us() - r0 - out->route_us;
	r0 = clock_now_us();
	router_decide(env->router, question, &sig, &out->decision);
	out->route_us += clock_now_us() - r0;
	router_decision_free(&probe);
}

/* Retrieve (when enabled) and route. Retrieval failure degrades to the
 * direct path with a notice in the hops instead of failing the turn. */
static void retrieve_and_route(struct turn *t, const struct turn_opts *opts)
{
	struct turn_routing r;
	turn_route(&t->env, t->rec.question, opts, &r);
	if (r.probe_error[0])
		add_hop(&t->rec, "retrieval", r.probe_error);
	if (r.retrieval.rerank_error)
		add_hop(&t->rec, "reranker", r.retrieval.rerank_error);
	if (r.retrieval.vector_error)
		add_hop(&t->rec, "vector search", r.retrieval.vector_error);
	t->retrieved = r.retrieved;
	t->rec.retrieval = r.retrieval;
	t->rec.decision = r.decision;
	t->rec.retrieve_us = r.retrieve_us;
	metrics_turn_span(&t->rec.metrics, METRICS_SPAN_ROUTE, r.route_us);
}

/* The blocks the local answerer reads: the packed ones whole, and for a
 * summarized one the summary's statements that cite it (what a remote
 * model sees of it too). */
static void context_blocks(struct turn *t)
{
	const struct pack_result *pack = &t->rec.retrieval.pack;
	t->n_blocks = pack->n_blocks;
	t->blocks = xcalloc(pack->n_blocks ? pack->n_blocks : 1, sizeof *t->blocks);
	if (pack->summary) {
		t->n_summary_texts = pack->n_blocks;
		t->summary_texts = xcalloc(pack->n_blocks ? pack->n_blocks : 1, sizeof *t->summary_texts);
	}
	for (size_t i = 0; i < pack->n_blocks; i++) {
		const struct pack_block *b = &pack->blocks[i];
		if (b->summarized && pack->summary)
			t->summary_texts[i] = summarize_statements_of(pack->summary, b->number);
		t->blocks[i] = (struct llm_context_block){
			.number = b->number, .path = b->path, .line_start = b->line_start, .line_end = b->line_end,
			.heading_path = b->heading_path, .archived = b->archived,
			.text = b->summarized && pack->summary ? t->summary_texts[i] : b->text,
		};
	}
}

static int build_prompt(struct turn *t, char *err, size_t errlen)
{
	struct turn_record *r = &t->rec;
	const char *question = r->decision.question;
	uint64_t p0 = clock_now_us();
	if (on_context_path(t)) {
		if (prompt_build(&r->retrieval.pack, question, t->nonce, &r->prompt, err, errlen) != 0)
			return -1;
		context_blocks(t);
	} else {
		prompt_plain(r->decision.path == ROUTER_ADAPTATION ? adaptation_system : direct_system, question,
		             &r->prompt);
	}
	if (t->input_len && prompt_attach(&r->prompt, t->input, t->input_len, err, errlen) != 0)
		return -1;
	r->prompt_us = clock_now_us() - p0;
	return 0;
}

static void on_stream_text(void *ud, const char *text, size_t len)
{
	struct turn *t = ud;
	if (t->cbs.on_text)
		t->cbs.on_text(t->cbs.ud, text, len);
}

static void on_stream_done(void *ud, const struct llm_result *res);

/* Start the first usable model of the chain from t->next on. Returns 0, or
 * -1 with err when no model is usable or the start failed for all. */
static int start_next(struct turn *t, char *err, size_t errlen)
{
	const struct config *cfg = t->env.cfg;
	struct turn_record *r = &t->rec;
	while (t->next < t->n_chain) {
		size_t n = t->n_chain - t->next;
		struct breaker_candidate *cands = xcalloc(n, sizeof *cands);
		struct breaker_pick pick;
		breaker_candidates_from_config(cfg, t->chain + t->next, n, cands);
		int rc = breaker_pick(t->env.breakers, cands, n, now_ms(), &pick, err, errlen);
		for (size_t i = 0; i < pick.n_skipped; i++)
			add_hop(r, pick.skipped[i].model, pick.skipped[i].reason);
		if (rc != 0) {
			breaker_pick_free(&pick);
			free(cands);
			return -1;
		}
		size_t chosen = t->next + (size_t)pick.chosen;
		breaker_pick_free(&pick);
		free(cands);
		t->next = chosen + 1;

		const char *model = t->chain[chosen];
		const struct config_provider *provider = config_provider_for_model(cfg, model);
		struct llm_provider_cfg pcfg;
		struct llm_http_opts http;
		llm_provider_cfg_from_config(provider, &pcfg);
		llm_http_opts_from_config(cfg, &http);
		bool adapted = on_adaptation_path(t) && cfg->routing.adaptation.model_path &&
		               strcmp(model, cfg->routing.adaptation.model_path) == 0;
		/* OpenAI's own API and Anthropic's refuse it; servers that copy
		 * OpenAI's (vLLM, llama.cpp) take it. 1 is no penalty. */
		double penalty = cfg->routing.adaptation.repetition_penalty;
		bool send_penalty = adapted && penalty != 1.0 && provider->kind == PROVIDER_OPENAI &&
		                    !config_provider_is_openai_api(provider);
		struct llm_message msg = { .role = LLM_ROLE_USER, .content = r->prompt.user };
		struct llm_request req = {
			.model = model, .system = r->prompt.system, .messages = &msg, .n_messages = 1,
			.question = t->local_question ? t->local_question : r->decision.question,
			.blocks = t->blocks, .n_blocks = t->n_blocks,
			.max_tokens = adapted ? cfg->routing.adaptation.max_tokens : ANSWER_MAX_TOKENS,
			.temperature = adapted ? cfg->routing.adaptation.temperature : -1,
			.repetition_penalty = send_penalty ? penalty : 0,
			.stop = adapted ? (const char *const *)cfg->routing.adaptation.stop_sequences : NULL,
			.n_stop = adapted ? cfg->routing.adaptation.n_stop_sequences : 0,
		};
		struct llm_callbacks lcb = { .on_text = on_stream_text, .on_done = on_stream_done, .ud = t };
		free(r->model);
		r->model = xstrdup(model);
		free(r->provider);
		r->provider = xstrdup(provider->name);
		t->current_provider = provider->name;
		t->stream_us = clock_now_us();
		llm_stream_free(&t->stream);
		if (llm_stream_start(t->env.client, &pcfg, &http, &req, &lcb, &t->stream, err, errlen) == 0)
			return 0;
		breaker_record(t->env.breakers, provider->name, BREAKER_FAILURE, now_ms());
		add_hop(r, model, err);
	}
	snprintf(err, errlen, "no model of the fallback chain could answer");
	return -1;
}

static enum metrics_outcome metrics_outcome_of(const struct turn *t, enum llm_outcome o)
{
	switch (o) {
	case LLM_OUTCOME_OK:
		return t->next > 1 || (t->rec.n_hops && strcmp(t->rec.model, t->chain[0]) != 0)
		       ? METRICS_FELL_BACK : METRICS_OK;
	case LLM_OUTCOME_INTERRUPTED:
	case LLM_OUTCOME_CANCELLED:
		return METRICS_INTERRUPTED;
	default:
		return METRICS_FAILED;
	}
}

/* True when s contains the ASCII word w, ignoring case. */
static bool mentions(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++) {
		size_t i = 0;
		while (i < n && s[i] && tolower((unsigned char)s[i]) == w[i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* Checks on the finished answer: grounding against the context, JSON when
 * the question asked for it on an adaptation path, system-prompt leaks. */
static void check_answer(struct turn *t)
{
	struct turn_record *r = &t->rec;
	/* Against the chunks themselves: a citation of a summarized block is
	 * checked against what its document says, not against the summary.
	 * The local answerer's refusal claims nothing: neither grounded nor
	 * marked unsupported. */
	const struct pack_result *pack = &r->retrieval.pack;
	if (t->n_blocks && r->answer_len && !llm_local_declines(r->answer)) {
		const char **texts = xcalloc(t->n_blocks, sizeof *texts);
		struct support_block *blocks = xcalloc(t->n_blocks, sizeof *blocks);
		for (size_t i = 0; i < t->n_blocks; i++) {
			texts[i] = pack->blocks[i].text;
			blocks[i] = (struct support_block){ pack->blocks[i].number, pack->blocks[i].text };
		}
		struct grounding_result g;
		if (grounding_score(r->answer, texts, t->n_blocks, &g)) {
			r->metrics.has_grounding = true;
			r->metrics.grounding = g.score;
		}
		support_score(r->answer, blocks, t->n_blocks, &r->support);
		r->metrics.has_unsupported = r->metrics.has_grounding;
		r->metrics.unsupported_sentences = (int)r->support.unsupported;
		free(blocks);
		free(texts);
	}
	if (on_adaptation_path(t) && mentions(r->decision.question, "json")) {
		char err[ERR_LEN];
		struct cJSON *json = NULL;
		r->format_checked = true;
		r->format_ok = prompt_check_json(r->answer, &json, err, sizeof err) == 0;
		cJSON_Delete(json);
	}
	if (r->prompt.nonce[0]) {
		struct prompt_leak leak;
		r->leaked_system_prompt = prompt_check_leak(&r->prompt, r->answer, PROMPT_LEAK_MIN_SPAN, &leak);
	}
}

static void finish(struct turn *t, const struct llm_result *res)
{
	struct turn_record *r = &t->rec;
	struct metrics_turn *m = &r->metrics;
	r->outcome = res->outcome;
	r->answer = xstrndup(res->text ? res->text : "", res->text_len);
	r->answer_len = res->text_len;
	r->finish_reason = xstrdup(res->finish_reason ? res->finish_reason : "");
	r->error = xstrdup(res->error ? res->error : "");
	r->usage = res->usage;
	r->ttft_us = res->ttft_us ? (t->stream_us - t->started_us) + res->ttft_us : 0;
	r->generation_us = res->total_us;
	r->tokens_per_sec = res->tokens_per_sec;
	r->http_status = res->http_status;
	r->retries = res->retries;
	r->total_us = clock_now_us() - t->started_us;

	m->at_ms = clock_unix_now() * 1000;
	const struct retrieve_timings *rt = &r->retrieval.us;
	if (t->retrieved) {
		metrics_turn_span(m, METRICS_SPAN_EMBED, rt->embed_us);
		metrics_turn_span(m, METRICS_SPAN_VECTOR, rt->vector_us);
		metrics_turn_span(m, METRICS_SPAN_FTS, rt->fts_us);
		metrics_turn_span(m, METRICS_SPAN_FUSE, rt->fuse_us);
		if (t->rec.retrieval.reranked || t->rec.retrieval.rerank_error)
			metrics_turn_span(m, METRICS_SPAN_RERANK, rt->rerank_us);
		metrics_turn_span(m, METRICS_SPAN_PACK, rt->pack_us);
	}
	if (res->ttft_us) {
		metrics_turn_span(m, METRICS_SPAN_TTFT, res->ttft_us);
		metrics_turn_span(m, METRICS_SPAN_GENERATION, res->total_us - res->ttft_us);
	}
	metrics_turn_span(m, METRICS_SPAN_TOTAL, r->total_us);
	m->question_tokens = tokens_estimate_str(r->decision.question);
	m->tokens_in = (int)res->usage.input_tokens;
	m->tokens_out = (int)res->usage.output_tokens;
	m->context_tokens = r->prompt.context_tokens;
	m->usage_reported = !res->usage.estimated;
	m->outcome = metrics_outcome_of(t, res->outcome);
	check_answer(t);
	m->embed_tokens = r->retrieval.embed_tokens;
	summary_report_price(&r->summary, t->env.cfg);
	m->summarize_called = r->summary.called;
	m->summarized = r->summary.used;
	m->summary_tokens_in = r->summary.usage.input_tokens;
	m->summary_tokens_out = r->summary.usage.output_tokens;
	m->summary_cost_usd = r->summary.cost_usd;
	metrics_turn_finish(m, t->env.cfg, r->model);
	if (t->env.window)
		metrics_window_add(t->env.window, m);
	if (t->env.log) {
		char err[ERR_LEN];
		if (query_log_write(t->env.log, t->env.session_id, r, &r->query_id, err, sizeof err) != 0)
			add_hop(r, "query log", err);
	}
	t->done = true;
	if (t->cbs.on_done)
		t->cbs.on_done(t->cbs.ud, r);
}

static void on_stream_done(void *ud, const struct llm_result *res)
{
	struct turn *t = ud;
	bool failed_before_text = res->outcome == LLM_OUTCOME_FAILED && res->text_len == 0;
	if (res->outcome == LLM_OUTCOME_CANCELLED)
		breaker_record(t->env.breakers, t->current_provider, BREAKER_CANCELLED, now_ms());
	else
		breaker_record(t->env.breakers, t->current_provider,
		               res->outcome == LLM_OUTCOME_OK ? BREAKER_SUCCESS : BREAKER_FAILURE, now_ms());
	if (failed_before_text && t->next < t->n_chain) {
		/* Nothing was shown yet: the next model of the chain may answer. */
		char err[ERR_LEN];
		add_hop(&t->rec, t->rec.model, res->error && res->error[0] ? res->error : "failed");
		if (start_next(t, err, sizeof err) == 0)
			return;
	}
	finish(t, res);
}

/* End the turn without an answer stream: the answer could not start
 * (why, with outcome failed) or the summarize call was cancelled. */
static void finish_unanswered(struct turn *t, enum llm_outcome outcome, const char *why)
{
	struct turn_record *r = &t->rec;
	struct llm_result res = { .outcome = outcome, .text = "", .finish_reason = "", .error = why, .usage.estimated = 1 };
	if (!r->model)
		r->model = xstrdup(t->n_chain ? t->chain[0] : r->decision.model ? r->decision.model : "");
	if (!r->provider) {
		const struct config_provider *p = config_provider_for_model(t->env.cfg, r->model);
		r->provider = xstrdup(p ? p->name : "");
	}
	finish(t, &res);
}

/* Build the prompt and start the first usable model of the chain. Returns
 * 0, or -1 with err. */
static int begin_answer(struct turn *t, char *err, size_t errlen)
{
	static const char *const local_only[] = { "local" };
	if (build_prompt(t, err, errlen) != 0)
		return -1;
	/* A model chosen by hand is the decision's whole chain. */
	if (t->rec.decision.no_grounding && !t->rec.decision.model_by_hand) {
		t->chain = local_only;
		t->n_chain = 1;
	} else {
		t->chain = (const char *const *)t->rec.decision.chain;
		t->n_chain = t->rec.decision.n_chain;
	}
	return start_next(t, err, errlen);
}

/* Chunks the budget left out that a summary may condense: a summarizer
 * set, documents in the prompt, and something dropped. */
static bool wants_summary(const struct turn *t)
{
	return t->env.cfg->retrieval.summarize_over_budget && t->retrieved && on_context_path(t) &&
	       t->rec.retrieval.pack.n_dropped > 0;
}

/* The turn goes on without a summary, for why: the pack is the search's
 * own again. */
static void drop_summary(struct turn *t, const char *why)
{
	summary_report_fail(&t->rec.summary, why);
	retrieve_repack(&t->rec.retrieval, false);
}

static void on_summary_done(void *ud, const struct llm_result *res)
{
	struct turn *t = ud;
	struct turn_record *r = &t->rec;
	struct summary_report *s = &r->summary;
	char why[ERR_LEN];
	summary_report_call(s, res);
	breaker_record(t->env.breakers, s->provider,
	               res->outcome == LLM_OUTCOME_OK ? BREAKER_SUCCESS
	               : res->outcome == LLM_OUTCOME_CANCELLED ? BREAKER_CANCELLED : BREAKER_FAILURE, now_ms());
	if (res->outcome == LLM_OUTCOME_CANCELLED) {
		drop_summary(t, "cancelled");
		finish_unanswered(t, LLM_OUTCOME_CANCELLED, "cancelled");
		return;
	}
	if (res->outcome != LLM_OUTCOME_OK) {
		snprintf(why, sizeof why, "the call %s: %s", res->outcome == LLM_OUTCOME_INTERRUPTED ? "broke off" : "failed",
		         res->error && res->error[0] ? res->error : "no reason given");
		drop_summary(t, why);
	} else if (summarize_accept(&r->retrieval.pack, res->text, res->text_len, why, sizeof why) != 0) {
		drop_summary(t, why);
	} else {
		summary_report_placed(s, &r->retrieval.pack);
		retrieve_mark_summarized(&r->retrieval);
	}
	if (begin_answer(t, why, sizeof why) != 0)
		finish_unanswered(t, LLM_OUTCOME_FAILED, why);
}

/* Send the chunks the budget left out to the summarizer, numbered as
 * summarized blocks and fenced with their labels. Returns 0 when the call
 * runs (the answer starts when it ends), -1 when it could not start (the
 * report says why; the pack is the search's own). */
static int start_summary(struct turn *t)
{
	const struct config *cfg = t->env.cfg;
	struct turn_record *r = &t->rec;
	struct retrieve_result *res = &r->retrieval;
	const char *model = cfg->retrieval.summarize_over_budget;
	const struct config_provider *provider = config_provider_for_model(cfg, model);
	char err[ERR_LEN];
	retrieve_repack(res, true);
	summary_report_begin(&r->summary, model, provider ? provider->name : "", &res->pack);
	if (r->summary.room < SUMMARY_MIN_TEXT) {
		int left = res->pack.budget - res->pack.total_tokens;
		snprintf(err, sizeof err, "no room: the packed blocks leave %d tokens of the budget, the summary needs %d "
		         "(its label and %d of text)", left, left - r->summary.room + SUMMARY_MIN_TEXT, SUMMARY_MIN_TEXT);
		goto fail;
	}
	int max_tokens = summarize_max_tokens(&res->pack);
	struct breaker_candidate cand;
	struct breaker_pick pick;
	breaker_candidates_from_config(cfg, &model, 1, &cand);
	int picked = breaker_pick(t->env.breakers, &cand, 1, now_ms(), &pick, err, sizeof err);
	if (picked != 0 && pick.n_skipped)
		snprintf(err, sizeof err, "%s", pick.skipped[0].reason);
	breaker_pick_free(&pick);
	if (picked != 0)
		goto fail;
	if (prompt_build_summary(&res->pack, r->decision.question, t->nonce, max_tokens, &t->summary_prompt, err,
	                         sizeof err) != 0) {
		breaker_record(t->env.breakers, provider->name, BREAKER_CANCELLED, now_ms());
		goto fail;
	}
	struct llm_provider_cfg pcfg;
	struct llm_http_opts http;
	llm_provider_cfg_from_config(provider, &pcfg);
	llm_http_opts_from_config(cfg, &http);
	struct llm_message msg = { .role = LLM_ROLE_USER, .content = t->summary_prompt.user };
	struct llm_request req = {
		.model = model, .system = t->summary_prompt.system, .messages = &msg, .n_messages = 1,
		.max_tokens = max_tokens, .temperature = 0,
	};
	struct llm_callbacks cbs = { .on_done = on_summary_done, .ud = t };
	if (llm_stream_start(t->env.client, &pcfg, &http, &req, &cbs, &t->summary_stream, err, sizeof err) != 0) {
		breaker_record(t->env.breakers, provider->name, BREAKER_FAILURE, now_ms());
		goto fail;
	}
	r->summary.called = true;
	return 0;
fail:
	drop_summary(t, err);
	return -1;
}

int turn_start(const struct turn_env *env, const char *question, const struct turn_opts *opts,
               const struct turn_callbacks *cbs, struct turn **out, char *err, size_t errlen)
{
	const struct config *cfg = env->cfg;
	struct turn *t = xcalloc(1, sizeof *t);
	t->cbs = *cbs;
	t->env = *env;
	t->started_us = clock_now_us();
	t->rec.question = xstrdup(question);
	t->nonce = opts->nonce ? xstrdup(opts->nonce) : NULL;
	t->input = opts->input_len ? xstrndup(opts->input, opts->input_len) : NULL;
	t->input_len = opts->input_len;
	*out = NULL;
	if (!t->env.router) {
		if (router_new(cfg, &t->own_router, err, errlen) != 0)
			goto fail;
		t->env.router = t->own_router;
	}
	if (!t->env.breakers) {
		struct breaker_opts bo;
		breaker_opts_from_config(cfg, &bo);
		t->own_breakers = breaker_set_new(&bo);
		t->env.breakers = t->own_breakers;
	}
	retrieve_and_route(t, opts);
	if (opts->input_len) {
		struct strbuf q = STRBUF_INIT;
		query_with_input(&q, t->rec.decision.question, opts->input, opts->input_len);
		t->local_question = sb_detach(&q, NULL);
	}
	if (t->rec.decision.no_grounding)
		add_hop(&t->rec, t->rec.decision.model,
		        "no chunk in the store holds a term of the question: answering that the documents do not say");
	if (wants_summary(t) && start_summary(t) == 0) {
		*out = t;
		return 0;
	}
	if (begin_answer(t, err, errlen) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	turn_free(&t);
	return -1;
}

void turn_cancel(struct turn *t)
{
	if (!t || t->done)
		return;
	if (t->stream)
		llm_stream_cancel(t->stream);
	else if (t->summary_stream)
		llm_stream_cancel(t->summary_stream);
}

bool turn_done(const struct turn *t)
{
	return t->done;
}

bool turn_summarizing(const struct turn *t)
{
	return t->summary_stream && !llm_stream_done(t->summary_stream);
}

const struct turn_record *turn_record(const struct turn *t)
{
	return &t->rec;
}

void turn_take_retrieval(struct turn *t, struct retrieve_result *out)
{
	*out = t->rec.retrieval;
	memset(&t->rec.retrieval, 0, sizeof t->rec.retrieval);
}

void turn_free(struct turn **tp)
{
	struct turn *t = *tp;
	if (!t)
		return;
	llm_stream_free(&t->stream);
	llm_stream_free(&t->summary_stream);
	prompt_free(&t->summary_prompt);
	for (size_t i = 0; i < t->n_summary_texts; i++)
		free(t->summary_texts[i]);
	free(t->summary_texts);
	free(t->nonce);
	free(t->input);
	free(t->local_question);
	struct turn_record *r = &t->rec;
	free(r->question);
	free(r->model);
	free(r->provider);
	free(r->answer);
	free(r->finish_reason);
	free(r->error);
	for (size_t i = 0; i < r->n_hops; i++) {
		free(r->hops[i].model);
		free(r->hops[i].reason);
	}
	free(r->hops);
	retrieve_result_free(&r->retrieval);
	prompt_free(&r->prompt);
	router_decision_free(&r->decision);
	support_result_free(&r->support);
	summary_report_free(&r->summary);
	free(t->blocks);
	router_free(&t->own_router);
	breaker_set_free(&t->own_breakers);
	free(t);
	*tp = NULL;
}
