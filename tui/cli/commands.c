#include "tui/cli/commands.h"
#include "tui/cli/cli.h"

#include <getopt.h>

#define COMMAND_ENTRY(n, a, u, s) { #n, a, u, s, cmd_##n },
const struct cli_command cli_commands[] = {
	RAGDECK_COMMANDS(COMMAND_ENTRY)
};
#undef COMMAND_ENTRY
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

const struct option cli_app_longopts[] = {
	{ "version", no_argument, NULL, 'V' },
	{ "continue", no_argument, NULL, OPT_CONTINUE },
	{ "theme", required_argument, NULL, OPT_THEME },
	CLI_COMMON_LONGOPTS,
	{ 0 },
};
