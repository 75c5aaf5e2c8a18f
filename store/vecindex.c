/* vecindex: arena of row panels, id map, and the (optionally two-stage) scan.
 *
 * Slot s lives in panel s / 4, lane s % 4 (layout in vec_kernels.h). The
 * last panel's unused lanes hold zeros or stale rows (finite either way);
 * scans compute them and ignore the results. */
#include "store/vecindex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util/xalloc.h"
#include "store/vec_idmap.h"
#include "store/vec_pool.h"
#include "store/vec_topk.h"

#define INT8_PAD 64                    /* int8 row stride multiple, in bytes */
#define LANES VEC_PANEL_ROWS
#define CACHE_LINE 64
#define HUGE_PAGE ((size_t)2 << 20)
/* Least arena bytes worth a thread: waking a worker costs tens of
 * microseconds (measured ~50 us in a VM), the time to scan ~1 MB. */
#define PART_BYTES ((size_t)4 << 20)
#define MIN_CAP 64

struct vec_index {
	int dim;
	size_t stride;  /* floats per row */
	size_t stride8; /* bytes per int8 row */
	bool quantize;
	size_t oversample;
	size_t threads; /* resolved: >= 1 */
	size_t count;   /* slots in use */
	size_t cap;     /* a multiple of LANES */
	float *rows;    /* cap / LANES panels of LANES * stride floats */
	int64_t *ids;   /* cap */
	int8_t *rows8;  /* when quantize: panels of LANES * stride8 bytes */
	float *scales;  /* cap when quantize: row ~= scale * its int8 row */
	bool view;      /* the arrays are the caller's (ids ascending) */
	int f32_fd;     /* a view's file to read rescored panels from, or -1 */
	uint64_t f32_offset;
	struct vec_idmap map;  /* id -> slot; a view looks ids up by bisection */
	struct vec_idmap dead; /* a view's removed ids */
	struct vec_pool *pool;
	const struct vec_kernel_set *kern;
};

/* One search's scan: rows are split into nparts ranges, each with its own
 * heap, merged afterwards. q8 selects the int8 scan. */
struct scan {
	const struct vec_index *idx;
	const float *qf;
	const int8_t *q8;
	size_t nparts;
	struct vec_topk *heaps;
	vec_allow_fn allow;
	void *ud;
};

static size_t round_up(size_t n, size_t m)
{
	return (n + m - 1) / m * m;
}

/* Cache-line aligned memory; large blocks are aligned to and advised for
 * transparent huge pages, which cuts TLB misses during a full scan. Aborts on
 * out-of-memory like xmalloc. Free with free(). */
static void *arena_alloc(size_t bytes)
{
	size_t align = bytes >= 2 * HUGE_PAGE ? HUGE_PAGE : CACHE_LINE;
	void *p = NULL;

	bytes = round_up(bytes ? bytes : 1, align);
	if (posix_memalign(&p, align, bytes) != 0) {
		fprintf(stderr, "ragdeck: out of memory allocating %zu bytes\n", bytes);
		abort();
	}
	if (align == HUGE_PAGE)
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static size_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}

static size_t resolve_threads(int threads)
{
	return threads > 0 ? (size_t)threads : online_cpus();
}

struct vec_index *vec_index_new(const struct vec_index_opts *opts)
{
	struct vec_index *idx;

	if (opts->dim < 1 || opts->oversample < 1 || opts->threads < 0)
		return NULL;
	idx = xcalloc(1, sizeof(*idx));
	idx->dim = opts->dim;
	idx->stride = vec_layout_stride(opts->dim);
	idx->stride8 = vec_layout_stride8(opts->dim);
	idx->quantize = opts->quantize_int8;
	idx->oversample = (size_t)opts->oversample;
	idx->threads = resolve_threads(opts->threads);
	vec_idmap_init(&idx->map);
	vec_idmap_init(&idx->dead);
	idx->f32_fd = -1;
	idx->pool = vec_pool_new();
	idx->kern = vec_kernels_best();
	return idx;
}

struct vec_index *vec_index_view(const struct vec_index_opts *opts, const struct vec_rows *rows)
{
	struct vec_index *idx = vec_index_new(opts);

