/* Unit tests for core/ingest/ingest on several threads: a run with workers
 * stores exactly what a run on one thread stores (documents in the same
 * order with the same ids, chunks, vectors byte for byte, the full-text
 * index) and sums up the same, over a generated tree of several hundred
 * files with binary, empty, whitespace-only, invalid UTF-8, oversize and
 * archived ones among them; with an embedder the workers cannot copy the
 * writer embeds groups and the result is the same again, on one thread
 * or three; a second run skips what
 * did not change and redoes what did, the same way on any number of
 * threads; and a stop ends a threaded run promptly with every committed
 * document whole. */
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
#include <time.h>

#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/util/clock.h"
#include "store/store.h"
#include "store/store_int.h"

#define N_MARKDOWN 300
#define MAX_FILE_BYTES (64 * 1024)

struct fixture {
	char dir[64];
	char tree[96];
	struct embedder *embedder;
};

static const char *const words[] = {
	"refund", "invoice", "ledger", "proxy", "cluster", "backup", "rotate", "token", "schema", "replica",
	"quota", "billing", "deploy", "rollback", "latency", "cache", "shard", "vacuum", "index", "policy",
};

static uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 33;
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	write_file(dir, name, text, strlen(text));
}

/* Markdown article i: a title, 1 to 7 sections of 20 to 400 words. */
static void write_article(const char *dir, int i)
{
	char name[256];
	uint64_t rng = (uint64_t)i * 7919 + 1;
	FILE *fp;
	snprintf(name, sizeof name, "%s/doc%03d.md", dir, i);
	fp = fopen(name, "w");
	assert_non_null(fp);
	fprintf(fp, "# Article %d about %s\n\n", i, words[i % 20]);
	int sections = 1 + i % 7;
	for (int s = 0; s < sections; s++) {
		fprintf(fp, "## Section %d: %s\n\n", s, words[(i + s) % 20]);
		int n = 20 + (int)(next_random(&rng) % 380);
		for (int w = 0; w < n; w++)
			fprintf(fp, "%s%s", words[next_random(&rng) % 20], w % 17 == 16 ? ".\n" : " ");
		fprintf(fp, "\n\n");
	}
	fclose(fp);
}

/* Files every ingest must refuse or repair, and other formats. */
static void write_odd_files(const char *tree)
{
	static const char png[] = "\x89PNG\r\n\x1a\nrest of an image";
	static const char nul[] = "text with a \0 NUL byte in it";
	static const char latin1[] = "# Caf\xe9 menu\n\nPrices in \xa3 and \xff\xfe bytes that are not UTF-8.\n";
	char *big = malloc(MAX_FILE_BYTES + 100);
	memset(big, 'a', MAX_FILE_BYTES + 100);
	write_file(tree, "image.png", png, sizeof png - 1);
	write_file(tree, "nul.txt", nul, sizeof nul - 1);
	write_file(tree, "empty.md", "", 0);
	write_file(tree, "blank.md", "  \n\n\t\n", 6);
	write_file(tree, "latin1.md", latin1, sizeof latin1 - 1);
	write_file(tree, "big.txt", big, MAX_FILE_BYTES + 100);
	free(big);
	write_text(tree, "guide.rst", "Guide\n=====\n\nRotate the token weekly.\n\nSetup\n-----\n\nRun it.\n");
	write_text(tree, "page.html", "<html><title>Page</title><body><h1>Quota</h1><p>Raise the quota.</p></body></html>");
	write_text(tree, "tool.c", "/* tool */\nint main(void)\n{\n\treturn 0;\n}\n");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char archive[160];
	strcpy(f->dir, "/tmp/rdthreadsXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->tree, sizeof f->tree, "%s/tree", f->dir);
	snprintf(archive, sizeof archive, "%s/archive", f->tree);
	if (mkdir(f->tree, 0700) != 0 || mkdir(archive, 0700) != 0)
		return -1;
	for (int i = 0; i < N_MARKDOWN; i++)
		write_article(i % 10 == 9 ? archive : f->tree, i);
	write_odd_files(f->tree);
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

static struct ingest_opts opts(int threads)
{
	return (struct ingest_opts){
		.collection = "default", .max_file_bytes = MAX_FILE_BYTES,
		.chunk_tokens = 120, .overlap_tokens = 10, .min_chunk_tokens = 20, .threads = threads,
	};
}

/* Ingest the tree into the database named name with threads threads. */
static struct store *ingest_into(struct fixture *f, const char *name, struct embedder *e, int threads,
                                 struct ingest_summary *sum)
{
	char db[128], err[1024];
	struct store *s = NULL;
	const char *roots[1] = { f->tree };
	struct ingest_opts o = opts(threads);
	snprintf(db, sizeof db, "%s/%s", f->dir, name);
	assert_int_equal(store_open(db, &s, err, sizeof err), 0);
	assert_int_equal(ingest_run(s, e, &o, roots, 1, NULL, NULL, sum, err, sizeof err), 0);
	assert_int_equal(sum->threads, threads);
	return s;
}

static void assert_same_notes(const struct ingest_skip *a, size_t na, const struct ingest_skip *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].path, b[i].path);
		assert_string_equal(a[i].reason, b[i].reason);
	}
}

