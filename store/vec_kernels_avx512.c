/* vec_kernels_avx512: AVX-512F float32 kernels.
 *
 * Compiled with function-level target attributes, so the file needs no
 * special compiler flags; vec_kernels.c calls these only after checking the
 * CPU. Tails use masked loads, which never touch the masked-off bytes. */
#include "store/vec_kernels.h"

#ifdef VEC_KERNELS_X86

#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))

static AVX512 __mmask16 tail_mask(size_t r)
{
	return (__mmask16)((1u << r) - 1u);
}

AVX512 float vec_dot_avx512(const float *a, const float *b, size_t n)
{
	__m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
	__m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
	size_t i = 0;

	for (; i + 64 <= n; i += 64) {
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
		s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
		s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
		s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
	}
	for (; i + 16 <= n; i += 16)
		s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
	if (i < n) {
		__mmask16 m = tail_mask(n - i);
		s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i),
		                     s1);
	}
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

/* One 16-float chunk per row per step, alternating between two accumulators
 * per row (eight in all); every row is reduced by the same
 * _mm512_reduce_add_ps, so lanes are interchangeable. */
AVX512 void vec_dot4_avx512(const float *q, const float *panel, size_t n, float out[4])
{
	__m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
	__m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
	__m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
	__m512 b2 = _mm512_setzero_ps(), b3 = _mm512_setzero_ps();
	const float *p = panel;
	size_t i = 0;

	for (; i + 32 <= n; i += 32, p += 128) {
		__m512 q0 = _mm512_loadu_ps(q + i);
		__m512 q1 = _mm512_loadu_ps(q + i + 16);
		a0 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p), a0);
		a1 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 16), a1);
		a2 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 32), a2);
		a3 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 48), a3);
		b0 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(p + 64), b0);
		b1 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(p + 80), b1);
		b2 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(p + 96), b2);
		b3 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(p + 112), b3);
	}
	if (i < n) {
		__m512 q0 = _mm512_loadu_ps(q + i);
		a0 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p), a0);
		a1 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 16), a1);
		a2 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 32), a2);
		a3 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p + 48), a3);
	}
	out[0] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));
	out[1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));
	out[2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));
	out[3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));
}

#endif
