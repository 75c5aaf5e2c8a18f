#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int log_quiet;

/* Messages carry file names, server text and config values: all of it is
 * cleaned for the terminal before it is written. */
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	sb_vprintf(&msg, fmt, ap);
	size_t n = 0;
	char *clean = utf8_sanitize(sb_str(&msg), msg.len, &n);
	fprintf(stderr, "ragdeck: %s%s\n", prefix, clean);
	free(clean);
	sb_free(&msg);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (log_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_set_quiet(int quiet)
{
	log_quiet = quiet;
}
