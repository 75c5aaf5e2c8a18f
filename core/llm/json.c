#include "core/llm/json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static void add_message(cJSON *arr, const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content ? content : "");
	cJSON_AddItemToArray(arr, m);
}

cJSON *llm_json_messages(const struct llm_request *req, int with_system)
{
	cJSON *arr = cJSON_CreateArray();
	if (with_system && req->system && req->system[0])
		add_message(arr, "system", req->system);
	for (size_t i = 0; i < req->n_messages; i++) {
		const struct llm_message *m = &req->messages[i];
		add_message(arr, m->role == LLM_ROLE_ASSISTANT ? "assistant" : "user", m->content);
	}
	return arr;
}

cJSON *llm_json_strings(const char *const *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}

long llm_json_long(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	/* A double at or over 2^63 has no long value: converting it is undefined. */
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < (double)LONG_MAX
	       ? (long)v->valuedouble : -1;
}

const char *llm_json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *llm_json_finish(cJSON *root)
{
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s) {
		fputs("ragdeck: out of memory while writing a request\n", stderr);
		abort();
	}
	return s;
}
