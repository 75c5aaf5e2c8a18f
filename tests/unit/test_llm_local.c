/* Unit tests for core/llm/local: the offline extractive answerer, alone and
 * streamed through the llm client like any other provider. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/llm/llm.h"
#include "core/llm/local.h"
#include "core/util/strbuf.h"

static const struct llm_context_block kb[] = {
	{ .number = 1, .path = "guides/install.md", .line_start = 1, .line_end = 9,
	  .text = "# Install\n\nRun the installer with sudo. The agent listens on port 7443 "
		  "by default.\n\n## Windows\n\nDouble-click the MSI package to install the "
		  "agent on Windows.\n" },
	{ .number = 2, .path = "notes/proxy.md", .line_start = 3, .line_end = 8,
	  .text = "Set the https_proxy variable to route traffic through a proxy.\r\n"
		  "The agent honours no_proxy for local hosts.\r\n```\r\n"
		  "export https_proxy=http://proxy:3128\r\n```\r\n" },
	{ .number = 3, .path = "billing.md", .line_start = 1, .line_end = 2,
	  .text = "Invoices are sent monthly. Receipts are available in the billing portal." },
};

static size_t answer(const char *q, const struct llm_context_block *b, size_t n, struct strbuf *out)
{
	sb_reset(out);
	return llm_local_answer(q, b, n, out);
}

static void best_sentence_is_cited_with_its_block(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Which port does the agent listen on?", kb, 3, &out), 1);
	assert_string_equal(sb_str(&out), "The agent listens on port 7443 by default. [1]");
	assert_int_equal(answer("How do I set a proxy for the agent?", kb, 3, &out), 1);
	assert_string_equal(sb_str(&out),
			    "Set the https_proxy variable to route traffic through a proxy. [2]");
	sb_free(&out);
}

static void sentences_from_two_blocks_cite_each_block_number(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 4, .path = "ops/backup.md", .line_start = 10, .line_end = 11,
		  .text = "Backups run every night at 02:00. Each backup is kept for 30 days." },
		{ .number = 9, .path = "ops/restore.md", .line_start = 1, .line_end = 2,
		  .text = "Restoring a backup needs the admin role. Restores take about ten minutes." },
	};
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("How long is a backup kept and who can restore a backup?", b, 2, &out), 2);
	assert_string_equal(sb_str(&out), "Each backup is kept for 30 days. [4] "
			    "Restoring a backup needs the admin role. [9]");
	sb_free(&out);
}

static void unrelated_question_gets_the_no_answer_line(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("What is the capital of France?", kb, 3, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER);
	assert_int_equal(answer("", kb, 3, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER);
	assert_int_equal(answer("Which port?", kb, 0, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER);
	sb_free(&out);
}

static void weak_overlap_under_threshold_gets_no_answer(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	/* only "agent" is shared, and it is in three of seven sentences */
	assert_int_equal(answer("Does the agent support kerberos single sign-on?", kb, 3, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER);
	sb_free(&out);
}

static void headings_and_code_fences_are_not_quoted(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("export https_proxy", kb, 3, &out), 1);
	assert_string_equal(sb_str(&out),
			    "Set the https_proxy variable to route traffic through a proxy. [2]");
	assert_int_equal(answer("windows install", kb, 3, &out), 1);
	assert_string_equal(sb_str(&out),
			    "Double-click the MSI package to install the agent on Windows. [1]");
	sb_free(&out);
}

static void duplicate_sentences_are_cited_once(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 1, .path = "a.md", .text = "The cache size defaults to 64 MiB." },
		{ .number = 2, .path = "b.md", .text = "The cache size defaults to 64 MiB." },
	};
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("What is the default cache size?", b, 2, &out), 1);
	assert_string_equal(sb_str(&out), "The cache size defaults to 64 MiB. [1]");
	sb_free(&out);
}

