/* Unit tests for core/ingest/watch: real inotify events on a temporary
 * tree become the batches a store needs, with time passed in so the
 * debounce is tested without sleeping: creation, writes in place, an
 * editor's save by rename, renames within and out of the tree, removal,
 * a new subdirectory (its files come with it, later ones are seen),
 * ignored temporaries, the quiet interval and its cap, a lost-events
 * overflow as a rescan; and watch_apply on a store: a save by rename is
 * one update, a removed directory takes its documents, a rescan ingests
 * the roots and prunes what is gone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "core/ingest/watch.h"
#include "store/store.h"

#define DEBOUNCE 100
#define MAX_DELAY 1000

struct fixture {
	char dir[PATH_MAX];          /* canonical */
	char tree[PATH_MAX + 8];     /* the watched root: dir/tree */
	char outside[PATH_MAX + 16]; /* dir/outside, not watched */
	struct watch *w;
	uint64_t now;                /* the test's clock, ms */
};

static void path_in(const struct fixture *f, const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", f->tree, rel);
}

static void write_file(const struct fixture *f, const char *rel, const char *text, const char *mode)
{
	char p[PATH_MAX * 2];
	path_in(f, rel, p, sizeof p);
	FILE *fp = fopen(p, mode);
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void make_dir(const struct fixture *f, const char *rel)
{
	char p[PATH_MAX * 2];
	path_in(f, rel, p, sizeof p);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void rename_in(const struct fixture *f, const char *from, const char *to)
{
	char a[PATH_MAX * 2], b[PATH_MAX * 2];
	path_in(f, from, a, sizeof a);
	path_in(f, to, b, sizeof b);
	assert_int_equal(rename(a, b), 0);
}

static void remove_in(const struct fixture *f, const char *rel)
{
	char p[PATH_MAX * 2];
	path_in(f, rel, p, sizeof p);
	assert_int_equal(remove(p), 0);
}

static struct watch *open_watch(struct fixture *f)
{
	char err[512];
	const char *roots[1] = { f->tree };
	struct watch_opts o = { .debounce_ms = DEBOUNCE, .max_delay_ms = MAX_DELAY };
	struct watch *w = NULL;
	assert_int_equal(watch_open(roots, 1, &o, &w, err, sizeof err), 0);
	return w;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char tmpl[] = "/tmp/rdwatchXXXXXX";
	if (!f || !mkdtemp(tmpl) || !realpath(tmpl, f->dir))
		return -1;
	snprintf(f->tree, sizeof f->tree, "%s/tree", f->dir);
	snprintf(f->outside, sizeof f->outside, "%s/outside", f->dir);
	if (mkdir(f->tree, 0700) != 0 || mkdir(f->outside, 0700) != 0)
		return -1;
	write_file(f, "a.md", "# A\n\nalpha bravo charlie\n", "w");
	f->w = open_watch(f);
	f->now = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];
	watch_free(&f->w);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Take in what the kernel queued, at the test's clock. */
static void pump(struct fixture *f)
{
	char err[256];
	assert_true(watch_read(f->w, f->now, err, sizeof err) >= 0);
}

/* The batch due DEBOUNCE ms after the last pump (none due before). */
static bool settle(struct fixture *f, struct watch_batch *b)
{
	assert_false(watch_take_due(f->w, f->now + DEBOUNCE - 1, b));
	f->now += DEBOUNCE;
	return watch_take_due(f->w, f->now, b);
}

/* True when list[0..n) is exactly the paths rels below the tree, in any
 * order. */
static bool same_paths(const struct fixture *f, char *const *list, size_t n, const char *const *rels,
                       size_t n_rels)
{
	if (n != n_rels)
		return false;
	for (size_t i = 0; i < n_rels; i++) {
		char want[PATH_MAX * 2];
		bool found = false;
		path_in(f, rels[i], want, sizeof want);
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(list[k], want) == 0;
		if (!found)
			return false;
	}
	return true;
}

#define EXPECT(b, ch, de)                                                                           \
	do {                                                                                                    \
		const char *const c_[] = { NULL, ch };                                                        \
		const char *const d_[] = { NULL, de };                                                        \
		assert_true(same_paths(f, (b)->changed, (b)->n_changed, c_ + 1, sizeof c_ / sizeof *c_ - 1));         \
		assert_true(same_paths(f, (b)->deleted, (b)->n_deleted, d_ + 1, sizeof d_ / sizeof *d_ - 1));         \
		assert_false((b)->rescan);                                                                         \
	} while (0)
#define NONE

static void nothing_pending_without_events(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	pump(f);
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
	assert_false(watch_take_due(f->w, f->now + 10 * MAX_DELAY, &b));
}

static void a_new_file_is_changed_once_quiet(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	write_file(f, "new.md", "# New\n", "w");
	pump(f);
	assert_int_equal(watch_timeout_ms(f->w, f->now), DEBOUNCE);
	assert_true(settle(f, &b));
	EXPECT(&b, "new.md", NONE);
	watch_batch_free(&b);
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
}

static void a_write_in_place_is_a_change(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	write_file(f, "a.md", "more\n", "a");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "a.md", NONE);
	watch_batch_free(&b);
}

static void a_save_by_rename_changes_the_target(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	/* vim without backupcopy: the old file renamed to a backup, a new one
	 * written under the name. */
	rename_in(f, "a.md", "a.md~");
	write_file(f, "a.md", "# A\n\nnew text\n", "w");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "a.md", NONE);
	watch_batch_free(&b);
	/* A hidden temporary renamed over the target (gedit, emacs). */
	write_file(f, ".a.md.tmp", "# A\n\nthird\n", "w");
	rename_in(f, ".a.md.tmp", "a.md");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "a.md", NONE);
	watch_batch_free(&b);
}

