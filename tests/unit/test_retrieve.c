/* Unit tests for core/search/retrieve: hybrid ranking on a small store, modes,
 * filters, packing under budget, the vector arena catching up with
 * writes made through another connection (as another process would), and
 * the reranker against the loopback fixture server. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/search/retrieve.h"
#include "store/embedding.h"
#include "store/store.h"
#include "store/store_int.h"
#include "tests/integration/fixture_server.h"
#include "tests/unit/kb_store.h"

struct fixture {
	struct kb_store kb;
	struct retriever *r;
};

/* Store a one-chunk document in f's collection through store, as ingest
 * would. */
static void put_doc(struct fixture *f, struct store *store, const char *path, const char *text)
{
	kb_store_put(&f->kb, store, &(struct kb_doc){ .path = path, .text = text });
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	if (kb_store_open(&f->kb, "retr", "kb") != 0)
		return -1;
	put_doc(f, f->kb.s, "/kb/refunds.md", "Refunds are paid within fourteen days of the request.");
	put_doc(f, f->kb.s, "/kb/proxy.md", "Configure the proxy with the https_proxy variable.");
	put_doc(f, f->kb.s, "/kb/ports.md", "The agent listens on port 7443 for local control.");
	put_doc(f, f->kb.s, "/old/refunds.md", "Refunds were paid within thirty days in 2024.");
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .quantize_int8 = false, .oversample = 1, .threads = 1,
	                             .cache_ttl_seconds = 60 };
	if (retriever_open(f->kb.s, f->kb.e, &ro, &f->r, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	retriever_free(&f->r);
	int rc = kb_store_close(&f->kb);
	free(f);
	return rc;
}

static void search(struct fixture *f, const char *text, enum retrieve_mode mode, const char *glob,
                   struct retrieve_result *res)
{
	char err[256];
	struct retrieve_query q = { .text = text, .k = 4, .mode = mode, .path_glob = glob, .max_context_tokens = 1000 };
	assert_int_equal(retriever_search(f->r, &q, res, err, sizeof err), 0);
}

static void hybrid_puts_the_matching_chunk_first_with_both_ranks(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "which port does the agent listen on", RETRIEVE_HYBRID, NULL, &res);
	assert_true(res.n_hits >= 1);
	assert_string_equal(res.hits[0].path, "/kb/ports.md");
	assert_int_equal(res.hits[0].rank, 1);
	assert_int_equal(res.hits[0].vec_rank, 1);
	assert_int_equal(res.hits[0].fts_rank, 1);
	assert_true(res.hits[0].packed);
	assert_int_equal(res.pack.blocks[0].number, 1);
	assert_true(res.pack.total_tokens <= 1000);
	retrieve_result_free(&res);
}

static void fts_mode_skips_the_embedder_and_vector_mode_skips_fts(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "proxy", RETRIEVE_FTS, NULL, &res);
	assert_int_equal(res.n_hits, 1);
	assert_int_equal(res.hits[0].vec_rank, 0);
	assert_int_equal(res.us.embed_us, 0);
	retrieve_result_free(&res);
	search(f, "proxy", RETRIEVE_VECTOR, NULL, &res);
	assert_int_equal(res.n_hits, 4);
	assert_int_equal(res.hits[0].fts_rank, 0);
	assert_string_equal(res.hits[0].path, "/kb/proxy.md");
	retrieve_result_free(&res);
}

static void path_glob_filters_both_retrievers(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "refunds days", RETRIEVE_HYBRID, "/old/*", &res);
	assert_int_equal(res.n_hits, 1);
	assert_string_equal(res.hits[0].path, "/old/refunds.md");
	retrieve_result_free(&res);
}

static void hostile_query_text_is_not_an_error(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "NEAR(\"refunds\" -) AND * OR (((", RETRIEVE_HYBRID, NULL, &res);
	assert_true(res.n_hits >= 1);
	retrieve_result_free(&res);
	search(f, "\xF0\x9F\x94\xA5", RETRIEVE_HYBRID, NULL, &res);
	retrieve_result_free(&res);
}

