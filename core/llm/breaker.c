#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct breaker {
	char *provider;
	enum breaker_state state;     /* as last updated; OPEN may have expired */
	uint64_t opened_at;
	bool trial_out;               /* half-open and the trial request is running */
	uint64_t *fail_at;            /* ring of the last `failures` failure times */
	size_t n_fail, head;
};

struct breaker_set {
	struct breaker_opts o;
	struct breaker *b;
	size_t n;
};

void breaker_opts_from_config(const struct config *c, struct breaker_opts *o)
{
	o->failures = c->router.breaker_failures;
	o->window_ms = (uint64_t)c->router.breaker_window_s * 1000;
	o->cooldown_ms = (uint64_t)c->router.breaker_cooldown_s * 1000;
}

struct breaker_set *breaker_set_new(const struct breaker_opts *o)
{
	struct breaker_set *s = xcalloc(1, sizeof(*s));
	s->o = *o;
	if (s->o.failures < 1)
		s->o.failures = 1;
	return s;
}

void breaker_set_free(struct breaker_set **s)
{
	if (!s || !*s)
		return;
	for (size_t i = 0; i < (*s)->n; i++) {
		free((*s)->b[i].provider);
		free((*s)->b[i].fail_at);
	}
	free((*s)->b);
	free(*s);
	*s = NULL;
}

static const struct breaker *find(const struct breaker_set *s, const char *provider)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->b[i].provider, provider))
			return &s->b[i];
	return NULL;
}

static struct breaker *get(struct breaker_set *s, const char *provider)
{
	struct breaker *b = (struct breaker *)find(s, provider);
	if (b)
		return b;
	s->b = xreallocarray(s->b, s->n + 1, sizeof(*s->b));
	b = &s->b[s->n++];
	*b = (struct breaker){ .provider = xstrdup(provider), .state = BREAKER_CLOSED };
	b->fail_at = xcalloc((size_t)s->o.failures, sizeof(*b->fail_at));
	return b;
}

/* The state at now, with an expired cooldown read as half-open. */
static enum breaker_state state_at(const struct breaker_set *s, const struct breaker *b, uint64_t now,
                                   uint64_t *left)
{
	if (left)
		*left = 0;
	if (!b)
		return BREAKER_CLOSED;
	if (b->state != BREAKER_OPEN)
		return b->state;
	uint64_t until = b->opened_at + s->o.cooldown_ms;
	if (now >= until)
		return BREAKER_HALF_OPEN;
	if (left)
		*left = until - now;
	return BREAKER_OPEN;
}

enum breaker_state breaker_state(const struct breaker_set *s, const char *provider, uint64_t now_ms,
                                 uint64_t *left_ms)
{
	return state_at(s, find(s, provider), now_ms, left_ms);
}

bool breaker_allow(struct breaker_set *s, const char *provider, uint64_t now_ms)
{
	const struct breaker *seen = find(s, provider);
	switch (state_at(s, seen, now_ms, NULL)) {
	case BREAKER_CLOSED:
		return true;
	case BREAKER_OPEN:
		return false;
	case BREAKER_HALF_OPEN:
		break;
	}
	struct breaker *b = get(s, provider);
	if (b->trial_out)
		return false;
	b->state = BREAKER_HALF_OPEN;
	b->trial_out = true;
	return true;
}

static void open_breaker(struct breaker *b, uint64_t now)
{
	b->state = BREAKER_OPEN;
	b->opened_at = now;
	b->trial_out = false;
	b->n_fail = 0;
	b->head = 0;
}

/* Add a failure at now to the ring; true when `failures` of them now fall
 * within the window (now - window, now]. */
static bool note_failure(const struct breaker_set *s, struct breaker *b, uint64_t now)
{
	size_t cap = (size_t)s->o.failures;
	b->fail_at[b->head] = now;
	b->head = (b->head + 1) % cap;
	if (b->n_fail < cap)
		b->n_fail++;
	size_t recent = 0;
	for (size_t i = 0; i < b->n_fail; i++)
		if (now - b->fail_at[i] < s->o.window_ms || b->fail_at[i] == now)
			recent++;
	return recent >= cap;
}

