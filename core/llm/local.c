#include "core/llm/local.h"
#include "core/llm/provider.h"
#include "core/util/stem.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MMR_LAMBDA 0.7
#define DUPLICATE_SIMILARITY 0.7
#define RELATIVE_FLOOR 0.5       /* candidates score at least this share of the best */
#define MIN_WORDS 3
#define MAX_SENTENCE_BYTES 600
#define MAX_TABLE_BYTES 2000     /* a whole table offered as one candidate */
#define MAX_WORD 64

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

struct terms {
	uint32_t *v;     /* FNV-1a hashes of stems, sorted and unique once finished */
	size_t n, cap;
};

struct sentence {
	size_t block;    /* index into the blocks */
	size_t ord;      /* position in the whole context */
	char *text;
	struct terms terms;
	double rel;
	int chosen;
	int excluded;
	size_t table;    /* the table a row or whole table belongs to; 0: none */
	int whole;       /* the whole table, kept as its Markdown lines */
};

struct sentences {
	struct sentence *v;
	size_t n, cap;
	size_t tables;   /* tables seen so far (their ids) */
	int want_tables; /* the question asks for a table: offer whole ones */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_stopword(const char *w)
{
	return bsearch(&w, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
		       sizeof(stopwords[0]), cmp_str) != NULL;
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

static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

static void terms_push(struct terms *t, uint32_t h)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = h;
}

static void add_word(struct terms *t, char *w, size_t n)
{
	w[n] = '\0';
	if (is_stopword(w))
		return;
	if (n == 1 && !(w[0] >= '0' && w[0] <= '9'))
		return;
	n = stem_word(w, n);
	terms_push(t, fnv1a(w, n));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The content terms of text, sorted and unique. */
static void terms_of(struct terms *t, const char *s, size_t len)
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
		qsort(t->v, t->n, sizeof(*t->v), cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (u == 0 || t->v[u - 1] != t->v[i])
			t->v[u++] = t->v[i];
	}
	t->n = u;
}

static int terms_has(const struct terms *t, uint32_t h)
{
	return t->n && bsearch(&h, t->v, t->n, sizeof(*t->v), cmp_u32) != NULL;
}

static double jaccard(const struct terms *a, const struct terms *b)
{
	size_t i = 0, j = 0, both = 0;
	while (i < a->n && j < b->n) {
		if (a->v[i] == b->v[j]) {
			both++;
			i++;
			j++;
		} else if (a->v[i] < b->v[j]) {
			i++;
		} else {
			j++;
		}
	}
	size_t any = a->n + b->n - both;
	return any ? (double)both / (double)any : 0.0;
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		int space = *s == ' ';
		n += !space && !in;
		in = !space;
	}
	return n;
}

/* Add a candidate: a sentence, a table row (table set) or a whole table
 * (whole set too). */
static void add_candidate(struct sentences *out, size_t block, const char *s, size_t n, size_t table,
                          int whole)
{
	while (n && s[n - 1] == ' ')
		n--;
	while (n && *s == ' ') {
		s++;
		n--;
	}
	if (n == 0 || n > (whole ? MAX_TABLE_BYTES : MAX_SENTENCE_BYTES))
		return;
	char *text = xstrndup(s, n);
	if (count_words(text) < MIN_WORDS) {
		free(text);
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	struct sentence *st = &out->v[out->n];
	memset(st, 0, sizeof(*st));
	st->block = block;
	st->ord = out->n;
	st->text = text;
	st->table = table;
	st->whole = whole;
	terms_of(&st->terms, text, n);
	out->n++;
}

static void add_sentence(struct sentences *out, size_t block, const char *s, size_t n)
{
	add_candidate(out, block, s, n, 0, 0);
}

static int starts_sentence(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' || c == '\'' ||
	       c == '(' || c == '[' || c == '`' || (unsigned char)c >= 0x80;
}

/* Split one paragraph (single spaces) at ". ", "! ", "? " before a capital. */
static void split_paragraph(struct sentences *out, size_t block, const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '.' && p[i] != '!' && p[i] != '?')
			continue;
		size_t end = i + 1;
		while (end < n && (p[end] == '"' || p[end] == '\'' || p[end] == ')' || p[end] == ']'))
			end++;
		if (end < n && !(p[end] == ' ' && end + 1 < n && starts_sentence(p[end + 1])))
			continue;
		add_sentence(out, block, p + start, end - start);
		start = end;
		i = end;
	}
	if (start < n)
		add_sentence(out, block, p + start, n - start);
}

