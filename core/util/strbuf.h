/* strbuf: a growable, always NUL-terminated byte buffer.
 *
 * A zero-initialised struct strbuf is a valid empty buffer. */
#ifndef RAGDECK_STRBUF_H
#define RAGDECK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;   /* NUL-terminated once anything was added; may be NULL when empty */
	size_t len;  /* bytes in use, not counting the NUL */
	size_t cap;  /* bytes allocated */
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Make room for at least extra more bytes (plus the NUL). */
void sb_grow(struct strbuf *sb, size_t extra);
/* Append n bytes of data. */
void sb_append(struct strbuf *sb, const void *data, size_t n);
/* Append a NUL-terminated string. */
void sb_puts(struct strbuf *sb, const char *s);
/* Append one byte. */
void sb_putc(struct strbuf *sb, char c);
/* Append printf-formatted text. */
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append vprintf-formatted text. */
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Empty the buffer, keeping its memory. */
void sb_reset(struct strbuf *sb);
/* Shorten to len bytes (len <= sb->len). */
void sb_truncate(struct strbuf *sb, size_t len);
/* The contents as a C string; "" when empty. Valid until the next change. */
const char *sb_str(const struct strbuf *sb);
/* Hand the buffer to the caller (never NULL; caller frees) and empty sb. */
char *sb_detach(struct strbuf *sb, size_t *len);
/* Free the memory; sb is empty afterwards. */
void sb_free(struct strbuf *sb);

#endif
