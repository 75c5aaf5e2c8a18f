#include "core/ingest/ingest.h"
#include "core/util/error.h"
#include "core/ingest/chunk.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/ingest/freshness.h"
#include "core/ingest/loader.h"
#include "core/ingest/walk.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/embedding.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The version of what turns a document's text into chunks and embedder
 * input; with the chunk settings it forms the pipeline stamp stored with
 * each document. Raise it when chunking, heading paths or the embedded
 * text change, so the next ingest redoes unchanged files. */
#define PIPELINE_VERSION 2

/* A write transaction is open only while a group's documents are stored,
 * and a group is committed when it is stored, so another process waits at
 * most the time one group takes to store, never for loading or embedding.
 * A group that stores for longer commits every BATCH_US microseconds. */
#define BATCH_US 1000000

/* A converted document waiting for its vectors. */
struct pending {
	const struct walk_file *f;
	struct loaded_doc doc;
	char hash[17];
	struct chunk_list cl;
	struct doc_freshness fresh;
	size_t first;                 /* its first chunk's place in the group */
};

/* What the open batch wrote. Its counts reach the summary when the batch
 * commits; when it does not, its documents are named as not stored. */
struct batch {
	size_t added, changed, chunks, invalid_utf8, stale, pruned;
	const char **paths;           /* into the walk's files */
	size_t n, cap;
};

/* Documents whose chunks are embedded in one call. */
struct group {
	struct pending *docs;
	size_t n, cap;
	size_t n_inputs;
};

struct run {
	struct store *store;
	struct embedder *embedder;
	const struct ingest_opts *opts;
	int64_t collection;
	struct ingest_summary *sum;
	struct ingest_progress progress;
	ingest_progress_fn on_progress;
	void *ud;
	uint64_t start_us, batch_start_us;
	struct group group;
	struct batch batch;
	bool batch_open;              /* the store's write transaction is open */
	char pipeline[128];           /* the stamp of this run's settings */
	char err[ERR_LEN];
};

static void add_note(struct ingest_skip **v, size_t *n, size_t *cap, const char *path, const char *reason)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[*n].path = xstrdup(path);
	(*v)[*n].reason = xstrdup(reason);
	(*n)++;
}

static void add_skip(struct ingest_summary *s, const char *path, const char *reason)
{
	add_note(&s->skips, &s->n_skips, &s->cap_skips, path, reason);
	s->skipped++;
}

static void add_unstored(struct ingest_summary *s, const char *path, const char *reason)
{
	add_note(&s->unstored, &s->n_unstored, &s->cap_unstored, path, reason);
}

/* Commit the open batch: its counts move to the summary, or, when the
 * commit fails (the batch is then rolled back), its documents are named
 * as not stored. Returns 0 or -1 with err. */
static int commit_batch(struct run *r, char *err, size_t errlen)
{
	struct batch *b = &r->batch;
	struct ingest_summary *s = r->sum;
	int rc = store_batch_commit(r->store, err, errlen);
	r->batch_open = false;
	if (rc == 0) {
		s->added += b->added;
		s->changed += b->changed;
		s->chunks += b->chunks;
		s->invalid_utf8 += b->invalid_utf8;
		s->stale += b->stale;
		s->pruned += b->pruned;
	} else {
		for (size_t i = 0; i < b->n; i++)
			add_unstored(s, b->paths[i], "rolled back: the batch it was written in did not commit");
	}
	free(b->paths);
	*b = (struct batch){ 0 };
	return rc;
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

static void pending_free(struct pending *p)
{
	loaded_doc_free(&p->doc);
	chunk_list_free(&p->cl);
	freshness_free(&p->fresh);
}

static void group_clear(struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		pending_free(&g->docs[i]);
	g->n = 0;
	g->n_inputs = 0;
}

/* Chunk a converted document into the group (it takes doc). */
static int add_to_group(struct run *r, const struct walk_file *f, struct loaded_doc *doc, const char *hash,
                        uint64_t *t)
{
	struct group *g = &r->group;
	struct chunk_opts co = {
		.target_tokens = r->opts->chunk_tokens,
		.overlap_tokens = r->opts->overlap_tokens,
		.markdown = doc->format == DOC_FORMAT_MARKDOWN || doc->format == DOC_FORMAT_RST ||
		            doc->format == DOC_FORMAT_HTML,
		.code = doc->format == DOC_FORMAT_CODE,
		.min_tokens = r->opts->min_chunk_tokens,
	};
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->docs = xreallocarray(g->docs, g->cap, sizeof *g->docs);
	}
	struct pending *p = &g->docs[g->n];
	*p = (struct pending){ .f = f, .doc = *doc, .first = g->n_inputs };
	memset(doc, 0, sizeof *doc);
	snprintf(p->hash, sizeof p->hash, "%s", hash);
	freshness_detect(f->path, f->rel, p->doc.text, p->doc.len, &p->fresh);
	if (chunk_text(p->doc.text, p->doc.len, &co, &p->cl, r->err, sizeof r->err) != 0) {
		pending_free(p);
		return -1;
	}
	for (size_t i = 0; i < p->cl.n; i++) {
		char *full = full_heading_path(p->doc.title, p->cl.items[i].heading_path);
		free(p->cl.items[i].heading_path);
		p->cl.items[i].heading_path = full;
	}
	g->n++;
	g->n_inputs += p->cl.n;
	r->sum->chunk_us += lap(t);
	return 0;
}

