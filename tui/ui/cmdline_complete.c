/* cmdline_complete: a word completed among candidates. */
#include "tui/ui/cmdline_complete.h"

#include <string.h>

/* Where word matches cand: cand itself, or with by_segment the first place
 * right after a '/' that starts with word; NULL when none. */
static const char *match_in(const char *cand, const char *word, size_t len, bool by_segment)
{
	if (strncmp(cand, word, len) == 0)
		return cand;
	if (!by_segment || len == 0)
		return NULL;
	for (const char *s = strchr(cand, '/'); s; s = strchr(s + 1, '/'))
		if (strncmp(s + 1, word, len) == 0)
			return s + 1;
	return NULL;
}

/* Length of the common prefix of a and b[0..n). */
static size_t common_len(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	while (i < n && a[i] && a[i] == b[i])
		i++;
	return i;
}

size_t cmdline_complete(const char *word, const char *const *cands, size_t n, bool by_segment,
                        struct cmdline_completion *out)
{
	size_t len = strlen(word);
	const char *first = NULL;
	size_t common = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const char *m = match_in(cands[i], word, len, by_segment);
		if (!m)
			continue;
		if (!first) {
			first = m;
			common = strlen(m);
		} else {
			common = common_len(m, first, common);
		}
		if (out->n_matches < CMDLINE_COMPLETE_SHOWN)
			out->shown[out->n_matches] = m;
		out->n_matches++;
	}
	while (common > 0 && first && ((unsigned char)first[common] & 0xc0) == 0x80)
		common--;   /* never half a character */
	if (first)
		sb_append(&out->common, first, common);
	else
		sb_append(&out->common, word, len);
	return out->n_matches;
}

void cmdline_completion_free(struct cmdline_completion *c)
{
	sb_free(&c->common);
}
