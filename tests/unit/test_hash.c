/* Unit tests for core/util/hash: hash64 is stable (stored values keep
 * their meaning) and hash64_mix is murmur3's fmix64. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/util/hash.h"

static void mix_is_murmur3_fmix64(void **state)
{
	(void)state;
	assert_true(hash64_mix(0) == 0);
	assert_true(hash64_mix(1) == 0xb456bcfc34c2cb2cull);
	assert_true(hash64_mix(0x9e3779b97f4a7c15ull) == 0x9ca066f1a4ab2eeaull);
}

static void mix_spreads_one_bit(void **state)
{
	(void)state;
	for (int b = 0; b < 64; b++) {
		uint64_t d = hash64_mix(1) ^ hash64_mix(1 ^ (1ull << b));
		assert_true(__builtin_popcountll(d) > 16);
	}
}

/* Pinned values: stored content hashes must keep their meaning, or every
 * document would look changed to the next ingest. */
static void hash_is_stable(void **state)
{
	(void)state;
	const char *text = "The quick brown fox jumps over the lazy dog, twice over the lazy dog.";
	char hex[17];
	hash64_hex("", 0, hex);
	assert_string_equal(hex, "5fb5efe5fdd8ce76");
	hash64_hex("abc", 3, hex);
	assert_string_equal(hex, "901709f953604c2c");
	hash64_hex(text, strlen(text), hex);
	assert_string_equal(hex, "45d41264a2670f33");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mix_is_murmur3_fmix64),
		cmocka_unit_test(mix_spreads_one_bit),
		cmocka_unit_test(hash_is_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