/* Write one embedded document. */
static int store_pending(struct run *r, const struct pending *p, const float *vectors)
{
	int dim = r->embedder->dim;
	struct store_chunk_in *rows = xcalloc(p->cl.n ? p->cl.n : 1, sizeof *rows);
	for (size_t i = 0; i < p->cl.n; i++) {
		const struct chunk *c = &p->cl.items[i];
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
	const struct doc_freshness *fresh = &p->fresh;
	struct store_doc_in in = {
		.path = p->f->path,
		.format = loader_format_name(p->doc.format),
		.title = p->doc.title,
		.content_hash = p->hash,
		.bytes = p->f->bytes,
		.mtime_ns = p->f->mtime_ns,
		.body = p->doc.text,
		.body_len = p->doc.len,
		.invalid_utf8 = (int64_t)p->doc.invalid_utf8,
		.embed_model = r->embedder->model,
		.dim = dim,
		.pipeline = r->pipeline,
		.status = doc_status_name(fresh->status),
		.status_reason = fresh->reason,
		.superseded_by = fresh->superseded_by,
		.effective_date = fresh->effective[0] ? fresh->effective : NULL,
		.reviewed_date = fresh->reviewed[0] ? fresh->reviewed : NULL,
		.released_date = fresh->released[0] ? fresh->released : NULL,
	};
	bool replaced = false;
	int rc = store_doc_put(r->store, r->collection, &in, rows, p->cl.n, clock_unix_now(), &replaced, r->err,
	                       sizeof r->err);
	free(rows);
	if (rc != 0) {
		add_unstored(r->sum, p->f->path, "its write failed: see the error");
		return -1;
	}
	struct batch *b = &r->batch;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->paths = xreallocarray(b->paths, b->cap, sizeof *b->paths);
	}
	b->paths[b->n++] = p->f->path;
	if (replaced)
		b->changed++;
	else
		b->added++;
	b->chunks += p->cl.n;
	b->invalid_utf8 += p->doc.invalid_utf8;
	b->stale += fresh->status != DOC_CURRENT;
	return 0;
}

/* The pending document holding input i of the group. */
static struct pending *holder(struct group *g, size_t i)
{
	size_t k = 0;
	while (k + 1 < g->n && g->docs[k + 1].first <= i)
		k++;
	return &g->docs[k];
}

/* Drop document p from the group, its chunks with it. */
static void group_drop(struct group *g, struct pending *p)
{
	size_t k = (size_t)(p - g->docs), n = p->cl.n;
	pending_free(p);
	memmove(p, p + 1, (g->n - k - 1) * sizeof *p);
	g->n--;
	g->n_inputs -= n;
	for (size_t i = k; i < g->n; i++)
		g->docs[i].first -= n;
}

/* Embed the group's chunks in one call. An input the server refuses skips
 * its document (naming the chunk) and the rest is embedded again; a
 * failure of the server itself stops the run. */
