/* ingest_work: one file from disk to chunks (and vectors), on a worker
 * thread or the writer's; touches no store (see ingest_int.h). */
#include "core/ingest/ingest_int.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const char *ingest_pending_path(const struct pending *p)
{
	return p->path ? p->path : p->f->path;
}

void ingest_pending_free(struct pending *p)
{
	free(p->path);
	loaded_doc_free(&p->doc);
	chunk_list_free(&p->cl);
	freshness_free(&p->fresh);
	free(p->vectors);
	free(p->truncated);
	*p = (struct pending){ 0 };
}

void ingest_job_free(void *job)
{
	struct file_job *j = job;
	if (!j)
		return;
	ingest_pending_free(&j->doc);
	for (size_t i = 0; i < j->n_records; i++) {
		ingest_pending_free(&j->records[i].doc);
		free(j->records[i].refusal);
	}
	free(j->records);
	for (size_t i = 0; i < j->n_stored; i++)
		free(j->stored[i].path);
	free(j->stored);
	free(j);
}

int ingest_chunk_pending(const struct ingest_opts *opts, struct pending *p, char *err, size_t errlen)
{
	enum doc_format fmt = p->doc.format;
	struct chunk_opts co = {
		.target_tokens = opts->chunk_tokens,
		.overlap_tokens = opts->overlap_tokens,
		.markdown = fmt != DOC_FORMAT_TEXT && fmt != DOC_FORMAT_CODE,
		.code = fmt == DOC_FORMAT_CODE,
		.min_tokens = opts->min_chunk_tokens,
	};
	freshness_detect(p->f->path, p->f->rel, p->doc.text, p->doc.len, &p->fresh);
	if (chunk_text(p->doc.text, p->doc.len, &co, &p->cl, err, errlen) != 0)
		return -1;
	/* Only a paged format's form feeds are page breaks: in text and code
	 * they are layout (^L in C sources, RFCs). */
	if (fmt == DOC_FORMAT_PDF)
		chunk_set_pages(p->doc.text, p->doc.len, &p->cl);
	/* A record's first heading (its text's "# TITLE" line) is its title
	 * without the id, which the document title ("ID: TITLE") replaces. */
	size_t first = 0;
	if (p->path && p->doc.len > 2 && memcmp(p->doc.text, "# ", 2) == 0)
		first = strcspn(p->doc.text + 2, "\n");
	for (size_t i = 0; i < p->cl.n; i++) {
		const char *path = p->cl.items[i].heading_path;
		if (p->path) {
			bool own = first && strncmp(path, p->doc.text + 2, first) == 0;
			path = own && strncmp(path + first, " > ", 3) == 0 ? path + first + 3 : own ? path + first : "";
		}
		char *full = full_heading_path(p->doc.title, path);
		free(p->cl.items[i].heading_path);
		p->cl.items[i].heading_path = full;
	}
	return 0;
}

int ingest_embed_docs(struct embedder *e, struct pending *docs, size_t n_docs, size_t n_inputs,
                      float **vectors, struct embed_report *rep, char *err, size_t errlen)
{
	size_t n = n_inputs ? n_inputs : 1;
	struct strbuf *texts = xcalloc(n, sizeof *texts);
	const char **ptrs = xcalloc(n, sizeof *ptrs);
	size_t *lens = xcalloc(n, sizeof *lens);
	for (size_t d = 0; d < n_docs; d++)
		for (size_t i = 0; i < docs[d].cl.n; i++) {
			const struct chunk *c = &docs[d].cl.items[i];
			size_t k = docs[d].first + i;
			embed_input(&texts[k], c->heading_path, docs[d].doc.text + c->byte_start,
			            c->byte_end - c->byte_start);
			ptrs[k] = texts[k].buf ? texts[k].buf : "";
			lens[k] = texts[k].len;
		}
	free(*vectors);
	*vectors = xcalloc(n, (size_t)e->dim * sizeof **vectors);
	free(rep->truncated);
	*rep = (struct embed_report){ .truncated = xcalloc(n, 1) };
	int rc = embed_texts_report(e, ptrs, lens, n_inputs, *vectors, rep, err, errlen);
	for (size_t i = 0; i < n_inputs; i++)
		sb_free(&texts[i]);
	free(texts);
	free(ptrs);
	free(lens);
	return rc;
}

