/* vec_kernels: scalar reference kernels and the run-time choice of variant. */
#include "store/vec_kernels.h"

#include <pthread.h>

float vec_dot_scalar(const float *a, const float *b, size_t n)
{
	float s = 0.0f;
	for (size_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* Each lane summed in element order, exactly as vec_dot_scalar sums a row. */
void vec_dot4_scalar(const float *q, const float *panel, size_t n, float out[4])
{
	for (size_t j = 0; j < VEC_PANEL_ROWS; j++) {
		float s = 0.0f;
		for (size_t c = 0; c < n; c += VEC_CHUNK_F32) {
			const float *p = panel + c * VEC_PANEL_ROWS + j * VEC_CHUNK_F32;
			for (size_t i = 0; i < VEC_CHUNK_F32; i++)
				s += q[c + i] * p[i];
		}
		out[j] = s;
	}
}

int32_t vec_dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n)
{
	int32_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (int32_t)a[i] * (int32_t)b[i];
	return s;
}

void vec_dot4_i8_scalar(const int8_t *q, const int8_t *panel, size_t n, int32_t out[4])
{
	for (size_t j = 0; j < VEC_PANEL_ROWS; j++) {
		int32_t s = 0;
		for (size_t c = 0; c < n; c += VEC_CHUNK_I8)
			s += vec_dot_i8_scalar(q + c, panel + c * VEC_PANEL_ROWS + j * VEC_CHUNK_I8,
			                       VEC_CHUNK_I8);
		out[j] = s;
	}
}

struct variant {
	struct vec_kernel_set set;
	bool (*supported)(void);
};

static bool always(void)
{
	return true;
}

#ifdef VEC_KERNELS_X86
static bool has_avx2_fma(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static bool has_avx512f(void)
{
	/* The AVX-512F variant borrows the AVX2 int8 kernels. */
	return has_avx2_fma() && __builtin_cpu_supports("avx512f");
}
#endif

/* Best first; the first supported entry is the one searches use. */
static const struct variant variants[] = {
#ifdef VEC_KERNELS_X86
	{
		.set = {
			.name = "avx512f",
			.dot = vec_dot_avx512,
			.dot4 = vec_dot4_avx512,
			.dot_i8 = vec_dot_i8_avx2,
			.dot4_i8 = vec_dot4_i8_avx2,
		},
		.supported = has_avx512f,
	},
	{
		.set = {
			.name = "avx2+fma",
			.dot = vec_dot_avx2,
			.dot4 = vec_dot4_avx2,
			.dot_i8 = vec_dot_i8_avx2,
			.dot4_i8 = vec_dot4_i8_avx2,
		},
		.supported = has_avx2_fma,
	},
#endif
#ifdef VEC_KERNELS_NEON
	{
		.set = {
			.name = "neon",
			.dot = vec_dot_neon,
			.dot4 = vec_dot4_neon,
			.dot_i8 = vec_dot_i8_neon,
			.dot4_i8 = vec_dot4_i8_neon,
		},
		.supported = always,
	},
#endif
	{
		.set = {
			.name = "scalar",
			.dot = vec_dot_scalar,
			.dot4 = vec_dot4_scalar,
			.dot_i8 = vec_dot_i8_scalar,
			.dot4_i8 = vec_dot4_i8_scalar,
		},
		.supported = always,
	},
};

#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static pthread_once_t best_once = PTHREAD_ONCE_INIT;
static const struct vec_kernel_set *best;

static void choose_best(void)
{
	for (size_t i = 0; i < NVARIANTS; i++) {
		if (variants[i].supported()) {
			best = &variants[i].set;
			return;
		}
	}
}

const struct vec_kernel_set *vec_kernels_best(void)
{
	pthread_once(&best_once, choose_best);
	return best;
}

size_t vec_kernels_available(struct vec_kernel_set *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < NVARIANTS && n < max; i++) {
		if (variants[i].supported())
			out[n++] = variants[i].set;
	}
	return n;
}

const char *vec_kernel_name(void)
{
	return vec_kernels_best()->name;
}
