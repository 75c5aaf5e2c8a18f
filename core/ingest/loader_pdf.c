/* loader_pdf: PDF to Markdown-ish text through MuPDF's structured text.
 *
 * Each call owns its own fz_context (ingest converts on several threads),
 * with an allocator capped at PDF_MEM_CAP so a hostile file makes MuPDF
 * throw instead of eating the machine, and with MuPDF's error and warning
 * printing silenced (stderr belongs to the full-screen UI). Only the PDF
 * handler is used: no other parser sees the bytes. This file reads MuPDF
 * into the page model of loader_pdf_int.h; loader_pdf_classify.c and
 * loader_pdf_render.c do the rest. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/ingest/loader_pdf_int.h"
#include "core/util/xalloc.h"

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Memory MuPDF may hold at once for one document. */
#define PDF_MEM_CAP ((size_t)512 << 20)
/* MuPDF's resource cache inside that cap. */
#define PDF_STORE_CAP ((size_t)64 << 20)
/* Pages read at most; the rest of a longer document is ignored. */
#define PDF_MAX_PAGES 5000
/* Extracted text kept at most; later pages are ignored. */
#define PDF_MAX_TEXT ((size_t)64 << 20)
/* Outline entries read at most, and their deepest level. */
#define PDF_MAX_MARKS 20000
#define PDF_MAX_DEPTH 6
/* A gap wider than this many character sizes splits a line into cells. */
#define PDF_CELL_GAP 1.2f

/* The allocator of one conversion: a running total against PDF_MEM_CAP
 * and every live block on a list, so what MuPDF leaks on a hostile file
 * (fz_load_outline does when an entry throws) is freed with the context. */
union pdfl_mem_head {
	struct {
		size_t size;
		union pdfl_mem_head *prev, *next;
	} h;
	max_align_t align;
};

struct pdfl_mem {
	size_t used;
	union pdfl_mem_head live; /* list head: live.h.next is the newest block */
};

static void mem_link(struct pdfl_mem *m, union pdfl_mem_head *b)
{
	b->h.prev = &m->live;
	b->h.next = m->live.h.next;
	if (b->h.next)
		b->h.next->h.prev = b;
	m->live.h.next = b;
}

static void mem_unlink(union pdfl_mem_head *b)
{
	b->h.prev->h.next = b->h.next;
	if (b->h.next)
		b->h.next->h.prev = b->h.prev;
}

static void *mem_malloc(void *user, size_t n)
{
	struct pdfl_mem *m = user;
	if (n > PDF_MEM_CAP - m->used || n > PDF_MEM_CAP - sizeof(union pdfl_mem_head))
		return NULL;
	union pdfl_mem_head *b = malloc(sizeof *b + n);
	if (!b)
		return NULL;
	b->h.size = n;
	m->used += n;
	mem_link(m, b);
	return b + 1;
}

static void mem_free(void *user, void *p)
{
	struct pdfl_mem *m = user;
	if (!p)
		return;
	union pdfl_mem_head *b = (union pdfl_mem_head *)p - 1;
	m->used -= b->h.size;
	mem_unlink(b);
	free(b);
}

static void *mem_realloc(void *user, void *p, size_t n)
{
	struct pdfl_mem *m = user;
	if (!p)
		return mem_malloc(user, n);
	if (n == 0) {
		mem_free(user, p);
		return NULL;
	}
	union pdfl_mem_head *b = (union pdfl_mem_head *)p - 1;
	size_t old = b->h.size;
	if (n > old && (n - old > PDF_MEM_CAP - m->used || n > PDF_MEM_CAP - sizeof *b))
		return NULL;
	mem_unlink(b);
	union pdfl_mem_head *g = realloc(b, sizeof *g + n);
	if (!g) {
		mem_link(m, b);
		return NULL;
	}
	g->h.size = n;
	m->used = m->used - old + n;
	mem_link(m, g);
	return g + 1;
}

/* Free the blocks still live once the context is gone. */
static void mem_release(struct pdfl_mem *m)
{
	while (m->live.h.next) {
		union pdfl_mem_head *b = m->live.h.next;
		mem_unlink(b);
		free(b);
	}
	m->used = 0;
}

