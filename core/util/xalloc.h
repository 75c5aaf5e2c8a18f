/* xalloc: allocation wrappers that never return NULL.
 *
 * On out-of-memory they print one line to stderr and abort: a terminal tool
 * cannot do anything useful without memory, and checking every small
 * allocation would bury the code that matters. */
#ifndef RAGDECK_XALLOC_H
#define RAGDECK_XALLOC_H

#include <stddef.h>

/* malloc(n); never NULL (n == 0 allocates one byte). Caller frees. */
void *xmalloc(size_t n);
/* calloc(n, size) with overflow check; never NULL. Caller frees. */
void *xcalloc(size_t n, size_t size);
/* realloc(p, n); never NULL. Caller frees the result. */
void *xrealloc(void *p, size_t n);
/* reallocarray: realloc(p, n * size) with overflow check. */
void *xreallocarray(void *p, size_t n, size_t size);
/* strdup(s); s must not be NULL. Caller frees. */
char *xstrdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. Caller frees. */
char *xstrndup(const char *s, size_t n);
/* Duplicate n bytes of p. Caller frees. */
void *xmemdup(const void *p, size_t n);

#endif
