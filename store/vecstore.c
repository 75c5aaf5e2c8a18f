/* vecstore: base (mapped file) + delta (memory), and the file's upkeep. */
#include "store/vecstore.h"
#include "store/store.h"
#include "core/util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file is written again when the vectors added since pass a 64th of it
 * or the chunks deleted a 16th, and never for fewer rows than this. Every
 * open reads the added vectors from SQLite (about 2.5 us each), while a
 * deleted row costs it only its id; a rewrite reads everything once. */
#define REWRITE_MIN_ROWS 2048
#define REWRITE_ADDED_SHARE 64
#define REWRITE_DELETED_SHARE 16
#define MAX_RESETS 3

/* A write on a thread of its own, with its own connection. */
struct builder {
	pthread_t tid;
	char *db_path;
	char *file;
	struct vec_sync want;
	atomic_size_t done, total;
	atomic_bool stop, finished;
	enum rd_err rc;
	char err[ERR_LEN];
};

struct vec_store {
	struct store *s;
	struct vec_store_opts o;
	char file[4096];
	bool has_file;
	bool in_memory;          /* the file was given up: every vector is in delta */
	struct vec_file *vf;
	struct vec_index *base;  /* a view of vf's rows, or NULL */
	struct vec_index *delta;
	struct vec_sync sync;
	struct builder *builder;
	char note[ERR_LEN + 64];
	uint64_t changes;
};

static size_t at_least_min(size_t n)
{
	return n > REWRITE_MIN_ROWS ? n : REWRITE_MIN_ROWS;
}

static bool rewrite_due(size_t base_rows, size_t added, size_t deleted)
{
	return added > at_least_min(base_rows / REWRITE_ADDED_SHARE) ||
	       deleted > at_least_min(base_rows / REWRITE_DELETED_SHARE);
}

/* A sync for o's collection, model and dimension at the start. */
static struct vec_sync sync_of(const struct vec_store_opts *o)
{
	struct vec_sync s = { .collection = o->collection, .dim = o->dim };
	snprintf(s.model, sizeof s.model, "%s", o->model);
	return s;
}

/* Forget base and delta: the next catch-up starts from the file or from
 * nothing. The generation stays, so a file of an older one is refused. */
static void reset(struct vec_store *vs)
{
	int64_t generation = vs->sync.generation;
	vec_index_free(&vs->base);
	vec_file_close(&vs->vf);
	vec_index_free(&vs->delta);
	vs->delta = vec_index_new(&vs->o.index);
	vs->sync = sync_of(&vs->o);
	vs->sync.generation = generation;
	vs->changes++;
}

/* Map the file when it holds this collection's vectors (of the current
 * generation, once known); base and delta then start from it. Returns
 * whether it did. */
static bool map_file(struct vec_store *vs)
{
	struct vec_sync want = sync_of(&vs->o);
	struct vec_file *vf = NULL;
	want.generation = vs->sync.generation;
	enum rd_err rc = vec_file_open(vs->file, &want, &vf, vs->note, sizeof vs->note);
	if (rc == RD_ERR_NOT_FOUND)
		vs->note[0] = '\0';
	if (rc != RD_OK)
		return false;
	struct vec_index *base = vec_index_view(&vs->o.index, &vf->rows);
	reset(vs);
	vs->vf = vf;
	vs->base = base;
	vs->sync = vf->at;
	vs->note[0] = '\0';
	return true;
}

/* Give the file up for this store's life: vectors load into memory. */
static void give_up_file(struct vec_store *vs, const char *why)
{
	snprintf(vs->note, sizeof vs->note, "%s; vectors are loaded from the database instead", why);
	vs->in_memory = true;
	reset(vs);
}

static void write_now(struct vec_store *vs)
{
	char err[ERR_LEN];
	struct vec_sync want = sync_of(&vs->o);
	if (vec_file_write(vs->s, vs->file, &want, vs->o.progress, vs->o.progress_ud, err, sizeof err) != RD_OK)
		give_up_file(vs, err);
	else
		map_file(vs);
}

static bool builder_progress(void *ud, size_t done, size_t total)
{
	struct builder *b = ud;
	atomic_store(&b->done, done);
	atomic_store(&b->total, total);
	return !atomic_load(&b->stop);
}

