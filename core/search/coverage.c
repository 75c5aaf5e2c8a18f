#include "core/search/coverage.h"
#include "core/util/xalloc.h"
#include "store/fts.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tokens as the index stems them, sorted and unique. */
struct stems {
	char **v;
	size_t n, cap;
};

static void add_stem(void *ud, const char *token, size_t n, size_t start, size_t end)
{
	struct stems *s = ud;
	(void)start;
	(void)end;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = xstrndup(token, n);
}

static int compare_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop repeats. */
static void stems_finish(struct stems *out)
{
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, compare_str);
	size_t u = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (u && strcmp(out->v[u - 1], out->v[i]) == 0)
			free(out->v[i]);
		else
			out->v[u++] = out->v[i];
	}
	out->n = u;
}

/* The stems of text as tok makes them (as written without tok). */
static void stems_of(struct fts_tokenizer *tok, const char *text, struct stems *out)
{
	if (!tok || fts_tokenize(tok, text, strlen(text), add_stem, out) != 0)
		add_stem(out, text, strlen(text), 0, 0);
	stems_finish(out);
}

static void stems_free(struct stems *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static bool stems_have(const struct stems *s, const char *stem)
{
	return s->n && bsearch(&stem, s->v, s->n, sizeof *s->v, compare_str);
}

size_t coverage_edit_distance(const char *a, const char *b, size_t max)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 31 || m > 31 || (n > m ? n - m : m - n) > max)
		return max + 1;
	size_t d[32][32];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t row_min = SIZE_MAX;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return max + 1;
	}
	return d[n][m];
}

/* A word the index does not know (a typo) still counts as found in a
 * chunk that holds a word within one edit of it (two from eight letters
 * on); shorter words must match exactly. */
static bool near_stem(const struct stems *chunk, const char *stem)
{
	size_t len = strlen(stem), max = len >= 8 ? 2 : len >= 4 ? 1 : 0;
	for (size_t i = 0; max && i < chunk->n; i++)
		if (coverage_edit_distance(stem, chunk->v[i], max) <= max)
			return true;
	return false;
}

struct coverage {
	struct fts_tokenizer *tok;
	size_t n;
	struct stems *terms;      /* each term's stems */
	double *w;                /* each term's IDF */
	bool *unknown;            /* df 0: near spellings count */
	double total;
};

struct coverage *coverage_new(struct fts_tokenizer *tok, const struct fts_terms *terms, const int64_t *df,
                              size_t rows)
{
	struct coverage *c = xcalloc(1, sizeof *c);
	c->tok = tok;
	c->n = terms->n;
	c->terms = xcalloc(c->n + 1, sizeof *c->terms);
	c->w = xcalloc(c->n + 1, sizeof *c->w);
	c->unknown = xcalloc(c->n + 1, sizeof *c->unknown);
	for (size_t i = 0; i < c->n; i++) {
		stems_of(tok, terms->items[i].text, &c->terms[i]);
		c->w[i] = log(1.0 + (double)rows / ((double)df[i] + 1.0));
		c->unknown[i] = df[i] == 0;
		c->total += c->w[i];
	}
	return c;
}

double coverage_score(const struct coverage *c, const char *text, const char *heading)
{
	if (c->total <= 0)
		return 0;
	struct stems passage = { 0 };
	const char *parts[] = { text, heading };
	for (size_t p = 0; p < 2; p++) {
		if (!parts[p])
			continue;
		if (!c->tok || fts_tokenize(c->tok, parts[p], strlen(parts[p]), add_stem, &passage) != 0)
			add_stem(&passage, parts[p], strlen(parts[p]), 0, 0);
	}
	stems_finish(&passage);
	double got = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool all = c->terms[i].n > 0;
		for (size_t k = 0; k < c->terms[i].n && all; k++)
			all = stems_have(&passage, c->terms[i].v[k]) ||
			      (c->unknown[i] && near_stem(&passage, c->terms[i].v[k]));
		got += all ? c->w[i] : 0;
	}
	stems_free(&passage);
	return got / c->total;
}

void coverage_free(struct coverage **cp)
{
	struct coverage *c = cp ? *cp : NULL;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		stems_free(&c->terms[i]);
	free(c->terms);
	free(c->w);
	free(c->unknown);
	free(c);
	*cp = NULL;
}
