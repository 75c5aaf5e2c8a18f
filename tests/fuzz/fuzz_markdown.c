/* fuzz_markdown: Markdown answers laid out as they stream, on arbitrary
 * bytes. The first byte picks the width (1 to 80) and the second the token
 * size the text streams in (1 to 64 bytes). Properties:
 * - laying the text out token by token ends with exactly the rows, runs and
 *   citations of laying it out whole (the streaming shortcut is exact);
 * - a run's bytes are whole characters of the text or of the layout's own,
 *   its columns are theirs, and a row's columns add up;
 * - no row is wider than the width, except one holding a single cluster
 *   wider than the width, at widths of 2 and more;
 * - every citation points at a citation run at its row and column;
 * - a code block's copy text holds only the text's bytes. */
#include "tests/fuzz/fuzz.h"
#include "core/util/grapheme.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "tui/ui/wrap.h"

#include <stdlib.h>
#include <string.h>

static void dump(struct wrap *w, const char *text, struct strbuf *sb)
{
	sb_reset(sb);
	wrap_dump(w, text, sb);
	size_t n;
	const struct wrap_cite *c = wrap_cites(w, &n);
	for (size_t i = 0; i < n; i++)
		sb_printf(sb, "cite %d %zu:%u\n", c[i].n, c[i].row, c[i].col);
	wrap_code_blocks(w, &n);
	sb_printf(sb, "blocks %zu\n", n);
}

static void check_rows(struct wrap *w, const char *s, size_t len, int width)
{
	for (size_t r = 0; r < wrap_row_count(w); r++) {
		const struct wrap_row *row = wrap_row(w, r);
		size_t n, visible = 0;
		const struct wrap_run *runs = wrap_row_runs(w, r, &n);
		unsigned cols = row->indent;
		for (size_t k = 0; k < n; k++) {
			const char *bytes = wrap_run_text(w, s, &runs[k]);
			FUZZ_CHECK(runs[k].len > 0);
			FUZZ_CHECK(runs[k].lit || runs[k].off + runs[k].len <= len);
			FUZZ_CHECK(utf8_valid(bytes, runs[k].len));
			if (bytes[0] != '\t') {
				FUZZ_CHECK(runs[k].cols == grapheme_width(bytes, runs[k].len));
				for (size_t i = 0; i < runs[k].len;) {
					struct grapheme g;
					i = grapheme_next(bytes, runs[k].len, i, &g);
					visible += g.cols > 0;
				}
			} else {
				visible += runs[k].cols > 0;
			}
			cols += runs[k].cols;
		}
		FUZZ_CHECK(cols == row->cols);
		if (width >= 2 && row->cols > (unsigned)width)
			FUZZ_CHECK(visible == 1);
	}
	size_t nc;
	const struct wrap_cite *c = wrap_cites(w, &nc);
	for (size_t i = 0; i < nc; i++) {
		FUZZ_CHECK(c[i].row < wrap_row_count(w));
		size_t n;
		const struct wrap_run *runs = wrap_row_runs(w, c[i].row, &n);
		unsigned col = wrap_row(w, c[i].row)->indent;
		bool found = false;
		for (size_t k = 0; k < n && !found; k++) {
			found = col == c[i].col && runs[k].style == WRAP_CITATION && runs[k].cite == c[i].n;
			col += runs[k].cols;
		}
		FUZZ_CHECK(found);
	}
	size_t nb;
	wrap_code_blocks(w, &nb);
	for (size_t i = 0; i < nb; i++) {
		struct strbuf code = STRBUF_INIT;
		wrap_code_text(w, s, i, &code);
		FUZZ_CHECK(utf8_valid(code.buf ? code.buf : "", code.len));
		sb_free(&code);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int width = 1 + data[0] % 80;
	size_t token = 1 + data[1] % 64;
	size_t len = 0;
	char *s = utf8_sanitize((const char *)data + 2, size - 2, &len);
	struct wrap *inc = wrap_new(), *whole = wrap_new();
	for (size_t n = 0; n < len; n += token) {
		size_t cut = utf8_floor_boundary(s, len, n);
		wrap_layout(inc, s, cut, width);
		check_rows(inc, s, cut, width);
	}
	wrap_layout(inc, s, len, width);
	wrap_layout(whole, s, len, width);
	check_rows(whole, s, len, width);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	dump(inc, s, &a);
	dump(whole, s, &b);
	FUZZ_CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	sb_free(&a);
	sb_free(&b);
	wrap_free(&inc);
	wrap_free(&whole);
	free(s);
	return 0;
}
