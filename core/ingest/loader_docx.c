/* loader_docx: Office Open XML word processing documents (.docx) as
 * Markdown-ish text.
 *
 * word/styles.xml gives each paragraph style's heading level (a name
 * "heading 1".."heading 9" or "Title", or an outline level, inherited
 * through basedOn), word/numbering.xml whether each list level is numbered
 * or bulleted, and word/document.xml the text: paragraphs, runs, lists,
 * tables. Deleted text (w:del, w:moveFrom), old properties of tracked
 * changes, field instructions, the fallback copy of alternate content and
 * tables of contents (a w:sdt of the "Table of Contents" gallery, or
 * paragraphs in TOC styles) are skipped. Headers, footers, footnotes and comments live in other parts
 * and are not read; the main part is taken to be word/document.xml rather
 * than looked up in _rels/.rels. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/ingest/office.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W_URI "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define W_STRICT_URI "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define MC_URI "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define STYLE_ID_MAX 64
#define NAME_KEY STYLE_ID_MAX
#define STYLES_MAX 4096
#define LISTS_MAX 4096
#define LEVELS 9
#define BASED_ON_MAX 8

struct style {
	char id[STYLE_ID_MAX];
	char based_on[STYLE_ID_MAX];
	int heading; /* 1..9, 0 for none */
	bool toc;    /* a table of contents entry: generated, not read */
	long num_id; /* list of the style, 0 for none */
	long ilvl;
};

/* A w:abstractNum (list definition) or a w:num (list instance). */
struct list_def {
	long id;
	long abstract_id;   /* w:num only */
	unsigned numbered;  /* w:abstractNum: bit n set when level n is numbered */
	long start[LEVELS]; /* w:abstractNum: each level's first number */
	long count[LEVELS]; /* w:num: items seen per level */
};

struct docx {
	struct office_writer w;
	struct style *styles;
	size_t n_styles;
	struct list_def *abstracts, *nums;
	size_t n_abstracts, n_nums;
	int skip;      /* depth of the ignored subtree being read, 0 when none */
	/* styles.xml and numbering.xml */
	struct style *cur_style;
	struct list_def *cur_abstract, *cur_num;
	long cur_level;
	/* document.xml */
	int para;      /* depth of the outermost open w:p, 0 outside */
	int ppr;       /* depth of its w:pPr, 0 outside */
	bool in_text;  /* inside w:t */
	bool toc_sdt;  /* the open w:sdt holds a table of contents */
	char style[STYLE_ID_MAX];
	long num_id, ilvl, outline; /* -1 when the paragraph does not set them */
};

static bool is_w(const char *uri)
{
	return uri && (strcmp(uri, W_URI) == 0 || strcmp(uri, W_STRICT_URI) == 0);
}

