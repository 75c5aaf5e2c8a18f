/* theme_builtin: the shipped theme files (themes/NAME.yaml) compiled into the
 * program by scripts/embed-themes.py at build time, so the default themes
 * load wherever the binary runs from (the build tree, any prefix). Read by
 * theme_load after the theme directories. */
#ifndef RAGDECK_THEME_BUILTIN_H
#define RAGDECK_THEME_BUILTIN_H

#include <stddef.h>

struct theme_builtin {
	const char *name;   /* the file's base name without ".yaml" */
	size_t len;
	const char *text;   /* the file's bytes, len of them */
};

extern const struct theme_builtin theme_builtins[];
extern const size_t theme_n_builtins;

#endif