static void second_query_vector_comes_from_the_cache(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "proxy settings", RETRIEVE_HYBRID, NULL, &res);
	assert_false(res.embed_cached);
	retrieve_result_free(&res);
	search(f, "proxy settings", RETRIEVE_HYBRID, NULL, &res);
	assert_true(res.embed_cached);
	retrieve_result_free(&res);
}

static void arena_catches_up_with_another_connection(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct store *other = NULL;
	assert_int_equal(store_open(f->kb.db, &other, err, sizeof err), 0);
	put_doc(f, other, "/kb/quota.md", "Storage quota warnings start at ninety percent of the plan.");
	struct retrieve_result res;
	search(f, "storage quota warnings", RETRIEVE_VECTOR, NULL, &res);
	assert_string_equal(res.hits[0].path, "/kb/quota.md");
	assert_int_equal(res.index_rows, 5);
	retrieve_result_free(&res);

	struct store_doc_state ds;
	assert_int_equal(store_doc_state(other, f->kb.coll, "/kb/quota.md", &ds, err, sizeof err), RD_OK);
	assert_int_equal(store_doc_delete(other, ds.id, err, sizeof err), 0);
	search(f, "storage quota warnings", RETRIEVE_VECTOR, NULL, &res);
	assert_int_equal(res.index_rows, 4);
	for (size_t i = 0; i < res.n_hits; i++)
		assert_string_not_equal(res.hits[i].path, "/kb/quota.md");
	retrieve_result_free(&res);
	store_close(&other);
}

static void tiny_budget_drops_chunks_and_says_so(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct retrieve_query q = { .text = "refunds", .k = 4, .mode = RETRIEVE_HYBRID, .max_context_tokens = 25 };
	struct retrieve_result res;
	assert_int_equal(retriever_search(f->r, &q, &res, err, sizeof err), 0);
	assert_true(res.pack.total_tokens <= 25);
	assert_int_equal(res.pack.n_dropped + res.pack.n_blocks, res.n_hits);
	assert_true(res.pack.n_dropped >= 1);
	retrieve_result_free(&res);
}

/* A repack to summarize marks the dropped hits summarized and keeps the
 * packed ones; a plain repack gives back the search's own pack. */
static void repack_summarizing_marks_the_dropped_hits_and_plain_restores(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct retrieve_query q = { .text = "refunds", .k = 4, .mode = RETRIEVE_HYBRID, .max_context_tokens = 25 };
	struct retrieve_result res;
	assert_int_equal(retriever_search(f->r, &q, &res, err, sizeof err), 0);
	size_t packed = res.pack.n_blocks, dropped = res.pack.n_dropped;
	int total = res.pack.total_tokens;
	assert_true(dropped >= 1);
	retrieve_repack(&res, true);
	assert_int_equal(res.pack.budget, 25);
	assert_int_equal(res.pack.total_tokens, total);
	assert_int_equal(res.pack.n_packed, packed);
	size_t summarized = 0;
	for (size_t i = 0; i < res.n_hits; i++) {
		assert_true(res.hits[i].packed != res.hits[i].summarized);
		summarized += res.hits[i].summarized;
	}
	assert_int_equal(summarized, res.pack.n_dropped);
	assert_true(res.pack.n_blocks > res.pack.n_packed);
	for (size_t b = res.pack.n_packed; b < res.pack.n_blocks; b++)
		assert_true(res.pack.blocks[b].summarized);
	retrieve_repack(&res, false);
	assert_int_equal(res.pack.n_blocks, packed);
	assert_int_equal(res.pack.n_packed, packed);
	assert_int_equal(res.pack.n_dropped, dropped);
	for (size_t i = 0; i < res.n_hits; i++)
		assert_false(res.hits[i].summarized);
	retrieve_result_free(&res);
}

static void unknown_collection_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct retriever *r = NULL;
	struct retriever_opts ro = { .collection = "nope", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1, .oversample = 1 };
	assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &r, err, sizeof err), -1);
	assert_null(r);
	assert_non_null(strstr(err, "ragdeck ingest --collection nope"));
}

