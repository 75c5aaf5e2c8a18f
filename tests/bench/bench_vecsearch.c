/* bench_vecsearch: speed of vec_index search over generated unit vectors,
 * against a memory-read bandwidth probe over a buffer of the arena's size and
 * (when built with FAISS) against FAISS IndexFlatIP on the same data.
 *
 * For every N x d configuration it builds one index with an int8 copy, then
 * per search type (exact float32, int8 + float32 rescoring) and thread count
 * prints: ms per query (median, p95), GB/s of arena scanned, the ratio to the
 * probe, FAISS's ms and our speed-up over it, and int8 recall@10 against the
 * exact float32 top-10. Each configuration is freed before the next. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "store/vecindex.h"

#ifdef HAVE_FAISS
#include "tests/bench/faiss_shim.h"
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#define K 10
#define MAX_LIST 8
#define OVERSAMPLE 4
#define ROUNDS 10
#define FAISS_BUDGET_NS 8000000000ull
#define FAISS_MIN_QUERIES 5
#define FAISS_BATCH 8192

struct opts {
	size_t ns[MAX_LIST], nn;
	size_t ds[MAX_LIST], nd;
	size_t threads[MAX_LIST], nt;
	size_t queries;
};

/* ---- data ---- */

/* xoshiro256**, seeded through splitmix64. */
struct rng {
	uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));
		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		r->s[i] = z ^ (z >> 31);
	}
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Components uniform in [-1, 1), then normalised: fast to make at 1.5e9
 * floats, and a unit vector is all the benchmark needs. */
static void gen_unit(struct rng *r, float *v, size_t d)
{
	double norm = 0.0;
	for (size_t i = 0; i < d; i++) {
		v[i] = (float)(rng_next(r) >> 40) * 0x1.0p-23f - 1.0f;
		norm += (double)v[i] * v[i];
	}
	float inv = (float)(1.0 / sqrt(norm));
	for (size_t i = 0; i < d; i++)
		v[i] *= inv;
}

static uint64_t data_seed(size_t n, size_t d)
{
	return (uint64_t)n * 1000003u + d;
}

/* ---- statistics ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

struct timing {
	double med_ms;
	double p95_ms;
	size_t n;
};

/* Sorts t in place. */
static struct timing timing_of(uint64_t *t, size_t n)
{
	struct timing r = { 0 };
	if (n == 0)
		return r;
	qsort(t, n, sizeof(*t), cmp_u64);
	size_t p95 = (size_t)ceil(0.95 * (double)n) - 1;
	r.med_ms = (n % 2 ? (double)t[n / 2] : ((double)t[n / 2 - 1] + (double)t[n / 2]) / 2) / 1e6;
	r.p95_ms = (double)t[p95] / 1e6;
	r.n = n;
	return r;
}

/* ---- memory-read bandwidth probe ---- */

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static float stream_sum_avx2(const float *p, size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_add_ps(s0, _mm256_load_ps(p + i));
		s1 = _mm256_add_ps(s1, _mm256_load_ps(p + i + 8));
		s2 = _mm256_add_ps(s2, _mm256_load_ps(p + i + 16));
		s3 = _mm256_add_ps(s3, _mm256_load_ps(p + i + 24));
	}
	float out[8];
	_mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	float s = 0.0f;
	for (int j = 0; j < 8; j++)
		s += out[j];
	for (; i < n; i++)
		s += p[i];
	return s;
}
#endif

/* Integer words: vectorised by the compiler without any float reordering. */
static float stream_sum_portable(const float *p, size_t n)
{
	const uint32_t *w = (const uint32_t *)(const void *)p;
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += w[i];
	return (float)s;
}

static float stream_sum(const float *p, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2"))
		return stream_sum_avx2(p, n);
#endif
	return stream_sum_portable(p, n);
}

/* nthreads threads (the caller is thread 0) that read a buffer in slices
 * when told to; they persist between passes so a pass costs no thread
 * creation, like a search on the index's pool. */
struct probe {
	const float *buf;
	size_t nfloats; /* of the current pass */
	size_t nthreads;
	pthread_barrier_t start, end;
	bool stop;
	float sink;
	pthread_t *tid;
	struct probe_worker *w;
};

struct probe_worker {
	struct probe *p;
	size_t i;
	float sum;
};

