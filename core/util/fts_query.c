#include "core/util/fts_query.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Common English function words and the scaffolding of questions and
 * requests: they say how something is asked, not what about. Sorted. */
static const char *const stopwords[] = {
	"a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "anybody", "anyone",
	"anything", "are", "as", "at", "be", "been", "being", "but", "by", "can", "cannot", "could",
	"did", "do", "does", "doing", "dont", "for", "from", "get", "gets", "getting", "got", "had",
	"has", "have", "hello", "help", "hey", "hi", "how", "i", "if", "im", "in", "into", "is", "it",
	"its", "ive", "just", "know", "let", "like", "me", "might", "must", "my", "need", "needs",
	"no", "not", "of", "ok", "okay", "on", "or", "our", "please", "pls", "plz", "so", "some",
	"somebody", "someone", "something", "tell", "thank", "thanks", "that", "the", "their", "them",
	"then", "there", "these", "they", "this", "those", "to", "us", "very", "want", "wanted", "was",
	"way", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would",
	"yes", "you", "your",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_stopword(const char *w)
{
	return bsearch(&w, stopwords, sizeof stopwords / sizeof stopwords[0], sizeof stopwords[0], cmp_str) != NULL;
}

/* Letters and digits of any script form words, as FTS5's unicode61
 * tokenizer sees them closely enough: ASCII alnum, and every non-ASCII code
 * point that is not punctuation, a symbol or a space of the common blocks. */
static bool is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return false; /* Latin-1 punctuation and symbols, C1 controls */
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0xFEFF || cp == 0xFFFD)
		return false; /* punctuation, symbols, arrows, emoji, variation selectors */
	return true;
}

/* A word token of the text: its bytes. */
struct token {
	size_t start, end;
};

/* A candidate term before selection. */
struct cand {
	char *text;
	enum fts_term_kind kind;
	double weight;
	size_t pos;
	bool weak;           /* a stopword, a single character, a short number */
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static void token_text(const char *text, const struct token *t, struct strbuf *out)
{
	for (size_t i = t->start; i < t->end; i++) {
		char c = text[i];
		sb_putc(out, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
	}
}

static void add_cand(struct cands *c, char *text, enum fts_term_kind kind, double weight, size_t pos, bool weak)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].text, text) == 0) {
			free(text);
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n++] = (struct cand){ text, kind, weight, pos, weak };
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return true;
	return false;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static bool has_ascii_letter(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')
			return true;
	return false;
}

static void add_word(struct cands *c, const char *text, const struct token *t)
{
	struct strbuf w = STRBUF_INIT;
	size_t n = t->end - t->start;
	const char *s = text + t->start;
	token_text(text, t, &w);
	bool number = all_digits(s, n);
	/* 2fa, v2, ipv6 and 413 name things; 1 and 04 rarely do */
	bool ident = (has_digit(s, n) && has_ascii_letter(s, n)) || (number && n >= 3);
	bool weak = is_stopword(w.buf) || (n == 1 && !(s[0] & 0x80) && !number);
	add_cand(c, sb_detach(&w, NULL), ident ? FTS_TERM_IDENT : FTS_TERM_WORD,
	         ident ? FTS_WEIGHT_IDENT : FTS_WEIGHT_WORD, t->start, weak);
}

static void add_phrase(struct cands *c, const char *text, const struct token *t, size_t n,
                       enum fts_term_kind kind, double weight)
{
	struct strbuf p = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&p, ' ');
		token_text(text, &t[i], &p);
	}
	add_cand(c, sb_detach(&p, NULL), kind, weight, t[0].start, false);
}

