/* highlight: a code block's language from its info string, and one line
 * classified by that language's lexer through the span emitter and the
 * scanners every lexer shares (words, numbers, strings, comments). */
#include "tui/ui/highlight.h"
#include "tui/ui/highlight_int.h"

#include <stdlib.h>
#include <string.h>

/* Longer than any name in lang_names. */
#define LANG_NAME_MAX 16

struct lang_name {
	const char *name;
	enum hl_lang lang;
};

/* Sorted by strcmp, lower case. */
static const struct lang_name lang_names[] = {
	{ "bash", HL_LANG_SHELL },
	{ "c", HL_LANG_C },
	{ "c++", HL_LANG_C },
	{ "cc", HL_LANG_C },
	{ "cfg", HL_LANG_INI },
	{ "cjs", HL_LANG_JS },
	{ "conf", HL_LANG_INI },
	{ "console", HL_LANG_CONSOLE },
	{ "cpp", HL_LANG_C },
	{ "cxx", HL_LANG_C },
	{ "diff", HL_LANG_DIFF },
	{ "dosini", HL_LANG_INI },
	{ "h", HL_LANG_C },
	{ "hpp", HL_LANG_C },
	{ "ini", HL_LANG_INI },
	{ "javascript", HL_LANG_JS },
	{ "js", HL_LANG_JS },
	{ "json", HL_LANG_JSON },
	{ "json5", HL_LANG_JSON },
	{ "jsonc", HL_LANG_JSON },
	{ "jsonl", HL_LANG_JSON },
	{ "jsx", HL_LANG_JS },
	{ "ksh", HL_LANG_SHELL },
	{ "log", HL_LANG_LOG },
	{ "mariadb", HL_LANG_SQL },
	{ "mjs", HL_LANG_JS },
	{ "mysql", HL_LANG_SQL },
	{ "node", HL_LANG_JS },
	{ "patch", HL_LANG_DIFF },
	{ "postgres", HL_LANG_SQL },
	{ "postgresql", HL_LANG_SQL },
	{ "properties", HL_LANG_INI },
	{ "py", HL_LANG_PYTHON },
	{ "py3", HL_LANG_PYTHON },
	{ "python", HL_LANG_PYTHON },
	{ "python3", HL_LANG_PYTHON },
	{ "sh", HL_LANG_SHELL },
	{ "shell", HL_LANG_SHELL },
	{ "shell-session", HL_LANG_CONSOLE },
	{ "sql", HL_LANG_SQL },
	{ "sqlite", HL_LANG_SQL },
	{ "sqlite3", HL_LANG_SQL },
	{ "systemd", HL_LANG_INI },
	{ "text", HL_LANG_LOG },
	{ "toml", HL_LANG_INI },
	{ "ts", HL_LANG_JS },
	{ "tsx", HL_LANG_JS },
	{ "txt", HL_LANG_LOG },
	{ "typescript", HL_LANG_JS },
	{ "udiff", HL_LANG_DIFF },
	{ "yaml", HL_LANG_YAML },
	{ "yml", HL_LANG_YAML },
	{ "zsh", HL_LANG_SHELL },
};

static const struct hl_lexer *const lexers[HL_LANG_COUNT] = {
	[HL_LANG_SHELL] = &hl_lexer_shell,
	[HL_LANG_CONSOLE] = &hl_lexer_console,
	[HL_LANG_YAML] = &hl_lexer_yaml,
	[HL_LANG_JSON] = &hl_lexer_json,
	[HL_LANG_PYTHON] = &hl_lexer_python,
	[HL_LANG_JS] = &hl_lexer_js,
	[HL_LANG_C] = &hl_lexer_c,
	[HL_LANG_SQL] = &hl_lexer_sql,
	[HL_LANG_INI] = &hl_lexer_ini,
	[HL_LANG_DIFF] = &hl_lexer_diff,
	[HL_LANG_LOG] = &hl_lexer_log,
};

static int cmp_lang_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lang_name *)elem)->name);
}

static bool ends_name(char ch)
{
	return ch == ' ' || ch == '\t' || ch == ',' || ch == '{' || ch == '}' || ch == ':';
}

