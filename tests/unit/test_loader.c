/* Unit tests for core/ingest/loader: formats, binary sniffing, reading files and
 * converting text, Markdown, RST and HTML. Run from tests/unit (fixtures are
 * under ../fixtures/loader). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ingest/loader.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#define R "\xEF\xBF\xBD"
#define LIT(s) s, sizeof(s) - 1
#define FIXTURES "../fixtures/loader/"

struct tmpdir {
	char path[64];
};

static void make_tmpdir(struct tmpdir *t)
{
	snprintf(t->path, sizeof t->path, "/tmp/ragdeck-loader-XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmp_path(const struct tmpdir *t, const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", t->path, name);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void remove_tmpdir(struct tmpdir *t, const char *const *names, size_t n)
{
	char p[128];
	for (size_t i = 0; i < n; i++) {
		tmp_path(t, names[i], p, sizeof p);
		chmod(p, 0600);
		remove(p);
	}
	rmdir(t->path);
}

/* Read a fixture through the loader itself. */
static char *read_fixture(const char *name, size_t *len)
{
	char path[256], err[256];
	char *data = NULL;
	snprintf(path, sizeof path, FIXTURES "%s", name);
	if (loader_read_file(path, 1 << 20, &data, len, err, sizeof err) != LOADER_OK)
		fail_msg("%s: %s", path, err);
	return data;
}

/* Convert (path, data) and expect LOADER_OK with exactly want. */
static void assert_converts(const char *path, const char *data, size_t len, const char *want,
                            const char *want_title)
{
	struct loaded_doc d;
	char err[256] = "";
	int rc = loader_convert(path, data, len, &d, err, sizeof err);
	if (rc != LOADER_OK)
		fail_msg("%s: status %d (%s)", path, rc, err);
	assert_string_equal(d.text, want);
	assert_int_equal(d.len, strlen(want));
	if (want_title)
		assert_string_equal(d.title, want_title);
	else
		assert_null(d.title);
	loaded_doc_free(&d);
}

static void assert_html(const char *html, const char *want)
{
	assert_converts("t.html", html, strlen(html), want, NULL);
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void format_follows_extension_case_insensitively(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		enum doc_format f;
	} cases[] = {
		{ "README.md", DOC_FORMAT_MARKDOWN }, { "a/b/notes.MARKDOWN", DOC_FORMAT_MARKDOWN },
		{ "docs/guide.rst", DOC_FORMAT_RST }, { "index.HTML", DOC_FORMAT_HTML },
		{ "page.htm", DOC_FORMAT_HTML }, { "x.xhtml", DOC_FORMAT_HTML },
		{ "src/main.c", DOC_FORMAT_CODE }, { "lib.hpp", DOC_FORMAT_CODE },
		{ "app.py", DOC_FORMAT_CODE }, { "cfg/settings.yml", DOC_FORMAT_CODE },
		{ "run.bash", DOC_FORMAT_CODE }, { "Cargo.toml", DOC_FORMAT_CODE },
		{ "notes.txt", DOC_FORMAT_TEXT }, { "Makefile", DOC_FORMAT_TEXT },
		{ ".bashrc", DOC_FORMAT_TEXT }, { "dir.md/file", DOC_FORMAT_TEXT },
		{ "archive.tar.gz", DOC_FORMAT_TEXT }, { "trailing.", DOC_FORMAT_TEXT },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (loader_format_for_path(cases[i].path) != cases[i].f)
			fail_msg("%s: format %d, want %d", cases[i].path,
			         loader_format_for_path(cases[i].path), cases[i].f);
	}
}

static void format_names_are_lower_case(void **state)
{
	(void)state;
	assert_string_equal(loader_format_name(DOC_FORMAT_TEXT), "text");
	assert_string_equal(loader_format_name(DOC_FORMAT_MARKDOWN), "markdown");
	assert_string_equal(loader_format_name(DOC_FORMAT_RST), "rst");
	assert_string_equal(loader_format_name(DOC_FORMAT_HTML), "html");
	assert_string_equal(loader_format_name(DOC_FORMAT_CODE), "code");
}

