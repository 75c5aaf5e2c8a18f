/* query_log: one row per assistant turn (the queries table).
 *
 * The dashboard and `ragdeck stats` read the same rows. spans, decision and
 * retrieval are JSON documents built by the caller. */
#ifndef RAGDECK_STORE_QUERY_LOG_H
#define RAGDECK_STORE_QUERY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_query_row {
	int64_t id;               /* set by the store */
	int64_t session_id;       /* 0: none */
	int64_t created_ms;       /* Unix time in milliseconds */
	const char *question, *answer;
	const char *path, *model, *provider;
	const char *outcome;      /* ok | interrupted | failed | fell_back */
	const char *error;
	int64_t tokens_in, tokens_out;
	bool tokens_estimated;
	int64_t context_tokens, question_tokens, prompt_tokens;
	double cost_usd;
	int64_t total_us, ttft_us;
	bool has_grounding;
	double grounding;
	bool has_unsupported;     /* false: NULL, nothing counted or logged before the column */
	int64_t unsupported_sentences;
	const char *spans_json, *decision_json, *retrieval_json;
};

/* Append a turn; *id gets its row id. Returns 0 or -1 with err. */
int store_query_insert(struct store *s, const struct store_query_row *row, int64_t *id, char *err,
                       size_t errlen);

/* Call fn for each turn logged at or after since_ms, oldest first (strings
 * valid during the call only). A non-zero return from fn stops the walk and
 * is returned. Returns 0, fn's value, or -1 with err. */
int store_queries_each(struct store *s, int64_t since_ms,
                       int (*fn)(void *ud, const struct store_query_row *row), void *ud, char *err,
                       size_t errlen);

#endif