static void at_most_five_sentences_in_document_order(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 7, .path = "t.md",
		  .text = "- Timeouts apply to connect calls.\n- Timeouts apply to reads of sockets.\n"
			  "- Timeouts apply to writes on pipes.\n- Timeouts apply to idle streams.\n"
			  "- Timeouts apply to total requests.\n- Timeouts apply to retries later.\n"
			  "- Timeouts apply to DNS lookups." },
	};
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Where do timeouts apply?", b, 1, &out), 5);
	assert_string_equal(sb_str(&out),
			    "Timeouts apply to connect calls. [7] Timeouts apply to reads of sockets. [7] "
			    "Timeouts apply to writes on pipes. [7] Timeouts apply to idle streams. [7] "
			    "Timeouts apply to total requests. [7]");
	sb_free(&out);
}

static void same_input_gives_same_answer(void **state)
{
	(void)state;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	const char *q = "How do the agent, the proxy and the billing portal work?";
	size_t na = answer(q, kb, 3, &a);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(answer(q, kb, 3, &b), na);
		assert_string_equal(sb_str(&b), sb_str(&a));
	}
	sb_free(&a);
	sb_free(&b);
}

struct collect {
	struct strbuf text;
	int pieces;
	int done;
	struct llm_result res;
	char error[128];
};

static const struct llm_context_block seats[] = {
	{ .number = 1, .path = "billing/seats.md", .line_start = 1, .line_end = 9,
	  .text = "# Seats\n\nSeats are billed monthly per active user.\n\n"
		  "| Plan | Minimum seats |\n|------|---------------|\n| Team | 3 |\n"
		  "| Business | 5 |\n| Enterprise | 50 (contract) |\n\nAdd seats in the console.\n" },
};

static void a_table_row_is_one_statement_with_its_header(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_true(answer("What is the minimum number of seats on the Business plan?", seats, 1, &out) >= 1);
	assert_non_null(strstr(sb_str(&out), "Plan: Business; Minimum seats: 5. [1]"));
	assert_null(strchr(sb_str(&out), '|'));
	sb_free(&out);
}

static void a_question_asking_for_a_table_gets_the_whole_table(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_true(answer("Show the minimum seats for each plan as a table.", seats, 1, &out) >= 1);
	assert_non_null(strstr(sb_str(&out), "| Plan | Minimum seats |\n|------|---------------|\n| Team | 3 |\n"
	                                     "| Business | 5 |\n| Enterprise | 50 (contract) |\n\n[1]"));
	assert_null(strstr(sb_str(&out), "Plan: Team"));
	assert_true(answer("Which tables list the minimum seats per plan?", seats, 1, &out) >= 1);
	assert_non_null(strstr(sb_str(&out), "| Enterprise | 50 (contract) |"));
	assert_true(answer("Is a tablespace needed for minimum seats per plan?", seats, 1, &out) >= 1);
	assert_null(strstr(sb_str(&out), "|------|"));
	sb_free(&out);
}

static void on_text(void *ud, const char *t, size_t n)
{
	struct collect *c = ud;
	sb_append(&c->text, t, n);
	c->pieces++;
}

static void on_done(void *ud, const struct llm_result *r)
{
	struct collect *c = ud;
	c->done++;
	c->res = *r;
}

