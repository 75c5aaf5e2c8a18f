/* embed: turn texts into unit-length vectors, behind one small interface.
 *
 * An embedder is a vtable plus its dimension and model name; the hash
 * embedder below is the offline default and HTTP embedders plug in beside
 * it. Vectors are row-major float arrays of n * dim, each L2-normalised, so a
 * dot product is the cosine similarity. An embedder keeps scratch space
 * between calls: use one embedder per thread. */
#ifndef RAGDECK_EMBED_H
#define RAGDECK_EMBED_H

#include <stddef.h>

struct embedder;

struct embedder_ops {
	const char *kind; /* "hash", "http" */
	/* Embed n texts into out (n * dim floats, row-major), each L2-normalised.
	 * Returns 0, or -1 with a message in err. */
	int (*embed)(struct embedder *e, const char *const *texts, const size_t *lens, size_t n,
	             float *out, char *err, size_t errlen);
	/* Free everything the embedder owns, including e itself. */
	void (*destroy)(struct embedder *e);
};

struct embedder {
	const struct embedder_ops *ops;
	int dim;
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

/* Destroy *e and set it to NULL. NULL-safe for e and *e. */
void embed_free(struct embedder **e);

#endif
