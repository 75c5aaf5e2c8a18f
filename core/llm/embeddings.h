/* embeddings: the /embeddings wire format that OpenAI, Ollama (/v1),
 * llama.cpp server, vLLM and Hugging Face TEI (its OpenAI route) share.
 *
 * Request: {"model", "input": [texts], "encoding_format": "float"} plus
 * "dimensions" when asked for. Reply: {"data": [{"index", "embedding"}],
 * "usage": {"prompt_tokens"}}, the data in any order. */
#ifndef RAGDECK_LLM_EMBEDDINGS_H
#define RAGDECK_LLM_EMBEDDINGS_H

#include <stdbool.h>
#include <stddef.h>

/* The request body for texts[i][0..lens[i]) (i < n) with model; with
 * dimensions > 0 the server is asked for vectors of that size. Caller
 * frees. */
char *llm_embed_body(const char *model, const char *const *texts, const size_t *lens, size_t n,
                     int dimensions);

/* Read a reply to a request of n inputs. With *dim > 0 every vector must
 * have *dim floats; with *dim == 0 the first vector's size is taken (and
 * every other must match) and written to *dim. Vectors go to out (n * dim
 * floats, row i for input i, L2-normalised) unless out is NULL. *tokens
 * gets usage.prompt_tokens, or -1 when the server sent none. Returns 0, or
 * -1 with a one-line err (no "data", a bad or repeated index, a wrong
 * dimension, a missing vector). */
int llm_embed_parse(const char *body, size_t len, size_t n, int *dim, float *out, long *tokens,
                    char *err, size_t errlen);

/* Whether an error reply says an input is longer than the model takes:
 * OpenAI's context_length_exceeded, Ollama's "input length exceeds the
 * context length", llama.cpp's "input is too large", TEI's 413 or "must
 * have less than N tokens". */
bool llm_embed_too_long(long status, const char *body, size_t len);

#endif
