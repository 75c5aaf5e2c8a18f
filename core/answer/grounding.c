#include "core/answer/grounding.h"
#include "core/util/hash.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *const stopwords[] = {
	"the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "you", "your",
	"can", "will", "has", "have", "not", "but", "all", "any", "our", "its", "his", "her",
	"they", "them", "their", "there", "then", "than", "into", "out", "about", "which", "when",
	"what", "who", "how", "why", "where", "also", "only", "each", "may", "must", "should",
	"would", "could", "been", "being", "does", "did", "use", "used", "per",
};

/* Words a '.' follows without ending the sentence (lower-cased). "No."
 * is one only before a number ("No. 5"). */
static const char *const abbreviations[] = {
	"dr", "mr", "mrs", "ms", "prof", "st", "vs", "cf", "fig", "approx", "jr", "sr",
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

enum char_kind { CHAR_OTHER, CHAR_WORD, CHAR_SPACE };

/* The character at s (before end): its code point and bytes (at least 1,
 * an invalid byte alone), and whether it is part of a word (a letter,
 * digit or mark of any script), a space (ASCII or Unicode, the no-break
 * space too) or other (punctuation, symbols: curly quotes and dashes
 * separate words like ASCII ones). */
static enum char_kind char_at(const char *s, const char *end, uint32_t *cp, size_t *len)
{
	unsigned char c = (unsigned char)*s;
	*len = 1;
	*cp = c;
	if (c < 0x80)
		return isalnum(c) ? CHAR_WORD : isspace(c) ? CHAR_SPACE : CHAR_OTHER;
	size_t n = utf8_decode(s, (size_t)(end - s), cp);
	if (!n)
		return CHAR_OTHER;
	*len = n;
	switch (utf8proc_get_property((utf8proc_int32_t)*cp)->category) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return CHAR_WORD;
	case UTF8PROC_CATEGORY_ZS:
		return CHAR_SPACE;
	default:
		return CHAR_OTHER;
	}
}

/* Bytes of the space at s (ASCII or Unicode), 0 when s holds none. */
static size_t space_at(const char *s, const char *end)
{
	uint32_t cp;
	size_t len;
	return s < end && char_at(s, end, &cp, &len) == CHAR_SPACE ? len : 0;
}

