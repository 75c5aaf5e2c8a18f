/* pack: fit ranked chunks into a token budget as numbered context blocks.
 *
 * Best-ranked chunks first; a chunk that does not fit is dropped (and
 * reported) and smaller lower-ranked ones may still fit; chunks of the same
 * document that are adjacent (consecutive ordinals) merge into one block
 * without repeating their overlap. The total, labels included, never
 * exceeds the budget.
 *
 * With a summarizer (retrieval.summarize_over_budget) the dropped chunks
 * are kept too, as blocks numbered after the packed ones and marked
 * summarized: their text is never placed in a prompt, a summary of them
 * is (core/answer/summarize.h), and an answer citing their numbers
 * resolves to them like to any block. */
#ifndef RAGDECK_PACK_H
#define RAGDECK_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A ranked chunk offered to the packer (rank order = array order). */
struct pack_item {
	int64_t chunk_id;
	int64_t doc_id;
	int ordinal;
	int64_t byte_start, byte_end;
	int line_start, line_end;
	int page_start, page_end; /* 0: its document has no pages */
	const char *path;
	const char *heading_path;
	const char *text;
	bool archived;          /* its document is archived or superseded */
};

/* One numbered block of context. */
struct pack_block {
	int number;             /* 1-based, in order of the best rank inside */
	char *path;
	char *heading_path;     /* of the first chunk */
	bool archived;          /* its document is archived or superseded */
	int line_start, line_end;
	int page_start, page_end; /* 0: its document has no pages */
	char *text;             /* merged chunk text */
	int tokens;             /* label + text, as counted against the budget */
	int64_t *chunk_ids;     /* chunks merged into this block, document order */
	size_t n_chunks;
	bool summarized;        /* dropped for budget and condensed into the summary block:
	                         * cited by its number, its text the original's, its
	                         * tokens its cost whole (not counted in the total) */
};

struct pack_result {
	struct pack_block *blocks;
	size_t n_blocks;
	size_t n_packed;        /* blocks[0..n_packed) are placed whole; the rest are summarized */
	int64_t *dropped;       /* chunk ids left out for budget, rank order */
	size_t n_dropped;
	int total_tokens;       /* the packed blocks' and the summary block's */
	int budget;
	char *summary;          /* the summary block's text as placed; NULL: none */
	int summary_tokens;     /* its label and text, inside total_tokens */
	bool summary_trimmed;   /* statements were left out to fit the budget */
};

/* Room for any pack_location text, with its NUL. */
#define PACK_LOCATION_LEN 32

/* Where a chunk or block lies, to follow its path: " p.12" or " pp.12-13"
 * in a paged document (page_start > 0), else ":a-b", its lines. */
void pack_location(char *buf, size_t len, int line_start, int line_end, int page_start, int page_end);

/* The label line a prompt puts before a block's text:
 * "[n] path:a-b (heading)" or "[n] path p.12 (heading)", with " [archived: ...]" for a block of an
 * archived or superseded document. Caller frees. */
char *pack_block_label(const struct pack_block *b);

/* The label line a prompt puts before the summary block of r:
 * "[summary] of blocks [4] [5]: condensed, not quoted". Caller frees. */
char *pack_summary_label(const struct pack_result *r);

/* Pack items[0..n) under budget tokens into out. Free with
 * pack_result_free. */
void pack_chunks(const struct pack_item *items, size_t n, int budget, struct pack_result *out);

/* Pack as pack_chunks does (the same packed blocks: a summary gets what
 * they leave of the budget, never their room), then keep the dropped
 * chunks as summarized blocks, numbered after the packed ones by their
 * best rank (adjacent ones merged). Free with pack_result_free. */
void pack_chunks_summarizing(const struct pack_item *items, size_t n, int budget, struct pack_result *out);

/* Keep only the summarized blocks of r whose number is among
 * numbers[0..n) (those the summary's statements cite); the others are
 * plainly dropped again, their numbers unused. */
void pack_keep_summarized(struct pack_result *r, const int *numbers, size_t n);

void pack_result_free(struct pack_result *r);

#endif