static void flush(struct sentences *out, size_t block, struct strbuf *para)
{
	if (para->len)
		split_paragraph(out, block, para->buf, para->len);
	sb_reset(para);
}

/* Length of a list or quote marker at the start of line, 0 when none. */
static size_t list_marker(const char *l, size_t n)
{
	if (n >= 2 && (l[0] == '-' || l[0] == '*' || l[0] == '+' || l[0] == '>') && l[1] == ' ')
		return 2;
	size_t d = 0;
	while (d < n && l[d] >= '0' && l[d] <= '9')
		d++;
	if (d && d + 1 < n && (l[d] == '.' || l[d] == ')') && l[d + 1] == ' ')
		return d + 2;
	return 0;
}

/* Append line to the paragraph with whitespace runs shrunk to one space. */
static void append_line(struct strbuf *para, const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (l[i] == '\t' || l[i] == '\r' || l[i] == '\f' || l[i] == '\v') ? ' ' : l[i];
		if (c == ' ' && (para->len == 0 || para->buf[para->len - 1] == ' '))
			continue;
		sb_putc(para, c);
	}
	if (para->len && para->buf[para->len - 1] != ' ')
		sb_putc(para, ' ');
}

/* A Markdown table being read: its header cells (after the |---| row) and
 * a row held back until the next line says whether it was the header. */
struct table {
	size_t id;              /* 0 between tables */
	struct strbuf raw;      /* the table's lines as written */
	struct strbuf header;   /* cells separated by '\0' */
	size_t n_header;
	struct strbuf held;
	size_t n_held;
	int has_held;
};

/* The cells of a "| a | b |" line into cells ('\0'-separated, trimmed);
 * returns the count. */
static size_t table_cells(const char *l, size_t n, struct strbuf *cells)
{
	size_t count = 0, i = l[0] == '|' ? 1 : 0;
	if (n > i && l[n - 1] == '|')
		n--;
	sb_reset(cells);
	while (i <= n) {
		size_t end = i;
		while (end < n && !(l[end] == '|' && l[end - 1] != '\\'))
			end++;
		size_t a = i, b = end;
		while (a < b && l[a] == ' ')
			a++;
		while (b > a && l[b - 1] == ' ')
			b--;
		sb_append(cells, l + a, b - a);
		sb_putc(cells, '\0');
		count++;
		i = end + 1;
	}
	return count;
}

/* A row of only dashes, colons and spaces: the header separator. */
static int table_separator(const char *l, size_t n)
{
	int dash = 0;
	for (size_t i = 0; i < n; i++) {
		if (l[i] == '-')
			dash = 1;
		else if (l[i] != '|' && l[i] != ':' && l[i] != ' ')
			return 0;
	}
	return dash;
}

/* A row as one statement: "Header: cell; Header: cell" (cells alone when
 * the table has no header). */
static void table_emit(struct sentences *out, size_t block, const struct table *t, const char *cells,
                       size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *h = t->header.buf;
	for (size_t i = 0; i < n; i++) {
		const char *head = h && i < t->n_header ? h : "";
		if (cells[0]) {
			if (sb.len)
				sb_puts(&sb, "; ");
			if (head[0])
				sb_printf(&sb, "%s: ", head);
			sb_puts(&sb, cells);
		}
		cells += strlen(cells) + 1;
		if (h && i < t->n_header)
			h += strlen(h) + 1;
	}
	add_candidate(out, block, sb_str(&sb), sb.len, t->id, 0);
	sb_free(&sb);
}

static void table_line(struct sentences *out, size_t block, struct table *t, const char *l, size_t n)
{
	if (!t->id)
		t->id = ++out->tables;
	if (t->raw.len)
		sb_putc(&t->raw, '\n');
	sb_append(&t->raw, l, n);
	if (table_separator(l, n)) {
		if (t->has_held) {
			sb_reset(&t->header);
			sb_append(&t->header, t->held.buf, t->held.len);
			t->n_header = t->n_held;
			t->has_held = 0;
		}
		return;
	}
	if (t->has_held) {
		table_emit(out, block, t, t->held.buf, t->n_held);
		t->has_held = 0;
	}
	t->n_held = table_cells(l, n, &t->held);
	if (t->n_header) {
		table_emit(out, block, t, t->held.buf, t->n_held);
		return;
	}
	t->has_held = 1;
}

