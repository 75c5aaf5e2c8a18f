/* embed: turn texts into unit-length vectors, behind one small interface.
 *
 * An embedder is a vtable plus its dimension and model name; the hash
 * embedder below is the offline default and HTTP embedders plug in beside
 * it. Vectors are row-major float arrays of n * dim, each L2-normalised, so a
 * dot product is the cosine similarity. An embedder keeps scratch space
 * between calls: use one embedder per thread. */
#ifndef RAGDECK_EMBED_H
#define RAGDECK_EMBED_H

#include <stdbool.h>
#include <stddef.h>

struct embedder;
struct strbuf;

/* What one embedding call cost and met. Zero it before the call; point
 * truncated at n flags to learn which inputs were cut. */
struct embed_report {
	long tokens;               /* input tokens: the server's count, else estimated */
	bool tokens_estimated;     /* some of tokens were estimated (bytes / 4) */
	int requests;              /* requests sent, retries included (0 for hash) */
	int retries;
	unsigned char *truncated;  /* NULL, or n flags: 1 for an input longer than the
	                            * model takes, embedded from its first part */
	size_t n_truncated;
	long failed_input;         /* after a failure: the input the server refused
	                            * (0-based), or -1 when the failure was not one
	                            * input's (server down, wrong dimension) */
};

struct embedder_ops {
	const char *kind; /* "hash", "http" */
	/* Embed n texts into out (n * dim floats, row-major), each L2-normalised,
	 * accounting in rep (never NULL). Returns 0, or -1 with a message in
	 * err. */
	int (*embed)(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
	             float *out, struct embed_report *rep, char *err, size_t errlen);
	/* Free everything the embedder owns, including e itself. */
	void (*destroy)(struct embedder *e);
	/* A new embedder giving the same vectors, for another thread; NULL
	 * here when the embedder is not to be copied (an HTTP embedder keeps
	 * its own requests in flight from one thread). */
	struct embedder *(*clone)(const struct embedder *e);
};

struct embedder {
	const struct embedder_ops *ops;
	int dim;
	size_t group_inputs; /* inputs per call that keep it busy (ingest groups
	                      * documents up to this many chunks) */
	char *model; /* e.g. "hash-v1-384"; stored with each vector; owned */
	void *impl;
};

/* The offline default: signed feature hashing of words, word pairs and
 * character n-grams (see embed_hash.c). Deterministic across runs and
 * machines; model name "hash-v1-<dim>" (the v1 changes if the hashing ever does). An empty text, or one with no word in
 * it, embeds as the zero vector. Returns NULL when dim is outside 32..4096.
 * Caller frees with embed_free. */
struct embedder *embed_hash_new(int dim);

/* Embed texts[i][0..lens[i]) for i < n into out (n * e->dim floats). A text
 * may be NULL when its length is 0. Returns 0, or -1 with a message in err
 * (out is then unspecified). */
int embed_texts(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                float *out, char *err, size_t errlen);

/* embed_texts, accounting in *rep (see struct embed_report; zeroed and
 * failed_input set to -1 here, truncated kept). */
int embed_texts_report(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
                       float *out, struct embed_report *rep, char *err, size_t errlen);

/* What the embedder sees of a chunk: its heading path (title first) on a
 * line of its own, then its text, so a chunk deep in a section still says
 * what the section is about. Replaces out's content. */
void embed_input(struct strbuf *out, const char *heading_path, const char *text, size_t len);

/* A copy of e for another thread (same model, same vectors), or NULL when
 * e cannot be copied (see embedder_ops.clone). Caller frees with
 * embed_free. */
struct embedder *embed_clone(const struct embedder *e);

/* Destroy *e and set it to NULL. NULL-safe for e and *e. */
void embed_free(struct embedder **e);

#endif
