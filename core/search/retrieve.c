#include "core/search/retrieve.h"
#include "core/util/error.h"
#include "core/config/config.h"
#include "core/search/coverage.h"
#include "core/embed/embed.h"
#include "core/ingest/freshness.h"
#include "core/util/fts_query.h"
#include "store/pg.h"
#include "core/search/fusion.h"
#include "core/search/qcache.h"
#include "core/search/rerank.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/fts.h"
#include "store/embedding.h"
#include "store/search_rows.h"
#include "store/store.h"
#include "store/vecindex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Candidates each retriever contributes before fusion. */
#define MIN_CANDIDATES 50
#define QCACHE_SIZE 256

struct retriever {
	struct store *store;
	struct pg_store *server;    /* set: the collection is read from PostgreSQL */
	struct embedder *embedder;
	struct vec_store *vectors;
	struct qcache *cache;
	struct retriever_opts opts;
	int64_t collection_id;
	struct store_search *rows;  /* the store's queries for this collection */
	struct fts_tokenizer *tok;
	struct store_stale_chunk *stale;  /* chunks of documents that are not current, by id */
	size_t n_stale;
	bool stale_loaded;
	uint64_t stale_changes;     /* the vectors' change count they were loaded at */
};

const char *retrieve_mode_name(enum retrieve_mode m)
{
	static const char *const names[] = {
		[RETRIEVE_HYBRID] = "hybrid", [RETRIEVE_VECTOR] = "vector", [RETRIEVE_FTS] = "fts"
	};
	return names[m];
}

int retrieve_mode_parse(const char *s)
{
	for (int m = RETRIEVE_HYBRID; m <= RETRIEVE_FTS; m++)
		if (strcmp(s, retrieve_mode_name((enum retrieve_mode)m)) == 0)
			return m;
	return -1;
}

void retriever_opts_from_config(const struct config *cfg, const char *collection, struct retriever_opts *ro)
{
	const char *reranker = cfg->retrieval.reranker.provider;
	const struct config_provider *rp = reranker ? config_provider_find(cfg, reranker) : NULL;
	*ro = (struct retriever_opts){
		.collection = collection ? collection : cfg->routing.retrieval.collection,
		.fusion = (enum fusion_method)fusion_method_parse(cfg->retrieval.fusion),
		.rrf_k = cfg->retrieval.rrf_k,
		.vector_weight = cfg->retrieval.vector_weight,
		.fts_weight = cfg->retrieval.fts_weight,
		.heading_weight = cfg->retrieval.heading_weight,
		.proximity_weight = cfg->retrieval.proximity_weight,
		.archived_weight = cfg->retrieval.archived_weight,
		.min_score = cfg->retrieval.min_score,
		.quantize_int8 = cfg->retrieval.quantize_int8,
		.oversample = cfg->retrieval.oversample,
		.threads = cfg->retrieval.threads,
		.cache_ttl_seconds = cfg->routing.retrieval.cache_ttl_seconds,
		.rerank_top_n = cfg->retrieval.reranker.top_n,
		.server = strcmp(cfg->store_server.backend, "postgres") == 0,
		.server_url = cfg->store_server.url,
		.hnsw_min_rows = cfg->store_server.hnsw_min_rows,
	};
	/* The loader refuses an unknown provider and one of kind local; a
	 * config built in code gets no reranker from either. */
	if (rp && rp->kind != PROVIDER_LOCAL && rp->base_url)
		ro->rerank = (struct rerank_opts){
			.name = rp->name, .base_url = rp->base_url, .api_key_env = rp->api_key_env,
			.model = cfg->retrieval.reranker.model, .timeout_ms = cfg->retrieval.reranker.timeout_ms,
		};
}

/* The vector store of collection for embedder's vectors under o. */
static struct vec_store_opts vec_store_opts_of(const struct embedder *e, const struct retriever_opts *o,
                                               int64_t collection)
{
	return (struct vec_store_opts){
		.index = { .dim = e->dim, .quantize_int8 = o->quantize_int8,
		           .oversample = o->oversample > 0 ? o->oversample : 1, .threads = o->threads },
		.collection = collection, .model = e->model, .dim = e->dim,
		.build = o->vec_build, .progress = o->vec_progress, .progress_ud = o->vec_progress_ud,
	};
}

static int model_current(struct retriever *r, char *err, size_t errlen);

/* Connect to the PostgreSQL store and find the collection on it. */
static int open_server(struct retriever *r, char *err, size_t errlen)
{
	char model[STORE_MODEL_MAX];
	int dim;
	if (pg_open(r->opts.server_url, r->opts.hnsw_min_rows, &r->server, err, errlen) != RD_OK)
		return -1;
	enum rd_err found = pg_collection(r->server, r->opts.collection, &r->collection_id, model, sizeof model, &dim,
	                                  err, errlen);
	if (found == RD_ERR_NOT_FOUND)
		snprintf(err, errlen,
		         "collection \"%s\" is not on the PostgreSQL store %s: ingest it there first (ragdeck ingest "
		         "--collection %s PATH with store.backend: postgres, or ragdeck store copy)",
		         r->opts.collection, pg_name(r->server), r->opts.collection);
	if (found != RD_OK)
		return -1;
	return store_search_open_server(r->server, r->collection_id, &r->rows);
}

