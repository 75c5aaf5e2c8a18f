/* bench_ingest: end-to-end ingest throughput over a generated corpus.
 *
 * Generates Markdown files (default 100 MB) in a temporary directory,
 * ingests them into a fresh database with the hash embedder on one thread,
 * and prints MB/s and each phase's share (load, chunk, embed, store). The
 * reference run in the same process reads and hashes the same files, so
 * the ratio shows how far ingest is from the cost of just reading. */
#include "core/embed.h"
#include "core/ingest.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const vocab[] = {
	"sync", "agent", "proxy", "invoice", "refund", "policy", "upload", "retention", "console",
	"token", "backup", "restore", "conflict", "quota", "folder", "account", "admin", "device",
	"network", "certificate", "license", "workspace", "version", "history", "release", "plan",
	"the", "a", "to", "of", "and", "is", "in", "for", "with", "on", "when", "your", "you", "can",
	"storage", "bandwidth", "throttle", "schedule", "selective", "exclude", "retry", "timeout",
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void sentence(struct strbuf *sb)
{
	int words = 8 + (int)(rng() % 18);
	for (int i = 0; i < words; i++) {
		const char *w = vocab[rng() % (sizeof vocab / sizeof vocab[0])];
		if (i == 0)
			sb_printf(sb, "%c%s", w[0] - 32, w + 1);
		else
			sb_printf(sb, " %s", w);
	}
	sb_puts(sb, ". ");
}

/* One article of roughly 20-40 KB with headings, paragraphs and code. */
static void article(struct strbuf *sb, int n)
{
	sb_printf(sb, "# Article %d\n\n", n);
	int sections = 6 + (int)(rng() % 8);
	for (int s = 0; s < sections; s++) {
		sb_printf(sb, "## Section %d\n\n", s);
		int paras = 2 + (int)(rng() % 5);
		for (int p = 0; p < paras; p++) {
			int sentences = 3 + (int)(rng() % 6);
			for (int i = 0; i < sentences; i++)
				sentence(sb);
			sb_puts(sb, "\n\n");
		}
		if (rng() % 3 == 0)
			sb_puts(sb, "```bash\ndwsync status --verbose\ndwsync push --retry 3 ~/Documents\n```\n\n");
	}
}

static uint64_t generate(const char *dir, uint64_t target)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	uint64_t total = 0;
	for (int n = 0; total < target; n++) {
		sb_reset(&sb);
		sb_reset(&path);
		if (n % 200 == 0) {
			sb_printf(&path, "%s/d%03d", dir, n / 200);
			mkdir(sb_str(&path), 0700);
			sb_reset(&path);
		}
		sb_printf(&path, "%s/d%03d/a%06d.md", dir, n / 200, n);
		article(&sb, n);
		FILE *f = fopen(sb_str(&path), "w");
		if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len) {
			fprintf(stderr, "bench_ingest: cannot write %s: %s\n", sb_str(&path), strerror(errno));
			exit(1);
		}
		fclose(f);
		total += sb.len;
	}
	sb_free(&sb);
	sb_free(&path);
	return total;
}

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

int main(int argc, char **argv)
{
	uint64_t target = 100u << 20;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			target = 4u << 20;
		else if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
			target = (uint64_t)strtoull(argv[++i], NULL, 10) << 20;
	}
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
	uint64_t bytes = generate(corpus, target);
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
	};
	const char *paths[] = { corpus };
	struct ingest_summary sum;
	if (ingest_run(s, e, &opts, paths, 1, NULL, NULL, &sum, err, sizeof err) != 0) {
		fprintf(stderr, "bench_ingest: %s\n", err);
		return 1;
	}
	double secs = (double)sum.total_us / 1e6;
	double mbs = (double)sum.bytes / 1e6 / secs;
	uint64_t work = sum.load_us + sum.chunk_us + sum.embed_us + sum.store_us;
	printf("ingest: %zu files, %zu chunks, %.1f MB in %.2f s = %.1f MB/s (one thread, hash-384)\n",
	       sum.added, sum.chunks, (double)sum.bytes / 1e6, secs, mbs);
	printf("phases: load %.1f%%  chunk %.1f%%  embed %.1f%%  store+fts %.1f%%  (walk %.2f s)\n",
	       100.0 * (double)sum.load_us / (double)work, 100.0 * (double)sum.chunk_us / (double)work,
	       100.0 * (double)sum.embed_us / (double)work, 100.0 * (double)sum.store_us / (double)work,
	       (double)sum.walk_us / 1e6);
	printf("reference: read+hash %.1f MB/s; ingest/reference ratio %.3f (checksum %llx)\n", ref_mbs,
	       mbs / ref_mbs, (unsigned long long)sink);

	uint64_t t1 = clock_now_us();
	struct ingest_summary again;
	ingest_run(s, e, &opts, paths, 1, NULL, NULL, &again, err, sizeof err);
	printf("re-ingest (all unchanged): %zu unchanged in %.3f s\n", again.unchanged,
	       (double)(clock_now_us() - t1) / 1e6);
	ingest_summary_free(&again);
	ingest_summary_free(&sum);
	embed_free(&e);
	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
