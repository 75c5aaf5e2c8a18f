/* Unit tests for store/vecindex and its kernels, heap, id map and pool. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/vec_kernels.h"
#include "store/vecindex.h"

#define MAX_VARIANTS 8

/* splitmix64: small, deterministic, good enough for test data. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float rng_float(uint64_t *s)
{
	return (float)((double)(rng_next(s) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
}

static int rng_int(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static void fill_float(uint64_t *s, float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = rng_float(s);
}

/* Gaussian components, normalised: uniform on the sphere. */
static void fill_unit(uint64_t *s, float *v, size_t n)
{
	double norm = 0.0;
	for (size_t i = 0; i < n; i++) {
		double u1 = ((double)(rng_next(s) >> 11) + 1.0) * 0x1.0p-53;
		double u2 = (double)(rng_next(s) >> 11) * 0x1.0p-53;
		v[i] = (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
		norm += (double)v[i] * v[i];
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (float)(v[i] / sqrt(norm));
}

static double dot_ref(const float *a, const float *b, size_t n, double *mag)
{
	double s = 0.0, m = 0.0;
	for (size_t i = 0; i < n; i++) {
		s += (double)a[i] * b[i];
		m += fabs((double)a[i] * b[i]);
	}
	if (mag)
		*mag = m;
	return s;
}

/* |got - ref| within 1e-5 of the sum of |products| (plus a floor for tiny
 * sums): far above float rounding, far below any real kernel bug. */
static void assert_close(float got, double ref, double mag)
{
	double tol = 1e-5 * mag + 1e-6;
	if (fabs((double)got - ref) > tol)
		fail_msg("got %.9g, want %.9g (tolerance %.3g)", (double)got, ref, tol);
}

static const size_t big_dims[] = { 384, 768, 1000, 1536 };

/* Calls f(n) for n = 1..130 and the embedding-sized dimensions. */
static void for_each_dim(void (*f)(const struct vec_kernel_set *, size_t, uint64_t *),
                         const struct vec_kernel_set *ks, uint64_t *rng)
{
	for (size_t n = 1; n <= 130; n++)
		f(ks, n, rng);
	for (size_t i = 0; i < sizeof(big_dims) / sizeof(big_dims[0]); i++)
		f(ks, big_dims[i], rng);
}

static size_t variants(struct vec_kernel_set *ks)
{
	size_t n = vec_kernels_available(ks, MAX_VARIANTS);
	assert_true(n >= 1);
	return n;
}

static void kernel_name_is_the_best_available_variant(void **state)
{
	(void)state;
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t n = variants(ks);

	assert_string_equal(vec_kernel_name(), ks[0].name);
	assert_string_equal(ks[n - 1].name, "scalar");
	assert_ptr_equal(vec_kernels_best()->dot4, ks[0].dot4);
#ifdef VEC_KERNELS_X86
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		assert_true(n >= 2);
#endif
}

/* Whether ks[0..n) holds the variant called name. */
static bool has_variant(const struct vec_kernel_set *ks, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ks[i].name, name) == 0)
			return true;
	return false;
}

/* On a CPU with AVX-512F the AVX-512 kernels are built, offered and chosen
 * (the other kernel tests then run them against scalar); elsewhere this
 * test reports itself skipped rather than passing without running them. */
static void avx512_kernels_run_where_the_cpu_has_them(void **state)
{
	(void)state;
#ifdef VEC_KERNELS_X86
	if (!__builtin_cpu_supports("avx512f"))
		skip();
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t n = variants(ks);
	assert_true(has_variant(ks, n, "avx512f"));
	assert_string_equal(vec_kernel_name(), "avx512f");
#else
	skip();
#endif
}

/* Every aarch64 CPU has AdvSIMD: there the NEON kernels must be offered;
 * elsewhere the test is skipped. */
static void neon_kernels_run_on_aarch64(void **state)
{
	(void)state;
#if defined(__aarch64__)
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t n = variants(ks);
	assert_true(has_variant(ks, n, "neon"));
#else
	skip();
#endif
}

