/* highlight_code: the lexers of programming languages: shell (and shell
 * sessions), Python, JavaScript/TypeScript, C/C++ and SQL. */
#include "tui/ui/highlight_int.h"

#include <string.h>

/* Whether c->s[start..end) is the word w. */
static bool is_word(const struct hl_ctx *c, size_t start, size_t end, const char *w)
{
	return end - start == strlen(w) && memcmp(c->s + start, w, end - start) == 0;
}

/* The class of the identifier c->s[start..end): a word of the language,
 * a name after '.' or "->" (a member: never a keyword), a call when '('
 * follows. */
static enum hl_class identifier(const struct hl_ctx *c, size_t start, size_t end)
{
	bool arrow = start > 1 && c->s[start - 2] == '-' && c->s[start - 1] == '>';
	bool member = arrow || (start > 0 && c->s[start - 1] == '.');
	enum hl_class cls = member ? HL_PLAIN : hl_word_class(c, start, end);
	if (cls == HL_PLAIN && hl_at(c, end, '('))
		cls = HL_FUNCTION;
	return cls;
}

/* Shell. State: SH_CONTINUED after a line ending in a backslash, whose
 * next line goes on with the same command's arguments. */
enum { SH_CONTINUED = 1 };

/* Sorted by strcmp. Keywords; builtins (and the tests "[", "[[") as
 * HL_TYPE; commands that run the next word as a command (sudo) as
 * HL_FUNCTION. */
static const struct hl_word shell_words[] = {
	{ "!", HL_KEYWORD }, { "[", HL_TYPE }, { "[[", HL_TYPE }, { "alias", HL_TYPE },
	{ "builtin", HL_FUNCTION }, { "case", HL_KEYWORD }, { "cd", HL_TYPE },
	{ "command", HL_FUNCTION }, { "declare", HL_TYPE }, { "do", HL_KEYWORD },
	{ "doas", HL_FUNCTION }, { "done", HL_KEYWORD }, { "echo", HL_TYPE },
	{ "elif", HL_KEYWORD }, { "else", HL_KEYWORD }, { "env", HL_FUNCTION },
	{ "esac", HL_KEYWORD }, { "eval", HL_TYPE }, { "exec", HL_FUNCTION },
	{ "exit", HL_TYPE }, { "export", HL_TYPE }, { "fi", HL_KEYWORD }, { "for", HL_KEYWORD },
	{ "function", HL_KEYWORD }, { "if", HL_KEYWORD }, { "in", HL_KEYWORD },
	{ "local", HL_TYPE }, { "nohup", HL_FUNCTION }, { "printf", HL_TYPE }, { "read", HL_TYPE },
	{ "readonly", HL_TYPE }, { "return", HL_TYPE }, { "select", HL_KEYWORD },
	{ "set", HL_TYPE }, { "shift", HL_TYPE }, { "source", HL_TYPE }, { "sudo", HL_FUNCTION },
	{ "test", HL_TYPE }, { "then", HL_KEYWORD }, { "time", HL_FUNCTION }, { "trap", HL_TYPE },
	{ "unset", HL_TYPE }, { "until", HL_KEYWORD }, { "wait", HL_TYPE },
	{ "while", HL_KEYWORD }, { "{", HL_KEYWORD }, { "}", HL_KEYWORD },
};

/* Where the shell reads a line. */
struct sh {
	bool cmd;      /* the next word is a command */
	bool in_word;  /* inside a word: a blank ends it */
	bool keep;     /* the word keeps the command position (NAME=, sudo, then) */
	bool want_in;  /* after for, case or select: "in" is a keyword */
	bool decl;     /* after export, local, declare, readonly: NAME= */
};

/* The end of a name NAME in "NAME=" or "NAME+=" at i, or i. */
static size_t sh_assignment(const struct hl_ctx *c, size_t i, size_t end)
{
	size_t j = i;
	if (j < end && c->s[j] >= '0' && c->s[j] <= '9')
		return i;
	while (j < end && hl_is_word((unsigned char)c->s[j]) && (unsigned char)c->s[j] < 0x80)
		j++;
	if (j > i && (hl_at(c, j, '=') || (hl_at(c, j, '+') && hl_at(c, j + 1, '='))))
		return j;
	return i;
}

