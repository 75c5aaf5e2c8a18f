/* The local answerer's view of its context: blocks cut into sentences,
 * paragraphs, list items and lists, table rows and tables, and code
 * blocks, each with its content terms, scored against a question. */
#include "core/llm/local_int.h"
#include "core/util/stem.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WORD 64
#define MAX_QUOTE_BYTES 2000     /* a paragraph, list, table or code block quoted whole */
#define MIN_SENTENCE_WORDS 3

static const char *const stopwords[] = {
	"a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any",
	"are", "as", "at", "be", "been", "before", "being", "both", "but", "by", "can",
	"could", "did", "do", "does", "doing", "done", "down", "each", "few", "for", "from",
	"further", "get", "gets", "got", "had", "has", "have", "having", "he", "her", "here",
	"hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
	"just", "me", "more", "most", "my", "no", "nor", "not", "of", "off", "on", "once",
	"only", "or", "other", "our", "out", "over", "own", "please", "same", "she",
	"should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
	"there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
	"up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
	"who", "whom", "why", "will", "with", "would", "you", "your",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_stopword(const char *w)
{
	return bsearch(&w, stopwords, sizeof stopwords / sizeof stopwords[0], sizeof stopwords[0], cmp_str) != NULL;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void terms_push(struct lterms *t, uint32_t h)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = h;
}

static void add_word(struct lterms *t, char *w, size_t n)
{
	w[n] = '\0';
	if (is_stopword(w) || (n == 1 && !(w[0] >= '0' && w[0] <= '9')))
		return;
	n = stem_word(w, n);
	terms_push(t, fnv1a(w, n));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void lterms_of(struct lterms *t, const char *s, size_t len)
{
	char w[MAX_WORD + 1];
	size_t wn = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : ' ';
		if (is_word_byte(c)) {
			if (wn < MAX_WORD)
				w[wn++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
			continue;
		}
		if (wn)
			add_word(t, w, wn);
		wn = 0;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < t->n; i++)
		if (u == 0 || t->v[u - 1] != t->v[i])
			t->v[u++] = t->v[i];
	t->n = u;
}

bool lterms_has(const struct lterms *t, uint32_t h)
{
	return t->n && bsearch(&h, t->v, t->n, sizeof *t->v, cmp_u32) != NULL;
}

void lterms_merge(struct lterms *t, const struct lterms *more)
{
	for (size_t i = 0; i < more->n; i++)
		if (!lterms_has(t, more->v[i]))
			terms_push(t, more->v[i]);
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, cmp_u32);
}

void lterms_free(struct lterms *t)
{
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* ---- cutting blocks into units ------------------------------------------ */

struct cutter {
	struct units *u;
	size_t block;
	size_t section;
	bool archived;
	char *heading;
	size_t last_para;        /* the paragraph just before, for lead-ins; NO_UNIT */
};

static size_t count_words_n(const char *s, size_t n)
{
	size_t words = 0;
	bool in = false;
	for (size_t i = 0; i < n; i++) {
		bool space = s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
		words += !space && !in;
		in = !space;
	}
	return words;
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	bool in = false;
	for (; *s; s++) {
		bool space = *s == ' ' || *s == '\n' || *s == '\t';
		n += !space && !in;
		in = !space;
	}
	return n;
}

static size_t add_unit(struct cutter *c, enum unit_kind kind, const char *text, size_t n, size_t parent)
{
	struct units *u = c->u;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->v = xreallocarray(u->v, u->cap, sizeof *u->v);
	}
	struct unit *x = &u->v[u->n];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->block = c->block;
	x->section = c->section;
	x->parent = parent;
	x->lead = NO_UNIT;
	x->text = xstrndup(text, n);
	x->heading = xstrdup(c->heading);
	x->archived = c->archived;
	x->words = count_words(x->text);
	lterms_of(&x->terms, text, n);
	lterms_of(&x->about, c->heading, strlen(c->heading));
	lterms_merge(&x->about, &x->terms);
	return u->n++;
}

static bool starts_sentence(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' || c == '\'' || c == '(' || c == '[' ||
	       c == '`' || c == '*' || (unsigned char)c >= 0x80;
}

/* Sentences of a paragraph (single spaces): cut after ". ", "! ", "? "
 * before what can start a sentence. */
static void split_sentences(struct cutter *c, const char *p, size_t n, size_t parent)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '.' && p[i] != '!' && p[i] != '?')
			continue;
		size_t end = i + 1;
		while (end < n && (p[end] == '"' || p[end] == '\'' || p[end] == ')' || p[end] == ']' || p[end] == '*'))
			end++;
		if (end < n && !(p[end] == ' ' && end + 1 < n && starts_sentence(p[end + 1])))
			continue;
		while (start < end && p[start] == ' ')
			start++;
		if (count_words_n(p + start, end - start) >= MIN_SENTENCE_WORDS)
			add_unit(c, U_SENTENCE, p + start, end - start, parent);
		start = end;
		i = end;
	}
	while (start < n && p[start] == ' ')
		start++;
	if (start < n && count_words_n(p + start, n - start) >= MIN_SENTENCE_WORDS)
		add_unit(c, U_SENTENCE, p + start, n - start, parent);
}

