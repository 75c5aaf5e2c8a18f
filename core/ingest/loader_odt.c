/* loader_odt: OpenDocument text (.odt) as Markdown-ish text.
 *
 * content.xml holds the text: text:h headings with their outline level,
 * text:p paragraphs, text:list items (numbered when their list style's
 * level is a text:list-level-style-number, read from the automatic styles
 * there and the named ones in styles.xml), and tables. Whitespace collapses
 * as ODF says, text:s adds spaces. Tracked-change records (deleted text),
 * notes, annotations, generated indexes and image titles are skipped; a
 * row repeated with table:number-rows-repeated is written once. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/ingest/office.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_URI "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define TABLE_URI "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define OFFICE_URI "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define SVG_URI "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define STYLE_NAME_MAX 64
#define LIST_STYLES_MAX 1024
#define LIST_LEVELS 10
#define SPACES_MAX 64
/* Each open list takes at least two elements (list, item). */
#define LISTS_OPEN_MAX (OFFICE_DEPTH_MAX / 2 + 1)

struct list_style {
	char name[STYLE_NAME_MAX];
	unsigned numbered; /* bit n set when level n + 1 is numbered */
};

struct open_list {
	int style;      /* index in odt.styles, -1 for none */
	long count;     /* items so far */
	bool marker_due; /* the item's first paragraph gets the marker */
};

struct odt {
	struct office_writer w;
	struct list_style *styles;
	size_t n_styles;
	struct list_style *cur_style;
	struct open_list lists[LISTS_OPEN_MAX];
	int n_lists;
	int lists_over;    /* lists opened past LISTS_OPEN_MAX, not kept */
	int skip;          /* depth of the ignored subtree being read, 0 when none */
	int para;          /* depth of the outermost open text:p or text:h */
	int heading;       /* its outline level, 0 for text:p */
	bool space;        /* whitespace collapses here (start, after a space) */
	long cell_repeat;  /* table:number-columns-repeated of the open cell */
};

static bool ns_is(const char *uri, const char *want)
{
	return uri && strcmp(uri, want) == 0;
}

/* text:list-style and its levels, in styles.xml and content.xml. */
static void list_style_start(struct odt *o, const char *name, const char **attrs, int nattrs)
{
	if (strcmp(name, "list-style") == 0) {
		o->cur_style = NULL;
		if (o->n_styles == LIST_STYLES_MAX)
			return;
		o->cur_style = &o->styles[o->n_styles++];
		memset(o->cur_style, 0, sizeof *o->cur_style);
		office_attr(attrs, nattrs, "name", o->cur_style->name, sizeof o->cur_style->name);
	} else if (strcmp(name, "list-level-style-number") == 0 && o->cur_style) {
		long level = office_attr_long(attrs, nattrs, "level", 1, LIST_LEVELS, 1);
		o->cur_style->numbered |= 1u << (level - 1);
	}
}

static void styles_start(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
                         int depth)
{
	(void)depth;
	if (ns_is(uri, TEXT_URI))
		list_style_start(st, name, attrs, nattrs);
}

static void styles_end(void *st, const char *uri, const char *name, int depth)
{
	struct odt *o = st;
	(void)depth;
	if (ns_is(uri, TEXT_URI) && strcmp(name, "list-style") == 0)
		o->cur_style = NULL;
}

static const struct office_sax styles_ops = { .start = styles_start, .end = styles_end };

