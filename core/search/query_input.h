/* query_input: the search text for a question asked with input beside it
 * (a log piped into ragdeck ask or search). */
#ifndef RAGDECK_QUERY_INPUT_H
#define RAGDECK_QUERY_INPUT_H

#include <stddef.h>

#include "core/util/strbuf.h"

/* How much of the end of the input joins the question. */
#define QUERY_INPUT_BYTES 1024

/* Append question to sb, then, when len > 0, a newline and the words of
 * the end of input[0..len): its last QUERY_INPUT_BYTES at most, from a
 * line start (the end of a log is where its error is). Words without a
 * letter (timestamps, counts, addresses) are left out: they belong to one
 * machine's run, not to the documents; codes such as DW-1012 or
 * 0x80070005 stay. */
void query_with_input(struct strbuf *sb, const char *question, const char *input, size_t len);

#endif
