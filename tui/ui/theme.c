/* theme: YAML colour themes, mapped to 256, 8 or no colours. */
#include "tui/ui/theme.h"
#include "core/config/safe_yaml.h"
#include "tui/ui/theme_builtin.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A theme is a few dozen lines; this bound keeps a wrong path (a log file,
 * a device) from being read whole. */
#define MAX_THEME_BYTES ((size_t)256 << 10)

static const char *const elem_names[] = {
#define THEME_NAME_(id, name) name,
	THEME_ELEMENTS(THEME_NAME_)
#undef THEME_NAME_
};

static const char *const basic_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* xterm's default RGB for the basic colours, used to find the basic colour
 * nearest to anything else. */
static const unsigned char basic_rgb[8][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
};

static const unsigned char cube_levels[6] = { 0, 95, 135, 175, 215, 255 };

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "dim", THEME_ATTR_DIM },
	{ "italic", THEME_ATTR_ITALIC },
};

/* The mono table; themes/mono.yaml says the same (a unit test compares). */
static const unsigned mono_attrs[THEME_ELEM_COUNT] = {
	[THEME_TITLE] = THEME_ATTR_BOLD,
	[THEME_BORDER_FOCUS] = THEME_ATTR_BOLD,
	[THEME_STATUS] = THEME_ATTR_REVERSE,
	[THEME_USER] = THEME_ATTR_BOLD,
	[THEME_CITATION] = THEME_ATTR_UNDERLINE,
	[THEME_CODE] = THEME_ATTR_DIM,
	[THEME_HEADING] = THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE,
	[THEME_EMPHASIS] = THEME_ATTR_ITALIC,
	[THEME_STRONG] = THEME_ATTR_BOLD,
	[THEME_LINK] = THEME_ATTR_UNDERLINE,
	[THEME_URL] = THEME_ATTR_DIM,
	[THEME_QUOTE] = THEME_ATTR_DIM,
	[THEME_RULE] = THEME_ATTR_DIM,
	[THEME_BULLET] = THEME_ATTR_BOLD,
	[THEME_STRIKE] = THEME_ATTR_DIM,
	[THEME_TABLE_HEAD] = THEME_ATTR_BOLD,
	[THEME_CODE_FRAME] = THEME_ATTR_DIM,
	[THEME_CODE_LANG] = THEME_ATTR_BOLD,
	[THEME_HL_KEYWORD] = THEME_ATTR_BOLD,
	[THEME_HL_COMMENT] = THEME_ATTR_DIM,
	[THEME_HL_KEY] = THEME_ATTR_BOLD,
	[THEME_HL_HEADER] = THEME_ATTR_BOLD,
	[THEME_HL_ADDED] = THEME_ATTR_BOLD,
	[THEME_HL_REMOVED] = THEME_ATTR_DIM,
	[THEME_HL_ERROR] = THEME_ATTR_BOLD | THEME_ATTR_REVERSE,
	[THEME_HL_WARN] = THEME_ATTR_BOLD,
	[THEME_DIM] = THEME_ATTR_DIM,
	[THEME_SELECTION] = THEME_ATTR_REVERSE,
	[THEME_ALERT] = THEME_ATTR_BOLD | THEME_ATTR_REVERSE,
	[THEME_WARN] = THEME_ATTR_BOLD,
	[THEME_BAR_EMBED] = THEME_ATTR_REVERSE,
	[THEME_BAR_VECTOR] = THEME_ATTR_REVERSE,
	[THEME_BAR_FTS] = THEME_ATTR_REVERSE,
	[THEME_BAR_LLM] = THEME_ATTR_REVERSE,
	[THEME_INJECTION_FLAG] = THEME_ATTR_BOLD | THEME_ATTR_REVERSE,
	[THEME_UNSUPPORTED] = THEME_ATTR_UNDERLINE,
};

/* Elements that mark something a reader must see (an unsupported
 * sentence, a flagged chunk, the selection, an alert): a theme that leaves
 * one out still draws it with its mono attributes, never as plain text. */
static bool is_mark(enum theme_elem e)
{
	return e == THEME_UNSUPPORTED || e == THEME_INJECTION_FLAG || e == THEME_SELECTION || e == THEME_ALERT;
}

