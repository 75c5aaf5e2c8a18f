#include "core/ingest/chunk.h"
#include "core/util/tokens.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	P_LINES = 1,    /* piece of a line-structured block: overlap snaps to lines */
	P_TOPLEVEL = 2, /* code line or block that starts at column 0: a good cut */
	P_MIDWORD = 4,  /* cut inside a word: the estimates no longer add up */
};

enum block_kind { B_PROSE, B_LINES };

enum line_kind { L_BLANK, L_TEXT, L_HEADING, L_FENCE, L_TABLE, L_ITEM };

#define MAX_HEADING_LEVEL 6

/* The chunk under construction is text[start..end): an overlap carried from
 * the previous chunk, text[start..ov_end), followed by new pieces. Pieces are
 * whitespace-separated, so their estimates add up to the chunk's. */
struct builder {
	const char *text;
	size_t len;
	int target, overlap;
	const size_t *ls; /* line starts */
	size_t nl;
	size_t line_hint; /* last answer of line_of */
	struct chunk_list *out;
	char *path;       /* heading path of the current section; owned */
	char *carry_path; /* path of the open chunk when it began in an earlier section
	                     (a section too small to stand alone); owned, NULL when none */
	int min_tokens;   /* a section smaller than this joins the next one */
	size_t section_chunks; /* chunks emitted since the section began */

	size_t start, ov_end, end;
	int tokens, ov_tokens;
	bool open;        /* the chunk holds anything */
	bool fresh;       /* it holds text beyond the overlap */
	bool glue;        /* it holds only a heading: the next piece joins it */
	bool lines;       /* its last piece came from a line-structured block */
	bool midword;     /* it holds a piece cut inside a word */
	size_t cut;       /* code: start of the last top-level piece, 0 if none */
	int cut_tokens;   /* tokens before cut */
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_closer(char c)
{
	return c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_';
}

/* The CJK full stop, fullwidth exclamation and question marks: 。！？ */
static bool is_cjk_stop(const char *t, size_t j, size_t e)
{
	const unsigned char *p = (const unsigned char *)t + j;
	return j + 3 <= e && ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x82) ||
	                      (p[0] == 0xef && p[1] == 0xbc && (p[2] == 0x81 || p[2] == 0x9f)));
}

static bool is_blank_span(const char *p, const char *end)
{
	while (p < end && is_ws((unsigned char)*p))
		p++;
	return p == end;
}

/* Byte offsets of every line start; a final newline opens an empty line. */
static size_t *line_starts(const char *text, size_t len, size_t *n)
{
	size_t cap = len / 32 + 16;
	size_t *ls = xreallocarray(NULL, cap, sizeof *ls);
	size_t k = 0;
	ls[k++] = 0;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))); p++) {
		if (k == cap) {
			cap *= 2;
			ls = xreallocarray(ls, cap, sizeof *ls);
		}
		ls[k++] = (size_t)(p - text) + 1;
	}
	*n = k;
	return ls;
}

/* Line i runs from ls[i] up to, not including, its newline. */
static size_t line_end(const struct builder *b, size_t i)
{
	return i + 1 < b->nl ? b->ls[i + 1] - 1 : b->len;
}

/* 0-based index of the line holding byte pos. Chunks come in document
 * order and overlap by a few lines at most, so walking from the last answer
 * costs little; a binary search covers a long way back. */
static size_t line_of(struct builder *b, size_t pos)
{
	size_t i = b->line_hint;
	if (b->ls[i] > pos && b->ls[i] - pos > 4096) {
		size_t lo = 0, hi = i;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (b->ls[mid] <= pos)
				lo = mid;
			else
				hi = mid;
		}
		i = lo;
	}
	while (b->ls[i] > pos)
		i--;
	while (i + 1 < b->nl && b->ls[i + 1] <= pos)
		i++;
	b->line_hint = i;
	return i;
}

/* Append text[s..e) trimmed as a chunk; nothing when only whitespace. tok
 * is its estimate, or -1 to count it. */
