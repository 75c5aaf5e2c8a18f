/* office: what the DOCX and ODT converters share (loader_docx.c,
 * loader_odt.c); not for other modules.
 *
 * office_part.c reads a zip archive from memory with hard caps (entries,
 * bytes and compression ratio of each part read, whatever the archive
 * declares) and streams an XML part through libxml2's SAX2 push parser with
 * a per-call parser context and error handler, no network, no entity
 * substitution, no DTD loading, and any DOCTYPE refused. office_writer.c
 * turns paragraphs, list items and table rows into the Markdown-ish text
 * the chunker reads. */
#ifndef RAGDECK_OFFICE_H
#define RAGDECK_OFFICE_H

#include "core/util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Largest part read, uncompressed. */
#define OFFICE_PART_MAX (64u << 20)
/* Above this uncompressed size a part may not expand more than
 * OFFICE_RATIO_MAX times its compressed size. */
#define OFFICE_RATIO_FROM (1u << 20)
#define OFFICE_RATIO_MAX 200u
/* Most entries an archive may list. */
#define OFFICE_ENTRIES_MAX 100000
/* Deepest element nesting accepted (libxml2 itself stops at 256 without
 * XML_PARSE_HUGE, which is never set). */
#define OFFICE_DEPTH_MAX 200

/* office_part_parse: the part is not in the archive. */
#define OFFICE_MISSING 1

struct office_zip;

/* Open the zip archive data[0..len) (not copied: data must outlive the
 * handle). fmt ("DOCX", "ODT") names the format in messages. Returns
 * LOADER_OK with *z set (free with office_zip_close), or
 * LOADER_SKIP_UNREADABLE with err saying why ("damaged DOCX: not a zip
 * archive"). */
int office_zip_open(const char *data, size_t len, const char *fmt, struct office_zip **z, char *err,
                    size_t errlen);

/* Close the archive and clear *z; NULL-safe. */
void office_zip_close(struct office_zip **z);

/* What a converter does with the parse events of one part. name is the
 * element's local name, uri its namespace (NULL when none); attrs holds
 * nattrs attributes of libxml2's SAX2 form (five pointers each: local name,
 * prefix, URI, value start, value end). text gets character data in pieces
 * of any size. depth is the element's nesting depth, 1 for the root. */
struct office_sax {
	void (*start)(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
	              int depth);
	void (*end)(void *st, const char *uri, const char *name, int depth);
	void (*text)(void *st, const char *s, size_t len);
};

/* Stream the part called name through ops with state st. Returns LOADER_OK;
 * OFFICE_MISSING when there is no such part (err untouched); or
 * LOADER_SKIP_UNREADABLE with err set: "zip bomb refused: ...", "XML entity
 * declarations refused in ...", "damaged DOCX: word/document.xml line 3:
 * ...", "... nested deeper than 200 levels". Safe to call from several
 * threads at once on different archives. */
int office_part_parse(struct office_zip *z, const char *name, const struct office_sax *ops, void *st,
                      char *err, size_t errlen);

/* The dc:title of the metadata part name (docProps/core.xml, meta.xml) as a
 * title (see loader_make_title) in *title, which stays NULL when the part
 * or the title is missing. Returns like office_part_parse, never
 * OFFICE_MISSING. */
int office_dc_title(struct office_zip *z, const char *name, char **title, char *err, size_t errlen);

/* Copy of the value of the attribute with local name name into buf (cut to
 * buflen - 1 bytes); false and "" when it is absent. */
bool office_attr(const char **attrs, int nattrs, const char *name, char *buf, size_t buflen);

/* The attribute's value as a number clamped to [lo, hi]; dflt when absent
 * or not a number. */
long office_attr_long(const char **attrs, int nattrs, const char *name, long lo, long hi, long dflt);

enum office_block {
	OFFICE_NONE,
	OFFICE_PARA, /* paragraph or heading: blank lines around it */
	OFFICE_ITEM, /* list item: consecutive items share no blank line */
	OFFICE_ROW,  /* table row: rows of one table stay together */
};

/* Builds the output. Text goes into the current paragraph; ending it writes
 * it as a block, or inside a table adds it to the current cell. Cells,
 * rows and paragraphs of a nested table are flattened into the enclosing
 * top-level cell. */
struct office_writer {
	struct strbuf *out;
	struct strbuf para; /* the paragraph being read */
	struct strbuf cell; /* the top-level cell being read */
	struct strbuf row;  /* the cells of the top-level row so far */
	int tables;         /* open tables */
	size_t cells;       /* cells in row */
	size_t rows;        /* rows written of the top-level table */
	size_t head_cells;  /* cells of its first row */
	enum office_block last;
};

/* Start writing to out. */
void office_writer_init(struct office_writer *w, struct strbuf *out);

/* Free the writer's buffers (not out). */
void office_writer_free(struct office_writer *w);

/* Append the valid UTF-8 s[0..len) to sb without control characters other
 * than tab and newline (C0, DEL, C1). */
void office_append_clean(struct strbuf *sb, const char *s, size_t len);

/* Append document text (valid UTF-8) to the current paragraph, cleaned like
 * office_append_clean. */
void office_text(struct office_writer *w, const char *s, size_t len);

/* End the current paragraph: with heading 1..6 as a "#" heading, else with
 * marker ("- ", "3. ") as a list item indented by two spaces per level,
 * else as a plain paragraph. Inside a table the text (newlines as spaces)
 * joins the current cell instead. An empty paragraph writes nothing. */
void office_end_para(struct office_writer *w, int heading, const char *marker, int level);

/* Forget the current paragraph's text. */
void office_drop_para(struct office_writer *w);

/* Table structure; rows and cells outside any table are ignored. A cell
 * counts repeat times (at least 1): its text in the first, the repeats
 * empty; an empty row is not written. */
void office_table_start(struct office_writer *w);
void office_table_end(struct office_writer *w);
void office_row_start(struct office_writer *w);
void office_row_end(struct office_writer *w);
void office_cell_end(struct office_writer *w, long repeat);

#endif
