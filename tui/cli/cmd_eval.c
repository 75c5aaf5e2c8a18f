/* ragdeck eval: run a golden set through full turns, print the metrics
 * overall and per category, store the run, compare it with the previous
 * run of the same set and parameters, and gate on the config's thresholds. */
#include "tui/cli/cli.h"
#include "tui/cli/progress.h"
#include "core/util/error.h"
#include "tui/cli/commands.h"
#include "tui/cli/options.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/eval/eval.h"
#include "core/eval/eval_history.h"
#include "core/eval/judge_eval.h"
#include "core/search/retrieve.h"
#include "core/answer/turn.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SWEEP 16
/* MAX_SWEEP spelled in a string literal (the --sweep usage message). */
#define LITERAL_(x) #x
#define LITERAL(x) LITERAL_(x)

static const char eval_help[] =
	"Usage: ragdeck eval [OPTION]... GOLDEN\n"
	"Ask every question of the golden set GOLDEN (YAML, or JSONL when the name\n"
	"ends in .jsonl) through a full turn and report retrieval (recall@k,\n"
	"precision@k, MRR@10, nDCG@10, context precision and recall), grounding\n"
	"(hallucination_score), format checks, latency, tokens and cost, overall\n"
	"and per category. Each run is stored and compared with the previous run\n"
	"of the same set and parameters; items that regressed are named.\n"
	"\n"
	"  -m, --model MODEL      model to ask (default: routing.default_model)\n"
	"  -k, --top-k N          chunks to retrieve (default: the config's top_k)\n"
	"      --mode MODE        hybrid (default), vector or fts: retrieve with both\n"
	"                         lists fused or with one alone\n"
	"      --sweep KEY=V1,V2  rerun the set for each value of KEY and print one\n"
	"                         table; KEY is top_k, max_context_tokens, rrf_k,\n"
	"                         vector_weight, fts_weight, heading_weight,\n"
	"                         proximity_weight or archived_weight\n"
	"      --judge MODEL      also have MODEL (a model the config reaches) score\n"
	"                         each answer's faithfulness to its context and its\n"
	"                         relevance to the question, apart from the offline\n"
	"                         numbers; verdicts are cached in the database\n"
	"      --json             print one JSON object\n"
	"      --db PATH          database file\n"
	"      --config FILE      config file\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status 1 when the hallucination_score is under\n"
	"evaluation.alert_thresholds.hallucination_score or the total p95 latency\n"
	"is over latency_p95_ms (each failure is named), 2 on usage errors. The\n"
	"judge never changes it: an item it could not score is reported unjudged.\n";

/* The keys --sweep varies, each a parameter of a run. */
enum sweep_key { SWEEP_NONE, SWEEP_TOP_K, SWEEP_MAX_CONTEXT, SWEEP_RRF_K, SWEEP_VECTOR_WEIGHT,
                 SWEEP_FTS_WEIGHT, SWEEP_HEADING_WEIGHT, SWEEP_PROXIMITY_WEIGHT, SWEEP_ARCHIVED_WEIGHT, SWEEP_N_KEYS };

static const struct sweep_spec {
	const char *name;
	double min, max;
	bool integer;
} sweep_specs[SWEEP_N_KEYS] = {
	[SWEEP_TOP_K] = { "top_k", 1, 100, true },
	[SWEEP_MAX_CONTEXT] = { "max_context_tokens", 1, 1000000, true },
	[SWEEP_RRF_K] = { "rrf_k", 1, 1000, true },
	[SWEEP_VECTOR_WEIGHT] = { "vector_weight", 0, 10, false },
	[SWEEP_FTS_WEIGHT] = { "fts_weight", 0, 10, false },
	[SWEEP_HEADING_WEIGHT] = { "heading_weight", 0, 10, false },
	[SWEEP_PROXIMITY_WEIGHT] = { "proximity_weight", 0, 10, false },
	[SWEEP_ARCHIVED_WEIGHT] = { "archived_weight", 0, 1, false },
};

