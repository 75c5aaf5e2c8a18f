/* Unit tests for tui/ui/theme: parsing, colour mapping, search path, modes.
 * Run from tests/unit (meson's workdir), so the shipped themes are in
 * ../../themes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/ui/theme.h"

#define THEMES "../../themes"

static const char *const shipped[] = { "dark", "light", "high-contrast", "solarized-dark", "mono" };

static int parse(const char *text, struct theme *t, char *err, size_t errlen)
{
	return theme_parse(text, strlen(text), "t.yaml", "t", t, err, errlen);
}

static void every_shipped_theme_loads_and_names_every_element(void **state)
{
	(void)state;
	const char *dirs[] = { THEMES };
	char err[512];
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		struct theme t;
		err[0] = '\0';
		assert_int_equal(theme_load(shipped[i], dirs, 1, &t, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		assert_string_equal(t.name, shipped[i]);

		char path[64];
		snprintf(path, sizeof(path), THEMES "/%s.yaml", shipped[i]);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char text[8192];
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		for (int e = 0; e < THEME_ELEM_COUNT; e++) {
			char key[64];
			snprintf(key, sizeof(key), "\n%s:", theme_elem_name((enum theme_elem)e));
			assert_non_null(strstr(text, key));
		}
	}
}

static void dark_theme_values_resolve_per_mode(void **state)
{
	(void)state;
	const char *dirs[] = { THEMES };
	char err[256];
	struct theme t;
	struct theme_style st[THEME_ELEM_COUNT];

	assert_int_equal(theme_load(THEME_DEFAULT_NAME, dirs, 1, &t, err, sizeof(err)), 0);
	theme_resolve(&t, THEME_MODE_256, st);
	assert_int_equal(st[THEME_CITATION].fg, 214);
	assert_int_equal(st[THEME_CITATION].bg, -1);
	assert_int_equal(st[THEME_CITATION].attrs, THEME_ATTR_BOLD);
	assert_int_equal(st[THEME_TITLE].fg, 15);
	assert_int_equal(st[THEME_ALERT].bg, 160);

	theme_resolve(&t, THEME_MODE_8, st);
	assert_int_equal(st[THEME_TITLE].fg, 7);
	assert_int_equal(st[THEME_ALERT].bg, 1);
	assert_int_equal(st[THEME_CITATION].fg, 3);
	assert_int_equal(st[THEME_CITATION].attrs, THEME_ATTR_BOLD);

	theme_resolve(&t, THEME_MODE_MONO, st);
	for (int e = 0; e < THEME_ELEM_COUNT; e++) {
		assert_int_equal(st[e].fg, -1);
		assert_int_equal(st[e].bg, -1);
	}
	assert_int_equal(st[THEME_SELECTION].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(st[THEME_CITATION].attrs, THEME_ATTR_UNDERLINE);
}

static void mono_file_matches_builtin_mono_table(void **state)
{
	(void)state;
	const char *dirs[] = { THEMES };
	char err[256];
	struct theme file, builtin;
	assert_int_equal(theme_load("mono", dirs, 1, &file, err, sizeof(err)), 0);
	theme_builtin_mono(&builtin);
	for (int e = 0; e < THEME_ELEM_COUNT; e++) {
		assert_int_equal(file.spec[e].attrs, builtin.spec[e].attrs);
		assert_int_equal(file.spec[e].fg.c256, -1);
		assert_int_equal(file.spec[e].bg.c8, -1);
	}
}

static void rgb_maps_to_nearest_cube_or_grey(void **state)
{
	(void)state;
	assert_int_equal(theme_rgb_to_256(0xff, 0, 0), 196);
	assert_int_equal(theme_rgb_to_256(0, 0, 0), 16);
	assert_int_equal(theme_rgb_to_256(0xff, 0xff, 0xff), 231);
	assert_int_equal(theme_rgb_to_256(0x80, 0x80, 0x80), 244);
	assert_int_equal(theme_rgb_to_256(0x5f, 0x87, 0xaf), 67);
	assert_int_equal(theme_rgb_to_256(0x30, 0x30, 0x30), 236);
	/* solarized base03 is nearer grey 234 than the cube's 17, as in
	 * Solarized's own 256-colour fallback */
	assert_int_equal(theme_rgb_to_256(0x00, 0x2b, 0x36), 234);
}

