/* The hash embedder: an offline, deterministic bag of features.
 *
 * A text is cut into words: runs of letters and digits, lower-cased, with
 * accented Latin letters folded to ASCII ("Café" -> "cafe"), fullwidth
 * letters and digits folded to ASCII, Greek and Cyrillic capitals lowered,
 * and other non-ASCII letters kept as they are. Punctuation and symbols
 * (ASCII or not, "_" and "-" included) separate words. Each Chinese or
 * Japanese character is a word of its own, so word pairs act as character
 * bigrams for text written without spaces.
 *
 * Words in a small English stopword list are dropped before anything else,
 * so pairs join the content words around them ("reset of the password" gives
 * the pair reset+password); a text made only of stopwords keeps them all.
 * Features, each hashed once to 64 bits and finished with murmur3's fmix64
 * (hash64_mix in core/util/hash.h; words: FNV-1a with a family seed; pairs: the two word hashes mixed in
 * order; n-grams: their code points packed into one integer):
 *
 *   word        weight 1.0
 *   word pair   weight 0.7   (consecutive kept words, order matters)
 *   char n-gram weight 0.35 / sqrt(k), for the k 3- and 4-grams of a word
 *               of two or more characters padded with boundary marks
 *               ("<pa", "pas", ..., "<pas", ...), so that every word's
 *               n-grams together weigh 0.35 in the L2 sense
 *
 * A feature seen tf times in a text weighs (1 + ln tf) times its mean
 * weight. The hash's low 32 bits pick the dimension and its top bit the
 * sign; the vector is then L2-normalised. A text without words gives the
 * zero vector. Features are summed in a fixed order and 1 + ln tf comes
 * from a table for tf <= 32, so vectors are bit-identical across runs and,
 * for such counts, across C libraries. */
#include "core/embed/embed.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM_MIN 32
#define DIM_MAX 4096
#define STOP_SLOTS 256 /* power of two, over twice the stopword count */

enum family { FAM_WORD = 1, FAM_PAIR = 2 };

static const float W_WORD = 1.0f;
static const float W_PAIR = 0.7f;
static const float W_GRAM = 0.35f;

/* Boundary marks around a word for its n-grams (code points that never
 * occur in a word), and the seeds of the n-gram hashes. */
#define MARK_START 0x01
#define MARK_END 0x02
#define SEED_GRAM3 0x5851f42d4c957f2dull
#define SEED_GRAM4 0x14057b7ef767814full

struct word {
	uint32_t off, len; /* normalised bytes in norm */
	uint64_t hash;     /* its word feature */
	bool stop;
};

struct feature {
	uint64_t key;
	uint32_t count;
	float weight; /* sum of the weights of its occurrences */
};

/* Open-addressing slot; valid only when gen is the table's generation, so
 * the table empties in O(1) between texts. */
struct slot {
	uint64_t key;
	uint32_t idx;
	uint32_t gen;
};

struct hash_impl {
	struct slot *slots;
	size_t cap;
	uint32_t gen;
	struct feature *feats; /* distinct features of the text, first-seen order */
	size_t nfeat, featcap;
	struct word *words;
	size_t nwords, wordcap;
	char *norm;            /* the text's words, normalised, back to back */
	size_t normlen, normcap;
	uint32_t *chars;       /* one word's code points between boundary marks */
	size_t charcap;
	uint64_t stop_hash[STOP_SLOTS]; /* word hashes of the stopwords; 0 is empty */
	unsigned char stop_idx[STOP_SLOTS];
};

static const char *const stopwords[] = {
	"a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
	"because", "been", "being", "both", "but", "by", "can", "could", "d", "did", "do",
	"does", "doing", "each", "for", "from", "had", "has", "have", "having", "he", "her",
	"here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
	"itself", "just", "ll", "m", "me", "my", "of", "on", "only", "or", "our", "ours", "re",
	"s", "she", "should", "so", "some", "such", "t", "than", "that", "the", "their",
	"them", "then", "there", "these", "they", "this", "those", "to", "too", "ve", "very",
	"was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
	"will", "with", "would", "you", "your", "yours",
};

/* 1 + ln(tf) for tf = 1..32, written out so no libm is involved. */
static const float tf_weight[33] = {
	0.0f,        1.0f,        1.69314718f, 2.09861229f, 2.38629436f, 2.60943791f, 2.79175947f,
	2.94591015f, 3.07944154f, 3.19722458f, 3.30258509f, 3.39789527f, 3.48490665f, 3.56494936f,
	3.63905733f, 3.7080502f,  3.77258872f, 3.83321334f, 3.89037176f, 3.94443898f, 3.99573227f,
	4.04452244f, 4.09104245f, 4.13549422f, 4.17805383f, 4.21887582f, 4.25809654f, 4.29583687f,
	4.33220451f, 4.36729583f, 4.40119738f, 4.4339872f,  4.4657359f,
};

