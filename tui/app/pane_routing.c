/* pane_routing: the shown turn's routing decision, its fallback hops, and
 * the health of the providers along its chain. */
#include "tui/app/pane.h"
#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

#include <stdlib.h>
#include <string.h>

static void health(struct pane_host *host, WINDOW *w, int *y, int h, int width, const struct router_decision *d)
{
	if (d->n_chain == 0)
		return;
	struct breaker_candidate c[16];
	size_t n = d->n_chain < 16 ? d->n_chain : 16;
	char buf[96];
	breaker_candidates_from_config(host->cfg, (const char *const *)d->chain, n, c);
	for (size_t i = 0; i < n && *y < h - 1; i++) {
		const char *state;
		enum theme_elem e = THEME_OK;
		if (!c[i].provider) {
			state = "no provider";
			e = THEME_WARN;
		} else if (c[i].key_env && !c[i].key_set) {
			snprintf(buf, sizeof buf, "missing key %s", c[i].key_env);
			state = buf;
			e = THEME_WARN;
		} else {
			state = breaker_describe(host->breakers, c[i].provider, clock_now_us() / 1000, buf,
			                         sizeof buf);
			if (strcmp(state, "available") != 0)
				e = THEME_WARN;
		}
		screen_printf(w, (*y)++, 1, width, e, "%zu. %s: %s", i + 1, c[i].model, state);
	}
}

/* What became of the chunks left out for budget: summarized (with the
 * call's tokens, time and cost) or why not. The parts of the line
 * (summary_report_describe separates them by "; ") start rows of their
 * own, the later ones indented, each wrapped to the pane. Nothing when
 * nothing was summarized. */
static void summary_lines(WINDOW *w, int *y, int h, int width, const struct summary_report *s)
{
	struct strbuf line = STRBUF_INIT, rows = STRBUF_INIT;
	summary_report_describe(s, &line);
	for (const char *p = line.buf; p && *p;) {
		const char *end = strstr(p, "; ");
		sb_printf(&rows, "%s%.*s", rows.len ? "\n  " : "", end ? (int)(end - p) : (int)strlen(p), p);
		p = end ? end + 2 : NULL;
	}
	size_t len;
	char *text = utf8_sanitize(sb_str(&rows), rows.len, &len);
	struct wrap *wr = wrap_new();
	wrap_set_markdown(wr, false);
	wrap_layout(wr, text, len, width);
	enum theme_elem e = s->used ? THEME_OK : THEME_WARN;
	for (size_t i = 0; i < wrap_row_count(wr) && *y < h - 1; i++, (*y)++) {
		size_t n;
		const struct wrap_run *runs = wrap_row_runs(wr, i, &n);
		int x = 1 + (int)wrap_row(wr, i)->indent;
		for (size_t r = 0; r < n && x <= width; r++)
			x += screen_put(w, *y, x, width + 1 - x, wrap_run_text(wr, text, &runs[r]), runs[r].len, e);
	}
	wrap_free(&wr);
	free(text);
	sb_free(&rows);
	sb_free(&line);
}

static void routing_draw(struct pane *p, WINDOW *w, bool focused)
{
	int h, wd, y = 1;
	const struct turn_record *r = host_record(p->host);
	getmaxyx(w, h, wd);
	screen_frame(w, "4 routing", focused);
	int width = wd - 2;
	if (h < 3 || width <= 0)
		return;
	if (!r) {
		screen_printf(w, y, 1, width, THEME_DIM, "no decision yet");
		return;
	}
	const struct router_decision *d = &r->decision;
	screen_printf(w, y++, 1, width, THEME_TITLE, "%s -> %s (%s)", router_path_name(d->path),
	              r->model ? r->model : "", d->rule ? d->rule : "no rule");
	if (d->sentence && y < h - 1)
		screen_printf(w, y++, 1, width, THEME_NORMAL, "%s", d->sentence);
	/* What the context became comes before the signals that chose it. */
	summary_lines(w, &y, h, width, &r->summary);
	for (size_t i = 0; i < d->n_signals && y < h - 1; i++)
		screen_printf(w, y++, 1, width, THEME_DIM, "  %s = %.2f (+%.2f) %s", d->signals[i].name,
		              d->signals[i].value, d->signals[i].contribution,
		              d->signals[i].evidence ? d->signals[i].evidence : "");
	for (size_t i = 0; i < r->n_hops && y < h - 1; i++)
		screen_printf(w, y++, 1, width, THEME_WARN, "skipped %s: %s", r->hops[i].model,
		              r->hops[i].reason);
	health(p->host, w, &y, h, width, d);
}

const struct pane_ops pane_routing = {
	.draw = routing_draw,
};
