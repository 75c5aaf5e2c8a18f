/* result_json: a retrieval's hits and stage timings as JSON. The one
 * place their keys are written: `ragdeck search --json` (its form is
 * documented in docs/search-json.md), `ragdeck ask --json` and the
 * query log's retrieval record. */
#ifndef RAGDECK_RESULT_JSON_H
#define RAGDECK_RESULT_JSON_H

#include <cjson/cJSON.h>

struct retrieve_hit;
struct retrieve_timings;

/* h as `ragdeck search --json` prints a hit: every score with its rank,
 * null for a list the chunk was not in, its text. Caller frees with
 * cJSON_Delete (or adds it to a parent). */
cJSON *result_json_hit(const struct retrieve_hit *h);

/* h as the query log keeps it: ranks and scores (0 for a list the chunk
 * was not in), where it is, whether it was packed or summarized; no text. Caller frees
 * with cJSON_Delete (or adds it to a parent). */
cJSON *result_json_hit_logged(const struct retrieve_hit *h);

/* Add "page_start" and "page_end" to o: the numbers in a paged document
 * (page_start > 0), null otherwise. */
void result_json_add_pages(cJSON *o, int page_start, int page_end);

/* Add the retrieval stages' times to o, in microseconds and in pipeline
 * order: "embed", "vector", "fts", "fuse", "rerank", "pack". Callers add
 * their own totals after them. */
void result_json_add_stage_timings(cJSON *o, const struct retrieve_timings *t);

/* Add s to o under name, or null when s is NULL. */
void result_json_add_string_or_null(cJSON *o, const char *name, const char *s);

#endif
