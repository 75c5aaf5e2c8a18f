/* Unit tests for core/answer/summarize: the room a summary gets, what of a
 * summarizer's reply is kept (labelled statements only, sanitized, cut to
 * the budget), the statements a summarized block reads, and the line the
 * routing pane and `ask` print. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer/summarize.h"
#include "core/config/config.h"
#include "core/util/strbuf.h"
#include "core/util/tokens.h"

static const char short_text[] = "Driftwood Sync is a file-sync product.";
static const char refund[] =
	"Monthly plans: you can request a full refund within 14 days of the charge date. "
	"Annual plans are refunded in full within the same 14 days.";
static const char ports[] = "The agent listens on port 7443 for local control and on 21070 for LAN sync.";

static struct pack_item item(int64_t id, const char *path, const char *text)
{
	return (struct pack_item){
		.chunk_id = id, .doc_id = id, .byte_end = (int64_t)strlen(text), .line_start = 1, .line_end = 4,
		.path = path, .heading_path = "", .text = text,
	};
}

/* text repeated 12 times: a chunk too big for the room of any test. */
static const char *long_text(const char *text, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < 12; i++)
		strncat(buf, text, size - strlen(buf) - 1);
	return buf;
}

/* Block 1 packed; blocks 2 and 3 summarized, room tokens of the budget
 * left over. */
static void overflow_pack(struct pack_result *pack, int room)
{
	static char refunds[4096], agent[4096];
	struct pack_item items[] = { item(1, "a.md", short_text), item(2, "b.md", long_text(refund, refunds, sizeof refunds)),
	                             item(3, "c.md", long_text(ports, agent, sizeof agent)) };
	struct pack_result first;
	pack_chunks(items, 1, 3000, &first);
	pack_chunks_summarizing(items, 3, first.total_tokens + room, pack);
	pack_result_free(&first);
	assert_int_equal(pack->n_packed, 1);
	assert_int_equal(pack->n_blocks, 3);
}

/* The room is what the packed blocks and the label leave; the call may
 * write no more than that, nor more than the blocks cost whole. */
static void the_room_is_what_the_budget_leaves(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 200);
	char *label = pack_summary_label(&pack);
	int room = summarize_text_room(&pack);
	assert_int_equal(room, 200 - tokens_estimate_str(label));
	assert_int_equal(summarize_max_tokens(&pack), room);
	pack.budget += 100000;
	assert_int_equal(summarize_max_tokens(&pack), pack.blocks[1].tokens + pack.blocks[2].tokens);
	free(label);
	pack_result_free(&pack);
}

/* An introduction, a statement citing only the packed block and one with
 * no label are left out; the labelled ones stay, in order, one per line,
 * and their tokens join the pack's total. */
static void only_statements_labelled_with_a_summarized_block_are_kept(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 200);
	int before = pack.total_tokens;
	const char reply[] = "Here is a summary of the blocks:\n"
	                     "- Refunds are possible within 14 days [2].\n"
	                     "- Driftwood Sync syncs files [1].\n"
	                     "- The agent uses port 7443 and port 21070 [3].\n"
	                     "Everything else is unknown to the documents.";
	char err[256];
	assert_int_equal(summarize_accept(&pack, reply, strlen(reply), err, sizeof err), 0);
	assert_string_equal(pack.summary, "Refunds are possible within 14 days [2].\n"
	                                  "The agent uses port 7443 and port 21070 [3].");
	char *label = pack_summary_label(&pack);
	assert_int_equal(pack.summary_tokens, tokens_estimate_str(label) + tokens_estimate_str(pack.summary));
	free(label);
	assert_int_equal(pack.total_tokens, before + pack.summary_tokens);
	assert_true(pack.total_tokens <= pack.budget);
	assert_false(pack.summary_trimmed);
	pack_result_free(&pack);
}

/* Escape sequences and bidirectional controls never reach the text kept. */
static void the_reply_is_sanitized_before_it_is_kept(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 200);
	const char reply[] = "Refunds \x1b]52;c;cm0gLXJmIH4=\x07within \x1b[31m14 days\xe2\x80\xae [2].";
	char err[256];
	assert_int_equal(summarize_accept(&pack, reply, strlen(reply), err, sizeof err), 0);
	assert_null(strchr(pack.summary, '\x1b'));
	assert_null(strchr(pack.summary, '\x07'));
	assert_null(strstr(pack.summary, "\xe2\x80\xae"));
	assert_non_null(strstr(pack.summary, "[2]"));
	pack_result_free(&pack);
}

/* A reply longer than the room keeps the statements that fit and says it
 * was trimmed; the total stays within the budget. */
static void a_reply_over_the_room_is_trimmed_to_whole_statements(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 40);
	struct strbuf reply = STRBUF_INIT;
	for (int i = 0; i < 20; i++)
		sb_printf(&reply, "Statement %d says refunds take 14 days [2].\n", i);
	char err[256];
	assert_int_equal(summarize_accept(&pack, reply.buf, reply.len, err, sizeof err), 0);
	assert_true(pack.summary_trimmed);
	assert_non_null(strstr(pack.summary, "Statement 0 says"));
	assert_null(strstr(pack.summary, "Statement 19 says"));
	assert_true(pack.total_tokens <= pack.budget);
	assert_true(summarize_text_room(&pack) >= -pack.summary_tokens);
	sb_free(&reply);
	pack_result_free(&pack);
}

