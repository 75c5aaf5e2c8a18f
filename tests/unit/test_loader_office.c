/* Unit tests for the DOCX and ODT loaders (core/ingest/loader_docx.c,
 * loader_odt.c, office_part.c, office_writer.c): documents LibreOffice made
 * (../fixtures/office, remade by make.sh there), archives the tests build
 * with libzip from XML parts, and hostile archives: not a zip, truncated,
 * parts missing, a zip bomb, DTDs with entities, deep nesting. Run from
 * tests/unit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "core/ingest/loader.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#define FIXTURES "../fixtures/office/"
#define SPACES_8 "        "
#define SPACES_64 SPACES_8 SPACES_8 SPACES_8 SPACES_8 SPACES_8 SPACES_8 SPACES_8 SPACES_8
#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
#define DOC_OPEN "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document " W_NS "><w:body>"
#define DOC_CLOSE "</w:body></w:document>"
#define ODT_NS "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" " \
	"xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" " \
	"xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
#define ODT_OPEN "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content " ODT_NS \
	"><office:body><office:text>"
#define ODT_CLOSE "</office:text></office:body></office:document-content>"

/* What LibreOffice's sample.docx and sample.odt (from sample.fodt) give. */
static const char sample_text[] =
	"# Crane Operation\n\n"
	"The harbour crane lifts containers of up to 40 tonnes. Read this manual before the first "
	"shift. Inserted sentence stays.\n\n"
	"## Daily Checks\n\n"
	"- Inspect the wire rope for broken strands\n"
	"- Test the emergency stop\n"
	"  - Cab button\n"
	"  - Radio remote\n\n"
	"### Start-up Sequence\n\n"
	"1. Switch on the main isolator\n"
	"2. Release the slew brake\n"
	"3. Sound the horn twice\n\n"
	"## Load Limits\n\n"
	"| Radius | Max load | Wind limit |\n"
	"|---|---|---|\n"
	"| 12 m | 40 t | gusts under 72 km/h |\n"
	"| 30 m | 18 t | gusts under 54 km/h |\n\n"
	"Stop work  when\tlightning is seen.\n"
	"Report to the harbour master.\n";

/* A zip part: name and content (len 0: strlen). */
struct part {
	const char *name;
	const char *data;
	size_t len;
};

static char *read_all(const char *path, size_t *len)
{
	char err[256];
	char *data = NULL;
	if (loader_read_file(path, 1 << 26, &data, len, err, sizeof err) != LOADER_OK)
		fail_msg("%s: %s", path, err);
	return data;
}

/* Write the parts as a zip archive (deflated) into memory; caller frees. */
static char *build_zip(const struct part *parts, size_t n, size_t *len)
{
	char path[] = "/tmp/ragdeck-office-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		size_t plen = parts[i].len ? parts[i].len : strlen(parts[i].data);
		zip_source_t *src = zip_source_buffer(za, parts[i].data, plen, 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, parts[i].name, src, 0) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	char *data = read_all(path, len);
	unlink(path);
	return data;
}

/* Convert data as path; expect status want and return the text (or the
 * error when refused) in a buffer the caller frees; *title gets the title. */
static char *convert(const char *path, const char *data, size_t len, int want, char **title)
{
	struct loaded_doc d;
	char err[256] = "";
	int rc = loader_convert(path, data, len, &d, err, sizeof err);
	if (rc != want)
		fail_msg("%s: status %d (%s), want %d", path, rc, err, want);
	char *out = strdup(rc == LOADER_OK ? d.text : err);
	if (title)
		*title = d.title ? strdup(d.title) : NULL;
	if (rc == LOADER_OK)
		assert_true(utf8_valid(d.text, d.len));
	loaded_doc_free(&d);
	return out;
}

/* A DOCX of one document.xml body (and optional other parts) converts to want. */
static void assert_docx(const char *body, const struct part *extra, size_t n_extra, const char *want)
{
	struct part parts[8];
	struct strbuf doc = STRBUF_INIT;
	size_t len;
	sb_printf(&doc, DOC_OPEN "%s" DOC_CLOSE, body);
	parts[0] = (struct part){ "word/document.xml", sb_str(&doc), 0 };
	assert_true(n_extra < 8);
	for (size_t i = 0; i < n_extra; i++)
		parts[i + 1] = extra[i];
	char *zip = build_zip(parts, n_extra + 1, &len);
	char *text = convert("t.docx", zip, len, LOADER_OK, NULL);
	assert_string_equal(text, want);
	free(text);
	free(zip);
	sb_free(&doc);
}

