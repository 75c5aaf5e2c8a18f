/* highlight_int: what the highlighter's lexers share, private to tui/ui
 * (highlight.c, highlight_code.c, highlight_data.c) and its unit test.
 *
 * A lexer reads one line through a struct hl_ctx and calls hl_emit for the
 * tokens it classifies, left to right; hl_emit fills the gaps with plain
 * spans, merges, and keeps to the caller's span limit, so a lexer never
 * counts spans. */
#ifndef RAGDECK_HIGHLIGHT_INT_H
#define RAGDECK_HIGHLIGHT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/ui/highlight.h"

#define HL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A word of a language's table and its class. */
struct hl_word {
	const char *word;
	enum hl_class cls;
};

struct hl_lexer;

/* One line being classified. */
struct hl_ctx {
	const char *s;
	size_t len;
	const struct hl_lexer *lexer;
	struct hl_span *out;
	size_t max, n;
	size_t end;       /* bytes covered by spans so far */
	bool full;        /* out[max - 1] is the plain span to the end */
};

/* Classifies c's line from state; returns the next line's state. */
typedef unsigned hl_lex_fn(struct hl_ctx *c, unsigned state);

/* A language: its lexer and its words, sorted by strcmp. With fold the
 * words are lower case and looked up case-insensitively. */
struct hl_lexer {
	hl_lex_fn *lex;
	const struct hl_word *words;
	size_t nwords;
	bool fold;
};

/* The lexer of lang, NULL for HL_LANG_NONE and out-of-range values. */
const struct hl_lexer *hl_lexer(enum hl_lang lang);

extern const struct hl_lexer hl_lexer_shell, hl_lexer_console, hl_lexer_python,
	hl_lexer_js, hl_lexer_c, hl_lexer_sql;
extern const struct hl_lexer hl_lexer_yaml, hl_lexer_json, hl_lexer_ini,
	hl_lexer_diff, hl_lexer_log;

/* Classify c->s[start..end) as cls: a gap since the last token becomes
 * plain; a range before what is covered already is cut to what is not. */
void hl_emit(struct hl_ctx *c, size_t start, size_t end, enum hl_class cls);

/* The class of c->s[start..end) in the lexer's words, HL_PLAIN if absent. */
enum hl_class hl_word_class(const struct hl_ctx *c, size_t start, size_t end);

/* Letters, digits, '_' and every byte of a multibyte character. */
bool hl_is_word(unsigned char ch);

/* The end of the word starting at i (i itself if none). */
size_t hl_word_end(const struct hl_ctx *c, size_t i);

/* The end of the character starting at i (a UTF-8 sequence's continuation
 * bytes included), at most c->len. */
size_t hl_char_end(const struct hl_ctx *c, size_t i);

/* The first byte at or after i that is not a space or a tab. */
size_t hl_skip_blanks(const struct hl_ctx *c, size_t i);

/* Whether ch is one of the bytes of set (never the NUL byte). */
bool hl_in(char ch, const char *set);

/* Whether c->s[i] is ch (false past the end). */
bool hl_at(const struct hl_ctx *c, size_t i, char ch);

/* Whether c->s[i] starts a number: a digit, or '.' before a digit. */
bool hl_number_start(const struct hl_ctx *c, size_t i);

/* Emit the number starting at i as HL_NUMBER ("0x1F", "1_000", "2.5e-3",
 * suffixes such as "10n", "3UL", "2j"); returns its end. */
size_t hl_number(struct hl_ctx *c, size_t i);

/* How a string's body is read (hl_string). */
enum {
	HL_STR_ESCAPE = 1u << 0,       /* a backslash escapes the next character */
	HL_STR_DOUBLED = 1u << 1,      /* a doubled quote is one quote ('it''s') */
	HL_STR_TRIPLE = 1u << 2,       /* closed by three quotes */
	HL_STR_DOLLAR = 1u << 3,       /* shell: $VAR, ${...}, $(...) interpolate */
	HL_STR_DOLLAR_BRACE = 1u << 4, /* JavaScript: ${...} interpolates */
	HL_STR_BRACE = 1u << 5,        /* Python f-string: {...}, "{{" is a brace */
};

/* Emit a string that starts at start (prefix and opening quote) and whose
 * body starts at body, closed by quote, read as flags say: HL_STRING with
 * interpolations as HL_VARIABLE. Returns its end, the line's end if it is
 * not closed on this line; *closed (may be NULL) says which. */
size_t hl_string(struct hl_ctx *c, size_t start, size_t body, char quote, unsigned flags,
		 bool *closed);

/* The end of the quoted text whose body starts at body, read with the
 * HL_STR_ESCAPE, HL_STR_DOUBLED and HL_STR_TRIPLE of flags: after its
 * closing quote, or the line's end. Emits nothing, for a lexer that
 * decides the class after the string (a key or a value). */
size_t hl_quoted_end(const struct hl_ctx *c, size_t body, char quote, unsigned flags);

/* At i ('$'): a shell variable "$name", "$1", "$?", "${...}" or "$(...)";
 * its end, i + 1 for a lone '$'. */
size_t hl_dollar_end(const struct hl_ctx *c, size_t i);

/* At i: "${", "$(" or "{": the end of the matching closing bracket on the
 * line (brackets nested inside counted), else the line's end. */
size_t hl_bracket_end(const struct hl_ctx *c, size_t i);

/* Emit a block comment that starts at start, looking for its closing
 * star-slash from body. Returns its end and sets *closed; when not closed
 * the comment runs to the line's end. */
size_t hl_block_comment(struct hl_ctx *c, size_t start, size_t body, bool *closed);

/* The state of C, JavaScript, JSON and SQL inside a block comment. */
enum { HL_BLOCK_COMMENT = 1 };

/* At a line's start: when state is HL_BLOCK_COMMENT, emit the comment
 * going on from the line before and move *i past it. Returns whether it
 * runs past this line too. */
bool hl_comment_goes_on(struct hl_ctx *c, unsigned state, size_t *i);

/* Past the comments of C, JavaScript or JSONC at i ("//" to the line's
 * end, block comments): emits them and returns where the next token
 * starts (i when there is none), the line's end after "//" or after a
 * block comment that runs past the line (*open set). */
size_t hl_c_comments(struct hl_ctx *c, size_t i, bool *open);

#endif