static int embed_group(struct run *r, float **vectors, struct embed_report *rep)
{
	struct group *g = &r->group;
	struct ingest_summary *s = r->sum;
	for (;;) {
		size_t n = g->n_inputs;
		struct strbuf *texts = xcalloc(n ? n : 1, sizeof *texts);
		const char **ptrs = xcalloc(n ? n : 1, sizeof *ptrs);
		size_t *lens = xcalloc(n ? n : 1, sizeof *lens);
		for (size_t d = 0; d < g->n; d++)
			for (size_t i = 0; i < g->docs[d].cl.n; i++) {
				const struct chunk *c = &g->docs[d].cl.items[i];
				size_t k = g->docs[d].first + i;
				embed_input(&texts[k], c->heading_path, g->docs[d].doc.text + c->byte_start,
				            c->byte_end - c->byte_start);
				ptrs[k] = texts[k].buf ? texts[k].buf : "";
				lens[k] = texts[k].len;
			}
		free(*vectors);
		*vectors = xcalloc(n ? n : 1, (size_t)r->embedder->dim * sizeof **vectors);
		free(rep->truncated);
		*rep = (struct embed_report){ .truncated = xcalloc(n ? n : 1, 1) };
		int rc = embed_texts_report(r->embedder, ptrs, lens, n, *vectors, rep, r->err, sizeof r->err);
		for (size_t i = 0; i < n; i++)
			sb_free(&texts[i]);
		free(texts);
		free(ptrs);
		free(lens);
		s->embed_tokens += rep->tokens;
		s->embed_tokens_estimated |= rep->tokens_estimated;
		s->embed_requests += rep->requests;
		s->embed_retries += rep->retries;
		if (rc == 0)
			return 0;
		if (rep->failed_input < 0 || (size_t)rep->failed_input >= n)
			return -1;
		struct pending *p = holder(g, (size_t)rep->failed_input);
		const struct chunk *c = &p->cl.items[(size_t)rep->failed_input - p->first];
		char reason[1200];
		snprintf(reason, sizeof reason, "chunk %zu (lines %d-%d) could not be embedded: %s",
		         (size_t)rep->failed_input - p->first + 1, c->line_start, c->line_end, r->err);
		add_skip(s, p->f->path, reason);
		group_drop(g, p);
	}
}

static void report_progress(struct run *r, const struct pending *p)
{
	struct ingest_progress *pr = &r->progress;
	pr->files_done++;
	pr->bytes_done += (uint64_t)p->f->bytes;
	pr->chunks = r->sum->chunks + r->batch.chunks;
	pr->embed_tokens = r->sum->embed_tokens;
	pr->cost_usd = r->sum->cost_usd;
	pr->elapsed_us = clock_now_us() - r->start_us;
	pr->current = p->f->path;
	if (r->on_progress)
		r->on_progress(r->ud, pr);
}

/* Open the store's write transaction unless it is open. */
static int open_batch(struct run *r)
{
	if (r->batch_open)
		return 0;
	if (store_batch_begin(r->store, r->err, sizeof r->err) != 0)
		return -1;
	r->batch_open = true;
	r->batch_start_us = clock_now_us();
	return 0;
}

/* Commit the open batch when it has run for BATCH_US (always when now is
 * set); the next write opens another. */
static int maybe_commit(struct run *r, bool now)
{
	if (!r->batch_open || (!now && clock_now_us() - r->batch_start_us <= BATCH_US))
		return 0;
	uint64_t c0 = clock_now_us();
	int rc = commit_batch(r, r->err, sizeof r->err);
	r->sum->store_us += clock_now_us() - c0;
	return rc;
}

/* Embed and store the group's documents. */
static int flush_group(struct run *r)
{
	struct group *g = &r->group;
	struct ingest_summary *s = r->sum;
	float *vectors = NULL;
	struct embed_report rep = { 0 };
	uint64_t t = clock_now_us();
	int rc = g->n ? embed_group(r, &vectors, &rep) : 0;
	s->embed_us += lap(&t);
	s->cost_usd = (double)s->embed_tokens * r->opts->embed_price_per_mtok / 1e6;
	r->progress.embedded += rc == 0 ? g->n_inputs : 0;
	for (size_t d = 0; d < g->n && rc == 0; d++) {
		const struct pending *p = &g->docs[d];
		for (size_t i = 0; i < p->cl.n; i++) {
			if (!rep.truncated[p->first + i])
				continue;
			char lines[64];
			snprintf(lines, sizeof lines, "lines %d-%d", p->cl.items[i].line_start, p->cl.items[i].line_end);
			add_note(&s->truncated, &s->n_truncated, &s->cap_truncated, p->f->path, lines);
		}
		rc = open_batch(r);
		if (rc == 0)
			rc = store_pending(r, p, vectors + p->first * (size_t)r->embedder->dim);
		s->store_us += lap(&t);
		if (rc == 0)
			report_progress(r, p);
		if (rc == 0)
			rc = maybe_commit(r, d + 1 == g->n);
	}
	free(rep.truncated);
	free(vectors);
	group_clear(g);
	return rc;
}