static void emit(struct builder *b, size_t s, size_t e, int tok)
{
	while (s < e && is_ws((unsigned char)b->text[s]))
		s++;
	while (e > s && is_ws((unsigned char)b->text[e - 1]))
		e--;
	if (s == e)
		return;
	struct chunk_list *l = b->out;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->items = xreallocarray(l->items, l->cap, sizeof *l->items);
	}
	l->items[l->n++] = (struct chunk){
		.byte_start = s,
		.byte_end = e,
		.line_start = (int)line_of(b, s) + 1,
		.line_end = (int)line_of(b, e - 1) + 1,
		.heading_path = b->carry_path ? b->carry_path : xstrdup(b->path),
		.tokens = tok >= 0 ? tok : tokens_estimate(b->text + s, e - s),
	};
	b->carry_path = NULL;
	b->section_chunks++;
}

/* Whether the . ? or ! at j ends a sentence. A period does not after a
 * list number at the start of a line ("2. Open the ...") or in a short
 * abbreviation with inner periods ("e.g.", "i.e.", "a.m."). */
static bool ends_sentence(const char *t, size_t j)
{
	if (t[j] != '.')
		return true;
	size_t w = j;
	while (w > 0 && j - w <= 16 && !is_ws((unsigned char)t[w - 1]))
		w--;
	if (w == j || j - w > 16)
		return true;
	if (j - w <= 4 && memchr(t + w, '.', j - w))
		return false;
	for (size_t k = w; k < j; k++)
		if (t[k] < '0' || t[k] > '9')
			return true;
	while (w > 0 && (t[w - 1] == ' ' || t[w - 1] == '\t'))
		w--;
	return w > 0 && t[w - 1] != '\n';
}

/* A sentence ends after . ? ! (and any closing quotes, brackets or emphasis)
 * followed by whitespace, or right after a CJK full stop, exclamation or
 * question mark. Returns the end of the sentence starting at i, or e. */
static size_t sentence_end(const char *t, size_t i, size_t e)
{
	for (size_t j = i; j < e; j++) {
		if (t[j] == '.' || t[j] == '?' || t[j] == '!') {
			size_t k = j + 1;
			while (k < e && is_closer(t[k]))
				k++;
			if ((k == e || is_ws((unsigned char)t[k])) && ends_sentence(t, j))
				return k;
		} else if (is_cjk_stop(t, j, e)) {
			return j + 3;
		}
	}
	return e;
}

/* Whether a line, or unless lines_only a sentence, begins at q > 0. */
static bool boundary_at(const char *t, size_t q, bool lines_only)
{
	char c = t[q - 1];
	if (c == '\n')
		return true;
	if (lines_only)
		return false;
	if (q >= 3 && is_cjk_stop(t, q - 3, q))
		return true;
	if (c != ' ' && c != '\t')
		return false;
	size_t k = q - 1;
	while (k > 0 && is_closer(t[k - 1]))
		k--;
	return k > 0 && (t[k - 1] == '.' || t[k - 1] == '?' || t[k - 1] == '!') &&
	       ends_sentence(t, k - 1);
}

/* Where the chunk after text[a..e) begins its overlap: about b->overlap
 * tokens before e, moved forward to the next sentence or line start.
 * Returns e when there is no such start strictly inside (a, e). */
static size_t overlap_start(const struct builder *b, size_t a, size_t e)
{
	if (b->overlap == 0 || e <= a)
		return e;
	size_t q = a + tokens_suffix_start(b->text + a, e - a, b->overlap);
	if (q == a)
		q++;
	while (q < e && !boundary_at(b->text, q, b->lines))
		q++;
	while (q < e && is_ws((unsigned char)b->text[q]))
		q++;
	return q;
}

/* Emit the current chunk and open the next one with its overlap. In code,
 * when the chunk holds a top-level line in its second half, the chunk ends
 * before that line and the rest moves to the next chunk. */
