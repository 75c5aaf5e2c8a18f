#include "core/answer/grounding.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const stopwords[] = {
	"the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "you", "your",
	"can", "will", "has", "have", "not", "but", "all", "any", "our", "its", "his", "her",
	"they", "them", "their", "there", "then", "than", "into", "out", "about", "which", "when",
	"what", "who", "how", "why", "where", "also", "only", "each", "may", "must", "should",
	"would", "could", "been", "being", "does", "did", "use", "used", "per",
};

/* Words a '.' follows without ending the sentence (lower-cased). */
static const char *const abbreviations[] = {
	"dr", "mr", "mrs", "ms", "prof", "st", "vs", "cf", "fig", "approx", "no", "jr", "sr",
	"inc", "ltd", "ca", "al",
};

static bool in_list(const char *const *list, size_t n_list, const char *w, size_t n)
{
	for (size_t i = 0; i < n_list; i++)
		if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0)
			return true;
	return false;
}

/* A set of word hashes: open addressing, power-of-two capacity. */
struct grounding_words {
	uint64_t *slots;
	size_t cap, n;
};

static void set_add(struct grounding_words *s, uint64_t h)
{
	if (2 * (s->n + 1) > s->cap) {
		struct grounding_words bigger = { xcalloc(s->cap ? 2 * s->cap : 256, sizeof(uint64_t)),
		                                  s->cap ? 2 * s->cap : 256, 0 };
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i])
				set_add(&bigger, s->slots[i]);
		free(s->slots);
		*s = bigger;
	}
	size_t i = (size_t)h & (s->cap - 1);
	while (s->slots[i] && s->slots[i] != h)
		i = (i + 1) & (s->cap - 1);
	if (!s->slots[i]) {
		s->slots[i] = h;
		s->n++;
	}
}

static bool set_has(const struct grounding_words *s, uint64_t h)
{
	if (!s->cap)
		return false;
	size_t i = (size_t)h & (s->cap - 1);
	while (s->slots[i]) {
		if (s->slots[i] == h)
			return true;
		i = (i + 1) & (s->cap - 1);
	}
	return false;
}

size_t grounding_citation(const char *s, const char *end, int *nums, size_t cap, size_t *n)
{
	const char *q = s + 1;
	size_t count = 0;
	if (s >= end || *s != '[')
		return 0;
	for (;;) {
		const char *digits = q;
		long v = 0;
		while (q < end && isdigit((unsigned char)*q) && q - digits < 6)
			v = 10 * v + (*q++ - '0');
		if (q == digits)
			return 0;
		if (count < cap)
			nums[count] = (int)v;
		count++;
		if (q < end && *q == ']')
			break;
		if (q >= end || *q != ',')
			return 0;
		q++;
		while (q < end && *q == ' ')
			q++;
	}
	if (n)
		*n = count < cap ? count : cap;
	return (size_t)(q + 1 - s);
}

size_t grounding_next_word(const char **p, const char *end, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)*p, *e = (const unsigned char *)end;
	for (;;) {
		while (s < e && !isalnum(*s) && *s < 0x80) {
			size_t cite = grounding_citation((const char *)s, end, NULL, 0, NULL);
			s += cite ? cite : 1;
		}
		if (s >= e) {
			*p = end;
			return 0;
		}
		size_t n = 0;
		while (s < e && (isalnum(*s) || *s >= 0x80)) {
			if (n + 1 < size)
				buf[n++] = (char)tolower(*s);
			s++;
		}
		buf[n] = '\0';
		if (n >= 3 && !in_list(stopwords, sizeof stopwords / sizeof stopwords[0], buf, n)) {
			*p = (const char *)s;
			return n;
		}
	}
}

/* Growing list of spans. */
struct spans {
	struct grounding_span *v;
	size_t n, cap;
};

/* Add [a, b) of text, trimmed, unless nothing is left. */
static void spans_add(struct spans *s, const char *text, size_t a, size_t b)
{
	while (a < b && isspace((unsigned char)text[a]))
		a++;
	while (b > a && isspace((unsigned char)text[b - 1]))
		b--;
	if (a == b)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = (struct grounding_span){ a, b };
}

/* True when the '.' at text[i] ends an abbreviation or an initial: the
 * word before it (back to line start a) holds a dot itself (e.g, i.e), is
 * one letter, or is a known abbreviation. */
