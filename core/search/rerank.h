/* rerank: relevance scores for retrieval candidates from a reranking server.
 *
 * One synchronous POST to {base_url}/v1/rerank, the shape llama.cpp server,
 * Hugging Face TEI, Jina and Cohere share:
 *
 *   request   {"model": M, "query": Q, "documents": [D0, D1, ...], "top_n": N}
 *   response  {"results": [{"index": 3, "relevance_score": 0.91}, ...]}
 *             or a bare [{"index": 3, "score": 0.91}, ...] (TEI)
 *
 * Results may come in any order and may score fewer documents than were
 * sent; other fields are ignored. The caller decides what a failure means:
 * retrieval keeps its own order and says why (core/search/retrieve.h). */
#ifndef RAGDECK_RERANK_H
#define RAGDECK_RERANK_H

#include <stddef.h>

struct rerank_opts {
	const char *name;          /* the provider's name, for messages; NULL: no reranker */
	const char *base_url;      /* the provider's base_url */
	const char *api_key_env;   /* variable holding the key; NULL or unset: no Authorization */
	const char *model;         /* NULL: the request names no model */
	long timeout_ms;           /* whole request; connecting gets at most 2000 of it */
};

/* The endpoint for base_url: base_url with "/v1/rerank" appended (after
 * any trailing '/'), "/rerank" when it ends in "/v1" (OpenAI-style base
 * URLs), or base_url itself when it already ends in "/rerank".
 * Never NULL; caller frees. */
char *rerank_url(const char *base_url);

/* Read a response body of len bytes that scores n documents: scores[i]
 * gets the score of document i, NAN for a document the body does not
 * score. Accepts {"results": [...]} and a bare array, each item's score as
 * "relevance_score" or "score". Returns 0, or -1 with a one-line err (not
 * JSON, no results list, an item without an integer index or a finite
 * score, an index outside 0..n-1 or given twice); scores are then all NAN. */
int rerank_parse(const char *body, size_t len, size_t n, double *scores, char *err,
                 size_t errlen);

/* Score the n documents docs against query with the server o names
 * (o->name set); scores as rerank_parse. The key of o->api_key_env, when
 * that variable is set, goes only into the Authorization header: never
 * into err. Returns 0, or -1 with err "reranker NAME: WHY" in one line
 * (cannot connect, timeout, HTTP status not 2xx with the start of the
 * body cleaned of control characters, a response rerank_parse refuses). */
int rerank_run(const struct rerank_opts *o, const char *query, const char *const *docs, size_t n,
               double *scores, char *err, size_t errlen);

#endif