/* Append line to a paragraph with whitespace runs shrunk to one space. */
static void append_line(struct strbuf *para, const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = (l[i] == '\t' || l[i] == '\r' || l[i] == '\f' || l[i] == '\v') ? ' ' : l[i];
		if (ch == ' ' && (para->len == 0 || para->buf[para->len - 1] == ' '))
			continue;
		sb_putc(para, ch);
	}
	if (para->len && para->buf[para->len - 1] != ' ')
		sb_putc(para, ' ');
}

static void flush_paragraph(struct cutter *c, struct strbuf *para)
{
	while (para->len && para->buf[para->len - 1] == ' ')
		para->len--;
	if (para->len) {
		size_t p = add_unit(c, U_PARAGRAPH, para->buf, para->len, NO_UNIT);
		c->last_para = p;
		split_sentences(c, para->buf, para->len, p);
	}
	sb_reset(para);
}

/* Length of a list marker at the start of l ("- ", "* ", "+ ", "12. ",
 * "3) "), 0 when none; *ordered for a number. */
static size_t list_marker(const char *l, size_t n, bool *ordered)
{
	*ordered = false;
	if (n >= 2 && (l[0] == '-' || l[0] == '*' || l[0] == '+') && l[1] == ' ')
		return 2;
	size_t d = 0;
	while (d < n && d < 4 && l[d] >= '0' && l[d] <= '9')
		d++;
	if (d && d + 1 < n && (l[d] == '.' || l[d] == ')') && l[d + 1] == ' ') {
		*ordered = true;
		return d + 2;
	}
	return 0;
}

/* A list being read: its lines as written and its items' text. */
struct list {
	struct strbuf raw;
	struct strbuf *items;
	size_t n, cap;
	bool ordered;
	bool blank;              /* a blank line was seen after the last item */
};

static void list_item(struct list *l, const char *text, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = xreallocarray(l->items, l->cap, sizeof *l->items);
	}
	l->items[l->n] = (struct strbuf)STRBUF_INIT;
	append_line(&l->items[l->n], text, n);
	l->n++;
}

static void flush_list(struct cutter *c, struct list *l)
{
	if (l->n) {
		size_t list = add_unit(c, U_LIST, l->raw.buf, l->raw.len > MAX_QUOTE_BYTES ? 0 : l->raw.len, NO_UNIT);
		c->u->v[list].ordered = l->ordered;
		c->u->v[list].lead = c->last_para;
		for (size_t i = 0; i < l->n; i++) {
			struct strbuf *it = &l->items[i];
			while (it->len && it->buf[it->len - 1] == ' ')
				it->len--;
			if (it->len) {
				size_t item = add_unit(c, U_ITEM, it->buf, it->len, list);
				c->u->v[item].ordered = l->ordered;
			}
			sb_free(it);
		}
		c->last_para = NO_UNIT;
	}
	free(l->items);
	sb_free(&l->raw);
	memset(l, 0, sizeof *l);
}