static void full_text_search_matches_word_forms(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	search(f, "refunded", RETRIEVE_FTS, NULL, &res);
	assert_int_equal(res.n_hits, 2);
	assert_true(strstr(res.hits[0].path, "refunds.md") && strstr(res.hits[1].path, "refunds.md"));
	retrieve_result_free(&res);
}

/* 300 chunks of another collection say "wombat" far more often than the
 * one chunk of kb that says it once: they rank first in the full-text
 * index, past the rows a fixed read ahead would look at. */
static void full_text_finds_this_collections_chunks_below_anothers(void **state)
{
	struct fixture *f = *state;
	char err[256], path[64], text[128];
	struct kb_store zoo = f->kb;   /* the same store, another collection */
	assert_int_equal(store_collection_id(f->kb.s, "zoo", true, &zoo.coll, err, sizeof err), RD_OK);
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof path, "/zoo/wombat-%03d.md", i);
		snprintf(text, sizeof text, "Wombat wombat wombat: the wombat burrow, note %d.", i);
		kb_store_put(&zoo, f->kb.s, &(struct kb_doc){ .path = path, .text = text });
	}
	put_doc(f, f->kb.s, "/kb/garden.md",
	        "A garden note that mentions a wombat once among sheds, fences, hedges and paths.");
	struct retrieve_result res;
	search(f, "wombat", RETRIEVE_FTS, NULL, &res);
	assert_int_equal(res.n_hits, 1);
	assert_string_equal(res.hits[0].path, "/kb/garden.md");
	assert_int_equal(res.hits[0].fts_rank, 1);
	retrieve_result_free(&res);
	search(f, "wombat", RETRIEVE_HYBRID, NULL, &res);
	assert_string_equal(res.hits[0].path, "/kb/garden.md");
	assert_int_equal(res.hits[0].fts_rank, 1);
	retrieve_result_free(&res);
}

/* Two chunks with the same words, lengths and counts: only the distance
 * between "reset" and "password" tells them apart. */
static void consecutive_query_words_found_together_rank_first(void **state)
{
	struct fixture *f = *state;
	char err[256];
	put_doc(f, f->kb.s, "/t/far.md", "reset alpha beta gamma delta now the password");
	put_doc(f, f->kb.s, "/t/near.md", "reset the password now alpha beta gamma delta");
	double bm25[2][2];
	for (int prox = 0; prox < 2; prox++) {
		struct retriever *r;
		struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
		                             .heading_weight = 1, .proximity_weight = prox, .oversample = 1,
		                             .threads = 1 };
		assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &r, err, sizeof err), 0);
		struct retrieve_query q = { .text = "reset password", .k = 4, .mode = RETRIEVE_FTS,
		                            .path_glob = "/t/*", .max_context_tokens = 1000 };
		struct retrieve_result res;
		assert_int_equal(retriever_search(r, &q, &res, err, sizeof err), 0);
		assert_int_equal(res.n_hits, 2);
		if (prox)
			assert_string_equal(res.hits[0].path, "/t/near.md");
		for (int i = 0; i < 2; i++)
			bm25[prox][strcmp(res.hits[i].path, "/t/near.md") == 0] = res.hits[i].bm25;
		retrieve_result_free(&res);
		retriever_free(&r);
	}
	assert_true(bm25[0][0] == bm25[0][1]);
	assert_true(bm25[1][1] < bm25[1][0]);
}

/* The old policy matches the question's words better; it is superseded
 * by the current one, which must come first, and an archived page without
 * a successor in the store gives way to current pages by its weight. */
