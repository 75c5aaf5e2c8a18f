#include "core/search/pack.h"
#include "core/util/tokens.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pack_location(char *buf, size_t len, int line_start, int line_end, int page_start, int page_end)
{
	if (page_start > 0 && page_end > page_start)
		snprintf(buf, len, " pp.%d-%d", page_start, page_end);
	else if (page_start > 0)
		snprintf(buf, len, " p.%d", page_start);
	else
		snprintf(buf, len, ":%d-%d", line_start, line_end);
}

char *pack_block_label(const struct pack_block *b)
{
	struct strbuf sb = STRBUF_INIT;
	char loc[PACK_LOCATION_LEN];
	pack_location(loc, sizeof loc, b->line_start, b->line_end, b->page_start, b->page_end);
	sb_printf(&sb, "[%d] %s%s", b->number, b->path, loc);
	if (b->heading_path && b->heading_path[0])
		sb_printf(&sb, " (%s)", b->heading_path);
	/* A model must know which source is out of date. */
	if (b->archived)
		sb_puts(&sb, " [archived: superseded by a current document]");
	return sb_detach(&sb, NULL);
}

char *pack_summary_label(const struct pack_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "[summary] of blocks");
	for (size_t i = r->n_packed; i < r->n_blocks; i++)
		sb_printf(&sb, " [%d]", r->blocks[i].number);
	sb_puts(&sb, ": condensed, not quoted");
	return sb_detach(&sb, NULL);
}

/* Sort key of a chosen item: document order. */
struct doc_pos {
	int64_t doc_id;
	int ordinal;
	size_t index;
};

static int compare_doc_pos(const void *pa, const void *pb)
{
	const struct doc_pos *a = pa, *b = pb;
	if (a->doc_id != b->doc_id)
		return (a->doc_id > b->doc_id) - (a->doc_id < b->doc_id);
	return (a->ordinal > b->ordinal) - (a->ordinal < b->ordinal);
}

/* Append item's text to a block being merged, skipping the overlap with
 * the text already there. */
static void append_merged(struct strbuf *text, int64_t *end, const struct pack_item *it)
{
	size_t len = strlen(it->text);
	if (!text->len) {
		sb_append(text, it->text, len);
	} else if (it->byte_start < *end) {
		size_t skip = (size_t)(*end - it->byte_start);
		if (skip < len)
			sb_append(text, it->text + skip, len - skip);
	} else {
		sb_puts(text, "\n\n");
		sb_append(text, it->text, len);
	}
	if (it->byte_end > *end)
		*end = it->byte_end;
}

static void free_block(struct pack_block *b)
{
	free(b->path);
	free(b->heading_path);
	free(b->text);
	free(b->chunk_ids);
}

static void free_blocks(struct pack_result *r)
{
	for (size_t i = 0; i < r->n_blocks; i++)
		free_block(&r->blocks[i]);
	free(r->blocks);
	r->blocks = NULL;
	r->n_blocks = 0;
}

/* What b costs in a prompt: its label line and its text. */
static int block_cost(const struct pack_block *b)
{
	char *label = pack_block_label(b);
	int cost = tokens_estimate_str(label) + tokens_estimate_str(b->text);
	free(label);
	return cost;
}

/* Build blocks from the chosen items (indexes into items, any order);
 * returns the total tokens. Blocks are numbered by the best rank inside. */
static int build_blocks(const struct pack_item *items, const size_t *chosen, size_t n_chosen,
                        struct pack_result *r)
{
	struct doc_pos *pos = xcalloc(n_chosen ? n_chosen : 1, sizeof *pos);
	for (size_t i = 0; i < n_chosen; i++)
		pos[i] = (struct doc_pos){ items[chosen[i]].doc_id, items[chosen[i]].ordinal, chosen[i] };
	qsort(pos, n_chosen, sizeof *pos, compare_doc_pos);
	size_t *order = xcalloc(n_chosen ? n_chosen : 1, sizeof *order);
	for (size_t i = 0; i < n_chosen; i++)
		order[i] = pos[i].index;
	free(pos);
	struct pack_block *blocks = xcalloc(n_chosen ? n_chosen : 1, sizeof *blocks);
	size_t *best = xcalloc(n_chosen ? n_chosen : 1, sizeof *best);
	size_t nb = 0;
	for (size_t i = 0; i < n_chosen;) {
		const struct pack_item *first = &items[order[i]];
		struct pack_block *b = &blocks[nb];
		struct strbuf text = STRBUF_INIT;
		int64_t end = first->byte_start;
		size_t j = i;
		best[nb] = order[i];
		b->chunk_ids = xcalloc(n_chosen, sizeof *b->chunk_ids);
		do {
			const struct pack_item *it = &items[order[j]];
			append_merged(&text, &end, it);
			b->chunk_ids[b->n_chunks++] = it->chunk_id;
			if (order[j] < best[nb])
				best[nb] = order[j];
			b->line_end = it->line_end;
			b->page_end = it->page_end;
			j++;
		} while (j < n_chosen && items[order[j]].doc_id == first->doc_id &&
		         items[order[j]].ordinal == items[order[j - 1]].ordinal + 1);
		b->path = xstrdup(first->path);
		b->heading_path = xstrdup(first->heading_path ? first->heading_path : "");
		b->archived = first->archived;
		b->line_start = first->line_start;
		b->page_start = first->page_start;
		b->text = sb_detach(&text, NULL);
		nb++;
		i = j;
	}
	/* Number blocks by the best rank they contain. */
	for (size_t a = 1; a < nb; a++)
		for (size_t c = a; c > 0 && best[c] < best[c - 1]; c--) {
			struct pack_block tb = blocks[c];
			blocks[c] = blocks[c - 1];
			blocks[c - 1] = tb;
			size_t tr = best[c];
			best[c] = best[c - 1];
			best[c - 1] = tr;
		}
	int total = 0;
	for (size_t k = 0; k < nb; k++) {
		blocks[k].number = (int)k + 1;
		blocks[k].tokens = block_cost(&blocks[k]);
		total += blocks[k].tokens;
	}
	r->blocks = blocks;
	r->n_blocks = nb;
	free(order);
	free(best);
	return total;
}

