/* fuzz_loader_pdf: loader_convert on arbitrary bytes named doc.pdf (MuPDF's
 * parser, then the layout heuristics on whatever text it finds). */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	loader_check("doc.pdf", data, size);
	return 0;
}