static size_t round_up(size_t n, size_t m)
{
	return (n + m - 1) / m * m;
}

/* Pack four rows of dim elements (of size bytes each) into a panel as
 * vec_kernels.h lays it out: chunk c of row j at element (4 * c + j) *
 * chunk, zero padding up to n elements. */
static void pack(void *panel, const void *const rows[4], size_t dim, size_t n, size_t size,
                 size_t chunk)
{
	for (size_t j = 0; j < 4; j++) {
		for (size_t i = 0; i < n; i++) {
			char *dst = (char *)panel + ((i / chunk * 4 + j) * chunk + i % chunk) * size;
			if (i < dim)
				memcpy(dst, (const char *)rows[j] + i * size, size);
			else
				memset(dst, 0, size);
		}
	}
}

static void pack_f32(float *panel, float *const rows[4], size_t dim, size_t n)
{
	const void *r[4] = { rows[0], rows[1], rows[2], rows[3] };
	pack(panel, r, dim, n, sizeof(float), VEC_CHUNK_F32);
}

static void pack_i8(int8_t *panel, int8_t *const rows[4], size_t dim, size_t n)
{
	const void *r[4] = { rows[0], rows[1], rows[2], rows[3] };
	pack(panel, r, dim, n, 1, VEC_CHUNK_I8);
}

/* Operands start one element past an aligned block, so no load is aligned. */
static void check_f32(const struct vec_kernel_set *ks, size_t dim, uint64_t *rng)
{
	size_t n = round_up(dim, VEC_CHUNK_F32);
	float *buf = calloc(5 * n + 5, sizeof(float));
	float *pbuf = malloc((4 * n + 1) * sizeof(float));
	float *q = buf + 1, *r[4], *panel = pbuf + 1;
	float out[4];
	double mag, ref;

	fill_float(rng, q, dim);
	for (int j = 0; j < 4; j++) {
		r[j] = buf + (size_t)(j + 1) * (n + 1) + 1;
		fill_float(rng, r[j], dim);
	}
	pack_f32(panel, r, dim, n);

	float scalar = vec_dot_scalar(q, r[0], dim);
	ref = dot_ref(q, r[0], dim, &mag);
	assert_close(scalar, ref, mag);
	assert_close(ks->dot(q, r[0], dim), ref, mag);
	assert_close(ks->dot(q, r[0], dim), (double)scalar, mag);

	ks->dot4(q, panel, n, out);
	for (int j = 0; j < 4; j++) {
		ref = dot_ref(q, r[j], dim, &mag);
		assert_close(out[j], ref, mag);
		assert_close(out[j], (double)vec_dot_scalar(q, r[j], dim), mag);
	}
	free(pbuf);
	free(buf);
}

static void float_kernels_match_scalar_for_every_dim(void **state)
{
	(void)state;
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t nv = variants(ks);
	uint64_t rng = 1;

	for (size_t v = 0; v < nv; v++)
		for_each_dim(check_f32, &ks[v], &rng);
}

/* A row's score must not depend on the lane it occupies: after a removal
 * moves a row, it must still score the same. */
static void check_lanes(const struct vec_kernel_set *ks, size_t dim, uint64_t *rng)
{
	size_t n = round_up(dim, VEC_CHUNK_F32);
	float *buf = calloc(6 * n, sizeof(float));
	float *panel = malloc(4 * n * sizeof(float));
	float *q = buf, *x = buf + n, out[4], first = 0.0f;

	fill_float(rng, buf, 6 * n);
	for (int lane = 0; lane < 4; lane++) {
		float *r[4] = { buf + 2 * n, buf + 3 * n, buf + 4 * n, buf + 5 * n };
		r[lane] = x;
		pack_f32(panel, r, dim, n);
		ks->dot4(q, panel, n, out);
		if (lane == 0)
			first = out[0];
		assert_memory_equal(&out[lane], &first, sizeof(float));
	}
	free(panel);
	free(buf);
}

static void dot4_scores_a_row_the_same_in_every_lane(void **state)
{
	(void)state;
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t nv = variants(ks);
	uint64_t rng = 2;

	for (size_t v = 0; v < nv; v++)
		for_each_dim(check_lanes, &ks[v], &rng);
}