static void superseded_documents_rank_below_their_successor(void **state)
{
	struct fixture *f = *state;
	struct retrieve_result res;
	kb_store_put(&f->kb, f->kb.s, &(struct kb_doc){ .path = "/kb/archive/refunds-2024.md",
	             .text = "Refunds: thirty days money back, thirty days for every refund request.",
	             .status = "superseded", .successor = "/kb/refunds.md" });
	search(f, "thirty days refund", RETRIEVE_HYBRID, "/kb/*", &res);
	assert_true(res.n_hits >= 2);
	assert_string_equal(res.hits[0].path, "/kb/refunds.md");
	assert_string_equal(res.hits[1].path, "/kb/archive/refunds-2024.md");
	retrieve_result_free(&res);
}

/* ---- reranker ------------------------------------------------------------ */

#define RERANK_QUERY "which port does the agent listen on"

/* Search f's store (paths matching glob, NULL: all) with a retriever
 * whose reranker is the fixture server srv, sending top_n candidates. */
static void search_reranked(struct fixture *f, const struct fixture_server *srv, int top_n, const char *glob,
                            struct retrieve_result *res)
{
	char err[256];
	struct retriever *r = NULL;
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .rerank = { .name = "tei", .base_url = fixture_url(srv), .timeout_ms = 3000 },
	                             .rerank_top_n = top_n };
	assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &r, err, sizeof err), 0);
	struct retrieve_query q = { .text = RERANK_QUERY, .k = 4, .mode = RETRIEVE_HYBRID, .path_glob = glob,
	                            .max_context_tokens = 1000 };
	assert_int_equal(retriever_search(r, &q, res, err, sizeof err), 0);
	retriever_free(&r);
}

/* The fused order without a reranker: four candidates, their chunk ids. */
static void fused_order(struct fixture *f, int64_t ids[4])
{
	struct retrieve_result res;
	search(f, RERANK_QUERY, RETRIEVE_HYBRID, NULL, &res);
	assert_int_equal(res.n_hits, 4);
	assert_false(res.reranked);
	assert_null(res.rerank_error);
	assert_int_equal(res.us.rerank_us, 0);
	for (int i = 0; i < 4; i++) {
		ids[i] = res.hits[i].chunk_id;
		assert_false(res.hits[i].reranked);
	}
	retrieve_result_free(&res);
}

static void reranker_puts_its_best_candidate_first(void **state)
{
	struct fixture *f = *state;
	int64_t ids[4];
	fused_order(f, ids);
	/* The last fused candidate scores best, the first one second; the
	 * two it leaves unscored follow in fused order. */
	struct fixture_response reply = {
		.content_type = "application/json", .reset_after = -1,
		.body = "{\"results\":[{\"index\":3,\"relevance_score\":0.9},"
		        "{\"index\":0,\"relevance_score\":0.2}]}",
	};
	struct fixture_server *srv = fixture_start(&reply, 1);
	struct retrieve_result res;
	search_reranked(f, srv, 20, NULL, &res);
	assert_true(res.reranked);
	assert_null(res.rerank_error);
	assert_true(res.us.rerank_us > 0);
	assert_int_equal(res.n_hits, 4);
	const int64_t want[4] = { ids[3], ids[0], ids[1], ids[2] };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(res.hits[i].chunk_id, want[i]);
		assert_int_equal(res.hits[i].rank, i + 1);
	}
	assert_true(res.hits[0].reranked && res.hits[0].rerank_score == 0.9);
	assert_true(res.hits[1].reranked && res.hits[1].rerank_score == 0.2);
	assert_true(!res.hits[2].reranked && res.hits[2].rerank_score == 0);
	assert_true(res.pack.n_blocks >= 1 && res.pack.blocks[0].chunk_ids[0] == ids[3]);

	/* What was sent: the query, the four candidates' texts in fused order. */
	assert_int_equal(fixture_request_count(srv), 1);
	cJSON *body = cJSON_Parse(fixture_request(srv, 0)->body);
	assert_non_null(body);
	assert_string_equal(cJSON_GetObjectItem(body, "query")->valuestring, RERANK_QUERY);
	assert_int_equal(cJSON_GetObjectItem(body, "top_n")->valueint, 4);
	const cJSON *docs = cJSON_GetObjectItem(body, "documents");
	assert_int_equal(cJSON_GetArraySize(docs), 4);
	for (int i = 0; i < 4; i++)
		for (size_t h = 0; h < res.n_hits; h++)
			if (res.hits[h].chunk_id == ids[i])
				assert_string_equal(cJSON_GetArrayItem(docs, i)->valuestring, res.hits[h].text);
	cJSON_Delete(body);
	retrieve_result_free(&res);
	fixture_stop(&srv);
}

