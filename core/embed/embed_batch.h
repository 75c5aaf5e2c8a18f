/* embed_batch: cutting a run of embedding inputs into requests.
 *
 * A request holds at most max_inputs inputs and max_tokens estimated tokens
 * (core/util/tokens.h); inputs keep their order, and an input estimated over
 * max_tokens on its own goes alone (the server then takes it or says it is
 * too long). */
#ifndef RAGDECK_EMBED_BATCH_H
#define RAGDECK_EMBED_BATCH_H

#include <stddef.h>

/* Inputs [start, start + count) and their estimated tokens. */
struct embed_batch {
	size_t start, count;
	long tokens;
};

/* Plan batches for texts[i][0..lens[i]) (i < n) into out, which has room
 * for n batches. max_inputs and max_tokens below 1 count as 1. Returns the
 * number of batches. */
size_t embed_batch_plan(const char *const *texts, const size_t *lens, size_t n, int max_inputs,
                        long max_tokens, struct embed_batch *out);

#endif
