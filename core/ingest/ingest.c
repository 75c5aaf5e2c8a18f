/* ingest: the run. The calling thread walks, decides from the store what
 * each file needs, and is the one writer; worker threads (workpool.h) do
 * each file's reading, chunking and embedding (ingest_work.c), and hand
 * the files back in the walk's order, so documents are written in that
 * order whatever the number of threads. A writer whose next file is not
 * ready does a worker's job rather than wait: on a busy machine the
 * workers may get less of a core than the writer needs them to. */
#include "core/ingest/ingest.h"
#include "core/ingest/ingest_int.h"
#include "core/ingest/records.h"
#include "core/ingest/workpool.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/xalloc.h"
#include "store/embedding.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The version of what turns a document's text into chunks and embedder
 * input; with the chunk settings it forms the pipeline stamp stored with
 * each document. Raise it when chunking, heading paths or the embedded
 * text change, so the next ingest redoes unchanged files. */
#define PIPELINE_VERSION 2

/* The write transaction is committed after BATCH_US microseconds, and
 * whenever the writer would otherwise wait with it open: for the embedder
 * of a group, or for IDLE_COMMIT_US for a worker's next document. Another
 * process waits at most about a second for the lock, and never for a
 * group's embedding or a slow file. */
#define BATCH_US 1000000
#define IDLE_COMMIT_US 100000
/* After a commit the writer stays out of the lock this long, so that a
 * process waiting for it (store.c tries every millisecond) gets it rather
 * than the next batch, which would otherwise begin at once. */
#define LOCK_GAP_NS 3000000

/* Files handed to the workers and not yet written: at most QUEUE_JOBS of
 * them and QUEUE_BYTES of their sizes on disk (a larger file goes alone).
 * A file in flight holds about three times its size (text, chunks,
 * vectors), so this bounds the run's memory whatever the corpus; 16 MB is
 * more than a second of the writer's work. */
#define QUEUE_JOBS 1024
#define QUEUE_BYTES (16u << 20)

/* Threads when the option asks for one per core and the count is unknown,
 * and at most. */
#define THREADS_FALLBACK 2
#define THREADS_MAX 64

/* What the open batch wrote. Its counts reach the summary when the batch
 * commits; when it does not, its documents are named as not stored. */
struct batch {
	size_t added, changed, chunks, invalid_utf8, stale, pruned;
	size_t records;               /* records among added and changed */
	char **paths;
	size_t n, cap;
};

/* Documents whose chunks the writer embeds in one call (an embedder the
 * workers cannot have copies of, or no workers). */
struct group {
	struct pending *docs;
	size_t n, cap;
	size_t n_inputs;
};

/* A record file taken in, and how many records it holds. */
struct export_done {
	const struct walk_file *f;
	size_t n_records;
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
	const struct walk_result *files;
	size_t next_file;             /* the first file not handed to the pool */
	struct workpool *pool;
	size_t n_workers;
	struct work_ctx work;
	size_t records_lost;          /* records among the skips and unstored */
	struct export_done *exports;  /* record files whose records this run took
	                               * in: confirmed at its end */
	size_t n_exports, cap_exports;
	char err[ERR_LEN];
};

/* The mtime a record is stored with until the run that wrote it has taken
 * in every record of its file (confirm_exports): an export cut short is
 * then never taken for unchanged, and the next run reads it again. */
#define RECORD_MTIME_UNCONFIRMED (-1)

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
		s->records += b->records;
	} else {
		for (size_t i = 0; i < b->n; i++)
			add_unstored(s, b->paths[i], "rolled back: the batch it was written in did not commit");
		r->records_lost += b->records;
	}
	for (size_t i = 0; i < b->n; i++)
		free(b->paths[i]);
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

static void group_clear(struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		ingest_pending_free(&g->docs[i]);
	g->n = 0;
	g->n_inputs = 0;
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
			.page_start = c->page_start,
			.page_end = c->page_end,
			.heading_path = c->heading_path,
			.tokens = c->tokens,
			.vector = vectors + i * (size_t)dim,
		};
	}
	const struct doc_freshness *fresh = &p->fresh;
	const char *path = ingest_pending_path(p);
	struct store_doc_in in = {
		.path = path,
		.format = p->path ? RECORD_FORMAT : loader_format_name(p->doc.format),
		.title = p->doc.title,
		.content_hash = p->hash,
		.bytes = p->f->bytes,
		.mtime_ns = p->path ? RECORD_MTIME_UNCONFIRMED : p->f->mtime_ns,
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
		add_unstored(r->sum, path, "its write failed: see the error");
		r->records_lost += p->path != NULL;
		return -1;
	}
	struct batch *b = &r->batch;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->paths = xreallocarray(b->paths, b->cap, sizeof *b->paths);
	}
	b->paths[b->n++] = xstrdup(path);
	b->records += p->path != NULL;
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
	ingest_pending_free(p);
	memmove(p, p + 1, (g->n - k - 1) * sizeof *p);
	g->n--;
	g->n_inputs -= n;
	for (size_t i = k; i < g->n; i++)
		g->docs[i].first -= n;
}

