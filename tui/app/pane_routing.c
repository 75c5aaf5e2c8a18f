/* pane_routing: the shown turn's routing decision, its fallback hops, and
 * the health of the providers along its chain. */
#include "tui/app/pane.h"
#include "core/llm/breaker.h"
#include "core/config/config.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"

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
 * call's tokens, time and cost) or why not, one row per part of the line
 * (summary_report_describe separates them by "; "), the later ones
 * indented. Nothing when nothing was summarized. */
static void summary_line(WINDOW *w, int *y, int h, int width, const struct summary_report *s)
{
	struct strbuf line = STRBUF_INIT;
	summary_report_describe(s, &line);
	enum theme_elem e = s->used ? THEME_OK : THEME_WARN;
	const char *p = line.len ? line.buf : NULL;
	for (bool first = true; p && *y < h - 1; first = false) {
		const char *end = strstr(p, "; ");
		int n = end ? (int)(end - p) : (int)strlen(p);
		screen_printf(w, (*y)++, 1, width, e, "%s%.*s", first ? "" : "  ", n, p);
		p = end ? end + 2 : NULL;
	}
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
	for (size_t i = 0; i < d->n_signals && y < h - 1; i++)
		screen_printf(w, y++, 1, width, THEME_DIM, "  %s = %.2f (+%.2f) %s", d->signals[i].name,
		              d->signals[i].value, d->signals[i].contribution,
		              d->signals[i].evidence ? d->signals[i].evidence : "");
	for (size_t i = 0; i < r->n_hops && y < h - 1; i++)
		screen_printf(w, y++, 1, width, THEME_WARN, "skipped %s: %s", r->hops[i].model,
		              r->hops[i].reason);
	summary_line(w, &y, h, width, &r->summary);
	health(p->host, w, &y, h, width, d);
}

const struct pane_ops pane_routing = {
	.draw = routing_draw,
};
