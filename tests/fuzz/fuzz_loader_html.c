/* fuzz_loader_html: loader_convert on arbitrary bytes named page.html. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	loader_check("page.html", data, size);
	return 0;
}