static void *builder_main(void *arg)
{
	struct builder *b = arg;
	struct store *s = NULL;
	b->rc = store_open(b->db_path, &s, b->err, sizeof b->err);
	if (b->rc == RD_OK)
		b->rc = vec_file_write(s, b->file, &b->want, builder_progress, b, b->err, sizeof b->err);
	store_close(&s);
	atomic_store(&b->finished, true);
	return NULL;
}

static void builder_free(struct builder *b)
{
	free(b->db_path);
	free(b->file);
	free(b);
}

static void start_builder(struct vec_store *vs)
{
	struct builder *b = xcalloc(1, sizeof *b);
	b->db_path = xstrdup(store_path(vs->s));
	b->file = xstrdup(vs->file);
	b->want = sync_of(&vs->o);
	if (pthread_create(&b->tid, NULL, builder_main, b) != 0) {
		builder_free(b);
		give_up_file(vs, "cannot start a thread to write the vector index");
		return;
	}
	vs->builder = b;
}

static void join_builder(struct vec_store *vs)
{
	struct builder *b = vs->builder;
	pthread_join(b->tid, NULL);
	if (b->rc != RD_OK && b->rc != RD_ERR_CANCELLED)
		give_up_file(vs, b->err);
	builder_free(b);
	vs->builder = NULL;
}

/* Whether the file vf is of another generation than the database s or so
 * far behind it that writing it again costs less than loading the
 * difference (every reader's open would load it) into *behind. Returns 0,
 * or -1 with err. */
static int file_behind(struct store *s, const struct vec_file *vf, bool *behind, char *err, size_t errlen)
{
	int64_t generation = 0;
	size_t added = 0, deleted = 0;
	if (vec_sync_pending(s, &vf->at, &generation, &added, &deleted, err, errlen) != 0)
		return -1;
	*behind = generation != vf->at.generation || rewrite_due(vf->rows.count, added, deleted);
	return 0;
}

/* Write the file: now, or start the background write. */
static void write_file(struct vec_store *vs)
{
	if (vs->o.build == VEC_BUILD_NOW) {
		write_now(vs);
		return;
	}
	reset(vs);
	start_builder(vs);
}

/* Map the file, or a newer one another process wrote; without any, or
 * with one far behind, write it. */
static void follow_file(struct vec_store *vs)
{
	if (vs->builder && atomic_load(&vs->builder->finished))
		join_builder(vs);
	if (vs->in_memory || !vs->has_file || vs->builder)
		return;
	if (!vs->vf || vec_file_replaced(vs->vf, vs->file)) {
		if (map_file(vs)) {
			char err[ERR_LEN];
			bool behind = false;
			/* a failure here is reported by the catch-up that follows */
			if (file_behind(vs->s, vs->vf, &behind, err, sizeof err) == 0 && behind)
				write_file(vs);
			return;
		}
	}
	if (!vs->vf)
		write_file(vs);
	/* else a newer file that cannot be used: the mapped one still can */
}

int vec_store_catch_up(struct vec_store *vs, char *err, size_t errlen)
{
	for (int resets = 0; resets < MAX_RESETS; resets++) {
		follow_file(vs);
		if (vs->builder)
			return 0;
		int rc = vec_sync_catch_up(vs->s, vs->base, vs->delta, &vs->sync, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			reset(vs);
			continue;
		}
		vs->changes += vs->sync.added || vs->sync.removed;
		return 0;
	}
	snprintf(err, errlen, "the vectors of %s keep being replaced while they load: retry", store_path(vs->s));
	return -1;
}

int vec_store_open(struct store *s, const struct vec_store_opts *o, struct vec_store **out, char *err,
                   size_t errlen)
{
	struct vec_store *vs = xcalloc(1, sizeof *vs);
	*out = NULL;
	vs->s = s;
	vs->o = *o;
	vs->delta = vec_index_new(&o->index);
	if (!vs->delta) {
		snprintf(err, errlen, "cannot build a vector index of dimension %d with %d threads", o->dim,
		         o->index.threads);
		free(vs);
		return -1;
	}
	vs->sync = sync_of(o);
	vs->o.model = vs->sync.model;
	vs->has_file = vec_file_path(store_path(s), o->collection, vs->file, sizeof vs->file);
	if (vec_store_catch_up(vs, err, errlen) != 0) {
		vec_store_free(&vs);
		return -1;
	}
	*out = vs;
	return 0;
}

