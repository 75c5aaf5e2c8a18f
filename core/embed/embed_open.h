/* embed_open: the embedder a configuration asks for, and whether it may
 * read or write a collection.
 *
 * embedder.kind hash is the offline default ("hash-v1-<dim>", dim 384
 * unless set); http is an OpenAI-compatible /embeddings server reached
 * through embedder.provider or the models routes (core/embed/embed_http.h). A
 * collection's vectors all come from one model (store/embedding.h): a
 * configuration naming another is refused with what to run. */
#ifndef RAGDECK_EMBED_OPEN_H
#define RAGDECK_EMBED_OPEN_H

#include <stddef.h>

struct config;
struct embedder;
struct store_embedding;

/* What the embedder will be used for: ingest sends many large requests
 * (embedder.timeout_ms, the HTTP retries, concurrency); queries send one
 * short one that must fail fast (embedder.query_timeout_ms, one retry, a
 * circuit breaker with router.breaker_* so a dead server costs nothing
 * until it cools down). */
enum embed_use { EMBED_FOR_INGEST, EMBED_FOR_QUERIES };

/* The model name cfg's vectors carry: "hash-v1-<dim>" or the HTTP model. */
void embed_config_model(const struct config *cfg, char *buf, size_t len);

/* 0 when cfg's model may use the collection called name whose record is
 * rec (a collection without vectors takes any); -1 with err saying what
 * the collection holds, what the config asks for and what to run. */
int embed_check_collection(const struct config *cfg, const char *name, const struct store_embedding *rec,
                           char *err, size_t errlen);

/* The embedder cfg asks for. An HTTP embedder's dimension is embedder.dim,
 * else known_dim (the collection's record; 0: none), else learned with one
 * request. Returns NULL with err. Free with embed_free. */
struct embedder *embed_open(const struct config *cfg, enum embed_use use, int known_dim, char *err,
                            size_t errlen);

#endif
