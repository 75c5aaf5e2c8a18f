/* Unit tests for core/llm/sse: the incremental event stream parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/llm/sse.h"
#include "core/util/strbuf.h"

/* Every event and unknown field, one per line: "type|data|id|retry". */
struct log {
	struct strbuf sb;
	int stop_after;   /* stop parsing after this many events; 0: never */
	int events;
};

static int on_event(void *ud, const struct llm_sse_event *ev)
{
	struct log *l = ud;
	sb_printf(&l->sb, "%s|", ev->type);
	sb_append(&l->sb, ev->data, ev->data_len);
	sb_printf(&l->sb, "|%s|%ld\n", ev->id, ev->retry_ms);
	l->events++;
	return l->stop_after && l->events >= l->stop_after;
}

static int on_field(void *ud, const char *name, const char *value, size_t n)
{
	struct log *l = ud;
	sb_printf(&l->sb, "field %s=", name);
	sb_append(&l->sb, value, n);
	sb_putc(&l->sb, '\n');
	return 0;
}

static struct llm_sse *parser(struct log *l, size_t cap)
{
	struct llm_sse_callbacks cbs = { .on_event = on_event, .on_other_field = on_field, .ud = l };
	return llm_sse_new(&cbs, cap);
}

/* Parse s fed in pieces of at most step bytes (0: whole), then end. */
static char *parse_steps(const char *s, size_t len, size_t step)
{
	struct log l = { STRBUF_INIT, 0, 0 };
	struct llm_sse *p = parser(&l, 0);
	char err[256];
	if (step == 0)
		step = len;
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;
		assert_int_equal(llm_sse_feed(p, s + off, n, err, sizeof(err)), LLM_SSE_OK);
	}
	assert_int_equal(llm_sse_end(p, err, sizeof(err)), LLM_SSE_OK);
	llm_sse_free(&p);
	assert_null(p);
	return sb_detach(&l.sb, NULL);
}

static char *parse(const char *s)
{
	return parse_steps(s, strlen(s), 0);
}

static void lf_lines_dispatch_on_blank_line(void **state)
{
	(void)state;
	char *out = parse("data: hello\n\ndata: world\n\n");
	assert_string_equal(out, "message|hello||-1\nmessage|world||-1\n");
	free(out);
}

static void crlf_and_cr_endings_match_lf(void **state)
{
	(void)state;
	const char *lf = "event: a\ndata: 1\ndata: 2\n\n: c\ndata: 3\n\n";
	const char *crlf = "event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\r\ndata: 3\r\n\r\n";
	const char *cr = "event: a\rdata: 1\rdata: 2\r\r: c\rdata: 3\r\r";
	const char *mixed = "event: a\rdata: 1\r\ndata: 2\n\r\n: c\rdata: 3\n\r";
	char *want = parse(lf);
	assert_string_equal(want, "a|1\n2||-1\nmessage|3||-1\n");
	const char *others[] = { crlf, cr, mixed };
	for (size_t i = 0; i < 3; i++) {
		char *got = parse(others[i]);
		assert_string_equal(got, want);
		free(got);
	}
	free(want);
}

static void cr_then_lf_across_feeds_is_one_line_ending(void **state)
{
	(void)state;
	struct log l = { STRBUF_INIT, 0, 0 };
	struct llm_sse *p = parser(&l, 0);
	char err[128];
	assert_int_equal(llm_sse_feed(p, "data: a\r", 8, err, sizeof(err)), LLM_SSE_OK);
	assert_int_equal(llm_sse_feed(p, "\ndata: b\r", 9, err, sizeof(err)), LLM_SSE_OK);
	assert_int_equal(llm_sse_feed(p, "\n", 1, err, sizeof(err)), LLM_SSE_OK);
	assert_string_equal(sb_str(&l.sb), "");
	assert_int_equal(llm_sse_feed(p, "\r\n", 2, err, sizeof(err)), LLM_SSE_OK);
	assert_string_equal(sb_str(&l.sb), "message|a\nb||-1\n");
	llm_sse_free(&p);
	sb_free(&l.sb);
}