static void probe_slice(struct probe *p, size_t i, float *sum)
{
	/* Slices on 64-byte boundaries so the aligned loads stay aligned. */
	size_t per = (p->nfloats / p->nthreads) & ~(size_t)15;
	size_t lo = per * i, hi = i + 1 == p->nthreads ? p->nfloats : lo + per;
	*sum = stream_sum(p->buf + lo, hi - lo);
}

static void *probe_thread(void *arg)
{
	struct probe_worker *w = arg;
	for (;;) {
		pthread_barrier_wait(&w->p->start);
		if (w->p->stop)
			break;
		probe_slice(w->p, w->i, &w->sum);
		pthread_barrier_wait(&w->p->end);
	}
	return NULL;
}

static void probe_start(struct probe *p, const float *buf, size_t nthreads)
{
	*p = (struct probe){ .buf = buf, .nthreads = nthreads };
	p->tid = xcalloc(nthreads, sizeof(*p->tid));
	p->w = xcalloc(nthreads, sizeof(*p->w));
	pthread_barrier_init(&p->start, NULL, (unsigned)nthreads);
	pthread_barrier_init(&p->end, NULL, (unsigned)nthreads);
	for (size_t i = 1; i < nthreads; i++) {
		p->w[i] = (struct probe_worker){ .p = p, .i = i };
		if (pthread_create(&p->tid[i], NULL, probe_thread, &p->w[i]) != 0) {
			fprintf(stderr, "bench_vecsearch: cannot start probe thread\n");
			exit(1);
		}
	}
}

/* One read pass over the first bytes of the buffer; returns nanoseconds. */
static uint64_t probe_pass(struct probe *p, size_t bytes)
{
	uint64_t t0 = clock_now_ns();
	p->nfloats = bytes / sizeof(float);
	pthread_barrier_wait(&p->start);
	probe_slice(p, 0, &p->w[0].sum);
	pthread_barrier_wait(&p->end);
	uint64_t dt = clock_now_ns() - t0;
	for (size_t i = 0; i < p->nthreads; i++)
		p->sink += p->w[i].sum;
	return dt;
}

static void probe_stop(struct probe *p)
{
	p->stop = true;
	pthread_barrier_wait(&p->start);
	for (size_t i = 1; i < p->nthreads; i++)
		pthread_join(p->tid[i], NULL);
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->end);
	free(p->w);
	free(p->tid);
}

/* A buffer of bytes, written once so that every page is really mapped. */
static float *probe_buffer(size_t bytes)
{
	void *p = NULL;
	size_t align = (size_t)2 << 20;
	bytes = (bytes + align - 1) / align * align;
	if (posix_memalign(&p, align, bytes) != 0) {
		fprintf(stderr, "bench_vecsearch: cannot allocate %zu bytes for the probe\n", bytes);
		exit(1);
	}
	madvise(p, bytes, MADV_HUGEPAGE);
	float *f = p;
	for (size_t i = 0; i < bytes / sizeof(float); i++)
		f[i] = (float)(i & 1023) * 0x1.0p-10f;
	return f;
}

/* ---- the benchmark ---- */

struct config {
	size_t n, d;
	size_t nq;
	float *queries;            /* nq * d */
	struct vec_hit *truth;     /* nq * K: exact top-10 */
	size_t f32_bytes, i8_bytes; /* bytes one full scan reads */
};

struct row {
	const char *type;
	size_t threads;
	struct timing t;
	double gbps;
	double probe_gbps;
	struct timing faiss;
	double recall;
};

static struct vec_index *build_index(const struct config *c)
{
	struct vec_index_opts o = { .dim = (int)c->d, .quantize_int8 = true,
	                            .oversample = OVERSAMPLE, .threads = 1 };
	struct vec_index *idx = vec_index_new(&o);
	float *v = xmalloc(c->d * sizeof(float));
	struct rng r;

	rng_seed(&r, data_seed(c->n, c->d));
	vec_index_reserve(idx, c->n);
	for (size_t i = 0; i < c->n; i++) {
		gen_unit(&r, v, c->d);
		vec_index_upsert(idx, (int64_t)i, v);
	}
	free(v);
	return idx;
}

static double recall_of(const struct vec_hit *got, const struct vec_hit *want)
{
	size_t found = 0;
	for (size_t i = 0; i < K; i++) {
		for (size_t j = 0; j < K; j++)
			found += got[i].id == want[j].id;
	}
	return (double)found / K;
}