struct eval_cmd {
	struct cli *cli;
	const char *golden_path;
	char *golden_id;              /* realpath: the set's identity across runs */
	char golden_hash[17];
	struct golden_set *set;
	const char *model;
	int top_k;
	enum retrieve_mode mode;
	enum sweep_key sweep;
	double values[MAX_SWEEP];
	size_t n_values;
	bool json;
	const char *judge_model;      /* --judge */
	struct judge *judge;          /* NULL without --judge */
};

static const char *const category_rows[] = { "overall", "factual", "structural", "hybrid" };

/* Parse "KEY=V1,V2,..." for a key of sweep_specs into the eval_cmd at
 * dest (a CLI_OPT_FUNC parser). */
static int parse_sweep(void *dest, const char *arg)
{
	struct eval_cmd *c = dest;
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -1;
	for (int k = SWEEP_TOP_K; k < SWEEP_N_KEYS; k++)
		if ((size_t)(eq - arg) == strlen(sweep_specs[k].name) &&
		    strncmp(arg, sweep_specs[k].name, (size_t)(eq - arg)) == 0)
			c->sweep = (enum sweep_key)k;
	if (c->sweep == SWEEP_NONE)
		return -1;
	const struct sweep_spec *spec = &sweep_specs[c->sweep];
	for (const char *p = eq + 1; *p;) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < spec->min || v > spec->max || (spec->integer && v != (double)(long)v) ||
		    c->n_values == MAX_SWEEP || (*end && *end != ','))
			return -1;
		c->values[c->n_values++] = v;
		p = *end ? end + 1 : end;
	}
	return c->n_values ? 0 : -1;
}

static const char *sweep_name(enum sweep_key k)
{
	return sweep_specs[k].name;
}

/* Set the swept key to v in cfg. */
static void sweep_apply(enum sweep_key k, double v, struct config *cfg)
{
	switch (k) {
	case SWEEP_TOP_K: cfg->routing.retrieval.top_k = (int)v; break;
	case SWEEP_MAX_CONTEXT: cfg->routing.retrieval.max_context_tokens = (int)v; break;
	case SWEEP_RRF_K: cfg->retrieval.rrf_k = (int)v; break;
	case SWEEP_VECTOR_WEIGHT: cfg->retrieval.vector_weight = v; break;
	case SWEEP_FTS_WEIGHT: cfg->retrieval.fts_weight = v; break;
	case SWEEP_HEADING_WEIGHT: cfg->retrieval.heading_weight = v; break;
	case SWEEP_PROXIMITY_WEIGHT: cfg->retrieval.proximity_weight = v; break;
	case SWEEP_ARCHIVED_WEIGHT: cfg->retrieval.archived_weight = v; break;
	default: break;
	}
}

/* "0.25", "60": a swept value as the table shows it. */
static void format_value(double v, char *out, size_t n)
{
	snprintf(out, n, "%g", v);
}

/* One run of the set: the results, the stored row and the comparison. */
struct run {
	struct eval_item_result *res;
	struct eval_summary sum[4];   /* overall, then per category */
	int64_t id, prev_id;
	cJSON *prev_summary;          /* NULL without a previous run */
	cJSON *regressions;
	struct config cfg;            /* the CLI's config with the swept value set */
	int top_k, max_context;
	double value;                 /* the swept value (with --sweep) */
};

static void run_free(struct run *r)
{
	cJSON_Delete(r->prev_summary);
	cJSON_Delete(r->regressions);
}

static cJSON *params_json(const struct eval_cmd *c, const struct run *r)
{
	cJSON *p = eval_params_new(c->model ? c->model : r->cfg.routing.default_model, r->top_k, r->max_context);
	if (c->mode != RETRIEVE_HYBRID)
		cJSON_AddStringToObject(p, "mode", retrieve_mode_name(c->mode));
	if (c->sweep >= SWEEP_RRF_K)
		cJSON_AddNumberToObject(p, sweep_name(c->sweep), r->value);
	/* A run with summaries compares with runs with them. */
	if (r->cfg.retrieval.summarize_over_budget)
		cJSON_AddStringToObject(p, "summarize_over_budget", r->cfg.retrieval.summarize_over_budget);
	return p;
}

