/* progress: a one-line progress bar on a terminal's stderr. */
#ifndef RAGDECK_PROGRESS_H
#define RAGDECK_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress_bar {
	bool enabled;          /* stderr is a terminal */
	uint64_t last_draw_us; /* redraws are throttled */
	int width;             /* columns of the last line drawn */
};

/* Enable the bar when stderr is a terminal. */
void progress_init(struct progress_bar *bar);

/* Draw "[#####-----] done/total files  x/y MB  n embeddings/s  $cost  ETA
 * m:ss" (the cost when there is one) unless drawn less than 100 ms ago
 * (force draws anyway). */
struct ingest_progress;
void progress_draw(struct progress_bar *bar, const struct ingest_progress *p, bool force);

/* Draw "[#####-----] done/total chunks  n embeddings/s  $cost  ETA m:ss"
 * for a re-embedding: embedded chunks were embedded by this run, in
 * elapsed_us. Throttled like progress_draw. */
void progress_draw_chunks(struct progress_bar *bar, uint64_t done, uint64_t total, uint64_t embedded,
                          uint64_t elapsed_us, double cost_usd, bool force);

/* A vec_file_progress_fn (store/vecfile.h) on the bar ud: "[###---]
 * writing the vector index  done/total vectors", throttled like
 * progress_draw; never stops the write. */
bool progress_vec_index(void *ud, size_t done, size_t total);

/* Erase the bar so a summary can follow. */
void progress_clear(struct progress_bar *bar);

#endif
