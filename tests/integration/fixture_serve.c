/* fixture_serve: the fixture server as a program, for tests that drive the
 * real ragdeck binary (shell and tmux suites).
 *
 *   fixture_serve [--flavor openai|anthropic] [--tokens N] [--text TEXT]
 *                 [--delay-ms MS] [--head-delay-ms MS] [--reset-after N]
 *                 [--status CODE] [--retry-after S] [--error-body TEXT]
 *                 [--fault NAME] [--script FILE] [--log FILE] [--summarize]
 *                 [--log-dir DIR]
 *
 * Streams "w1 w2 ... wN" as N text events (or the words of TEXT, which may
 * hold any bytes: it is JSON-escaped), usage in the last event, one event
 * per write with MS between writes. --reset-after cuts the connection after
 * N events; --head-delay-ms waits before the status line; --status answers
 * with an error body first (TEXT of --error-body, else a JSON error), then
 * the stream, for retry tests. --fault changes the stream itself:
 *   bytes       the stream one byte per write
 *   error-mid   half the tokens, then the provider's in-stream error event
 *   malformed   half the tokens, then an event whose JSON is cut short
 *   long-line   half the tokens, then a 2 MiB line (over the parser's cap)
 *   wrong-type  200 with Content-Type text/html and an HTML page
 *   flood       5 MiB of answer in 1 KiB tokens (past ragdeck's 4 MiB cap)
 * --script FILE answers the i-th request with line i of FILE (the last line
 * repeats): a line is the text of a whole streamed reply, like --text, or
 * "!CODE" for an HTTP error CODE with a JSON error body (the delays apply
 * to every line). --log FILE appends each request's body to FILE as one
 * line as the request arrives, so a test counts and reads the requests.
 * --summarize answers like a summarizer that quotes: for each block
 * "<<<context NONCE [n]>>>" of the request's last message, the first
 * sentence of its text (at most 30 words) ending in " [n].", one per line,
 * with the request's bytes / 4 as its input tokens. --log-dir writes each
 * request's body to DIR/request-N.json (N from 1) before answering it.
 * Prints its base URL ("http://127.0.0.1:PORT/v1" for openai) on one line,
 * then serves until stdin reaches end of file. */
#include "tests/integration/fixture_server.h"
#include "tests/integration/fixture_stream.h"
#include "core/util/strbuf.h"

#include "core/util/fs.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define MAX_SCRIPT 64

/* The replies of a --script file, one per line, with the stream options
 * of sp (its text replaced by each line). Returns how many, 0 when the
 * file cannot be read or holds a line --text would refuse. */
static size_t script_replies(const char *path, struct fixture_stream sp, const struct fixture_response *like,
                             struct fixture_response *out, struct strbuf *bodies)
{
	char *text = NULL, why[256];
	size_t len = 0, n = 0;
	if (fs_read_file(path, 0, &text, &len, why, sizeof why) != 0) {
		fprintf(stderr, "fixture_serve: %s: %s\n", path, why);
		return 0;
	}
	for (char *line = strtok(text, "\n"); line && n < MAX_SCRIPT; line = strtok(NULL, "\n")) {
		out[n] = *like;
		if (line[0] == '!') {
			out[n].status = atoi(line + 1);
			out[n].content_type = "application/json";
			out[n].body = "{\"error\":{\"message\":\"fixture scripted error\",\"type\":\"server_error\"}}";
			out[n].split_events = 0;
			out[n].framing = FIXTURE_LENGTH;
			n++;
			continue;
		}
		if (line[0] == ' ') {
			n = 0;
			break;
		}
		sp.text = line;
		sp.tokens = fixture_count_words(line);
		fixture_stream_body(&bodies[n], &sp);
		out[n].body = bodies[n].buf;
		n++;
	}
	free(text);
	return n;
}

/* The text of the last message of a chat request body; NULL when none. */
static const char *last_message(const cJSON *root)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
	const cJSON *last = cJSON_IsArray(msgs) ? cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1) : NULL;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(last, "content");
	return cJSON_IsString(content) ? content->valuestring : NULL;
}

