/* overlay: the stack of modal views over the app's body (help, the session
 * list, the chunk viewer), without curses.
 *
 * The app draws only the top item (each covers the whole body) and offers
 * a command to the top item before anything else; the item answers what
 * it did with it, and an item that answers OVERLAY_CLOSE is popped. Items
 * are opaque here: the stack owns them and frees each with the destroy
 * function it was made with. Each item has a kind (any pointer that names
 * what it is, the app uses its ops table): pushing an item of the kind on
 * top replaces that item rather than stacking a second one. */
#ifndef RAGDECK_OVERLAY_H
#define RAGDECK_OVERLAY_H

#include <stddef.h>

#include "tui/ui/keys.h"

/* What an item did with a command. */
enum overlay_reply {
	OVERLAY_PASS,    /* not its command: the app handles it as if no overlay were open */
	OVERLAY_TAKEN,   /* handled */
	OVERLAY_CLOSE,   /* handled, and the item is done: pop it */
};

struct overlay_stack;

/* Handle cmd for item. */
typedef enum overlay_reply (*overlay_handler)(void *item, enum keys_cmd cmd);

/* A new empty stack whose items are freed with destroy (called with the
 * item; never with NULL). Caller frees with overlay_stack_free. */
struct overlay_stack *overlay_stack_new(void (*destroy)(void *item));

/* Free every item, top first, then the stack (NULL-safe); clears *s. */
void overlay_stack_free(struct overlay_stack **s);

/* Put item (taken) of kind on top; the top item is popped first when it
 * is of the same kind. */
void overlay_stack_push(struct overlay_stack *s, const void *kind, void *item);

/* The top item, or NULL when the stack is empty. */
void *overlay_stack_top(const struct overlay_stack *s);

/* How many items are open. */
size_t overlay_stack_depth(const struct overlay_stack *s);

/* Offer cmd to the top item through handle and pop it when it answers
 * OVERLAY_CLOSE. Returns its answer; OVERLAY_PASS when the stack is
 * empty. */
enum overlay_reply overlay_stack_offer(struct overlay_stack *s, enum keys_cmd cmd,
                                       overlay_handler handle);

#endif
