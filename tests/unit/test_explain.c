/* Unit tests for core/search/explain: a document retrieved, below the
 * top k, dropped by the token budget, out of both candidate lists,
 * archived, outside the path filter, and not stored at all, on a small
 * store built here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/embed/embed.h"
#include "core/search/explain.h"
#include "core/util/strbuf.h"
#include "store/store.h"
#include "tests/integration/fixture_server.h"
#include "tests/unit/kb_store.h"

struct fixture {
	struct kb_store kb;
	struct retriever *r;
};

/* Store a one-chunk document as ingest would; status NULL: current. */
static void put_doc_status(struct fixture *f, const char *path, const char *text, const char *status)
{
	kb_store_put(&f->kb, f->kb.s, &(struct kb_doc){ .path = path, .text = text, .status = status });
}

/* Store a document of n one-line chunks, line i "Invoice copy number i
 * for the customer account." (a term in every chunk). */
static void put_invoices(struct fixture *f, const char *path, int n)
{
	char err[256], line[96];
	struct strbuf body = STRBUF_INIT;
	struct store_chunk_in *c = calloc((size_t)n, sizeof *c);
	float *vecs = calloc((size_t)n * 64, sizeof *vecs);
	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof line, "Invoice copy number %d for the customer account.\n", i + 1);
		const char *text = line;
		size_t tlen = (size_t)len;
		assert_int_equal(embed_texts(f->kb.e, &text, &tlen, 1, vecs + (size_t)i * 64, err, sizeof err), 0);
		c[i] = (struct store_chunk_in){ .byte_start = (int64_t)body.len, .byte_end = (int64_t)(body.len + tlen),
		                                .line_start = i + 1, .line_end = i + 1, .heading_path = "", .tokens = 10,
		                                .vector = vecs + (size_t)i * 64 };
		sb_append(&body, line, tlen);
	}
	struct store_doc_in d = { .path = path, .format = "text", .content_hash = path, .bytes = (int64_t)body.len,
	                          .body = body.buf, .body_len = body.len, .embed_model = f->kb.e->model, .dim = f->kb.e->dim };
	bool replaced;
	assert_int_equal(store_doc_put(f->kb.s, f->kb.coll, &d, c, (size_t)n, 1, &replaced, err, sizeof err), 0);
	sb_free(&body);
	free(vecs);
	free(c);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	if (kb_store_open(&f->kb, "expl", "kb") != 0)
		return -1;
	put_doc_status(f, "/kb/refunds.md", "Refunds are paid within fourteen days of the request.", NULL);
	put_doc_status(f, "/kb/proxy.md", "Configure the proxy with the https_proxy variable.", NULL);
	put_doc_status(f, "/kb/ports.md", "The agent listens on port 7443 for local control.", NULL);
	put_doc_status(f, "/old/refunds.md", "Refunds were paid within thirty days in 2024.", NULL);
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .cache_ttl_seconds = 60 };
	if (retriever_open(f->kb.s, f->kb.e, &ro, &f->r, err, sizeof err) != 0)
		return -1;
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

static void explain_mode(struct fixture *f, const char *question, enum retrieve_mode mode, int k, int budget,
                         const char *glob, const char *path, struct explain_result *e)
{
	char err[256];
	struct retrieve_query q = { .text = question, .k = k, .mode = mode, .path_glob = glob,
	                            .max_context_tokens = budget };
	assert_int_equal(retrieve_explain(f->r, &q, path, e, err, sizeof err), 0);
}

static void explain(struct fixture *f, const char *question, int k, int budget, const char *glob, const char *path,
                    struct explain_result *e)
{
	explain_mode(f, question, RETRIEVE_HYBRID, k, budget, glob, path, e);
}

static void a_retrieved_document_reports_its_rank(void **state)
{
	struct explain_result e;
	explain(*state, "which port does the agent listen on", 4, 1000, NULL, "/kb/ports.md", &e);
	assert_string_equal(e.path, "/kb/ports.md");
	assert_int_equal(e.n_chunks, 1);
	assert_int_equal(e.chunks[0].hit_rank, 1);
	assert_int_equal(e.chunks[0].vec_rank, 1);
	assert_int_equal(e.chunks[0].fts_rank, 1);
	assert_int_equal(e.chunks[0].fused_rank, 1);
	assert_true(e.chunks[0].packed);
	assert_string_equal(e.chunks[0].verdict, "retrieved as #1");
	assert_int_equal(e.vectors_searched, 4);
	assert_int_equal(e.candidate_limit, 50);
	explain_result_free(&e);
}