/* A word of the shell from i to end. */
static void sh_word(struct hl_ctx *c, struct sh *sh, size_t i, size_t end)
{
	bool first = !sh->in_word;
	sh->in_word = true;
	if (!first)
		return;
	size_t name = sh->cmd || sh->decl ? sh_assignment(c, i, end) : i;
	if (name > i) {
		hl_emit(c, i, name, HL_VARIABLE);
		sh->keep = sh->cmd;
		return;
	}
	if (sh->want_in && is_word(c, i, end, "in")) {
		hl_emit(c, i, end, HL_KEYWORD);
		sh->want_in = false;
		return;
	}
	/* An option ("-x") or a case pattern ("start)") is no command. */
	if (!sh->cmd || c->s[i] == '-' || hl_at(c, end, ')'))
		return;
	enum hl_class cls = hl_word_class(c, i, end);
	hl_emit(c, i, end, cls == HL_PLAIN ? HL_FUNCTION : cls);
	bool loop = is_word(c, i, end, "for") || is_word(c, i, end, "case") ||
		    is_word(c, i, end, "select");
	sh->keep = cls == HL_FUNCTION || (cls == HL_KEYWORD && !loop);
	sh->want_in = loop;
	sh->decl = is_word(c, i, end, "export") || is_word(c, i, end, "local") ||
		   is_word(c, i, end, "declare") || is_word(c, i, end, "readonly");
}

/* The shell from i with the command position cmd. */
static unsigned sh_lex(struct hl_ctx *c, size_t i, bool cmd)
{
	struct sh sh = { .cmd = cmd };
	while (i < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		if (ch == ' ' || ch == '\t') {
			if (sh.in_word && !sh.keep)
				sh.cmd = false;
			sh.in_word = sh.keep = false;
		} else if (ch == '#' && !sh.in_word) {
			hl_emit(c, i, c->len, HL_COMMENT);
			break;
		} else if (hl_in(ch, ";&|()`")) {
			sh.cmd = true;
			sh.in_word = sh.keep = sh.decl = false;
		} else if (ch == '<' || ch == '>') {
			while (end < c->len && hl_in(c->s[end], "<>&|"))
				end++;
			sh.in_word = true;
		} else if (ch == '\'') {
			end = hl_string(c, i, i + 1, '\'', 0, NULL);
			sh.in_word = true;
		} else if (ch == '"' || (ch == '$' && hl_at(c, i + 1, '\''))) {
			bool ansi = ch == '$';
			end = hl_string(c, i, i + 1 + ansi, ansi ? '\'' : '"',
					HL_STR_ESCAPE | (ansi ? 0 : HL_STR_DOLLAR), NULL);
			sh.in_word = true;
		} else if (ch == '$') {
			end = hl_dollar_end(c, i);
			hl_emit(c, i, end > i + 1 ? end : i, HL_VARIABLE);
			sh.in_word = true;
		} else if (ch == '\\') {
			if (end == c->len)
				return SH_CONTINUED;
			end = hl_char_end(c, end);
			sh.in_word = true;
		} else {
			while (end < c->len && !hl_in(c->s[end], " \t;&|()`<>'\"$\\"))
				end++;
			sh_word(c, &sh, i, end);
		}
		i = end;
	}
	return HL_STATE_START;
}

static unsigned lex_shell(struct hl_ctx *c, unsigned state)
{
	return sh_lex(c, 0, state != SH_CONTINUED);
}

/* The end of a shell session's prompt at the line's start, or 0: '$', '#'
 * or '%' and a space, after nothing, "[user@host dir]" or a word with
 * '@', ':' or '~' ("user@host:~$ "), so that output such as "50% done" is
 * not taken for a prompt. */
static size_t prompt_end(const struct hl_ctx *c)
{
	size_t i = 0;
	bool named = false;
	if (hl_at(c, 0, '[')) {
		const char *close = memchr(c->s, ']', c->len);
		i = close ? (size_t)(close - c->s) + 1 : c->len;
		named = true;
	}
	for (; i < c->len && c->s[i] != ' ' && c->s[i] != '\t'; i++) {
		char ch = c->s[i];
		if (ch == '$' || ch == '#' || ch == '%')
			break;
		named = named || ch == '@' || ch == ':' || ch == '~';
	}
	bool sigil = i < c->len && c->s[i] != ' ' && c->s[i] != '\t';
	if (sigil && (i == 0 || named) && (i + 1 == c->len || c->s[i + 1] == ' '))
		return i + 1;
	return 0;
}

