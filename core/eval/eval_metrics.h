/* eval_metrics: retrieval metrics of one question, pure functions.
 *
 * Definitions follow trec_eval, with retrieved chunks as the documents and
 * the golden item's sources as the relevance judgements:
 *
 *  - a hit matches a source when the hit's path ends with the source's
 *    path at a '/' boundary (or equals it) and, when the source gives
 *    lines, the hit's line range overlaps them;
 *  - a hit is relevant when it matches a source that no earlier hit
 *    matched: a second chunk of an already found source counts as not
 *    relevant, so no metric can exceed 1 (R = number of sources);
 *  - recall@k = relevant hits in the first k / R (recall@1 likewise with 1);
 *  - precision@k = relevant hits in the first k / k (k, not the number of
 *    hits, as trec_eval's P_k);
 *  - MRR@10 = 1 / rank of the first relevant hit within 10, else 0;
 *  - nDCG@10 = DCG / IDCG, gain 1 per relevant hit, discount log2(rank + 1),
 *    IDCG from min(R, 10) relevant hits at the top;
 *  - context precision = context chunks matching any source / context
 *    chunks; context recall = sources matched by any context chunk / R
 *    (context: the chunks packed into the prompt).
 *
 * An item without sources has no defined retrieval metrics (trec_eval
 * skips such queries); `defined` is false and every value 0. */
#ifndef RAGDECK_EVAL_METRICS_H
#define RAGDECK_EVAL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* A retrieved chunk as the metrics see it. */
struct eval_hit {
	const char *path;
	int line_start, line_end;
	bool in_context;          /* packed into the prompt */
};

/* An expected source (lines 0, 0: the whole document). */
struct eval_source {
	const char *path;
	int line_start, line_end;
};

struct eval_retrieval {
	bool defined;             /* the item has at least one source */
	double recall_1, recall_k, precision_k, mrr10, ndcg10;
	double context_precision, context_recall;
	size_t n_context;         /* context chunks judged */
};

/* True when hit matches source (see the top of this file). */
bool eval_hit_matches(const struct eval_hit *hit, const struct eval_source *source);

/* The metrics of hits[0..n_hits) (in rank order) against
 * sources[0..n_sources) with cutoff k (>= 1) for recall and precision. */
void eval_retrieval_score(const struct eval_hit *hits, size_t n_hits,
                          const struct eval_source *sources, size_t n_sources, int k,
                          struct eval_retrieval *out);

/* True when a hit matching one of stale[0..n_stale) (an outdated version:
 * archived, superseded) ranks above every hit matching one of
 * relevant[0..n_relevant); a stale hit with no relevant hit at all counts. */
bool eval_stale_first(const struct eval_hit *hits, size_t n_hits, const struct eval_source *relevant,
                      size_t n_relevant, const struct eval_source *stale, size_t n_stale);

#endif
