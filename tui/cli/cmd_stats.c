/* ragdeck stats: latency percentiles per stage, error and fallback rates,
 * cost and token expansion over the query log, and the alerts that fire. */
#include "tui/cli/cli.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "core/answer/metrics.h"
#include "core/util/clock.h"
#include "core/util/log.h"
#include "store/query_log.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char stats_help[] =
	"Usage: ragdeck stats [OPTION]...\n"
	"Summarise the query log: p50/p95/p99 per stage (route, embed, vector,\n"
	"fts, fuse, pack, time to first token, generation, total), error and\n"
	"fallback rates, cost per query and per successful answer, token\n"
	"expansion, grounding, and which alerts are firing.\n"
	"\n"
	"  -s, --since DURATION   only turns of the last DURATION (90s, 30m, 12h, 7d)\n"
	"      --json             print a JSON object\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file (alert thresholds, metrics, prices: every\n"
	"                         turn is priced from its stored tokens at these)\n"
	"  -h, --help             show this help\n";

/* Milliseconds in "90s", "30m", "12h", "7d"; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (end == s || n <= 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': return n * 1000;
	case 'm': return n * 60 * 1000;
	case 'h': return n * 3600 * 1000;
	case 'd': return n * 86400 * 1000;
	default: return -1;
	}
}

/* --since as given (for the heading) and in milliseconds. */
struct since {
	const char *text;
	int64_t ms;
};

static int parse_since(void *dest, const char *arg)
{
	struct since *since = dest;
	since->ms = parse_duration(arg);
	since->text = arg;
	return since->ms < 0 ? -1 : 0;
}

static enum metrics_outcome outcome_of(const char *name)
{
	for (int o = 0; o < METRICS_N_OUTCOMES; o++)
		if (strcmp(metrics_outcome_name((enum metrics_outcome)o), name) == 0)
			return (enum metrics_outcome)o;
	return METRICS_FAILED;
}

struct reader {
	struct metrics_window *w;
	const struct config *cfg;
};

/* The summarize call a logged row records (its "summary" object, absent
 * or null without one) into t, priced with c's prices. */
static void summary_of_row(struct metrics_turn *t, const cJSON *summary, const struct config *c)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(summary, "usage");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(usage, "input_tokens");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(usage, "output_tokens");
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(summary, "model");
	if (!cJSON_IsObject(summary))
		return;
	t->summarize_called = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(summary, "called"));
	t->summarized = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(summary, "used"));
	t->summary_tokens_in = cJSON_IsNumber(in) ? (long)in->valuedouble : 0;
	t->summary_tokens_out = cJSON_IsNumber(out) ? (long)out->valuedouble : 0;
	const struct config_price *p = cJSON_IsString(model) ? config_price_for_model(c, model->valuestring) : NULL;
	t->summary_cost_usd = p ? metrics_cost_usd(p, t->summary_tokens_in, t->summary_tokens_out) : 0;
}

/* A logged row back into a metrics turn, priced with the config's prices
 * (the tokens are stored; a model the config does not price counts as
 * unpriced, not as free). */
static int add_row(void *ud, const struct store_query_row *row)
{
	const struct reader *rd = ud;
	struct metrics_turn t = {
		.at_ms = row->created_ms,
		.question_tokens = (int)row->question_tokens,
		.tokens_in = (int)row->tokens_in,
		.tokens_out = (int)row->tokens_out,
		.context_tokens = (int)row->context_tokens,
		.usage_reported = !row->tokens_estimated,
		.outcome = outcome_of(row->outcome),
		.has_grounding = row->has_grounding,
		.grounding = row->grounding,
		.has_unsupported = row->has_unsupported,
		.unsupported_sentences = (int)row->unsupported_sentences,
	};
	cJSON *spans = cJSON_Parse(row->spans_json);
	for (int s = 0; s < METRICS_N_SPANS; s++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(spans, metrics_span_name((enum metrics_span)s));
		if (cJSON_IsNumber(v))
			metrics_turn_span(&t, (enum metrics_span)s, (uint64_t)v->valuedouble);
	}
	cJSON_Delete(spans);
	cJSON *retrieval = cJSON_Parse(row->retrieval_json);
	cJSON *et = cJSON_GetObjectItemCaseSensitive(retrieval, "embed_tokens");
	t.embed_tokens = cJSON_IsNumber(et) ? (long)et->valuedouble : 0;
	summary_of_row(&t, cJSON_GetObjectItemCaseSensitive(retrieval, "summary"), rd->cfg);
	cJSON_Delete(retrieval);
	metrics_turn_finish(&t, rd->cfg, row->model);
	metrics_window_add(rd->w, &t);
	return 0;
}