static void roll(struct builder *b)
{
	size_t cut = b->end;
	int carried = 0;
	if (b->cut > b->start && 2 * b->cut_tokens >= b->target) {
		cut = b->cut;
		carried = b->tokens - b->cut_tokens;
	}
	emit(b, b->start, cut, b->midword ? -1 : b->tokens - carried);
	size_t ov = overlap_start(b, b->start, cut);
	b->ov_tokens = ov < cut ? tokens_estimate(b->text + ov, cut - ov) : 0;
	b->start = ov;
	b->ov_end = cut;
	b->tokens = b->ov_tokens + carried;
	b->fresh = cut < b->end;
	b->open = b->start < b->end;
	b->glue = false;
	b->cut = 0;
}

static void drop_overlap(struct builder *b)
{
	b->start = b->ov_end;
	b->tokens -= b->ov_tokens;
	b->ov_tokens = 0;
	b->open = b->start < b->end && b->fresh;
}

static void take(struct builder *b, size_t s, size_t e, int tok, unsigned flags)
{
	if (!b->open) {
		b->start = b->ov_end = s;
		b->tokens = b->ov_tokens = 0;
		b->cut = 0;
		b->open = true;
		b->midword = false;
	} else if ((flags & P_TOPLEVEL) && b->fresh) {
		b->cut = s;
		b->cut_tokens = b->tokens;
	}
	b->end = e;
	b->tokens += tok;
	b->fresh = true;
	b->glue = false;
	b->lines = flags & P_LINES;
	b->midword |= (flags & P_MIDWORD) != 0;
}

/* Add a piece of tok tokens, first emitting the chunk if it would overflow,
 * and dropping the overlap if the piece does not fit beside it. */
static void add(struct builder *b, size_t s, size_t e, int tok, unsigned flags)
{
	if (b->open && !b->glue && b->tokens + tok > b->target) {
		if (b->fresh)
			roll(b);
		while (b->open && b->tokens + tok > b->target) {
			if (b->ov_end > b->start)
				drop_overlap(b);
			else
				roll(b);
		}
	}
	take(b, s, e, tok, flags);
}

/* Room for the next piece. After a lone heading a block gets what is left
 * beside it, while a sentence or word may take the chunk to 1.5 times the
 * target rather than be split only because of the heading. */
static int room(const struct builder *b, bool unit)
{
	if (!b->glue)
		return b->target;
	int limit = unit ? b->target + b->target / 2 : b->target;
	return b->tokens < limit ? limit - b->tokens : b->target;
}

/* Last resort for a run without spaces: fill each chunk to the target,
 * cutting between two UTF-8 characters. */
static void feed_codepoints(struct builder *b, size_t s, size_t e)
{
	while (s < e) {
		int r = b->glue ? room(b, true)
		        : b->open && b->tokens < b->target ? b->target - b->tokens
		                                           : b->target;
		size_t k = s + tokens_prefix_end(b->text + s, e - s, r);
		if (k == s) {
			do
				k++;
			while (k < e && ((unsigned char)b->text[k] & 0xc0) == 0x80);
		}
		add(b, s, k, tokens_estimate(b->text + s, k - s), P_MIDWORD);
		s = k;
	}
}

static void feed_words(struct builder *b, size_t s, size_t e)
{
	const char *t = b->text;
	while (s < e) {
		while (s < e && is_ws((unsigned char)t[s]))
			s++;
		size_t w = s;
		while (w < e && !is_ws((unsigned char)t[w]))
			w++;
		if (w == s)
			break;
		int tok = tokens_estimate(t + s, w - s);
		if (tok <= room(b, true))
			add(b, s, w, tok, 0);
		else
			feed_codepoints(b, s, w);
		s = w;
	}
}

/* A code line at column 0 that is not a bracket: the start of a top-level
 * definition, or of the comment or signature lines leading up to one. */
static bool is_toplevel(const char *t, size_t s, size_t e)
{
	return s < e && !is_ws((unsigned char)t[s]) && !strchr("{}()[]", t[s]);
}

