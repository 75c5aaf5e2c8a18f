/* Unit tests for core/search/qcache: hits, TTL expiry, LRU eviction, disabled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/search/qcache.h"

static void hit_returns_the_stored_vector(void **state)
{
	(void)state;
	struct qcache *c = qcache_new(4, 3, 60);
	float v[3] = { 1, 2, 3 }, out[3] = { 0 };
	qcache_put(c, "reset password", 14, 100, v);
	assert_true(qcache_get(c, "reset password", 14, 120, out));
	assert_true(out[0] == 1 && out[1] == 2 && out[2] == 3);
	assert_false(qcache_get(c, "reset passwore", 14, 120, out));
	uint64_t hits, lookups;
	qcache_stats(c, &hits, &lookups);
	assert_int_equal(hits, 1);
	assert_int_equal(lookups, 2);
	qcache_free(&c);
	assert_null(c);
}

static void entries_expire_after_ttl(void **state)
{
	(void)state;
	struct qcache *c = qcache_new(4, 1, 10);
	float v = 5, out = 0;
	qcache_put(c, "q", 1, 1000, &v);
	assert_true(qcache_get(c, "q", 1, 1009, &out));
	assert_false(qcache_get(c, "q", 1, 1010, &out));
	qcache_free(&c);
}

static void least_recently_used_is_evicted(void **state)
{
	(void)state;
	struct qcache *c = qcache_new(2, 1, 100);
	float a = 1, b = 2, d = 3, out;
	qcache_put(c, "a", 1, 0, &a);
	qcache_put(c, "b", 1, 0, &b);
	assert_true(qcache_get(c, "a", 1, 1, &out)); /* b is now the oldest */
	qcache_put(c, "d", 1, 2, &d);
	assert_true(qcache_get(c, "a", 1, 3, &out));
	assert_false(qcache_get(c, "b", 1, 3, &out));
	assert_true(qcache_get(c, "d", 1, 3, &out));
	assert_true(out == 3);
	qcache_free(&c);
}

static void zero_ttl_disables_caching(void **state)
{
	(void)state;
	struct qcache *c = qcache_new(2, 1, 0);
	float v = 1, out;
	qcache_put(c, "q", 1, 0, &v);
	assert_false(qcache_get(c, "q", 1, 0, &out));
	qcache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hit_returns_the_stored_vector),
		cmocka_unit_test(entries_expire_after_ttl),
		cmocka_unit_test(least_recently_used_is_evicted),
		cmocka_unit_test(zero_ttl_disables_caching),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
