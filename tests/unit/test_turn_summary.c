/* Turns with retrieval.summarize_over_budget against two loopback fixture
 * servers (the summarizer and the answering model), in the OpenAI chat
 * completions and the Anthropic messages wire formats: over budget the
 * summarize call carries the left-out chunks with their labels and the
 * answer's prompt the summary block; under budget no call is made; a
 * failing, slow, broken, empty or unreachable summarizer leaves the turn
 * answering from its plain packed context with the reason; a citation of
 * a summarized block resolves to its chunk; the two calls' tokens and
 * costs are kept apart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer/turn.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/search/retrieve.h"
#include "core/util/strbuf.h"
#include "core/util/tokens.h"
#include "store/store.h"
#include "tests/integration/fixture_server.h"
#include "tests/integration/fixture_stream.h"
#include "tests/unit/kb_store.h"

#define QUESTION "Which port does the agent listen on for local control?"
#define SUMMARY_PROMPT_TOKENS 900
#define ANSWER_PROMPT_TOKENS 321

/* Five documents that all speak of the agent and its ports, each long
 * enough that a budget holding the best one leaves the others out. */
static const char *const docs[][2] = {
	{ "/kb/control.md", "The agent listens on port 7443 for local control. The desktop app talks to the agent "
	  "on port 7443 through the loopback interface only, so nothing else on the network can reach it. "
	  "If port 7443 is taken the agent refuses to start and logs the process holding the port. "
	  "Change the control port in agent.toml under the control section and restart the agent." },
	{ "/kb/lan.md", "LAN sync uses port 21070 over TCP and UDP between agents on one network. Each agent "
	  "announces itself on port 21070 with a multicast beacon every thirty seconds, and peers fetch "
	  "blocks from each other instead of the cloud. Firewalls must let port 21070 through for LAN sync "
	  "to work; without it the agent downloads every block from the cloud." },
	{ "/kb/proxy.md", "The agent reads the https_proxy variable for its cloud port 443 traffic. A proxy that "
	  "inspects TLS must trust the agent's certificate pins or the agent reports error DW-2014. Set "
	  "no_proxy for the local control port so the desktop app can reach the agent without the proxy "
	  "getting in the way of local traffic on the machine." },
	{ "/kb/firewall.md", "Firewall rules for the agent: allow outbound port 443 to the cloud, allow inbound "
	  "and outbound port 21070 on the local network for LAN sync, and nothing else. The agent never opens "
	  "a port to the internet. Corporate firewalls that block multicast stop peers from finding each "
	  "other, and the agent falls back to the cloud for every block." },
	{ "/kb/upgrade.md", "Upgrading the agent keeps its ports: the control port 7443 and the LAN sync port 21070 "
	  "stay as configured in agent.toml. The upgrade stops the agent, replaces the binary and starts it "
	  "again; the desktop app reconnects to the control port within a few seconds of the restart." },
};

struct fx {
	struct kb_store kb;
	struct retriever *r;
	bool openai;
	struct config *cfg;
	struct fixture_server *summ, *ans;
	struct strbuf summ_body, ans_body;
	char answer[256];           /* what the answering model says */
	int budget;                 /* one that holds the best chunk and leaves room */
	size_t packed;              /* blocks that budget packs */
	struct retrieve_result probe;
	struct turn *turn;
	struct llm_client *client;
};

static int setup_flavour(void **state, bool openai)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[256];
	f->openai = openai;
	if (kb_store_open(&f->kb, "summ", "default") != 0)
		return -1;
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		kb_store_put(&f->kb, f->kb.s, &(struct kb_doc){ .path = docs[i][0], .text = docs[i][1], .line_end = 4,
		                                                .tokens = tokens_estimate_str(docs[i][1]) });
	struct retriever_opts ro = { .collection = "default", .rrf_k = 60, .vector_weight = 1, .fts_weight = 1,
	                             .heading_weight = 1, .archived_weight = 0.5, .oversample = 1, .threads = 1,
	                             .cache_ttl_seconds = 60 };
	if (retriever_open(f->kb.s, f->kb.e, &ro, &f->r, err, sizeof err) != 0)
		return -1;
	f->client = llm_client_new();
	*state = f;
	return 0;
}