static void reranker_reorders_only_the_first_top_n(void **state)
{
	struct fixture *f = *state;
	int64_t ids[4];
	fused_order(f, ids);
	struct fixture_response reply = {
		.content_type = "application/json", .reset_after = -1,
		.body = "[{\"index\":0,\"score\":-1.0},{\"index\":1,\"score\":3.5}]",
	};
	struct fixture_server *srv = fixture_start(&reply, 1);
	struct retrieve_result res;
	search_reranked(f, srv, 2, NULL, &res);
	assert_true(res.reranked);
	const int64_t want[4] = { ids[1], ids[0], ids[2], ids[3] };
	for (int i = 0; i < 4; i++)
		assert_int_equal(res.hits[i].chunk_id, want[i]);
	cJSON *body = cJSON_Parse(fixture_request(srv, 0)->body);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(body, "documents")), 2);
	cJSON_Delete(body);
	retrieve_result_free(&res);
	fixture_stop(&srv);
}

static void reranker_reads_the_heading_path_then_the_text(void **state)
{
	struct fixture *f = *state;
	char err[256];
	float vec[64];
	const char *text = "The agent listens on port 7443.";
	size_t len = strlen(text);
	assert_int_equal(embed_texts(f->kb.e, &text, &len, 1, vec, err, sizeof err), 0);
	struct store_chunk_in c = { .byte_end = (int64_t)len, .line_start = 1, .line_end = 1,
	                            .heading_path = "Agent guide > Ports", .tokens = 8, .vector = vec };
	struct store_doc_in d = { .path = "/guide/agent.md", .format = "markdown", .content_hash = "g",
	                          .bytes = (int64_t)len, .body = text, .body_len = len, .embed_model = f->kb.e->model,
	                          .dim = f->kb.e->dim };
	bool replaced;
	assert_int_equal(store_doc_put(f->kb.s, f->kb.coll, &d, &c, 1, 1, &replaced, err, sizeof err), 0);
	struct fixture_response reply = { .content_type = "application/json", .reset_after = -1,
	                                  .body = "[{\"index\":0,\"score\":0.7}]" };
	struct fixture_server *srv = fixture_start(&reply, 1);
	struct retrieve_result res;
	search_reranked(f, srv, 20, "/guide/*", &res);
	assert_true(res.reranked);
	assert_int_equal(res.n_hits, 1);
	cJSON *body = cJSON_Parse(fixture_request(srv, 0)->body);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "documents"), 0)->valuestring,
	                    "Agent guide > Ports\n\nThe agent listens on port 7443.");
	cJSON_Delete(body);
	retrieve_result_free(&res);
	fixture_stop(&srv);
}

static void options_resolve_the_reranker_provider(void **state)
{
	(void)state;
	static const char yaml[] = "retrieval:\n  reranker: {provider: tei, model: bge, timeout_ms: 900, top_n: 7}\n"
	                           "providers:\n  tei: {kind: openai, base_url: \"http://tei:8080\", api_key_env: TEI_KEY}\n";
	struct config_diags d = { 0 };
	struct config *c = config_defaults();
	struct retriever_opts ro;
	retriever_opts_from_config(c, NULL, &ro);
	assert_null(ro.rerank.name);
	config_free(&c);
	assert_int_equal(config_load_string("t.yaml", yaml, strlen(yaml), &c, &d), 0);
	retriever_opts_from_config(c, NULL, &ro);
	assert_string_equal(ro.rerank.name, "tei");
	assert_string_equal(ro.rerank.base_url, "http://tei:8080");
	assert_string_equal(ro.rerank.api_key_env, "TEI_KEY");
	assert_string_equal(ro.rerank.model, "bge");
	assert_int_equal(ro.rerank.timeout_ms, 900);
	assert_int_equal(ro.rerank_top_n, 7);
	config_free(&c);
	config_diags_free(&d);
}