static unsigned lex_console(struct hl_ctx *c, unsigned state)
{
	if (state == SH_CONTINUED)
		return sh_lex(c, 0, false);
	size_t prompt = prompt_end(c);
	return prompt ? sh_lex(c, prompt, true) : HL_STATE_START;
}

/* Python. State: inside a triple-quoted string, PY_TRIPLE with PY_DOUBLE
 * for """ and PY_FORMAT for an f-string. */
enum { PY_TRIPLE = 1, PY_DOUBLE = 2, PY_FORMAT = 4 };

/* Sorted by strcmp: keywords and constants; builtins as HL_TYPE. */
static const struct hl_word python_words[] = {
	{ "Exception", HL_TYPE }, { "False", HL_KEYWORD }, { "KeyError", HL_TYPE },
	{ "None", HL_KEYWORD }, { "OSError", HL_TYPE }, { "RuntimeError", HL_TYPE },
	{ "True", HL_KEYWORD }, { "TypeError", HL_TYPE }, { "ValueError", HL_TYPE },
	{ "abs", HL_TYPE }, { "all", HL_TYPE }, { "and", HL_KEYWORD }, { "any", HL_TYPE },
	{ "as", HL_KEYWORD }, { "assert", HL_KEYWORD }, { "async", HL_KEYWORD },
	{ "await", HL_KEYWORD }, { "bool", HL_TYPE }, { "break", HL_KEYWORD },
	{ "bytes", HL_TYPE }, { "class", HL_KEYWORD }, { "continue", HL_KEYWORD },
	{ "def", HL_KEYWORD }, { "del", HL_KEYWORD }, { "dict", HL_TYPE }, { "elif", HL_KEYWORD },
	{ "else", HL_KEYWORD }, { "enumerate", HL_TYPE }, { "except", HL_KEYWORD },
	{ "finally", HL_KEYWORD }, { "float", HL_TYPE }, { "for", HL_KEYWORD },
	{ "from", HL_KEYWORD }, { "getattr", HL_TYPE }, { "global", HL_KEYWORD },
	{ "if", HL_KEYWORD }, { "import", HL_KEYWORD }, { "in", HL_KEYWORD }, { "int", HL_TYPE },
	{ "is", HL_KEYWORD }, { "isinstance", HL_TYPE }, { "lambda", HL_KEYWORD },
	{ "len", HL_TYPE }, { "list", HL_TYPE }, { "max", HL_TYPE }, { "min", HL_TYPE },
	{ "nonlocal", HL_KEYWORD }, { "not", HL_KEYWORD }, { "object", HL_TYPE },
	{ "open", HL_TYPE }, { "or", HL_KEYWORD }, { "pass", HL_KEYWORD }, { "print", HL_TYPE },
	{ "raise", HL_KEYWORD }, { "range", HL_TYPE }, { "return", HL_KEYWORD },
	{ "set", HL_TYPE }, { "sorted", HL_TYPE }, { "str", HL_TYPE }, { "sum", HL_TYPE },
	{ "super", HL_TYPE }, { "try", HL_KEYWORD }, { "tuple", HL_TYPE }, { "type", HL_TYPE },
	{ "while", HL_KEYWORD }, { "with", HL_KEYWORD }, { "yield", HL_KEYWORD },
	{ "zip", HL_TYPE },
};

/* Whether c->s[start..end) is a string prefix (r, b, f, u, rb, fr, ...). */
static bool py_prefix(const struct hl_ctx *c, size_t start, size_t end)
{
	if (end - start > 2)
		return false;
	for (size_t i = start; i < end; i++)
		if (!hl_in(c->s[i], "rRbBuUfF"))
			return false;
	return true;
}

/* A string from start whose state (PY_*) says its quote and kind, body
 * from body. Returns the next line's state and sets *end. */
static unsigned py_string(struct hl_ctx *c, size_t start, size_t body, unsigned st, size_t *end)
{
	unsigned flags = HL_STR_ESCAPE | (st & PY_FORMAT ? HL_STR_BRACE : 0) |
			 (st & PY_TRIPLE ? HL_STR_TRIPLE : 0);
	bool closed;
	*end = hl_string(c, start, body, st & PY_DOUBLE ? '"' : '\'', flags, &closed);
	return closed || !(st & PY_TRIPLE) ? HL_STATE_START : st;
}

