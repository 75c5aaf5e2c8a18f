/* vec_topk: bounded heap keeping the k best (score, id) pairs.
 *
 * "Better" means a higher score, or an equal score and a smaller id; that
 * total order makes every top-k deterministic. The root is the worst kept
 * pair, so a candidate is compared with it once and rejected cheaply. */
#ifndef RAGDECK_VEC_TOPK_H
#define RAGDECK_VEC_TOPK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/vecindex.h"

struct vec_topk {
	struct vec_hit *h; /* caller's buffer of k hits */
	size_t k;
	size_t n;
	float floor; /* root score once full, -INFINITY before */
};

/* Start an empty heap over buf, which has room for k hits (k may be 0). The
 * caller owns buf. */
void vec_topk_init(struct vec_topk *t, struct vec_hit *buf, size_t k);

/* Offer a pair; kept when the heap is not full or the pair is better than the
 * worst kept one. NaN scores are never kept. */
void vec_topk_push(struct vec_topk *t, float score, int64_t id);

/* Whether a score could enter the heap; a fast pre-check before computing
 * anything else about the row (an equal score may still lose on its id). */
static inline bool vec_topk_may_enter(const struct vec_topk *t, float score)
{
	return score >= t->floor;
}

/* Empty the heap into out (room for t->n hits, not overlapping the heap's
 * buffer), best first. Returns the number written; the heap is then empty. */
size_t vec_topk_drain(struct vec_topk *t, struct vec_hit *out);

#endif
