/* hash: a fast non-cryptographic 64-bit hash for change detection. */
#ifndef RAGDECK_HASH_H
#define RAGDECK_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash n bytes of p. Stable across runs and machines (little- and big-endian
 * give the same value), so it can be stored. */
uint64_t hash64(const void *p, size_t n);

/* murmur3's 64-bit finaliser: a bijection in which every input bit
 * affects every output bit. Inline: the hash embedder calls it per
 * feature. */
static inline uint64_t hash64_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* Write hash64 of p as 16 lower-case hex digits plus NUL into out[17]. */
void hash64_hex(const void *p, size_t n, char out[17]);

#endif
