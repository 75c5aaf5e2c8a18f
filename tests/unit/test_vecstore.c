/* Unit tests for the persisted vector index: a view over arrays in the
 * scan's layout searches like the index it was copied from; the file is
 * written, refused when foreign, stale or damaged, and never left half
 * written; a vec_store maps it, catches up with writes and deletions made
 * through another connection, follows a file another process wrote,
 * rebuilds after a re-embedding, falls back to memory when the file
 * cannot be written, and writes it in the background on request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "store/vecfile.h"
#include "store/vecindex.h"
#include "store/vecstore.h"

#define DIM 24
#define MODEL "test-24"

struct fixture {
	char dir[64];
	char db[96];
	char file[128];
	struct store *s;
	int64_t coll;
	int docs;
};

/* Vector number i: deterministic pseudo-random values in [-1, 1). */
static void vector_of(int i, float *v)
{
	uint32_t x = 2654435761u * (uint32_t)(i + 1);
	for (int d = 0; d < DIM; d++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[d] = (float)(x % 2000) / 1000.0f - 1.0f;
	}
}

/* A document of n chunks through s, chunk j with vector first + j. */
static void put_doc(struct store *s, int64_t coll, const char *path, int first, int n)
{
	char err[256], body[64];
	float vecs[16][DIM];
	struct store_chunk_in c[16];
	snprintf(body, sizeof body, "body of %s", path);
	for (int j = 0; j < n; j++) {
		vector_of(first + j, vecs[j]);
		c[j] = (struct store_chunk_in){ .byte_start = 0, .byte_end = (int64_t)strlen(body), .line_start = 1,
		                                .line_end = 1, .heading_path = "", .tokens = 3, .vector = vecs[j] };
	}
	struct store_doc_in d = { .path = path, .format = "text", .content_hash = path, .bytes = 1, .body = body,
	                          .body_len = strlen(body), .embed_model = MODEL, .dim = DIM };
	bool replaced;
	assert_int_equal(store_doc_put(s, coll, &d, c, (size_t)n, 1, &replaced, err, sizeof err), 0);
}

static void add_docs(struct fixture *f, int n)
{
	char path[64];
	for (int i = 0; i < n; i++, f->docs++) {
		snprintf(path, sizeof path, "/kb/doc%d.md", f->docs);
		put_doc(f->s, f->coll, path, f->docs * 4, 4);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	strcpy(f->dir, "/tmp/rdvecsXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/v.db", f->dir);
	if (store_open(f->db, &f->s, err, sizeof err) != 0)
		return -1;
	store_collection_id(f->s, "kb", true, &f->coll, err, sizeof err);
	vec_file_path(f->db, f->coll, f->file, sizeof f->file);
	add_docs(f, 50);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];
	store_close(&f->s);
	snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", f->dir, f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static struct vec_sync want_of(const struct fixture *f)
{
	struct vec_sync w = { .collection = f->coll, .dim = DIM };
	snprintf(w.model, sizeof w.model, "%s", MODEL);
	return w;
}

static struct vec_store_opts opts_of(const struct fixture *f, enum vec_build build)
{
	return (struct vec_store_opts){
		.index = { .dim = DIM, .quantize_int8 = true, .oversample = 4, .threads = 1 },
		.collection = f->coll, .model = MODEL, .dim = DIM, .build = build,
	};
}

static int64_t count_sql(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The chunk id whose vector is vector_of(i). */
static int64_t chunk_of_vector(struct store *s, int i)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT min(id) + %d FROM chunks WHERE document_id = "
	         "(SELECT id FROM documents WHERE path = '/kb/doc%d.md')", i % 4, i / 4);
	return count_sql(s, sql);
}

/* The same ids with bit-identical scores, in the same order. */
static void same_hits(const struct vec_hit *a, size_t na, const struct vec_hit *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].id, b[i].id);
		assert_true(a[i].score == b[i].score);
	}
}