/* Count what one embedding call cost into the summary. */
static void add_embed_report(struct run *r, const struct embed_report *rep)
{
	struct ingest_summary *s = r->sum;
	s->embed_tokens += rep->tokens;
	s->embed_tokens_estimated |= rep->tokens_estimated;
	s->embed_requests += rep->requests;
	s->embed_retries += rep->retries;
	s->cost_usd = (double)s->embed_tokens * r->opts->embed_price_per_mtok / 1e6;
}

/* Embed the group's chunks in one call. An input the server refuses skips
 * its document (naming the chunk) and the rest is embedded again; a
 * failure of the server itself stops the run. */
static int embed_group(struct run *r, float **vectors, struct embed_report *rep)
{
	struct group *g = &r->group;
	for (;;) {
		int rc = ingest_embed_docs(r->embedder, g->docs, g->n, g->n_inputs, vectors, rep, r->err,
		                           sizeof r->err);
		add_embed_report(r, rep);
		if (rc == 0)
			return 0;
		if (rep->failed_input < 0 || (size_t)rep->failed_input >= g->n_inputs)
			return -1;
		struct pending *p = holder(g, (size_t)rep->failed_input);
		char reason[NOTE_LEN];
		ingest_refusal_reason(p, (size_t)rep->failed_input - p->first, r->err, reason, sizeof reason);
		add_skip(r->sum, ingest_pending_path(p), reason);
		r->records_lost += p->path != NULL;
		group_drop(g, p);
	}
}

static void report_progress(struct run *r, const struct walk_file *f)
{
	struct ingest_progress *pr = &r->progress;
	pr->files_done++;
	pr->bytes_done += (uint64_t)f->bytes;
	pr->chunks = r->sum->chunks + r->batch.chunks;
	pr->embed_tokens = r->sum->embed_tokens;
	pr->cost_usd = r->sum->cost_usd;
	pr->elapsed_us = clock_now_us() - r->start_us;
	pr->current = f->path;
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
	nanosleep(&(struct timespec){ .tv_nsec = LOCK_GAP_NS }, NULL);
	return rc;
}

/* Name the chunks of p its embedder cut short (flags: one per chunk). */
static void note_truncated(struct run *r, const struct pending *p, const unsigned char *flags)
{
	struct ingest_summary *s = r->sum;
	for (size_t i = 0; i < p->cl.n; i++) {
		if (!flags[i])
			continue;
		char lines[64];
		snprintf(lines, sizeof lines, "lines %d-%d", p->cl.items[i].line_start, p->cl.items[i].line_end);
		add_note(&s->truncated, &s->n_truncated, &s->cap_truncated, ingest_pending_path(p), lines);
	}
}

/* Write one document with its vectors at the writer's pace. */
static int write_document(struct run *r, const struct pending *p, const float *vectors, bool last)
{
	uint64_t t = clock_now_us();
	int rc = open_batch(r);
	if (rc == 0)
		rc = store_pending(r, p, vectors);
	r->sum->store_us += lap(&t);
	if (rc == 0 && !p->path) /* a record file's progress is its own */
		report_progress(r, p->f);
	if (rc == 0)
		rc = maybe_commit(r, last);
	return rc;
}

/* Embed and store the group's documents. */
static int flush_group(struct run *r)
{
	struct group *g = &r->group;
	float *vectors = NULL;
	struct embed_report rep = { 0 };
	uint64_t t = clock_now_us();
	int rc = g->n ? embed_group(r, &vectors, &rep) : 0;
	r->sum->embed_us += lap(&t);
	r->progress.embedded += rc == 0 ? g->n_inputs : 0;
	for (size_t d = 0; d < g->n && rc == 0; d++) {
		const struct pending *p = &g->docs[d];
		note_truncated(r, p, rep.truncated + p->first);
		rc = write_document(r, p, vectors + p->first * (size_t)r->embedder->dim, d + 1 == g->n);
	}
	free(rep.truncated);
	free(vectors);
	group_clear(g);
	return rc;
}