static uint64_t time_query(const struct vec_index *idx, const float *q, bool int8,
                           struct vec_hit *hits)
{
	uint64_t t0 = clock_now_ns();
	if (int8)
		vec_index_search(idx, q, K, hits, NULL, NULL);
	else
		vec_index_search_exact(idx, q, K, hits, NULL, NULL);
	return clock_now_ns() - t0;
}

/* Samples of one configuration at one thread count. */
struct samples {
	uint64_t *f32, *i8, *probe_f32, *probe_i8;
	double recall;
};

/* ROUNDS rounds of (one probe pass per arena size, then a slice of the
 * queries in float32, then the same slice in int8), so that the probe and the searches see
 * the same machine even when its speed drifts. Each timed probe pass follows
 * an untimed one, so that a buffer that fits in cache is as warm as the
 * arena is for all but the first query of a slice. With fill_truth the
 * float32 hits become c->truth; int8 recall@10 is measured against it. */
static void measure(const struct vec_index *idx, struct config *c, const float *buf,
                    size_t nthreads, bool fill_truth, struct samples *s)
{
	struct probe pr;
	struct vec_hit hits[K];
	size_t rounds = c->nq < ROUNDS ? c->nq : ROUNDS;
	double rsum = 0.0;

	probe_start(&pr, buf, nthreads);
	time_query(idx, c->queries, false, hits);
	time_query(idx, c->queries, true, hits);
	for (size_t r = 0; r < rounds; r++) {
		probe_pass(&pr, c->f32_bytes);
		s->probe_f32[r] = probe_pass(&pr, c->f32_bytes);
		probe_pass(&pr, c->i8_bytes);
		s->probe_i8[r] = probe_pass(&pr, c->i8_bytes);
		size_t lo = c->nq * r / rounds, hi = c->nq * (r + 1) / rounds;
		for (size_t q = lo; q < hi; q++) {
			s->f32[q] = time_query(idx, c->queries + q * c->d, false, hits);
			if (fill_truth)
				memcpy(c->truth + q * K, hits, sizeof(hits));
		}
		for (size_t q = lo; q < hi; q++) {
			s->i8[q] = time_query(idx, c->queries + q * c->d, true, hits);
			rsum += recall_of(hits, c->truth + q * K);
		}
	}
	probe_stop(&pr);
	s->recall = rsum / (double)c->nq;
}

#ifdef HAVE_FAISS
/* FAISS IndexFlatIP over the same rows (regenerated from the same seed).
 * One query at a time, like ours; queries are capped by a time budget at the
 * largest sizes. Also checks that FAISS finds the same top-10. */
static void run_faiss(struct config *c, const struct opts *o, struct timing *out)
{
	struct faiss_flat *f = faiss_flat_new((int)c->d);
	float *batch = xmalloc(FAISS_BATCH * c->d * sizeof(float));
	struct rng r;
	float dist[K];
	int64_t ids[K];

	rng_seed(&r, data_seed(c->n, c->d));
	for (size_t i = 0; f && i < c->n; i += FAISS_BATCH) {
		size_t m = c->n - i < FAISS_BATCH ? c->n - i : FAISS_BATCH;
		for (size_t j = 0; j < m; j++)
			gen_unit(&r, batch + j * c->d, c->d);
		if (faiss_flat_add(f, m, batch) != 0)
			faiss_flat_free(&f);
	}
	free(batch);
	for (size_t ti = 0; ti < o->nt; ti++) {
		uint64_t *t = xcalloc(c->nq, sizeof(*t));
		uint64_t spent = 0;
		size_t nq = 0;
		double agree = 0.0;
		int threads = (int)o->threads[ti];

		if (f)
			faiss_flat_search(f, c->queries, K, threads, dist, ids);
		for (; f && nq < c->nq; nq++) {
			if (nq >= FAISS_MIN_QUERIES && spent >= FAISS_BUDGET_NS)
				break;
			uint64_t t0 = clock_now_ns();
			faiss_flat_search(f, c->queries + nq * c->d, K, threads, dist, ids);
			t[nq] = clock_now_ns() - t0;
			spent += t[nq];
			struct vec_hit h[K];
			for (size_t j = 0; j < K; j++)
				h[j] = (struct vec_hit){ .id = ids[j], .score = dist[j] };
			agree += recall_of(h, c->truth + nq * K);
		}
		out[ti] = timing_of(t, nq);
		if (nq && agree / (double)nq < 0.99)
			printf("# warning: FAISS top-10 agrees with ours on %.1f%% only\n",
			       100.0 * agree / (double)nq);
		free(t);
	}
	faiss_flat_free(&f);
}
#endif