struct parse {
	yaml_document_t doc;
	const char *file;
	char *err;
	size_t errlen;
	bool failed;
};

const char *theme_elem_name(enum theme_elem e)
{
	return (unsigned)e < THEME_ELEM_COUNT ? elem_names[e] : "?";
}

static void set_name(struct theme *t, const char *name)
{
	snprintf(t->name, sizeof(t->name), "%s", name);
}

void theme_builtin_mono(struct theme *t)
{
	set_name(t, "mono");
	for (size_t i = 0; i < THEME_ELEM_COUNT; i++) {
		t->spec[i].fg = (struct theme_color){ -1, -1 };
		t->spec[i].bg = (struct theme_color){ -1, -1 };
		t->spec[i].attrs = mono_attrs[i];
	}
}

static void cube_rgb(int idx, unsigned rgb[3])
{
	if (idx >= 232) {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (unsigned)(idx - 232);
		return;
	}
	idx -= 16;
	rgb[0] = cube_levels[idx / 36];
	rgb[1] = cube_levels[idx / 6 % 6];
	rgb[2] = cube_levels[idx % 6];
}

static unsigned long dist2(unsigned r, unsigned g, unsigned b, const unsigned rgb[3])
{
	long dr = (long)r - (long)rgb[0], dg = (long)g - (long)rgb[1], db = (long)b - (long)rgb[2];
	return (unsigned long)(dr * dr + dg * dg + db * db);
}