static void a_rename_within_is_removal_and_addition(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	rename_in(f, "a.md", "b.md");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "b.md", "a.md");
	watch_batch_free(&b);
}

static void a_rename_out_is_a_removal_and_in_an_addition(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	char a[PATH_MAX * 2], out[PATH_MAX * 2];
	path_in(f, "a.md", a, sizeof a);
	snprintf(out, sizeof out, "%s/a.md", f->outside);
	assert_int_equal(rename(a, out), 0);
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, NONE, "a.md");
	watch_batch_free(&b);
	snprintf(a, sizeof a, "%s/back.md", f->tree);
	assert_int_equal(rename(out, a), 0);
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "back.md", NONE);
	watch_batch_free(&b);
}

static void a_removal_is_a_deletion(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	remove_in(f, "a.md");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, NONE, "a.md");
	watch_batch_free(&b);
}

static void a_new_directory_comes_with_its_files_and_is_watched(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	make_dir(f, "sub");
	write_file(f, "sub/x.md", "x\n", "w");
	make_dir(f, "sub/deeper");
	write_file(f, "sub/deeper/y.md", "y\n", "w");
	pump(f);
	f->now += 50;
	write_file(f, "sub/z.md", "z\n", "w");
	pump(f);
	/* Due a quiet interval after it was made, the directory's walk takes
	 * the files made in it, z.md with them although it is not quiet yet. */
	assert_false(watch_take_due(f->w, f->now - 50 + DEBOUNCE - 1, &b));
	f->now += DEBOUNCE - 50;
	assert_true(watch_take_due(f->w, f->now, &b));
	EXPECT(&b, "sub", NONE);
	watch_batch_free(&b);
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
	/* Files written later in the new directories are seen. */
	write_file(f, "sub/deeper/later.md", "later\n", "w");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "sub/deeper/later.md", NONE);
	watch_batch_free(&b);
}

static void a_directory_renamed_within_keeps_being_watched(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	make_dir(f, "d1");
	write_file(f, "d1/f.md", "f\n", "w");
	pump(f);
	assert_true(settle(f, &b));
	watch_batch_free(&b);
	rename_in(f, "d1", "d2");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "d2", "d1");
	watch_batch_free(&b);
	write_file(f, "d2/g.md", "g\n", "w");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "d2/g.md", NONE);
	watch_batch_free(&b);
	/* Moved out: removed, and what happens to it there is not ours. */
	char from[PATH_MAX * 2], to[PATH_MAX * 2];
	path_in(f, "d2", from, sizeof from);
	snprintf(to, sizeof to, "%s/d2", f->outside);
	assert_int_equal(rename(from, to), 0);
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, NONE, "d2");
	watch_batch_free(&b);
	snprintf(to, sizeof to, "%s/d2/h.md", f->outside);
	FILE *fp = fopen(to, "w");
	assert_non_null(fp);
	fclose(fp);
	pump(f);
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
}

