/* provider_config: a configured provider as the transport describes it. */
#ifndef RAGDECK_LLM_PROVIDER_CONFIG_H
#define RAGDECK_LLM_PROVIDER_CONFIG_H

#include "core/llm/llm.h"

struct config;
struct config_provider;

/* Map a config provider onto the transport's provider description; out
 * borrows p's strings. */
void llm_provider_cfg_from_config(const struct config_provider *p, struct llm_provider_cfg *out);

/* The transport's timeouts and retries from the config's http keys
 * (connect, first byte, idle, total, max_retries); the backoff and line
 * limit keep llm_http_opts_init's defaults. */
void llm_http_opts_from_config(const struct config *cfg, struct llm_http_opts *out);

#endif
