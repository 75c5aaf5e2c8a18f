/* fusion: one ranking from the vector and the full-text candidates.
 *
 * Two methods (retrieval.fusion; docs/retrieval.md has the measurements
 * that chose the default):
 *
 *   rrf      weighted reciprocal rank fusion (Cormack et al. 2009):
 *            score(d) = w_vec / (k + rank_vec(d)) + w_fts / (k + rank_fts(d))
 *   convex   a weighted sum of the two scores, each normalised by its
 *            theoretical minimum and its list's maximum (Bruch et al. 2023):
 *            score(d) = w_vec * max(cos(d), 0) + w_fts * bm25(d) / bm25(best)
 *            (a cosine of unit vectors is at most 1; BM25 is at least 0)
 *
 * A term is 0 when d is absent from that list. Ranks are 1-based. */
#ifndef RAGDECK_FUSION_H
#define RAGDECK_FUSION_H

#include <stddef.h>
#include <stdint.h>

enum fusion_method { FUSION_RRF, FUSION_CONVEX };

struct fusion_params {
	enum fusion_method method;
	int k;               /* the RRF constant, default 60 */
	double vec_weight;
	double fts_weight;
};

/* "rrf", "convex"; parse returns -1 for anything else. */
const char *fusion_method_name(enum fusion_method m);
int fusion_method_parse(const char *s);

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
 * bm25 values) into out (capacity n_vec + n_fts) by p->method, sorted by
 * score descending, ties by the better single rank, then by id ascending.
 * Returns the number of fused hits. */
size_t fusion_fuse(const struct fusion_params *p, const int64_t *vec_ids, const float *vec_scores,
                  size_t n_vec, const int64_t *fts_ids, const double *fts_bm25, size_t n_fts,
                  struct fused_hit *out);

/* Sort hits as fusion_fuse does (after their scores changed). */
void fusion_sort(struct fused_hit *hits, size_t n);

#endif
