/* router_int: what router.c and router_cues.c share. Not for other modules. */
#ifndef RAGDECK_ROUTER_INT_H
#define RAGDECK_ROUTER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/answer/router.h"

/* A growing list of signals. */
struct router_sigs {
	struct router_signal *v;
	size_t n;
};

/* Append a signal; evidence (may be NULL) is taken over. */
void router_sigs_add(struct router_sigs *s, const char *name, enum router_axis axis, double value,
                     double contribution, char *evidence);

/* The built-in cue lists, compiled once per router. */
struct router_cues;

/* Compile the cue lists; never NULL. Free with router_cues_free. */
struct router_cues *router_cues_new(void);
void router_cues_free(struct router_cues **c);

/* What the text alone says, besides its signals. */
struct router_text {
	bool small_talk;
	bool arithmetic;
	bool conversation;   /* about the conversation itself */
	char *what;    /* the greeting or the expression; owned */
};

/* Append the text signals of question to out and fill t. Free t with
 * router_text_free. */
void router_cues_measure(const struct router_cues *c, const char *question, struct router_sigs *out,
                         struct router_text *t);
void router_text_free(struct router_text *t);

#endif