static void binary_sniff_finds_magic_numbers(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len;
	} bins[] = {
		{ LIT("\x1F\x8B\x08 rest") }, { LIT("PK\x03\x04zip") }, { LIT("%PDF-1.7\n") },
		{ LIT("\x89PNG\r\n\x1A\nxx") }, { LIT("\xFF\xD8\xFF\xE0") }, { LIT("GIF89a..") },
		{ LIT("\x7F" "ELF\x02\x01") }, { LIT("7z\xBC\xAF\x27\x1C..") },
		{ LIT("\xFD" "7zXZ\0..") }, { LIT("BZh91AY&SY....") }, { LIT("\x28\xB5\x2F\xFDzz") },
		{ LIT("SQLite format 3\0....") },
	};
	for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		if (!loader_looks_binary(bins[i].s, bins[i].len))
			fail_msg("case %zu not binary", i);
	}
	assert_false(loader_looks_binary(LIT("BZh is a prefix of plain text")));
	assert_false(loader_looks_binary(LIT("%PD not quite")));
	assert_false(loader_looks_binary(LIT("")));
}

static void binary_sniff_counts_nul_and_controls_in_first_8k(void **state)
{
	(void)state;
	char buf[9000];
	memset(buf, 'a', sizeof buf);
	assert_false(loader_looks_binary(buf, sizeof buf));
	buf[8191] = '\0';
	assert_true(loader_looks_binary(buf, sizeof buf));
	buf[8191] = 'a';
	buf[8192] = '\0';
	assert_false(loader_looks_binary(buf, sizeof buf));
	/* 30 of 100 is not more than 30%; 31 is. */
	memset(buf, 'a', 100);
	memset(buf, '\x01', 30);
	assert_false(loader_looks_binary(buf, 100));
	buf[30] = '\x1B';
	assert_true(loader_looks_binary(buf, 100));
	assert_false(loader_looks_binary(LIT("tabs\tand\r\nnewlines\f\v\n\n\n\n")));
}

static void read_file_returns_contents(void **state)
{
	(void)state;
	struct tmpdir t;
	char p[128], link[128], err[256];
	char *data = NULL;
	size_t len = 99;
	static const char *const names[] = { "a.txt", "link.txt", "empty.txt" };

	make_tmpdir(&t);
	tmp_path(&t, "a.txt", p, sizeof p);
	write_file(p, LIT("hello\0world"));
	assert_int_equal(loader_read_file(p, 100, &data, &len, err, sizeof err), LOADER_OK);
	assert_int_equal(len, 11);
	assert_memory_equal(data, "hello\0world", 12);
	free(data);
	assert_int_equal(loader_read_file(p, SIZE_MAX, &data, &len, err, sizeof err), LOADER_OK);
	assert_int_equal(len, 11);
	free(data);

	tmp_path(&t, "link.txt", link, sizeof link);
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(loader_read_file(link, 11, &data, &len, err, sizeof err), LOADER_OK);
	assert_int_equal(len, 11);
	free(data);

	tmp_path(&t, "empty.txt", p, sizeof p);
	write_file(p, "", 0);
	assert_int_equal(loader_read_file(p, 100, &data, &len, err, sizeof err), LOADER_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	remove_tmpdir(&t, names, 3);
}

static void read_file_refuses_over_limit(void **state)
{
	(void)state;
	struct tmpdir t;
	char p[128], err[256];
	char *data = (char *)"sentinel";
	size_t len = 0;
	static const char *const names[] = { "big.txt", "small.txt" };

	make_tmpdir(&t);
	tmp_path(&t, "big.txt", p, sizeof p);
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 13002342), 0); /* 12.4 MiB, sparse */
	close(fd);
	assert_int_equal(loader_read_file(p, 10 * 1024 * 1024, &data, &len, err, sizeof err),
	                 LOADER_SKIP_TOO_LARGE);
	assert_string_equal(err, "12.4 MB is over the 10 MB limit");
	assert_null(data);

	tmp_path(&t, "small.txt", p, sizeof p);
	write_file(p, LIT("0123456789"));
	assert_int_equal(loader_read_file(p, 9, &data, &len, err, sizeof err), LOADER_SKIP_TOO_LARGE);
	assert_string_equal(err, "10 bytes is over the 9 bytes limit");
	assert_int_equal(loader_read_file(p, 10, &data, &len, err, sizeof err), LOADER_OK);
	free(data);
	remove_tmpdir(&t, names, 2);
}

