/* fuzz_pairs: pairs_check_text on arbitrary JSONL. The first byte picks the
 * format check (none, json or a fixed regex). The report counts every
 * non-blank line as an item; its problems are sorted by line and kind, sit
 * on those lines, name an earlier line exactly for duplicates and
 * contradictions, and add up to the counts; fitness follows the counts;
 * the printed report has one line per problem plus the summary; and a
 * second check of the same text gives the same report. */
#include "tests/fuzz/fuzz.h"
#include "core/eval/pairs.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Lines of text and how many are not only spaces, tabs and CRs. */
static void count_lines(const char *text, size_t len, int *lines, size_t *nonblank)
{
	size_t pos = 0;
	*lines = 0;
	*nonblank = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		bool blank = true;
		for (size_t i = 0; i < n; i++)
			if (text[pos + i] != ' ' && text[pos + i] != '\t' && text[pos + i] != '\r')
				blank = false;
		(*lines)++;
		*nonblank += !blank;
		pos += n + (nl ? 1 : 0);
	}
}

static void check_report(const struct pairs_report *r, const char *text, size_t len)
{
	int lines;
	size_t nonblank, sum = 0;
	count_lines(text, len, &lines, &nonblank);
	FUZZ_CHECK(strcmp(r->source, "fuzz.jsonl") == 0);
	FUZZ_CHECK(r->n_items == nonblank);
	for (int k = 0; k < PAIRS_N_KINDS; k++)
		sum += r->counts[k];
	FUZZ_CHECK(sum == r->n_problems);
	for (size_t i = 0; i < r->n_problems; i++) {
		const struct pairs_problem *p = &r->problems[i];
		FUZZ_CHECK(p->kind < PAIRS_N_KINDS);
		FUZZ_CHECK(p->line >= 1 && p->line <= lines);
		FUZZ_CHECK(p->detail != NULL && p->detail[0] != '\0');
		if (p->kind == PAIRS_DUPLICATE || p->kind == PAIRS_CONTRADICTION)
			FUZZ_CHECK(p->other_line >= 1 && p->other_line < p->line);
		else
			FUZZ_CHECK(p->other_line == 0);
		if (i > 0) {
			const struct pairs_problem *q = &r->problems[i - 1];
			FUZZ_CHECK(q->line < p->line || (q->line == p->line && q->kind <= p->kind));
		}
	}
	FUZZ_CHECK(r->counts[PAIRS_OUTLIER] == 0 || r->outliers_checked);
	if (r->outliers_checked)
		FUZZ_CHECK(isfinite(r->median) && isfinite(r->mad) && r->mad >= 0);
	bool others = false;
	for (int k = 0; k < PAIRS_N_KINDS; k++)
		others = others || (k != PAIRS_OUTLIER && r->counts[k]);
	FUZZ_CHECK(pairs_report_fit(r) == (r->n_items > 0 && !others));
}

/* The printed report: one line per problem and the summary. */
static char *print_report(const struct pairs_report *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	FUZZ_CHECK(f != NULL);
	pairs_report_print(f, r);
	FUZZ_CHECK(fclose(f) == 0);
	size_t newlines = 0;
	for (size_t i = 0; i < *len; i++)
		newlines += buf[i] == '\n';
	FUZZ_CHECK(newlines == r->n_problems + 1);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pairs_format formats[] = {
		{ PAIRS_CHECK_JSON, NULL },
		{ PAIRS_CHECK_REGEX, "^[A-Z].*\\.$" },
	};
	if (size == 0)
		return 0;
	const struct pairs_format *fmt = data[0] % 3 ? &formats[data[0] % 3 - 1] : NULL;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct pairs_report *r = NULL, *again = NULL;
	char err[512] = "";
	FUZZ_CHECK(pairs_check_text("fuzz.jsonl", text, len, fmt, &r, err, sizeof err) == 0);
	FUZZ_CHECK(r != NULL);
	check_report(r, text, len);
	FUZZ_CHECK(pairs_check_text("fuzz.jsonl", text, len, fmt, &again, err, sizeof err) == 0);
	size_t n1, n2;
	char *first = print_report(r, &n1), *second = print_report(again, &n2);
	FUZZ_CHECK(n1 == n2 && memcmp(first, second, n1) == 0);
	free(first);
	free(second);
	pairs_report_free(&again);
	pairs_report_free(&r);
	FUZZ_CHECK(r == NULL);
	return 0;
}
