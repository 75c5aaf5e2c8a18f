/* hash: a fast non-cryptographic 64-bit hash for change detection. */
#ifndef RAGDECK_HASH_H
#define RAGDECK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash n bytes of p. Stable across runs and machines (little- and big-endian
 * give the same value), so it can be stored. */
uint64_t hash64(const void *p, size_t n);

/* Write hash64 of p as 16 lower-case hex digits plus NUL into out[17]. */
void hash64_hex(const void *p, size_t n, char out[17]);

#endif
