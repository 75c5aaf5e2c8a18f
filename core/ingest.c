#include "core/ingest.h"
#include "core/chunk.h"
#include "core/embed.h"
#include "core/freshness.h"
#include "core/loader.h"
#include "core/walk.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Chunks embedded per embedder call. */
#define EMBED_BATCH 64

/* The version of what turns a document's text into chunks and embedder
 * input; with the chunk settings it forms the pipeline stamp stored with
 * each document. Raise it when chunking, heading paths or the embedded
 * text change, so the next ingest redoes unchanged files. */
#define PIPELINE_VERSION 2

/* Documents are committed in batches of about this many microseconds of
 * work: a commit per document makes FTS5 flush a tiny segment each time. */
#define BATCH_US 1000000

struct run {
	struct store *store;
	struct embedder *embedder;
	const struct ingest_opts *opts;
	int64_t collection;
	struct ingest_summary *sum;
	char pipeline[128];           /* the stamp of this run's settings */
	char err[512];
};

static void add_skip(struct ingest_summary *s, const char *path, const char *reason)
{
	if (s->n_skips == s->cap_skips) {
		s->cap_skips = s->cap_skips ? s->cap_skips * 2 : 16;
		s->skips = xreallocarray(s->skips, s->cap_skips, sizeof *s->skips);
	}
	s->skips[s->n_skips].path = xstrdup(path);
	s->skips[s->n_skips].reason = xstrdup(reason);
	s->n_skips++;
	s->skipped++;
}

/* Elapsed microseconds since *t, and restart *t. */
static uint64_t lap(uint64_t *t)
{
	uint64_t now = clock_now_us();
	uint64_t d = now - *t;
	*t = now;
	return d;
}

/* "Title > Section > Subsection": the chunk's heading path under the
 * document title, unless the path already starts with it (a Markdown
 * document's first heading is usually its title). Caller frees. */
static char *full_heading_path(const char *title, const char *path)
{
	size_t tn = title ? strlen(title) : 0;
	if (!tn || strncmp(path, title, tn) == 0)
		return xstrdup(path);
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, title);
	if (path[0])
		sb_printf(&sb, " > %s", path);
	return sb_detach(&sb, NULL);
}

/* What the embedder sees of a chunk: its heading path (with the title)
 * on a line of its own, then the text, so a chunk deep in a section
 * still carries what the section is about. */
static int embed_chunks(struct run *r, const struct loaded_doc *doc, const struct chunk_list *cl,
                        float *vectors)
{
	struct strbuf texts[EMBED_BATCH];
	const char *ptrs[EMBED_BATCH];
	size_t lens[EMBED_BATCH];
	int dim = r->embedder->dim;
	int rc = 0;
	for (size_t j = 0; j < EMBED_BATCH; j++)
		texts[j] = (struct strbuf)STRBUF_INIT;
	for (size_t i = 0; i < cl->n && rc == 0; i += EMBED_BATCH) {
		size_t n = cl->n - i < EMBED_BATCH ? cl->n - i : EMBED_BATCH;
		for (size_t j = 0; j < n; j++) {
			const struct chunk *c = &cl->items[i + j];
			sb_reset(&texts[j]);
			if (c->heading_path[0])
				sb_printf(&texts[j], "%s\n\n", c->heading_path);
			sb_append(&texts[j], doc->text + c->byte_start, c->byte_end - c->byte_start);
			ptrs[j] = texts[j].buf;
			lens[j] = texts[j].len;
		}
		rc = embed_texts(r->embedder, ptrs, lens, n, vectors + i * (size_t)dim, r->err, sizeof r->err);
	}
	for (size_t j = 0; j < EMBED_BATCH; j++)
		sb_free(&texts[j]);
	return rc;
}