int retriever_open(struct store *store, struct embedder *embedder, const struct retriever_opts *opts,
                   struct retriever **out, char *err, size_t errlen)
{
	struct retriever *r = xcalloc(1, sizeof *r);
	r->store = store;
	r->embedder = embedder;
	r->opts = *opts;
	*out = NULL;
	if (opts->server) {
		if (open_server(r, err, errlen) != 0)
			goto fail;
	} else {
		enum rd_err found = store_collection_id(store, opts->collection, false, &r->collection_id, err, errlen);
		if (found == RD_ERR_NOT_FOUND)
			snprintf(err, errlen,
			         "collection \"%s\" is empty: ingest documents first (ragdeck ingest --collection %s PATH)",
			         opts->collection, opts->collection);
		if (found != RD_OK)
			goto fail;
		if (store_search_open(store, r->collection_id, &r->rows, err, errlen) != 0)
			goto fail;
	}
	r->tok = fts_tokenizer_open(store);
	char why[ERR_LEN];
	if (model_current(r, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	r->cache = qcache_new(QCACHE_SIZE, embedder->dim, opts->cache_ttl_seconds);
	*out = r;
	return 0;
fail:
	retriever_free(&r);
	return -1;
}

int retriever_persist(struct store *store, struct embedder *embedder, const char *collection,
                      vec_file_progress_fn progress, void *ud, bool *wrote, char *err, size_t errlen)
{
	struct retriever_opts ro = { .vec_progress = progress, .vec_progress_ud = ud };
	int64_t collection_id = 0;
	*wrote = false;
	enum rd_err found = store_collection_id(store, collection, false, &collection_id, err, errlen);
	if (found != RD_OK)
		return found == RD_ERR_NOT_FOUND ? 0 : -1;
	struct vec_store_opts vo = vec_store_opts_of(embedder, &ro, collection_id);
	return vec_store_persist(store, &vo, wrote, err, errlen) == RD_OK ? 0 : -1;
}

struct vec_store_state retriever_vectors(const struct retriever *r)
{
	return r->vectors ? vec_store_state(r->vectors) : (struct vec_store_state){ .ready = false };
}

bool retriever_on_server(const struct retriever *r)
{
	return r->server != NULL;
}

enum rd_err retriever_document_body(struct retriever *r, int64_t doc_id, char **body, size_t *len, char *err,
                                    size_t errlen)
{
	if (r->server)
		return pg_document_body(r->server, doc_id, body, len, err, errlen);
	return store_doc_body(r->store, doc_id, body, len, err, errlen);
}

int retriever_documents(struct retriever *r, struct store_doc_row **rows, size_t *n, char *err, size_t errlen)
{
	if (r->server) {
		*rows = NULL;
		*n = 0;
		snprintf(err, errlen, "the document list is read from the local store, and this collection is on the "
		         "PostgreSQL store: ask where it is ingested (store.backend: sqlite)");
		return -1;
	}
	return store_docs_list(r->store, r->collection_id, rows, n, err, errlen);
}

int retriever_catch_up(struct retriever *r, char *err, size_t errlen)
{
	return r->vectors ? vec_store_catch_up(r->vectors, err, errlen) : 0;
}

void retriever_free(struct retriever **rp)
{
	struct retriever *r = *rp;
	if (!r)
		return;
	store_search_free(&r->rows);
	pg_close(&r->server);
	free(r->stale);
	fts_tokenizer_free(&r->tok);
	vec_store_free(&r->vectors);
	qcache_free(&r->cache);
	free(r);
	*rp = NULL;
}

/* Chunk ids a filtered query may return, sorted for bsearch. */
struct allowed {
	int64_t *ids;
	size_t n;
};

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool is_allowed(void *ud, int64_t id)
{
	const struct allowed *a = ud;
	return bsearch(&id, a->ids, a->n, sizeof *a->ids, compare_i64) != NULL;
}

static bool in_index(void *ud, int64_t id)
{
	return vec_store_contains(ud, id);
}

/* On the server every chunk a search reads is the collection's. */
static bool any_chunk(void *ud, int64_t id)
{
	(void)ud;
	(void)id;
	return true;
}

static int embed_query(struct retriever *r, const char *text, float *vec, struct retrieve_result *out,
                       char *err, size_t errlen)
{
	size_t len = strlen(text);
	int64_t now = clock_unix_now();
	out->embed_cached = qcache_get(r->cache, text, len, now, vec);
	if (out->embed_cached)
		return 0;
	struct embed_report rep = { 0 };
	int rc = embed_texts_report(r->embedder, &text, &len, 1, vec, &rep, err, errlen);
	out->embed_tokens = rep.tokens;
	if (rc != 0)
		return -1;
	qcache_put(r->cache, text, len, now, vec);
	return 0;
}

/* Whether the collection's vectors are this embedder's: another process
 * may have re-embedded it since. The vectors are opened only while they
 * are (their index file is never written for a model the collection does
 * not hold), and opened afresh after a change. Returns 1 when they are, 0
 * when not (why in err), -1 when the store failed. */
static int model_current(struct retriever *r, char *err, size_t errlen)
{
	struct store_embedding rec = { 0 };
	if (r->server) {
		int64_t id;
		if (pg_collection(r->server, r->opts.collection, &id, rec.model, sizeof rec.model, &rec.dim, err,
		                  errlen) != RD_OK)
			return -1;
		if (id != r->collection_id) {
			snprintf(err, errlen, "collection \"%s\" was deleted and made again on the server: search again",
			         r->opts.collection);
			return -1;
		}
		bool same = !rec.model[0] || (strcmp(rec.model, r->embedder->model) == 0 && rec.dim == r->embedder->dim);
		if (!same)
			snprintf(err, errlen, "collection holds vectors of %s (%d dimensions), not of %s: set the embedder "
			         "to %s", rec.model, rec.dim, r->embedder->model, rec.model);
		return same;
	}
	if (store_embedding_get(r->store, r->collection_id, &rec, err, errlen) != 0)
		return -1;
	bool same = !rec.model[0] || (strcmp(rec.model, r->embedder->model) == 0 && rec.dim == r->embedder->dim);
	if (!same) {
		snprintf(err, errlen, "collection holds vectors of %s (%d dimensions), not of %s: run 'ragdeck reembed' "
		         "or set the embedder to %s", rec.model, rec.dim, r->embedder->model, rec.model);
		vec_store_free(&r->vectors);
		return 0;
	}
	if (!r->vectors) {
		struct vec_store_opts vo = vec_store_opts_of(r->embedder, &r->opts, r->collection_id);
		if (vec_store_open(r->store, &vo, &r->vectors, err, errlen) != 0)
			return -1;
		if (r->cache) { /* the model changed and came back */
			qcache_free(&r->cache);
			r->cache = qcache_new(QCACHE_SIZE, r->embedder->dim, r->opts.cache_ttl_seconds);
		}
	}
	return 1;
}

/* Whether the vectors can be searched; when not (their index is being
 * written), why into err. */
static bool vectors_ready(struct retriever *r, char *err, size_t errlen)
{
	if (r->server)
		return true;
	struct vec_store_state st = vec_store_state(r->vectors);
	if (st.ready)
		return true;
	snprintf(err, errlen, "the vector index is being written (%zu%%): searching full text alone until it is ready",
	         st.total ? st.done * 100 / st.total : 0);
	return false;
}

/* What the question asks the full-text index, worked out once per search:
 * its terms, each one's document frequency, which fit the postings budget,
 * and the MATCH expression and ranking call for those. */
struct query_plan {
	struct fts_terms terms;
	int64_t df[FTS_QUERY_MAX_TERMS];  /* a phrase: its rarest token's */
	bool keep[FTS_QUERY_MAX_TERMS];
	char *match, *rank;               /* NULL: nothing kept */
	size_t dropped;
};

/* Document frequencies of a term's tokens as the index stems them. */
struct df_tally {
	struct retriever *r;
	int64_t min, sum;
};

static void tally_token(void *ud, const char *token, size_t n, size_t start, size_t end)
{
	struct df_tally *t = ud;
	(void)start;
	(void)end;
	char *tok = xstrndup(token, n);
	int64_t df = store_search_term_docs(t->r->rows, tok);
	free(tok);
	t->sum += df;
	if (t->min < 0 || df < t->min)
		t->min = df;
}

/* A term's document frequency: a phrase's rarest token's (an upper bound
 * of the rows holding the whole phrase); *cost gets the postings FTS5
 * reads for it. */
static int64_t term_frequency(struct retriever *r, const char *term, int64_t *cost)
{
	struct df_tally t = { r, -1, 0 };
	if (!r->tok || fts_tokenize(r->tok, term, strlen(term), tally_token, &t) != 0)
		tally_token(&t, term, strlen(term), 0, 0);
	*cost = t.sum;
	return t.min < 0 ? 0 : t.min;
}

/* FTS5 scores every posting of every query term (about 2.5 us each here,
 * bm25 reads each row's size), so a query is limited to about
 * FTS_POSTINGS_BUDGET postings: terms are taken rarest first while their
 * postings fit the budget. The rarest term is kept alone up to twice the
 * budget; a query whose every term is commoner than that skips full-text
 * search (such terms say little about relevance: their IDF is near zero). */
#define FTS_POSTINGS_BUDGET 2000

static void plan_query(struct retriever *r, const char *text, struct query_plan *qp)
{
	int64_t cost[FTS_QUERY_MAX_TERMS];
	size_t order[FTS_QUERY_MAX_TERMS];
	memset(qp, 0, sizeof *qp);
	fts_query_terms(text, strlen(text), &qp->terms);
	size_t n = qp->terms.n;
	for (size_t i = 0; i < n; i++) {
		qp->df[i] = term_frequency(r, qp->terms.items[i].text, &cost[i]);
		order[i] = i;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && qp->df[order[j]] < qp->df[order[j - 1]]; j--) {
			size_t tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	int64_t used = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t c = cost[order[i]];
		bool fits = used + c <= FTS_POSTINGS_BUDGET || (i == 0 && c <= 2 * FTS_POSTINGS_BUDGET);
		if (!fits)
			break;
		qp->keep[order[i]] = true;
		used += c;
	}
	for (size_t i = 0; i < n; i++)
		qp->dropped += !qp->keep[i];
	qp->match = fts_query_join(&qp->terms, qp->keep);
	qp->rank = fts_query_rank(&qp->terms, qp->keep, r->opts.proximity_weight, 1.0, r->opts.heading_weight);
}

static void plan_free(struct query_plan *qp)
{
	fts_terms_free(&qp->terms);
	free(qp->match);
	free(qp->rank);
}

/* Full-text candidates: ids and rank values, best first, of the first
 * limit chunks filter allows. Without a filter, chunks of other
 * collections or models are dropped by looking them up in the vector
 * index, which holds exactly this collection's chunks. Either way the
 * matches are read on past the rows dropped, however many rank first: a
 * collection whose chunks rank below another's still gets its own. */
static int fts_candidates(struct retriever *r, const struct query_plan *qp, size_t limit,
                          const struct allowed *filter, int64_t *ids, double *bm25, size_t *n,
                          char *err, size_t errlen)
{
	*n = 0;
	if (!qp->match)
		return 0;
	bool (*keep)(void *, int64_t) = filter ? is_allowed : r->server ? any_chunk : in_index;
	return store_search_fts(r->rows, qp->match, qp->rank, keep, filter ? (void *)filter : (void *)r->vectors, limit,
	                        ids, bm25, n, err, errlen);
}

/* The vector list's weight in the fusion. A number in the options is
 * used as it is. Auto: 1 for an embedder of meaning (HTTP); the hash
 * embedder is a second, noisier reading of the same words the full-text
 * index scores, so it counts only for the share of the question's terms
 * the index does not know (typos, spellings the documents do not use),
 * where its character n-grams still find near forms.
 * docs/retrieval.md has the measurements. */
static double vector_weight(const struct retriever *r, const struct query_plan *qp, enum retrieve_mode mode)
{
	if (mode == RETRIEVE_VECTOR)
		return 1.0;
	if (r->opts.vector_weight >= 0)
		return r->opts.vector_weight;
	if (strcmp(r->embedder->ops->kind, "hash") != 0)
		return 1.0;
	size_t unknown = 0;
	for (size_t i = 0; i < qp->terms.n; i++)
		unknown += qp->df[i] == 0;
	return qp->terms.n ? (double)unknown / (double)qp->terms.n : 1.0;
}

/* ---- vectors ------------------------------------------------------------ */

/* The vectors a search can read: the collection's. 0 when the server
 * cannot say (the search then fails on its next read). */
static size_t vector_count(struct retriever *r)
{
	if (!r->server)
		return vec_store_count(r->vectors);
	char err[ERR_LEN];
	int64_t n = pg_vector_count(r->server, r->collection_id, err, sizeof err);
	return n > 0 ? (size_t)n : 0;
}

/* The limit chunks nearest to qvec, best first, among filter's (NULL:
 * all): exact scans every vector, else the index may be approximate.
 * Returns how many, or -1 with err (server only). */
static long vector_candidates(struct retriever *r, const float *qvec, size_t limit, const struct allowed *filter,
                              bool exact, struct vec_hit *out, char *err, size_t errlen)
{
	if (r->server) {
		size_t n = 0;
		int oversample = r->opts.oversample > 0 ? r->opts.oversample : 1;
		int ef = (int)(limit * (size_t)oversample);
		if (pg_vector_search(r->server, r->collection_id, qvec, r->embedder->dim, limit, ef,
		                     exact || r->opts.server_exact, filter ? filter->ids : NULL, filter ? filter->n : 0,
		                     out, &n, err, errlen) != 0)
			return -1;
		return (long)n;
	}
	vec_allow_fn allow = filter ? is_allowed : NULL;
	void *ud = (void *)filter;
	return (long)(exact ? vec_store_search_exact(r->vectors, qvec, limit, out, allow, ud)
	                    : vec_store_search(r->vectors, qvec, limit, out, allow, ud));
}

/* ---- freshness ---------------------------------------------------------- */

/* Reload the stale chunks when the vectors saw chunks come or go: a
 * document's status changes only when it is written again. */
static int load_stale(struct retriever *r, char *err, size_t errlen)
{
	uint64_t changes = retriever_vectors(r).changes;
	/* The server's documents change under other clients: read each time. */
	if (r->stale_loaded && changes == r->stale_changes && !r->server)
		return 0;
	r->stale_changes = changes;
	free(r->stale);
	r->stale_loaded = store_search_stale(r->rows, &r->stale, &r->n_stale, err, errlen) == 0;
	return r->stale_loaded ? 0 : -1;
}

static int compare_stale(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key, c = ((const struct store_stale_chunk *)elem)->chunk;
	return (id > c) - (id < c);
}

static const struct store_stale_chunk *stale_of(const struct retriever *r, int64_t chunk)
{
	return r->n_stale ? bsearch(&chunk, r->stale, r->n_stale, sizeof *r->stale, compare_stale) : NULL;
}

/* Position of the first of fused[0..n) that belongs to document doc, or n.
 * A failed read counts the chunks read before it: the order of stale
 * documents is a nicety a search does not fail for. */
static size_t first_of_document(struct retriever *r, const struct fused_hit *fused, size_t n, int64_t doc)
{
	size_t best = n, n_ids;
	int64_t *ids;
	char err[ERR_LEN];
	store_search_doc_chunks(r->rows, doc, &ids, &n_ids, err, sizeof err);
	for (size_t c = 0; c < n_ids; c++)
		for (size_t i = 0; i < best; i++)
			if (fused[i].id == ids[c])
				best = i;
	free(ids);
	return best;
}

/* Archived and superseded documents give way: their fused scores are
 * multiplied by archived_weight, and a chunk of one never ranks above the
 * best chunk of its successor when both are candidates. */
static void demote_stale(struct retriever *r, struct fused_hit *fused, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (stale_of(r, fused[i].id)) {
			fused[i].score *= r->opts.archived_weight;
			any = true;
		}
	}
	if (!any)
		return;
	fusion_sort(fused, n);
	size_t i = 0;
	while (i < n) {
		const struct store_stale_chunk *s = stale_of(r, fused[i].id);
		size_t succ = s && s->successor ? first_of_document(r, fused, n, s->successor) : n;
		/* A successor that is itself stale orders nothing (no cycles). */
		if (succ == n || succ < i || stale_of(r, fused[succ].id)) {
			i++;
			continue;
		}
		/* Move the stale chunk just below its successor's best chunk; the
		 * chunk now at i is looked at next. */
		struct fused_hit moved = fused[i];
		memmove(&fused[i], &fused[i + 1], (succ - i) * sizeof *fused);
		fused[succ] = moved;
	}
}

/* Drop the candidates scored under min_score times the best score,
 * keeping the order of the rest. Returns how many are left. */
static size_t drop_weak(struct fused_hit *fused, size_t n, double min_score)
{
	double best = 0;
	for (size_t i = 0; i < n; i++)
		if (fused[i].score > best)
			best = fused[i].score;
	if (min_score <= 0 || best <= 0)
		return n;
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (fused[i].score >= min_score * best)
			fused[kept++] = fused[i];
	return kept;
}

/* Coverage of every hit (core/search/coverage.h) among n_chunks, and the
 * best on res. */
static void score_coverage(struct retriever *r, const struct query_plan *qp, size_t n_chunks,
                           struct retrieve_result *res)
{
	struct coverage *c = coverage_new(r->tok, &qp->terms, qp->df, n_chunks);
	for (size_t h = 0; h < res->n_hits; h++) {
		struct retrieve_hit *hit = &res->hits[h];
		hit->coverage = coverage_score(c, hit->text, hit->heading_path);
		if (hit->coverage > res->coverage)
			res->coverage = hit->coverage;
	}
	coverage_free(&c);
}

/* Read the hit of rank for fused candidate f. Returns 0, 1 when its chunk
 * is gone, -1 with err. */
static int load_hit(struct retriever *r, const struct fused_hit *f, int rank, struct retrieve_hit *h,
                    char *err, size_t errlen)
{
	struct store_search_chunk c;
	int rc = store_search_chunk(r->rows, f->id, &c, err, errlen);
	if (rc != 0)
		return rc;
	int st = doc_status_parse(c.status);
	*h = (struct retrieve_hit){
		.rank = rank, .chunk_id = f->id, .fused = f->score, .vec_score = f->vec_score,
		.vec_rank = f->vec_rank, .bm25 = f->bm25, .fts_rank = f->fts_rank,
		.doc_id = c.doc_id, .ordinal = c.chunk.ordinal,
		.byte_start = c.chunk.byte_start, .byte_end = c.chunk.byte_end,
		.line_start = c.chunk.line_start, .line_end = c.chunk.line_end,
		.page_start = c.chunk.page_start, .page_end = c.chunk.page_end,
		.heading_path = c.chunk.heading_path, .text = c.chunk.text, .tokens = c.chunk.tokens,
		.path = c.path, .status = st < 0 ? DOC_CURRENT : (enum doc_status)st,
	};
	return 0;
}

/* ---- reranking ---------------------------------------------------------- */

/* A candidate the reranker was asked about. */
struct rerank_slot {
	struct fused_hit hit;
	double score;             /* NAN: not scored */
	size_t pos;               /* in the fused order */
};

/* Scored candidates first, highest score first; then the unscored ones;
 * ties in fused order. */
static int compare_slot(const void *a, const void *b)
{
	const struct rerank_slot *x = a, *y = b;
	bool xs = !isnan(x->score), ys = !isnan(y->score);
	if (xs != ys)
		return xs ? -1 : 1;
	if (xs && x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Append what the reranker reads of chunk id: its heading path, a blank
 * line and its text (the text alone without a heading; nothing when the
 * chunk is gone). Returns 0, or -1 with err. */
static int chunk_document(struct retriever *r, int64_t id, struct strbuf *out, char *err, size_t errlen)
{
	struct store_search_chunk c;
	int rc = store_search_chunk(r->rows, id, &c, err, errlen);
	if (rc == 0) {
		if (c.chunk.heading_path[0])
			sb_printf(out, "%s\n\n", c.chunk.heading_path);
		sb_puts(out, c.chunk.text);
		store_search_chunk_free(&c);
	}
	return rc < 0 ? -1 : 0;
}

/* Reorder the first rerank_top_n of fused[0..n) (n > 0) by the reranker's
 * scores; scores[i] gets the score of the candidate then at i, NAN when it
 * has none. On a failure the order stays, every score is NAN and
 * res->rerank_error says why. */
static void rerank_candidates(struct retriever *r, const char *query, struct fused_hit *fused, size_t n,
                              double *scores, struct retrieve_result *res)
{
	size_t m = n < (size_t)r->opts.rerank_top_n ? n : (size_t)r->opts.rerank_top_n;
	char **docs = xcalloc(m, sizeof *docs);
	double *got = xcalloc(m, sizeof *got);
	struct rerank_slot *slots = xcalloc(m, sizeof *slots);
	char err[ERR_LEN];
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		scores[i] = NAN;
	for (size_t i = 0; i < m; i++) {
		struct strbuf doc = STRBUF_INIT;
		char why[ERR_LEN / 2];
		int read = chunk_document(r, fused[i].id, &doc, why, sizeof why);
		docs[i] = sb_detach(&doc, NULL);
		if (read != 0) {
			snprintf(err, sizeof err, "reranker %s: %s", r->opts.rerank.name, why);
			goto cleanup;
		}
	}
	if (rerank_run(&r->opts.rerank, query, (const char *const *)docs, m, got, err, sizeof err) != 0)
		goto cleanup;
	for (size_t i = 0; i < m; i++)
		slots[i] = (struct rerank_slot){ fused[i], got[i], i };
	qsort(slots, m, sizeof *slots, compare_slot);
	for (size_t i = 0; i < m; i++) {
		fused[i] = slots[i].hit;
		scores[i] = slots[i].score;
	}
	res->reranked = true;
	rc = 0;
cleanup:
	if (rc != 0)
		res->rerank_error = xstrdup(err);
	for (size_t i = 0; i < m; i++)
		free(docs[i]);
	free(docs);
	free(got);
	free(slots);
}

/* Pack res's hits under budget, keeping what does not fit as summarized
 * blocks when summarize is set (pack_chunks_summarizing); each hit says
 * whether it was packed whole or summarized. */
static void pack_hits(struct retrieve_result *res, int budget, bool summarize)
{
	struct pack_item *items = xcalloc(res->n_hits ? res->n_hits : 1, sizeof *items);
	for (size_t i = 0; i < res->n_hits; i++) {
		const struct retrieve_hit *h = &res->hits[i];
		items[i] = (struct pack_item){
			.chunk_id = h->chunk_id, .doc_id = h->doc_id, .ordinal = h->ordinal,
			.byte_start = h->byte_start, .byte_end = h->byte_end,
			.line_start = h->line_start, .line_end = h->line_end,
			.page_start = h->page_start, .page_end = h->page_end,
			.path = h->path, .heading_path = h->heading_path, .text = h->text,
			.archived = h->status != DOC_CURRENT,
		};
	}
	if (summarize)
		pack_chunks_summarizing(items, res->n_hits, budget, &res->pack);
	else
		pack_chunks(items, res->n_hits, budget, &res->pack);
	for (size_t i = 0; i < res->n_hits; i++) {
		res->hits[i].packed = true;
		for (size_t d = 0; d < res->pack.n_dropped; d++)
			if (res->pack.dropped[d] == res->hits[i].chunk_id)
				res->hits[i].packed = false;
		res->hits[i].summarized = summarize && !res->hits[i].packed;
	}
	free(items);
}

void retrieve_mark_summarized(struct retrieve_result *res)
{
	const struct pack_result *p = &res->pack;
	for (size_t i = 0; i < res->n_hits; i++) {
		bool in = false;
		for (size_t b = p->n_packed; b < p->n_blocks && !in; b++)
			for (size_t c = 0; c < p->blocks[b].n_chunks && !in; c++)
				in = p->blocks[b].chunk_ids[c] == res->hits[i].chunk_id;
		res->hits[i].summarized = in;
	}
}

void retrieve_repack(struct retrieve_result *res, bool summarize)
{
	int budget = res->pack.budget;
	uint64_t t = clock_now_us();
	pack_result_free(&res->pack);
	pack_hits(res, budget, summarize);
	res->us.pack_us += clock_now_us() - t;
}

/* The fused candidates, min_score's cutoff, the filter and the candidate
 * counts into trace. */
static void trace_fused(struct retrieve_trace *trace, const struct fused_hit *fused, size_t n, double min_score,
                        const struct allowed *filter, size_t n_vec, size_t n_fts)
{
	double best = 0;
	trace->fused = xcalloc(n ? n : 1, sizeof *trace->fused);
	memcpy(trace->fused, fused, n * sizeof *fused);
	trace->n_fused = n;
	for (size_t i = 0; i < n; i++)
		if (fused[i].score > best)
			best = fused[i].score;
	trace->min_fused = min_score > 0 && best > 0 ? min_score * best : 0;
	trace->n_vec = n_vec;
	trace->n_fts = n_fts;
	if (filter) {
		trace->allowed = xcalloc(filter->n ? filter->n : 1, sizeof *trace->allowed);
		memcpy(trace->allowed, filter->ids, filter->n * sizeof *filter->ids);
		trace->n_allowed = filter->n;
	}
}

/* Every chunk of the collection by the query vector, and every chunk
 * matching the full-text query, into trace: each half only when the
 * search ran it (trace->vec_used, trace->fts_used). The matches are the
 * rows the search itself reads without a filter: those in the vector
 * index while it is current, else the collection's listed chunks, so a
 * candidate's rank is its rank among all. Returns 0, or -1 with err. */
static int trace_all(struct retriever *r, const struct query_plan *qp, const float *qvec, bool current,
                     struct retrieve_trace *trace, char *err, size_t errlen)
{
	struct allowed all = { 0 };
	int rc = -1;
	if (trace->vec_used) {
		size_t n = vector_count(r);
		trace->vec_all = xcalloc(n ? n : 1, sizeof *trace->vec_all);
		long got = vector_candidates(r, qvec, n, NULL, true, trace->vec_all, err, errlen);
		if (got < 0)
			return -1;
		trace->n_vec_all = (size_t)got;
	}
	if (!trace->fts_used)
		return 0;
	if (!current && store_search_chunk_ids(r->rows, NULL, NULL, 0, &all.ids, &all.n, err, errlen) != 0)
		goto cleanup;
	size_t rows = current ? vector_count(r) : all.n;
	trace->fts_all = xcalloc(rows ? rows : 1, sizeof *trace->fts_all);
	trace->bm25_all = xcalloc(rows ? rows : 1, sizeof *trace->bm25_all);
	rc = fts_candidates(r, qp, rows, current ? NULL : &all, trace->fts_all, trace->bm25_all, &trace->n_fts_all,
	                    err, errlen);
cleanup:
	free(all.ids);
	return rc;
}

/* The question's full-text terms and those the plan left out, into
 * trace. */
static void trace_terms(const struct query_plan *qp, struct retrieve_trace *trace)
{
	bool alone[FTS_QUERY_MAX_TERMS] = { false };
	trace->n_terms = qp->terms.n;
	trace->dropped = xcalloc(qp->dropped ? qp->dropped : 1, sizeof *trace->dropped);
	for (size_t i = 0; i < qp->terms.n; i++) {
		if (qp->keep[i])
			continue;
		alone[i] = true;
		trace->dropped[trace->n_dropped++] = (struct retrieve_dropped_term){
			.text = xstrdup(qp->terms.items[i].text), .chunks = qp->df[i],
			.match = fts_query_join(&qp->terms, alone),
		};
		alone[i] = false;
	}
}

void retrieve_trace_free(struct retrieve_trace *t)
{
	for (size_t i = 0; i < t->n_dropped; i++) {
		free(t->dropped[i].text);
		free(t->dropped[i].match);
	}
	free(t->dropped);
	free(t->vec_all);
	free(t->fts_all);
	free(t->bm25_all);
	free(t->fused);
	free(t->allowed);
	memset(t, 0, sizeof *t);
}

int retriever_search(struct retriever *r, const struct retrieve_query *q, struct retrieve_result *out,
                     char *err, size_t errlen)
{
	return retriever_search_traced(r, q, out, NULL, err, errlen);
}

int retriever_search_traced(struct retriever *r, const struct retrieve_query *q, struct retrieve_result *out,
                            struct retrieve_trace *trace, char *err, size_t errlen)
{
	size_t k = q->k > 0 ? (size_t)q->k : 1;
	size_t limit = k * 4 > MIN_CANDIDATES ? k * 4 : MIN_CANDIDATES;
	struct allowed allowed = { 0 };
	bool filtered;
	int64_t *vec_ids = xcalloc(limit, sizeof *vec_ids), *fts_ids = xcalloc(limit, sizeof *fts_ids);
	float *vec_scores = xcalloc(limit, sizeof *vec_scores);
	double *bm25 = xcalloc(limit, sizeof *bm25);
	struct vec_hit *vhits = xcalloc(limit, sizeof *vhits);
	struct fused_hit *fused = xcalloc(2 * limit, sizeof *fused);
	double *rerank_scores = xcalloc(2 * limit, sizeof *rerank_scores);
	float *qvec = xcalloc((size_t)r->embedder->dim, sizeof *qvec);
	size_t n_vec = 0, n_fts = 0;
	struct query_plan qp;
	int rc = -1;
	uint64_t start = clock_now_us(), t = start;

	memset(out, 0, sizeof *out);
	if (trace)
		*trace = (struct retrieve_trace){ .store = r->store, .rows = r->rows, .collection_id = r->collection_id,
		                                  .limit = limit, .rerank_top_n = r->opts.rerank_top_n,
		                                  .archived_weight = r->opts.archived_weight };
	plan_query(r, q->text, &qp);
	if (trace && q->mode != RETRIEVE_VECTOR)
		trace_terms(&qp, trace);
	char why[ERR_LEN];
	int current = model_current(r, why, sizeof why);
	if (current < 0) {
		snprintf(err, errlen, "%s", why);
		goto cleanup;
	}
	if (current && !r->server && vec_store_catch_up(r->vectors, err, errlen) != 0)
		goto cleanup;
	if (current && !vectors_ready(r, why, sizeof why))
		current = 0;
	/* Read once: on the server it is a query. */
	size_t index_rows = current ? vector_count(r) : 0;
	/* The vector index tells which chunks are the collection's, unless it
	 * holds another model's vectors or is being written: then the chunks
	 * are listed. */
	filtered = q->path_glob || q->doc_ids || !current;
	if (filtered && store_search_chunk_ids(r->rows, q->path_glob, q->doc_ids, q->n_doc_ids, &allowed.ids,
	                                       &allowed.n, err, errlen) != 0)
		goto cleanup;
	bool vectors = q->mode != RETRIEVE_FTS && current;
	if (vectors) {
		t = clock_now_us();
		vectors = embed_query(r, q->text, qvec, out, why, sizeof why) == 0;
		out->us.embed_us = clock_now_us() - t;
	}
	if (q->mode != RETRIEVE_FTS && !vectors) {
		if (q->mode == RETRIEVE_VECTOR) {
			snprintf(err, errlen, "%s", why);
			goto cleanup;
		}
		out->vector_error = xstrdup(why);
	}
	if (vectors) {
		t = clock_now_us();
		long got = vector_candidates(r, qvec, limit, filtered ? &allowed : NULL, false, vhits, err, errlen);
		if (got < 0)
			goto cleanup;
		n_vec = (size_t)got;
		for (size_t i = 0; i < n_vec; i++) {
			vec_ids[i] = vhits[i].id;
			vec_scores[i] = vhits[i].score;
		}
		out->us.vector_us = clock_now_us() - t;
		out->index_rows = index_rows;
	}
	if (q->mode != RETRIEVE_VECTOR) {
		t = clock_now_us();
		out->fts_match = qp.match ? xstrdup(qp.match) : NULL;
		out->fts_terms_dropped = qp.dropped;
		if (fts_candidates(r, &qp, limit, filtered ? &allowed : NULL, fts_ids, bm25, &n_fts, err, errlen) != 0)
			goto cleanup;
		out->us.fts_us = clock_now_us() - t;
	}
	if (trace) {
		trace->vec_used = vectors;
		trace->fts_used = q->mode != RETRIEVE_VECTOR;
		if (trace_all(r, &qp, qvec, current, trace, err, errlen) != 0)
			goto cleanup;
	}
	t = clock_now_us();
	struct fusion_params fp = { .method = r->opts.fusion, .k = r->opts.rrf_k,
	                            .vec_weight = vectors ? vector_weight(r, &qp, q->mode) : 0,
	                            .fts_weight = r->opts.fts_weight };
	out->vector_weight = fp.vec_weight;
	size_t n_fused = fusion_fuse(&fp, vec_ids, vec_scores, n_vec, fts_ids, bm25, n_fts, fused);
	if (load_stale(r, err, errlen) != 0)
		goto cleanup;
	demote_stale(r, fused, n_fused);
	if (trace)
		trace_fused(trace, fused, n_fused, r->opts.min_score, filtered && (q->path_glob || q->doc_ids) ? &allowed : NULL,
		            n_vec, n_fts);
	n_fused = drop_weak(fused, n_fused, r->opts.min_score);
	if (r->opts.rerank.name && n_fused) {
		uint64_t rerank_start = clock_now_us();
		rerank_candidates(r, q->text, fused, n_fused, rerank_scores, out);
		out->us.rerank_us = clock_now_us() - rerank_start;
	}
	size_t n = n_fused < k ? n_fused : k;
	out->hits = xcalloc(n ? n : 1, sizeof *out->hits);
	for (size_t i = 0; i < n; i++) {
		struct retrieve_hit *h = &out->hits[out->n_hits];
		int got = load_hit(r, &fused[i], (int)out->n_hits + 1, h, err, errlen);
		if (got < 0)
			goto cleanup;
		if (got == 0 && out->reranked && !isnan(rerank_scores[i])) {
			h->reranked = true;
			h->rerank_score = rerank_scores[i];
		}
		out->n_hits += got == 0;
	}
	score_coverage(r, &qp, current ? index_rows : allowed.n, out);
	out->us.fuse_us = clock_now_us() - t - out->us.rerank_us;
	t = clock_now_us();
	pack_hits(out, q->max_context_tokens, false);
	out->us.pack_us = clock_now_us() - t;
	rc = 0;
cleanup:
	out->us.total_us = clock_now_us() - start;
	plan_free(&qp);
	free(allowed.ids);
	free(vec_ids);
	free(fts_ids);
	free(vec_scores);
	free(bm25);
	free(vhits);
	free(fused);
	free(rerank_scores);
	free(qvec);
	return rc;
}

void retrieve_result_free(struct retrieve_result *res)
{
	for (size_t i = 0; i < res->n_hits; i++) {
		free(res->hits[i].path);
		free(res->hits[i].heading_path);
		free(res->hits[i].text);
	}
	free(res->hits);
	free(res->fts_match);
	free(res->rerank_error);
	free(res->vector_error);
	pack_result_free(&res->pack);
	memset(res, 0, sizeof *res);
}
