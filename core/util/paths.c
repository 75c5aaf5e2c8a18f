#include "core/util/paths.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* $var/suffix when var is set and absolute, else $HOME/home_suffix/suffix. */
static char *xdg_path(const char *var, const char *home_suffix, const char *suffix)
{
	struct strbuf sb = STRBUF_INIT;
	const char *base = getenv(var);
	if (base && base[0] == '/') {
		sb_printf(&sb, "%s/%s", base, suffix);
	} else {
		const char *home = getenv("HOME");
		if (!home || !home[0])
			return NULL;
		sb_printf(&sb, "%s/%s/%s", home, home_suffix, suffix);
	}
	return sb_detach(&sb, NULL);
}

int paths_default_db(char **out, char *err, size_t errlen)
{
	*out = xdg_path("XDG_DATA_HOME", ".local/share", "ragdeck/ragdeck.db");
	if (!*out) {
		snprintf(err, errlen, "cannot place the database: set HOME or XDG_DATA_HOME, or pass --db PATH");
		return -1;
	}
	return 0;
}

char *paths_user_config(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "ragdeck/config.yaml");
}

/* db_path made absolute: resolved when it exists, else joined to the
 * working directory when relative. Caller frees. */
static char *absolute(const char *db_path)
{
	char cwd[PATH_MAX];
	char *real = realpath(db_path, NULL);
	struct strbuf sb = STRBUF_INIT;
	if (real)
		return real;
	if (db_path[0] != '/' && getcwd(cwd, sizeof cwd))
		sb_printf(&sb, "%s/", cwd);
	sb_puts(&sb, db_path);
	return sb_detach(&sb, NULL);
}

char *paths_history(const char *db_path)
{
	char name[sizeof "ragdeck/history-" + 16], hex[17];
	char *abs;
	if (!db_path)
		return xdg_path("XDG_STATE_HOME", ".local/state", "ragdeck/history");
	abs = absolute(db_path);
	hash64_hex(abs, strlen(abs), hex);
	free(abs);
	snprintf(name, sizeof name, "ragdeck/history-%s", hex);
	return xdg_path("XDG_STATE_HOME", ".local/state", name);
}
