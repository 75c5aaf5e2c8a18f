/* loader_pdf_classify: which lines of the PDF page model (loader_pdf_int.h)
 * are running headers, footers and page numbers, and which are headings
 * (from the outline when there is one, else from font size and weight).
 * Also the model's mark and free helpers. */
#include "core/ingest/loader_pdf_int.h"
#include "core/util/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Header and footer lines sit in this fraction of the page at top and
 * bottom (groff -ms puts its footer 1 inch up: 8.6% of an A4 page). */
#define FURNITURE_ZONE 0.10f
/* A line this much larger than the body size may be a heading... */
#define HEADING_SCALE 1.15f
/* ...when it has at most this many words (and does not end in a period). */
#define HEADING_MAX_WORDS 12
#define HEADING_MAX_BYTES 160
/* Lines are compared with the titles of the first this many marks of a
 * page; later ones (hostile outlines) only find their place. */
#define MARKS_MATCHED 200

void pdfl_page_add_mark(struct pdfl_page *page, int level, float y, const char *title)
{
	if (page->n_marks == page->cap_marks) {
		page->cap_marks = page->cap_marks ? 2 * page->cap_marks : 8;
		page->marks = xreallocarray(page->marks, page->cap_marks, sizeof *page->marks);
	}
	page->marks[page->n_marks++] = (struct pdfl_mark){ .level = level, .y = y, .title = xstrdup(title) };
}

void pdfl_page_clear_marks(struct pdfl_page *page)
{
	for (size_t m = 0; m < page->n_marks; m++)
		free(page->marks[m].title);
	page->n_marks = 0;
}

void pdfl_doc_free(struct pdfl_doc *doc)
{
	if (!doc || !doc->pages)
		return;
	for (size_t i = 0; i < doc->n; i++) {
		struct pdfl_page *p = &doc->pages[i];
		pdfl_page_clear_marks(p);
		free(p->marks);
		free(p->lines);
		sb_free(&p->text);
	}
	free(doc->pages);
	doc->pages = NULL;
	doc->n = 0;
}

/* ---- running headers, footers, page numbers ---- */

static bool in_zone(const struct pdfl_page *p, const struct pdfl_line *l)
{
	float mid = (l->y0 + l->y1) / 2;
	return p->h > 0 && (mid < FURNITURE_ZONE * p->h || mid > (1 - FURNITURE_ZONE) * p->h);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* FNV-1a of the text with digit runs as one '#' and blanks collapsed, so
 * "Manual - 3 -" and "Manual - 14 -" share a key. */
static uint64_t furniture_key(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	char prev = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] == '\t' ? ' ' : s[i];
		if (is_digit(c))
			c = '#';
		if ((c == '#' || c == ' ') && c == prev)
			continue;
		h = (h ^ (unsigned char)c) * 1099511628211u;
		prev = c;
	}
	return h;
}

/* Length of a dash or blank at s[i] (ASCII or an en/em dash), else 0. */
static size_t filler_at(const char *s, size_t i, size_t n)
{
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '-')
		return 1;
	if (n - i >= 3 && s[i] == '\xe2' && s[i + 1] == '\x80' && (s[i + 2] == '\x93' || s[i + 2] == '\x94'))
		return 3;
	return 0;
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* "12", "- 12 -", "Page 12", "Page 12 of 40", "12 / 40", "iv". */
static bool is_page_number(const char *s, size_t n)
{
	size_t i = 0, k;
	while (i < n && (k = filler_at(s, i, n)) > 0)
		i += k;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '-'))
		n--;
	while (n - i >= 3 && filler_at(s, n - 3, n) == 3)
		n -= 3;
	if (n - i >= 4 && pdfl_lower(s[i]) == 'p' && pdfl_lower(s[i + 1]) == 'a' && pdfl_lower(s[i + 2]) == 'g' &&
	    pdfl_lower(s[i + 3]) == 'e')
		i = skip_blanks(s, i + 4, n);
	size_t start = i;
	i = skip_digits(s, i, n);
	if (i == start) {
		while (i < n && strchr("ivxlc", s[i]))
			i++;
		return i > start && i - start <= 7 && i == n;
	}
	if (i - start > 5)
		return false;
	i = skip_blanks(s, i, n);
	if (i == n)
		return true;
	if (s[i] == '/')
		i++;
	else if (n - i >= 2 && pdfl_lower(s[i]) == 'o' && pdfl_lower(s[i + 1]) == 'f')
		i += 2;
	else
		return false;
	i = skip_blanks(s, i, n);
	start = i;
	i = skip_digits(s, i, n);
	return i > start && i - start <= 5 && i == n;
}

/* A line split into cells by wide gaps with one cell a page number: a
 * header or footer like "Manual    - 2 -    2026 edition". */
