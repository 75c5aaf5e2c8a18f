/* Unit tests for the PDF loader (core/ingest/loader_pdf*.c) through
 * loader_convert. The PDFs are made in the group setup with groff -Tpdf
 * (ms macros, tbl, bookmarks) and mutool create/clean (text at exact
 * positions, an image-only page, encryption); without those tools every
 * test reports itself skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ingest/loader.h"

struct fixtures {
	char dir[64];
	bool ready; /* groff and mutool were there and made every file */
};

static struct fixtures fx;

/* groff -ms with bookmarks, a document title, running headers, a table. */
static const char outline_ms[] =
	".pdfinfo /Title \"Lighthouse Operations Manual\"\n"
	".ds LH Lighthouse Manual\n"
	".ds RH Operations\n"
	".TL\n"
	"Lighthouse Operations\n"
	".NH\n"
	"Introduction\n"
	".pdfhref O 1 \"Introduction\"\n"
	".PP\n"
	"The keeper climbs the tower at dusk and lights the lamp before the first ship passes.\n"
	".NH 2\n"
	"Daily Checks\n"
	".pdfhref O 2 \"Daily Checks\"\n"
	".PP\n"
	"Clean the lens, wind the clockwork and log the weather. Write the lamp config-\n"
	".br\n"
	"uration into the log book.\n"
	".bp\n"
	".NH\n"
	"Supplies\n"
	".pdfhref O 1 \"Supplies\"\n"
	".PP\n"
	"Page two phrase: the keeper stores the lamp oil in the cellar.\n"
	".TS\n"
	"tab(;);\n"
	"l l l.\n"
	"Item;Amount;Store\n"
	"oil;200 l;cellar\n"
	"wicks;40;cupboard\n"
	".TE\n"
	".PP\n"
	"Order more before the winter storms.\n"
	".bp\n"
	".NH\n"
	"Storms\n"
	".pdfhref O 1 \"Storms\"\n"
	".PP\n"
	"Page three phrase: close the shutters when the barometer falls.\n";

/* groff -ms without bookmarks: numbered headings in growing sizes, a page
 * number footer on every page. */
static const char fonts_ms[] =
	".nr GROWPS 3\n"
	".nr PSINCR 3p\n"
	".ds LH Harbour Guide\n"
	".ds CF Page %\n"
	".NH 1\n"
	"Harbour Overview\n"
	".PP\n"
	"The harbour master coordinates every incoming vessel.\n"
	".NH 2\n"
	"Pilot Boats\n"
	".PP\n"
	"Pilot boats carry a qualified pilot through the narrow channel.\n"
	".bp\n"
	".NH 1\n"
	"Cargo Handling\n"
	".PP\n"
	"Crane operators unload refrigerated containers first.\n"
	".bp\n"
	".NH 1\n"
	"Customs\n"
	".PP\n"
	"Customs officers inspect manifests.\n";

/* mutool create pages: an 18 pt heading, a hyphen at a line end, a table
 * set at fixed columns, a page number; then a header line holding the page
 * number and a 14 pt heading. */
static const char exact_p1[] =
	"%%MediaBox 0 0 595 842\n"
	"%%Font F1 Helvetica\n"
	"%%Font F2 Helvetica-Bold\n"
	"BT /F2 18 Tf 72 760 Td (Exact Heading) Tj ET\n"
	"BT /F1 10 Tf 72 730 Td (The daemon reads its config-) Tj ET\n"
	"BT /F1 10 Tf 72 718 Td (uration from the drift file at start and keeps it.) Tj ET\n"
	"BT /F1 10 Tf 72 680 Td (Host) Tj 150 0 Td (Port) Tj 100 0 Td (Proto) Tj ET\n"
	"BT /F1 10 Tf 72 668 Td (alpha) Tj 150 0 Td (7443) Tj 100 0 Td (tcp) Tj ET\n"
	"BT /F1 10 Tf 72 656 Td (beta) Tj 150 0 Td (53) Tj 100 0 Td (udp) Tj ET\n"
	"BT /F1 10 Tf 72 620 Td (A closing sentence for the first page.) Tj ET\n"
	"BT /F1 10 Tf 290 40 Td (- 1 -) Tj ET\n";
