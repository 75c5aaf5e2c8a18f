/* pane_dashboard: latency percentiles, a sparkline of recent turns, the
 * per-stage bar, tokens, cost and counts; alerts in the alert style. */
#include "tui/app/pane.h"
#include "core/config/config.h"
#include "core/util/clock.h"

#include <string.h>

static const char *const spark[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static void sparkline(WINDOW *w, int y, int x, int cols, const struct app_totals *t)
{
	size_t n = t->n_latency < APP_LATENCIES ? t->n_latency : APP_LATENCIES;
	size_t show = n < (size_t)cols ? n : (size_t)cols;
	uint64_t max = 1;
	for (size_t i = n - show; i < n; i++) {
		uint64_t v = t->latency_ms[(t->n_latency - n + i) % APP_LATENCIES];
		if (v > max)
			max = v;
	}
	for (size_t i = n - show; i < n; i++) {
		uint64_t v = t->latency_ms[(t->n_latency - n + i) % APP_LATENCIES];
		const char *g = spark[v * 7 / max];
		screen_put(w, y, x++, 1, g, strlen(g), THEME_SPARKLINE);
	}
}

/* One stage of the bar: its share of width in its colour. */
static int bar_part(WINDOW *w, int y, int x, int width, uint64_t us, uint64_t total,
                    enum theme_elem e)
{
	int cols = total ? (int)((double)us / (double)total * width + 0.5) : 0;
	for (int i = 0; i < cols; i++)
		screen_put(w, y, x + i, 1, "█", strlen("█"), e);
	return cols;
}

static void stage_bar(WINDOW *w, int y, int width, const struct turn_record *r)
{
	const struct retrieve_timings *t = &r->retrieval.us;
	uint64_t llm = r->ttft_us + r->generation_us;
	uint64_t total = t->embed_us + t->vector_us + t->fts_us + llm;
	int x = 1;
	x += bar_part(w, y, x, width, t->embed_us, total, THEME_BAR_EMBED);
	x += bar_part(w, y, x, width, t->vector_us, total, THEME_BAR_VECTOR);
	x += bar_part(w, y, x, width, t->fts_us, total, THEME_BAR_FTS);
	bar_part(w, y, x, width - (x - 1), llm, total - t->embed_us - t->vector_us - t->fts_us,
	         THEME_BAR_LLM);
	screen_printf(w, y + 1, 1, width, THEME_DIM, "embed %.1f vector %.1f fts %.1f llm %.0f ms",
	              (double)t->embed_us / 1e3, (double)t->vector_us / 1e3, (double)t->fts_us / 1e3,
	              (double)llm / 1e3);
}

static void dashboard_draw(struct pane *p, WINDOW *w, bool focused)
{
	int h, wd, y = 1;
	struct metrics_summary s;
	struct metrics_alerts al;
	struct pane_host *host = p->host;
	const struct turn_record *r = host_record(host);
	const struct app_totals *t = &host->totals;
	getmaxyx(w, h, wd);
	screen_frame(w, "3 dashboard", focused);
	int width = wd - 2;
	if (h < 3 || width <= 0)
		return;
	metrics_window_summary(host->window, METRICS_LAST_N, clock_unix_now() * 1000, &s);
	metrics_alerts_check(&s, host->cfg, &al);
	const struct metrics_pct *pct = &s.span[METRICS_SPAN_TOTAL];
	screen_printf(w, y++, 1, width, al.latency ? THEME_ALERT : THEME_NORMAL,
	              "%stotal p50 %.0f  p95 %.0f  p99 %.0f ms  (%zu turns)", al.latency ? "ALERT " : "",
	              (double)pct->p50 / 1e3, (double)pct->p95 / 1e3, (double)pct->p99 / 1e3, pct->n);
	if (al.latency && y < h - 1)
		screen_printf(w, y++, 1, width, THEME_ALERT, "%s", al.latency_msg);
	if (al.grounding && y < h - 1)
		screen_printf(w, y++, 1, width, THEME_ALERT, "ALERT %s", al.grounding_msg);
	if (y < h - 1) {
		int x = 1 + screen_printf(w, y, 1, width, THEME_DIM, "recent ");
		sparkline(w, y++, x, width - x, t);
	}
	if (y < h - 1)
		screen_printf(w, y++, 1, width, THEME_NORMAL, "tokens %ld in / %ld out", t->tokens_in,
		              t->tokens_out);
	if (y < h - 1)
		screen_printf(w, y++, 1, width, THEME_NORMAL, "cost %s$%.6f/query  session $%.6f",
		              t->cost_known ? "" : "(no price) ", t->turns ? t->cost / (double)t->turns : 0.0,
		              t->cost);
	if (s.n_grounded && y < h - 1)
		screen_printf(w, y++, 1, width, THEME_NORMAL,
		              "grounding %.2f  unsupported sentences %.2f/answer", s.grounding_mean,
		              s.unsupported_mean);
	if (y < h - 1)
		screen_printf(w, y++, 1, width, t->errors ? THEME_WARN : THEME_NORMAL,
		              "errors %zu  interrupted %zu  fallbacks %zu", t->errors, t->interrupted,
		              t->fallbacks);
	if (r && y + 1 < h - 1)
		stage_bar(w, y, width, r);
}

const struct pane_ops pane_dashboard = {
	.draw = dashboard_draw,
};