static void failing_reranker_keeps_the_fused_order_and_says_why(void **state)
{
	struct fixture *f = *state;
	int64_t ids[4];
	fused_order(f, ids);
	struct fixture_response reply = { .status = 500, .content_type = "text/plain", .reset_after = -1,
	                                  .body = "CUDA out of memory" };
	struct fixture_server *srv = fixture_start(&reply, 1);
	struct retrieve_result res;
	search_reranked(f, srv, 20, NULL, &res);
	assert_false(res.reranked);
	assert_non_null(res.rerank_error);
	assert_string_equal(res.rerank_error, "reranker tei: HTTP 500: CUDA out of memory");
	assert_int_equal(res.n_hits, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(res.hits[i].chunk_id, ids[i]);
		assert_false(res.hits[i].reranked);
		assert_true(res.hits[i].rerank_score == 0);
	}
	assert_true(res.pack.n_blocks >= 1);
	retrieve_result_free(&res);
	fixture_stop(&srv);
}

/* An embedder that fails while *fail is set, else embeds like inner. */
struct flaky {
	struct embedder base;
	struct embedder *inner;
	bool fail;
};

static int flaky_embed(struct embedder *e, const char *const *texts, const size_t *lens, size_t n, float *out,
                       struct embed_report *rep, char *err, size_t errlen)
{
	struct flaky *f = (struct flaky *)e;
	(void)rep;
	if (f->fail) {
		snprintf(err, errlen, "embedding server fixture: connection refused");
		return -1;
	}
	return embed_texts(f->inner, texts, lens, n, out, err, errlen);
}

static void flaky_destroy(struct embedder *e)
{
	(void)e;
}

static const struct embedder_ops flaky_ops = { .kind = "flaky", .embed = flaky_embed, .destroy = flaky_destroy };

static void failed_query_embedding_falls_back_to_full_text(void **state)
{
	struct fixture *f = *state;
	struct flaky fl = { .base = { .ops = &flaky_ops, .dim = f->kb.e->dim, .model = f->kb.e->model }, .inner = f->kb.e,
	                    .fail = true };
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .cache_ttl_seconds = 0 };
	struct retriever *r;
	char err[512];
	assert_int_equal(retriever_open(f->kb.s, &fl.base, &ro, &r, err, sizeof err), 0);
	struct retrieve_query q = { .text = "which port does the agent listen on", .k = 4, .mode = RETRIEVE_HYBRID,
	                            .max_context_tokens = 1000 };
	struct retrieve_result res;
	assert_int_equal(retriever_search(r, &q, &res, err, sizeof err), 0);
	assert_string_equal(res.vector_error, "embedding server fixture: connection refused");
	assert_string_equal(res.hits[0].path, "/kb/ports.md");
	for (size_t i = 0; i < res.n_hits; i++)
		assert_int_equal(res.hits[i].vec_rank, 0);
	retrieve_result_free(&res);
	q.mode = RETRIEVE_VECTOR;
	assert_int_equal(retriever_search(r, &q, &res, err, sizeof err), -1);
	assert_string_equal(err, "embedding server fixture: connection refused");
	/* The next question tries again. */
	fl.fail = false;
	q.mode = RETRIEVE_HYBRID;
	assert_int_equal(retriever_search(r, &q, &res, err, sizeof err), 0);
	assert_null(res.vector_error);
	assert_int_equal(res.hits[0].vec_rank, 1);
	retrieve_result_free(&res);
	retriever_free(&r);
}

