/* explain: why a document was or was not retrieved for a question.
 *
 * The question is searched as `ragdeck search` would (retriever_search_traced),
 * and the document's chunks are placed in what that search saw: their rank
 * by the query vector and by BM25 among every chunk of the collection, the
 * candidate lists, the fusion, min_score, the path filter, archive
 * demotion, the top k and the token budget. */
#ifndef RAGDECK_EXPLAIN_H
#define RAGDECK_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/search/retrieve.h"

/* Chunks of the document an explanation shows at most. */
#define EXPLAIN_MAX_CHUNKS 3
/* Stored paths offered when the document is not found. */
#define EXPLAIN_MAX_CLOSEST 3

/* One chunk of the document and where the search left it. */
struct explain_chunk {
	int64_t chunk_id;
	int ordinal;
	int line_start, line_end;
	int tokens;
	int vec_rank;             /* among every chunk of the collection; 0: no query vector */
	float vec_score;          /* its cosine (inner product) when vec_rank > 0 */
	int fts_rank;             /* among every chunk matching the query; 0: no term
	                           * of the full-text query matches */
	uint64_t left_out;        /* bit i: it holds dropped[i], a term full-text
	                           * search left out (looked up when fts_rank is 0) */
	double bm25;              /* its rank value (lower is better) when fts_rank > 0 */
	int vec_candidate;        /* its rank in the vector candidates; 0: not among them */
	int fts_candidate;        /* its rank in the full-text candidates; 0: not among them */
	double fused;             /* fused score after demotion; 0 when not fused */
	int fused_rank;           /* among the fused candidates min_score kept; 0: none */
	bool below_min_score;     /* fused, then dropped by retrieval.min_score */
	bool allowed;             /* the query's path or document filter lets it through */
	int hit_rank;             /* its rank in the hits returned; 0: not returned */
	bool packed;              /* returned and kept under the token budget */
	char *verdict;            /* one line, e.g. "rank 14 fused, below the top 8" */
};

/* A query term full-text search left out, its postings over the budget. */
struct explain_term {
	char *text;
	int64_t chunks;           /* chunks of the index (every collection) holding it */
};

struct explain_result {
	char *query_path;         /* the path asked about */
	char *path;               /* the stored path it resolved to; NULL: not found */
	bool ambiguous;           /* several stored paths end in query_path */
	char **closest;           /* when not found: the nearest stored paths (or the
	                           * matching ones when ambiguous) */
	size_t n_closest;
	int64_t doc_id;
	size_t doc_chunks;        /* chunks the document holds */
	enum doc_status status;
	bool demoted;             /* archived or superseded, fused scores multiplied */
	double demotion_weight;   /* by this (retrieval.archived_weight) */
	const char *path_glob;    /* the query's filter (borrowed from q); NULL: none */
	bool path_excluded;       /* the filter excludes the document */
	enum retrieve_mode mode;  /* the query's */
	bool vec_used;            /* the vector half ran (not in fts mode, nor after
	                           * vector_error) */
	bool fts_used;            /* the full-text half ran (not in vector mode) */
	size_t vectors_searched;  /* chunks ranked by the query vector (0: no vector half) */
	size_t fts_matches;       /* chunks matching the full-text query */
	struct explain_term *dropped;  /* terms full-text search left out */
	size_t n_dropped;
	bool fts_skipped;         /* every term was left out: no full-text query ran */
	size_t candidate_limit;   /* candidates a retriever may contribute */
	size_t vec_candidates, fts_candidates;
	size_t fused_candidates;  /* after min_score */
	int top_k;
	size_t n_hits;
	double cutoff_fused;      /* the last returned hit's fused score; 0: no hits */
	int budget_tokens;
	size_t budget_dropped;    /* hits the token budget dropped */
	bool reranked;
	int rerank_top_n;         /* fused candidates the reranker was sent, when reranked */
	char *vector_error;       /* why the vector half did not run; NULL: it did */
	struct explain_chunk *chunks; /* the document's best chunks, best first */
	size_t n_chunks;
};

/* Explain q for the document of r's collection at path, found as
 * store_doc_find finds it: a file on disk by its canonical path
 * ("./refunds.md"), else its exact stored path, or else a unique suffix
 * at a '/' boundary ("kb/refunds.md" finds "/docs/kb/refunds.md"). Shows
 * the document's best EXPLAIN_MAX_CHUNKS
 * chunks: returned ones by hit rank, then fused ones by fused score, then
 * the rest by their better rank among all. A document not found (or
 * matched ambiguously) is no error: out->path is NULL and out->closest
 * lists stored paths. Returns 0, or -1 with err (the search or the store
 * failed). Free out with explain_result_free, also after a failure. */
int retrieve_explain(struct retriever *r, const struct retrieve_query *q, const char *path,
                     struct explain_result *out, char *err, size_t errlen);
void explain_result_free(struct explain_result *e);

#endif
