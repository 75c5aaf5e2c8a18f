/* fuzz_sse: the event-stream parser on arbitrary bytes. The first byte picks
 * where the rest is split into two feeds; the events and unknown fields seen
 * must be the same as with one feed and, for short inputs, with one feed per
 * byte (the parser accepts a split anywhere). */
#include "tests/fuzz/fuzz.h"
#include "core/llm/sse.h"
#include "core/util/strbuf.h"

#include <string.h>

/* Everything the callbacks saw, as one transcript. */
static int record_event(void *ud, const struct llm_sse_event *ev)
{
	struct strbuf *log = ud;
	FUZZ_CHECK(ev->type != NULL && ev->data != NULL && ev->id != NULL);
	FUZZ_CHECK(ev->data[ev->data_len] == '\0');
	FUZZ_CHECK(ev->retry_ms >= -1);
	sb_printf(log, "event %s id %s retry %ld data %zu:", ev->type, ev->id, ev->retry_ms,
		  ev->data_len);
	sb_append(log, ev->data, ev->data_len);
	sb_putc(log, '\n');
	return 0;
}

static int record_field(void *ud, const char *name, const char *value, size_t value_len)
{
	struct strbuf *log = ud;
	FUZZ_CHECK(name != NULL && value != NULL);
	FUZZ_CHECK(value[value_len] == '\0');
	sb_printf(log, "field %s %zu:", name, value_len);
	sb_append(log, value, value_len);
	sb_putc(log, '\n');
	return 0;
}

/* Parse buf[0..len) fed in pieces of at most step bytes (0: one piece at
 * split, then the rest) and return the transcript. */
static void parse(const char *buf, size_t len, size_t split, size_t step, struct strbuf *log)
{
	struct llm_sse_callbacks cbs = {
		.on_event = record_event, .on_other_field = record_field, .ud = log,
	};
	struct llm_sse *p = llm_sse_new(&cbs, 0);
	char err[256];
	size_t at = 0;
	while (at < len) {
		size_t n = step ? step : (at < split ? split - at : len - at);
		if (n > len - at)
			n = len - at;
		FUZZ_CHECK(llm_sse_feed(p, buf + at, n, err, sizeof(err)) == LLM_SSE_OK);
		at += n;
	}
	FUZZ_CHECK(llm_sse_end(p, err, sizeof(err)) == LLM_SSE_OK);
	llm_sse_free(&p);
	FUZZ_CHECK(p == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	size_t split = len * data[0] / 255;
	struct strbuf whole = STRBUF_INIT, halves = STRBUF_INIT, bytes = STRBUF_INIT;
	parse(buf, len, len, 0, &whole);
	parse(buf, len, split, 0, &halves);
	FUZZ_CHECK(whole.len == halves.len);
	FUZZ_CHECK(memcmp(sb_str(&whole), sb_str(&halves), whole.len) == 0);
	if (len <= 4096) {
		parse(buf, len, 0, 1, &bytes);
		FUZZ_CHECK(whole.len == bytes.len);
		FUZZ_CHECK(memcmp(sb_str(&whole), sb_str(&bytes), whole.len) == 0);
	}
	sb_free(&whole);
	sb_free(&halves);
	sb_free(&bytes);
	return 0;
}
