#include "core/llm/embeddings.h"
#include "core/llm/json.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *llm_embed_body(const char *model, const char *const *texts, const size_t *lens, size_t n,
                     int dimensions)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", model);
	cJSON *input = cJSON_AddArrayToObject(root, "input");
	for (size_t i = 0; i < n; i++) {
		char *t = xstrndup(texts[i] ? texts[i] : "", lens[i]);
		cJSON_AddItemToArray(input, cJSON_CreateString(t));
		free(t);
	}
	cJSON_AddStringToObject(root, "encoding_format", "float");
	if (dimensions > 0)
		cJSON_AddNumberToObject(root, "dimensions", dimensions);
	return llm_json_finish(root);
}

static void normalise(float *v, int dim)
{
	double sum = 0;
	for (int i = 0; i < dim; i++)
		sum += (double)v[i] * v[i];
	if (sum <= 0)
		return;
	float inv = (float)(1.0 / sqrt(sum));
	for (int i = 0; i < dim; i++)
		v[i] *= inv;
}

/* Check one "data" item and copy its vector; seen marks indexes taken. */
static int read_item(const cJSON *item, size_t n, int *dim, float *out, char *seen, char *err, size_t errlen)
{
	long index = llm_json_long(item, "index");
	const cJSON *vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
	if (index < 0 || (size_t)index >= n || seen[index] || !cJSON_IsArray(vec)) {
		snprintf(err, errlen, "embeddings reply has a bad or repeated index %ld (%zu inputs)", index, n);
		return -1;
	}
	int got = cJSON_GetArraySize(vec);
	if (*dim == 0 && got > 0)
		*dim = got;
	if (got != *dim) {
		snprintf(err, errlen, "the server returned %d-dimensional vectors, expected %d", got, *dim);
		return -1;
	}
	seen[index] = 1;
	if (!out)
		return 0;
	float *v = out + (size_t)index * (size_t)*dim;
	const cJSON *x;
	int i = 0;
	cJSON_ArrayForEach(x, vec) {
		if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
			snprintf(err, errlen, "embeddings reply has a value that is not a number at index %ld", index);
			return -1;
		}
		v[i++] = (float)x->valuedouble;
	}
	normalise(v, *dim);
	return 0;
}

int llm_embed_parse(const char *body, size_t len, size_t n, int *dim, float *out, long *tokens,
                    char *err, size_t errlen)
{
	int rc = -1;
	size_t got = 0;
	char *seen = xcalloc(n ? n : 1, 1);
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	*tokens = -1;
	if (!root) {
		snprintf(err, errlen, "embeddings reply is not JSON");
		goto cleanup;
	}
	if (!cJSON_IsArray(data)) {
		snprintf(err, errlen, "embeddings reply has no \"data\" array");
		goto cleanup;
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, data) {
		if (read_item(item, n, dim, out, seen, err, errlen) != 0)
			goto cleanup;
		got++;
	}
	if (got != n) {
		snprintf(err, errlen, "embeddings reply has %zu vectors for %zu inputs", got, n);
		goto cleanup;
	}
	*tokens = llm_json_long(cJSON_GetObjectItemCaseSensitive(root, "usage"), "prompt_tokens");
	rc = 0;
cleanup:
	cJSON_Delete(root);
	free(seen);
	return rc;
}

bool llm_embed_too_long(long status, const char *body, size_t len)
{
	static const char *const says[] = {
		"context_length_exceeded", "maximum context length", "exceeds the context length",
		"input is too large", "must have less than", "too long", "too many tokens",
	};
	if (status == 413)
		return true;
	if (status < 400 || !body)
		return false;
	char *text = xstrndup(body, len < 4096 ? len : 4096);
	for (char *p = text; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bool hit = false;
	for (size_t i = 0; i < sizeof says / sizeof says[0] && !hit; i++)
		hit = strstr(text, says[i]) != NULL;
	free(text);
	return hit;
}