/* One piece per non-blank line of text[s..e). A line that does not fit is
 * split at spaces when words is set (prose), else kept whole (code, tables,
 * fenced blocks). */
static void feed_lines(struct builder *b, size_t s, size_t e, unsigned kind, bool code, bool words)
{
	const char *t = b->text;
	bool prev_top = false;
	while (s < e) {
		const char *nl = memchr(t + s, '\n', e - s);
		size_t le = nl ? (size_t)(nl - t) : e;
		if (!is_blank_span(t + s, t + le)) {
			int tok = tokens_estimate(t + s, le - s);
			/* Only the first of consecutive column-0 lines is a cut:
			 * "static int" above "main(void)" stays with it. */
			bool top = code && is_toplevel(t, s, le);
			unsigned flags = kind | (top && !prev_top ? P_TOPLEVEL : 0);
			prev_top = top;
			if (words && tok > room(b, true))
				feed_words(b, s, le);
			else
				add(b, s, le, tok, flags);
		}
		s = le + 1;
	}
}

static void feed_sentences(struct builder *b, size_t s, size_t e)
{
	const char *t = b->text;
	while (s < e) {
		while (s < e && is_ws((unsigned char)t[s]))
			s++;
		if (s == e)
			break;
		size_t se = sentence_end(t, s, e);
		int tok = tokens_estimate(t + s, se - s);
		if (tok <= room(b, true))
			add(b, s, se, tok, 0);
		else
			feed_lines(b, s, se, 0, false, true);
		s = se;
	}
}

/* Add a block whole when it fits, else split it by its kind. An oversized
 * line-structured block starts a new chunk so its first line opens one. */
static void feed_block(struct builder *b, size_t s, size_t e, enum block_kind kind, bool code)
{
	int tok = tokens_estimate(b->text + s, e - s);
	unsigned flags = kind == B_LINES ? P_LINES : 0;
	if (code && is_toplevel(b->text, s, e))
		flags |= P_TOPLEVEL;
	if (tok <= room(b, false)) {
		add(b, s, e, tok, flags);
		return;
	}
	if (kind == B_PROSE) {
		feed_sentences(b, s, e);
		return;
	}
	if (b->open && b->fresh && !b->glue)
		roll(b);
	feed_lines(b, s, e, P_LINES, code, false);
}

static void end_section(struct builder *b)
{
	if (b->open && b->fresh)
		emit(b, b->start, b->end, b->midword ? -1 : b->tokens);
	b->open = b->fresh = b->glue = b->midword = false;
	b->cut = 0;
	b->section_chunks = 0;
}

/* Whether the open chunk should join the next section instead of being
 * emitted: it holds only a heading, or the whole section is smaller than
 * min_tokens. */
static bool carries_over(const struct builder *b)
{
	if (!b->open || !b->fresh)
		return false;
	return b->glue || (b->section_chunks == 0 && b->tokens < b->min_tokens);
}

/* The deepest heading path enclosing both a and b ("A > B" and "A > C"
 * give "A"). Caller frees. */
static char *common_path(const char *a, const char *b)
{
	static const char sep[] = " > ";
	size_t keep = 0, i = 0;
	for (;;) {
		const char *ea = strstr(a + i, sep), *eb = strstr(b + i, sep);
		size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
		if (na != nb || memcmp(a, b, na) != 0)
			break;
		keep = na;
		if (!ea || !eb)
			break;
		i = na + strlen(sep);
	}
	return xstrndup(a, keep);
}

/* Markdown line kinds. For a heading, *level gets 1..6; for a fence, *fence
 * the fence character and *fence_len its run length. */
