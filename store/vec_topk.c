/* vec_topk: bounded min-heap (worst kept pair at the root). */
#include "store/vec_topk.h"

/* Whether a is better than b: higher score, then smaller id. */
static bool better(const struct vec_hit *a, const struct vec_hit *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return a->id < b->id;
}

static void sift_down(struct vec_hit *h, size_t n, size_t i)
{
	struct vec_hit x = h[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && better(&h[c], &h[c + 1]))
			c++;
		if (!better(&x, &h[c]))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

static void sift_up(struct vec_hit *h, size_t i)
{
	struct vec_hit x = h[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!better(&h[p], &x))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

void vec_topk_init(struct vec_topk *t, struct vec_hit *buf, size_t k)
{
	t->h = buf;
	t->k = k;
	t->n = 0;
	t->floor = k ? -INFINITY : INFINITY;
}

void vec_topk_push(struct vec_topk *t, float score, int64_t id)
{
	struct vec_hit x = { .id = id, .score = score };

	if (isnan(score) || t->k == 0)
		return;
	if (t->n < t->k) {
		t->h[t->n] = x;
		sift_up(t->h, t->n++);
	} else if (better(&x, &t->h[0])) {
		t->h[0] = x;
		sift_down(t->h, t->n, 0);
	} else {
		return;
	}
	if (t->n == t->k)
		t->floor = t->h[0].score;
}

size_t vec_topk_drain(struct vec_topk *t, struct vec_hit *out)
{
	size_t n = t->n;
	/* Popping the worst first fills out from the back. */
	while (t->n > 0) {
		out[t->n - 1] = t->h[0];
		t->h[0] = t->h[--t->n];
		sift_down(t->h, t->n, 0);
	}
	t->floor = t->k ? -INFINITY : INFINITY;
	return n;
}
