/* loader internals shared by core/ingest/loader*.c; not for other modules. */
#ifndef RAGDECK_LOADER_INT_H
#define RAGDECK_LOADER_INT_H

#include "core/util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest title kept, in bytes. */
#define LOADER_TITLE_MAX 200

/* Title from normalised Markdown: a YAML front matter "title:" or else the
 * first "# " heading outside fenced code. NULL when there is none; caller
 * frees. */
char *loader_markdown_title(const char *s, size_t len);

/* Copy of s[0..len) with leading and trailing whitespace removed, cut to
 * LOADER_TITLE_MAX bytes at a character boundary; NULL when nothing is
 * left. Caller frees. */
char *loader_make_title(const char *s, size_t len);

/* Append normalised RST text to out with section titles turned into "#"
 * headings and their adornment lines emptied (same line count). Sets no
 * title. */
void loader_rst_convert(const char *s, size_t len, struct strbuf *out, char **title);

/* Append normalised HTML to out as Markdown-ish text; sets *title (caller
 * frees) from the first non-empty <title>, or leaves it NULL. */
void loader_html_convert(const char *s, size_t len, struct strbuf *out, char **title);

/* A converter of a binary document format: append the document's text to
 * out as Markdown-ish text ("#" headings, "- " list items, table rows as
 * "| a | b |" lines, a form feed line between pages), maybe setting *title
 * (caller frees). The output need not be valid UTF-8 or free of CR and NUL:
 * the caller normalises it. Returns LOADER_OK, or LOADER_SKIP_UNREADABLE
 * with a reason in err ("encrypted PDF (no password)", "no text layer
 * (scanned pages?)", "damaged file: ..."). Never crashes on hostile input. */
typedef int (*loader_bytes_fn)(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                               size_t errlen);

/* PDF through MuPDF (loader_pdf.c). */
int loader_pdf_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen);

/* Office Open XML word processing (.docx) and OpenDocument text (.odt)
 * through libzip and libxml2 (loader_docx.c, loader_odt.c, office_*.c). */
int loader_docx_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                        size_t errlen);
int loader_odt_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen);

/* Decode the character reference at s[0] == '&' (decimal, hex or one of
 * the HTML 4 names plus apos; a name needs its ';'). Returns the bytes it
 * spans and sets *cp, or returns 0 when s does not start a known reference.
 * NUL, surrogates, out-of-range values and controls other than tab, LF,
 * FF and CR decode to U+FFFD; 0x80..0x9F map through windows-1252. */
size_t loader_html_entity(const char *s, size_t len, uint32_t *cp);

/* What an HTML tag means to the converter. */
enum html_tag_kind {
	HTML_INLINE,       /* anything not listed: no effect on layout */
	HTML_LINE,         /* on a line of its own: div, dt, dd, ... */
	HTML_PARA,         /* a paragraph: a blank line before and after */
	HTML_BR,
	HTML_HEADING,      /* h1..h6 */
	HTML_ITEM,         /* li */
	HTML_LIST,         /* ul, ol */
	HTML_TABLE,
	HTML_ROW,          /* tr */
	HTML_CELL,         /* td, th */
	HTML_PRE,
	HTML_RAW,          /* content is not markup: skipped up to the end tag */
	HTML_HIDDEN,       /* dropped with everything inside */
	HTML_HEAD,
	HTML_TITLE,
	HTML_HEAD_CONTENT, /* may appear in <head> without ending it */
};

/* Longest tag name that means anything ("blockquote", "figcaption"). */
#define HTML_TAG_NAME_MAX 10

struct html_tag {
	char name[HTML_TAG_NAME_MAX + 1]; /* lower case; "" when longer */
	enum html_tag_kind kind;
	bool self_closing;
};

/* Scan the tag whose name starts at s[i] into *t and return the offset just
 * past its '>' (len when it never closes). A quoted attribute value may hold
 * '>'; quote_end[0] and [1] are 1 + the offsets of the last '"' and '\'' in
 * s (0: none), so a quote without a partner is an ordinary character. */
size_t loader_html_scan_tag(const char *s, size_t len, size_t i, const size_t quote_end[2],
                            struct html_tag *t);

/* Offset of the next end tag "</name" (any case; name in lower case) at or
 * after from, or len when there is none. */
size_t loader_html_find_end_tag(const char *s, size_t from, size_t len, const char *name);

/* <title> content as a title: entities decoded, whitespace collapsed, cut
 * like loader_make_title. NULL when empty; caller frees. */
char *loader_html_title_text(const char *s, size_t len);

#endif