static int store_run(struct eval_cmd *c, struct run *r, char *err, size_t errlen)
{
	struct eval_history st;
	cJSON *params = params_json(c, r);
	int rc = eval_history_save(c->cli->store, &r->cfg, c->golden_id, c->set, r->res, &r->sum[0], params,
	                        &st, err, errlen);
	cJSON_Delete(params);
	r->id = st.run_id;
	r->prev_id = st.prev_id;
	r->prev_summary = st.prev_summary;
	r->regressions = st.regressions;
	return rc;
}

/* "done/total" on a terminal's stderr, after what ("" or "judge "). */
static void show_progress(const struct eval_cmd *c, const char *what, size_t done, size_t total)
{
	if (!c->json && isatty(fileno(stderr)))
		fprintf(stderr, "\r%s%zu/%zu", what, done, total);
	if (!c->json && isatty(fileno(stderr)) && done == total)
		fprintf(stderr, "\r%*s\r", 24, "");
}

static void progress(void *ud, size_t done, size_t total, const struct eval_item_result *r)
{
	(void)r;
	show_progress(ud, "", done, total);
}

static void judge_progress(void *ud, size_t done, size_t total)
{
	show_progress(ud, "judge ", done, total);
}

static int run_once(struct eval_cmd *c, struct embedder *e, struct run *r, char *err, size_t errlen)
{
	struct retriever *retriever = NULL;
	struct llm_client *client = llm_client_new();
	struct eval_opts o = { .model = c->model, .top_k = r->top_k, .mode = c->mode, .progress = progress,
	                       .ud = c };
	int rc;
	char why[ERR_LEN];
	struct progress_bar bar;
	progress_init(&bar);
	if (cli_open_retriever(&r->cfg, c->cli->store, e, NULL, VEC_BUILD_NOW, &bar, &retriever, why, sizeof why) != 0)
		log_warn("answering without documents: %s", why);
	struct turn_env env = { .cfg = &r->cfg, .retriever = retriever, .client = client };
	rc = eval_run(&env, c->set, &o, &r->res, err, errlen);
	if (rc == 0 && c->judge)
		judge_eval_run(c->judge, r->res, c->set->n_items, judge_progress, c);
	if (rc == 0) {
		for (int i = 0; i < 4; i++)
			eval_summarize(r->res, c->set->n_items, i - 1, &r->sum[i]);
		rc = store_run(c, r, err, errlen);
	}
	llm_client_free(&client);
	retriever_free(&retriever);
	return rc;
}

/* ---- output ---------------------------------------------------------- */

static double checks_rate(const struct eval_summary *s)
{
	size_t n = 0, ok = 0;
	for (int i = 0; i < EVAL_N_CHECKS; i++) {
		n += s->checked[i];
		ok += s->check_passed[i];
	}
	return n ? (double)ok / (double)n : 1.0;
}

/* The table's columns after items and pass; each shows when
 * evaluation.metrics lists its metric. */
enum column_id { C_R1, C_RK, C_PK, C_MRR, C_NDCG, C_CTXP, C_CTXR, C_GROUND, C_CHECKS, C_P50, C_P95, C_TOK,
                 C_COST, C_COST_OK };

struct column {
	enum column_id id;
	const char *metric;
	const char *head;
	int width;
};

static const struct column columns[] = {
	{ C_R1, "recall_at_k", "R@1", 6 }, { C_RK, "recall_at_k", "R@k", 6 }, { C_PK, "recall_at_k", "P@k", 6 },
	{ C_MRR, "mrr", "MRR", 6 }, { C_NDCG, "ndcg", "nDCG", 6 }, { C_CTXP, "recall_at_k", "CtxP", 6 },
	{ C_CTXR, "recall_at_k", "CtxR", 6 }, { C_GROUND, "hallucination_score", "ground", 6 },
	{ C_CHECKS, "format_compliance", "checks", 7 }, { C_P50, "latency_p95", "p50 ms", 8 },
	{ C_P95, "latency_p95", "p95 ms", 8 }, { C_TOK, "token_cost", "tok in", 9 },
	{ C_COST, "token_cost", "$/query", 10 }, { C_COST_OK, "token_cost", "$/success", 10 },
};