static const char exact_p2[] =
	"%%MediaBox 0 0 595 842\n"
	"%%Font F1 Helvetica\n"
	"BT /F1 10 Tf 72 810 Td (Exact Manual) Tj 200 0 Td (- 2 -) Tj 200 0 Td (Draft) Tj ET\n"
	"BT /F1 14 Tf 72 760 Td (Second Topic) Tj ET\n"
	"BT /F1 10 Tf 72 730 Td (The beacon flashes twice every ten seconds, and not-) Tj ET\n"
	"BT /F1 10 Tf 72 718 Td (Sunday is an exception.) Tj ET\n"
	"BT /F1 10 Tf 290 40 Td (Page 2 of 2) Tj ET\n";

static const char image_page[] =
	"%%MediaBox 0 0 595 842\n"
	"%%Image Im0 scan.png\n"
	"q 595 0 0 842 0 0 cm /Im0 Do Q\n";

static void write_text(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", fx.dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Run a shell command in the fixture directory; true when it exits 0. */
static bool sh(const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof line, "cd '%s' && { %s; } >/dev/null 2>&1", fx.dir, cmd);
	return system(line) == 0;
}

static int make_fixtures(void **state)
{
	(void)state;
	snprintf(fx.dir, sizeof fx.dir, "/tmp/ragdeck-pdf-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	if (!sh("command -v groff && command -v mutool"))
		return 0;
	write_text("outline.ms", outline_ms);
	write_text("fonts.ms", fonts_ms);
	write_text("p1.txt", exact_p1);
	write_text("p2.txt", exact_p2);
	write_text("img.txt", image_page);
	fx.ready = sh("groff -ms -t -Tpdf outline.ms > outline.pdf") &&
	           sh("groff -ms -t -Tpdf fonts.ms > fonts.pdf") &&
	           sh("mutool create -o exact.pdf p1.txt p2.txt") &&
	           sh("mutool clean -E aes-128 -U user -O owner exact.pdf locked.pdf") &&
	           sh("mutool clean -E aes-128 -O owner exact.pdf owner-only.pdf") &&
	           sh("mutool draw -r 30 -o scan.png exact.pdf 1") &&
	           sh("mutool create -o scan.pdf img.txt") &&
	           sh("head -c 2000 outline.pdf > truncated.pdf");
	return 0;
}

static int remove_fixtures(void **state)
{
	(void)state;
	sh("rm -f *.ms *.txt *.pdf *.png");
	rmdir(fx.dir);
	return 0;
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[128], err[256];
	char *data = NULL;
	snprintf(path, sizeof path, "%s/%s", fx.dir, name);
	if (loader_read_file(path, 1 << 24, &data, len, err, sizeof err) != LOADER_OK)
		fail_msg("%s: %s", path, err);
	return data;
}

/* Convert a fixture; LOADER_OK expected. */
static void load(const char *name, struct loaded_doc *d)
{
	if (!fx.ready)
		skip();
	size_t len;
	char err[256] = "";
	char *data = read_fixture(name, &len);
	int rc = loader_convert(name, data, len, d, err, sizeof err);
	free(data);
	if (rc != LOADER_OK)
		fail_msg("%s: status %d (%s)", name, rc, err);
	assert_int_equal(d->format, DOC_FORMAT_PDF);
}

/* Convert a fixture expected to be refused with a reason starting with want. */
static void assert_refused(const char *name, int want_rc, const char *want)
{
	if (!fx.ready)
		skip();
	struct loaded_doc d;
	size_t len;
	char err[256] = "";
	char *data = read_fixture(name, &len);
	int rc = loader_convert(name, data, len, &d, err, sizeof err);
	free(data);
	if (rc != want_rc || strncmp(err, want, strlen(want)) != 0)
		fail_msg("%s: status %d (%s), wanted %d (%s...)", name, rc, err, want_rc, want);
	for (const char *p = err; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	loaded_doc_free(&d);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Page (from 1) holding the first occurrence of phrase: one more than the
 * form-feed lines before it; 0 when absent. */
static int page_of(const char *text, const char *phrase)
{
	const char *at = strstr(text, phrase);
	if (!at)
		return 0;
	int page = 1;
	for (const char *p = text; p < at; p++)
		page += p[0] == '\f' && (p == text || p[-1] == '\n') && p[1] == '\n';
	return page;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

static void outline_gives_headings_at_their_places(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("outline.pdf", &d);
	assert_has(d.text, "\n# Introduction\n\nThe keeper climbs");
	assert_has(d.text, "\n## Daily Checks\n\nClean the lens");
	assert_has(d.text, "# Supplies\n\nPage two phrase");
	assert_has(d.text, "# Storms\n\nPage three phrase");
	assert_lacks(d.text, "1. Introduction");
	loaded_doc_free(&d);
}

static void title_comes_from_the_document_info(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("outline.pdf", &d);
	assert_string_equal(d.title, "Lighthouse Operations Manual");
	loaded_doc_free(&d);
	load("exact.pdf", &d);
	assert_string_equal(d.title, "Exact Heading"); /* no info title: the first heading */
	loaded_doc_free(&d);
}

static void pages_are_separated_by_form_feed_lines(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("outline.pdf", &d);
	assert_int_equal(count(d.text, "\n\f\n"), 2);
	assert_int_equal(page_of(d.text, "The keeper climbs"), 1);
	assert_int_equal(page_of(d.text, "Page two phrase"), 2);
	assert_int_equal(page_of(d.text, "Page three phrase"), 3);
	loaded_doc_free(&d);
	load("exact.pdf", &d);
	assert_int_equal(count(d.text, "\n\f\n"), 1);
	assert_int_equal(page_of(d.text, "beacon flashes"), 2);
	loaded_doc_free(&d);
}

static void text_keeps_reading_order(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("outline.pdf", &d);
	const char *order[] = { "Lighthouse Operations", "The keeper climbs", "Clean the lens",
		                "Page two phrase", "| oil |", "Order more before", "Page three phrase" };
	const char *prev = d.text;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *at = strstr(d.text, order[i]);
		if (!at || at < prev)
			fail_msg("\"%s\" missing or out of order in:\n%s", order[i], d.text);
		prev = at;
	}
	loaded_doc_free(&d);
}

static void font_sizes_give_headings_without_an_outline(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("fonts.pdf", &d);
	assert_has(d.text, "# 1. Harbour Overview\n\nThe harbour master");
	assert_has(d.text, "\n## 1.1. Pilot Boats\n\nPilot boats carry");
	assert_has(d.text, "\n# 2. Cargo Handling\n");
	assert_lacks(d.text, "### ");
	loaded_doc_free(&d);
	load("exact.pdf", &d);
	assert_has(d.text, "# Exact Heading\n");
	assert_has(d.text, "\n## Second Topic\n");
	loaded_doc_free(&d);
}

static void running_headers_and_page_numbers_are_dropped(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("outline.pdf", &d);
	assert_lacks(d.text, "Lighthouse Manual");
	assert_lacks(d.text, "-2-");
	assert_lacks(d.text, "-3-");
	loaded_doc_free(&d);
	load("fonts.pdf", &d);
	assert_lacks(d.text, "Harbour Guide");
	assert_lacks(d.text, "Page 1");
	assert_lacks(d.text, "Page 3");
	loaded_doc_free(&d);
	load("exact.pdf", &d);
	assert_lacks(d.text, "- 1 -");
	assert_lacks(d.text, "Page 2 of 2");
	assert_lacks(d.text, "Exact Manual"); /* two pages: dropped for its page number cell */
	loaded_doc_free(&d);
}

static void line_end_hyphens_join_words(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("exact.pdf", &d);
	assert_has(d.text, "reads its configuration from the drift file");
	/* before an upper-case letter the hyphen is real */
	assert_has(d.text, "and not- Sunday is");
	loaded_doc_free(&d);
	load("outline.pdf", &d);
	assert_has(d.text, "Write the lamp configuration into the log book.");
	loaded_doc_free(&d);
}

static void aligned_columns_become_table_rows(void **state)
{
	(void)state;
	struct loaded_doc d;
	load("exact.pdf", &d);
	assert_has(d.text, "start and keeps it.\n\n| Host | Port | Proto |\n| alpha | 7443 | tcp |\n"
	                   "| beta | 53 | udp |\n\nA closing sentence");
	loaded_doc_free(&d);
	load("outline.pdf", &d);
	assert_has(d.text, "| Item | Amount | Store |\n| oil | 200 l | cellar |\n| wicks | 40 | cupboard |\n");
	loaded_doc_free(&d);
}

static void encrypted_pdf_is_refused(void **state)
{
	(void)state;
	assert_refused("locked.pdf", LOADER_SKIP_UNREADABLE, "encrypted PDF (needs a password)");
	/* an owner password alone still opens with the empty user password */
	struct loaded_doc d;
	load("owner-only.pdf", &d);
	assert_has(d.text, "configuration");
	loaded_doc_free(&d);
}

static void image_only_pdf_is_refused(void **state)
{
	(void)state;
	assert_refused("scan.pdf", LOADER_SKIP_UNREADABLE, "no text layer (scanned pages?)");
}

static void broken_pdfs_are_refused_without_crashing(void **state)
{
	(void)state;
	if (!fx.ready)
		skip();
	static const struct {
		const char *data;
		size_t len;
		int rc;
		const char *reason;
	} cases[] = {
		{ "", 0, LOADER_SKIP_EMPTY, "empty file" },
		{ "%PDF-", 5, LOADER_SKIP_UNREADABLE, "damaged PDF: " },
		{ "%PDF-1.7\n\x01\x02junk junk junk\n%%EOF", 30, LOADER_SKIP_UNREADABLE, "damaged PDF: " },
		{ "not a pdf at all", 16, LOADER_SKIP_UNREADABLE, "damaged PDF: " },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct loaded_doc d;
		char err[256] = "";
		int rc = loader_convert("x.pdf", cases[i].data, cases[i].len, &d, err, sizeof err);
		if (rc != cases[i].rc || strncmp(err, cases[i].reason, strlen(cases[i].reason)) != 0)
			fail_msg("case %zu: status %d (%s)", i, rc, err);
		loaded_doc_free(&d);
	}
	assert_refused("truncated.pdf", LOADER_SKIP_UNREADABLE, "damaged PDF: ");
}

struct convert_job {
	const char *data;
	size_t len;
	char *text; /* the result, owned */
};

static void *convert_on_thread(void *arg)
{
	struct convert_job *job = arg;
	struct loaded_doc d;
	char err[256];
	if (loader_convert("t.pdf", job->data, job->len, &d, err, sizeof err) == LOADER_OK)
		job->text = strdup(d.text);
	loaded_doc_free(&d);
	return NULL;
}

/* Ingest converts on several threads: each call has its own MuPDF context,
 * so concurrent conversions give the single-threaded result. */
static void conversions_on_threads_agree(void **state)
{
	(void)state;
	struct loaded_doc want;
	load("outline.pdf", &want);
	size_t len;
	char *data = read_fixture("outline.pdf", &len);
	struct convert_job jobs[4];
	pthread_t tids[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct convert_job){ data, len, NULL };
		assert_int_equal(pthread_create(&tids[i], NULL, convert_on_thread, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(tids[i], NULL), 0);
		assert_non_null(jobs[i].text);
		assert_string_equal(jobs[i].text, want.text);
		free(jobs[i].text);
	}
	free(data);
	loaded_doc_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(outline_gives_headings_at_their_places),
		cmocka_unit_test(title_comes_from_the_document_info),
		cmocka_unit_test(pages_are_separated_by_form_feed_lines),
		cmocka_unit_test(text_keeps_reading_order),
		cmocka_unit_test(font_sizes_give_headings_without_an_outline),
		cmocka_unit_test(running_headers_and_page_numbers_are_dropped),
		cmocka_unit_test(line_end_hyphens_join_words),
		cmocka_unit_test(aligned_columns_become_table_rows),
		cmocka_unit_test(encrypted_pdf_is_refused),
		cmocka_unit_test(image_only_pdf_is_refused),
		cmocka_unit_test(broken_pdfs_are_refused_without_crashing),
		cmocka_unit_test(conversions_on_threads_agree),
	};
	return cmocka_run_group_tests(tests, make_fixtures, remove_fixtures);
}
