/* embedding: which embedding model a collection's vectors belong to, and
 * re-embedding a collection with another one.
 *
 * A collection records one model and dimension: the first ingest claims
 * them, and searching or ingesting with another model is refused by the
 * callers with what to run. Re-embedding writes the new model's vectors
 * beside the old ones (a chunk holds one vector per model), so search
 * keeps working on the old set; only when every chunk holds a new vector
 * does one transaction make the new model the collection's and drop the
 * old vectors. Every step commits as it goes: an interrupted re-embedding
 * resumes with the chunks still missing. */
#ifndef RAGDECK_STORE_EMBEDDING_H
#define RAGDECK_STORE_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Longest model name kept, with its NUL. */
#define STORE_MODEL_MAX 256

/* A collection's embedding record. */
struct store_embedding {
	char model[STORE_MODEL_MAX];          /* "": no vectors yet */
	int dim;
	char reembed_model[STORE_MODEL_MAX];  /* "": no re-embedding in progress */
	int reembed_dim;
};

/* The record of collection coll. Returns 0, or -1 with err. */
int store_embedding_get(struct store *s, int64_t coll, struct store_embedding *out, char *err,
                        size_t errlen);

/* Make model/dim the collection's when it has no model yet. Returns 0 when
 * the collection's model is (now) model with dim, 1 when it is another
 * one, -1 on error; *out gets the record either way. */
int store_embedding_claim(struct store *s, int64_t coll, const char *model, int dim,
                          struct store_embedding *out, char *err, size_t errlen);

/* Start re-embedding coll with model/dim, or go on with the one in
 * progress when it is the same. A different re-embedding in progress is
 * abandoned: its vectors are deleted. Returns 0, or -1 with err. */
int store_reembed_begin(struct store *s, int64_t coll, const char *model, int dim, char *err,
                        size_t errlen);

/* A chunk to embed: the embedder sees embed_input (core/embed/embed.h) of
 * heading_path and text. */
struct store_todo_chunk {
	int64_t id;
	char *heading_path;
	char *text;
};

/* Up to limit chunks of coll with an id above after that hold no vector of
 * model, in id order. Free with store_todo_chunks_free. Returns 0, or -1
 * with err. */
int store_reembed_todo(struct store *s, int64_t coll, const char *model, int64_t after, size_t limit,
                       struct store_todo_chunk **rows, size_t *n, char *err, size_t errlen);
void store_todo_chunks_free(struct store_todo_chunk *rows, size_t n);

/* Chunks of coll, and how many of them hold a vector of model. */
int store_reembed_count(struct store *s, int64_t coll, const char *model, int64_t *done, int64_t *total,
                        char *err, size_t errlen);

/* Write the vectors (n * dim floats) of model for chunks ids[0..n) in one
 * transaction, replacing any of the same model; a chunk deleted meanwhile
 * is passed over. Returns 0, or -1 with err (nothing written). */
int store_embeddings_put(struct store *s, const char *model, int dim, const int64_t *ids,
                         const float *vectors, size_t n, char *err, size_t errlen);

/* When every chunk of coll holds a vector of the re-embedding's model, in
 * one transaction: it becomes the collection's model (and its documents'),
 * the re-embedding ends and other models' vectors of coll are deleted.
 * Returns 0 when done, 1 when chunks still miss a vector (an ingest added
 * some meanwhile) or no re-embedding is in progress, -1 with err. */
int store_reembed_finish(struct store *s, int64_t coll, char *err, size_t errlen);

#endif
