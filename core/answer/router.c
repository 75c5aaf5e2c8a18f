#include "core/answer/router.h"
#include "core/config/config.h"
#include "core/answer/router_int.h"
#include "core/util/safe_regex.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A match at or above min_retrieval_score adds RETRIEVAL_HIT to facts, a
 * weaker one (some of the question's terms are in the store) adds
 * RETRIEVAL_WEAK, and none (under RETRIEVAL_NOTHING: no term found) adds
 * RETRIEVAL_MISS; each change of a matched document adds VOLATILITY_STEP
 * up to VOLATILITY_MAX. */
#define RETRIEVAL_HIT 1.0
#define RETRIEVAL_WEAK 0.5
#define RETRIEVAL_MISS -0.5
#define RETRIEVAL_NOTHING 0.05
#define VOLATILITY_STEP 0.25
#define VOLATILITY_MAX 0.5

static const char *const path_names[] = {
	[ROUTER_RETRIEVAL] = "retrieval", [ROUTER_ADAPTATION] = "adaptation",
	[ROUTER_HYBRID] = "hybrid", [ROUTER_DIRECT] = "direct",
};

static const struct {
	const char *prefix;
	enum router_path path;
} prefixes[] = {
	{ "/rag", ROUTER_RETRIEVAL },
	{ "/ft", ROUTER_ADAPTATION },
	{ "/hybrid", ROUTER_HYBRID },
	{ "/direct", ROUTER_DIRECT },
};

struct router {
	const struct config *c;
	struct router_cues *cues;
	regex_t *rules;
	enum router_path *rule_paths;
	size_t n_rules;
};

const char *router_path_name(enum router_path p)
{
	return path_names[p];
}

int router_path_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(path_names) / sizeof(path_names[0]); i++)
		if (!strcmp(s, path_names[i]))
			return (int)i;
	return -1;
}

int router_new(const struct config *c, struct router **out, char *err, size_t errlen)
{
	struct router *r = xcalloc(1, sizeof(*r));
	size_t n = c->router.n_rules;
	int rc = -1;

	r->c = c;
	r->rules = xcalloc(n ? n : 1, sizeof(*r->rules));
	r->rule_paths = xcalloc(n ? n : 1, sizeof(*r->rule_paths));
	for (size_t i = 0; i < n; i++) {
		const struct config_rule *rule = &c->router.rules[i];
		int path = router_path_parse(rule->path);
		if (path < 0) {
			snprintf(err, errlen, "router.rules[%zu]: path \"%s\" is not retrieval, adaptation, "
			         "hybrid or direct", i, rule->path);
			goto cleanup;
		}
		char msg[256];
		if (safe_regex_compile(&r->rules[i], rule->pattern, REG_ICASE | REG_NOSUB, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "router.rules[%zu]: pattern \"%s\" does not compile: %s (write a "
			         "POSIX extended regular expression)", i, rule->pattern, msg);
			goto cleanup;
		}
		r->rule_paths[i] = (enum router_path)path;
		r->n_rules++;
	}
	r->cues = router_cues_new();
	*out = r;
	r = NULL;
	rc = 0;
cleanup:
	router_free(&r);
	return rc;
}

void router_free(struct router **r)
{
	if (!r || !*r)
		return;
	for (size_t i = 0; i < (*r)->n_rules; i++)
		regfree(&(*r)->rules[i]);
	free((*r)->rules);
	free((*r)->rule_paths);
	router_cues_free(&(*r)->cues);
	free(*r);
	*r = NULL;
}

/* ---- pieces of a decision ----------------------------------------------- */

/* The question without leading space, its prefix (returned, or -1) and
 * trailing space. */
static char *strip_prefix(const char *q, int *forced, const char **prefix)
{
	while (isspace((unsigned char)*q))
		q++;
	*forced = -1;
	*prefix = NULL;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);
		if (!strncmp(q, prefixes[i].prefix, n) && (!q[n] || isspace((unsigned char)q[n]))) {
			*forced = (int)prefixes[i].path;
			*prefix = prefixes[i].prefix;
			q += n;
			while (isspace((unsigned char)*q))
				q++;
			break;
		}
	}
	size_t len = strlen(q);
	while (len && isspace((unsigned char)q[len - 1]))
		len--;
	return xstrndup(q, len);
}