enum hl_lang hl_lang_from_name(const char *info, size_t len)
{
	char name[LANG_NAME_MAX + 1];
	size_t i = 0, n = 0;
	while (i < len && (info[i] == ' ' || info[i] == '\t'))
		i++;
	for (; i < len && !ends_name(info[i]); i++) {
		if (n == LANG_NAME_MAX)
			return HL_LANG_NONE;
		char ch = info[i];
		name[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	name[n] = '\0';
	const struct lang_name *hit = bsearch(name, lang_names, HL_ARRAY_LEN(lang_names),
					      sizeof lang_names[0], cmp_lang_name);
	return hit ? hit->lang : HL_LANG_NONE;
}

const struct hl_lexer *hl_lexer(enum hl_lang lang)
{
	return (unsigned)lang < HL_LANG_COUNT ? lexers[lang] : NULL;
}

unsigned hl_line(enum hl_lang lang, unsigned state, const char *line, size_t len,
		 struct hl_span *out, size_t max, size_t *n)
{
	struct hl_ctx c = {
		.s = line, .len = len, .lexer = hl_lexer(lang), .out = out, .max = max
	};
	unsigned next = c.lexer ? c.lexer->lex(&c, state) : HL_STATE_START;
	hl_emit(&c, len, len, HL_PLAIN);
	*n = c.n;
	return next;
}

/* Append [start, end) to the spans: merged into the last one when the
 * class is the same (or the spans are full), else a new span; when none
 * is left, the last one becomes plain (merged into a plain one before it)
 * and takes the rest of the line. */
static void push(struct hl_ctx *c, size_t start, size_t end, enum hl_class cls)
{
	c->end = end;
	if (c->n == 0 || (!c->full && c->out[c->n - 1].cls != cls && c->n < c->max)) {
		if (c->n < c->max)
			c->out[c->n++] = (struct hl_span){ .off = start, .len = end - start,
							   .cls = cls };
		return;
	}
	struct hl_span *last = &c->out[c->n - 1];
	if (!c->full && last->cls != cls) {
		c->full = true;
		last->cls = HL_PLAIN;
		if (c->n > 1 && last[-1].cls == HL_PLAIN)
			last = &c->out[--c->n - 1];
	}
	last->len = end - last->off;
}

void hl_emit(struct hl_ctx *c, size_t start, size_t end, enum hl_class cls)
{
	if (end > c->len)
		end = c->len;
	if (start < c->end)
		start = c->end;
	if (start > end)
		return;
	if (start > c->end)
		push(c, c->end, start, HL_PLAIN);
	if (end > start)
		push(c, start, end, cls);
}

/* strcmp of the word s[0..n) (folded to lower case when fold) against w. */
static int cmp_word(const char *s, size_t n, const char *w, bool fold)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)w[i];
		if (fold && a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (a != b || b == '\0')
			return a - b;
	}
	return -(unsigned char)w[n];
}

enum hl_class hl_word_class(const struct hl_ctx *c, size_t start, size_t end)
{
	const struct hl_lexer *lx = c->lexer;
	size_t lo = 0, hi = lx->nwords;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = cmp_word(c->s + start, end - start, lx->words[mid].word, lx->fold);
		if (d == 0)
			return lx->words[mid].cls;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return HL_PLAIN;
}

bool hl_is_word(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch >= 0x80;
}

size_t hl_word_end(const struct hl_ctx *c, size_t i)
{
	while (i < c->len && hl_is_word((unsigned char)c->s[i]))
		i++;
	return i;
}