static void every_split_point_gives_the_same_events(void **state)
{
	(void)state;
	const char *s = "\xEF\xBB\xBF: comment\r\nid: 7\r\nevent: delta\r\ndata: {\"a\":\r\n"
			"data:1}\r\n\r\nretry: 1500\rdata\r\r\ndata:  two spaces\n\n"
			"error: {\"message\":\"boom\"}\n\n";
	size_t len = strlen(s);
	char *want = parse(s);
	assert_string_equal(want, "delta|{\"a\":\n1}|7|-1\nmessage||7|1500\n"
			    "message| two spaces|7|1500\nfield error={\"message\":\"boom\"}\n");
	for (size_t cut = 1; cut < len; cut++) {
		struct log l = { STRBUF_INIT, 0, 0 };
		struct llm_sse *p = parser(&l, 0);
		char err[128];
		assert_int_equal(llm_sse_feed(p, s, cut, err, sizeof(err)), LLM_SSE_OK);
		assert_int_equal(llm_sse_feed(p, s + cut, len - cut, err, sizeof(err)), LLM_SSE_OK);
		assert_string_equal(sb_str(&l.sb), want);
		llm_sse_free(&p);
		sb_free(&l.sb);
	}
	char *bytewise = parse_steps(s, len, 1);
	assert_string_equal(bytewise, want);
	free(bytewise);
	free(want);
}

static void comments_are_ignored(void **state)
{
	(void)state;
	char *out = parse(": ping\n:\ndata: x\n: inside\n\n: trailing\n\n");
	assert_string_equal(out, "message|x||-1\n");
	free(out);
}

static void only_one_leading_space_is_stripped(void **state)
{
	(void)state;
	char *out = parse("data:x\n\ndata: x\n\ndata:  x\n\ndata:\n\n");
	assert_string_equal(out, "message|x||-1\nmessage|x||-1\nmessage| x||-1\nmessage|||-1\n");
	free(out);
}

static void field_without_colon_has_empty_value(void **state)
{
	(void)state;
	char *out = parse("data\ndata\n\nevent\ndata: y\n\n");
	assert_string_equal(out, "message|\n||-1\nmessage|y||-1\n");
	free(out);
}

static void event_type_resets_after_each_dispatch(void **state)
{
	(void)state;
	char *out = parse("event: ping\ndata: 1\n\ndata: 2\n\nevent: gone\n\ndata: 3\n\n");
	assert_string_equal(out, "ping|1||-1\nmessage|2||-1\nmessage|3||-1\n");
	free(out);
}

static void id_persists_and_bad_retry_is_ignored(void **state)
{
	(void)state;
	char *out = parse("id: 1\nretry: 20\ndata: a\n\nretry: 3x\ndata: b\n\nid\ndata: c\n\n");
	assert_string_equal(out, "message|a|1|20\nmessage|b|1|20\nmessage|c||20\n");
	free(out);
}

static void blank_lines_without_data_dispatch_nothing(void **state)
{
	(void)state;
	char *out = parse("\n\n\nevent: x\n\nid: 5\n\n");
	assert_string_equal(out, "");
	free(out);
}

static void line_over_the_cap_ends_the_stream(void **state)
{
	(void)state;
	struct log l = { STRBUF_INIT, 0, 0 };
	struct llm_sse *p = parser(&l, 16);
	char err[160];
	/* exactly 16 bytes is allowed */
	assert_int_equal(llm_sse_feed(p, "data: 0123456789\n\n", 18, err, sizeof(err)), LLM_SSE_OK);
	assert_string_equal(sb_str(&l.sb), "message|0123456789||-1\n");
	assert_int_equal(llm_sse_feed(p, "data: 01234", 11, err, sizeof(err)), LLM_SSE_OK);
	assert_int_equal(llm_sse_feed(p, "567890", 6, err, sizeof(err)), LLM_SSE_ELINE);
	assert_string_equal(err, "event stream line longer than 16 bytes: stream ended "
			    "(the server sent no line break)");
	assert_int_equal(llm_sse_feed(p, "\n\n", 2, err, sizeof(err)), LLM_SSE_ELINE);
	assert_int_equal(llm_sse_end(p, err, sizeof(err)), LLM_SSE_ELINE);
	assert_string_equal(sb_str(&l.sb), "message|0123456789||-1\n");
	llm_sse_free(&p);
	sb_free(&l.sb);
}