static void column_value(enum column_id id, const struct eval_summary *s, char *v, size_t len)
{
	const struct metrics_pct *t = &s->m.span[METRICS_SPAN_TOTAL];
	switch (id) {
	case C_R1: snprintf(v, len, "%.3f", s->recall_1); break;
	case C_RK: snprintf(v, len, "%.3f", s->recall_k); break;
	case C_PK: snprintf(v, len, "%.3f", s->precision_k); break;
	case C_MRR: snprintf(v, len, "%.3f", s->mrr10); break;
	case C_NDCG: snprintf(v, len, "%.3f", s->ndcg10); break;
	case C_CTXP: snprintf(v, len, "%.3f", s->context_precision); break;
	case C_CTXR: snprintf(v, len, "%.3f", s->context_recall); break;
	case C_GROUND: snprintf(v, len, "%.3f", s->m.grounding_mean); break;
	case C_CHECKS: snprintf(v, len, "%.1f%%", 100.0 * checks_rate(s)); break;
	case C_P50: snprintf(v, len, "%.1f", (double)t->p50 / 1e3); break;
	case C_P95: snprintf(v, len, "%.1f", (double)t->p95 / 1e3); break;
	case C_TOK: snprintf(v, len, "%ld", s->tokens_in); break;
	case C_COST: snprintf(v, len, "%.6f", s->m.cost_per_query); break;
	case C_COST_OK: snprintf(v, len, "%.6f", s->m.cost_per_success); break;
	}
}

static void table_header(const struct config *cfg, const char *first)
{
	printf("%-12s %5s %5s", first, "items", "pass");
	for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
		if (config_metric_on(cfg, columns[i].metric))
			printf(" %*s", columns[i].width, columns[i].head);
	printf("\n");
}

static void table_row(const struct config *cfg, const char *name, const struct eval_summary *s)
{
	char v[32];
	printf("%-12s %5zu %5zu", name, s->items, s->passed);
	for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
		if (!config_metric_on(cfg, columns[i].metric))
			continue;
		column_value(columns[i].id, s, v, sizeof v);
		printf(" %*s", columns[i].width, v);
	}
	printf("\n");
}

static void print_checks(const struct eval_summary *s)
{
	printf("routes:");
	for (int p = 0; p <= ROUTER_DIRECT; p++)
		printf(" %s %zu", router_path_name((enum router_path)p), s->routes[p]);
	printf("; declined to answer: %zu of %zu items with sources", s->declined, s->n_retrieval);
	if (s->n_stale)
		printf("; outdated source first: %zu of %zu", s->stale_first, s->n_stale);
	printf("\nchecks:");
	for (int i = 0; i < EVAL_N_CHECKS; i++)
		printf(" %s %zu/%zu", eval_check_name((enum eval_check_kind)i), s->check_passed[i], s->checked[i]);
	printf("\nlatency p50/p95 ms:");
	for (int sp = 0; sp < METRICS_N_SPANS; sp++)
		if (s->m.span[sp].n)
			printf(" %s %.1f/%.1f", metrics_span_name((enum metrics_span)sp),
			       (double)s->m.span[sp].p50 / 1e3, (double)s->m.span[sp].p95 / 1e3);
	printf("\ntokens: %ld in, %ld out\n", s->tokens_in, s->tokens_out);
	if (s->m.n_summarize_calls)
		printf("summaries of chunks over budget: %zu calls, %zu placed, %ld in / %ld out tokens, $%.6f "
		       "(in $/query), grounding %.3f\n", s->m.n_summarize_calls, s->m.n_summarized, s->m.summary_tokens_in,
		       s->m.summary_tokens_out, s->m.summary_cost, s->m.grounding_mean);
	if (s->m.extra_cost_unpriced > 0)
		printf("of the embeddings' and summaries' cost, $%.6f is outside $/query: their answers' model has no "
		       "price\n", s->m.extra_cost_unpriced);
}

/* Per item, what became of its chunks over budget: the items that tried a
 * summary, with its tokens and cost, or why it was not placed. */
