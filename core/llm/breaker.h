/* breaker: per-provider circuit breakers and the pick along a fallback chain.
 *
 * A provider's breaker is closed (available) until `failures` requests fail
 * within any `window` (a sliding window over failure times; successes do
 * not erase recent failures, so a provider failing three requests in five
 * still opens). Then it is open (cooling down) for `cooldown`; after that it
 * is half-open: exactly one trial request may go, and its success closes the
 * breaker (forgetting old failures) while its failure opens it again for a
 * full cooldown. Time is the caller's monotonic clock in milliseconds, so
 * the whole machine is testable without sleeping.
 *
 * A provider is also unusable when the environment variable holding its key
 * is not set; the caller says whether it is (breaker_candidates_from_config
 * reads the environment for it). */
#ifndef RAGDECK_BREAKER_H
#define RAGDECK_BREAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };
enum breaker_outcome { BREAKER_SUCCESS, BREAKER_FAILURE, BREAKER_CANCELLED };

struct breaker_opts {
	int failures;             /* failures within window_ms that open the breaker (>= 1) */
	uint64_t window_ms;
	uint64_t cooldown_ms;
};

struct breaker_set;

/* router.breaker_failures, breaker_window_s and breaker_cooldown_s of c. */
void breaker_opts_from_config(const struct config *c, struct breaker_opts *o);

/* An empty set (every provider closed). failures below 1 count as 1.
 * Never NULL; free with breaker_set_free. */
struct breaker_set *breaker_set_new(const struct breaker_opts *o);

/* Free *s and clear the pointer; NULL-safe. */
void breaker_set_free(struct breaker_set **s);

/* State of provider's breaker at now_ms; *left_ms (may be NULL) is the
 * cooldown left when open, else 0. A provider never seen is closed. */
enum breaker_state breaker_state(const struct breaker_set *s, const char *provider, uint64_t now_ms,
                                 uint64_t *left_ms);

/* Whether a request to provider may start at now_ms. When half-open this
 * takes the one trial slot: the caller must then report the request with
 * breaker_record (success, failure, or cancelled to give the slot back). */
bool breaker_allow(struct breaker_set *s, const char *provider, uint64_t now_ms);

/* Report how a request to provider ended at now_ms. */
void breaker_record(struct breaker_set *s, const char *provider, enum breaker_outcome outcome,
                    uint64_t now_ms);

/* The state in words for the UI, into buf: "available", "cooling down
 * (12 s left)" (seconds rounded up), "half-open (trial allowed)" or
 * "half-open (trial in flight)". Returns buf. */
const char *breaker_describe(const struct breaker_set *s, const char *provider, uint64_t now_ms,
                             char *buf, size_t len);

/* One model of a fallback chain with what the pick needs to know. */
struct breaker_candidate {
	const char *model;
	const char *provider;     /* NULL: no provider serves the model */
	const char *key_env;      /* NULL: the provider needs no key */
	bool key_set;             /* key_env is set and not empty */
};

/* Fill out[0..n) for models[0..n) from c's model routes and providers,
 * reading the environment for each key. Strings point into c and models. */
void breaker_candidates_from_config(const struct config *c, const char *const *models, size_t n,
                                    struct breaker_candidate *out);

/* A hop along the chain that was not taken. */
struct breaker_hop {
	char *model;
	char *reason;             /* "OPENAI_API_KEY is not set", "cooling down, 12 s left" */
};

struct breaker_pick {
	int chosen;               /* index of the model to use, -1 when none is usable */
	bool trial;               /* the chosen provider was half-open: this is its trial */
	struct breaker_hop *skipped;   /* in chain order */
	size_t n_skipped;
};

/* The first usable candidate at now_ms, skipping (and recording why) those
 * whose provider is unknown, whose key is missing, or whose breaker does
 * not allow a request. Taking a half-open provider uses its trial slot (see
 * breaker_allow). Returns 0, or -1 with err listing every hop when no
 * candidate is usable. Free out with breaker_pick_free in both cases. */
int breaker_pick(struct breaker_set *s, const struct breaker_candidate *c, size_t n, uint64_t now_ms,
                 struct breaker_pick *out, char *err, size_t errlen);

/* Free the hops; out is zeroed. */
void breaker_pick_free(struct breaker_pick *out);

#endif
