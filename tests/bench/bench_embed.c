/* bench_embed: how well ragdeck keeps an embedding server busy.
 *
 * 1. Ingest throughput: a generated Markdown corpus (2 MB; 256 KB with
 *    --quick) ingested through the HTTP embedder against the embeddings
 *    fixture (tests/integration/fixture_embed.h) answering each request
 *    after 20 ms or 200 ms, at 1, 4 and 16 requests in flight, 32 inputs
 *    per request. Prints embeddings/s, the ratio against concurrency 1 at
 *    the same latency (the reference run), the share of the wall time the
 *    server had a request in flight, and the most requests it saw at once.
 * 2. Query-embedding overhead: one short question embedded 400 times
 *    (100 with --quick) through the embedder, against the same POST sent by
 *    a bare libcurl easy handle on a kept-alive connection (the reference):
 *    the difference of the medians is what the embedder adds on the client
 *    side, the server's own time excluded. */
#include "tests/bench/corpus.h"
#include "tests/integration/fixture_embed.h"
#include "core/embed/embed.h"
#include "core/embed/embed_http.h"
#include "core/ingest/ingest.h"
#include "core/llm/embeddings.h"
#include "core/util/clock.h"
#include "store/store.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIM 384
#define BATCH 32

static struct embed_http_opts http_opts(const char *url, int concurrency)
{
	struct embed_http_opts o = {
		.provider = { .kind = LLM_KIND_OPENAI, .name = "fixture", .base_url = url, .api_key_env = "" },
		.model = "fixture-embed", .dim = DIM, .batch_inputs = BATCH, .batch_tokens = 1000000,
		.concurrency = concurrency, .truncate_too_long = true,
	};
	llm_http_opts_init(&o.http);
	return o;
}

struct ingest_result {
	double per_sec;
	size_t chunks;
	double busy_share;
	size_t max_in_flight;
	size_t requests;
};

/* Ingest dir into a fresh database at concurrency c against a server with
 * latency_ms. Exits on failure. */
static struct ingest_result ingest_at(const char *dir, const char *tmp, unsigned latency_ms, int c)
{
	struct fixture_embed_opts fo = { .dim = DIM, .latency_ms = latency_ms };
	struct fixture_embed *srv = fixture_embed_start(&fo);
	struct embed_http_opts o = http_opts(fixture_embed_url(srv), c);
	char err[1024], db[4096];
	snprintf(db, sizeof db, "%s/bench-%u-%d.db", tmp, latency_ms, c);
	struct store *s = NULL;
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	if (!e || store_open(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "bench_embed: %s\n", err);
		exit(1);
	}
	struct ingest_opts io = { .collection = "bench", .max_file_bytes = 1 << 24, .chunk_tokens = 350,
	                          .overlap_tokens = 40, .min_chunk_tokens = 32 };
	const char *paths[] = { dir };
	struct ingest_summary sum;
	uint64_t t0 = clock_now_us();
	if (ingest_run(s, e, &io, paths, 1, NULL, NULL, &sum, err, sizeof err) != 0) {
		fprintf(stderr, "bench_embed: ingest: %s\n", err);
		exit(1);
	}
	double secs = (double)(clock_now_us() - t0) / 1e6;
	struct fixture_embed_stats st;
	fixture_embed_stats(srv, &st);
	struct ingest_result r = {
		.per_sec = (double)sum.chunks / secs, .chunks = sum.chunks,
		.busy_share = (double)st.busy_ms / 1000.0 / secs, .max_in_flight = st.max_in_flight,
		.requests = st.requests,
	};
	ingest_summary_free(&sum);
	store_close(&s);
	embed_free(&e);
	fixture_embed_stop(&srv);
	unlink(db);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* Median and p99 of the n times in t (sorted in place), in microseconds. */
static void stats(uint64_t *t, size_t n, double *p50, double *p99)
{
	qsort(t, n, sizeof *t, cmp_u64);
	*p50 = (double)t[n / 2];
	*p99 = (double)t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static void query_overhead(size_t rounds)
{
	struct fixture_embed *srv = fixture_embed_start(&(struct fixture_embed_opts){ .dim = DIM });
	struct embed_http_opts o = http_opts(fixture_embed_url(srv), 1);
	char err[512];
	struct embedder *e = embed_http_new(&o, err, sizeof err);
	const char *q = "my laptop keeps asking me to sign in again";
	size_t len = strlen(q);
	float v[DIM];
	uint64_t *ours = calloc(rounds, sizeof *ours), *bare = calloc(rounds, sizeof *bare);
	for (size_t i = 0; i < rounds; i++) {
		uint64_t t0 = clock_now_us();
		if (embed_texts(e, &q, &len, 1, v, err, sizeof err) != 0) {
			fprintf(stderr, "bench_embed: %s\n", err);
			exit(1);
		}
		ours[i] = clock_now_us() - t0;
	}
	char url[256];
	snprintf(url, sizeof url, "%s/embeddings", fixture_embed_url(srv));
	char *body = llm_embed_body("fixture-embed", &q, &len, 1, 0);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	for (size_t i = 0; i < rounds; i++) {
		uint64_t t0 = clock_now_us();
		if (curl_easy_perform(c) != CURLE_OK) {
			fprintf(stderr, "bench_embed: bare request failed\n");
			exit(1);
		}
		bare[i] = clock_now_us() - t0;
	}
	double o50, o99, b50, b99;
	stats(ours, rounds, &o50, &o99);
	stats(bare, rounds, &b50, &b99);
	printf("query embedding, %zu rounds: embedder p50 %.0f us, p99 %.0f us; bare libcurl p50 %.0f us, p99 %.0f us;"
	       " client overhead %.0f us at the median (ratio %.2f)\n",
	       rounds, o50, o99, b50, b99, o50 - b50, b50 > 0 ? o50 / b50 : 0);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(body);
	free(ours);
	free(bare);
	embed_free(&e);
	fixture_embed_stop(&srv);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	char tmp[] = "/tmp/rdbenchembedXXXXXX";
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/corpus", tmp);
	if (mkdir(dir, 0700) != 0) {
		perror("mkdir");
		return 1;
	}
	uint64_t bytes = corpus_generate(dir, quick ? 256 * 1024 : 2 * 1024 * 1024);
	printf("corpus: %.2f MB; %d inputs per request\n", (double)bytes / 1e6, BATCH);
	static const unsigned latencies[] = { 20, 200 };
	static const int concurrency[] = { 1, 4, 16 };
	for (size_t l = 0; l < 2; l++) {
		double reference = 0;
		for (size_t k = 0; k < 3; k++) {
			struct ingest_result r = ingest_at(dir, tmp, latencies[l], concurrency[k]);
			if (k == 0)
				reference = r.per_sec;
			printf("latency %3u ms, concurrency %2d: %zu chunks, %7.1f embeddings/s (x%.2f vs concurrency 1),"
			       " %zu requests, server busy %3.0f%% of the time, up to %zu at once\n",
			       latencies[l], concurrency[k], r.chunks, r.per_sec, reference > 0 ? r.per_sec / reference : 0,
			       r.requests, 100 * r.busy_share, r.max_in_flight);
		}
	}
	query_overhead(quick ? 100 : 400);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : 1;
}