static void print_item_summaries(const struct eval_cmd *c, const struct run *r)
{
	for (size_t i = 0; i < c->set->n_items; i++) {
		const struct eval_item_result *x = &r->res[i];
		const struct metrics_turn *m = &x->metrics;
		if (!m->summarize_called && !x->summary_error)
			continue;
		printf("  ");
		cli_put_cell(stdout, x->item->id, strlen(x->item->id));
		printf(": summary %s", m->summarized ? "placed" : m->summarize_called ? "not placed" : "skipped");
		if (x->summary_error) {
			printf(" (");
			cli_put_clean(stdout, x->summary_error, strlen(x->summary_error));
			printf(")");
		}
		if (m->summarize_called)
			printf(", %ld in / %ld out tokens, $%.6f", m->summary_tokens_in, m->summary_tokens_out,
			       m->summary_cost_usd);
		printf("\n");
	}
}

static double json_num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_comparison(const struct run *r)
{
	const cJSON *p = r->prev_summary;
	const struct eval_summary *s = &r->sum[0];
	if (!r->prev_id) {
		printf("run %lld: first run of this set with these parameters\n", (long long)r->id);
		return;
	}
	printf("run %lld vs run %lld: R@k %+.3f  MRR %+.3f  nDCG %+.3f  ground %+.3f  pass %+d\n",
	       (long long)r->id, (long long)r->prev_id, s->recall_k - json_num(p, "retrieval", "recall_k"),
	       s->mrr10 - json_num(p, "retrieval", "mrr10"), s->ndcg10 - json_num(p, "retrieval", "ndcg10"),
	       s->m.grounding_mean - json_num(p, "grounding", "hallucination_score"),
	       (int)s->passed - (int)json_num(p, "passed", NULL));
	int n = cJSON_GetArraySize(r->regressions);
	if (n == 0)
		printf("no item regressed\n");
	for (const cJSON *e = r->regressions ? r->regressions->child : NULL; e; e = e->next)
		printf("regressed %s: %s\n", cJSON_GetObjectItem(e, "id")->valuestring,
		       cJSON_GetObjectItem(e, "what")->valuestring);
}

/* ---- the judge's numbers, apart from the offline ones ------------------- */

static void judge_header(const char *first)
{
	printf("%-12s %5s %6s %6s %8s %8s %6s %6s\n", first, "asked", "judged", "cached", "unjudged", "noclaims",
	       "faith", "relev");
}

/* A mean as the table shows it: "-" when no item counts. */
static void judge_mean(bool defined, double v, char *out, size_t n)
{
	if (defined)
		snprintf(out, n, "%.3f", v);
	else
		snprintf(out, n, "-");
}

static void judge_row(const char *name, const struct eval_judge_summary *j)
{
	char faith[16], relev[16];
	judge_mean(j->judged > j->no_claims, j->faithfulness, faith, sizeof faith);
	judge_mean(j->judged > 0, j->relevance, relev, sizeof relev);
	printf("%-12s %5zu %6zu %6zu %8zu %8zu %6s %6s\n", name, j->asked, j->judged, j->cached, j->unjudged,
	       j->no_claims, faith, relev);
}

/* Judge and answering tokens and cost, each apart. */
static void judge_costs(const struct eval_summary *s)
{
	const struct eval_judge_summary *j = &s->judge;
	printf("judge tokens: %ld in, %ld out; judge cost ", j->tokens_in, j->tokens_out);
	if (j->cost_known)
		printf("$%.6f", j->cost_usd);
	else
		printf("unknown (%s has no price: see pricing in docs/config.md)", j->model);
	printf(" (answering: %ld in, %ld out, $%.6f)\n", s->tokens_in, s->tokens_out, s->m.cost_total);
}

/* Each unjudged item with why, the why made safe for a terminal. */
static void judge_unjudged(const struct eval_cmd *c, const struct run *r)
{
	for (size_t i = 0; i < c->set->n_items; i++) {
		const struct eval_item_result *x = &r->res[i];
		if (x->judge.status != EVAL_JUDGE_UNJUDGED)
			continue;
		printf("unjudged ");
		cli_put_cell(stdout, x->item->id, strlen(x->item->id));
		printf(": ");
		cli_put_cell(stdout, x->judge.reason, strlen(x->judge.reason));
		printf("\n");
	}
}

static void judge_title(const struct eval_cmd *c)
{
	printf("\njudge %s, prompt %s (LLM-scored, kept apart from the offline numbers above):\n",
	       judge_model(c->judge), JUDGE_EVAL_PROMPT_VERSION);
}