static enum line_kind classify(const char *p, const char *end, int *level, char *fence,
                               size_t *fence_len)
{
	const char *q = p;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (is_blank_span(q, end))
		return L_BLANK;
	if (*q == '`' || *q == '~') {
		const char *r = q;
		while (r < end && *r == *q)
			r++;
		if (r - q >= 3 && (*q == '~' || !memchr(r, '`', (size_t)(end - r)))) {
			*fence = *q;
			*fence_len = (size_t)(r - q);
			return L_FENCE;
		}
	}
	if (*q == '#' && q - p <= 3) {
		const char *r = q;
		while (r < end && *r == '#')
			r++;
		if (r - q <= MAX_HEADING_LEVEL && (r == end || is_ws((unsigned char)*r))) {
			*level = (int)(r - q);
			return L_HEADING;
		}
	}
	if (*q == '|')
		return L_TABLE;
	if ((*q == '-' || *q == '*' || *q == '+') && q + 1 < end && (q[1] == ' ' || q[1] == '\t'))
		return L_ITEM;
	const char *d = q;
	while (d < end && d - q < 9 && *d >= '0' && *d <= '9')
		d++;
	if (d > q && d + 1 < end && (*d == '.' || *d == ')') && (d[1] == ' ' || d[1] == '\t'))
		return L_ITEM;
	return L_TEXT;
}

static bool closes_fence(const char *p, const char *end, char fence, size_t fence_len)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *r = p;
	while (r < end && *r == fence)
		r++;
	return (size_t)(r - p) >= fence_len && is_blank_span(r, end);
}

/* The text of a heading line without its #s, closing #s and spaces. */
static void heading_text(const char *p, const char *end, const char **s, size_t *n)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p == '#')
		p++;
	while (p < end && is_ws((unsigned char)*p))
		p++;
	while (end > p && is_ws((unsigned char)end[-1]))
		end--;
	const char *h = end;
	while (h > p && h[-1] == '#')
		h--;
	if (h == p || h[-1] == ' ' || h[-1] == '\t') {
		end = h;
		while (end > p && is_ws((unsigned char)end[-1]))
			end--;
	}
	*s = p;
	*n = (size_t)(end - p);
}

struct heading_stack {
	const char *text[MAX_HEADING_LEVEL + 1];
	size_t len[MAX_HEADING_LEVEL + 1];
};

/* Enter the section of the heading at level on line i: the path becomes the
 * enclosing headings plus this one, and the heading line its first piece. */
static void start_section(struct builder *b, struct heading_stack *hs, int level, size_t i)
{
	size_t s = b->ls[i], e = line_end(b, i);
	bool carry = carries_over(b);
	char *before = carry && (!b->glue || b->carry_path) ? xstrdup(b->carry_path ? b->carry_path : b->path)
	                                                     : NULL;
	if (carry) {
		b->section_chunks = 0;
		free(b->carry_path);
		b->carry_path = NULL;
	} else {
		end_section(b);
	}
	heading_text(b->text + s, b->text + e, &hs->text[level], &hs->len[level]);
	for (int k = level + 1; k <= MAX_HEADING_LEVEL; k++)
		hs->len[k] = 0;
	struct strbuf sb = STRBUF_INIT;
	for (int k = 1; k <= level; k++) {
		if (hs->len[k] == 0)
			continue;
		if (sb.len)
			sb_puts(&sb, " > ");
		sb_append(&sb, hs->text[k], hs->len[k]);
	}
	free(b->path);
	b->path = sb_detach(&sb, NULL);
	/* A lone heading carried over is inside the new section's scope; a
	 * small section with text is not, so the chunk takes the path that
	 * encloses both. */
	if (before)
		b->carry_path = common_path(before, b->path);
	free(before);
	b->glue = b->glue || carry;
	add(b, s, e, tokens_estimate(b->text + s, e - s), 0);
	b->glue = true;
}

