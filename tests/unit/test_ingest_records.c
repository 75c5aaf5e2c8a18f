/* Unit tests for record files in core/ingest/ingest: each ticket of a
 * JSON Lines or CSV export is a document "<file>#<id>"; a re-ingest
 * rewrites only the tickets that changed, deletes the ones gone from the
 * file, does not read a file whose size and mtime are those stored,
 * stores the same on 1 and 3 threads, and sends only changed records to
 * an embedder that embeds groups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/embed/embed.h"
#include "core/ingest/ingest.h"
#include "store/store.h"
#include "store/store_int.h"

struct fixture {
	char dir[64];
	char tree[96];
	char db[96];
	char file[128];
	struct embedder *embedder;
	long mtime;                   /* seconds given to the next write */
	struct record_fields fields;  /* the config's ingest.records */
};

static const char *const tickets[3] = {
	"{\"id\": 101, \"subject\": \"Refund after cancellation\", \"description\": \"The prorated refund "
	"reached the card nine days after the plan was cancelled.\", \"created_at\": \"2026-03-02\"}\n",
	"{\"id\": 102, \"subject\": \"SSO login loop\", \"description\": \"Okta sent the agent back to the "
	"sign-in page until the stale session cookie was cleared.\"}\n",
	"{\"id\": 103, \"subject\": \"Webhook sent five times\", \"description\": \"The endpoint answered "
	"after twelve seconds, so every event was delivered again.\"}\n",
};

/* Write text to path with the fixture's next mtime. */
static void write_file(struct fixture *f, const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	struct timespec t[2] = { { .tv_sec = f->mtime }, { .tv_sec = f->mtime } };
	f->mtime += 10;
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void write_tickets(struct fixture *f, const char *t0, const char *t1, const char *t2)
{
	char text[2048];
	snprintf(text, sizeof text, "%s%s%s", t0, t1, t2);
	write_file(f, f->file, text);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/rdrecordsXXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->tree, sizeof f->tree, "%s/tree", f->dir);
	snprintf(f->db, sizeof f->db, "%s/kb.db", f->dir);
	snprintf(f->file, sizeof f->file, "%s/tickets.jsonl", f->tree);
	if (mkdir(f->tree, 0700) != 0)
		return -1;
	f->mtime = 1700000000;
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

/* Ingest the tree (pruning) with threads and embedder e; the summary
 * into *sum. */
static void ingest_with(struct fixture *f, struct embedder *e, int threads, struct ingest_summary *sum)
{
	char err[1024];
	struct store *s = NULL;
	const char *roots[1] = { f->tree };
	struct ingest_opts o = {
		.collection = "default", .max_file_bytes = 1 << 20, .chunk_tokens = 120, .overlap_tokens = 10,
		.min_chunk_tokens = 20, .threads = threads, .prune = true, .records = f->fields,
	};
	assert_int_equal(store_open(f->db, &s, err, sizeof err), 0);
	int rc = ingest_run(s, e, &o, roots, 1, NULL, NULL, sum, err, sizeof err);
	if (rc != 0)
		fail_msg("ingest: %s", err);
	store_close(&s);
}

static void ingest(struct fixture *f, int threads, struct ingest_summary *sum)
{
	ingest_with(f, f->embedder, threads, sum);
}

/* The hash embedder behind an interface without a clone, as an HTTP
 * embedder is (the writer embeds groups), counting what it embeds. */
static size_t inputs_embedded;

static int counting_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                          struct embed_report *rep, char *err, size_t errlen)
{
	struct embedder *inner = e->impl;
	inputs_embedded += n;
	return inner->ops->embed(inner, texts, lens, n, out, rep, err, errlen);
}

static const struct embedder_ops counting_ops = { .kind = "hash", .embed = counting_embed };

/* The counting embedder, refusing an input that holds "cookie" as an
 * HTTP embedder refuses one input of a batch. */
