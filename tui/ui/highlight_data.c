/* highlight_data: the lexers of configuration and data: YAML, JSON,
 * INI/TOML, unified diffs and log lines. */
#include "tui/ui/highlight_int.h"

#include <string.h>

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Whether ch may be part of a number, a date or a time: ASCII letters,
 * digits and "_.:+-" ("0x1F", "1979-05-27T07:32:00Z", "+2.5e-3"). */
static bool numberish(char ch)
{
	return ((unsigned char)ch < 0x80 && hl_is_word((unsigned char)ch)) || hl_in(ch, ".:+-");
}

/* The end of the run of numberish bytes from i. */
static size_t numberish_end(const struct hl_ctx *c, size_t i)
{
	while (i < c->len && numberish(c->s[i]))
		i++;
	return i;
}

/* Whether a number starts at i, after a sign or not. */
static bool signed_number_start(const struct hl_ctx *c, size_t i)
{
	return hl_number_start(c, i) ||
	       (i < c->len && hl_in(c->s[i], "+-") && hl_number_start(c, i + 1));
}

/* Whether c->s[start..end) reads as a number, a date or a time: a number's
 * start, then numberish bytes only. */
static bool numeric(const struct hl_ctx *c, size_t start, size_t end)
{
	return start < end && signed_number_start(c, start) && numberish_end(c, start) >= end;
}

/* A bare value c->s[start..end): a number, a word of the language
 * (true, off, null), or text. */
static enum hl_class bare_value(const struct hl_ctx *c, size_t start, size_t end)
{
	if (numeric(c, start, end))
		return HL_NUMBER;
	enum hl_class cls = hl_word_class(c, start, end);
	return cls == HL_PLAIN ? HL_STRING : cls;
}

/* YAML. State: inside a block scalar ("key: |"), YAML_BLOCK with the
 * column of the node that holds it: lines indented deeper (and blank
 * lines) are its text. */
enum { YAML_BLOCK = 0x10000u, YAML_COLUMN = 0xFFFFu };

/* Sorted by strcmp, lower case: the plain scalars YAML reads as
 * booleans, null and special floats. */
static const struct hl_word yaml_words[] = {
	{ "-.inf", HL_KEYWORD }, { ".inf", HL_KEYWORD }, { ".nan", HL_KEYWORD },
	{ "false", HL_KEYWORD }, { "no", HL_KEYWORD }, { "null", HL_KEYWORD },
	{ "off", HL_KEYWORD }, { "on", HL_KEYWORD }, { "true", HL_KEYWORD },
	{ "yes", HL_KEYWORD }, { "~", HL_KEYWORD },
};

/* Where YAML reads a line. */
struct yaml {
	size_t depth;     /* open [ and { of a flow collection */
	bool key_ok;      /* a key may start here */
	size_t node;      /* column of the last key or "- " */
	bool block;       /* a block scalar's header was seen */
};

static bool yaml_flow_char(char ch)
{
	return ch == ',' || ch == '[' || ch == ']' || ch == '{' || ch == '}';
}

/* Whether the ':' at i ends a key. */
static bool yaml_colon(const struct hl_ctx *c, const struct yaml *y, size_t i)
{
	if (c->s[i] != ':' || i + 1 == c->len)
		return c->s[i] == ':';
	return is_blank(c->s[i + 1]) || (y->depth && yaml_flow_char(c->s[i + 1]));
}

/* A plain scalar from i: emits it as a key or a value; returns its end. */
static size_t yaml_plain(struct hl_ctx *c, struct yaml *y, size_t i)
{
	bool colons = y->key_ok || y->depth;
	size_t j = i;
	for (; j < c->len; j++) {
		bool comment = is_blank(c->s[j]) && hl_at(c, j + 1, '#');
		bool flow_end = y->depth && yaml_flow_char(c->s[j]);
		if (comment || flow_end || (colons && yaml_colon(c, y, j)))
			break;
	}
	size_t end = j;
	while (end > i && is_blank(c->s[end - 1]))
		end--;
	if (j == i)
		return hl_char_end(c, i);
	bool key = j < c->len && c->s[j] == ':' && colons;
	hl_emit(c, i, end, key ? HL_KEY : bare_value(c, i, end));
	if (key)
		y->node = i;
	y->key_ok = false;
	return j + key;
}