/* The retrieval-score and volatility signals. */
static void probe_signals(const struct config *c, const struct router_signals *sig,
                            struct router_sigs *out)
{
	struct strbuf ev = STRBUF_INIT;
	double min = c->router.min_retrieval_score;
	if (!sig || sig->probe == ROUTER_PROBE_NONE)
		return;
	if (sig->probe == ROUTER_PROBE_FAILED) {
		router_sigs_add(out, "retrieval-score", ROUTER_AXIS_FACTS, 0, 0,
		                xstrdup("the quick retrieval failed"));
		return;
	}
	bool hit = sig->match >= min;
	double v = hit ? RETRIEVAL_HIT : sig->match >= RETRIEVAL_NOTHING ? RETRIEVAL_WEAK : RETRIEVAL_MISS;
	sb_printf(&ev, "best chunk holds %.0f%% of the question's terms, threshold %.0f%%", 100 * sig->match,
	          100 * min);
	router_sigs_add(out, "retrieval-score", ROUTER_AXIS_FACTS, sig->match, v, sb_detach(&ev, NULL));
	int changes = 0;
	int64_t first = 0, last = 0;
	for (size_t i = 0; i < sig->n_docs; i++) {
		const struct router_doc *d = &sig->docs[i];
		if (d->change_count > changes)
			changes = d->change_count;
		if (i == 0 || d->first_seen < first)
			first = d->first_seen;
		if (i == 0 || d->last_changed > last)
			last = d->last_changed;
	}
	if (hit && changes > 0) {
		double v = changes * VOLATILITY_STEP;
		if (v > VOLATILITY_MAX)
			v = VOLATILITY_MAX;
		sb_printf(&ev, "changed %d time%s in %lld days", changes, changes == 1 ? "" : "s",
		          (long long)((last - first) / 86400));
		router_sigs_add(out, "volatility", ROUTER_AXIS_FACTS, changes, v, sb_detach(&ev, NULL));
	}
	sb_free(&ev);
}

static double axis_sum(const struct router_sigs *s, enum router_axis axis)
{
	double sum = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].axis == axis)
			sum += s->v[i].contribution;
	return sum;
}

static const struct router_signal *find_signal(const struct router_decision *d, const char *name)
{
	for (size_t i = 0; i < d->n_signals; i++)
		if (!strcmp(d->signals[i].name, name))
			return &d->signals[i];
	return NULL;
}

static bool adaptation_usable(const struct config *c)
{
	return c->routing.adaptation.enabled && c->routing.adaptation.model_path &&
	       c->routing.adaptation.model_path[0];
}

/* The path to take for want, and why it differs (appended to why). */
static enum router_path usable_path(const struct config *c, const struct router_signals *sig,
                                    enum router_path want, struct strbuf *why)
{
	bool need_r = want == ROUTER_RETRIEVAL || want == ROUTER_HYBRID;
	bool need_a = want == ROUTER_ADAPTATION || want == ROUTER_HYBRID;
	bool failed = sig && sig->probe == ROUTER_PROBE_FAILED;
	bool r = need_r && c->routing.retrieval.enabled && !failed;
	bool a = need_a && adaptation_usable(c);
	if (need_r && !r)
		sb_puts(why, failed ? "the quick retrieval failed" : "retrieval is disabled in config");
	if (need_a && !a) {
		if (why->len)
			sb_puts(why, " and ");
		sb_puts(why, c->routing.adaptation.enabled ? "adaptation has no model_path in config"
		                                           : "adaptation is disabled in config");
	}
	return r && a ? ROUTER_HYBRID : r ? ROUTER_RETRIEVAL : a ? ROUTER_ADAPTATION : ROUTER_DIRECT;
}

static void chain_add(struct router_decision *d, const char *model)
{
	if (!model || !model[0])
		return;
	for (size_t i = 0; i < d->n_chain; i++)
		if (!strcmp(d->chain[i], model))
			return;
	d->chain = xreallocarray(d->chain, d->n_chain + 1, sizeof(*d->chain));
	d->chain[d->n_chain++] = xstrdup(model);
}

/* ---- the sentence ------------------------------------------------------- */

/* "(refund, plan; best match 0.62, documents changed 3 times)" */
static void facts_evidence(const struct router_decision *d, struct strbuf *sb)
{
	static const char *const cues[] = { "identifiers", "domain-terms", "currency", "source-ref" };
	size_t mark = sb->len;
	sb_puts(sb, " (");
	size_t open = sb->len;
	for (size_t i = 0; i < sizeof(cues) / sizeof(cues[0]); i++) {
		const struct router_signal *s = find_signal(d, cues[i]);
		if (s && s->contribution > 0)
			sb_printf(sb, "%s%s", sb->len > open ? ", " : "", s->evidence);
	}
	const struct router_signal *score = find_signal(d, "retrieval-score");
	const struct router_signal *vol = find_signal(d, "volatility");
	if (score && score->contribution > 0)
		sb_printf(sb, "%sbest match %.2f", sb->len > open ? "; " : "", score->value);
	if (vol)
		sb_printf(sb, ", documents changed %.0f time%s", vol->value, vol->value == 1 ? "" : "s");
	if (sb->len == open)
		sb_truncate(sb, mark);
	else
		sb_putc(sb, ')');
}

