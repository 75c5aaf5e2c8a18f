#include "core/embed/embed_batch.h"
#include "core/util/tokens.h"

size_t embed_batch_plan(const char *const *texts, const size_t *lens, size_t n, int max_inputs,
                        long max_tokens, struct embed_batch *out)
{
	size_t max_in = max_inputs > 0 ? (size_t)max_inputs : 1;
	long max_tok = max_tokens > 0 ? max_tokens : 1;
	size_t nb = 0;
	for (size_t i = 0; i < n; i++) {
		long t = tokens_estimate(texts[i], lens[i]);
		struct embed_batch *b = nb ? &out[nb - 1] : NULL;
		if (!b || b->count == max_in || b->tokens + t > max_tok) {
			out[nb++] = (struct embed_batch){ .start = i, .count = 1, .tokens = t };
			continue;
		}
		b->count++;
		b->tokens += t;
	}
	return nb;
}
