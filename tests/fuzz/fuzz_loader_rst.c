/* fuzz_loader_rst: loader_convert on arbitrary bytes named guide.rst. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	loader_check("guide.rst", data, size);
	return 0;
}
