/* pane_eval: an evaluation run from the app (:eval GOLDEN) — its progress
 * while the worker runs it, then the metric table overall and per
 * category with the change since the previous stored run, the regressed
 * items, and the items; Enter on an item shows its question and why it
 * failed, and puts its retrieved chunks in the context pane. */
#include "tui/app/pane.h"
#include "core/config/config.h"
#include "tui/app/worker.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eval_view {
	char *golden;                /* NULL until a run starts: the pane is hidden */
	bool running;                /* the worker runs it */
	size_t done, total;
	char current[256];           /* the item just finished */
	struct worker_eval *ev;      /* NULL while running or after a failure */
	int sel, scroll;
	bool drill;
	struct turn_record rec;      /* the drilled item for the context pane (borrowed parts) */
};

static const char *const column_names[WORKER_EVAL_ROWS] = { "overall", "factual", "struct", "hybrid" };

#define LABEL_W 10
#define COL_W 9

static void *eval_create(struct pane_host *h)
{
	(void)h;
	return xcalloc(1, sizeof(struct eval_view));
}

/* Drop the run's results and name. */
static void eval_clear(struct eval_view *v)
{
	worker_eval_free(&v->ev);
	free(v->golden);
	memset(v, 0, sizeof *v);
}

static void eval_destroy(void *state)
{
	struct eval_view *v = state;
	if (!v)
		return;
	eval_clear(v);
	free(v);
}

void pane_eval_begin(struct pane *p, const char *golden)
{
	struct eval_view *v = p->state;
	/* The context pane may show an item of the run about to be dropped. */
	host_show_item(p->host, NULL);
	eval_clear(v);
	v->golden = xstrdup(golden);
	v->running = true;
}

void pane_eval_progress(struct pane *p, const struct worker_msg *m)
{
	struct eval_view *v = p->state;
	v->done = m->n_done;
	v->total = m->n_total;
	snprintf(v->current, sizeof v->current, "%s", m->text);
}

void pane_eval_done(struct pane *p, struct worker_eval *ev, const struct worker_msg *m)
{
	struct eval_view *v = p->state;
	v->running = false;
	v->ev = ev;
	v->done = m->n_done;
	v->total = m->n_total;
}

bool pane_eval_shown(const struct pane *p)
{
	const struct eval_view *v = p->state;
	return v->golden != NULL;
}

/* Drawing ---------------------------------------------------------------- */

static const cJSON *json_at(const cJSON *o, const char *a, const char *b, const char *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (c)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	return v;
}

