/* fuzz_loader_text: loader_convert on arbitrary bytes named notes.txt. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	loader_check("notes.txt", data, size);
	return 0;
}
