/* paths: where ragdeck keeps its files (XDG base directories). */
#ifndef RAGDECK_PATHS_H
#define RAGDECK_PATHS_H

#include <stddef.h>

/* Default database path: $XDG_DATA_HOME/ragdeck/ragdeck.db, falling back to
 * $HOME/.local/share/ragdeck/ragdeck.db. Returns 0, or -1 when neither
 * variable is set (err says so). Caller frees *out. */
int paths_default_db(char **out, char *err, size_t errlen);

/* User config path: $XDG_CONFIG_HOME/ragdeck/config.yaml, falling back to
 * $HOME/.config/ragdeck/config.yaml. Returns NULL when neither variable is
 * set. Caller frees. */
char *paths_user_config(void);

/* The full-screen app's input history for the database at db_path:
 * $XDG_STATE_HOME/ragdeck/history-HASH, falling back to
 * $HOME/.local/state/ragdeck/history-HASH, where HASH is hash64_hex of the
 * database's absolute path (links resolved when it exists), so each
 * database keeps its own questions whatever path names it. db_path NULL:
 * the one file all databases shared before, .../ragdeck/history. Returns
 * NULL when neither variable is set. Caller frees. */
char *paths_history(const char *db_path);

#endif
