#include "tui/progress.h"
#include "core/ingest.h"
#include "core/util/clock.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress_bar *bar)
{
	bar->enabled = isatty(STDERR_FILENO) == 1;
	bar->last_draw_us = 0;
	bar->width = 0;
}

void progress_draw(struct progress_bar *bar, const struct ingest_progress *p, bool force)
{
	enum { BAR = 24 };
	uint64_t now = clock_now_us();
	if (!bar->enabled || (!force && now - bar->last_draw_us < 100000))
		return;
	bar->last_draw_us = now;
	double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total : 1.0;
	int filled = (int)(frac * BAR + 0.5);
	char cells[BAR + 1];
	for (int i = 0; i < BAR; i++)
		cells[i] = i < filled ? '#' : '-';
	cells[BAR] = '\0';
	double secs = (double)p->elapsed_us / 1e6;
	double rate = secs > 0 ? (double)p->embedded / secs : 0;
	double eta = frac > 0 ? secs / frac - secs : 0;
	char cost[32] = "";
	if (p->cost_usd > 0)
		snprintf(cost, sizeof cost, "  $%.4f", p->cost_usd);
	int n = fprintf(stderr, "\r[%s] %zu/%zu files  %.1f/%.1f MB  %.0f embeddings/s%s  ETA %d:%02d ", cells,
	                p->files_done, p->files_total, (double)p->bytes_done / 1e6, (double)p->bytes_total / 1e6,
	                rate, cost, (int)eta / 60, (int)eta % 60);
	if (n < bar->width)
		fprintf(stderr, "%*s", bar->width - n, "");
	bar->width = n;
	fflush(stderr);
}

void progress_clear(struct progress_bar *bar)
{
	if (!bar->enabled || !bar->width)
		return;
	fprintf(stderr, "\r%*s\r", bar->width, "");
	bar->width = 0;
	fflush(stderr);
}