static void table_end(struct sentences *out, size_t block, struct table *t)
{
	if (t->has_held)
		table_emit(out, block, t, t->held.buf, t->n_held);
	if (t->id && out->want_tables)
		add_candidate(out, block, t->raw.buf, t->raw.len, t->id, 1);
	t->has_held = 0;
	t->n_header = 0;
	t->id = 0;
	sb_reset(&t->header);
	sb_reset(&t->raw);
}

/* Candidate sentences of one block: paragraphs and list items split into
 * sentences, each table row one statement; headings and fenced code
 * skipped. */
static void split_block(struct sentences *out, size_t block, const char *text)
{
	struct strbuf para = STRBUF_INIT;
	struct table table = { .raw = STRBUF_INIT, .header = STRBUF_INIT, .held = STRBUF_INIT };
	int fence = 0;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		const char *l = p;
		p = eol ? eol + 1 : p + n;
		while (n && (*l == ' ' || *l == '\t')) {
			l++;
			n--;
		}
		while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		if (!fence && n && l[0] == '|') {
			flush(out, block, &para);
			table_line(out, block, &table, l, n);
			continue;
		}
		table_end(out, block, &table);
		if (n >= 3 && (memcmp(l, "```", 3) == 0 || memcmp(l, "~~~", 3) == 0)) {
			flush(out, block, &para);
			fence = !fence;
			continue;
		}
		if (fence)
			continue;
		if (n == 0 || l[0] == '#') {
			flush(out, block, &para);
			continue;
		}
		size_t m = list_marker(l, n);
		if (m) {
			flush(out, block, &para);
			l += m;
			n -= m;
		}
		append_line(&para, l, n);
	}
	flush(out, block, &para);
	table_end(out, block, &table);
	sb_free(&para);
	sb_free(&table.raw);
	sb_free(&table.header);
	sb_free(&table.held);
}

/* IDF-weighted share of the question's terms each sentence holds; the best. */
static double score(struct sentences *ss, const struct terms *q)
{
	double total = 0, best = 0;
	double *w = xcalloc(q->n ? q->n : 1, sizeof(*w));
	for (size_t i = 0; i < q->n; i++) {
		size_t df = 0;
		for (size_t j = 0; j < ss->n; j++)
			df += terms_has(&ss->v[j].terms, q->v[i]);
		w[i] = log(1.0 + (double)ss->n / (double)(df ? df : 1));
		total += w[i];
	}
	for (size_t j = 0; j < ss->n && total > 0; j++) {
		double r = 0;
		for (size_t i = 0; i < q->n; i++)
			r += terms_has(&ss->v[j].terms, q->v[i]) ? w[i] : 0;
		ss->v[j].rel = r / total;
		if (ss->v[j].rel > best)
			best = ss->v[j].rel;
	}
	free(w);
	return best;
}

/* A whole table and its own rows never both go into one answer. */
static int overlaps_chosen_table(const struct sentences *ss, const struct sentence *c)
{
	for (size_t k = 0; c->table && k < ss->n; k++) {
		const struct sentence *o = &ss->v[k];
		if (o->chosen && o->table == c->table && (o->whole || c->whole))
			return 1;
	}
	return 0;
}

/* Maximal marginal relevance; returns the number chosen. */
static size_t choose(struct sentences *ss, double best)
{
	double cutoff = best * RELATIVE_FLOOR;
	if (cutoff < LLM_LOCAL_MIN_RELEVANCE)
		cutoff = LLM_LOCAL_MIN_RELEVANCE;
	size_t chosen = 0;
	while (chosen < LLM_LOCAL_MAX_SENTENCES) {
		struct sentence *pick = NULL;
		double pick_mmr = 0;
		for (size_t j = 0; j < ss->n; j++) {
			struct sentence *c = &ss->v[j];
			if (c->chosen || c->excluded || c->rel < cutoff || overlaps_chosen_table(ss, c))
				continue;
			double red = 0;
			for (size_t k = 0; k < ss->n; k++) {
				if (ss->v[k].chosen) {
					double sim = jaccard(&c->terms, &ss->v[k].terms);
					red = sim > red ? sim : red;
				}
			}
			if (red >= DUPLICATE_SIMILARITY) {
				c->excluded = 1;
				continue;
			}
			double mmr = MMR_LAMBDA * c->rel - (1 - MMR_LAMBDA) * red;
			/* A whole table holds every term of its rows: on a tie it wins. */
			if (!pick || mmr > pick_mmr || (mmr == pick_mmr && c->whole && !pick->whole)) {
				pick = c;
				pick_mmr = mmr;
			}
		}
		if (!pick)
			break;
		pick->chosen = 1;
		chosen++;
	}
	return chosen;
}