void breaker_record(struct breaker_set *s, const char *provider, enum breaker_outcome outcome,
                    uint64_t now_ms)
{
	struct breaker *b = get(s, provider);
	enum breaker_state st = state_at(s, b, now_ms, NULL);
	bool trial = st == BREAKER_HALF_OPEN && b->trial_out;

	if (outcome == BREAKER_CANCELLED) {
		if (trial)
			b->trial_out = false;
	} else if (outcome == BREAKER_SUCCESS) {
		if (trial) {
			b->state = BREAKER_CLOSED;
			b->trial_out = false;
			b->n_fail = 0;
			b->head = 0;
		}
	} else if (trial) {
		open_breaker(b, now_ms);
	} else if (st == BREAKER_CLOSED && note_failure(s, b, now_ms)) {
		open_breaker(b, now_ms);
	}
}

const char *breaker_describe(const struct breaker_set *s, const char *provider, uint64_t now_ms,
                             char *buf, size_t len)
{
	const struct breaker *b = find(s, provider);
	uint64_t left;
	switch (state_at(s, b, now_ms, &left)) {
	case BREAKER_CLOSED:
		snprintf(buf, len, "available");
		break;
	case BREAKER_OPEN:
		snprintf(buf, len, "cooling down (%llu s left)", (unsigned long long)((left + 999) / 1000));
		break;
	case BREAKER_HALF_OPEN:
		snprintf(buf, len, "half-open (trial %s)", b->trial_out ? "in flight" : "allowed");
		break;
	}
	return buf;
}

void breaker_candidates_from_config(const struct config *c, const char *const *models, size_t n,
                                    struct breaker_candidate *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct config_provider *p = config_provider_for_model(c, models[i]);
		const char *val = p && p->api_key_env ? getenv(p->api_key_env) : NULL;
		out[i] = (struct breaker_candidate){
			.model = models[i],
			.provider = p ? p->name : NULL,
			.key_env = p ? p->api_key_env : NULL,
			.key_set = val && val[0],
		};
	}
}

/* Why candidate c cannot take a request now, or NULL when it can (which,
 * for a half-open provider, takes its trial slot). */
static char *why_unusable(struct breaker_set *s, const struct breaker_candidate *c, uint64_t now,
                          bool *trial)
{
	struct strbuf why = STRBUF_INIT;
	uint64_t left;
	*trial = false;
	if (!c->provider) {
		sb_puts(&why, "no provider serves this model (add a models entry for it)");
	} else if (c->key_env && !c->key_set) {
		sb_printf(&why, "%s is not set", c->key_env);
	} else {
		enum breaker_state st = breaker_state(s, c->provider, now, &left);
		if (st == BREAKER_OPEN)
			sb_printf(&why, "cooling down, %llu s left", (unsigned long long)((left + 999) / 1000));
		else if (!breaker_allow(s, c->provider, now))
			sb_puts(&why, "half-open, its trial request is still running");
		else
			*trial = st == BREAKER_HALF_OPEN;
	}
	return why.len ? sb_detach(&why, NULL) : NULL;
}

int breaker_pick(struct breaker_set *s, const struct breaker_candidate *c, size_t n, uint64_t now_ms,
                 struct breaker_pick *out, char *err, size_t errlen)
{
	struct strbuf all = STRBUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->chosen = -1;
	out->skipped = xcalloc(n ? n : 1, sizeof(*out->skipped));
	for (size_t i = 0; i < n; i++) {
		char *why = why_unusable(s, &c[i], now_ms, &out->trial);
		if (!why) {
			out->chosen = (int)i;
			break;
		}
		out->skipped[out->n_skipped++] = (struct breaker_hop){ xstrdup(c[i].model), why };
		sb_printf(&all, "%s%s: %s", all.len ? "; " : "", c[i].model, why);
	}
	if (out->chosen < 0) {
		snprintf(err, errlen, "no usable model: %s", n ? sb_str(&all) : "the fallback chain is empty");
		rc = -1;
	}
	sb_free(&all);
	return rc;
}

void breaker_pick_free(struct breaker_pick *out)
{
	for (size_t i = 0; i < out->n_skipped; i++) {
		free(out->skipped[i].model);
		free(out->skipped[i].reason);
	}
	free(out->skipped);
	memset(out, 0, sizeof(*out));
}