	if (!idx)
		return NULL;
	idx->view = true;
	idx->count = rows->count;
	idx->cap = vec_layout_padded(rows->count);
	idx->rows = rows->f32;
	idx->rows8 = rows->i8;
	idx->scales = rows->scales;
	idx->ids = rows->ids;
	idx->quantize = idx->quantize && rows->i8;
	if (rows->f32_pread) {
		idx->f32_fd = rows->f32_fd;
		idx->f32_offset = rows->f32_offset;
	}
	return idx;
}

void vec_index_free(struct vec_index **pidx)
{
	struct vec_index *idx = *pidx;
	if (!idx)
		return;
	vec_pool_free(&idx->pool);
	vec_idmap_free(&idx->map);
	vec_idmap_free(&idx->dead);
	if (!idx->view) {
		free(idx->rows);
		free(idx->ids);
		free(idx->rows8);
		free(idx->scales);
	}
	free(idx);
	*pidx = NULL;
}

static size_t panels(size_t rows)
{
	return (rows + LANES - 1) / LANES;
}

static float *panel_f32(const struct vec_index *idx, size_t slot)
{
	return idx->rows + slot / LANES * LANES * idx->stride;
}

static int8_t *panel_i8(const struct vec_index *idx, size_t slot)
{
	return idx->rows8 + slot / LANES * LANES * idx->stride8;
}

/* Move the arrays to a capacity of cap rows (cap >= count). */
static void set_capacity(struct vec_index *idx, size_t cap)
{
	size_t used = panels(idx->count) * LANES;

	cap = round_up(cap, LANES);
	float *rows = arena_alloc(cap * idx->stride * sizeof(float));
	if (used)
		memcpy(rows, idx->rows, used * idx->stride * sizeof(float));
	free(idx->rows);
	idx->rows = rows;
	idx->ids = xreallocarray(idx->ids, cap, sizeof(*idx->ids));
	if (idx->quantize) {
		int8_t *rows8 = arena_alloc(cap * idx->stride8);
		if (used)
			memcpy(rows8, idx->rows8, used * idx->stride8);
		free(idx->rows8);
		idx->rows8 = rows8;
		idx->scales = xreallocarray(idx->scales, cap, sizeof(*idx->scales));
	}
	idx->cap = cap;
}

void vec_index_reserve(struct vec_index *idx, size_t n)
{
	if (!idx->view && n > idx->cap)
		set_capacity(idx, n);
}

/* Copy one lane's row of len bytes into another lane (of maybe another panel). */
static void lane_copy(void *dst, size_t dlane, const void *src, size_t slane, size_t len,
                      size_t chunk)
{
	for (size_t off = 0; off < len; off += chunk)
		memcpy((char *)dst + off * LANES + dlane * chunk,
		       (const char *)src + off * LANES + slane * chunk, chunk);
}

/* The largest |v[i]|, or NaN when one is NaN. */
static float max_abs(const float *v, size_t n)
{
	float maxabs = 0.0f;

	for (size_t i = 0; i < n; i++) {
		float a = fabsf(v[i]);
		if (a > maxabs || isnan(a))
			maxabs = a;
	}
	return maxabs;
}

/* Symmetric int8 quantisation: x = v[i] * 127 / max|v| rounded half away
 * from zero, so every value lies in [-127, 127]; inv 0 (a zero or
 * non-finite vector) gives 0. A hand-rolled round keeps libm calls out of
 * the per-element loops. */
static int8_t quantize_one(float v, float inv)
{
	if (inv == 0.0f)
		return 0;
	float x = v * inv;
	return (int8_t)(x >= 0.0f ? (int)(x + 0.5f) : -(int)(0.5f - x));
}

/* The scale of v's int8 row (max|v| / 127) and its inverse; 0 for a zero or
 * non-finite vector, which quantises to zeros. */
static float quantize_scale(const float *v, size_t n, float *inv)
{
	float maxabs = max_abs(v, n);

	if (maxabs == 0.0f || !isfinite(maxabs)) {
		*inv = 0.0f;
		return 0.0f;
	}
	*inv = 127.0f / maxabs;
	return maxabs / 127.0f;
}

