/* fuzz_anthropic: the Anthropic event decoder fed by the event-stream parser. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/provider_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	provider_check(LLM_KIND_ANTHROPIC, data, size);
	return 0;
}