static void a_suffix_finds_the_stored_path(void **state)
{
	struct explain_result e;
	explain(*state, "which port does the agent listen on", 4, 1000, NULL, "kb/ports.md", &e);
	assert_string_equal(e.path, "/kb/ports.md");
	explain_result_free(&e);
	explain(*state, "refunds", 4, 1000, NULL, "refunds.md", &e);
	assert_null(e.path);
	assert_true(e.ambiguous);
	assert_int_equal(e.n_closest, 2);
	explain_result_free(&e);
}

/* A path to the file on disk names its stored (canonical) path, as
 * `ragdeck chunks` takes it: "./notes.md" and "../docs/notes.md" from
 * the file's folder. */
static void a_relative_path_to_the_file_finds_its_stored_path(void **state)
{
	struct fixture *f = *state;
	char docs[96], file[128], real[4096], cwd[4096];
	snprintf(docs, sizeof docs, "%s/docs", f->kb.dir);
	snprintf(file, sizeof file, "%s/notes.md", docs);
	assert_int_equal(mkdir(docs, 0700), 0);
	FILE *fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("The agent writes notes on port 7443.\n", fp);
	fclose(fp);
	assert_non_null(realpath(file, real));
	put_doc_status(f, real, "The agent writes notes on port 7443.", NULL);
	struct explain_result here, up;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(docs), 0);
	explain(f, "agent notes", 4, 1000, NULL, "./notes.md", &here);
	explain(f, "agent notes", 4, 1000, NULL, "../docs/notes.md", &up);
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(here.path);
	assert_string_equal(here.path, real);
	assert_non_null(up.path);
	assert_string_equal(up.path, real);
	assert_int_equal(up.n_chunks, 1);
	explain_result_free(&here);
	explain_result_free(&up);
}

static void a_document_below_the_cutoff_reports_its_fused_rank(void **state)
{
	struct explain_result e;
	explain(*state, "refunds paid within days", 1, 1000, NULL, "/kb/refunds.md", &e);
	assert_int_equal(e.chunks[0].hit_rank, 0);
	assert_int_equal(e.chunks[0].fused_rank, 2);
	assert_int_equal(e.top_k, 1);
	assert_true(e.cutoff_fused > e.chunks[0].fused);
	assert_string_equal(e.chunks[0].verdict, "rank 2 fused, below the top 1");
	explain_result_free(&e);
}

static void a_document_dropped_by_the_budget_says_so(void **state)
{
	struct explain_result e;
	explain(*state, "refunds paid within days", 4, 12, NULL, "/kb/refunds.md", &e);
	assert_int_equal(e.chunks[0].hit_rank, 2);
	assert_false(e.chunks[0].packed);
	assert_true(e.budget_dropped >= 1);
	assert_non_null(strstr(e.chunks[0].verdict, "retrieved as #2 but dropped by the token budget"));
	explain_result_free(&e);
}

/* More chunks than the 50 candidates, all nearer the question "refund
 * request paid" than the zebra's, which shares no term with it. */
static void put_refund_notes_and_a_zebra(struct fixture *f)
{
	char path[64], text[128];
	for (int i = 0; i < 60; i++) {
		snprintf(path, sizeof path, "/kb/notes/refund-%02d.md", i);
		snprintf(text, sizeof text, "Refund request note %d: refunds are paid within days of the request.", i);
		put_doc_status(f, path, text, NULL);
	}
	put_doc_status(f, "/kb/zebra.md", "Zebras graze quietly on savanna grass.", NULL);
}

/* The zebra explained for "refund request paid" among the refund notes,
 * searched in mode. */
static void explain_the_zebra(struct fixture *f, enum retrieve_mode mode, struct explain_result *e)
{
	put_refund_notes_and_a_zebra(f);
	explain_mode(f, "refund request paid", mode, 4, 1000, NULL, "/kb/zebra.md", e);
}

static void a_document_with_no_term_and_a_low_cosine_is_not_a_candidate(void **state)
{
	struct explain_result e;
	explain_the_zebra(*state, RETRIEVE_HYBRID, &e);
	const struct explain_chunk *c = &e.chunks[0];
	assert_int_equal(c->fts_rank, 0);
	assert_true(c->vec_rank > 50);
	assert_int_equal(c->vec_candidate, 0);
	assert_int_equal(c->fts_candidate, 0);
	assert_int_equal(c->fused_rank, 0);
	assert_int_equal(e.vec_candidates, 50);
	assert_non_null(strstr(c->verdict, "not in either candidate list: shares no query term and its cosine"));
	explain_result_free(&e);
}

