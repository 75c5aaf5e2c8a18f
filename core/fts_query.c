#include "core/fts_query.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const stopwords[] = {
	"a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for",
	"from", "how", "i", "if", "in", "is", "it", "me", "my", "of", "on", "or", "our",
	"should", "so", "that", "the", "their", "there", "this", "to", "was", "we", "what",
	"when", "where", "which", "who", "why", "will", "with", "you", "your",
};

static bool is_stopword(const char *w)
{
	for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
		if (strcmp(stopwords[i], w) == 0)
			return true;
	return false;
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

static void add_term(struct fts_terms *t, const char *w, size_t len)
{
	if (t->n == FTS_QUERY_MAX_TERMS)
		return;
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->items[i]) == len && memcmp(t->items[i], w, len) == 0)
			return;
	t->items[t->n++] = xstrndup(w, len);
}

static void collect_terms(const char *text, size_t len, struct fts_terms *all)
{
	struct strbuf word = STRBUF_INIT;
	size_t i = 0;
	while (i <= len) {
		uint32_t cp = 0;
		size_t n = i < len ? utf8_decode(text + i, len - i, &cp) : 0;
		bool inside = i < len && n > 0 && is_word_cp(cp);
		if (inside) {
			if (cp < 0x80)
				sb_putc(&word, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
			else
				sb_append(&word, text + i, n);
		} else if (word.len) {
			add_term(all, word.buf, word.len);
			sb_reset(&word);
		}
		i += n ? n : 1;
	}
	sb_free(&word);
}

void fts_query_terms(const char *text, size_t len, struct fts_terms *out)
{
	struct fts_terms all = { .n = 0 };
	size_t kept = 0;
	collect_terms(text, len, &all);
	for (size_t i = 0; i < all.n; i++)
		kept += !is_stopword(all.items[i]);
	out->n = 0;
	for (size_t i = 0; i < all.n; i++) {
		if (kept && is_stopword(all.items[i]))
			free(all.items[i]);
		else
			out->items[out->n++] = all.items[i];
	}
}

char *fts_query_join(const struct fts_terms *t, const bool *keep)
{
	struct strbuf q = STRBUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		if (keep && !keep[i])
			continue;
		if (q.len)
			sb_puts(&q, " OR ");
		/* Terms hold only letters and digits, but quote-doubling keeps
		 * the string literal safe whatever is_word_cp lets through. */
		sb_putc(&q, '"');
		for (const char *p = t->items[i]; *p; p++) {
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

void fts_terms_free(struct fts_terms *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->items[i]);
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