static void read_file_refuses_directory_and_fifo(void **state)
{
	(void)state;
	struct tmpdir t;
	char p[128], err[256];
	char *data = NULL;
	size_t len = 0;
	static const char *const names[] = { "pipe" };

	make_tmpdir(&t);
	assert_int_equal(loader_read_file(t.path, 100, &data, &len, err, sizeof err),
	                 LOADER_SKIP_NOT_REGULAR);
	assert_string_equal(err, "a directory, not a regular file");
	tmp_path(&t, "pipe", p, sizeof p);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(loader_read_file(p, 100, &data, &len, err, sizeof err),
	                 LOADER_SKIP_NOT_REGULAR);
	assert_string_equal(err, "a FIFO, not a regular file");
	assert_null(data);
	assert_int_equal(loader_read_file("/dev/null", 100, &data, &len, err, sizeof err),
	                 LOADER_SKIP_NOT_REGULAR);
	assert_string_equal(err, "a character device, not a regular file");
	remove_tmpdir(&t, names, 1);
}

static void read_file_reports_unreadable_and_missing(void **state)
{
	(void)state;
	struct tmpdir t;
	char p[128], err[256];
	char *data = NULL;
	size_t len = 0;
	static const char *const names[] = { "secret.txt" };

	make_tmpdir(&t);
	tmp_path(&t, "missing.txt", p, sizeof p);
	assert_int_equal(loader_read_file(p, 100, &data, &len, err, sizeof err), LOADER_ERR_IO);
	assert_string_equal(err, "no such file or directory");
	tmp_path(&t, "secret.txt", p, sizeof p);
	write_file(p, LIT("x"));
	assert_int_equal(chmod(p, 0), 0);
	/* root reads mode-000 files; the directory and FIFO cases cover refusal. */
	if (geteuid() != 0) {
		assert_int_equal(loader_read_file(p, 100, &data, &len, err, sizeof err), LOADER_ERR_IO);
		assert_string_equal(err, "permission denied");
		assert_null(data);
	}
	remove_tmpdir(&t, names, 1);
}

static void convert_normalises_bom_and_line_ends(void **state)
{
	(void)state;
	assert_converts("a.txt", LIT("\xEF\xBB\xBFone\r\ntwo\rthree\n\r\nfour"),
	                "one\ntwo\nthree\n\nfour", NULL);
	assert_converts("b.txt", LIT("\r\r\nx\r"), "\n\nx\n", NULL);
}

static void convert_replaces_nul_after_sniff_window(void **state)
{
	(void)state;
	char in[9003];
	memset(in, 'x', 9000);
	memcpy(in + 9000, "\0y\n", 3);
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert("n.txt", in, sizeof in, &d, err, sizeof err), LOADER_OK);
	assert_int_equal(d.len, 9000 + 3 + 2);
	assert_memory_equal(d.text + 9000, R "y\n", 6);
	assert_int_equal(d.invalid_utf8, 0);
	loaded_doc_free(&d);
}

static void convert_repairs_and_counts_invalid_utf8(void **state)
{
	(void)state;
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert("l1.txt", LIT("caf\xE9 ok \xFF\xFE\r\n\xED\xA0\x80!"), &d,
	                                err, sizeof err), LOADER_OK);
	assert_string_equal(d.text, "caf" R " ok " R R "\n" R R R "!");
	assert_int_equal(d.invalid_utf8, 6);
	assert_int_equal(d.format, DOC_FORMAT_TEXT);
	loaded_doc_free(&d);
	assert_null(d.text);
	assert_int_equal(d.len, 0);
	loaded_doc_free(NULL);
}

