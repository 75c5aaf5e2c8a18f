/* loader: reading files, sniffing binaries, normalising text and picking the
 * converter for each format. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_BYTES 8192
#define READ_CHUNK 65536

struct format_ops {
	const char *name;
	/* Append the converted form of normalised text to out, maybe setting
	 * *title; NULL keeps the text as it is. */
	void (*convert)(const char *s, size_t len, struct strbuf *out, char **title);
	/* Title of the final text when convert set none; NULL for none. */
	char *(*title)(const char *s, size_t len);
	/* A binary format's converter, which reads the raw bytes; its output
	 * is normalised afterwards. NULL for text formats. */
	loader_bytes_fn convert_bytes;
};

static const struct format_ops format_ops[] = {
	[DOC_FORMAT_TEXT] = { .name = "text" },
	[DOC_FORMAT_MARKDOWN] = { .name = "markdown", .title = loader_markdown_title },
	[DOC_FORMAT_RST] = { .name = "rst", .convert = loader_rst_convert,
	                     .title = loader_markdown_title },
	[DOC_FORMAT_HTML] = { .name = "html", .convert = loader_html_convert,
	                      .title = loader_markdown_title },
	[DOC_FORMAT_CODE] = { .name = "code" },
	[DOC_FORMAT_PDF] = { .name = "pdf", .title = loader_markdown_title,
	                     .convert_bytes = loader_pdf_convert },
	[DOC_FORMAT_DOCX] = { .name = "docx", .title = loader_markdown_title,
	                      .convert_bytes = loader_docx_convert },
	[DOC_FORMAT_ODT] = { .name = "odt", .title = loader_markdown_title,
	                     .convert_bytes = loader_odt_convert },
};

static const struct {
	const char *ext;
	enum doc_format format;
} extensions[] = {
	{ "md", DOC_FORMAT_MARKDOWN }, { "markdown", DOC_FORMAT_MARKDOWN },
	{ "rst", DOC_FORMAT_RST },
	{ "html", DOC_FORMAT_HTML }, { "htm", DOC_FORMAT_HTML }, { "xhtml", DOC_FORMAT_HTML },
	{ "c", DOC_FORMAT_CODE }, { "h", DOC_FORMAT_CODE }, { "cc", DOC_FORMAT_CODE },
	{ "cpp", DOC_FORMAT_CODE }, { "hpp", DOC_FORMAT_CODE }, { "py", DOC_FORMAT_CODE },
	{ "js", DOC_FORMAT_CODE }, { "ts", DOC_FORMAT_CODE }, { "go", DOC_FORMAT_CODE },
	{ "rs", DOC_FORMAT_CODE }, { "java", DOC_FORMAT_CODE }, { "rb", DOC_FORMAT_CODE },
	{ "sh", DOC_FORMAT_CODE }, { "bash", DOC_FORMAT_CODE }, { "lua", DOC_FORMAT_CODE },
	{ "sql", DOC_FORMAT_CODE }, { "php", DOC_FORMAT_CODE }, { "cs", DOC_FORMAT_CODE },
	{ "kt", DOC_FORMAT_CODE }, { "swift", DOC_FORMAT_CODE }, { "scala", DOC_FORMAT_CODE },
	{ "pl", DOC_FORMAT_CODE }, { "yaml", DOC_FORMAT_CODE }, { "yml", DOC_FORMAT_CODE },
	{ "toml", DOC_FORMAT_CODE }, { "json", DOC_FORMAT_CODE }, { "ini", DOC_FORMAT_CODE },
	{ "cfg", DOC_FORMAT_CODE },
	{ "pdf", DOC_FORMAT_PDF }, { "docx", DOC_FORMAT_DOCX }, { "odt", DOC_FORMAT_ODT },
};

/* Magic numbers at offset 0 that mark a file as binary. */
static const struct {
	const char *name;
	const char *bytes;
	size_t len;
} magics[] = {
	{ "gzip", "\x1F\x8B", 2 },
	{ "zip", "PK\x03\x04", 4 },
	{ "PDF", "%PDF-", 5 },
	{ "PNG", "\x89PNG\r\n\x1A\n", 8 },
	{ "JPEG", "\xFF\xD8\xFF", 3 },
	{ "GIF", "GIF87a", 6 },
	{ "GIF", "GIF89a", 6 },
	{ "ELF", "\x7F" "ELF", 4 },
	{ "7z", "7z\xBC\xAF\x27\x1C", 6 },
	{ "xz", "\xFD" "7zXZ\0", 6 },
	{ "zstd", "\x28\xB5\x2F\xFD", 4 },
	{ "SQLite", "SQLite format 3\0", 16 },
};

enum doc_format loader_format_for_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return DOC_FORMAT_TEXT;
	for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
		if (strcasecmp(dot + 1, extensions[i].ext) == 0)
			return extensions[i].format;
	}
	return DOC_FORMAT_TEXT;
}