/* Move document p into the group; embed and store the group when it
 * holds enough chunks for one embedding call. */
static int group_document(struct run *r, struct pending *p)
{
	struct group *g = &r->group;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->docs = xreallocarray(g->docs, g->cap, sizeof *g->docs);
	}
	g->docs[g->n] = *p;
	g->docs[g->n].first = g->n_inputs;
	g->n_inputs += p->cl.n;
	g->n++;
	*p = (struct pending){ 0 };
	return g->n_inputs >= r->embedder->group_inputs ? flush_group(r) : 0;
}

/* Store a document a worker embedded. */
static int store_embedded(struct run *r, const struct pending *p)
{
	note_truncated(r, p, p->truncated);
	r->progress.embedded += p->cl.n;
	return write_document(r, p, p->vectors, false);
}

/* The stored records of j's file (a possible record file) into
 * j->stored; when each was stored from this very file (size, mtime,
 * model and pipeline), the job is JOB_UNCHANGED without reading it.
 * Returns 0, or -1 with r->err. */
static int prepare_records(struct run *r, struct file_job *j)
{
	struct store_doc_sub *rows = NULL;
	size_t n = 0;
	if (store_doc_records(r->store, r->collection, j->f->path, &rows, &n, r->err, sizeof r->err) != 0)
		return -1;
	bool same = n > 0;
	j->stored = xcalloc(n ? n : 1, sizeof *j->stored);
	j->n_stored = n;
	for (size_t i = 0; i < n; i++) {
		const struct store_doc_state *st = &rows[i].state;
		struct stored_record *sr = &j->stored[i];
		*sr = (struct stored_record){ .path = rows[i].path, .id = st->id, .bytes = st->bytes,
		                              .mtime_ns = st->mtime_ns };
		rows[i].path = NULL;
		snprintf(sr->hash, sizeof sr->hash, "%s", st->content_hash);
		sr->same_model = strcmp(st->embed_model, r->embedder->model) == 0 && strcmp(st->pipeline, r->pipeline) == 0;
		same = same && sr->same_model && st->bytes == j->f->bytes && st->mtime_ns == j->f->mtime_ns;
	}
	store_doc_subs_free(rows, n);
	if (same)
		j->outcome = JOB_UNCHANGED;
	return 0;
}

/* What the walk's file f needs, from what the store holds of it, into j.
 * Returns 0, or -1 with r->err when the store cannot be read. */
static int prepare_job(struct run *r, const struct walk_file *f, struct file_job *j)
{
	struct store_doc_state prev = { 0 };
	uint64_t t = clock_now_us();
	enum rd_err found = store_doc_state(r->store, r->collection, f->path, &prev, r->err, sizeof r->err);
	if (found != RD_OK && found != RD_ERR_NOT_FOUND)
		return -1;
	*j = (struct file_job){ .f = f, .outcome = JOB_QUEUED };
	j->same_model = found == RD_OK && strcmp(prev.embed_model, r->embedder->model) == 0 &&
	                strcmp(prev.pipeline, r->pipeline) == 0;
	if (j->same_model && prev.bytes == f->bytes && prev.mtime_ns == f->mtime_ns)
		j->outcome = JOB_UNCHANGED;
	j->prev_id = prev.id;
	snprintf(j->prev_hash, sizeof j->prev_hash, "%s", j->same_model ? prev.content_hash : "");
	int rc = records_kind_for_path(f->path) == RECORDS_NONE ? 0 : prepare_records(r, j);
	r->sum->load_us += lap(&t);
	return rc;
}

static bool stop_requested(const struct run *r)
{
	return r->opts->stop && *r->opts->stop;
}

/* Hand the next files of the walk to the pool while it has room. Returns
 * 0, or -1 with r->err. */
static int submit_files(struct run *r)
{
	while (r->next_file < r->files->n_files && !stop_requested(r)) {
		const struct walk_file *f = &r->files->files[r->next_file];
		if (!workpool_has_room(r->pool, (uint64_t)f->bytes))
			break;
		struct file_job *j = xmalloc(sizeof *j);
		if (prepare_job(r, f, j) != 0) {
			free(j);
			return -1;
		}
		workpool_submit(r->pool, j, j->outcome == JOB_UNCHANGED ? 0 : (uint64_t)f->bytes);
		r->next_file++;
	}
	return 0;
}