static void xterm_index_maps_to_nearest_basic(void **state)
{
	(void)state;
	assert_int_equal(theme_256_to_8(9), 1);
	assert_int_equal(theme_256_to_8(15), 7);
	assert_int_equal(theme_256_to_8(196), 1);
	assert_int_equal(theme_256_to_8(21), 4);
	assert_int_equal(theme_256_to_8(226), 3);
	assert_int_equal(theme_256_to_8(232), 0);
	assert_int_equal(theme_256_to_8(255), 7);
	assert_int_equal(theme_256_to_8(256), -1);
}

static void colour_forms_parse(void **state)
{
	(void)state;
	char err[256] = "";
	struct theme t;
	assert_int_equal(parse("normal: {fg: bright_red, bg: 33}\n"
	                       "title: {fg: \"#00ff00\", bg: default, attrs: bold}\n"
	                       "dim: {attrs: [dim, italic, underline, reverse]}\n",
	                       &t, err, sizeof(err)), 0);
	assert_int_equal(t.spec[THEME_NORMAL].fg.c256, 9);
	assert_int_equal(t.spec[THEME_NORMAL].fg.c8, 1);
	assert_int_equal(t.spec[THEME_NORMAL].bg.c256, 33);
	/* 33 is (0,135,255): nearer xterm's cyan (0,205,205) than its blue */
	assert_int_equal(t.spec[THEME_NORMAL].bg.c8, 6);
	assert_int_equal(t.spec[THEME_TITLE].fg.c256, 46);
	assert_int_equal(t.spec[THEME_TITLE].fg.c8, 2);
	assert_int_equal(t.spec[THEME_TITLE].bg.c256, -1);
	assert_int_equal(t.spec[THEME_TITLE].attrs, THEME_ATTR_BOLD);
	assert_int_equal(t.spec[THEME_DIM].attrs, THEME_ATTR_DIM | THEME_ATTR_ITALIC |
	                 THEME_ATTR_UNDERLINE | THEME_ATTR_REVERSE);
	assert_string_equal(t.name, "t");
}