/* " name +0.123": a change of a mean; one that rounds to nothing is +0.000
 * (a mean summed again differs from its stored copy in the last bits). */
static void print_delta(const char *name, double d)
{
	if (fabs(d) < 0.0005)
		d = 0;
	printf(" %s %+.3f", name, d);
}

/* The judge's means against those of the previous run, when that run was
 * judged by the same model and prompt. */
static void judge_comparison(const struct run *r)
{
	const struct eval_judge_summary *j = &r->sum[0].judge;
	const cJSON *pj = cJSON_GetObjectItemCaseSensitive(r->prev_summary, "judge");
	const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pj, "model"));
	const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pj, "prompt_version"));
	const cJSON *faith = cJSON_GetObjectItemCaseSensitive(pj, "faithfulness");
	const cJSON *relev = cJSON_GetObjectItemCaseSensitive(pj, "relevance");
	if (!j->model || !r->prev_id)
		return;
	if (!model || !version || strcmp(model, j->model) != 0 || strcmp(version, j->prompt_version) != 0) {
		printf("judge: run %lld was not judged by %s with %s, nothing to compare\n", (long long)r->prev_id,
		       j->model, j->prompt_version);
		return;
	}
	printf("judge vs run %lld:", (long long)r->prev_id);
	if (cJSON_IsNumber(faith) && j->judged > j->no_claims)
		print_delta("faith", j->faithfulness - faith->valuedouble);
	if (cJSON_IsNumber(relev) && j->judged)
		print_delta("relev", j->relevance - relev->valuedouble);
	printf("\n");
}

static void print_judge(const struct eval_cmd *c, const struct run *runs, size_t n)
{
	if (!c->judge)
		return;
	judge_title(c);
	if (c->sweep == SWEEP_NONE) {
		judge_header("");
		for (int i = 0; i < 4; i++)
			if (i == 0 || runs[0].sum[i].items)
				judge_row(category_rows[i], &runs[0].sum[i].judge);
		judge_costs(&runs[0].sum[0]);
		judge_comparison(&runs[0]);
		judge_unjudged(c, &runs[0]);
		return;
	}
	judge_header(sweep_name(c->sweep));
	for (size_t i = 0; i < n; i++) {
		char name[32];
		format_value(c->values[i], name, sizeof name);
		judge_row(name, &runs[i].sum[0].judge);
	}
	for (size_t i = 0; i < n; i++) {
		char v[32];
		format_value(c->values[i], v, sizeof v);
		printf("%s=%s: ", sweep_name(c->sweep), v);
		judge_costs(&runs[i].sum[0]);
		judge_comparison(&runs[i]);
		judge_unjudged(c, &runs[i]);
	}
}

static cJSON *run_json(const struct eval_cmd *c, const struct run *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "run_id", (double)r->id);
	cJSON_AddItemToObject(o, "params", params_json(c, r));
	for (int i = 0; i < 4; i++)
		cJSON_AddItemToObject(o, category_rows[i], eval_summary_json(&r->sum[i]));
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < c->set->n_items; i++) {
		const struct eval_item_result *x = &r->res[i];
		cJSON *it = eval_item_json(x);
		cJSON_AddStringToObject(it, "id", x->item->id);
		cJSON_AddStringToObject(it, "category", golden_category_name(x->item->category));
		cJSON_AddStringToObject(it, "model", x->model);
		cJSON_AddStringToObject(it, "outcome", llm_outcome_name(x->outcome));
		cJSON_AddStringToObject(it, "answer", x->answer);
		cJSON_AddItemToObject(it, "summary", eval_item_summary_json(x));
		cJSON_AddItemToArray(items, it);
	}
	cJSON_AddNumberToObject(o, "previous_run_id", (double)r->prev_id);
	cJSON_AddItemToObject(o, "regressions",
	                      r->regressions ? cJSON_Duplicate(r->regressions, true) : cJSON_CreateArray());
	return o;
}

