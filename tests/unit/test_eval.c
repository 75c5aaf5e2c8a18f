/* Unit tests for core/eval/eval and store/evalstore: answer checks, and
 * regression detection between two runs stored and read back. */
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

#include "core/eval/eval.h"
#include "store/evalstore.h"
#include "store/store.h"

static void answers_are_checked_against_format_and_must_contain(void **state)
{
	(void)state;
	cJSON *schema = cJSON_Parse("{\"required\":[\"code\"],\"properties\":{\"code\":\"string\"}}");
	char *must[] = { "dw-1042" };
	struct golden_item it = { .format = GOLDEN_FORMAT_JSON, .schema = schema, .must_contain = must,
	                          .n_must_contain = 1 };
	enum eval_check c[EVAL_N_CHECKS];
	assert_true(eval_check_answer(&it, "```json\n{\"code\": \"DW-1042\"}\n```", c));
	assert_int_equal(c[EVAL_IS_JSON], EVAL_CHECK_PASS);
	assert_int_equal(c[EVAL_SCHEMA], EVAL_CHECK_PASS);
	assert_int_equal(c[EVAL_REGEX], EVAL_CHECK_NA);
	assert_int_equal(c[EVAL_MUST_CONTAIN], EVAL_CHECK_PASS);
	assert_false(eval_check_answer(&it, "{\"code\": 1042}", c));
	assert_int_equal(c[EVAL_IS_JSON], EVAL_CHECK_PASS);
	assert_int_equal(c[EVAL_SCHEMA], EVAL_CHECK_FAIL);
	assert_int_equal(c[EVAL_MUST_CONTAIN], EVAL_CHECK_FAIL);
	assert_false(eval_check_answer(&it, "The code is DW-1042.", c));
	assert_int_equal(c[EVAL_IS_JSON], EVAL_CHECK_FAIL);
	assert_int_equal(c[EVAL_SCHEMA], EVAL_CHECK_FAIL);
	struct golden_item re = { .format = GOLDEN_FORMAT_REGEX, .pattern = "^docs: [^\n]{1,60}$" };
	assert_true(eval_check_answer(&re, "docs: fix typo", c));
	assert_int_equal(c[EVAL_REGEX], EVAL_CHECK_PASS);
	assert_false(eval_check_answer(&re, "fix: typo", c));
	cJSON_Delete(schema);
}

static int collect(void *ud, const struct evalstore_result *r)
{
	cJSON_AddItemToObject(ud, r->item_id, cJSON_Parse(r->metrics_json));
	return 0;
}

static cJSON *stored(struct store *s, int64_t run)
{
	char err[256];
	cJSON *o = cJSON_CreateObject();
	assert_int_equal(evalstore_results_each(s, run, collect, o, err, sizeof err), 0);
	return o;
}

static int64_t add_run(struct store *s, const char *params, const char *a, const char *b)
{
	char err[256];
	int64_t id = 0;
	struct evalstore_run run = { .started_at = 1, .golden_path = "/g.yaml", .golden_hash = "h",
	                             .config = "routing: {}\n", .model = "local", .params_json = params,
	                             .summary_json = "{\"passed\":1}" };
	assert_int_equal(evalstore_run_insert(s, &run, &id, err, sizeof err), 0);
	struct evalstore_result ra = { "a", "factual", a, "answer a", true };
	struct evalstore_result rb = { "b", "structural", b, "answer b", false };
	assert_int_equal(evalstore_result_insert(s, id, &ra, err, sizeof err), 0);
	assert_int_equal(evalstore_result_insert(s, id, &rb, err, sizeof err), 0);
	return id;
}

