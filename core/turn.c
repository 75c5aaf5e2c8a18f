#include "core/turn.h"
#include "core/config.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output cap of a grounded answer from the default model. */
#define ANSWER_MAX_TOKENS 1024

struct turn {
	struct turn_record rec;
	struct turn_callbacks cbs;
	struct llm_stream *stream;
	struct llm_context_block *blocks;
	bool done;
	uint64_t started_us;
};

void turn_provider_cfg(const struct config_provider *p, struct llm_provider_cfg *out)
{
	static const enum llm_kind kinds[] = {
		[PROVIDER_OPENAI] = LLM_KIND_OPENAI,
		[PROVIDER_ANTHROPIC] = LLM_KIND_ANTHROPIC,
		[PROVIDER_LOCAL] = LLM_KIND_LOCAL,
	};
	*out = (struct llm_provider_cfg){
		.kind = kinds[p->kind],
		.name = p->name,
		.base_url = p->base_url,
		/* The config says NULL for "no key"; the transport says "". */
		.api_key_env = p->api_key_env ? p->api_key_env : "",
	};
}

static void http_opts_from_config(const struct config *cfg, struct llm_http_opts *o)
{
	llm_http_opts_init(o);
	o->connect_timeout_ms = cfg->http.connect_timeout_ms;
	o->first_byte_timeout_ms = cfg->http.first_byte_timeout_ms;
	o->idle_timeout_ms = cfg->http.idle_timeout_ms;
	o->total_timeout_ms = cfg->http.total_timeout_ms;
	o->max_retries = cfg->http.max_retries;
}

static void on_stream_text(void *ud, const char *text, size_t len)
{
	struct turn *t = ud;
	if (t->cbs.on_text)
		t->cbs.on_text(t->cbs.ud, text, len);
}

static void on_stream_done(void *ud, const struct llm_result *res)
{
	struct turn *t = ud;
	struct turn_record *r = &t->rec;
	r->outcome = res->outcome;
	r->answer = xstrndup(res->text ? res->text : "", res->text_len);
	r->answer_len = res->text_len;
	r->finish_reason = xstrdup(res->finish_reason ? res->finish_reason : "");
	r->error = xstrdup(res->error ? res->error : "");
	r->usage = res->usage;
	r->ttft_us = res->ttft_us ? res->ttft_us + r->retrieve_us + r->prompt_us : 0;
	r->generation_us = res->total_us;
	r->tokens_per_sec = res->tokens_per_sec;
	r->http_status = res->http_status;
	r->retries = res->retries;
	free(r->provider);
	r->provider = xstrdup(res->provider ? res->provider : "");
	r->total_us = clock_now_us() - t->started_us;
	t->done = true;
	if (t->cbs.on_done)
		t->cbs.on_done(t->cbs.ud, r);
}

static int retrieve_context(const struct turn_env *env, struct turn *t, const struct turn_opts *opts,
                            char *err, size_t errlen)
{
	const struct config *cfg = env->cfg;
	if (!env->retriever || opts->no_retrieval)
		return 0;
	struct retrieve_query q = {
		.text = t->rec.question,
		.k = opts->top_k ? opts->top_k : cfg->routing.retrieval.top_k,
		.mode = RETRIEVE_HYBRID,
		.max_context_tokens = cfg->routing.retrieval.max_context_tokens,
	};
	return retriever_search(env->retriever, &q, &t->rec.retrieval, err, errlen);
}

/* Context blocks for the local answerer, pointing into the prompt's pack. */
static void fill_blocks(struct turn *t)
{
	const struct pack_result *pack = &t->rec.retrieval.pack;
	t->blocks = xcalloc(pack->n_blocks ? pack->n_blocks : 1, sizeof *t->blocks);
	for (size_t i = 0; i < pack->n_blocks; i++)
		t->blocks[i] = (struct llm_context_block){
			.number = pack->blocks[i].number, .path = pack->blocks[i].path,
			.line_start = pack->blocks[i].line_start, .line_end = pack->blocks[i].line_end,
			.text = pack->blocks[i].text,
		};
}

int turn_start(const struct turn_env *env, const char *question, const struct turn_opts *opts,
               const struct turn_callbacks *cbs, struct turn **out, char *err, size_t errlen)
{
	const struct config *cfg = env->cfg;
	struct turn *t = xcalloc(1, sizeof *t);
	t->cbs = *cbs;
	t->started_us = clock_now_us();
	t->rec.question = xstrdup(question);
	t->rec.model = xstrdup(opts->model ? opts->model : cfg->routing.default_model);
	*out = NULL;

	const struct config_provider *provider = config_provider_for_model(cfg, t->rec.model);
	if (!provider) {
		snprintf(err, errlen, "no provider serves model \"%s\": add a models: entry to the config",
		         t->rec.model);
		goto fail;
	}
	t->rec.provider = xstrdup(provider->name);
	if (retrieve_context(env, t, opts, err, errlen) != 0)
		goto fail;
	t->rec.retrieve_us = clock_now_us() - t->started_us;
	uint64_t p0 = clock_now_us();
	if (prompt_build(&t->rec.retrieval.pack, question, opts->nonce, &t->rec.prompt, err, errlen) != 0)
		goto fail;
	t->rec.prompt_us = clock_now_us() - p0;
	fill_blocks(t);

	struct llm_provider_cfg pcfg;
	struct llm_http_opts http;
	turn_provider_cfg(provider, &pcfg);
	http_opts_from_config(cfg, &http);
	struct llm_message msg = { .role = LLM_ROLE_USER, .content = t->rec.prompt.user };
	struct llm_request req = {
		.model = t->rec.model,
		.system = t->rec.prompt.system,
		.messages = &msg,
		.n_messages = 1,
		.question = question,
		.blocks = t->blocks,
		.n_blocks = t->rec.retrieval.pack.n_blocks,
		.max_tokens = ANSWER_MAX_TOKENS,
		.temperature = -1,
	};
	struct llm_callbacks lcb = { .on_text = on_stream_text, .on_done = on_stream_done, .ud = t };
	if (llm_stream_start(env->client, &pcfg, &http, &req, &lcb, &t->stream, err, errlen) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	turn_free(&t);
	return -1;
}

void turn_cancel(struct turn *t)
{
	if (t && t->stream && !t->done)
		llm_stream_cancel(t->stream);
}

bool turn_done(const struct turn *t)
{
	return t->done;
}

const struct turn_record *turn_record(const struct turn *t)
{
	return &t->rec;
}

void turn_free(struct turn **tp)
{
	struct turn *t = *tp;
	if (!t)
		return;
	llm_stream_free(&t->stream);
	struct turn_record *r = &t->rec;
	free(r->question);
	free(r->model);
	free(r->provider);
	free(r->answer);
	free(r->finish_reason);
	free(r->error);
	retrieve_result_free(&r->retrieval);
	prompt_free(&r->prompt);
	free(t->blocks);
	free(t);
	*tp = NULL;
}
