/* overlay: the stack of modal views over the app's body. */
#include "tui/ui/overlay.h"
#include "core/util/xalloc.h"

#include <stdlib.h>

struct overlay_entry {
	const void *kind;
	void *item;
};

struct overlay_stack {
	struct overlay_entry *e;
	size_t n;
	void (*destroy)(void *item);
};

/* Pop and free the top item of a stack that has one. */
static void pop(struct overlay_stack *s)
{
	s->n--;
	s->destroy(s->e[s->n].item);
}

struct overlay_stack *overlay_stack_new(void (*destroy)(void *item))
{
	struct overlay_stack *s = xcalloc(1, sizeof *s);
	s->destroy = destroy;
	return s;
}

void overlay_stack_free(struct overlay_stack **sp)
{
	struct overlay_stack *s = sp ? *sp : NULL;
	if (!s)
		return;
	while (s->n)
		pop(s);
	free(s->e);
	free(s);
	*sp = NULL;
}

void overlay_stack_push(struct overlay_stack *s, const void *kind, void *item)
{
	if (s->n && s->e[s->n - 1].kind == kind)
		pop(s);
	s->e = xreallocarray(s->e, s->n + 1, sizeof *s->e);
	s->e[s->n++] = (struct overlay_entry){ .kind = kind, .item = item };
}

void *overlay_stack_top(const struct overlay_stack *s)
{
	return s->n ? s->e[s->n - 1].item : NULL;
}

size_t overlay_stack_depth(const struct overlay_stack *s)
{
	return s->n;
}

enum overlay_reply overlay_stack_offer(struct overlay_stack *s, enum keys_cmd cmd,
                                       overlay_handler handle)
{
	if (!s->n)
		return OVERLAY_PASS;
	enum overlay_reply r = handle(s->e[s->n - 1].item, cmd);
	if (r == OVERLAY_CLOSE)
		pop(s);
	return r;
}
