/* retrieve: question -> vector top-k + FTS5 BM25 top-k -> reciprocal rank
 * fusion -> optional reranker -> token-budget packing, with a span per
 * stage.
 *
 * A retriever owns the in-memory vector index of one collection and keeps
 * it in step with the store before every search, so documents ingested by
 * another process are found without a restart. */
#ifndef RAGDECK_RETRIEVE_H
#define RAGDECK_RETRIEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ingest/freshness.h"
#include "core/search/fusion.h"
#include "core/search/pack.h"
#include "core/search/rerank.h"
#include "store/vecstore.h"

struct store;
struct store_search;
struct embedder;
struct retriever;

enum retrieve_mode { RETRIEVE_HYBRID, RETRIEVE_VECTOR, RETRIEVE_FTS };

struct retriever_opts {
	const char *collection;
	enum fusion_method fusion;
	int rrf_k;
	double vector_weight;     /* < 0: auto, by the embedder (see retrieve.c) */
	double fts_weight;
	double heading_weight;    /* BM25 weight of the heading path column (text: 1) */
	double proximity_weight;  /* bonus for consecutive query terms found together */
	double archived_weight;   /* fused scores of archived and superseded documents
	                           * are multiplied by this */
	double min_score;         /* candidates whose fused score is under this share
	                           * of the best one's are dropped (0: none) */
	bool quantize_int8;
	int oversample;
	int threads;              /* 0: all cores */
	int cache_ttl_seconds;    /* query-embedding cache */
	struct rerank_opts rerank;  /* .name NULL: no reranker */
	int rerank_top_n;         /* fused candidates the reranker reorders, >= 1 */
	enum vec_build vec_build; /* a missing vector index file: write it before the
	                           * first search, or in the background */
	vec_file_progress_fn vec_progress;  /* VEC_BUILD_NOW's write; may be NULL */
	void *vec_progress_ud;
	bool server;              /* the collection is on the PostgreSQL store (store/pg.h) */
	const char *server_url;   /* its URL; NULL: the PG* environment variables */
	long hnsw_min_rows;       /* store.hnsw_min_rows */
	bool server_exact;        /* always scan every vector, never the HNSW index */
};

struct retrieve_query {
	const char *text;
	int k;                    /* hits returned */
	enum retrieve_mode mode;
	const char *path_glob;    /* NULL: any path (GLOB syntax, matched on the stored path) */
	const int64_t *doc_ids;   /* NULL: any document */
	size_t n_doc_ids;
	int max_context_tokens;   /* budget for packing */
};

/* One retrieved chunk with the evidence for its rank. */
struct retrieve_hit {
	int rank;                 /* 1-based, in the order returned (fused, then reranked) */
	int64_t chunk_id, doc_id;
	int ordinal;
	double fused;             /* RRF score */
	float vec_score;          /* inner product (cosine) when vec_rank > 0 */
	int vec_rank;             /* 0: not in the vector candidates */
	double bm25;              /* SQLite bm25 (lower is better) when fts_rank > 0 */
	int fts_rank;             /* 0: not in the full-text candidates */
	char *path;
	int line_start, line_end;
	int page_start, page_end; /* 0: its document has no pages */
	int64_t byte_start, byte_end;
	char *heading_path;
	char *text;
	int tokens;
	enum doc_status status;   /* of the chunk's document */
	double coverage;          /* IDF-weighted share of the question's terms it holds */
	bool packed;              /* made it into the context under budget */
	bool summarized;          /* left out for budget and condensed into the summary
	                           * block (retrieve_repack with summarize) */
	bool reranked;            /* the reranker scored this chunk */
	double rerank_score;      /* its score; 0 when not reranked */
};

struct retrieve_timings {
	uint64_t embed_us, vector_us, fts_us, fuse_us, rerank_us, pack_us, total_us;
};

struct retrieve_result {
	struct retrieve_hit *hits;
	size_t n_hits;
	struct pack_result pack;
	struct retrieve_timings us;
	size_t index_rows;        /* vectors searched */
	bool embed_cached;        /* query vector came from the cache */
	double vector_weight;     /* the vector list's weight in this query's fusion */
	double coverage;          /* the best hit's coverage: how well the store matched */
	char *fts_match;          /* the FTS5 MATCH expression run; NULL: none */
	size_t fts_terms_dropped; /* query terms too common for the FTS budget */
	bool reranked;            /* the reranker reordered the candidates */
	char *rerank_error;       /* why the reranker was skipped, one line; NULL: it was
	                           * not configured or it worked */
	char *vector_error;       /* why this hybrid search ran on full text alone (the
	                           * query embedding failed, the collection holds
	                           * another model's vectors, or its vector index is
	                           * being written), one line; NULL: it did not */
	long embed_tokens;        /* the query embedding's input tokens (0: cached, or
	                           * an embedder that costs nothing) */
};

/* Retriever options from cfg's retrieval keys, the reranker's provider
 * resolved to its base_url and key variable; collection overrides the
 * config's when not NULL (the options point into cfg). */
struct config;
void retriever_opts_from_config(const struct config *cfg, const char *collection, struct retriever_opts *ro);

/* Open a retriever on store for opts->collection (which must exist), with
 * its vectors for embedder's model (store/vecstore.h: the persisted index
 * mapped, written first when missing as opts->vec_build says). Caller
 * frees with retriever_free. */
int retriever_open(struct store *store, struct embedder *embedder, const struct retriever_opts *opts,
                   struct retriever **out, char *err, size_t errlen);
void retriever_free(struct retriever **r);

/* Where r's vectors stand (store/vecstore.h): ready, being written, why
 * their file is not used; not ready while the collection holds another
 * model's vectors. */