static void regressions_between_two_stored_runs_are_named(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_eval.XXXXXX", path[64], err[256];
	struct store *s = NULL;
	int64_t prev = 0;
	char *summary = NULL;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/e.db", dir);
	assert_int_equal(store_open(path, &s, err, sizeof err), 0);
	int64_t r1 = add_run(s, "{\"top_k\":5}", "{\"recall_k\":1,\"mrr10\":0.5,\"passed\":true}",
	                     "{\"regex\":true,\"passed\":true}");
	int64_t other = add_run(s, "{\"top_k\":1}", "{\"recall_k\":0}", "{}");
	int64_t r2 = add_run(s, "{\"top_k\":5}", "{\"recall_k\":0.5,\"mrr10\":0.5,\"passed\":true}",
	                     "{\"regex\":false,\"passed\":false}");
	assert_int_equal(evalstore_previous_run(s, "/g.yaml", "{\"top_k\":5}", r2, &prev, err, sizeof err), 0);
	assert_int_equal(prev, r1);
	assert_int_equal(evalstore_previous_run(s, "/g.yaml", "{\"top_k\":1}", other, &prev, err, sizeof err), 1);
	assert_int_equal(evalstore_previous_run(s, "/other.yaml", "{\"top_k\":5}", 0, &prev, err, sizeof err), 1);
	assert_int_equal(evalstore_run_summary(s, r1, &summary, err, sizeof err), 0);
	assert_string_equal(summary, "{\"passed\":1}");
	free(summary);

	cJSON *before = stored(s, r1), *after = stored(s, r2);
	cJSON *reg = eval_regressions(before, after);
	char *text = cJSON_PrintUnformatted(reg);
	assert_string_equal(text, "[{\"id\":\"a\",\"what\":\"recall_k 1.00 -> 0.50\"},"
	                          "{\"id\":\"b\",\"what\":\"regex pass -> fail, passed pass -> fail\"}]");
	cJSON_free(text);
	cJSON_Delete(reg);
	reg = eval_regressions(after, before);
	assert_int_equal(cJSON_GetArraySize(reg), 0);
	cJSON_Delete(reg);
	cJSON_Delete(before);
	cJSON_Delete(after);
	store_close(&s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Verdicts are cached per item, hash, model and prompt version; a second
 * put replaces the first; the newest of any model is found by hash. */
static void judge_verdicts_are_cached_by_their_whole_key(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_eval.XXXXXX", path[64], err[256], cmd[128];
	struct store *s = NULL;
	char *v = NULL, *model = NULL;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/e.db", dir);
	assert_int_equal(store_open(path, &s, err, sizeof err), 0);
	struct evalstore_judge_key k = { "q1", "00aa", "gpt-4o-mini", "judge-v1" };
	struct evalstore_judge_cost cost = { 321, 20, 0.0000601, true };
	assert_int_equal(evalstore_judge_get(s, &k, &v, err, sizeof err), 1);
	assert_null(v);
	assert_int_equal(evalstore_judge_put(s, &k, "{\"a\":1}", &cost, err, sizeof err), 0);
	assert_int_equal(evalstore_judge_get(s, &k, &v, err, sizeof err), 0);
	assert_string_equal(v, "{\"a\":1}");
	free(v);
	struct evalstore_judge_key other[] = {
		{ "q2", "00aa", "gpt-4o-mini", "judge-v1" }, { "q1", "00ab", "gpt-4o-mini", "judge-v1" },
		{ "q1", "00aa", "claude-sonnet-4-6", "judge-v1" }, { "q1", "00aa", "gpt-4o-mini", "judge-v2" },
	};
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		assert_int_equal(evalstore_judge_get(s, &other[i], &v, err, sizeof err), 1);
		assert_null(v);
	}
	assert_int_equal(evalstore_judge_put(s, &k, "{\"a\":2}", &cost, err, sizeof err), 0);
	assert_int_equal(evalstore_judge_get(s, &k, &v, err, sizeof err), 0);
	assert_string_equal(v, "{\"a\":2}");
	free(v);
	struct evalstore_judge_cost unpriced = { 5, 6, 0, false };
	assert_int_equal(evalstore_judge_put(s, &other[2], "{\"b\":1}", &unpriced, err, sizeof err), 0);
	assert_int_equal(evalstore_judge_latest(s, "00aa", "judge-v1", NULL, &v, &model, err, sizeof err), 0);
	assert_string_equal(v, "{\"b\":1}");
	assert_string_equal(model, "claude-sonnet-4-6");
	free(v);
	free(model);
	assert_int_equal(evalstore_judge_latest(s, "00aa", "judge-v1", "gpt-4o-mini", &v, &model, err, sizeof err), 0);
	assert_string_equal(v, "{\"a\":2}");
	free(v);
	free(model);
	assert_int_equal(evalstore_judge_latest(s, "00aa", "judge-v2", NULL, &v, &model, err, sizeof err), 1);
	assert_null(v);
	assert_null(model);
	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_are_checked_against_format_and_must_contain),
		cmocka_unit_test(regressions_between_two_stored_runs_are_named),
		cmocka_unit_test(judge_verdicts_are_cached_by_their_whole_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
