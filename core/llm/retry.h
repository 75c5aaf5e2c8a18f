/* retry: which failures are worth another attempt, and after how long.
 *
 * Only failures before the first token are retried (the caller checks
 * that): 408, 409, 429 and 5xx replies and connection failures. */
#ifndef RAGDECK_LLM_RETRY_H
#define RAGDECK_LLM_RETRY_H

#include <stdint.h>

#include "core/llm/http.h"

/* 1 when an HTTP status is worth retrying (408, 409, 429, 5xx), else 0. */
int llm_retry_status(long status);

/* 1 when a transport result (enum llm_http_rc) is worth retrying: connect
 * failures, timeouts, connections closed mid-response. */
int llm_retry_transport(int http_rc);

/* Delay before retry number retry (0 for the first): retry_after_ms when it
 * is within 0..60000, else opts->retry_base_ms doubled per retry, capped at
 * opts->retry_cap_ms, less up to 25 % random jitter drawn from *rng (any
 * non-zero seed; NULL: no jitter). */
long llm_retry_delay_ms(const struct llm_http_opts *opts, int retry, long retry_after_ms,
			uint64_t *rng);

#endif
