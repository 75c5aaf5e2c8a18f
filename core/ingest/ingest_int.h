/* ingest internals shared by ingest.c (the run and its one writer) and
 * ingest_work.c (what a worker thread does to one file). */
#ifndef RAGDECK_INGEST_INT_H
#define RAGDECK_INGEST_INT_H

#include "core/embed/embed.h"
#include "core/ingest/chunk.h"
#include "core/ingest/freshness.h"
#include "core/ingest/ingest.h"
#include "core/ingest/loader.h"
#include "core/ingest/walk.h"
#include "core/util/error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A converted and chunked document waiting to be stored (and, when
 * vectors is NULL, embedded first with its group). */
struct pending {
	const struct walk_file *f;
	char *path;                   /* a record's "<file>#<id>"; NULL: f's path */
	struct loaded_doc doc;
	char hash[17];
	struct chunk_list cl;         /* heading paths start with the title */
	struct doc_freshness fresh;
	size_t first;                 /* its first chunk's place in its group */
	float *vectors;               /* cl.n vectors when a worker embedded it */
	unsigned char *truncated;     /* cl.n flags with vectors: input cut short */
};

/* A reason written for a person: an error message and what it is about. */
#define NOTE_LEN 1200

/* What became of a file. */
enum job_outcome {
	JOB_QUEUED,     /* not worked on yet */
	JOB_UNCHANGED,  /* same size and mtime as stored: nothing to do */
	JOB_SKIPPED,    /* unreadable, binary, empty, too large, or refused by
	                 * the embedder: note says why */
	JOB_TOUCH,      /* same content as stored: only its mtime is new */
	JOB_DOCUMENT,   /* converted and chunked (embedded when doc.vectors) */
	JOB_FAILED,     /* the embedder failed: the run stops, note says why */
	JOB_CANCELLED,  /* the run stopped before the work was done */
	JOB_RECORDS,    /* a record file: records holds its records */
};

/* A document stored as a record of the job's file (records.h), as the
 * writer found it before the job ran. */
struct stored_record {
	char *path;
	int64_t id, bytes, mtime_ns;
	char hash[33];
	bool same_model;              /* stored with this run's model and pipeline */
	bool seen;                    /* the worker found it in the file */
};

/* One record of a record file after the worker. */
struct record_item {
	struct pending doc;           /* converted and chunked (embedded when
	                               * doc.vectors) unless unchanged or refused */
	const struct stored_record *prev;  /* its stored document; NULL when new */
	bool unchanged;               /* same content, model and pipeline as stored */
	char *refusal;                /* not stored (the embedder refused a chunk):
	                               * why; doc then holds only its path */
};

/* One file of the walk on its way through a worker. The writer fills the
 * first part from the store before the job runs; the worker fills the
 * rest. */
struct file_job {
	const struct walk_file *f;
	bool same_model;              /* stored with this run's model and pipeline */
	int64_t prev_id;
	char prev_hash[33];
	struct stored_record *stored; /* the file's stored records, by path */
	size_t n_stored;

	enum job_outcome outcome;     /* JOB_UNCHANGED here: the worker does nothing */
	size_t bytes_read;            /* 0 when the file was not read */
	struct pending doc;           /* JOB_DOCUMENT */
	struct record_item *records;  /* JOB_RECORDS, in file order */
	size_t n_records;
	size_t malformed;             /* JOB_RECORDS: records skipped; note says which */
	struct embed_report report;   /* what embedding it cost (tokens, requests) */
	uint64_t load_us, chunk_us, embed_us;
	char note[NOTE_LEN];
};

/* What a worker needs besides the job: read-only while workers run,
 * except cancel, which the writer sets to make them give up early. */
struct work_ctx {
	const struct ingest_opts *opts;
	struct embedder **embedders;  /* one per worker, and the writer's own last
	                               * (it helps when it would wait); NULL: the
	                               * writer embeds groups */
	atomic_bool cancel;
};

/* Do f's work: read (size limit, binary check), hash, and unless the
 * content is the stored one, convert, read its freshness, chunk, and with
 * an embedder embed; the outcome says how far it got. A workpool_fn
 * (ctx: struct work_ctx, job: struct file_job). */
void ingest_work_run(void *ctx, void *job, size_t worker);

/* Freshness, chunks and full heading paths of the converted p->doc.
 * Returns 0, or -1 with err. */
int ingest_chunk_pending(const struct ingest_opts *opts, struct pending *p, char *err, size_t errlen);

/* Embed p with e, adding what it cost to *sum (tokens, requests,
 * retries). Returns JOB_DOCUMENT (p->vectors set), JOB_SKIPPED when the
 * embedder refused a chunk, or JOB_FAILED; both with note and p freed. */
enum job_outcome ingest_embed_pending(struct embedder *e, struct pending *p, struct embed_report *sum, char *note,
                                      size_t notelen);

/* When j's file is a record file (records.h), turn data (len bytes, the
 * file's content) into j->records: unchanged records marked, the others
 * converted, chunked and, with e, embedded; outcome JOB_RECORDS (or
 * JOB_FAILED, JOB_CANCELLED) and true. false: not a record file, j as it
 * was. */
bool ingest_records_run(struct work_ctx *ctx, struct file_job *j, const char *data, size_t len,
                        struct embedder *e);

/* Where p is stored: its record path or its file's. */
const char *ingest_pending_path(const struct pending *p);

/* Embed the chunks of docs[0..n_docs) (n_inputs in all, doc d's from
 * docs[d].first on) in one call into *vectors (replaced; caller frees)
 * with rep->truncated (replaced; caller frees). Returns 0, or -1 with err
 * and rep->failed_input. */
int ingest_embed_docs(struct embedder *e, struct pending *docs, size_t n_docs, size_t n_inputs,
                      float **vectors, struct embed_report *rep, char *err, size_t errlen);

/* Why the embedder refused chunk index (0-based) of p: "chunk N (lines
 * A-B) could not be embedded: ERR" into out. */
void ingest_refusal_reason(const struct pending *p, size_t index, const char *err, char *out, size_t outlen);

/* Free what p holds (its file is borrowed); leaves it zeroed. */
void ingest_pending_free(struct pending *p);

/* Free job and what it holds; NULL-safe. A workpool drop function. */
void ingest_job_free(void *job);

#endif