static const char *format_evidence(const struct router_decision *d)
{
	const struct router_signal *s = find_signal(d, "format");
	return s ? s->evidence : "a strict format";
}

static bool is_current(const struct router_decision *d)
{
	return find_signal(d, "currency") || find_signal(d, "volatility");
}

/* Why the wanted path, for the rules that come from the signals. */
static void signal_reason(const struct router_decision *d, const struct router_text *t,
                          const struct config *c, struct strbuf *sb)
{
	const char *rule = d->rule;
	if (!strcmp(rule, "greeting")) {
		sb_printf(sb, "A greeting or small talk (\"%s\")", t->what);
	} else if (!strcmp(rule, "arithmetic")) {
		sb_printf(sb, "Plain arithmetic (%s)", t->what);
	} else if (!strcmp(rule, "conversation")) {
		sb_printf(sb, "About the conversation itself (\"%s\")", t->what);
	} else if (!strcmp(rule, "low-retrieval-score")) {
		const struct router_signal *score = find_signal(d, "retrieval-score");
		sb_puts(sb, "Looks like a facts question");
		facts_evidence(d, sb);
		sb_printf(sb, " but no document matched well (best match %.2f, under %.2f)", score->value,
		          c->router.min_retrieval_score);
		if (d->wanted == ROUTER_ADAPTATION)
			sb_printf(sb, " and it asks for %s", format_evidence(d));
	} else if (d->wanted == ROUTER_RETRIEVAL || d->wanted == ROUTER_HYBRID) {
		sb_printf(sb, "Needs %sfacts from the documents", is_current(d) ? "current " : "");
		facts_evidence(d, sb);
		if (d->wanted == ROUTER_HYBRID)
			sb_printf(sb, " and asks for %s", format_evidence(d));
	} else if (d->wanted == ROUTER_ADAPTATION) {
		sb_printf(sb, "Asks for %s and no facts from the documents", format_evidence(d));
	} else {
		sb_printf(sb, "Asks for no document facts (score %.2f, under %.2f) and no strict format",
		          d->facts_score, ROUTER_THRESHOLD);
	}
}

static void conclusion(const struct router_decision *d, struct strbuf *sb)
{
	if (d->model_by_hand) {
		bool context = d->path == ROUTER_RETRIEVAL || d->path == ROUTER_HYBRID;
		sb_printf(sb, "so %s, chosen by hand, answers %s", d->model,
		          context ? "from retrieved context" : "without retrieval");
		if (d->no_grounding)
			sb_puts(sb, " (no document matched well)");
		sb_putc(sb, '.');
		return;
	}
	switch (d->path) {
	case ROUTER_RETRIEVAL:
		sb_printf(sb, "so %s answers from retrieved context", d->model);
		break;
	case ROUTER_HYBRID:
		sb_puts(sb, "so it goes to the adapted model with retrieved context");
		break;
	case ROUTER_ADAPTATION:
		sb_puts(sb, "so the adapted model answers without retrieval");
		break;
	case ROUTER_DIRECT:
		sb_printf(sb, "so %s answers directly without retrieval", d->model);
		break;
	}
	if (d->no_grounding)
		sb_puts(sb, " and says plainly when the documents lack the answer");
	sb_putc(sb, '.');
}

static char *make_sentence(const struct router_decision *d, const struct router_text *t,
                           const struct config *c, const char *prefix, size_t rule_no,
                           const char *why_mapped)
{
	struct strbuf sb = STRBUF_INIT;
	if (prefix)
		sb_printf(&sb, "The %s prefix asks for %s", prefix, path_names[d->wanted]);
	else if (rule_no)
		sb_printf(&sb, "Config rule %zu (/%s/) sends it to %s", rule_no,
		          c->router.rules[rule_no - 1].pattern, path_names[d->wanted]);
	else
		signal_reason(d, t, c, &sb);
	if (why_mapped[0])
		sb_printf(&sb, ", but %s", why_mapped);
	if (d->no_grounding && strcmp(d->rule, "low-retrieval-score") != 0)
		sb_printf(&sb, "%s no document holds any of its terms (best match %.2f)",
		          why_mapped[0] ? " and" : ", but", find_signal(d, "retrieval-score")->value);
	sb_puts(&sb, ", ");
	conclusion(d, &sb);
	return sb_detach(&sb, NULL);
}