static void missing_element_takes_normal_colours_and_marks_keep_theirs(void **state)
{
	(void)state;
	char err[256];
	struct theme t;
	assert_int_equal(parse("normal: {fg: 250, bg: 234, attrs: [bold]}\n", &t, err, sizeof(err)), 0);
	assert_int_equal(t.spec[THEME_NORMAL].attrs, THEME_ATTR_BOLD);
	assert_int_equal(t.spec[THEME_BAR_LLM].fg.c256, 250);
	assert_int_equal(t.spec[THEME_BAR_LLM].bg.c256, 234);
	assert_int_equal(t.spec[THEME_BAR_LLM].attrs, 0);
	/* marks keep their mono attributes: never drawn as plain text */
	assert_int_equal(t.spec[THEME_UNSUPPORTED].attrs, THEME_ATTR_UNDERLINE);
	assert_int_equal(t.spec[THEME_UNSUPPORTED].fg.c256, 250);
	assert_int_equal(t.spec[THEME_INJECTION_FLAG].attrs, THEME_ATTR_BOLD | THEME_ATTR_REVERSE);
	assert_int_equal(t.spec[THEME_SELECTION].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(t.spec[THEME_ALERT].attrs, THEME_ATTR_BOLD | THEME_ATTR_REVERSE);
}

static void expect_error(const char *text, const char *message)
{
	char err[512] = "";
	struct theme t;
	assert_int_equal(parse(text, &t, err, sizeof(err)), -1);
	assert_string_equal(err, message);
	/* a failed parse leaves a usable theme */
	assert_string_equal(t.name, "mono");
	assert_int_equal(t.spec[THEME_STATUS].attrs, THEME_ATTR_REVERSE);
}

static void errors_name_file_line_and_column(void **state)
{
	(void)state;
	expect_error("normal: {fg: red}\ntitel: {fg: red}\n",
	             "t.yaml:2:1: unknown element 'titel' (the elements are listed in themes/dark.yaml)");
	expect_error("normal: {fg: 300}\n",
	             "t.yaml:1:14: normal.fg: colour index 300 is out of range 0-255");
	expect_error("title:\n  fg: purple\n",
	             "t.yaml:2:7: title.fg: unknown colour 'purple': expected a colour name (default, "
	             "black, red, green, yellow, blue, magenta, cyan, white, bright_black .. "
	             "bright_white), an index 0-255 or \"#rrggbb\"");
	expect_error("title: {attrs: [bold, blink]}\n",
	             "t.yaml:1:23: title.attrs: unknown attribute 'blink': expected bold, underline, "
	             "reverse, dim or italic");
	expect_error("title: {fg: red, size: 3}\n",
	             "t.yaml:1:18: title: unknown key 'size': expected fg, bg or attrs");
	expect_error("title: {fg: red}\ntitle: {fg: blue}\n",
	             "t.yaml:2:1: element 'title' is given twice");
	expect_error("title: {fg: red, fg: blue}\n", "t.yaml:1:18: title: 'fg' is given twice");
	expect_error("title: red\n",
	             "t.yaml:1:8: title: expected a mapping like {fg: white, bg: default, attrs: [bold]}");
	expect_error("- a\n- b\n",
	             "t.yaml:1:1: a theme is a mapping from UI element (normal, title, ...) to "
	             "{fg, bg, attrs}");
	expect_error("title: {fg: red\n", "t.yaml:2:1: invalid YAML: did not find expected ',' or '}' "
	             "while parsing a flow mapping (line 1 column 8)");
}

static void nesting_and_aliases_are_read_within_limits(void **state)
{
	(void)state;
	/* 100,000 open brackets kept libyaml's scanner busy for seconds; the
	 * reader stops at the 65th level (the 63rd '[', under the root and
	 * title's mapping: column 12 + 63). */
	size_t n = 100000;
	char *text = malloc(12 + n + 2);
	assert_non_null(text);
	memcpy(text, "title: {fg: ", 12);
	memset(text + 12, '[', n);
	memcpy(text + 12 + n, "\n", 2);
	expect_error(text, "t.yaml:1:75: more than 64 levels of nesting (counting what aliases "
	                   "repeat); flatten the data");
	free(text);
	expect_error("normal: {fg: &c red}\ntitle: {fg: *c, bg: *d}\n",
	             "t.yaml:2:21: alias *d names no anchor defined before it");
	struct theme t;
	char err[512] = "";
	assert_int_equal(parse("normal: {fg: &c red}\ntitle: {bg: *c}\n", &t, err, sizeof(err)), 0);
	assert_int_equal(t.spec[THEME_TITLE].bg.c256, 1);
}

static void unquoted_hex_colour_gets_a_hint(void **state)
{
	(void)state;
	char err[512];
	struct theme t;
	assert_int_equal(parse("title:\n  fg: #ff0000\n", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.yaml:2:6: title.fg has no value"));
	assert_non_null(strstr(err, "quote #rrggbb colours"));
}

static void unknown_theme_lists_available_ones(void **state)
{
	(void)state;
	const char *dirs[] = { NULL, THEMES, "/nonexistent-dir" };
	char err[512];
	struct theme t;
	assert_int_equal(theme_load("nope", dirs, 3, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "theme 'nope' not found (searched: " THEMES " /nonexistent-dir and "
	                    "the built-in themes); available: dark, high-contrast, light, mono, "
	                    "solarized-dark");
	assert_int_equal(theme_load("nope", NULL, 0, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "theme 'nope' not found (searched: and the built-in themes); "
	                    "available: dark, high-contrast, light, mono, solarized-dark");
	assert_int_equal(theme_load("../etc/x", dirs, 3, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "../etc/x: cannot open theme"));
	assert_int_equal(theme_load("a b", dirs, 3, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid theme name 'a b': use letters, digits, '-' and '_', "
	                    "or a path to a .yaml file");
}

static void first_directory_in_search_path_wins(void **state)
{
	(void)state;
	char dir[] = "/tmp/ragdeck-theme-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/dark.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("normal: {fg: 1}\n", f);
	fclose(f);

	const char *dirs[] = { dir, THEMES };
	char err[256];
	struct theme t;
	assert_int_equal(theme_load("dark", dirs, 2, &t, err, sizeof(err)), 0);
	assert_int_equal(t.spec[THEME_NORMAL].fg.c256, 1);
	assert_int_equal(theme_load(path, NULL, 0, &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "dark");

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("normal: {fg: nope}\n", f);
	fclose(f);
	assert_int_equal(theme_load("dark", dirs, 2, &t, err, sizeof(err)), -1);
	char want[256];
	snprintf(want, sizeof(want), "%s:1:14: normal.fg: unknown colour 'nope'", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	rmdir(dir);
}

/* Every file of themes/ loads with no directory to search, as the app
 * run from the build tree or moved after install does, and is the same
 * theme as the file. */
static void every_theme_file_is_built_in(void **state)
{
	(void)state;
	const char *dirs[] = { THEMES };
	char err[512];
	size_t n = 0;
	DIR *d = opendir(THEMES);
	struct dirent *de;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		struct theme built, file;
		assert_int_equal(theme_load(name, NULL, 0, &built, err, sizeof(err)), 0);
		assert_int_equal(theme_load(name, dirs, 1, &file, err, sizeof(err)), 0);
		assert_string_equal(built.name, name);
		assert_memory_equal(built.spec, file.spec, sizeof(built.spec));
		n++;
	}
	closedir(d);
	assert_int_equal(n, sizeof(shipped) / sizeof(shipped[0]));
}

static void search_path_puts_env_dir_before_datadir(void **state)
{
	(void)state;
	const char *dirs[2] = { NULL, NULL };
	unsetenv(THEME_DIR_ENV);
	assert_int_equal(theme_search_path("/usr/share/ragdeck/themes", dirs), 1);
	assert_string_equal(dirs[0], "/usr/share/ragdeck/themes");
	setenv(THEME_DIR_ENV, "/src/themes", 1);
	assert_int_equal(theme_search_path("/usr/share/ragdeck/themes", dirs), 2);
	assert_string_equal(dirs[0], "/src/themes");
	assert_string_equal(dirs[1], "/usr/share/ragdeck/themes");
	setenv(THEME_DIR_ENV, "", 1);
	assert_int_equal(theme_search_path(NULL, dirs), 0);
	unsetenv(THEME_DIR_ENV);
}

static void mode_follows_no_color_and_colour_count(void **state)
{
	(void)state;
	assert_int_equal(theme_mode_for(256, NULL), THEME_MODE_256);
	assert_int_equal(theme_mode_for(16777216, ""), THEME_MODE_256);
	assert_int_equal(theme_mode_for(256, "1"), THEME_MODE_MONO);
	assert_int_equal(theme_mode_for(16, NULL), THEME_MODE_8);
	assert_int_equal(theme_mode_for(8, NULL), THEME_MODE_8);
	assert_int_equal(theme_mode_for(2, NULL), THEME_MODE_MONO);
	assert_int_equal(theme_mode_for(-1, NULL), THEME_MODE_MONO);
}

static void element_names_match_file_keys(void **state)
{
	(void)state;
	assert_string_equal(theme_elem_name(THEME_NORMAL), "normal");
	assert_string_equal(theme_elem_name(THEME_BORDER_FOCUS), "border_focus");
	assert_string_equal(theme_elem_name(THEME_INJECTION_FLAG), "injection_flag");
	assert_string_equal(theme_elem_name(THEME_ELEM_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shipped_theme_loads_and_names_every_element),
		cmocka_unit_test(dark_theme_values_resolve_per_mode),
		cmocka_unit_test(mono_file_matches_builtin_mono_table),
		cmocka_unit_test(rgb_maps_to_nearest_cube_or_grey),
		cmocka_unit_test(xterm_index_maps_to_nearest_basic),
		cmocka_unit_test(colour_forms_parse),
		cmocka_unit_test(missing_element_takes_normal_colours_and_marks_keep_theirs),
		cmocka_unit_test(errors_name_file_line_and_column),
		cmocka_unit_test(nesting_and_aliases_are_read_within_limits),
		cmocka_unit_test(unquoted_hex_colour_gets_a_hint),
		cmocka_unit_test(unknown_theme_lists_available_ones),
		cmocka_unit_test(first_directory_in_search_path_wins),
		cmocka_unit_test(every_theme_file_is_built_in),
		cmocka_unit_test(search_path_puts_env_dir_before_datadir),
		cmocka_unit_test(mode_follows_no_color_and_colour_count),
		cmocka_unit_test(element_names_match_file_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
