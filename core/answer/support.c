#include "core/answer/support.h"
#include "core/answer/grounding.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CITES 32

/* Append the citation numbers in [s, end) to the sentence, without
 * repeats; brackets in inline code (`arr[2]`) are no citations. */
static void collect_cited(struct support_sentence *out, const char *s, const char *end)
{
	int nums[MAX_CITES];
	bool code = false;
	for (const char *p = s; p < end; p++) {
		if (*p == '`')
			code = !code;
		if (code)
			continue;
		size_t n = 0, len = grounding_citation(p, end, nums, MAX_CITES, &n);
		for (size_t i = 0; i < n; i++) {
			bool seen = false;
			for (size_t k = 0; k < out->n_cited; k++)
				seen |= out->cited[k] == nums[i];
			if (seen)
				continue;
			out->cited = xrealloc(out->cited, (out->n_cited + 1) * sizeof *out->cited);
			out->cited[out->n_cited++] = nums[i];
		}
		if (len)
			p += len - 1;
	}
}

static bool cites(const struct support_sentence *s, int number)
{
	for (size_t k = 0; k < s->n_cited; k++)
		if (s->cited[k] == number)
			return true;
	return false;
}

/* Score sentence s with the block word sets: support, supported_by (best
 * first), counted and basis. */
static void score_sentence(struct support_sentence *s, const char *answer,
                           const struct support_block *blocks, struct grounding_words **sets,
                           size_t n_blocks)
{
	size_t *found = xcalloc(n_blocks ? n_blocks : 1, sizeof *found);
	size_t words = 0, any = 0, by_cited = 0, n;
	const char *p = answer + s->start, *end = answer + s->end;
	char word[128];
	while ((n = grounding_next_word(&p, end, word, sizeof word)) > 0) {
		bool in_any = false, in_cited = false;
		for (size_t b = 0; b < n_blocks; b++) {
			if (!grounding_words_has(sets[b], word, n))
				continue;
			found[b]++;
			in_any = true;
			in_cited |= cites(s, blocks[b].number);
		}
		words++;
		any += in_any;
		by_cited += in_cited;
	}
	s->counted = words >= GROUNDING_MIN_WORDS;
	s->support = words ? (double)any / (double)words : 0;
	s->supported_by = xcalloc(n_blocks ? n_blocks : 1, sizeof *s->supported_by);
	for (size_t b = 0; b < n_blocks; b++) {
		if (!words || (double)found[b] < GROUNDING_SHARE * (double)words)
			continue;
		size_t at = s->n_supported_by++;
		/* insertion by share, then by number: best first */
		while (at > 0 && found[b] > found[(size_t)s->supported_by[at - 1]])
			at--;
		memmove(s->supported_by + at + 1, s->supported_by + at,
		        (s->n_supported_by - 1 - at) * sizeof *s->supported_by);
		s->supported_by[at] = (int)b;
	}
	for (size_t k = 0; k < s->n_supported_by; k++)
		s->supported_by[k] = blocks[s->supported_by[k]].number;
	if (!s->counted)
		s->basis = SUPPORT_NONE;
	else if ((double)by_cited >= GROUNDING_SHARE * (double)words)
		s->basis = SUPPORT_CITED;
	else if ((double)any >= GROUNDING_SHARE * (double)words)
		s->basis = SUPPORT_UNCITED;
	else
		s->basis = SUPPORT_NONE;
	free(found);
}

void support_score(const char *answer, const struct support_block *blocks, size_t n_blocks,
                   struct support_result *out)
{
	struct grounding_span *spans;
	memset(out, 0, sizeof *out);
	struct grounding_words **sets = xcalloc(n_blocks ? n_blocks : 1, sizeof *sets);
	for (size_t b = 0; b < n_blocks; b++)
		sets[b] = grounding_words_of(blocks[b].text, strlen(blocks[b].text));
	out->n = grounding_sentences(answer, &spans);
	out->sentences = xcalloc(out->n ? out->n : 1, sizeof *out->sentences);
	for (size_t i = 0; i < out->n; i++) {
		struct support_sentence *s = &out->sentences[i];
		s->start = spans[i].start;
		s->end = spans[i].end;
		s->text = xstrndup(answer + s->start, s->end - s->start);
		collect_cited(s, answer + s->start, answer + s->end);
		score_sentence(s, answer, blocks, sets, n_blocks);
		out->unsupported += s->counted && s->basis == SUPPORT_NONE;
	}
	for (size_t b = 0; b < n_blocks; b++)
		grounding_words_free(&sets[b]);
	free(sets);
	free(spans);
}

void support_result_free(struct support_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->sentences[i].text);
		free(r->sentences[i].cited);
		free(r->sentences[i].supported_by);
	}
	free(r->sentences);
	memset(r, 0, sizeof *r);
}

const char *support_basis_name(enum support_basis b)
{
	static const char *const names[] = {
		[SUPPORT_NONE] = "none", [SUPPORT_CITED] = "cited", [SUPPORT_UNCITED] = "uncited",
	};
	return names[b];
}
