/* bench_search: end-to-end retrieval latency, question to packed context.
 *
 * Ingests a generated corpus until the store holds the target number of
 * chunks (default 100k), then times retriever_search (embed with the hash
 * embedder, vector top-k, FTS5 BM25, fusion, packing) over many queries:
 * median, p95 and p99, with the share of each stage. The reference run in
 * the same process is the exact float32 scan of the same vectors alone, to
 * show how much of the time is the unavoidable memory scan. Last,
 * retrieve_explain (search --explain) is timed for the document of each
 * of a few queries' first hit: it ranks every chunk of the collection. */
#include "tests/bench/corpus.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/search/explain.h"
#include "core/search/retrieve.h"
#include "core/util/clock.h"
#include "store/store.h"
#include "store/vecfile.h"
#include "store/vecindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static double pct(uint64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, compare_u64);
	size_t i = (size_t)(p * (double)n + 0.999999);
	return (double)v[i ? i - 1 : 0] / 1e3;
}

/* Time retrieve_explain over n queries, each for its first hit's
 * document; p50 and the slowest in ms, or -1 on a failure. */
static int time_explain(struct retriever *r, size_t n, double *p50, double *worst)
{
	uint64_t *us = calloc(n, sizeof *us);
	char err[512];
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char q[512];
		corpus_sentence(q, sizeof q, i + 1);
		struct retrieve_query rq = { .text = q, .k = 5, .mode = RETRIEVE_HYBRID, .max_context_tokens = 3000 };
		struct retrieve_result res;
		struct explain_result e;
		if (retriever_search(r, &rq, &res, err, sizeof err) != 0 || res.n_hits == 0) {
			fprintf(stderr, "bench_search: explain: %s\n", res.n_hits ? err : "no hit to explain");
			retrieve_result_free(&res);
			rc = -1;
			break;
		}
		uint64_t t = clock_now_us();
		rc = retrieve_explain(r, &rq, res.hits[0].path, &e, err, sizeof err);
		us[i] = clock_now_us() - t;
		if (rc != 0)
			fprintf(stderr, "bench_search: explain: %s\n", err);
		explain_result_free(&e);
		retrieve_result_free(&res);
	}
	if (rc == 0) {
		*p50 = pct(us, n, 0.50);
		*worst = (double)us[n - 1] / 1e3;
	}
	free(us);
	return rc;
}

