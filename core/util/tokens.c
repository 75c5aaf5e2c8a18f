#include "core/util/tokens.h"

#include <limits.h>
#include <string.h>

/* Byte classes. Whitespace, control bytes and UTF-8 continuation bytes are
 * free; a UTF-8 lead byte stands for its whole code point and costs like a
 * symbol. C_AGAIN is not in the table: it is a symbol equal to the byte
 * before it. */
enum { C_FREE, C_ALPHA, C_DIGIT, C_SYM, C_AGAIN };

static const unsigned char cls[256] = {
	['!'] = C_SYM, ['"'] = C_SYM, ['#'] = C_SYM, ['$'] = C_SYM, ['%'] = C_SYM, ['&'] = C_SYM,
	['\''] = C_SYM, ['('] = C_SYM, [')'] = C_SYM, ['*'] = C_SYM, ['+'] = C_SYM, [','] = C_SYM,
	['-'] = C_SYM, ['.'] = C_SYM, ['/'] = C_SYM, [':'] = C_SYM, [';'] = C_SYM, ['<'] = C_SYM,
	['='] = C_SYM, ['>'] = C_SYM, ['?'] = C_SYM, ['@'] = C_SYM, ['['] = C_SYM, ['\\'] = C_SYM,
	[']'] = C_SYM, ['^'] = C_SYM, ['_'] = C_SYM, ['`'] = C_SYM, ['{'] = C_SYM, ['|'] = C_SYM,
	['}'] = C_SYM, ['~'] = C_SYM, ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT,
	['3'] = C_DIGIT, ['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
	['8'] = C_DIGIT, ['9'] = C_DIGIT, ['A'] = C_ALPHA, ['B'] = C_ALPHA, ['C'] = C_ALPHA,
	['D'] = C_ALPHA, ['E'] = C_ALPHA, ['F'] = C_ALPHA, ['G'] = C_ALPHA, ['H'] = C_ALPHA,
	['I'] = C_ALPHA, ['J'] = C_ALPHA, ['K'] = C_ALPHA, ['L'] = C_ALPHA, ['M'] = C_ALPHA,
	['N'] = C_ALPHA, ['O'] = C_ALPHA, ['P'] = C_ALPHA, ['Q'] = C_ALPHA, ['R'] = C_ALPHA,
	['S'] = C_ALPHA, ['T'] = C_ALPHA, ['U'] = C_ALPHA, ['V'] = C_ALPHA, ['W'] = C_ALPHA,
	['X'] = C_ALPHA, ['Y'] = C_ALPHA, ['Z'] = C_ALPHA, ['a'] = C_ALPHA, ['b'] = C_ALPHA,
	['c'] = C_ALPHA, ['d'] = C_ALPHA, ['e'] = C_ALPHA, ['f'] = C_ALPHA, ['g'] = C_ALPHA,
	['h'] = C_ALPHA, ['i'] = C_ALPHA, ['j'] = C_ALPHA, ['k'] = C_ALPHA, ['l'] = C_ALPHA,
	['m'] = C_ALPHA, ['n'] = C_ALPHA, ['o'] = C_ALPHA, ['p'] = C_ALPHA, ['q'] = C_ALPHA,
	['r'] = C_ALPHA, ['s'] = C_ALPHA, ['t'] = C_ALPHA, ['u'] = C_ALPHA, ['v'] = C_ALPHA,
	['w'] = C_ALPHA, ['x'] = C_ALPHA, ['y'] = C_ALPHA, ['z'] = C_ALPHA, [0xc0] = C_SYM,
	[0xc1] = C_SYM, [0xc2] = C_SYM, [0xc3] = C_SYM, [0xc4] = C_SYM, [0xc5] = C_SYM,
	[0xc6] = C_SYM, [0xc7] = C_SYM, [0xc8] = C_SYM, [0xc9] = C_SYM, [0xca] = C_SYM,
	[0xcb] = C_SYM, [0xcc] = C_SYM, [0xcd] = C_SYM, [0xce] = C_SYM, [0xcf] = C_SYM,
	[0xd0] = C_SYM, [0xd1] = C_SYM, [0xd2] = C_SYM, [0xd3] = C_SYM, [0xd4] = C_SYM,
	[0xd5] = C_SYM, [0xd6] = C_SYM, [0xd7] = C_SYM, [0xd8] = C_SYM, [0xd9] = C_SYM,
	[0xda] = C_SYM, [0xdb] = C_SYM, [0xdc] = C_SYM, [0xdd] = C_SYM, [0xde] = C_SYM,
	[0xdf] = C_SYM, [0xe0] = C_SYM, [0xe1] = C_SYM, [0xe2] = C_SYM, [0xe3] = C_SYM,
	[0xe4] = C_SYM, [0xe5] = C_SYM, [0xe6] = C_SYM, [0xe7] = C_SYM, [0xe8] = C_SYM,
	[0xe9] = C_SYM, [0xea] = C_SYM, [0xeb] = C_SYM, [0xec] = C_SYM, [0xed] = C_SYM,
	[0xee] = C_SYM, [0xef] = C_SYM, [0xf0] = C_SYM, [0xf1] = C_SYM, [0xf2] = C_SYM,
	[0xf3] = C_SYM, [0xf4] = C_SYM, [0xf5] = C_SYM, [0xf6] = C_SYM, [0xf7] = C_SYM,
	[0xf8] = C_SYM, [0xf9] = C_SYM, [0xfa] = C_SYM, [0xfb] = C_SYM, [0xfc] = C_SYM,
	[0xfd] = C_SYM, [0xfe] = C_SYM, [0xff] = C_SYM,
};

/* The counting rule as a small automaton, so the hot loop has no branches
 * that depend on the text: one table step per byte, and the cost of a byte
 * is the cost of the state it enters. States 1-7 are the first seven letters
 * of a word, 8-11 cycle through each further group of four, 12-14 cycle
 * through groups of three digits, 15 is a symbol and 16-22 its next seven
 * repeats. */
enum {
	S_FREE = 0,
	S_ALPHA = 1,
	S_ALPHA_MORE = 8,
	S_DIGIT = 12,
	S_SYM = 15,
	S_AGAIN = 16,
	S_COUNT = 23
};

#define OTHER S_FREE, S_ALPHA, S_DIGIT, S_SYM, S_SYM
static const unsigned char next_state[S_COUNT][5] = {
	[0] = { OTHER },
	[1] = { S_FREE, 2, S_DIGIT, S_SYM, S_SYM },
	[2] = { S_FREE, 3, S_DIGIT, S_SYM, S_SYM },
	[3] = { S_FREE, 4, S_DIGIT, S_SYM, S_SYM },
	[4] = { S_FREE, 5, S_DIGIT, S_SYM, S_SYM },
	[5] = { S_FREE, 6, S_DIGIT, S_SYM, S_SYM },
	[6] = { S_FREE, 7, S_DIGIT, S_SYM, S_SYM },
	[7] = { S_FREE, 8, S_DIGIT, S_SYM, S_SYM },
	[8] = { S_FREE, 9, S_DIGIT, S_SYM, S_SYM },
	[9] = { S_FREE, 10, S_DIGIT, S_SYM, S_SYM },
	[10] = { S_FREE, 11, S_DIGIT, S_SYM, S_SYM },
	[11] = { S_FREE, 8, S_DIGIT, S_SYM, S_SYM },
	[12] = { S_FREE, S_ALPHA, 13, S_SYM, S_SYM },
	[13] = { S_FREE, S_ALPHA, 14, S_SYM, S_SYM },
	[14] = { OTHER },
	[15] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 16 },
	[16] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 17 },
	[17] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 18 },
	[18] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 19 },
	[19] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 20 },
	[20] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 21 },
	[21] = { S_FREE, S_ALPHA, S_DIGIT, S_SYM, 22 },
	[22] = { OTHER },
};
#undef OTHER

