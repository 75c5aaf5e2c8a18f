/* bench_pg: the PostgreSQL + pgvector store (store/pg.h) against the
 * SQLite store it is published from.
 *
 *   bench_pg --url URL [--chunks N] [--quick]
 *
 * URL names an empty database on a server with pgvector (bench_pg.sh
 * starts a private one with tests/integration/pg_server.sh and passes its
 * URL). --chunks is the store's size (default 100000); --quick is a smoke
 * run of about 3,000 chunks, fewer questions and shorter client runs.
 *
 * The SQLite store is built as bench_search builds it (the generated
 * corpus of tests/bench/corpus.c ingested with the hash embedder, 384
 * dimensions) in a temporary directory, removed at exit. Then:
 *
 *  1. publish: pg_publish of the collection to the server without an HNSW
 *     index (hnsw_min_rows 0): seconds and chunks per second.
 *  2. index: pg_publish again with hnsw_min_rows 1; the collection is
 *     unchanged, so this only builds its HNSW index (vector_ip_ops, the
 *     server's own settings): seconds. Then ANALYZE (pg_publish runs it
 *     after a large change; the line says how many tables still had no
 *     statistics), so the exact scan's plan does not hang on when
 *     autovacuum ran.
 *  3. latency: retriever_search (hybrid, k=10, the default retrieval
 *     settings on one thread, no query cache) over the same questions
 *     (corpus_sentence) on each backend: SQLite, the reference; the server
 *     scanning every vector (server_exact); the server through the HNSW
 *     index. Wall time of each call, p50 and p95 (nearest rank) after a few
 *     untimed questions, and the ratio to SQLite's; the mean time of the
 *     vector and full-text stages; and how many HNSW index scans the server
 *     counted per vector search (pg_stat_user_indexes, over the latency
 *     and throughput runs), which says the index answered.
 *  4. recall@10 of HNSW against the exact scan on the server: the top 10
 *     of a vector-mode search through the retriever (what a user gets: its
 *     candidates with ef_search = candidates x oversample), then
 *     pg_vector_search alone with k=10 at several ef_search values. A hit
 *     scoring at least the exact 10th hit counts as found, so ties at the
 *     cut are any of them. Beside it, the sum of the hits' scores over the
 *     exact hits' (the hash embedder's questions sit about as near many
 *     chunks, and a miss may be a near tie) and the index scans per search.
 *  5. throughput: CLIENTS threads, each with its own store handle
 *     (store_open on the same file), embedder copy and retriever (so its
 *     own connection), all searching for a few seconds once every one has
 *     opened: queries per second in all, per backend, and the ratio to
 *     SQLite's.
 *
 * Nothing passes or fails on time; a failed call or a recall that cannot
 * be computed exits 1. */
#include "tests/bench/corpus.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/search/retrieve.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"
#include "store/pg.h"
#include "store/store.h"
#include "store/vecindex.h"

#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define COLLECTION "bench"
#define DIM 384
#define K 10
#define QUESTION_MAX 256
#define QUESTIONS 1000    /* the pool every measure draws from */
#define WARMUP 10         /* untimed questions before a latency run */
#define CLIENTS 8
/* The vector candidates a search of K hits takes (retrieve.c: 4 k, at
 * least 50); the retriever's ef_search is that times the oversample. */
#define RETRIEVER_CANDIDATES 50

enum backend { BACKEND_SQLITE, BACKEND_EXACT, BACKEND_HNSW, N_BACKENDS };

static const char *const backend_name[N_BACKENDS] = { "sqlite (ref)", "pg exact", "pg hnsw" };

/* ef_search values of the recall sweep (pg_vector_search, k=10). */
static const int sweep_ef[] = { 10, 40, 100, 200, 400 };
#define N_SWEEP (sizeof sweep_ef / sizeof sweep_ef[0])

struct bench {
	const char *url;
	char db[300];
	size_t queries;           /* timed per latency run and per recall */
	double client_seconds;
	struct embedder *embedder;
	struct config *cfg;
	struct retriever_opts opts[N_BACKENDS];
	char (*questions)[QUESTION_MAX];  /* QUESTIONS of them; corpus_sentence is not thread-safe */
	PGconn *stats;            /* the bench's own connection: ANALYZE, index scans */
};

struct measured {
	double p50, p95;          /* ms */
	double vector, fts, rest; /* mean ms: the vector and full-text stages, the
	                           * rest of the call (embedding, fusion, loading
	                           * the hits, packing) */
	double qps;               /* CLIENTS clients together */
	double index_use;         /* HNSW index scans per vector search */
};

