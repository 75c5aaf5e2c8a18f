/* vec_kernels_neon: AdvSIMD kernels for aarch64, where NEON is part of the
 * base architecture and needs no run-time check. */
#include "store/vec_kernels.h"

#ifdef VEC_KERNELS_NEON

#include <arm_neon.h>

float vec_dot_neon(const float *a, const float *b, size_t n)
{
	float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
	float32x4_t s2 = vdupq_n_f32(0.0f), s3 = vdupq_n_f32(0.0f);
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
		s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
		s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
		s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
	}
	for (; i + 4 <= n; i += 4)
		s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
	float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* One 16-float chunk (four registers) per row per step, spread over two
 * accumulators per row; every lane is reduced the same way. */
void vec_dot4_neon(const float *q, const float *panel, size_t n, float out[4])
{
	float32x4_t a[4], b[4];
	const float *p = panel;

	for (int j = 0; j < 4; j++) {
		a[j] = vdupq_n_f32(0.0f);
		b[j] = vdupq_n_f32(0.0f);
	}
	for (size_t i = 0; i < n; i += 16, p += 64) {
		float32x4_t q0 = vld1q_f32(q + i), q1 = vld1q_f32(q + i + 4);
		float32x4_t q2 = vld1q_f32(q + i + 8), q3 = vld1q_f32(q + i + 12);
		for (int j = 0; j < 4; j++) {
			const float *r = p + 16 * j;
			a[j] = vfmaq_f32(a[j], q0, vld1q_f32(r));
			b[j] = vfmaq_f32(b[j], q1, vld1q_f32(r + 4));
			a[j] = vfmaq_f32(a[j], q2, vld1q_f32(r + 8));
			b[j] = vfmaq_f32(b[j], q3, vld1q_f32(r + 12));
		}
	}
	for (int j = 0; j < 4; j++)
		out[j] = vaddvq_f32(vaddq_f32(a[j], b[j]));
}

/* 16 int8 products: widening multiply to int16 (|p| <= 2 * 127 * 127 after
 * the pairwise add), then pairwise accumulate into int32. */
static int32x4_t madd_i8(int32x4_t acc, int8x16_t a, int8x16_t b)
{
	int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
	p = vmlal_s8(p, vget_high_s8(a), vget_high_s8(b));
	return vpadalq_s16(acc, p);
}

int32_t vec_dot_i8_neon(const int8_t *a, const int8_t *b, size_t n)
{
	int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		s0 = madd_i8(s0, vld1q_s8(a + i), vld1q_s8(b + i));
		s1 = madd_i8(s1, vld1q_s8(a + i + 16), vld1q_s8(b + i + 16));
	}
	for (; i + 16 <= n; i += 16)
		s0 = madd_i8(s0, vld1q_s8(a + i), vld1q_s8(b + i));
	return vaddvq_s32(vaddq_s32(s0, s1)) + vec_dot_i8_scalar(a + i, b + i, n - i);
}

/* One 32-byte chunk (two registers) per row per step, one accumulator per
 * register. */
void vec_dot4_i8_neon(const int8_t *q, const int8_t *panel, size_t n, int32_t out[4])
{
	int32x4_t s[4], t[4];
	const int8_t *p = panel;

	for (int j = 0; j < 4; j++) {
		s[j] = vdupq_n_s32(0);
		t[j] = vdupq_n_s32(0);
	}
	for (size_t i = 0; i < n; i += 32, p += 128) {
		int8x16_t q0 = vld1q_s8(q + i), q1 = vld1q_s8(q + i + 16);
		for (int j = 0; j < 4; j++) {
			s[j] = madd_i8(s[j], q0, vld1q_s8(p + 32 * j));
			t[j] = madd_i8(t[j], q1, vld1q_s8(p + 32 * j + 16));
		}
	}
	for (int j = 0; j < 4; j++)
		out[j] = vaddvq_s32(vaddq_s32(s[j], t[j]));
}

#endif
