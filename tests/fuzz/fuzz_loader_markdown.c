/* fuzz_loader_markdown: loader_convert on arbitrary bytes named notes.md. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	loader_check("notes.md", data, size);
	return 0;
}
