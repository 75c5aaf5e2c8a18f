/* fixture_embed_serve: the embeddings fixture server as a program, for shell
 * tests and benchmarks that drive the real ragdeck binary.
 *
 *   fixture_embed_serve [--dim N] [--latency-ms MS] [--fault NAME]
 *                       [--die-after N] [--max-input-bytes N]
 *                       [--too-long-style S] [--max-inputs N]
 *
 * The options are those of struct fixture_embed_opts (fixture_embed.h).
 * Prints its base URL ("http://127.0.0.1:PORT/v1") on one line, then serves
 * until stdin reaches end of file. A bad option or value exits with 2. */
#include "tests/integration/fixture_embed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number in text, or -1 when it is not a whole non-negative number
 * below a billion. */
static long parse_count(const char *text)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end || errno || v < 0 || v >= 1000000000L)
		return -1;
	return v;
}

enum option_result { OPTION_SET, OPTION_UNKNOWN, OPTION_BAD_NUMBER };

/* Set the option name to value in o. */
static enum option_result set_option(struct fixture_embed_opts *o, const char *name,
				     const char *value)
{
	if (strcmp(name, "--fault") == 0) {
		o->fault = value;
		return OPTION_SET;
	}
	if (strcmp(name, "--too-long-style") == 0) {
		o->too_long_style = value;
		return OPTION_SET;
	}
	long n = parse_count(value);
	if (strcmp(name, "--dim") == 0)
		o->dim = (int)n;
	else if (strcmp(name, "--latency-ms") == 0)
		o->latency_ms = (unsigned)n;
	else if (strcmp(name, "--die-after") == 0)
		o->die_after = (int)n;
	else if (strcmp(name, "--max-inputs") == 0)
		o->max_inputs = (int)n;
	else if (strcmp(name, "--max-input-bytes") == 0)
		o->max_input_bytes = (size_t)n;
	else
		return OPTION_UNKNOWN;
	return n < 0 ? OPTION_BAD_NUMBER : OPTION_SET;
}

/* Fill o from argv. Returns 0, or -1 with a message on stderr. */
static int parse_args(int argc, char **argv, struct fixture_embed_opts *o)
{
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 == argc) {
			fprintf(stderr, "fixture_embed_serve: %s needs a value\n", argv[i]);
			return -1;
		}
		enum option_result r = set_option(o, argv[i], argv[i + 1]);
		if (r == OPTION_UNKNOWN) {
			fprintf(stderr, "fixture_embed_serve: unknown option %s\n", argv[i]);
			return -1;
		}
		if (r == OPTION_BAD_NUMBER) {
			fprintf(stderr, "fixture_embed_serve: %s %s: expected a whole number\n", argv[i],
				argv[i + 1]);
			return -1;
		}
	}
	char err[256];
	if (fixture_embed_check(o, err, sizeof err) != 0) {
		fprintf(stderr, "fixture_embed_serve: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fixture_embed_opts o = { 0 };
	if (parse_args(argc, argv, &o) != 0)
		return 2;
	struct fixture_embed *s = fixture_embed_start(&o);
	printf("%s\n", fixture_embed_url(s));
	fflush(stdout);
	char buf[256];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	fixture_embed_stop(&s);
	return 0;
}
