/* fuzz_loader_office: loader_convert on arbitrary bytes as a DOCX (first
 * byte even) or an ODT (odd); the rest of the input is the file. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	loader_check(data[0] & 1 ? "doc.odt" : "doc.docx", data + 1, size - 1);
	return 0;
}
