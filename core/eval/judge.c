/* judge: verdicts asked of a model, checked strictly, cached in the store. */
#include "core/eval/judge.h"
#include "core/answer/metrics.h"
#include "core/answer/prompt.h"
#include "core/config/config.h"
#include "core/llm/breaker.h"
#include "core/llm/llm.h"
#include "core/llm/provider_config.h"
#include "core/util/clock.h"
#include "core/util/log.h"
#include "core/util/xalloc.h"
#include "store/evalstore.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Requests per task: the first, and one more after a malformed reply. */
#define ATTEMPTS 2

struct judge {
	char *model;
	const struct config_provider *provider;   /* points into cfg */
	const struct config_price *price;          /* NULL: the model has no price */
	struct llm_provider_cfg pcfg;
	struct llm_http_opts http;
	struct llm_client *client;
	struct breaker_set *breakers;
	struct store *cache;
};

int judge_new(const struct config *cfg, struct store *cache, const char *model, struct judge **out,
              char *err, size_t errlen)
{
	const struct config_provider *p = config_provider_for_model(cfg, model);
	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "no provider serves the judge model \"%s\": add a models route for it "
		         "(docs/config.md, models)", model);
		return -1;
	}
	if (p->kind == PROVIDER_LOCAL) {
		snprintf(err, errlen, "the judge model \"%s\" is served by the offline answerer (provider %s), "
		         "which cannot judge: name a model of an openai or anthropic provider", model, p->name);
		return -1;
	}
	struct judge *j = xcalloc(1, sizeof *j);
	struct breaker_opts bo;
	j->model = xstrdup(model);
	j->provider = p;
	j->price = config_price_for_model(cfg, model);
	llm_provider_cfg_from_config(p, &j->pcfg);
	llm_http_opts_from_config(cfg, &j->http);
	j->client = llm_client_new();
	breaker_opts_from_config(cfg, &bo);
	j->breakers = breaker_set_new(&bo);
	j->cache = cache;
	*out = j;
	return 0;
}

void judge_free(struct judge **jp)
{
	struct judge *j = *jp;
	if (!j)
		return;
	llm_client_free(&j->client);
	breaker_set_free(&j->breakers);
	free(j->model);
	free(j);
	*jp = NULL;
}

const char *judge_model(const struct judge *j)
{
	return j->model;
}

bool judge_priced(const struct judge *j)
{
	return j->price != NULL;
}

void judge_outcome_free(struct judge_outcome *o)
{
	cJSON_Delete(o->verdict);
	memset(o, 0, sizeof *o);
}

/* ---- parsing ------------------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Narrow [*p, *end) to the inside of a code fence when it is one: a first
 * line of ``` or ```json, a last line of ```. Returns 0 (a fence, or no
 * fence at all), or -1 with why for a fence that is not one of those. */
static int strip_fence(const char **p, const char **end, char *why, size_t whylen)
{
	const char *s = *p, *e = *end;
	if (e - s < 3 || memcmp(s, "```", 3) != 0)
		return 0;
	const char *nl = memchr(s, '\n', (size_t)(e - s));
	const char *info = s + 3, *info_end = nl ? nl : e;
	while (info_end > info && is_space(info_end[-1]))
		info_end--;
	bool json_info = info_end - info == 4 && strncasecmp(info, "json", 4) == 0;
	if (!nl || (info_end != info && !json_info)) {
		snprintf(why, whylen, "a code fence must open with a line ``` or ```json and hold only the verdict");
		return -1;
	}
	if (e - (nl + 1) < 3 || memcmp(e - 3, "```", 3) != 0 || (e - 3 > nl + 1 && e[-4] != '\n')) {
		snprintf(why, whylen, "the code fence around the verdict is not closed by a line ```");
		return -1;
	}
	*p = nl + 1;
	*end = e - 3;
	return 0;
}

