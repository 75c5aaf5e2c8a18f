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

static void a_short_paragraph_is_quoted_whole_with_its_block(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Which port does the agent listen on?", kb, 3, &out), 1);
	assert_string_equal(sb_str(&out), "Run the installer with sudo. The agent listens on port 7443 by default. [1]");
	sb_free(&out);
}

static void passages_from_two_blocks_each_add_terms_and_cite_their_block(void **state)
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
	assert_string_equal(sb_str(&out), "Backups run every night at 02:00. Each backup is kept for 30 days. [4]\n\n"
	                                  "Restoring a backup needs the admin role. Restores take about ten minutes. [9]");
	sb_free(&out);
}

static void unrelated_question_gets_the_no_answer_line_and_the_closest_documents(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("What is the capital of France?", kb, 3, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER " The closest documents: guides/install.md [1]; "
	                                  "notes/proxy.md [2]; billing.md [3].");
	assert_int_equal(answer("", kb, 3, &out), 0);
	assert_true(strncmp(sb_str(&out), LLM_LOCAL_NO_ANSWER, strlen(LLM_LOCAL_NO_ANSWER)) == 0);
	assert_int_equal(answer("Which port?", kb, 0, &out), 0);
	assert_string_equal(sb_str(&out), LLM_LOCAL_NO_ANSWER);
	sb_free(&out);
}

static void one_shared_word_is_not_an_answer(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	/* only "agent" is shared with the context */
	assert_int_equal(answer("Does the agent support kerberos single sign-on?", kb, 3, &out), 0);
	assert_true(strncmp(sb_str(&out), LLM_LOCAL_NO_ANSWER, strlen(LLM_LOCAL_NO_ANSWER)) == 0);
	sb_free(&out);
}

static void a_how_to_question_gets_the_steps_and_commands(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 1, .path = "install/cli.md", .heading_path = "CLI > Linux",
		  .text = "## Linux\n\nThe CLI ships as a package for Debian and Fedora.\n\nTo install it:\n\n"
		          "```bash\nsudo apt install dwsync\ndwsync login\n```\n\n"
		          "## Uninstall\n\n1. Quit the app.\n2. Run `dwsync uninstall`.\n" },
	};
	struct strbuf out = STRBUF_INIT;
	assert_true(answer("how do I install the cli on linux, show me the commands", b, 1, &out) >= 1);
	assert_true(strncmp(sb_str(&out), "To install it:\n\n```bash\nsudo apt install dwsync\ndwsync login\n```\n[1]",
	                    58) == 0);
	assert_true(answer("how do I uninstall the app", b, 1, &out) >= 1);
	assert_true(strncmp(sb_str(&out), "1. Quit the app.\n2. Run `dwsync uninstall`. [1]", 47) == 0);
	sb_free(&out);
}

static void an_archived_block_answers_only_when_no_current_one_can(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 1, .path = "policies/archive/refunds-2024.md", .archived = true,
		  .text = "Refunds are paid within 30 days of the refund request." },
		{ .number = 2, .path = "policies/refunds.md",
		  .text = "Refunds are paid within 14 days of the refund request." },
	};
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("How many days until refunds are paid?", b, 2, &out), 1);
	assert_string_equal(sb_str(&out), "Refunds are paid within 14 days of the refund request. [2]");
	assert_int_equal(answer("How many days until refunds are paid?", b, 1, &out), 1);
	assert_string_equal(sb_str(&out), "Refunds are paid within 30 days of the refund request. [1]");
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

static const struct llm_context_block seats[] = {
	{ .number = 1, .path = "billing/seats.md", .line_start = 1, .line_end = 9,
	  .text = "# Seats\n\nSeats are billed monthly per active user.\n\n"
		  "| Plan | Minimum seats | Support |\n|------|---------------|---------|\n| Team | 3 | Email |\n"
		  "| Business | 5 | Phone |\n| Enterprise | 50 (contract) | CSM |\n\nAdd seats in the console.\n" },
	{ .number = 2, .path = "billing/features.md", .line_start = 1, .line_end = 6,
	  .text = "| Feature | Team | Business | Enterprise |\n|--|--|--|--|\n| SSO | \u2013 | \u2713 | \u2713 |\n"
		  "| SCIM | \u2013 | \u2013 | \u2713 |\n" },
};

static void a_table_row_is_one_statement_with_its_header(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_true(answer("What is the minimum number of seats on the Business plan?", seats, 1, &out) >= 1);
	assert_non_null(strstr(sb_str(&out), "Plan: Business; Minimum seats: 5; Support: Phone. [1]"));
	assert_null(strchr(sb_str(&out), '|'));
	sb_free(&out);
}

