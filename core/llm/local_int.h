/* local_int: what the local answerer's files share (core/llm/local*.c).
 * Not for other modules. */
#ifndef RAGDECK_LLM_LOCAL_INT_H
#define RAGDECK_LLM_LOCAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/llm/llm.h"
#include "core/util/strbuf.h"

/* The content words of a text, stemmed and hashed: sorted, unique. */
struct lterms {
	uint32_t *v;
	size_t n, cap;
};

/* Content terms of s[0..len): words (ASCII lower-cased, stopwords and
 * one-letter words out), stemmed (core/util/stem.h). */
void lterms_of(struct lterms *t, const char *s, size_t len);
bool lterms_has(const struct lterms *t, uint32_t h);
/* Add every term of more to t (kept sorted and unique). */
void lterms_merge(struct lterms *t, const struct lterms *more);
void lterms_free(struct lterms *t);

/* A piece of the context that can be scored and quoted. Atomic units
 * (sentences, list items, table rows, code blocks) are scored; containers
 * (paragraphs, lists, tables) are what an answer may quote whole. */
enum unit_kind { U_SENTENCE, U_PARAGRAPH, U_ITEM, U_LIST, U_ROW, U_TABLE, U_CODE };

#define NO_UNIT ((size_t)-1)

struct unit {
	enum unit_kind kind;
	size_t block;            /* index of its context block */
	size_t section;          /* units under one heading of one block share it */
	size_t parent;           /* the paragraph, list or table it is part of; NO_UNIT */
	size_t lead;             /* a list's or code block's lead-in paragraph ("To install:"); NO_UNIT */
	char *text;              /* as quoted: Markdown kept for lists, tables and code */
	char *heading;           /* the heading of its section, "" when none */
	struct lterms terms;
	struct lterms about;     /* terms and those of its section's heading: what it is
	                          * about, even when it does not repeat the heading */
	size_t words;
	bool ordered;            /* a numbered list or one of its items */
	bool archived;           /* from an archived or superseded document */
	char lang[16];           /* code: the fence's language, "" when none */
	char **cells;            /* a row's cells, a table's header cells */
	size_t n_cells;
	double rel;              /* IDF-weighted share of the question's terms it holds */
};

struct units {
	struct unit *v;
	size_t n, cap;
};

/* Cut every block into units, in context order. */
void units_split(struct units *u, const struct llm_context_block *blocks, size_t n_blocks);
void units_free(struct units *u);

/* Score every unit against the question's terms q: the IDF-weighted share
 * of q it holds (terms also in idents weigh IDENT_BOOST times more; a
 * term only its section heading holds counts HEADING_SHARE), IDF over the atomic units (terms no unit holds count
 * too, so a question about something the context lacks scores low). A
 * container gets the score of its whole text. */
void units_score(struct units *u, const struct lterms *q, const struct lterms *idents);

/* What a question term found only in a unit's section heading counts,
 * against one found in the unit itself. */
#define HEADING_SHARE 0.5

/* The weight of the question's identifier terms (an error code, a version,
 * a port) against its words. */
#define IDENT_BOOST 2.0

/* A paragraph up to this many words is one unit to rank and quote; the
 * sentences of a longer one are ranked one by one. */
#define QUOTE_PARAGRAPH_WORDS 90

/* True when unit i is one the answerer ranks: a short paragraph or a
 * sentence of a long one, a list item, a table row, a code block. */
bool unit_atomic(const struct units *u, size_t i);

/* Format answers (local_format.c): when the question asks for a table, a
 * JSON object, only one value, yes or no, or a fenced block, write an
 * answer in that form from the best units into out and return true;
 * false when the question asks for none of them, or the context holds
 * nothing to fill it with. best is the index of the best atomic unit. */
bool local_format_answer(const char *question, const struct units *u, size_t best,
                         const struct llm_context_block *blocks, struct strbuf *out);

#endif
