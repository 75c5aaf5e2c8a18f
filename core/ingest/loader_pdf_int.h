/* The PDF loader's page model, shared by loader_pdf.c (which fills it from
 * MuPDF's structured text), loader_pdf_classify.c (which marks furniture
 * and headings) and loader_pdf_render.c (which writes the text); only
 * loader_pdf.c touches MuPDF. Not for other modules. */
#ifndef RAGDECK_LOADER_PDF_INT_H
#define RAGDECK_LOADER_PDF_INT_H

#include "core/util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Lines whose baselines differ by less than this many sizes share a row. */
#define PDFL_ROW_BASE_TOL 0.35f

/* One line of text as MuPDF grouped it; coordinates in points, y down. */
struct pdfl_line {
	float x0, y0, x1, y1; /* bounding box */
	float base;           /* baseline y */
	float size;           /* most common character size */
	bool bold;            /* every visible character in a bold face */
	int block;            /* index of its text block on the page */
	size_t off, len;      /* text in the page's buffer; cells split by '\t' */
	int cells;            /* 1 + the large horizontal gaps inside the line */
	int chars;            /* visible (non-space) characters */
	int words;
	/* Set by loader_pdf_classify.c (drop, heading, mark) and
	 * loader_pdf_render.c (table, row). */
	bool drop;            /* running header or footer, page number */
	int heading;          /* 1..6 when the line is a heading, else 0 */
	int mark;             /* outline entry the heading takes its title from, or -1 */
	int table, row;       /* table and row ids on the page when a table row, else -1 */
};

/* An outline (bookmark) entry pointing into a page. */
struct pdfl_mark {
	int level;            /* 1..6 */
	float y;              /* target y, or a negative value for the page top */
	char *title;          /* owned */
	size_t at;            /* set by classify: index of the line it precedes */
	bool used;            /* set by classify: it titles a line on the page */
};

struct pdfl_page {
	float w, h;
	struct pdfl_line *lines;
	size_t n, cap;
	struct strbuf text;
	struct pdfl_mark *marks;
	size_t n_marks, cap_marks;
};

struct pdfl_doc {
	struct pdfl_page *pages;
	size_t n;
	bool has_outline;     /* some page holds a mark: headings come from the outline */
};

/* Append a mark titled title (copied) at level and y to page. */
void pdfl_page_add_mark(struct pdfl_page *page, int level, float y, const char *title);

/* Drop page's marks, freeing their titles (a broken outline's). */
void pdfl_page_clear_marks(struct pdfl_page *page);

/* Free every page's lines, text and marks and the page array; NULL-safe. */
void pdfl_doc_free(struct pdfl_doc *doc);

/* The line's text in its page's buffer (not NUL-terminated: l->len bytes). */
static inline const char *pdfl_text(const struct pdfl_page *p, const struct pdfl_line *l)
{
	return sb_str(&p->text) + l->off;
}

static inline char pdfl_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Set drop on running headers, footers and page numbers, and heading (and
 * mark) on headings: from the outline marks when the document has any,
 * else from font size and weight. Places the marks that title no line. */
void pdfl_classify(struct pdfl_doc *doc);

/* Append the classified document as Markdown-ish text to out: dropped
 * lines left out; headings as "#" lines; table rows as "| a | b |" lines,
 * a table's rows consecutive; other lines of a block as one paragraph with
 * line-end hyphenation joined; blank lines between these; a line holding
 * only "\f" between two pages. Sets the lines' table and row ids. */
void pdfl_render(struct pdfl_doc *doc, struct strbuf *out);

#endif