static double json_num(const cJSON *o, const char *a, const char *b, const char *c)
{
	const cJSON *v = json_at(o, a, b, c);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Share of the format checks (JSON, schema, regex) that passed; 1 when
 * none was checked. */
static double format_rate(const struct eval_summary *s)
{
	size_t n = 0, ok = 0;
	for (int k = EVAL_IS_JSON; k <= EVAL_REGEX; k++) {
		n += s->checked[k];
		ok += s->check_passed[k];
	}
	return n ? (double)ok / (double)n : 1.0;
}

static double prev_format_rate(const cJSON *p)
{
	double n = 0, ok = 0;
	for (int k = EVAL_IS_JSON; k <= EVAL_REGEX; k++) {
		const char *name = eval_check_name((enum eval_check_kind)k);
		n += json_num(p, "checks", name, "checked");
		ok += json_num(p, "checks", name, "passed");
	}
	return n > 0 ? ok / n : 1.0;
}

enum metric { M_PASSED, M_RECALL, M_MRR, M_NDCG, M_HALLU, M_FORMAT, M_P95, M_COST, M_COUNT };

static const char *const metric_names[M_COUNT] = {
	"passed", "recall@k", "MRR@10", "nDCG@10", "halluc", "format", "p95 ms", "$/query",
};

/* The evaluation.metrics name that shows each row (passed always shows). */
static const char *const metric_keys[M_COUNT] = {
	NULL, "recall_at_k", "mrr", "ndcg", "hallucination_score", "format_compliance", "latency_p95", "token_cost",
};

static double metric(const struct eval_summary *s, enum metric m)
{
	switch (m) {
	case M_PASSED: return s->items ? (double)s->passed / (double)s->items : 0;
	case M_RECALL: return s->recall_k;
	case M_MRR: return s->mrr10;
	case M_NDCG: return s->ndcg10;
	case M_HALLU: return s->m.grounding_mean;
	case M_FORMAT: return format_rate(s);
	case M_P95: return (double)s->m.span[METRICS_SPAN_TOTAL].p95 / 1e3;
	case M_COST: return s->m.cost_per_query;
	default: return 0;
	}
}

static double prev_metric(const cJSON *p, enum metric m)
{
	double items = json_num(p, "items", NULL, NULL);
	switch (m) {
	case M_PASSED: return items > 0 ? json_num(p, "passed", NULL, NULL) / items : 0;
	case M_RECALL: return json_num(p, "retrieval", "recall_k", NULL);
	case M_MRR: return json_num(p, "retrieval", "mrr10", NULL);
	case M_NDCG: return json_num(p, "retrieval", "ndcg10", NULL);
	case M_HALLU: return json_num(p, "grounding", "hallucination_score", NULL);
	case M_FORMAT: return prev_format_rate(p);
	case M_P95: return json_num(p, "latency_ms", metrics_span_name(METRICS_SPAN_TOTAL), "p95");
	case M_COST: return json_num(p, "cost_usd", "per_query", NULL);
	default: return 0;
	}
}

static void put_value(WINDOW *w, int y, int x, int cols, enum metric m, double v, bool delta)
{
	const char *fmt = m == M_P95 ? (delta ? "%+*.1f" : "%*.1f")
	                : m == M_COST ? (delta ? "%+*.5f" : "%*.5f")
	                : (delta ? "%+*.3f" : "%*.3f");
	enum theme_elem e = THEME_NORMAL;
	if (delta) {
		/* Lower is better for latency and cost. */
		double good = m == M_P95 || m == M_COST ? -v : v;
		e = good > 1e-9 ? THEME_OK : good < -1e-9 ? THEME_ALERT : THEME_DIM;
	}
	screen_printf(w, y, x, cols, e, fmt, COL_W - 1, v);
}

/* The table: a row per metric, a column per category with items, then
 * the change of the overall value since the previous run. Returns the
 * rows used. */
static int draw_table(WINDOW *w, int y, int width, int rows, const struct worker_eval *ev,
                      const struct config *cfg)
{
	int x = 1 + LABEL_W;
	int used = 0;
	if (rows <= 0)
		return 0;
	screen_printf(w, y, 1, LABEL_W, THEME_TITLE, "%-*s", LABEL_W, "metric");
	for (int c = 0; c < WORKER_EVAL_ROWS; c++) {
		if (c > 0 && ev->sum[c].items == 0)
			continue;
		screen_printf(w, y, x, width + 1 - x, THEME_TITLE, "%*s", COL_W - 1, column_names[c]);
		x += COL_W;
	}
	if (ev->prev_summary)
		screen_printf(w, y, x, width + 1 - x, THEME_TITLE, "%*s", COL_W - 1, "Δ prev");
	used++;
	for (int m = 0; m < M_COUNT && used < rows; m++) {
		if (metric_keys[m] && !config_metric_on(cfg, metric_keys[m]))
			continue;
		x = 1 + LABEL_W;
		screen_printf(w, y + used, 1, LABEL_W, THEME_NORMAL, "%-*s", LABEL_W, metric_names[m]);
		for (int c = 0; c < WORKER_EVAL_ROWS; c++) {
			if (c > 0 && ev->sum[c].items == 0)
				continue;
			put_value(w, y + used, x, width + 1 - x, (enum metric)m, metric(&ev->sum[c], (enum metric)m),
			          false);
			x += COL_W;
		}
		if (ev->prev_summary)
			put_value(w, y + used, x, width + 1 - x, (enum metric)m,
			          metric(&ev->sum[0], (enum metric)m) - prev_metric(ev->prev_summary, (enum metric)m),
			          true);
		used++;
	}
	return used;
}

static int draw_regressions(WINDOW *w, int y, int width, const struct worker_eval *ev)
{
	struct strbuf sb = STRBUF_INIT;
	enum theme_elem e = THEME_DIM;
	if (!ev->prev_id) {
		sb_printf(&sb, "run %lld: the first run of this set with these parameters",
		          (long long)ev->run_id);
	} else if (cJSON_GetArraySize(ev->regressions) == 0) {
		sb_printf(&sb, "run %lld vs run %lld: no item regressed", (long long)ev->run_id,
		          (long long)ev->prev_id);
	} else {
		sb_printf(&sb, "run %lld vs run %lld: regressed", (long long)ev->run_id, (long long)ev->prev_id);
		for (const cJSON *r = ev->regressions->child; r; r = r->next) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
			sb_printf(&sb, " %s", cJSON_IsString(id) ? id->valuestring : "?");
		}
		e = THEME_WARN;
	}
	screen_put_raw(w, y, 1, width, sb_str(&sb), sb.len, e);
	sb_free(&sb);
	return 1;
}

