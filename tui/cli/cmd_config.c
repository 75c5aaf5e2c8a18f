/* ragdeck config check: validate a config file, print the effective one. */
#include "tui/cli/cli.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "store/pg.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char config_help[] =
	"Usage: ragdeck config check [FILE]\n"
	"Check a config file (default: the one ragdeck would use: --config,\n"
	"$RAGDECK_CONFIG, $XDG_CONFIG_HOME/ragdeck/config.yaml, built-in defaults)\n"
	"and print the effective config. Secrets are never printed: only the names\n"
	"of the variables that hold keys, and whether they are set.\n"
	"Errors are printed as FILE:LINE:COL: message; the exit status is 1 when\n"
	"there is any. With store.backend: postgres it also says whether the\n"
	"server answers, the vector extension is there and the schema is current\n"
	"(\"# store: ...\" lines on stderr; exit status 1 when not).\n"
	"\n"
	"      --config FILE      config file (same as the FILE argument)\n"
	"  -h, --help             show this help\n";

int cmd_config(struct cli *cli, int argc, char **argv)
{
	int exit_code;
	const struct cli_opt opts[] = { { .complete = CLI_COMPLETE_PATH } }; /* check [FILE] */
	if (cli_options_parse(cli, "config", config_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind >= argc || strcmp(argv[optind], "check") != 0)
		return cli_usage_error(cli, "config ", "the config command takes the action 'check'");
	if (argc - optind > 2)
		return cli_usage_error(cli, "config ", "config check takes at most one FILE");
	if (argc - optind == 2)
		cli->config_path = argv[optind + 1];
	if (cli_load_config(cli) != 0)
		return EXIT_FAIL;
	config_print(cli->cfg, stdout);
	if (strcmp(cli->cfg->store_server.backend, "postgres") != 0)
		return EXIT_OK;
	char report[2048];
	int server = pg_check(cli->cfg->store_server.url, report, sizeof report);
	/* The lines quote the server's own words: cleaned like any untrusted text. */
	for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n")) {
		fputs("# store: ", stderr);
		cli_put_clean(stderr, line, strlen(line));
		fputc('\n', stderr);
	}
	return server == 0 ? EXIT_OK : EXIT_FAIL;
}