static void view_searches_like_the_index_it_copies(void **state)
{
	(void)state;
	struct vec_index_opts o = { .dim = DIM, .quantize_int8 = true, .oversample = 4, .threads = 1 };
	enum { N = 203 };
	struct vec_index *idx = vec_index_new(&o);
	size_t padded = vec_layout_padded(N);
	struct vec_rows rows = {
		.count = N, .f32 = calloc(padded * vec_layout_stride(DIM), sizeof(float)),
		.i8 = calloc(padded, vec_layout_stride8(DIM)), .scales = calloc(padded, sizeof(float)),
		.ids = calloc(N, sizeof(int64_t)),
	};
	float v[DIM];
	for (int i = 0; i < N; i++) {
		vector_of(i, v);
		vec_index_upsert(idx, 10 + 3 * i, v);
		vec_layout_put(DIM, &rows, (size_t)i, v);
		rows.ids[i] = 10 + 3 * i;
	}
	struct vec_index *view = vec_index_view(&o, &rows);
	struct vec_hit a[10], b[10];
	for (int q = 0; q < 20; q++) {
		vector_of(1000 + q, v);
		size_t na = vec_index_search(idx, v, 10, a, NULL, NULL);
		same_hits(a, na, b, vec_index_search(view, v, 10, b, NULL, NULL));
	}
	/* Removing from a view hides the row without moving any. */
	vector_of(7, v);
	assert_int_equal(vec_index_search(view, v, 1, b, NULL, NULL), 1);
	assert_int_equal(b[0].id, 10 + 3 * 7);
	assert_int_equal(vec_index_remove(view, 10 + 3 * 7), 0);
	assert_int_equal(vec_index_remove(view, 10 + 3 * 7), -1);
	assert_false(vec_index_contains(view, 10 + 3 * 7));
	assert_true(vec_index_contains(view, 10 + 3 * 8));
	assert_false(vec_index_contains(view, 11));
	assert_int_equal(vec_index_count(view), N - 1);
	assert_int_equal(vec_index_search(view, v, 1, b, NULL, NULL), 1);
	assert_int_not_equal(b[0].id, 10 + 3 * 7);
	vec_index_free(&view);
	vec_index_free(&idx);
	free(rows.f32);
	free(rows.i8);
	free(rows.scales);
	free(rows.ids);
}

static void file_is_written_and_mapped_with_what_it_covers(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	struct vec_sync want = want_of(f);
	struct vec_file *vf = NULL;
	assert_int_equal(vec_file_open(f->file, &want, &vf, err, sizeof err), RD_ERR_NOT_FOUND);
	assert_int_equal(vec_file_write(f->s, f->file, &want, NULL, NULL, err, sizeof err), RD_OK);
	assert_int_equal(vec_file_open(f->file, &want, &vf, err, sizeof err), RD_OK);
	assert_int_equal(vf->rows.count, 200);
	assert_int_equal(vf->at.last_chunk_id, count_sql(f->s, "SELECT max(id) FROM chunks"));
	assert_int_equal(vf->at.generation, count_sql(f->s, "SELECT vec_generation FROM collections"));
	for (size_t i = 1; i < vf->rows.count; i++)
		assert_true(vf->rows.ids[i] > vf->rows.ids[i - 1]);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	vec_file_close(&vf);
}

/* Open the file with want and expect RD_ERR_CORRUPT with words in err. */
static void refused(const char *file, const struct vec_sync *want, const char *words)
{
	char err[ERR_LEN];
	struct vec_file *vf = NULL;
	assert_int_equal(vec_file_open(file, want, &vf, err, sizeof err), RD_ERR_CORRUPT);
	assert_null(vf);
	assert_non_null(strstr(err, words));
}

static void foreign_stale_or_damaged_files_are_refused(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	struct vec_sync want = want_of(f);
	assert_int_equal(vec_file_write(f->s, f->file, &want, NULL, NULL, err, sizeof err), RD_OK);
	struct vec_sync other = want;
	other.collection++;
	refused(f->file, &other, "another collection");
	other = want;
	snprintf(other.model, sizeof other.model, "other-model");
	refused(f->file, &other, "another collection or embedding model");
	other = want;
	other.generation = 12345;
	refused(f->file, &other, "another database");
	/* One flipped byte in the header. */
	int fd = open(f->file, O_RDWR);
	char c;
	assert_int_equal(pread(fd, &c, 1, 40), 1);
	c ^= 1;
	assert_int_equal(pwrite(fd, &c, 1, 40), 1);
	close(fd);
	refused(f->file, &want, "damaged");
	/* Cut short. */
	assert_int_equal(vec_file_write(f->s, f->file, &want, NULL, NULL, err, sizeof err), RD_OK);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(truncate(f->file, st.st_size - 4096), 0);
	refused(f->file, &want, "size");
	/* Not ours at all. */
	FILE *junk = fopen(f->file, "w");
	fputs("hello", junk);
	fclose(junk);
	refused(f->file, &want, "shorter than its header");
}

static bool kill_halfway(void *ud, size_t done, size_t total)
{
	(void)ud;
	if (done * 2 >= total)
		raise(SIGKILL);
	return true;
}

/* A writer killed in the middle leaves the old file whole; the next writer
 * removes its temporary file. */