static int refusing_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                          struct embed_report *rep, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		bool cookie = false;
		for (size_t k = 0; k + 6 <= lens[i] && !cookie; k++)
			cookie = memcmp(texts[i] + k, "cookie", 6) == 0;
		if (cookie) {
			rep->failed_input = (long)i;
			snprintf(err, errlen, "input %zu refused", i);
			return -1;
		}
	}
	return counting_embed(e, texts, lens, n, out, rep, err, errlen);
}

static const struct embedder_ops refusing_ops = { .kind = "hash", .embed = refusing_embed };

/* The first column of the first row of sql, with %s as the fixture's
 * file; "" when none. Caller frees. */
static char *query(struct fixture *f, const char *sql_fmt)
{
	char err[1024], sql[512];
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	snprintf(sql, sizeof sql, sql_fmt, f->file);
	assert_int_equal(store_open(f->db, &s, err, sizeof err), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	store_close(&s);
	return out ? out : strdup("");
}

static void assert_query(struct fixture *f, const char *sql, const char *want)
{
	char *got = query(f, sql);
	assert_string_equal(got, want);
	free(got);
}

#define PATHS "SELECT group_concat(path, ' ') FROM (SELECT replace(path, '%s', 'F') AS path FROM documents ORDER BY path)"

static void each_ticket_is_a_document_and_only_changes_are_written(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	write_tickets(f, tickets[0], tickets[1], tickets[2]);
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 3);
	assert_int_equal(sum.record_files, 1);
	assert_int_equal(sum.records, 3);
	assert_int_equal(sum.not_reached, 0);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F#101 F#102 F#103");
	assert_query(f, "SELECT group_concat(DISTINCT format) FROM documents", "record");
	assert_query(f, "SELECT title FROM documents WHERE path = '%s#102'", "102: SSO login loop");
	/* Search finds a ticket by a phrase of its body. */
	assert_query(f, "SELECT replace(d.path, '%s', 'F') FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid"
	                " JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH '\"stale session cookie\"'",
	             "F#102");

	/* Unchanged: the file is not read. */
	ingest(f, 1, &sum);
	assert_int_equal(sum.unchanged, 3);
	assert_int_equal(sum.added + sum.changed, 0);
	assert_int_equal(sum.bytes, 0);
	assert_int_equal(sum.not_reached, 0);
	ingest_summary_free(&sum);

	/* One ticket's body changes: only its document is written. */
	char *before = query(f, "SELECT group_concat(id) FROM documents WHERE path != '%s#102'");
	write_tickets(f, tickets[0],
	              "{\"id\": 102, \"subject\": \"SSO login loop\", \"description\": \"Fixed by a new Okta app.\"}\n",
	              tickets[2]);
	ingest(f, 1, &sum);
	assert_int_equal(sum.changed, 1);
	assert_int_equal(sum.unchanged, 2);
	assert_int_equal(sum.added, 0);
	assert_true(sum.bytes > 0);
	ingest_summary_free(&sum);
	char *after = query(f, "SELECT group_concat(id) FROM documents WHERE path != '%s#102'");
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_query(f, "SELECT count(*) FROM documents WHERE path = '%s#102' AND body LIKE '%%new Okta app%%'",
	             "1");
	/* The unchanged ones carry the file's new size and mtime: the next run
	 * does not read it. */
	ingest(f, 1, &sum);
	assert_int_equal(sum.bytes, 0);
	assert_int_equal(sum.unchanged, 3);
	ingest_summary_free(&sum);

	/* A ticket removed from the file loses its document. */
	write_tickets(f, tickets[0], tickets[2], "");
	ingest(f, 1, &sum);
	assert_int_equal(sum.pruned, 1);
	assert_int_equal(sum.unchanged, 2);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F#101 F#103");

	/* The file deleted: all of its documents go (prune). */
	assert_int_equal(remove(f->file), 0);
	ingest(f, 1, &sum);
	assert_int_equal(sum.pruned, 2);
	ingest_summary_free(&sum);
	assert_query(f, "SELECT count(*) FROM documents", "0");
}

