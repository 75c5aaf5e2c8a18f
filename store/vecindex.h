/* vecindex: in-memory arena of embeddings with exact SIMD top-k search.
 *
 * Rows live in one 64-byte aligned arena (row stride: dim rounded up to 16
 * floats, zero padding), stored as panels of four rows interleaved every 16
 * floats so that a scan reads memory in order (see vec_kernels.h), with a
 * parallel array of ids. With quantize_int8 an int8 copy (one float scale
 * per row, stride rounded up to 64 bytes, panels interleaved every 32 bytes)
 * is scanned first and the best k * oversample rows are rescored in float32.
 * Scores are inner products; vectors need not be normalised.
 *
 * Results are deterministic: ordered by score descending, equal scores by id
 * ascending, and identical whatever the thread count. Searches may run
 * concurrently with each other but not with upsert, remove or set_threads.
 *
 * An index may also be a read-only view of arrays in this layout that it
 * does not own (a memory-mapped file, store/vecfile.h): rows there are
 * removed by remembering their ids, never moved. */
#ifndef RAGDECK_VECINDEX_H
#define RAGDECK_VECINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/vec_kernels.h"

struct vec_index;

struct vec_index_opts {
	int dim;            /* floats per vector, >= 1 */
	bool quantize_int8; /* keep an int8 copy and search it first */
	int oversample;     /* rescoring factor, >= 1 */
	int threads;        /* 0 = all online cores */
};

struct vec_hit {
	int64_t id;
	float score;
};

/* The arrays of count rows in the layout an index scans: float32 panels
 * (vec_layout_padded(count) * vec_layout_stride(dim) floats), int8 panels
 * (... * vec_layout_stride8(dim) bytes) or NULL, a scale per padded row,
 * and the ids. */
struct vec_rows {
	size_t count;
	float *f32;
	int8_t *i8;
	float *scales;
	int64_t *ids;
	/* With f32_pread, a view's rescoring reads each candidate's float32
	 * panel from file descriptor f32_fd at f32_offset + its panel's offset
	 * instead of through f32 (which exact scans still read): the pages of
	 * a mapping it touched would stay resident, a few KB read do not. */
	bool f32_pread;
	int f32_fd;
	uint64_t f32_offset;
};

/* Floats per row in the float32 panels of a dim-dimensional index. */
size_t vec_layout_stride(int dim);

/* Bytes per row in its int8 panels. */
size_t vec_layout_stride8(int dim);

/* Rows that count rows occupy: whole panels. */
size_t vec_layout_padded(size_t count);

/* Write v (dim floats) as row slot of dst: its float32 lane and, when
 * dst->i8 is not NULL, its int8 lane and scale. Only the row's dim values
 * are written: the padding must already be zero (fresh memory is). */
void vec_layout_put(int dim, const struct vec_rows *dst, size_t slot, const float *v);

/* Filter for searches: a row is a candidate only when this returns true. It
 * may be called from several threads at once, and only for rows whose score
 * would enter the result. */
typedef bool (*vec_allow_fn)(void *ud, int64_t id);

/* Create an empty index. Returns NULL when opts->dim < 1, opts->oversample
 * < 1 or opts->threads < 0. Caller frees with vec_index_free. */
struct vec_index *vec_index_new(const struct vec_index_opts *opts);

/* A read-only index over rows (ids strictly ascending) that stay the
 * caller's and must outlive it. Without rows->i8 the scan is exact whatever
 * opts->quantize_int8 says. vec_index_remove works (the id is remembered as
 * removed); vec_index_upsert aborts. Returns NULL on bad opts. */
struct vec_index *vec_index_view(const struct vec_index_opts *opts, const struct vec_rows *rows);

/* Free the index and its worker threads; NULL-safe; clears *idx. */
void vec_index_free(struct vec_index **idx);

/* Make room for n rows in total, so that loading a known number of rows
 * copies the arena at most once. */
void vec_index_reserve(struct vec_index *idx, size_t n);

/* Add a row, or replace the row with the same id. v holds dim floats. The
 * arena grows geometrically (amortised O(1)). */
void vec_index_upsert(struct vec_index *idx, int64_t id, const float *v);

/* Remove the row with this id (the last row moves into its slot). Returns 0,
 * or -1 when no row has this id. */
int vec_index_remove(struct vec_index *idx, int64_t id);

/* Number of rows. */
size_t vec_index_count(const struct vec_index *idx);

/* Floats per vector. */
int vec_index_dim(const struct vec_index *idx);

/* Whether a row has this id. */
bool vec_index_contains(const struct vec_index *idx, int64_t id);

/* Top-k rows by inner product with q (dim floats) into out (room for k
 * hits); returns the number of hits, min(k, candidates). With quantize_int8
 * the int8 copy picks k * oversample candidates and float32 rescoring orders
 * them; otherwise the scan is exact. allow may be NULL (every row is a
 * candidate). Rows whose score is NaN are never returned. */
size_t vec_index_search(const struct vec_index *idx, const float *q, size_t k,
                        struct vec_hit *out, vec_allow_fn allow, void *ud);

/* As vec_index_search, but always an exact float32 scan. */
size_t vec_index_search_exact(const struct vec_index *idx, const float *q, size_t k,
                              struct vec_hit *out, vec_allow_fn allow, void *ud);

/* Threads for later searches (0 = all online cores; negative is taken as 0).
 * A scan is split only when every thread gets at least 4 MiB to read. */
void vec_index_set_threads(struct vec_index *idx, int threads);

#endif