/* Another collection's 300 chunks rank first for "wombat": the trace
 * ranks the rows the search reads, so kb's one match is first by BM25
 * and a full-text candidate, never "ranks 1, past the candidates". */
static void a_chunk_first_by_bm25_is_a_full_text_candidate_whatever_other_collections_hold(void **state)
{
	struct fixture *f = *state;
	char err[256], path[64], text[128];
	int64_t zoo, kb = f->kb.coll;
	assert_int_equal(store_collection_id(f->kb.s, "zoo", true, &zoo, err, sizeof err), RD_OK);
	f->kb.coll = zoo;
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof path, "/zoo/wombat-%03d.md", i);
		snprintf(text, sizeof text, "Wombat wombat wombat: the wombat burrow, note %d.", i);
		put_doc_status(f, path, text, NULL);
	}
	f->kb.coll = kb;
	put_doc_status(f, "/kb/garden.md", "A garden note that mentions a wombat once among sheds and fences.", NULL);
	struct explain_result e;
	explain(f, "wombat", 4, 1000, NULL, "/kb/garden.md", &e);
	assert_int_equal(e.fts_matches, 1);
	assert_int_equal(e.chunks[0].fts_rank, 1);
	assert_int_equal(e.chunks[0].fts_candidate, 1);
	assert_int_equal(e.chunks[0].hit_rank, 1);
	explain_result_free(&e);
}

/* "invoice" is in 2,101 chunks, over the postings budget: full-text
 * search keeps "zebra" alone, so the ledger has no BM25 rank though it
 * holds a query term; its verdict names the term left out, and a chunk
 * holding neither term still shares no query term. */
static void a_chunk_holding_a_left_out_term_says_full_text_left_it_out(void **state)
{
	struct fixture *f = *state;
	put_invoices(f, "/kb/invoices.md", 2100);
	put_doc_status(f, "/kb/zebra.md", "Zebras graze quietly on savanna grass.", NULL);
	put_doc_status(f, "/kb/ledger.md", "The ledger lists every invoice by month and by region.", NULL);
	struct explain_result e;
	explain(f, "invoice zebra", 4, 1000, NULL, "/kb/ledger.md", &e);
	assert_int_equal(e.n_dropped, 1);
	assert_string_equal(e.dropped[0].text, "invoice");
	assert_int_equal(e.dropped[0].chunks, 2101);
	assert_false(e.fts_skipped);
	const struct explain_chunk *c = &e.chunks[0];
	assert_int_equal(c->fts_rank, 0);
	assert_true(c->left_out == 1);
	assert_null(strstr(c->verdict, "shares no query term"));
	assert_non_null(strstr(c->verdict, "full-text search left out 'invoice' (in 2101 chunks), over the postings budget"));
	explain_result_free(&e);
	explain(f, "invoice zebra", 4, 1000, NULL, "/kb/proxy.md", &e);
	assert_true(e.chunks[0].left_out == 0);
	assert_non_null(strstr(e.chunks[0].verdict, "shares no query term"));
	explain_result_free(&e);
}

/* Both terms are in 4,101 chunks, over twice the budget: no full-text
 * query runs at all, and the verdict names the terms it left out. */
static void every_term_over_the_budget_skips_full_text_and_says_so(void **state)
{
	struct fixture *f = *state;
	put_invoices(f, "/kb/invoices.md", 4100);
	put_doc_status(f, "/kb/ledger.md", "The ledger lists every invoice copy by month and by region.", NULL);
	struct explain_result e;
	explain(f, "invoice copy", 4, 1000, NULL, "/kb/ledger.md", &e);
	assert_true(e.fts_skipped);
	assert_int_equal(e.n_dropped, 2);
	assert_int_equal(e.fts_matches, 0);
	const struct explain_chunk *c = &e.chunks[0];
	assert_true(c->left_out == 3);
	assert_non_null(strstr(c->verdict, "full-text search left out 'invoice' (in 4101 chunks) and 'copy' (in 4101 chunks)"));
	explain_result_free(&e);
}

/* In vector mode no full-text search ran: the verdict cites the vector
 * rank alone, no BM25 rank, no query term and no candidate list of it. */
static void vector_mode_names_only_the_vector_half(void **state)
{
	struct explain_result e;
	explain_the_zebra(*state, RETRIEVE_VECTOR, &e);
	assert_true(e.vec_used && !e.fts_used);
	assert_int_equal(e.fts_matches + e.n_dropped, 0);
	const char *v = e.chunks[0].verdict;
	assert_int_equal(e.chunks[0].fts_rank, 0);
	assert_true(e.chunks[0].vec_rank > 50);
	assert_non_null(strstr(v, "not among the vector candidates: its cosine "));
	assert_non_null(strstr(v, ", past the 50 candidates"));
	assert_true(!strstr(v, "either") && !strstr(v, "term") && !strstr(v, "each retriever"));
	explain_result_free(&e);
}