static int find_list_style(const struct odt *o, const char *name)
{
	for (size_t i = o->n_styles; i-- > 0;) {
		if (strcmp(o->styles[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* text elements whose subtree is not body text. */
static const char *const skipped_text[] = {
	"tracked-changes", "note", "table-of-content", "illustration-index", "table-index",
	"object-index", "user-index", "alphabetical-index", "bibliography", "sequence-decls",
};

static bool is_skipped(const char *uri, const char *name)
{
	if (ns_is(uri, OFFICE_URI))
		return strcmp(name, "annotation") == 0;
	if (ns_is(uri, SVG_URI))
		return strcmp(name, "title") == 0 || strcmp(name, "desc") == 0;
	if (!ns_is(uri, TEXT_URI))
		return false;
	for (size_t i = 0; i < sizeof skipped_text / sizeof skipped_text[0]; i++) {
		if (strcmp(name, skipped_text[i]) == 0)
			return true;
	}
	return false;
}

static void list_start(struct odt *o, const char **attrs, int nattrs)
{
	char style[STYLE_NAME_MAX];
	int parent = o->n_lists > 0 ? o->lists[o->n_lists - 1].style : -1;
	if (o->n_lists == LISTS_OPEN_MAX) {
		o->lists_over++;
		return;
	}
	struct open_list *l = &o->lists[o->n_lists++];
	/* a nested list without a style of its own follows the outer one */
	l->style = office_attr(attrs, nattrs, "style-name", style, sizeof style) ?
	           find_list_style(o, style) : parent;
	l->count = 0;
	l->marker_due = false;
}

static void item_start(struct odt *o, const char *name, const char **attrs, int nattrs)
{
	if (o->n_lists == 0)
		return;
	struct open_list *l = &o->lists[o->n_lists - 1];
	if (strcmp(name, "list-header") == 0) {
		l->marker_due = false;
		return;
	}
	l->count = office_attr_long(attrs, nattrs, "start-value", 1, 1L << 30, l->count + 1);
	l->marker_due = true;
}

/* Text elements that put characters into the paragraph. */
static void inline_start(struct odt *o, const char *name, const char **attrs, int nattrs)
{
	if (strcmp(name, "s") == 0) {
		long n = office_attr_long(attrs, nattrs, "c", 1, SPACES_MAX, 1);
		for (long i = 0; i < n; i++)
			office_text(&o->w, " ", 1);
		o->space = true;
	} else if (strcmp(name, "tab") == 0) {
		office_text(&o->w, "\t", 1);
		o->space = true;
	} else if (strcmp(name, "line-break") == 0) {
		office_text(&o->w, "\n", 1);
		o->space = true;
	}
}

static void text_start(struct odt *o, const char *name, const char **attrs, int nattrs, int depth)
{
	if (strcmp(name, "p") == 0 || strcmp(name, "h") == 0) {
		if (o->para) {
			office_text(&o->w, " ", 1);
			o->space = true;
			return;
		}
		o->para = depth;
		o->heading = name[0] == 'h' ? (int)office_attr_long(attrs, nattrs, "outline-level", 1, 10, 1) : 0;
		o->space = true;
	} else if (strcmp(name, "list") == 0) {
		list_start(o, attrs, nattrs);
	} else if (strcmp(name, "list-item") == 0 || strcmp(name, "list-header") == 0) {
		item_start(o, name, attrs, nattrs);
	} else if (strcmp(name, "list-style") == 0 || strncmp(name, "list-level-style-", 17) == 0) {
		list_style_start(o, name, attrs, nattrs);
	} else if (o->para) {
		inline_start(o, name, attrs, nattrs);
	}
}

static void table_start(struct odt *o, const char *name, const char **attrs, int nattrs)
{
	if (strcmp(name, "table") == 0) {
		office_table_start(&o->w);
	} else if (strcmp(name, "table-row") == 0) {
		office_row_start(&o->w);
	} else if ((strcmp(name, "table-cell") == 0 || strcmp(name, "covered-table-cell") == 0) &&
	           o->w.tables == 1) {
		o->cell_repeat = office_attr_long(attrs, nattrs, "number-columns-repeated", 1, 1L << 20, 1);
	}
}

static void content_start(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
                          int depth)
{
	struct odt *o = st;
	if (o->skip)
		return;
	if (is_skipped(uri, name))
		o->skip = depth;
	else if (ns_is(uri, TEXT_URI))
		text_start(o, name, attrs, nattrs, depth);
	else if (ns_is(uri, TABLE_URI))
		table_start(o, name, attrs, nattrs);
}

static void end_paragraph(struct odt *o)
{
	struct open_list *l = o->n_lists > 0 ? &o->lists[o->n_lists - 1] : NULL;
	const char *marker = NULL;
	char num[32];

	if (!o->heading && l && l->marker_due) {
		bool numbered = l->style >= 0 &&
		                (o->styles[l->style].numbered & (1u << (o->n_lists - 1 < LIST_LEVELS ?
		                                                         o->n_lists - 1 : LIST_LEVELS - 1)));
		if (numbered) {
			snprintf(num, sizeof num, "%ld. ", l->count);
			marker = num;
		} else {
			marker = "- ";
		}
	}
	if (l)
		l->marker_due = false;
	office_end_para(&o->w, o->heading, marker, o->n_lists > 0 ? o->n_lists - 1 : 0);
}

static void content_end(void *st, const char *uri, const char *name, int depth)
{
	struct odt *o = st;
	if (o->skip) {
		if (o->skip == depth)
			o->skip = 0;
		return;
	}
	if (ns_is(uri, TEXT_URI)) {
		if ((strcmp(name, "p") == 0 || strcmp(name, "h") == 0) && o->para == depth) {
			end_paragraph(o);
			o->para = 0;
		} else if (strcmp(name, "list") == 0 && o->lists_over > 0) {
			o->lists_over--;
		} else if (strcmp(name, "list") == 0 && o->n_lists > 0) {
			o->n_lists--;
		} else if (strcmp(name, "list-style") == 0) {
			o->cur_style = NULL;
		}
	} else if (ns_is(uri, TABLE_URI)) {
		if (strcmp(name, "table-cell") == 0 || strcmp(name, "covered-table-cell") == 0)
			office_cell_end(&o->w, o->cell_repeat);
		else if (strcmp(name, "table-row") == 0)
			office_row_end(&o->w);
		else if (strcmp(name, "table") == 0)
			office_table_end(&o->w);
	}
}

/* Character data of a paragraph, whitespace runs collapsed to one space. */
static void content_text(void *st, const char *s, size_t len)
{
	struct odt *o = st;
	size_t run = 0;

	if (!o->para || o->skip)
		return;
	for (size_t i = 0; i < len; i++) {
		bool ws = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
		if (!ws) {
			o->space = false;
			continue;
		}
		office_text(&o->w, s + run, i - run);
		if (!o->space)
			office_text(&o->w, " ", 1);
		o->space = true;
		run = i + 1;
	}
	office_text(&o->w, s + run, len - run);
}

static const struct office_sax content_ops = { .start = content_start, .end = content_end,
                                               .text = content_text };

int loader_odt_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen)
{
	struct odt *o = xcalloc(1, sizeof *o);
	struct office_zip *z = NULL;
	int rc;

	office_writer_init(&o->w, out);
	o->styles = xcalloc(LIST_STYLES_MAX, sizeof *o->styles);
	if ((rc = office_zip_open(data, len, "ODT", &z, err, errlen)) != LOADER_OK)
		goto cleanup;
	rc = office_part_parse(z, "styles.xml", &styles_ops, o, err, errlen);
	if (rc != LOADER_OK && rc != OFFICE_MISSING)
		goto cleanup;
	o->cur_style = NULL;
	rc = office_part_parse(z, "content.xml", &content_ops, o, err, errlen);
	if (rc == OFFICE_MISSING) {
		snprintf(err, errlen, "damaged ODT: no content.xml");
		rc = LOADER_SKIP_UNREADABLE;
	}
	if (rc != LOADER_OK)
		goto cleanup;
	rc = office_dc_title(z, "meta.xml", title, err, errlen);
cleanup:
	office_zip_close(&z);
	office_writer_free(&o->w);
	free(o->styles);
	free(o);
	return rc;
}
