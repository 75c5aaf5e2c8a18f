/* keys: command table, key bindings, help text, ':' command line. */
#include "tui/ui/keys.h"
#include "core/util/edit_distance.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HELP_KEYS_COLS 22
#define HELP_NAME_COLS 22
#define SUGGEST_MAX_DISTANCE 2

struct command {
	const char *name;
	enum keys_colon colon;
	const char *arg;
	const char *help;
};

static const struct command commands[KEYS_CMD_COUNT] = {
	[KEYS_CMD_NONE] = { "", KEYS_KEY_ONLY, NULL, "" },
#define KEYS_ROW_(id, name, colon, arg, help) [KEYS_CMD_##id] = { name, colon, arg, help },
	KEYS_COMMANDS(KEYS_ROW_)
#undef KEYS_ROW_
};

struct binding {
	enum keys_map map;
	int key;
	enum keys_cmd cmd;
};

static const struct binding defaults[] = {
	{ KEYS_MAP_GLOBAL, KEYS_CTRL('c'), KEYS_CMD_INTERRUPT },
	{ KEYS_MAP_GLOBAL, KEYS_ESC, KEYS_CMD_CANCEL },
	{ KEYS_MAP_GLOBAL, KEYS_F(1), KEYS_CMD_HELP },
	{ KEYS_MAP_GLOBAL, KEYS_CTRL('l'), KEYS_CMD_REDRAW },
	{ KEYS_MAP_GLOBAL, KEYS_TAB, KEYS_CMD_FOCUS_NEXT },
	{ KEYS_MAP_GLOBAL, KEYS_BTAB, KEYS_CMD_FOCUS_PREV },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('1'), KEYS_CMD_FOCUS_PANE_1 },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('2'), KEYS_CMD_FOCUS_PANE_2 },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('3'), KEYS_CMD_FOCUS_PANE_3 },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('4'), KEYS_CMD_FOCUS_PANE_4 },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('5'), KEYS_CMD_FOCUS_PANE_5 },
	{ KEYS_MAP_GLOBAL, KEYS_ALT('z'), KEYS_CMD_ZOOM },

	{ KEYS_MAP_PANE, 'q', KEYS_CMD_QUIT },
	{ KEYS_MAP_PANE, '?', KEYS_CMD_HELP },
	{ KEYS_MAP_PANE, ':', KEYS_CMD_COMMAND_LINE },
	{ KEYS_MAP_PANE, '1', KEYS_CMD_FOCUS_PANE_1 },
	{ KEYS_MAP_PANE, '2', KEYS_CMD_FOCUS_PANE_2 },
	{ KEYS_MAP_PANE, '3', KEYS_CMD_FOCUS_PANE_3 },
	{ KEYS_MAP_PANE, '4', KEYS_CMD_FOCUS_PANE_4 },
	{ KEYS_MAP_PANE, '5', KEYS_CMD_FOCUS_PANE_5 },
	{ KEYS_MAP_PANE, 'i', KEYS_CMD_FOCUS_INPUT },
	{ KEYS_MAP_PANE, 'z', KEYS_CMD_ZOOM },
	{ KEYS_MAP_PANE, 'k', KEYS_CMD_SCROLL_UP },
	{ KEYS_MAP_PANE, KEYS_UP, KEYS_CMD_SCROLL_UP },
	{ KEYS_MAP_PANE, 'j', KEYS_CMD_SCROLL_DOWN },
	{ KEYS_MAP_PANE, KEYS_DOWN, KEYS_CMD_SCROLL_DOWN },
	{ KEYS_MAP_PANE, KEYS_PGUP, KEYS_CMD_PAGE_UP },
	{ KEYS_MAP_PANE, 'b', KEYS_CMD_PAGE_UP },
	{ KEYS_MAP_PANE, KEYS_PGDN, KEYS_CMD_PAGE_DOWN },
	{ KEYS_MAP_PANE, ' ', KEYS_CMD_PAGE_DOWN },
	{ KEYS_MAP_PANE, 'g', KEYS_CMD_SCROLL_TOP },
	{ KEYS_MAP_PANE, KEYS_HOME, KEYS_CMD_SCROLL_TOP },
	{ KEYS_MAP_PANE, 'G', KEYS_CMD_SCROLL_BOTTOM },
	{ KEYS_MAP_PANE, KEYS_END, KEYS_CMD_SCROLL_BOTTOM },
	{ KEYS_MAP_PANE, KEYS_ENTER, KEYS_CMD_OPEN_CHUNK },
	{ KEYS_MAP_PANE, '+', KEYS_CMD_MARK_RELEVANT },
	{ KEYS_MAP_PANE, '-', KEYS_CMD_MARK_IRRELEVANT },
	{ KEYS_MAP_PANE, 'a', KEYS_CMD_APPROVE },
	{ KEYS_MAP_PANE, 'e', KEYS_CMD_EDIT_QUESTION },
	{ KEYS_MAP_PANE, 'r', KEYS_CMD_ASK_AGAIN },
	{ KEYS_MAP_PANE, 'n', KEYS_CMD_NEXT_CITATION },
	{ KEYS_MAP_PANE, 'N', KEYS_CMD_PREV_CITATION },
	{ KEYS_MAP_PANE, 'y', KEYS_CMD_COPY_ANSWER },
	{ KEYS_MAP_PANE, 'c', KEYS_CMD_COPY_CODE },
	{ KEYS_MAP_PANE, 'Y', KEYS_CMD_COPY_CITATION },
	{ KEYS_MAP_PANE, 'u', KEYS_CMD_REINGEST },
	{ KEYS_MAP_PANE, 'w', KEYS_CMD_WHY_NOT },

	{ KEYS_MAP_INPUT, KEYS_ENTER, KEYS_CMD_SUBMIT },
	{ KEYS_MAP_INPUT, KEYS_ALT(KEYS_ENTER), KEYS_CMD_NEWLINE },
	{ KEYS_MAP_INPUT, KEYS_CTRL('j'), KEYS_CMD_NEWLINE },
	{ KEYS_MAP_INPUT, KEYS_LEFT, KEYS_CMD_EDIT_LEFT },
	{ KEYS_MAP_INPUT, KEYS_CTRL('b'), KEYS_CMD_EDIT_LEFT },
	{ KEYS_MAP_INPUT, KEYS_RIGHT, KEYS_CMD_EDIT_RIGHT },
	{ KEYS_MAP_INPUT, KEYS_CTRL('f'), KEYS_CMD_EDIT_RIGHT },
	{ KEYS_MAP_INPUT, KEYS_HOME, KEYS_CMD_EDIT_HOME },
	{ KEYS_MAP_INPUT, KEYS_CTRL('a'), KEYS_CMD_EDIT_HOME },
	{ KEYS_MAP_INPUT, KEYS_END, KEYS_CMD_EDIT_END },
	{ KEYS_MAP_INPUT, KEYS_CTRL('e'), KEYS_CMD_EDIT_END },
	{ KEYS_MAP_INPUT, KEYS_ALT('b'), KEYS_CMD_EDIT_WORD_LEFT },
	{ KEYS_MAP_INPUT, KEYS_CTRL_LEFT, KEYS_CMD_EDIT_WORD_LEFT },
	{ KEYS_MAP_INPUT, KEYS_ALT('f'), KEYS_CMD_EDIT_WORD_RIGHT },
	{ KEYS_MAP_INPUT, KEYS_CTRL_RIGHT, KEYS_CMD_EDIT_WORD_RIGHT },
	{ KEYS_MAP_INPUT, KEYS_BACKSPACE, KEYS_CMD_EDIT_DELETE_BACK },
	{ KEYS_MAP_INPUT, KEYS_CTRL('h'), KEYS_CMD_EDIT_DELETE_BACK },
	{ KEYS_MAP_INPUT, KEYS_DELETE, KEYS_CMD_EDIT_DELETE_FORWARD },
	{ KEYS_MAP_INPUT, KEYS_CTRL('d'), KEYS_CMD_EDIT_DELETE_FORWARD },
	{ KEYS_MAP_INPUT, KEYS_CTRL('u'), KEYS_CMD_EDIT_KILL_TO_START },
	{ KEYS_MAP_INPUT, KEYS_CTRL('k'), KEYS_CMD_EDIT_KILL_TO_END },
	{ KEYS_MAP_INPUT, KEYS_CTRL('w'), KEYS_CMD_EDIT_KILL_WORD_BACK },
	{ KEYS_MAP_INPUT, KEYS_CTRL('y'), KEYS_CMD_EDIT_YANK },
	{ KEYS_MAP_INPUT, KEYS_UP, KEYS_CMD_HISTORY_PREV },
	{ KEYS_MAP_INPUT, KEYS_CTRL('p'), KEYS_CMD_HISTORY_PREV },
	{ KEYS_MAP_INPUT, KEYS_DOWN, KEYS_CMD_HISTORY_NEXT },
	{ KEYS_MAP_INPUT, KEYS_CTRL('n'), KEYS_CMD_HISTORY_NEXT },
	{ KEYS_MAP_INPUT, KEYS_CTRL('r'), KEYS_CMD_HISTORY_SEARCH },
	{ KEYS_MAP_INPUT, KEYS_CTRL('g'), KEYS_CMD_CANCEL },
	{ KEYS_MAP_INPUT, KEYS_PGUP, KEYS_CMD_PAGE_UP },
	{ KEYS_MAP_INPUT, KEYS_PGDN, KEYS_CMD_PAGE_DOWN },
};