static bool has_page_number_cell(const struct pdfl_page *pg, const struct pdfl_line *l)
{
	const char *s = pdfl_text(pg, l);
	if (l->cells < 2)
		return false;
	for (size_t i = 0, end; i < l->len; i = end + 1) {
		const char *tab = memchr(s + i, '\t', l->len - i);
		end = tab ? (size_t)(tab - s) : l->len;
		if (is_page_number(s + i, end - i))
			return true;
	}
	return false;
}

/* Zone lines on the baseline of a page number dropped there go too: the
 * rest of a header like "Manual    - 2 -    Draft" set as separate lines.
 * Only the first few page-number baselines of a page count. */
static void drop_page_number_rows(struct pdfl_page *pg)
{
	float base[4];
	int n = 0;
	for (size_t j = 0; j < pg->n && n < 4; j++)
		if (pg->lines[j].drop)
			base[n++] = pg->lines[j].base;
	for (size_t j = 0; j < pg->n; j++) {
		struct pdfl_line *l = &pg->lines[j];
		for (int k = 0; k < n && !l->drop; k++)
			l->drop = in_zone(pg, l) && fabsf(l->base - base[k]) < PDFL_ROW_BASE_TOL * l->size;
	}
}

struct zone_line {
	uint64_t key;
	size_t page, line;
};

static int cmp_zone_line(const void *a, const void *b)
{
	const struct zone_line *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

/* Lines in the top or bottom zone whose key recurs on at least half the
 * pages of a document of three pages or more, and page numbers there,
 * alone or as one cell of the line. */
static void drop_furniture(struct pdfl_doc *d)
{
	struct zone_line *z = NULL;
	size_t nz = 0, cap = 0;
	for (size_t p = 0; p < d->n; p++) {
		struct pdfl_page *pg = &d->pages[p];
		for (size_t j = 0; j < pg->n; j++) {
			struct pdfl_line *l = &pg->lines[j];
			if (!in_zone(pg, l))
				continue;
			if (is_page_number(pdfl_text(pg, l), l->len) || has_page_number_cell(pg, l))
				l->drop = true;
			if (nz == cap) {
				cap = cap ? 2 * cap : 64;
				z = xreallocarray(z, cap, sizeof *z);
			}
			z[nz++] = (struct zone_line){ furniture_key(pdfl_text(pg, l), l->len), p, j };
		}
	}
	for (size_t p = 0; p < d->n; p++)
		drop_page_number_rows(&d->pages[p]);
	if (d->n >= 3 && nz > 0) {
		qsort(z, nz, sizeof *z, cmp_zone_line);
		for (size_t i = 0, end; i < nz; i = end) {
			size_t pages = 0;
			for (end = i; end < nz && z[end].key == z[i].key; end++)
				pages += end == i || z[end].page != z[end - 1].page;
			if (2 * pages < d->n)
				continue;
			for (size_t k = i; k < end; k++)
				d->pages[z[k].page].lines[z[k].line].drop = true;
		}
	}
	free(z);
}

/* ---- headings from the outline ---- */

/* Skip a leading section number like "2.", "3.1" or "4.2.1 ". */
static size_t skip_numbering(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (is_digit(s[i]) || s[i] == '.'))
		i++;
	return skip_blanks(s, i, n);
}

/* Equal ignoring a leading section number, ASCII case and blank runs. */
static bool same_title(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = skip_numbering(a, an), j = skip_numbering(b, bn);
	while (an > i && (a[an - 1] == ' ' || a[an - 1] == '\t'))
		an--;
	while (bn > j && (b[bn - 1] == ' ' || b[bn - 1] == '\t'))
		bn--;
	while (i < an && j < bn) {
		bool sa = a[i] == ' ' || a[i] == '\t' || a[i] == '\n', sb = b[j] == ' ' || b[j] == '\t' || b[j] == '\n';
		if (sa && sb) {
			i = skip_blanks(a, i, an);
			j = skip_blanks(b, j, bn);
			continue;
		}
		if (pdfl_lower(a[i]) != pdfl_lower(b[j]))
			return false;
		i++, j++;
	}
	return i == an && j == bn && i > 0;
}

/* Each mark titles the first line at or below its target that reads like
 * it; a mark without one is placed before the first line below its target. */
