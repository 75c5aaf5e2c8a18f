/* query_input: a question and the words of the end of its input. */
#include "core/search/query_input.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

void query_with_input(struct strbuf *sb, const char *question, const char *input, size_t len)
{
	sb_puts(sb, question);
	if (!len)
		return;
	size_t at = len > QUERY_INPUT_BYTES ? len - QUERY_INPUT_BYTES : 0;
	const char *nl = at ? memchr(input + at, '\n', len - at) : NULL;
	if (nl)
		at = (size_t)(nl - input) + 1;
	sb_putc(sb, '\n');
	while (at < len) {
		size_t end = at;
		bool letter = false;
		while (end < len && !isspace((unsigned char)input[end])) {
			letter |= isalpha((unsigned char)input[end]) || (unsigned char)input[end] >= 0x80;
			end++;
		}
		if (letter) {
			sb_append(sb, input + at, end - at);
			sb_putc(sb, ' ');
		}
		for (at = end; at < len && isspace((unsigned char)input[at]);)
			at++;
	}
}
