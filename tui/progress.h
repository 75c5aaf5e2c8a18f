/* progress: a one-line progress bar on a terminal's stderr. */
#ifndef RAGDECK_PROGRESS_H
#define RAGDECK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress_bar {
	bool enabled;          /* stderr is a terminal */
	uint64_t last_draw_us; /* redraws are throttled */
	int width;             /* columns of the last line drawn */
};

/* Enable the bar when stderr is a terminal. */
void progress_init(struct progress_bar *bar);

/* Draw "[#####-----] done/total files  x/y MB  n chunks/s  ETA m:ss" unless
 * drawn less than 100 ms ago (force draws anyway). */
void progress_draw(struct progress_bar *bar, uint64_t done, uint64_t total, uint64_t bytes_done,
                   uint64_t bytes_total, uint64_t chunks, uint64_t elapsed_us, bool force);

/* Erase the bar so a summary can follow. */
void progress_clear(struct progress_bar *bar);

#endif