/* In fts mode no vector was searched: the verdict cites full text alone. */
static void fts_mode_names_only_the_full_text_half(void **state)
{
	struct explain_result e;
	explain_the_zebra(*state, RETRIEVE_FTS, &e);
	assert_true(!e.vec_used && e.fts_used);
	assert_int_equal(e.vectors_searched, 0);
	assert_string_equal(e.chunks[0].verdict, "not among the full-text candidates: shares no query term");
	explain_result_free(&e);
}

/* A document of 200 chunks, searched with int8 and rescoring: each of
 * its chunks the search returned is placed at the hit's rank, with the
 * candidate ranks and the cosine the hit carries (the trace's exact
 * scan scores as the rescoring does, bit for bit). */
static void every_returned_chunk_of_a_long_document_is_placed_as_the_search_left_it(void **state)
{
	struct fixture *f = *state;
	char err[256];
	put_invoices(f, "/kb/invoices.md", 200);
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .quantize_int8 = true,
	                             .oversample = 2, .threads = 1, .cache_ttl_seconds = 60 };
	retriever_free(&f->r);
	assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &f->r, err, sizeof err), 0);
	struct retrieve_query q = { .text = "invoice number 142 customer", .k = 8, .mode = RETRIEVE_HYBRID,
	                            .max_context_tokens = 1000 };
	struct retrieve_result res;
	struct explain_result e;
	assert_int_equal(retriever_search(f->r, &q, &res, err, sizeof err), 0);
	assert_int_equal(retrieve_explain(f->r, &q, "/kb/invoices.md", &e, err, sizeof err), 0);
	assert_int_equal(e.doc_chunks, 200);
	size_t placed = 0;
	for (size_t h = 0; h < res.n_hits; h++) {
		if (strcmp(res.hits[h].path, "/kb/invoices.md") != 0)
			continue;
		const struct explain_chunk *c = NULL;
		for (size_t i = 0; i < e.doc_chunks; i++)
			if (e.chunks[i].chunk_id == res.hits[h].chunk_id)
				c = &e.chunks[i];
		assert_non_null(c);
		assert_int_equal(c->hit_rank, res.hits[h].rank);
		assert_int_equal(c->vec_candidate, res.hits[h].vec_rank);
		assert_int_equal(c->fts_candidate, res.hits[h].fts_rank);
		if (res.hits[h].vec_rank)
			assert_true(c->vec_score == res.hits[h].vec_score);
		placed++;
	}
	assert_true(placed >= 2);
	assert_int_equal(e.chunks[0].hit_rank, 1);
	retrieve_result_free(&res);
	explain_result_free(&e);
}

/* The reranker reorders the first two fused candidates (it puts the
 * second first) and k is 1: the first fused is left below by it, the
 * third and fourth were never sent to it, and their verdicts say which. */
static void the_reranker_verdict_tells_reordered_from_never_seen(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct fixture_response reply = {
		.content_type = "application/json", .reset_after = -1,
		.body = "[{\"index\":0,\"score\":0.1},{\"index\":1,\"score\":0.9}]",
	};
	struct fixture_server *srv = fixture_start(&reply, 1);
	struct retriever_opts ro = { .collection = "kb", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .rerank = { .name = "tei", .base_url = fixture_url(srv), .timeout_ms = 3000 },
	                             .rerank_top_n = 2 };
	retriever_free(&f->r);
	assert_int_equal(retriever_open(f->kb.s, f->kb.e, &ro, &f->r, err, sizeof err), 0);
	const char *paths[] = { "/kb/refunds.md", "/kb/proxy.md", "/kb/ports.md", "/old/refunds.md" };
	int seen = 0;
	for (int i = 0; i < 4; i++) {
		struct explain_result e;
		char want[128];
		explain(f, "which port does the agent listen on", 1, 1000, NULL, paths[i], &e);
		assert_true(e.reranked);
		assert_int_equal(e.rerank_top_n, 2);
		const struct explain_chunk *c = &e.chunks[0];
		if (c->fused_rank == 1)
			snprintf(want, sizeof want, "rank 1 fused, and the reranker left it below the top 1");
		else if (c->fused_rank == 2)
			snprintf(want, sizeof want, "retrieved as #1");
		else
			snprintf(want, sizeof want, "rank %d fused, past the 2 candidates the reranker reorders, below the top 1",
			         c->fused_rank);
		assert_string_equal(c->verdict, want);
		seen |= 1 << c->fused_rank;
		explain_result_free(&e);
	}
	assert_int_equal(seen, 0x1e);
	fixture_stop(&srv);
}