/* A string starting at start whose opening quote is at q. */
static unsigned py_open_string(struct hl_ctx *c, size_t start, size_t q, size_t *end)
{
	char quote = c->s[q];
	bool triple = hl_at(c, q + 1, quote) && hl_at(c, q + 2, quote);
	unsigned st = (triple ? PY_TRIPLE : 0) | (quote == '"' ? PY_DOUBLE : 0);
	if (memchr(c->s + start, 'f', q - start) || memchr(c->s + start, 'F', q - start))
		st |= PY_FORMAT;
	return py_string(c, start, q + (triple ? 3 : 1), st, end);
}

static unsigned lex_python(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	if (state & PY_TRIPLE) {
		unsigned next = py_string(c, 0, 0, state & (PY_TRIPLE | PY_DOUBLE | PY_FORMAT), &i);
		if (next)
			return next;
	}
	i = hl_skip_blanks(c, i);
	if (hl_at(c, i, '@')) {
		size_t end = i + 1;
		while (end < c->len && (hl_is_word((unsigned char)c->s[end]) || c->s[end] == '.'))
			end++;
		hl_emit(c, i, end, HL_FUNCTION);
		i = end;
	}
	enum hl_class defined = HL_PLAIN;  /* the class of a name after def or class */
	while (i < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		unsigned next = HL_STATE_START;
		if (ch == '#') {
			hl_emit(c, i, c->len, HL_COMMENT);
			break;
		} else if (ch == '"' || ch == '\'') {
			next = py_open_string(c, i, i, &end);
		} else if (hl_number_start(c, i)) {
			end = hl_number(c, i);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			if (py_prefix(c, i, end) && (hl_at(c, end, '"') || hl_at(c, end, '\''))) {
				next = py_open_string(c, i, end, &end);
			} else {
				enum hl_class cls = hl_word_class(c, i, end);
				bool name = defined != HL_PLAIN && cls == HL_PLAIN;
				hl_emit(c, i, end, name ? defined : identifier(c, i, end));
				defined = is_word(c, i, end, "def") ? HL_FUNCTION
					  : is_word(c, i, end, "class") ? HL_TYPE : HL_PLAIN;
			}
		}
		if (next)
			return next;
		i = end;
	}
	return HL_STATE_START;
}

/* JavaScript and TypeScript. State: HL_BLOCK_COMMENT, or inside a
 * template string. */
enum { JS_TEMPLATE = 2 };

#define JS_TEMPLATE_FLAGS (HL_STR_ESCAPE | HL_STR_DOLLAR_BRACE)

/* Sorted by strcmp: keywords and constants; builtins and TypeScript's
 * types as HL_TYPE. */
static const struct hl_word js_words[] = {
	{ "Array", HL_TYPE }, { "Date", HL_TYPE }, { "Error", HL_TYPE },
	{ "Infinity", HL_KEYWORD }, { "JSON", HL_TYPE }, { "Map", HL_TYPE },
	{ "Math", HL_TYPE }, { "NaN", HL_KEYWORD }, { "Number", HL_TYPE },
	{ "Object", HL_TYPE }, { "Promise", HL_TYPE }, { "RegExp", HL_TYPE }, { "Set", HL_TYPE },
	{ "String", HL_TYPE }, { "any", HL_TYPE }, { "as", HL_KEYWORD }, { "async", HL_KEYWORD },
	{ "await", HL_KEYWORD }, { "boolean", HL_TYPE }, { "break", HL_KEYWORD },
	{ "case", HL_KEYWORD }, { "catch", HL_KEYWORD }, { "class", HL_KEYWORD },
	{ "console", HL_TYPE }, { "const", HL_KEYWORD }, { "continue", HL_KEYWORD },
	{ "debugger", HL_KEYWORD }, { "default", HL_KEYWORD }, { "delete", HL_KEYWORD },
	{ "do", HL_KEYWORD }, { "document", HL_TYPE }, { "else", HL_KEYWORD },
	{ "enum", HL_KEYWORD }, { "export", HL_KEYWORD }, { "extends", HL_KEYWORD },
	{ "false", HL_KEYWORD }, { "finally", HL_KEYWORD }, { "for", HL_KEYWORD },
	{ "from", HL_KEYWORD }, { "function", HL_KEYWORD }, { "if", HL_KEYWORD },
	{ "implements", HL_KEYWORD }, { "import", HL_KEYWORD }, { "in", HL_KEYWORD },
	{ "instanceof", HL_KEYWORD }, { "interface", HL_KEYWORD }, { "let", HL_KEYWORD },
	{ "never", HL_TYPE }, { "new", HL_KEYWORD }, { "null", HL_KEYWORD },
	{ "number", HL_TYPE }, { "of", HL_KEYWORD }, { "private", HL_KEYWORD },
	{ "process", HL_TYPE }, { "protected", HL_KEYWORD }, { "public", HL_KEYWORD },
	{ "readonly", HL_KEYWORD }, { "require", HL_TYPE }, { "return", HL_KEYWORD },
	{ "static", HL_KEYWORD }, { "string", HL_TYPE }, { "super", HL_KEYWORD },
	{ "switch", HL_KEYWORD }, { "this", HL_KEYWORD }, { "throw", HL_KEYWORD },
	{ "true", HL_KEYWORD }, { "try", HL_KEYWORD }, { "type", HL_KEYWORD },
	{ "typeof", HL_KEYWORD }, { "undefined", HL_KEYWORD }, { "unknown", HL_TYPE },
	{ "var", HL_KEYWORD }, { "void", HL_KEYWORD }, { "while", HL_KEYWORD },
	{ "window", HL_TYPE }, { "yield", HL_KEYWORD },
};