/* Threshold failures of every run, each one line. */
static bool check_thresholds(const struct eval_cmd *c, const struct run *runs, size_t n, cJSON *fails)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		struct metrics_alerts a;
		char prefix[64] = "";
		metrics_alerts_check(&runs[i].sum[0].m, c->cli->cfg, &a);
		if (c->sweep != SWEEP_NONE) {
			char v[32];
			format_value(c->values[i], v, sizeof v);
			snprintf(prefix, sizeof prefix, "%s=%s: ", sweep_name(c->sweep), v);
		}
		const char *msgs[2] = { a.grounding ? a.grounding_msg : NULL, a.latency ? a.latency_msg : NULL };
		for (int m = 0; m < 2; m++) {
			if (!msgs[m])
				continue;
			struct strbuf sb = STRBUF_INIT;
			sb_printf(&sb, "%s%s", prefix, msgs[m]);
			cJSON_AddItemToArray(fails, cJSON_CreateString(sb_str(&sb)));
			sb_free(&sb);
			ok = false;
		}
	}
	return ok;
}

static void print_text(const struct eval_cmd *c, const struct run *runs, size_t n)
{
	if (c->sweep == SWEEP_NONE) {
		printf("%s: %zu items, model %s, mode %s, top_k %d, max_context_tokens %d\n\n", c->golden_path,
		       c->set->n_items, c->model ? c->model : c->cli->cfg->routing.default_model,
		       retrieve_mode_name(c->mode), runs[0].top_k, runs[0].max_context);
		table_header(c->cli->cfg, "");
		for (int i = 0; i < 4; i++)
			if (i == 0 || runs[0].sum[i].items)
				table_row(c->cli->cfg, category_rows[i], &runs[0].sum[i]);
		printf("\n");
		print_checks(&runs[0].sum[0]);
		print_item_summaries(c, &runs[0]);
		print_comparison(&runs[0]);
		print_judge(c, runs, n);
		return;
	}
	printf("%s: %zu items, model %s, mode %s, sweep over %s\n\n", c->golden_path, c->set->n_items,
	       c->model ? c->model : c->cli->cfg->routing.default_model, retrieve_mode_name(c->mode),
	       sweep_name(c->sweep));
	table_header(c->cli->cfg, sweep_name(c->sweep));
	for (size_t i = 0; i < n; i++) {
		char name[32];
		format_value(c->values[i], name, sizeof name);
		table_row(c->cli->cfg, name, &runs[i].sum[0]);
	}
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		char v[32];
		format_value(c->values[i], v, sizeof v);
		printf("%s=%s: ", sweep_name(c->sweep), v);
		print_comparison(&runs[i]);
	}
	print_judge(c, runs, n);
}

static int report(const struct eval_cmd *c, const struct run *runs, size_t n)
{
	cJSON *fails = cJSON_CreateArray();
	bool ok = check_thresholds(c, runs, n, fails);
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "golden", c->golden_path);
		cJSON_AddStringToObject(o, "golden_hash", c->golden_hash);
		if (c->sweep != SWEEP_NONE)
			cJSON_AddStringToObject(o, "sweep", sweep_name(c->sweep));
		if (c->judge) {
			cJSON *j = cJSON_AddObjectToObject(o, "judge");
			cJSON_AddStringToObject(j, "model", judge_model(c->judge));
			cJSON_AddStringToObject(j, "prompt_version", JUDGE_EVAL_PROMPT_VERSION);
		}
		cJSON *sel = cJSON_AddArrayToObject(o, "metrics");
		for (size_t i = 0; i < c->cli->cfg->evaluation.n_metrics; i++)
			cJSON_AddItemToArray(sel, cJSON_CreateString(c->cli->cfg->evaluation.metrics[i]));
		cJSON *arr = cJSON_AddArrayToObject(o, "runs");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, run_json(c, &runs[i]));
		cJSON *th = cJSON_AddObjectToObject(o, "thresholds");
		cJSON_AddBoolToObject(th, "passed", ok);
		cJSON_AddItemToObject(th, "failures", cJSON_Duplicate(fails, true));
		cli_print_json(stdout, o);
		cJSON_Delete(o);
	} else {
		print_text(c, runs, n);
	}
	for (const cJSON *f = fails->child; f; f = f->next)
		log_error("threshold failed: %s", f->valuestring);
	cJSON_Delete(fails);
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* ---- command --------------------------------------------------------- */