static void another_models_collection_is_searched_by_full_text_until_it_is_ours_again(void **state)
{
	struct fixture *f = *state;
	struct store_embedding rec;
	char err[512];
	assert_int_equal(store_embedding_claim(f->kb.s, f->kb.coll, f->kb.e->model, f->kb.e->dim, &rec, err, sizeof err), 0);
	assert_int_equal(sqlite3_exec(store_db(f->kb.s), "UPDATE collections SET embed_model = 'nomic-embed-text',"
	                              " embed_dim = 768", NULL, NULL, NULL), SQLITE_OK);
	put_doc(f, f->kb.s, "/kb/vpn.md", "The VPN client reconnects after sleep.");
	struct retrieve_result res;
	search(f, "vpn client reconnects", RETRIEVE_HYBRID, NULL, &res);
	assert_non_null(strstr(res.vector_error, "collection holds vectors of nomic-embed-text (768 dimensions), "
	                                         "not of hash-v1-64"));
	/* Full text still finds the document written meanwhile. */
	assert_string_equal(res.hits[0].path, "/kb/vpn.md");
	assert_int_equal(res.hits[0].vec_rank, 0);
	retrieve_result_free(&res);
	assert_int_equal(sqlite3_exec(store_db(f->kb.s), "UPDATE collections SET embed_model = 'hash-v1-64',"
	                              " embed_dim = 64", NULL, NULL, NULL), SQLITE_OK);
	search(f, "vpn client reconnects", RETRIEVE_HYBRID, NULL, &res);
	assert_null(res.vector_error);
	assert_string_equal(res.hits[0].path, "/kb/vpn.md");
	assert_int_equal(res.hits[0].vec_rank, 1);
	assert_int_equal(res.index_rows, 5);
	retrieve_result_free(&res);
}

static void min_score_drops_candidates_far_below_the_best(void **state)
{
	struct fixture *f = *state;
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .min_score = 1.0 };
	struct retriever *r;
	char err[512];
	assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &r, err, sizeof err), 0);
	struct retrieve_query q = { .text = "which port does the agent listen on", .k = 4, .mode = RETRIEVE_HYBRID,
	                            .max_context_tokens = 1000 };
	struct retrieve_result res;
	assert_int_equal(retriever_search(r, &q, &res, err, sizeof err), 0);
	assert_int_equal(res.n_hits, 1);
	assert_string_equal(res.hits[0].path, "/kb/ports.md");
	retrieve_result_free(&res);
	retriever_free(&r);
	/* 0 keeps every candidate. */
	search(f, "which port does the agent listen on", RETRIEVE_HYBRID, NULL, &res);
	assert_true(res.n_hits >= 3);
	retrieve_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hybrid_puts_the_matching_chunk_first_with_both_ranks, setup, teardown),
		cmocka_unit_test_setup_teardown(fts_mode_skips_the_embedder_and_vector_mode_skips_fts, setup, teardown),
		cmocka_unit_test_setup_teardown(path_glob_filters_both_retrievers, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_query_text_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(second_query_vector_comes_from_the_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(arena_catches_up_with_another_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(tiny_budget_drops_chunks_and_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(repack_summarizing_marks_the_dropped_hits_and_plain_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_collection_is_a_clear_error, setup, teardown),
		cmocka_unit_test_setup_teardown(full_text_search_matches_word_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(full_text_finds_this_collections_chunks_below_anothers, setup, teardown),
		cmocka_unit_test_setup_teardown(consecutive_query_words_found_together_rank_first, setup, teardown),
		cmocka_unit_test_setup_teardown(superseded_documents_rank_below_their_successor, setup, teardown),
		cmocka_unit_test_setup_teardown(reranker_puts_its_best_candidate_first, setup, teardown),
		cmocka_unit_test_setup_teardown(reranker_reorders_only_the_first_top_n, setup, teardown),
		cmocka_unit_test_setup_teardown(reranker_reads_the_heading_path_then_the_text, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_reranker_keeps_the_fused_order_and_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_query_embedding_falls_back_to_full_text, setup, teardown),
		cmocka_unit_test_setup_teardown(another_models_collection_is_searched_by_full_text_until_it_is_ours_again,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(min_score_drops_candidates_far_below_the_best, setup, teardown),
		cmocka_unit_test(options_resolve_the_reranker_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