const char *loader_format_name(enum doc_format f)
{
	if ((unsigned)f >= sizeof format_ops / sizeof format_ops[0])
		return "unknown";
	return format_ops[f].name;
}

/* bzip2: "BZh", a block size digit, then the block or end-of-stream magic. */
static bool is_bzip2(const unsigned char *s, size_t len)
{
	if (len < 10 || memcmp(s, "BZh", 3) != 0 || s[3] < '1' || s[3] > '9')
		return false;
	return memcmp(s + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
	       memcmp(s + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0;
}

static bool is_control_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
	       c == 0x7F;
}

/* The binary check; when it says binary and why is not NULL, why says
 * what gave it away. */
static bool sniff_binary(const char *data, size_t len, char *why, size_t whylen)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
	const char *what = NULL;
	char detail[64];

	if (n == 0)
		return false;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0] && !what; i++) {
		if (n >= magics[i].len && memcmp(s, magics[i].bytes, magics[i].len) == 0)
			what = magics[i].name;
	}
	if (!what && is_bzip2(s, n))
		what = "bzip2";
	if (what) {
		snprintf(detail, sizeof detail, "%s data", what);
	} else {
		const unsigned char *nul = memchr(s, 0, n);
		size_t controls = 0;
		if (nul) {
			snprintf(detail, sizeof detail, "NUL byte at offset %zu", (size_t)(nul - s));
		} else {
			for (size_t i = 0; i < n; i++)
				controls += is_control_byte(s[i]);
			if (controls * 10 <= n * 3)
				return false;
			snprintf(detail, sizeof detail, "%zu%% control bytes", controls * 100 / n);
		}
	}
	if (why)
		snprintf(why, whylen, "binary content (%s)", detail);
	return true;
}

bool loader_looks_binary(const char *data, size_t len)
{
	return sniff_binary(data, len, NULL, 0);
}

/* Put what + the reason for errno e into err; returns LOADER_ERR_IO. */
static int io_error(char *err, size_t errlen, const char *what, int e)
{
	char buf[128];
	if (strerror_r(e, buf, sizeof buf) != 0)
		snprintf(buf, sizeof buf, "error %d", e);
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	snprintf(err, errlen, "%s%s", what, buf);
	return LOADER_ERR_IO;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/* "812 bytes", "3.5 KB", "12.4 MB" (binary units, a trailing ".0" dropped). */
static void format_size(uint64_t n, char *buf, size_t len)
{
	if (n < 1024) {
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
		return;
	}
	double v = n < 1024 * 1024 ? (double)n / 1024 : (double)n / (1024.0 * 1024.0);
	snprintf(buf, len, "%.1f %s", v, n < 1024 * 1024 ? "KB" : "MB");
	char *zero = strstr(buf, ".0 ");
	if (zero)
		memmove(zero, zero + 2, strlen(zero + 2) + 1);
}

static void too_large_message(char *err, size_t errlen, uint64_t size, uint64_t limit)
{
	char have[32], max[32];
	format_size(size, have, sizeof have);
	format_size(limit, max, sizeof max);
	if (strcmp(have, max) == 0)
		snprintf(err, errlen, "%llu bytes is over the limit of %llu bytes",
		         (unsigned long long)size, (unsigned long long)limit);
	else
		snprintf(err, errlen, "%s is over the %s limit", have, max);
}

/* Refuse what is not a regular file or is over the limit. Returns
 * LOADER_OK or the skip status with err set. */
static int check_file(const struct stat *st, size_t max_bytes, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s, not a regular file", file_kind(st->st_mode));
		return LOADER_SKIP_NOT_REGULAR;
	}
	if ((uint64_t)st->st_size > max_bytes) {
		too_large_message(err, errlen, (uint64_t)st->st_size, max_bytes);
		return LOADER_SKIP_TOO_LARGE;
	}
	return LOADER_OK;
}

int loader_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                     char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int fd = -1;
	int rc;

	*data = NULL;
	*len = 0;
	/* Checked before open, so devices are never opened, and again on the
	 * descriptor in case the path changed in between; O_NONBLOCK keeps a
	 * FIFO swapped in from blocking the open. */
	if (stat(path, &st) != 0) {
		rc = io_error(err, errlen, "", errno);
		goto cleanup;
	}
	if ((rc = check_file(&st, max_bytes, err, errlen)) != LOADER_OK)
		goto cleanup;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = io_error(err, errlen, "", errno);
		goto cleanup;
	}
	if ((rc = check_file(&st, max_bytes, err, errlen)) != LOADER_OK)
		goto cleanup;
	sb_grow(&sb, (size_t)st.st_size + 1);
	for (;;) {
		if (sb.cap - sb.len - 1 == 0)
			sb_grow(&sb, READ_CHUNK);
		size_t want = sb.cap - sb.len - 1;
		size_t room = max_bytes - sb.len;
		/* Reading one byte past the limit tells a file that grew. */
		if (room < SIZE_MAX && want > room + 1)
			want = room + 1;
		ssize_t n = read(fd, sb.buf + sb.len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = io_error(err, errlen, "read failed: ", errno);
			goto cleanup;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		if (sb.len > max_bytes) {
			too_large_message(err, errlen, sb.len, max_bytes);
			rc = LOADER_SKIP_TOO_LARGE;
			goto cleanup;
		}
	}
	sb.buf[sb.len] = '\0';
	*data = sb_detach(&sb, len);
	rc = LOADER_OK;
cleanup:
	if (fd >= 0)
		close(fd);
	sb_free(&sb);
	return rc;
}

