/* Unit tests for core/answer/router: a labelled table of questions about the
 * Driftwood Sync sample product (tests/fixtures/router/questions.tsv) routed
 * to the expected path, then prefixes, config rules, disabled paths, the
 * retrieval signals (present, missing, failed, low) and the sentence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config/config.h"
#include "core/answer/router.h"

#define TABLE "../fixtures/router/questions.tsv"

static const char base_yaml[] =
	"routing:\n"
	"  default_model: \"gpt-4o\"\n"
	"  fallback_model: \"claude-sonnet-4-6\"\n"
	"  paths:\n"
	"    retrieval:\n"
	"      enabled: %s\n"
	"    adaptation:\n"
	"      enabled: %s\n"
	"%s"
	"router:\n"
	"  min_retrieval_score: 0.3\n"
	"%s";

static struct config *load(const char *retrieval, const char *adaptation, const char *model_path,
                           const char *rules)
{
	char yaml[2048];
	struct config *c = NULL;
	struct config_diags d = { 0 };
	snprintf(yaml, sizeof(yaml), base_yaml, retrieval, adaptation, model_path, rules);
	if (config_load_string("test.yaml", yaml, strlen(yaml), &c, &d) != 0) {
		char *msg = config_diags_format(&d);
		print_message("%s", msg);
		free(msg);
	}
	config_diags_free(&d);
	assert_non_null(c);
	return c;
}

static const char with_model[] = "      model_path: \"./lora_output/merged_model\"\n";

struct fixture {
	struct config *c;
	struct router *r;
};

static struct fixture make(const char *retrieval, const char *adaptation, const char *model_path,
                           const char *rules)
{
	struct fixture f = { load(retrieval, adaptation, model_path, rules), NULL };
	char err[256];
	assert_int_equal(router_new(f.c, &f.r, err, sizeof(err)), 0);
	return f;
}

static void unmake(struct fixture *f)
{
	router_free(&f->r);
	assert_null(f->r);
	config_free(&f->c);
}

static void print_decision(const struct router_decision *d)
{
	print_message("    facts %.2f, format %.2f, rule %s\n", d->facts_score, d->format_score, d->rule);
	for (size_t i = 0; i < d->n_signals; i++)
		print_message("    %-16s %+.2f  %s\n", d->signals[i].name, d->signals[i].contribution,
		              d->signals[i].evidence);
	print_message("    %s\n", d->sentence);
}

static void labelled_table_routes_every_question_to_its_path(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	FILE *fp = fopen(TABLE, "r");
	assert_non_null(fp);
	char line[1024];
	size_t rows = 0, right = 0, per_path[4] = { 0 };
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		int want = router_path_parse(line);
		assert_true(want >= 0);
		struct router_decision d;
		router_decide(f.r, tab + 1, NULL, &d);
		rows++;
		per_path[want]++;
		if ((int)d.path == want) {
			right++;
		} else {
			print_message("MISROUTED: want %s, got %s: %s\n", line, router_path_name(d.path), tab + 1);
			print_decision(&d);
		}
		router_decision_free(&d);
	}
	fclose(fp);
	print_message("router table: %zu/%zu right (%.1f%%); retrieval %zu, adaptation %zu, hybrid %zu, "
	              "direct %zu rows\n", right, rows, 100.0 * (double)right / (double)rows,
	              per_path[ROUTER_RETRIEVAL], per_path[ROUTER_ADAPTATION], per_path[ROUTER_HYBRID],
	              per_path[ROUTER_DIRECT]);
	for (int p = 0; p < 4; p++)
		assert_true(per_path[p] >= 12);
	assert_int_equal(right, rows);
	unmake(&f);
}

static void decision_names_model_chain_and_rule(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_decision d;
	router_decide(f.r, "Return the fields of error DW-1042 as JSON with keys code, meaning and fix.", NULL, &d);
	assert_int_equal(d.path, ROUTER_HYBRID);
	assert_int_equal(d.wanted, ROUTER_HYBRID);
	assert_string_equal(d.rule, "format+facts");
	assert_string_equal(d.model, "./lora_output/merged_model");
	assert_int_equal(d.n_chain, 4);
	assert_string_equal(d.chain[0], "./lora_output/merged_model");
	assert_string_equal(d.chain[1], "gpt-4o");
	assert_string_equal(d.chain[2], "claude-sonnet-4-6");
	assert_string_equal(d.chain[3], "local");
	assert_false(d.no_grounding);
	assert_string_equal(d.sentence, "Needs facts from the documents (dw-1042, error) and asks for JSON, "
	                    "so it goes to the adapted model with retrieved context.");
	router_decision_free(&d);

	router_decide(f.r, "What is the minimum seat count for an Enterprise contract?", NULL, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_string_equal(d.rule, "facts");
	assert_string_equal(d.model, "gpt-4o");
	assert_int_equal(d.n_chain, 3);
	assert_string_equal(d.chain[0], "gpt-4o");
	router_decision_free(&d);

	router_decide(f.r, "Thanks, that fixed it!", NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_string_equal(d.rule, "greeting");
	assert_string_equal(d.sentence, "A greeting or small talk (\"thanks\"), so gpt-4o answers directly "
	                    "without retrieval.");
	router_decision_free(&d);

	router_decide(f.r, "what is 17*23", NULL, &d);
	assert_string_equal(d.rule, "arithmetic");
	assert_string_equal(d.sentence, "Plain arithmetic (17*23), so gpt-4o answers directly without retrieval.");
	router_decision_free(&d);
	unmake(&f);
}

static void signals_list_name_value_contribution_and_evidence(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_decision d;
	router_decide(f.r, "Is the 30-day money-back guarantee still valid?", NULL, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	const struct router_signal *form = NULL, *domain = NULL, *cur = NULL;
	for (size_t i = 0; i < d.n_signals; i++) {
		if (!strcmp(d.signals[i].name, "question-form"))
			form = &d.signals[i];
		if (!strcmp(d.signals[i].name, "domain-terms"))
			domain = &d.signals[i];
		if (!strcmp(d.signals[i].name, "currency"))
			cur = &d.signals[i];
	}
	assert_non_null(form);
	assert_string_equal(form->evidence, "yes/no question");
	assert_true(form->contribution == 0.5);
	assert_non_null(domain);
	assert_string_equal(domain->evidence, "money-back");
	assert_true(domain->value == 1.0);
	assert_non_null(cur);
	assert_string_equal(cur->evidence, "still");
	assert_true(d.facts_score == 1.5);
	assert_true(d.format_score == 0.0);
	router_decision_free(&d);
	unmake(&f);
}

static void prefixes_override_and_are_stripped(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	static const struct {
		const char *q;
		enum router_path path;
		const char *rule, *rest;
	} cases[] = {
		{ "/rag hi there", ROUTER_RETRIEVAL, "prefix:/rag", "hi there" },
		{ "  /ft   What port does the agent use?", ROUTER_ADAPTATION, "prefix:/ft",
		  "What port does the agent use?" },
		{ "/hybrid hello", ROUTER_HYBRID, "prefix:/hybrid", "hello" },
		{ "/direct Return the current refund policy as JSON.", ROUTER_DIRECT, "prefix:/direct",
		  "Return the current refund policy as JSON." },
		{ "/direct", ROUTER_DIRECT, "prefix:/direct", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct router_decision d;
		router_decide(f.r, cases[i].q, NULL, &d);
		assert_int_equal(d.path, cases[i].path);
		assert_string_equal(d.rule, cases[i].rule);
		assert_string_equal(d.question, cases[i].rest);
		router_decision_free(&d);
	}
	struct router_decision d;
	router_decide(f.r, "/ragged edges in the UI?", NULL, &d);
	assert_string_equal(d.question, "/ragged edges in the UI?");
	assert_string_not_equal(d.rule, "prefix:/rag");
	router_decision_free(&d);
	router_decide(f.r, "/rag hi", NULL, &d);
	assert_string_equal(d.sentence, "The /rag prefix asks for retrieval, so gpt-4o answers from retrieved context.");
	router_decision_free(&d);
	unmake(&f);
}

static void config_rules_come_first_after_prefixes(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model,
	                        "  rules:\n"
	                        "    - pattern: \"^(hi|hello|thanks)([[:space:][:punct:]]|$)\"\n"
	                        "      path: direct\n"
	                        "    - pattern: \"error code [0-9]+\"\n"
	                        "      path: retrieval\n"
	                        "    - pattern: \"haiku\"\n"
	                        "      path: hybrid\n");
	struct router_decision d;
	router_decide(f.r, "HELLO, what does the refund policy say about annual plans?", NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_string_equal(d.rule, "config-rule:1");
	router_decision_free(&d);
	router_decide(f.r, "Show error code 1042 as JSON", NULL, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_string_equal(d.rule, "config-rule:2");
	router_decision_free(&d);
	router_decide(f.r, "Write a Haiku about syncing.", NULL, &d);
	assert_int_equal(d.path, ROUTER_HYBRID);
	assert_string_equal(d.rule, "config-rule:3");
	assert_string_equal(d.sentence, "Config rule 3 (/haiku/) sends it to hybrid, so it goes to the adapted "
	                    "model with retrieved context.");
	router_decision_free(&d);
	router_decide(f.r, "/ft hello", NULL, &d);
	assert_string_equal(d.rule, "prefix:/ft");
	router_decision_free(&d);
	unmake(&f);
}

static void bad_config_rules_are_reported(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	struct router *r = NULL;
	char err[256];
	free(c->router.rules);
	c->router.rules = calloc(1, sizeof(*c->router.rules));
	c->router.rules[0].pattern = strdup("(unclosed");
	c->router.rules[0].path = strdup("direct");
	c->router.n_rules = 1;
	assert_int_equal(router_new(c, &r, err, sizeof(err)), -1);
	assert_null(r);
	assert_non_null(strstr(err, "router.rules[0]: pattern \"(unclosed\" does not compile"));
	free(c->router.rules[0].path);
	c->router.rules[0].path = strdup("search");
	assert_int_equal(router_new(c, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "router.rules[0]: path \"search\" is not retrieval, adaptation, hybrid or direct");
	config_free(&c);
}

static void disabled_paths_are_never_chosen(void **state)
{
	(void)state;
	static const char *const q_hybrid = "Return JSON with the current refund window for monthly plans.";
	static const char *const q_retrieval = "How long is version history kept on the Team plan?";
	static const char *const q_adaptation = "Write a haiku about autumn. Output only the three lines.";
	struct router_decision d;

	struct fixture no_ada = make("true", "false", with_model, "");
	router_decide(no_ada.r, q_hybrid, NULL, &d);
	assert_int_equal(d.wanted, ROUTER_HYBRID);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_string_equal(d.model, "gpt-4o");
	assert_non_null(strstr(d.sentence, ", but adaptation is disabled in config, so gpt-4o answers from "
	                                   "retrieved context."));
	router_decision_free(&d);
	router_decide(no_ada.r, q_adaptation, NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	router_decision_free(&d);
	router_decide(no_ada.r, "/ft hi", NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	router_decision_free(&d);
	unmake(&no_ada);

	struct fixture no_ret = make("false", "true", with_model, "");
	router_decide(no_ret.r, q_hybrid, NULL, &d);
	assert_int_equal(d.path, ROUTER_ADAPTATION);
	assert_non_null(strstr(d.sentence, ", but retrieval is disabled in config, so the adapted model answers "
	                                   "without retrieval."));
	router_decision_free(&d);
	router_decide(no_ret.r, q_retrieval, NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	router_decision_free(&d);
	unmake(&no_ret);

	struct fixture none = make("false", "false", with_model, "");
	router_decide(none.r, q_hybrid, NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_non_null(strstr(d.sentence, ", but retrieval is disabled in config and adaptation is disabled in "
	                                   "config, so gpt-4o answers directly without retrieval."));
	router_decision_free(&d);
	unmake(&none);

	struct fixture no_model = make("true", "true", "", "");
	router_decide(no_model.r, q_adaptation, NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_non_null(strstr(d.sentence, "adaptation has no model_path in config"));
	router_decision_free(&d);
	unmake(&no_model);
}

static const struct router_doc volatile_docs[] = {
	{ .change_count = 3, .first_seen = 1700000000, .last_changed = 1700000000 + 120 * 86400 },
	{ .change_count = 1, .first_seen = 1710000000, .last_changed = 1710000000 },
};

static void a_model_chosen_by_hand_is_the_decision_and_the_sentence_says_so(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_signals sig = { .probe = ROUTER_PROBE_OK, .match = 0.62, .docs = volatile_docs,
	                              .n_docs = 2, .model = "gpt-4o-mini" };
	struct router_decision d;
	router_decide(f.r, "What port does the agent use?", &sig, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_true(d.model_by_hand);
	assert_string_equal(d.model, "gpt-4o-mini");
	assert_int_equal(d.n_chain, 1);
	assert_string_equal(d.chain[0], "gpt-4o-mini");
	assert_non_null(strstr(d.sentence, "so gpt-4o-mini, chosen by hand, answers from retrieved context."));
	router_decision_free(&d);
	unmake(&f);
}

static void retrieval_signals_are_weighed_and_shown(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_signals sig = { .probe = ROUTER_PROBE_OK, .match = 0.62, .docs = volatile_docs, .n_docs = 2 };
	struct router_decision d;
	router_decide(f.r, "Summarise the refund policy as JSON.", &sig, &d);
	assert_int_equal(d.path, ROUTER_HYBRID);
	assert_string_equal(d.sentence, "Needs current facts from the documents (policy, refund; best match 0.62, "
	                    "documents changed 3 times) and asks for JSON, so it goes to the adapted model "
	                    "with retrieved context.");
	bool saw_score = false, saw_vol = false;
	for (size_t i = 0; i < d.n_signals; i++) {
		if (!strcmp(d.signals[i].name, "retrieval-score")) {
			saw_score = true;
			assert_true(d.signals[i].value == 0.62);
			assert_true(d.signals[i].contribution == 1.0);
			assert_string_equal(d.signals[i].evidence, "best chunk holds 62% of the question's terms, threshold 30%");
		}
		if (!strcmp(d.signals[i].name, "volatility")) {
			saw_vol = true;
			assert_true(d.signals[i].value == 3);
			assert_true(d.signals[i].contribution == 0.5);
			assert_string_equal(d.signals[i].evidence, "changed 3 times in 120 days");
		}
	}
	assert_true(saw_score && saw_vol);
	router_decision_free(&d);

	/* a weak text cue becomes a facts question when the documents match */
	router_decide(f.r, "Who is Maria?", NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	router_decision_free(&d);
	router_decide(f.r, "Who is Maria?", &sig, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_string_equal(d.rule, "retrieval-match");
	router_decision_free(&d);
	unmake(&f);
}

static void low_retrieval_score_flags_no_grounding_or_goes_direct(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_signals none = { .probe = ROUTER_PROBE_OK, .match = 0.0, .docs = NULL, .n_docs = 0 };
	struct router_signals weak = { .probe = ROUTER_PROBE_OK, .match = 0.12, .docs = NULL, .n_docs = 0 };
	struct router_decision d;

	/* strong text cues and nothing in the store: retrieval, but no guessing */
	router_decide(f.r, "How many days do customers have to request a refund on a monthly plan?", &none, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_true(d.no_grounding);
	assert_string_equal(d.rule, "facts");
	assert_non_null(strstr(d.sentence, ", but no document holds any of its terms (best match 0.00), so gpt-4o "
	                                   "answers from retrieved context and says plainly when the documents "
	                                   "lack the answer."));
	router_decision_free(&d);

	/* a weak match keeps a question on the documents, free to answer */
	router_decide(f.r, "What is a good backup strategy for a small office?", &weak, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_false(d.no_grounding);
	router_decision_free(&d);

	/* weaker cues and nothing in the store tip it to direct */
	router_decide(f.r, "What is a good backup strategy for a small office?", &none, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_false(d.no_grounding);
	assert_string_equal(d.rule, "low-retrieval-score");
	assert_non_null(strstr(d.sentence, "but no document matched well (best match 0.00, under 0.30)"));
	router_decision_free(&d);

	/* a prefix forces retrieval; the flag still tells the answer not to guess */
	router_decide(f.r, "/rag who won the 1998 world cup", &none, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	assert_true(d.no_grounding);
	router_decision_free(&d);

	/* any match clears the flag */
	router_decide(f.r, "/rag who won the 1998 world cup", &weak, &d);
	assert_false(d.no_grounding);
	router_decision_free(&d);
	unmake(&f);
}

static void missing_or_failed_retrieval_signals(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_signals none = { .probe = ROUTER_PROBE_NONE, .match = 0.99, .docs = volatile_docs, .n_docs = 2 };
	struct router_signals failed = { .probe = ROUTER_PROBE_FAILED, .match = 0, .docs = NULL, .n_docs = 0 };
	const char *q = "What does the Team plan cost per user when billed monthly?";
	struct router_decision a, b, d;

	router_decide(f.r, q, NULL, &a);
	router_decide(f.r, q, &none, &b);
	assert_int_equal(a.path, ROUTER_RETRIEVAL);
	assert_int_equal(b.path, ROUTER_RETRIEVAL);
	assert_true(a.facts_score == b.facts_score);
	assert_int_equal(a.n_signals, b.n_signals);
	assert_false(b.no_grounding);
	router_decision_free(&a);
	router_decision_free(&b);

	router_decide(f.r, q, &failed, &d);
	assert_int_equal(d.wanted, ROUTER_RETRIEVAL);
	assert_int_equal(d.path, ROUTER_DIRECT);
	assert_non_null(strstr(d.sentence, ", but the quick retrieval failed, so gpt-4o answers directly"));
	router_decision_free(&d);
	router_decide(f.r, "Return the current refund window as JSON.", &failed, &d);
	assert_int_equal(d.path, ROUTER_ADAPTATION);
	router_decision_free(&d);
	unmake(&f);
}

static void quoted_material_is_not_the_ask(void **state)
{
	(void)state;
	struct fixture f = make("true", "true", with_model, "");
	struct router_decision d;
	router_decide(f.r, "Translate into German: \"What is the refund policy for annual plans today?\"", NULL, &d);
	assert_int_equal(d.path, ROUTER_DIRECT);
	router_decision_free(&d);
	router_decide(f.r, "What is the refund policy for annual plans today?", NULL, &d);
	assert_int_equal(d.path, ROUTER_RETRIEVAL);
	router_decision_free(&d);
	unmake(&f);
}

static void path_names_round_trip(void **state)
{
	(void)state;
	for (int p = ROUTER_RETRIEVAL; p <= ROUTER_DIRECT; p++)
		assert_int_equal(router_path_parse(router_path_name((enum router_path)p)), p);
	assert_int_equal(router_path_parse("rag"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(labelled_table_routes_every_question_to_its_path),
		cmocka_unit_test(decision_names_model_chain_and_rule),
		cmocka_unit_test(signals_list_name_value_contribution_and_evidence),
		cmocka_unit_test(prefixes_override_and_are_stripped),
		cmocka_unit_test(config_rules_come_first_after_prefixes),
		cmocka_unit_test(bad_config_rules_are_reported),
		cmocka_unit_test(disabled_paths_are_never_chosen),
		cmocka_unit_test(retrieval_signals_are_weighed_and_shown),
		cmocka_unit_test(a_model_chosen_by_hand_is_the_decision_and_the_sentence_says_so),
		cmocka_unit_test(low_retrieval_score_flags_no_grounding_or_goes_direct),
		cmocka_unit_test(missing_or_failed_retrieval_signals),
		cmocka_unit_test(quoted_material_is_not_the_ask),
		cmocka_unit_test(path_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