/* A character of a name: a word character or '$'. */
static bool js_name_char(char ch)
{
	return hl_is_word((unsigned char)ch) || ch == '$';
}

/* The end of a regular expression literal at i ('/') with its flags, or
 * 0 when it does not close on the line. */
static size_t js_regex_end(const struct hl_ctx *c, size_t i)
{
	bool in_class = false;
	for (i++; i < c->len; i++) {
		char ch = c->s[i];
		if (ch == '\\')
			i = hl_char_end(c, i + 1) - 1;
		else if (ch == '[')
			in_class = true;
		else if (ch == ']')
			in_class = false;
		else if (ch == '/' && !in_class)
			return hl_word_end(c, i + 1);
	}
	return 0;
}

static unsigned lex_js(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	bool closed = true, open;
	if (hl_comment_goes_on(c, state, &i))
		return HL_BLOCK_COMMENT;
	if (state == JS_TEMPLATE)
		i = hl_string(c, 0, 0, '`', JS_TEMPLATE_FLAGS, &closed);
	if (!closed)
		return JS_TEMPLATE;
	/* A '/' after a value divides; elsewhere it starts a regular
	 * expression. One that does not close ends the search for this line,
	 * which keeps the line's cost linear. */
	bool regex_ok = true, regex_failed = false;
	while ((i = hl_c_comments(c, i, &open)) < c->len) {
		char ch = c->s[i];
		size_t end = i + 1, re;
		if (ch == ' ' || ch == '\t') {
			i = end;
			continue;
		}
		bool value = true;
		if (ch == '"' || ch == '\'') {
			end = hl_string(c, i, i + 1, ch, HL_STR_ESCAPE, NULL);
		} else if (ch == '`') {
			end = hl_string(c, i, i + 1, '`', JS_TEMPLATE_FLAGS, &closed);
			if (!closed)
				return JS_TEMPLATE;
		} else if (ch == '/' && regex_ok && !regex_failed && (re = js_regex_end(c, i))) {
			hl_emit(c, i, re, HL_STRING);
			end = re;
		} else if (hl_number_start(c, i)) {
			end = hl_number(c, i);
		} else if (js_name_char(ch)) {
			while (end < c->len && js_name_char(c->s[end]))
				end++;
			enum hl_class cls = identifier(c, i, end);
			hl_emit(c, i, end, cls);
			value = cls != HL_KEYWORD;
		} else {
			regex_failed = regex_failed || (ch == '/' && regex_ok);
			value = ch == ')' || ch == ']' || ch == '}';
		}
		regex_ok = !value;
		i = end;
	}
	return open ? HL_BLOCK_COMMENT : HL_STATE_START;
}

/* C and C++. State: HL_BLOCK_COMMENT. */

/* Sorted by strcmp: keywords and constants of C11 and C++; types as
 * HL_TYPE (besides every name ending in "_t"). */