/* The word tokens of text[0..len). */
static struct token *tokenize(const char *text, size_t len, size_t *n_out)
{
	struct token *v = NULL;
	size_t n = 0, cap = 0, i = 0;
	while (i < len) {
		uint32_t cp = 0;
		size_t k = utf8_decode(text + i, len - i, &cp);
		if (!k)
			k = 1;
		if (!is_word_cp(cp) || k == 0) {
			i += k;
			continue;
		}
		size_t start = i;
		while (i < len) {
			k = utf8_decode(text + i, len - i, &cp);
			if (!k || !is_word_cp(cp))
				break;
			i += k;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = (struct token){ start, i };
	}
	*n_out = n;
	return v;
}

/* Quoted spans of 2..FTS_PHRASE_MAX tokens: straight or typographic
 * double quotes. */
static void read_quotes(const char *text, const struct token *t, size_t n, size_t len, struct cands *c)
{
	size_t open = SIZE_MAX;
	for (size_t i = 0; i < len; i++) {
		bool quote = text[i] == '"';
		size_t w = 1;
		if (!quote && i + 2 < len && (unsigned char)text[i] == 0xe2 && (unsigned char)text[i + 1] == 0x80 &&
		    ((unsigned char)text[i + 2] == 0x9c || (unsigned char)text[i + 2] == 0x9d)) {
			quote = true;
			w = 3;
		}
		if (!quote)
			continue;
		if (open == SIZE_MAX) {
			open = i + w;
		} else {
			size_t a = 0;
			while (a < n && t[a].start < open)
				a++;
			size_t b = a;
			while (b < n && t[b].end <= i)
				b++;
			if (b - a >= 2 && b - a <= FTS_PHRASE_MAX)
				add_phrase(c, text, t + a, b - a, FTS_TERM_PHRASE, FTS_WEIGHT_QUOTED);
			open = SIZE_MAX;
		}
		i += w - 1;
	}
}

/* Text order; a phrase before the word it starts with. */
static int by_pos(const void *a, const void *b)
{
	const struct fts_term *x = a, *y = b;
	if (x->pos != y->pos)
		return (x->pos > y->pos) - (x->pos < y->pos);
	return (x->kind != FTS_TERM_PHRASE) - (y->kind != FTS_TERM_PHRASE);
}

void fts_query_terms(const char *text, size_t len, struct fts_terms *out)
{
	struct cands c = { 0 };
	size_t n_tok = 0;
	struct token *t = tokenize(text, len, &n_tok);
	read_quotes(text, t, n_tok, len, &c);
	for (size_t i = 0; i < n_tok; i++)
		add_word(&c, text, &t[i]);
	free(t);
	size_t strong = 0;
	for (size_t i = 0; i < c.n; i++)
		strong += !c.v[i].weak;
	out->n = 0;
	/* Quoted phrases and identifiers first, then words, each in text order. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c.n; i++) {
			struct cand *k = &c.v[i];
			bool word = k->kind == FTS_TERM_WORD;
			if (!k->text || word != (pass == 1) || (strong && k->weak) || out->n == FTS_QUERY_MAX_TERMS)
				continue;
			out->items[out->n++] = (struct fts_term){ k->text, k->kind, k->weight, k->pos };
			k->text = NULL;
		}
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.v[i].text);
	free(c.v);
	qsort(out->items, out->n, sizeof out->items[0], by_pos);
}

char *fts_query_join(const struct fts_terms *t, const bool *keep)
{
	struct strbuf q = STRBUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		if (keep && !keep[i])
			continue;
		if (q.len)
			sb_puts(&q, " OR ");
		/* Terms hold only letters, digits and spaces, but quote-doubling
		 * keeps the string literal safe whatever is_word_cp lets through. */
		sb_putc(&q, '"');
		for (const char *p = t->items[i].text; *p; p++) {
			if (*p == '"')
				sb_putc(&q, '"');
			sb_putc(&q, *p);
		}
		sb_putc(&q, '"');
	}
	if (!q.len)
		return NULL;
	return sb_detach(&q, NULL);
}

char *fts_query_rank(const struct fts_terms *t, const bool *keep, double proximity, double text_weight,
                     double heading_weight)
{
	struct strbuf r = STRBUF_INIT;
	size_t kept = 0;
	sb_printf(&r, "ragdeck_rank(%g, %g, %g", proximity, text_weight, heading_weight);
	for (size_t i = 0; i < t->n; i++) {
		if (keep && !keep[i])
			continue;
		sb_printf(&r, ", %g", t->items[i].weight);
		kept++;
	}
	sb_putc(&r, ')');
	if (!kept) {
		sb_free(&r);
		return NULL;
	}
	return sb_detach(&r, NULL);
}

void fts_terms_free(struct fts_terms *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->items[i].text);
	t->n = 0;
}

char *fts_query_build(const char *text, size_t len)
{
	struct fts_terms t;
	fts_query_terms(text, len, &t);
	char *q = fts_query_join(&t, NULL);
	fts_terms_free(&t);
	return q;
}
