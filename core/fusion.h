/* fusion: weighted reciprocal rank fusion of two ranked lists.
 *
 * score(d) = w_vec / (k + rank_vec(d)) + w_fts / (k + rank_fts(d)), a term
 * being 0 when d is absent from that list (Cormack et al. 2009, with
 * per-list weights). Ranks are 1-based. */
#ifndef RAGDECK_FUSION_H
#define RAGDECK_FUSION_H

#include <stddef.h>
#include <stdint.h>

struct fusion_params {
	int k;               /* the RRF constant, default 60 */
	double vec_weight;
	double fts_weight;
};

/* One fused candidate with where it came from. */
struct fused_hit {
	int64_t id;
	double score;
	int vec_rank;        /* 0 when absent from the vector list */
	int fts_rank;        /* 0 when absent from the full-text list */
	float vec_score;     /* inner product, when vec_rank > 0 */
	double bm25;         /* SQLite bm25() (lower is better), when fts_rank > 0 */
};

/* Fuse vec_ids (best first, with scores) and fts_ids (best first, with
 * bm25 values) into out (capacity n_vec + n_fts), sorted by score
 * descending, ties by the better single rank, then by id ascending.
 * Returns the number of fused hits. */
size_t fusion_rrf(const struct fusion_params *p, const int64_t *vec_ids, const float *vec_scores,
                  size_t n_vec, const int64_t *fts_ids, const double *fts_bm25, size_t n_fts,
                  struct fused_hit *out);

#endif