/* Decide whether f needs work and queue it. Returns -1 only when the run
 * must stop (store or embedding server failed); file problems are skips. */
static int ingest_file(struct run *r, const struct walk_file *f)
{
	struct ingest_summary *s = r->sum;
	struct store_doc_state prev;
	char err[ERR_LEN];
	char *data = NULL;
	size_t len = 0;
	struct loaded_doc doc = { 0 };
	uint64_t t = clock_now_us();
	int rc = 0;
	bool queued = false;

	enum rd_err found = store_doc_state(r->store, r->collection, f->path, &prev, r->err, sizeof r->err);
	if (found != RD_OK && found != RD_ERR_NOT_FOUND)
		return -1;
	bool same_model = found == RD_OK && strcmp(prev.embed_model, r->embedder->model) == 0 &&
	                  strcmp(prev.pipeline, r->pipeline) == 0;
	if (same_model && prev.bytes == f->bytes && prev.mtime_ns == f->mtime_ns) {
		s->unchanged++;
		goto done;
	}
	int st = loader_read_file(f->path, (size_t)r->opts->max_file_bytes, &data, &len, err, sizeof err);
	if (st != LOADER_OK) {
		add_skip(s, f->path, err);
		goto done;
	}
	s->bytes += len;
	char hash[17];
	hash64_hex(data, len, hash);
	if (same_model && strcmp(prev.content_hash, hash) == 0) {
		s->unchanged++;
		rc = store_doc_touch(r->store, prev.id, f->mtime_ns, r->err, sizeof r->err);
		goto done;
	}
	st = loader_convert(f->path, data, len, &doc, err, sizeof err);
	s->load_us += lap(&t);
	if (st != LOADER_OK) {
		add_skip(s, f->path, err);
		goto done;
	}
	if (add_to_group(r, f, &doc, hash, &t) != 0)
		add_skip(s, f->path, r->err);
	else
		queued = true;
	if (r->group.n_inputs >= r->embedder->group_inputs)
		rc = flush_group(r);
done:
	free(data);
	loaded_doc_free(&doc);
	if (!queued && rc == 0) {
		struct pending skipped = { .f = f };
		report_progress(r, &skipped);
	}
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
		rc = open_batch(r);
		if (rc == 0)
			rc = store_doc_delete(r->store, rows[i].id, r->err, sizeof r->err);
		if (rc == 0)
			r->batch.pruned++;
	}
	store_doc_rows_free(rows, n);
	return rc;
}

/* Make this run's model the collection's, or refuse another. */
static int claim_model(struct run *r)
{
	struct store_embedding rec;
	int rc = store_embedding_claim(r->store, r->collection, r->embedder->model, r->embedder->dim, &rec, r->err,
	                               sizeof r->err);
	if (rc == 1)
		snprintf(r->err, sizeof r->err,
		         "collection \"%s\" holds vectors of %s (%d dimensions) and this run embeds with %s (%d): run "
		         "'ragdeck reembed --collection %s' to change its model, or ingest with %s",
		         r->opts->collection, rec.model, rec.dim, r->embedder->model, r->embedder->dim,
		         r->opts->collection, rec.model);
	return rc == 0 ? 0 : -1;
}