/* Quantise n floats into a contiguous row out of pad bytes, zero-filled past
 * n. Returns the scale. */
static float quantize(const float *v, size_t n, int8_t *out, size_t pad)
{
	float inv, scale = quantize_scale(v, n, &inv);

	memset(out, 0, pad);
	for (size_t i = 0; i < n; i++)
		out[i] = quantize_one(v[i], inv);
	return scale;
}

size_t vec_layout_stride(int dim)
{
	return round_up((size_t)dim, VEC_CHUNK_F32);
}

size_t vec_layout_stride8(int dim)
{
	return round_up((size_t)dim, INT8_PAD);
}

size_t vec_layout_padded(size_t count)
{
	return round_up(count, LANES);
}

void vec_layout_put(int dim, const struct vec_rows *dst, size_t slot, const float *v)
{
	size_t n = (size_t)dim, lane = slot % LANES;
	float *panel = dst->f32 + slot / LANES * LANES * vec_layout_stride(dim);

	for (size_t off = 0; off < n; off += VEC_CHUNK_F32)
		memcpy(panel + off * LANES + lane * VEC_CHUNK_F32, v + off,
		       (n - off < VEC_CHUNK_F32 ? n - off : VEC_CHUNK_F32) * sizeof(float));
	if (!dst->i8)
		return;
	float inv;
	int8_t *panel8 = dst->i8 + slot / LANES * LANES * vec_layout_stride8(dim);
	dst->scales[slot] = quantize_scale(v, n, &inv);
	for (size_t i = 0; i < n; i++)
		panel8[i / VEC_CHUNK_I8 * VEC_CHUNK_I8 * LANES + lane * VEC_CHUNK_I8 + i % VEC_CHUNK_I8] =
			quantize_one(v[i], inv);
}

static void write_row(struct vec_index *idx, size_t slot, const float *v)
{
	struct vec_rows dst = { .f32 = idx->rows, .i8 = idx->quantize ? idx->rows8 : NULL,
	                        .scales = idx->scales };
	vec_layout_put(idx->dim, &dst, slot, v);
}

/* A new panel starts zero-filled (rows and scales), so its unused lanes
 * hold finite values. */
static size_t new_slot(struct vec_index *idx)
{
	size_t slot = idx->count++;

	if (slot % LANES == 0) {
		memset(panel_f32(idx, slot), 0, LANES * idx->stride * sizeof(float));
		if (idx->quantize) {
			memset(panel_i8(idx, slot), 0, LANES * idx->stride8);
			memset(idx->scales + slot, 0, LANES * sizeof(float));
		}
	}
	return slot;
}

/* The slot of a live row with this id. */
static bool find_slot(const struct vec_index *idx, int64_t id, size_t *slot)
{
	if (!idx->view)
		return vec_idmap_get(&idx->map, id, slot);
	size_t lo = 0, hi = idx->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t unused;
	*slot = lo;
	return lo < idx->count && idx->ids[lo] == id && !vec_idmap_get(&idx->dead, id, &unused);
}

void vec_index_upsert(struct vec_index *idx, int64_t id, const float *v)
{
	size_t slot;

	if (idx->view) {
		fprintf(stderr, "ragdeck: vec_index_upsert on a read-only view\n");
		abort();
	}
	if (!vec_idmap_get(&idx->map, id, &slot)) {
		if (idx->count == idx->cap)
			set_capacity(idx, idx->cap ? idx->cap * 2 : MIN_CAP);
		slot = new_slot(idx);
		idx->ids[slot] = id;
		vec_idmap_put(&idx->map, id, slot);
	}
	write_row(idx, slot, v);
}

int vec_index_remove(struct vec_index *idx, int64_t id)
{
	size_t slot;

	if (!find_slot(idx, id, &slot))
		return -1;
	if (idx->view) {
		vec_idmap_put(&idx->dead, id, slot);
		return 0;
	}
	vec_idmap_del(&idx->map, id);
	size_t last = --idx->count;
	if (slot != last) {
		lane_copy(panel_f32(idx, slot), slot % LANES, panel_f32(idx, last), last % LANES,
		          idx->stride * sizeof(float), VEC_CHUNK_F32 * sizeof(float));
		if (idx->quantize) {
			lane_copy(panel_i8(idx, slot), slot % LANES, panel_i8(idx, last),
			          last % LANES, idx->stride8, VEC_CHUNK_I8);
			idx->scales[slot] = idx->scales[last];
		}
		idx->ids[slot] = idx->ids[last];
		vec_idmap_put(&idx->map, idx->ids[slot], slot);
	}
	return 0;
}

