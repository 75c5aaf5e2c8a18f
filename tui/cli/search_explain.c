#include "tui/cli/search_explain.h"
#include "core/search/result_json.h"
#include "tui/cli/cli.h"

#include <cjson/cJSON.h>
#include <string.h>

static void put_path(FILE *f, const char *path)
{
	const char *shown = cli_display_path(path);
	cli_put_cell(f, shown, strlen(shown));
}

static void text_not_found(FILE *f, const struct explain_result *e)
{
	fputs(e->ambiguous ? "several stored paths end in " : "not in the store: ", f);
	cli_put_cell(f, e->query_path, strlen(e->query_path));
	fputs(e->ambiguous ? "; give one of:\n" : e->n_closest ? "; closest stored paths:\n" : " (the collection is empty)\n", f);
	for (size_t i = 0; i < e->n_closest; i++) {
		fputs("  ", f);
		put_path(f, e->closest[i]);
		fputc('\n', f);
	}
}

static void text_chunk(FILE *f, const struct explain_result *e, const struct explain_chunk *c)
{
	fprintf(f, "  chunk %d (lines %d-%d, %d tokens): %s\n", c->ordinal, c->line_start, c->line_end, c->tokens,
	        c->verdict);
	fputs("    vector ", f);
	if (c->vec_rank)
		fprintf(f, "#%d %.3f%s", c->vec_rank, (double)c->vec_score, c->vec_candidate ? " (candidate)" : "");
	else
		fputs(e->vec_used ? "- (no vector)" : "- (not searched)", f);
	fputs("   bm25 ", f);
	if (c->fts_rank)
		fprintf(f, "#%d %.2f%s", c->fts_rank, c->bm25, c->fts_candidate ? " (candidate)" : "");
	else if (!e->fts_used)
		fputs("- (not searched)", f);
	else if (c->left_out)
		fputs("- (holds only left-out terms)", f);
	else
		fputs("- (no query term matches)", f);
	if (c->fused_rank || c->below_min_score)
		fprintf(f, "   fused %.4f #%d", c->fused, c->fused_rank);
	fputc('\n', f);
}

/* The candidates line: what each retriever that ran gave, and which did
 * not run. */
static void text_candidates(FILE *f, const struct explain_result *e)
{
	bool both = e->vec_used && e->fts_used;
	fputs("candidates: vector ", f);
	if (e->vec_used)
		fprintf(f, "%zu of %zu", e->vec_candidates, e->vectors_searched);
	else
		fprintf(f, "not used%s", e->mode == RETRIEVE_FTS ? " (mode fts)" : "");
	if (e->vec_used && !both)
		fprintf(f, " (up to %zu)", e->candidate_limit);
	fputs(", bm25 ", f);
	if (e->fts_used)
		fprintf(f, "%zu of %zu matches (up to %zu%s)", e->fts_candidates, e->fts_matches, e->candidate_limit,
		        both ? " each" : "");
	else
		fprintf(f, "not used (mode %s)", retrieve_mode_name(e->mode));
	fprintf(f, ", %zu fused\n", e->fused_candidates);
}

/* The line on the terms full-text search left out. */
static void text_left_out(FILE *f, const struct explain_result *e)
{
	fputs(e->fts_skipped ? "full text: skipped, every term over the postings budget: "
	                     : "full text: left out, over the postings budget: ", f);
	for (size_t i = 0; i < e->n_dropped; i++) {
		fputs(i ? ", '" : "'", f);
		cli_put_cell(f, e->dropped[i].text, strlen(e->dropped[i].text));
		fprintf(f, "' (in %lld chunks)", (long long)e->dropped[i].chunks);
	}
	fputc('\n', f);
}

void search_explain_text(FILE *f, const struct explain_result *e)
{
	if (!e->path) {
		text_not_found(f, e);
		return;
	}
	put_path(f, e->path);
	fprintf(f, "  %zu chunk%s, %s", e->doc_chunks, e->doc_chunks == 1 ? "" : "s", doc_status_name(e->status));
	if (e->demoted)
		fprintf(f, " (fused scores x%.2f)", e->demotion_weight);
	fputc('\n', f);
	if (e->path_glob) {
		fputs(e->path_excluded ? "path filter " : "path filter (lets it through) ", f);
		cli_put_cell(f, e->path_glob, strlen(e->path_glob));
		fputc('\n', f);
	}
	text_candidates(f, e);
	fprintf(f, "cutoff: top %d, %zu returned, last fused %.4f; budget %d tokens, %zu hits dropped for it",
	        e->top_k, e->n_hits, e->cutoff_fused, e->budget_tokens, e->budget_dropped);
	if (e->reranked)
		fprintf(f, "; reranked the first %d fused", e->rerank_top_n);
	fputc('\n', f);
	if (e->n_dropped)
		text_left_out(f, e);
	if (e->vector_error) {
		fputs("vectors: not used (", f);
		cli_put_clean(f, e->vector_error, strlen(e->vector_error));
		fputs(")\n", f);
	}
	for (size_t i = 0; i < e->n_chunks; i++)
		text_chunk(f, e, &e->chunks[i]);
}