/* A quoted scalar from i: a key when ':' follows. */
static size_t yaml_quoted(struct hl_ctx *c, struct yaml *y, size_t i)
{
	char quote = c->s[i];
	size_t end = hl_quoted_end(c, i + 1, quote, quote == '"' ? HL_STR_ESCAPE : HL_STR_DOUBLED);
	size_t j = hl_skip_blanks(c, end);
	bool key = y->key_ok && j < c->len && yaml_colon(c, y, j);
	hl_emit(c, i, end, key ? HL_KEY : HL_STRING);
	if (key)
		y->node = i;
	y->key_ok = false;
	return key ? j + 1 : end;
}

/* The end of an anchor, alias or tag from i. */
static size_t yaml_name_end(const struct hl_ctx *c, size_t i)
{
	for (i++; i < c->len && !is_blank(c->s[i]) && !yaml_flow_char(c->s[i]); i++)
		;
	return i;
}

/* One token of YAML at i; returns its end. */
static size_t yaml_token(struct hl_ctx *c, struct yaml *y, size_t i)
{
	char ch = c->s[i];
	if (is_blank(ch))
		return i + 1;
	if (ch == '#' && (i == 0 || is_blank(c->s[i - 1]))) {
		hl_emit(c, i, c->len, HL_COMMENT);
		return c->len;
	}
	if (ch == '-' && !y->depth && (i + 1 == c->len || is_blank(c->s[i + 1]))) {
		y->node = i;
		y->key_ok = true;
		return i + 1;
	}
	if (ch == '[' || ch == '{' || (y->depth && (ch == ',' || ch == ']' || ch == '}'))) {
		if (ch == '[' || ch == '{')
			y->depth++;
		else if (ch != ',')
			y->depth--;
		y->key_ok = ch != ']' && ch != '}';
		return i + 1;
	}
	if (ch == '&' || ch == '*' || ch == '!') {
		size_t end = yaml_name_end(c, i);
		hl_emit(c, i, end, ch == '!' ? HL_TYPE : HL_VARIABLE);
		return end;
	}
	if ((ch == '|' || ch == '>') && !y->depth) {
		y->block = true;
		return yaml_name_end(c, i);
	}
	if (ch == '"' || ch == '\'')
		return yaml_quoted(c, y, i);
	return yaml_plain(c, y, i);
}

static unsigned lex_yaml(struct hl_ctx *c, unsigned state)
{
	size_t i = hl_skip_blanks(c, 0);
	if ((state & YAML_BLOCK) && (i == c->len || i > (state & YAML_COLUMN))) {
		hl_emit(c, i, c->len, HL_STRING);
		return state & (YAML_BLOCK | YAML_COLUMN);
	}
	struct yaml y = { .key_ok = true, .node = i };
	if (i == 0 && c->len >= 3 && (!memcmp(c->s, "---", 3) || !memcmp(c->s, "...", 3)) &&
	    (c->len == 3 || is_blank(c->s[3]))) {
		hl_emit(c, 0, 3, HL_KEYWORD);
		i = 3;
	}
	while (i < c->len)
		i = yaml_token(c, &y, i);
	return y.block ? YAML_BLOCK | (y.node < YAML_COLUMN ? (unsigned)y.node : YAML_COLUMN)
		       : HL_STATE_START;
}

/* JSON (and JSONC, JSON5 numbers and words). State: HL_BLOCK_COMMENT. */

static const struct hl_word json_words[] = {
	{ "Infinity", HL_KEYWORD }, { "NaN", HL_KEYWORD }, { "false", HL_KEYWORD },
	{ "null", HL_KEYWORD }, { "true", HL_KEYWORD },
};

static unsigned lex_json(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	bool open;
	if (hl_comment_goes_on(c, state, &i))
		return HL_BLOCK_COMMENT;
	while ((i = hl_c_comments(c, i, &open)) < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		if (ch == '"' || ch == '\'') {
			end = hl_quoted_end(c, i + 1, ch, HL_STR_ESCAPE);
			bool key = hl_at(c, hl_skip_blanks(c, end), ':');
			hl_emit(c, i, end, key ? HL_KEY : HL_STRING);
		} else if ((ch == '-' || ch == '+') && hl_number_start(c, i + 1)) {
			hl_emit(c, i, i + 1, HL_NUMBER);
			end = hl_number(c, i + 1);
		} else if (hl_number_start(c, i)) {
			end = hl_number(c, i);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			enum hl_class cls = hl_word_class(c, i, end);
			hl_emit(c, i, end, cls == HL_PLAIN && hl_at(c, end, ':') ? HL_KEY : cls);
		}
		i = end;
	}
	return open ? HL_BLOCK_COMMENT : HL_STATE_START;
}

