#include "core/llm/retry.h"

#define RETRY_AFTER_MAX_MS 60000L

int llm_retry_status(long status)
{
	return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

int llm_retry_transport(int http_rc)
{
	return http_rc == LLM_HTTP_ECONNECT || http_rc == LLM_HTTP_ETIMEOUT ||
	       http_rc == LLM_HTTP_ECLOSED;
}

/* xorshift64*: uniform in [0, 1). */
static double next_unit(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

long llm_retry_delay_ms(const struct llm_http_opts *opts, int retry, long retry_after_ms,
			uint64_t *rng)
{
	if (retry_after_ms >= 0 && retry_after_ms <= RETRY_AFTER_MAX_MS)
		return retry_after_ms;
	long delay = opts->retry_base_ms > 0 ? opts->retry_base_ms : 0;
	for (int i = 0; i < retry && delay < opts->retry_cap_ms; i++)
		delay *= 2;
	if (opts->retry_cap_ms > 0 && delay > opts->retry_cap_ms)
		delay = opts->retry_cap_ms;
	if (rng)
		delay = (long)((double)delay * (1.0 - 0.25 * next_unit(rng)));
	return delay;
}