static void writer_killed_halfway_leaves_the_old_file(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	struct vec_sync want = want_of(f);
	assert_int_equal(vec_file_write(f->s, f->file, &want, NULL, NULL, err, sizeof err), RD_OK);
	add_docs(f, 3000);
	pid_t pid = fork();
	if (pid == 0) {
		struct store *s = NULL;
		if (store_open(f->db, &s, err, sizeof err) == RD_OK)
			vec_file_write(s, f->file, &want, kill_halfway, NULL, err, sizeof err);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", f->file, (int)pid);
	assert_int_equal(access(tmp, F_OK), 0);
	struct vec_file *vf = NULL;
	assert_int_equal(vec_file_open(f->file, &want, &vf, err, sizeof err), RD_OK);
	assert_int_equal(vf->rows.count, 200);
	vec_file_close(&vf);
	assert_int_equal(vec_file_write(f->s, f->file, &want, NULL, NULL, err, sizeof err), RD_OK);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(vec_file_open(f->file, &want, &vf, err, sizeof err), RD_OK);
	assert_int_equal(vf->rows.count, 12200);
	vec_file_close(&vf);
}

/* The best hit for vector_of(i) through vs. */
static int64_t top_id(struct vec_store *vs, int i)
{
	float v[DIM];
	struct vec_hit h;
	vector_of(i, v);
	return vec_store_search(vs, v, 1, &h, NULL, NULL) == 1 ? h.id : -1;
}

/* The mapped file (int8 scan, float32 panels read with pread) ranks and
 * scores exactly as an in-memory index of the same vectors. */
static void same_as_in_memory(struct fixture *f, struct vec_store *vs)
{
	struct vec_store_opts o = opts_of(f, VEC_BUILD_NOW);
	struct vec_index *idx = vec_index_new(&o.index);
	float v[DIM];
	for (int i = 0; i < f->docs * 4; i++) {
		vector_of(i, v);
		vec_index_upsert(idx, chunk_of_vector(f->s, i), v);
	}
	struct vec_hit a[10], b[10];
	for (int q = 0; q < 20; q++) {
		vector_of(5000 + q, v);
		size_t na = vec_index_search(idx, v, 10, a, NULL, NULL);
		same_hits(a, na, b, vec_store_search(vs, v, 10, b, NULL, NULL));
	}
	vec_index_free(&idx);
}

/* Every row ranked by the exact scan of the mapped base and the delta:
 * the same ids, order and scores as the search with int8 and rescoring
 * asked for every row, deleted rows left out. */
static void exact_ranks_every_row_as_the_search(struct vec_store *vs)
{
	size_t n = vec_store_count(vs);
	struct vec_hit *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
	float v[DIM];
	for (int q = 0; q < 5; q++) {
		vector_of(7000 + q, v);
		size_t na = vec_store_search(vs, v, n, a, NULL, NULL);
		assert_int_equal(na, n);
		same_hits(a, na, b, vec_store_search_exact(vs, v, n, b, NULL, NULL));
	}
	free(a);
	free(b);
}

static void store_maps_the_file_and_catches_up_with_changes(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	struct vec_store_opts o = opts_of(f, VEC_BUILD_NOW);
	struct vec_store *vs = NULL;
	assert_int_equal(vec_store_open(f->s, &o, &vs, err, sizeof err), 0);
	struct vec_store_state st = vec_store_state(vs);
	assert_true(st.ready);
	assert_int_equal(st.mapped, 200);
	assert_int_equal(st.loaded, 0);
	assert_int_equal(top_id(vs, 13), chunk_of_vector(f->s, 13));
	same_as_in_memory(f, vs);

	/* Another connection adds documents and deletes one from the file. */
	struct store *other = NULL;
	assert_int_equal(store_open(f->db, &other, err, sizeof err), RD_OK);
	put_doc(other, f->coll, "/kb/new.md", 500, 4);
	int64_t doc3 = count_sql(other, "SELECT id FROM documents WHERE path = '/kb/doc3.md'");
	assert_int_equal(store_doc_delete(other, doc3, err, sizeof err), 0);
	assert_int_equal(vec_store_catch_up(vs, err, sizeof err), 0);
	st = vec_store_state(vs);
	assert_int_equal(st.mapped, 196);
	assert_int_equal(st.loaded, 4);
	assert_int_equal(vec_store_count(vs), 200);
	assert_int_equal(top_id(vs, 501), count_sql(other, "SELECT max(id) - 2 FROM chunks"));
	assert_int_not_equal(top_id(vs, 13), -1);
	assert_false(vec_store_contains(vs, chunk_of_vector(f->s, 0) + 12));
	exact_ranks_every_row_as_the_search(vs);

	/* The other process writes the file again: the next catch-up maps it. */
	bool wrote = false;
	struct vec_store_opts po = opts_of(f, VEC_BUILD_NOW);
	assert_int_equal(vec_file_write(other, f->file, &(struct vec_sync){ .collection = f->coll, .dim = DIM,
	                                .model = MODEL }, NULL, NULL, err, sizeof err), RD_OK);
	assert_int_equal(vec_store_catch_up(vs, err, sizeof err), 0);
	st = vec_store_state(vs);
	assert_int_equal(st.mapped, 200);
	assert_int_equal(st.loaded, 0);
	assert_int_equal(vec_store_persist(other, &po, &wrote, err, sizeof err), RD_OK);
	assert_false(wrote);

	/* A finished re-embedding changes the generation: the file is written again. */
	assert_int_equal(sqlite3_exec(store_db(other), "UPDATE collections SET vec_generation = vec_generation + 1",
	                              NULL, NULL, NULL), SQLITE_OK);
	struct stat before, after;
	assert_int_equal(stat(f->file, &before), 0);
	assert_int_equal(vec_store_catch_up(vs, err, sizeof err), 0);
	assert_int_equal(stat(f->file, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(vec_store_state(vs).mapped, 200);
	assert_int_equal(top_id(vs, 501), count_sql(other, "SELECT max(id) - 2 FROM chunks"));
	store_close(&other);
	vec_store_free(&vs);
}

static void persist_rewrites_only_past_a_share(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	struct vec_store_opts o = opts_of(f, VEC_BUILD_NOW);
	bool wrote = false;
	assert_int_equal(vec_store_persist(f->s, &o, &wrote, err, sizeof err), RD_OK);
	assert_true(wrote);
	add_docs(f, 10);
	assert_int_equal(vec_store_persist(f->s, &o, &wrote, err, sizeof err), RD_OK);
	assert_false(wrote);
	add_docs(f, 600);
	assert_int_equal(vec_store_persist(f->s, &o, &wrote, err, sizeof err), RD_OK);
	assert_true(wrote);
}

static void unwritable_directory_falls_back_to_memory(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	if (geteuid() == 0) {
		/* root writes anywhere: a file in the way of the temporary name
		 * stands in for the read-only directory. */
		char tmp[160];
		snprintf(tmp, sizeof tmp, "%s.tmp.%d", f->file, (int)getpid());
		assert_int_equal(mkdir(tmp, 0700), 0);
	} else {
		assert_int_equal(chmod(f->dir, 0500), 0);
	}
	struct vec_store_opts o = opts_of(f, VEC_BUILD_NOW);
	struct vec_store *vs = NULL;
	assert_int_equal(vec_store_open(f->s, &o, &vs, err, sizeof err), 0);
	struct vec_store_state st = vec_store_state(vs);
	assert_true(st.ready);
	assert_int_equal(st.mapped, 0);
	assert_int_equal(st.loaded, 200);
	assert_non_null(st.note);
	assert_non_null(strstr(st.note, "loaded from the database"));
	assert_int_equal(top_id(vs, 42), chunk_of_vector(f->s, 42));
	vec_store_free(&vs);
}

static void background_build_leaves_vectors_off_until_done(void **state)
{
	struct fixture *f = *state;
	char err[ERR_LEN];
	add_docs(f, 2000);
	struct vec_store_opts o = opts_of(f, VEC_BUILD_BACKGROUND);
	struct vec_store *vs = NULL;
	assert_int_equal(vec_store_open(f->s, &o, &vs, err, sizeof err), 0);
	struct vec_store_state st = vec_store_state(vs);
	assert_true(st.building);
	assert_false(st.ready);
	assert_int_equal(top_id(vs, 5), -1);
	for (int i = 0; i < 3000 && !vec_store_state(vs).ready; i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
		assert_int_equal(vec_store_catch_up(vs, err, sizeof err), 0);
	}
	st = vec_store_state(vs);
	assert_true(st.ready);
	assert_int_equal(st.mapped, 8200);
	assert_int_equal(top_id(vs, 5), chunk_of_vector(f->s, 5));
	vec_store_free(&vs);
	/* Freed while building: the write stops and nothing is left behind. */
	unlink(f->file);
	assert_int_equal(vec_store_open(f->s, &o, &vs, err, sizeof err), 0);
	vec_store_free(&vs);
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", f->file, (int)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_searches_like_the_index_it_copies),
		cmocka_unit_test_setup_teardown(file_is_written_and_mapped_with_what_it_covers, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_stale_or_damaged_files_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_killed_halfway_leaves_the_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(store_maps_the_file_and_catches_up_with_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(persist_rewrites_only_past_a_share, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritable_directory_falls_back_to_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(background_build_leaves_vectors_off_until_done, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
