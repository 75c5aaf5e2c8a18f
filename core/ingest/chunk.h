/* chunk: split a document into retrieval chunks along its structure.
 *
 * A document is a sequence of sections: in Markdown every ATX heading (`#` to
 * `######`, outside fenced code) starts one; plain text and code are a single
 * section. A chunk spans two sections only when the first is too small to
 * stand alone: a section that is only its heading ("## Files" right above
 * "### Upload") opens the next section's first chunk, which keeps the next
 * section's heading path; a section of fewer than min_tokens joins the next
 * one too, and that chunk's heading path is the one enclosing both ("A > B"
 * and "A > C" give "A"). Every other chunk's heading path is its section's.
 * Within a section the chunker accumulates whole blocks (paragraphs, list
 * items, tables, fenced code, or for code the runs between blank lines) up to
 * the target size, keeping a block whole whenever it fits in the target.
 * Larger blocks are split: fenced code, tables and code at line boundaries
 * (preferring, for code, a line that starts a top-level definition), prose
 * at sentence ends (". ", "? ", "! ", 。！？, not after "e.g." or a list
 * number), then at line breaks, then at spaces, then as a last resort
 * between two UTF-8 characters.
 *
 * Sizes are tokens_estimate counts. No chunk exceeds target_tokens, with two
 * exceptions: the first chunk of a section may reach 1.5 times the target so
 * that its heading is not separated from, and does not split, the first
 * sentence; and a single line of code, table or fenced block larger than the
 * target is a chunk of its own, with its heading when it opens the section
 * (a line is never split). */
#ifndef RAGDECK_CHUNK_H
#define RAGDECK_CHUNK_H

#include <stdbool.h>
#include <stddef.h>

struct chunk_opts {
	int target_tokens;  /* wanted chunk size, at least 1 */
	int overlap_tokens; /* repeated from the end of the previous chunk of the
	                       same section; 0 for none; capped at half the target
	                       so each chunk is at least half new text */
	bool markdown;      /* headings, fences, lists, tables (RST and HTML arrive
	                       converted to Markdown) */
	bool code;          /* source code; takes precedence over markdown */
	int min_tokens;     /* Markdown: a whole section smaller than this joins the
	                       next section's first chunk; 0 for none */
};

struct chunk {
	size_t byte_start, byte_end; /* text[byte_start..byte_end), no leading or
	                                trailing whitespace, never empty */
	int line_start, line_end;    /* 1-based, inclusive */
	char *heading_path;          /* "Install > Linux > Proxy", "" when none; owned */
	int tokens;                  /* tokens_estimate of the chunk text */
	int page_start, page_end;    /* 1-based pages it spans; 0 when the text has
	                                no pages (chunk_set_pages) */
};

struct chunk_list {
	struct chunk *items;
	size_t n, cap;
};

/* Split text[0..len) (valid UTF-8; invalid bytes are carried along, never
 * looped on) into chunks appended to *out, in document order. The first
 * chunk of a section starts with its heading line; each later chunk of the
 * section starts about overlap_tokens before the previous one ended, moved
 * forward to the next sentence or line start.
 * Returns 0, or -1 with a message in err when the options are out of range
 * (nothing is appended then). Free the list with chunk_list_free. */
int chunk_text(const char *text, size_t len, const struct chunk_opts *opts,
               struct chunk_list *out, char *err, size_t errlen);

/* Set each chunk's pages in a paged text (core/ingest/loader.h: page N
 * starts after the (N-1)th form feed): page_start is the page of its first
 * byte, page_end of its last. A text without a form feed has no pages and
 * every chunk keeps 0. Chunks must lie in document order (chunk_text's). */
void chunk_set_pages(const char *text, size_t len, struct chunk_list *l);

/* Free every chunk's heading path and the array; leaves *l empty. NULL-safe. */
void chunk_list_free(struct chunk_list *l);

#endif