static void convert_skips_empty_and_whitespace_only(void **state)
{
	(void)state;
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert("e.txt", "", 0, &d, err, sizeof err), LOADER_SKIP_EMPTY);
	assert_string_equal(err, "empty file");
	assert_null(d.text);
	assert_int_equal(loader_convert("w.md", LIT(" \t\r\n\n  \f"), &d, err, sizeof err),
	                 LOADER_SKIP_EMPTY);
	assert_string_equal(err, "no text (only whitespace or markup)");
	assert_int_equal(loader_convert("w.html", LIT("<html><head><title>T</title></head>"
	                                              "<body> <!-- x --> <p> </p></body></html>"),
	                                &d, err, sizeof err), LOADER_SKIP_EMPTY);
	assert_int_equal(loader_convert("bom.txt", LIT("\xEF\xBB\xBF\n"), &d, err, sizeof err),
	                 LOADER_SKIP_EMPTY);
	loaded_doc_free(&d);
}

static void convert_skips_gzip_bytes_in_txt(void **state)
{
	(void)state;
	size_t len = 0;
	char *data = read_fixture("archive.txt", &len);
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert(FIXTURES "archive.txt", data, len, &d, err, sizeof err),
	                 LOADER_SKIP_BINARY);
	assert_string_equal(err, "binary content (gzip data)");
	assert_null(d.text);
	assert_int_equal(loader_convert("x.txt", LIT("ab\0cd"), &d, err, sizeof err),
	                 LOADER_SKIP_BINARY);
	assert_string_equal(err, "binary content (NUL byte at offset 2)");
	free(data);
}

static void code_and_text_pass_through(void **state)
{
	(void)state;
	const char py[] = "# comment, not a title\ndef f():\n\treturn 1\n";
	assert_converts("m.py", LIT(py), py, NULL);
	assert_converts("t.txt", LIT("# looks like a heading\n"), "# looks like a heading\n", NULL);
}

static void markdown_keeps_text_and_finds_title(void **state)
{
	(void)state;
	size_t len = 0;
	char *data = read_fixture("notes.md", &len);
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert("notes.md", data, len, &d, err, sizeof err), LOADER_OK);
	assert_int_equal(d.len, len);
	assert_memory_equal(d.text, data, len);
	assert_string_equal(d.title, "Release notes");
	assert_int_equal(d.format, DOC_FORMAT_MARKDOWN);
	loaded_doc_free(&d);
	free(data);

	assert_converts("a.md", LIT("```\n# in code\n```\n## Sub\n  # Real title ##\n# Later\n"),
	                "```\n# in code\n```\n## Sub\n  # Real title ##\n# Later\n", "Real title");
	assert_converts("b.md", LIT("---\nfoo: 1\n---\n# Heading\n"), "---\nfoo: 1\n---\n# Heading\n",
	                "Heading");
	assert_converts("c.md", LIT("---\ntitle: never closed\n# H\n"),
	                "---\ntitle: never closed\n# H\n", "H");
	assert_converts("d.md", LIT("#hashtag\n    # indented code\ntext\n"),
	                "#hashtag\n    # indented code\ntext\n", NULL);
}