static const char *const map_titles[KEYS_MAP_COUNT] = {
	[KEYS_MAP_GLOBAL] = "Keys anywhere",
	[KEYS_MAP_PANE] = "Keys in a pane",
	[KEYS_MAP_INPUT] = "Keys in the input line (other keys type text)",
};

static const struct {
	int key;
	const char *name;
} special_names[] = {
	{ KEYS_TAB, "Tab" }, { KEYS_ENTER, "Enter" }, { KEYS_ESC, "Esc" },
	{ ' ', "Space" },
	{ KEYS_UP, "Up" }, { KEYS_DOWN, "Down" }, { KEYS_LEFT, "Left" }, { KEYS_RIGHT, "Right" },
	{ KEYS_HOME, "Home" }, { KEYS_END, "End" }, { KEYS_PGUP, "PgUp" }, { KEYS_PGDN, "PgDn" },
	{ KEYS_INSERT, "Insert" }, { KEYS_DELETE, "Delete" }, { KEYS_BACKSPACE, "Backspace" },
	{ KEYS_BTAB, "S-Tab" }, { KEYS_CTRL_LEFT, "C-Left" }, { KEYS_CTRL_RIGHT, "C-Right" },
	{ KEYS_RESIZE, "Resize" },
};

struct keys_table {
	struct binding *b;
	size_t n;
};

