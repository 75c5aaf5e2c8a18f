/* eval_metrics: trec_eval-style retrieval metrics over chunk hits. */
#include "core/eval/eval_metrics.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CUTOFF 10

static bool path_matches(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);
	if (b == 0 || a < b || strcmp(path + a - b, suffix) != 0)
		return false;
	return a == b || path[a - b - 1] == '/' || suffix[0] == '/';
}

bool eval_hit_matches(const struct eval_hit *hit, const struct eval_source *source)
{
	if (!path_matches(hit->path, source->path))
		return false;
	if (source->line_start <= 0)
		return true;
	return hit->line_start <= source->line_end && source->line_start <= hit->line_end;
}

/* The first source hit matches that is not yet found, or -1. */
static long new_source(const struct eval_hit *hit, const struct eval_source *sources, size_t n,
                       const bool *found)
{
	for (size_t i = 0; i < n; i++)
		if (!found[i] && eval_hit_matches(hit, &sources[i]))
			return (long)i;
	return -1;
}

static bool any_source(const struct eval_hit *hit, const struct eval_source *sources, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (eval_hit_matches(hit, &sources[i]))
			return true;
	return false;
}

static void score_ranks(const struct eval_hit *hits, size_t n_hits, const struct eval_source *sources,
                        size_t n_sources, int k, struct eval_retrieval *out)
{
	bool *found = xcalloc(n_sources, sizeof *found);
	size_t rel_k = 0;
	double dcg = 0, idcg = 0;
	for (size_t i = 0; i < n_hits; i++) {
		long s = new_source(&hits[i], sources, n_sources, found);
		if (s < 0)
			continue;
		found[s] = true;
		if (i < (size_t)k)
			rel_k++;
		if (i == 0)
			out->recall_1 = 1.0 / (double)n_sources;
		if (i < CUTOFF) {
			dcg += 1.0 / log2((double)i + 2.0);
			if (out->mrr10 == 0)
				out->mrr10 = 1.0 / ((double)i + 1.0);
		}
	}
	for (size_t i = 0; i < n_sources && i < CUTOFF; i++)
		idcg += 1.0 / log2((double)i + 2.0);
	out->recall_k = (double)rel_k / (double)n_sources;
	out->precision_k = (double)rel_k / (double)k;
	out->ndcg10 = dcg / idcg;
	free(found);
}

static void score_context(const struct eval_hit *hits, size_t n_hits, const struct eval_source *sources,
                          size_t n_sources, struct eval_retrieval *out)
{
	size_t relevant = 0, covered = 0;
	for (size_t i = 0; i < n_hits; i++) {
		if (!hits[i].in_context)
			continue;
		out->n_context++;
		if (any_source(&hits[i], sources, n_sources))
			relevant++;
	}
	for (size_t s = 0; s < n_sources; s++) {
		for (size_t i = 0; i < n_hits; i++) {
			if (hits[i].in_context && eval_hit_matches(&hits[i], &sources[s])) {
				covered++;
				break;
			}
		}
	}
	out->context_precision = out->n_context ? (double)relevant / (double)out->n_context : 0;
	out->context_recall = (double)covered / (double)n_sources;
}

void eval_retrieval_score(const struct eval_hit *hits, size_t n_hits,
                          const struct eval_source *sources, size_t n_sources, int k,
                          struct eval_retrieval *out)
{
	memset(out, 0, sizeof *out);
	if (n_sources == 0)
		return;
	out->defined = true;
	score_ranks(hits, n_hits, sources, n_sources, k < 1 ? 1 : k, out);
	score_context(hits, n_hits, sources, n_sources, out);
}

bool eval_stale_first(const struct eval_hit *hits, size_t n_hits, const struct eval_source *relevant,
                      size_t n_relevant, const struct eval_source *stale, size_t n_stale)
{
	for (size_t i = 0; i < n_hits; i++) {
		if (any_source(&hits[i], relevant, n_relevant))
			return false;
		if (any_source(&hits[i], stale, n_stale))
			return true;
	}
	return false;
}