void vec_store_free(struct vec_store **pvs)
{
	struct vec_store *vs = *pvs;
	if (!vs)
		return;
	if (vs->builder) {
		atomic_store(&vs->builder->stop, true);
		join_builder(vs);
	}
	vec_index_free(&vs->base);
	vec_file_close(&vs->vf);
	vec_index_free(&vs->delta);
	free(vs);
	*pvs = NULL;
}

struct vec_store_state vec_store_state(const struct vec_store *vs)
{
	struct vec_store_state st = {
		.ready = !vs->builder,
		.building = vs->builder != NULL,
		.mapped = vs->base ? vec_index_count(vs->base) : 0,
		.loaded = vec_index_count(vs->delta),
		.note = vs->note[0] ? vs->note : NULL,
		.changes = vs->changes,
	};
	if (vs->builder) {
		st.done = atomic_load(&vs->builder->done);
		st.total = atomic_load(&vs->builder->total);
	}
	return st;
}

static bool better(const struct vec_hit *a, const struct vec_hit *b)
{
	return a->score > b->score || (a->score == b->score && a->id < b->id);
}

/* A search of one index: vec_index_search or vec_index_search_exact. */
typedef size_t (*index_search_fn)(const struct vec_index *idx, const float *q, size_t k, struct vec_hit *out,
                                  vec_allow_fn allow, void *ud);

/* Top-k of base and delta by search, merged in vec_index_search's order. */
static size_t search_both(const struct vec_store *vs, index_search_fn search, const float *q, size_t k,
                          struct vec_hit *out, vec_allow_fn allow, void *ud)
{
	if (vs->builder)
		return 0;
	if (!vs->base)
		return search(vs->delta, q, k, out, allow, ud);
	struct vec_hit *a = xcalloc(k ? k : 1, sizeof *a), *b = xcalloc(k ? k : 1, sizeof *b);
	size_t na = search(vs->base, q, k, a, allow, ud);
	size_t nb = search(vs->delta, q, k, b, allow, ud);
	size_t i = 0, j = 0, n = 0;
	while (n < k && (i < na || j < nb))
		out[n++] = j >= nb || (i < na && better(&a[i], &b[j])) ? a[i++] : b[j++];
	free(a);
	free(b);
	return n;
}

size_t vec_store_search(const struct vec_store *vs, const float *q, size_t k, struct vec_hit *out,
                        vec_allow_fn allow, void *ud)
{
	return search_both(vs, vec_index_search, q, k, out, allow, ud);
}

size_t vec_store_search_exact(const struct vec_store *vs, const float *q, size_t k, struct vec_hit *out,
                              vec_allow_fn allow, void *ud)
{
	return search_both(vs, vec_index_search_exact, q, k, out, allow, ud);
}

size_t vec_store_count(const struct vec_store *vs)
{
	return vec_index_count(vs->delta) + (vs->base ? vec_index_count(vs->base) : 0);
}

bool vec_store_contains(const struct vec_store *vs, int64_t id)
{
	return vec_index_contains(vs->delta, id) || (vs->base && vec_index_contains(vs->base, id));
}

enum rd_err vec_store_persist(struct store *s, const struct vec_store_opts *o, bool *wrote, char *err,
                              size_t errlen)
{
	char file[4096];
	struct vec_sync want = sync_of(o);
	struct vec_file *vf = NULL;
	*wrote = false;
	if (!vec_file_path(store_path(s), o->collection, file, sizeof file))
		return RD_OK;
	if (vec_file_open(file, &want, &vf, err, errlen) == RD_OK) {
		bool behind = false;
		int rc = file_behind(s, vf, &behind, err, errlen);
		vec_file_close(&vf);
		if (rc != 0)
			return RD_ERR_IO;
		if (!behind)
			return RD_OK;
	}
	enum rd_err rc = vec_file_write(s, file, &want, o->progress, o->progress_ud, err, errlen);
	*wrote = rc == RD_OK;
	return rc;
}