/* MuPDF's messages would land on the terminal: they are dropped. */
static void quiet(void *user, const char *message)
{
	(void)user, (void)message;
}

/* err gets "prefix: msg" with msg cut short and reduced to printable ASCII,
 * since MuPDF's messages may quote bytes of the hostile file. */
static void set_damaged(char *err, size_t errlen, const char *msg)
{
	char clean[81];
	size_t n = 0;
	for (const char *s = msg ? msg : ""; *s && n < sizeof clean - 1; s++)
		clean[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	clean[n] = '\0';
	snprintf(err, errlen, "damaged PDF: %s", n ? clean : "unreadable");
}

/* The most common of the sizes seen on a line, tallied in a small table. */
struct size_tally {
	float size[8];
	int count[8];
	int n;
};

static void tally_add(struct size_tally *t, float size)
{
	for (int i = 0; i < t->n; i++)
		if (t->size[i] == size) {
			t->count[i]++;
			return;
		}
	if (t->n < 8) {
		t->size[t->n] = size;
		t->count[t->n++] = 1;
	}
}

static float tally_mode(const struct size_tally *t)
{
	int best = 0;
	for (int i = 1; i < t->n; i++)
		if (t->count[i] > t->count[best])
			best = i;
	return t->n ? t->size[best] : 0;
}

static bool font_is_bold(fz_context *ctx, fz_font *font)
{
	if (!font)
		return false;
	if (fz_font_is_bold(ctx, font))
		return true;
	const char *name = fz_font_name(ctx, font);
	return name && (strstr(name, "Bold") || strstr(name, "Black") || strstr(name, "Heavy") ||
	                strstr(name, "Semibold") || strstr(name, "bold"));
}

static float quad_left(fz_quad q)
{
	return q.ul.x < q.ll.x ? q.ul.x : q.ll.x;
}

static float quad_right(fz_quad q)
{
	return q.ur.x > q.lr.x ? q.ur.x : q.lr.x;
}

/* Drop trailing blanks from the page text back to start. */
static void trim_tail(struct strbuf *sb, size_t start)
{
	size_t n = sb->len;
	while (n > start && (sb_str(sb)[n - 1] == ' ' || sb_str(sb)[n - 1] == '\t'))
		n--;
	sb_truncate(sb, n);
}

/* Append one stext line to the page as a pdf_line: characters as UTF-8,
 * whitespace collapsed, a '\t' at every gap wider than PDF_CELL_GAP sizes. */
static void add_line(fz_context *ctx, struct pdfl_page *pg, fz_stext_line *ln, int block)
{
	struct pdfl_line l = { .x0 = ln->bbox.x0, .y0 = ln->bbox.y0, .x1 = ln->bbox.x1, .y1 = ln->bbox.y1,
	                      .block = block, .off = pg->text.len, .cells = 1, .mark = -1,
	                      .table = -1, .row = -1 };
	struct size_tally sizes = { .n = 0 };
	int n_bold = 0;
	bool have_prev = false, in_word = false;
	float prev_right = 0;
	for (fz_stext_char *ch = ln->first_char; ch; ch = ch->next) {
		int c = ch->c;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
			c = ' ';
		if (c == ' ' || c == 0xa0) {
			if (pg->text.len > l.off && sb_str(&pg->text)[pg->text.len - 1] != ' ' &&
			    sb_str(&pg->text)[pg->text.len - 1] != '\t')
				sb_putc(&pg->text, ' ');
			in_word = false;
			continue;
		}
		float left = quad_left(ch->quad);
		if (have_prev && left - prev_right > PDF_CELL_GAP * ch->size) {
			trim_tail(&pg->text, l.off);
			sb_putc(&pg->text, '\t');
			l.cells++;
			in_word = false;
		}
		if (!in_word)
			l.words++;
		in_word = true;
		char utf[FZ_UTFMAX];
		sb_append(&pg->text, utf, (size_t)fz_runetochar(utf, c));
		prev_right = quad_right(ch->quad);
		have_prev = true;
		l.chars++;
		l.base = ch->origin.y;
		tally_add(&sizes, ch->size);
		n_bold += font_is_bold(ctx, ch->font);
	}
	trim_tail(&pg->text, l.off);
	l.len = pg->text.len - l.off;
	if (l.chars == 0) {
		sb_truncate(&pg->text, l.off);
		return;
	}
	l.size = tally_mode(&sizes);
	l.bold = n_bold == l.chars;
	if (pg->n == pg->cap) {
		pg->cap = pg->cap ? 2 * pg->cap : 64;
		pg->lines = xreallocarray(pg->lines, pg->cap, sizeof *pg->lines);
	}
	pg->lines[pg->n++] = l;
}

static void add_stext(fz_context *ctx, fz_stext_page *st, struct pdfl_page *pg)
{
	int block = 0;
	for (fz_stext_block *b = st->first_block; b; b = b->next) {
		if (b->type != FZ_STEXT_BLOCK_TEXT)
			continue;
		for (fz_stext_line *ln = b->u.t.first_line; ln; ln = ln->next)
			add_line(ctx, pg, ln, block);
		block++;
	}
}

/* Read page number pno into pg; false when MuPDF threw (pg stays empty). */
static bool read_page(fz_context *ctx, fz_document *doc, int pno, struct pdfl_page *pg)
{
	fz_page *page = NULL;
	fz_stext_page *st = NULL;
	bool ok = true;
	const fz_stext_options opts = { .flags = FZ_STEXT_MEDIABOX_CLIP };
	fz_var(page);
	fz_var(st);
	fz_try(ctx) {
		page = fz_load_page(ctx, doc, pno);
		fz_rect r = fz_bound_page(ctx, page);
		pg->w = r.x1 - r.x0;
		pg->h = r.y1 - r.y0;
		st = fz_new_stext_page_from_page(ctx, page, &opts);
		add_stext(ctx, st, pg);
	}
	fz_always(ctx) {
		fz_drop_stext_page(ctx, st);
		fz_drop_page(ctx, page);
	}
	fz_catch(ctx) {
		ok = false;
	}
	return ok;
}

/* Depth-first over the outline, giving each entry that resolves to a read
 * page a mark there; *budget limits the entries visited. */
static void add_marks(fz_context *ctx, fz_document *doc, fz_outline *o, int depth, struct pdfl_doc *d,
                      int *budget)
{
	for (; o && *budget > 0; o = o->next) {
		(*budget)--;
		int pno = fz_page_number_from_location(ctx, doc, o->page);
		if (o->title && pno >= 0 && (size_t)pno < d->n) {
			pdfl_page_add_mark(&d->pages[pno], depth < PDF_MAX_DEPTH ? depth : PDF_MAX_DEPTH,
			                  o->y > 0 ? o->y : -1, o->title);
			d->has_outline = true;
		}
		add_marks(ctx, doc, o->down, depth + 1, d, budget);
	}
}

/* The outline as marks; a broken outline leaves the document without. */
static void read_outline(fz_context *ctx, fz_document *doc, struct pdfl_doc *d)
{
	fz_outline *outline = NULL;
	int budget = PDF_MAX_MARKS;
	fz_var(outline);
	fz_try(ctx) {
		outline = fz_load_outline(ctx, doc);
		add_marks(ctx, doc, outline, 1, d, &budget);
	}
	fz_always(ctx) {
		fz_drop_outline(ctx, outline);
	}
	fz_catch(ctx) {
		for (size_t i = 0; i < d->n; i++)
			pdfl_page_clear_marks(&d->pages[i]);
		d->has_outline = false;
	}
}

static char *read_title(fz_context *ctx, fz_document *doc)
{
	char buf[LOADER_TITLE_MAX + 1];
	int n = -1;
	fz_var(n);
	fz_try(ctx) {
		n = fz_lookup_metadata(ctx, doc, FZ_META_INFO_TITLE, buf, sizeof buf);
	}
	fz_catch(ctx) {
		n = -1;
	}
	if (n <= 0)
		return NULL;
	return loader_make_title(buf, strnlen(buf, sizeof buf));
}

/* Every page (up to the caps) into d; returns how many were read. A page
 * MuPDF threw on stays empty, so its form-feed line still counts. */
static size_t read_pages(fz_context *ctx, fz_document *doc, int count, struct pdfl_doc *d)
{
	size_t ok = 0, text = 0;
	d->n = (size_t)(count < PDF_MAX_PAGES ? count : PDF_MAX_PAGES);
	d->pages = xcalloc(d->n ? d->n : 1, sizeof *d->pages);
	for (size_t i = 0; i < d->n; i++) {
		struct pdfl_page *pg = &d->pages[i];
		if (text > PDF_MAX_TEXT)
			break;
		ok += read_page(ctx, doc, (int)i, pg);
		text += pg->text.len;
	}
	return ok;
}

static size_t count_chars(const struct pdfl_doc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		for (size_t j = 0; j < d->pages[i].n; j++)
			n += (size_t)d->pages[i].lines[j].chars;
	return n;
}

/* Open and authenticate; the document or NULL with err set. */
static pdf_document *open_pdf(fz_context *ctx, const char *data, size_t len, char *err, size_t errlen)
{
	fz_stream *stm = NULL;
	pdf_document *volatile doc = NULL;
	fz_var(stm);
	fz_try(ctx) {
		stm = fz_open_memory(ctx, (const unsigned char *)data, len);
		doc = pdf_open_document_with_stream(ctx, stm);
		if (pdf_needs_password(ctx, doc) && !pdf_authenticate_password(ctx, doc, "")) {
			pdf_drop_document(ctx, doc);
			doc = NULL;
			snprintf(err, errlen, "encrypted PDF (needs a password)");
		}
	}
	fz_always(ctx) {
		fz_drop_stream(ctx, stm);
	}
	fz_catch(ctx) {
		pdf_drop_document(ctx, doc);
		doc = NULL;
		set_damaged(err, errlen, fz_caught_message(ctx));
	}
	return doc;
}

/* The whole conversion once the context exists. */
static int convert(fz_context *ctx, const char *data, size_t len, struct strbuf *out, char **title,
                   char *err, size_t errlen)
{
	struct pdfl_doc d = { .n = 0 };
	int count = -1, rc = LOADER_SKIP_UNREADABLE;
	pdf_document *pdoc = open_pdf(ctx, data, len, err, errlen);
	if (!pdoc)
		return rc;
	fz_document *doc = &pdoc->super;
	fz_var(count);
	fz_var(rc);
	fz_try(ctx) {
		count = fz_count_pages(ctx, doc);
	}
	fz_catch(ctx) {
		set_damaged(err, errlen, fz_caught_message(ctx));
	}
	if (count < 0)
		goto cleanup;
	if (count == 0) {
		snprintf(err, errlen, "damaged PDF: no pages");
		goto cleanup;
	}
	if (read_pages(ctx, doc, count, &d) == 0) {
		set_damaged(err, errlen, "no page could be read");
		goto cleanup;
	}
	if (count_chars(&d) == 0) {
		snprintf(err, errlen, "no text layer (scanned pages?)");
		goto cleanup;
	}
	read_outline(ctx, doc, &d);
	pdfl_classify(&d);
	pdfl_render(&d, out);
	*title = read_title(ctx, doc);
	rc = LOADER_OK;
cleanup:
	pdfl_doc_free(&d);
	pdf_drop_document(ctx, pdoc);
	return rc;
}

int loader_pdf_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen)
{
	struct pdfl_mem mem = { .used = 0, .live = { .h = { 0, NULL, NULL } } };
	const fz_alloc_context alloc = { .user = &mem, .malloc = mem_malloc, .realloc = mem_realloc,
	                                 .free = mem_free };
	fz_context *ctx = fz_new_context(&alloc, NULL, PDF_STORE_CAP);
	if (!ctx) {
		mem_release(&mem);
		snprintf(err, errlen, "PDF reader could not start (out of memory)");
		return LOADER_SKIP_UNREADABLE;
	}
	fz_set_error_callback(ctx, quiet, NULL);
	fz_set_warning_callback(ctx, quiet, NULL);
	int rc = convert(ctx, data, len, out, title, err, errlen);
	fz_drop_context(ctx);
	mem_release(&mem);
	return rc;
}
