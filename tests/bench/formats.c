/* formats: Markdown written again as PDF (groff) and DOCX (libzip). */
#include "tests/bench/formats.h"
#include "core/util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <zip.h>

/* One line of the Markdown: md[*at..) up to its newline; *at moves past
 * it. Returns false at the end. */
static bool next_line(const char *md, size_t len, size_t *at, const char **line, size_t *n)
{
	if (*at >= len)
		return false;
	const char *s = md + *at;
	const char *nl = memchr(s, '\n', len - *at);
	*n = nl ? (size_t)(nl - s) : len - *at;
	*line = s;
	*at += *n + (nl ? 1 : 0);
	return true;
}

/* Heading level of a "# " line, 0 for any other. */
static int heading_level(const char *line, size_t n)
{
	size_t k = 0;
	while (k < n && k < 6 && line[k] == '#')
		k++;
	return k > 0 && k < n && line[k] == ' ' ? (int)k : 0;
}

static bool is_fence(const char *line, size_t n)
{
	return n >= 3 && memcmp(line, "```", 3) == 0;
}

bool formats_have_groff(void)
{
	return system("command -v groff >/dev/null 2>&1") == 0;
}

/* Text for groff: backslashes escaped, a line starting with '.' or '\''
 * guarded so it is not read as a request. */
static void roff_text(struct strbuf *out, const char *s, size_t n)
{
	if (n && (s[0] == '.' || s[0] == '\''))
		sb_puts(out, "\\&");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			sb_puts(out, "\\e");
		else
			sb_putc(out, s[i]);
	}
	sb_putc(out, '\n');
}

int formats_write_pdf(const char *md, size_t len, const char *path, char *err, size_t errlen)
{
	struct strbuf roff = STRBUF_INIT;
	const char *line;
	size_t n, at = 0;
	bool code = false, para = false;
	while (next_line(md, len, &at, &line, &n)) {
		if (is_fence(line, n)) {
			sb_puts(&roff, code ? ".fi\n" : ".LP\n.nf\n");
			code = !code;
			para = false;
		} else if (code) {
			roff_text(&roff, line, n);
		} else if (heading_level(line, n)) {
			int lv = heading_level(line, n);
			sb_printf(&roff, ".NH %d\n", lv);
			roff_text(&roff, line + lv + 1, n - (size_t)lv - 1);
			para = false;
		} else if (n == 0) {
			para = false;
		} else {
			if (!para)
				sb_puts(&roff, ".PP\n");
			para = true;
			roff_text(&roff, line, n);
		}
	}
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "groff -ms -Tpdf > '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "w");
	if (!p) {
		snprintf(err, errlen, "cannot run groff");
		sb_free(&roff);
		return -1;
	}
	fwrite(roff.buf, 1, roff.len, p);
	int st = pclose(p);
	sb_free(&roff);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "groff failed making %s", path);
		return -1;
	}
	return 0;
}

/* Append s[0..n) XML-escaped. */
static void xml_text(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<': sb_puts(out, "&lt;"); break;
		case '>': sb_puts(out, "&gt;"); break;
		case '&': sb_puts(out, "&amp;"); break;
		default: sb_putc(out, s[i]); break;
		}
	}
}

/* One paragraph of style (NULL: plain) holding text s[0..n). */
static void docx_para(struct strbuf *out, const char *style, const char *s, size_t n)
{
	sb_puts(out, "<w:p>");
	if (style)
		sb_printf(out, "<w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
	sb_puts(out, "<w:r><w:t xml:space=\"preserve\">");
	xml_text(out, s, n);
	sb_puts(out, "</w:t></w:r></w:p>");
}

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/></Types>";

static const char rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	"officeDocument\" Target=\"word/document.xml\"/></Relationships>";

static const char word_ns[] = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

static void docx_styles(struct strbuf *out)
{
	sb_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles %s>", word_ns);
	for (int lv = 1; lv <= 6; lv++)
		sb_printf(out, "<w:style w:type=\"paragraph\" w:styleId=\"Heading%d\"><w:name w:val=\"heading %d\"/>"
		               "</w:style>", lv, lv);
	sb_puts(out, "<w:style w:type=\"paragraph\" w:styleId=\"Code\"><w:name w:val=\"Code\"/></w:style>");
	sb_puts(out, "</w:styles>");
}

static void docx_document(const char *md, size_t len, struct strbuf *out)
{
	const char *line;
	size_t n, at = 0;
	bool code = false;
	struct strbuf para = STRBUF_INIT;
	sb_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document %s><w:body>",
	          word_ns);
	while (next_line(md, len, &at, &line, &n)) {
		bool end_para = n == 0 || is_fence(line, n) || (!code && heading_level(line, n));
		if (end_para && para.len) {
			docx_para(out, NULL, para.buf, para.len);
			para.len = 0;
		}
		if (is_fence(line, n)) {
			code = !code;
		} else if (code) {
			docx_para(out, "Code", line, n);
		} else if (heading_level(line, n)) {
			char style[16];
			int lv = heading_level(line, n);
			snprintf(style, sizeof style, "Heading%d", lv);
			docx_para(out, style, line + lv + 1, n - (size_t)lv - 1);
		} else if (n) {
			if (para.len)
				sb_putc(&para, ' ');
			sb_append(&para, line, n);
		}
	}
	if (para.len)
		docx_para(out, NULL, para.buf, para.len);
	sb_free(&para);
	sb_puts(out, "</w:body></w:document>");
}

/* Add a part holding buf (taken by the archive, freed when it closes). */
static int add_part(zip_t *z, const char *name, struct strbuf *buf)
{
	size_t n;
	char *data = sb_detach(buf, &n);
	zip_source_t *src = zip_source_buffer(z, data, n, 1);
	if (!src) {
		free(data);
		return -1;
	}
	if (zip_file_add(z, name, src, ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(src);
		return -1;
	}
	return 0;
}

int formats_write_docx(const char *md, size_t len, const char *path, char *err, size_t errlen)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z) {
		snprintf(err, errlen, "cannot create %s (libzip error %d)", path, zerr);
		return -1;
	}
	struct strbuf types = STRBUF_INIT, rel = STRBUF_INIT, styles = STRBUF_INIT, doc = STRBUF_INIT;
	sb_puts(&types, content_types);
	sb_puts(&rel, rels);
	docx_styles(&styles);
	docx_document(md, len, &doc);
	int rc = add_part(z, "[Content_Types].xml", &types) | add_part(z, "_rels/.rels", &rel) |
	         add_part(z, "word/styles.xml", &styles) | add_part(z, "word/document.xml", &doc);
	sb_free(&types);
	sb_free(&rel);
	sb_free(&styles);
	sb_free(&doc);
	if (rc != 0) {
		snprintf(err, errlen, "cannot add a part to %s: %s", path, zip_strerror(z));
		zip_discard(z);
		return -1;
	}
	if (zip_close(z) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, zip_strerror(z));
		zip_discard(z);
		return -1;
	}
	return 0;
}