/* Cells of a "| a | b |" line, trimmed; returns how many. */
static size_t table_cells(const char *l, size_t n, char ***out)
{
	size_t count = 0, i = l[0] == '|' ? 1 : 0;
	char **cells = NULL;
	if (n > i && l[n - 1] == '|')
		n--;
	while (i <= n) {
		size_t end = i;
		while (end < n && !(l[end] == '|' && l[end - 1] != '\\'))
			end++;
		size_t a = i, b = end;
		while (a < b && l[a] == ' ')
			a++;
		while (b > a && l[b - 1] == ' ')
			b--;
		cells = xreallocarray(cells, count + 1, sizeof *cells);
		cells[count++] = xstrndup(l + a, b - a);
		i = end + 1;
	}
	*out = cells;
	return count;
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

/* A row of only dashes, colons, pipes and spaces: the header separator. */
static bool table_separator(const char *l, size_t n)
{
	bool dash = false;
	for (size_t i = 0; i < n; i++) {
		if (l[i] == '-')
			dash = true;
		else if (l[i] != '|' && l[i] != ':' && l[i] != ' ')
			return false;
	}
	return dash;
}

/* A table being read: its lines as written, one row per line. */
struct table {
	struct strbuf raw;
	char ***rows;
	size_t *widths;
	size_t n, header;        /* header: rows above the separator (0 or 1) */
	bool separated;
};

static void table_line(struct table *t, const char *l, size_t n)
{
	if (t->raw.len)
		sb_putc(&t->raw, '\n');
	sb_append(&t->raw, l, n);
	if (table_separator(l, n)) {
		t->header = t->n == 1 && !t->separated ? 1 : t->header;
		t->separated = true;
		return;
	}
	t->rows = xreallocarray(t->rows, t->n + 1, sizeof *t->rows);
	t->widths = xreallocarray(t->widths, t->n + 1, sizeof *t->widths);
	t->widths[t->n] = table_cells(l, n, &t->rows[t->n]);
	t->n++;
}

/* A row as one statement: "Header: cell; Header: cell". */
static void row_statement(const struct table *t, size_t r, struct strbuf *out)
{
	for (size_t i = 0; i < t->widths[r]; i++) {
		const char *cell = t->rows[r][i];
		if (!cell[0])
			continue;
		if (out->len)
			sb_puts(out, "; ");
		if (t->header && i < t->widths[0] && t->rows[0][i][0])
			sb_printf(out, "%s: ", t->rows[0][i]);
		sb_puts(out, cell);
	}
}

static void flush_table(struct cutter *c, struct table *t)
{
	if (t->n) {
		size_t tab = add_unit(c, U_TABLE, t->raw.buf, t->raw.len > MAX_QUOTE_BYTES ? 0 : t->raw.len, NO_UNIT);
		c->u->v[tab].lead = c->last_para;
		for (size_t r = t->header; r < t->n; r++) {
			struct strbuf st = STRBUF_INIT;
			row_statement(t, r, &st);
			size_t row = add_unit(c, U_ROW, st.buf ? st.buf : "", st.len, tab);
			c->u->v[row].cells = t->rows[r];
			c->u->v[row].n_cells = t->widths[r];
			t->rows[r] = NULL;
			sb_free(&st);
		}
		if (t->header) {
			c->u->v[tab].cells = t->rows[0];
			c->u->v[tab].n_cells = t->widths[0];
			t->rows[0] = NULL;
		}
		c->last_para = NO_UNIT;
	}
	for (size_t r = 0; r < t->n; r++)
		if (t->rows[r])
			free_cells(t->rows[r], t->widths[r]);
	free(t->rows);
	free(t->widths);
	sb_free(&t->raw);
	memset(t, 0, sizeof *t);
}

static bool is_fence(const char *l, size_t n)
{
	return n >= 3 && (memcmp(l, "```", 3) == 0 || memcmp(l, "~~~", 3) == 0);
}

/* A heading line: "## Title" -> "Title". */
static void set_heading(struct cutter *c, const char *l, size_t n)
{
	while (n && *l == '#') {
		l++;
		n--;
	}
	while (n && *l == ' ') {
		l++;
		n--;
	}
	while (n && (l[n - 1] == ' ' || l[n - 1] == '#'))
		n--;
	free(c->heading);
	c->heading = xstrndup(l, n);
	c->section++;
	c->last_para = NO_UNIT;
}

static void split_block(struct cutter *c, const char *text)
{
	struct strbuf para = STRBUF_INIT, code = STRBUF_INIT;
	struct list list = { .raw = STRBUF_INIT };
	struct table table = { .raw = STRBUF_INIT };
	bool fence = false;
	char lang[16] = "";
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *raw = p, *l = p;
		size_t raw_n = n;
		p = eol ? eol + 1 : p + n;
		while (raw_n && (raw[raw_n - 1] == '\r' || raw[raw_n - 1] == ' ' || raw[raw_n - 1] == '\t'))
			raw_n--;
		n = raw_n;
		while (n && (*l == ' ' || *l == '\t')) {
			l++;
			n--;
		}
		bool indented = l > raw;
		if (fence) {
			sb_append(&code, raw, raw_n);
			sb_putc(&code, '\n');
			if (is_fence(l, n)) {
				fence = false;
				size_t u = add_unit(c, U_CODE, code.buf, code.len > MAX_QUOTE_BYTES ? 0 : code.len - 1, NO_UNIT);
				snprintf(c->u->v[u].lang, sizeof c->u->v[u].lang, "%s", lang);
				c->u->v[u].lead = c->last_para;
				c->last_para = NO_UNIT;
				sb_reset(&code);
			}
			continue;
		}
		bool ordered;
		size_t marker = n ? list_marker(l, n, &ordered) : 0;
		bool in_list = list.n > 0;
		/* A list goes on with items, indented or lazy continuation lines,
		 * and blank lines between items. */
		if (in_list && !marker && n && !(indented || !list.blank) ) {
			flush_list(c, &list);
			in_list = false;
		}
		if (in_list && n == 0) {
			list.blank = true;
			continue;
		}
		if (n && l[0] == '|') {
			flush_paragraph(c, &para);
			flush_list(c, &list);
			table_line(&table, l, n);
			continue;
		}
		flush_table(c, &table);
		if (is_fence(l, n)) {
			flush_paragraph(c, &para);
			flush_list(c, &list);
			fence = true;
			size_t k = 3;
			while (k < n && (l[k] == '`' || l[k] == '~' || l[k] == ' '))
				k++;
			size_t ln = 0;
			while (k + ln < n && ln + 1 < sizeof lang && l[k + ln] != ' ' && l[k + ln] != '{')
				ln++;
			memcpy(lang, l + k, ln);
			lang[ln] = '\0';
			sb_append(&code, raw, raw_n);
			sb_putc(&code, '\n');
			continue;
		}
		if (n && l[0] == '#') {
			flush_paragraph(c, &para);
			flush_list(c, &list);
			set_heading(c, l, n);
			continue;
		}
		if (n == 0) {
			flush_paragraph(c, &para);
			continue;
		}
		if (marker) {
			if (!in_list) {
				flush_paragraph(c, &para);
				list.ordered = ordered;
			}
			if (list.raw.len)
				sb_putc(&list.raw, '\n');
			sb_append(&list.raw, l, n);
			list_item(&list, l + marker, n - marker);
			list.blank = false;
			continue;
		}
		if (in_list) {
			sb_putc(&list.raw, '\n');
			sb_append(&list.raw, raw, raw_n);
			append_line(&list.items[list.n - 1], l, n);
			continue;
		}
		if (n >= 2 && l[0] == '>' ) {
			l++;
			n--;
		}
		append_line(&para, l, n);
	}
	if (fence && code.len) {
		size_t u = add_unit(c, U_CODE, code.buf, code.len > MAX_QUOTE_BYTES ? 0 : code.len - 1, NO_UNIT);
		snprintf(c->u->v[u].lang, sizeof c->u->v[u].lang, "%s", lang);
	}
	flush_paragraph(c, &para);
	flush_list(c, &list);
	flush_table(c, &table);
	sb_free(&para);
	sb_free(&code);
}

