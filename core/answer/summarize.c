#include "core/answer/summarize.h"
#include "core/answer/grounding.h"
#include "core/answer/metrics.h"
#include "core/config/config.h"
#include "core/util/strbuf.h"
#include "core/util/tokens.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Citation numbers one statement may carry that are looked at. */
#define MAX_LABELS 32

int summarize_text_room(const struct pack_result *pack)
{
	char *label = pack_summary_label(pack);
	int room = pack->budget - pack->total_tokens - tokens_estimate_str(label);
	free(label);
	return room;
}

int summarize_max_tokens(const struct pack_result *pack)
{
	int whole = 0, room = summarize_text_room(pack);
	for (size_t i = pack->n_packed; i < pack->n_blocks; i++)
		whole += pack->blocks[i].tokens;
	return room < whole ? room : whole;
}

static void take_blocks(struct summary_report *r, const struct pack_result *pack);

void summary_report_begin(struct summary_report *r, const char *model, const char *provider,
                          const struct pack_result *pack)
{
	summary_report_free(r);
	r->attempted = true;
	r->model = xstrdup(model);
	r->provider = xstrdup(provider);
	r->room = summarize_text_room(pack);
	take_blocks(r, pack);
}

void summary_report_placed(struct summary_report *r, const struct pack_result *pack)
{
	r->used = true;
	r->tokens = pack->summary_tokens;
	r->trimmed = pack->summary_trimmed;
	free(r->text);
	r->text = xstrdup(pack->summary);
	take_blocks(r, pack);
}

/* r's labels and chunk ids: those of pack's summarized blocks. */
static void take_blocks(struct summary_report *r, const struct pack_result *pack)
{
	size_t n = pack->n_blocks - pack->n_packed, chunks = 0;
	free(r->labels);
	free(r->chunk_ids);
	r->n_labels = r->n_chunks = 0;
	r->labels = xcalloc(n ? n : 1, sizeof *r->labels);
	for (size_t i = pack->n_packed; i < pack->n_blocks; i++) {
		r->labels[r->n_labels++] = pack->blocks[i].number;
		chunks += pack->blocks[i].n_chunks;
	}
	r->chunk_ids = xcalloc(chunks ? chunks : 1, sizeof *r->chunk_ids);
	for (size_t i = pack->n_packed; i < pack->n_blocks; i++)
		for (size_t c = 0; c < pack->blocks[i].n_chunks; c++)
			r->chunk_ids[r->n_chunks++] = pack->blocks[i].chunk_ids[c];
}

void summary_report_call(struct summary_report *r, const struct llm_result *res)
{
	r->usage = res->usage;
	r->latency_us = res->total_us;
	r->http_status = res->http_status;
	r->retries = res->retries;
}

void summary_report_fail(struct summary_report *r, const char *why)
{
	free(r->error);
	r->error = xstrdup(why);
	r->used = false;
}

void summary_report_price(struct summary_report *r, const struct config *c)
{
	const struct config_price *p = r->model ? config_price_for_model(c, r->model) : NULL;
	r->cost_known = p != NULL;
	r->cost_usd = p ? metrics_cost_usd(p, r->usage.input_tokens, r->usage.output_tokens) : 0;
}

/* " in blocks [4] [5]" */
static void put_labels(const struct summary_report *r, struct strbuf *out)
{
	sb_printf(out, "%zu chunk%s in block%s", r->n_chunks, r->n_chunks == 1 ? "" : "s", r->n_labels == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_labels; i++)
		sb_printf(out, " [%d]", r->labels[i]);
}

/* "; call 845 in / 120 out tokens, 412 ms, $0.000199" */
static void put_call(const struct summary_report *r, struct strbuf *out)
{
	sb_printf(out, "; call %ld in / %ld out tokens%s, %.0f ms, ", r->usage.input_tokens, r->usage.output_tokens,
	          r->usage.estimated ? " (estimated)" : "", (double)r->latency_us / 1e3);
	if (r->cost_known)
		sb_printf(out, "$%.6f", r->cost_usd);
	else
		sb_puts(out, "unpriced");
}

void summary_report_describe(const struct summary_report *r, struct strbuf *out)
{
	if (!r->attempted)
		return;
	if (r->used) {
		sb_puts(out, "summarized ");
		put_labels(r, out);
		sb_printf(out, "; by %s, %d tokens in the context%s", r->model, r->tokens,
		          r->trimmed ? " (trimmed to fit)" : "");
	} else if (!r->error) {
		sb_puts(out, "summarizing ");
		put_labels(r, out);
		sb_printf(out, " with %s…", r->model);
		return;
	} else {
		sb_printf(out, "summary by %s %s: %s; ", r->model, r->called ? "failed" : "skipped",
		          r->error ? r->error : "");
		put_labels(r, out);
		sb_puts(out, " left out for budget");
	}
	if (r->called)
		put_call(r, out);
}