/* ---- deciding ----------------------------------------------------------- */

/* The path the signals ask for, and the rule that names it. */
static enum router_path from_signals(struct router_decision *d, const struct router_text *t,
                                     double facts_text, bool probed)
{
	bool facts = d->facts_score >= ROUTER_THRESHOLD;
	bool format = d->format_score >= ROUTER_THRESHOLD;
	enum router_path p = facts && format ? ROUTER_HYBRID
	                     : facts         ? ROUTER_RETRIEVAL
	                     : format        ? ROUTER_ADAPTATION
	                                     : ROUTER_DIRECT;
	const char *rule = facts && format ? "format+facts" : facts ? "facts" : format ? "format" : "neither";
	if (probed && (facts_text >= ROUTER_THRESHOLD) != facts)
		rule = facts ? "retrieval-match" : "low-retrieval-score";
	else if (p == ROUTER_DIRECT && t->small_talk)
		rule = "greeting";
	else if (p == ROUTER_DIRECT && t->arithmetic)
		rule = "arithmetic";
	else if (p == ROUTER_DIRECT && t->conversation)
		rule = "conversation";
	d->rule = xstrdup(rule);
	return p;
}

void router_decide(const struct router *r, const char *question, const struct router_signals *sig,
                   struct router_decision *out)
{
	const struct config *c = r->c;
	struct router_sigs sigs = { NULL, 0 };
	struct router_text text;
	struct strbuf why = STRBUF_INIT;
	const char *prefix;
	int forced;
	size_t rule_no = 0;

	memset(out, 0, sizeof(*out));
	out->question = strip_prefix(question, &forced, &prefix);
	router_cues_measure(r->cues, out->question, &sigs, &text);
	double facts_text = axis_sum(&sigs, ROUTER_AXIS_FACTS);
	probe_signals(c, sig, &sigs);
	out->signals = sigs.v;
	out->n_signals = sigs.n;
	out->facts_score = axis_sum(&sigs, ROUTER_AXIS_FACTS);
	out->format_score = axis_sum(&sigs, ROUTER_AXIS_FORMAT);

	for (size_t i = 0; forced < 0 && !rule_no && i < r->n_rules; i++)
		if (regexec(&r->rules[i], out->question, 0, NULL, 0) == 0)
			rule_no = i + 1;
	if (forced >= 0 || rule_no) {
		struct strbuf id = STRBUF_INIT;
		if (forced >= 0)
			sb_printf(&id, "prefix:%s", prefix);
		else
			sb_printf(&id, "config-rule:%zu", rule_no);
		out->rule = sb_detach(&id, NULL);
		out->wanted = forced >= 0 ? (enum router_path)forced : r->rule_paths[rule_no - 1];
	} else {
		out->wanted = from_signals(out, &text, facts_text, sig && sig->probe == ROUTER_PROBE_OK);
	}

	out->path = usable_path(c, sig, out->wanted, &why);
	out->no_grounding = (out->path == ROUTER_RETRIEVAL || out->path == ROUTER_HYBRID) && sig &&
	                    sig->probe == ROUTER_PROBE_OK && sig->match < RETRIEVAL_NOTHING;
	bool adapted = out->path == ROUTER_ADAPTATION || out->path == ROUTER_HYBRID;
	out->model_by_hand = sig && sig->model;
	if (out->model_by_hand) {
		out->model = xstrdup(sig->model);
		chain_add(out, out->model);
	} else {
		out->model = xstrdup(adapted ? c->routing.adaptation.model_path : c->routing.default_model);
		chain_add(out, out->model);
		chain_add(out, c->routing.default_model);
		chain_add(out, c->routing.fallback_model);
		chain_add(out, "local");
	}
	out->sentence = make_sentence(out, &text, c, prefix, rule_no, sb_str(&why));
	sb_free(&why);
	router_text_free(&text);
}

void router_decision_free(struct router_decision *d)
{
	for (size_t i = 0; i < d->n_signals; i++)
		free(d->signals[i].evidence);
	free(d->signals);
	for (size_t i = 0; i < d->n_chain; i++)
		free(d->chain[i]);
	free(d->chain);
	free(d->question);
	free(d->model);
	free(d->rule);
	free(d->sentence);
	memset(d, 0, sizeof(*d));
}
