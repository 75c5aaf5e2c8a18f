/* cmdline_complete: Tab on the ':' command line — a word completed among
 * candidates (command names, stored paths), without curses. */
#ifndef RAGDECK_CMDLINE_COMPLETE_H
#define RAGDECK_CMDLINE_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util/strbuf.h"

/* Matches a completion keeps for the status line. */
#define CMDLINE_COMPLETE_SHOWN 5

struct cmdline_completion {
	size_t n_matches;
	const char *shown[CMDLINE_COMPLETE_SHOWN]; /* the first matches, into the
	                                            * candidates; n_matches may be more */
	struct strbuf common;      /* the matches' longest common prefix: word, or
	                            * longer when they agree on more */
};

/* Complete word among cands[0..n). A candidate matches when it starts with
 * word or, with by_segment (paths), holds word right after a '/': it then
 * stands for the rest of the path from there ("ref" matches "/kb/refunds.md"
 * as "refunds.md"), at its first such place. An empty word matches every
 * candidate whole. Fills out (free with cmdline_completion_free) and returns
 * its n_matches. */
size_t cmdline_complete(const char *word, const char *const *cands, size_t n, bool by_segment,
                        struct cmdline_completion *out);
void cmdline_completion_free(struct cmdline_completion *c);

#endif