/* A rank, or null when there is none. */
static void add_rank(cJSON *o, const char *name, int rank)
{
	if (rank)
		cJSON_AddNumberToObject(o, name, rank);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *json_chunk(const struct explain_result *e, const struct explain_chunk *c)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "chunk_id", (double)c->chunk_id);
	cJSON_AddNumberToObject(j, "ordinal", c->ordinal);
	cJSON_AddNumberToObject(j, "line_start", c->line_start);
	cJSON_AddNumberToObject(j, "line_end", c->line_end);
	cJSON_AddNumberToObject(j, "tokens", c->tokens);
	add_rank(j, "vec_rank", c->vec_rank);
	cJSON_AddNumberToObject(j, "vec_score", c->vec_rank ? (double)c->vec_score : 0);
	add_rank(j, "fts_rank", c->fts_rank);
	cJSON_AddNumberToObject(j, "bm25", c->fts_rank ? c->bm25 : 0);
	cJSON *left_out = cJSON_AddArrayToObject(j, "left_out_terms");
	for (size_t i = 0; i < e->n_dropped; i++)
		if ((c->left_out >> i) & 1)
			cJSON_AddItemToArray(left_out, cJSON_CreateString(e->dropped[i].text));
	add_rank(j, "vec_candidate_rank", c->vec_candidate);
	add_rank(j, "fts_candidate_rank", c->fts_candidate);
	cJSON_AddNumberToObject(j, "fused", c->fused);
	add_rank(j, "fused_rank", c->fused_rank);
	cJSON_AddBoolToObject(j, "below_min_score", c->below_min_score);
	cJSON_AddBoolToObject(j, "allowed_by_filter", c->allowed);
	add_rank(j, "hit_rank", c->hit_rank);
	cJSON_AddBoolToObject(j, "packed", c->packed);
	cJSON_AddStringToObject(j, "verdict", c->verdict);
	return j;
}

static void json_search(cJSON *o, const struct explain_result *e)
{
	cJSON *s = cJSON_AddObjectToObject(o, "search");
	cJSON_AddBoolToObject(s, "vector_used", e->vec_used);
	cJSON_AddBoolToObject(s, "fts_used", e->fts_used);
	cJSON_AddNumberToObject(s, "vectors_searched", (double)e->vectors_searched);
	cJSON_AddNumberToObject(s, "fts_matches", (double)e->fts_matches);
	cJSON *dropped = cJSON_AddArrayToObject(s, "fts_terms_left_out");
	for (size_t i = 0; i < e->n_dropped; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "term", e->dropped[i].text);
		cJSON_AddNumberToObject(t, "chunks", (double)e->dropped[i].chunks);
		cJSON_AddItemToArray(dropped, t);
	}
	cJSON_AddBoolToObject(s, "fts_skipped", e->fts_skipped);
	cJSON_AddNumberToObject(s, "candidate_limit", (double)e->candidate_limit);
	cJSON_AddNumberToObject(s, "vec_candidates", (double)e->vec_candidates);
	cJSON_AddNumberToObject(s, "fts_candidates", (double)e->fts_candidates);
	cJSON_AddNumberToObject(s, "fused_candidates", (double)e->fused_candidates);
	cJSON_AddNumberToObject(s, "top_k", e->top_k);
	cJSON_AddNumberToObject(s, "hits", (double)e->n_hits);
	cJSON_AddNumberToObject(s, "cutoff_fused", e->cutoff_fused);
	cJSON_AddNumberToObject(s, "budget_tokens", e->budget_tokens);
	cJSON_AddNumberToObject(s, "budget_dropped", (double)e->budget_dropped);
	cJSON_AddBoolToObject(s, "reranked", e->reranked);
	if (e->reranked)
		cJSON_AddNumberToObject(s, "rerank_top_n", e->rerank_top_n);
	else
		cJSON_AddNullToObject(s, "rerank_top_n");
	result_json_add_string_or_null(s, "path_glob", e->path_glob);
	result_json_add_string_or_null(s, "vector_error", e->vector_error);
}

void search_explain_json(FILE *f, const struct explain_result *e, const char *query, const char *mode)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "query", query);
	cJSON_AddStringToObject(o, "mode", mode);
	cJSON_AddStringToObject(o, "requested_path", e->query_path);
	result_json_add_string_or_null(o, "path", e->path);
	cJSON_AddBoolToObject(o, "found", e->path != NULL);
	cJSON_AddBoolToObject(o, "ambiguous", e->ambiguous);
	cJSON *closest = cJSON_AddArrayToObject(o, "closest_paths");
	for (size_t i = 0; i < e->n_closest; i++)
		cJSON_AddItemToArray(closest, cJSON_CreateString(e->closest[i]));
	json_search(o, e);
	if (e->path) {
		cJSON *d = cJSON_AddObjectToObject(o, "document");
		cJSON_AddNumberToObject(d, "doc_id", (double)e->doc_id);
		cJSON_AddNumberToObject(d, "chunks", (double)e->doc_chunks);
		cJSON_AddStringToObject(d, "status", doc_status_name(e->status));
		cJSON_AddBoolToObject(d, "demoted", e->demoted);
		cJSON_AddNumberToObject(d, "demotion_weight", e->demotion_weight);
		cJSON_AddBoolToObject(d, "path_excluded", e->path_excluded);
	}
	cJSON *chunks = cJSON_AddArrayToObject(o, "chunks");
	for (size_t i = 0; i < e->n_chunks; i++)
		cJSON_AddItemToArray(chunks, json_chunk(e, &e->chunks[i]));
	cli_print_json(f, o);
	cJSON_Delete(o);
}