static int setup_openai(void **state)
{
	return setup_flavour(state, true);
}

static int setup_anthropic(void **state)
{
	return setup_flavour(state, false);
}

/* Undo start and ask: the turn, the servers, the config. */
static void stop(struct fx *f)
{
	turn_free(&f->turn);
	fixture_stop(&f->summ);
	fixture_stop(&f->ans);
	sb_reset(&f->summ_body);
	sb_reset(&f->ans_body);
	config_free(&f->cfg);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	stop(f);
	llm_client_free(&f->client);
	sb_free(&f->summ_body);
	sb_free(&f->ans_body);
	retrieve_result_free(&f->probe);
	retriever_free(&f->r);
	int rc = kb_store_close(&f->kb);
	free(f);
	return rc;
}

/* f->budget: the best chunk's block and one token less than the smallest
 * of the others, so they are all left out and a summary has room (over
 * 60 tokens); f->probe is the search under it. */
static void find_budget(struct fx *f)
{
	char err[256];
	struct retrieve_query q = { .text = QUESTION, .k = 5, .max_context_tokens = 100000 };
	struct retrieve_result whole;
	assert_int_equal(retriever_search(f->r, &q, &whole, err, sizeof err), 0);
	assert_int_equal(whole.n_hits, 5);
	int smallest = whole.pack.blocks[1].tokens;
	for (size_t b = 2; b < whole.pack.n_blocks; b++)
		if (whole.pack.blocks[b].tokens < smallest)
			smallest = whole.pack.blocks[b].tokens;
	assert_true(smallest > 60);
	f->budget = whole.pack.blocks[0].tokens + smallest - 1;
	retrieve_result_free(&whole);
	q.max_context_tokens = f->budget;
	assert_int_equal(retriever_search(f->r, &q, &f->probe, err, sizeof err), 0);
	f->packed = f->probe.pack.n_blocks;
	assert_int_equal(f->packed, 1);
	assert_int_equal(f->probe.pack.n_dropped, 4);
}

/* The summarizer's script: a reply of text (NULL: an empty one), or a
 * fault of fixture_stream, or an HTTP status. */
struct summ_script {
	const char *text;
	const char *fault;
	int status;
	unsigned head_delay_ms;
};

static struct fixture_response stream_reply(struct strbuf *body, bool openai, const char *text, const char *fault,
                                            long prompt_tokens)
{
	struct fixture_stream sp = { .openai = openai, .text = text, .fault = fault, .prompt_tokens = prompt_tokens,
	                             .tokens = text ? fixture_count_words(text) : 0 };
	fixture_stream_body(body, &sp);
	return (struct fixture_response){ .content_type = "text/event-stream", .framing = FIXTURE_CHUNKED,
	                                  .body = body->buf, .split_events = 1, .reset_after = -1 };
}

/* Start both servers and load the config naming them; summ_url NULL: the
 * summarizer's own server. */