static const unsigned char state_cost[S_COUNT] = {
	[S_ALPHA] = 1, [S_ALPHA_MORE] = 1, [S_DIGIT] = 1, [S_SYM] = 1,
};

/* The class of p[i] for the automaton: a symbol repeating the byte before
 * it becomes C_AGAIN, computed without a branch. */
/* The class of byte x for the automaton, given the byte before it: a symbol
 * repeating it becomes C_AGAIN, computed without a branch. */
static inline unsigned byte_class(unsigned char x, unsigned char prev)
{
	unsigned c = cls[x];
	return c + ((c == C_SYM) & (x == prev));
}

/* One automaton step: enter the next state and pay its cost. */
static inline void step(unsigned char x, unsigned char *prev, unsigned *st, size_t *n)
{
	*st = next_state[*st][byte_class(x, *prev)];
	*prev = x;
	*n += state_cost[*st];
}

/* Count a[0..la) and b[0..lb) as two independent runs, interleaved so the
 * table lookups of one overlap those of the other. */
static size_t count_two(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
	unsigned sa = S_FREE, sb = S_FREE;
	unsigned char pa = 0, pb = 0;
	size_t na = 0, nb = 0;
	size_t both = la < lb ? la : lb;
	size_t i = 0;

	for (; i < both; i++) {
		step(a[i], &pa, &sa, &na);
		step(b[i], &pb, &sb, &nb);
	}
	for (size_t j = i; j < la; j++)
		step(a[j], &pa, &sa, &na);
	for (size_t j = i; j < lb; j++)
		step(b[j], &pb, &sb, &nb);
	return na + nb;
}