static void chunk_markdown(struct builder *b)
{
	struct heading_stack hs = { .len = { 0 } };
	size_t i = 0;
	while (i < b->nl) {
		const char *p = b->text + b->ls[i], *end = b->text + line_end(b, i);
		int level = 0;
		char fence = 0;
		size_t fence_len = 0;
		enum line_kind k = classify(p, end, &level, &fence, &fence_len);
		size_t j = i + 1;
		switch (k) {
		case L_BLANK:
			break;
		case L_HEADING:
			start_section(b, &hs, level, i);
			break;
		case L_FENCE:
			while (j < b->nl && !closes_fence(b->text + b->ls[j], b->text + line_end(b, j),
			                                  fence, fence_len))
				j++;
			j = j < b->nl ? j + 1 : b->nl;
			feed_block(b, b->ls[i], line_end(b, j - 1), B_LINES, false);
			break;
		case L_TABLE:
			while (j < b->nl && classify(b->text + b->ls[j], b->text + line_end(b, j), &level,
			                             &fence, &fence_len) == L_TABLE)
				j++;
			feed_block(b, b->ls[i], line_end(b, j - 1), B_LINES, false);
			break;
		case L_TEXT:
		case L_ITEM:
			while (j < b->nl && classify(b->text + b->ls[j], b->text + line_end(b, j), &level,
			                             &fence, &fence_len) == L_TEXT)
				j++;
			feed_block(b, b->ls[i], line_end(b, j - 1), B_PROSE, false);
			break;
		}
		i = j;
	}
	end_section(b);
}

/* Plain text and code: blocks are the runs of lines between blank lines. */
static void chunk_plain(struct builder *b, bool code)
{
	size_t i = 0;
	while (i < b->nl) {
		if (is_blank_span(b->text + b->ls[i], b->text + line_end(b, i))) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < b->nl && !is_blank_span(b->text + b->ls[j], b->text + line_end(b, j)))
			j++;
		feed_block(b, b->ls[i], line_end(b, j - 1), code ? B_LINES : B_PROSE, code);
		i = j;
	}
	end_section(b);
}

int chunk_text(const char *text, size_t len, const struct chunk_opts *opts,
               struct chunk_list *out, char *err, size_t errlen)
{
	if (!opts || !out || (!text && len)) {
		snprintf(err, errlen, "chunk: no %s given", !opts ? "options" : !out ? "output list" : "text");
		return -1;
	}
	if (opts->target_tokens < 1) {
		snprintf(err, errlen,
		         "chunk: target size %d tokens is too small; set ingest.chunk_tokens to at least 1 "
		         "(350 is a good start)",
		         opts->target_tokens);
		return -1;
	}
	if (opts->overlap_tokens < 0) {
		snprintf(err, errlen,
		         "chunk: overlap %d tokens is negative; set ingest.overlap_tokens to 0 or more",
		         opts->overlap_tokens);
		return -1;
	}
	if (len == 0)
		return 0;

	struct builder b = {
		.text = text,
		.len = len,
		.target = opts->target_tokens,
		.overlap = opts->overlap_tokens < opts->target_tokens / 2 ? opts->overlap_tokens
		                                                           : opts->target_tokens / 2,
		.out = out,
		.path = xstrdup(""),
		.min_tokens = opts->min_tokens,
	};
	size_t *ls = line_starts(text, len, &b.nl);
	b.ls = ls;
	if (opts->code || !opts->markdown)
		chunk_plain(&b, opts->code);
	else
		chunk_markdown(&b);
	free(ls);
	free(b.path);
	free(b.carry_path);
	return 0;
}

void chunk_list_free(struct chunk_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].heading_path);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

/* 1 + the number of form feeds before pos: ff[0..n) ascending. */
static int page_at(const size_t *ff, size_t n, size_t pos)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ff[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo + 1;
}

void chunk_set_pages(const char *text, size_t len, struct chunk_list *l)
{
	size_t *ff = NULL, n = 0, cap = 0;
	for (const char *p = text; (p = memchr(p, '\f', (size_t)(text + len - p))); p++) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ff = xreallocarray(ff, cap, sizeof *ff);
		}
		ff[n++] = (size_t)(p - text);
	}
	for (size_t i = 0; n && i < l->n; i++) {
		struct chunk *c = &l->items[i];
		c->page_start = page_at(ff, n, c->byte_start);
		c->page_end = page_at(ff, n, c->byte_end - 1);
	}
	free(ff);
}
