#include "core/answer/grounding.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SUPPORT_SHARE 0.6
#define MIN_WORDS 3

static const char *const stopwords[] = {
	"the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "you", "your",
	"can", "will", "has", "have", "not", "but", "all", "any", "our", "its", "his", "her",
	"they", "them", "their", "there", "then", "than", "into", "out", "about", "which", "when",
	"what", "who", "how", "why", "where", "also", "only", "each", "may", "must", "should",
	"would", "could", "been", "being", "does", "did", "use", "used", "per",
};

static bool is_stopword(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
		if (strlen(stopwords[i]) == n && memcmp(stopwords[i], w, n) == 0)
			return true;
	return false;
}

/* A set of word hashes: open addressing, power-of-two capacity. */
struct word_set {
	uint64_t *slots;
	size_t cap, n;
};

static void set_add(struct word_set *s, uint64_t h)
{
	if (2 * (s->n + 1) > s->cap) {
		struct word_set bigger = { xcalloc(s->cap ? 2 * s->cap : 256, sizeof(uint64_t)),
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

static bool set_has(const struct word_set *s, uint64_t h)
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

/* Next content word of text at *p (advanced past it), lower-cased into
 * buf; returns its length, 0 at a sentence end or the end of the text. */
static size_t next_word(const char **p, char *buf, size_t size, bool *sentence_end)
{
	const unsigned char *s = (const unsigned char *)*p;
	*sentence_end = false;
	for (;;) {
		while (*s && !isalnum(*s) && *s < 0x80) {
			if (*s == '.' || *s == '?' || *s == '!' || *s == '\n') {
				if (*s != '.' || !isdigit(s[1])) {
					*p = (const char *)s + 1;
					*sentence_end = true;
					return 0;
				}
			}
			if (*s == '[') { /* a citation like [12] */
				const unsigned char *q = s + 1;
				while (isdigit(*q))
					q++;
				if (*q == ']' && q > s + 1) {
					s = q + 1;
					continue;
				}
			}
			s++;
		}
		if (!*s) {
			*p = (const char *)s;
			return 0;
		}
		size_t n = 0;
		while (*s && (isalnum(*s) || *s >= 0x80)) {
			if (n + 1 < size)
				buf[n++] = (char)tolower(*s);
			s++;
		}
		buf[n] = '\0';
		if (n >= 3 && !is_stopword(buf, n)) {
			*p = (const char *)s;
			return n;
		}
	}
}

bool grounding_score(const char *answer, const char *const *context, size_t n_context,
                     struct grounding_result *out)
{
	struct word_set ctx = { 0 };
	char word[128];
	bool end;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n_context; i++) {
		const char *p = context[i];
		size_t n;
		while (*p) {
			if ((n = next_word(&p, word, sizeof word, &end)) > 0)
				set_add(&ctx, hash64(word, n));
		}
	}
	const char *p = answer;
	size_t words = 0, found = 0;
	for (;;) {
		size_t n = next_word(&p, word, sizeof word, &end);
		if (n) {
			words++;
			found += set_has(&ctx, hash64(word, n));
			continue;
		}
		if (words >= MIN_WORDS) {
			out->sentences++;
			out->supported += (double)found >= SUPPORT_SHARE * (double)words;
		}
		words = found = 0;
		if (!*p)
			break;
	}
	free(ctx.slots);
	if (!out->sentences)
		return false;
	out->score = (double)out->supported / (double)out->sentences;
	return true;
}