static size_t alpha_run_tokens(size_t n)
{
	return n <= 7 ? 1 : 1 + (n - 7 + 3) / 4;
}

static size_t digit_run_tokens(size_t n)
{
	return (n + 2) / 3;
}

static size_t symbol_run_tokens(size_t n)
{
	return (n + 7) / 8;
}

int tokens_estimate(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (len == 0)
		return 0;
	/* After a free byte the automaton is in its free state whatever came
	 * before, so the text splits there into two halves counted at once. */
	size_t mid = len / 2;
	while (mid < len && cls[p[mid]] != C_FREE)
		mid++;
	if (mid < len)
		mid++;
	size_t n = count_two(p, mid, p + mid, len - mid);
	return n > INT_MAX ? INT_MAX : (int)n;
}

size_t tokens_prefix_end(const char *s, size_t len, int max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t limit = max > 0 ? (size_t)max : 0;
	unsigned st = S_FREE;
	unsigned char prev = 0;
	size_t n = 0;
	size_t i = 0;

	/* Costs fall on a character's first byte, so stopping before the byte
	 * that would exceed the limit never splits a UTF-8 sequence. */
	for (; i < len; i++) {
		unsigned next = next_state[st][byte_class(p[i], prev)];
		if (n + state_cost[next] > limit)
			break;
		st = next;
		prev = p[i];
		n += state_cost[next];
	}
	return i;
}

int tokens_estimate_str(const char *s)
{
	return s ? tokens_estimate(s, strlen(s)) : 0;
}

size_t tokens_suffix_start(const char *s, size_t len, int want)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need = want > 0 ? (size_t)want : 0;
	size_t i = len;
	size_t n = 0;

	while (i > 0 && n < need) {
		size_t j = i - 1;
		unsigned char c = cls[p[j]];
		if (c == C_ALPHA || c == C_DIGIT) {
			while (j > 0 && cls[p[j - 1]] == c)
				j--;
			n += c == C_ALPHA ? alpha_run_tokens(i - j) : digit_run_tokens(i - j);
		} else if ((p[j] & 0xc0) == 0x80) {
			/* Back to the lead byte; continuation bytes without one
			 * are free, as in the forward count. */
			while (j > 0 && (p[j - 1] & 0xc0) == 0x80)
				j--;
			if (j > 0 && p[j - 1] >= 0xc0) {
				j--;
				n++;
			}
		} else if (c == C_SYM) {
			while (j > 0 && p[j - 1] == p[i - 1])
				j--;
			n += symbol_run_tokens(i - j);
		}
		i = j;
	}
	return n < need ? 0 : i;
}
