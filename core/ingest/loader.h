/* loader: file bytes -> the normalised text the chunker sees.
 *
 * Reading refuses what is not a regular file or is too large; converting
 * rejects binary and empty content, repairs UTF-8, normalises line ends and
 * turns RST, HTML, PDF, DOCX and ODT into Markdown-ish text with "#"
 * headings. A paged format (PDF) puts a line holding only a form feed
 * ("\f") between two pages, so page N starts after the (N-1)th such line. */
#ifndef RAGDECK_LOADER_H
#define RAGDECK_LOADER_H

#include <stdbool.h>
#include <stddef.h>

enum doc_format {
	DOC_FORMAT_TEXT,
	DOC_FORMAT_MARKDOWN,
	DOC_FORMAT_RST,
	DOC_FORMAT_HTML,
	DOC_FORMAT_CODE,
	DOC_FORMAT_PDF,
	DOC_FORMAT_DOCX,
	DOC_FORMAT_ODT,
};

enum loader_status {
	LOADER_OK = 0,
	LOADER_ERR_IO = -1,
	LOADER_SKIP_BINARY = -2,
	LOADER_SKIP_EMPTY = -3,
	LOADER_SKIP_TOO_LARGE = -4,
	LOADER_SKIP_NOT_REGULAR = -5,
	LOADER_SKIP_UNREADABLE = -6, /* a document the converter refuses: broken,
	                                encrypted, no text layer, a zip bomb */
};

struct loaded_doc {
	char *text;          /* NUL-terminated, valid UTF-8, LF line ends */
	size_t len;          /* bytes of text, not counting the NUL */
	enum doc_format format;
	size_t invalid_utf8; /* invalid sequences replaced by U+FFFD */
	char *title;         /* may be NULL */
};

/* Format from the file name's extension, case-insensitively: .md .markdown
 * -> MARKDOWN; .rst -> RST; .html .htm .xhtml -> HTML; common source,
 * script and config extensions -> CODE; .pdf -> PDF; .docx -> DOCX; .odt
 * -> ODT; anything else -> TEXT. */
enum doc_format loader_format_for_path(const char *path);

/* Lower-case name of the format ("text", "markdown", "rst", "html",
 * "code", "pdf", "docx", "odt"); a static string. */
const char *loader_format_name(enum doc_format f);

/* Heuristic binary check on the first 8 KiB of data: any NUL byte, a known
 * magic number (gzip, zip, PDF, PNG, JPEG, GIF, ELF, 7z, xz, bzip2, zstd,
 * SQLite) at the start, or more than 30% control bytes. */
bool loader_looks_binary(const char *data, size_t len);

/* Read the regular file at path (symlinks are followed) of at most
 * max_bytes. Returns LOADER_OK with *data (NUL-terminated, caller frees) and
 * *len; LOADER_SKIP_NOT_REGULAR for directories, FIFOs, devices and sockets;
 * LOADER_SKIP_TOO_LARGE over the limit; LOADER_ERR_IO when it cannot be
 * opened or read. On any failure *data is NULL and err says why, for example
 * "permission denied" or "12.4 MB is over the 10 MB limit". */
int loader_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                     char *err, size_t errlen);

/* Turn the raw bytes of the file at path (the name picks the format) into
 * out: UTF-8 repaired (count in invalid_utf8), a UTF-8 BOM removed, CRLF and
 * CR turned into LF, NUL bytes replaced by U+FFFD; Markdown keeps its text
 * and takes its title from YAML front matter or the first "# " heading; RST
 * section titles become "#" headings with line numbers preserved; HTML is
 * reduced to Markdown-ish text with its <title> as title. PDF, DOCX and ODT
 * are read from their bytes (never sniffed as binary) by their own
 * converter, whose output is then normalised like text. Returns LOADER_OK,
 * LOADER_SKIP_BINARY, LOADER_SKIP_EMPTY or LOADER_SKIP_UNREADABLE (err says
 * why). out is always safe to pass to loaded_doc_free. */
int loader_convert(const char *path, const char *data, size_t len, struct loaded_doc *out,
                   char *err, size_t errlen);

/* Free what d holds and reset it; NULL-safe. */
void loaded_doc_free(struct loaded_doc *d);

#endif