static void a_csv_export_is_a_record_file(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	snprintf(f->file, sizeof f->file, "%s/jira.csv", f->tree);
	write_file(f, f->file,
	           "Issue key,Summary,Description,Created\r\n"
	           "SUP-1,Export times out,\"Large exports, over 2 GB, fail after 30 s.\",2026-01-04\r\n"
	           "SUP-2,Typo in invoice,The VAT line says VTA.,2026-01-05\r\n"
	           "SUP-3,ragged\r\n");
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 2);
	assert_int_equal(sum.malformed_records, 1);
	assert_int_equal(sum.n_notes, 1);
	assert_string_equal(sum.notes[0].reason, "1 malformed record skipped (line 4)");
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F#SUP-1 F#SUP-2");
	assert_query(f, "SELECT body FROM documents WHERE path = '%s#SUP-1'",
	             "# Export times out\n\nTicket SUP-1 \xC2\xB7 2026-01-04\n\nLarge exports, over 2 GB, fail after "
	             "30 s.\n");
}

static void a_data_file_stays_a_text_document(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	snprintf(f->file, sizeof f->file, "%s/prices.csv", f->tree);
	write_file(f, f->file, "sku,price\nA-1,3.50\n");
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 1);
	assert_int_equal(sum.record_files, 0);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F");
	/* It gains a body column: its records replace the text document. */
	write_file(f, f->file, "sku,price,description\nA-1,3.50,Blue widget\n");
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 1);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F#line 2");
}

static void configured_field_names_redo_an_unchanged_file(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	write_file(f, f->file, "{\"ref\": \"R-1\", \"notes\": \"Printer tray jammed.\"}\n");
	ingest(f, 1, &sum);
	assert_int_equal(sum.record_files, 0);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F");
	f->fields = (struct record_fields){ .id = "ref", .body = "Notes" };
	ingest(f, 1, &sum);
	assert_int_equal(sum.record_files, 1);
	assert_int_equal(sum.added, 1);
	ingest_summary_free(&sum);
	assert_query(f, PATHS, "F#R-1");
	ingest(f, 1, &sum);
	assert_int_equal(sum.unchanged, 1);
	assert_int_equal(sum.bytes, 0);
	ingest_summary_free(&sum);
}

static void one_and_three_threads_store_the_same(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	char text[4096] = "";
	for (int i = 0; i < 3; i++)
		strcat(text, tickets[i]);
	for (int i = 0; i < 6; i++) {
		char path[160];
		snprintf(path, sizeof path, "%s/t%d.jsonl", f->tree, i);
		write_file(f, path, text);
		snprintf(path, sizeof path, "%s/n%d.md", f->tree, i);
		write_file(f, path, "# Note\n\nA plain document between the exports.\n");
	}
	const char *dump = "SELECT group_concat(x, '|') FROM (SELECT d.id || ' ' || d.path || ' ' || d.content_hash"
	                   " || ' ' || (SELECT group_concat(c.id || ':' || hex(e.vector)) FROM chunks c JOIN"
	                   " embeddings e ON e.chunk_id = c.id WHERE c.document_id = d.id) AS x FROM documents d"
	                   " ORDER BY d.id) -- %s";
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 24);
	ingest_summary_free(&sum);
	char *one = query(f, dump);
	assert_int_equal(remove(f->db), 0);
	ingest(f, 3, &sum);
	assert_int_equal(sum.added, 24);
	assert_int_equal(sum.record_files, 6);
	ingest_summary_free(&sum);
	char *three = query(f, dump);
	assert_string_equal(one, three);
	free(one);
	free(three);
}

