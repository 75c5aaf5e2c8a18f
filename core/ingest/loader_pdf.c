/* loader_pdf: placeholder on the loaders-base branch; the PDF helper replaces it. */
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"

#include <stdio.h>

int loader_pdf_convert(const char *data, size_t len, struct strbuf *out, char **title, char *err,
                       size_t errlen)
{
	(void)data, (void)len, (void)out, (void)title;
	snprintf(err, errlen, "PDF converter missing on this branch");
	return LOADER_SKIP_UNREADABLE;
}
