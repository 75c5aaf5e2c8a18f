/* paste: a bracketed paste's body: the end marker and line breaks. */
#include "tui/ui/paste.h"

#include <string.h>

#define MARKER_LEN (sizeof PASTE_END_MARKER - 1)

void paste_begin(struct paste *p)
{
	sb_reset(&p->text);
	p->held = 0;
	p->after_cr = false;
}

static void put(struct paste *p, char c)
{
	bool lf_of_crlf = c == '\n' && p->after_cr;
	p->after_cr = c == '\r';
	if (!lf_of_crlf)
		sb_putc(&p->text, c == '\r' ? '\n' : c);
}

size_t paste_feed(struct paste *p, const char *buf, size_t len, bool *done)
{
	*done = false;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == PASTE_END_MARKER[p->held]) {
			if (++p->held == MARKER_LEN) {
				p->held = 0;
				*done = true;
				return i + 1;
			}
			continue;
		}
		/* Only the marker's first byte is an ESC, so a mismatch gives back
		 * what was held and this byte may start the marker again. */
		for (size_t k = 0; k < p->held; k++)
			put(p, PASTE_END_MARKER[k]);
		p->held = buf[i] == PASTE_END_MARKER[0];
		if (!p->held)
			put(p, buf[i]);
	}
	return len;
}

void paste_free(struct paste *p)
{
	sb_free(&p->text);
}