static void assert_odt(const char *body, const char *want)
{
	struct strbuf doc = STRBUF_INIT;
	size_t len;
	sb_printf(&doc, ODT_OPEN "%s" ODT_CLOSE, body);
	struct part p = { "content.xml", sb_str(&doc), 0 };
	char *zip = build_zip(&p, 1, &len);
	char *text = convert("t.odt", zip, len, LOADER_OK, NULL);
	assert_string_equal(text, want);
	free(text);
	free(zip);
	sb_free(&doc);
}

/* The archive of parts is refused with a reason starting with want. */
static void assert_refused(const char *path, const struct part *parts, size_t n, const char *want)
{
	size_t len;
	char *zip = build_zip(parts, n, &len);
	char *why = convert(path, zip, len, LOADER_SKIP_UNREADABLE, NULL);
	if (strncmp(why, want, strlen(want)) != 0)
		fail_msg("%s: refused with \"%s\", want \"%s...\"", path, why, want);
	free(why);
	free(zip);
}

static void libreoffice_docx_gives_headings_lists_table_and_title(void **state)
{
	size_t len;
	char *title;
	(void)state;
	char *data = read_all(FIXTURES "sample.docx", &len);
	char *text = convert("sample.docx", data, len, LOADER_OK, &title);
	assert_string_equal(text, sample_text);
	assert_string_equal(title, "Harbour Crane Manual");
	/* the tracked deletion is in the file but not in the text */
	assert_null(strstr(text, "obsolete"));
	free(title);
	free(text);
	free(data);
}

static void libreoffice_odt_gives_the_same_text(void **state)
{
	size_t len;
	char *title;
	(void)state;
	char *data = read_all(FIXTURES "sample.odt", &len);
	char *text = convert("sample.odt", data, len, LOADER_OK, &title);
	assert_string_equal(text, sample_text);
	assert_string_equal(title, "Harbour Crane Manual");
	free(title);
	free(text);
	free(data);
}

static void docx_without_styles_reads_heading_style_ids(void **state)
{
	(void)state;
	assert_docx("<w:p><w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t>Two</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>Top</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Quote\"/></w:pPr><w:r><w:t>Plain</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:outlineLvl w:val=\"3\"/></w:pPr><w:r><w:t>Four</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"1\"/><w:numId w:val=\"7\"/></w:numPr></w:pPr>"
	            "<w:r><w:t>no numbering part</w:t></w:r></w:p>",
	            NULL, 0, "## Two\n\n# Top\n\nPlain\n\n#### Four\n\n  - no numbering part\n");
}

static void docx_odd_style_names_and_inheritance(void **state)
{
	(void)state;
	const struct part styles = { "word/styles.xml",
		"<w:styles " W_NS ">"
		"<w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Custom\"><w:name w:val=\"Chapter\"/>"
		"<w:basedOn w:val=\"berschrift1\"/></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Deep\"><w:name w:val=\"Deep one\"/>"
		"<w:pPr><w:outlineLvl w:val=\"8\"/></w:pPr></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"Not a heading\"/></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Loop\"><w:name w:val=\"x\"/><w:basedOn w:val=\"Loop\"/></w:style>"
		"<w:style w:type=\"character\" w:styleId=\"heading1Char\"><w:name w:val=\"heading 1\"/></w:style>"
		"<w:style w:type=\"paragraph\" w:styleId=\"Verz1\"><w:name w:val=\"toc 1\"/></w:style>"
		"</w:styles>", 0 };
	assert_docx("<w:p><w:pPr><w:pStyle w:val=\"berschrift1\"/></w:pPr><w:r><w:t>German</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Custom\"/></w:pPr><w:r><w:t>Inherited</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Deep\"/></w:pPr><w:r><w:t>Nine is six</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Heading3\"/></w:pPr><w:r><w:t>By name</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Loop\"/></w:pPr><w:r><w:t>Looped</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Verz1\"/></w:pPr><w:r><w:t>German\t1</w:t></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Contents2\"/></w:pPr><w:r><w:t>Inherited\t2</w:t></w:r></w:p>",
	            &styles, 1, "# German\n\n# Inherited\n\n###### Nine is six\n\nBy name\n\nLooped\n");
}