static const struct hl_word c_words[] = {
	{ "FILE", HL_TYPE }, { "NULL", HL_KEYWORD }, { "_Atomic", HL_KEYWORD },
	{ "_Bool", HL_TYPE }, { "_Generic", HL_KEYWORD }, { "_Noreturn", HL_KEYWORD },
	{ "_Static_assert", HL_KEYWORD }, { "_Thread_local", HL_KEYWORD },
	{ "alignas", HL_KEYWORD }, { "alignof", HL_KEYWORD }, { "auto", HL_KEYWORD },
	{ "bool", HL_TYPE }, { "break", HL_KEYWORD }, { "case", HL_KEYWORD },
	{ "catch", HL_KEYWORD }, { "char", HL_TYPE }, { "class", HL_KEYWORD },
	{ "const", HL_KEYWORD }, { "constexpr", HL_KEYWORD }, { "continue", HL_KEYWORD },
	{ "default", HL_KEYWORD }, { "delete", HL_KEYWORD }, { "do", HL_KEYWORD },
	{ "double", HL_TYPE }, { "else", HL_KEYWORD }, { "enum", HL_KEYWORD },
	{ "explicit", HL_KEYWORD }, { "extern", HL_KEYWORD }, { "false", HL_KEYWORD },
	{ "float", HL_TYPE }, { "for", HL_KEYWORD }, { "friend", HL_KEYWORD },
	{ "goto", HL_KEYWORD }, { "if", HL_KEYWORD }, { "inline", HL_KEYWORD },
	{ "int", HL_TYPE }, { "long", HL_TYPE }, { "mutable", HL_KEYWORD },
	{ "namespace", HL_KEYWORD }, { "new", HL_KEYWORD }, { "noexcept", HL_KEYWORD },
	{ "nullptr", HL_KEYWORD }, { "operator", HL_KEYWORD }, { "override", HL_KEYWORD },
	{ "private", HL_KEYWORD }, { "protected", HL_KEYWORD }, { "public", HL_KEYWORD },
	{ "register", HL_KEYWORD }, { "restrict", HL_KEYWORD }, { "return", HL_KEYWORD },
	{ "short", HL_TYPE }, { "signed", HL_TYPE }, { "sizeof", HL_KEYWORD },
	{ "static", HL_KEYWORD }, { "static_assert", HL_KEYWORD }, { "std", HL_TYPE },
	{ "struct", HL_KEYWORD }, { "switch", HL_KEYWORD }, { "template", HL_KEYWORD },
	{ "this", HL_KEYWORD }, { "throw", HL_KEYWORD }, { "true", HL_KEYWORD },
	{ "try", HL_KEYWORD }, { "typedef", HL_KEYWORD }, { "typename", HL_KEYWORD },
	{ "union", HL_KEYWORD }, { "unsigned", HL_TYPE }, { "using", HL_KEYWORD },
	{ "virtual", HL_KEYWORD }, { "void", HL_TYPE }, { "volatile", HL_KEYWORD },
	{ "while", HL_KEYWORD },
};

/* A preprocessor line's directive from i ('#'), with an #include's
 * <path> as a string; returns where the line goes on. */
static size_t c_directive(struct hl_ctx *c, size_t i)
{
	size_t word = hl_skip_blanks(c, i + 1), end = hl_word_end(c, word);
	hl_emit(c, i, end, HL_KEYWORD);
	size_t path = hl_skip_blanks(c, end);
	if ((is_word(c, word, end, "include") || is_word(c, word, end, "import")) &&
	    hl_at(c, path, '<')) {
		const char *gt = memchr(c->s + path, '>', c->len - path);
		end = gt ? (size_t)(gt - c->s) + 1 : c->len;
		hl_emit(c, path, end, HL_STRING);
	}
	return end;
}

/* Whether c->s[start..end) is a string literal's prefix (L, u, U, u8). */
static bool c_prefix(const struct hl_ctx *c, size_t start, size_t end)
{
	return is_word(c, start, end, "L") || is_word(c, start, end, "u") ||
	       is_word(c, start, end, "U") || is_word(c, start, end, "u8");
}