static void streams_word_pieces_through_the_client(void **state)
{
	(void)state;
	struct llm_client *cl = llm_client_new();
	struct collect c = { STRBUF_INIT, 0, 0, { 0 }, "" };
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = &c };
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_LOCAL };
	struct llm_message msg = { LLM_ROLE_USER, "Which port does the agent listen on?" };
	struct llm_request req = { .messages = &msg, .n_messages = 1, .blocks = kb, .n_blocks = 3,
				   .temperature = -1 };
	struct llm_stream *s = NULL;
	char err[256];
	assert_int_equal(llm_stream_start(cl, &cfg, NULL, &req, &cbs, &s, err, sizeof(err)), 0);
	assert_int_equal(llm_client_timeout_ms(cl), 0);
	assert_int_equal(llm_client_perform(cl), 1);
	assert_int_equal(c.pieces, 1);
	assert_string_equal(sb_str(&c.text), "The");
	assert_null(llm_stream_result(s));
	assert_int_equal(llm_client_run(cl, err, sizeof(err)), 0);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.pieces, 9);
	assert_string_equal(sb_str(&c.text), "The agent listens on port 7443 by default. [1]");
	const struct llm_result *r = llm_stream_result(s);
	assert_non_null(r);
	assert_int_equal(r->outcome, LLM_OUTCOME_OK);
	assert_string_equal(r->text, "The agent listens on port 7443 by default. [1]");
	assert_string_equal(r->finish_reason, "stop");
	assert_string_equal(r->provider, "local");
	assert_string_equal(r->model, "extractive");
	assert_string_equal(r->error, "");
	assert_int_equal(r->usage.estimated, 1);
	assert_int_equal(r->usage.output_tokens, (long)((strlen(r->text) + 3) / 4));
	size_t in = strlen(msg.content) + strlen(kb[0].text) + strlen(kb[1].text) + strlen(kb[2].text);
	assert_int_equal(r->usage.input_tokens, (long)((in + 3) / 4));
	assert_int_equal(r->retries, 0);
	assert_int_equal(r->http_status, 0);
	llm_stream_free(&s);
	assert_null(s);
	llm_client_free(&cl);
	sb_free(&c.text);
}

static void cancel_keeps_the_pieces_already_delivered(void **state)
{
	(void)state;
	struct llm_client *cl = llm_client_new();
	struct collect c = { STRBUF_INIT, 0, 0, { 0 }, "" };
	struct llm_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = &c };
	struct llm_provider_cfg cfg = { .kind = LLM_KIND_LOCAL, .name = "offline" };
	struct llm_request req = { .question = "Which port does the agent listen on?",
				   .blocks = kb, .n_blocks = 3, .temperature = -1 };
	struct llm_stream *s = NULL;
	char err[256];
	assert_int_equal(llm_stream_start(cl, &cfg, NULL, &req, &cbs, &s, err, sizeof(err)), 0);
	llm_client_perform(cl);
	llm_client_perform(cl);
	llm_stream_cancel(s);
	assert_int_equal(c.done, 1);
	assert_int_equal(llm_stream_done(s), 1);
	const struct llm_result *r = llm_stream_result(s);
	assert_int_equal(r->outcome, LLM_OUTCOME_CANCELLED);
	assert_string_equal(r->text, "The agent");
	assert_string_equal(r->error, "cancelled");
	assert_string_equal(r->provider, "offline");
	assert_int_equal(llm_client_perform(cl), 0);
	assert_int_equal(c.pieces, 2);
	llm_stream_free(&s);
	llm_client_free(&cl);
	sb_free(&c.text);
}

static void kind_names_round_trip(void **state)
{
	(void)state;
	enum llm_kind k;
	char err[128];
	assert_int_equal(llm_kind_parse("anthropic", &k, err, sizeof(err)), 0);
	assert_int_equal(k, LLM_KIND_ANTHROPIC);
	assert_string_equal(llm_kind_name(LLM_KIND_LOCAL), "local");
	assert_int_equal(llm_kind_parse("gemini", &k, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown provider kind \"gemini\": use openai, anthropic or local");
	assert_string_equal(llm_outcome_name(LLM_OUTCOME_INTERRUPTED), "interrupted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(best_sentence_is_cited_with_its_block),
		cmocka_unit_test(sentences_from_two_blocks_cite_each_block_number),
		cmocka_unit_test(unrelated_question_gets_the_no_answer_line),
		cmocka_unit_test(weak_overlap_under_threshold_gets_no_answer),
		cmocka_unit_test(headings_and_code_fences_are_not_quoted),
		cmocka_unit_test(duplicate_sentences_are_cited_once),
		cmocka_unit_test(at_most_five_sentences_in_document_order),
		cmocka_unit_test(same_input_gives_same_answer),
		cmocka_unit_test(a_table_row_is_one_statement_with_its_header),
		cmocka_unit_test(a_question_asking_for_a_table_gets_the_whole_table),
		cmocka_unit_test(streams_word_pieces_through_the_client),
		cmocka_unit_test(cancel_keeps_the_pieces_already_delivered),
		cmocka_unit_test(kind_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
