#include "core/search/explain.h"
#include "core/util/edit_distance.h"
#include "core/util/fts_query.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/search_rows.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

/* A stored path with its distance from the one asked about. */
struct near_path {
	size_t distance;
	const char *path;
};

static int compare_near(const void *a, const void *b)
{
	const struct near_path *x = a, *y = b;
	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The EXPLAIN_MAX_CLOSEST stored paths whose file names are nearest
 * want's (by edit distance, ties by path) into e->closest. */
static void closest_paths(const struct store_doc_row *rows, size_t n, const char *want, struct explain_result *e)
{
	struct near_path *near = xcalloc(n ? n : 1, sizeof *near);
	for (size_t i = 0; i < n; i++)
		near[i] = (struct near_path){ edit_distance(base_name(want), base_name(rows[i].path), EDIT_DISTANCE_MAX_LEN),
		                              rows[i].path };
	qsort(near, n, sizeof *near, compare_near);
	e->n_closest = n < EXPLAIN_MAX_CLOSEST ? n : EXPLAIN_MAX_CLOSEST;
	e->closest = xcalloc(e->n_closest ? e->n_closest : 1, sizeof *e->closest);
	for (size_t i = 0; i < e->n_closest; i++)
		e->closest[i] = xstrdup(near[i].path);
	free(near);
}

/* ---- one chunk ----------------------------------------------------------- */

static bool id_allowed(const struct retrieve_trace *t, int64_t id)
{
	if (!t->allowed)
		return true;
	size_t lo = 0, hi = t->n_allowed;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->allowed[mid] == id)
			return true;
		if (t->allowed[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int compare_chunk_ids(const void *a, const void *b)
{
	int64_t x = ((const struct explain_chunk *)a)->chunk_id, y = ((const struct explain_chunk *)b)->chunk_id;
	return (x > y) - (x < y);
}

/* The chunk with this id among doc[0..n) (sorted by id), or NULL. */
static struct explain_chunk *chunk_of(struct explain_chunk *doc, size_t n, int64_t id)
{
	struct explain_chunk key = { .chunk_id = id };
	return bsearch(&key, doc, n, sizeof *doc, compare_chunk_ids);
}

/* Fill the ranks among all of the document's chunks doc[0..n) (sorted by
 * id), their places in the fusion and in the hits: one pass over each
 * list, each entry looked up among the document's chunks. */
static void place_chunks(const struct retrieve_trace *t, const struct retrieve_result *res, struct explain_chunk *doc,
                         size_t n)
{
	struct explain_chunk *c;
	for (size_t i = 0; i < t->n_vec_all; i++)
		if ((c = chunk_of(doc, n, t->vec_all[i].id))) {
			c->vec_rank = (int)i + 1;
			c->vec_score = t->vec_all[i].score;
		}
	for (size_t i = 0; i < t->n_fts_all; i++)
		if ((c = chunk_of(doc, n, t->fts_all[i]))) {
			c->fts_rank = (int)i + 1;
			c->bm25 = t->bm25_all[i];
		}
	int kept = 0;
	for (size_t i = 0; i < t->n_fused; i++) {
		const struct fused_hit *f = &t->fused[i];
		bool keep = f->score >= t->min_fused;
		kept += keep;
		if (!(c = chunk_of(doc, n, f->id)))
			continue;
		c->vec_candidate = f->vec_rank;
		c->fts_candidate = f->fts_rank;
		c->fused = f->score;
		c->fused_rank = keep ? kept : 0;
		c->below_min_score = !keep;
	}
	for (size_t i = 0; i < res->n_hits; i++)
		if ((c = chunk_of(doc, n, res->hits[i].chunk_id))) {
			c->hit_rank = res->hits[i].rank;
			c->packed = res->hits[i].packed;
		}
	for (size_t i = 0; i < n; i++)
		doc[i].allowed = id_allowed(t, doc[i].chunk_id);
}

/* The left-out terms of mask, with the chunks holding each, into sb. */
static void put_left_out(const struct explain_result *e, uint64_t mask, struct strbuf *sb)
{
	size_t n = 0, shown = 0;
	for (size_t i = 0; i < e->n_dropped; i++)
		n += (mask >> i) & 1;
	for (size_t i = 0; i < e->n_dropped; i++) {
		if (!((mask >> i) & 1))
			continue;
		sb_printf(sb, "%s'%s' (in %lld chunks)", shown == 0 ? "" : shown + 1 == n ? " and " : ", ",
		          e->dropped[i].text, (long long)e->dropped[i].chunks);
		shown++;
	}
}

/* Where full-text search left c, into sb: its BM25 rank, the left-out
 * terms it holds, or that it holds no query term. */
static void full_text_place(const struct explain_result *e, const struct explain_chunk *c, struct strbuf *sb)
{
	if (c->fts_rank) {
		sb_printf(sb, "its BM25 ranks %d of %zu matches", c->fts_rank, e->fts_matches);
	} else if (c->left_out) {
		sb_puts(sb, "full-text search left out ");
		put_left_out(e, c->left_out, sb);
		sb_puts(sb, ", over the postings budget");
	} else {
		sb_puts(sb, "shares no query term");
	}
}

/* Where the query vector left c, into sb: its exact rank, and that the
 * int8 pass passed it over when that rank is within the candidates. */
static void vector_place(const struct explain_result *e, const struct explain_chunk *c, struct strbuf *sb)
{
	if (!c->vec_rank) {
		sb_puts(sb, "it has no vector");
		return;
	}
	sb_printf(sb, "its cosine %.2f ranks %d of %zu", (double)c->vec_score, c->vec_rank, e->vectors_searched);
	if ((size_t)c->vec_rank <= e->candidate_limit)
		sb_puts(sb, " but the int8 pass passed it over");
}

/* Why a chunk in no candidate list stayed out, into sb: the place of
 * each retriever that ran, none that did not. */
static void why_not_candidate(const struct explain_result *e, const struct explain_chunk *c, struct strbuf *sb)
{
	if (e->vec_used && e->fts_used) {
		sb_puts(sb, "not in either candidate list: ");
		full_text_place(e, c, sb);
		sb_puts(sb, c->left_out && !c->fts_rank ? ", and " : " and ");
		vector_place(e, c, sb);
		sb_printf(sb, ", past the %zu candidates each retriever gives", e->candidate_limit);
	} else if (e->vec_used) {
		sb_puts(sb, "not among the vector candidates: ");
		vector_place(e, c, sb);
		sb_printf(sb, ", past the %zu candidates", e->candidate_limit);
	} else {
		sb_puts(sb, "not among the full-text candidates: ");
		full_text_place(e, c, sb);
		if (c->fts_rank)
			sb_printf(sb, ", past the %zu candidates", e->candidate_limit);
	}
}

static void write_verdict(const struct explain_result *e, struct explain_chunk *c)
{
	struct strbuf sb = STRBUF_INIT;
	if (!c->allowed)
		sb_printf(&sb, "excluded by the %s filter", e->path_glob ? "path" : "document");
	else if (c->hit_rank && c->packed)
		sb_printf(&sb, "retrieved as #%d", c->hit_rank);
	else if (c->hit_rank)
		sb_printf(&sb, "retrieved as #%d but dropped by the token budget (%d tokens)", c->hit_rank,
		          e->budget_tokens);
	else if (c->below_min_score)
		sb_printf(&sb, "fused score %.4f dropped by retrieval.min_score", c->fused);
	else if (c->fused_rank && e->reranked && c->fused_rank <= e->rerank_top_n)
		sb_printf(&sb, "rank %d fused, and the reranker left it below the top %d", c->fused_rank, e->top_k);
	else if (c->fused_rank && e->reranked)
		sb_printf(&sb, "rank %d fused, past the %d candidate%s the reranker reorders, below the top %d",
		          c->fused_rank, e->rerank_top_n, e->rerank_top_n == 1 ? "" : "s", e->top_k);
	else if (c->fused_rank)
		sb_printf(&sb, "rank %d fused, below the top %d", c->fused_rank, e->top_k);
	else
		why_not_candidate(e, c, &sb);
	if (e->demoted && c->allowed)
		sb_printf(&sb, "; demoted as %s (fused score x%.2f)", doc_status_name(e->status), e->demotion_weight);
	c->verdict = sb_detach(&sb, NULL);
}

/* ---- the document's chunks ------------------------------------------------ */

/* A sort key: returned first by hit rank, then fused by score, then by
 * the better rank among all; excluded chunks by the same keys. */
static int compare_chunks(const void *a, const void *b)
{
	const struct explain_chunk *x = a, *y = b;
	if (!x->hit_rank != !y->hit_rank)
		return x->hit_rank ? -1 : 1;
	if (x->hit_rank)
		return x->hit_rank - y->hit_rank;
	if (x->fused != y->fused)
		return x->fused > y->fused ? -1 : 1;
	int rx = x->vec_rank && (!x->fts_rank || x->vec_rank < x->fts_rank) ? x->vec_rank : x->fts_rank;
	int ry = y->vec_rank && (!y->fts_rank || y->vec_rank < y->fts_rank) ? y->vec_rank : y->fts_rank;
	if (!rx != !ry)
		return rx ? -1 : 1;
	if (rx != ry)
		return rx - ry;
	return x->ordinal - y->ordinal;
}

/* The left-out terms c holds, when full text did not rank it, into
 * c->left_out. Returns 0, or -1 with err. */
static int find_left_out(const struct retrieve_trace *t, struct explain_chunk *c, char *err, size_t errlen)
{
	_Static_assert(FTS_QUERY_MAX_TERMS <= 64, "a chunk's left-out terms are bits of a uint64_t");
	for (size_t i = 0; i < t->n_dropped && !c->fts_rank; i++) {
		int holds = store_search_fts_holds(t->rows, t->dropped[i].match, c->chunk_id, err, errlen);
		if (holds < 0)
			return -1;
		c->left_out |= (uint64_t)holds << i;
	}
	return 0;
}

static int explain_chunks(const struct retrieve_trace *t, const struct retrieve_result *res, struct explain_result *e,
                          char *err, size_t errlen)
{
	struct store_chunk_row *rows = NULL;
	size_t n = 0;
	if (store_chunks_of_doc(t->store, e->doc_id, &rows, &n, err, errlen) != 0)
		return -1;
	struct explain_chunk *all = xcalloc(n ? n : 1, sizeof *all);
	for (size_t i = 0; i < n; i++)
		all[i] = (struct explain_chunk){ .chunk_id = rows[i].id, .ordinal = rows[i].ordinal,
		                                 .line_start = rows[i].line_start, .line_end = rows[i].line_end,
		                                 .tokens = rows[i].tokens };
	qsort(all, n, sizeof *all, compare_chunk_ids);
	place_chunks(t, res, all, n);
	qsort(all, n, sizeof *all, compare_chunks);
	e->doc_chunks = n;
	e->chunks = all;
	e->n_chunks = n < EXPLAIN_MAX_CHUNKS ? n : EXPLAIN_MAX_CHUNKS;
	int rc = 0;
	for (size_t i = 0; i < e->n_chunks && rc == 0; i++)
		rc = find_left_out(t, &all[i], err, errlen);
	for (size_t i = 0; i < e->n_chunks && rc == 0; i++)
		write_verdict(e, &all[i]);
	store_chunk_rows_free(rows, n);
	return rc;
}

/* What the search as a whole did, into e. */
static void summarize(const struct retrieve_query *q, const struct retrieve_trace *t,
                      const struct retrieve_result *res, struct explain_result *e)
{
	e->path_glob = q->path_glob;
	e->vectors_searched = t->n_vec_all;
	e->fts_matches = t->n_fts_all;
	e->mode = q->mode;
	e->vec_used = t->vec_used;
	e->fts_used = t->fts_used;
	e->dropped = xcalloc(t->n_dropped ? t->n_dropped : 1, sizeof *e->dropped);
	for (size_t i = 0; i < t->n_dropped; i++)
		e->dropped[i] = (struct explain_term){ xstrdup(t->dropped[i].text), t->dropped[i].chunks };
	e->n_dropped = t->n_dropped;
	e->fts_skipped = t->n_terms > 0 && t->n_dropped == t->n_terms;
	e->candidate_limit = t->limit;
	e->vec_candidates = t->n_vec;
	e->fts_candidates = t->n_fts;
	for (size_t i = 0; i < t->n_fused; i++)
		e->fused_candidates += t->fused[i].score >= t->min_fused;
	e->top_k = q->k > 0 ? q->k : 1;
	e->n_hits = res->n_hits;
	e->cutoff_fused = res->n_hits ? res->hits[res->n_hits - 1].fused : 0;
	e->budget_tokens = res->pack.budget;
	e->budget_dropped = res->pack.n_dropped;
	e->reranked = res->reranked;
	e->rerank_top_n = t->rerank_top_n;
	e->vector_error = res->vector_error ? xstrdup(res->vector_error) : NULL;
	e->demotion_weight = t->archived_weight;
}

/* Whether id is among ids[0..n). */
static bool listed(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* For a path that names no document (n_ids 0) or several (ids), the
 * closest stored paths or the ones it names into e. Returns 0, or -1
 * with err. */
static int not_found(const struct retrieve_trace *t, const char *path, const int64_t *ids, size_t n_ids,
                     struct explain_result *e, char *err, size_t errlen)
{
	struct store_doc_row *rows = NULL;
	size_t n = 0;
	if (store_docs_list(t->store, t->collection_id, &rows, &n, err, errlen) != 0)
		return -1;
	e->ambiguous = n_ids > 1;
	if (!e->ambiguous)
		closest_paths(rows, n, path, e);
	else
		e->closest = xcalloc(n_ids, sizeof *e->closest);
	for (size_t i = 0; i < n && e->ambiguous; i++)
		if (listed(ids, n_ids, rows[i].id))
			e->closest[e->n_closest++] = xstrdup(rows[i].path);
	store_doc_rows_free(rows, n);
	return 0;
}

/* Resolve path among the collection's documents (store_doc_find) and
 * explain its chunks. Every document's row is read only when path names
 * none or several: at 100k chunks listing them costs about 100 ms. */
static int explain_document(const struct retrieve_trace *t, const struct retrieve_result *res, const char *path,
                            struct explain_result *e, char *err, size_t errlen)
{
	int64_t *ids = NULL;
	size_t n_ids = 0;
	struct store_doc_row *doc = NULL;
	int rc = -1;
	enum rd_err found = store_doc_find(t->store, t->collection_id, path, &ids, &n_ids, err, errlen);
	if (found == RD_OK) /* not found when deleted since */
		found = store_doc_get(t->store, ids[0], &doc, err, errlen);
	if (found == RD_OK) {
		int st = doc_status_parse(doc->status);
		e->path = xstrdup(doc->path);
		e->doc_id = doc->id;
		e->status = st < 0 ? DOC_CURRENT : (enum doc_status)st;
		e->demoted = e->status != DOC_CURRENT && e->demotion_weight != 1.0;
		rc = explain_chunks(t, res, e, err, errlen);
		e->path_excluded = e->n_chunks > 0 && !e->chunks[0].allowed;
		store_doc_rows_free(doc, 1);
	} else if (found == RD_ERR_NOT_FOUND || found == RD_ERR_AMBIGUOUS) {
		rc = not_found(t, path, ids, found == RD_ERR_AMBIGUOUS ? n_ids : 0, e, err, errlen);
	}
	free(ids);
	return rc;
}

int retrieve_explain(struct retriever *r, const struct retrieve_query *q, const char *path,
                     struct explain_result *out, char *err, size_t errlen)
{
	struct retrieve_result res;
	struct retrieve_trace trace;
	int rc = -1;
	memset(out, 0, sizeof *out);
	out->query_path = xstrdup(path);
	/* The trace places a document through the local store's rows. */
	if (retriever_on_server(r)) {
		snprintf(err, errlen, "why a document was not retrieved is traced on the local store, and this collection "
		         "is on the PostgreSQL store: ask where it is ingested (store.backend: sqlite)");
		return -1;
	}
	if (retriever_search_traced(r, q, &res, &trace, err, errlen) != 0)
		goto cleanup;
	summarize(q, &trace, &res, out);
	rc = explain_document(&trace, &res, path, out, err, errlen);
cleanup:
	retrieve_result_free(&res);
	retrieve_trace_free(&trace);
	return rc;
}

void explain_result_free(struct explain_result *e)
{
	free(e->query_path);
	free(e->path);
	for (size_t i = 0; i < e->n_closest; i++)
		free(e->closest[i]);
	free(e->closest);
	free(e->vector_error);
	for (size_t i = 0; i < e->n_dropped; i++)
		free(e->dropped[i].text);
	free(e->dropped);
	for (size_t i = 0; i < e->doc_chunks; i++)
		free(e->chunks ? e->chunks[i].verdict : NULL);
	free(e->chunks);
	memset(e, 0, sizeof *e);
}
