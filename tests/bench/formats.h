/* formats: the benchmark corpus's Markdown written again as PDF (through
 * groff) and DOCX (through libzip), so ingest can be timed on the same
 * documents in three formats. Headings stay headings, paragraphs
 * paragraphs, fenced code keeps its lines. */
#ifndef RAGDECK_BENCH_FORMATS_H
#define RAGDECK_BENCH_FORMATS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether groff is on the PATH (formats_write_pdf needs it). */
bool formats_have_groff(void);

/* Write Markdown md[0..len) as a PDF at path through `groff -ms -Tpdf`.
 * Returns 0, or -1 with err. */
int formats_write_pdf(const char *md, size_t len, const char *path, char *err, size_t errlen);

/* Write Markdown md[0..len) as a DOCX at path (document, styles with
 * "heading N" names, content types and relationships). Returns 0, or -1
 * with err. */
int formats_write_docx(const char *md, size_t len, const char *path, char *err, size_t errlen);

#endif
