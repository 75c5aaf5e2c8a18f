/* provider_config: a configured provider as the transport describes it. */
#include "core/llm/provider_config.h"
#include "core/config/config.h"

void llm_provider_cfg_from_config(const struct config_provider *p, struct llm_provider_cfg *out)
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

void llm_http_opts_from_config(const struct config *cfg, struct llm_http_opts *out)
{
	llm_http_opts_init(out);
	out->connect_timeout_ms = cfg->http.connect_timeout_ms;
	out->first_byte_timeout_ms = cfg->http.first_byte_timeout_ms;
	out->idle_timeout_ms = cfg->http.idle_timeout_ms;
	out->total_timeout_ms = cfg->http.total_timeout_ms;
	out->max_retries = cfg->http.max_retries;
}