static bool regressed(const struct worker_eval *ev, const char *id)
{
	for (const cJSON *r = ev->regressions ? ev->regressions->child : NULL; r; r = r->next) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, "id");
		if (cJSON_IsString(x) && strcmp(x->valuestring, id) == 0)
			return true;
	}
	return false;
}

static void draw_items(struct eval_view *v, WINDOW *w, int y, int width, int rows)
{
	const struct worker_eval *ev = v->ev;
	int n = (int)ev->set->n_items;
	if (rows <= 0)
		return;
	if (v->sel < v->scroll)
		v->scroll = v->sel;
	if (v->sel >= v->scroll + rows)
		v->scroll = v->sel - rows + 1;
	for (int k = 0; k < rows && v->scroll + k < n; k++) {
		int i = v->scroll + k;
		const struct eval_item_result *r = &ev->res[i];
		bool sel = i == v->sel;
		int x = 1;
		x += screen_printf(w, y + k, x, width, sel ? THEME_SELECTION : r->passed ? THEME_OK : THEME_ALERT,
		                   "%s ", r->passed ? "pass" : "FAIL");
		x += screen_printf(w, y + k, x, width + 1 - x, sel ? THEME_SELECTION : THEME_NORMAL, "%-28s %-10s",
		                   r->item->id, golden_category_name(r->item->category));
		if (r->retrieval.defined)
			x += screen_printf(w, y + k, x, width + 1 - x, THEME_DIM, " R@k %.2f", r->retrieval.recall_k);
		if (regressed(ev, r->item->id))
			screen_printf(w, y + k, x, width + 1 - x, THEME_WARN, "  regressed");
	}
}

/* Why item r failed, one reason per line, into sb. */
static void failure_reasons(const struct eval_item_result *r, struct strbuf *sb)
{
	const struct golden_item *it = r->item;
	if (r->outcome != LLM_OUTCOME_OK)
		sb_printf(sb, "the turn did not answer: %s %s\n", llm_outcome_name(r->outcome), r->error);
	for (int k = 0; k < EVAL_N_CHECKS; k++) {
		if (r->check[k] != EVAL_CHECK_FAIL)
			continue;
		sb_printf(sb, "check %s failed: ", eval_check_name((enum eval_check_kind)k));
		if (k == EVAL_IS_JSON)
			sb_puts(sb, "the answer is not a JSON object\n");
		else if (k == EVAL_SCHEMA)
			sb_puts(sb, "the JSON does not match the item's schema\n");
		else if (k == EVAL_REGEX)
			sb_printf(sb, "the answer does not match /%s/\n", it->pattern ? it->pattern : "");
		else
			for (size_t i = 0; i < it->n_must_contain; i++)
				sb_printf(sb, "%s\"%s\"%s", i ? ", " : "expects ", it->must_contain[i],
				          i + 1 == it->n_must_contain ? "\n" : "");
	}
	if (r->retrieval.defined && r->retrieval.recall_k < 1.0)
		for (size_t i = 0; i < it->n_relevant; i++)
			sb_printf(sb, "expected source %s:%d-%d (recall@k %.2f)\n", it->relevant[i].path,
			          it->relevant[i].line_start, it->relevant[i].line_end, r->retrieval.recall_k);
}

static void draw_drill(struct eval_view *v, WINDOW *w, int y, int width, int rows)
{
	const struct eval_item_result *r = &v->ev->res[v->sel];
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "item %s (%s): %s\n", r->item->id, golden_category_name(r->item->category),
	          r->passed ? "passed" : "failed");
	sb_printf(&sb, "question: %s\n", r->item->question);
	failure_reasons(r, &sb);
	sb_printf(&sb, "answer (%s): %s\n", r->model ? r->model : "?", r->answer ? r->answer : "");
	sb_printf(&sb, "%zu chunks retrieved: 2 shows them in the context pane; Enter goes back\n",
	          v->ev->res[v->sel].hits.n_hits);
	const char *p = sb_str(&sb);
	for (int k = 0; k < rows && *p; k++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		screen_put_raw(w, y + k, 1, width, p, len, k < 2 ? THEME_NORMAL : THEME_DIM);
		p += len + (nl ? 1 : 0);
	}
	sb_free(&sb);
}

