#include "core/answer/metrics.h"
#include "core/config/config.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const span_names[METRICS_N_SPANS] = {
	[METRICS_SPAN_ROUTE] = "route", [METRICS_SPAN_EMBED] = "embed",
	[METRICS_SPAN_VECTOR] = "vector", [METRICS_SPAN_FTS] = "fts",
	[METRICS_SPAN_FUSE] = "fuse", [METRICS_SPAN_RERANK] = "rerank", [METRICS_SPAN_PACK] = "pack",
	[METRICS_SPAN_TTFT] = "ttft", [METRICS_SPAN_GENERATION] = "generation",
	[METRICS_SPAN_TOTAL] = "total",
};

static const char *const outcome_names[METRICS_N_OUTCOMES] = {
	[METRICS_OK] = "ok", [METRICS_INTERRUPTED] = "interrupted",
	[METRICS_FAILED] = "failed", [METRICS_FELL_BACK] = "fell_back",
};

const char *metrics_span_name(enum metrics_span s)
{
	return span_names[s];
}

const char *metrics_outcome_name(enum metrics_outcome o)
{
	return outcome_names[o];
}

void metrics_turn_span(struct metrics_turn *t, enum metrics_span s, uint64_t us)
{
	t->span_us[s] = us;
	t->spans |= 1u << s;
}

double metrics_cost_usd(const struct config_price *p, long in, long out)
{
	return ((double)in * p->input_per_mtok + (double)out * p->output_per_mtok) / 1e6;
}

void metrics_turn_finish(struct metrics_turn *t, const struct config *c, const char *model)
{
	const struct config_price *p = config_price_for_model(c, model);
	const struct config_price *ep = t->embed_tokens > 0 ? config_price_for_model(c, config_embed_model(c)) : NULL;
	t->embed_cost_usd = ep ? metrics_cost_usd(ep, t->embed_tokens, 0) : 0;
	t->cost_known = p != NULL;
	t->answer_cost_usd = p ? metrics_cost_usd(p, t->tokens_in, t->tokens_out) : 0;
	t->cost_usd = t->answer_cost_usd + t->embed_cost_usd + t->summary_cost_usd;
	t->cost_estimated = p && !t->usage_reported && (t->tokens_in || t->tokens_out);
	t->expansion = t->question_tokens > 0 ? (double)t->tokens_in / t->question_tokens : 0;
}

uint64_t metrics_percentile(const uint64_t *sorted, size_t n, unsigned p)
{
	if (!n)
		return 0;
	size_t rank = ((size_t)p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* ---- the window --------------------------------------------------------- */

/* Values sort by (value, seq) so every key is unique. */
struct key {
	uint64_t v;
	uint64_t seq;
};

/* The turns with seq >= first, and each span's values among them, sorted. */
struct scope {
	uint64_t first;
	uint64_t *vals[METRICS_N_SPANS];  /* sorted values only, for metrics_percentile */
	struct key *keys[METRICS_N_SPANS];
	size_t n[METRICS_N_SPANS];
};

struct metrics_window {
	size_t last_n, cap;
	int64_t last_ms;
	struct metrics_turn *ring;      /* turn with seq s at ring[s % cap] */
	uint64_t next_seq, oldest_seq;  /* ring holds [oldest_seq, next_seq) */
	int64_t last_at;
	bool dropped_any;
	int64_t dropped_at;             /* newest turn dropped for capacity */
	struct scope count, time;
};

static void scope_init(struct scope *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		s->keys[i] = xcalloc(cap, sizeof(*s->keys[i]));
		s->vals[i] = xcalloc(cap, sizeof(*s->vals[i]));
	}
}

static void scope_free(struct scope *s)
{
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		free(s->keys[i]);
		free(s->vals[i]);
	}
}