/* Chunk, embed and store one converted document. */
static int store_document(struct run *r, const struct walk_file *f, const struct loaded_doc *doc,
                          const char *hash, uint64_t *t)
{
	struct ingest_summary *s = r->sum;
	struct chunk_opts co = {
		.target_tokens = r->opts->chunk_tokens,
		.overlap_tokens = r->opts->overlap_tokens,
		.markdown = doc->format == DOC_FORMAT_MARKDOWN || doc->format == DOC_FORMAT_RST ||
		            doc->format == DOC_FORMAT_HTML,
		.code = doc->format == DOC_FORMAT_CODE,
		.min_tokens = r->opts->min_chunk_tokens,
	};
	struct chunk_list cl = { 0 };
	struct doc_freshness fresh;
	float *vectors = NULL;
	struct store_chunk_in *rows = NULL;
	int rc = -1;

	freshness_detect(f->path, f->rel, doc->text, doc->len, &fresh);
	if (chunk_text(doc->text, doc->len, &co, &cl, r->err, sizeof r->err) != 0)
		goto cleanup;
	for (size_t i = 0; i < cl.n; i++) {
		char *full = full_heading_path(doc->title, cl.items[i].heading_path);
		free(cl.items[i].heading_path);
		cl.items[i].heading_path = full;
	}
	s->chunk_us += lap(t);
	int dim = r->embedder->dim;
	vectors = xcalloc(cl.n ? cl.n : 1, (size_t)dim * sizeof *vectors);
	if (embed_chunks(r, doc, &cl, vectors) != 0)
		goto cleanup;
	s->embed_us += lap(t);

	rows = xcalloc(cl.n ? cl.n : 1, sizeof *rows);
	for (size_t i = 0; i < cl.n; i++) {
		const struct chunk *c = &cl.items[i];
		rows[i] = (struct store_chunk_in){
			.byte_start = (int64_t)c->byte_start,
			.byte_end = (int64_t)c->byte_end,
			.line_start = c->line_start,
			.line_end = c->line_end,
			.heading_path = c->heading_path,
			.tokens = c->tokens,
			.vector = vectors + i * (size_t)dim,
		};
	}
	struct store_doc_in in = {
		.path = f->path,
		.format = loader_format_name(doc->format),
		.title = doc->title,
		.content_hash = hash,
		.bytes = f->bytes,
		.mtime_ns = f->mtime_ns,
		.body = doc->text,
		.body_len = doc->len,
		.invalid_utf8 = (int64_t)doc->invalid_utf8,
		.embed_model = r->embedder->model,
		.dim = dim,
		.pipeline = r->pipeline,
		.status = doc_status_name(fresh.status),
		.status_reason = fresh.reason,
		.superseded_by = fresh.superseded_by,
		.effective_date = fresh.effective[0] ? fresh.effective : NULL,
		.reviewed_date = fresh.reviewed[0] ? fresh.reviewed : NULL,
		.released_date = fresh.released[0] ? fresh.released : NULL,
	};
	bool replaced = false;
	if (store_doc_put(r->store, r->collection, &in, rows, cl.n, clock_unix_now(), &replaced,
	                  r->err, sizeof r->err) != 0)
		goto cleanup;
	s->store_us += lap(t);
	if (replaced)
		s->changed++;
	else
		s->added++;
	s->chunks += cl.n;
	s->invalid_utf8 += doc->invalid_utf8;
	s->stale += fresh.status != DOC_CURRENT;
	rc = 0;
cleanup:
	freshness_free(&fresh);
	chunk_list_free(&cl);
	free(vectors);
	free(rows);
	return rc;
}

/* Decide whether f needs work, and do it. Returns -1 only when the store
 * failed (the run stops); file problems are recorded as skips. */
static int ingest_file(struct run *r, const struct walk_file *f)
{
	struct ingest_summary *s = r->sum;
	struct store_doc_state prev;
	char err[256];
	char *data = NULL;
	size_t len = 0;
	struct loaded_doc doc = { 0 };
	uint64_t t = clock_now_us();
	int rc = 0;

	int found = store_doc_state(r->store, r->collection, f->path, &prev, r->err, sizeof r->err);
	if (found < 0)
		return -1;
	bool same_model = found == 0 && strcmp(prev.embed_model, r->embedder->model) == 0 &&
	                  strcmp(prev.pipeline, r->pipeline) == 0;
	if (same_model && prev.bytes == f->bytes && prev.mtime_ns == f->mtime_ns) {
		s->unchanged++;
		return 0;
	}
	int st = loader_read_file(f->path, (size_t)r->opts->max_file_bytes, &data, &len, err, sizeof err);
	if (st != LOADER_OK) {
		add_skip(s, f->path, err);
		goto cleanup;
	}
	s->bytes += len;
	char hash[17];
	hash64_hex(data, len, hash);
	if (same_model && strcmp(prev.content_hash, hash) == 0) {
		s->unchanged++;
		rc = store_doc_touch(r->store, prev.id, f->mtime_ns, r->err, sizeof r->err);
		goto cleanup;
	}
	st = loader_convert(f->path, data, len, &doc, err, sizeof err);
	s->load_us += lap(&t);
	if (st != LOADER_OK) {
		add_skip(s, f->path, err);
		goto cleanup;
	}
	rc = store_document(r, f, &doc, hash, &t);
cleanup:
	free(data);
	loaded_doc_free(&doc);
	return rc;
}