size_t vec_index_count(const struct vec_index *idx)
{
	return idx->count - idx->dead.n;
}

int vec_index_dim(const struct vec_index *idx)
{
	return idx->dim;
}

bool vec_index_contains(const struct vec_index *idx, int64_t id)
{
	size_t slot;
	return find_slot(idx, id, &slot);
}

void vec_index_set_threads(struct vec_index *idx, int threads)
{
	idx->threads = resolve_threads(threads);
}

static bool is_dead(const struct vec_index *idx, int64_t id)
{
	size_t slot;
	return idx->dead.n && vec_idmap_get(&idx->dead, id, &slot);
}

static void offer(const struct scan *s, struct vec_topk *t, float score, int64_t id)
{
	if (vec_topk_may_enter(t, score) && !is_dead(s->idx, id) && (!s->allow || s->allow(s->ud, id)))
		vec_topk_push(t, score, id);
}

/* Offer the m (<= LANES) scores of the panel starting at row r. Most panels
 * hold no candidate, so one combined test skips them. */
static void offer_panel(const struct scan *s, struct vec_topk *t, const float sc[LANES],
                        size_t r, size_t m)
{
	float best = sc[0];
	for (size_t j = 1; j < LANES; j++)
		best = sc[j] > best ? sc[j] : best;
	if (!vec_topk_may_enter(t, best) && !isnan(best))
		return;
	for (size_t j = 0; j < m; j++)
		offer(s, t, sc[j], s->idx->ids[r + j]);
}

/* Rows [lo, hi) of the index, lo a multiple of LANES: one kernel call per
 * panel, lanes past hi ignored. */
static void scan_f32(const struct scan *s, struct vec_topk *t, size_t lo, size_t hi)
{
	const struct vec_index *idx = s->idx;
	float sc[LANES];

	for (size_t r = lo; r < hi; r += LANES) {
		idx->kern->dot4(s->qf, panel_f32(idx, r), idx->stride, sc);
		offer_panel(s, t, sc, r, hi - r < LANES ? hi - r : LANES);
	}
}

static void scan_i8(const struct scan *s, struct vec_topk *t, size_t lo, size_t hi)
{
	const struct vec_index *idx = s->idx;
	int32_t d[LANES];
	float sc[LANES];

	for (size_t r = lo; r < hi; r += LANES) {
		idx->kern->dot4_i8(s->q8, panel_i8(idx, r), idx->stride8, d);
		for (size_t j = 0; j < LANES; j++)
			sc[j] = (float)d[j] * idx->scales[r + j];
		offer_panel(s, t, sc, r, hi - r < LANES ? hi - r : LANES);
	}
}

static void scan_part(void *arg, size_t part)
{
	const struct scan *s = arg;
	size_t n = s->idx->count, np = panels(n);
	size_t lo = np * part / s->nparts * LANES;
	size_t hi = np * (part + 1) / s->nparts * LANES;

	if (hi > n)
		hi = n;
	if (s->q8)
		scan_i8(s, &s->heaps[part], lo, hi);
	else
		scan_f32(s, &s->heaps[part], lo, hi);
}

/* How many parts a scan of this many bytes is split into. */
static size_t count_parts(const struct vec_index *idx, size_t bytes)
{
	size_t parts = bytes / PART_BYTES;
	if (parts > idx->threads)
		parts = idx->threads;
	return parts ? parts : 1;
}

/* Scan every row into a heap of keep (<= count) best hits, split over the
 * pool; merged into out, which must not be one of the part heaps. */