static int32_t dot_i8_ref(const int8_t *a, const int8_t *b, size_t n)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (int64_t)a[i] * b[i];
	return (int32_t)s;
}

static void check_i8(const struct vec_kernel_set *ks, size_t dim, uint64_t *rng)
{
	size_t n = round_up(dim, VEC_CHUNK_I8);
	int8_t *buf = malloc(5 * dim + 3), *pbuf = malloc(4 * n + 3);
	int8_t *q = buf + 3, *r[4], *panel = pbuf + 3, *qpad = calloc(n, 1);
	int32_t out[4];

	for (size_t i = 0; i < 5 * dim + 3; i++)
		buf[i] = (int8_t)rng_int(rng, -127, 127);
	for (int j = 0; j < 4; j++)
		r[j] = q + (size_t)(j + 1) * dim;
	memcpy(qpad, q, dim);
	pack_i8(panel, r, dim, n);

	assert_int_equal(vec_dot_i8_scalar(q, r[0], dim), dot_i8_ref(q, r[0], dim));
	assert_int_equal(ks->dot_i8(q, r[0], dim), dot_i8_ref(q, r[0], dim));
	ks->dot4_i8(qpad, panel, n, out);
	for (int j = 0; j < 4; j++)
		assert_int_equal(out[j], dot_i8_ref(q, r[j], dim));
	free(qpad);
	free(pbuf);
	free(buf);
}

static void int8_kernels_match_integer_reference_exactly(void **state)
{
	(void)state;
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t nv = variants(ks);
	uint64_t rng = 3;

	for (size_t v = 0; v < nv; v++)
		for_each_dim(check_i8, &ks[v], &rng);
}

/* All products at +-127 * 127: the largest sums, where an int16 stage would
 * saturate if the kernel got its pairing wrong. */
static void int8_kernels_do_not_saturate_at_extremes(void **state)
{
	(void)state;
	struct vec_kernel_set ks[MAX_VARIANTS];
	size_t nv = variants(ks), n = 1536;
	int8_t *a = malloc(n), *b = malloc(n), *c = malloc(n), *panel = malloc(4 * n);
	int32_t out[4];

	memset(a, 127, n);
	memset(b, -127, n);
	for (size_t i = 0; i < n; i++)
		c[i] = (int8_t)(i % 2 ? 127 : -127);
	int8_t *r[4] = { a, b, c, a };
	pack_i8(panel, r, n, n);
	for (size_t v = 0; v < nv; v++) {
		assert_int_equal(ks[v].dot_i8(a, a, n), 1536 * 16129);
		assert_int_equal(ks[v].dot_i8(b, a, n), -1536 * 16129);
		ks[v].dot4_i8(b, panel, n, out);
		assert_int_equal(out[0], -1536 * 16129);
		assert_int_equal(out[1], 1536 * 16129);
		assert_int_equal(out[2], 0);
		assert_int_equal(out[3], -1536 * 16129);
	}
	free(a);
	free(b);
	free(c);
	free(panel);
}