static void print_header(void)
{
	printf("%8s %5s %-7s %3s %9s %9s %7s %7s %6s %9s %7s %4s %7s\n", "N", "d", "type", "thr",
	       "med_ms", "p95_ms", "GB/s", "probe", "%probe", "faiss_ms", "xfaiss", "fq",
	       "rec@10");
}

static void print_row(const struct config *c, const struct row *r)
{
	printf("%8zu %5zu %-7s %3zu %9.3f %9.3f %7.2f %7.2f %5.1f%%", c->n, c->d, r->type,
	       r->threads, r->t.med_ms, r->t.p95_ms, r->gbps, r->probe_gbps,
	       100.0 * r->gbps / r->probe_gbps);
	if (r->faiss.n)
		printf(" %9.3f %6.1fx %4zu", r->faiss.med_ms, r->faiss.med_ms / r->t.med_ms,
		       r->faiss.n);
	else
		printf(" %9s %7s %4s", "-", "-", "-");
	if (r->recall >= 0.0)
		printf(" %7.4f\n", r->recall);
	else
		printf(" %7s\n", "-");
	fflush(stdout);
}

/* The ratios the goals are stated in: int8 over float32, and every thread
 * count over the first (with the probe's own ratio, the ceiling). */
static void print_ratios(const struct row *rows, size_t nt)
{
	const struct row *f1 = &rows[0], *q1 = &rows[nt];

	printf("#   int8 vs float32 at %zu thread(s): %.2fx faster\n", f1->threads,
	       f1->t.med_ms / q1->t.med_ms);
	for (size_t ti = 1; ti < nt; ti++)
		printf("#   %zu vs %zu threads: float32 %.2fx, int8 %.2fx (probe %.2fx)\n",
		       rows[ti].threads, f1->threads, f1->t.med_ms / rows[ti].t.med_ms,
		       q1->t.med_ms / rows[nt + ti].t.med_ms, rows[ti].probe_gbps / f1->probe_gbps);
}

static void run_config(size_t n, size_t d, const struct opts *o)
{
	struct config c = { .n = n, .d = d, .nq = o->queries };
	struct row rows[2 * MAX_LIST];
	struct timing faiss[MAX_LIST] = { { 0 } };
	struct samples s;
	struct rng r;

	/* Stride as documented in vecindex.h: floats padded to 16, int8 rows
	 * to 64 bytes plus one float scale. */
	c.f32_bytes = n * ((d + 15) / 16 * 16) * sizeof(float);
	c.i8_bytes = n * ((d + 63) / 64 * 64 + sizeof(float));
	c.queries = xmalloc(c.nq * d * sizeof(float));
	c.truth = xmalloc(c.nq * K * sizeof(*c.truth));
	rng_seed(&r, data_seed(n, d) ^ UINT64_C(0x5eed));
	for (size_t q = 0; q < c.nq; q++)
		gen_unit(&r, c.queries + q * d, d);
	s.f32 = xcalloc(c.nq, sizeof(uint64_t));
	s.i8 = xcalloc(c.nq, sizeof(uint64_t));
	s.probe_f32 = xcalloc(ROUNDS, sizeof(uint64_t));
	s.probe_i8 = xcalloc(ROUNDS, sizeof(uint64_t));

	struct vec_index *idx = build_index(&c);
	float *buf = probe_buffer(c.f32_bytes);
	size_t rounds = c.nq < ROUNDS ? c.nq : ROUNDS;
	for (size_t ti = 0; ti < o->nt; ti++) {
		struct row *f = &rows[ti], *q = &rows[o->nt + ti];
		vec_index_set_threads(idx, (int)o->threads[ti]);
		measure(idx, &c, buf, o->threads[ti], ti == 0, &s);
		*f = (struct row){ .type = "float32", .threads = o->threads[ti], .recall = -1.0,
		                   .t = timing_of(s.f32, c.nq) };
		*q = (struct row){ .type = "int8", .threads = o->threads[ti], .recall = s.recall,
		                   .t = timing_of(s.i8, c.nq) };
		f->gbps = (double)c.f32_bytes / (f->t.med_ms * 1e6);
		q->gbps = (double)c.i8_bytes / (q->t.med_ms * 1e6);
		f->probe_gbps = (double)c.f32_bytes / (timing_of(s.probe_f32, rounds).med_ms * 1e6);
		q->probe_gbps = (double)c.i8_bytes / (timing_of(s.probe_i8, rounds).med_ms * 1e6);
	}
	free(buf);
	vec_index_free(&idx);

#ifdef HAVE_FAISS
	run_faiss(&c, o, faiss);
#endif
	for (size_t i = 0; i < 2 * o->nt; i++) {
		rows[i].faiss = faiss[i % o->nt];
		print_row(&c, &rows[i]);
	}
	print_ratios(rows, o->nt);
	free(s.f32);
	free(s.i8);
	free(s.probe_f32);
	free(s.probe_i8);
	free(c.truth);
	free(c.queries);
}