static bool abbreviation_dot(const char *text, size_t a, size_t i)
{
	size_t w = i;
	bool dotted = false;
	char low[8];
	while (w > a && (isalpha((unsigned char)text[w - 1]) || text[w - 1] == '.')) {
		dotted |= text[w - 1] == '.';
		w--;
	}
	size_t n = i - w;
	if (n == 0)
		return false;
	if (dotted || n == 1)
		return true;
	if (n >= sizeof low)
		return false;
	for (size_t k = 0; k < n; k++)
		low[k] = (char)tolower((unsigned char)text[w + k]);
	return in_list(abbreviations, sizeof abbreviations / sizeof abbreviations[0], low, n);
}

/* Split one line's text [a, b) at its sentence ends. */
static void split_line(struct spans *s, const char *text, size_t a, size_t b)
{
	size_t start = a;
	for (size_t i = a; i < b; i++) {
		char c = text[i];
		if (c != '.' && c != '?' && c != '!')
			continue;
		if (c == '.' && abbreviation_dot(text, a, i))
			continue;
		size_t j = i + 1;
		while (j < b && strchr(".?!\"')", text[j]))
			j++;
		if (j < b && !isspace((unsigned char)text[j]))
			continue; /* inside a word or number: v1.2, 3.5, example.com */
		size_t k = j, cite;
		for (;;) {
			while (k < b && isspace((unsigned char)text[k]))
				k++;
			if (!(cite = grounding_citation(text + k, text + b, NULL, 0, NULL)))
				break;
			j = k += cite;
		}
		if (c == '.' && k < b && islower((unsigned char)text[k]))
			continue;
		spans_add(s, text, start, j);
		start = j;
		i = j - 1;
	}
	spans_add(s, text, start, b);
}

/* Past a Markdown bullet ("- ", "* ", "+ ") or number ("1. ", "2) ") at
 * text[i], or i when there is none. */
static size_t skip_list_marker(const char *text, size_t i, size_t b)
{
	if (i + 1 < b && strchr("-*+", text[i]) && text[i + 1] == ' ')
		return i + 2;
	size_t d = i;
	while (d < b && isdigit((unsigned char)text[d]) && d - i < 4)
		d++;
	if (d > i && d + 1 < b && (text[d] == '.' || text[d] == ')') && text[d + 1] == ' ')
		return d + 2;
	return i;
}

size_t grounding_sentences(const char *text, struct grounding_span **out)
{
	struct spans s = { 0 };
	bool fenced = false;
	size_t pos = 0, len = strlen(text);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t b = nl ? (size_t)(nl - text) : len, i = pos;
		while (i < b && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (b - i >= 3 && (memcmp(text + i, "```", 3) == 0 || memcmp(text + i, "~~~", 3) == 0))
			fenced = !fenced;
		else if (!fenced && text[i] == '#') {
			while (i < b && text[i] == '#')
				i++;
			spans_add(&s, text, i, b); /* a heading is one sentence */
		} else if (!fenced)
			split_line(&s, text, skip_list_marker(text, i, b), b);
		pos = b + 1;
	}
	*out = s.v;
	return s.n;
}

struct grounding_words *grounding_words_of(const char *text, size_t len)
{
	struct grounding_words *w = xcalloc(1, sizeof *w);
	grounding_words_add(w, text, len);
	return w;
}

void grounding_words_add(struct grounding_words *w, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char word[128];
	size_t n;
	while ((n = grounding_next_word(&p, end, word, sizeof word)) > 0)
		set_add(w, hash64(word, n));
}

bool grounding_words_has(const struct grounding_words *w, const char *word, size_t n)
{
	return set_has(w, hash64(word, n));
}

void grounding_words_free(struct grounding_words **w)
{
	if (!w || !*w)
		return;
	free((*w)->slots);
	free(*w);
	*w = NULL;
}

bool grounding_score(const char *answer, const char *const *context, size_t n_context,
                     struct grounding_result *out)
{
	struct grounding_words ctx = { 0 };
	struct grounding_span *spans;
	char word[128];
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n_context; i++)
		grounding_words_add(&ctx, context[i], strlen(context[i]));
	size_t n_spans = grounding_sentences(answer, &spans);
	for (size_t i = 0; i < n_spans; i++) {
		const char *p = answer + spans[i].start, *end = answer + spans[i].end;
		size_t n, words = 0, found = 0;
		while ((n = grounding_next_word(&p, end, word, sizeof word)) > 0) {
			words++;
			found += grounding_words_has(&ctx, word, n);
		}
		if (words >= GROUNDING_MIN_WORDS) {
			out->sentences++;
			out->supported += (double)found >= GROUNDING_SHARE * (double)words;
		}
	}
	free(spans);
	free(ctx.slots);
	if (!out->sentences)
		return false;
	out->score = (double)out->supported / (double)out->sentences;
	return true;
}