static void temporaries_and_hidden_files_cause_no_work(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	write_file(f, ".a.md.swp", "swap", "w");
	write_file(f, "a.md~", "backup", "w");
	write_file(f, "4913", "", "w");
	remove_in(f, "4913");
	write_file(f, "#a.md#", "autosave", "w");
	make_dir(f, ".git");
	write_file(f, ".git/HEAD", "ref: refs/heads/main\n", "w");
	make_dir(f, ".git/objects");
	write_file(f, ".git/objects/x", "blob", "w");
	pump(f);
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
	assert_false(watch_take_due(f->w, f->now + 10 * MAX_DELAY, &b));
}

static void the_database_inside_the_tree_causes_no_work(void **state)
{
	struct fixture *f = *state;
	char err[256], db[PATH_MAX * 2];
	const char *roots[1] = { f->tree };
	snprintf(db, sizeof db, "%s/kb.db", f->tree);
	struct watch_opts o = { .debounce_ms = DEBOUNCE, .max_delay_ms = MAX_DELAY, .ignore_prefix = db };
	struct watch_batch b;
	watch_free(&f->w);
	assert_int_equal(watch_open(roots, 1, &o, &f->w, err, sizeof err), 0);
	write_file(f, "kb.db", "SQLite format 3", "w");
	write_file(f, "kb.db-wal", "wal", "w");
	write_file(f, "kb.db.1.vec", "vectors", "w");
	write_file(f, "kb.md", "a document", "w");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "kb.md", NONE);
	watch_batch_free(&b);
}

static void excluded_and_not_included_paths_cause_no_work(void **state)
{
	struct fixture *f = *state;
	char err[256];
	const char *roots[1] = { f->tree };
	const char *include[1] = { "*.md" }, *exclude[1] = { "build" };
	struct watch_opts o = { .include = include, .n_include = 1, .exclude = exclude, .n_exclude = 1,
	                        .debounce_ms = DEBOUNCE, .max_delay_ms = MAX_DELAY };
	struct watch_batch b;
	watch_free(&f->w);
	assert_int_equal(watch_open(roots, 1, &o, &f->w, err, sizeof err), 0);
	make_dir(f, "build");
	write_file(f, "build/out.md", "x", "w");
	write_file(f, "notes.txt", "x", "w");
	write_file(f, "kept.md", "x", "w");
	pump(f);
	assert_true(settle(f, &b));
	EXPECT(&b, "kept.md", NONE);
	watch_batch_free(&b);
}

static void a_file_written_repeatedly_is_due_once_after_quiet(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	for (int i = 0; i < 8; i++) {
		write_file(f, "a.md", "x\n", "a");
		pump(f);
		assert_false(watch_take_due(f->w, f->now, &b));
		f->now += DEBOUNCE / 2;
	}
	f->now -= DEBOUNCE / 2; /* the last write's time */
	assert_int_equal(watch_timeout_ms(f->w, f->now), DEBOUNCE);
	assert_true(settle(f, &b));
	EXPECT(&b, "a.md", NONE);
	watch_batch_free(&b);
	assert_false(watch_take_due(f->w, f->now + 10 * MAX_DELAY, &b));
}

static void a_file_never_quiet_is_due_at_the_cap(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	uint64_t start = f->now, first = f->now;
	int batches = 0;
	for (; f->now <= start + 2 * MAX_DELAY + DEBOUNCE / 2; f->now += DEBOUNCE / 2) {
		write_file(f, "a.md", "log line\n", "a");
		pump(f);
		if (watch_take_due(f->w, f->now, &b)) {
			EXPECT(&b, "a.md", NONE);
			/* Due at the cap after its first event, not before. */
			assert_int_equal(f->now, first + MAX_DELAY);
			batches++;
			first = f->now + DEBOUNCE / 2;
			watch_batch_free(&b);
		}
	}
	assert_int_equal(batches, 2);
}

static void an_overflow_is_a_rescan_with_its_reason(void **state)
{
	struct fixture *f = *state;
	struct watch_batch b;
	write_file(f, "pending.md", "x", "w");
	pump(f);
	struct inotify_event ev = { .wd = -1, .mask = IN_Q_OVERFLOW };
	assert_int_equal(watch_feed(f->w, &ev, sizeof ev, f->now), 1);
	assert_true(settle(f, &b));
	assert_true(b.rescan);
	assert_non_null(strstr(b.reason, "overflow"));
	assert_int_equal(b.n_changed, 1);
	assert_string_equal(b.changed[0], f->tree);
	assert_int_equal(b.n_deleted, 0);
	watch_batch_free(&b);
	/* The rescan covered the pending file. */
	assert_int_equal(watch_timeout_ms(f->w, f->now), -1);
}

/* ---- watch_apply on a store ---- */