/* Sort-based reference: every row scored in double, then ordered. */
struct ref_hit {
	int64_t id;
	double score;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref_hit *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

struct dataset {
	size_t n;
	size_t dim;
	int64_t *ids;
	float *rows;
};

static void dataset_free(struct dataset *d)
{
	free(d->ids);
	free(d->rows);
}

/* Row i gets id ids[i]; ids are distinct, shuffled and spread out. */
static void dataset_ids(struct dataset *d, uint64_t *rng)
{
	d->ids = malloc(d->n * sizeof(*d->ids));
	for (size_t i = 0; i < d->n; i++)
		d->ids[i] = (int64_t)i * 7 + 1000;
	for (size_t i = d->n; i > 1; i--) {
		size_t j = rng_next(rng) % i;
		int64_t t = d->ids[i - 1];
		d->ids[i - 1] = d->ids[j];
		d->ids[j] = t;
	}
}

/* Small integer components: every dot product is exact in float whatever
 * the summation order, and equal scores are common. */
static void dataset_ints(struct dataset *d, size_t n, size_t dim, uint64_t *rng)
{
	d->n = n;
	d->dim = dim;
	d->rows = malloc(n * dim * sizeof(float));
	for (size_t i = 0; i < n * dim; i++)
		d->rows[i] = (float)rng_int(rng, -2, 2);
	dataset_ids(d, rng);
}

static void dataset_random(struct dataset *d, size_t n, size_t dim, uint64_t *rng, bool unit)
{
	d->n = n;
	d->dim = dim;
	d->rows = malloc(n * dim * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		if (unit)
			fill_unit(rng, d->rows + i * dim, dim);
		else
			fill_float(rng, d->rows + i * dim, dim);
	}
	dataset_ids(d, rng);
}

static struct vec_index *index_of(const struct dataset *d, bool int8, int oversample,
                                  int threads)
{
	struct vec_index_opts o = { .dim = (int)d->dim, .quantize_int8 = int8,
	                            .oversample = oversample, .threads = threads };
	struct vec_index *idx = vec_index_new(&o);
	assert_non_null(idx);
	for (size_t i = 0; i < d->n; i++)
		vec_index_upsert(idx, d->ids[i], d->rows + i * d->dim);
	assert_int_equal(vec_index_count(idx), d->n);
	return idx;
}

static bool allow_even(void *ud, int64_t id)
{
	(void)ud;
	return id % 2 == 0;
}

/* Reference top-k of the rows of d (those allow accepts) into out; returns
 * the number of hits. */
static size_t reference(const struct dataset *d, const float *q, size_t k,
                        struct ref_hit *out, vec_allow_fn allow)
{
	struct ref_hit *all = malloc(d->n * sizeof(*all));
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (allow && !allow(NULL, d->ids[i]))
			continue;
		all[n].id = d->ids[i];
		all[n].score = dot_ref(q, d->rows + i * d->dim, d->dim, NULL);
		n++;
	}
	qsort(all, n, sizeof(*all), ref_cmp);
	if (n > k)
		n = k;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* Results must equal the reference exactly: same ids in the same order,
 * same scores (exact for integer data). */
static void check_exact_topk(struct vec_index *idx, const struct dataset *d, const float *q,
                             size_t k, bool exact_only, vec_allow_fn allow)
{
	struct vec_hit *got = malloc((k + 1) * sizeof(*got));
	struct ref_hit *want = malloc((k + 1) * sizeof(*want));
	size_t nw = reference(d, q, k, want, allow);
	size_t ng = exact_only ? vec_index_search_exact(idx, q, k, got, allow, NULL)
	                       : vec_index_search(idx, q, k, got, allow, NULL);

	assert_int_equal(ng, nw);
	for (size_t i = 0; i < ng; i++) {
		assert_int_equal(got[i].id, want[i].id);
		assert_true((double)got[i].score == want[i].score);
	}
	free(got);
	free(want);
}

static void topk_equals_sorted_reference_with_ties(void **state)
{
	(void)state;
	uint64_t rng = 4;
	struct dataset d;
	float q[24];

	dataset_ints(&d, 601, 24, &rng);
	/* Duplicate rows: equal scores under any query. */
	for (size_t i = 300; i < 400; i++)
		memcpy(d.rows + i * 24, d.rows + (i % 5) * 24, 24 * sizeof(float));
	struct vec_index *idx = index_of(&d, false, 1, 1);
	struct vec_index *idx8 = index_of(&d, true, 4, 1);
	const size_t ks[] = { 1, 10, 601, 700 };

	for (int t = 0; t < 20; t++) {
		for (size_t i = 0; i < 24; i++)
			q[i] = (float)rng_int(&rng, -3, 3);
		for (size_t j = 0; j < 4; j++) {
			check_exact_topk(idx, &d, q, ks[j], false, NULL);
			check_exact_topk(idx8, &d, q, ks[j], true, NULL);
		}
		/* Every row is a candidate when k * oversample covers the index. */
		check_exact_topk(idx8, &d, q, 601, false, NULL);
		check_exact_topk(idx8, &d, q, 200, false, NULL);
	}
	vec_index_free(&idx);
	vec_index_free(&idx8);
	assert_null(idx);
	dataset_free(&d);
}

static void topk_of_random_floats_matches_reference(void **state)
{
	(void)state;
	uint64_t rng = 5;
	struct dataset d;
	float q[100];
	struct vec_hit got[10];
	struct ref_hit want[10];

	dataset_random(&d, 1000, 100, &rng, false);
	struct vec_index *idx = index_of(&d, false, 1, 1);
	for (int t = 0; t < 20; t++) {
		fill_float(&rng, q, 100);
		size_t nw = reference(&d, q, 10, want, NULL);
		assert_int_equal(vec_index_search(idx, q, 10, got, NULL, NULL), nw);
		for (size_t i = 0; i < nw; i++) {
			double mag;
			size_t row = 0;
			while (d.ids[row] != want[i].id)
				row++;
			dot_ref(q, d.rows + row * 100, 100, &mag);
			assert_int_equal(got[i].id, want[i].id);
			assert_close(got[i].score, want[i].score, mag);
		}
	}
	vec_index_free(&idx);
	dataset_free(&d);
}

static void search_of_empty_index_or_k0_returns_nothing(void **state)
{
	(void)state;
	struct vec_index_opts o = { .dim = 3, .quantize_int8 = true, .oversample = 2 };
	struct vec_index *idx = vec_index_new(&o);
	float v[3] = { 1, 2, 3 };
	struct vec_hit h[2];

	assert_int_equal(vec_index_search(idx, v, 2, h, NULL, NULL), 0);
	vec_index_upsert(idx, 9, v);
	assert_int_equal(vec_index_search(idx, v, 0, h, NULL, NULL), 0);
	assert_int_equal(vec_index_search(idx, v, 2, h, NULL, NULL), 1);
	assert_int_equal(h[0].id, 9);
	assert_true(h[0].score == 14.0f);
	vec_index_free(&idx);
}

static void rows_scoring_nan_are_never_returned(void **state)
{
	(void)state;
	struct vec_index_opts o = { .dim = 4, .quantize_int8 = true, .oversample = 1 };
	struct vec_index *idx = vec_index_new(&o);
	float good[4] = { 1, 1, 0, 0 }, bad[4] = { 1, NAN, 0, 0 }, q[4] = { 1, 1, 1, 1 };
	struct vec_hit h[3];

	vec_index_upsert(idx, 1, bad);
	vec_index_upsert(idx, 2, good);
	vec_index_upsert(idx, 3, bad);
	assert_int_equal(vec_index_search_exact(idx, q, 3, h, NULL, NULL), 1);
	assert_int_equal(h[0].id, 2);
	assert_int_equal(vec_index_search(idx, q, 3, h, NULL, NULL), 1);
	assert_int_equal(h[0].id, 2);
	assert_true(h[0].score == 2.0f);
	vec_index_free(&idx);
}

static void new_rejects_invalid_options(void **state)
{
	(void)state;
	struct vec_index_opts o = { .dim = 0, .oversample = 1 };
	struct vec_index *idx = NULL;

	assert_null(vec_index_new(&o));
	o.dim = 4;
	o.oversample = 0;
	assert_null(vec_index_new(&o));
	o.oversample = 1;
	o.threads = -1;
	assert_null(vec_index_new(&o));
	o.threads = 0;
	idx = vec_index_new(&o);
	assert_non_null(idx);
	assert_int_equal(vec_index_dim(idx), 4);
	assert_int_equal(vec_index_count(idx), 0);
	vec_index_free(&idx);
	vec_index_free(&idx);
}

static void upsert_replaces_row_with_same_id(void **state)
{
	(void)state;
	struct vec_index_opts o = { .dim = 5, .quantize_int8 = true, .oversample = 1 };
	struct vec_index *idx = vec_index_new(&o);
	float a[5] = { 1, 0, 0, 0, 0 }, b[5] = { 0, 0, 0, 0, 2 }, c[5] = { 0, 1, 0, 0, 0 };
	struct vec_hit h[3];

	vec_index_upsert(idx, 42, a);
	vec_index_upsert(idx, 7, c);
	vec_index_upsert(idx, 42, b);
	assert_int_equal(vec_index_count(idx), 2);
	assert_true(vec_index_contains(idx, 42));
	assert_false(vec_index_contains(idx, 43));
	assert_int_equal(vec_index_search(idx, b, 3, h, NULL, NULL), 2);
	assert_int_equal(h[0].id, 42);
	assert_true(h[0].score == 4.0f);
	assert_int_equal(h[1].id, 7);
	assert_true(h[1].score == 0.0f);
	assert_int_equal(vec_index_search_exact(idx, a, 1, h, NULL, NULL), 1);
	assert_true(h[0].score == 0.0f);
	assert_int_equal(h[0].id, 7);
	vec_index_free(&idx);
}

static void remove_then_search_sees_remaining_rows_only(void **state)
{
	(void)state;
	uint64_t rng = 6;
	struct dataset d;
	float q[16];

	dataset_ints(&d, 300, 16, &rng);
	struct vec_index *idx = index_of(&d, true, 4, 1);
	/* Drop rows with odd ids from d and from the index. */
	size_t kept = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (d.ids[i] % 2) {
			assert_int_equal(vec_index_remove(idx, d.ids[i]), 0);
			assert_int_equal(vec_index_remove(idx, d.ids[i]), -1);
			assert_false(vec_index_contains(idx, d.ids[i]));
			continue;
		}
		d.ids[kept] = d.ids[i];
		memmove(d.rows + kept * 16, d.rows + i * 16, 16 * sizeof(float));
		kept++;
	}
	d.n = kept;
	assert_int_equal(vec_index_count(idx), kept);
	for (int t = 0; t < 10; t++) {
		for (size_t i = 0; i < 16; i++)
			q[i] = (float)rng_int(&rng, -3, 3);
		check_exact_topk(idx, &d, q, kept, false, NULL);
		check_exact_topk(idx, &d, q, 10, true, NULL);
	}
	for (size_t i = 0; i < d.n; i++)
		assert_int_equal(vec_index_remove(idx, d.ids[i]), 0);
	assert_int_equal(vec_index_count(idx), 0);
	struct vec_hit h[1];
	assert_int_equal(vec_index_search(idx, q, 1, h, NULL, NULL), 0);
	vec_index_free(&idx);
	dataset_free(&d);
}