static void place_marks(struct pdfl_page *pg)
{
	for (size_t m = 0; m < pg->n_marks; m++) {
		struct pdfl_mark *mk = &pg->marks[m];
		size_t tlen = strlen(mk->title);
		mk->at = pg->n;
		for (size_t j = 0; j < pg->n; j++) {
			struct pdfl_line *l = &pg->lines[j];
			if (l->drop || l->heading || (mk->y >= 0 && l->y1 < mk->y - l->size))
				continue;
			if (m < MARKS_MATCHED && same_title(pdfl_text(pg, l), l->len, mk->title, tlen)) {
				l->heading = mk->level;
				l->mark = (int)m;
				mk->used = true;
				break;
			}
			if (mk->at == pg->n && (mk->y < 0 || l->y0 >= mk->y - 1)) {
				mk->at = j;
				if (m >= MARKS_MATCHED)
					break;
			}
		}
	}
}

/* ---- headings from fonts ---- */

struct size_count {
	float size;
	size_t count;
};

static int cmp_size_desc(const void *a, const void *b)
{
	const struct size_count *x = a, *y = b;
	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

static float round_size(float s)
{
	return roundf(s * 2) / 2;
}

/* The body size: the size (to half a point) of the most characters. */
static float body_size(const struct pdfl_doc *d)
{
	struct size_count *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t p = 0; p < d->n; p++)
		for (size_t j = 0; j < d->pages[p].n; j++) {
			const struct pdfl_line *l = &d->pages[p].lines[j];
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				v = xreallocarray(v, cap, sizeof *v);
			}
			v[n++] = (struct size_count){ round_size(l->size), (size_t)l->chars };
		}
	float best = 0;
	size_t best_count = 0;
	if (n > 0)
		qsort(v, n, sizeof *v, cmp_size_desc);
	for (size_t i = 0, end; i < n; i = end) {
		size_t sum = 0;
		for (end = i; end < n && v[end].size == v[i].size; end++)
			sum += v[end].count;
		if (sum > best_count) {
			best_count = sum;
			best = v[i].size;
		}
	}
	free(v);
	return best;
}

static bool has_letter(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((pdfl_lower(s[i]) >= 'a' && pdfl_lower(s[i]) <= 'z') || (unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* No other line of its block is kept on the page. */
static bool alone_in_block(const struct pdfl_page *pg, size_t j)
{
	for (size_t k = j; k-- > 0 && pg->lines[k].block == pg->lines[j].block;)
		if (!pg->lines[k].drop)
			return false;
	for (size_t k = j + 1; k < pg->n && pg->lines[k].block == pg->lines[j].block; k++)
		if (!pg->lines[k].drop)
			return false;
	return true;
}

/* 2 for a line in a clearly larger size, 1 for a bold line alone in its
 * block, 0 for a line that cannot be a heading. */
static int heading_kind(const struct pdfl_page *pg, size_t j, float body)
{
	const struct pdfl_line *l = &pg->lines[j];
	const char *s = pdfl_text(pg, l);
	if (l->drop || l->cells != 1 || l->words > HEADING_MAX_WORDS || l->len > HEADING_MAX_BYTES ||
	    s[l->len - 1] == '.' || !has_letter(s, l->len))
		return 0;
	if (l->size >= body * HEADING_SCALE)
		return 2;
	return l->bold && l->size >= body * 0.95f && alone_in_block(pg, j) ? 1 : 0;
}

/* Headings ranked by distinct size, larger first (levels 1..5); bold
 * body-size lines one level below the smallest of those. */
static void font_headings(struct pdfl_doc *d)
{
	float body = body_size(d);
	float sizes[5];
	int n_sizes = 0;
	for (size_t p = 0; p < d->n; p++)
		for (size_t j = 0; j < d->pages[p].n; j++) {
			float s = round_size(d->pages[p].lines[j].size);
			if (heading_kind(&d->pages[p], j, body) != 2)
				continue;
			int k = 0;
			while (k < n_sizes && sizes[k] > s)
				k++;
			if ((k < n_sizes && sizes[k] == s) || k == 5)
				continue;
			if (n_sizes < 5)
				n_sizes++;
			memmove(&sizes[k + 1], &sizes[k], (size_t)(n_sizes - 1 - k) * sizeof *sizes);
			sizes[k] = s;
		}
	for (size_t p = 0; p < d->n; p++)
		for (size_t j = 0; j < d->pages[p].n; j++) {
			struct pdfl_line *l = &d->pages[p].lines[j];
			int kind = heading_kind(&d->pages[p], j, body);
			if (kind == 1) {
				l->heading = n_sizes + 1;
			} else if (kind == 2) {
				int k = 0;
				while (k < n_sizes - 1 && sizes[k] > round_size(l->size))
					k++;
				l->heading = k + 1;
			}
		}
}
void pdfl_classify(struct pdfl_doc *doc)
{
	drop_furniture(doc);
	if (doc->has_outline) {
		for (size_t p = 0; p < doc->n; p++)
			place_marks(&doc->pages[p]);
	} else {
		font_headings(doc);
	}
}