/* ASCII folding of U+00C0..U+017F: a letter, '*' for the two-letter folds
 * in fold_pair, ' ' for the two non-letters (multiplication, division). */
static const char latin_fold[] = "aaaaaa*ceeeeiiiidnooooo ouuuuy**"
                                 "aaaaaa*ceeeeiiiidnooooo ouuuuy*y"
                                 "aaaaaaccccccccddddeeeeeeeeeegggg"
                                 "gggghhhhiiiiiiiiii**jjkkklllllll"
                                 "lllnnnnnnn**oooooo**rrrrrrssssss"
                                 "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

static const char *fold_pair(uint32_t cp)
{
	switch (cp) {
	case 0xc6: case 0xe6: return "ae";
	case 0xde: case 0xfe: return "th";
	case 0xdf: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x14a: case 0x14b: return "ng";
	default: return "oe"; /* 0x152, 0x153 */
	}
}

#define FNV_PRIME 0x100000001b3ull

static inline uint64_t fnv_init(enum family f)
{
	return 0xcbf29ce484222325ull ^ ((uint64_t)f * 0x9e3779b97f4a7c15ull);
}

static inline uint64_t fnv_bytes(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Decode one UTF-8 sequence at p; returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n;
	uint32_t c = p[0];
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Write c (U+0080..U+07FF) as two UTF-8 bytes. */
static void utf8_encode2(uint32_t c, char *out)
{
	out[0] = (char)(0xc0 | c >> 6);
	out[1] = (char)(0x80 | (c & 0x3f));
}

/* Punctuation, symbols, spaces and emoji outside ASCII. */
static bool is_separator(uint32_t c)
{
	return c < 0xc0 || c == 0xd7 || c == 0xf7 || (c >= 0x2000 && c <= 0x2bff) ||
	       (c >= 0x3000 && c <= 0x303f) || (c >= 0xfe30 && c <= 0xfe6f) || c == 0xfeff ||
	       (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	       (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) || c >= 0xfff0 ||
	       (c >= 0x1f000 && c <= 0x1faff);
}

/* Kana and Han: one word per character. */
static bool is_ideograph(uint32_t c)
{
	return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	       (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0x20000 && c <= 0x2ffff);
}

#define STOPWORD_COUNT (sizeof stopwords / sizeof *stopwords)

static uint64_t word_hash(const char *s, size_t n)
{
	return hash64_mix(fnv_bytes(fnv_init(FAM_WORD), s, n));
}

/* The stopwords as a small hash set keyed by their word feature, so the
 * check costs one probe on a hash that is computed anyway. */
static void build_stopset(struct hash_impl *h)
{
	for (size_t i = 0; i < STOPWORD_COUNT; i++) {
		uint64_t k = word_hash(stopwords[i], strlen(stopwords[i]));
		size_t j = k & (STOP_SLOTS - 1);
		while (h->stop_hash[j])
			j = (j + 1) & (STOP_SLOTS - 1);
		h->stop_hash[j] = k;
		h->stop_idx[j] = (unsigned char)i;
	}
}

static bool is_stopword(const struct hash_impl *h, const char *s, size_t n, uint64_t hash)
{
	for (size_t j = hash & (STOP_SLOTS - 1); h->stop_hash[j]; j = (j + 1) & (STOP_SLOTS - 1)) {
		if (h->stop_hash[j] == hash) {
			const char *sw = stopwords[h->stop_idx[j]];
			return strlen(sw) == n && memcmp(sw, s, n) == 0;
		}
	}
	return false;
}

/* Record norm[off..normlen) as the next word. */
static void push_word(struct hash_impl *h, size_t off)
{
	if (h->nwords == h->wordcap) {
		h->wordcap = h->wordcap ? 2 * h->wordcap : 64;
		h->words = xreallocarray(h->words, h->wordcap, sizeof *h->words);
	}
	struct word *w = &h->words[h->nwords++];
	w->off = (uint32_t)off;
	w->len = (uint32_t)(h->normlen - off);
	w->hash = word_hash(h->norm + off, w->len);
	w->stop = is_stopword(h, h->norm + off, w->len, w->hash);
}

/* Append code point c (raw[0..n) in the text) to norm, normalised; returns
 * false, appending nothing, when c separates words instead. */
static bool put_char(struct hash_impl *h, uint32_t c, const unsigned char *raw, size_t n)
{
	char *out = h->norm + h->normlen;
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
			return false;
		*out = (char)c;
		h->normlen++;
		return true;
	}
	if (c >= 0xc0 && c <= 0x17f) {
		char f = latin_fold[c - 0xc0];
		if (f == ' ')
			return false;
		if (f == '*') {
			memcpy(out, fold_pair(c), 2);
			h->normlen += 2;
			return true;
		}
		*out = f;
		h->normlen++;
		return true;
	}
	if (is_separator(c))
		return false;
	if (c >= 0xff10 && c <= 0xff19)
		return put_char(h, '0' + (c - 0xff10), raw, n);
	if ((c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a))
		return put_char(h, 'a' + (c - (c >= 0xff41 ? 0xff41 : 0xff21)), raw, n);
	/* Greek and Cyrillic capitals to lower case: same length */
	if ((c >= 0x391 && c <= 0x3a9 && c != 0x3a2) || (c >= 0x410 && c <= 0x42f)) {
		utf8_encode2(c + 0x20, out);
	} else if (c >= 0x400 && c <= 0x40f) {
		utf8_encode2(c + 0x50, out);
	} else {
		memcpy(out, raw, n);
		h->normlen += n;
		return true;
	}
	h->normlen += 2;
	return true;
}

/* Cut text into normalised words in h->words and h->norm. Normalising
 * never lengthens the text, so norm is sized once. */
static void split_words(struct hash_impl *h, const char *text, size_t len)
{
	if (h->normcap < len + 1) {
		h->normcap = len + 1;
		h->norm = xrealloc(h->norm, h->normcap);
	}
	h->normlen = 0;
	h->nwords = 0;
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	size_t start = 0;
	bool in_word = false;
	while (p < end) {
		uint32_t c = *p;
		size_t n = 1;
		if (c >= 0x80 && (n = utf8_decode(p, end, &c)) == 0) {
			c = ' ';
			n = 1;
		}
		if (!in_word)
			start = h->normlen;
		if (c >= 0x3040 && is_ideograph(c)) {
			if (in_word)
				push_word(h, start);
			start = h->normlen;
			memcpy(h->norm + start, p, n);
			h->normlen += n;
			push_word(h, start);
			in_word = false;
		} else if (put_char(h, c, p, n)) {
			in_word = true;
		} else if (in_word) {
			push_word(h, start);
			in_word = false;
		}
		p += n;
	}
	if (in_word)
		push_word(h, start);
}

static void table_reset(struct hash_impl *h)
{
	h->nfeat = 0;
	if (++h->gen == 0) {
		if (h->slots)
			memset(h->slots, 0, h->cap * sizeof *h->slots);
		h->gen = 1;
	}
}

static struct slot *table_find(struct hash_impl *h, uint64_t key)
{
	size_t mask = h->cap - 1;
	size_t i = (size_t)(key ^ key >> 29) & mask;
	while (h->slots[i].gen == h->gen && h->slots[i].key != key)
		i = (i + 1) & mask;
	return &h->slots[i];
}

static void table_grow(struct hash_impl *h)
{
	free(h->slots);
	h->cap = h->cap ? 2 * h->cap : 1024;
	h->slots = xcalloc(h->cap, sizeof *h->slots);
	h->gen = 1;
	for (size_t i = 0; i < h->nfeat; i++) {
		struct slot *s = table_find(h, h->feats[i].key);
		*s = (struct slot){ .key = h->feats[i].key, .idx = (uint32_t)i, .gen = h->gen };
	}
}

static void add_feature(struct hash_impl *h, uint64_t key, float weight)
{
	if (2 * (h->nfeat + 1) > h->cap)
		table_grow(h);
	struct slot *s = table_find(h, key);
	if (s->gen == h->gen) {
		h->feats[s->idx].count++;
		h->feats[s->idx].weight += weight;
		return;
	}
	if (h->nfeat == h->featcap) {
		h->featcap = h->featcap ? 2 * h->featcap : 512;
		h->feats = xreallocarray(h->feats, h->featcap, sizeof *h->feats);
	}
	*s = (struct slot){ .key = key, .idx = (uint32_t)h->nfeat, .gen = h->gen };
	h->feats[h->nfeat++] = (struct feature){ .key = key, .count = 1, .weight = weight };
}

/* Character n-grams of a word. A code point fits in 21 bits, so three of
 * them pack exactly into 64 bits and hash64_mix, a bijection, gives every
 * 3-gram its own hash; a 4-gram mixes its 3-gram's hash with the fourth. */
static void add_ngrams(struct hash_impl *h, const struct word *w)
{
	if (h->charcap < (size_t)w->len + 2) {
		h->charcap = (size_t)w->len + 2;
		h->chars = xreallocarray(h->chars, h->charcap, sizeof *h->chars);
	}
	const unsigned char *p = (const unsigned char *)h->norm + w->off, *end = p + w->len;
	uint32_t *c = h->chars;
	uint32_t n = 0;
	while (p < end) {
		uint32_t cp = *p;
		size_t k = cp < 0x80 ? 1 : utf8_decode(p, end, &cp);
		p += k ? k : 1; /* norm is valid UTF-8; never stall regardless */
		c[++n] = cp;
	}
	if (n < 2)
		return;
	c[0] = MARK_START;
	c[n + 1] = MARK_END;

	/* n 3-grams and n - 1 4-grams over the n + 2 padded positions */
	float weight = W_GRAM / sqrtf((float)(2 * n - 1));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t tri = (uint64_t)c[i] | (uint64_t)c[i + 1] << 21 | (uint64_t)c[i + 2] << 42;
		uint64_t h3 = hash64_mix(tri ^ SEED_GRAM3);
		add_feature(h, h3, weight);
		if (i + 1 < n)
			add_feature(h, hash64_mix((h3 ^ SEED_GRAM4) + c[i + 3]), weight);
	}
}

