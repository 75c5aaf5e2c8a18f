#include "core/embed.h"

#include <stdio.h>

int embed_texts(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                float *out, char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	if (!e || !texts || !lens || !out) {
		snprintf(err, errlen, "embed: %s missing", !e ? "embedder" : !out ? "output buffer" : "texts");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!texts[i] && lens[i]) {
			snprintf(err, errlen, "embed: text %zu of %zu is NULL but has length %zu", i + 1, n,
			         lens[i]);
			return -1;
		}
	}
	return e->ops->embed(e, texts, lens, n, out, err, errlen);
}

void embed_free(struct embedder **e)
{
	if (!e || !*e)
		return;
	(*e)->ops->destroy(*e);
	*e = NULL;
}