/* Delete the stored records of j's file that the worker did not find in
 * it (all of them when it is no longer a record file). */
static int delete_records(struct run *r, struct file_job *j)
{
	for (size_t i = 0; i < j->n_stored; i++) {
		if (j->stored[i].seen)
			continue;
		if (open_batch(r) != 0 || store_doc_delete(r->store, j->stored[i].id, r->err, sizeof r->err) != 0)
			return -1;
		r->batch.pruned++;
	}
	return 0;
}

/* One record of a record file: unchanged ones get the file's size and
 * mtime, the others are stored as documents are. */
static int finish_record(struct run *r, struct file_job *j, struct record_item *it)
{
	struct ingest_summary *s = r->sum;
	if (it->refusal) {
		add_skip(s, it->doc.path, it->refusal);
		r->records_lost++;
		return 0;
	}
	if (it->unchanged) {
		s->unchanged++;
		s->records++;
		if (it->prev->bytes == j->f->bytes && it->prev->mtime_ns == j->f->mtime_ns)
			return 0;
		if (open_batch(r) != 0)
			return -1;
		return store_doc_touch(r->store, it->prev->id, j->f->bytes, j->f->mtime_ns, r->err, sizeof r->err);
	}
	return it->doc.vectors ? store_embedded(r, &it->doc) : group_document(r, &it->doc);
}

/* Take in a record file: each record as a document of its own, then
 * its stored records no longer in it deleted, and the document of the
 * file itself when it was stored as text before. */
static int finish_records(struct run *r, struct file_job *j)
{
	struct ingest_summary *s = r->sum;
	s->record_files++;
	s->malformed_records += j->malformed;
	if (j->note[0])
		add_note(&s->notes, &s->n_notes, &s->cap_notes, j->f->path, j->note);
	for (size_t i = 0; i < j->n_records; i++)
		if (finish_record(r, j, &j->records[i]) != 0)
			return -1;
	if (r->n_exports == r->cap_exports) {
		r->cap_exports = r->cap_exports ? r->cap_exports * 2 : 16;
		r->exports = xreallocarray(r->exports, r->cap_exports, sizeof *r->exports);
	}
	r->exports[r->n_exports++] = (struct export_done){ .f = j->f, .n_records = j->n_records };
	if (delete_records(r, j) != 0)
		return -1;
	if (j->prev_id && (open_batch(r) != 0 || store_doc_delete(r->store, j->prev_id, r->err, sizeof r->err) != 0))
		return -1;
	report_progress(r, j->f);
	return maybe_commit(r, false);
}

/* Take in what became of j's file, in the walk's order. Returns -1 only
 * when the run must stop (store or embedder failed); file problems are
 * skips. */
static int finish_job(struct run *r, struct file_job *j)
{
	struct ingest_summary *s = r->sum;
	s->load_us += j->load_us;
	s->chunk_us += j->chunk_us;
	s->embed_us += j->embed_us;
	s->bytes += j->bytes_read;
	add_embed_report(r, &j->report);
	switch (j->outcome) {
	case JOB_DOCUMENT:
		if (delete_records(r, j) != 0)
			return -1;
		return j->doc.vectors ? store_embedded(r, &j->doc) : group_document(r, &j->doc);
	case JOB_RECORDS:
		return finish_records(r, j);
	case JOB_FAILED: /* the note is the embedder's error, which fits in err */
		snprintf(r->err, sizeof r->err, "%.*s", (int)sizeof r->err - 1, j->note);
		return -1;
	case JOB_QUEUED:
	case JOB_CANCELLED:
		return 0; /* counted as not reached */
	case JOB_SKIPPED:
		add_skip(s, j->f->path, j->note);
		break;
	case JOB_TOUCH:
		s->unchanged++;
		if (store_doc_touch(r->store, j->prev_id, j->f->bytes, j->f->mtime_ns, r->err, sizeof r->err) != 0)
			return -1;
		break;
	case JOB_UNCHANGED:
		s->unchanged += j->n_stored ? j->n_stored : 1;
		s->records += j->n_stored;
		s->record_files += j->n_stored > 0;
		break;
	}
	report_progress(r, j->f);
	return 0;
}

/* Write the walk's files as the pool hands them back, keeping it fed.
 * Returns 0 when all were taken in or the run was stopped, -1 with r->err
 * when the run must stop. */
