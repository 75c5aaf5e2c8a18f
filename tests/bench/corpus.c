/* corpus: a deterministic generated Markdown corpus for the benchmarks. */
#include "tests/bench/corpus.h"
#include "core/util/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Words follow Zipf's law over a generated vocabulary, as words in real
 * text do: a few very common words, a long tail of rare ones. Without the
 * tail every query term would match every document, which no real corpus
 * does. */
enum { VOCAB = 20000 };

static const char *const syllables[] = {
	"ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "qui", "ro",
	"su", "ta", "ve", "wi", "xo", "yu", "za", "bre", "cla", "dro", "fle", "gri", "pla", "sto",
	"tri", "vor", "nel", "mar", "sin", "tek", "lum", "orb",
};

static char vocab[VOCAB][16];
static double zipf_cdf[VOCAB];

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void build_vocab(void)
{
	const size_t ns = sizeof syllables / sizeof syllables[0];
	double sum = 0;
	if (vocab[0][0])
		return;
	for (size_t i = 0; i < VOCAB; i++) {
		/* Distinct by construction: word i spells i in base ns. */
		size_t v = i, len = 0;
		do {
			const char *syl = syllables[v % ns];
			size_t sl = strlen(syl);
			memcpy(vocab[i] + len, syl, sl);
			len += sl;
			v /= ns;
		} while (v);
		vocab[i][len] = '\0';
		sum += 1.0 / pow((double)(i + 1), 1.07);
		zipf_cdf[i] = sum;
	}
	for (size_t i = 0; i < VOCAB; i++)
		zipf_cdf[i] /= sum;
}

/* A word of rank at least min_rank, drawn by Zipf's law. */
static const char *zipf_word(size_t min_rank)
{
	double lo = min_rank ? zipf_cdf[min_rank - 1] : 0.0;
	double u = lo + (1.0 - lo) * ((double)(rng() >> 11) / 9007199254740992.0);
	size_t a = min_rank, b = VOCAB - 1;
	while (a < b) {
		size_t m = (a + b) / 2;
		if (zipf_cdf[m] < u)
			a = m + 1;
		else
			b = m;
	}
	return vocab[a];
}

static void sentence_of(struct strbuf *sb, int words, size_t min_rank)
{
	build_vocab();
	for (int i = 0; i < words; i++) {
		const char *w = zipf_word(min_rank);
		if (i == 0)
			sb_printf(sb, "%c%s", w[0] - 32, w + 1);
		else
			sb_printf(sb, " %s", w);
	}
}

static void sentence(struct strbuf *sb)
{
	sentence_of(sb, 8 + (int)(rng() % 18), 0);
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

uint64_t corpus_generate(const char *dir, uint64_t target)
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


void corpus_sentence(char *buf, unsigned long size, uint64_t seed)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t saved = rng_state;
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	/* Questions are short and skip the commonest function words. */
	sentence_of(&sb, 4 + (int)(rng() % 5), 30);
	rng_state = saved;
	snprintf(buf, size, "%s", sb_str(&sb));
	sb_free(&sb);
}
