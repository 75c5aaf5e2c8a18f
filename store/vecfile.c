/* vecfile: the persisted vector index's format, writer and mapper. */
#include "store/vecfile.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the vector index file is little-endian; add byte swapping for this platform"
#endif

#define MAGIC "RDVECIDX"
#define FORMAT_VERSION 1
#define PAGE ((uint64_t)4096)
#define PROGRESS_ROWS 4096

/* The header as it lies at offset 0 (the first page holds it). */
struct disk_header {
	char magic[8];
	uint32_t version;
	int32_t dim;
	uint64_t count;
	int64_t collection, generation, last_chunk_id, last_tombstone;
	uint64_t off_ids, off_scales, off_i8, off_f32, file_bytes;
	char model[256];
	uint64_t checksum; /* hash64 of every byte before it */
};

_Static_assert(sizeof(struct disk_header) <= 4096, "the header fits its page");

/* Where each array of count rows lies, and the file's size. */
struct layout {
	uint64_t off_ids, off_scales, off_i8, off_f32, file_bytes;
};

static uint64_t page_up(uint64_t n)
{
	return (n + PAGE - 1) / PAGE * PAGE;
}

static uint64_t ids_bytes(uint64_t count)
{
	return count * sizeof(int64_t);
}

static uint64_t scales_bytes(uint64_t count)
{
	return vec_layout_padded(count) * sizeof(float);
}

static uint64_t i8_bytes(int dim, uint64_t count)
{
	return vec_layout_padded(count) * vec_layout_stride8(dim);
}

static uint64_t f32_bytes(int dim, uint64_t count)
{
	return vec_layout_padded(count) * vec_layout_stride(dim) * sizeof(float);
}

static struct layout layout_of(int dim, uint64_t count)
{
	struct layout l;
	l.off_ids = PAGE;
	l.off_scales = page_up(l.off_ids + ids_bytes(count));
	l.off_i8 = page_up(l.off_scales + scales_bytes(count));
	l.off_f32 = page_up(l.off_i8 + i8_bytes(dim, count));
	l.file_bytes = page_up(l.off_f32 + f32_bytes(dim, count));
	return l;
}

bool vec_file_path(const char *db_path, int64_t collection, char *out, size_t outlen)
{
	if (!db_path || !db_path[0] || strcmp(db_path, ":memory:") == 0 || strncmp(db_path, "file:", 5) == 0)
		return false;
	int n = snprintf(out, outlen, "%s.%lld.vec", db_path, (long long)collection);
	return n > 0 && (size_t)n < outlen;
}

static uint64_t header_checksum(const struct disk_header *h)
{
	return hash64(h, offsetof(struct disk_header, checksum));
}

/* Why the header h of a file of file_bytes cannot serve want, or NULL. */
static const char *header_problem(const struct disk_header *h, uint64_t file_bytes, const struct vec_sync *want)
{
	if (memcmp(h->magic, MAGIC, sizeof h->magic) != 0)
		return "not a ragdeck vector index";
	if (h->version != FORMAT_VERSION)
		return "written in another format version";
	if (h->checksum != header_checksum(h))
		return "its header is damaged";
	if (h->collection != want->collection || h->dim != want->dim ||
	    strncmp(h->model, want->model, sizeof h->model) != 0)
		return "it holds another collection or embedding model";
	if (want->generation && h->generation != want->generation)
		return "it was made from another database or before a re-embedding";
	struct layout l = layout_of(h->dim, h->count);
	if (h->dim < 1 || h->count > (uint64_t)1 << 40 || h->off_ids != l.off_ids || h->off_scales != l.off_scales ||
	    h->off_i8 != l.off_i8 || h->off_f32 != l.off_f32 || h->file_bytes != l.file_bytes ||
	    file_bytes != l.file_bytes)
		return "its size does not match its header (cut short?)";
	return NULL;
}

static enum rd_err errno_code(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return RD_ERR_FULL;
	case EROFS:
	case EACCES:
	case EPERM:
		return RD_ERR_READ_ONLY;
	case ENOENT:
		return RD_ERR_NOT_FOUND;
	default:
		return RD_ERR_IO;
	}
}