/* Random upserts and removals against a plain array model: exercises the id
 * map's deletion (which moves entries) and the swap-with-last removal. */
static void random_upserts_and_removals_match_model(void **state)
{
	(void)state;
	enum { IDS = 500, DIM = 8 };
	uint64_t rng = 7;
	static float model[IDS][DIM];
	static bool present[IDS];
	struct vec_index_opts o = { .dim = DIM, .quantize_int8 = true, .oversample = 2 };
	struct vec_index *idx = vec_index_new(&o);
	float v[DIM], q[DIM];

	for (int op = 0; op < 20000; op++) {
		int id = rng_int(&rng, 0, IDS - 1);
		if (rng_next(&rng) % 3) {
			for (int i = 0; i < DIM; i++)
				v[i] = (float)rng_int(&rng, -4, 4);
			vec_index_upsert(idx, id * 1024, v);
			memcpy(model[id], v, sizeof(v));
			present[id] = true;
		} else {
			assert_int_equal(vec_index_remove(idx, id * 1024), present[id] ? 0 : -1);
			present[id] = false;
		}
	}
	struct dataset d = { .dim = DIM, .ids = malloc(IDS * sizeof(int64_t)),
	                     .rows = malloc(IDS * DIM * sizeof(float)) };
	for (int id = 0; id < IDS; id++) {
		assert_int_equal(vec_index_contains(idx, id * 1024), present[id]);
		if (!present[id])
			continue;
		d.ids[d.n] = id * 1024;
		memcpy(d.rows + d.n * DIM, model[id], sizeof(model[id]));
		d.n++;
	}
	assert_int_equal(vec_index_count(idx), d.n);
	for (int i = 0; i < DIM; i++)
		q[i] = (float)(i - 3);
	check_exact_topk(idx, &d, q, d.n, false, NULL);
	check_exact_topk(idx, &d, q, d.n, true, NULL);
	vec_index_free(&idx);
	dataset_free(&d);
}