/* INI, TOML, .conf, .properties, systemd units. State: inside a TOML
 * multi-line string. */
enum { INI_BASIC3 = 1, INI_LITERAL3 = 2 };

/* Sorted by strcmp, lower case: the words read as booleans. */
static const struct hl_word ini_words[] = {
	{ "false", HL_KEYWORD }, { "no", HL_KEYWORD }, { "off", HL_KEYWORD },
	{ "on", HL_KEYWORD }, { "true", HL_KEYWORD }, { "yes", HL_KEYWORD },
};

/* Whether a comment starts at i: '#' or ';' first on the line or after a
 * blank. */
static bool ini_comment(const struct hl_ctx *c, size_t i)
{
	return (c->s[i] == '#' || c->s[i] == ';') && (i == 0 || is_blank(c->s[i - 1]));
}

/* A string from start, its body from body: basic ("...", with escapes)
 * or literal ('...'), triple-quoted when triple. Returns the next line's
 * state and sets *end. */
static unsigned ini_string(struct hl_ctx *c, size_t start, size_t body, char quote, bool triple,
			   size_t *end)
{
	unsigned flags = (quote == '"' ? HL_STR_ESCAPE : 0) | (triple ? HL_STR_TRIPLE : 0);
	bool closed;
	*end = hl_string(c, start, body, quote, flags, &closed);
	if (closed || !triple)
		return HL_STATE_START;
	return quote == '"' ? INI_BASIC3 : INI_LITERAL3;
}

/* The tokens of a TOML value (arrays, inline tables) from i. */
static unsigned ini_tokens(struct hl_ctx *c, size_t i)
{
	while (i < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		unsigned next = HL_STATE_START;
		if (ini_comment(c, i)) {
			hl_emit(c, i, c->len, HL_COMMENT);
			break;
		} else if (ch == '"' || ch == '\'') {
			bool triple = hl_at(c, i + 1, ch) && hl_at(c, i + 2, ch);
			next = ini_string(c, i, i + (triple ? 3 : 1), ch, triple, &end);
		} else if (signed_number_start(c, i)) {
			end = numberish_end(c, i);
			hl_emit(c, i, end, HL_NUMBER);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			enum hl_class cls = hl_word_class(c, i, end);
			if (cls == HL_PLAIN && hl_at(c, hl_skip_blanks(c, end), '='))
				cls = HL_KEY;
			hl_emit(c, i, end, cls);
		}
		if (next)
			return next;
		i = end;
	}
	return HL_STATE_START;
}

/* A value from i: tokens when quoted or bracketed, else one bare value up
 * to a comment. */
static unsigned ini_value(struct hl_ctx *c, size_t i)
{
	i = hl_skip_blanks(c, i);
	if (i == c->len || hl_in(c->s[i], "\"'[{") || ini_comment(c, i))
		return ini_tokens(c, i);
	size_t j = i;
	while (j < c->len && !ini_comment(c, j))
		j++;
	size_t end = j;
	while (end > i && is_blank(c->s[end - 1]))
		end--;
	hl_emit(c, i, end, bare_value(c, i, end));
	return ini_tokens(c, j);
}

/* A key's character: bare keys are letters, digits, "_-." and blanks. */
static bool ini_key_char(char ch)
{
	return hl_is_word((unsigned char)ch) || ch == '-' || ch == '.' || is_blank(ch);
}

static unsigned lex_ini(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	if (state == INI_BASIC3 || state == INI_LITERAL3) {
		unsigned next = ini_string(c, 0, 0, state == INI_BASIC3 ? '"' : '\'', true, &i);
		return next ? next : ini_tokens(c, i);
	}
	i = hl_skip_blanks(c, 0);
	if (i == c->len || ini_comment(c, i))
		return ini_tokens(c, i);
	if (c->s[i] == '[') {
		const char *close = memchr(c->s + i, ']', c->len - i);
		size_t end = close ? (size_t)(close - c->s) + 1 : c->len;
		end += hl_at(c, end, ']');
		hl_emit(c, i, end, HL_HEADER);
		return ini_tokens(c, end);
	}
	size_t j = i;
	bool bare = hl_is_word((unsigned char)c->s[i]) && !is_digit(c->s[i]);
	if (c->s[i] == '"' || c->s[i] == '\'')
		j = hl_quoted_end(c, i + 1, c->s[i], c->s[i] == '"' ? HL_STR_ESCAPE : 0);
	else if (bare)
		while (j < c->len && ini_key_char(c->s[j]))
			j++;
	size_t sep = hl_skip_blanks(c, j), end = j;
	while (end > i && is_blank(c->s[end - 1]))
		end--;
	if (sep < c->len && (c->s[sep] == '=' || c->s[sep] == ':')) {
		hl_emit(c, i, end, HL_KEY);
		return ini_value(c, sep + 1);
	}
	/* A line of one bare word is a key without a value (my.cnf's
	 * "skip-name-resolve"), unless it is a value such as true in a
	 * TOML array. */
	bool lone = bare && (sep == c->len || ini_comment(c, sep)) &&
		    !memchr(c->s + i, ' ', end - i) && hl_word_class(c, i, end) == HL_PLAIN;
	if (lone)
		hl_emit(c, i, end, HL_KEY);
	return ini_tokens(c, lone ? end : i);
}

