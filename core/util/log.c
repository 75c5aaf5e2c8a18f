#include "core/util/log.h"

#include <stdarg.h>
#include <stdio.h>

static int log_quiet;

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "ragdeck: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