static void rst_fixture_converts_titles_in_place(void **state)
{
	(void)state;
	size_t len = 0;
	char *data = read_fixture("guide.rst", &len);
	const char *want =
		"\n"
		"# Admin Guide\n"
		"\n"
		"\n"
		"Intro paragraph with *emphasis*.\n"
		"\n"
		"## Installation\n"
		"\n"
		"\n"
		"Run the installer::\n"
		"\n"
		"    $ make install\n"
		"    Not a title\n"
		"    ===========\n"
		"\n"
		"### Configuration\n"
		"\n"
		"\n"
		"Short\n"
		"--\n"
		"\n"
		"Too long title line\n"
		"===\n"
		"\n"
		"## Upgrading\n"
		"\n"
		"\n"
		"----\n"
		"\n"
		"Done.\n";
	struct loaded_doc d;
	char err[256];
	assert_int_equal(loader_convert("docs/guide.rst", data, len, &d, err, sizeof err), LOADER_OK);
	assert_string_equal(d.text, want);
	assert_int_equal(count_lines(d.text, d.len), count_lines(data, len));
	assert_string_equal(d.title, "Admin Guide");
	loaded_doc_free(&d);
	free(data);
}

static void rst_levels_follow_first_appearance(void **state)
{
	(void)state;
	assert_converts("a.rst", LIT("Top\n~~~\n\nNext\n****\n\nAgain\n~~~~~\n\nNo newline\n**********"),
	                "# Top\n\n\n## Next\n\n\n# Again\n\n\n## No newline\n", "Top");
	assert_converts("b.rst", LIT("para line\nTitle\n=====\n"), "para line\nTitle\n=====\n", NULL);
	assert_converts("c.rst", LIT("  Indented\n  ========\n"), "  Indented\n  ========\n", NULL);
	assert_converts("d.rst", LIT("\xE6\x97\xA5\xE6\x9C\xAC\n----\n"), "# \xE6\x97\xA5\xE6\x9C\xAC\n\n",
	                "\xE6\x97\xA5\xE6\x9C\xAC");
	assert_converts("e.rst", LIT("\xE6\x97\xA5\xE6\x9C\xAC\n---\n"), "\xE6\x97\xA5\xE6\x9C\xAC\n---\n",
	                NULL);
}

static void html_fixture_becomes_markdownish_text(void **state)
{
	(void)state;
	size_t len = 0;
	char *data = read_fixture("page.html", &len);
	const char *want =
		"Home \xC2\xB7 Help\n"
		"\n"
		"# Refund policy\n"
		"\n"
		"Refunds take 5\xE2\x80\x93" "10 days\xE2\x80\xA6 Contact support at help@example.com.\n"
		"\n"
		"Caf\xC3\xA9 prices \xE2\x82\xAC" "3 < \xC2\xA3" "5 \xC2\xA9 \xF0\x9F\x98\x80 &bogus; AT&T\n"
		"\n"
		"## Steps\n"
		"\n"
		"- Open the order page\n"
		"- Choose Refund\n"
		"  - partial\n"
		"  - full\n"
		"\n"
		"| Plan | Days |\n"
		"|---|---|\n"
		"| Basic | 14 |\n"
		"| Pro | 30 |\n"
		"\n"
		"```\n"
		"$ refund --order 42 && echo \"ok\"\n"
		"  indented <line>\n"
		"```\n"
		"\n"
		"Quoted\n"
		"twice\n"
		"over\n"
		"\n"
		"one\n"
		"two\n";
	assert_converts("site/page.html", data, len, want, "Refunds & Returns Guide");
	free(data);
}

static void html_drops_script_style_comments_and_hidden(void **state)
{
	(void)state;
	assert_html("a<script type='x'>var s = '</p>'; if (a<b) {}</SCRIPT >b", "ab\n");
	assert_html("a<style>p{}</style>b<!-- c -->d<!---->e<!-->f<?php x ?>g", "abdefg\n");
	assert_html("a<template><p>t</p><template>in</template>still</template>b", "ab\n");
	assert_html("a<svg><g><svg>nested</svg>more</g></svg>b<svg/>c", "abc\n");
	assert_html("a<noscript>n</noscript>b<iframe>f</iframe>c", "abc\n");
	assert_html("text<!-- never closed <p>gone", "text\n");
	assert_html("x<script>never closed</scrip", "x\n");
}