/* Unified diffs. State: 0 between hunks (and in a hunk whose header has
 * no line counts); in a hunk, DIFF_HUNK with the old and new lines still
 * to come, so that a removed line "-- x" is not a file header. */
enum { DIFF_HUNK = 1u << 30, DIFF_COUNT_BITS = 15, DIFF_COUNT_MAX = (1u << DIFF_COUNT_BITS) - 1 };

/* The lines before a hunk that name files and modes. */
static const char *const diff_headers[] = {
	"diff ", "index ", "--- ", "+++ ", "new file", "deleted file", "old mode", "new mode",
	"similarity ", "rename ", "copy ", "Binary files ", "Only in ",
};

static bool starts_with(const struct hl_ctx *c, const char *prefix)
{
	size_t n = strlen(prefix);
	return c->len >= n && memcmp(c->s, prefix, n) == 0;
}

/* A hunk header's count after "-l," or "+l,": *count, 1 without ','. */
static bool diff_range(const struct hl_ctx *c, size_t *i, char sign, unsigned *count)
{
	if (!hl_at(c, *i, sign) || *i + 1 >= c->len || !is_digit(c->s[*i + 1]))
		return false;
	for (++*i; *i < c->len && is_digit(c->s[*i]); ++*i)
		;
	*count = 1;
	if (hl_at(c, *i, ',')) {
		*count = 0;
		for (++*i; *i < c->len && is_digit(c->s[*i]); ++*i)
			if (*count < DIFF_COUNT_MAX)
				*count = *count * 10 + (unsigned)(c->s[*i] - '0');
		if (*count > DIFF_COUNT_MAX)
			*count = DIFF_COUNT_MAX;
	}
	return true;
}

static unsigned diff_pack(unsigned old, unsigned new)
{
	return old || new ? DIFF_HUNK | old | new << DIFF_COUNT_BITS : HL_STATE_START;
}

/* "@@ -l,s +l,s @@ context": the header to its closing "@@", and the
 * state with the hunk's counts. */
static unsigned diff_hunk_header(struct hl_ctx *c)
{
	size_t end = 3;
	while (end < c->len && !(c->s[end - 1] == '@' && c->s[end] == '@'))
		end++;
	hl_emit(c, 0, end < c->len ? end + 1 : c->len, HL_HEADER);
	size_t i = hl_skip_blanks(c, 2);
	unsigned old, new;
	if (!diff_range(c, &i, '-', &old))
		return HL_STATE_START;
	i = hl_skip_blanks(c, i);
	if (!diff_range(c, &i, '+', &new))
		return HL_STATE_START;
	return diff_pack(old, new);
}

/* The class of a line by its first byte: '+' added, '-' removed, '\\' a
 * note ("\\ No newline at end of file"). */
static enum hl_class diff_mark(char ch)
{
	return ch == '+' ? HL_ADDED : ch == '-' ? HL_REMOVED : ch == '\\' ? HL_COMMENT : HL_PLAIN;
}

/* A line of a hunk with old and new lines to come; false when it cannot
 * be one (the counts were wrong), to be read as a line between hunks. */
static bool diff_hunk_line(struct hl_ctx *c, unsigned *old, unsigned *new)
{
	char ch = c->len ? c->s[0] : ' ';
	if (ch == ' ' && *old && *new) {
		--*old;
		--*new;
	} else if (ch == '-' && *old) {
		--*old;
	} else if (ch == '+' && *new) {
		--*new;
	} else if (ch != '\\') {
		return false;
	}
	hl_emit(c, 0, c->len, diff_mark(ch));
	return true;
}