void summary_report_free(struct summary_report *r)
{
	if (!r)
		return;
	free(r->model);
	free(r->provider);
	free(r->error);
	free(r->labels);
	free(r->chunk_ids);
	free(r->text);
	memset(r, 0, sizeof *r);
}

/* Whether [s, end) carries a citation of one of nums[0..n). */
static bool cites_any(const char *s, const char *end, const int *nums, size_t n)
{
	int got[MAX_LABELS];
	for (const char *p = s; p < end; p++) {
		size_t k = 0, len = grounding_citation(p, end, got, MAX_LABELS, &k);
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < n; j++)
				if (got[i] == nums[j])
					return true;
		if (len)
			p += len - 1;
	}
	return false;
}

/* Numbers of pack's summarized blocks; caller frees. */
static int *summarized_numbers(const struct pack_result *pack, size_t *n)
{
	*n = pack->n_blocks - pack->n_packed;
	int *nums = xcalloc(*n ? *n : 1, sizeof *nums);
	for (size_t i = 0; i < *n; i++)
		nums[i] = pack->blocks[pack->n_packed + i].number;
	return nums;
}

int summarize_accept(struct pack_result *pack, const char *reply, size_t len, char *err, size_t errlen)
{
	size_t clean_len, n_nums;
	char *clean = utf8_sanitize(reply, len, &clean_len);
	struct grounding_span *spans = NULL;
	size_t n = grounding_sentences(clean, &spans), labelled = 0, kept = 0;
	int *nums = summarized_numbers(pack, &n_nums);
	int room = summarize_text_room(pack);
	struct strbuf text = STRBUF_INIT;
	bool trimmed = false;
	int rc = -1;

	for (size_t i = 0; i < n && !trimmed; i++) {
		const char *s = clean + spans[i].start, *end = clean + spans[i].end;
		if (!cites_any(s, end, nums, n_nums))
			continue;
		labelled++;
		size_t before = text.len;
		if (kept)
			sb_putc(&text, '\n');
		sb_append(&text, s, (size_t)(end - s));
		/* The estimate of a whole is not the sum of its parts: count it all. */
		if (tokens_estimate(text.buf, text.len) > room) {
			sb_truncate(&text, before);
			trimmed = true;
		} else {
			kept++;
		}
	}
	if (n == 0)
		snprintf(err, errlen, "the summarizer's reply was empty");
	else if (labelled == 0)
		snprintf(err, errlen, "no statement of the summary carries the label of a block it condensed "
		         "([%d] to [%d])", nums[0], nums[n_nums - 1]);
	else if (kept == 0)
		snprintf(err, errlen, "the summary's first statement alone is over the %d tokens the budget leaves "
		         "for it", room);
	if (kept == 0)
		goto cleanup;
	/* Blocks no kept statement cites were not summarized after all. */
	size_t n_cited = 0;
	for (size_t i = 0; i < n_nums; i++)
		if (cites_any(text.buf, text.buf + text.len, &nums[i], 1))
			nums[n_cited++] = nums[i];
	pack_keep_summarized(pack, nums, n_cited);
	char *label = pack_summary_label(pack);
	pack->summary = sb_detach(&text, NULL);
	pack->summary_tokens = tokens_estimate_str(label) + tokens_estimate_str(pack->summary);
	pack->summary_trimmed = trimmed;
	pack->total_tokens += pack->summary_tokens;
	free(label);
	rc = 0;
cleanup:
	sb_free(&text);
	free(nums);
	free(spans);
	free(clean);
	return rc;
}

char *summarize_statements_of(const char *summary, int number)
{
	struct grounding_span *spans = NULL;
	struct strbuf out = STRBUF_INIT;
	size_t n = grounding_sentences(summary, &spans);
	for (size_t i = 0; i < n; i++) {
		const char *s = summary + spans[i].start, *end = summary + spans[i].end;
		if (!cites_any(s, end, &number, 1))
			continue;
		if (out.len)
			sb_putc(&out, '\n');
		sb_append(&out, s, (size_t)(end - s));
	}
	free(spans);
	return sb_detach(&out, NULL);
}
