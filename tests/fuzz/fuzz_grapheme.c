/* fuzz_grapheme: grapheme clusters, their columns and what is laid out with
 * them, on arbitrary bytes. The first byte picks the model (bit 0) and the
 * second the width (1 to 80). Properties:
 * - clusters tile the input, and the width of the text is the sum of its
 *   clusters' columns;
 * - a cluster's columns are what its drawn form takes: the widths of the
 *   code points drawn for it add up to them, or for a cluster drawn in one
 *   cell they are its first code point's, with at most GRAPHEME_CELL_MAX
 *   code points in the cell;
 * - stepping back from the end of a cluster lands before it, on a start
 *   from which stepping forward reaches that end;
 * - wrapping the sanitized text (as plain text: fuzz_markdown has the
 *   Markdown) never makes a row wider than the width,
 *   except a row holding one cluster wider than the width (and clusters of
 *   no width), and a run's columns are its clusters';
 * - the line editor's rows keep to the width the same way. */
#include "tests/fuzz/fuzz.h"
#include "core/util/grapheme.h"
#include "core/util/utf8.h"
#include "tui/ui/lineedit.h"
#include "tui/ui/wrap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void check_clusters(const char *s, size_t len)
{
	size_t i = 0, cols = 0;
	while (i < len) {
		struct grapheme g;
		uint32_t out[GRAPHEME_DRAWN_MAX];
		size_t end = grapheme_next(s, len, i, &g);
		FUZZ_CHECK(end > i && end <= len);
		FUZZ_CHECK(g.cols <= 2 * (end - i));
		size_t n = grapheme_drawn(s, i, end, &g, out);
		FUZZ_CHECK(n <= GRAPHEME_DRAWN_MAX);
		unsigned sum = 0;
		for (size_t k = 0; k < n; k++) {
			FUZZ_CHECK(utf8_cp_width(out[k]) >= 0);
			sum += (unsigned)utf8_cp_width(out[k]);
		}
		if (g.one_cell) {
			FUZZ_CHECK(n >= 2 && n <= GRAPHEME_CELL_MAX);
			FUZZ_CHECK((unsigned)utf8_cp_width(out[0]) == g.cols);
		} else {
			FUZZ_CHECK(sum == g.cols);
		}
		size_t back = grapheme_prev(s, len, end);
		FUZZ_CHECK(back < end);
		cols += g.cols;
		FUZZ_CHECK(grapheme_next(s, len, back, &g) >= end);
		i = end;
	}
	FUZZ_CHECK(cols == grapheme_width(s, len));
}

/* Clusters of s[off..off+n) that take columns. */
static size_t visible_clusters(const char *s, size_t off, size_t n)
{
	size_t count = 0;
	for (size_t i = off; i < off + n;) {
		struct grapheme g;
		i = grapheme_next(s, off + n, i, &g);
		count += g.cols > 0;
	}
	return count;
}

static void check_wrap(const char *s, size_t len, int width)
{
	struct wrap *w = wrap_new();
	wrap_set_markdown(w, false);   /* Markdown has its own target */
	wrap_layout(w, s, len, width);
	for (size_t r = 0; r < wrap_row_count(w); r++) {
		const struct wrap_row *row = wrap_row(w, r);
		size_t n;
		const struct wrap_run *runs = wrap_row_runs(w, r, &n);
		unsigned cols = row->indent;
		size_t visible = 0;
		for (size_t k = 0; k < n; k++) {
			FUZZ_CHECK(runs[k].off + runs[k].len <= len);
			if (s[runs[k].off] != '\t') {
				FUZZ_CHECK(runs[k].cols == grapheme_width(s + runs[k].off, runs[k].len));
				visible += visible_clusters(s, runs[k].off, runs[k].len);
			} else {
				visible += runs[k].cols > 0;
			}
			cols += runs[k].cols;
		}
		FUZZ_CHECK(cols == row->cols);
		if (row->cols > (unsigned)width)
			FUZZ_CHECK(visible == 1);
	}
	wrap_free(&w);
}

static void check_lineedit(const char *s, size_t len, unsigned width)
{
	struct lineedit *le = lineedit_new(1);
	size_t n, crow;
	unsigned ccol;
	lineedit_insert(le, s, len);
	const char *text = lineedit_text(le, NULL);
	const struct lineedit_row *rows = lineedit_view_rows(le, width, &n, &crow, &ccol);
	FUZZ_CHECK(crow < n);
	for (size_t r = 0; r < n; r++) {
		FUZZ_CHECK(rows[r].cols == grapheme_width(text + rows[r].off, rows[r].len));
		if (rows[r].cols > width)
			FUZZ_CHECK(visible_clusters(text, rows[r].off, rows[r].len) == 1);
	}
	lineedit_free(&le);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	grapheme_set_mode(data[0] & 1 ? GRAPHEME_CLUSTER : GRAPHEME_PER_CODEPOINT);
	int width = 1 + data[1] % 80;
	const char *s = (const char *)data + 2;
	size_t len = size - 2;
	check_clusters(s, len);
	size_t clean_len = 0;
	char *clean = utf8_sanitize(s, len, &clean_len);
	check_wrap(clean, clean_len, width);
	check_lineedit(clean, clean_len, (unsigned)width);
	free(clean);
	return 0;
}