enum rd_err vec_file_open(const char *path, const struct vec_sync *want, struct vec_file **out, char *err,
                          size_t errlen)
{
	struct disk_header h;
	struct stat st;
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the vector index %s: %s", path, strerror(errno));
		return errno_code(errno);
	}
	ssize_t got = fstat(fd, &st) == 0 ? pread(fd, &h, sizeof h, 0) : -1;
	if (got != (ssize_t)sizeof h) {
		snprintf(err, errlen, "the vector index %s is not used: %s", path,
		         got < 0 ? strerror(errno) : "shorter than its header");
		close(fd);
		return RD_ERR_CORRUPT;
	}
	const char *problem = header_problem(&h, (uint64_t)st.st_size, want);
	if (problem) {
		snprintf(err, errlen, "the vector index %s is not used: %s", path, problem);
		close(fd);
		return RD_ERR_CORRUPT;
	}
	void *map = mmap(NULL, h.file_bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the vector index %s: %s", path, strerror(errno));
		close(fd);
		return RD_ERR_IO;
	}
	struct vec_file *f = xcalloc(1, sizeof *f);
	f->fd = fd;
	f->map = map;
	f->map_bytes = h.file_bytes;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->at = (struct vec_sync){ .collection = h.collection, .dim = h.dim, .generation = h.generation,
	                           .last_chunk_id = h.last_chunk_id, .last_tombstone = h.last_tombstone };
	memcpy(f->at.model, h.model, sizeof f->at.model);
	f->at.model[sizeof f->at.model - 1] = '\0';
	f->rows = (struct vec_rows){
		.count = h.count,
		.ids = (int64_t *)((char *)map + h.off_ids),
		.scales = (float *)((char *)map + h.off_scales),
		.i8 = (int8_t *)((char *)map + h.off_i8),
		.f32 = (float *)((char *)map + h.off_f32),
		.f32_pread = true, .f32_fd = fd, .f32_offset = h.off_f32,
	};
	*out = f;
	return RD_OK;
}

void vec_file_close(struct vec_file **pf)
{
	struct vec_file *f = *pf;
	if (!f)
		return;
	munmap(f->map, f->map_bytes);
	close(f->fd);
	free(f);
	*pf = NULL;
}

bool vec_file_replaced(const struct vec_file *f, const char *path)
{
	struct stat st;
	return stat(path, &st) != 0 || st.st_dev != f->dev || st.st_ino != f->ino;
}

/* Remove "<base>.tmp.<pid>" files next to path whose writer is gone. */
static void remove_dead_temporaries(const char *path)
{
	char *copy = xstrdup(path), *copy2 = xstrdup(path);
	const char *dir = dirname(copy), *base = basename(copy2);
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, base, blen) != 0 || strncmp(de->d_name + blen, ".tmp.", 5) != 0)
			continue;
		char *end;
		long pid = strtol(de->d_name + blen + 5, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
			char victim[4096];
			if (snprintf(victim, sizeof victim, "%s/%s", dir, de->d_name) < (int)sizeof victim)
				unlink(victim);
		}
	}
	if (d)
		closedir(d);
	free(copy);
	free(copy2);
}

/* One write in progress: the mapping being filled. */
struct writer {
	struct vec_rows rows;
	int dim;
	size_t total, done;
	vec_file_progress_fn progress;
	void *ud;
};

static int put_row(void *ud, int64_t id, const float *v)
{
	struct writer *w = ud;
	if (w->done == w->total)
		return 0;
	vec_layout_put(w->dim, &w->rows, w->done, v);
	w->rows.ids[w->done++] = id;
	if (w->progress && w->done % PROGRESS_ROWS == 0 && !w->progress(w->ud, w->done, w->total))
		return 1;
	return 0;
}

