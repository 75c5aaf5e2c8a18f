/* ragdeck: argv -> a headless subcommand, or the full-screen app. */
#include "tui/app/app.h"
#include "tui/cli/cli.h"
#include "tui/cli/commands.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static void print_help(void)
{
	printf("Usage: ragdeck [--config FILE] [--db PATH] [--continue] [--theme NAME]\n"
	       "       ragdeck [--config FILE] [--db PATH] COMMAND [ARG]...\n"
	       "A terminal assistant that answers questions from your documents and\n"
	       "shows its work. Works offline with its built-in embedder and store.\n"
	       "Without a command it opens the full-screen app (press ? in it for the keys).\n"
	       "\n"
	       "Commands:\n");
	int width = 0;
	for (size_t i = 0; i < cli_n_commands; i++)
		if ((int)strlen(cli_commands[i].name) > width)
			width = (int)strlen(cli_commands[i].name);
	/* Two spaces at least after each name: tests/integration/test_cli.sh
	 * finds the commands by them. */
	for (size_t i = 0; i < cli_n_commands; i++)
		printf("  %-*s  %s\n", width, cli_commands[i].name, cli_commands[i].summary);
	printf("\n");
	for (size_t i = 0; i < cli_n_commands; i++)
		printf("  ragdeck %s\n", cli_commands[i].usage);
	printf("\n"
	       "Options:\n"
	       "      --config FILE  config file (default: $RAGDECK_CONFIG, then\n"
	       "                     $XDG_CONFIG_HOME/ragdeck/config.yaml, then built-in defaults)\n"
	       "      --db PATH      database (default: $XDG_DATA_HOME/ragdeck/ragdeck.db)\n"
	       "      --continue     app: resume the last session\n"
	       "      --theme NAME   app: colour theme (dark, light, high-contrast,\n"
	       "                     solarized-dark, mono; default: the config's, else dark)\n"
	       "  -h, --help         show this help; 'ragdeck COMMAND --help' for a command\n"
	       "  -V, --version      show the version\n"
	       "\n"
	       "Exit status: 0 ok, 1 failure, 2 usage error; the app ended by signal N: 128+N.\n");
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "ragdeck" };
	struct app_opts app = { 0 };
	int opt, rc;

	setlocale(LC_ALL, "");
	/* Numbers go into FTS5 ranking calls, JSON and YAML: always with a
	 * decimal point, whatever the user's locale writes. */
	setlocale(LC_NUMERIC, "C");
	/* '+': stop at the command name; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hV", cli_app_longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_help();
			return EXIT_OK;
		case 'V':
			printf("ragdeck %s\n", RAGDECK_VERSION);
			return EXIT_OK;
		case OPT_CONTINUE:
			app.resume = true;
			break;
		case OPT_THEME:
			app.theme = optarg;
			break;
		default:
			if (!cli_common_option(&cli, opt, optarg))
				return cli_usage_error(&cli, NULL, "unknown option");
		}
	}
	if (optind >= argc) {
		rc = app_run(&cli, &app);
		cli_release(&cli);
		return rc;
	}
	const char *name = argv[optind];
	for (size_t i = 0; i < cli_n_commands; i++) {
		if (strcmp(cli_commands[i].name, name) != 0)
			continue;
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0; /* 0: getopt restarts fully (the "+" of the global pass is forgotten) */
		rc = cli_commands[i].run(&cli, sub_argc, sub_argv);
		cli_release(&cli);
		return rc;
	}
	return cli_usage_error(&cli, NULL, "unknown command '%s'", name);
}
