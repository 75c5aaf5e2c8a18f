/* worker: an ingest run on its own thread, with its own store connection,
 * reporting through a pipe the app's loop polls. The worker never touches
 * curses; the app reads its messages on the main thread. */
#ifndef RAGDECK_WORKER_H
#define RAGDECK_WORKER_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct embedder;
struct worker;

/* What the worker reports: progress while running, then one final message. */
struct worker_msg {
	bool done;
	int rc;                    /* final: 0 ok, -1 failed */
	size_t files_done, files_total, chunks;
	char text[256];            /* final: the summary or the error; else the current path */
};

/* Start ingesting path into the store at db_path with embedder (taken:
 * the worker frees it) and the ingest settings of cfg (borrowed: it must
 * outlive the worker). Returns 0 with *out set, or -1 with err (the
 * thread or the pipe could not be made; the embedder is freed). */
int worker_start_ingest(const char *db_path, const struct config *cfg, struct embedder *embedder,
                        const char *path, struct worker **out, char *err, size_t errlen);

/* The fd to poll for messages. */
int worker_fd(const struct worker *w);

/* Read the next message without blocking. Returns 1 with *m filled, 0 when
 * none is waiting. */
int worker_read(struct worker *w, struct worker_msg *m);

/* Wait for the thread to end and free w (NULL-safe); clears *w. */
void worker_free(struct worker **w);

#endif
