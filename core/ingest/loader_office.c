/* loader_office: placeholder on the loaders-base branch; the DOCX/ODT helper replaces it. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"

#include <stdio.h>

int loader_docx_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                        size_t errlen)
{
	(void)data, (void)len, (void)out, (void)title;
	snprintf(err, errlen, "DOCX converter missing on this branch");
	return LOADER_SKIP_UNREADABLE;
}

int loader_odt_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen)
{
	(void)data, (void)len, (void)out, (void)title;
	snprintf(err, errlen, "ODT converter missing on this branch");
	return LOADER_SKIP_UNREADABLE;
}