static void html_decodes_entities_and_leaves_unknown_ones(void **state)
{
	(void)state;
	assert_html("&lt;&gt;&amp;&quot;&apos;&copy;&reg;&trade;&mdash;&ndash;&hellip;",
	            "<>&\"'\xC2\xA9\xC2\xAE\xE2\x84\xA2\xE2\x80\x94\xE2\x80\x93\xE2\x80\xA6\n");
	assert_html("&lsquo;&rsquo;&ldquo;&rdquo;&bull;&middot;&deg;&times;&sect;&para;&laquo;&raquo;",
	            "\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA2\xC2\xB7\xC2\xB0"
	            "\xC3\x97\xC2\xA7\xC2\xB6\xC2\xAB\xC2\xBB\n");
	assert_html("a&nbsp;b &#65;&#x42;&#X43;&#68 &#150; &#0; &#x110000; &#xD800;",
	            "a\xC2\xA0" "b ABCD \xE2\x80\x93 " R " " R " " R "\n");
	assert_html("&amp;lt; &unknown; &copy &#; &#x; & x &AMP;", "&lt; &unknown; &copy &#; &#x; & x &AMP;\n");
	assert_html("a&#10;&#9;b", "a b\n");
}

static void html_keeps_pre_whitespace_in_a_fence(void **state)
{
	(void)state;
	assert_html("<p>x</p><pre>\n  a  b\n\tc &lt;d&gt;<br>e</pre>after",
	            "x\n\n```\n  a  b\n\tc <d>\ne\n```\n\nafter\n");
	assert_html("<PRE>use ```code``` here</PRE>", "````\nuse ```code``` here\n````\n");
	assert_html("<pre>unclosed\n  tail", "```\nunclosed\n  tail\n```\n");
}

static void html_tables_lists_and_headings(void **state)
{
	(void)state;
	assert_html("<table><tr><th>A</th><th></th><td> c </td></tr><tr><td><p>x</p><p>y</p></td>"
	            "<td>z</td></tr></table>after",
	            "| A | | c |\n|---|---|---|\n| x y | z |\n\nafter\n");
	/* one row: a layout table, no header separator */
	assert_html("<table><tr><td>Note</td><td>Keep a backup.</td></tr></table>", "| Note | Keep a backup. |\n");
	assert_html("<h3>Three</h3><p>p</p><h6>six</h6>", "### Three\n\np\n\n###### six\n");
	assert_html("<ul><li>a<li>b<ul><li>c</ul></ul><li>stray", "- a\n- b\n  - c\n\n- stray\n");
	assert_html("one<br>two<br><br>three<br/><br/><br/>four", "one\ntwo\n\nthree\n\nfour\n");
}

static void html_survives_odd_markup(void **state)
{
	(void)state;
	assert_html("<a href=\"x>y\" title='a > b'>link</a> <P CLASS=X>Up</P>", "link\n\nUp\n");
	assert_html("<a title=\"never closed>text</a>", "text\n");
	assert_html("<div>unclosed <b>bold <i>both", "unclosed bold both\n");
	assert_html("a < b and c<5 </ d> e", "a < b and c<5 </ d> e\n");
	assert_html("x<br", "x\n");
	assert_html("<verylongunknowntagname>t</verylongunknowntagname>", "t\n");
	assert_html("\xE6\x97\xA5<p>\xC3\xA9</p>", "\xE6\x97\xA5\n\n\xC3\xA9\n");
}

static void html_handles_100k_nested_tags_without_recursion(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, i % 2 ? "<div>" : "<ul><li>");
	sb_puts(&sb, "deep text");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, i % 2 ? "</div>" : "</li></ul>");
	sb_puts(&sb, "<span>");
	for (int i = 0; i < 100000; i++)
		sb_puts(&sb, "<b>");
	sb_puts(&sb, "tail");
	assert_converts("deep.html", sb.buf, sb.len, "                - deep text\n\ntail\n", NULL);
	sb_free(&sb);
}

