/* vecstore: a collection's vectors ready for search, as cheaply as the
 * database allows.
 *
 * The base is the persisted index (store/vecfile.h), mapped; the delta is
 * an in-memory index of the vectors added since it was written, and the
 * base's rows deleted since are remembered as removed (store/vecsync.h).
 * Opening maps the file and reads only what changed after it. When the
 * file is missing or unusable it is written from the database: at once
 * (VEC_BUILD_NOW, with progress), or on a thread of its own while searches
 * go on without vectors (VEC_BUILD_BACKGROUND, for the app); so is a file
 * so far behind the database (vectors added past a 64th of it or chunks
 * deleted past a 16th, and at least 2,048 rows) that loading the
 * difference at every open would cost more. Each catch-up
 * notices a file another process wrote since and maps it instead. A
 * database with no file beside it (in memory), or a file that cannot be
 * written (a full disk, a read-only directory), falls back to loading
 * every vector into memory. */
#ifndef RAGDECK_VECSTORE_H
#define RAGDECK_VECSTORE_H

#include "core/util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/vecfile.h"
#include "store/vecindex.h"

struct store;
struct vec_store;

enum vec_build {
	VEC_BUILD_NOW,        /* write a missing index before returning */
	VEC_BUILD_BACKGROUND, /* write it on a thread; vectors are off until then */
};

struct vec_store_opts {
	struct vec_index_opts index;
	int64_t collection;
	const char *model;
	int dim;
	enum vec_build build;
	vec_file_progress_fn progress; /* VEC_BUILD_NOW's writes, on the caller's thread; may be NULL */
	void *progress_ud;
};

/* Where the vectors stand, for a status line. */
struct vec_store_state {
	bool ready;            /* searches use vectors */
	bool building;         /* a background write is running */
	size_t done, total;    /* its progress in rows */
	size_t mapped, loaded; /* rows in the mapped file, rows in memory */
	const char *note;      /* why the file is not used, or NULL; owned by the store */
	uint64_t changes;      /* grows whenever rows came or went */
};

/* Open a collection's vectors in the store s (which must outlive them) and
 * catch up. Returns 0, or -1 with err (bad options, the database failed). */
int vec_store_open(struct store *s, const struct vec_store_opts *o, struct vec_store **out, char *err,
                   size_t errlen);

/* Free; stops and waits for a background write; NULL-safe; clears *vs. */
void vec_store_free(struct vec_store **vs);

/* Bring the vectors up to date with the database (see above). Returns 0,
 * or -1 with err when the database failed. */
int vec_store_catch_up(struct vec_store *vs, char *err, size_t errlen);

/* Where the vectors stand now. */
struct vec_store_state vec_store_state(const struct vec_store *vs);

/* Top-k rows of base and delta together by inner product with q, as
 * vec_index_search orders them; 0 while not ready. */
size_t vec_store_search(const struct vec_store *vs, const float *q, size_t k, struct vec_hit *out,
                        vec_allow_fn allow, void *ud);

/* As vec_store_search, but an exact float32 scan of every row, read in
 * order through the mapping (no int8 pass, no per-row rereads): the
 * scores equal those vec_store_search's rescoring gives, bit for bit. For
 * ranking all rows at once (explain); 0 while not ready. */
size_t vec_store_search_exact(const struct vec_store *vs, const float *q, size_t k, struct vec_hit *out,
                              vec_allow_fn allow, void *ud);

/* Rows searchable now. */
size_t vec_store_count(const struct vec_store *vs);

/* Whether a row has this id. */
bool vec_store_contains(const struct vec_store *vs, int64_t id);

/* After writing to the database (an ingest): write the collection's index
 * file again when it is missing, unusable, or the changes since it was
 * written pass a share of it (then a reader's catch-up would cost more than
 * a rewrite saves). *wrote tells whether it did. Returns RD_OK, or the
 * write's code with err (the database stays whole either way). */
enum rd_err vec_store_persist(struct store *s, const struct vec_store_opts *o, bool *wrote, char *err,
                              size_t errlen);

#endif