static unsigned lex_c(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	bool open;
	if (hl_comment_goes_on(c, state, &i))
		return HL_BLOCK_COMMENT;
	i = hl_skip_blanks(c, i);
	if (hl_at(c, i, '#'))
		i = c_directive(c, i);
	while ((i = hl_c_comments(c, i, &open)) < c->len) {
		char ch = c->s[i];
		size_t end = i + 1;
		if (ch == '"' || ch == '\'') {
			end = hl_string(c, i, i + 1, ch, HL_STR_ESCAPE, NULL);
		} else if (hl_number_start(c, i)) {
			end = hl_number(c, i);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			if (c_prefix(c, i, end) && (hl_at(c, end, '"') || hl_at(c, end, '\''))) {
				end = hl_string(c, i, end + 1, c->s[end], HL_STR_ESCAPE, NULL);
			} else {
				enum hl_class cls = identifier(c, i, end);
				bool type_name = end - i > 2 && is_word(c, end - 2, end, "_t");
				hl_emit(c, i, end, cls == HL_PLAIN && type_name ? HL_TYPE : cls);
			}
		}
		i = end;
	}
	return open ? HL_BLOCK_COMMENT : HL_STATE_START;
}

/* SQL, case-insensitive. State: HL_BLOCK_COMMENT. */

/* Sorted by strcmp, lower case: keywords and constants; types as HL_TYPE. */
static const struct hl_word sql_words[] = {
	{ "add", HL_KEYWORD }, { "all", HL_KEYWORD }, { "alter", HL_KEYWORD },
	{ "analyze", HL_KEYWORD }, { "and", HL_KEYWORD }, { "as", HL_KEYWORD },
	{ "asc", HL_KEYWORD }, { "begin", HL_KEYWORD }, { "between", HL_KEYWORD },
	{ "bigint", HL_TYPE }, { "blob", HL_TYPE }, { "bool", HL_TYPE }, { "boolean", HL_TYPE },
	{ "by", HL_KEYWORD }, { "bytea", HL_TYPE }, { "cascade", HL_KEYWORD },
	{ "case", HL_KEYWORD }, { "char", HL_TYPE }, { "check", HL_KEYWORD },
	{ "column", HL_KEYWORD }, { "commit", HL_KEYWORD }, { "conflict", HL_KEYWORD },
	{ "constraint", HL_KEYWORD }, { "create", HL_KEYWORD }, { "cross", HL_KEYWORD },
	{ "date", HL_TYPE }, { "decimal", HL_TYPE }, { "default", HL_KEYWORD },
	{ "delete", HL_KEYWORD }, { "desc", HL_KEYWORD }, { "distinct", HL_KEYWORD },
	{ "do", HL_KEYWORD }, { "double", HL_TYPE }, { "drop", HL_KEYWORD },
	{ "else", HL_KEYWORD }, { "end", HL_KEYWORD }, { "exists", HL_KEYWORD },
	{ "explain", HL_KEYWORD }, { "false", HL_KEYWORD }, { "float", HL_TYPE },
	{ "foreign", HL_KEYWORD }, { "from", HL_KEYWORD }, { "full", HL_KEYWORD },
	{ "grant", HL_KEYWORD }, { "group", HL_KEYWORD }, { "having", HL_KEYWORD },
	{ "if", HL_KEYWORD }, { "ilike", HL_KEYWORD }, { "in", HL_KEYWORD },
	{ "index", HL_KEYWORD }, { "inner", HL_KEYWORD }, { "insert", HL_KEYWORD },
	{ "int", HL_TYPE }, { "integer", HL_TYPE }, { "interval", HL_TYPE },
	{ "into", HL_KEYWORD }, { "is", HL_KEYWORD }, { "join", HL_KEYWORD },
	{ "json", HL_TYPE }, { "jsonb", HL_TYPE }, { "key", HL_KEYWORD }, { "left", HL_KEYWORD },
	{ "like", HL_KEYWORD }, { "limit", HL_KEYWORD }, { "not", HL_KEYWORD },
	{ "nothing", HL_KEYWORD }, { "null", HL_KEYWORD }, { "numeric", HL_TYPE },
	{ "offset", HL_KEYWORD }, { "on", HL_KEYWORD }, { "or", HL_KEYWORD },
	{ "order", HL_KEYWORD }, { "outer", HL_KEYWORD }, { "over", HL_KEYWORD },
	{ "partition", HL_KEYWORD }, { "pragma", HL_KEYWORD }, { "primary", HL_KEYWORD },
	{ "real", HL_TYPE }, { "recursive", HL_KEYWORD }, { "references", HL_KEYWORD },
	{ "replace", HL_KEYWORD }, { "returning", HL_KEYWORD }, { "revoke", HL_KEYWORD },
	{ "right", HL_KEYWORD }, { "rollback", HL_KEYWORD }, { "select", HL_KEYWORD },
	{ "serial", HL_TYPE }, { "set", HL_KEYWORD }, { "show", HL_KEYWORD },
	{ "smallint", HL_TYPE }, { "table", HL_KEYWORD }, { "text", HL_TYPE },
	{ "then", HL_KEYWORD }, { "time", HL_TYPE }, { "timestamp", HL_TYPE },
	{ "timestamptz", HL_TYPE }, { "transaction", HL_KEYWORD }, { "trigger", HL_KEYWORD },
	{ "true", HL_KEYWORD }, { "truncate", HL_KEYWORD }, { "union", HL_KEYWORD },
	{ "unique", HL_KEYWORD }, { "update", HL_KEYWORD }, { "using", HL_KEYWORD },
	{ "uuid", HL_TYPE }, { "vacuum", HL_KEYWORD }, { "values", HL_KEYWORD },
	{ "varchar", HL_TYPE }, { "view", HL_KEYWORD }, { "when", HL_KEYWORD },
	{ "where", HL_KEYWORD }, { "with", HL_KEYWORD },
};

