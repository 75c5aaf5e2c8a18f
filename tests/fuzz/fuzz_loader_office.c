/* fuzz_loader_office: loader_convert on DOCX and ODT files. The first byte
 * picks the format (bit 0: ODT, else DOCX) and what the rest is (bit 1:
 * the main XML part, stored into an archive here so that mutations reach
 * the XML handlers instead of failing the zip's checks; else the whole
 * file). */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/loader_check.h"

#include <stdbool.h>
#include <zip.h>

/* An archive holding data as the part name, uncompressed; NULL when libzip
 * cannot make one. Caller frees. */
static char *wrap(const char *name, const uint8_t *data, size_t size, size_t *len)
{
	char *out = NULL;
	zip_stat_t st;
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, NULL);
	zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, NULL) : NULL;
	if (!za) {
		zip_source_free(mem);
		return NULL;
	}
	zip_source_keep(mem);
	zip_source_t *part = zip_source_buffer(za, data, size, 0);
	zip_int64_t idx = part ? zip_file_add(za, name, part, 0) : -1;
	if (idx < 0)
		zip_source_free(part); /* the archive owns it once added */
	if (idx < 0 || zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) != 0 ||
	    zip_close(za) != 0) {
		zip_discard(za);
		goto cleanup;
	}
	if (zip_source_open(mem) != 0)
		goto cleanup;
	if (zip_source_stat(mem, &st) == 0 && (out = malloc(st.size ? st.size : 1)) != NULL)
		*len = (size_t)zip_source_read(mem, out, st.size);
	zip_source_close(mem);
cleanup:
	zip_source_free(mem);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool odt = data[0] & 1;
	const char *path = odt ? "doc.odt" : "doc.docx";
	if (!(data[0] & 2)) {
		loader_check(path, data + 1, size - 1);
		return 0;
	}
	size_t len = 0;
	char *zip = wrap(odt ? "content.xml" : "word/document.xml", data + 1, size - 1, &len);
	if (zip)
		loader_check(path, (const uint8_t *)zip, len);
	free(zip);
	return 0;
}