/* A path given to ingest must exist: a typo is an error, not a skip. */
static int check_roots(const char *const *paths, size_t n_paths, char *err, size_t errlen)
{
	struct stat st;
	for (size_t i = 0; i < n_paths; i++) {
		if (stat(paths[i], &st) != 0) {
			snprintf(err, errlen, "cannot ingest %s: %s", paths[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Files the walk found that ended in none of the summary's counts: the
 * run stopped before them, or before their group was written. */
static size_t count_not_reached(const struct ingest_summary *s, size_t walk_problems)
{
	size_t done = s->added + s->changed + s->unchanged + (s->skipped - walk_problems) + s->n_unstored;
	return s->files > done ? s->files - done : 0;
}

void ingest_opts_from_config(const struct config *cfg, const char *collection, struct ingest_opts *o)
{
	const struct config_price *price =
		strcmp(cfg->embedder.kind, "http") == 0 ? config_price_for_model(cfg, config_embed_model(cfg)) : NULL;
	*o = (struct ingest_opts){
		.collection = collection ? collection : cfg->routing.retrieval.collection,
		.max_file_bytes = (int64_t)cfg->ingest.max_file_mb * 1024 * 1024,
		.chunk_tokens = cfg->ingest.chunk_tokens,
		.overlap_tokens = cfg->ingest.overlap_tokens,
		.min_chunk_tokens = cfg->ingest.min_chunk_tokens,
		.embed_price_per_mtok = price ? price->input_per_mtok : 0,
	};
}

int ingest_run(struct store *store, struct embedder *embedder, const struct ingest_opts *opts,
               const char *const *paths, size_t n_paths, ingest_progress_fn progress, void *ud,
               struct ingest_summary *out, char *err, size_t errlen)
{
	struct run r = { .store = store, .embedder = embedder, .opts = opts, .sum = out,
	                 .on_progress = progress, .ud = ud };
	struct walk_filter filter = {
		.include = opts->include, .n_include = opts->n_include,
		.exclude = opts->exclude, .n_exclude = opts->n_exclude,
	};
	struct walk_result files = { 0 };
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (check_roots(paths, n_paths, err, errlen) != 0)
		return -1;
	r.start_us = clock_now_us();
	snprintf(r.pipeline, sizeof r.pipeline, "v%d chunk_tokens=%d overlap_tokens=%d min_chunk_tokens=%d",
	         PIPELINE_VERSION, opts->chunk_tokens, opts->overlap_tokens, opts->min_chunk_tokens);
	if (store_collection_id(store, opts->collection, true, &r.collection, err, errlen) != 0)
		return -1;
	if (claim_model(&r) != 0) {
		snprintf(err, errlen, "%s", r.err);
		return -1;
	}
	walk_paths(paths, n_paths, &filter, &files);
	out->walk_us = clock_now_us() - r.start_us;
	out->files = files.n_files;
	for (size_t i = 0; i < files.n_problems; i++)
		add_skip(out, files.problems[i].path, files.problems[i].reason);

	r.progress = (struct ingest_progress){ .files_total = files.n_files, .bytes_total = files.total_bytes };
	for (size_t i = 0; i < files.n_files; i++) {
		if (opts->stop && *opts->stop) {
			out->interrupted = true;
			break;
		}
		if (ingest_file(&r, &files.files[i]) != 0)
			goto cleanup;
	}
	/* Stopped: what is not embedded yet is left for the next run. */
	if (!out->interrupted && flush_group(&r) != 0)
		goto cleanup;
	if (!out->interrupted && opts->prune && prune_missing(&r) != 0)
		goto cleanup;
	rc = 0;
cleanup:;
	/* Whole documents done before a failure are kept, when their batch
	 * still commits; the first error is the one reported. */
	group_clear(&r.group);
	free(r.group.docs);
	uint64_t c0 = clock_now_us();
	char commit_err[ERR_LEN];
	if (commit_batch(&r, rc ? commit_err : r.err, rc ? sizeof commit_err : sizeof r.err) != 0)
		rc = -1;
	out->store_us += clock_now_us() - c0;
	out->not_reached = count_not_reached(out, files.n_problems);
	if (rc != 0)
		snprintf(err, errlen, "%s", r.err);
	out->total_us = clock_now_us() - r.start_us;
	walk_result_free(&files);
	return rc;
}

static void notes_free(struct ingest_skip **v, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < *n; i++) {
		free((*v)[i].path);
		free((*v)[i].reason);
	}
	free(*v);
	*v = NULL;
	*n = *cap = 0;
}

void ingest_summary_free(struct ingest_summary *s)
{
	notes_free(&s->skips, &s->n_skips, &s->cap_skips);
	notes_free(&s->truncated, &s->n_truncated, &s->cap_truncated);
	notes_free(&s->unstored, &s->n_unstored, &s->cap_unstored);
}
