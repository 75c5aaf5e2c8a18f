#include "core/util/hash.h"

#include <stdio.h>

static const uint64_t K1 = 0x9e3779b97f4a7c15ull;
static const uint64_t K2 = 0xc2b2ae3d27d4eb4full;

static inline uint64_t load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

uint64_t hash64(const void *data, size_t n)
{
	const unsigned char *p = data;
	/* Four independent lanes so the multiplies overlap in the pipeline. */
	uint64_t h[4] = { K1, K2, K1 ^ K2, (uint64_t)n };
	size_t i = 0;
	for (; i + 32 <= n; i += 32)
		for (int l = 0; l < 4; l++)
			h[l] = rotl(h[l] ^ (load_le64(p + i + 8 * l) * K2), 31) * K1;
	uint64_t acc = h[0] ^ rotl(h[1], 17) ^ rotl(h[2], 29) ^ rotl(h[3], 43);
	for (; i + 8 <= n; i += 8)
		acc = rotl(acc ^ (load_le64(p + i) * K2), 31) * K1;
	uint64_t tail = 0;
	for (size_t j = 0; i + j < n; j++)
		tail |= (uint64_t)p[i + j] << (8 * j);
	acc ^= tail * K2;
	return hash64_mix(acc ^ (uint64_t)n);
}

void hash64_hex(const void *p, size_t n, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)hash64(p, n));
}
