#include "core/search/fusion.h"

#include <stdlib.h>
#include <string.h>

const char *fusion_method_name(enum fusion_method m)
{
	return m == FUSION_CONVEX ? "convex" : "rrf";
}

int fusion_method_parse(const char *s)
{
	if (strcmp(s, "rrf") == 0)
		return FUSION_RRF;
	if (strcmp(s, "convex") == 0)
		return FUSION_CONVEX;
	return -1;
}

static double term(int k, double weight, int rank)
{
	return rank > 0 ? weight / (double)(k + rank) : 0.0;
}

static int best_rank(const struct fused_hit *h)
{
	if (h->vec_rank && h->fts_rank)
		return h->vec_rank < h->fts_rank ? h->vec_rank : h->fts_rank;
	return h->vec_rank ? h->vec_rank : h->fts_rank;
}

static int compare_fused(const void *pa, const void *pb)
{
	const struct fused_hit *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	int ra = best_rank(a), rb = best_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static double convex(const struct fusion_params *p, const struct fused_hit *h, double best_bm25)
{
	double s = 0;
	if (h->vec_rank && h->vec_score > 0)
		s += p->vec_weight * h->vec_score;
	if (h->fts_rank && best_bm25 < 0)
		s += p->fts_weight * h->bm25 / best_bm25;
	return s;
}

size_t fusion_fuse(const struct fusion_params *p, const int64_t *vec_ids, const float *vec_scores,
                   size_t n_vec, const int64_t *fts_ids, const double *fts_bm25, size_t n_fts,
                   struct fused_hit *out)
{
	size_t n = 0;
	for (size_t i = 0; i < n_vec; i++)
		out[n++] = (struct fused_hit){
			.id = vec_ids[i], .vec_rank = (int)i + 1, .vec_score = vec_scores[i],
		};
	/* Lists hold at most a few hundred ids: a linear probe is cheaper
	 * than building a hash table. */
	for (size_t j = 0; j < n_fts; j++) {
		size_t i = 0;
		while (i < n_vec && out[i].id != fts_ids[j])
			i++;
		if (i == n_vec)
			out[i = n++] = (struct fused_hit){ .id = fts_ids[j] };
		out[i].fts_rank = (int)j + 1;
		out[i].bm25 = fts_bm25[j];
	}
	for (size_t i = 0; i < n; i++)
		out[i].score = p->method == FUSION_CONVEX
		               ? convex(p, &out[i], n_fts ? fts_bm25[0] : 0)
		               : term(p->k, p->vec_weight, out[i].vec_rank) + term(p->k, p->fts_weight, out[i].fts_rank);
	fusion_sort(out, n);
	return n;
}

void fusion_sort(struct fused_hit *hits, size_t n)
{
	qsort(hits, n, sizeof *hits, compare_fused);
}
