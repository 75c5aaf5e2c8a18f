/* Unit tests for core/search/pack: budget never exceeded, adjacent chunks merge,
 * drops are reported, blocks numbered by rank; with a summarizer the dropped
 * chunks become summarized blocks and the packed ones stay as they were. */
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

/* What item costs packed alone as block 1. */
static int cost_alone(const struct pack_item *it)
{
	struct pack_block alone = { .number = 1, .path = (char *)it->path, .heading_path = (char *)it->heading_path,
	                            .line_start = it->line_start, .line_end = it->line_end };
	char *label = pack_block_label(&alone);
	int cost = tokens_estimate_str(label) + tokens_estimate_str(it->text);
	free(label);
	return cost;
}

static void nothing_dropped_means_nothing_to_summarize(void **state)
{
	(void)state;
	struct pack_item items[] = { item(1, 1, 0, 0, 20, "a.md"), item(2, 2, 0, 21, 41, "b.md") };
	struct pack_result r;
	pack_chunks_summarizing(items, 2, 1000, &r);
	assert_int_equal(r.n_blocks, 2);
	assert_int_equal(r.n_packed, 2);
	assert_int_equal(r.n_dropped, 0);
	assert_false(r.blocks[0].summarized || r.blocks[1].summarized);
	assert_null(r.summary);
	pack_result_free(&r);
}

/* The budget holds the first chunk: the packed blocks are those of
 * pack_chunks, the dropped ones follow, summarized, adjacent ones merged,
 * numbered by their best rank, and not counted in the total. */
static void dropped_chunks_become_summarized_blocks_after_the_packed(void **state)
{
	(void)state;
	struct pack_item items[] = {
		item(1, 1, 0, 0, 64, "a.md"),
		item(7, 3, 5, 42, 64, "c.md"),
		item(5, 2, 1, 21, 41, "b.md"),
		item(4, 2, 0, 0, 20, "b.md"),
	};
	int budget = cost_alone(&items[0]) + 10;
	struct pack_result plain, r;
	pack_chunks(items, 4, budget, &plain);
	pack_chunks_summarizing(items, 4, budget, &r);
	assert_int_equal(r.n_packed, 1);
	assert_int_equal(r.n_packed, plain.n_blocks);
	assert_string_equal(r.blocks[0].text, plain.blocks[0].text);
	assert_int_equal(r.total_tokens, plain.total_tokens);
	assert_int_equal(r.n_dropped, 3);
	assert_int_equal(r.n_blocks, 3);
	assert_true(r.blocks[1].summarized && r.blocks[2].summarized);
	assert_int_equal(r.blocks[1].number, 2);
	assert_string_equal(r.blocks[1].path, "c.md");
	assert_int_equal(r.blocks[2].number, 3);
	assert_string_equal(r.blocks[2].path, "b.md");
	assert_int_equal(r.blocks[2].n_chunks, 2);
	assert_int_equal(r.blocks[2].chunk_ids[0], 4);
	char *label = pack_block_label(&r.blocks[2]);
	assert_string_equal(label, "[3] b.md:1-2 (H)");
	assert_int_equal(r.blocks[2].tokens, tokens_estimate_str(label) + tokens_estimate_str(r.blocks[2].text));
	free(label);
	label = pack_summary_label(&r);
	assert_string_equal(label, "[summary] of blocks [2] [3]: condensed, not quoted");
	free(label);
	pack_result_free(&plain);
	pack_result_free(&r);
}

/* The summary never takes the packed chunks' room: whatever the budget,
 * the packed blocks and the total are pack_chunks' own. */
static void summarizing_packs_the_same_blocks_as_plain_packing(void **state)
{
	(void)state;
	struct pack_item items[] = {
		item(1, 1, 0, 0, 20, "a.md"),
		item(2, 2, 0, 21, 41, "b.md"),
		item(3, 3, 0, 0, 64, "c.md"),
	};
	int whole = cost_alone(&items[0]) + cost_alone(&items[1]) + cost_alone(&items[2]);
	for (int budget = 0; budget <= whole; budget++) {
		struct pack_result plain, r;
		pack_chunks(items, 3, budget, &plain);
		pack_chunks_summarizing(items, 3, budget, &r);
		assert_int_equal(r.n_packed, plain.n_blocks);
		assert_int_equal(r.total_tokens, plain.total_tokens);
		assert_int_equal(r.n_dropped, plain.n_dropped);
		assert_int_equal(r.n_blocks, plain.n_blocks + plain.n_dropped);
		for (size_t b = 0; b < r.n_blocks; b++) {
			assert_int_equal(r.blocks[b].number, (int)b + 1);
			assert_true(r.blocks[b].summarized == (b >= r.n_packed));
		}
		pack_result_free(&plain);
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
		cmocka_unit_test(nothing_dropped_means_nothing_to_summarize),
		cmocka_unit_test(dropped_chunks_become_summarized_blocks_after_the_packed),
		cmocka_unit_test(summarizing_packs_the_same_blocks_as_plain_packing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