static void start(struct fx *f, const struct summ_script *sc, const char *summ_url, const char *summ_key_env)
{
	struct fixture_response summ = stream_reply(&f->summ_body, f->openai, sc->text, sc->fault ? sc->fault : "",
	                                            SUMMARY_PROMPT_TOKENS);
	summ.head_delay_ms = sc->head_delay_ms;
	if (sc->status)
		summ = (struct fixture_response){ .status = sc->status, .content_type = "application/json",
		                                  .body = "{\"error\":{\"message\":\"summarizer overloaded\",\"type\":\"server_error\"}}",
		                                  .reset_after = -1 };
	f->summ = fixture_start(&summ, 1);
	struct fixture_response ans = stream_reply(&f->ans_body, f->openai, f->answer, "", ANSWER_PROMPT_TOKENS);
	f->ans = fixture_start(&ans, 1);
	const char *kind = f->openai ? "openai" : "anthropic";
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
	         "routing:\n  default_model: ans-model\n  fallback_model: ans-model\n"
	         "providers:\n  summ:\n    kind: %s\n    base_url: \"%s\"\n%s%s%s"
	         "  ans:\n    kind: %s\n    base_url: \"%s\"\n"
	         "models:\n  - {match: \"summ-*\", provider: summ}\n  - {match: \"ans-*\", provider: ans}\n"
	         "pricing:\n  summ-small: {input_per_mtok: 1, output_per_mtok: 2}\n"
	         "  ans-model: {input_per_mtok: 10, output_per_mtok: 20}\n"
	         "http: {max_retries: 0, first_byte_timeout_ms: 300}\n"
	         "retrieval:\n  summarize_over_budget: summ-small\n",
	         kind, summ_url ? summ_url : fixture_url(f->summ), summ_key_env ? "    api_key_env: " : "",
	         summ_key_env ? summ_key_env : "", summ_key_env ? "\n" : "", kind, fixture_url(f->ans));
	struct config_diags d = { 0 };
	int rc = config_load_string("t.yaml", yaml, strlen(yaml), &f->cfg, &d);
	if (rc != 0)
		fprintf(stderr, "%s", config_diags_format(&d));
	assert_int_equal(rc, 0);
	config_diags_free(&d);
	f->cfg->routing.retrieval.max_context_tokens = f->budget;
}

/* Ask QUESTION and run the turn to its end. */
static const struct turn_record *ask(struct fx *f)
{
	char err[256];
	struct turn_env env = { .cfg = f->cfg, .retriever = f->r, .client = f->client };
	struct turn_opts opts = { .model = "ans-model" };
	struct turn_callbacks cbs = { 0 };
	assert_int_equal(turn_start(&env, QUESTION, &opts, &cbs, &f->turn, err, sizeof err), 0);
	assert_int_equal(llm_client_run(f->client, err, sizeof err), 0);
	assert_true(turn_done(f->turn));
	return turn_record(f->turn);
}

/* The packed block's document is not in the summarize request; every
 * left-out chunk is, fenced and labelled with its block number. */
static void assert_summarize_request(struct fx *f, const struct turn_record *r)
{
	assert_int_equal(fixture_request_count(f->summ), 1);
	const char *body = fixture_request(f->summ, 0)->body;
	char want[256];
	for (size_t i = 0; i < f->probe.n_hits; i++) {
		const struct retrieve_hit *h = &f->probe.hits[i];
		bool left_out = !h->packed;
		snprintf(want, sizeof want, "%s:1-4", h->path);
		assert_true((strstr(body, want) != NULL) == left_out);
	}
	for (size_t b = r->retrieval.pack.n_packed; b < r->retrieval.pack.n_blocks; b++) {
		const struct pack_block *pb = &r->retrieval.pack.blocks[b];
		snprintf(want, sizeof want, " [%d]>>>\\n[%d] %s:1-4", pb->number, pb->number, pb->path);
		assert_non_null(strstr(body, want));
	}
	assert_non_null(strstr(body, "End every statement with the label of each block it comes from"));
	assert_non_null(strstr(body, "\"summ-small\""));
}

/* Over budget: the summarize call carries the left-out chunks with their
 * labels; the answer's prompt carries the summary block (and not the
 * chunks); the citation of block 3 in the answer resolves to its chunk and
 * is supported by the chunk's own text; tokens and costs stay apart. */
