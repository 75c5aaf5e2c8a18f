/* query_log: a finished turn as one row of the query log (JSON for spans,
 * the decision record and the retrieval). */
#ifndef RAGDECK_QUERY_LOG_H
#define RAGDECK_QUERY_LOG_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct store;
struct turn_record;

/* The models r skipped or that failed before the one that answered, as
 * a JSON array of {"model", "reason"}: the query log's decision record
 * and `ragdeck ask --json` show the same. Caller frees with cJSON_Delete
 * (or adds it to a parent). */
struct cJSON *query_log_hops(const struct turn_record *r);

/* What r's summarization did, as `ragdeck ask --json` prints it and the
 * query log's retrieval record keeps it: {"model", "provider", "called"
 * (the request went out), "used", "error" (null when used), "labels", "chunk_ids", "room", "tokens",
 * "trimmed", "text" (null when not used), "usage": {"input_tokens",
 * "output_tokens", "estimated"}, "latency_us", "http_status", "retries",
 * "cost_usd" (null without a price)}; JSON null when nothing was
 * summarized (the key off, or nothing left out for budget). Caller frees
 * with cJSON_Delete (or adds it to a parent). */
struct cJSON *query_log_summary(const struct turn_record *r);

/* Write r to the query log of s; *id gets the row id. Returns 0 or -1
 * with err. Nothing secret is in a record: keys never enter it. */
int query_log_write(struct store *s, int64_t session_id, const struct turn_record *r, int64_t *id,
                   char *err, size_t errlen);

#endif
