#include "core/embed/embed.h"

#include "core/util/strbuf.h"

#include <stdio.h>
#include <string.h>

int embed_texts(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                float *out, char *err, size_t errlen)
{
	struct embed_report rep = { 0 };
	return embed_texts_report(e, texts, lens, n, out, &rep, err, errlen);
}

int embed_texts_report(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                       float *out, struct embed_report *rep, char *err, size_t errlen)
{
	unsigned char *truncated = rep->truncated;
	*rep = (struct embed_report){ .truncated = truncated, .failed_input = -1 };
	if (truncated && n)
		memset(truncated, 0, n);
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
	return e->ops->embed(e, texts, lens, n, out, rep, err, errlen);
}

struct embedder *embed_clone(const struct embedder *e)
{
	return e && e->ops->clone ? e->ops->clone(e) : NULL;
}

void embed_free(struct embedder **e)
{
	if (!e || !*e)
		return;
	(*e)->ops->destroy(*e);
	*e = NULL;
}

void embed_input(struct strbuf *out, const char *heading_path, const char *text, size_t len)
{
	sb_reset(out);
	if (heading_path && heading_path[0])
		sb_printf(out, "%s\n\n", heading_path);
	sb_append(out, text, len);
}