/* Delete documents of the collection whose file no longer exists. */
static int prune_missing(struct run *r)
{
	struct store_doc_row *rows = NULL;
	size_t n = 0;
	int rc = 0;
	if (store_docs_list(r->store, r->collection, &rows, &n, r->err, sizeof r->err) != 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;
		if (stat(rows[i].path, &st) == 0 || errno != ENOENT)
			continue;
		rc = store_doc_delete(r->store, rows[i].id, r->err, sizeof r->err);
		if (rc == 0)
			r->sum->pruned++;
	}
	store_doc_rows_free(rows, n);
	return rc;
}

int ingest_run(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
               const char *const *paths, size_t n_paths, ingest_progress_fn progress, void *ud,
               struct ingest_summary *out, char *err, size_t errlen)
{
	struct run r = { .store = store, .embedder = embedder, .opts = opts, .sum = out };
	struct walk_filter filter = {
		.include = opts->include, .n_include = opts->n_include,
		.exclude = opts->exclude, .n_exclude = opts->n_exclude,
	};
	struct walk_result files;
	uint64_t start = clock_now_us();
	int rc = -1;

	memset(out, 0, sizeof *out);
	snprintf(r.pipeline, sizeof r.pipeline, "v%d chunk_tokens=%d overlap_tokens=%d min_chunk_tokens=%d",
	         PIPELINE_VERSION, opts->chunk_tokens, opts->overlap_tokens, opts->min_chunk_tokens);
	if (store_collection_id(store, opts->collection, true, &r.collection, err, errlen) != 0)
		return -1;
	walk_paths(paths, n_paths, &filter, &files);
	out->walk_us = clock_now_us() - start;
	out->files = files.n_files;
	for (size_t i = 0; i < files.n_problems; i++)
		add_skip(out, files.problems[i].path, files.problems[i].reason);

	struct ingest_progress p = { .files_total = files.n_files, .bytes_total = files.total_bytes };
	uint64_t batch_start = clock_now_us();
	if (store_batch_begin(store, r.err, sizeof r.err) != 0)
		goto cleanup;
	for (size_t i = 0; i < files.n_files; i++) {
		if (ingest_file(&r, &files.files[i]) != 0)
			goto cleanup;
		if (clock_now_us() - batch_start > BATCH_US) {
			uint64_t c0 = clock_now_us();
			if (store_batch_commit(store, r.err, sizeof r.err) != 0 ||
			    store_batch_begin(store, r.err, sizeof r.err) != 0)
				goto cleanup;
			batch_start = clock_now_us();
			out->store_us += batch_start - c0;
		}
		p.files_done = i + 1;
		p.bytes_done += (uint64_t)files.files[i].bytes;
		p.chunks = out->chunks;
		p.elapsed_us = clock_now_us() - start;
		p.current = files.files[i].path;
		if (progress)
			progress(ud, &p);
	}
	if (opts->prune && prune_missing(&r) != 0)
		goto cleanup;
	rc = 0;
cleanup:;
	/* Whole documents done before a failure are kept. */
	uint64_t c0 = clock_now_us();
	if (store_batch_commit(store, rc ? NULL : r.err, rc ? 0 : sizeof r.err) != 0)
		rc = -1;
	out->store_us += clock_now_us() - c0;
	if (rc != 0)
		snprintf(err, errlen, "%s", r.err);
	out->total_us = clock_now_us() - start;
	walk_result_free(&files);
	return rc;
}

void ingest_summary_free(struct ingest_summary *s)
{
	for (size_t i = 0; i < s->n_skips; i++) {
		free(s->skips[i].path);
		free(s->skips[i].reason);
	}
	free(s->skips);
	s->skips = NULL;
	s->n_skips = s->cap_skips = 0;
}
