/* bench_ingest: end-to-end ingest throughput over a generated corpus.
 *
 * Generates Markdown files (default 100 MB) in a temporary directory,
 * ingests them into a fresh database with the hash embedder, and prints
 * MB/s and each phase's share (load, chunk, embed, store). Two references
 * run in the same process: reading and hashing the same files, and the
 * store's floor: the documents and chunks the run made written again into
 * a fresh database through the store's insert path with nothing else
 * (tests/bench/replay.h), with and without the full-text index. Ingest
 * over the floor says how much of the store's speed the pipeline keeps.
 * Then the loaders' share: a slice of the corpus (a tenth, at most 8 MB)
 * written again as PDF (groff) and DOCX (libzip) and ingested in each
 * format into fresh databases, MB/s of files and of the same Markdown text
 * next to the Markdown originals (tests/bench/formats.h).
 * --threads N runs ingest on N threads (default 0: one per core); --mb N
 * sizes the corpus; --quick is a 4 MB smoke run. */
#include "tests/bench/corpus.h"
#include "tests/bench/formats.h"
#include "tests/bench/replay.h"
#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reference: read and hash every file under dir. Returns bytes read. */
static uint64_t read_all(const char *dir, uint64_t *sink)
{
	uint64_t total = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	char *buf = malloc(1 << 20);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			total += read_all(sub, sink);
			continue;
		}
		FILE *f = fopen(sub, "rb");
		size_t n = f ? fread(buf, 1, 1 << 20, f) : 0;
		if (f)
			fclose(f);
		*sink ^= hash64(buf, n);
		total += n;
	}
	if (d)
		closedir(d);
	free(buf);
	return total;
}

/* CPU seconds (user and system, all threads) this process has used. */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct bench_args {
	uint64_t target;
	int threads;
};

static struct bench_args parse_args(int argc, char **argv)
{
	struct bench_args a = { .target = 100u << 20 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			a.target = 4u << 20;
		else if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
			a.target = (uint64_t)strtoull(argv[++i], NULL, 10) << 20;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			a.threads = atoi(argv[++i]);
	}
	return a;
}

/* Throughput, threads, and each phase's share of the time the threads
 * spent (load, chunk and embed run on the workers, store on the writer). */
static double print_ingest(const struct ingest_summary *sum, double cpu)
{
	double secs = (double)sum->total_us / 1e6;
	double mbs = (double)sum->bytes / 1e6 / secs;
	uint64_t work = sum->load_us + sum->chunk_us + sum->embed_us + sum->store_us;
	printf("ingest: %zu files, %zu chunks, %.1f MB in %.2f s = %.1f MB/s (%d threads, hash-384)\n",
	       sum->added, sum->chunks, (double)sum->bytes / 1e6, secs, mbs, sum->threads);
	printf("phases: load %.1f%%  chunk %.1f%%  embed %.1f%%  store+fts %.1f%%  (walk %.2f s)\n",
	       100.0 * (double)sum->load_us / (double)work, 100.0 * (double)sum->chunk_us / (double)work,
	       100.0 * (double)sum->embed_us / (double)work, 100.0 * (double)sum->store_us / (double)work,
	       (double)sum->walk_us / 1e6);
	printf("cpu: %.2f s in %.2f s (%.2f cores)\n", cpu, secs, cpu / secs);
	return mbs;
}

/* The store's floor for what the run stored at db: its writes replayed
 * alone into fresh databases in dir, with and without FTS5. */
static int print_floor(const char *dir, const char *db, const struct ingest_summary *sum, double ingest_mbs)
{
	struct replay_result with_fts, without_fts;
	char fts_db[256], plain_db[256], err[512];
	snprintf(fts_db, sizeof fts_db, "%s/floor.db", dir);
	snprintf(plain_db, sizeof plain_db, "%s/floor-nofts.db", dir);
	double cpu = cpu_seconds();
	int rc = replay_store(db, fts_db, true, &with_fts, err, sizeof err);
	cpu = cpu_seconds() - cpu;
	if (rc != 0 || replay_store(db, plain_db, false, &without_fts, err, sizeof err) != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
		return -1;
	}
	double mb = (double)sum->bytes / 1e6;
	double floor_mbs = mb / ((double)with_fts.write_us / 1e6);
	double plain_mbs = mb / ((double)without_fts.write_us / 1e6);
	printf("floor: the same %zu documents and %zu chunks written alone: %.1f MB/s with FTS5 (%.1f without)\n",
	       with_fts.documents, with_fts.chunks, floor_mbs, plain_mbs);
	printf("floor cpu: %.2f s, reading the first database included\n", cpu);
	printf("ingest %.1f MB/s / floor %.1f MB/s = %.2f (goal 0.90)\n", ingest_mbs, floor_mbs,
	       ingest_mbs / floor_mbs);
	return 0;
}