static void assert_same_summary(const struct ingest_summary *a, const struct ingest_summary *b)
{
	assert_int_equal(a->files, b->files);
	assert_int_equal(a->added, b->added);
	assert_int_equal(a->changed, b->changed);
	assert_int_equal(a->unchanged, b->unchanged);
	assert_int_equal(a->skipped, b->skipped);
	assert_int_equal(a->pruned, b->pruned);
	assert_int_equal(a->chunks, b->chunks);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->invalid_utf8, b->invalid_utf8);
	assert_int_equal(a->stale, b->stale);
	assert_int_equal(a->not_reached, b->not_reached);
	assert_int_equal(a->embed_tokens, b->embed_tokens);
	assert_int_equal(a->embed_requests, b->embed_requests);
	assert_false(a->interrupted || b->interrupted);
	assert_same_notes(a->skips, a->n_skips, b->skips, b->n_skips);
	assert_same_notes(a->truncated, a->n_truncated, b->truncated, b->n_truncated);
	assert_same_notes(a->unstored, a->n_unstored, b->unstored, b->n_unstored);
}

/* Every row of sql in both databases, value for value. Returns the rows. */
static size_t assert_same_rows(struct store *a, struct store *b, const char *sql)
{
	sqlite3_stmt *sa = NULL, *sb = NULL;
	size_t row = 0;
	assert_int_equal(sqlite3_prepare_v2(store_db(a), sql, -1, &sa, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(store_db(b), sql, -1, &sb, NULL), SQLITE_OK);
	for (;;) {
		int ra = sqlite3_step(sa), rb = sqlite3_step(sb);
		if (ra != rb)
			fail_msg("%s: row %zu is in one database only", sql, row);
		if (ra != SQLITE_ROW)
			break;
		for (int c = 0; c < sqlite3_column_count(sa); c++) {
			const void *va = sqlite3_column_blob(sa, c), *vb = sqlite3_column_blob(sb, c);
			int la = sqlite3_column_bytes(sa, c), lb = sqlite3_column_bytes(sb, c);
			if (sqlite3_column_type(sa, c) != sqlite3_column_type(sb, c) || la != lb ||
			    (la && memcmp(va, vb, (size_t)la) != 0))
				fail_msg("%s: row %zu differs in column %s", sql, row, sqlite3_column_name(sa, c));
		}
		row++;
	}
	sqlite3_finalize(sa);
	sqlite3_finalize(sb);
	return row;
}

/* The two stores hold the same documents (same ids), chunks, vectors and
 * full-text index. */
static void assert_same_store(struct store *a, struct store *b)
{
	assert_true(assert_same_rows(a, b,
		"SELECT id, path, format, title, content_hash, bytes, mtime_ns, change_count, invalid_utf8,"
		" embed_model, body, pipeline, status, status_reason, superseded_by, effective_date,"
		" reviewed_date, released_date FROM documents ORDER BY id") > N_MARKDOWN);
	assert_true(assert_same_rows(a, b,
		"SELECT id, document_id, ordinal, byte_start, byte_end, line_start, line_end, heading_path,"
		" tokens, text FROM chunks ORDER BY id") > N_MARKDOWN);
	assert_true(assert_same_rows(a, b, "SELECT chunk_id, model, dim, vector FROM embeddings"
	                                   " ORDER BY chunk_id, model") > N_MARKDOWN);
	assert_true(assert_same_rows(a, b, "SELECT term, doc, cnt FROM chunks_vocab ORDER BY term") > 10);
}

static void a_threaded_run_stores_what_one_thread_stores(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary one, four;
	struct store *a = ingest_into(f, "one.db", f->embedder, 1, &one);
	struct store *b = ingest_into(f, "four.db", f->embedder, 4, &four);
	assert_same_summary(&one, &four);
	/* The odd files: two binary, two without text, one too large. */
	assert_int_equal(one.skipped, 5);
	assert_true(one.invalid_utf8 >= 3);
	assert_int_equal(one.stale, N_MARKDOWN / 10);
	assert_same_store(a, b);
	ingest_summary_free(&one);
	ingest_summary_free(&four);
	store_close(&a);
	store_close(&b);
}

/* The hash embedder behind an interface without a clone: the writer
 * embeds groups, as it does for an HTTP embedder. */
static int forward_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                         struct embed_report *rep, char *err, size_t errlen)
{
	struct embedder *inner = e->impl;
	return inner->ops->embed(inner, texts, lens, n, out, rep, err, errlen);
}