static void print_text(const struct metrics_summary *s, const struct metrics_alerts *a, const char *since)
{
	printf("%zu turns%s%s\n\n", s->turns, since ? " in the last " : "", since ? since : "");
	printf("%-11s %6s %10s %10s %10s\n", "stage", "turns", "p50 ms", "p95 ms", "p99 ms");
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		const struct metrics_pct *p = &s->span[i];
		if (!p->n)
			continue;
		printf("%-11s %6zu %10.2f %10.2f %10.2f\n", metrics_span_name((enum metrics_span)i), p->n,
		       (double)p->p50 / 1e3, (double)p->p95 / 1e3, (double)p->p99 / 1e3);
	}
	printf("\noutcomes: %zu ok, %zu fell back, %zu interrupted, %zu failed (error rate %.1f%%, fallback rate %.1f%%)\n",
	       s->outcomes[METRICS_OK], s->outcomes[METRICS_FELL_BACK], s->outcomes[METRICS_INTERRUPTED],
	       s->outcomes[METRICS_FAILED], 100 * s->error_rate, 100 * s->fallback_rate);
	printf("cost: $%.6f total, $%.6f per query, $%.6f per successful answer (%zu of %zu priced from estimated tokens)\n",
	       s->cost_total, s->cost_per_query, s->cost_per_success, s->n_estimated, s->n_priced);
	if (s->embed_tokens)
		printf("question embeddings: %ld tokens, $%.6f (in the cost above)\n", s->embed_tokens, s->embed_cost);
	if (s->n_summarize_calls)
		printf("summaries of chunks over budget: %zu calls, %zu placed, %ld in / %ld out tokens, $%.6f "
		       "(in the cost above)\n", s->n_summarize_calls, s->n_summarized, s->summary_tokens_in,
		       s->summary_tokens_out, s->summary_cost);
	if (s->extra_cost_unpriced > 0)
		printf("of which outside the cost above: $%.6f, for answers whose model has no price\n",
		       s->extra_cost_unpriced);
	printf("token expansion (prompt / question tokens): %.1fx\n", s->expansion_mean);
	if (s->n_grounded)
		printf("grounding: %.2f mean over %zu answers\n", s->grounding_mean, s->n_grounded);
	if (s->n_marked)
		printf("unsupported sentences per answer: %.2f mean over %zu answers\n", s->unsupported_mean,
		       s->n_marked);
	printf("alerts: %s%s%s\n", a->latency ? a->latency_msg : "", a->latency && a->grounding ? "; " : "",
	       a->grounding ? a->grounding_msg : (!a->latency ? "none firing" : ""));
}

