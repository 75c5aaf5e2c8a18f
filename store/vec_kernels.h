/* vec_kernels: dot-product kernels for the vector index, one variant per
 * instruction set, chosen once at run time.
 *
 * Internal to store/ (vecindex uses it), public so that tests can run every
 * variant the CPU supports against the scalar reference.
 *
 * Each variant has four kernels: float32 and int8, one row or one panel of
 * four rows. A panel stores its four rows interleaved in chunks: chunk c of
 * row j starts at element (4 * c + j) * CHUNK. A scan over panels therefore
 * reads memory strictly in order, which the hardware prefetcher streams at
 * full bandwidth (four separate row streams of 1.5 KB each reach only ~80%
 * of it), while the kernel loads each query chunk once for four rows and
 * keeps independent accumulators per row. A row's result does not depend on
 * its lane: every lane is reduced in the same order.
 *
 * Panel kernels take n as a multiple of the chunk (rows are zero-padded);
 * single-row kernels take any n. int8 inputs must lie in [-127, 127];
 * products are summed exactly in int32 (n up to 2^17 cannot overflow).
 * Pointers need no particular alignment. */
#ifndef RAGDECK_VEC_KERNELS_H
#define RAGDECK_VEC_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define VEC_KERNELS_X86 1
#endif
#if defined(__aarch64__)
#define VEC_KERNELS_NEON 1
#endif

#define VEC_PANEL_ROWS 4
#define VEC_CHUNK_F32 16 /* floats per chunk: 64 bytes */
#define VEC_CHUNK_I8 32  /* bytes per chunk */

typedef float (*vec_dot_fn)(const float *a, const float *b, size_t n);
typedef void (*vec_dot4_fn)(const float *q, const float *panel, size_t n, float out[4]);
typedef int32_t (*vec_dot_i8_fn)(const int8_t *a, const int8_t *b, size_t n);
typedef void (*vec_dot4_i8_fn)(const int8_t *q, const int8_t *panel, size_t n,
                               int32_t out[4]);

/* One instruction-set variant: its name and its four kernels. */
struct vec_kernel_set {
	const char *name;
	vec_dot_fn dot;
	vec_dot4_fn dot4;
	vec_dot_i8_fn dot_i8;
	vec_dot4_i8_fn dot4_i8;
};

/* The best variant this CPU supports, chosen on first call (thread-safe).
 * Static storage; never NULL. */
const struct vec_kernel_set *vec_kernels_best(void);

/* Copy every variant this CPU supports into out (at most max entries), best
 * first, "scalar" last. Returns how many were copied. */
size_t vec_kernels_available(struct vec_kernel_set *out, size_t max);

/* Name of the variant vec_kernels_best() chose: "avx512f", "avx2+fma",
 * "neon" or "scalar". Static string. */
const char *vec_kernel_name(void);

/* Scalar reference: plain sequential loops. */
float vec_dot_scalar(const float *a, const float *b, size_t n);
void vec_dot4_scalar(const float *q, const float *panel, size_t n, float out[4]);
int32_t vec_dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n);
void vec_dot4_i8_scalar(const int8_t *q, const int8_t *panel, size_t n, int32_t out[4]);

#ifdef VEC_KERNELS_X86
/* AVX2 + FMA (vec_kernels_avx2.c). Call only when the CPU has avx2 and fma. */
float vec_dot_avx2(const float *a, const float *b, size_t n);
void vec_dot4_avx2(const float *q, const float *panel, size_t n, float out[4]);
int32_t vec_dot_i8_avx2(const int8_t *a, const int8_t *b, size_t n);
void vec_dot4_i8_avx2(const int8_t *q, const int8_t *panel, size_t n, int32_t out[4]);

/* AVX-512F float32 kernels (vec_kernels_avx512.c). Call only when the CPU has
 * avx512f. AVX-512F has no byte arithmetic, so that variant's int8 kernels
 * are the AVX2 ones. */
float vec_dot_avx512(const float *a, const float *b, size_t n);
void vec_dot4_avx512(const float *q, const float *panel, size_t n, float out[4]);
#endif

#ifdef VEC_KERNELS_NEON
/* AdvSIMD (vec_kernels_neon.c); every aarch64 CPU has it. */
float vec_dot_neon(const float *a, const float *b, size_t n);
void vec_dot4_neon(const float *q, const float *panel, size_t n, float out[4]);
int32_t vec_dot_i8_neon(const int8_t *a, const int8_t *b, size_t n);
void vec_dot4_i8_neon(const int8_t *q, const int8_t *panel, size_t n, int32_t out[4]);
#endif

#endif