static void a_table_asked_for_is_projected_on_the_columns_named(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Show the minimum seats for each plan as a table.", seats, 1, &out), 1);
	assert_string_equal(sb_str(&out), "| Plan | Minimum seats | Support |\n|------|---------------|---------|\n"
	                                  "| Team | 3 | Email |\n| Business | 5 | Phone |\n| Enterprise | 50 (contract) | CSM |");
	assert_int_equal(answer("Write a markdown table with columns Plan and Minimum seats for Business and "
	                        "Enterprise.", seats, 1, &out), 1);
	assert_string_equal(sb_str(&out), "| Plan | Minimum seats |\n|---|---|\n| Business | 5 |\n| Enterprise | 50 (contract) |\n");
	/* one thing per column: the row labels are what the columns name */
	assert_int_equal(answer("Make a table with columns Plan and SSO of the plans that have SSO.", seats, 2, &out), 1);
	assert_string_equal(sb_str(&out), "| Plan | SSO |\n|---|---|\n| Team | \u2013 |\n| Business | \u2713 |\n"
	                                  "| Enterprise | \u2713 |\n");
	sb_free(&out);
}

static void json_keys_are_filled_from_rows_and_sentences(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Return JSON with integer keys team_seats and business_seats and keys sso_plans "
	                        "(array) and scim_plans (array) for the minimum seats and the plans with SSO and SCIM.",
	                        seats, 2, &out), 1);
	assert_string_equal(sb_str(&out), "{\n\t\"team_seats\":\t3,\n\t\"business_seats\":\t5,\n"
	                                  "\t\"sso_plans\":\t[\"Business\", \"Enterprise\"],\n"
	                                  "\t\"scim_plans\":\t[\"Enterprise\"]\n}");
	sb_free(&out);
}

static void only_a_value_when_only_a_value_is_asked_for(void **state)
{
	(void)state;
	static const struct llm_context_block b[] = {
		{ .number = 1, .path = "errors.md",
		  .text = "If the control port is taken, the agent stops with DW-3003. Pause syncing with "
		          "`dwsync pause --for 2h` or resume with `dwsync resume`." },
		{ .number = 2, .path = "faq.md", .text = "Is there a mobile app? Not currently; use the web app." },
	};
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(answer("Which error code means the control port is taken? Reply with only the code.", b, 2, &out), 1);
	assert_string_equal(sb_str(&out), "DW-3003");
	assert_int_equal(answer("Reply with exactly one line: the dwsync command that pauses syncing.", b, 2, &out), 1);
	assert_string_equal(sb_str(&out), "dwsync pause --for 2h");
	assert_int_equal(answer("Is there a mobile app? Answer with only YES or NO.", b, 2, &out), 1);
	assert_string_equal(sb_str(&out), "NO");
	sb_free(&out);
}

struct collect {
	struct strbuf text;
	int pieces;
	int done;
	struct llm_result res;
	char error[128];
};

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
	assert_string_equal(sb_str(&c.text), "Run");
	assert_null(llm_stream_result(s));
	assert_int_equal(llm_client_run(cl, err, sizeof(err)), 0);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.pieces, 14);
	assert_string_equal(sb_str(&c.text), "Run the installer with sudo. The agent listens on port 7443 by default. [1]");
	const struct llm_result *r = llm_stream_result(s);
	assert_non_null(r);
	assert_int_equal(r->outcome, LLM_OUTCOME_OK);
	assert_string_equal(r->text, "Run the installer with sudo. The agent listens on port 7443 by default. [1]");
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
	assert_string_equal(r->text, "Run the");
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
		cmocka_unit_test(a_short_paragraph_is_quoted_whole_with_its_block),
		cmocka_unit_test(passages_from_two_blocks_each_add_terms_and_cite_their_block),
		cmocka_unit_test(unrelated_question_gets_the_no_answer_line_and_the_closest_documents),
		cmocka_unit_test(one_shared_word_is_not_an_answer),
		cmocka_unit_test(a_how_to_question_gets_the_steps_and_commands),
		cmocka_unit_test(an_archived_block_answers_only_when_no_current_one_can),
		cmocka_unit_test(same_input_gives_same_answer),
		cmocka_unit_test(a_table_row_is_one_statement_with_its_header),
		cmocka_unit_test(a_table_asked_for_is_projected_on_the_columns_named),
		cmocka_unit_test(json_keys_are_filled_from_rows_and_sentences),
		cmocka_unit_test(only_a_value_when_only_a_value_is_asked_for),
		cmocka_unit_test(streams_word_pieces_through_the_client),
		cmocka_unit_test(cancel_keeps_the_pieces_already_delivered),
		cmocka_unit_test(kind_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
