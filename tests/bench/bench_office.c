/* bench_office: throughput of the DOCX and ODT converters alone.
 *
 *   bench_office [--quick]
 *
 * Builds a set of documents in memory with libzip (default: 8 DOCX and 8
 * ODT of about 12 MB of XML each; --quick: one small one of each) from
 * seeded pseudo-random words in headings, paragraphs of several runs, list
 * items and tables, then converts the set three times and prints the best
 * rate in MB/s of archive bytes and of XML bytes, by the process's CPU
 * time (steady on a shared machine) and by the wall clock. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#define RUNS 3

struct doc {
	char *zip;
	size_t zip_len, xml_len;
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* A sentence of n words made of random syllables. */
static void words(struct strbuf *sb, int n)
{
	static const char *const syl[] = { "ka", "to", "ren", "mi", "sor", "ta", "lin", "gu", "pe", "dro",
	                                   "vas", "el", "qui", "no", "bar", "ste", "fu", "ix", "ma", "ol" };
	for (int i = 0; i < n; i++) {
		int s = 1 + (int)(rng() % 3);
		if (i)
			sb_putc(sb, ' ');
		for (int k = 0; k < s; k++)
			sb_puts(sb, syl[rng() % (sizeof syl / sizeof syl[0])]);
	}
}

static void docx_body(struct strbuf *x, size_t target)
{
	sb_puts(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas."
	           "openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
	while (x->len < target) {
		sb_printf(x, "<w:p><w:pPr><w:pStyle w:val=\"Heading%u\"/></w:pPr><w:r><w:t>", 1 + rng() % 3);
		words(x, 4);
		sb_puts(x, "</w:t></w:r></w:p>");
		for (int p = 0; p < 5; p++) {
			sb_puts(x, "<w:p>");
			for (int r = 0; r < 4; r++) {
				sb_puts(x, "<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">");
				words(x, 15);
				sb_puts(x, " </w:t></w:r>");
			}
			sb_puts(x, "</w:p>");
		}
		for (int i = 0; i < 4; i++) {
			sb_puts(x, "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr>"
			           "</w:pPr><w:r><w:t>");
			words(x, 8);
			sb_puts(x, "</w:t></w:r></w:p>");
		}
		sb_puts(x, "<w:tbl>");
		for (int r = 0; r < 4; r++) {
			sb_puts(x, "<w:tr>");
			for (int c = 0; c < 3; c++) {
				sb_puts(x, "<w:tc><w:p><w:r><w:t>");
				words(x, 3);
				sb_puts(x, "</w:t></w:r></w:p></w:tc>");
			}
			sb_puts(x, "</w:tr>");
		}
		sb_puts(x, "</w:tbl>");
	}
	sb_puts(x, "</w:body></w:document>");
}

static void odt_body(struct strbuf *x, size_t target)
{
	sb_puts(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content "
	           "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
	           "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
	           "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\">"
	           "<office:body><office:text>");
	while (x->len < target) {
		sb_printf(x, "<text:h text:outline-level=\"%u\">", 1 + rng() % 3);
		words(x, 4);
		sb_puts(x, "</text:h>");
		for (int p = 0; p < 5; p++) {
			sb_puts(x, "<text:p>");
			for (int r = 0; r < 4; r++) {
				sb_puts(x, "<text:span text:style-name=\"T1\">");
				words(x, 15);
				sb_puts(x, " </text:span>");
			}
			sb_puts(x, "</text:p>");
		}
		sb_puts(x, "<text:list>");
		for (int i = 0; i < 4; i++) {
			sb_puts(x, "<text:list-item><text:p>");
			words(x, 8);
			sb_puts(x, "</text:p></text:list-item>");
		}
		sb_puts(x, "</text:list><table:table>");
		for (int r = 0; r < 4; r++) {
			sb_puts(x, "<table:table-row>");
			for (int c = 0; c < 3; c++) {
				sb_puts(x, "<table:table-cell><text:p>");
				words(x, 3);
				sb_puts(x, "</text:p></table:table-cell>");
			}
			sb_puts(x, "</table:table-row>");
		}
		sb_puts(x, "</table:table>");
	}
	sb_puts(x, "</office:text></office:body></office:document-content>");
}

/* One archive holding the XML as part name, deflated, in memory. */
static struct doc make_doc(const char *name, const struct strbuf *xml)
{
	struct doc d = { .xml_len = xml->len };
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		fprintf(stderr, "bench_office: cannot build a zip: %s\n", zip_error_strerror(&ze));
		exit(1);
	}
	zip_source_keep(mem);
	zip_source_t *src = zip_source_buffer(za, xml->buf, xml->len, 0);
	if (!src || zip_file_add(za, name, src, 0) < 0 || zip_close(za) != 0) {
		fprintf(stderr, "bench_office: cannot write %s: %s\n", name, zip_strerror(za));
		exit(1);
	}
	zip_stat_t st;
	if (zip_source_open(mem) != 0 || zip_source_stat(mem, &st) != 0) {
		fprintf(stderr, "bench_office: cannot read the zip back\n");
		exit(1);
	}
	d.zip = malloc(st.size);
	d.zip_len = (size_t)zip_source_read(mem, d.zip, st.size);
	zip_source_close(mem);
	zip_source_free(mem);
	zip_error_fini(&ze);
	return d;
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of RUNS passes over the set: CPU seconds returned, wall seconds in
 * *wall, the text's bytes in *out_bytes. */
static double time_set(loader_bytes_fn fn, const struct doc *docs, int n, size_t *out_bytes,
                       double *wall)
{
	double best = 1e9;
	*wall = 1e9;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
		*out_bytes = 0;
		for (int i = 0; i < n; i++) {
			struct strbuf out = STRBUF_INIT;
			char *title = NULL, err[256];
			if (fn(docs[i].zip, docs[i].zip_len, &out, &title, err, sizeof err) != LOADER_OK) {
				fprintf(stderr, "bench_office: refused: %s\n", err);
				exit(1);
			}
			*out_bytes += out.len;
			sb_free(&out);
			free(title);
		}
		double t = now(CLOCK_PROCESS_CPUTIME_ID) - t0, w = now(CLOCK_MONOTONIC) - w0;
		best = t < best ? t : best;
		*wall = w < *wall ? w : *wall;
	}
	return best;
}

static void run(const char *fmt, const char *part, void (*body)(struct strbuf *, size_t),
                loader_bytes_fn fn, int n, size_t xml_target)
{
	struct doc *docs = calloc((size_t)n, sizeof *docs);
	size_t zip_total = 0, xml_total = 0, text;
	for (int i = 0; i < n; i++) {
		struct strbuf xml = STRBUF_INIT;
		body(&xml, xml_target);
		docs[i] = make_doc(part, &xml);
		zip_total += docs[i].zip_len;
		xml_total += docs[i].xml_len;
		sb_free(&xml);
	}
	double wall;
	double t = time_set(fn, docs, n, &text, &wall);
	printf("%s: %d files, %.1f MB archives, %.1f MB XML, %.1f MB text: CPU %.3f s, "
	       "%.1f MB/s of archive, %.1f MB/s of XML; wall %.3f s, %.1f MB/s of archive\n",
	       fmt, n, zip_total / 1e6, xml_total / 1e6, text / 1e6, t, zip_total / 1e6 / t,
	       xml_total / 1e6 / t, wall, zip_total / 1e6 / wall);
	for (int i = 0; i < n; i++)
		free(docs[i].zip);
	free(docs);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	int n = quick ? 1 : 8;
	size_t target = quick ? 200000 : 12000000;
	run("docx", "word/document.xml", docx_body, loader_docx_convert, n, target);
	run("odt", "content.xml", odt_body, loader_odt_convert, n, target);
	return 0;
}
