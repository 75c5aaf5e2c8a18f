/* judge: a model asked for a verdict in strict JSON, its verdicts cached.
 *
 * A task is one question to the judge: a system and a user message, a
 * check of the verdict's shape, and the key the verdict is cached under
 * (an item id, the hash of everything the judge is shown, the judge model
 * and the prompt version; store/evalstore.h). judge_ask looks the key up
 * first: a cached verdict asks nothing and costs nothing. Otherwise the
 * model is asked through the transport `ask` uses, with the provider the
 * config's `models` routes give it and the config's `http` timeouts and
 * retries. A reply that is not a verdict of the task's shape is asked
 * once more; a second malformed reply, a request that failed (server
 * down, timeout, HTTP error, missing key) or a provider whose breaker is
 * open after repeated failures leaves the subject unjudged, with the
 * reason. Only verdicts are cached, never failures, so a rerun asks again
 * for what is unjudged.
 *
 * What a reply may be: one JSON object with only white space around it,
 * or that object alone inside one Markdown code fence (a line ``` or
 * ```json before it, a line ``` after it). Anything else (a sentence
 * before or after the object, a second value, an array) is malformed. */
#ifndef RAGDECK_JUDGE_H
#define RAGDECK_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/error.h"
#include "core/util/strbuf.h"

struct cJSON;
struct config;
struct store;

/* Longest reason kept from a verdict (bytes); a longer one is malformed. */
#define JUDGE_REASON_MAX 1000

struct judge;

/* A judge of model, resolved as `ask` resolves a model: its provider from
 * the config's `models` routes, its price from `pricing` (none: its cost
 * is unknown). cache is the store verdicts are kept in (borrowed; it must
 * outlive the judge). Returns 0 with *out (free with judge_free), or -1
 * with err when no provider serves model or it is the offline `local`
 * answerer, which cannot judge. */
int judge_new(const struct config *cfg, struct store *cache, const char *model, struct judge **out,
              char *err, size_t errlen);

/* Free *j (NULL-safe) and clear the pointer. */
void judge_free(struct judge **j);

/* The judge model's name (valid while the judge lives). */
const char *judge_model(const struct judge *j);

/* Whether the judge model has a price (else its cost is unknown). */
bool judge_priced(const struct judge *j);

/* One question to the judge. */
struct judge_task {
	const char *prompt_version;   /* part of the cache key */
	const char *item_id;          /* part of the cache key; "" when the subject has none */
	const char *content_hash;     /* part of the cache key: hash of all the judge is shown */
	const char *system;
	const char *user;
	int max_tokens;
	/* The verdict's shape: 0, or -1 with why (one line). */
	int (*check)(const struct cJSON *verdict, char *why, size_t whylen);
};

/* What judge_ask got. Zeroed by judge_ask; free with judge_outcome_free. */
struct judge_outcome {
	bool judged;
	bool cached;                  /* the verdict came from the store: no request */
	struct cJSON *verdict;        /* judged: the checked verdict; owned */
	char reason[ERR_LEN];         /* not judged: why, one line (may quote a server:
	                               * sanitize before printing) */
	int calls;                    /* requests sent */
	long tokens_in, tokens_out;   /* of those requests (0 without any) */
	bool estimated;               /* some request reported no usage: estimated */
	double cost_usd;              /* of those tokens, when cost_known */
	bool cost_known;              /* the judge model has a price */
};

/* Ask j the question t (see the top of this file) into *out. Never fails
 * as a whole: a failure is an outcome that is not judged. A store that
 * cannot be read or written is warned about and the call goes on without
 * the cache. */
void judge_ask(struct judge *j, const struct judge_task *t, struct judge_outcome *out);

/* The verdict cached for t, without asking (t->user is not read): true
 * with *out judged and cached, false with *out zeroed when none is (a
 * caller whose user message is costly to build looks here first). Free
 * out with judge_outcome_free in both cases. */
bool judge_cached(struct judge *j, const struct judge_task *t, struct judge_outcome *out);

/* Free what *o owns and zero it. */
void judge_outcome_free(struct judge_outcome *o);

/* Parse a reply as a verdict: text[0..len) must be one JSON object, alone
 * or in one code fence (see the top of this file). Returns 0 with *out
 * (caller frees with cJSON_Delete), or -1 with why and *out NULL. */
int judge_parse(const char *text, size_t len, struct cJSON **out, char *why, size_t whylen);

/* Checks for a verdict's shape, each returning 0 or -1 with why: obj is an
 * object whose members are exactly keys[0..n), each once; */
int judge_check_keys(const struct cJSON *obj, const char *const *keys, size_t n, char *why, size_t whylen);
/* ... its member key is a number from 0 to 1, into *out; */
int judge_check_score(const struct cJSON *obj, const char *key, double *out, char *why, size_t whylen);
/* ... its member key is a string with a character other than white space,
 * at most JUDGE_REASON_MAX bytes. */
int judge_check_text(const struct cJSON *obj, const char *key, char *why, size_t whylen);

/* Append to sb a section of a judge's user message: the line
 * "<<<NAME>>>", text with every run of three or more '<' or '>' cut to two
 * (so it cannot close its section or open another), and the line
 * "<<<END NAME>>>". */
void judge_section(struct strbuf *sb, const char *name, const char *text);

#endif