static unsigned lex_diff(struct hl_ctx *c, unsigned state)
{
	if (state & DIFF_HUNK) {
		unsigned old = state & DIFF_COUNT_MAX;
		unsigned new = state >> DIFF_COUNT_BITS & DIFF_COUNT_MAX;
		if (diff_hunk_line(c, &old, &new))
			return diff_pack(old, new);
	}
	if (starts_with(c, "@@"))
		return diff_hunk_header(c);
	for (size_t k = 0; k < HL_ARRAY_LEN(diff_headers); k++) {
		if (starts_with(c, diff_headers[k])) {
			hl_emit(c, 0, c->len, HL_HEADER);
			return HL_STATE_START;
		}
	}
	hl_emit(c, 0, c->len, diff_mark(c->len ? c->s[0] : ' '));
	return HL_STATE_START;
}

/* Log lines. No state. */

/* Sorted by strcmp, lower case: levels. */
static const struct hl_word log_words[] = {
	{ "alert", HL_ERROR }, { "crit", HL_ERROR }, { "critical", HL_ERROR },
	{ "debug", HL_KEYWORD }, { "emerg", HL_ERROR }, { "err", HL_ERROR },
	{ "error", HL_ERROR }, { "fatal", HL_ERROR }, { "info", HL_KEYWORD },
	{ "notice", HL_KEYWORD }, { "panic", HL_ERROR }, { "severe", HL_ERROR },
	{ "trace", HL_KEYWORD }, { "warn", HL_WARN }, { "warning", HL_WARN },
};

/* The end of a number, date, time, address or duration from i (a digit):
 * "2026-12-01T10:22:31Z", "10:22:31,123", "10.0.0.1:8080", "250ms". */
static size_t log_number_end(const struct hl_ctx *c, size_t i)
{
	size_t end = i;
	while (end < c->len) {
		char ch = c->s[end];
		bool comma_digit = ch == ',' && end + 1 < c->len && is_digit(c->s[end + 1]);
		if (!numberish(ch) && ch != '/' && !comma_digit)
			break;
		end++;
	}
	while (end > i + 1 && hl_in(c->s[end - 1], ".:/+-_"))
		end--;
	return end;
}

/* Whether the word c->s[start..end) may be a level: in capitals, first on
 * the line (at first), or right after '[', '<' or '=' ("[warn]",
 * "level=error"). */
static bool log_level_place(const struct hl_ctx *c, size_t first, size_t start, size_t end)
{
	if (start == first)
		return true;
	if (start > 0 && hl_in(c->s[start - 1], "[<="))
		return true;
	for (size_t i = start; i < end; i++)
		if (c->s[i] < 'A' || c->s[i] > 'Z')
			return false;
	return true;
}

static unsigned lex_log(struct hl_ctx *c, unsigned state)
{
	(void)state;
	size_t i = 0, first = hl_skip_blanks(c, 0);
	while (i < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		if (ch == '"') {
			end = hl_string(c, i, i + 1, '"', HL_STR_ESCAPE, NULL);
		} else if (is_digit(ch)) {
			/* Not the tail of a name: "pool-1", "v1.2", "/srv/app-2". */
			bool tail = i > 0 && hl_in(c->s[i - 1], "-./");
			end = log_number_end(c, i);
			hl_emit(c, i, end, tail ? HL_PLAIN : HL_NUMBER);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			if (hl_at(c, end, '='))
				hl_emit(c, i, end, HL_KEY);
			else if (log_level_place(c, first, i, end))
				hl_emit(c, i, end, hl_word_class(c, i, end));
		}
		i = end;
	}
	return HL_STATE_START;
}

const struct hl_lexer hl_lexer_yaml = {
	.lex = lex_yaml, .words = yaml_words, .nwords = HL_ARRAY_LEN(yaml_words), .fold = true
};
const struct hl_lexer hl_lexer_json = {
	.lex = lex_json, .words = json_words, .nwords = HL_ARRAY_LEN(json_words)
};
const struct hl_lexer hl_lexer_ini = {
	.lex = lex_ini, .words = ini_words, .nwords = HL_ARRAY_LEN(ini_words), .fold = true
};
const struct hl_lexer hl_lexer_diff = { .lex = lex_diff };
const struct hl_lexer hl_lexer_log = {
	.lex = lex_log, .words = log_words, .nwords = HL_ARRAY_LEN(log_words), .fold = true
};
