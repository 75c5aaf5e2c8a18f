/* vecfile: a collection's vectors persisted next to the database, in the
 * layout the scan reads, memory-mapped read-only at open.
 *
 * The file holds a header (checksummed: collection, the collection's
 * generation, model, dimension, the last chunk id and tombstone it covers,
 * where each array lies), then the ids (ascending), the int8 scales, the
 * int8 panels and the float32 panels, each page-aligned. Opening checks
 * the header and maps the file: nothing is read until a search touches it,
 * and a search touches the int8 rows and only the float32 rows it
 * rescores.
 *
 * A file is written whole under a temporary name, synced and renamed over
 * the old one; it is never truncated or rewritten in place, so a process
 * that maps the old file keeps a valid mapping, and a writer killed at any
 * point leaves the old file or the new one. A file that is missing, of
 * another database, collection, model or generation, or damaged in its
 * header is never used: it is written again from the database. */
#ifndef RAGDECK_VECFILE_H
#define RAGDECK_VECFILE_H

#include "core/util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/vecindex.h"
#include "store/vecsync.h"

struct store;

/* A mapped file. */
struct vec_file {
	struct vec_sync at;     /* what it covers: collection, model, dim, generation, last ids */
	struct vec_rows rows;   /* arrays inside the mapping */
	void *map;
	size_t map_bytes;
	dev_t dev;              /* the file mapped, to notice a newer one */
	ino_t ino;
	int fd;                 /* kept open: rescoring reads float32 rows with pread */
};

/* Progress of a write: rows written of total. Returning false stops the
 * write (RD_ERR_CANCELLED). */
typedef bool (*vec_file_progress_fn)(void *ud, size_t done, size_t total);

/* The persisted index's path for a collection of the database at db_path
 * ("<db>.<collection id>.vec") into out. Returns false when there is none
 * (an in-memory database) or it does not fit. */
bool vec_file_path(const char *db_path, int64_t collection, char *out, size_t outlen);

/* Map the file at path if it holds want's collection, model, dimension
 * and, when want->generation is not 0, generation. Returns RD_OK with
 * *out (free with vec_file_close); RD_ERR_NOT_FOUND when there is no file;
 * RD_ERR_CORRUPT when it is not usable (why in err: another collection,
 * model or generation, a damaged header, a wrong size); RD_ERR_IO. */
enum rd_err vec_file_open(const char *path, const struct vec_sync *want, struct vec_file **out,
                          char *err, size_t errlen);

/* Unmap and free; NULL-safe; clears *f. */
void vec_file_close(struct vec_file **f);

/* Whether the file now at path is another one than f maps (rewritten by
 * some process since), or is gone. */
bool vec_file_replaced(const struct vec_file *f, const char *path);

/* Write the vectors of want's collection, model and dimension as the
 * database s holds them now (one read transaction) to path, as described
 * above. progress (may be NULL) is called every few thousand rows.
 * Returns RD_OK, or a code with err naming the file and what to do (a
 * full disk: RD_ERR_FULL; a directory that cannot be written:
 * RD_ERR_READ_ONLY; stopped by progress: RD_ERR_CANCELLED). Temporary
 * files of writers that died are removed. */
enum rd_err vec_file_write(struct store *s, const char *path, const struct vec_sync *want,
                           vec_file_progress_fn progress, void *ud, char *err, size_t errlen);

#endif
