/* Unit tests for core/search/pack: budget never exceeded, adjacent chunks merge,
 * drops are reported, blocks numbered by rank. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/search/pack.h"
#include "core/util/tokens.h"

static const char body[] = "Alpha one two three. Beta four five six. Gamma seven eight nine.";

static struct pack_item item(int64_t id, int64_t doc, int ord, int64_t start, int64_t end, const char *path)
{
	static char texts[16][128];
	static int next;
	char *t = texts[next++ % 16];
	memcpy(t, body + start, (size_t)(end - start));
	t[end - start] = '\0';
	return (struct pack_item){
		.chunk_id = id, .doc_id = doc, .ordinal = ord, .byte_start = start, .byte_end = end,
		.line_start = ord + 1, .line_end = ord + 1, .path = path, .heading_path = "H", .text = t,
	};
}

static void adjacent_chunks_merge_without_repeating_overlap(void **state)
{
	(void)state;
	/* Chunk 2 overlaps chunk 1 by "Beta four five six. " */
	struct pack_item items[] = {
		item(2, 1, 1, 21, 64, "a.md"),
		item(1, 1, 0, 0, 41, "a.md"),
	};
	struct pack_result r;
	pack_chunks(items, 2, 1000, &r);
	assert_int_equal(r.n_blocks, 1);
	assert_string_equal(r.blocks[0].text, body);
	assert_int_equal(r.blocks[0].n_chunks, 2);
	assert_int_equal(r.blocks[0].chunk_ids[0], 1);
	assert_int_equal(r.blocks[0].line_start, 1);
	assert_int_equal(r.blocks[0].line_end, 2);
	assert_int_equal(r.n_dropped, 0);
	pack_result_free(&r);
}

static void blocks_are_numbered_by_best_rank(void **state)
{
	(void)state;
	struct pack_item items[] = {
		item(9, 2, 4, 42, 64, "b.md"),
		item(1, 1, 0, 0, 20, "a.md"),
	};
	struct pack_result r;
	pack_chunks(items, 2, 1000, &r);
	assert_int_equal(r.n_blocks, 2);
	assert_int_equal(r.blocks[0].number, 1);
	assert_string_equal(r.blocks[0].path, "b.md");
	assert_string_equal(r.blocks[1].path, "a.md");
	char *label = pack_block_label(&r.blocks[1]);
	assert_string_equal(label, "[2] a.md:1-1 (H)");
	free(label);
	pack_result_free(&r);
}

static void too_big_chunk_is_dropped_and_smaller_one_still_fits(void **state)
{
	(void)state;
	struct pack_item items[] = {
		item(1, 1, 0, 0, 64, "a.md"),
		item(2, 2, 0, 42, 64, "b.md"),
	};
	struct pack_block alone = { .number = 1, .path = "b.md", .heading_path = "H", .line_start = 1, .line_end = 1 };
	char *label = pack_block_label(&alone);
	int small = tokens_estimate_str(label) + tokens_estimate_str(items[1].text);
	free(label);
	struct pack_result r;
	pack_chunks(items, 2, small, &r);
	assert_int_equal(r.n_blocks, 1);
	assert_string_equal(r.blocks[0].path, "b.md");
	assert_int_equal(r.n_dropped, 1);
	assert_int_equal(r.dropped[0], 1);
	assert_int_equal(r.total_tokens, small);
	pack_result_free(&r);
}

static void zero_budget_packs_nothing(void **state)
{
	(void)state;
	struct pack_item items[] = { item(1, 1, 0, 0, 20, "a.md") };
	struct pack_result r;
	pack_chunks(items, 1, 0, &r);
	assert_int_equal(r.n_blocks, 0);
	assert_int_equal(r.n_dropped, 1);
	assert_int_equal(r.total_tokens, 0);
	pack_result_free(&r);
}

static void random_packs_never_exceed_budget(void **state)
{
	(void)state;
	srand(1234);
	for (int round = 0; round < 300; round++) {
		struct pack_item items[12];
		int n = 1 + rand() % 12;
		for (int i = 0; i < n; i++) {
			int64_t s = rand() % 40, e = s + 1 + rand() % (64 - s);
			items[i] = item(i + 1, 1 + rand() % 3, rand() % 6, s, e, "doc.md");
		}
		/* ordinals must be unique per document */
		for (int i = 0; i < n; i++)
			items[i].ordinal = i;
		int budget = rand() % 120;
		struct pack_result r;
		pack_chunks(items, (size_t)n, budget, &r);
		int sum = 0;
		size_t chunks = 0;
		for (size_t b = 0; b < r.n_blocks; b++) {
			sum += r.blocks[b].tokens;
			chunks += r.blocks[b].n_chunks;
		}
		assert_true(sum <= budget);
		assert_int_equal(sum, r.total_tokens);
		assert_int_equal(chunks + r.n_dropped, (size_t)n);
		pack_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(adjacent_chunks_merge_without_repeating_overlap),
		cmocka_unit_test(blocks_are_numbered_by_best_rank),
		cmocka_unit_test(too_big_chunk_is_dropped_and_smaller_one_still_fits),
		cmocka_unit_test(zero_budget_packs_nothing),
		cmocka_unit_test(random_packs_never_exceed_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