int judge_parse(const char *text, size_t len, cJSON **out, char *why, size_t whylen)
{
	const char *p = text, *end = text + len, *parsed_end = NULL;
	*out = NULL;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end) {
		snprintf(why, whylen, "an empty reply");
		return -1;
	}
	if (strip_fence(&p, &end, why, whylen) != 0)
		return -1;
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p != '{') {
		snprintf(why, whylen, "text before the JSON object (a verdict is one JSON object and nothing else)");
		return -1;
	}
	cJSON *o = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &parsed_end, false);
	if (!o) {
		snprintf(why, whylen, "not JSON (near byte %td of the verdict)",
		         parsed_end ? parsed_end - p + 1 : (ptrdiff_t)1);
		return -1;
	}
	while (parsed_end < end && is_space(*parsed_end))
		parsed_end++;
	if (parsed_end < end) {
		snprintf(why, whylen, "text after the JSON object (a verdict is one JSON object and nothing else)");
		cJSON_Delete(o);
		return -1;
	}
	*out = o;
	return 0;
}

int judge_check_keys(const cJSON *obj, const char *const *keys, size_t n, char *why, size_t whylen)
{
	size_t members = 0;
	if (!cJSON_IsObject(obj)) {
		snprintf(why, whylen, "the verdict is not a JSON object");
		return -1;
	}
	for (const cJSON *m = obj->child; m; m = m->next) {
		size_t k = 0;
		while (k < n && strcmp(m->string, keys[k]) != 0)
			k++;
		if (k == n) {
			snprintf(why, whylen, "unexpected key \"%.40s\"", m->string);
			return -1;
		}
		members++;
	}
	for (size_t k = 0; k < n; k++)
		if (!cJSON_GetObjectItemCaseSensitive(obj, keys[k])) {
			snprintf(why, whylen, "missing key \"%s\"", keys[k]);
			return -1;
		}
	/* Every member is a known key and every key is there: more members
	 * than keys means a key given twice. */
	if (members != n) {
		snprintf(why, whylen, "a key given twice");
		return -1;
	}
	return 0;
}

int judge_check_score(const cJSON *obj, const char *key, double *out, char *why, size_t whylen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 || v->valuedouble > 1) {
		snprintf(why, whylen, "\"%s\" must be a number from 0 to 1", key);
		return -1;
	}
	*out = v->valuedouble;
	return 0;
}

int judge_check_text(const cJSON *obj, const char *key, char *why, size_t whylen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const char *s = cJSON_GetStringValue(v);
	bool blank = true;
	for (const char *c = s; c && *c && blank; c++)
		blank = isspace((unsigned char)*c);
	if (!s || blank || strlen(s) > JUDGE_REASON_MAX) {
		snprintf(why, whylen, "\"%s\" must be a string of 1 to %d bytes, not only white space", key,
		         JUDGE_REASON_MAX);
		return -1;
	}
	return 0;
}

void judge_section(struct strbuf *sb, const char *name, const char *text)
{
	sb_printf(sb, "<<<%s>>>\n", name);
	prompt_cut_angle_runs(text, strlen(text), sb);
	sb_printf(sb, "\n<<<END %s>>>\n", name);
}

