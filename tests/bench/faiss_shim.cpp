// faiss_shim: IndexFlatIP behind the C interface in faiss_shim.h.
#include "tests/bench/faiss_shim.h"

#include <faiss/IndexFlat.h>
#include <omp.h>

struct faiss_flat {
	faiss::IndexFlatIP index;
	explicit faiss_flat(int d) : index(d) {}
};

struct faiss_flat *faiss_flat_new(int d)
{
	try {
		return new faiss_flat(d);
	} catch (...) {
		return nullptr;
	}
}

void faiss_flat_free(struct faiss_flat **f)
{
	delete *f;
	*f = nullptr;
}

int faiss_flat_add(struct faiss_flat *f, size_t n, const float *x)
{
	try {
		f->index.add(static_cast<faiss::Index::idx_t>(n), x);
		return 0;
	} catch (...) {
		return -1;
	}
}

int faiss_flat_search(struct faiss_flat *f, const float *q, size_t k, int threads,
                      float *dist, int64_t *ids)
{
	try {
		omp_set_num_threads(threads);
		f->index.search(1, q, static_cast<faiss::Index::idx_t>(k), dist, ids);
		return 0;
	} catch (...) {
		return -1;
	}
}
