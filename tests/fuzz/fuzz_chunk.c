/* fuzz_chunk: chunk_text over utf8_repair'd arbitrary bytes, in Markdown and
 * in code mode. The first two bytes pick the target and overlap sizes. Every
 * chunk must lie in the text, be trimmed and non-empty, start and end on
 * UTF-8 boundaries, carry the line numbers and token count of its bytes and
 * a heading path; chunks come in document order and together cover every
 * non-space byte. */
#include "tests/fuzz/fuzz.h"
#include "core/ingest/chunk.h"
#include "core/util/tokens.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdbool.h>
#include <string.h>

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_boundary(const char *t, size_t len, size_t pos)
{
	return pos == len || ((unsigned char)t[pos] & 0xC0) != 0x80;
}

static void check_chunks(const char *t, size_t len, const struct chunk_list *l)
{
	char *covered = xcalloc(len + 1, 1);
	int line = 1;          /* line of byte pos */
	size_t pos = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct chunk *c = &l->items[i];
		FUZZ_CHECK(c->byte_start < c->byte_end && c->byte_end <= len);
		FUZZ_CHECK(!is_ws(t[c->byte_start]) && !is_ws(t[c->byte_end - 1]));
		FUZZ_CHECK(is_boundary(t, len, c->byte_start) && is_boundary(t, len, c->byte_end));
		FUZZ_CHECK(c->tokens == tokens_estimate(t + c->byte_start, c->byte_end - c->byte_start));
		FUZZ_CHECK(c->heading_path != NULL);
		if (i > 0) {
			FUZZ_CHECK(c->byte_start > l->items[i - 1].byte_start);
			FUZZ_CHECK(c->byte_end > l->items[i - 1].byte_end);
		}
		/* byte_start only grows, so one forward scan counts the lines */
		for (; pos < c->byte_start; pos++)
			line += t[pos] == '\n';
		FUZZ_CHECK(c->line_start == line);
		int end_line = line;
		for (size_t j = c->byte_start; j < c->byte_end - 1; j++)
			end_line += t[j] == '\n';
		FUZZ_CHECK(c->line_end == end_line);
		memset(covered + c->byte_start, 1, c->byte_end - c->byte_start);
	}
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(is_ws(t[i]) || covered[i]);
	free(covered);
}

static void run(const char *t, size_t len, int target, int overlap, bool code)
{
	struct chunk_opts o = {
		.target_tokens = target, .overlap_tokens = overlap, .markdown = !code, .code = code,
	};
	struct chunk_list l = { 0 };
	char err[256] = "";
	FUZZ_CHECK(chunk_text(t, len, &o, &l, err, sizeof(err)) == 0);
	check_chunks(t, len, &l);
	chunk_list_free(&l);
	FUZZ_CHECK(l.n == 0 && l.items == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int target = 1 + data[0] * 2;
	int overlap = data[1] % (target + 1);
	size_t len = 0;
	char *t = utf8_repair((const char *)data + 2, size - 2, &len, NULL);
	run(t, len, target, overlap, false);
	run(t, len, target, overlap, true);
	free(t);
	return 0;
}