const char *keys_cmd_name(enum keys_cmd cmd)
{
	return (unsigned)cmd < KEYS_CMD_COUNT ? commands[cmd].name : "";
}

const char *keys_cmd_help(enum keys_cmd cmd)
{
	return (unsigned)cmd < KEYS_CMD_COUNT ? commands[cmd].help : "";
}

enum keys_colon keys_cmd_colon(enum keys_cmd cmd)
{
	return (unsigned)cmd < KEYS_CMD_COUNT ? commands[cmd].colon : KEYS_KEY_ONLY;
}

enum keys_cmd keys_cmd_by_name(const char *name)
{
	for (int i = 1; i < KEYS_CMD_COUNT; i++)
		if (!strcmp(commands[i].name, name))
			return (enum keys_cmd)i;
	return KEYS_CMD_NONE;
}

struct keys_table *keys_table_new(void)
{
	struct keys_table *t = xcalloc(1, sizeof(*t));
	t->b = xmemdup(defaults, sizeof(defaults));
	t->n = ARRAY_LEN(defaults);
	return t;
}

void keys_table_free(struct keys_table **pt)
{
	struct keys_table *t = *pt;
	if (!t)
		return;
	free(t->b);
	free(t);
	*pt = NULL;
}

void keys_bind(struct keys_table *t, enum keys_map map, int key, enum keys_cmd cmd)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->b[i].map != map || t->b[i].key != key)
			continue;
		if (cmd == KEYS_CMD_NONE)
			t->b[i] = t->b[--t->n];
		else
			t->b[i].cmd = cmd;
		return;
	}
	if (cmd == KEYS_CMD_NONE)
		return;
	t->b = xreallocarray(t->b, t->n + 1, sizeof(*t->b));
	t->b[t->n++] = (struct binding){ map, key, cmd };
}