/* ---- asking ------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	return clock_now_us() / 1000;
}

/* The verdict of a reply: parsed and of the task's shape. */
static int checked_verdict(const struct judge_task *t, const char *text, size_t len, cJSON **out, char *why,
                           size_t whylen)
{
	if (judge_parse(text, len, out, why, whylen) != 0)
		return -1;
	if (t->check(*out, why, whylen) != 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static struct evalstore_judge_key cache_key(const struct judge *j, const struct judge_task *t)
{
	return (struct evalstore_judge_key){ t->item_id, t->content_hash, j->model, t->prompt_version };
}

/* A verdict that no longer passes the task's check counts as none. */
bool judge_cached(struct judge *j, const struct judge_task *t, struct judge_outcome *out)
{
	struct evalstore_judge_key key = cache_key(j, t);
	char *text = NULL, err[ERR_LEN], why[ERR_LEN];
	memset(out, 0, sizeof *out);
	out->cost_known = j->price != NULL;
	int rc = evalstore_judge_get(j->cache, &key, &text, err, sizeof err);
	if (rc < 0)
		log_warn("judge cache: %s; asking the judge", err);
	if (rc == 0 && checked_verdict(t, text, strlen(text), &out->verdict, why, sizeof why) == 0)
		out->judged = out->cached = true;
	free(text);
	return out->judged;
}

static void to_cache(struct judge *j, const struct judge_task *t, const struct judge_outcome *out)
{
	struct evalstore_judge_key key = cache_key(j, t);
	struct evalstore_judge_cost cost = { out->tokens_in, out->tokens_out, out->cost_usd, out->cost_known };
	char err[ERR_LEN];
	char *text = cJSON_PrintUnformatted(out->verdict);
	if (evalstore_judge_put(j->cache, &key, text, &cost, err, sizeof err) != 0)
		log_warn("judge cache: %s; the verdict is used but not kept", err);
	cJSON_free(text);
}

/* Send one request; the reply's text into *text and *len (caller frees)
 * when it came whole. Returns 0, or -1 with the reason in out->reason. */
static int call(struct judge *j, const struct judge_task *t, struct judge_outcome *out, char **text,
                size_t *len)
{
	struct llm_message msg = { .role = LLM_ROLE_USER, .content = t->user };
	struct llm_request req = { .model = j->model, .system = t->system, .messages = &msg, .n_messages = 1,
	                           .max_tokens = t->max_tokens, .temperature = 0 };
	struct llm_stream *s = NULL;
	char err[ERR_LEN], state[64];
	int rc = -1;
	*text = NULL;
	if (!breaker_allow(j->breakers, j->provider->name, now_ms())) {
		snprintf(out->reason, sizeof out->reason, "judge provider %s skipped after repeated failures: %s",
		         j->provider->name, breaker_describe(j->breakers, j->provider->name, now_ms(), state, sizeof state));
		return -1;
	}
	if (llm_stream_start(j->client, &j->pcfg, &j->http, &req, NULL, &s, err, sizeof err) != 0) {
		breaker_record(j->breakers, j->provider->name, BREAKER_CANCELLED, now_ms());
		snprintf(out->reason, sizeof out->reason, "%s", err);
		return -1;
	}
	if (llm_client_run(j->client, err, sizeof err) != 0) {
		snprintf(out->reason, sizeof out->reason, "%s", err);
		llm_stream_cancel(s);
	}
	const struct llm_result *res = llm_stream_result(s);
	out->calls++;
	out->tokens_in += res->usage.input_tokens;
	out->tokens_out += res->usage.output_tokens;
	out->estimated |= res->usage.estimated != 0;
	breaker_record(j->breakers, j->provider->name,
	               res->outcome == LLM_OUTCOME_OK ? BREAKER_SUCCESS : BREAKER_FAILURE, now_ms());
	if (res->outcome == LLM_OUTCOME_OK) {
		*text = xstrndup(res->text, res->text_len);
		*len = res->text_len;
		rc = 0;
	} else if (!out->reason[0]) {
		snprintf(out->reason, sizeof out->reason, "%s", res->error);
	}
	llm_stream_free(&s);
	return rc;
}

void judge_ask(struct judge *j, const struct judge_task *t, struct judge_outcome *out)
{
	char why[ERR_LEN] = "";
	if (judge_cached(j, t, out))
		return;
	for (int attempt = 0; attempt < ATTEMPTS && !out->judged; attempt++) {
		char *text = NULL;
		size_t len = 0;
		if (call(j, t, out, &text, &len) != 0)
			break;
		out->judged = checked_verdict(t, text, len, &out->verdict, why, sizeof why) == 0;
		free(text);
	}
	if (j->price)
		out->cost_usd = metrics_cost_usd(j->price, out->tokens_in, out->tokens_out);
	if (out->judged)
		to_cache(j, t, out);
	else if (!out->reason[0])
		snprintf(out->reason, sizeof out->reason, "malformed verdict twice: %s", why);
}