static void fsync_parent(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static enum rd_err write_failed(const char *path, const char *what, int e, char *err, size_t errlen)
{
	enum rd_err code = errno_code(e);
	snprintf(err, errlen, "cannot %s the vector index %s: %s%s", what, path, strerror(e),
	         code == RD_ERR_FULL ? " (free space on that disk; searches load vectors from the database "
	                               "meanwhile)" : "");
	return code == RD_ERR_NOT_FOUND ? RD_ERR_IO : code;
}

/* Fill the file at fd (sized and zeroed by fallocate) with the count
 * vectors of the snapshot the caller's transaction holds. */
static enum rd_err fill(sqlite3 *db, int fd, struct vec_sync *at, size_t count, const struct layout *l,
                        vec_file_progress_fn progress, void *ud, const char *tmp, char *err, size_t errlen)
{
	char *map = mmap(NULL, l->file_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return write_failed(tmp, "map", errno, err, errlen);
	struct writer w = {
		.rows = { .ids = (int64_t *)(map + l->off_ids), .scales = (float *)(map + l->off_scales),
		          .i8 = (int8_t *)(map + l->off_i8), .f32 = (float *)(map + l->off_f32) },
		.dim = at->dim, .total = count, .progress = progress, .ud = ud,
	};
	enum rd_err rc = RD_OK;
	int walked = vec_sync_each(db, at, 0, put_row, &w);
	if (walked == 1) {
		snprintf(err, errlen, "the vector index %s was not finished: stopped", tmp);
		rc = RD_ERR_CANCELLED;
	} else if (walked != 0) {
		snprintf(err, errlen, "cannot read vectors for the index %s: %s", tmp, sqlite3_errmsg(db));
		rc = RD_ERR_IO;
	} else if (w.done != count) {
		snprintf(err, errlen, "cannot write the vector index %s: %zu vectors counted, %zu read", tmp,
		         count, w.done);
		rc = RD_ERR_IO;
	}
	if (rc == RD_OK) {
		struct disk_header h = {
			.version = FORMAT_VERSION, .dim = at->dim, .count = w.done, .collection = at->collection,
			.generation = at->generation, .last_chunk_id = at->last_chunk_id,
			.last_tombstone = at->last_tombstone, .off_ids = l->off_ids, .off_scales = l->off_scales,
			.off_i8 = l->off_i8, .off_f32 = l->off_f32, .file_bytes = l->file_bytes,
		};
		memcpy(h.magic, MAGIC, sizeof h.magic);
		memcpy(h.model, at->model, sizeof h.model);
		h.checksum = header_checksum(&h);
		memcpy(map, &h, sizeof h);
		if (progress)
			(void)progress(ud, w.done, count);
		if (msync(map, l->file_bytes, MS_SYNC) != 0)
			rc = write_failed(tmp, "write", errno, err, errlen);
	}
	munmap(map, l->file_bytes);
	return rc;
}

enum rd_err vec_file_write(struct store *s, const char *path, const struct vec_sync *want,
                           vec_file_progress_fn progress, void *ud, char *err, size_t errlen)
{
	sqlite3 *db = store_db(s);
	struct vec_sync at = *want;
	size_t count = 0;
	char tmp[4096];
	enum rd_err rc;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
		snprintf(err, errlen, "the vector index path %s is too long", path);
		return RD_ERR_INVALID;
	}
	remove_dead_temporaries(path);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    vec_sync_snapshot(db, &at) != 0 || vec_sync_count(db, &at, 0, &count) != 0) {
		snprintf(err, errlen, "cannot read vectors for the index %s: %s", path, sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return RD_ERR_IO;
	}
	struct layout l = layout_of(at.dim, count);
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = write_failed(tmp, "create", errno, err, errlen);
		goto done;
	}
	int e = posix_fallocate(fd, 0, (off_t)l.file_bytes);
	if (e != 0) {
		rc = write_failed(tmp, "write", e, err, errlen);
		goto done;
	}
	rc = fill(db, fd, &at, count, &l, progress, ud, tmp, err, errlen);
	if (rc == RD_OK && fsync(fd) != 0)
		rc = write_failed(tmp, "write", errno, err, errlen);
	if (rc == RD_OK && rename(tmp, path) != 0)
		rc = write_failed(path, "replace", errno, err, errlen);
	if (rc == RD_OK)
		fsync_parent(path);
done:
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (fd >= 0)
		close(fd);
	if (rc != RD_OK)
		unlink(tmp);
	return rc;
}