static void an_archived_document_reports_the_demotion(void **state)
{
	struct fixture *f = *state;
	put_doc_status(f, "/kb/old-ports.md", "The agent listened on port 7000 before.", "archived");
	struct explain_result e;
	explain(f, "which port does the agent listen on", 4, 1000, NULL, "/kb/old-ports.md", &e);
	assert_true(e.demoted);
	assert_int_equal(e.status, DOC_ARCHIVED);
	assert_true(e.demotion_weight == 0.5);
	assert_non_null(strstr(e.chunks[0].verdict, "; demoted as archived (fused score x0.50)"));
	explain_result_free(&e);
}

static void a_path_filter_that_excludes_it_is_named(void **state)
{
	struct explain_result e;
	explain(*state, "refunds paid within days", 4, 1000, "/old/*", "/kb/refunds.md", &e);
	assert_true(e.path_excluded);
	assert_string_equal(e.path_glob, "/old/*");
	assert_false(e.chunks[0].allowed);
	assert_true(e.chunks[0].fts_rank > 0);
	assert_string_equal(e.chunks[0].verdict, "excluded by the path filter");
	explain_result_free(&e);
}

static void an_unknown_path_gives_the_closest_stored_paths(void **state)
{
	struct explain_result e;
	explain(*state, "refunds", 4, 1000, NULL, "/kb/refundz.md", &e);
	assert_null(e.path);
	assert_false(e.ambiguous);
	assert_int_equal(e.n_closest, 3);
	assert_string_equal(e.closest[0], "/kb/refunds.md");
	assert_string_equal(e.closest[1], "/old/refunds.md");
	assert_int_equal(e.n_chunks, 0);
	explain_result_free(&e);
}

/* File names past 64 bytes still rank by distance from the one asked
 * about, not by path. */
static void long_file_names_rank_by_distance(void **state)
{
	struct fixture *f = *state;
	const char *stem = "/kb/annual-plan-billing-and-invoicing-guidance-for-enterprise-customers";
	char a[160], b[160], c[160], want[160];
	snprintf(a, sizeof a, "%s-refund-policy-2024.md", stem);
	snprintf(b, sizeof b, "%s-refund-policy.md", stem);
	snprintf(c, sizeof c, "%s-refund-procedure.md", stem);
	snprintf(want, sizeof want, "%s-refund-polcy.md", stem);
	put_doc_status(f, a, "Refunds in 2024.", NULL);
	put_doc_status(f, b, "Refunds now.", NULL);
	put_doc_status(f, c, "How to refund.", NULL);
	struct explain_result e;
	explain(f, "refunds", 4, 1000, NULL, want, &e);
	assert_null(e.path);
	assert_int_equal(e.n_closest, 3);
	assert_string_equal(e.closest[0], b);
	assert_string_equal(e.closest[1], a);
	assert_string_equal(e.closest[2], c);
	explain_result_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_retrieved_document_reports_its_rank, setup, teardown),
		cmocka_unit_test_setup_teardown(a_suffix_finds_the_stored_path, setup, teardown),
		cmocka_unit_test_setup_teardown(a_relative_path_to_the_file_finds_its_stored_path, setup, teardown),
		cmocka_unit_test_setup_teardown(a_document_below_the_cutoff_reports_its_fused_rank, setup, teardown),
		cmocka_unit_test_setup_teardown(a_document_dropped_by_the_budget_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(a_document_with_no_term_and_a_low_cosine_is_not_a_candidate, setup, teardown),
		cmocka_unit_test_setup_teardown(a_chunk_first_by_bm25_is_a_full_text_candidate_whatever_other_collections_hold,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(a_chunk_holding_a_left_out_term_says_full_text_left_it_out, setup, teardown),
		cmocka_unit_test_setup_teardown(every_term_over_the_budget_skips_full_text_and_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(vector_mode_names_only_the_vector_half, setup, teardown),
		cmocka_unit_test_setup_teardown(fts_mode_names_only_the_full_text_half, setup, teardown),
		cmocka_unit_test_setup_teardown(every_returned_chunk_of_a_long_document_is_placed_as_the_search_left_it,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(the_reranker_verdict_tells_reordered_from_never_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(an_archived_document_reports_the_demotion, setup, teardown),
		cmocka_unit_test_setup_teardown(a_path_filter_that_excludes_it_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(an_unknown_path_gives_the_closest_stored_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(long_file_names_rank_by_distance, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
