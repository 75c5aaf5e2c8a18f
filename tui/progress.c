#include "tui/progress.h"
#include "core/util/clock.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress_bar *bar)
{
	bar->enabled = isatty(STDERR_FILENO) == 1;
	bar->last_draw_us = 0;
	bar->width = 0;
}

void progress_draw(struct progress_bar *bar, uint64_t done, uint64_t total, uint64_t bytes_done,
                   uint64_t bytes_total, uint64_t chunks, uint64_t elapsed_us, bool force)
{
	enum { BAR = 24 };
	uint64_t now = clock_now_us();
	if (!bar->enabled || (!force && now - bar->last_draw_us < 100000))
		return;
	bar->last_draw_us = now;
	double frac = bytes_total ? (double)bytes_done / (double)bytes_total : 1.0;
	int filled = (int)(frac * BAR + 0.5);
	char cells[BAR + 1];
	for (int i = 0; i < BAR; i++)
		cells[i] = i < filled ? '#' : '-';
	cells[BAR] = '\0';
	double secs = (double)elapsed_us / 1e6;
	double rate = secs > 0 ? (double)chunks / secs : 0;
	double eta = frac > 0 ? secs / frac - secs : 0;
	int n = fprintf(stderr, "\r[%s] %llu/%llu files  %.1f/%.1f MB  %.0f chunks/s  ETA %d:%02d ",
	                cells, (unsigned long long)done, (unsigned long long)total, (double)bytes_done / 1e6,
	                (double)bytes_total / 1e6, rate, (int)eta / 60, (int)eta % 60);
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