int main(int argc, char **argv)
{
	size_t target_chunks = 100000, queries = 200;
	const char *keep_db = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			target_chunks = 5000;
			queries = 50;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			keep_db = argv[++i];
		} else if (strcmp(argv[i], "--chunks") == 0 && i + 1 < argc) {
			target_chunks = strtoul(argv[++i], NULL, 10);
		}
	}
	char dir[] = "/tmp/rdbench-searchXXXXXX", path[256], db[256], cmd[300];
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/corpus", dir);
	snprintf(db, sizeof db, "%s", keep_db ? keep_db : dir);
	if (!keep_db)
		strncat(db, "/search.db", sizeof db - strlen(db) - 1);
	mkdir(path, 0700);
	/* A kept database (--db) that already holds the corpus is reused. */
	if (!keep_db || access(keep_db, F_OK) != 0)
		/* About 1.2 KB of text per 350-token chunk. */
		corpus_generate(path, (uint64_t)target_chunks * 1230);

	struct store *s = NULL;
	char err[512];
	if (store_open(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "bench_search: %s\n", err);
		return 1;
	}
	struct embedder *e = embed_hash_new(384);
	struct ingest_opts io = { .collection = "bench", .max_file_bytes = 64 << 20, .chunk_tokens = 350,
	                          .overlap_tokens = 40, .min_chunk_tokens = 32 };
	const char *paths[] = { path };
	struct ingest_summary sum;
	uint64_t t0 = clock_now_us();
	if (ingest_run(s, e, &io, paths, 1, NULL, NULL, &sum, err, sizeof err) != 0) {
		fprintf(stderr, "bench_search: %s\n", err);
		return 1;
	}
	printf("store: %zu chunks from %.1f MB (ingested in %.1f s)\n", sum.chunks, (double)sum.bytes / 1e6,
	       (double)(clock_now_us() - t0) / 1e6);
	ingest_summary_free(&sum);

	/* The defaults a user gets (fusion, weights, stemming, archived
	 * demotion), on one thread and without the query cache. */
	struct config *cfg = config_defaults();
	struct retriever_opts ro;
	retriever_opts_from_config(cfg, "bench", &ro);
	ro.threads = 1;
	ro.cache_ttl_seconds = 0;
	/* The first open finds the index file ingest wrote; without it, the
	 * open writes it (timed apart); then the open every command pays. */
	struct retriever *r = NULL;
	char vec_path[4200];
	int64_t coll = 0;
	store_collection_id(s, "bench", false, &coll, err, sizeof err);
	if (vec_file_path(db, coll, vec_path, sizeof vec_path))
		unlink(vec_path);
	t0 = clock_now_us();
	if (retriever_open(s, e, &ro, &r, err, sizeof err) != 0) {
		fprintf(stderr, "bench_search: %s\n", err);
		return 1;
	}
	printf("open without the index file (writes it): %.1f ms\n", (double)(clock_now_us() - t0) / 1e3);
	retriever_free(&r);
	t0 = clock_now_us();
	if (retriever_open(s, e, &ro, &r, err, sizeof err) != 0) {
		fprintf(stderr, "bench_search: %s\n", err);
		return 1;
	}
	printf("open with the index file (mapped): %.2f ms\n", (double)(clock_now_us() - t0) / 1e3);

	uint64_t *total = calloc(queries, sizeof *total), *scan = calloc(queries, sizeof *scan);
	uint64_t stage[5] = { 0 };
	struct vec_index_opts vo = { .dim = 384, .quantize_int8 = false, .oversample = 1, .threads = 1 };
	struct vec_index *exact = vec_index_new(&vo);
	float *qv = calloc(384, sizeof *qv);
	struct vec_hit hits[50];
	for (size_t i = 0; i < queries; i++) {
		char q[512];
		corpus_sentence(q, sizeof q, i + 1);
		struct retrieve_query rq = { .text = q, .k = 5, .mode = RETRIEVE_HYBRID, .max_context_tokens = 3000 };
		struct retrieve_result res;
		if (retriever_search(r, &rq, &res, err, sizeof err) != 0) {
			fprintf(stderr, "bench_search: %s\n", err);
			return 1;
		}
		total[i] = res.us.total_us;
		stage[0] += res.us.embed_us;
		stage[1] += res.us.vector_us;
		stage[2] += res.us.fts_us;
		stage[3] += res.us.fuse_us;
		stage[4] += res.us.pack_us;
		if (i == 0)
			printf("index: %zu vectors, kernel %s\n", res.index_rows, vec_kernel_name());
		retrieve_result_free(&res);
	}
	/* Reference: exact float32 scan of as many vectors, one thread. */
	size_t n_vectors = 0;
	{
		struct retrieve_query rq = { .text = "sync", .k = 1, .mode = RETRIEVE_VECTOR, .max_context_tokens = 100 };
		struct retrieve_result res;
		retriever_search(r, &rq, &res, err, sizeof err);
		n_vectors = res.index_rows;
		retrieve_result_free(&res);
		srand(7);
		float *v = calloc(384, sizeof *v);
		for (size_t i = 0; i < n_vectors; i++) {
			for (int d = 0; d < 384; d++)
				v[d] = (float)rand() / (float)RAND_MAX - 0.5f;
			vec_index_upsert(exact, (int64_t)i + 1, v);
		}
		free(v);
	}
	for (size_t i = 0; i < queries; i++) {
		for (int d = 0; d < 384; d++)
			qv[d] = (float)((i * 31 + (size_t)d * 17) % 97) / 97.0f - 0.5f;
		uint64_t t = clock_now_us();
		vec_index_search_exact(exact, qv, 50, hits, NULL, NULL);
		scan[i] = clock_now_us() - t;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak resident after the searches and the reference: %.0f MB\n", (double)ru.ru_maxrss / 1024);
	double n = (double)queries;
	double p50 = pct(total, queries, 0.50), p95 = pct(total, queries, 0.95), p99 = pct(total, queries, 0.99);
	double ref50 = pct(scan, queries, 0.50);
	printf("search (hybrid, k=5, budget 3000, one thread, int8+rescore): p50 %.2f ms  p95 %.2f ms  p99 %.2f ms over %zu queries\n",
	       p50, p95, p99, queries);
	printf("stages (mean ms): embed %.3f  vector %.3f  fts %.3f  fuse %.3f  pack %.3f\n",
	       (double)stage[0] / n / 1e3, (double)stage[1] / n / 1e3, (double)stage[2] / n / 1e3,
	       (double)stage[3] / n / 1e3, (double)stage[4] / n / 1e3);
	printf("reference: exact float32 scan alone p50 %.2f ms; search/reference ratio %.2f\n", ref50,
	       ref50 > 0 ? p50 / ref50 : 0.0);
	size_t n_explain = queries < 20 ? queries : 20;
	double explain50 = 0, explain_worst = 0;
	if (time_explain(r, n_explain, &explain50, &explain_worst) != 0)
		return 1;
	printf("explain (search --explain, the first hit's document): p50 %.1f ms  slowest %.1f ms over %zu queries\n",
	       explain50, explain_worst, n_explain);
	if (target_chunks >= 100000)
		printf("goal: p95 under 15 ms at 100k chunks: %s\n", p95 < 15.0 ? "met" : "missed");
	free(total);
	free(scan);
	free(qv);
	vec_index_free(&exact);
	retriever_free(&r);
	config_free(&cfg);
	embed_free(&e);
	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