static void over_budget_the_left_out_chunks_are_summarized_with_their_labels(void **state)
{
	struct fx *f = *state;
	find_budget(f);
	/* Block numbers follow the rank (one hit per document): lan.md's is
	 * its rank, one of the summarized 2..5. */
	int lan = 0;
	for (size_t i = 0; i < f->probe.n_hits; i++)
		if (strcmp(f->probe.hits[i].path, "/kb/lan.md") == 0)
			lan = (int)i;
	assert_true(lan > 0);
	const char *packed_path = f->probe.hits[0].path;
	snprintf(f->answer, sizeof f->answer, "The agent listens on port 7443 for local control [1]. LAN sync uses "
	         "port 21070 over TCP and UDP between agents [%d].", lan + 1);
	/* Two labelled statements between an introduction and a closing line. */
	char summary[512];
	snprintf(summary, sizeof summary, "Here is the summary. LAN sync uses port 21070 over TCP and UDP [%d]. "
	         "The proxy is read from https_proxy [%d]. Nothing else matters.", lan + 1, lan + 1 == 2 ? 3 : 2);
	struct summ_script sc = { .text = summary };
	start(f, &sc, NULL, NULL);
	const struct turn_record *r = ask(f);

	assert_int_equal(r->decision.path, ROUTER_RETRIEVAL);
	assert_int_equal(r->outcome, LLM_OUTCOME_OK);
	assert_string_equal(r->answer, f->answer);
	assert_summarize_request(f, r);
	const struct summary_report *s = &r->summary;
	assert_true(s->attempted && s->called && s->used);
	assert_null(s->error);
	assert_string_equal(s->model, "summ-small");
	assert_string_equal(s->provider, "summ");
	/* Blocks 2 to 5 were sent; the two the kept statements cite stay
	 * summarized, the others are plainly left out again. */
	int other = lan + 1 == 2 ? 3 : 2;
	int lo = lan + 1 < other ? lan + 1 : other, hi = lan + 1 < other ? other : lan + 1;
	assert_int_equal(s->n_labels, 2);
	assert_int_equal(s->n_chunks, 2);
	assert_int_equal(s->labels[0], lo);
	assert_int_equal(s->labels[1], hi);
	assert_non_null(strstr(s->text, "LAN sync uses port 21070 over TCP and UDP"));
	assert_null(strstr(s->text, "Here is the summary"));
	assert_null(strstr(s->text, "Nothing else matters"));

	/* The answer's prompt: the packed block whole, the summary, no left-out text. */
	assert_int_equal(fixture_request_count(f->ans), 1);
	const char *body = fixture_request(f->ans, 0)->body;
	char label[80];
	snprintf(label, sizeof label, "[summary] of blocks [%d] [%d]: condensed, not quoted", lo, hi);
	assert_non_null(strstr(body, label));
	assert_non_null(strstr(body, packed_path));
	assert_null(strstr(body, "multicast beacon every thirty seconds"));
	assert_null(strstr(body, "Firewalls must let port 21070 through"));

	/* The citation of the summarized block resolves to its chunk and its text. */
	const struct pack_result *pack = &r->retrieval.pack;
	assert_int_equal(pack->n_packed, 1);
	assert_int_equal(pack->n_blocks, 3);
	const struct pack_block *cited = NULL;
	for (size_t b = 0; b < pack->n_blocks; b++)
		if (pack->blocks[b].number == lan + 1)
			cited = &pack->blocks[b];
	assert_non_null(cited);
	assert_int_equal(cited->number, lan + 1);
	assert_true(cited->summarized);
	assert_int_equal(cited->chunk_ids[0], f->probe.hits[lan].chunk_id);
	assert_string_equal(cited->path, "/kb/lan.md");
	assert_true(r->retrieval.hits[lan].summarized);
	assert_false(r->retrieval.hits[lan].packed);
	for (size_t i = 1; i < r->retrieval.n_hits; i++)   /* only the cited blocks' hits */
		assert_int_equal(r->retrieval.hits[i].summarized, (int)i + 1 == lo || (int)i + 1 == hi);
	bool found = false;
	for (size_t i = 0; i < r->support.n; i++) {
		const struct support_sentence *ss = &r->support.sentences[i];
		if (!strstr(ss->text, "LAN sync"))
			continue;
		found = true;
		assert_int_equal(ss->n_cited, 1);
		assert_int_equal(ss->cited[0], lan + 1);
		assert_int_equal(ss->basis, SUPPORT_CITED);
	}
	assert_true(found);
	assert_true(r->metrics.has_grounding);

	/* Tokens and costs: each call its own. */
	assert_int_equal(r->usage.input_tokens, ANSWER_PROMPT_TOKENS);
	assert_int_equal(s->usage.input_tokens, SUMMARY_PROMPT_TOKENS);
	assert_int_equal(s->usage.output_tokens, fixture_count_words(summary));
	assert_true(s->cost_known);
	double summ_cost = (SUMMARY_PROMPT_TOKENS * 1.0 + fixture_count_words(summary) * 2.0) / 1e6;
	double ans_cost = (ANSWER_PROMPT_TOKENS * 10.0 + (double)r->usage.output_tokens * 20.0) / 1e6;
	assert_true(s->cost_usd > summ_cost - 1e-12 && s->cost_usd < summ_cost + 1e-12);
	assert_true(r->metrics.answer_cost_usd > ans_cost - 1e-12 && r->metrics.answer_cost_usd < ans_cost + 1e-12);
	assert_true(r->metrics.summary_cost_usd > summ_cost - 1e-12);
	assert_true(r->metrics.cost_usd > summ_cost + ans_cost - 1e-12 && r->metrics.cost_usd < summ_cost + ans_cost + 1e-12);
	assert_true(r->metrics.summarize_called && r->metrics.summarized);
	assert_int_equal(r->metrics.summary_tokens_in, SUMMARY_PROMPT_TOKENS);
	assert_true(r->prompt.has_summary);
	assert_int_equal(r->prompt.context_tokens, pack->total_tokens);
	assert_true(pack->total_tokens <= f->budget);
}