struct applied {
	struct store *store;
	struct embedder *embedder;
	struct ingest_opts opts;
};

static void open_store(struct fixture *f, struct applied *a)
{
	char err[1024], db[PATH_MAX * 2];
	snprintf(db, sizeof db, "%s/kb.db", f->dir);
	assert_int_equal(store_open(db, &a->store, err, sizeof err), 0);
	a->embedder = embed_hash_new(64);
	a->opts = (struct ingest_opts){ .collection = "default", .max_file_bytes = 1 << 20, .chunk_tokens = 120,
	                                .overlap_tokens = 10, .min_chunk_tokens = 20, .threads = 1 };
	struct ingest_summary sum;
	const char *roots[1] = { f->tree };
	assert_int_equal(ingest_run(a->store, a->embedder, &a->opts, roots, 1, NULL, NULL, &sum, err, sizeof err), 0);
	ingest_summary_free(&sum);
}

static void close_store(struct applied *a)
{
	store_close(&a->store);
	embed_free(&a->embedder);
}

/* Apply the batch due now; check it named exactly one change. */
static void apply_one(struct fixture *f, struct applied *a, enum watch_outcome outcome, const char *rel)
{
	struct watch_batch b;
	struct watch_result r;
	char err[1024];
	pump(f);
	assert_true(settle(f, &b));
	assert_int_equal(watch_apply(a->store, a->embedder, &a->opts, &b, &r, err, sizeof err), 0);
	assert_int_equal(r.n_changes, 1);
	assert_int_equal(r.changes[0].outcome, outcome);
	assert_true(same_paths(f, &r.changes[0].path, 1, &rel, 1));
	watch_result_free(&r);
	watch_batch_free(&b);
}

static size_t n_docs(struct applied *a)
{
	struct store_doc_row *rows = NULL;
	size_t n = 0;
	char err[512];
	assert_int_equal(store_docs_list(a->store, 0, &rows, &n, err, sizeof err), 0);
	store_doc_rows_free(rows, n);
	return n;
}

/* Apply the batch due now; returns how many documents it removed. */
static size_t apply_due(struct fixture *f, struct applied *a)
{
	struct watch_batch b;
	struct watch_result r;
	char err[1024];
	pump(f);
	assert_true(settle(f, &b));
	assert_int_equal(watch_apply(a->store, a->embedder, &a->opts, &b, &r, err, sizeof err), 0);
	size_t removed = r.removed;
	watch_result_free(&r);
	watch_batch_free(&b);
	return removed;
}

static void applied_save_by_rename_is_one_update(void **state)
{
	struct fixture *f = *state;
	struct applied a;
	open_store(f, &a);
	/* A temporary with a plain name, renamed over the target. */
	write_file(f, "a.md.new", "# A\n\nreplaced text\n", "w");
	rename_in(f, "a.md.new", "a.md");
	apply_one(f, &a, WATCH_UPDATED, "a.md");
	assert_int_equal(n_docs(&a), 1);
	close_store(&a);
}

static void applied_directory_removal_takes_its_documents(void **state)
{
	struct fixture *f = *state;
	struct applied a;
	make_dir(f, "d");
	write_file(f, "d/one.md", "# One\n\nfirst\n", "w");
	write_file(f, "d/two.md", "# Two\n\nsecond\n", "w");
	open_store(f, &a);
	assert_int_equal(n_docs(&a), 3);
	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof cmd, "rm -r %s/d", f->tree);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(apply_due(f, &a), 2);
	assert_int_equal(n_docs(&a), 1);
	struct watch_batch b;
	struct watch_result r;
	char err[1024];
	/* Files changed and gone before their batch is applied: deletions,
	 * not errors. */
	write_file(f, "a.md", "more\n", "a");
	write_file(f, "brief.md", "# Brief\n\nshort lived\n", "w");
	pump(f);
	assert_true(settle(f, &b));
	remove_in(f, "a.md");
	remove_in(f, "brief.md");
	assert_int_equal(watch_apply(a.store, a.embedder, &a.opts, &b, &r, err, sizeof err), 0);
	assert_int_equal(r.removed, 1);
	assert_int_equal(n_docs(&a), 0);
	watch_result_free(&r);
	watch_batch_free(&b);
	close_store(&a);
}

/* An export removed takes every record stored from it ("FILE#ID"); a
 * file whose name only starts the same stays. */
