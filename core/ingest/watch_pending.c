/* watch: the pending paths, their debounce and the batches taken from
 * them (watch.h, watch_int.h). */
#include "core/ingest/watch_int.h"
#include "core/util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool watch_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

void watch_rescan_because(struct watch *w, uint64_t now_ms, const char *fmt, ...)
{
	if (!w->rescan) {
		w->rescan = true;
		w->rescan_first = now_ms;
		w->rescan_causes = 0;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->reason, sizeof w->reason, fmt, ap);
		va_end(ap);
	}
	w->rescan_causes++;
	w->rescan_last = now_ms;
}

static struct pend *find_pend(struct watch *w, const char *path)
{
	for (size_t i = 0; i < w->n_pend; i++)
		if (strcmp(w->pend[i].path, path) == 0)
			return &w->pend[i];
	return NULL;
}

static void drop_pend_at(struct watch *w, size_t i)
{
	free(w->pend[i].path);
	memmove(&w->pend[i], &w->pend[i + 1], (w->n_pend - i - 1) * sizeof *w->pend);
	w->n_pend--;
}

/* The pending entry of path, made when missing; its quiet time restarts. */
static struct pend *touch_pend(struct watch *w, const char *path, uint64_t now_ms)
{
	struct pend *p = find_pend(w, path);
	if (!p) {
		if (w->n_pend == w->cap_pend) {
			w->cap_pend = w->cap_pend ? w->cap_pend * 2 : 32;
			w->pend = xreallocarray(w->pend, w->cap_pend, sizeof *w->pend);
		}
		p = &w->pend[w->n_pend++];
		*p = (struct pend){ .path = xstrdup(path), .first_ms = now_ms };
	}
	p->last_ms = now_ms;
	return p;
}

/* A file written, made or moved in stays one change however often it
 * happens, and a change after it was removed (an editor's save by rename)
 * is a change; a directory removed and made again keeps its removal. */
void watch_mark_changed(struct watch *w, const char *path, bool is_dir, uint64_t now_ms)
{
	struct pend *p = touch_pend(w, path, now_ms);
	if (is_dir)
		p->flags |= P_CHANGED | P_CHANGED_DIR;
	else if (p->flags & P_GONE_DIR)
		p->flags |= P_CHANGED;
	else
		p->flags = P_CHANGED;
}

/* A path removed or moved away: pending work under it is covered. */
void watch_mark_gone(struct watch *w, const char *path, bool is_dir, uint64_t now_ms)
{
	for (size_t i = 0; i < w->n_pend;) {
		const char *p = w->pend[i].path;
		if (strcmp(p, path) != 0 && watch_under(p, path))
			drop_pend_at(w, i);
		else
			i++;
	}
	struct pend *p = touch_pend(w, path, now_ms);
	p->flags = P_GONE | (is_dir || (p->flags & P_GONE_DIR) ? P_GONE_DIR : 0);
}

static bool due(const struct watch *w, uint64_t first, uint64_t last, uint64_t now_ms)
{
	return now_ms >= last + (uint64_t)w->opts.debounce_ms || now_ms >= first + (uint64_t)w->opts.max_delay_ms;
}

static uint64_t due_at(const struct watch *w, uint64_t first, uint64_t last)
{
	uint64_t a = last + (uint64_t)w->opts.debounce_ms, b = first + (uint64_t)w->opts.max_delay_ms;
	return a < b ? a : b;
}

int watch_timeout_ms(const struct watch *w, uint64_t now_ms)
{
	bool any = w->rescan;
	uint64_t at = w->rescan ? due_at(w, w->rescan_first, w->rescan_last) : 0;
	for (size_t i = 0; i < w->n_pend; i++) {
		uint64_t t = due_at(w, w->pend[i].first_ms, w->pend[i].last_ms);
		if (!any || t < at)
			at = t;
		any = true;
	}
	if (!any)
		return -1;
	if (at <= now_ms)
		return 0;
	return at - now_ms > INT_MAX ? INT_MAX : (int)(at - now_ms);
}

static void push_path(char ***v, size_t *n, const char *path)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(path);
}

/* The rescan, which covers every pending path. */
static void take_rescan(struct watch *w, struct watch_batch *out)
{
	out->rescan = true;
	if (w->rescan_causes > 1)
		snprintf(out->reason, sizeof out->reason, "%.400s (and %zu more)", w->reason, w->rescan_causes - 1);
	else
		snprintf(out->reason, sizeof out->reason, "%s", w->reason);
	for (size_t i = 0; i < w->n_roots; i++)
		push_path(&out->changed, &out->n_changed, w->roots[i].path);
	while (w->n_pend)
		drop_pend_at(w, w->n_pend - 1);
	w->rescan = false;
}

/* Move pending entry i into out. */
static void take_pend(struct watch *w, size_t i, struct watch_batch *out)
{
	const struct pend *p = &w->pend[i];
	if (p->flags & P_GONE)
		push_path(&out->deleted, &out->n_deleted, p->path);
	if (p->flags & P_CHANGED)
		push_path(&out->changed, &out->n_changed, p->path);
	drop_pend_at(w, i);
}

/* A directory's walk covers the changes pending under it, due or not
 * (a new directory's files are taken with it); their removals stay. */
static void take_covered(struct watch *w, struct watch_batch *out)
{
	for (size_t d = 0; d < out->n_changed; d++) {
		for (size_t i = 0; i < w->n_pend;) {
			struct pend *p = &w->pend[i];
			if (!watch_under(p->path, out->changed[d]) || (p->flags & P_GONE)) {
				i++;
				continue;
			}
			drop_pend_at(w, i);
		}
	}
}

bool watch_take_due(struct watch *w, uint64_t now_ms, struct watch_batch *out)
{
	memset(out, 0, sizeof *out);
	if (w->rescan && due(w, w->rescan_first, w->rescan_last, now_ms)) {
		take_rescan(w, out);
		return true;
	}
	bool dirs = false;
	for (size_t i = 0; i < w->n_pend;) {
		if (!due(w, w->pend[i].first_ms, w->pend[i].last_ms, now_ms)) {
			i++;
			continue;
		}
		dirs |= (w->pend[i].flags & P_CHANGED_DIR) != 0;
		take_pend(w, i, out);
	}
	if (dirs)
		take_covered(w, out);
	return out->n_changed || out->n_deleted;
}

void watch_batch_free(struct watch_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_changed; i++)
		free(b->changed[i]);
	for (size_t i = 0; i < b->n_deleted; i++)
		free(b->deleted[i]);
	free(b->changed);
	free(b->deleted);
	memset(b, 0, sizeof *b);
}

void watch_pending_free(struct watch *w)
{
	for (size_t i = 0; i < w->n_pend; i++)
		free(w->pend[i].path);
	free(w->pend);
	w->pend = NULL;
	w->n_pend = w->cap_pend = 0;
}