struct metrics_window *metrics_window_new(size_t last_n, int64_t last_ms, size_t capacity)
{
	struct metrics_window *w = xcalloc(1, sizeof(*w));
	w->last_n = last_n ? last_n : 1;
	w->last_ms = last_ms;
	w->cap = capacity > w->last_n ? capacity : w->last_n;
	w->ring = xcalloc(w->cap, sizeof(*w->ring));
	scope_init(&w->count, w->cap);
	scope_init(&w->time, w->cap);
	return w;
}

void metrics_window_free(struct metrics_window **w)
{
	if (!w || !*w)
		return;
	scope_free(&(*w)->count);
	scope_free(&(*w)->time);
	free((*w)->ring);
	free(*w);
	*w = NULL;
}

static const struct metrics_turn *turn_at(const struct metrics_window *w, uint64_t seq)
{
	return &w->ring[seq % w->cap];
}

/* Insert (v, seq) into span i of s, keeping it sorted. */
static void scope_insert(struct scope *s, int i, uint64_t v, uint64_t seq)
{
	struct key *k = s->keys[i];
	size_t lo = 0, hi = s->n[i];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k[mid].v < v || (k[mid].v == v && k[mid].seq < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&k[lo + 1], &k[lo], (s->n[i] - lo) * sizeof(*k));
	memmove(&s->vals[i][lo + 1], &s->vals[i][lo], (s->n[i] - lo) * sizeof(*s->vals[i]));
	k[lo] = (struct key){ v, seq };
	s->vals[i][lo] = v;
	s->n[i]++;
}

/* Make first the oldest member: one pass per span drops every key with a
 * smaller seq, however many turns leave at once. */
static void scope_drop_before(struct scope *s, uint64_t first)
{
	if (first <= s->first)
		return;
	s->first = first;
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		size_t kept = 0;
		for (size_t j = 0; j < s->n[i]; j++)
			if (s->keys[i][j].seq >= first) {
				s->keys[i][kept] = s->keys[i][j];
				s->vals[i][kept] = s->keys[i][j].v;
				kept++;
			}
		s->n[i] = kept;
	}
}

/* Drop from the time scope the turns older than now - last_ms. */
static void expire(struct metrics_window *w, int64_t now)
{
	uint64_t first = w->time.first;
	while (first < w->next_seq && turn_at(w, first)->at_ms < now - w->last_ms)
		first++;
	scope_drop_before(&w->time, first);
}

void metrics_window_add(struct metrics_window *w, const struct metrics_turn *t)
{
	if (w->next_seq - w->oldest_seq == w->cap) {
		const struct metrics_turn *old = turn_at(w, w->oldest_seq);
		if (w->oldest_seq >= w->time.first) {
			w->dropped_any = true;
			w->dropped_at = old->at_ms;
		}
		w->oldest_seq++;
		scope_drop_before(&w->count, w->oldest_seq);
		scope_drop_before(&w->time, w->oldest_seq);
	}
	uint64_t seq = w->next_seq++;
	struct metrics_turn *slot = &w->ring[seq % w->cap];
	*slot = *t;
	if (seq > 0 && slot->at_ms < w->last_at)
		slot->at_ms = w->last_at;
	w->last_at = slot->at_ms;
	for (int i = 0; i < METRICS_N_SPANS; i++)
		if (slot->spans & (1u << i)) {
			scope_insert(&w->count, i, slot->span_us[i], seq);
			scope_insert(&w->time, i, slot->span_us[i], seq);
		}
	if (w->next_seq - w->count.first > w->last_n)
		scope_drop_before(&w->count, w->next_seq - w->last_n);
	expire(w, slot->at_ms);
}

