/* vec_idmap: linear-probing hash map with backward-shift deletion. */
#include "store/vec_idmap.h"

#include <stdlib.h>

#include "core/util/xalloc.h"

/* splitmix64 finaliser: ids are often sequential, so mix every bit. */
static size_t home(const struct vec_idmap *m, int64_t id)
{
	uint64_t x = (uint64_t)id;
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return (size_t)x & m->mask;
}

void vec_idmap_init(struct vec_idmap *m)
{
	m->e = NULL;
	m->mask = 0;
	m->n = 0;
}

void vec_idmap_free(struct vec_idmap *m)
{
	free(m->e);
	vec_idmap_init(m);
}

/* Index of id's entry, or of the empty entry where it would go. The map must
 * have capacity. */
static size_t find(const struct vec_idmap *m, int64_t id)
{
	size_t i = home(m, id);
	while (m->e[i].slot1 && m->e[i].id != id)
		i = (i + 1) & m->mask;
	return i;
}

static void grow(struct vec_idmap *m)
{
	struct vec_idmap old = *m;
	size_t cap = old.e ? (old.mask + 1) * 2 : 16;

	m->e = xcalloc(cap, sizeof(*m->e));
	m->mask = cap - 1;
	for (size_t i = 0; old.e && i <= old.mask; i++) {
		if (old.e[i].slot1)
			m->e[find(m, old.e[i].id)] = old.e[i];
	}
	free(old.e);
}

bool vec_idmap_get(const struct vec_idmap *m, int64_t id, size_t *slot)
{
	if (!m->e)
		return false;
	size_t i = find(m, id);
	if (!m->e[i].slot1)
		return false;
	*slot = m->e[i].slot1 - 1;
	return true;
}

void vec_idmap_put(struct vec_idmap *m, int64_t id, size_t slot)
{
	if (!m->e || 2 * (m->n + 1) > m->mask + 1)
		grow(m);
	size_t i = find(m, id);
	if (!m->e[i].slot1)
		m->n++;
	m->e[i].id = id;
	m->e[i].slot1 = slot + 1;
}

/* Whether home position h lies cyclically in (hole, j]: then the entry at j
 * must stay where it is, or a lookup starting at h would stop at the hole. */
static bool stays(size_t hole, size_t h, size_t j)
{
	if (hole <= j)
		return hole < h && h <= j;
	return hole < h || h <= j;
}

bool vec_idmap_del(struct vec_idmap *m, int64_t id)
{
	if (!m->e)
		return false;
	size_t hole = find(m, id);
	if (!m->e[hole].slot1)
		return false;
	for (size_t j = (hole + 1) & m->mask; m->e[j].slot1; j = (j + 1) & m->mask) {
		if (stays(hole, home(m, m->e[j].id), j))
			continue;
		m->e[hole] = m->e[j];
		hole = j;
	}
	m->e[hole].slot1 = 0;
	m->n--;
	return true;
}