static void filter_callback_limits_candidates(void **state)
{
	(void)state;
	uint64_t rng = 8;
	struct dataset d;
	float q[20];

	dataset_ints(&d, 400, 20, &rng);
	struct vec_index *idx = index_of(&d, true, 4, 1);
	for (int t = 0; t < 10; t++) {
		for (size_t i = 0; i < 20; i++)
			q[i] = (float)rng_int(&rng, -3, 3);
		check_exact_topk(idx, &d, q, 10, true, allow_even);
		check_exact_topk(idx, &d, q, 400, true, allow_even);
		check_exact_topk(idx, &d, q, 400, false, allow_even);
	}
	vec_index_free(&idx);
	dataset_free(&d);
}

/* Growth copies the arena several times; every row must still find itself. */
static void rows_survive_arena_growth(void **state)
{
	(void)state;
	uint64_t rng = 9;
	struct dataset d;
	struct vec_hit h[1];

	dataset_random(&d, 3000, 37, &rng, true);
	struct vec_index *idx = index_of(&d, true, 2, 1);
	vec_index_reserve(idx, 10);
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(vec_index_search_exact(idx, d.rows + i * 37, 1, h, NULL, NULL), 1);
		assert_int_equal(h[0].id, d.ids[i]);
		assert_int_equal(vec_index_search(idx, d.rows + i * 37, 1, h, NULL, NULL), 1);
		assert_int_equal(h[0].id, d.ids[i]);
	}
	vec_index_free(&idx);
	dataset_free(&d);
}

