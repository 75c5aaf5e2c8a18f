#include "core/fusion.h"

#include <stdlib.h>

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

size_t fusion_rrf(const struct fusion_params *p, const int64_t *vec_ids, const float *vec_scores,
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
		out[i].score = term(p->k, p->vec_weight, out[i].vec_rank) +
		               term(p->k, p->fts_weight, out[i].fts_rank);
	qsort(out, n, sizeof *out, compare_fused);
	return n;
}
