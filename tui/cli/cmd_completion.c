/* ragdeck completion: print the completion script of a shell, made from
 * the commands' option tables (tui/cli/complete.h). */
#include "tui/cli/cli.h"
#include "tui/cli/commands.h"
#include "tui/cli/complete.h"
#include "tui/cli/options.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <getopt.h>

static const char completion_help[] =
	"Usage: ragdeck completion bash|zsh|fish\n"
	"Print the completion script of the shell to standard output, made from\n"
	"the commands' option tables: commands, actions, every option of every\n"
	"command, the values of an option that takes one of a few, and file\n"
	"names where a file is expected. 'meson install' puts the three scripts\n"
	"where bash-completion, zsh and fish look; to load one by hand:\n"
	"  bash: source <(ragdeck completion bash)\n"
	"  zsh:  ragdeck completion zsh > ~/.zfunc/_ragdeck (a directory in $fpath)\n"
	"  fish: ragdeck completion fish | source\n"
	"\n"
	"  -h, --help             show this help\n";

int cmd_completion(struct cli *cli, int argc, char **argv)
{
	struct complete_model m;
	char err[ERR_LEN];
	int exit_code, rc = EXIT_FAIL;
	const struct cli_opt opts[] = { { 0 } };
	if (cli_options_parse(cli, "completion", completion_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (argc - optind != 1)
		return cli_usage_error(cli, "completion ", "completion takes one shell: bash, zsh or fish");
	if (complete_model_build(&m, cli_commands, cli_n_commands, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	if (complete_write(&m, argv[optind], stdout) != 0) {
		rc = cli_usage_error(cli, "completion ", "no completion for the shell '%s' (bash, zsh or fish)",
		                     argv[optind]);
		goto cleanup;
	}
	rc = EXIT_OK;
cleanup:
	complete_model_free(&m);
	return rc;
}