struct vec_store_state retriever_vectors(const struct retriever *r);

/* Whether r reads the PostgreSQL store (store/pg.h) rather than SQLite. */
bool retriever_on_server(const struct retriever *r);

/* The text of document doc_id (a hit's) from the store r reads, as
 * store_doc_body gives it. Returns RD_OK, RD_ERR_NOT_FOUND or an error. */
enum rd_err retriever_document_body(struct retriever *r, int64_t doc_id, char **body, size_t *len, char *err,
                                    size_t errlen);

/* The documents of r's collection, as store_docs_list gives them (free
 * with store_doc_rows_free). Returns 0, or -1 with err. */
struct store_doc_row;
int retriever_documents(struct retriever *r, struct store_doc_row **rows, size_t *n, char *err, size_t errlen);

/* Bring r's vectors up to date now, as a search would first (a background
 * write that finished is taken up). Returns 0, or -1 with err. */
int retriever_catch_up(struct retriever *r, char *err, size_t errlen);

/* After an ingest into collection: write its vector index file for
 * embedder's vectors again when it is missing, unusable or behind by more
 * than a share (vec_store_persist), with progress (may be NULL). *wrote
 * tells whether it did (not when the collection does not exist). Returns
 * 0, or -1 with err (the database stays whole either way; searches then
 * load what the file lacks). */
int retriever_persist(struct store *store, struct embedder *embedder, const char *collection,
                      vec_file_progress_fn progress, void *ud, bool *wrote, char *err, size_t errlen);

/* Run q. In hybrid mode a query embedding that fails (the server down,
 * its breaker open), a collection now holding another model's vectors or
 * a vector index still being written leaves the vector half out: the search runs on full text alone and
 * out->vector_error says why; the next search tries again. In vector mode
 * either is an error. With a reranker, the first rerank_top_n fused candidates are
 * reordered by its scores before the top k are taken (chunks it did not
 * score follow the scored ones in fused order); a reranker that fails
 * leaves the fused order and sets out->rerank_error, and the search still
 * succeeds. Returns 0 (possibly with no hits) or -1 with err. Free out with
 * retrieve_result_free. */
int retriever_search(struct retriever *r, const struct retrieve_query *q, struct retrieve_result *out,
                     char *err, size_t errlen);
void retrieve_result_free(struct retrieve_result *res);

/* Pack res's hits again under its budget (res->pack.budget). Without
 * summarize the pack is the one retriever_search made (any summarized
 * blocks and summary gone); with it the same blocks are packed and the
 * chunks the budget drops follow as summarized blocks
 * (pack_chunks_summarizing). Hits' packed and summarized flags follow; the
 * time is added to us.pack_us. */
void retrieve_repack(struct retrieve_result *res, bool summarize);

/* Each hit of res is summarized when one of the pack's summarized blocks
 * holds its chunk (after pack_keep_summarized dropped some). */
void retrieve_mark_summarized(struct retrieve_result *res);

/* A query term full-text search left out: its postings did not fit the
 * budget (docs/search-json.md, "Full-text budget"). */
struct retrieve_dropped_term {
	char *text;               /* the term: a word, or a phrase's words */
	int64_t chunks;           /* chunks of the index (every collection) holding it;
	                           * a phrase: its rarest word's */
	char *match;              /* the FTS5 MATCH expression of this term alone */
};

/* What a search saw beyond its hits: the evidence core/search/explain.h
 * reads. Ranks "among all" are over every chunk of the collection,
 * whatever the query's filters. */
struct retrieve_trace {
	struct store *store;      /* the retriever's (borrowed) */
	struct store_search *rows;  /* the retriever's queries (borrowed) */
	int64_t collection_id;
	bool vec_used;            /* the vector half ran (not in fts mode, nor after
	                           * a vector_error) */
	bool fts_used;            /* the full-text half ran (not in vector mode) */
	size_t n_terms;           /* full-text terms of the question */
	struct retrieve_dropped_term *dropped;  /* those left out, in the question's order */
	size_t n_dropped;         /* n_dropped == n_terms > 0: full text was skipped */
	struct vec_hit *vec_all;  /* every chunk by the query vector, best first (an
	                           * exact scan of the index); none unless vec_used */
	size_t n_vec_all;
	int64_t *fts_all;         /* every chunk matching the FTS5 query, best first;
	                           * none unless fts_used */
	double *bm25_all;
	size_t n_fts_all;
	size_t limit;             /* candidates a retriever may contribute */
	int rerank_top_n;         /* fused candidates a reranker is sent (retrieval.reranker.top_n) */
	size_t n_vec, n_fts;      /* candidates each contributed */
	struct fused_hit *fused;  /* the fused candidates after demotion, before
	                           * min_score and reranking, in that order */
	size_t n_fused;
	double min_fused;         /* candidates under this fused score were dropped
	                           * (retrieval.min_score); 0: none */
	int64_t *allowed;         /* the chunks q's path or document filter allows,
	                           * ascending; NULL when q has no filter */
	size_t n_allowed;
	double archived_weight;
};

/* Run q as retriever_search does, and fill trace as well. Returns 0 or -1
 * with err; free out with retrieve_result_free and trace with
 * retrieve_trace_free (both also after a failure). */
int retriever_search_traced(struct retriever *r, const struct retrieve_query *q, struct retrieve_result *out,
                            struct retrieve_trace *trace, char *err, size_t errlen);
void retrieve_trace_free(struct retrieve_trace *t);

/* Name of a mode ("hybrid", "vector", "fts"); parse one (-1 if unknown). */
const char *retrieve_mode_name(enum retrieve_mode m);
int retrieve_mode_parse(const char *s);

#endif