static void unusable_replies_are_refused_with_the_reason(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 60);
	int before = pack.total_tokens;
	char err[256];
	assert_int_equal(summarize_accept(&pack, "  \n\n ", 5, err, sizeof err), -1);
	assert_string_equal(err, "the summarizer's reply was empty");
	const char unlabelled[] = "Refunds take 14 days. The agent uses port 7443 [1].";
	assert_int_equal(summarize_accept(&pack, unlabelled, strlen(unlabelled), err, sizeof err), -1);
	assert_string_equal(err, "no statement of the summary carries the label of a block it condensed ([2] to [3])");
	struct strbuf huge = STRBUF_INIT;
	for (int i = 0; i < 200; i++)
		sb_puts(&huge, "refund ");
	sb_puts(&huge, "[2].");
	assert_int_equal(summarize_accept(&pack, huge.buf, huge.len, err, sizeof err), -1);
	assert_non_null(strstr(err, "the summary's first statement alone is over the"));
	assert_null(pack.summary);
	assert_int_equal(pack.total_tokens, before);
	sb_free(&huge);
	pack_result_free(&pack);
}

static void a_summarized_block_reads_the_statements_that_cite_it(void **state)
{
	(void)state;
	const char summary[] = "Refunds take 14 days [2].\nPort 7443 [3].\nBoth apply to every plan [2][3].";
	char *two = summarize_statements_of(summary, 2);
	assert_string_equal(two, "Refunds take 14 days [2].\nBoth apply to every plan [2][3].");
	char *four = summarize_statements_of(summary, 4);
	assert_string_equal(four, "");
	free(two);
	free(four);
}

static void the_report_line_says_what_happened_and_what_it_cost(void **state)
{
	(void)state;
	struct pack_result pack;
	overflow_pack(&pack, 60);
	struct summary_report r = { 0 };
	summary_report_begin(&r, "gpt-4o-mini", "openai", &pack);
	assert_true(r.attempted);
	assert_int_equal(r.room, summarize_text_room(&pack));
	assert_int_equal(r.n_labels, 2);
	assert_int_equal(r.labels[0], 2);
	assert_int_equal(r.n_chunks, 2);
	assert_int_equal(r.chunk_ids[1], 3);
	struct strbuf line = STRBUF_INIT;
	r.called = true;
	summary_report_describe(&r, &line);
	assert_string_equal(line.buf, "summarizing 2 chunks in blocks [2] [3] with gpt-4o-mini…");
	struct llm_result res = { .usage = { 800, 120, 0 }, .total_us = 412000 };
	summary_report_call(&r, &res);
	struct config *cfg = config_defaults();
	summary_report_price(&r, cfg);
	assert_true(r.cost_known);
	assert_true(r.cost_usd > 0);
	r.used = true;
	r.tokens = 57;
	r.trimmed = true;
	sb_reset(&line);
	summary_report_describe(&r, &line);
	char want[256];
	snprintf(want, sizeof want, "summarized 2 chunks in blocks [2] [3]; by gpt-4o-mini, 57 tokens in the context "
	         "(trimmed to fit); call 800 in / 120 out tokens, 412 ms, $%.6f", r.cost_usd);
	assert_string_equal(line.buf, want);

	summary_report_fail(&r, "the summarize call failed: HTTP 500");
	sb_reset(&line);
	summary_report_describe(&r, &line);
	assert_non_null(strstr(line.buf, "summary by gpt-4o-mini failed: the summarize call failed: HTTP 500; "
	                                 "2 chunks in blocks [2] [3] left out for budget; call 800 in"));
	r.called = false;
	summary_report_fail(&r, "OPENAI_API_KEY is not set");
	sb_reset(&line);
	summary_report_describe(&r, &line);
	assert_string_equal(line.buf, "summary by gpt-4o-mini skipped: OPENAI_API_KEY is not set; "
	                              "2 chunks in blocks [2] [3] left out for budget");
	summary_report_free(&r);
	sb_reset(&line);
	summary_report_describe(&r, &line);
	assert_int_equal(line.len, 0);
	sb_free(&line);
	config_free(&cfg);
	pack_result_free(&pack);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_room_is_what_the_budget_leaves),
		cmocka_unit_test(only_statements_labelled_with_a_summarized_block_are_kept),
		cmocka_unit_test(the_reply_is_sanitized_before_it_is_kept),
		cmocka_unit_test(a_reply_over_the_room_is_trimmed_to_whole_statements),
		cmocka_unit_test(unusable_replies_are_refused_with_the_reason),
		cmocka_unit_test(a_summarized_block_reads_the_statements_that_cite_it),
		cmocka_unit_test(the_report_line_says_what_happened_and_what_it_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