static void render(const struct sentences *ss, const struct llm_context_block *blocks,
		   struct strbuf *out)
{
	int first = 1, after_table = 0;
	for (size_t j = 0; j < ss->n; j++) {
		const struct sentence *s = &ss->v[j];
		if (!s->chosen)
			continue;
		size_t n = strlen(s->text);
		if (s->whole) {
			/* A table keeps its lines; the citation follows on its own. */
			sb_printf(out, "%s%s\n\n[%d]", first ? "" : "\n\n", s->text, blocks[s->block].number);
			first = 0;
			after_table = 1;
			continue;
		}
		if (!first)
			sb_puts(out, after_table ? "\n\n" : " ");
		first = 0;
		after_table = 0;
		sb_puts(out, s->text);
		if (s->text[n - 1] != '.' && s->text[n - 1] != '!' && s->text[n - 1] != '?')
			sb_putc(out, '.');
		sb_printf(out, " [%d]", blocks[s->block].number);
	}
}

/* The question asks for a table ("... as a table", "which tables ..."). */
static int asks_for_table(const char *question)
{
	for (const char *p = question; *p; p++) {
		if (strncasecmp(p, "table", 5) != 0 || (p > question && isalnum((unsigned char)p[-1])))
			continue;
		const char *end = p + 5 + (p[5] == 's' || p[5] == 'S');
		if (!isalnum((unsigned char)*end))
			return 1;
	}
	return 0;
}

size_t llm_local_answer(const char *question, const struct llm_context_block *blocks,
			size_t n_blocks, struct strbuf *out)
{
	struct terms q = { 0 };
	struct sentences ss = { 0 };
	size_t chosen = 0;
	if (question) {
		terms_of(&q, question, strlen(question));
		ss.want_tables = asks_for_table(question);
	}
	for (size_t b = 0; b < n_blocks; b++) {
		if (blocks[b].text)
			split_block(&ss, b, blocks[b].text);
	}
	double best = q.n ? score(&ss, &q) : 0;
	if (best > 0 && best >= LLM_LOCAL_MIN_RELEVANCE)
		chosen = choose(&ss, best);
	if (chosen)
		render(&ss, blocks, out);
	else
		sb_puts(out, LLM_LOCAL_NO_ANSWER);
	for (size_t j = 0; j < ss.n; j++) {
		free(ss.v[j].text);
		free(ss.v[j].terms.v);
	}
	free(ss.v);
	free(q.v);
	return chosen;
}

/* ---- the provider ---- */

static const char *question_of(const struct llm_request *req)
{
	if (req->question)
		return req->question;
	for (size_t i = req->n_messages; i > 0; i--) {
		if (req->messages[i - 1].role == LLM_ROLE_USER)
			return req->messages[i - 1].content;
	}
	return "";
}

/* Queue the answer word by word: each piece is a word with its leading space. */
static void queue_words(struct llm_stream *s, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 1; i <= len; i++) {
		if (i == len || text[i] == ' ') {
			llm_stream_queue(s, text + start, i - start);
			start = i;
		}
	}
}

static int local_start(struct llm_stream *s, const struct llm_request *req, const char *key,
		       char *err, size_t errlen)
{
	(void)key;
	(void)err;
	(void)errlen;
	struct strbuf answer = STRBUF_INIT;
	const char *question = question_of(req);
	size_t in_bytes = strlen(question);
	for (size_t i = 0; i < req->n_blocks; i++)
		in_bytes += req->blocks[i].text ? strlen(req->blocks[i].text) : 0;
	llm_local_answer(question, req->blocks, req->n_blocks, &answer);
	queue_words(s, answer.buf, answer.len);
	llm_stream_set_usage_estimate(s, (long)((in_bytes + 3) / 4), (long)((answer.len + 3) / 4));
	llm_stream_set_finish(s, "stop");
	llm_stream_complete(s);
	sb_free(&answer);
	return 0;
}

const struct llm_provider_ops llm_local_ops = {
	.name = "local",
	.key_env = NULL,
	.base_env = NULL,
	.default_base = NULL,
	.path = NULL,
	.state_size = 0,
	.start = local_start,
	.on_event = NULL,
	.on_field = NULL,
	.finish = NULL,
};