void ingest_refusal_reason(const struct pending *p, size_t index, const char *err, char *out, size_t outlen)
{
	const struct chunk *c = &p->cl.items[index];
	snprintf(out, outlen, "chunk %zu (lines %d-%d) could not be embedded: %s", index + 1, c->line_start,
	         c->line_end, err);
}

enum job_outcome ingest_embed_pending(struct embedder *e, struct pending *p, struct embed_report *sum, char *note,
                                      size_t notelen)
{
	char err[ERR_LEN];
	struct embed_report rep = { 0 };
	enum job_outcome outcome = JOB_DOCUMENT;
	if (ingest_embed_docs(e, p, 1, p->cl.n, &p->vectors, &rep, err, sizeof err) == 0) {
		p->truncated = rep.truncated;
		rep.truncated = NULL;
	} else if (rep.failed_input >= 0 && (size_t)rep.failed_input < p->cl.n) {
		ingest_refusal_reason(p, (size_t)rep.failed_input, err, note, notelen);
		outcome = JOB_SKIPPED;
	} else {
		snprintf(note, notelen, "%s", err);
		outcome = JOB_FAILED;
	}
	free(rep.truncated);
	sum->tokens += rep.tokens;
	sum->tokens_estimated |= rep.tokens_estimated;
	sum->requests += rep.requests;
	sum->retries += rep.retries;
	if (outcome != JOB_DOCUMENT)
		ingest_pending_free(p);
	return outcome;
}

/* Read, hash and convert the job's file into j->doc.doc; sets the
 * outcome when the work ends here. Returns true when there is a document
 * to chunk. */
static bool load_job(struct work_ctx *ctx, struct file_job *j, struct embedder *e)
{
	const struct ingest_opts *opts = ctx->opts;
	char *data = NULL;
	size_t len = 0;
	bool loaded = false;
	int st = loader_read_file(j->f->path, (size_t)opts->max_file_bytes, &data, &len, j->note, sizeof j->note);
	if (st != LOADER_OK) {
		j->outcome = JOB_SKIPPED;
		goto done;
	}
	j->bytes_read = len;
	if (ingest_records_run(ctx, j, data, len, e))
		goto done;
	hash64_hex(data, len, j->doc.hash);
	if (j->same_model && strcmp(j->prev_hash, j->doc.hash) == 0) {
		j->outcome = JOB_TOUCH;
		goto done;
	}
	st = loader_convert(j->f->path, data, len, &j->doc.doc, j->note, sizeof j->note);
	if (st != LOADER_OK)
		j->outcome = JOB_SKIPPED;
	else
		loaded = true;
done:
	free(data);
	return loaded;
}

void ingest_work_run(void *vctx, void *vjob, size_t worker)
{
	struct work_ctx *ctx = vctx;
	struct file_job *j = vjob;
	if (j->outcome != JOB_QUEUED)
		return;
	if (atomic_load(&ctx->cancel)) {
		j->outcome = JOB_CANCELLED;
		return;
	}
	uint64_t t = clock_now_us();
	j->doc.f = j->f;
	bool loaded = load_job(ctx, j, ctx->embedders ? ctx->embedders[worker] : NULL);
	/* A record file's chunking and embedding are counted as they happen. */
	j->load_us = lap(&t) - j->chunk_us - j->embed_us;
	if (!loaded)
		return;
	if (ingest_chunk_pending(ctx->opts, &j->doc, j->note, sizeof j->note) != 0) {
		j->outcome = JOB_SKIPPED;
		ingest_pending_free(&j->doc);
		return;
	}
	j->chunk_us = lap(&t);
	j->outcome = JOB_DOCUMENT;
	if (!ctx->embedders)
		return;
	if (atomic_load(&ctx->cancel)) {
		j->outcome = JOB_CANCELLED;
		ingest_pending_free(&j->doc);
		return;
	}
	j->outcome = ingest_embed_pending(ctx->embedders[worker], &j->doc, &j->report, j->note, sizeof j->note);
	j->embed_us = lap(&t);
}