/* Append to sb the first sentence of the first prose line of text[0..len)
 * (one of four words or more, not a heading, a table row or a fence), at
 * most 30 words, its final period dropped. */
static void first_sentence(struct strbuf *sb, const char *text, size_t len)
{
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, words = 0;
		const char *line = text + at;
		bool prose = end > at && !strchr("#|`>", line[0]);
		size_t cut = at;
		for (size_t i = at; prose && i < end && words < 30; i++) {
			if (text[i] == '.' && (i + 1 == end || text[i + 1] == ' '))
				break;
			words += text[i] != ' ' && (i == at || text[i - 1] == ' ');
			cut = i + 1;
		}
		if (prose && words >= 4) {
			sb_append(sb, line, cut - at);
			return;
		}
		at = end + 1;
	}
}

/* A quoting summary of the request's fenced blocks, as --summarize says. */
static void summarize_blocks(const char *msg, struct strbuf *out)
{
	for (const char *p = strstr(msg, "<<<context "); p; p = strstr(p + 1, "<<<context ")) {
		const char *num = strstr(p, " [");
		const char *label = num ? strchr(num, '\n') : NULL;
		const char *text = label ? strchr(label + 1, '\n') : NULL;
		const char *end = text ? strstr(text, "\n<<<end ") : NULL;
		if (!end)
			break;
		struct strbuf line = STRBUF_INIT;
		first_sentence(&line, text + 1, (size_t)(end - text - 1));
		if (line.len)
			sb_printf(out, "%s [%d].\n", line.buf, atoi(num + 2));
		sb_free(&line);
	}
}

/* What the server answers the requests of one script entry with. */
struct responder {
	struct fixture_stream spec;  /* for --summarize */
	const char *log_dir;      /* NULL: no log */
	bool summarize;           /* build the summary; else send the entry's body */
	int *seen;                /* requests so far, of every entry */
	struct strbuf body;
};

static const char *respond(void *ud, const struct fixture_request *req)
{
	struct responder *r = ud;
	int n = ++*r->seen;
	if (r->log_dir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/request-%d.json", r->log_dir, n);
		FILE *f = fopen(path, "w");
		if (f) {
			fwrite(req->body, 1, req->body_len, f);
			fclose(f);
		}
	}
	if (!r->summarize)
		return NULL;
	cJSON *root = cJSON_Parse(req->body);
	const char *msg = last_message(root);
	struct strbuf text = STRBUF_INIT;
	if (msg)
		summarize_blocks(msg, &text);
	while (text.len && text.buf[text.len - 1] == '\n')
		text.len--;
	struct fixture_stream sp = r->spec;
	sp.text = text.len ? sb_str(&text) : NULL;
	sp.tokens = text.len ? fixture_count_words(sp.text) : 0;
	sp.prompt_tokens = (long)(req->body_len / 4);
	sb_reset(&r->body);
	fixture_stream_body(&r->body, &sp);
	sb_free(&text);
	cJSON_Delete(root);
	return sb_str(&r->body);
}

static const char *const faults[] = { "", "bytes", "error-mid", "malformed", "long-line", "wrong-type", "flood" };

