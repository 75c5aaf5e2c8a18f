/* clipboard: text to the terminal's clipboard through OSC 52.
 *
 * OSC 52 ("ESC ] 52 ; c ; <base64> BEL") asks the terminal to put text on
 * the system clipboard. It travels with the rest of the output, so it works
 * over SSH, and tmux takes it into its paste buffer (and on to the outer
 * terminal) with `set-clipboard on`. Terminals cap the sequence's size;
 * CLIPBOARD_MAX keeps under tmux's 1 MiB limit on one sequence. */
#ifndef RAGDECK_CLIPBOARD_H
#define RAGDECK_CLIPBOARD_H

#include <stddef.h>

/* The most text one copy sends. */
#define CLIPBOARD_MAX (512 * 1024)

/* The OSC 52 sequence that copies text[0..len) (at most CLIPBOARD_MAX
 * bytes), *out_len bytes, NUL-terminated; NULL when len is over the limit.
 * The text is sent as it is: the caller passes sanitized text. Caller
 * frees. */
char *clipboard_osc52(const char *text, size_t len, size_t *out_len);

#endif
