/* local: the offline answerer. Extracts and cites sentences from the
 * retrieved context blocks; no model, no network, deterministic.
 *
 * How it picks: the question and every sentence become sets of content
 * terms (ASCII lower-cased, stopwords dropped, a light suffix stemmer). A
 * sentence's relevance is the IDF-weighted share of the question's terms it
 * contains. Up to LLM_LOCAL_MAX_SENTENCES sentences are chosen by maximal
 * marginal relevance (0.7 relevance, 0.3 novelty against those already
 * chosen, Jaccard over terms; near-duplicates skipped), among those scoring
 * at least half the best. They are printed in document order (block order,
 * then position), each followed by " [n]" with n the number of the block it
 * came from. When no sentence shares a content term with the question, or
 * the best relevance is under LLM_LOCAL_MIN_RELEVANCE, the answer is
 * LLM_LOCAL_NO_ANSWER. Headings and fenced code are not candidates.
 *
 * A Markdown table row is one candidate, written as a statement with its
 * header: "Plan: Team; Minimum seats: 3". When the question asks for a
 * table ("table", "tables"), each whole table is a candidate too, printed
 * as its Markdown lines with the citation under it; a whole table and its
 * own rows never go into the same answer. */
#ifndef RAGDECK_LLM_LOCAL_H
#define RAGDECK_LLM_LOCAL_H

#include <stddef.h>

#include "core/llm/llm.h"
#include "core/util/strbuf.h"

#define LLM_LOCAL_NO_ANSWER "The provided documents do not contain an answer to this question."
#define LLM_LOCAL_MAX_SENTENCES 5
#define LLM_LOCAL_MIN_RELEVANCE 0.3

/* Append the answer to question from blocks to out. Returns the number of
 * sentences cited; 0 when out got LLM_LOCAL_NO_ANSWER. */
size_t llm_local_answer(const char *question, const struct llm_context_block *blocks,
			size_t n_blocks, struct strbuf *out);

#endif
