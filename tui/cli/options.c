#include "tui/cli/options.h"
#include "tui/cli/cli.h"
#include "core/search/retrieve.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>

/* getopt_long codes of options without a letter: past every char. */
#define LONG_ONLY 0x200

/* What the parser adds to every table. */
static const struct option shared[] = {
	CLI_COMMON_LONGOPTS,
	{ 0 },
};
#define N_SHARED (sizeof shared / sizeof shared[0] - 1)

static void describe_add(struct cli_describe *d, struct cli_opt o)
{
	d->opts = xreallocarray(d->opts, d->n + 1, sizeof *d->opts);
	d->opts[d->n++] = o;
}

void cli_describe_longopts(struct cli_describe *d, const struct option *longopts)
{
	for (const struct option *lo = longopts; lo->name; lo++) {
		bool arg = lo->has_arg != no_argument;
		describe_add(d, (struct cli_opt){ .name = lo->name,
		                                  .letter = lo->val < 0x80 && isalnum(lo->val) ? (char)lo->val : 0,
		                                  .type = arg ? CLI_OPT_STRING : CLI_OPT_FLAG,
		                                  .complete = arg ? CLI_COMPLETE_PATH : CLI_COMPLETE_NONE });
	}
}

void cli_describe_free(struct cli_describe *d)
{
	if (!d)
		return;
	free(d->opts);
	*d = (struct cli_describe){ 0 };
}

/* cli_options_parse when describing: opts (their destinations dropped,
 * they point into the command's frame) and the shared ones. */
static void describe(struct cli_describe *d, const struct cli_opt *opts)
{
	int n;
	for (n = 0; opts[n].name; n++) {
		struct cli_opt o = opts[n];
		o.dest = NULL;
		o.parse = NULL;
		describe_add(d, o);
	}
	cli_describe_longopts(d, shared);
	d->operands = opts[n].complete;
}

static const struct cli_opt *find(const struct cli_opt *opts, int code)
{
	for (int i = 0; opts[i].name; i++)
		if (code == (opts[i].letter ? opts[i].letter : LONG_ONLY + i))
			return &opts[i];
	return NULL;
}

/* Store arg by o; -1 when o refuses it. */
static int take(const struct cli_opt *o, const char *arg)
{
	char *end;
	long v;
	switch (o->type) {
	case CLI_OPT_FLAG:
		*(bool *)o->dest = true;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->dest = arg;
		return 0;
	case CLI_OPT_INT:
		v = strtol(arg, &end, 10);
		if (*end || v < o->min || v > o->max)
			return -1;
		*(int *)o->dest = (int)v;
		return 0;
	case CLI_OPT_FUNC:
		return o->parse(o->dest, arg);
	}
	return -1;
}

int cli_options_parse(struct cli *cli, const char *cmd, const char *help, const struct cli_opt *opts, int argc,
                      char **argv, int *exit_code)
{
	if (cli->describe) {
		describe(cli->describe, opts);
		*exit_code = EXIT_OK;
		return -1;
	}
	struct strbuf shortopts = STRBUF_INIT, cmd_sp = STRBUF_INIT;
	int n = 0, opt, rc = -1;
	while (opts[n].name)
		n++;
	/* The table's options, the shared ones and getopt's end mark. */
	struct option *longopts = xcalloc((size_t)n + N_SHARED + 1, sizeof *longopts);

	for (n = 0; opts[n].name; n++) {
		bool arg = opts[n].type != CLI_OPT_FLAG;
		longopts[n] = (struct option){ opts[n].name, arg ? required_argument : no_argument, NULL,
		                               opts[n].letter ? opts[n].letter : LONG_ONLY + n };
		if (opts[n].letter)
			sb_printf(&shortopts, "%c%s", opts[n].letter, arg ? ":" : "");
	}
	for (size_t i = 0; i < N_SHARED; i++)
		longopts[n++] = shared[i];
	sb_putc(&shortopts, 'h');
	sb_printf(&cmd_sp, "%s ", cmd);
	while ((opt = getopt_long(argc, argv, sb_str(&shortopts), longopts, NULL)) != -1) {
		const struct cli_opt *o = find(opts, opt);
		if (opt == 'h' && !o) {
			fputs(help, stdout);
			*exit_code = EXIT_OK;
			goto cleanup;
		}
		if (o && take(o, optarg) != 0) {
			*exit_code = cli_usage_error(cli, sb_str(&cmd_sp), o->refused, optarg);
			goto cleanup;
		}
		if (!o && !cli_common_option(cli, opt, optarg)) {
			*exit_code = cli_usage_error(cli, sb_str(&cmd_sp), "unknown option");
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(longopts);
	sb_free(&shortopts);
	sb_free(&cmd_sp);
	return rc;
}

int cli_opt_retrieve_mode(void *dest, const char *arg)
{
	int m = retrieve_mode_parse(arg);
	if (m < 0)
		return -1;
	*(enum retrieve_mode *)dest = (enum retrieve_mode)m;
	return 0;
}
