/* pane: a pane's lifecycle and its commands, whatever the pane. */
#include "tui/app/pane.h"
#include "core/util/xalloc.h"

#include <stdlib.h>

struct pane *pane_new(const struct pane_ops *ops, struct pane_host *h, void *state)
{
	struct pane *p = xcalloc(1, sizeof *p);
	p->ops = ops;
	p->host = h;
	p->state = state || !ops->create ? state : ops->create(h);
	return p;
}

void pane_free(struct pane **pp)
{
	struct pane *p = pp ? *pp : NULL;
	if (!p)
		return;
	if (p->ops->destroy)
		p->ops->destroy(p->state);
	free(p);
	*pp = NULL;
}

enum overlay_reply pane_command(struct pane *p, enum keys_cmd cmd)
{
	return p->ops->command ? p->ops->command(p, cmd) : OVERLAY_PASS;
}