void pack_chunks(const struct pack_item *items, size_t n, int budget, struct pack_result *out)
{
	size_t *chosen = xcalloc(n ? n : 1, sizeof *chosen);
	size_t n_chosen = 0;
	memset(out, 0, sizeof *out);
	out->budget = budget;
	out->dropped = xcalloc(n ? n : 1, sizeof *out->dropped);

	/* Greedy by rank on each chunk's cost as a block of its own. */
	int used = 0;
	for (size_t i = 0; i < n; i++) {
		struct pack_block alone = {
			.number = (int)n_chosen + 1, .path = (char *)items[i].path,
			.heading_path = (char *)items[i].heading_path,
			.line_start = items[i].line_start, .line_end = items[i].line_end,
			.page_start = items[i].page_start, .page_end = items[i].page_end,
		};
		char *label = pack_block_label(&alone);
		int cost = tokens_estimate_str(label) + tokens_estimate_str(items[i].text);
		free(label);
		if (used + cost <= budget) {
			chosen[n_chosen++] = i;
			used += cost;
		} else {
			out->dropped[out->n_dropped++] = items[i].chunk_id;
		}
	}
	/* Merging only removes overlap and labels, but the estimate is not
	 * strictly additive: re-count, and drop the worst-ranked chunk until
	 * the real total fits. */
	for (;;) {
		int total = build_blocks(items, chosen, n_chosen, out);
		if (total <= budget || n_chosen == 0) {
			out->total_tokens = total;
			break;
		}
		free_blocks(out);
		out->dropped[out->n_dropped++] = items[chosen[--n_chosen]].chunk_id;
	}
	out->n_packed = out->n_blocks;
	free(chosen);
}

/* Append the chunks r dropped, as blocks numbered after r's, marked
 * summarized. */
static void add_overflow(const struct pack_item *items, size_t n, struct pack_result *r)
{
	size_t *over = xcalloc(r->n_dropped ? r->n_dropped : 1, sizeof *over);
	size_t n_over = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t d = 0; d < r->n_dropped; d++)
			if (r->dropped[d] == items[i].chunk_id) {
				over[n_over++] = i;
				break;
			}
	struct pack_result extra = { 0 };
	build_blocks(items, over, n_over, &extra);
	r->blocks = xreallocarray(r->blocks, r->n_blocks + extra.n_blocks, sizeof *r->blocks);
	for (size_t b = 0; b < extra.n_blocks; b++) {
		extra.blocks[b].number += (int)r->n_packed;
		extra.blocks[b].summarized = true;
		extra.blocks[b].tokens = block_cost(&extra.blocks[b]);
		r->blocks[r->n_blocks++] = extra.blocks[b];
	}
	free(extra.blocks);
	free(over);
}

void pack_chunks_summarizing(const struct pack_item *items, size_t n, int budget, struct pack_result *out)
{
	pack_chunks(items, n, budget, out);
	add_overflow(items, n, out);
}

void pack_keep_summarized(struct pack_result *r, const int *numbers, size_t n)
{
	size_t kept = r->n_packed;
	for (size_t i = r->n_packed; i < r->n_blocks; i++) {
		bool cited = false;
		for (size_t k = 0; k < n && !cited; k++)
			cited = numbers[k] == r->blocks[i].number;
		if (cited)
			r->blocks[kept++] = r->blocks[i];
		else
			free_block(&r->blocks[i]);
	}
	r->n_blocks = kept;
}

void pack_result_free(struct pack_result *r)
{
	free_blocks(r);
	free(r->dropped);
	free(r->summary);
	memset(r, 0, sizeof *r);
}