static void a_grouped_embedder_embeds_only_changed_records(void **state)
{
	struct fixture *f = *state;
	struct embedder counting = { .ops = &counting_ops, .dim = f->embedder->dim, .group_inputs = 50,
	                             .model = f->embedder->model, .impl = f->embedder };
	struct ingest_summary sum;
	write_tickets(f, tickets[0], tickets[1], tickets[2]);
	inputs_embedded = 0;
	ingest_with(f, &counting, 3, &sum);
	assert_int_equal(sum.added, 3);
	assert_int_equal(inputs_embedded, 3);
	ingest_summary_free(&sum);
	write_tickets(f, tickets[0],
	              "{\"id\": 102, \"subject\": \"SSO login loop\", \"description\": \"Fixed by a new Okta app.\"}\n",
	              tickets[2]);
	inputs_embedded = 0;
	ingest_with(f, &counting, 3, &sum);
	assert_int_equal(sum.changed, 1);
	assert_int_equal(sum.unchanged, 2);
	assert_int_equal(inputs_embedded, 1);
	ingest_summary_free(&sum);
	assert_query(f, "SELECT count(*) FROM documents d JOIN chunks c ON c.document_id = d.id JOIN embeddings e"
	                " ON e.chunk_id = c.id WHERE d.path LIKE '%s#%%'", "3");
}

/* An export some of whose records were not stored (one refused here; a
 * run cut short alike) is read again by the next run, which stores them,
 * although the file has not changed. */
static void an_export_not_stored_whole_is_read_again(void **state)
{
	struct fixture *f = *state;
	struct embedder refusing = { .ops = &refusing_ops, .dim = f->embedder->dim, .group_inputs = 50,
	                             .model = f->embedder->model, .impl = f->embedder };
	struct ingest_summary sum;
	write_tickets(f, tickets[0], tickets[1], tickets[2]);
	ingest_with(f, &refusing, 1, &sum);
	assert_int_equal(sum.added, 2);
	assert_int_equal(sum.n_skips, 1);
	ingest_summary_free(&sum);
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 1);
	assert_int_equal(sum.unchanged, 2);
	ingest_summary_free(&sum);
	assert_query(f, "SELECT count(*) FROM documents WHERE path LIKE '%s#%%'", "3");
	ingest(f, 1, &sum);
	assert_int_equal(sum.added + sum.changed, 0);
	assert_int_equal(sum.unchanged, 3);
	assert_int_equal(sum.bytes, 0); /* the file was not read */
	ingest_summary_free(&sum);
}

/* A file whose name starts with the export's and a '#' is no record of
 * it: changing the export leaves that file's document alone. */
static void a_file_named_like_a_record_is_not_one(void **state)
{
	struct fixture *f = *state;
	struct ingest_summary sum;
	char notes[256];
	snprintf(notes, sizeof notes, "%s#notes.md", f->file);
	write_file(f, notes, "# Notes\n\nkept beside the export\n");
	write_tickets(f, tickets[0], tickets[1], tickets[2]);
	ingest(f, 1, &sum);
	assert_int_equal(sum.added, 4);
	ingest_summary_free(&sum);
	write_tickets(f, tickets[0], tickets[1], "");
	ingest(f, 1, &sum);
	assert_int_equal(sum.pruned, 1);
	ingest_summary_free(&sum);
	assert_query(f, "SELECT count(*) FROM documents WHERE path = '%s#notes.md'", "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(each_ticket_is_a_document_and_only_changes_are_written, setup, teardown),
		cmocka_unit_test_setup_teardown(a_csv_export_is_a_record_file, setup, teardown),
		cmocka_unit_test_setup_teardown(a_data_file_stays_a_text_document, setup, teardown),
		cmocka_unit_test_setup_teardown(configured_field_names_redo_an_unchanged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(one_and_three_threads_store_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(a_grouped_embedder_embeds_only_changed_records, setup, teardown),
		cmocka_unit_test_setup_teardown(an_export_not_stored_whole_is_read_again, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_named_like_a_record_is_not_one, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
