/* term_md: wrap's rows as SGR-styled lines on a terminal. */
#include "tui/ui/term_md.h"
#include "tui/ui/highlight.h"
#include "tui/ui/wrap.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MIN_WIDTH 20

struct term_md {
	FILE *out;
	int width;
	bool color;
	struct strbuf raw;        /* the answer as received */
	struct utf8_clean clean;  /* raw up to its last newline, sanitized */
	struct wrap *wrap;
	size_t printed;           /* rows printed */
};

/* SGR parameters per style: with colour, and attributes alone. */
static const char *const sgr_color[WRAP_STYLE_COUNT] = {
	[WRAP_HEADING] = "1;34", [WRAP_EMPHASIS] = "3", [WRAP_STRONG] = "1",
	[WRAP_CODE] = "36", [WRAP_CODE_BLOCK] = "32", [WRAP_LIST_BULLET] = "33",
	[WRAP_CITATION] = "1;33", [WRAP_LINK] = "4;34", [WRAP_URL] = "2",
	[WRAP_STRIKE] = "9", [WRAP_QUOTE] = "2", [WRAP_RULE] = "2",
	[WRAP_CODE_FRAME] = "2", [WRAP_CODE_LANG] = "1;33", [WRAP_TABLE_HEAD] = "1",
};
static const char *const sgr_mono[WRAP_STYLE_COUNT] = {
	[WRAP_HEADING] = "1;4", [WRAP_EMPHASIS] = "3", [WRAP_STRONG] = "1",
	[WRAP_CODE] = "2", [WRAP_LIST_BULLET] = "1", [WRAP_CITATION] = "4",
	[WRAP_LINK] = "4", [WRAP_URL] = "2", [WRAP_STRIKE] = "9", [WRAP_QUOTE] = "2",
	[WRAP_RULE] = "2", [WRAP_CODE_FRAME] = "2", [WRAP_CODE_LANG] = "1",
	[WRAP_TABLE_HEAD] = "1",
};

/* SGR parameters per highlight class in code, with colour and without. */
static const char *const hl_color[HL_CLASS_COUNT] = {
	[HL_PLAIN] = "32", [HL_KEYWORD] = "35", [HL_TYPE] = "36", [HL_FUNCTION] = "33",
	[HL_STRING] = "32", [HL_NUMBER] = "33", [HL_COMMENT] = "2;3", [HL_VARIABLE] = "31",
	[HL_KEY] = "34", [HL_HEADER] = "1;34", [HL_ADDED] = "32", [HL_REMOVED] = "31",
	[HL_ERROR] = "1;31", [HL_WARN] = "33",
};
static const char *const hl_mono[HL_CLASS_COUNT] = {
	[HL_KEYWORD] = "1", [HL_COMMENT] = "2", [HL_KEY] = "1", [HL_HEADER] = "1",
	[HL_ADDED] = "1", [HL_REMOVED] = "2", [HL_ERROR] = "1;7", [HL_WARN] = "1",
};

struct term_md *term_md_new(FILE *out, int width, bool color)
{
	struct term_md *t = xcalloc(1, sizeof *t);
	t->out = out;
	t->width = width < MIN_WIDTH ? MIN_WIDTH : width;
	t->color = color;
	t->wrap = wrap_new();
	return t;
}

static void print_row(struct term_md *t, size_t r)
{
	const struct wrap_row *row = wrap_row(t->wrap, r);
	size_t n;
	const struct wrap_run *runs = wrap_row_runs(t->wrap, r, &n);
	const char *const *sgr = t->color ? sgr_color : sgr_mono;
	fprintf(t->out, "%*s", (int)row->indent, "");
	for (size_t i = 0; i < n; i++) {
		const struct wrap_run *run = &runs[i];
		const char *text = wrap_run_text(t->wrap, t->clean.buf, run);
		const char *s = sgr[run->style];
		if (run->style == WRAP_CODE_BLOCK && run->hl < HL_CLASS_COUNT)
			s = (t->color ? hl_color : hl_mono)[run->hl];
		if (s)
			fprintf(t->out, "\033[%sm", s);
		if (text[0] == '\t')
			fprintf(t->out, "%*s", (int)run->cols, "");
		else
			fwrite(text, 1, run->len, t->out);
		if (s)
			fputs("\033[0m", t->out);
	}
	if (row->flags & WRAP_ROW_BROKEN)
		fputs("\033[2m…\033[0m", t->out);
	fputc('\n', t->out);
}

/* Lay out raw[0..upto) and print rows up to stable ones (or all). Only
 * what came since the last whole character is cleaned again. */
static void render(struct term_md *t, size_t upto, bool all)
{
	utf8_clean_update(&t->clean, t->raw.buf ? t->raw.buf : "", upto);
	wrap_layout(t->wrap, t->clean.buf, t->clean.len, t->width);
	size_t end = all ? wrap_row_count(t->wrap) : wrap_stable_rows(t->wrap);
	for (; t->printed < end; t->printed++)
		print_row(t, t->printed);
	fflush(t->out);
}

void term_md_add(struct term_md *t, const char *text, size_t len)
{
	sb_append(&t->raw, text, len);
	/* rows only settle when a line ends */
	size_t k = len;
	while (k > 0 && text[k - 1] != '\n')
		k--;
	if (k > 0)
		render(t, t->raw.len - len + k, false);
}

void term_md_finish(struct term_md *t)
{
	render(t, t->raw.len, true);
}

void term_md_free(struct term_md **pt)
{
	struct term_md *t = *pt;
	if (!t)
		return;
	sb_free(&t->raw);
	free(t->clean.buf);
	wrap_free(&t->wrap);
	free(t);
	*pt = NULL;
}

int term_md_width(int fd)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	int n = cols ? atoi(cols) : 0;
	return n > 0 ? n : 80;
}
