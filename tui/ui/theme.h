/* theme: colour themes loaded from YAML, resolved once at start.
 *
 * A theme file (themes/NAME.yaml) is a mapping from UI element to style:
 *
 *   title:  {fg: bright_white, bg: "#303030", attrs: [bold]}
 *
 * fg and bg take a colour name (default, black, red, green, yellow, blue,
 * magenta, cyan, white, bright_black .. bright_white), an xterm-256 index
 * 0-255 or "#rrggbb" (mapped to the nearest xterm-256 index); attrs is a
 * list of bold, underline, reverse, dim, italic (or one of them as a plain
 * value). An element the file leaves out takes normal's colours and no
 * attributes. Every colour also gets its nearest of the 8 basic colours at
 * load time, so an 8-colour terminal shows the same theme with fewer hues.
 *
 * Nothing here calls curses: theme_resolve gives plain {fg, bg, attrs}
 * values that the screen code turns into colour pairs and attributes. */
#ifndef RAGDECK_THEME_H
#define RAGDECK_THEME_H

#include <stddef.h>

/* Every UI element a theme styles: enum suffix, name in theme files. */
#define THEME_ELEMENTS(X) \
	X(NORMAL, "normal") \
	X(TITLE, "title") \
	X(BORDER, "border") \
	X(BORDER_FOCUS, "border_focus") \
	X(STATUS, "status") \
	X(USER, "user") \
	X(ASSISTANT, "assistant") \
	X(CITATION, "citation") \
	X(CODE, "code") \
	X(HEADING, "heading") \
	X(EMPHASIS, "emphasis") \
	X(STRONG, "strong") \
	X(LINK, "link") \
	X(URL, "url") \
	X(QUOTE, "quote") \
	X(RULE, "rule") \
	X(BULLET, "bullet") \
	X(STRIKE, "strike") \
	X(TABLE_HEAD, "table_head") \
	X(CODE_BLOCK, "code_block") \
	X(CODE_FRAME, "code_frame") \
	X(CODE_LANG, "code_lang") \
	X(HL_KEYWORD, "hl_keyword") \
	X(HL_TYPE, "hl_type") \
	X(HL_FUNCTION, "hl_function") \
	X(HL_STRING, "hl_string") \
	X(HL_NUMBER, "hl_number") \
	X(HL_COMMENT, "hl_comment") \
	X(HL_VARIABLE, "hl_variable") \
	X(HL_KEY, "hl_key") \
	X(HL_HEADER, "hl_header") \
	X(HL_ADDED, "hl_added") \
	X(HL_REMOVED, "hl_removed") \
	X(HL_ERROR, "hl_error") \
	X(HL_WARN, "hl_warn") \
	X(DIM, "dim") \
	X(SELECTION, "selection") \
	X(ALERT, "alert") \
	X(OK, "ok") \
	X(WARN, "warn") \
	X(SPARKLINE, "sparkline") \
	X(BAR_EMBED, "bar_embed") \
	X(BAR_VECTOR, "bar_vector") \
	X(BAR_FTS, "bar_fts") \
	X(BAR_LLM, "bar_llm") \
	X(INJECTION_FLAG, "injection_flag") \
	X(UNSUPPORTED, "unsupported")

enum theme_elem {
#define THEME_ENUM_(id, name) THEME_##id,
	THEME_ELEMENTS(THEME_ENUM_)
#undef THEME_ENUM_
	THEME_ELEM_COUNT
};

/* Attribute bits; the screen code maps them to A_BOLD and friends. */
enum theme_attr {
	THEME_ATTR_BOLD = 1 << 0,
	THEME_ATTR_UNDERLINE = 1 << 1,
	THEME_ATTR_REVERSE = 1 << 2,
	THEME_ATTR_DIM = 1 << 3,
	THEME_ATTR_ITALIC = 1 << 4,
};