/* Under budget nothing is left out: no summarize call. */
static void under_budget_no_call_is_made(void **state)
{
	struct fx *f = *state;
	f->budget = 100000;
	strcpy(f->answer, "The agent listens on port 7443 [1].");
	struct summ_script sc = { .text = "Never asked for [2]." };
	start(f, &sc, NULL, NULL);
	const struct turn_record *r = ask(f);
	assert_int_equal(r->outcome, LLM_OUTCOME_OK);
	assert_int_equal(fixture_request_count(f->summ), 0);
	assert_int_equal(fixture_request_count(f->ans), 1);
	assert_false(r->summary.attempted);
	assert_int_equal(r->retrieval.pack.n_blocks, r->retrieval.pack.n_packed);
	assert_null(strstr(fixture_request(f->ans, 0)->body, "[summary]"));
	assert_false(r->metrics.summarize_called);
	assert_true(r->metrics.summary_cost_usd == 0);
}

/* A turn whose summary failed answers from the plain packed context, and
 * the report says why. */
static void assert_plain_context(struct fx *f, const struct turn_record *r, bool called, const char *why)
{
	assert_int_equal(r->outcome, LLM_OUTCOME_OK);
	assert_string_equal(r->answer, f->answer);
	assert_true(r->summary.attempted);
	assert_int_equal(r->summary.called, called);
	assert_false(r->summary.used);
	assert_non_null(r->summary.error);
	if (!strstr(r->summary.error, why))
		fail_msg("summary error \"%s\" lacks \"%s\"", r->summary.error, why);
	const struct pack_result *pack = &r->retrieval.pack;
	assert_int_equal(pack->n_blocks, f->packed);
	assert_int_equal(pack->n_packed, f->packed);
	assert_null(pack->summary);
	for (size_t i = 0; i < r->retrieval.n_hits; i++)
		assert_false(r->retrieval.hits[i].summarized);
	assert_int_equal(fixture_request_count(f->ans), 1);
	const char *body = fixture_request(f->ans, 0)->body;
	assert_null(strstr(body, "[summary]"));
	assert_false(r->prompt.has_summary);
	assert_false(r->metrics.summarized);
	assert_int_equal(r->metrics.summarize_called, called);
}