static enum keys_cmd lookup_in(const struct keys_table *t, enum keys_map map, int key)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->b[i].map == map && t->b[i].key == key)
			return t->b[i].cmd;
	return KEYS_CMD_NONE;
}

enum keys_cmd keys_lookup(const struct keys_table *t, enum keys_map map, int key)
{
	enum keys_cmd cmd = lookup_in(t, map, key);
	return cmd != KEYS_CMD_NONE ? cmd : lookup_in(t, KEYS_MAP_GLOBAL, key);
}

void keys_key_name(int key, char *buf, size_t size)
{
	const char *alt = key & KEYS_ALT_FLAG ? "M-" : "";
	int k = key & ~KEYS_ALT_FLAG;
	char ch[5];

	for (size_t i = 0; i < ARRAY_LEN(special_names); i++) {
		if (special_names[i].key == k) {
			snprintf(buf, size, "%s%s", alt, special_names[i].name);
			return;
		}
	}
	if (k > KEYS_F0 && k < KEYS_SPECIAL_END)
		snprintf(buf, size, "%sF%d", alt, k - KEYS_F0);
	else if (k >= 0 && k < 0x20)
		snprintf(buf, size, "%sC-%c", alt, k == 0 ? '@' : k <= 26 ? 'a' + k - 1 : k + 0x40);
	else if (k >= 0x20 && k < KEYS_SPECIAL_BASE && utf8_cp_width((uint32_t)k) > 0) {
		ch[utf8_encode((uint32_t)k, ch)] = '\0';
		snprintf(buf, size, "%s%s", alt, ch);
	} else
		snprintf(buf, size, "%s<%#x>", alt, (unsigned)k);
}

int keys_parse_key(const char *name)
{
	int alt = 0;
	char buf[32];
	uint32_t cp;

	if (!strncmp(name, "M-", 2) && name[2]) {
		alt = KEYS_ALT_FLAG;
		name += 2;
	}
	for (size_t i = 0; i < ARRAY_LEN(special_names); i++)
		if (!strcmp(special_names[i].name, name))
			return special_names[i].key | alt;
	if (name[0] == 'F' && isdigit((unsigned char)name[1])) {
		char *end;
		long n = strtol(name + 1, &end, 10);
		return !*end && n >= 1 && n <= 12 ? KEYS_F((int)n) | alt : -1;
	}
	if (!strncmp(name, "C-", 2) && name[2] && !name[3]) {
		char c = name[2];
		return (c >= 'a' && c <= 'z') || strchr("@\\]^_", c) ? KEYS_CTRL(c) | alt : -1;
	}
	size_t len = strlen(name);
	size_t n = utf8_decode(name, len, &cp);
	if (n == 0 || n != len || utf8_cp_width(cp) <= 0)
		return -1;
	keys_key_name((int)cp, buf, sizeof(buf));
	return strcmp(buf, name) ? -1 : (int)cp | alt;
}

/* Append the keys bound to cmd in map, ", "-separated. */
static void keys_of(const struct keys_table *t, enum keys_map map, enum keys_cmd cmd,
                    struct strbuf *out)
{
	char name[32];
	for (size_t i = 0; i < t->n; i++) {
		if (t->b[i].map != map || t->b[i].cmd != cmd)
			continue;
		keys_key_name(t->b[i].key, name, sizeof(name));
		sb_printf(out, "%s%s", out->len ? ", " : "", name);
	}
}

static void help_line(struct strbuf *out, const char *left, const char *name, const char *help)
{
	sb_printf(out, "  %-*s %-*s %s\n", HELP_KEYS_COLS, left, HELP_NAME_COLS, name, help);
}

