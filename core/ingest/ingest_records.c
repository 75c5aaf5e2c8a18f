/* ingest_records: a record file's work on a worker (see ingest_int.h):
 * its records parsed once, each compared with what the writer found
 * stored, and the new and changed ones converted, chunked and embedded.
 * Unchanged records are dropped here, before any embedding. */
#include "core/ingest/ingest_int.h"
#include "core/ingest/records.h"
#include "core/util/clock.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct stored_record *)elem)->path);
}

/* Record r of j's file as a pending document into it (which holds the
 * stored record it replaces, if any); it->unchanged when its content is
 * the stored one. Returns 0, or -1 with err when it cannot be chunked. */
static int convert_record(const struct ingest_opts *opts, struct file_job *j, const struct record *r,
                          struct record_item *it, char *err, size_t errlen)
{
	struct pending *p = &it->doc;
	struct strbuf path = STRBUF_INIT;
	sb_printf(&path, "%s#%s", j->f->path, r->id);
	p->f = j->f;
	p->path = sb_detach(&path, NULL);
	p->doc.text = record_text(r, &p->doc.len);
	p->doc.format = DOC_FORMAT_MARKDOWN;
	hash64_hex(p->doc.text, p->doc.len, p->hash);
	struct stored_record *prev = bsearch(p->path, j->stored, j->n_stored, sizeof *j->stored, by_path);
	if (prev) {
		prev->seen = true;
		it->prev = prev;
		if (prev->same_model && strcmp(prev->hash, p->hash) == 0) {
			it->unchanged = true;
			loaded_doc_free(&p->doc);
			return 0;
		}
	}
	p->doc.title = record_title(r);
	return ingest_chunk_pending(opts, p, err, errlen);
}

/* Give up on it for reason: only its path stays, for the skip note. */
static void refuse(struct record_item *it, const char *reason)
{
	char *path = it->doc.path;
	it->doc.path = NULL;
	ingest_pending_free(&it->doc);
	it->doc.path = path;
	it->refusal = xstrdup(reason);
}

/* The note of a record file: "N malformed records skipped (lines ...)". */
static void note_records(struct file_job *j, const struct record_set *set)
{
	j->malformed = set->malformed;
	records_note(set, j->note, sizeof j->note);
}

bool ingest_records_run(struct work_ctx *ctx, struct file_job *j, const char *data, size_t len,
                        struct embedder *e)
{
	enum records_kind kind = records_kind_for_path(j->f->path);
	struct record_set set;
	if (kind == RECORDS_NONE || loader_looks_binary(data, len) ||
	    !records_parse(kind, data, len, &ctx->opts->records, &set))
		return false;
	note_records(j, &set);
	j->records = xcalloc(set.n ? set.n : 1, sizeof *j->records);
	j->outcome = JOB_RECORDS;
	for (size_t i = 0; i < set.n; i++) {
		struct record_item *it = &j->records[j->n_records++];
		char err[ERR_LEN];
		if (atomic_load(&ctx->cancel)) {
			j->outcome = JOB_CANCELLED;
			break;
		}
		uint64_t t0 = clock_now_us();
		int rc = convert_record(ctx->opts, j, &set.items[i], it, err, sizeof err);
		/* Its text is the document's now: a large export is not held twice. */
		free(set.items[i].body);
		set.items[i].body = NULL;
		uint64_t t1 = clock_now_us();
		j->chunk_us += t1 - t0;
		if (rc != 0) {
			refuse(it, err);
			continue;
		}
		if (it->unchanged || !e)
			continue;
		char note[NOTE_LEN];
		char *path = xstrdup(it->doc.path);
		enum job_outcome o = ingest_embed_pending(e, &it->doc, &j->report, note, sizeof note);
		j->embed_us += clock_now_us() - t1;
		it->doc.path = o == JOB_DOCUMENT ? it->doc.path : path;
		if (o == JOB_DOCUMENT)
			free(path);
		if (o == JOB_SKIPPED)
			refuse(it, note);
		if (o == JOB_FAILED) {
			snprintf(j->note, sizeof j->note, "%s", note);
			j->outcome = JOB_FAILED;
			break;
		}
	}
	record_set_free(&set);
	return true;
}