static int nearest_basic(unsigned r, unsigned g, unsigned b)
{
	int best = 0;
	unsigned long best_d = (unsigned long)-1;
	for (int i = 0; i < 8; i++) {
		unsigned rgb[3] = { basic_rgb[i][0], basic_rgb[i][1], basic_rgb[i][2] };
		unsigned long d = dist2(r, g, b, rgb);
		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

static int nearest_level(unsigned v)
{
	int best = 0;
	for (int i = 1; i < 6; i++) {
		unsigned a = v > cube_levels[i] ? v - cube_levels[i] : cube_levels[i] - v;
		unsigned c = v > cube_levels[best] ? v - cube_levels[best] : cube_levels[best] - v;
		if (a < c)
			best = i;
	}
	return best;
}

int theme_rgb_to_256(unsigned r, unsigned g, unsigned b)
{
	int cube = 16 + 36 * nearest_level(r) + 6 * nearest_level(g) + nearest_level(b);
	unsigned avg = (r + g + b) / 3;
	int grey = avg <= 8 ? 232 : avg >= 238 ? 255 : 232 + (int)((avg - 8 + 5) / 10);
	unsigned crgb[3], grgb[3];
	cube_rgb(cube, crgb);
	cube_rgb(grey, grgb);
	return dist2(r, g, b, grgb) < dist2(r, g, b, crgb) ? grey : cube;
}

int theme_256_to_8(int idx)
{
	if (idx < 0 || idx > 255)
		return -1;
	if (idx < 16)
		return idx & 7;
	unsigned rgb[3];
	cube_rgb(idx, rgb);
	return nearest_basic(rgb[0], rgb[1], rgb[2]);
}

enum theme_mode theme_mode_for(int ncolors, const char *no_color)
{
	if ((no_color && *no_color) || ncolors < 8)
		return THEME_MODE_MONO;
	return ncolors < 256 ? THEME_MODE_8 : THEME_MODE_256;
}

void theme_resolve(const struct theme *t, enum theme_mode mode,
                   struct theme_style out[THEME_ELEM_COUNT])
{
	for (size_t i = 0; i < THEME_ELEM_COUNT; i++) {
		const struct theme_spec *s = &t->spec[i];
		switch (mode) {
		case THEME_MODE_256:
			out[i] = (struct theme_style){ s->fg.c256, s->bg.c256, s->attrs };
			break;
		case THEME_MODE_8:
			out[i] = (struct theme_style){ s->fg.c8, s->bg.c8, s->attrs };
			break;
		case THEME_MODE_MONO:
		default:
			out[i] = (struct theme_style){ -1, -1, mono_attrs[i] };
			break;
		}
	}
}

static void fail(struct parse *p, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct parse *p, yaml_mark_t m, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	sb_printf(&sb, "%s:%d:%d: ", p->file, (int)m.line + 1, (int)m.column + 1);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s", sb_str(&sb));
	sb_free(&sb);
}

static const yaml_node_t *node(struct parse *p, int index)
{
	return yaml_document_get_node(&p->doc, index);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);
	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse "#rrggbb" into *rgb; false when s is not exactly that. */
static bool parse_hex(const char *s, unsigned rgb[3])
{
	if (s[0] != '#' || strlen(s) != 7)
		return false;
	for (int i = 0; i < 3; i++) {
		int hi = hex_digit(s[1 + 2 * i]), lo = hex_digit(s[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		rgb[i] = (unsigned)(hi * 16 + lo);
	}
	return true;
}

/* Index for a colour name, -1 for "default", -2 when unknown. */
static int named_color(const char *s)
{
	if (!strcmp(s, "default"))
		return -1;
	int bright = !strncmp(s, "bright_", 7);
	const char *base = bright ? s + 7 : s;
	for (int i = 0; i < 8; i++)
		if (!strcmp(base, basic_names[i]))
			return i + 8 * bright;
	return -2;
}

static void parse_color(struct parse *p, const yaml_node_t *n, const char *elem, const char *key,
                        struct theme_color *c)
{
	static const char expect[] = "a colour name (default, black, red, green, yellow, blue, "
	                             "magenta, cyan, white, bright_black .. bright_white), "
	                             "an index 0-255 or \"#rrggbb\"";
	const char *s = scalar(n);
	unsigned rgb[3];

	if (is_null(n)) {
		fail(p, n->start_mark, "%s.%s has no value: expected %s (quote #rrggbb colours, "
		     "YAML reads an unquoted # as a comment)", elem, key, expect);
		return;
	}
	if (!s) {
		fail(p, n->start_mark, "%s.%s: expected %s", elem, key, expect);
		return;
	}
	if (parse_hex(s, rgb)) {
		c->c256 = (short)theme_rgb_to_256(rgb[0], rgb[1], rgb[2]);
		c->c8 = (short)nearest_basic(rgb[0], rgb[1], rgb[2]);
		return;
	}
	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
		long v = strlen(s) > 3 ? 256 : strtol(s, NULL, 10);
		if (v > 255) {
			fail(p, n->start_mark, "%s.%s: colour index %s is out of range 0-255", elem, key, s);
			return;
		}
		c->c256 = (short)v;
		c->c8 = (short)theme_256_to_8((int)v);
		return;
	}
	int idx = named_color(s);
	if (idx == -2) {
		fail(p, n->start_mark, "%s.%s: unknown colour '%s': expected %s", elem, key, s, expect);
		return;
	}
	c->c256 = (short)idx;
	c->c8 = (short)(idx < 0 ? -1 : idx & 7);
}

static void parse_attr(struct parse *p, const yaml_node_t *n, const char *elem, unsigned *attrs)
{
	const char *s = scalar(n);
	for (size_t i = 0; s && i < ARRAY_LEN(attr_names); i++) {
		if (!strcmp(s, attr_names[i].name)) {
			*attrs |= attr_names[i].bit;
			return;
		}
	}
	fail(p, n->start_mark, "%s.attrs: unknown attribute '%s': expected bold, underline, "
	     "reverse, dim or italic", elem, s ? s : "(not a plain value)");
}

static void parse_attrs(struct parse *p, const yaml_node_t *n, const char *elem, unsigned *attrs)
{
	*attrs = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		if (!is_null(n))
			parse_attr(p, n, elem, attrs);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		parse_attr(p, node(p, *it), elem, attrs);
}

static void parse_spec(struct parse *p, const yaml_node_t *n, const char *elem,
                       struct theme_spec *spec)
{
	if (n->type != YAML_MAPPING_NODE) {
		fail(p, n->start_mark, "%s: expected a mapping like {fg: white, bg: default, "
		     "attrs: [bold]}", elem);
		return;
	}
	unsigned seen = 0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = node(p, pr->key), *v = node(p, pr->value);
		const char *key = scalar(k);
		unsigned bit = !key ? 0 : !strcmp(key, "fg") ? 1 : !strcmp(key, "bg") ? 2
		             : !strcmp(key, "attrs") ? 4 : 0;
		if (!bit) {
			fail(p, k->start_mark, "%s: unknown key '%s': expected fg, bg or attrs", elem,
			     key ? key : "(not a plain value)");
			return;
		}
		if (seen & bit) {
			fail(p, k->start_mark, "%s: '%s' is given twice", elem, key);
			return;
		}
		seen |= bit;
		if (bit == 1)
			parse_color(p, v, elem, key, &spec->fg);
		else if (bit == 2)
			parse_color(p, v, elem, key, &spec->bg);
		else
			parse_attrs(p, v, elem, &spec->attrs);
	}
}

static int elem_by_name(const char *s)
{
	for (size_t i = 0; s && i < THEME_ELEM_COUNT; i++)
		if (!strcmp(s, elem_names[i]))
			return (int)i;
	return -1;
}

static void parse_root(struct parse *p, const yaml_node_t *root, struct theme *t)
{
	bool given[THEME_ELEM_COUNT] = { false };

	if (!root || root->type != YAML_MAPPING_NODE) {
		yaml_mark_t m = root ? root->start_mark : (yaml_mark_t){ 0, 0, 0 };
		fail(p, m, "a theme is a mapping from UI element (normal, title, ...) to "
		     "{fg, bg, attrs}");
		return;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top && !p->failed; pr++) {
		const yaml_node_t *k = node(p, pr->key);
		const char *key = scalar(k);
		int e = elem_by_name(key);
		if (e < 0) {
			fail(p, k->start_mark, "unknown element '%s' (the elements are listed in "
			     "themes/dark.yaml)", key ? key : "(not a plain value)");
			return;
		}
		if (given[e]) {
			fail(p, k->start_mark, "element '%s' is given twice", key);
			return;
		}
		given[e] = true;
		parse_spec(p, node(p, pr->value), key, &t->spec[e]);
	}
	for (size_t i = 1; i < THEME_ELEM_COUNT; i++) {
		if (!given[i]) {
			t->spec[i].fg = t->spec[THEME_NORMAL].fg;
			t->spec[i].bg = t->spec[THEME_NORMAL].bg;
			if (is_mark((enum theme_elem)i))
				t->spec[i].attrs = mono_attrs[i];
		}
	}
}

int theme_parse(const char *text, size_t len, const char *file, const char *name,
                struct theme *t, char *err, size_t errlen)
{
	struct parse p = { .file = file, .err = err, .errlen = errlen };
	struct safe_yaml reader;
	struct safe_yaml_error e;
	bool have_reader = false, have_doc = false;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < THEME_ELEM_COUNT; i++) {
		t->spec[i].fg = (struct theme_color){ -1, -1 };
		t->spec[i].bg = (struct theme_color){ -1, -1 };
	}
	set_name(t, name);
	if (safe_yaml_open(&reader, text, len, &e) != 0) {
		snprintf(err, errlen, "%s: %s", file, e.msg);
		p.failed = true;
		goto cleanup;
	}
	have_reader = true;
	if (safe_yaml_next(&reader, &p.doc, &e) != 0) {
		fail(&p, e.mark, "%s", e.msg);
		goto cleanup;
	}
	have_doc = true;
	parse_root(&p, yaml_document_get_root_node(&p.doc), t);

cleanup:
	if (have_doc)
		yaml_document_delete(&p.doc);
	if (have_reader)
		safe_yaml_done(&reader);
	if (p.failed) {
		theme_builtin_mono(t);
		return -1;
	}
	return 0;
}

/* Read a whole file of at most MAX_THEME_BYTES. Returns 0 or -1 with err. */
static int read_file(const char *path, struct strbuf *sb, char *err, size_t errlen)
{
	char chunk[4096];
	int rc = -1;
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "%s: cannot open theme: %s", path, strerror(errno));
		return -1;
	}
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sb->len + n > MAX_THEME_BYTES) {
			snprintf(err, errlen, "%s: larger than %zu KiB; is this a theme file?", path,
			         MAX_THEME_BYTES >> 10);
			goto cleanup;
		}
		sb_append(sb, chunk, n);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	fclose(f);
	return rc;
}