static int write_files(struct run *r)
{
	for (;;) {
		if (submit_files(r) != 0)
			return -1;
		if (stop_requested(r)) {
			r->sum->interrupted = true;
			return 0;
		}
		/* The next document is not ready: do a worker's job rather than
		 * wait, committing when the batch is a second old. */
		while (r->n_workers && !stop_requested(r) && workpool_help(r->pool))
			if (maybe_commit(r, false) != 0)
				return -1;
		/* Nothing to write for a while: let go of the lock. */
		if (r->n_workers && r->work.embedders && r->batch_open &&
		    !workpool_wait_ready(r->pool, IDLE_COMMIT_US) && maybe_commit(r, true) != 0)
			return -1;
		struct file_job *j = workpool_take(r->pool, r->opts->stop);
		if (!j) {
			r->sum->interrupted = workpool_held(r->pool) > 0;
			return 0;
		}
		int rc = finish_job(r, j);
		ingest_job_free(j);
		if (rc != 0)
			return -1;
	}
}

/* Threads the option asks for: 0 is one per online core. */
static size_t resolve_threads(int threads)
{
	long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = THREADS_FALLBACK;
	return n > THREADS_MAX ? THREADS_MAX : (size_t)n;
}

/* One copy of the embedder per worker and the embedder itself for the
 * writer (when it helps, or runs every job with no workers), or NULL when
 * it cannot be copied: an HTTP embedder stays with the writer, which
 * embeds groups with its own requests in flight. */
static struct embedder **clone_embedders(struct embedder *e, size_t n)
{
	if (!e->ops->clone)
		return NULL;
	struct embedder **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i] = embed_clone(e);
		if (!v[i]) {
			for (size_t k = 0; k < i; k++)
				embed_free(&v[k]);
			free(v);
			return NULL;
		}
	}
	v[n] = e;
	return v;
}

/* Start the workers: all threads but the caller's. */
static int start_workers(struct run *r)
{
	size_t threads = resolve_threads(r->opts->threads);
	r->n_workers = threads - 1;
	r->work.opts = r->opts;
	atomic_init(&r->work.cancel, false);
	r->work.embedders = clone_embedders(r->embedder, r->n_workers);
	r->pool = workpool_new(r->n_workers, QUEUE_JOBS, QUEUE_BYTES, ingest_work_run, &r->work);
	if (!r->pool) {
		snprintf(r->err, sizeof r->err, "cannot start %zu ingest threads: %s", r->n_workers, strerror(errno));
		return -1;
	}
	r->sum->threads = (int)threads;
	return 0;
}