static void add_features(struct hash_impl *h)
{
	bool keep_stop = true;
	for (size_t i = 0; i < h->nwords && keep_stop; i++)
		keep_stop = h->words[i].stop;
	uint64_t prev = 0;
	bool have_prev = false;
	for (size_t i = 0; i < h->nwords; i++) {
		const struct word *w = &h->words[i];
		if (w->stop && !keep_stop)
			continue;
		add_feature(h, w->hash, W_WORD);
		if (have_prev)
			add_feature(h, hash64_mix(prev * 0x9e3779b97f4a7c15ull + w->hash + FAM_PAIR), W_PAIR);
		prev = w->hash;
		have_prev = true;
		add_ngrams(h, w);
	}
}

static void write_vector(const struct hash_impl *h, int dim, float *out)
{
	memset(out, 0, (size_t)dim * sizeof *out);
	for (size_t i = 0; i < h->nfeat; i++) {
		const struct feature *f = &h->feats[i];
		float tf = f->count < 33 ? tf_weight[f->count] : 1.0f + logf((float)f->count);
		float w = f->count == 1 ? f->weight : tf * (f->weight / (float)f->count);
		uint32_t d = (uint32_t)(((f->key & 0xffffffffull) * (uint64_t)dim) >> 32);
		/* the sign bit of the hash becomes the sign of w, without a
		 * branch that would fail half the time */
		uint32_t bits;
		memcpy(&bits, &w, sizeof bits);
		bits ^= (uint32_t)(f->key >> 63) << 31;
		memcpy(&w, &bits, sizeof w);
		out[d] += w;
	}
	double ss = 0.0;
	for (int i = 0; i < dim; i++)
		ss += (double)out[i] * (double)out[i];
	if (ss > 0.0) {
		float inv = (float)(1.0 / sqrt(ss));
		for (int i = 0; i < dim; i++)
			out[i] *= inv;
	}
}