#define ONE_BYTES 0x0101010101010101ULL
#define HIGH_BYTES 0x8080808080808080ULL

static bool has_zero_byte(uint64_t v)
{
	return ((v - ONE_BYTES) & ~v & HIGH_BYTES) != 0;
}

/* Index of the first CR or NUL at or after i, or len; eight bytes at a time. */
static size_t find_cr_or_nul(const char *s, size_t i, size_t len)
{
	while (i + 8 <= len) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (has_zero_byte(w) || has_zero_byte(w ^ (ONE_BYTES * '\r')))
			break;
		i += 8;
	}
	while (i < len && s[i] != '\r' && s[i] != '\0')
		i++;
	return i;
}

/* Append s to out with CRLF and CR turned into LF and NUL into U+FFFD. */
static void normalise_line_ends(const char *s, size_t len, struct strbuf *out)
{
	size_t run = 0;
	size_t i = find_cr_or_nul(s, 0, len);

	sb_grow(out, len);
	while (i < len) {
		sb_append(out, s + run, i - run);
		if (s[i] == '\r') {
			sb_putc(out, '\n');
			i += i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
		} else {
			sb_append(out, UTF8_REPLACEMENT, 3);
			i++;
		}
		run = i;
		i = find_cr_or_nul(s, i, len);
	}
	sb_append(out, s + run, len - run);
}

/* Raw bytes -> valid UTF-8 without BOM, CR or NUL, appended to out. */
static void normalise(const char *data, size_t len, struct strbuf *out, size_t *n_invalid)
{
	char *repaired = NULL;

	*n_invalid = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (!utf8_valid(data, len)) {
		repaired = utf8_repair(data, len, &len, n_invalid);
		data = repaired;
	}
	normalise_line_ends(data, len, out);
	free(repaired);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_space(s[i]))
			return false;
	}
	return true;
}

char *loader_make_title(const char *s, size_t len)
{
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	return xstrndup(s, utf8_floor_boundary(s, len, LOADER_TITLE_MAX));
}

/* The binary format's bytes through its converter, then normalised into
 * norm. Returns LOADER_OK or the converter's skip status. */
static int convert_binary(const struct format_ops *ops, const char *data, size_t len, struct strbuf *norm,
                          char **title, size_t *n_invalid, char *err, size_t errlen)
{
	struct strbuf raw = STRBUF_INIT;
	int rc = ops->convert_bytes(data, len, &raw, title, err, errlen);
	if (rc == LOADER_OK)
		normalise(sb_str(&raw), raw.len, norm, n_invalid);
	sb_free(&raw);
	return rc;
}

int loader_convert(const char *path, const char *data, size_t len, struct loaded_doc *out,
                   char *err, size_t errlen)
{
	enum doc_format format = loader_format_for_path(path);
	const struct format_ops *ops = &format_ops[format];
	struct strbuf norm = STRBUF_INIT, conv = STRBUF_INIT;
	struct strbuf *text = &norm;
	char *title = NULL;
	size_t n_invalid = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (!data)
		data = "";
	if (ops->convert_bytes) {
		if (len == 0) {
			snprintf(err, errlen, "empty file");
			rc = LOADER_SKIP_EMPTY;
			goto cleanup;
		}
		rc = convert_binary(ops, data, len, &norm, &title, &n_invalid, err, errlen);
		if (rc != LOADER_OK)
			goto cleanup;
	} else {
		if (sniff_binary(data, len, err, errlen)) {
			rc = LOADER_SKIP_BINARY;
			goto cleanup;
		}
		normalise(data, len, &norm, &n_invalid);
		if (ops->convert) {
			ops->convert(sb_str(&norm), norm.len, &conv, &title);
			text = &conv;
		}
	}
	if (is_blank(sb_str(text), text->len)) {
		snprintf(err, errlen, "%s", len == 0 ? "empty file" : "no text (only whitespace or markup)");
		rc = LOADER_SKIP_EMPTY;
		goto cleanup;
	}
	if (!title && ops->title)
		title = ops->title(text->buf, text->len);
	out->format = format;
	out->invalid_utf8 = n_invalid;
	out->title = title;
	title = NULL;
	out->text = sb_detach(text, &out->len);
	rc = LOADER_OK;
cleanup:
	free(title);
	sb_free(&norm);
	sb_free(&conv);
	return rc;
}

void loaded_doc_free(struct loaded_doc *d)
{
	if (!d)
		return;
	free(d->text);
	free(d->title);
	memset(d, 0, sizeof *d);
}