size_t grounding_next_word(const char **p, const char *end, char *buf, size_t size)
{
	const char *s = *p;
	uint32_t cp;
	size_t len;
	for (;;) {
		while (s < end && char_at(s, end, &cp, &len) != CHAR_WORD) {
			size_t cite = grounding_citation(s, end, NULL, 0, NULL);
			s += cite ? cite : len;
		}
		if (s >= end) {
			*p = end;
			return 0;
		}
		size_t n = 0, chars = 0;
		while (s < end && char_at(s, end, &cp, &len) == CHAR_WORD) {
			char low[4];
			size_t k = cp < 0x80 ? (low[0] = (char)tolower((int)cp), 1)
			                     : utf8_encode((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp), low);
			if (n + k < size) {
				memcpy(buf + n, low, k);
				n += k;
			}
			chars++;
			s += len;
		}
		buf[n] = '\0';
		if (chars >= 3 && !in_list(stopwords, sizeof stopwords / sizeof stopwords[0], buf, n)) {
			*p = s;
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
	for (size_t sp; a < b && (sp = space_at(text + a, text + b)) > 0;)
		a += sp;
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

/* The first character after text[i] that is not a space, or 0 at b. */
static char next_visible(const char *text, size_t i, size_t b)
{
	while (i < b && isspace((unsigned char)text[i]))
		i++;
	return i < b ? text[i] : '\0';
}

/* Whether an initial ("R.": one capital letter and a dot) follows at
 * text[k], past spaces. */
static bool initial_at(const char *text, size_t a, size_t k, size_t b)
{
	while (k < b && text[k] == ' ')
		k++;
	return k + 1 < b && isupper((unsigned char)text[k]) && text[k + 1] == '.' &&
	       (k == a || !isalnum((unsigned char)text[k - 1])) &&
	       (k + 2 == b || !isalnum((unsigned char)text[k + 2]));
}

/* Whether an initial ends just before text[w], past spaces. */
static bool initial_before(const char *text, size_t a, size_t w)
{
	while (w > a && text[w - 1] == ' ')
		w--;
	return w >= a + 2 && text[w - 1] == '.' && isupper((unsigned char)text[w - 2]) &&
	       (w - 2 == a || !isalnum((unsigned char)text[w - 3]));
}

/* True when the '.' at text[i] ends an abbreviation or an initial rather
 * than a sentence (the line runs from a to b): the word before it is
 * letters and dots with one letter between dots (e.g, i.e, U.S), a known
 * abbreviation, "no" before a number, or one capital letter next to
 * another initial ("J. R. Smith"). A word like docs/refunds.md or
 * example.com, or "plan B." before a new sentence, ends it. */
static bool abbreviation_dot(const char *text, size_t a, size_t i, size_t b)
{
	size_t w = i;
	bool dotted = false, initials = true;
	size_t run = 0;
	char low[8];
	while (w > a && (isalpha((unsigned char)text[w - 1]) || text[w - 1] == '.')) {
		if (text[w - 1] == '.') {
			dotted = true;
			initials &= run == 1;
			run = 0;
		} else {
			run++;
		}
		w--;
	}
	initials &= run == 1;
	size_t n = i - w;
	if (n == 0 || (w > a && (isalnum((unsigned char)text[w - 1]) || text[w - 1] == '/')))
		return false;
	if (dotted)
		return initials;   /* one letter between dots: e.g, U.S */
	if (n == 1)
		return isupper((unsigned char)text[w]) && (initial_at(text, a, i + 1, b) || initial_before(text, a, w));
	if (n >= sizeof low)
		return false;
	for (size_t k = 0; k < n; k++)
		low[k] = (char)tolower((unsigned char)text[w + k]);
	if (n == 2 && memcmp(low, "no", 2) == 0)
		return isdigit((unsigned char)next_visible(text, i + 1, b));
	return in_list(abbreviations, sizeof abbreviations / sizeof abbreviations[0], low, n);
}

/* Past the citations ([2], [1, 3]) at text[j] and after it, spaces
 * between them allowed; j when there is none. */
static size_t skip_citations(const char *text, size_t j, size_t b)
{
	size_t k = j, cite;
	for (;;) {
		while (k < b && isspace((unsigned char)text[k]))
			k++;
		if (!(cite = grounding_citation(text + k, text + b, NULL, 0, NULL)))
			return j;
		j = k += cite;
	}
}

/* Bytes of the ideographic full stop or fullwidth '!' or '?' (Chinese,
 * Japanese) at s, 0 when s holds none. */
static size_t wide_stop(const char *s, const char *end)
{
	static const char *const stops[] = { "\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f" };
	for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++)
		if (end - s >= 3 && memcmp(s, stops[k], 3) == 0)
			return 3;
	return 0;
}

/* Split one line's text [a, b) at its sentence ends. */
static void split_line(struct spans *s, const char *text, size_t a, size_t b)
{
	size_t start = a;
	for (size_t i = a; i < b; i++) {
		char c = text[i];
		size_t wide = wide_stop(text + i, text + b);
		if (wide) {   /* needs no space after it */
			size_t j = skip_citations(text, i + wide, b);
			spans_add(s, text, start, j);
			start = j;
			i = j - 1;
			continue;
		}
		if (c != '.' && c != '?' && c != '!')
			continue;
		if (c == '.' && abbreviation_dot(text, a, i, b))
			continue;
		size_t j = i + 1;
		while (j < b && strchr(".?!\"')", text[j]))
			j++;
		if (j < b && !space_at(text + j, text + b) && text[j] != '[')
			continue; /* inside a word or number: v1.2, 3.5, example.com */
		size_t k = skip_citations(text, j, b);
		if (k == j && j < b && text[j] == '[')
			continue; /* a bracket that is no citation: a[i].b */
		j = k;
		if (c == '.' && islower((unsigned char)next_visible(text, j, b)))
			continue;
		spans_add(s, text, start, j);
		start = j;
		i = j - 1;
	}
	spans_add(s, text, start, b);
}

/* Whether text[i, b) holds citations and nothing else but spaces. */
static bool only_citations(const char *text, size_t i, size_t b)
{
	while (b > i && isspace((unsigned char)text[b - 1]))
		b--;
	return b > i && skip_citations(text, i, b) == b;
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
		} else if (!fenced && s.n > 0 && only_citations(text, i, b)) {
			s.v[s.n - 1].end = b; /* citations alone on a line: the sentence above's */
			while (isspace((unsigned char)text[s.v[s.n - 1].end - 1]))
				s.v[s.n - 1].end--;
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