static char tmp_dir[] = "/tmp/rdbench-pgXXXXXX";

static void remove_tmp_dir(void)
{
	char cmd[100];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_pg: cannot remove %s\n", tmp_dir);
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_pg: %s: %s\n", what, err);
	exit(1);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The nearest-rank p-quantile of v (microseconds), in ms; sorts v. */
static double pct(uint64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, compare_u64);
	size_t i = (size_t)(p * (double)n + 0.999999);
	return (double)v[i ? i - 1 : 0] / 1e3;
}

static double seconds_since(uint64_t start_us)
{
	return (double)(clock_now_us() - start_us) / 1e6;
}

/* Run sql on the bench's own connection; exits on a failure. Caller
 * PQclears. */
static PGresult *run_sql(const struct bench *b, const char *sql)
{
	PGresult *res = PQexec(b->stats, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		die(sql, PQerrorMessage(b->stats));
	return res;
}

/* The first column of the first row of sql, a number. */
static int64_t sql_number(const struct bench *b, const char *sql)
{
	PGresult *res = run_sql(b, sql);
	int64_t n = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Scans of the HNSW indexes the server has counted. A connection's
 * counts arrive when its backend flushes them (at the latest when it
 * exits after the client closed it): read until two reads agree. */
static int64_t hnsw_scans(const struct bench *b)
{
	const char *sql = "SELECT coalesce(sum(s.idx_scan), 0) FROM pg_stat_user_indexes s"
	                  " JOIN pg_class i ON i.oid = s.indexrelid JOIN pg_am a ON a.oid = i.relam"
	                  " WHERE a.amname = 'hnsw'";
	int64_t last = -1, now = sql_number(b, sql);
	while (now != last) {
		sleep_ms(300);
		last = now;
		now = sql_number(b, sql);
	}
	return now;
}

/* ANALYZE every table, as autovacuum would in time; says how many had
 * no statistics yet. */
static void analyze(const struct bench *b)
{
	int64_t none = sql_number(b, "SELECT count(*) FROM pg_stat_user_tables WHERE n_live_tup > 0"
	                             " AND coalesce(last_analyze, last_autoanalyze) IS NULL");
	uint64_t t = clock_now_us();
	PQclear(run_sql(b, "ANALYZE"));
	printf("ANALYZE: %.1f s (tables holding rows with no statistics after publishing: %lld)\n",
	       seconds_since(t), (long long)none);
}

/* The store at b->db: the generated corpus of about chunks chunks
 * ingested into COLLECTION. Caller closes. */
static struct store *build_store(struct bench *b, size_t chunks)
{
	char corpus[300], err[512];
	snprintf(corpus, sizeof corpus, "%s/corpus", tmp_dir);
	snprintf(b->db, sizeof b->db, "%s/search.db", tmp_dir);
	mkdir(corpus, 0700);
	/* About 1.2 KB of text per 350-token chunk, as in bench_search. */
	corpus_generate(corpus, (uint64_t)chunks * 1230);
	struct store *s = NULL;
	if (store_open(b->db, &s, err, sizeof err) != RD_OK)
		die(b->db, err);
	struct ingest_opts io = { .collection = COLLECTION, .max_file_bytes = 64 << 20, .chunk_tokens = 350,
	                          .overlap_tokens = 40, .min_chunk_tokens = 32 };
	const char *paths[] = { corpus };
	struct ingest_summary sum;
	uint64_t t = clock_now_us();
	if (ingest_run(s, b->embedder, &io, paths, 1, NULL, NULL, &sum, err, sizeof err) != 0)
		die("ingest", err);
	printf("store: %zu chunks from %.1f MB (ingested in %.1f s)\n", sum.chunks, (double)sum.bytes / 1e6,
	       seconds_since(t));
	ingest_summary_free(&sum);
	return s;
}

/* A connection to the server, which must not hold COLLECTION yet: the
 * first publish is to write every chunk. */
static struct pg_store *connect_empty(const struct bench *b)
{
	struct pg_store *p = NULL;
	char err[512], model[64];
	int64_t id;
	int dim;
	if (pg_open(b->url, 0, &p, err, sizeof err) != RD_OK)
		die("cannot connect", err);
	enum rd_err found = pg_collection(p, COLLECTION, &id, model, sizeof model, &dim, err, sizeof err);
	if (found == RD_OK)
		die(pg_name(p), "collection \"" COLLECTION "\" is already there: give the URL of an empty database");
	if (found != RD_ERR_NOT_FOUND)
		die(pg_name(p), err);
	return p;
}

/* pg_publish of COLLECTION from s over p; returns the seconds it took. */
static double publish(struct store *s, struct pg_store *p, struct pg_copy_report *rep)
{
	char err[512];
	uint64_t t = clock_now_us();
	if (pg_publish(s, COLLECTION, p, NULL, rep, err, sizeof err) != RD_OK)
		die("publish", err);
	return seconds_since(t);
}

/* Publish with no index, then again with hnsw_min_rows 1 to build it.
 * Returns the chunks published. */
static size_t publish_both(const struct bench *b, struct store *s, double *publish_s, double *index_s)
{
	struct pg_copy_report rep;
	struct pg_store *p = connect_empty(b);
	*publish_s = publish(s, p, &rep);
	pg_close(&p);
	printf("publish: %lld chunks (%lld vectors) in %.1f s: %.0f chunks/s\n", (long long)rep.chunks_written,
	       (long long)rep.vectors_written, *publish_s, (double)rep.chunks_written / *publish_s);
	if (rep.server.chunks != rep.local.chunks || rep.hnsw_built)
		die("publish", "the server's collection is not the local one, or it got an index it should not have");

	char err[512];
	if (pg_open(b->url, 1, &p, err, sizeof err) != RD_OK)
		die("cannot connect", err);
	*index_s = publish(s, p, &rep);
	pg_close(&p);
	if (!rep.hnsw_built || rep.chunks_written != 0)
		die("publish", "the second publish wrote chunks again or built no HNSW index");
	printf("HNSW index: built in %.1f s (the publish of the unchanged collection)\n", *index_s);
	return (size_t)rep.server.chunks;
}

static int open_retriever(const struct bench *b, struct store *s, struct embedder *e, enum backend which,
                          struct retriever **r, char *err, size_t errlen)
{
	return retriever_open(s, e, &b->opts[which], r, err, errlen);
}

/* retriever_search of question i (of the pool) in mode, K hits. */
static int search(const struct bench *b, struct retriever *r, size_t i, enum retrieve_mode mode,
                  struct retrieve_result *res, char *err, size_t errlen)
{
	struct retrieve_query rq = { .text = b->questions[i % QUESTIONS], .k = K, .mode = mode,
	                             .max_context_tokens = 3000 };
	return retriever_search(r, &rq, res, err, errlen);
}

/* p50 and p95 of hybrid searches of the first b->queries questions,
 * after WARMUP others. */
static void time_searches(const struct bench *b, struct retriever *r, struct measured *m)
{
	uint64_t *us = xcalloc(b->queries, sizeof *us);
	char err[512];
	for (size_t i = 0; i < WARMUP + b->queries; i++) {
		/* The warm-up takes the pool's last questions. */
		size_t q = i < WARMUP ? QUESTIONS - 1 - i : i - WARMUP;
		struct retrieve_result res;
		uint64_t t = clock_now_us();
		if (search(b, r, q, RETRIEVE_HYBRID, &res, err, sizeof err) != 0)
			die("search", err);
		if (i >= WARMUP) {
			us[q] = clock_now_us() - t;
			m->vector += (double)res.us.vector_us / 1e3 / (double)b->queries;
			m->fts += (double)res.us.fts_us / 1e3 / (double)b->queries;
			m->rest += (double)(us[q] - res.us.vector_us - res.us.fts_us) / 1e3 / (double)b->queries;
		}
		retrieve_result_free(&res);
	}
	m->p50 = pct(us, b->queries, 0.50);
	m->p95 = pct(us, b->queries, 0.95);
	free(us);
}

/* How HNSW searches did against the exact scan: means over the questions. */
struct accuracy {
	double recall;            /* recall@K */
	double scores;            /* the sum of the K scores over the exact K's:
	                           * near 1 when the hits missed were near ties */
	double index_use;         /* HNSW index scans per search */
};

/* Add one of n questions to a: got against the n_exact true hits. A hit
 * scoring at least the last true one counts as found. No true hit makes
 * a NAN. */
static void accumulate(struct accuracy *a, const struct vec_hit *exact, size_t n_exact, const struct vec_hit *got,
                       size_t n_got, size_t n)
{
	float cut = n_exact ? exact[n_exact - 1].score - 1e-6f : 0;
	double want = 0, have = 0;
	size_t found = 0;
	for (size_t i = 0; i < n_exact; i++)
		want += exact[i].score;
	for (size_t i = 0; i < n_got; i++) {
		found += got[i].score >= cut;
		have += got[i].score;
	}
	double recall = n_exact ? (double)(found < n_exact ? found : n_exact) / (double)n_exact : NAN;
	a->recall += recall / (double)n;
	a->scores += (n_exact ? have / want : NAN) / (double)n;
}

/* The hits of a vector-mode search as (chunk id, score). */
static size_t vector_hits(const struct bench *b, struct retriever *r, size_t i, struct vec_hit *out)
{
	struct retrieve_result res;
	char err[512];
	if (search(b, r, i, RETRIEVE_VECTOR, &res, err, sizeof err) != 0)
		die("vector search", err);
	size_t n = res.n_hits < K ? res.n_hits : K;
	for (size_t j = 0; j < n; j++)
		out[j] = (struct vec_hit){ res.hits[j].chunk_id, res.hits[j].vec_score };
	retrieve_result_free(&res);
	return n;
}

/* The retriever's HNSW vector search against its exact one into a. */
static void retriever_accuracy(const struct bench *b, struct retriever *exact, struct retriever *hnsw,
                               struct accuracy *a)
{
	for (size_t i = 0; i < b->queries; i++) {
		struct vec_hit truth[K], got[K];
		size_t n_truth = vector_hits(b, exact, i, truth);
		accumulate(a, truth, n_truth, got, vector_hits(b, hnsw, i, got), b->queries);
	}
}

/* A connection to the server and the id of COLLECTION there. */
static struct pg_store *connect_collection(const struct bench *b, int64_t *coll)
{
	struct pg_store *p = NULL;
	char err[512], model[64];
	int dim;
	if (pg_open(b->url, 0, &p, err, sizeof err) != RD_OK ||
	    pg_collection(p, COLLECTION, coll, model, sizeof model, &dim, err, sizeof err) != RD_OK)
		die("cannot read the collection", err);
	return p;
}

/* The vectors of the first b->queries questions into v (DIM each) and
 * their K nearest chunks by an exact scan into truth (K each, n_truth[i]
 * of question i). */
static void exact_truth(const struct bench *b, float *v, struct vec_hit *truth, size_t *n_truth)
{
	int64_t coll;
	struct pg_store *p = connect_collection(b, &coll);
	char err[512];
	for (size_t i = 0; i < b->queries; i++) {
		const char *q = b->questions[i];
		size_t len = strlen(q);
		if (embed_texts(b->embedder, &q, &len, 1, v + i * DIM, err, sizeof err) != 0 ||
		    pg_vector_search(p, coll, v + i * DIM, DIM, K, 0, true, NULL, 0, truth + i * K, &n_truth[i], err,
		                     sizeof err) != 0)
			die("exact vector search", err);
	}
	pg_close(&p);
}

/* pg_vector_search at each ef of sweep_ef against its exact scan into a,
 * with the index scans (a connection per ef: its scans are counted once
 * it is closed). */
static void sweep_accuracy(const struct bench *b, struct accuracy a[N_SWEEP])
{
	float *v = xcalloc(b->queries * DIM, sizeof *v);
	struct vec_hit *truth = xcalloc(b->queries * K, sizeof *truth), got[K];
	size_t *n_truth = xcalloc(b->queries, sizeof *n_truth), n_got;
	char err[512];
	exact_truth(b, v, truth, n_truth);
	for (size_t j = 0; j < N_SWEEP; j++) {
		int64_t coll, scans = hnsw_scans(b);
		struct pg_store *p = connect_collection(b, &coll);
		for (size_t i = 0; i < b->queries; i++) {
			if (pg_vector_search(p, coll, v + i * DIM, DIM, K, sweep_ef[j], false, NULL, 0, got, &n_got, err,
			                     sizeof err) != 0)
				die("HNSW vector search", err);
			accumulate(&a[j], truth + i * K, n_truth[i], got, n_got, b->queries);
		}
		pg_close(&p);
		a[j].index_use = (double)(hnsw_scans(b) - scans) / (double)b->queries;
	}
	free(v);
	free(truth);
	free(n_truth);
}

/* One of CLIENTS threads: opens its own store, embedder and retriever,
 * waits for the others, then searches until its time is up. */
struct client {
	const struct bench *b;
	enum backend which;
	pthread_barrier_t *start;
	size_t first;             /* its first question in the pool */
	size_t done;
	char err[512];            /* "": no failure */
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct store *s = NULL;
	struct retriever *r = NULL;
	struct embedder *e = embed_clone(c->b->embedder);
	int rc = store_open(c->b->db, &s, c->err, sizeof c->err) == RD_OK ? 0 : -1;
	if (rc == 0)
		rc = open_retriever(c->b, s, e, c->which, &r, c->err, sizeof c->err);
	pthread_barrier_wait(c->start);
	uint64_t end = clock_now_us() + (uint64_t)(c->b->client_seconds * 1e6);
	while (rc == 0 && clock_now_us() < end) {
		struct retrieve_result res;
		rc = search(c->b, r, c->first + c->done, RETRIEVE_HYBRID, &res, c->err, sizeof c->err);
		retrieve_result_free(&res);
		c->done += rc == 0;
	}
	if (rc == 0)
		c->err[0] = '\0';
	retriever_free(&r);
	embed_free(&e);
	store_close(&s);
	return NULL;
}

/* Queries per second of CLIENTS clients together on which, into qps;
 * returns how many they ran. */
static size_t throughput(const struct bench *b, enum backend which, double *qps)
{
	struct client c[CLIENTS];
	pthread_t t[CLIENTS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, CLIENTS + 1);
	for (size_t i = 0; i < CLIENTS; i++) {
		c[i] = (struct client){ .b = b, .which = which, .start = &start, .first = i * (QUESTIONS / CLIENTS) };
		if (pthread_create(&t[i], NULL, client_run, &c[i]) != 0)
			die("pthread_create", "cannot start a client");
	}
	pthread_barrier_wait(&start);
	uint64_t t0 = clock_now_us();
	size_t done = 0;
	for (size_t i = 0; i < CLIENTS; i++) {
		pthread_join(t[i], NULL);
		if (c[i].err[0])
			die(backend_name[which], c[i].err);
		done += c[i].done;
	}
	*qps = (double)done / seconds_since(t0);
	pthread_barrier_destroy(&start);
	return done;
}

/* Latency and throughput of one backend, and its HNSW index use. */
static void measure(const struct bench *b, struct store *s, enum backend which, struct measured *m)
{
	struct retriever *r = NULL;
	char err[512];
	if (open_retriever(b, s, b->embedder, which, &r, err, sizeof err) != 0)
		die(backend_name[which], err);
	int64_t scans = hnsw_scans(b);
	time_searches(b, r, m);
	retriever_free(&r);
	size_t searches = WARMUP + b->queries + throughput(b, which, &m->qps);
	m->index_use = (double)(hnsw_scans(b) - scans) / (double)searches;
	printf("%s: hybrid k=%d p50 %.2f ms  p95 %.2f ms over %zu queries (mean ms: vector %.2f  full text %.2f  "
	       "rest %.2f); %d clients %.1f queries/s; HNSW index scans per search %.2f\n",
	       backend_name[which], K, m->p50, m->p95, b->queries, m->vector, m->fts, m->rest, CLIENTS, m->qps,
	       m->index_use);
}

/* The HNSW accuracy of the retriever (into rc[0]), then of the sweep's
 * ef_search values (rc[1 + j]); exits on a NAN. */
static void measure_recall(const struct bench *b, struct store *s, struct accuracy rc[1 + N_SWEEP])
{
	struct retriever *exact = NULL, *hnsw = NULL;
	char err[512];
	if (open_retriever(b, s, b->embedder, BACKEND_EXACT, &exact, err, sizeof err) != 0 ||
	    open_retriever(b, s, b->embedder, BACKEND_HNSW, &hnsw, err, sizeof err) != 0)
		die("recall", err);
	int64_t scans = hnsw_scans(b);
	retriever_accuracy(b, exact, hnsw, &rc[0]);
	retriever_free(&exact);
	retriever_free(&hnsw);
	rc[0].index_use = (double)(hnsw_scans(b) - scans) / (double)b->queries;
	sweep_accuracy(b, rc + 1);
	bool nan = false;
	for (size_t j = 0; j < 1 + N_SWEEP; j++)
		nan |= isnan(rc[j].recall) || isnan(rc[j].scores);
	if (nan)
		die("recall", "a question had no exact hit, so recall is undefined");
}

static void print_table(const struct bench *b, const struct measured m[N_BACKENDS], size_t chunks, double publish_s,
                        double index_s, const struct accuracy rc[1 + N_SWEEP])
{
	const struct measured *ref = &m[BACKEND_SQLITE];
	printf("\n%zu chunks, %zu questions, hybrid k=%d; ratios (x) are to SQLite in this run\n", chunks, b->queries,
	       K);
	printf("%-13s %8s %8s %8s %10s %8s %10s\n", "backend", "p50 ms", "p95 ms", "p50 x", "q/s (x8)", "q/s x",
	       "hnsw use");
	for (int i = 0; i < N_BACKENDS; i++)
		printf("%-13s %8.2f %8.2f %8.2f %10.1f %8.2f %10.2f\n", backend_name[i], m[i].p50, m[i].p95,
		       m[i].p50 / ref->p50, m[i].qps, m[i].qps / ref->qps, m[i].index_use);
	printf("publish %.1f s (%.0f chunks/s); HNSW index build %.1f s\n", publish_s, (double)chunks / publish_s,
	       index_s);
	printf("HNSW against the exact scan on the server, top %d, means over the questions:\n", K);
	printf("%-40s %9s %9s %9s\n", "vector search", "recall", "score sum", "hnsw use");
	char what[64];
	for (size_t j = 0; j < 1 + N_SWEEP; j++) {
		if (j == 0)
			snprintf(what, sizeof what, "retriever, vector mode (ef_search %d)",
			         b->opts[BACKEND_HNSW].oversample * RETRIEVER_CANDIDATES);
		else
			snprintf(what, sizeof what, "pg_vector_search k=%d, ef_search %d", K, sweep_ef[j - 1]);
		printf("%-40s %9.3f %9.3f %9.2f\n", what, rc[j].recall, rc[j].scores, rc[j].index_use);
	}
	printf("score sum: of the hits' scores over the exact hits' (near 1: what was missed was a near tie)\n"
	       "hnsw use: HNSW index scans per vector search (0: an exact scan)\n");
}

/* The retriever options of each backend: the user's defaults, one thread,
 * no query cache. */
static void set_opts(struct bench *b)
{
	for (int i = 0; i < N_BACKENDS; i++) {
		struct retriever_opts *ro = &b->opts[i];
		retriever_opts_from_config(b->cfg, COLLECTION, ro);
		ro->threads = 1;
		ro->cache_ttl_seconds = 0;
		ro->server = i != BACKEND_SQLITE;
		ro->server_url = b->url;
		ro->server_exact = i == BACKEND_EXACT;
	}
}

int main(int argc, char **argv)
{
	struct bench b = { .url = getenv("PG_URL"), .queries = 200, .client_seconds = 5 };
	size_t chunks = 100000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			chunks = 3000;
			b.queries = 50;
			b.client_seconds = 2;
		} else if (strcmp(argv[i], "--chunks") == 0 && i + 1 < argc) {
			chunks = strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
			b.url = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_pg --url URL [--chunks N] [--quick]\n");
			return 2;
		}
	}
	/* Each step's line as it ends: a full run takes many minutes. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!b.url || !*b.url)
		die("usage", "--url URL (or PG_URL) names the server's database (bench_pg.sh starts one)");
	if (!mkdtemp(tmp_dir))
		die(tmp_dir, "cannot make the directory");
	atexit(remove_tmp_dir);
	b.questions = xcalloc(QUESTIONS, sizeof *b.questions);
	for (size_t i = 0; i < QUESTIONS; i++)
		corpus_sentence(b.questions[i], QUESTION_MAX, i + 1);
	b.embedder = embed_hash_new(DIM);
	b.cfg = config_defaults();
	set_opts(&b);

	struct store *s = build_store(&b, chunks);
	double publish_s, index_s;
	size_t published = publish_both(&b, s, &publish_s, &index_s);
	b.stats = PQconnectdb(b.url);
	if (PQstatus(b.stats) != CONNECTION_OK)
		die("cannot connect", PQerrorMessage(b.stats));
	analyze(&b);
	struct measured m[N_BACKENDS] = { 0 };
	for (int i = 0; i < N_BACKENDS; i++)
		measure(&b, s, (enum backend)i, &m[i]);
	struct accuracy rc[1 + N_SWEEP] = { 0 };
	measure_recall(&b, s, rc);
	print_table(&b, m, published, publish_s, index_s, rc);

	PQfinish(b.stats);
	store_close(&s);
	config_free(&b.cfg);
	embed_free(&b.embedder);
	free(b.questions);
	return 0;
}