static void scan_all(struct scan *s, size_t keep, struct vec_topk *out)
{
	const struct vec_index *idx = s->idx;
	size_t row_bytes = s->q8 ? idx->stride8 + sizeof(float) : idx->stride * sizeof(float);
	size_t nparts = count_parts(idx, idx->count * row_bytes);
	struct vec_hit *bufs = xmalloc(nparts * keep * sizeof(*bufs));

	s->nparts = nparts;
	s->heaps = xmalloc(nparts * sizeof(*s->heaps));
	for (size_t p = 0; p < nparts; p++)
		vec_topk_init(&s->heaps[p], bufs + p * keep, keep);
	if (nparts == 1)
		scan_part(s, 0);
	else
		vec_pool_run(idx->pool, nparts, scan_part, s);
	for (size_t p = 0; p < nparts; p++) {
		for (size_t i = 0; i < s->heaps[p].n; i++)
			vec_topk_push(out, s->heaps[p].h[i].score, s->heaps[p].h[i].id);
	}
	free(s->heaps);
	free(bufs);
}

/* Exact float32 scores of the candidate hits (ids from this index) into t:
 * the same kernel call on the same panel as the exact scan, so a row's
 * rescored score equals its exact-scan score bit for bit. */
static void rescore(const struct vec_index *idx, const float *qf, const struct vec_hit *cand,
                    size_t n, struct vec_topk *t)
{
	float sc[LANES];
	size_t panel_bytes = LANES * idx->stride * sizeof(float);
	float *buf = idx->f32_fd >= 0 ? arena_alloc(panel_bytes) : NULL;

	for (size_t i = 0; i < n; i++) {
		size_t slot = 0;
		const float *panel;
		find_slot(idx, cand[i].id, &slot);
		if (buf) {
			off_t at = (off_t)(idx->f32_offset + slot / LANES * panel_bytes);
			if (pread(idx->f32_fd, buf, panel_bytes, at) != (ssize_t)panel_bytes)
				continue; /* unreadable: the candidate drops out */
			panel = buf;
		} else {
			panel = panel_f32(idx, slot);
		}
		idx->kern->dot4(qf, panel, idx->stride, sc);
		vec_topk_push(t, sc[slot % LANES], cand[i].id);
	}
	free(buf);
}

static size_t search(const struct vec_index *idx, const float *q, size_t k,
                     struct vec_hit *out, vec_allow_fn allow, void *ud, bool use_int8)
{
	struct scan s = { .idx = idx, .allow = allow, .ud = ud };
	struct vec_hit *heap_buf = NULL, *cand = NULL;
	float *qf = NULL;
	int8_t *q8 = NULL;
	struct vec_topk top, pre;
	size_t dim = (size_t)idx->dim, n = 0, live = vec_index_count(idx);

	if (k == 0 || live == 0)
		goto cleanup;
	if (k > live)
		k = live;
	qf = arena_alloc(idx->stride * sizeof(float));
	memcpy(qf, q, dim * sizeof(float));
	memset(qf + dim, 0, (idx->stride - dim) * sizeof(float));
	s.qf = qf;
	heap_buf = xmalloc(k * sizeof(*heap_buf));
	vec_topk_init(&top, heap_buf, k);
	if (!use_int8) {
		scan_all(&s, k, &top);
	} else {
		size_t m = k > live / idx->oversample ? live : k * idx->oversample;
		q8 = arena_alloc(idx->stride8);
		quantize(q, dim, q8, idx->stride8);
		s.q8 = q8;
		cand = xmalloc(2 * m * sizeof(*cand));
		vec_topk_init(&pre, cand + m, m);
		scan_all(&s, m, &pre);
		size_t nc = vec_topk_drain(&pre, cand);
		rescore(idx, qf, cand, nc, &top);
	}
	n = vec_topk_drain(&top, out);
cleanup:
	free(cand);
	free(q8);
	free(heap_buf);
	free(qf);
	return n;
}

size_t vec_index_search(const struct vec_index *idx, const float *q, size_t k,
                        struct vec_hit *out, vec_allow_fn allow, void *ud)
{
	return search(idx, q, k, out, allow, ud, idx->quantize);
}

size_t vec_index_search_exact(const struct vec_index *idx, const float *q, size_t k,
                              struct vec_hit *out, vec_allow_fn allow, void *ud)
{
	return search(idx, q, k, out, allow, ud, false);
}
