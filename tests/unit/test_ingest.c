/* Unit tests for core/ingest/ingest: the summary tells the truth when the store
 * fails. A database capped by PRAGMA max_page_count fails its writes with
 * SQLITE_FULL as a full disk does, at every point of a run as the cap
 * grows; whatever the point, the counts are what the database holds and
 * every file the walk found is accounted for. Another process can write
 * while a run embeds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "store/store.h"
#include "store/store_int.h"

#define N_FILES 40

struct fixture {
	char dir[64];
	char tree[96];
	char db[96];
	struct embedder *embedder;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/rdingestXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->tree, sizeof f->tree, "%s/tree", f->dir);
	snprintf(f->db, sizeof f->db, "%s/kb.db", f->dir);
	if (mkdir(f->tree, 0700) != 0)
		return -1;
	for (int i = 0; i < N_FILES; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/doc%02d.md", f->tree, i);
		FILE *fp = fopen(path, "w");
		if (!fp)
			return -1;
		fprintf(fp, "# Article %d\n\n", i);
		for (int s = 0; s < 4; s++) {
			fprintf(fp, "## Section %d\n\n", s);
			for (int w = 0; w < 120; w++)
				fprintf(fp, "word%d ", (i * 7 + s * 13 + w) % 97);
			fprintf(fp, "\n\n");
		}
		fclose(fp);
	}
	f->embedder = embed_hash_new(64);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	embed_free(&f->embedder);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct ingest_opts opts(void)
{
	return (struct ingest_opts){
		.collection = "default", .max_file_bytes = 1 << 20,
		.chunk_tokens = 120, .overlap_tokens = 10, .min_chunk_tokens = 20,
	};
}

static int64_t count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Ingest the tree into a fresh database capped at max_pages; check the
 * summary against what it holds. Returns ingest_run's result. */
static int run_capped(struct fixture *f, int max_pages, struct ingest_summary *sum)
{
	char err[1024], sql[64];
	struct store *s = NULL;
	const char *roots[1] = { f->tree };
	struct ingest_opts o = opts();
	remove(f->db);
	assert_int_equal(store_open(f->db, &s, err, sizeof err), 0);
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", max_pages);
	assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
	int rc = ingest_run(s, f->embedder, &o, roots, 1, NULL, NULL, sum, err, sizeof err);
	if (rc != 0) {
		assert_non_null(strstr(err, "the disk holding"));
		assert_non_null(strstr(err, f->dir));
	}
	assert_int_equal(sum->files, N_FILES);
	assert_int_equal(sum->added, count(s, "SELECT count(*) FROM documents"));
	assert_int_equal(sum->chunks, count(s, "SELECT count(*) FROM chunks"));
	assert_int_equal(sum->added + sum->n_unstored + sum->not_reached, N_FILES);
	assert_true(rc != 0 || sum->added == N_FILES);
	store_close(&s);
	return rc;
}

static void counts_are_what_was_committed_wherever_the_disk_fills(void **state)
{
	struct fixture *f = *state;
	int failed = 0, whole = 0;
	for (int pages = 40; pages <= 400 && !whole; pages += 8) {
		struct ingest_summary sum;
		int rc = run_capped(f, pages, &sum);
		failed += rc != 0;
		whole += rc == 0;
		ingest_summary_free(&sum);
	}
	/* The caps covered runs that failed and one that fitted. */
	assert_true(failed > 0);
	assert_true(whole > 0);
}

static void rolled_back_documents_are_named(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	int pages = 40;
	int rc = run_capped(f, pages, &sum);
	while (rc == 0 || sum.n_unstored == 0) {
		ingest_summary_free(&sum);
		pages += 8;
		assert_true(pages <= 400);
		rc = run_capped(f, pages, &sum);
	}
	for (size_t i = 0; i < sum.n_unstored; i++)
		assert_non_null(strstr(sum.unstored[i].path, f->tree));
	ingest_summary_free(&sum);
}

static void a_missing_path_is_an_error_not_a_skip(void **state)
{
	struct fixture *f = *state;
	char err[1024], missing[128];
	struct store *s = NULL;
	struct ingest_summary sum;
	struct ingest_opts o = opts();
	snprintf(missing, sizeof missing, "%s/does/not/exist", f->dir);
	const char *roots[2] = { f->tree, missing };
	assert_int_equal(store_open(f->db, &s, err, sizeof err), 0);
	assert_int_equal(ingest_run(s, f->embedder, &o, roots, 2, NULL, NULL, &sum, err, sizeof err), -1);
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(count(s, "SELECT count(*) FROM documents"), 0);
	ingest_summary_free(&sum);
	store_close(&s);
}

/* An embedder that, before embedding with the hash embedder, tries to
 * take the database's write lock from another connection without waiting:
 * ingest must not hold the lock while it embeds. */
struct lock_probe {
	struct embedder *inner;
	const char *db;
	int calls, locked;
};

static int probe_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                       struct embed_report *rep, char *err, size_t errlen)
{
	struct lock_probe *p = e->impl;
	sqlite3 *db = NULL;
	p->calls++;
	if (sqlite3_open(p->db, &db) != SQLITE_OK || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		p->locked++;
	else
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return p->inner->ops->embed(p->inner, texts, lens, n, out, rep, err, errlen);
}

static const struct embedder_ops probe_ops = { .kind = "hash", .embed = probe_embed };

static void the_write_lock_is_free_while_a_group_embeds(void **state)
{
	struct fixture *f = *state;
	char err[1024];
	struct store *s = NULL;
	const char *roots[1] = { f->tree };
	struct ingest_opts o = opts();
	struct ingest_summary sum;
	struct lock_probe probe = { .inner = f->embedder, .db = f->db };
	struct embedder e = { .ops = &probe_ops, .dim = f->embedder->dim, .group_inputs = 8,
	                      .model = f->embedder->model, .impl = &probe };
	assert_int_equal(store_open(f->db, &s, err, sizeof err), 0);
	assert_int_equal(ingest_run(s, &e, &o, roots, 1, NULL, NULL, &sum, err, sizeof err), 0);
	assert_int_equal(sum.added, N_FILES);
	assert_true(probe.calls > 5);
	assert_int_equal(probe.locked, 0);
	ingest_summary_free(&sum);
	store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(counts_are_what_was_committed_wherever_the_disk_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(rolled_back_documents_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(a_missing_path_is_an_error_not_a_skip, setup, teardown),
		cmocka_unit_test_setup_teardown(the_write_lock_is_free_while_a_group_embeds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