int main(int argc, char **argv)
{
	const char *flavor = "openai", *error_body = NULL, *script_path = NULL, *log_path = NULL;
	struct fixture_stream sp = { .tokens = 20, .fault = "", .prompt_tokens = 321 };
	int seen = 0;
	struct responder rsp = { .seen = &seen }, rsp_error;
	int status = 0, reset_events = -1;
	unsigned delay = 0, head_delay = 0;
	char retry_header[64] = "";
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--summarize") == 0) {
			rsp.summarize = true;
			i--;
			continue;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "fixture_serve: %s needs a value\n", argv[i]);
			return 2;
		}
		if (strcmp(argv[i], "--flavor") == 0)
			flavor = argv[i + 1];
		else if (strcmp(argv[i], "--tokens") == 0)
			sp.tokens = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--text") == 0)
			sp.text = argv[i + 1];
		else if (strcmp(argv[i], "--delay-ms") == 0)
			delay = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--head-delay-ms") == 0)
			head_delay = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--reset-after") == 0)
			reset_events = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--status") == 0)
			status = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--retry-after") == 0)
			snprintf(retry_header, sizeof retry_header, "Retry-After: %s\r\n", argv[i + 1]);
		else if (strcmp(argv[i], "--error-body") == 0)
			error_body = argv[i + 1];
		else if (strcmp(argv[i], "--fault") == 0)
			sp.fault = argv[i + 1];
		else if (strcmp(argv[i], "--script") == 0)
			script_path = argv[i + 1];
		else if (strcmp(argv[i], "--log") == 0)
			log_path = argv[i + 1];
		else if (strcmp(argv[i], "--log-dir") == 0)
			rsp.log_dir = argv[i + 1];
		else {
			fprintf(stderr, "fixture_serve: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	size_t nfaults = sizeof faults / sizeof faults[0], f = 0;
	while (f < nfaults && strcmp(faults[f], sp.fault) != 0)
		f++;
	if (f == nfaults || (sp.text && (!*sp.text || sp.text[0] == ' '))) {
		fprintf(stderr, "fixture_serve: unknown --fault %s or empty --text\n", sp.fault);
		return 2;
	}
	if (sp.text)
		sp.tokens = fixture_count_words(sp.text);
	if (strcmp(sp.fault, "flood") == 0)
		sp.tokens = 5 * 1024;
	struct strbuf body = STRBUF_INIT;
	sp.openai = strcmp(flavor, "openai") == 0;
	fixture_stream_body(&body, &sp);
	bool wrong_type = strcmp(sp.fault, "wrong-type") == 0;
	rsp.spec = sp;
	rsp_error = (struct responder){ .log_dir = rsp.log_dir, .seen = &seen };
	struct fixture_response script[2] = {
		{ .status = status, .content_type = error_body ? "text/html" : "application/json",
		  .headers = retry_header,
		  .body = error_body ? error_body : "{\"error\":{\"message\":\"fixture error\",\"type\":\"server_error\"}}",
		  .reset_after = -1, .respond = respond, .respond_ud = &rsp_error },
		{ .content_type = wrong_type ? "text/html" : "text/event-stream", .framing = FIXTURE_CHUNKED,
		  .body = wrong_type ? "<html><body><h1>Welcome to nginx!</h1></body></html>\n" : body.buf,
		  .split_events = strcmp(sp.fault, "bytes") != 0, .piece = strcmp(sp.fault, "bytes") == 0,
		  .delay_ms = delay, .head_delay_ms = head_delay,
		  .reset_after = reset_events >= 0 ? event_offset(body.buf, reset_events + (sp.openai ? 0 : 2)) : -1,
		  .respond = respond, .respond_ud = &rsp },
	};
	struct fixture_response scripted[MAX_SCRIPT + 1];
	struct strbuf bodies[MAX_SCRIPT] = { STRBUF_INIT };
	size_t n_scripted = 0;
	if (script_path) {
		scripted[0] = script[0];
		n_scripted = script_replies(script_path, sp, &script[1], scripted + 1, bodies);
		if (!n_scripted) {
			fprintf(stderr, "fixture_serve: --script %s holds no usable reply\n", script_path);
			return 2;
		}
	}
	struct fixture_server *s = script_path ? fixture_start(scripted + !status, n_scripted + (status != 0))
	                           : status ? fixture_start(script, 2) : fixture_start(script + 1, 1);
	if (log_path)
		fixture_log_requests(s, log_path);
	printf("%s%s\n", fixture_url(s), sp.openai ? "/v1" : "");
	fflush(stdout);
	char buf[256];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	fixture_stop(&s);
	sb_free(&body);
	for (size_t i = 0; i < MAX_SCRIPT; i++)
		sb_free(&bodies[i]);
	sb_free(&rsp.body);
	return 0;
}
