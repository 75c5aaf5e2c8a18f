/* wrap_int: what wrap.c (rows, runs, wrapping, the streaming driver) shares
 * with wrap_md.c (Markdown blocks through md4c). Not for other modules. */
#ifndef RAGDECK_WRAP_INT_H
#define RAGDECK_WRAP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/ui/wrap.h"

/* Containers deeper than this still lay out, without their own prefix. */
#define WRAP_MAX_PREFIX 16

/* A styled byte range of the line being laid out: of the text, or (lit) of
 * the wrap's own arena of drawn-only bytes. */
struct span {
	size_t off, len;
	enum wrap_style style;
	int cite;
	bool lit;
	unsigned char hl;
};

/* What a row starts with: quote bars, a list marker, the code box's side.
 * A blank piece (no bytes) is cols spaces. */
struct piece {
	size_t off, len;          /* in the arena */
	unsigned cols;
	enum wrap_style style;
	bool blank;
};

struct prefix {
	struct piece p[WRAP_MAX_PREFIX + 2];
	size_t n;
	unsigned cols;
};

/* A fenced code block being laid out line by line. */
struct code_seg {
	bool open;
	unsigned char lang;       /* enum hl_lang */
	unsigned hl_state;        /* the highlighter's state for the next line */
	char ch;                  /* '`' or '~' */
	size_t n;                 /* length of the opening fence */
	struct prefix pre;        /* what its rows start with (with the box side) */
	size_t block;             /* index in blocks */
};

/* The counts a stable point keeps: what the complete part of the text left. */
struct wrap_mark {
	size_t rows, runs, cites, blocks, lits;
	struct code_seg code;
};

struct wrap {
	int width;
	bool markdown;
	struct wrap_row *rows;
	size_t nrows, cap_rows;
	struct wrap_run *runs;
	size_t nruns, cap_runs;
	struct wrap_cite *cites;
	size_t ncites, cap_cites;
	struct wrap_block *blocks;
	size_t nblocks, cap_blocks;
	struct strbuf lits;           /* drawn-only bytes: borders, bullets, entities */
	struct strbuf md_input;       /* what md4c parses (wrap_md.c) */
	struct span *spans;           /* the current line's, scratch */
	size_t nspans, cap_spans;
	struct code_seg code;
	bool record_cites;            /* false while a table lays out its cells */
	const char *text;             /* during wrap_layout */
	size_t text_len;
	struct strbuf seen;           /* the text up to the stable point */
	struct wrap_mark stable;
	size_t work;                  /* see wrap_work */
};

/* Grow *arr (of *cap elements of size sz) to hold at least need. */
void *wrap_grow(void *arr, size_t *cap, size_t need, size_t sz);

/* Store s[0..n) in the arena; returns its offset there. */
size_t wrap_lit(struct wrap *w, const char *s, size_t n);

/* Add a span to the current line, merged into the previous one when it
 * continues it with the same style (never for tabs and citations). */
void wrap_add_span(struct wrap *w, size_t off, size_t len, enum wrap_style style, int cite, bool lit);

/* Add text[off..off+len) in style, each tab a span of its own. */
void wrap_add_text(struct wrap *w, size_t off, size_t len, enum wrap_style style);

/* Add the NUL-terminated s, stored in the arena, as a span in style. */
void wrap_add_lit(struct wrap *w, const char *s, enum wrap_style style);

/* Split "[n]" out of the text spans from index from on as citations. */
void wrap_split_citations(struct wrap *w, size_t from);

/* Columns of the arena bytes at off, len long. */
unsigned wrap_lit_cols(const struct wrap *w, size_t off, size_t len);

/* Append a piece holding s (in the arena) to pre. */
void prefix_add(struct wrap *w, struct prefix *pre, const char *s, enum wrap_style style);

/* Append a blank piece of cols columns to pre. */
void prefix_add_blank(struct prefix *pre, unsigned cols);

/* Start a row with pre's pieces (leading blank pieces become its indent). */
void wrap_push_row(struct wrap *w, const struct prefix *pre, unsigned flags);

/* Append a run to the last row; cite_start: the run begins a citation. */
void wrap_push_run(struct wrap *w, const struct wrap_run *run, bool cite_start);

/* Append cols blank columns to the last row: its indent while it has no
 * runs, else a run of spaces. */
void wrap_push_blank(struct wrap *w, unsigned cols);

/* Append the arena bytes of s as a run of the last row. */
void wrap_push_lit(struct wrap *w, const char *s, size_t n, enum wrap_style style);

/* Word-wrap the current line's spans into rows: the first starting with
 * first, the others with rest. Blanks before text offset body are not
 * break points. No spans: one row holding first alone. Clears the spans. */
void wrap_fill(struct wrap *w, const struct prefix *first, const struct prefix *rest, size_t body);

/* Open a code box under pre: its top border naming lang (lang_len bytes,
 * may be 0), and w->code set up for its lines. */
void wrap_code_open(struct wrap *w, const struct prefix *pre, const char *lang, size_t lang_len);

/* Lay out the current line's spans as one line of the open code box, cut
 * (not wrapped) at the width. Clears the spans. */
void wrap_code_line(struct wrap *w);

/* Close the open code box with its bottom border. */
void wrap_code_close(struct wrap *w);

/* Lay out the Markdown of text[off..end) (whole blocks) with md4c; gap:
 * start with a blank row. */
void wrap_markdown(struct wrap *w, size_t off, size_t end, bool gap);

#endif