static void applied_export_removal_takes_its_records(void **state)
{
	struct fixture *f = *state;
	struct applied a;
	write_file(f, "t.jsonl",
	           "{\"id\": 1, \"subject\": \"Printer\", \"description\": \"The printer is offline.\"}\n"
	           "{\"id\": 2, \"subject\": \"Login\", \"description\": \"Asked to sign in again.\"}\n", "w");
	write_file(f, "t.jsonl.md", "# Notes\n\nabout the export\n", "w");
	open_store(f, &a);
	assert_int_equal(n_docs(&a), 4); /* a.md, the notes and two records */
	remove_in(f, "t.jsonl");
	assert_int_equal(apply_due(f, &a), 2);
	assert_int_equal(n_docs(&a), 2);
	close_store(&a);
}

/* A changed export names the records that changed. */
static void applied_export_change_names_its_records(void **state)
{
	struct fixture *f = *state;
	struct applied a;
	write_file(f, "t.jsonl", "{\"id\": 1, \"subject\": \"Printer\", \"description\": \"Offline.\"}\n"
	                         "{\"id\": 2, \"subject\": \"Login\", \"description\": \"Sign in again.\"}\n", "w");
	open_store(f, &a);
	write_file(f, "t.jsonl", "{\"id\": 1, \"subject\": \"Printer\", \"description\": \"Offline.\"}\n"
	                         "{\"id\": 2, \"subject\": \"Login\", \"description\": \"Signed in now.\"}\n", "w");
	struct watch_batch b;
	struct watch_result r;
	char err[1024];
	pump(f);
	assert_true(settle(f, &b));
	assert_int_equal(watch_apply(a.store, a.embedder, &a.opts, &b, &r, err, sizeof err), 0);
	assert_int_equal(r.updated, 1);
	assert_int_equal(r.n_changes, 1);
	assert_int_equal(r.changes[0].outcome, WATCH_UPDATED);
	size_t len = strlen(r.changes[0].path);
	assert_true(len > 10 && strcmp(r.changes[0].path + len - 10, "/t.jsonl#2") == 0);
	watch_result_free(&r);
	watch_batch_free(&b);
	close_store(&a);
}

static void applied_rescan_ingests_the_roots_and_prunes(void **state)
{
	struct fixture *f = *state;
	struct applied a;
	struct watch_batch b;
	struct watch_result r;
	char err[1024];
	open_store(f, &a);
	/* Changes whose events are lost: only the rescan can see them. */
	remove_in(f, "a.md");
	write_file(f, "c.md", "# C\n\ncharlie\n", "w");
	watch_free(&f->w);
	f->w = open_watch(f);
	struct inotify_event ev = { .wd = -1, .mask = IN_Q_OVERFLOW };
	assert_int_equal(watch_feed(f->w, &ev, sizeof ev, f->now), 1);
	assert_true(settle(f, &b));
	assert_true(b.rescan);
	assert_int_equal(watch_apply(a.store, a.embedder, &a.opts, &b, &r, err, sizeof err), 0);
	assert_true(r.rescanned);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(n_docs(&a), 1);
	watch_result_free(&r);
	watch_batch_free(&b);
	close_store(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nothing_pending_without_events, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_file_is_changed_once_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(a_write_in_place_is_a_change, setup, teardown),
		cmocka_unit_test_setup_teardown(a_save_by_rename_changes_the_target, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rename_within_is_removal_and_addition, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rename_out_is_a_removal_and_in_an_addition, setup, teardown),
		cmocka_unit_test_setup_teardown(a_removal_is_a_deletion, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_directory_comes_with_its_files_and_is_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(a_directory_renamed_within_keeps_being_watched, setup, teardown),
		cmocka_unit_test_setup_teardown(temporaries_and_hidden_files_cause_no_work, setup, teardown),
		cmocka_unit_test_setup_teardown(excluded_and_not_included_paths_cause_no_work, setup, teardown),
		cmocka_unit_test_setup_teardown(the_database_inside_the_tree_causes_no_work, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_written_repeatedly_is_due_once_after_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_never_quiet_is_due_at_the_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(an_overflow_is_a_rescan_with_its_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(applied_save_by_rename_is_one_update, setup, teardown),
		cmocka_unit_test_setup_teardown(applied_directory_removal_takes_its_documents, setup, teardown),
		cmocka_unit_test_setup_teardown(applied_export_removal_takes_its_records, setup, teardown),
		cmocka_unit_test_setup_teardown(applied_export_change_names_its_records, setup, teardown),
		cmocka_unit_test_setup_teardown(applied_rescan_ingests_the_roots_and_prunes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