/* The options and the GOLDEN file into c. Returns 0, or -1 with
 * *exit_code (help printed, or a usage error). */
static int parse_args(struct eval_cmd *c, int argc, char **argv, int *exit_code)
{
	const struct cli_opt opts[] = {
		{ .name = "model", .letter = 'm', .type = CLI_OPT_STRING, .dest = &c->model },
		{ .name = "top-k", .letter = 'k', .type = CLI_OPT_INT, .dest = &c->top_k, .min = 1, .max = 100,
		  .refused = "-k takes a number from 1 to 100, not '%s'" },
		{ .name = "sweep", .type = CLI_OPT_FUNC, .dest = c, .parse = parse_sweep,
		  .refused = "--sweep takes KEY=V,V,... with KEY top_k, max_context_tokens, rrf_k, vector_weight, "
		             "fts_weight, heading_weight, proximity_weight or archived_weight, values in the key's "
		             "range (at most " LITERAL(MAX_SWEEP) "), not '%s'" },
		{ .name = "mode", .type = CLI_OPT_FUNC, .dest = &c->mode, .parse = cli_opt_retrieve_mode,
		  .choices = CLI_RETRIEVE_MODES, .refused = "--mode takes hybrid, vector or fts, not '%s'" },
		{ .name = "json", .type = CLI_OPT_FLAG, .dest = &c->json },
		{ .name = "judge", .type = CLI_OPT_STRING, .dest = &c->judge_model },
		{ .complete = CLI_COMPLETE_PATH }, /* GOLDEN */
	};
	if (cli_options_parse(c->cli, "eval", eval_help, opts, argc, argv, exit_code) != 0)
		return -1;
	if (argc - optind != 1) {
		*exit_code = cli_usage_error(c->cli, "eval ", "eval needs exactly one GOLDEN file");
		return -1;
	}
	c->golden_path = argv[optind];
	return 0;
}

int cmd_eval(struct cli *cli, int argc, char **argv)
{
	struct eval_cmd c = { .cli = cli };
	struct run runs[MAX_SWEEP];
	struct embedder *embedder = NULL;
	size_t n_runs = 0;
	char err[ERR_LEN];
	int rc;
	if (parse_args(&c, argc, argv, &rc) != 0)
		return rc;
	rc = EXIT_FAIL;
	memset(runs, 0, sizeof runs);
	if (golden_load(c.golden_path, &c.set, err, sizeof err) != 0) {
		log_error("%s", err);
		goto cleanup;
	}
	c.golden_id = realpath(c.golden_path, NULL);
	eval_set_hash(c.set, c.golden_hash);
	if (cli_open_store(cli) != 0 || !(embedder = cli_embedder_or_log(cli, NULL, EMBED_FOR_QUERIES)))
		goto cleanup;
	if (c.judge_model && judge_new(cli->cfg, cli->store, c.judge_model, &c.judge, err, sizeof err) != 0) {
		rc = cli_usage_error(cli, "eval ", "--judge: %s", err);
		goto cleanup;
	}
	if (c.sweep == SWEEP_NONE)
		c.values[c.n_values++] = 0;
	for (; n_runs < c.n_values; n_runs++) {
		struct run *r = &runs[n_runs];
		r->cfg = *cli->cfg;
		if (c.top_k)
			r->cfg.routing.retrieval.top_k = c.top_k;
		r->value = c.values[n_runs];
		sweep_apply(c.sweep, r->value, &r->cfg);
		r->top_k = r->cfg.routing.retrieval.top_k;
		r->max_context = r->cfg.routing.retrieval.max_context_tokens;
		if (run_once(&c, embedder, r, err, sizeof err) != 0) {
			log_error("%s", err);
			n_runs++;
			goto cleanup;
		}
	}
	rc = report(&c, runs, n_runs);
cleanup:
	for (size_t i = 0; i < n_runs; i++) {
		eval_results_free(runs[i].res, runs[i].res ? c.set->n_items : 0);
		run_free(&runs[i]);
	}
	embed_free(&embedder);
	judge_free(&c.judge);
	golden_set_free(&c.set);
	free(c.golden_id);
	return rc;
}