static void int8_search_recall_at_10_is_at_least_99_percent(void **state)
{
	(void)state;
	enum { N = 20000, DIM = 384, Q = 100, K = 10 };
	uint64_t rng = 10;
	struct dataset d;
	float q[DIM];
	struct vec_hit exact[K], approx[K];
	size_t found = 0;

	dataset_random(&d, N, DIM, &rng, true);
	struct vec_index *idx = index_of(&d, true, 4, 1);
	for (int t = 0; t < Q; t++) {
		fill_unit(&rng, q, DIM);
		assert_int_equal(vec_index_search_exact(idx, q, K, exact, NULL, NULL), K);
		assert_int_equal(vec_index_search(idx, q, K, approx, NULL, NULL), K);
		for (int i = 0; i < K; i++) {
			for (int j = 0; j < K; j++) {
				if (approx[i].id != exact[j].id)
					continue;
				/* Rescoring gives the exact score, bit for bit. */
				assert_memory_equal(&approx[i].score, &exact[j].score, sizeof(float));
				found++;
			}
		}
	}
	double recall = (double)found / (Q * K);
	if (recall < 0.99)
		fail_msg("recall@10 %.4f < 0.99", recall);
	vec_index_free(&idx);
	dataset_free(&d);
}

struct search_case {
	const struct vec_index *idx;
	const float *q;
	size_t k;
	bool exact;
	struct vec_hit *out;
	size_t n;
};

/* Same ids and bit-identical scores (struct vec_hit has padding, so no
 * memcmp of whole arrays). */
static void assert_hits_equal(const struct vec_hit *a, const struct vec_hit *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].id, b[i].id);
		assert_memory_equal(&a[i].score, &b[i].score, sizeof(float));
	}
}

static void run_case(struct search_case *c)
{
	c->n = c->exact ? vec_index_search_exact(c->idx, c->q, c->k, c->out, NULL, NULL)
	                : vec_index_search(c->idx, c->q, c->k, c->out, NULL, NULL);
}

static void *run_case_thread(void *arg)
{
	run_case(arg);
	return NULL;
}