static void line_over_the_cap_in_one_buffer_fails_too(void **state)
{
	(void)state;
	struct log l = { STRBUF_INIT, 0, 0 };
	struct llm_sse *p = parser(&l, 8);
	char err[160];
	assert_int_equal(llm_sse_feed(p, "data: abc\n\n", 11, err, sizeof(err)), LLM_SSE_ELINE);
	assert_string_equal(sb_str(&l.sb), "");
	llm_sse_free(&p);
	sb_free(&l.sb);
}

static void stop_from_callback_drops_the_rest(void **state)
{
	(void)state;
	struct log l = { STRBUF_INIT, 1, 0 };
	struct llm_sse *p = parser(&l, 0);
	char err[64];
	const char *s = "data: 1\n\ndata: 2\n\n";
	assert_int_equal(llm_sse_feed(p, s, strlen(s), err, sizeof(err)), LLM_SSE_STOPPED);
	assert_string_equal(sb_str(&l.sb), "message|1||-1\n");
	llm_sse_free(&p);
	sb_free(&l.sb);
}

static void bom_split_across_feeds_is_skipped(void **state)
{
	(void)state;
	char *out = parse_steps("\xEF\xBB\xBF" "data: x\n\n", 12, 1);
	assert_string_equal(out, "message|x||-1\n");
	free(out);
	/* a partial BOM is data, not skipped: the field name is then "\xEFdata" */
	char *odd = parse_steps("\xEF" "data: x\n\n", 10, 1);
	assert_string_equal(odd, "field \xEF" "data=x\n");
	free(odd);
}

static void end_dispatches_pending_event_and_drops_partial_line(void **state)
{
	(void)state;
	char *out = parse("data: [DONE]\n");
	assert_string_equal(out, "message|[DONE]||-1\n");
	free(out);
	char *partial = parse("data: 1\n\ndata: {\"trunc");
	assert_string_equal(partial, "message|1||-1\n");
	free(partial);
}

static void reset_forgets_state(void **state)
{
	(void)state;
	struct log l = { STRBUF_INIT, 0, 0 };
	struct llm_sse *p = parser(&l, 0);
	char err[64];
	assert_int_equal(llm_sse_feed(p, "id: 9\ndata: half", 16, err, sizeof(err)), LLM_SSE_OK);
	llm_sse_reset(p);
	assert_int_equal(llm_sse_feed(p, "data: new\n\n", 11, err, sizeof(err)), LLM_SSE_OK);
	assert_string_equal(sb_str(&l.sb), "message|new||-1\n");
	llm_sse_free(&p);
	sb_free(&l.sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lf_lines_dispatch_on_blank_line),
		cmocka_unit_test(crlf_and_cr_endings_match_lf),
		cmocka_unit_test(cr_then_lf_across_feeds_is_one_line_ending),
		cmocka_unit_test(every_split_point_gives_the_same_events),
		cmocka_unit_test(comments_are_ignored),
		cmocka_unit_test(only_one_leading_space_is_stripped),
		cmocka_unit_test(field_without_colon_has_empty_value),
		cmocka_unit_test(event_type_resets_after_each_dispatch),
		cmocka_unit_test(id_persists_and_bad_retry_is_ignored),
		cmocka_unit_test(blank_lines_without_data_dispatch_nothing),
		cmocka_unit_test(line_over_the_cap_ends_the_stream),
		cmocka_unit_test(line_over_the_cap_in_one_buffer_fails_too),
		cmocka_unit_test(stop_from_callback_drops_the_rest),
		cmocka_unit_test(bom_split_across_feeds_is_skipped),
		cmocka_unit_test(end_dispatches_pending_event_and_drops_partial_line),
		cmocka_unit_test(reset_forgets_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