static void draw_progress(const struct eval_view *v, WINDOW *w, int y, int width)
{
	int bar = width - 30 > 40 ? 40 : width - 30;
	int x = 1;
	if (bar > 4) {
		int fill = v->total ? (int)((size_t)bar * v->done / v->total) : 0;
		char cells[64];
		memset(cells, '#', (size_t)fill);
		memset(cells + fill, '.', (size_t)(bar - fill));
		cells[bar] = '\0';
		x += screen_printf(w, y, x, width, THEME_BAR_LLM, "[%s] ", cells);
	}
	x += screen_printf(w, y, x, width + 1 - x, THEME_NORMAL, "%zu/%zu items ", v->done, v->total);
	screen_printf(w, y, x, width + 1 - x, THEME_DIM, "%s", v->current);
}

static void eval_draw(struct pane *p, WINDOW *w, bool focused)
{
	struct eval_view *v = p->state;
	int h, wd;
	getmaxyx(w, h, wd);
	screen_frame(w, "5 eval", focused);
	int inner_h = h - 2, width = wd - 2, y = 1;
	if (inner_h <= 0 || width <= 0 || !v->golden)
		return;
	if (!v->ev) {
		screen_printf(w, y++, 1, width, THEME_TITLE, "%s", v->golden);
		if (v->running)
			draw_progress(v, w, y, width);
		else
			screen_printf(w, y, 1, width, THEME_ALERT, "the evaluation failed: see the status line");
		return;
	}
	const struct worker_eval *ev = v->ev;
	screen_printf(w, y++, 1, width, THEME_TITLE, "%s: %zu items, %zu passed", v->golden, ev->set->n_items,
	              ev->sum[0].passed);
	y += draw_table(w, y, width, inner_h - y + 1, ev, p->host->cfg);
	if (y > inner_h)
		return;
	y += draw_regressions(w, y, width, ev);
	if (y + 1 > inner_h || ev->set->n_items == 0)
		return;
	y++;
	if (v->drill)
		draw_drill(v, w, y, width, inner_h - y + 1);
	else
		draw_items(v, w, y, width, inner_h - y + 1);
}

/* Keys ------------------------------------------------------------------- */

/* Show item sel's chunks in the context pane. */
static void drill(struct pane_host *h, struct eval_view *v)
{
	const struct eval_item_result *r = &v->ev->res[v->sel];
	memset(&v->rec, 0, sizeof v->rec);
	v->rec.question = r->item->question;
	v->rec.model = r->model;
	v->rec.answer = r->answer;
	v->rec.retrieval = v->ev->res[v->sel].hits;
	host_show_item(h, &v->rec);
}

static enum overlay_reply eval_command(struct pane *p, enum keys_cmd cmd)
{
	struct eval_view *v = p->state;
	if (!v->ev || v->ev->set->n_items == 0)
		return OVERLAY_PASS;
	int n = (int)v->ev->set->n_items;
	switch (cmd) {
	case KEYS_CMD_SCROLL_UP: v->sel--; break;
	case KEYS_CMD_SCROLL_DOWN: v->sel++; break;
	case KEYS_CMD_PAGE_UP: v->sel -= 5; break;
	case KEYS_CMD_PAGE_DOWN: v->sel += 5; break;
	case KEYS_CMD_SCROLL_TOP: v->sel = 0; break;
	case KEYS_CMD_SCROLL_BOTTOM: v->sel = n - 1; break;
	case KEYS_CMD_OPEN_CHUNK: case KEYS_CMD_SUBMIT: v->drill = !v->drill; break;
	default: return OVERLAY_PASS;
	}
	v->sel = v->sel < 0 ? 0 : v->sel >= n ? n - 1 : v->sel;
	if (v->drill)
		drill(p->host, v);
	return OVERLAY_TAKEN;
}

const struct pane_ops pane_eval = {
	.create = eval_create,
	.destroy = eval_destroy,
	.draw = eval_draw,
	.command = eval_command,
};