/* A parameter at i: "$1", ":name", "@name" or "@@name"; its end, or i. */
static size_t sql_parameter(const struct hl_ctx *c, size_t i)
{
	char ch = c->s[i];
	size_t from = i + 1 + (ch == '@' && hl_at(c, i + 1, '@'));
	if (ch == '$' && !(i + 1 < c->len && c->s[i + 1] >= '0' && c->s[i + 1] <= '9'))
		return i;
	if (ch == ':' && (hl_at(c, i + 1, ':') || (i > 0 && c->s[i - 1] == ':')))
		return i;
	size_t end = hl_word_end(c, from);
	return end > from ? end : i;
}

static unsigned lex_sql(struct hl_ctx *c, unsigned state)
{
	size_t i = 0;
	bool closed;
	if (hl_comment_goes_on(c, state, &i))
		return HL_BLOCK_COMMENT;
	while (i < c->len) {
		char ch = c->s[i];
		size_t end = i + 1, param;
		if (ch == '-' && hl_at(c, i + 1, '-')) {
			hl_emit(c, i, c->len, HL_COMMENT);
			break;
		} else if (ch == '/' && hl_at(c, i + 1, '*')) {
			end = hl_block_comment(c, i, i + 2, &closed);
			if (!closed)
				return HL_BLOCK_COMMENT;
		} else if (ch == '\'') {
			end = hl_string(c, i, i + 1, '\'', HL_STR_DOUBLED, NULL);
		} else if (ch == '"' || ch == '`') {
			end = hl_quoted_end(c, i + 1, ch, HL_STR_DOUBLED);
		} else if (hl_in(ch, "$:@") && (param = sql_parameter(c, i)) > i) {
			hl_emit(c, i, param, HL_VARIABLE);
			end = param;
		} else if (hl_number_start(c, i)) {
			end = hl_number(c, i);
		} else if (hl_is_word((unsigned char)ch)) {
			end = hl_word_end(c, i);
			hl_emit(c, i, end, identifier(c, i, end));
		}
		i = end;
	}
	return HL_STATE_START;
}

const struct hl_lexer hl_lexer_shell = {
	.lex = lex_shell, .words = shell_words, .nwords = HL_ARRAY_LEN(shell_words)
};
const struct hl_lexer hl_lexer_console = {
	.lex = lex_console, .words = shell_words, .nwords = HL_ARRAY_LEN(shell_words)
};
const struct hl_lexer hl_lexer_python = {
	.lex = lex_python, .words = python_words, .nwords = HL_ARRAY_LEN(python_words)
};
const struct hl_lexer hl_lexer_js = {
	.lex = lex_js, .words = js_words, .nwords = HL_ARRAY_LEN(js_words)
};
const struct hl_lexer hl_lexer_c = {
	.lex = lex_c, .words = c_words, .nwords = HL_ARRAY_LEN(c_words)
};
const struct hl_lexer hl_lexer_sql = {
	.lex = lex_sql, .words = sql_words, .nwords = HL_ARRAY_LEN(sql_words), .fold = true
};