static void html_title_comes_from_title_element(void **state)
{
	(void)state;
	assert_converts("t.html", LIT("<title> A &amp;\n B </title><title>second</title><p>x"), "x\n",
	                "A & B");
	assert_converts("u.html", LIT("<h1>From heading</h1><p>x"), "# From heading\n\nx\n",
	                "From heading");
	assert_converts("v.html", LIT("<TITLE>unclosed<p>body"), "body\n", "unclosed");
	assert_converts("w.html", LIT("<head><title>T</title>Body text"), "Body text\n", "T");
}

/* A small deterministic generator, so failures reproduce. */
static uint32_t next_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void html_random_markup_gives_clean_text(void **state)
{
	(void)state;
	static const char *const parts[] = {
		"<p>", "</p>", "<pre>", "</pre>", "<li>", "<ul>", "</ul>", "<td>", "<tr>", "<table>",
		"<h2>", "</h2>", "<br>", "<script>", "</script>", "<svg>", "</svg>", "<head>", "<title>",
		"</title>", "<!--", "-->", "<!", "<", ">", "/", "\"", "'", "=", "&", "&amp;", "&#", "&#x",
		"12", ";", " ", "\n", "\r", "text", "\xC3\xA9", "\xFF", "`", "<a href=", "\xE2\x80\xAE",
	};
	size_t n_parts = sizeof parts / sizeof parts[0];
	uint32_t seed = 7;
	struct strbuf in = STRBUF_INIT;

	for (int round = 0; round < 5000; round++) {
		sb_reset(&in);
		size_t pieces = next_rand(&seed) % 40;
		for (size_t k = 0; k < pieces; k++)
			sb_puts(&in, parts[next_rand(&seed) % n_parts]);
		struct loaded_doc d;
		char err[256];
		int rc = loader_convert("f.html", sb_str(&in), in.len, &d, err, sizeof err);
		if (rc == LOADER_SKIP_EMPTY)
			continue;
		assert_int_equal(rc, LOADER_OK);
		assert_true(d.len > 0);
		assert_int_equal(d.text[d.len - 1], '\n');
		assert_int_equal(strlen(d.text), d.len);
		assert_null(memchr(d.text, '\r', d.len));
		assert_true(utf8_valid(d.text, d.len));
		loaded_doc_free(&d);
	}
	sb_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_follows_extension_case_insensitively),
		cmocka_unit_test(format_names_are_lower_case),
		cmocka_unit_test(binary_sniff_finds_magic_numbers),
		cmocka_unit_test(binary_sniff_counts_nul_and_controls_in_first_8k),
		cmocka_unit_test(read_file_returns_contents),
		cmocka_unit_test(read_file_refuses_over_limit),
		cmocka_unit_test(read_file_refuses_directory_and_fifo),
		cmocka_unit_test(read_file_reports_unreadable_and_missing),
		cmocka_unit_test(convert_normalises_bom_and_line_ends),
		cmocka_unit_test(convert_replaces_nul_after_sniff_window),
		cmocka_unit_test(convert_repairs_and_counts_invalid_utf8),
		cmocka_unit_test(convert_skips_empty_and_whitespace_only),
		cmocka_unit_test(convert_skips_gzip_bytes_in_txt),
		cmocka_unit_test(code_and_text_pass_through),
		cmocka_unit_test(markdown_keeps_text_and_finds_title),
		cmocka_unit_test(rst_fixture_converts_titles_in_place),
		cmocka_unit_test(rst_levels_follow_first_appearance),
		cmocka_unit_test(html_fixture_becomes_markdownish_text),
		cmocka_unit_test(html_drops_script_style_comments_and_hidden),
		cmocka_unit_test(html_decodes_entities_and_leaves_unknown_ones),
		cmocka_unit_test(html_keeps_pre_whitespace_in_a_fence),
		cmocka_unit_test(html_tables_lists_and_headings),
		cmocka_unit_test(html_survives_odd_markup),
		cmocka_unit_test(html_handles_100k_nested_tags_without_recursion),
		cmocka_unit_test(html_title_comes_from_title_element),
		cmocka_unit_test(html_random_markup_gives_clean_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