/* ---- command line ---- */

/* "10000,100k,1M" -> numbers; returns the count, or 0 on a bad list. */
static size_t parse_list(const char *s, size_t *out)
{
	size_t n = 0;
	while (*s && n < MAX_LIST) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s)
			return 0;
		if (*end == 'k' || *end == 'K')
			v *= 1000, end++;
		else if (*end == 'M' || *end == 'm')
			v *= 1000000, end++;
		if (v == 0 || (*end && *end != ','))
			return 0;
		out[n++] = (size_t)v;
		s = *end ? end + 1 : end;
	}
	return *s ? 0 : n;
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: bench_vecsearch [--quick] [--n LIST] [--d LIST] [--threads LIST]\n"
	        "                       [--queries N]\n"
	        "  LIST is comma-separated, k and M suffixes allowed (--n 10k,1M).\n"
	        "  Defaults: --n 10k,100k,1M --d 384,768,1536 --threads 1,2 --queries 50.\n"
	        "  --quick: --n 10k,100k --d 384 (a smoke run of a few seconds).\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .ns = { 10000, 100000, 1000000 }, .nn = 3,
	                    .ds = { 384, 768, 1536 }, .nd = 3,
	                    .threads = { 1, 2 }, .nt = 2, .queries = 50 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quick") == 0) {
			o->ns[0] = 10000, o->ns[1] = 100000, o->nn = 2;
			o->ds[0] = 384, o->nd = 1;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (strcmp(a, "--n") == 0)
			o->nn = parse_list(v, o->ns);
		else if (strcmp(a, "--d") == 0)
			o->nd = parse_list(v, o->ds);
		else if (strcmp(a, "--threads") == 0)
			o->nt = parse_list(v, o->threads);
		else if (strcmp(a, "--queries") == 0)
			o->queries = strtoul(v, NULL, 10);
		else
			return usage();
		if (!o->nn || !o->nd || !o->nt || o->queries == 0) {
			fprintf(stderr, "bench_vecsearch: bad value for %s: '%s'\n", a, v);
			return usage();
		}
	}
	return 0;
}

/* Other work on the machine skews every figure, the thread ratios most. */
static void print_load(const char *when)
{
	FILE *f = fopen("/proc/loadavg", "r");
	char line[128];

	if (f && fgets(line, sizeof(line), f))
		printf("# load average %s: %s", when, line);
	if (f)
		fclose(f);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		snprintf(buf, len, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	struct opts o;
	char cpu[256];
	int rc = parse_args(argc, argv, &o);

	if (rc)
		return rc;
	cpu_model(cpu, sizeof(cpu));
	printf("# cpu: %s, %ld online cores\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
	printf("# kernel: %s; k = %d; %zu queries per row; int8 oversample %d\n",
	       vec_kernel_name(), K, o.queries, OVERSAMPLE);
	printf("# GB/s: arena bytes one search scans / median time; probe: median of %d\n"
	       "# AVX2 streaming reads of a buffer that size with the same thread count,\n"
	       "# interleaved with the queries; xfaiss: FAISS IndexFlatIP median / ours\n"
	       "# (FAISS searches a single query on one thread whatever OpenMP allows);\n"
	       "# fq: FAISS queries timed (fewer at large sizes: ~%.0f s budget per row)",
	       ROUNDS, (double)FAISS_BUDGET_NS / 1e9);
#ifdef HAVE_FAISS
	printf("\n");
#else
	printf(" - not built with FAISS\n");
#endif
	print_load("at start");
	print_header();
	for (size_t i = 0; i < o.nn; i++) {
		for (size_t j = 0; j < o.nd; j++)
			run_config(o.ns[i], o.ds[j], &o);
	}
	print_load("at end");
	return 0;
}
