/* app: the full-screen app — `ragdeck` with no subcommand. */
#ifndef RAGDECK_APP_H
#define RAGDECK_APP_H

#include <stdbool.h>

struct cli;

struct app_opts {
	bool resume;               /* --continue: reopen the last session */
	const char *theme;         /* --theme: overrides the config's; NULL: config or default */
};

/* Run the app on cli's config and store until the user quits or a SIGHUP,
 * SIGTERM or SIGINT arrives. Returns an exit code: EXIT_OK; EXIT_FAIL
 * after printing why on stderr (e.g. an unusable terminal); 128 + N after
 * signal N. The terminal is restored and the input history and the
 * session (a partial answer included) saved on every path that got that
 * far; after a signal the line being typed goes into the history too. */
int app_run(struct cli *cli, const struct app_opts *opts);

#endif