static void docx_runs_breaks_tracked_changes_controls_and_contents(void **state)
{
	(void)state;
	assert_docx("<w:p><w:r><w:t xml:space=\"preserve\">a </w:t><w:tab/><w:t>b</w:t><w:br/>"
	            "<w:t>c</w:t><w:noBreakHyphen/><w:t>d</w:t><w:sym w:char=\"F0E0\"/><w:cr/>"
	            "<w:t>e&#x7F;&#x85;f&lt;&amp;</w:t></w:r>"
	            "<w:del><w:r><w:delText>gone</w:delText></w:r></w:del>"
	            "<w:ins><w:r><w:t> kept</w:t></w:r></w:ins>"
	            "<w:r><w:fldChar w:fldCharType=\"begin\"/><w:instrText>HYPERLINK x</w:instrText></w:r>"
	            "<w:r><w:t> link</w:t></w:r></w:p>"
	            "<w:p><w:r><mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/"
	            "markup-compatibility/2006\"><mc:Choice Requires=\"wps\"><w:t>box</w:t></mc:Choice>"
	            "<mc:Fallback><w:t>box again</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
	            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:pPrChange><w:pPr>"
	            "<w:pStyle w:val=\"Heading2\"/></w:pPr></w:pPrChange></w:pPr>"
	            "<w:r><w:t>Now one</w:t></w:r></w:p>"
	            "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\"/>"
	            "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Contents</w:t></w:r></w:p>"
	            "<w:p><w:r><w:t>Now one\t1</w:t></w:r></w:p></w:sdtContent></w:sdt>"
	            "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Cover Pages\"/>"
	            "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>cover</w:t></w:r></w:p>"
	            "</w:sdtContent></w:sdt>",
	            NULL, 0, "a \tb\nc-d\nef<& kept link\n\nbox\n\n# Now one\n\ncover\n");
}

static void docx_lists_number_per_list_and_level(void **state)
{
	(void)state;
	const struct part numbering = { "word/numbering.xml",
		"<w:numbering " W_NS ">"
		"<w:abstractNum w:abstractNumId=\"3\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"decimal\"/></w:lvl>"
		"<w:lvl w:ilvl=\"1\"><w:numFmt w:val=\"bullet\"/></w:lvl>"
		"<w:lvl w:ilvl=\"2\"><w:start w:val=\"4\"/><w:numFmt w:val=\"lowerRoman\"/></w:lvl></w:abstractNum>"
		"<w:abstractNum w:abstractNumId=\"4\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/></w:lvl>"
		"</w:abstractNum>"
		"<w:num w:numId=\"1\"><w:abstractNumId w:val=\"3\"/></w:num>"
		"<w:num w:numId=\"2\"><w:abstractNumId w:val=\"3\"/></w:num>"
		"<w:num w:numId=\"5\"><w:abstractNumId w:val=\"4\"/></w:num>"
		"</w:numbering>", 0 };
#define ITEM(num, lvl, t) "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"" #lvl "\"/><w:numId w:val=\"" #num \
	"\"/></w:numPr></w:pPr><w:r><w:t>" t "</w:t></w:r></w:p>"
	assert_docx(ITEM(1, 0, "one") ITEM(1, 1, "dot") ITEM(1, 2, "roman") ITEM(1, 2, "roman 2")
	            ITEM(1, 0, "two") ITEM(1, 2, "roman again") "<w:p><w:r><w:t>between</w:t></w:r></w:p>"
	            ITEM(2, 0, "new list") ITEM(5, 0, "bullet") ITEM(0, 0, "numId 0 is no list"),
	            &numbering, 1,
	            "1. one\n  - dot\n    4. roman\n    5. roman 2\n2. two\n    4. roman again\n\n"
	            "between\n\n1. new list\n- bullet\n\nnumId 0 is no list\n");
#undef ITEM
}

