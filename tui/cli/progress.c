#include "tui/cli/progress.h"
#include "core/ingest/ingest.h"
#include "core/util/clock.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress_bar *bar)
{
	bar->enabled = isatty(STDERR_FILENO) == 1;
	bar->last_draw_us = 0;
	bar->width = 0;
}

/* Whether to draw now (at most every 100 ms unless forced). */
static bool due(struct progress_bar *bar, bool force)
{
	uint64_t now = clock_now_us();
	if (!bar->enabled || (!force && now - bar->last_draw_us < 100000))
		return false;
	bar->last_draw_us = now;
	return true;
}

/* "\r[####----] " and the rest of the line, padded over the last one. */
static void draw(struct progress_bar *bar, double frac, const char *rest)
{
	enum { BAR = 24 };
	int filled = (int)(frac * BAR + 0.5);
	char cells[BAR + 1];
	for (int i = 0; i < BAR; i++)
		cells[i] = i < filled ? '#' : '-';
	cells[BAR] = '\0';
	int n = fprintf(stderr, "\r[%s] %s ", cells, rest);
	if (n < bar->width)
		fprintf(stderr, "%*s", bar->width - n, "");
	bar->width = n;
	fflush(stderr);
}

/* "  n embeddings/s  $cost  ETA m:ss" */
static void rate_cost_eta(char *buf, size_t len, double frac, uint64_t embedded, uint64_t elapsed_us, double cost)
{
	double secs = (double)elapsed_us / 1e6;
	double rate = secs > 0 ? (double)embedded / secs : 0;
	double eta = frac > 0 ? secs / frac - secs : 0;
	char money[32] = "";
	if (cost > 0)
		snprintf(money, sizeof money, "  $%.4f", cost);
	snprintf(buf, len, "%.0f embeddings/s%s  ETA %d:%02d", rate, money, (int)eta / 60, (int)eta % 60);
}

void progress_draw(struct progress_bar *bar, const struct ingest_progress *p, bool force)
{
	if (!due(bar, force))
		return;
	double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total : 1.0;
	char tail[96], line[256];
	rate_cost_eta(tail, sizeof tail, frac, p->embedded, p->elapsed_us, p->cost_usd);
	snprintf(line, sizeof line, "%zu/%zu files  %.1f/%.1f MB  %s", p->files_done, p->files_total,
	         (double)p->bytes_done / 1e6, (double)p->bytes_total / 1e6, tail);
	draw(bar, frac, line);
}

void progress_draw_chunks(struct progress_bar *bar, uint64_t done, uint64_t total, uint64_t embedded,
                          uint64_t elapsed_us, double cost_usd, bool force)
{
	if (!due(bar, force))
		return;
	double frac = total ? (double)done / (double)total : 1.0;
	char tail[96], line[256];
	rate_cost_eta(tail, sizeof tail, frac, embedded, elapsed_us, cost_usd);
	snprintf(line, sizeof line, "%llu/%llu chunks  %s", (unsigned long long)done, (unsigned long long)total, tail);
	draw(bar, frac, line);
}

bool progress_vec_index(void *ud, size_t done, size_t total)
{
	struct progress_bar *bar = ud;
	if (due(bar, done == total)) {
		char line[128];
		snprintf(line, sizeof line, "writing the vector index  %zu/%zu vectors", done, total);
		draw(bar, total ? (double)done / (double)total : 1.0, line);
	}
	return true;
}

void progress_clear(struct progress_bar *bar)
{
	if (!bar->enabled || !bar->width)
		return;
	fprintf(stderr, "\r%*s\r", bar->width, "");
	bar->width = 0;
	fflush(stderr);
}