void units_split(struct units *u, const struct llm_context_block *blocks, size_t n_blocks)
{
	struct cutter c = { .u = u, .heading = NULL, .last_para = NO_UNIT };
	for (size_t b = 0; b < n_blocks; b++) {
		if (!blocks[b].text)
			continue;
		c.block = b;
		c.section++;
		c.archived = blocks[b].archived;
		free(c.heading);
		c.heading = xstrdup(blocks[b].heading_path ? blocks[b].heading_path : "");
		c.last_para = NO_UNIT;
		split_block(&c, blocks[b].text);
	}
	free(c.heading);
}

void units_free(struct units *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].text);
		free(u->v[i].heading);
		lterms_free(&u->v[i].terms);
		lterms_free(&u->v[i].about);
		free_cells(u->v[i].cells, u->v[i].n_cells);
	}
	free(u->v);
	memset(u, 0, sizeof *u);
}

static bool short_paragraph(const struct unit *p)
{
	return p->kind == U_PARAGRAPH && p->text[0] && p->words <= QUOTE_PARAGRAPH_WORDS;
}

bool unit_atomic(const struct units *u, size_t i)
{
	const struct unit *x = &u->v[i];
	if (x->kind == U_PARAGRAPH)
		return short_paragraph(x);
	if (x->kind == U_SENTENCE)
		return x->parent == NO_UNIT || !short_paragraph(&u->v[x->parent]);
	return x->kind == U_ITEM || x->kind == U_ROW || x->kind == U_CODE;
}

void units_score(struct units *u, const struct lterms *q, const struct lterms *idents)
{
	double *w = xcalloc(q->n + 1, sizeof *w), total = 0;
	size_t atoms = 0;
	for (size_t j = 0; j < u->n; j++)
		atoms += unit_atomic(u, j);
	for (size_t i = 0; i < q->n; i++) {
		size_t df = 0;
		for (size_t j = 0; j < u->n; j++)
			df += unit_atomic(u, j) && lterms_has(&u->v[j].terms, q->v[i]);
		w[i] = log(1.0 + (double)(atoms ? atoms : 1) / (double)(df ? df : 1));
		if (lterms_has(idents, q->v[i]))
			w[i] *= IDENT_BOOST;
		total += w[i];
	}
	for (size_t j = 0; j < u->n; j++) {
		double r = 0;
		for (size_t i = 0; i < q->n; i++)
			r += lterms_has(&u->v[j].terms, q->v[i]) ? w[i]
			     : lterms_has(&u->v[j].about, q->v[i]) ? HEADING_SHARE * w[i] : 0;
		u->v[j].rel = total > 0 ? r / total : 0;
	}
	free(w);
}
