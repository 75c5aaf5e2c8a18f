/* fixture_serve: the fixture server as a program, for tests that drive the
 * real ragdeck binary (shell and tmux suites).
 *
 *   fixture_serve [--flavor openai|anthropic] [--tokens N] [--delay-ms MS]
 *                 [--reset-after N] [--status CODE] [--retry-after S]
 *
 * Streams "w1 w2 ... wN" as N text events (usage in the last event), one
 * event per write with MS between writes; --reset-after cuts the connection
 * after N events; --status answers with an error body first (then the
 * stream, for retry tests). Prints its base URL ("http://127.0.0.1:PORT/v1"
 * for openai) on one line, then serves until stdin reaches end of file. */
#include "tests/integration/fixture_server.h"
#include "core/util/strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void openai_stream(struct strbuf *sb, int tokens)
{
	for (int i = 1; i <= tokens; i++)
		sb_printf(sb, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%sw%d\"}}]}\n\n",
		          i > 1 ? " " : "", i);
	sb_printf(sb, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
	sb_printf(sb, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":321,\"completion_tokens\":%d}}\n\n", tokens);
	sb_puts(sb, "data: [DONE]\n\n");
}

static void anthropic_stream(struct strbuf *sb, int tokens)
{
	sb_puts(sb, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":321,\"output_tokens\":1}}}\n\n");
	sb_puts(sb, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
	for (int i = 1; i <= tokens; i++)
		sb_printf(sb, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%sw%d\"}}\n\n",
		          i > 1 ? " " : "", i);
	sb_puts(sb, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
	sb_printf(sb, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":%d}}\n\n", tokens);
	sb_puts(sb, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

/* Byte offset just past the n-th event of body. */
static long event_offset(const char *body, int n)
{
	const char *p = body;
	for (int i = 0; i < n && p; i++) {
		p = strstr(p, "\n\n");
		if (p)
			p += 2;
	}
	return p ? (long)(p - body) : -1;
}

int main(int argc, char **argv)
{
	const char *flavor = "openai";
	int tokens = 20, status = 0, reset_events = -1;
	unsigned delay = 0;
	char retry_header[64] = "";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--flavor") == 0)
			flavor = argv[i + 1];
		else if (strcmp(argv[i], "--tokens") == 0)
			tokens = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--delay-ms") == 0)
			delay = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--reset-after") == 0)
			reset_events = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--status") == 0)
			status = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--retry-after") == 0)
			snprintf(retry_header, sizeof retry_header, "Retry-After: %s\r\n", argv[i + 1]);
		else {
			fprintf(stderr, "fixture_serve: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct strbuf body = STRBUF_INIT;
	bool openai = strcmp(flavor, "openai") == 0;
	if (openai)
		openai_stream(&body, tokens);
	else
		anthropic_stream(&body, tokens);
	struct fixture_response script[2] = {
		{ .status = status, .content_type = "application/json", .headers = retry_header,
		  .body = "{\"error\":{\"message\":\"fixture error\",\"type\":\"server_error\"}}",
		  .reset_after = -1 },
		{ .content_type = "text/event-stream", .framing = FIXTURE_CHUNKED, .body = body.buf,
		  .split_events = 1, .delay_ms = delay,
		  .reset_after = reset_events >= 0 ? event_offset(body.buf, reset_events + (openai ? 0 : 2)) : -1 },
	};
	struct fixture_server *s = status ? fixture_start(script, 2) : fixture_start(script + 1, 1);
	printf("%s%s\n", fixture_url(s), openai ? "/v1" : "");
	fflush(stdout);
	char buf[256];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	fixture_stop(&s);
	sb_free(&body);
	return 0;
}
