#include "core/search/result_json.h"
#include "core/search/retrieve.h"

cJSON *result_json_hit(const struct retrieve_hit *h)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "rank", h->rank);
	cJSON_AddNumberToObject(j, "chunk_id", (double)h->chunk_id);
	cJSON_AddNumberToObject(j, "document_id", (double)h->doc_id);
	cJSON_AddNumberToObject(j, "fused_score", h->fused);
	if (h->vec_rank) {
		cJSON_AddNumberToObject(j, "vector_rank", h->vec_rank);
		cJSON_AddNumberToObject(j, "vector_score", h->vec_score);
	} else {
		cJSON_AddNullToObject(j, "vector_rank");
		cJSON_AddNullToObject(j, "vector_score");
	}
	if (h->fts_rank) {
		cJSON_AddNumberToObject(j, "bm25_rank", h->fts_rank);
		cJSON_AddNumberToObject(j, "bm25_score", h->bm25);
	} else {
		cJSON_AddNullToObject(j, "bm25_rank");
		cJSON_AddNullToObject(j, "bm25_score");
	}
	cJSON_AddStringToObject(j, "path", h->path);
	cJSON_AddNumberToObject(j, "line_start", h->line_start);
	cJSON_AddNumberToObject(j, "line_end", h->line_end);
	result_json_add_pages(j, h->page_start, h->page_end);
	cJSON_AddStringToObject(j, "heading_path", h->heading_path);
	cJSON_AddStringToObject(j, "status", doc_status_name(h->status));
	cJSON_AddNumberToObject(j, "coverage", h->coverage);
	if (h->reranked)
		cJSON_AddNumberToObject(j, "rerank_score", h->rerank_score);
	else
		cJSON_AddNullToObject(j, "rerank_score");
	cJSON_AddNumberToObject(j, "tokens", h->tokens);
	cJSON_AddBoolToObject(j, "packed", h->packed);
	cJSON_AddStringToObject(j, "text", h->text);
	return j;
}

cJSON *result_json_hit_logged(const struct retrieve_hit *h)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "chunk_id", (double)h->chunk_id);
	cJSON_AddNumberToObject(j, "rank", h->rank);
	cJSON_AddNumberToObject(j, "fused", h->fused);
	cJSON_AddNumberToObject(j, "vector_rank", h->vec_rank);
	cJSON_AddNumberToObject(j, "vector_score", h->vec_score);
	cJSON_AddNumberToObject(j, "bm25_rank", h->fts_rank);
	cJSON_AddNumberToObject(j, "bm25", h->bm25);
	cJSON_AddStringToObject(j, "path", h->path);
	cJSON_AddNumberToObject(j, "line_start", h->line_start);
	cJSON_AddNumberToObject(j, "line_end", h->line_end);
	result_json_add_pages(j, h->page_start, h->page_end);
	cJSON_AddBoolToObject(j, "packed", h->packed);
	cJSON_AddBoolToObject(j, "summarized", h->summarized);
	return j;
}

void result_json_add_pages(cJSON *o, int page_start, int page_end)
{
	if (page_start > 0) {
		cJSON_AddNumberToObject(o, "page_start", page_start);
		cJSON_AddNumberToObject(o, "page_end", page_end);
	} else {
		cJSON_AddNullToObject(o, "page_start");
		cJSON_AddNullToObject(o, "page_end");
	}
}

void result_json_add_stage_timings(cJSON *o, const struct retrieve_timings *t)
{
	cJSON_AddNumberToObject(o, "embed", (double)t->embed_us);
	cJSON_AddNumberToObject(o, "vector", (double)t->vector_us);
	cJSON_AddNumberToObject(o, "fts", (double)t->fts_us);
	cJSON_AddNumberToObject(o, "fuse", (double)t->fuse_us);
	cJSON_AddNumberToObject(o, "rerank", (double)t->rerank_us);
	cJSON_AddNumberToObject(o, "pack", (double)t->pack_us);
}

void result_json_add_string_or_null(cJSON *o, const char *name, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}
