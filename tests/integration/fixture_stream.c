#include "tests/integration/fixture_stream.h"
#include "core/util/strbuf.h"

#include <string.h>

/* s as the inside of a JSON string. */
static void json_escaped(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_putc(sb, (char)c);
	}
}

/* The i-th word (1-based) of the answer with its leading space, escaped. */
static void token_text(struct strbuf *sb, const struct fixture_stream *sp, int i)
{
	if (strcmp(sp->fault, "flood") == 0) {
		for (int k = 0; k < 1024; k++)
			sb_putc(sb, (char)('a' + (i + k) % 26));
		return;
	}
	if (!sp->text) {
		sb_printf(sb, "%sw%d", i > 1 ? " " : "", i);
		return;
	}
	const char *p = sp->text;
	for (int w = 1; w < i; w++)
		p = strchr(p + 1, ' ');
	const char *end = strchr(p + 1, ' ');
	json_escaped(sb, p, end ? (size_t)(end - p) : strlen(p));
}

int fixture_count_words(const char *text)
{
	int n = 1;
	for (const char *p = text + 1; (p = strchr(p, ' ')) != NULL; p++)
		n++;
	return n;
}

/* The event that breaks the stream for faults that need one. */
static void fault_event(struct strbuf *sb, const struct fixture_stream *sp)
{
	if (strcmp(sp->fault, "error-mid") == 0) {
		if (sp->openai)
			sb_puts(sb, "data: {\"error\":{\"message\":\"fixture overloaded mid-stream\",\"type\":\"server_error\"}}\n\n");
		else
			sb_puts(sb, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
	} else if (strcmp(sp->fault, "malformed") == 0) {
		sb_puts(sb, sp->openai ? "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\n\n"
		                       : "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":\n\n");
	} else if (strcmp(sp->fault, "long-line") == 0) {
		sb_puts(sb, "data: ");
		for (int i = 0; i < 2 * 1024 * 1024; i++)
			sb_putc(sb, 'x');
		sb_puts(sb, "\n\n");
	}
}

static bool breaks_stream(const char *fault)
{
	return strcmp(fault, "error-mid") == 0 || strcmp(fault, "malformed") == 0 ||
	       strcmp(fault, "long-line") == 0;
}

/* The answer as text events "prefix TOKEN suffix"; with a fault that breaks
 * the stream, half of them and then the fault's event. Returns false then. */
static bool text_events(struct strbuf *sb, const struct fixture_stream *sp, const char *prefix,
                        const char *suffix)
{
	int stop = breaks_stream(sp->fault) ? sp->tokens / 2 : sp->tokens;
	for (int i = 1; i <= stop; i++) {
		sb_puts(sb, prefix);
		token_text(sb, sp, i);
		sb_puts(sb, suffix);
	}
	if (stop == sp->tokens)
		return true;
	fault_event(sb, sp);
	return false;
}

static void openai_stream(struct strbuf *sb, const struct fixture_stream *sp)
{
	if (!text_events(sb, sp, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"", "\"}}]}\n\n"))
		return;
	sb_printf(sb, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
	sb_printf(sb, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":%ld,\"completion_tokens\":%d}}\n\n",
	          sp->prompt_tokens, sp->tokens);
	sb_puts(sb, "data: [DONE]\n\n");
}

static void anthropic_stream(struct strbuf *sb, const struct fixture_stream *sp)
{
	sb_printf(sb, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":%ld,"
	          "\"output_tokens\":1}}}\n\n", sp->prompt_tokens);
	sb_puts(sb, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
	if (!text_events(sb, sp, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
	                         "\"delta\":{\"type\":\"text_delta\",\"text\":\"", "\"}}\n\n"))
		return;
	sb_puts(sb, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
	sb_printf(sb, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":%d}}\n\n", sp->tokens);
	sb_puts(sb, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

void fixture_stream_body(struct strbuf *sb, const struct fixture_stream *sp)
{
	if (sp->openai)
		openai_stream(sb, sp);
	else
		anthropic_stream(sb, sp);
}