static void failed_summaries_leave_the_plain_context_and_say_why(void **state)
{
	struct fx *f = *state;
	static const struct {
		struct summ_script sc;
		const char *why;
	} cases[] = {
		{ { .status = 500 }, "HTTP 500" },
		{ { .text = "Late [2].", .head_delay_ms = 2000 }, "first-byte timeout" },
		{ { .text = "Refunds take fourteen days for every plan and more words [2].", .fault = "malformed" },
		  "the call broke off: malformed JSON in the event stream" },
		{ { .text = NULL }, "the summarizer's reply was empty" },
		{ { .text = "A summary without any label at all." }, "no statement of the summary carries the label" },
	};
	find_budget(f);
	strcpy(f->answer, "The agent listens on port 7443 for local control [1].");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		start(f, &cases[i].sc, NULL, NULL);
		const struct turn_record *r = ask(f);
		assert_plain_context(f, r, true, cases[i].why);
		assert_int_equal(fixture_request_count(f->summ), 1);
		stop(f);
	}
}

/* No server at the summarizer's address, or no key for it: the turn still
 * answers. */
static void an_unreachable_or_keyless_summarizer_is_skipped(void **state)
{
	struct fx *f = *state;
	find_budget(f);
	strcpy(f->answer, "The agent listens on port 7443 for local control [1].");
	struct summ_script sc = { .text = "Unused [2]." };
	start(f, &sc, "http://127.0.0.1:9", NULL);
	assert_plain_context(f, ask(f), true, "cannot connect to http://127.0.0.1:9");
	stop(f);
	unsetenv("RAGDECK_TEST_SUMM_KEY");
	start(f, &sc, NULL, "RAGDECK_TEST_SUMM_KEY");
	assert_plain_context(f, ask(f), false, "RAGDECK_TEST_SUMM_KEY is not set");
	assert_int_equal(fixture_request_count(f->summ), 0);
}

/* Cancelling while the summary runs ends the turn: no answer is asked. */
static void cancelling_during_the_summary_ends_the_turn(void **state)
{
	struct fx *f = *state;
	char err[256];
	find_budget(f);
	strcpy(f->answer, "Never sent [1].");
	struct summ_script sc = { .text = "Slow [2].", .head_delay_ms = 2000 };
	start(f, &sc, NULL, NULL);
	f->cfg->http.first_byte_timeout_ms = 10000;
	struct turn_env env = { .cfg = f->cfg, .retriever = f->r, .client = f->client };
	struct turn_opts opts = { .model = "ans-model" };
	struct turn_callbacks cbs = { 0 };
	assert_int_equal(turn_start(&env, QUESTION, &opts, &cbs, &f->turn, err, sizeof err), 0);
	assert_true(turn_summarizing(f->turn));
	turn_cancel(f->turn);
	assert_int_equal(llm_client_run(f->client, err, sizeof err), 0);
	assert_true(turn_done(f->turn));
	const struct turn_record *r = turn_record(f->turn);
	assert_int_equal(r->outcome, LLM_OUTCOME_CANCELLED);
	assert_false(turn_summarizing(f->turn));
	assert_int_equal(fixture_request_count(f->ans), 0);
	assert_string_equal(r->summary.error, "cancelled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(over_budget_the_left_out_chunks_are_summarized_with_their_labels,
		                                setup_openai, teardown),
		cmocka_unit_test_setup_teardown(over_budget_the_left_out_chunks_are_summarized_with_their_labels,
		                                setup_anthropic, teardown),
		cmocka_unit_test_setup_teardown(under_budget_no_call_is_made, setup_openai, teardown),
		cmocka_unit_test_setup_teardown(under_budget_no_call_is_made, setup_anthropic, teardown),
		cmocka_unit_test_setup_teardown(failed_summaries_leave_the_plain_context_and_say_why, setup_openai,
		                                teardown),
		cmocka_unit_test_setup_teardown(failed_summaries_leave_the_plain_context_and_say_why, setup_anthropic,
		                                teardown),
		cmocka_unit_test_setup_teardown(an_unreachable_or_keyless_summarizer_is_skipped, setup_openai, teardown),
		cmocka_unit_test_setup_teardown(an_unreachable_or_keyless_summarizer_is_skipped, setup_anthropic,
		                                teardown),
		cmocka_unit_test_setup_teardown(cancelling_during_the_summary_ends_the_turn, setup_openai, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
