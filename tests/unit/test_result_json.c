/* Unit tests for core/search/result_json: the keys of a hit in both forms
 * (search's, the query log's), in order, with nulls for lists a chunk was
 * not in, and the stage timings in pipeline order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/search/result_json.h"
#include "core/search/retrieve.h"

static struct retrieve_hit fts_only_hit(void)
{
	return (struct retrieve_hit){
		.rank = 2, .chunk_id = 17, .doc_id = 3, .fused = 0.5, .bm25 = -4.25, .fts_rank = 1,
		.path = "/kb/a.md", .line_start = 4, .line_end = 9, .heading_path = "A > B", .text = "body",
		.tokens = 12, .status = DOC_ARCHIVED, .coverage = 0.75, .packed = true,
	};
}

static char *print(cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static void search_hit_has_every_key_in_order_with_nulls(void **state)
{
	(void)state;
	struct retrieve_hit h = fts_only_hit();
	char *s = print(result_json_hit(&h));
	assert_string_equal(s, "{\"rank\":2,\"chunk_id\":17,\"document_id\":3,\"fused_score\":0.5,"
	                       "\"vector_rank\":null,\"vector_score\":null,\"bm25_rank\":1,\"bm25_score\":-4.25,"
	                       "\"path\":\"/kb/a.md\",\"line_start\":4,\"line_end\":9,\"page_start\":null,\"page_end\":null,\"heading_path\":\"A > B\","
	                       "\"status\":\"archived\",\"coverage\":0.75,\"rerank_score\":null,\"tokens\":12,"
	                       "\"packed\":true,\"text\":\"body\"}");
	free(s);
}

static void search_hit_shows_vector_and_rerank_scores(void **state)
{
	(void)state;
	struct retrieve_hit h = fts_only_hit();
	h.vec_rank = 3;
	h.vec_score = 0.25f;
	h.reranked = true;
	h.rerank_score = 0.875;
	cJSON *j = result_json_hit(&h);
	assert_int_equal(cJSON_GetObjectItem(j, "vector_rank")->valueint, 3);
	assert_true(cJSON_GetObjectItem(j, "vector_score")->valuedouble == 0.25);
	assert_true(cJSON_GetObjectItem(j, "rerank_score")->valuedouble == 0.875);
	cJSON_Delete(j);
}

static void logged_hit_is_brief_with_zeros(void **state)
{
	(void)state;
	struct retrieve_hit h = fts_only_hit();
	char *s = print(result_json_hit_logged(&h));
	assert_string_equal(s, "{\"chunk_id\":17,\"rank\":2,\"fused\":0.5,\"vector_rank\":0,\"vector_score\":0,"
	                       "\"bm25_rank\":1,\"bm25\":-4.25,\"path\":\"/kb/a.md\",\"line_start\":4,"
	                       "\"line_end\":9,\"page_start\":null,\"page_end\":null,\"packed\":true,\"summarized\":false}");
	free(s);
}

static void stage_timings_in_pipeline_order(void **state)
{
	(void)state;
	struct retrieve_timings t = { 1, 2, 3, 4, 5, 6, 99 };
	cJSON *o = cJSON_CreateObject();
	result_json_add_stage_timings(o, &t);
	char *s = print(o);
	assert_string_equal(s, "{\"embed\":1,\"vector\":2,\"fts\":3,\"fuse\":4,\"rerank\":5,\"pack\":6}");
	free(s);
}

static void string_or_null(void **state)
{
	(void)state;
	cJSON *o = cJSON_CreateObject();
	result_json_add_string_or_null(o, "a", "x");
	result_json_add_string_or_null(o, "b", NULL);
	char *s = print(o);
	assert_string_equal(s, "{\"a\":\"x\",\"b\":null}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(search_hit_has_every_key_in_order_with_nulls),
		cmocka_unit_test(search_hit_shows_vector_and_rerank_scores),
		cmocka_unit_test(logged_hit_is_brief_with_zeros),
		cmocka_unit_test(stage_timings_in_pipeline_order),
		cmocka_unit_test(string_or_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