/* name in lower case without spaces into n (NAME_KEY bytes); its length. */
static size_t name_key(const char *name, char *n)
{
	size_t k = 0;
	for (const char *p = name; *p && k + 1 < NAME_KEY; p++) {
		if (*p != ' ')
			n[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	n[k] = '\0';
	return k;
}

/* Heading level a style name or id stands for: "heading 2", "Heading2",
 * "Title" (case and spaces ignored); 0 for none. */
static int heading_of_name(const char *name)
{
	char n[NAME_KEY];
	size_t k = name_key(name, n);
	if (strcmp(n, "title") == 0)
		return 1;
	if (k == 8 && strncmp(n, "heading", 7) == 0 && n[7] >= '1' && n[7] <= '9')
		return n[7] - '0';
	return 0;
}

/* True for the styles of table of contents entries: Word's "toc 1".."toc
 * 9" and "TOC Heading", LibreOffice's "Contents 1".."Contents 10" and
 * "Contents Heading" (or those names as ids). */
static bool toc_of_name(const char *name)
{
	char n[NAME_KEY];
	name_key(name, n);
	return strncmp(n, "toc", 3) == 0 || strncmp(n, "contents", 8) == 0;
}

static int style_cmp(const void *a, const void *b)
{
	return strcmp(((const struct style *)a)->id, ((const struct style *)b)->id);
}

static int list_cmp(const void *a, const void *b)
{
	long x = ((const struct list_def *)a)->id, y = ((const struct list_def *)b)->id;
	return (x > y) - (x < y);
}

static struct style *find_style(const struct docx *d, const char *id)
{
	struct style key;
	snprintf(key.id, sizeof key.id, "%s", id);
	return d->n_styles ? bsearch(&key, d->styles, d->n_styles, sizeof key, style_cmp) : NULL;
}

static struct list_def *find_list(struct list_def *v, size_t n, long id)
{
	struct list_def key = { .id = id };
	return n ? bsearch(&key, v, n, sizeof key, list_cmp) : NULL;
}

/* Start skipping the subtree at depth unless one is already skipped. */
static void skip_from(struct docx *d, int depth)
{
	if (!d->skip)
		d->skip = depth;
}

static void styles_start(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
                         int depth)
{
	struct docx *d = st;
	char val[STYLE_ID_MAX];
	(void)depth;
	if (!is_w(uri))
		return;
	if (strcmp(name, "style") == 0) {
		d->cur_style = NULL;
		office_attr(attrs, nattrs, "type", val, sizeof val);
		if (strcmp(val, "paragraph") != 0 || d->n_styles == STYLES_MAX)
			return;
		d->cur_style = &d->styles[d->n_styles++];
		memset(d->cur_style, 0, sizeof *d->cur_style);
		office_attr(attrs, nattrs, "styleId", d->cur_style->id, sizeof d->cur_style->id);
		return;
	}
	struct style *s = d->cur_style;
	if (!s)
		return;
	if (strcmp(name, "name") == 0) {
		office_attr(attrs, nattrs, "val", val, sizeof val);
		if (!s->heading)
			s->heading = heading_of_name(val);
		s->toc = toc_of_name(val);
	} else if (strcmp(name, "basedOn") == 0) {
		office_attr(attrs, nattrs, "val", s->based_on, sizeof s->based_on);
	} else if (strcmp(name, "outlineLvl") == 0) {
		long lvl = office_attr_long(attrs, nattrs, "val", 0, 9, 9);
		if (lvl < 9)
			s->heading = (int)lvl + 1;
	} else if (strcmp(name, "numId") == 0) {
		s->num_id = office_attr_long(attrs, nattrs, "val", 0, 1L << 30, 0);
	} else if (strcmp(name, "ilvl") == 0) {
		s->ilvl = office_attr_long(attrs, nattrs, "val", 0, LEVELS - 1, 0);
	}
}

static void styles_end(void *st, const char *uri, const char *name, int depth)
{
	struct docx *d = st;
	(void)depth;
	if (is_w(uri) && strcmp(name, "style") == 0)
		d->cur_style = NULL;
}

static const struct office_sax styles_ops = { .start = styles_start, .end = styles_end };

/* Sort the styles for lookup, then give each style without a heading level
 * the one of the nearest style it is based on. */
static void resolve_styles(struct docx *d)
{
	if (d->n_styles)
		qsort(d->styles, d->n_styles, sizeof *d->styles, style_cmp);
	for (size_t i = 0; i < d->n_styles; i++) {
		const struct style *s = &d->styles[i];
		for (int k = 0; k < BASED_ON_MAX && !d->styles[i].heading && s && s->based_on[0]; k++) {
			s = find_style(d, s->based_on);
			if (s)
				d->styles[i].heading = s->heading;
		}
	}
}

static void numbering_start(void *st, const char *uri, const char *name, const char **attrs,
                            int nattrs, int depth)
{
	struct docx *d = st;
	char val[32];
	(void)depth;
	if (!is_w(uri))
		return;
	if (strcmp(name, "abstractNum") == 0 && d->n_abstracts < LISTS_MAX) {
		d->cur_abstract = &d->abstracts[d->n_abstracts++];
		memset(d->cur_abstract, 0, sizeof *d->cur_abstract);
		d->cur_abstract->id = office_attr_long(attrs, nattrs, "abstractNumId", -1, 1L << 30, -1);
		for (int k = 0; k < LEVELS; k++)
			d->cur_abstract->start[k] = 1;
	} else if (strcmp(name, "num") == 0 && d->n_nums < LISTS_MAX) {
		d->cur_num = &d->nums[d->n_nums++];
		memset(d->cur_num, 0, sizeof *d->cur_num);
		d->cur_num->id = office_attr_long(attrs, nattrs, "numId", -1, 1L << 30, -1);
		d->cur_num->abstract_id = -1;
	} else if (strcmp(name, "abstractNumId") == 0 && d->cur_num) {
		d->cur_num->abstract_id = office_attr_long(attrs, nattrs, "val", -1, 1L << 30, -1);
	} else if (strcmp(name, "lvl") == 0 && d->cur_abstract) {
		d->cur_level = office_attr_long(attrs, nattrs, "ilvl", 0, LEVELS - 1, 0);
	} else if (strcmp(name, "start") == 0 && d->cur_abstract) {
		d->cur_abstract->start[d->cur_level] = office_attr_long(attrs, nattrs, "val", 0, 1L << 30, 1);
	} else if (strcmp(name, "numFmt") == 0 && d->cur_abstract) {
		office_attr(attrs, nattrs, "val", val, sizeof val);
		if (strcmp(val, "bullet") != 0 && strcmp(val, "none") != 0)
			d->cur_abstract->numbered |= 1u << d->cur_level;
	}
}

static void numbering_end(void *st, const char *uri, const char *name, int depth)
{
	struct docx *d = st;
	(void)depth;
	if (!is_w(uri))
		return;
	if (strcmp(name, "abstractNum") == 0)
		d->cur_abstract = NULL;
	else if (strcmp(name, "num") == 0)
		d->cur_num = NULL;
}

static const struct office_sax numbering_ops = { .start = numbering_start, .end = numbering_end };

/* The list marker of the paragraph now ending into buf, or NULL when it is
 * not a list item; sets *level. */
static const char *list_marker(struct docx *d, const struct style *s, char *buf, size_t buflen,
                               int *level)
{
	long num_id = d->num_id >= 0 ? d->num_id : s ? s->num_id : 0;
	long ilvl = d->ilvl >= 0 ? d->ilvl : s ? s->ilvl : 0;
	if (num_id <= 0)
		return NULL;
	*level = (int)ilvl;
	struct list_def *num = find_list(d->nums, d->n_nums, num_id);
	const struct list_def *abs = num ? find_list(d->abstracts, d->n_abstracts, num->abstract_id) : NULL;
	if (!abs || !(abs->numbered & (1u << ilvl)))
		return "- ";
	num->count[ilvl]++;
	for (int k = (int)ilvl + 1; k < LEVELS; k++)
		num->count[k] = 0;
	snprintf(buf, buflen, "%ld. ", abs->start[ilvl] + num->count[ilvl] - 1);
	return buf;
}

static void end_paragraph(struct docx *d)
{
	const struct style *s = d->style[0] ? find_style(d, d->style) : NULL;
	int heading = s ? s->heading : d->style[0] ? heading_of_name(d->style) : 0;
	const char *marker = NULL;
	char num[32];
	int level = 0;

	if (s ? s->toc : d->style[0] && toc_of_name(d->style)) {
		office_drop_para(&d->w);
		return;
	}
	if (d->outline >= 0)
		heading = d->outline < 9 ? (int)d->outline + 1 : 0;
	if (!heading)
		marker = list_marker(d, s, num, sizeof num, &level);
	office_end_para(&d->w, heading, marker, level);
}

/* w elements whose whole subtree is not document text. */
static const char *const skipped[] = {
	"del", "moveFrom", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange", "trPrChange",
	"tcPrChange", "numberingChange", "instrText", "delInstrText", "footnoteReference",
	"endnoteReference", "commentReference",
};

static bool is_skipped(const char *name)
{
	for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
		if (strcmp(name, skipped[i]) == 0)
			return true;
	}
	return false;
}

/* A w:pPr child of the outermost paragraph. */
static void paragraph_property(struct docx *d, const char *name, const char **attrs, int nattrs)
{
	if (strcmp(name, "pStyle") == 0)
		office_attr(attrs, nattrs, "val", d->style, sizeof d->style);
	else if (strcmp(name, "numId") == 0)
		d->num_id = office_attr_long(attrs, nattrs, "val", 0, 1L << 30, 0);
	else if (strcmp(name, "ilvl") == 0)
		d->ilvl = office_attr_long(attrs, nattrs, "val", 0, LEVELS - 1, 0);
	else if (strcmp(name, "outlineLvl") == 0)
		d->outline = office_attr_long(attrs, nattrs, "val", 0, 9, 9);
}

/* Run content: text, tabs, breaks, hyphens. */
static void run_content(struct docx *d, const char *name)
{
	if (strcmp(name, "t") == 0)
		d->in_text = true;
	else if (strcmp(name, "tab") == 0 || strcmp(name, "ptab") == 0)
		office_text(&d->w, "\t", 1);
	else if (strcmp(name, "br") == 0 || strcmp(name, "cr") == 0)
		office_text(&d->w, "\n", 1);
	else if (strcmp(name, "noBreakHyphen") == 0)
		office_text(&d->w, "-", 1);
}

static void doc_start(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
                      int depth)
{
	struct docx *d = st;
	if (d->skip)
		return;
	if (uri && strcmp(uri, MC_URI) == 0 && strcmp(name, "Fallback") == 0) {
		skip_from(d, depth);
		return;
	}
	if (!is_w(uri))
		return;
	if (is_skipped(name)) {
		skip_from(d, depth);
	} else if (strcmp(name, "docPartGallery") == 0) {
		char val[32];
		office_attr(attrs, nattrs, "val", val, sizeof val);
		d->toc_sdt = strcmp(val, "Table of Contents") == 0;
	} else if (strcmp(name, "sdtContent") == 0) {
		/* w:sdtPr, which names the gallery, comes before the content */
		if (d->toc_sdt)
			skip_from(d, depth);
		d->toc_sdt = false;
	} else if (strcmp(name, "p") == 0) {
		if (d->para) {
			office_text(&d->w, " ", 1);
			return;
		}
		d->para = depth;
		d->style[0] = '\0';
		d->num_id = d->ilvl = d->outline = -1;
	} else if (strcmp(name, "pPr") == 0 && d->para == depth - 1) {
		d->ppr = depth;
	} else if (d->ppr) {
		paragraph_property(d, name, attrs, nattrs);
	} else if (d->para) {
		run_content(d, name);
	}
	if (strcmp(name, "tbl") == 0)
		office_table_start(&d->w);
	else if (strcmp(name, "tr") == 0)
		office_row_start(&d->w);
}

static void doc_end(void *st, const char *uri, const char *name, int depth)
{
	struct docx *d = st;
	if (d->skip) {
		if (d->skip == depth)
			d->skip = 0;
		return;
	}
	if (!is_w(uri))
		return;
	if (strcmp(name, "t") == 0) {
		d->in_text = false;
	} else if (strcmp(name, "pPr") == 0 && d->ppr == depth) {
		d->ppr = 0;
	} else if (strcmp(name, "p") == 0 && d->para == depth) {
		end_paragraph(d);
		d->para = 0;
	} else if (strcmp(name, "tc") == 0) {
		office_cell_end(&d->w, 1);
	} else if (strcmp(name, "tr") == 0) {
		office_row_end(&d->w);
	} else if (strcmp(name, "tbl") == 0) {
		office_table_end(&d->w);
	}
}

static void doc_text(void *st, const char *s, size_t len)
{
	struct docx *d = st;
	if (d->in_text && !d->skip && d->para)
		office_text(&d->w, s, len);
}

static const struct office_sax document_ops = { .start = doc_start, .end = doc_end, .text = doc_text };

/* Parse an optional part; a missing one is fine. */
static int optional_part(struct office_zip *z, const char *name, const struct office_sax *ops,
                         struct docx *d, char *err, size_t errlen)
{
	int rc = office_part_parse(z, name, ops, d, err, errlen);
	d->skip = 0;
	return rc == OFFICE_MISSING ? LOADER_OK : rc;
}

int loader_docx_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                        size_t errlen)
{
	struct docx d = { 0 };
	struct office_zip *z = NULL;
	int rc;

	office_writer_init(&d.w, out);
	d.styles = xcalloc(STYLES_MAX, sizeof *d.styles);
	d.abstracts = xcalloc(LISTS_MAX, sizeof *d.abstracts);
	d.nums = xcalloc(LISTS_MAX, sizeof *d.nums);
	if ((rc = office_zip_open(data, len, "DOCX", &z, err, errlen)) != LOADER_OK)
		goto cleanup;
	if ((rc = optional_part(z, "word/styles.xml", &styles_ops, &d, err, errlen)) != LOADER_OK)
		goto cleanup;
	resolve_styles(&d);
	if ((rc = optional_part(z, "word/numbering.xml", &numbering_ops, &d, err, errlen)) != LOADER_OK)
		goto cleanup;
	qsort(d.abstracts, d.n_abstracts, sizeof *d.abstracts, list_cmp);
	qsort(d.nums, d.n_nums, sizeof *d.nums, list_cmp);
	rc = office_part_parse(z, "word/document.xml", &document_ops, &d, err, errlen);
	if (rc == OFFICE_MISSING) {
		snprintf(err, errlen, "damaged DOCX: no word/document.xml");
		rc = LOADER_SKIP_UNREADABLE;
	}
	if (rc != LOADER_OK)
		goto cleanup;
	rc = office_dc_title(z, "docProps/core.xml", title, err, errlen);
cleanup:
	office_zip_close(&z);
	office_writer_free(&d.w);
	free(d.styles);
	free(d.abstracts);
	free(d.nums);
	return rc;
}