static void docx_tables_flatten_nested_ones(void **state)
{
	(void)state;
#define CELL(t) "<w:tc><w:p><w:r><w:t>" t "</w:t></w:r></w:p></w:tc>"
	assert_docx("<w:tbl><w:tr>" CELL("a") "<w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p>"
	            "<w:tbl><w:tr>" CELL("x") CELL("y|z") "</w:tr><w:tr>" CELL("w") "</w:tr></w:tbl>"
	            "<w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr>"
	            "<w:tr>" CELL("") CELL("") "</w:tr>"
	            "<w:tr><w:tc><w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>h</w:t>"
	            "<w:br/><w:t>i</w:t></w:r></w:p></w:tc>" CELL("") "</w:tr></w:tbl>"
	            "<w:tbl><w:tr>" CELL("solo") "</w:tr></w:tbl>",
	            NULL, 0, "| a | b x y/z w c |\n|---|---|\n| h i | |\n\n| solo |\n");
#undef CELL
}

static void odt_lists_spaces_and_repeated_cells_are_capped(void **state)
{
	(void)state;
	struct strbuf want = STRBUF_INIT;
	assert_odt("<text:list><text:list-item><text:p>plain</text:p><text:p>more</text:p></text:list-item>"
	           "<text:list-header><text:p>header</text:p></text:list-header>"
	           "<text:list-item><text:h text:outline-level=\"2\">Heading in a list</text:h></text:list-item>"
	           "</text:list><text:p>  lead\n and <text:span>span</text:span><text:a>link</text:a>"
	           "<text:s text:c=\"1000000000\"/>x<text:note><text:note-body><text:p>foot</text:p>"
	           "</text:note-body></text:note></text:p>",
	           "- plain\n\nmore\n\nheader\n\n## Heading in a list\n\n"
	           "lead and spanlink" SPACES_64 "x\n");
	/* A repeated cell's text once, its repeats empty. */
	sb_puts(&want, "| a | b |");
	for (int i = 2; i < 64; i++)
		sb_puts(&want, " |");
	sb_puts(&want, "\n|---|");
	for (int i = 1; i < 64; i++)
		sb_puts(&want, "---|");
	sb_puts(&want, "\n| c | | d |\n");
	assert_odt("<table:table><table:table-row table:number-rows-repeated=\"1048576\">"
	           "<table:table-cell><text:p>a</text:p></table:table-cell>"
	           "<table:table-cell table:number-columns-repeated=\"16384\"><text:p>b</text:p>"
	           "</table:table-cell></table:table-row>"
	           "<table:table-row><table:table-cell table:number-columns-spanned=\"2\"><text:p>c</text:p>"
	           "</table:table-cell><table:covered-table-cell/><table:table-cell><text:p>d</text:p>"
	           "</table:table-cell></table:table-row>"
	           "<table:table-row><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>"
	           "</table:table>",
	           sb_str(&want));
	sb_free(&want);
}

static void missing_parts_and_non_zips_are_refused(void **state)
{
	size_t len;
	(void)state;
	const struct part other = { "word/other.xml", "<x/>", 0 };
	assert_refused("t.docx", &other, 1, "damaged DOCX: no word/document.xml");
	assert_refused("t.odt", &other, 1, "damaged ODT: no content.xml");
	char *why = convert("t.docx", "PK not really a zip", 19, LOADER_SKIP_UNREADABLE, NULL);
	assert_string_equal(why, "damaged DOCX: not a zip archive");
	free(why);
	char *data = read_all(FIXTURES "sample.docx", &len);
	for (size_t cut = len / 2; cut < len; cut += len / 5) {
		why = convert("t.docx", data, cut, LOADER_SKIP_UNREADABLE, NULL);
		assert_non_null(strstr(why, "damaged DOCX: "));
		free(why);
	}
	free(data);
	const struct part broken = { "content.xml", ODT_OPEN "<text:p>unclosed" "</office:text>", 0 };
	assert_refused("t.odt", &broken, 1, "damaged ODT: content.xml line 1: ");
}

/* A document.xml of 200 MB: an XML prefix, then one character repeated,
 * made by libzip as it compresses. */
struct bomb {
	const char *prefix;
	zip_uint64_t size, pos;
};

static zip_int64_t bomb_source(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct bomb *b = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		b->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t n = b->size - b->pos < len ? b->size - b->pos : len;
		size_t plen = strlen(b->prefix);
		memset(data, 'a', n);
		if (b->pos < plen)
			memcpy(data, b->prefix + b->pos, plen - b->pos < n ? plen - b->pos : n);
		b->pos += n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->size = b->size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof *st;
	}
	case ZIP_SOURCE_SUPPORTS:
		return ZIP_SOURCE_SUPPORTS_READABLE;
	default:
		return 0;
	}
}