/* The slice for the formats: the first files under dir (depth first, in
 * readdir order) up to budget bytes, appended to paths. */
static void collect(const char *dir, uint64_t budget, uint64_t *taken, char ***paths, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && *taken < budget && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			collect(sub, budget, taken, paths, n);
			continue;
		}
		*paths = realloc(*paths, (*n + 1) * sizeof **paths);
		(*paths)[(*n)++] = strdup(sub);
		*taken += (uint64_t)st.st_size;
	}
	if (d)
		closedir(d);
}

/* Ingest dir (one format of the slice) into a fresh database db and print
 * its line: MB/s of files and of the slice's Markdown, and where the time
 * went. Returns 0 or -1. */
static int ingest_format(const char *name, const char *dir, const char *db, uint64_t md_bytes, int threads)
{
	struct store *s = NULL;
	char err[512];
	if (store_open(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
		return -1;
	}
	struct embedder *e = embed_hash_new(384);
	struct ingest_opts opts = {
		.collection = "bench", .max_file_bytes = 64 << 20, .chunk_tokens = 350, .overlap_tokens = 40,
		.threads = threads,
	};
	const char *paths[] = { dir };
	struct ingest_summary sum;
	int rc = ingest_run(s, e, &opts, paths, 1, NULL, NULL, &sum, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
	} else {
		double secs = (double)sum.total_us / 1e6;
		uint64_t work = sum.load_us + sum.chunk_us + sum.embed_us + sum.store_us;
		printf("  %-8s %zu docs %6zu chunks %6.1f MB of files in %5.2f s = %6.1f MB/s of files, %6.1f MB/s of "
		       "text; load %4.1f%% chunk %4.1f%% embed %4.1f%% store %4.1f%%%s\n",
		       name, sum.added, sum.chunks, (double)sum.bytes / 1e6, secs, (double)sum.bytes / 1e6 / secs,
		       (double)md_bytes / 1e6 / secs, 100.0 * (double)sum.load_us / (double)work,
		       100.0 * (double)sum.chunk_us / (double)work, 100.0 * (double)sum.embed_us / (double)work,
		       100.0 * (double)sum.store_us / (double)work, sum.skipped ? "  (some skipped!)" : "");
		rc = sum.skipped ? -1 : 0;
		ingest_summary_free(&sum);
	}
	embed_free(&e);
	store_close(&s);
	return rc;
}

/* The loaders' share: the slice of corpus as Markdown, PDF and DOCX in
 * dir, each ingested alone. Returns 0 or -1. */
static int bench_formats(const char *dir, const char *corpus, uint64_t budget, int threads)
{
	static const char *const fmts[] = { "markdown", "pdf", "docx" };
	static const char *const exts[] = { "md", "pdf", "docx" };
	char **files = NULL, err[512], path[4200], sub[3][300], db[300];
	size_t n = 0;
	uint64_t md_bytes = 0;
	int rc = 0;
	bool pdf = formats_have_groff();
	collect(corpus, budget, &md_bytes, &files, &n);
	for (int f = 0; f < 3; f++) {
		snprintf(sub[f], sizeof sub[f], "%s/fmt-%s", dir, exts[f]);
		mkdir(sub[f], 0700);
	}
	uint64_t t0 = clock_now_us();
	for (size_t i = 0; i < n && rc == 0; i++) {
		FILE *in = fopen(files[i], "rb");
		struct strbuf md = STRBUF_INIT;
		char buf[65536];
		size_t got;
		while (in && (got = fread(buf, 1, sizeof buf, in)) > 0)
			sb_append(&md, buf, got);
		if (in)
			fclose(in);
		snprintf(path, sizeof path, "%s/%zu.md", sub[0], i);
		FILE *out = fopen(path, "wb");
		if (!out || fwrite(md.buf, 1, md.len, out) != md.len)
			rc = -1;
		if (out)
			fclose(out);
		snprintf(path, sizeof path, "%s/%zu.pdf", sub[1], i);
		if (rc == 0 && pdf && formats_write_pdf(md.buf, md.len, path, err, sizeof err) != 0)
			rc = -1;
		snprintf(path, sizeof path, "%s/%zu.docx", sub[2], i);
		if (rc == 0 && formats_write_docx(md.buf, md.len, path, err, sizeof err) != 0)
			rc = -1;
		sb_free(&md);
	}
	if (rc != 0) {
		fprintf(stderr, "bench_ingest: writing the formats: %s\n", err);
	} else {
		printf("formats: the same %zu documents (%.1f MB of Markdown) as Markdown, PDF and DOCX, made in %.1f s\n",
		       n, (double)md_bytes / 1e6, (double)(clock_now_us() - t0) / 1e6);
		for (int f = 0; f < 3 && rc == 0; f++) {
			if (f == 1 && !pdf) {
				printf("  pdf      skipped: groff is not installed\n");
				continue;
			}
			snprintf(db, sizeof db, "%s/fmt-%s.db", dir, exts[f]);
			rc = ingest_format(fmts[f], sub[f], db, md_bytes, threads);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return rc;
}

int main(int argc, char **argv)
{
	struct bench_args args = parse_args(argc, argv);
	char dir[] = "/tmp/rdbench-ingestXXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char corpus[256], db[256], cmd[300];
	snprintf(corpus, sizeof corpus, "%s/corpus", dir);
	snprintf(db, sizeof db, "%s/bench.db", dir);
	mkdir(corpus, 0700);
	uint64_t t0 = clock_now_us();
	uint64_t bytes = corpus_generate(corpus, args.target);
	printf("corpus: %.1f MB generated in %.1f s\n", (double)bytes / 1e6, (double)(clock_now_us() - t0) / 1e6);

	uint64_t sink = 0;
	t0 = clock_now_us();
	uint64_t read_bytes = read_all(corpus, &sink);
	double ref_s = (double)(clock_now_us() - t0) / 1e6;
	double ref_mbs = (double)read_bytes / 1e6 / ref_s;

	struct store *s = NULL;
	char err[512];
	if (store_open(db, &s, err, sizeof err) != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
		return 1;
	}
	struct embedder *e = embed_hash_new(384);
	struct ingest_opts opts = {
		.collection = "bench", .max_file_bytes = 64 << 20, .chunk_tokens = 350, .overlap_tokens = 40,
		.threads = args.threads,
	};
	const char *paths[] = { corpus };
	struct ingest_summary sum;
	double cpu = cpu_seconds();
	if (ingest_run(s, e, &opts, paths, 1, NULL, NULL, &sum, err, sizeof err) != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
		return 1;
	}
	double mbs = print_ingest(&sum, cpu_seconds() - cpu);
	printf("reference: read+hash %.1f MB/s; ingest/reference ratio %.3f (checksum %llx)\n", ref_mbs,
	       mbs / ref_mbs, (unsigned long long)sink);
	if (print_floor(dir, db, &sum, mbs) != 0)
		return 1;

	uint64_t t1 = clock_now_us();
	struct ingest_summary again;
	ingest_run(s, e, &opts, paths, 1, NULL, NULL, &again, err, sizeof err);
	printf("re-ingest (all unchanged): %zu unchanged in %.3f s\n", again.unchanged,
	       (double)(clock_now_us() - t1) / 1e6);
	ingest_summary_free(&again);
	ingest_summary_free(&sum);
	embed_free(&e);
	store_close(&s);
	uint64_t slice = bytes / 10 < (8u << 20) ? bytes / 10 : (8u << 20);
	int rc = bench_formats(dir, corpus, slice, args.threads);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 && rc == 0 ? 0 : 1;
}