int theme_load_file(const char *path, struct theme *t, char *err, size_t errlen)
{
	struct strbuf text = STRBUF_INIT;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	if (blen > 5 && !strcmp(base + blen - 5, ".yaml"))
		blen -= 5;
	char *name = xstrndup(base, blen);
	int rc = read_file(path, &text, err, errlen);

	if (rc == 0)
		rc = theme_parse(sb_str(&text), text.len, path, name, t, err, errlen);
	else
		theme_builtin_mono(t);
	free(name);
	sb_free(&text);
	return rc;
}

static bool valid_name(const char *name)
{
	return *name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                             "0123456789-_") == strlen(name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_name(char ***names, size_t *n, const char *name, size_t len)
{
	*names = xreallocarray(*names, *n + 1, sizeof(**names));
	(*names)[(*n)++] = xstrndup(name, len);
}

/* Append ", "-separated names of the themes built in and found (*.yaml)
 * in dirs. */
static void list_available(struct strbuf *sb, const char *const *dirs, size_t ndirs)
{
	char **names = NULL;
	size_t n = 0;

	for (size_t i = 0; i < theme_n_builtins; i++)
		add_name(&names, &n, theme_builtins[i].name, strlen(theme_builtins[i].name));
	for (size_t i = 0; i < ndirs; i++) {
		DIR *d = dirs[i] ? opendir(dirs[i]) : NULL;
		struct dirent *de;
		while (d && (de = readdir(d))) {
			size_t len = strlen(de->d_name);
			if (len > 5 && !strcmp(de->d_name + len - 5, ".yaml"))
				add_name(&names, &n, de->d_name, len - 5);
		}
		if (d)
			closedir(d);
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(names[i], names[i - 1]))
			sb_printf(sb, "%s%s", i ? ", " : "", names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int theme_load(const char *name, const char *const *dirs, size_t ndirs, struct theme *t,
               char *err, size_t errlen)
{
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	int rc = -1;

	theme_builtin_mono(t);
	if (strchr(name, '/')) {
		rc = theme_load_file(name, t, err, errlen);
		goto cleanup;
	}
	if (!valid_name(name)) {
		snprintf(err, errlen, "invalid theme name '%s': use letters, digits, '-' and '_', "
		         "or a path to a .yaml file", name);
		goto cleanup;
	}
	for (size_t i = 0; i < ndirs; i++) {
		if (!dirs[i])
			continue;
		sb_reset(&path);
		sb_printf(&path, "%s/%s.yaml", dirs[i], name);
		FILE *f = fopen(sb_str(&path), "rb");
		if (!f)
			continue;
		fclose(f);
		rc = theme_load_file(sb_str(&path), t, err, errlen);
		goto cleanup;
	}
	for (size_t i = 0; i < theme_n_builtins; i++) {
		const struct theme_builtin *b = &theme_builtins[i];
		if (strcmp(b->name, name))
			continue;
		sb_reset(&path);
		sb_printf(&path, "(built in) %s.yaml", name);
		rc = theme_parse(b->text, b->len, sb_str(&path), name, t, err, errlen);
		goto cleanup;
	}
	sb_printf(&msg, "theme '%s' not found (searched:", name);
	for (size_t i = 0; i < ndirs; i++)
		if (dirs[i])
			sb_printf(&msg, " %s", dirs[i]);
	sb_puts(&msg, " and the built-in themes); available: ");
	list_available(&msg, dirs, ndirs);
	snprintf(err, errlen, "%s", sb_str(&msg));
cleanup:
	sb_free(&path);
	sb_free(&msg);
	return rc;
}

size_t theme_search_path(const char *datadir, const char *dirs[2])
{
	size_t n = 0;
	const char *env = getenv(THEME_DIR_ENV);
	if (env && *env)
		dirs[n++] = env;
	if (datadir && *datadir)
		dirs[n++] = datadir;
	return n;
}
