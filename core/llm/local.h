/* local: the offline answerer. Quotes the passage of the retrieved
 * context that answers the question, with its citation; no model, no
 * network, deterministic.
 *
 * The context blocks are cut into units (local_int.h): sentences and
 * their paragraphs, list items and their lists, table rows (each a
 * statement with its header, "Plan: Team; Minimum seats: 3") and their
 * tables, and fenced code blocks. Every unit is scored by the
 * IDF-weighted share of the question's terms it holds (the question read
 * as retrieval reads it: core/util/fts_query.h), with a small preference for
 * earlier, better-ranked blocks. The best unit is quoted whole at the
 * size a person would quote it: its paragraph when short, its list when
 * the list is numbered steps or the question asks how to do something,
 * its code block with the sentence that introduces it; for "how do I"
 * questions the steps or commands of the same section come first. Up to
 * LLM_LOCAL_MAX_PASSAGES passages are quoted, each one adding terms of the
 * question the others lack, best first, each followed by " [n]".
 *
 * Units of archived or superseded documents are quoted only when no
 * current document holds the question's terms as well. When the question
 * asks for a form (a table with given columns, JSON with given keys, only
 * a code, number or command, yes or no, a fenced block), the answer takes
 * that form where the context has what fills it (local_format.c).
 *
 * When no unit holds at least LLM_LOCAL_MIN_RELEVANCE of the question, or
 * the context does not cover it (a question of up to LLM_LOCAL_MIN_TERMS
 * terms must find each somewhere in the context; a longer one must find
 * LLM_LOCAL_MIN_TERMS of them in the passage), the answer is
 * LLM_LOCAL_NO_ANSWER followed by the closest documents. */
#ifndef RAGDECK_LLM_LOCAL_H
#define RAGDECK_LLM_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/llm/llm.h"
#include "core/util/strbuf.h"

#define LLM_LOCAL_NO_ANSWER "The provided documents do not contain an answer to this question."
#define LLM_LOCAL_MAX_PASSAGES 3
#define LLM_LOCAL_MIN_RELEVANCE 0.1
#define LLM_LOCAL_MIN_TERMS 2

/* Whether answer is the local answerer's refusal (it opens with
 * LLM_LOCAL_NO_ANSWER): it claims nothing from the documents. */
bool llm_local_declines(const char *answer);

/* Append the answer to question from blocks to out. Returns the number of
 * passages quoted; 0 when out got LLM_LOCAL_NO_ANSWER. */
size_t llm_local_answer(const char *question, const struct llm_context_block *blocks,
			size_t n_blocks, struct strbuf *out);

#endif