static const struct embedder_ops single_thread_ops = { .kind = "hash", .embed = forward_embed };

static void an_embedder_without_copies_gives_the_same_store(void **state)
{
	struct fixture *f = *state;
	struct embedder single = { .ops = &single_thread_ops, .dim = f->embedder->dim, .group_inputs = 50,
	                           .model = f->embedder->model, .impl = f->embedder };
	struct ingest_summary one, grouped_one, grouped_three;
	struct store *a = ingest_into(f, "one.db", f->embedder, 1, &one);
	struct store *b = ingest_into(f, "grouped1.db", &single, 1, &grouped_one);
	struct store *c = ingest_into(f, "grouped3.db", &single, 3, &grouped_three);
	assert_same_summary(&one, &grouped_one);
	assert_same_summary(&one, &grouped_three);
	assert_same_store(a, b);
	assert_same_store(a, c);
	ingest_summary_free(&one);
	ingest_summary_free(&grouped_one);
	ingest_summary_free(&grouped_three);
	store_close(&a);
	store_close(&b);
	store_close(&c);
}

/* Change a few files' content and give others a new mtime only. */
static void change_some_files(struct fixture *f)
{
	char path[160];
	for (int i = 0; i < 40; i += 4) {
		snprintf(path, sizeof path, "%s/doc%03d.md", f->tree, i);
		FILE *fp = fopen(path, "a");
		assert_non_null(fp);
		fprintf(fp, "\nAn added paragraph about the ledger %d.\n", i);
		fclose(fp);
	}
	for (int i = 2; i < 40; i += 4) {
		struct timespec times[2] = { { .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_NOW } };
		snprintf(path, sizeof path, "%s/doc%03d.md", f->tree, i);
		assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	}
}

static void a_second_run_redoes_only_changes_on_any_thread_count(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary first, one, four;
	char err[1024];
	const char *roots[1] = { f->tree };
	struct store *a = ingest_into(f, "one.db", f->embedder, 1, &first);
	ingest_summary_free(&first);
	struct store *b = ingest_into(f, "four.db", f->embedder, 4, &first);
	ingest_summary_free(&first);
	change_some_files(f);
	struct ingest_opts o1 = opts(1), o4 = opts(4);
	assert_int_equal(ingest_run(a, f->embedder, &o1, roots, 1, NULL, NULL, &one, err, sizeof err), 0);
	assert_int_equal(ingest_run(b, f->embedder, &o4, roots, 1, NULL, NULL, &four, err, sizeof err), 0);
	assert_same_summary(&one, &four);
	assert_int_equal(one.changed, 10);
	assert_int_equal(one.added, 0);
	assert_int_equal(one.unchanged, one.files - one.changed - one.skipped);
	assert_same_store(a, b);
	ingest_summary_free(&one);
	ingest_summary_free(&four);
	store_close(&a);
	store_close(&b);
}