/* A DOCX whose document.xml is that 200 MB run, deflated at level; caller
 * frees. */
static char *make_bomb(int level, size_t *len)
{
	char path[] = "/tmp/ragdeck-bomb-XXXXXX";
	struct bomb b = { .prefix = DOC_OPEN "<w:p><w:r><w:t>", .size = 200u << 20 };
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
	assert_non_null(za);
	zip_source_t *src = zip_source_function(za, bomb_source, &b);
	zip_int64_t idx = zip_file_add(za, "word/document.xml", src, 0);
	assert_true(idx >= 0);
	assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, (zip_uint32_t)level), 0);
	assert_int_equal(zip_close(za), 0);
	char *data = read_all(path, len);
	unlink(path);
	return data;
}

/* Set the uncompressed size in every local and central header of the
 * one-entry archive data to size, as a lying archive would. */
static void lie_about_size(char *data, size_t len, uint32_t size)
{
	unsigned char le[4] = { size & 0xFF, (size >> 8) & 0xFF, (size >> 16) & 0xFF, size >> 24 };
	int patched = 0;
	for (size_t i = 0; i + 46 <= len; i++) {
		if (memcmp(data + i, "PK\x03\x04", 4) == 0) {
			memcpy(data + i + 22, le, 4);
			patched++;
		} else if (memcmp(data + i, "PK\x01\x02", 4) == 0) {
			memcpy(data + i + 24, le, 4);
			patched++;
		}
	}
	assert_true(patched >= 2);
}

static void zip_bomb_is_refused_by_its_ratio(void **state)
{
	static const char want[] = "zip bomb refused: word/document.xml expands more than 200 times (";
	size_t len;
	(void)state;
	/* level 9 squeezes 200 MB into about 200 KB, 1000:1 */
	char *data = make_bomb(9, &len);
	assert_true(len < 300000);
	char *why = convert("bomb.docx", data, len, LOADER_SKIP_UNREADABLE, NULL);
	/* its headers tell the truth: refused before reading */
	assert_string_equal(why, "zip bomb refused: word/document.xml expands past 64 MB");
	free(why);
	/* claiming 1000 bytes, it is refused by the count instead, as soon as
	 * the output passes 200 times the compressed size */
	lie_about_size(data, len, 1000);
	why = convert("bomb.docx", data, len, LOADER_SKIP_UNREADABLE, NULL);
	if (strncmp(why, want, strlen(want)) != 0)
		fail_msg("lying bomb refused with \"%s\"", why);
	unsigned long long bytes = strtoull(why + strlen(want), NULL, 10);
	free(why);
	free(data);
	assert_true(bytes > 200ull * 200000 && bytes <= 200ull * 204000 + 65536);
}

static void zip_bomb_is_refused_at_64_mb(void **state)
{
	size_t len;
	(void)state;
	/* level 1 only reaches about 230:1 over the whole entry */
	char *data = make_bomb(1, &len);
	lie_about_size(data, len, 1000);
	char *why = convert("bomb.docx", data, len, LOADER_SKIP_UNREADABLE, NULL);
	assert_string_equal(why, "zip bomb refused: word/document.xml expands past 64 MB");
	free(why);
	free(data);
}

static void entity_declarations_are_refused(void **state)
{
	char secret[] = "/tmp/ragdeck-secret-XXXXXX";
	char body[512];
	(void)state;
	const struct part laughs = { "word/document.xml",
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		"<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
		"<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
		"<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
		"<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
		"<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
		"<w:document " W_NS "><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>", 0 };
	assert_refused("t.docx", &laughs, 1, "XML entity declarations refused: word/document.xml");

	int fd = mkstemp(secret);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "TOPSECRET", 9), 9);
	close(fd);
	snprintf(body, sizeof body,
	         "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file://%s\">]>"
	         "<office:document-content " ODT_NS "><office:body><office:text><text:p>&x;</text:p>"
	         "</office:text></office:body></office:document-content>", secret);
	const struct part external = { "content.xml", body, 0 };
	assert_refused("t.odt", &external, 1, "XML entity declarations refused: content.xml");
	/* without the DTD the reference is just an undeclared entity */
	snprintf(body, sizeof body, ODT_OPEN "<text:p>&x;</text:p>" ODT_CLOSE);
	assert_refused("t.odt", &external, 1, "damaged ODT: content.xml line 1: ");
	/* the metadata part is held to the same rule */
	const struct part with_meta[] = {
		{ "content.xml", ODT_OPEN "<text:p>fine</text:p>" ODT_CLOSE, 0 },
		{ "meta.xml", "<!DOCTYPE m SYSTEM \"http://example.invalid/m.dtd\"><m/>", 0 },
	};
	assert_refused("t.odt", with_meta, 2, "XML entity declarations refused: meta.xml");
	unlink(secret);
}

