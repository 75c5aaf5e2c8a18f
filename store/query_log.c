#include "store/query_log.h"
#include "store/store.h"
#include "store/store_int.h"

#include <stdio.h>

static const char insert_sql[] =
	"INSERT INTO queries (session_id, created_at, created_ms, question, answer, path, model,"
	" provider, outcome, error, tokens_in, tokens_out, tokens_estimated, context_tokens,"
	" question_tokens, prompt_tokens, cost_usd, total_us, ttft_us, grounding, spans, decision,"
	" retrieval, unsupported_sentences) VALUES (?1, ?2 / 1000, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	" ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";

static const char select_sql[] =
	"SELECT id, coalesce(session_id, 0), created_ms, question, answer, path, model, provider,"
	" outcome, error, tokens_in, tokens_out, tokens_estimated, context_tokens, question_tokens,"
	" prompt_tokens, cost_usd, total_us, ttft_us, grounding, spans, decision, retrieval,"
	" unsupported_sentences FROM queries WHERE created_ms >= ?1 ORDER BY created_ms, id";

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

int store_query_insert(struct store *s, const struct store_query_row *r, int64_t *id, char *err,
                       size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (r->session_id)
			sqlite3_bind_int64(st, 1, r->session_id);
		sqlite3_bind_int64(st, 2, r->created_ms);
		bind_text(st, 3, r->question);
		bind_text(st, 4, r->answer);
		bind_text(st, 5, r->path);
		bind_text(st, 6, r->model);
		bind_text(st, 7, r->provider);
		bind_text(st, 8, r->outcome);
		bind_text(st, 9, r->error);
		sqlite3_bind_int64(st, 10, r->tokens_in);
		sqlite3_bind_int64(st, 11, r->tokens_out);
		sqlite3_bind_int(st, 12, r->tokens_estimated);
		sqlite3_bind_int64(st, 13, r->context_tokens);
		sqlite3_bind_int64(st, 14, r->question_tokens);
		sqlite3_bind_int64(st, 15, r->prompt_tokens);
		sqlite3_bind_double(st, 16, r->cost_usd);
		sqlite3_bind_int64(st, 17, r->total_us);
		sqlite3_bind_int64(st, 18, r->ttft_us);
		if (r->has_grounding)
			sqlite3_bind_double(st, 19, r->grounding);
		bind_text(st, 20, r->spans_json ? r->spans_json : "{}");
		bind_text(st, 21, r->decision_json ? r->decision_json : "{}");
		bind_text(st, 22, r->retrieval_json ? r->retrieval_json : "{}");
		if (r->has_unsupported)
			sqlite3_bind_int64(st, 23, r->unsupported_sentences);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return store_error(s, "cannot log the turn", err, errlen);
	}
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

static const char *text_at(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

int store_queries_each(struct store *s, int64_t since_ms,
                       int (*fn)(void *ud, const struct store_query_row *row), void *ud, char *err,
                       size_t errlen)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, select_sql, -1, &st, NULL), stop = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, since_ms);
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct store_query_row r = {
				.id = sqlite3_column_int64(st, 0),
				.session_id = sqlite3_column_int64(st, 1),
				.created_ms = sqlite3_column_int64(st, 2),
				.question = text_at(st, 3), .answer = text_at(st, 4), .path = text_at(st, 5),
				.model = text_at(st, 6), .provider = text_at(st, 7), .outcome = text_at(st, 8),
				.error = text_at(st, 9),
				.tokens_in = sqlite3_column_int64(st, 10),
				.tokens_out = sqlite3_column_int64(st, 11),
				.tokens_estimated = sqlite3_column_int(st, 12) != 0,
				.context_tokens = sqlite3_column_int64(st, 13),
				.question_tokens = sqlite3_column_int64(st, 14),
				.prompt_tokens = sqlite3_column_int64(st, 15),
				.cost_usd = sqlite3_column_double(st, 16),
				.total_us = sqlite3_column_int64(st, 17),
				.ttft_us = sqlite3_column_int64(st, 18),
				.has_grounding = sqlite3_column_type(st, 19) != SQLITE_NULL,
				.grounding = sqlite3_column_double(st, 19),
				.spans_json = text_at(st, 20), .decision_json = text_at(st, 21),
				.retrieval_json = text_at(st, 22),
				.has_unsupported = sqlite3_column_type(st, 23) != SQLITE_NULL,
				.unsupported_sentences = sqlite3_column_int64(st, 23),
			};
			stop = fn(ud, &r);
		}
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE) {
		return store_error(s, "cannot read the query log", err, errlen);
	}
	return 0;
}