static void print_json(const struct metrics_summary *s, const struct metrics_alerts *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "turns", (double)s->turns);
	cJSON *spans = cJSON_AddObjectToObject(o, "spans_ms");
	for (int i = 0; i < METRICS_N_SPANS; i++) {
		const struct metrics_pct *p = &s->span[i];
		if (!p->n)
			continue;
		cJSON *j = cJSON_AddObjectToObject(spans, metrics_span_name((enum metrics_span)i));
		cJSON_AddNumberToObject(j, "turns", (double)p->n);
		cJSON_AddNumberToObject(j, "p50", (double)p->p50 / 1e3);
		cJSON_AddNumberToObject(j, "p95", (double)p->p95 / 1e3);
		cJSON_AddNumberToObject(j, "p99", (double)p->p99 / 1e3);
	}
	cJSON *out = cJSON_AddObjectToObject(o, "outcomes");
	for (int i = 0; i < METRICS_N_OUTCOMES; i++)
		cJSON_AddNumberToObject(out, metrics_outcome_name((enum metrics_outcome)i), (double)s->outcomes[i]);
	cJSON_AddNumberToObject(o, "error_rate", s->error_rate);
	cJSON_AddNumberToObject(o, "fallback_rate", s->fallback_rate);
	cJSON_AddNumberToObject(o, "priced_turns", (double)s->n_priced);
	cJSON_AddNumberToObject(o, "cost_total_usd", s->cost_total);
	cJSON_AddNumberToObject(o, "embed_tokens", (double)s->embed_tokens);
	cJSON_AddNumberToObject(o, "embed_cost_usd", s->embed_cost);
	cJSON *sum = cJSON_AddObjectToObject(o, "summaries");
	cJSON_AddNumberToObject(sum, "calls", (double)s->n_summarize_calls);
	cJSON_AddNumberToObject(sum, "placed", (double)s->n_summarized);
	cJSON_AddNumberToObject(sum, "input_tokens", (double)s->summary_tokens_in);
	cJSON_AddNumberToObject(sum, "output_tokens", (double)s->summary_tokens_out);
	cJSON_AddNumberToObject(sum, "cost_usd", s->summary_cost);
	cJSON_AddNumberToObject(o, "cost_per_query_usd", s->cost_per_query);
	cJSON_AddNumberToObject(o, "cost_per_success_usd", s->cost_per_success);
	cJSON_AddNumberToObject(o, "token_expansion", s->expansion_mean);
	if (s->n_grounded)
		cJSON_AddNumberToObject(o, "grounding_mean", s->grounding_mean);
	if (s->n_marked)
		cJSON_AddNumberToObject(o, "unsupported_sentences_mean", s->unsupported_mean);
	cJSON *al = cJSON_AddArrayToObject(o, "alerts");
	if (a->latency)
		cJSON_AddItemToArray(al, cJSON_CreateString(a->latency_msg));
	if (a->grounding)
		cJSON_AddItemToArray(al, cJSON_CreateString(a->grounding_msg));
	cli_print_json(stdout, o);
	cJSON_Delete(o);
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	struct since since = { 0 };
	bool json = false;
	int exit_code;
	const struct cli_opt opts[] = {
		{ .name = "since", .letter = 's', .type = CLI_OPT_FUNC, .dest = &since, .parse = parse_since,
		  .refused = "--since takes a duration like 90s, 30m, 12h or 7d, not '%s'" },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &json },
		{ 0 },
	};
	if (cli_options_parse(cli, "stats", stats_help, opts, argc, argv, &exit_code) != 0)
		return exit_code;
	if (optind < argc)
		return cli_usage_error(cli, "stats ", "unexpected argument '%s'", argv[optind]);
	if (cli_open_store(cli) != 0)
		return EXIT_FAIL;
	int64_t now = clock_unix_now() * 1000;
	int64_t from = since.text ? now - since.ms : 0;
	/* Every turn in range counts: capacity grows with the log. */
	struct metrics_window *w = metrics_window_new(1, since.text ? since.ms : now + 1, 1 << 20);
	char err[ERR_LEN];
	struct reader rd = { w, cli->cfg };
	if (store_queries_each(cli->store, from, add_row, &rd, err, sizeof err) != 0) {
		log_error("%s", err);
		metrics_window_free(&w);
		return EXIT_FAIL;
	}
	struct metrics_summary s;
	struct metrics_alerts a;
	metrics_window_summary(w, METRICS_LAST_TIME, now, &s);
	metrics_alerts_check(&s, cli->cfg, &a);
	if (json)
		print_json(&s, &a);
	else
		print_text(&s, &a, since.text);
	metrics_window_free(&w);
	return EXIT_OK;
}