static void multithreaded_search_equals_single_threaded_exactly(void **state)
{
	(void)state;
	enum { N = 36000, DIM = 256, Q = 4 };
	uint64_t rng = 11;
	struct dataset d;
	float q[Q][DIM];
	/* k = every row: a row skipped at a part boundary would show. */
	const size_t ks[] = { 1, 10, 100, N };
	static struct vec_hit one[N], many[N];

	/* Half integer rows (many ties), half random floats: 37 MB of float32
	 * and 9 MB of int8 rows, enough for both scans to split. */
	dataset_random(&d, N, DIM, &rng, false);
	for (size_t i = 0; i < N / 2 * DIM; i++)
		d.rows[i] = (float)rng_int(&rng, -1, 1);
	for (int t = 0; t < Q; t++)
		fill_float(&rng, q[t], DIM);
	for (size_t i = 0; i < DIM; i++)
		q[0][i] = (float)rng_int(&rng, -1, 1);
	struct vec_index *idx = index_of(&d, true, 3, 1);

	for (int t = 0; t < Q; t++) {
		for (size_t j = 0; j < 4; j++) {
			for (int exact = 0; exact < 2; exact++) {
				struct search_case c = { idx, q[t], ks[j], exact, one, 0 };
				vec_index_set_threads(idx, 1);
				run_case(&c);
				assert_int_equal(c.n, ks[j]);
				const int threads[] = { 2, 3, 4, 0 };
				for (int m = 0; m < 4; m++) {
					struct search_case c2 = { idx, q[t], ks[j], exact, many, 0 };
					vec_index_set_threads(idx, threads[m]);
					run_case(&c2);
					assert_int_equal(c2.n, c.n);
					assert_hits_equal(many, one, c.n);
				}
			}
		}
	}

	/* Concurrent searches on one index share its pool. */
	enum { T = 6 };
	pthread_t tid[T];
	struct search_case cs[T];
	struct vec_hit outs[T][100];
	vec_index_set_threads(idx, 3);
	for (int i = 0; i < T; i++) {
		cs[i] = (struct search_case){ idx, q[i % Q], 100, i % 2, outs[i], 0 };
		assert_int_equal(pthread_create(&tid[i], NULL, run_case_thread, &cs[i]), 0);
	}
	for (int i = 0; i < T; i++)
		pthread_join(tid[i], NULL);
	vec_index_set_threads(idx, 1);
	for (int i = 0; i < T; i++) {
		struct search_case c = { idx, q[i % Q], 100, i % 2, one, 0 };
		run_case(&c);
		assert_int_equal(cs[i].n, c.n);
		assert_hits_equal(outs[i], one, c.n);
	}
	vec_index_free(&idx);
	dataset_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_name_is_the_best_available_variant),
		cmocka_unit_test(avx512_kernels_run_where_the_cpu_has_them),
		cmocka_unit_test(neon_kernels_run_on_aarch64),
		cmocka_unit_test(float_kernels_match_scalar_for_every_dim),
		cmocka_unit_test(dot4_scores_a_row_the_same_in_every_lane),
		cmocka_unit_test(int8_kernels_match_integer_reference_exactly),
		cmocka_unit_test(int8_kernels_do_not_saturate_at_extremes),
		cmocka_unit_test(topk_equals_sorted_reference_with_ties),
		cmocka_unit_test(topk_of_random_floats_matches_reference),
		cmocka_unit_test(search_of_empty_index_or_k0_returns_nothing),
		cmocka_unit_test(rows_scoring_nan_are_never_returned),
		cmocka_unit_test(new_rejects_invalid_options),
		cmocka_unit_test(upsert_replaces_row_with_same_id),
		cmocka_unit_test(remove_then_search_sees_remaining_rows_only),
		cmocka_unit_test(random_upserts_and_removals_match_model),
		cmocka_unit_test(filter_callback_limits_candidates),
		cmocka_unit_test(rows_survive_arena_growth),
		cmocka_unit_test(int8_search_recall_at_10_is_at_least_99_percent),
		cmocka_unit_test(multithreaded_search_equals_single_threaded_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