/* Make the workers give up, wait for them, and drop what they held. */
static void stop_workers(struct run *r)
{
	atomic_store(&r->work.cancel, true);
	workpool_free(&r->pool, ingest_job_free);
	for (size_t i = 0; r->work.embedders && i < r->n_workers; i++)
		embed_free(&r->work.embedders[i]);
	free(r->work.embedders);
	r->work.embedders = NULL;
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
		bool record = strcmp(rows[i].format, RECORD_FORMAT) == 0 && records_file_len(rows[i].path);
		char *file = record ? xstrndup(rows[i].path, records_file_len(rows[i].path)) : xstrdup(rows[i].path);
		bool gone = stat(file, &st) != 0 && errno == ENOENT;
		free(file);
		if (!gone)
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

/* Give the records of every export this run stored whole (none refused
 * or lost) the file's size and mtime, which makes the next run skip the
 * file unread. After the last group is written: a grouped record is
 * stored only then. */
static int confirm_exports(struct run *r)
{
	for (size_t e = 0; e < r->n_exports; e++) {
		const struct walk_file *f = r->exports[e].f;
		struct store_doc_sub *rows = NULL;
		size_t n = 0;
		if (store_doc_records(r->store, r->collection, f->path, &rows, &n, r->err, sizeof r->err) != 0)
			return -1;
		int rc = 0;
		for (size_t i = 0; i < n && rc == 0 && n == r->exports[e].n_records; i++) {
			if (rows[i].state.bytes == f->bytes && rows[i].state.mtime_ns == f->mtime_ns)
				continue;
			rc = open_batch(r);
			if (rc == 0)
				rc = store_doc_touch(r->store, rows[i].state.id, f->bytes, f->mtime_ns, r->err, sizeof r->err);
		}
		store_doc_subs_free(rows, n);
		if (rc != 0)
			return -1;
	}
	return 0;
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

/* A path given to ingest must exist: a typo is an error, not a skip.
 * With missing_ok a path that does not exist is left out: the paths that
 * do go to *kept (caller frees the array; the strings are paths'). */
static int check_roots(const char *const *paths, size_t n_paths, bool missing_ok, const char ***kept,
                       size_t *n_kept, char *err, size_t errlen)
{
	struct stat st;
	*kept = xcalloc(n_paths ? n_paths : 1, sizeof **kept);
	*n_kept = 0;
	for (size_t i = 0; i < n_paths; i++) {
		if (stat(paths[i], &st) == 0) {
			(*kept)[(*n_kept)++] = paths[i];
		} else if (!missing_ok || errno != ENOENT) {
			snprintf(err, errlen, "cannot ingest %s: %s", paths[i], strerror(errno));
			free(*kept);
			*kept = NULL;
			return -1;
		}
	}
	return 0;
}

/* Files the walk found that ended in none of the summary's counts: the
 * run stopped before them, or before their group was written. */
static size_t count_not_reached(const struct ingest_summary *s, size_t walk_problems, size_t records_lost)
{
	size_t done = s->added + s->changed + s->unchanged + (s->skipped - walk_problems) + s->n_unstored -
	              (s->records + records_lost) + s->record_files;
	return s->files > done ? s->files - done : 0;
}

/* The stamp of what makes documents of files: the chunk settings, and
 * the record field names when any is set (they decide a record file's
 * records; with none set the stamp is what it was before records). */
static void stamp_pipeline(const struct ingest_opts *o, char *out, size_t outlen)
{
	const struct record_fields *rf = &o->records;
	int n = snprintf(out, outlen, "v%d chunk_tokens=%d overlap_tokens=%d min_chunk_tokens=%d", PIPELINE_VERSION,
	                 o->chunk_tokens, o->overlap_tokens, o->min_chunk_tokens);
	if (!rf->id && !rf->title && !rf->body && !rf->date)
		return;
	char names[1024], h[17];
	int len = snprintf(names, sizeof names, "%s\n%s\n%s\n%s", rf->id ? rf->id : "", rf->title ? rf->title : "",
	                   rf->body ? rf->body : "", rf->date ? rf->date : "");
	hash64_hex(names, len < (int)sizeof names ? (size_t)len : sizeof names - 1, h);
	snprintf(out + n, outlen - (size_t)n, " records=%s", h);
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
		.threads = cfg->ingest.threads,
		.embed_price_per_mtok = price ? price->input_per_mtok : 0,
		.records = { .id = cfg->ingest.records.id, .title = cfg->ingest.records.title,
		             .body = cfg->ingest.records.body, .date = cfg->ingest.records.date },
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
	const char **roots = NULL;
	size_t n_roots = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (check_roots(paths, n_paths, opts->missing_ok, &roots, &n_roots, err, errlen) != 0)
		return -1;
	r.start_us = clock_now_us();
	stamp_pipeline(opts, r.pipeline, sizeof r.pipeline);
	if (store_collection_id(store, opts->collection, true, &r.collection, err, errlen) != 0) {
		free(roots);
		return -1;
	}
	if (claim_model(&r) != 0) {
		snprintf(err, errlen, "%s", r.err);
		free(roots);
		return -1;
	}
	walk_paths(roots, n_roots, &filter, &files);
	free(roots);
	out->walk_us = clock_now_us() - r.start_us;
	out->files = files.n_files;
	for (size_t i = 0; i < files.n_problems; i++)
		add_skip(out, files.problems[i].path, files.problems[i].reason);

	r.files = &files;
	r.progress = (struct ingest_progress){ .files_total = files.n_files, .bytes_total = files.total_bytes };
	if (start_workers(&r) != 0 || write_files(&r) != 0)
		goto cleanup;
	/* Stopped: what is not embedded yet is left for the next run. */
	if (!out->interrupted && (flush_group(&r) != 0 || confirm_exports(&r) != 0))
		goto cleanup;
	if (!out->interrupted && opts->prune && prune_missing(&r) != 0)
		goto cleanup;
	rc = 0;
cleanup:;
	stop_workers(&r);
	/* Whole documents done before a failure are kept, when their batch
	 * still commits; the first error is the one reported. */
	group_clear(&r.group);
	free(r.group.docs);
	free(r.exports);
	uint64_t c0 = clock_now_us();
	char commit_err[ERR_LEN];
	if (commit_batch(&r, rc ? commit_err : r.err, rc ? sizeof commit_err : sizeof r.err) != 0)
		rc = -1;
	out->store_us += clock_now_us() - c0;
	out->not_reached = count_not_reached(out, files.n_problems, r.records_lost);
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
	notes_free(&s->notes, &s->n_notes, &s->cap_notes);
}
