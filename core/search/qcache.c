#include "core/search/qcache.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct qcache_entry {
	uint64_t key;
	char *text;           /* kept to rule out hash collisions */
	size_t len;
	int64_t stored_at;
	uint64_t last_used;
	float *vec;
};

struct qcache {
	struct qcache_entry *entries;
	size_t n, capacity;
	int dim;
	int ttl;
	uint64_t clock, hits, lookups;
};

struct qcache *qcache_new(size_t capacity, int dim, int ttl_seconds)
{
	struct qcache *c = xcalloc(1, sizeof *c);
	c->capacity = capacity ? capacity : 1;
	c->entries = xcalloc(c->capacity, sizeof *c->entries);
	c->dim = dim;
	c->ttl = ttl_seconds;
	return c;
}

void qcache_free(struct qcache **cp)
{
	struct qcache *c = *cp;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].text);
		free(c->entries[i].vec);
	}
	free(c->entries);
	free(c);
	*cp = NULL;
}

static struct qcache_entry *find(struct qcache *c, uint64_t key, const char *text, size_t len)
{
	for (size_t i = 0; i < c->n; i++) {
		struct qcache_entry *e = &c->entries[i];
		if (e->key == key && e->len == len && memcmp(e->text, text, len) == 0)
			return e;
	}
	return NULL;
}

bool qcache_get(struct qcache *c, const char *text, size_t len, int64_t now, float *out)
{
	c->lookups++;
	if (c->ttl <= 0)
		return false;
	struct qcache_entry *e = find(c, hash64(text, len), text, len);
	if (!e || now - e->stored_at >= c->ttl)
		return false;
	e->last_used = ++c->clock;
	memcpy(out, e->vec, (size_t)c->dim * sizeof *out);
	c->hits++;
	return true;
}

void qcache_put(struct qcache *c, const char *text, size_t len, int64_t now, const float *vec)
{
	if (c->ttl <= 0)
		return;
	uint64_t key = hash64(text, len);
	struct qcache_entry *e = find(c, key, text, len);
	if (!e && c->n < c->capacity) {
		e = &c->entries[c->n++];
		e->vec = xmalloc((size_t)c->dim * sizeof *e->vec);
	} else if (!e) {
		e = &c->entries[0];
		for (size_t i = 1; i < c->n; i++)
			if (c->entries[i].last_used < e->last_used)
				e = &c->entries[i];
		free(e->text);
	} else {
		free(e->text);
	}
	e->key = key;
	e->text = xmemdup(text, len ? len : 1);
	e->len = len;
	e->stored_at = now;
	e->last_used = ++c->clock;
	memcpy(e->vec, vec, (size_t)c->dim * sizeof *vec);
}

void qcache_stats(const struct qcache *c, uint64_t *hits, uint64_t *lookups)
{
	*hits = c->hits;
	*lookups = c->lookups;
}