static void deep_nesting_is_refused(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	(void)state;
	sb_puts(&doc, DOC_OPEN "<w:p>");
	for (int i = 0; i < 5000; i++)
		sb_puts(&doc, "<w:r>");
	const struct part deep = { "word/document.xml", sb_str(&doc), 0 };
	assert_refused("t.docx", &deep, 1, "damaged DOCX: word/document.xml nests elements deeper than 200");
	sb_free(&doc);
}

/* Errors libxml2 raises without a parser context (encoding converters)
 * must not reach stderr: the terminal UI owns the screen. */
static void libxml2_prints_nothing_on_bad_encodings(void **state)
{
	char path[] = "/tmp/ragdeck-stderr-XXXXXX";
	static const char *const encodings[] = { "EBCDIC-US", "UTF-16", "bogus", "ISO-8859-1" };
	char doc[512];
	size_t len;
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0 && dup2(fd, 2) == 2);
	for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
		snprintf(doc, sizeof doc, "<?xml version=\"1.0\" encoding=\"%s\"?><w:document " W_NS
		         "><w:body><w:p><w:r><w:t>caf\xE9 \xFF\xFE</w:t></w:r></w:p></w:body></w:document>",
		         encodings[i]);
		const struct part p = { "word/document.xml", doc, 0 };
		char *zip = build_zip(&p, 1, &len);
		struct loaded_doc d;
		char err[256];
		loader_convert("t.docx", zip, len, &d, err, sizeof err);
		loaded_doc_free(&d);
		free(zip);
	}
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	off_t written = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(written, 0);
}

/* Each thread converts the fixtures and a refused document many times. */
static void *convert_repeatedly(void *arg)
{
	const char *const *docs = arg;
	for (int i = 0; i < 20; i++) {
		for (int k = 0; docs[k]; k++) {
			struct loaded_doc d;
			char err[256];
			size_t len;
			char *data = read_all(docs[k], &len);
			int rc = loader_convert(docs[k], data, len, &d, err, sizeof err);
			if (rc != LOADER_OK || strcmp(d.text, sample_text) != 0)
				return (void *)1;
			loaded_doc_free(&d);
			rc = loader_convert("x.docx", data, len / 2, &d, err, sizeof err);
			free(data);
			if (rc != LOADER_SKIP_UNREADABLE)
				return (void *)1;
		}
	}
	return NULL;
}

static void converters_run_on_several_threads(void **state)
{
	static const char *const docs[] = { FIXTURES "sample.docx", FIXTURES "sample.odt", NULL };
	pthread_t t[4];
	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, convert_repeatedly, (void *)docs), 0);
	for (int i = 0; i < 4; i++) {
		void *failed;
		assert_int_equal(pthread_join(t[i], &failed), 0);
		assert_null(failed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libreoffice_docx_gives_headings_lists_table_and_title),
		cmocka_unit_test(libreoffice_odt_gives_the_same_text),
		cmocka_unit_test(docx_without_styles_reads_heading_style_ids),
		cmocka_unit_test(docx_odd_style_names_and_inheritance),
		cmocka_unit_test(docx_runs_breaks_tracked_changes_controls_and_contents),
		cmocka_unit_test(docx_lists_number_per_list_and_level),
		cmocka_unit_test(docx_tables_flatten_nested_ones),
		cmocka_unit_test(odt_lists_spaces_and_repeated_cells_are_capped),
		cmocka_unit_test(missing_parts_and_non_zips_are_refused),
		cmocka_unit_test(zip_bomb_is_refused_by_its_ratio),
		cmocka_unit_test(zip_bomb_is_refused_at_64_mb),
		cmocka_unit_test(entity_declarations_are_refused),
		cmocka_unit_test(deep_nesting_is_refused),
		cmocka_unit_test(libxml2_prints_nothing_on_bad_encodings),
		cmocka_unit_test(converters_run_on_several_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
