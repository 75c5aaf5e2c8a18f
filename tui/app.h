/* app: the full-screen app — `ragdeck` with no subcommand. */
#ifndef RAGDECK_APP_H
#define RAGDECK_APP_H

#include <stdbool.h>

struct cli;

struct app_opts {
	bool resume;               /* --continue: reopen the last session */
	const char *theme;         /* --theme: overrides the config's; NULL: config or default */
};

/* Run the app on cli's config and store until the user quits. Returns an
 * exit code (EXIT_OK, or EXIT_FAIL after printing why on stderr, e.g. an
 * unusable terminal). The terminal is restored on every path. */
int app_run(struct cli *cli, const struct app_opts *opts);

#endif