void keys_help(const struct keys_table *t, struct strbuf *out)
{
	struct strbuf keys = STRBUF_INIT, usage = STRBUF_INIT;

	for (int m = 0; m < KEYS_MAP_COUNT; m++) {
		bool shown[KEYS_CMD_COUNT] = { false };
		sb_printf(out, "%s%s\n", m ? "\n" : "", map_titles[m]);
		for (size_t i = 0; i < t->n; i++) {
			enum keys_cmd c = t->b[i].cmd;
			if (t->b[i].map != (enum keys_map)m || shown[c])
				continue;
			shown[c] = true;
			sb_reset(&keys);
			keys_of(t, (enum keys_map)m, c, &keys);
			help_line(out, sb_str(&keys), commands[c].name, commands[c].help);
		}
	}
	sb_puts(out, "\nCommands (type : then the command)\n");
	for (int c = 1; c < KEYS_CMD_COUNT; c++) {
		if (commands[c].colon == KEYS_KEY_ONLY)
			continue;
		sb_reset(&usage);
		sb_printf(&usage, ":%s%s%s", commands[c].name, commands[c].arg ? " " : "",
		          commands[c].arg ? commands[c].arg : "");
		help_line(out, sb_str(&usage), "", commands[c].help);
	}
	sb_free(&keys);
	sb_free(&usage);
}

/* The ':' command closest to word (a prefix of it, or within a small edit
 * distance), or KEYS_CMD_NONE. */
static enum keys_cmd suggest(const char *word)
{
	enum keys_cmd best = KEYS_CMD_NONE;
	size_t best_d = SUGGEST_MAX_DISTANCE + 1;
	for (int c = 1; c < KEYS_CMD_COUNT; c++) {
		if (commands[c].colon == KEYS_KEY_ONLY)
			continue;
		bool prefix = !strncmp(commands[c].name, word, strlen(word));
		size_t d = prefix ? 0 : edit_distance(word, commands[c].name, SUGGEST_MAX_DISTANCE);
		if (d < best_d) {
			best_d = d;
			best = (enum keys_cmd)c;
		}
	}
	return best;
}

static void usage_of(enum keys_cmd cmd, char *buf, size_t size)
{
	snprintf(buf, size, ":%s%s%s", commands[cmd].name, commands[cmd].arg ? " " : "",
	         commands[cmd].arg ? commands[cmd].arg : "");
}

int keys_parse_cmdline(const char *line, struct keys_cmdline *out, char *err, size_t errlen)
{
	char usage[64];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*line))
		line++;
	if (*line == ':')
		line++;
	while (isspace((unsigned char)*line))
		line++;
	size_t wlen = strcspn(line, " \t");
	char *word = xstrndup(line, wlen);
	const char *rest = line + wlen;
	while (isspace((unsigned char)*rest))
		rest++;
	size_t rlen = strlen(rest);
	while (rlen > 0 && isspace((unsigned char)rest[rlen - 1]))
		rlen--;

	enum keys_cmd cmd = keys_cmd_by_name(word);
	if (!*word) {
		snprintf(err, errlen, "no command given; press ? for the list of commands");
		goto cleanup;
	}
	if (cmd == KEYS_CMD_NONE || commands[cmd].colon == KEYS_KEY_ONLY) {
		enum keys_cmd near = suggest(word);
		if (near != KEYS_CMD_NONE) {
			usage_of(near, usage, sizeof(usage));
			snprintf(err, errlen, "unknown command ':%s'; did you mean '%s'?", word, usage);
		} else {
			snprintf(err, errlen, "unknown command ':%s'; press ? for the list of commands",
			         word);
		}
		goto cleanup;
	}
	usage_of(cmd, usage, sizeof(usage));
	switch (commands[cmd].colon) {
	case KEYS_COLON:
		if (rlen) {
			snprintf(err, errlen, "':%s' takes no argument", word);
			goto cleanup;
		}
		break;
	case KEYS_COLON_TEXT:
		if (!rlen) {
			snprintf(err, errlen, "':%s' needs %s: %s", word, commands[cmd].arg, usage);
			goto cleanup;
		}
		out->arg = xstrndup(rest, rlen);
		break;
	case KEYS_COLON_NUMBER: {
		char *end = NULL;
		errno = 0;
		long n = rlen ? strtol(rest, &end, 10) : 0;
		if (!rlen || errno || end != rest + rlen || n < 1) {
			snprintf(err, errlen, "':%s' needs a positive number %s, got '%.*s': %s", word,
			         commands[cmd].arg, (int)rlen, rest, usage);
			goto cleanup;
		}
		out->num = n;
		break;
	}
	default:
		break;
	}
	out->cmd = cmd;
	rc = 0;
cleanup:
	free(word);
	return rc;
}