/* Progress that raises the stop flag at the STOP_AT-th file and notes
 * when. */
#define STOP_AT 60
struct stopper {
	volatile sig_atomic_t stop;
	uint64_t raised_us;
	size_t last_done;
	bool monotonic;
};

static void stop_midway(void *ud, const struct ingest_progress *p)
{
	struct stopper *st = ud;
	st->monotonic &= p->files_done > st->last_done;
	st->last_done = p->files_done;
	if (p->files_done == STOP_AT) {
		st->stop = 1;
		st->raised_us = clock_now_us();
	}
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every document in b is in a with the same chunks, and has a vector and
 * a full-text row per chunk. */
static void assert_documents_whole(struct store *a, struct store *b)
{
	sqlite3 *db = store_db(b);
	char attach[256];
	snprintf(attach, sizeof attach, "ATTACH '%s' AS whole", store_path(a));
	assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id"
	                           " WHERE NOT EXISTS (SELECT 1 FROM whole.chunks w JOIN whole.documents wd"
	                           " ON wd.id = w.document_id WHERE wd.path = d.path AND w.ordinal = c.ordinal"
	                           " AND w.text = c.text)"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM chunks"
	                           " WHERE document_id = d.id) != (SELECT count(*) FROM whole.chunks w JOIN"
	                           " whole.documents wd ON wd.id = w.document_id WHERE wd.path = d.path)"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM chunks c WHERE NOT EXISTS"
	                           " (SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id)"), 0);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')", NULL, NULL,
	                              NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DETACH whole", NULL, NULL, NULL), SQLITE_OK);
}

static void a_stop_ends_a_threaded_run_promptly_with_whole_documents(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary whole, sum;
	char db[128], err[1024];
	struct store *a = ingest_into(f, "whole.db", f->embedder, 1, &whole);
	struct store *b = NULL;
	const char *roots[1] = { f->tree };
	struct stopper st = { .monotonic = true };
	struct ingest_opts o = opts(4);
	o.stop = &st.stop;
	snprintf(db, sizeof db, "%s/stopped.db", f->dir);
	assert_int_equal(store_open(db, &b, err, sizeof err), 0);
	assert_int_equal(ingest_run(b, f->embedder, &o, roots, 1, stop_midway, &st, &sum, err, sizeof err), 0);
	uint64_t stopped_after_us = clock_now_us() - st.raised_us;
	assert_true(sum.interrupted);
	assert_true(st.monotonic);
	assert_true(stopped_after_us < 2000000);
	assert_true(sum.added >= 1 && sum.added < whole.added);
	assert_true(sum.not_reached > 0);
	assert_int_equal(sum.added + sum.unchanged + sum.skipped + sum.n_unstored + sum.not_reached, sum.files);
	assert_int_equal(count(store_db(b), "SELECT count(*) FROM documents"), (int64_t)sum.added);
	assert_int_equal(count(store_db(b), "SELECT count(*) FROM chunks"), (int64_t)sum.chunks);
	assert_documents_whole(a, b);
	ingest_summary_free(&whole);
	ingest_summary_free(&sum);
	store_close(&a);
	store_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_threaded_run_stores_what_one_thread_stores, setup, teardown),
		cmocka_unit_test_setup_teardown(an_embedder_without_copies_gives_the_same_store, setup, teardown),
		cmocka_unit_test_setup_teardown(a_second_run_redoes_only_changes_on_any_thread_count, setup, teardown),
		cmocka_unit_test_setup_teardown(a_stop_ends_a_threaded_run_promptly_with_whole_documents, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
