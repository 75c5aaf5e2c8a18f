/* faiss_shim: a C face for FAISS IndexFlatIP, used by bench_vecsearch.
 *
 * Debian's libfaiss-dev ships only the C++ library (its C API is not built
 * in), so this file is the whole bridge. No C++ exception crosses it. */
#ifndef RAGDECK_FAISS_SHIM_H
#define RAGDECK_FAISS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct faiss_flat;

/* An empty IndexFlatIP of dimension d, or NULL on failure. Caller frees with
 * faiss_flat_free. */
struct faiss_flat *faiss_flat_new(int d);

/* Free; NULL-safe; clears *f. */
void faiss_flat_free(struct faiss_flat **f);

/* Append n vectors (n * d floats, row-major). Returns 0, or -1 when FAISS
 * threw. */
int faiss_flat_add(struct faiss_flat *f, size_t n, const float *x);

/* Top-k of one query by inner product with the given OpenMP thread count:
 * scores into dist, row numbers (in order of addition) into ids. Returns 0,
 * or -1 when FAISS threw. */
int faiss_flat_search(struct faiss_flat *f, const float *q, size_t k, int threads,
                      float *dist, int64_t *ids);

#ifdef __cplusplus
}
#endif

#endif