/* How much colour the terminal gets. */
enum theme_mode {
	THEME_MODE_MONO,   /* attributes only (NO_COLOR, or no colour support) */
	THEME_MODE_8,      /* the 8 basic colours */
	THEME_MODE_256,    /* xterm-256 indexes */
};

/* One colour of a theme: -1 is the terminal's default colour. */
struct theme_color {
	short c256;   /* xterm-256 index 0-255 or -1 */
	short c8;     /* nearest basic colour 0-7 or -1 */
};

struct theme_spec {
	struct theme_color fg, bg;
	unsigned attrs;   /* enum theme_attr bits */
};

/* A loaded theme: plain data, copy freely, nothing to free. */
struct theme {
	char name[64];
	struct theme_spec spec[THEME_ELEM_COUNT];
};

/* What one element looks like on this terminal. */
struct theme_style {
	short fg, bg;     /* colour index for the mode, -1 = terminal default */
	unsigned attrs;   /* enum theme_attr bits */
};

/* The theme used when none is configured. */
#define THEME_DEFAULT_NAME "dark"
/* Environment variable naming an extra theme directory searched first
 * (themes being edited: the shipped ones are built in). */
#define THEME_DIR_ENV "RAGDECK_THEME_DIR"

/* Name of an element as written in theme files ("border_focus"). */
const char *theme_elem_name(enum theme_elem e);

/* Parse a theme from text[0..len); file names the source in messages and
 * name becomes t->name (truncated to fit). Returns 0, or -1 with err set to
 * "file:line:col: message" for the first problem. t is fully written either
 * way (on error it holds the built-in mono theme). */
int theme_parse(const char *text, size_t len, const char *file, const char *name,
                struct theme *t, char *err, size_t errlen);

/* Read and parse the file at path; the theme's name is the file's base
 * name without ".yaml". Returns 0, or -1 with err set (unreadable file,
 * too large, or a parse error as in theme_parse). */
int theme_load_file(const char *path, struct theme *t, char *err, size_t errlen);

/* Find NAME.yaml in the directories dirs[0..ndirs) (NULL entries are
 * skipped) and load the first one found, else the built-in copy of a
 * shipped theme (themes/NAME.yaml, compiled in: tui/ui/theme_builtin.h). name
 * holds letters, digits, '-' and '_' only; a name containing '/' is loaded
 * as a path instead. Returns 0, or -1 with err set: an invalid name, a
 * parse error, or "not found" with the directories searched and the
 * themes available there and built in. */
int theme_load(const char *name, const char *const *dirs, size_t ndirs, struct theme *t,
               char *err, size_t errlen);

/* Fill dirs with the standard search path: $RAGDECK_THEME_DIR (when set
 * and not empty), then datadir (the installed $prefix/share/ragdeck/themes,
 * may be NULL). Returns the number of entries written (at most 2); the
 * strings are not copied. */
size_t theme_search_path(const char *datadir, const char *dirs[2]);

/* The built-in mono theme (attributes only): what THEME_MODE_MONO shows
 * whatever theme is loaded, because a colour theme's attributes were picked
 * to go with its colours and do not keep elements apart on their own.
 * themes/mono.yaml holds the same table. */
void theme_builtin_mono(struct theme *t);

/* The mode for a terminal with ncolors colours (curses' COLORS) given the
 * value of $NO_COLOR (may be NULL): MONO when no_color is set and not
 * empty or ncolors < 8, 8 below 256 colours, otherwise 256. */
enum theme_mode theme_mode_for(int ncolors, const char *no_color);

/* Resolve t for mode into out, indexed by enum theme_elem. */
void theme_resolve(const struct theme *t, enum theme_mode mode,
                   struct theme_style out[THEME_ELEM_COUNT]);

/* Nearest xterm-256 index (16-255: the colour cube and the grey ramp,
 * whose values do not depend on the terminal's palette) to an RGB colour. */
int theme_rgb_to_256(unsigned r, unsigned g, unsigned b);

/* Nearest basic colour 0-7 to xterm-256 index idx (0-15 map to 0-7). */
int theme_256_to_8(int idx);

#endif
