/* json: request and reply JSON pieces shared by the HTTP providers. */
#ifndef RAGDECK_LLM_JSON_H
#define RAGDECK_LLM_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/llm/llm.h"

/* The conversation as a JSON array of {"role", "content"} objects, led by a
 * {"role": "system"} message when with_system and req->system are set.
 * Caller frees with cJSON_Delete (or adds it to a parent). */
cJSON *llm_json_messages(const struct llm_request *req, int with_system);

/* n strings as a JSON array. Caller frees with cJSON_Delete. */
cJSON *llm_json_strings(const char *const *v, size_t n);

/* Integer member name of obj (fraction dropped), or -1 when absent, not a
 * number, negative or too large for a long. */
long llm_json_long(const cJSON *obj, const char *name);

/* String member name of obj, or NULL when absent or not a string. */
const char *llm_json_str(const cJSON *obj, const char *name);

/* Serialise root compactly and free it. Caller frees the result with free. */
char *llm_json_finish(cJSON *root);

#endif
