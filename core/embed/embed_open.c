#include "core/embed/embed_open.h"
#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/embed/embed_http.h"
#include "core/llm/provider_config.h"
#include "store/embedding.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The hash embedder's dimension when embedder.dim is auto. */
#define HASH_DIM 384

static bool is_http(const struct config *cfg)
{
	return strcmp(cfg->embedder.kind, "http") == 0;
}

void embed_config_model(const struct config *cfg, char *buf, size_t len)
{
	if (is_http(cfg))
		snprintf(buf, len, "%s", config_embed_model(cfg));
	else
		snprintf(buf, len, "hash-v1-%d", cfg->embedder.dim > 0 ? cfg->embedder.dim : HASH_DIM);
}

int embed_check_collection(const struct config *cfg, const char *name, const struct store_embedding *rec,
                           char *err, size_t errlen)
{
	char model[STORE_MODEL_MAX];
	embed_config_model(cfg, model, sizeof model);
	bool same_dim = !is_http(cfg) || cfg->embedder.dim <= 0 || cfg->embedder.dim == rec->dim;
	if (!rec->model[0] || (strcmp(rec->model, model) == 0 && same_dim))
		return 0;
	if (strcmp(rec->model, model) == 0)
		snprintf(err, errlen, "collection \"%s\" holds %d-dimensional vectors of %s, but embedder.dim is %d: "
		         "set embedder.dim: auto, or run 'ragdeck reembed --collection %s' to embed it again",
		         name, rec->dim, model, cfg->embedder.dim, name);
	else
		snprintf(err, errlen, "collection \"%s\" holds vectors of %s (%d dimensions) and the config embeds "
		         "with %s: run 'ragdeck reembed --collection %s' to embed it with %s (search keeps using "
		         "the old vectors until it is done), or set the embedder back to %s",
		         name, rec->model, rec->dim, model, name, model, rec->model);
	return -1;
}

static struct embedder *open_http(const struct config *cfg, enum embed_use use, int known_dim, char *err,
                                  size_t errlen)
{
	const struct config_provider *p = config_embed_provider(cfg);
	const char *model = config_embed_model(cfg);
	if (!p) {
		snprintf(err, errlen, "no provider serves embedding model %s: set embedder.provider or add a models route",
		         model);
		return NULL;
	}
	int batch_inputs;
	long batch_tokens;
	config_embed_batch(cfg, &batch_inputs, &batch_tokens);
	struct breaker_opts bo;
	breaker_opts_from_config(cfg, &bo);
	struct embed_http_opts o = {
		.model = model,
		.dim = cfg->embedder.dim > 0 ? cfg->embedder.dim : known_dim,
		.ask_dimensions = cfg->embedder.dim > 0 && strncmp(model, "text-embedding-3", 16) == 0,
		.batch_inputs = batch_inputs,
		.batch_tokens = batch_tokens,
		.concurrency = use == EMBED_FOR_INGEST ? cfg->embedder.concurrency : 1,
		.truncate_too_long = strcmp(cfg->embedder.too_long, "truncate") == 0,
		.breaker = use == EMBED_FOR_QUERIES ? &bo : NULL,
	};
	llm_provider_cfg_from_config(p, &o.provider);
	llm_http_opts_init(&o.http);
	o.http.connect_timeout_ms = cfg->http.connect_timeout_ms;
	long timeout = use == EMBED_FOR_INGEST ? cfg->embedder.timeout_ms : cfg->embedder.query_timeout_ms;
	o.http.first_byte_timeout_ms = timeout;
	o.http.total_timeout_ms = timeout;
	if (o.http.connect_timeout_ms > timeout)
		o.http.connect_timeout_ms = timeout;
	o.http.max_retries = use == EMBED_FOR_INGEST ? cfg->http.max_retries : 1;
	struct embedder *e = embed_http_new(&o, err, errlen);
	if (e && embed_http_learn_dim(e, err, errlen) != 0)
		embed_free(&e);
	return e;
}

struct embedder *embed_open(const struct config *cfg, enum embed_use use, int known_dim, char *err,
                            size_t errlen)
{
	if (is_http(cfg))
		return open_http(cfg, use, known_dim, err, errlen);
	int dim = cfg->embedder.dim > 0 ? cfg->embedder.dim : HASH_DIM;
	struct embedder *e = embed_hash_new(dim);
	if (!e)
		snprintf(err, errlen, "the hash embedder takes a dimension from 32 to 4096, not %d", dim);
	return e;
}
