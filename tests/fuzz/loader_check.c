/* loader_check: the contract of loader_convert, shared by the loader targets. */
#include "tests/fuzz/loader_check.h"
#include "tests/fuzz/fuzz.h"
#include "core/ingest/loader.h"
#include "core/util/utf8.h"

#include <string.h>

void loader_check(const char *path, const uint8_t *data, size_t size)
{
	struct loaded_doc doc;
	char err[256] = "";
	int rc = loader_convert(path, (const char *)data, size, &doc, err, sizeof(err));
	if (rc == LOADER_OK) {
		FUZZ_CHECK(doc.text != NULL);
		FUZZ_CHECK(doc.text[doc.len] == '\0');
		FUZZ_CHECK(strlen(doc.text) == doc.len);
		FUZZ_CHECK(utf8_valid(doc.text, doc.len));
		FUZZ_CHECK(memchr(doc.text, '\r', doc.len) == NULL);
		FUZZ_CHECK(doc.format == loader_format_for_path(path));
		FUZZ_CHECK(doc.title == NULL || utf8_valid(doc.title, strlen(doc.title)));
	} else {
		FUZZ_CHECK(rc == LOADER_SKIP_BINARY || rc == LOADER_SKIP_EMPTY ||
		           rc == LOADER_SKIP_UNREADABLE);
		FUZZ_CHECK(err[0] != '\0');
	}
	loaded_doc_free(&doc);
	FUZZ_CHECK(doc.text == NULL && doc.title == NULL);
}
