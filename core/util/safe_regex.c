#include "core/util/safe_regex.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64
#define CAP (SIZE_MAX / 2)

static size_t add(size_t a, size_t b)
{
	return a > CAP - b ? CAP : a + b;
}

static size_t mul(size_t a, size_t b)
{
	return b && a > CAP / b ? CAP : a * b;
}

/* One parenthesised level: the alternatives finished so far, the current
 * alternative without its last atom, and that atom (the quantifier target),
 * in nodes, and whether each can match the empty string. */
struct frame {
	size_t done, seq, atom;
	bool done_empty, seq_empty, atom_empty;
};

/* A level with nothing in it yet. */
static const struct frame empty_frame = { 0, 0, 0, false, true, true };

/* End the current atom of f: it joins the alternative. */
static void close_atom(struct frame *f)
{
	f->seq = add(f->seq, f->atom);
	f->seq_empty = f->seq_empty && f->atom_empty;
}

/* Past a bracket expression starting at p ('['): "[]a]", "[^]a]" and
 * "[[:alpha:]]" keep their inner ']'. Returns the end of the pattern when
 * the bracket never closes. */
static const char *skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *end = strchr(p + 2, p[1]);
			while (end && end[1] != ']')
				end = strchr(end + 1, p[1]);
			p = end ? end + 2 : p + 1;
		} else {
			p++;
		}
	}
	return *p ? p + 1 : p;
}

/* The copies a quantifier at p makes of its atom; *end is set past it and
 * *optional says whether it allows none (*, ?, {0,...}). Returns 0 when p
 * holds no quantifier. */
static size_t quantifier(const char *p, const char **end, bool *optional)
{
	*end = p + 1;
	*optional = *p == '*' || *p == '?';
	if (*p == '*' || *p == '?')
		return 1;
	if (*p == '+')
		return 2;
	if (*p != '{')
		return 0;
	size_t lo = 0, hi = 0;
	const char *q = p + 1;
	while (*q >= '0' && *q <= '9')
		lo = mul(lo, 10) + (size_t)(*q++ - '0');
	hi = lo;
	if (*q == ',') {
		q++;
		if (*q == '}') {
			hi = lo + 1;
		} else {
			hi = 0;
			while (*q >= '0' && *q <= '9')
				hi = mul(hi, 10) + (size_t)(*q++ - '0');
		}
	}
	if (*q != '}')
		return 0;
	*end = q + 1;
	*optional = lo == 0;
	size_t copies = lo > hi ? lo : hi;
	return copies ? copies : 1;
}

size_t safe_regex_cost(const char *pattern, int *backref, size_t *empty_loops)
{
	struct frame stack[MAX_DEPTH];
	int depth = 0;
	*backref = 0;
	*empty_loops = 0;
	stack[0] = empty_frame;
	for (const char *p = pattern; *p;) {
		struct frame *f = &stack[depth];
		const char *end;
		bool optional;
		size_t copies = quantifier(p, &end, &optional);
		if (copies) {
			f->atom = mul(f->atom, copies);
			if (f->atom_empty)   /* a repetition of what can match nothing */
				*empty_loops = add(*empty_loops, f->atom);
			f->atom_empty = f->atom_empty || optional;
			p = end;
			continue;
		}
		switch (*p) {
		case '(':
			if (depth + 1 >= MAX_DEPTH)
				return CAP;
			close_atom(f);
			f->atom = 0;
			f->atom_empty = true;
			stack[++depth] = empty_frame;
			p++;
			continue;
		case ')':
			if (depth == 0) {
				close_atom(f);
				f->atom = 1;
				f->atom_empty = false;
				p++;
				continue;
			}
			{
				size_t group = add(add(f->done, f->seq), add(f->atom, 1));
				bool group_empty = f->done_empty || (f->seq_empty && f->atom_empty);
				depth--;
				stack[depth].atom = group;
				stack[depth].atom_empty = group_empty;
			}
			p++;
			continue;
		case '|':
			f->done = add(f->done, add(f->seq, f->atom));
			f->done_empty = f->done_empty || (f->seq_empty && f->atom_empty);
			f->seq = f->atom = 0;
			f->seq_empty = f->atom_empty = true;
			p++;
			continue;
		case '[':
			end = skip_bracket(p);
			break;
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				*backref = 1;
			end = p[1] ? p + 2 : p + 1;
			break;
		default:
			end = p + 1;
			break;
		}
		close_atom(f);
		f->atom = 1;
		f->atom_empty = false;
		p = end;
	}
	size_t total = 0;
	for (; depth >= 0; depth--)
		total = add(total, add(stack[depth].done, add(stack[depth].seq, stack[depth].atom)));
	return total;
}

int safe_regex_compile(regex_t *re, const char *pattern, int flags, char *err, size_t errlen)
{
	int backref = 0;
	size_t len = strlen(pattern);
	if (len > SAFE_REGEX_MAX_PATTERN) {
		snprintf(err, errlen, "the pattern is %zu bytes long; at most %d are accepted", len,
		         SAFE_REGEX_MAX_PATTERN);
		return -1;
	}
	size_t loops;
	size_t cost = safe_regex_cost(pattern, &backref, &loops);
	if (backref) {
		snprintf(err, errlen, "back-references (\\1 to \\9) are not accepted: they make matching exponential");
		return -1;
	}
	if (cost > SAFE_REGEX_MAX_NODES) {
		snprintf(err, errlen, "the pattern's repetitions would compile to about %zu nodes (at most %d "
		         "are accepted): use fewer nested or stacked repetitions", cost, SAFE_REGEX_MAX_NODES);
		return -1;
	}
	if (loops > SAFE_REGEX_MAX_EMPTY_LOOPS) {
		snprintf(err, errlen, "the pattern repeats parts that can match nothing (like a*+ or (a?)+) %zu times "
		         "over (at most %d are accepted; compiling them takes time that grows with the square): "
		         "write each repetition once", loops, SAFE_REGEX_MAX_EMPTY_LOOPS);
		return -1;
	}
	int rc = regcomp(re, pattern, flags | REG_EXTENDED);
	if (rc != 0) {
		char msg[256];
		regerror(rc, re, msg, sizeof msg);
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	return 0;
}