static void sum_turns(const struct metrics_window *w, uint64_t first, struct metrics_summary *out)
{
	size_t n_expanded = 0, n_answered_priced = 0;
	double expansion = 0, grounding = 0, unsupported = 0;
	for (uint64_t seq = first; seq < w->next_seq; seq++) {
		const struct metrics_turn *t = turn_at(w, seq);
		bool answered = t->outcome == METRICS_OK || t->outcome == METRICS_FELL_BACK;
		out->turns++;
		out->outcomes[t->outcome]++;
		out->embed_tokens += t->embed_tokens;
		out->embed_cost += t->embed_cost_usd;
		out->n_summarize_calls += t->summarize_called;
		out->n_summarized += t->summarized;
		out->summary_tokens_in += t->summary_tokens_in;
		out->summary_tokens_out += t->summary_tokens_out;
		out->summary_cost += t->summary_cost_usd;
		if (!t->cost_known)
			out->extra_cost_unpriced += t->embed_cost_usd + t->summary_cost_usd;
		if (t->cost_known) {
			out->n_priced++;
			out->n_estimated += t->cost_estimated;
			out->cost_total += t->cost_usd;
			n_answered_priced += answered;
		}
		/* 0: no prompt reached the model, which says nothing of expansion */
		if (t->question_tokens > 0 && t->expansion > 0) {
			expansion += t->expansion;
			n_expanded++;
		}
		if (t->has_grounding) {
			grounding += t->grounding;
			out->n_grounded++;
		}
		if (t->has_unsupported) {
			unsupported += t->unsupported_sentences;
			out->n_marked++;
		}
	}
	if (out->turns) {
		out->error_rate = (double)out->outcomes[METRICS_FAILED] / (double)out->turns;
		out->fallback_rate = (double)out->outcomes[METRICS_FELL_BACK] / (double)out->turns;
	}
	if (out->n_priced)
		out->cost_per_query = out->cost_total / (double)out->n_priced;
	if (n_answered_priced)
		out->cost_per_success = out->cost_total / (double)n_answered_priced;
	if (n_expanded)
		out->expansion_mean = expansion / (double)n_expanded;
	if (out->n_grounded)
		out->grounding_mean = grounding / (double)out->n_grounded;
	if (out->n_marked)
		out->unsupported_mean = unsupported / (double)out->n_marked;
}

void metrics_window_summary(struct metrics_window *w, enum metrics_scope scope, int64_t now_ms,
                            struct metrics_summary *out)
{
	const struct scope *s = scope == METRICS_LAST_N ? &w->count : &w->time;
	memset(out, 0, sizeof(*out));
	out->scope = scope;
	if (scope == METRICS_LAST_TIME) {
		expire(w, now_ms);
		out->truncated = w->dropped_any && w->dropped_at >= now_ms - w->last_ms;
	}
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		struct metrics_pct *p = &out->span[i];
		p->n = s->n[i];
		p->p50 = metrics_percentile(s->vals[i], s->n[i], 50);
		p->p95 = metrics_percentile(s->vals[i], s->n[i], 95);
		p->p99 = metrics_percentile(s->vals[i], s->n[i], 99);
	}
	sum_turns(w, s->first, out);
}

void metrics_alerts_check(const struct metrics_summary *s, const struct config *c,
                          struct metrics_alerts *out)
{
	const struct metrics_pct *total = &s->span[METRICS_SPAN_TOTAL];
	double p95_ms = (double)total->p95 / 1000.0;
	double max_ms = c->evaluation.latency_p95_ms;
	double min_grounding = c->evaluation.hallucination_score;
	memset(out, 0, sizeof(*out));
	if (total->n && p95_ms > max_ms && config_metric_on(c, "latency_p95")) {
		out->latency = true;
		snprintf(out->latency_msg, sizeof(out->latency_msg),
		         "p95 latency %.0f ms is over the %.0f ms threshold (%zu turns)", p95_ms, max_ms,
		         total->n);
	}
	if (s->n_grounded && s->grounding_mean < min_grounding && config_metric_on(c, "hallucination_score")) {
		out->grounding = true;
		snprintf(out->grounding_msg, sizeof(out->grounding_msg),
		         "grounding score %.2f (mean of %zu turns) is under the %.2f threshold",
		         s->grounding_mean, s->n_grounded, min_grounding);
	}
}