size_t hl_char_end(const struct hl_ctx *c, size_t i)
{
	if (i >= c->len)
		return c->len;
	i++;
	while (i < c->len && ((unsigned char)c->s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

size_t hl_skip_blanks(const struct hl_ctx *c, size_t i)
{
	while (i < c->len && (c->s[i] == ' ' || c->s[i] == '\t'))
		i++;
	return i;
}

bool hl_in(char ch, const char *set)
{
	return ch != '\0' && strchr(set, ch) != NULL;
}

bool hl_at(const struct hl_ctx *c, size_t i, char ch)
{
	return i < c->len && c->s[i] == ch;
}

static bool is_digit_at(const struct hl_ctx *c, size_t i)
{
	return i < c->len && c->s[i] >= '0' && c->s[i] <= '9';
}

bool hl_number_start(const struct hl_ctx *c, size_t i)
{
	return is_digit_at(c, i) || (hl_at(c, i, '.') && is_digit_at(c, i + 1));
}

size_t hl_number(struct hl_ctx *c, size_t i)
{
	size_t start = i;
	/* Digits, '_' and letters (hex digits, prefixes, suffixes), one '.',
	 * and a sign after a decimal exponent's 'e'. */
	bool dot = false;
	bool hex = c->s[i] == '0' && (hl_at(c, i + 1, 'x') || hl_at(c, i + 1, 'X'));
	while (i < c->len) {
		char ch = c->s[i];
		if (ch == '.' && !dot && is_digit_at(c, i + 1)) {
			dot = true;
			i++;
		} else if ((ch == '+' || ch == '-') && (c->s[i - 1] == 'e' || c->s[i - 1] == 'E') &&
			   is_digit_at(c, i + 1) && !hex) {
			i++;
		} else if (hl_is_word((unsigned char)ch)) {
			i++;
		} else {
			break;
		}
	}
	hl_emit(c, start, i, HL_NUMBER);
	return i;
}

size_t hl_bracket_end(const struct hl_ctx *c, size_t i)
{
	size_t j = c->s[i] == '$' ? i + 1 : i;
	char open = c->s[j], close = open == '(' ? ')' : '}';
	unsigned depth = 0;
	for (; j < c->len; j++) {
		if (c->s[j] == open) {
			depth++;
		} else if (c->s[j] == close && --depth == 0) {
			return j + 1;
		}
	}
	return c->len;
}

size_t hl_dollar_end(const struct hl_ctx *c, size_t i)
{
	if (hl_at(c, i + 1, '{') || hl_at(c, i + 1, '('))
		return hl_bracket_end(c, i);
	if (i + 1 < c->len && hl_in(c->s[i + 1], "?#@*$!-0123456789"))
		return i + 2;
	return hl_word_end(c, i + 1);
}

/* The interpolation starting at i in a string read with flags, its end, or
 * i when there is none. */
static size_t interpolation_end(const struct hl_ctx *c, size_t i, unsigned flags)
{
	char ch = c->s[i];
	if ((flags & HL_STR_DOLLAR) && ch == '$') {
		size_t end = hl_dollar_end(c, i);
		return end > i + 1 ? end : i;
	}
	if ((flags & HL_STR_DOLLAR_BRACE) && ch == '$' && hl_at(c, i + 1, '{'))
		return hl_bracket_end(c, i);
	if ((flags & HL_STR_BRACE) && ch == '{' && !hl_at(c, i + 1, '{'))
		return hl_bracket_end(c, i);
	return i;
}

/* Whether the string's closing quote is at i. */
static bool closes(const struct hl_ctx *c, size_t i, char quote, unsigned flags)
{
	if (c->s[i] != quote)
		return false;
	if (flags & HL_STR_TRIPLE)
		return hl_at(c, i + 1, quote) && hl_at(c, i + 2, quote);
	return !(flags & HL_STR_DOUBLED) || !hl_at(c, i + 1, quote);
}

/* Scan a string's body from i to its closing quote or, when flags have
 * interpolations, to the next one. Returns the end of the closing quote
 * (*closed set), the start of an interpolation, or the line's end. */
static size_t scan_body(const struct hl_ctx *c, size_t i, char quote, unsigned flags, bool *closed)
{
	*closed = false;
	while (i < c->len) {
		char ch = c->s[i];
		if (ch == '\\' && (flags & HL_STR_ESCAPE)) {
			i = hl_char_end(c, i + 1);
		} else if (closes(c, i, quote, flags)) {
			*closed = true;
			return i + (flags & HL_STR_TRIPLE ? 3 : 1);
		} else if (ch == quote && (flags & HL_STR_DOUBLED)) {
			i += 2;
		} else if (interpolation_end(c, i, flags) > i) {
			return i;
		} else if (ch == '{' && (flags & HL_STR_BRACE)) {
			i += 2;
		} else {
			i++;
		}
	}
	return c->len;
}

size_t hl_quoted_end(const struct hl_ctx *c, size_t body, char quote, unsigned flags)
{
	bool closed;
	return scan_body(c, body, quote, flags & (HL_STR_ESCAPE | HL_STR_DOUBLED | HL_STR_TRIPLE),
			 &closed);
}

size_t hl_string(struct hl_ctx *c, size_t start, size_t body, char quote, unsigned flags,
		 bool *closed)
{
	bool done = false;
	size_t i = body;
	for (;;) {
		i = scan_body(c, i, quote, flags, &done);
		hl_emit(c, start, i, HL_STRING);
		if (done || i >= c->len)
			break;
		start = interpolation_end(c, i, flags);
		hl_emit(c, i, start, HL_VARIABLE);
		i = start;
	}
	if (closed)
		*closed = done;
	return i;
}

size_t hl_block_comment(struct hl_ctx *c, size_t start, size_t body, bool *closed)
{
	size_t i = body;
	*closed = false;
	for (; i + 1 < c->len; i++) {
		if (c->s[i] == '*' && c->s[i + 1] == '/') {
			*closed = true;
			i += 2;
			break;
		}
	}
	if (!*closed)
		i = c->len;
	hl_emit(c, start, i, HL_COMMENT);
	return i;
}

bool hl_comment_goes_on(struct hl_ctx *c, unsigned state, size_t *i)
{
	bool closed = true;
	if (state == HL_BLOCK_COMMENT)
		*i = hl_block_comment(c, 0, 0, &closed);
	return !closed;
}

size_t hl_c_comments(struct hl_ctx *c, size_t i, bool *open)
{
	*open = false;
	while (hl_at(c, i, '/')) {
		if (hl_at(c, i + 1, '/')) {
			hl_emit(c, i, c->len, HL_COMMENT);
			return c->len;
		}
		if (!hl_at(c, i + 1, '*'))
			break;
		bool closed;
		i = hl_block_comment(c, i, i + 2, &closed);
		*open = !closed;
	}
	return i;
}