static int hash_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                      float *out, struct embed_report *rep, char *err, size_t errlen)
{
	struct hash_impl *h = e->impl;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > UINT32_MAX) {
			snprintf(err, errlen,
			         "embed: text %zu is %zu bytes; the hash embedder takes at most 4 GiB",
			         i + 1, lens[i]);
			rep->failed_input = (long)i;
			return -1;
		}
		table_reset(h);
		split_words(h, texts[i] ? texts[i] : "", lens[i]);
		add_features(h);
		write_vector(h, e->dim, out + i * (size_t)e->dim);
	}
	return 0;
}

static void hash_destroy(struct embedder *e)
{
	struct hash_impl *h = e->impl;
	free(h->slots);
	free(h->feats);
	free(h->words);
	free(h->norm);
	free(h->chars);
	free(h);
	free(e->model);
	free(e);
}

static struct embedder *hash_clone(const struct embedder *e)
{
	return embed_hash_new(e->dim);
}

static const struct embedder_ops hash_ops = {
	.kind = "hash",
	.embed = hash_embed,
	.destroy = hash_destroy,
	.clone = hash_clone,
};

struct embedder *embed_hash_new(int dim)
{
	if (dim < DIM_MIN || dim > DIM_MAX)
		return NULL;
	struct embedder *e = xcalloc(1, sizeof *e);
	char model[32];
	snprintf(model, sizeof model, "hash-v1-%d", dim);
	e->ops = &hash_ops;
	e->dim = dim;
	e->group_inputs = 512;
	e->model = xstrdup(model);
	struct hash_impl *h = xcalloc(1, sizeof *h);
	build_stopset(h);
	e->impl = h;
	return e;
}
