/* evalstore: eval runs and results, reviewer marks, approved turns. */
#include "store/evalstore.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"

#include <stdio.h>

static const char run_sql[] =
	"INSERT INTO eval_runs (started_at, golden_path, golden_hash, config, model, params, summary)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char result_sql[] =
	"INSERT INTO eval_results (run_id, item_id, category, metrics, answer, passed)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char previous_sql[] =
	"SELECT id FROM eval_runs WHERE golden_path = ?1 AND params = ?3 AND (?2 = 0 OR id < ?2)"
	" ORDER BY id DESC LIMIT 1";
static const char summary_sql[] = "SELECT summary FROM eval_runs WHERE id = ?1";
static const char results_sql[] =
	"SELECT item_id, category, metrics, answer, passed FROM eval_results WHERE run_id = ?1 ORDER BY rowid";
/* Questions in the order they were first marked, then the marks in order. */
static const char marks_sql[] =
	"SELECT f.question, f.document_path, f.line_start, f.line_end FROM feedback f"
	" JOIN (SELECT question, MIN(id) AS first FROM feedback WHERE relevant = 1 GROUP BY question) q"
	" ON q.question = f.question WHERE f.relevant = 1 ORDER BY q.first, f.id";
static const char approved_sql[] =
	"SELECT a.id, (SELECT u.content FROM messages u WHERE u.session_id = a.session_id"
	"   AND u.id < a.id AND u.role = 'user' ORDER BY u.id DESC LIMIT 1), a.content"
	" FROM messages a WHERE a.role = 'assistant' AND a.approved = 1 ORDER BY a.id";

static const char judge_get_sql[] =
	"SELECT verdict FROM judge_verdicts WHERE item_id = ?1 AND content_hash = ?2 AND judge_model = ?3"
	" AND prompt_version = ?4";
static const char judge_put_sql[] =
	"INSERT OR REPLACE INTO judge_verdicts (item_id, content_hash, judge_model, prompt_version, verdict,"
	" tokens_in, tokens_out, cost_usd, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/* A replaced verdict gets a new rowid, so the highest is the newest. */
static const char judge_latest_sql[] =
	"SELECT verdict, judge_model FROM judge_verdicts WHERE content_hash = ?1 AND prompt_version = ?2"
	" AND (?3 IS NULL OR judge_model = ?3) ORDER BY rowid DESC LIMIT 1";

static const char *text_at(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static int report(struct store *s, int rc, const char *what, char *err, size_t errlen)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "cannot %s in %s: %s", what, store_path(s), sqlite3_errmsg(store_db(s)));
	return -1;
}

/* Step st (prepared with result rc, its parameters bound) for its one row:
 * column 0 into *a and, when b is not NULL, column 1 into *b (caller frees
 * both; NULL without a row). Finalizes st. Returns 0, 1 when there is no
 * row, -1 with err saying what could not be read. */
static int text_row(struct store *s, sqlite3_stmt *st, int rc, char **a, char **b, const char *what, char *err,
                    size_t errlen)
{
	int found = 1;
	*a = NULL;
	if (b)
		*b = NULL;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*a = xstrdup(text_at(st, 0));
			if (b)
				*b = xstrdup(text_at(st, 1));
			found = 0;
			rc = SQLITE_DONE;
		}
	}
	sqlite3_finalize(st);
	return report(s, rc, what, err, errlen) ? -1 : found;
}

int evalstore_run_insert(struct store *s, const struct evalstore_run *run, int64_t *id, char *err,
                         size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), run_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run->started_at);
		bind_text(st, 2, run->golden_path);
		bind_text(st, 3, run->golden_hash);
		bind_text(st, 4, run->config);
		bind_text(st, 5, run->model);
		bind_text(st, 6, run->params_json ? run->params_json : "{}");
		bind_text(st, 7, run->summary_json ? run->summary_json : "{}");
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		*id = sqlite3_last_insert_rowid(store_db(s));
	return report(s, rc, "record the eval run", err, errlen);
}

int evalstore_result_insert(struct store *s, int64_t run_id, const struct evalstore_result *r,
                            char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), result_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		bind_text(st, 2, r->item_id);
		bind_text(st, 3, r->category);
		bind_text(st, 4, r->metrics_json ? r->metrics_json : "{}");
		bind_text(st, 5, r->answer);
		sqlite3_bind_int(st, 6, r->passed);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return report(s, rc, "record an eval result", err, errlen);
}

int evalstore_previous_run(struct store *s, const char *golden_path, const char *params_json,
                           int64_t before_id, int64_t *prev, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int found = 1;
	int rc = sqlite3_prepare_v2(store_db(s), previous_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_text(st, 1, golden_path);
		sqlite3_bind_int64(st, 2, before_id);
		bind_text(st, 3, params_json ? params_json : "{}");
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*prev = sqlite3_column_int64(st, 0);
			found = 0;
			rc = SQLITE_DONE;
		}
	}
	sqlite3_finalize(st);
	return report(s, rc, "read the previous eval run", err, errlen) ? -1 : found;
}

int evalstore_run_summary(struct store *s, int64_t id, char **json, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), summary_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, id);
	return text_row(s, st, rc, json, NULL, "read the eval run", err, errlen);
}

int evalstore_results_each(struct store *s, int64_t run_id,
                           int (*fn)(void *ud, const struct evalstore_result *r), void *ud,
                           char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int stop = 0;
	int rc = sqlite3_prepare_v2(store_db(s), results_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run_id);
		while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct evalstore_result r = {
				.item_id = text_at(st, 0), .category = text_at(st, 1),
				.metrics_json = text_at(st, 2), .answer = text_at(st, 3),
				.passed = sqlite3_column_int(st, 4) != 0,
			};
			stop = fn(ud, &r);
		}
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return report(s, rc, "read eval results", err, errlen);
}

int evalstore_marks_each(struct store *s, int (*fn)(void *ud, const struct evalstore_mark *m), void *ud,
                         char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int stop = 0;
	int rc = sqlite3_prepare_v2(store_db(s), marks_sql, -1, &st, NULL);
	while (rc == SQLITE_OK && !stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct evalstore_mark m = {
			.question = text_at(st, 0), .path = text_at(st, 1),
			.line_start = sqlite3_column_int(st, 2), .line_end = sqlite3_column_int(st, 3),
		};
		stop = fn(ud, &m);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return report(s, rc, "read reviewer marks", err, errlen);
}

int evalstore_approved_each(struct store *s, int (*fn)(void *ud, const struct evalstore_pair *p),
                            void *ud, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int stop = 0;
	int rc = sqlite3_prepare_v2(store_db(s), approved_sql, -1, &st, NULL);
	while (rc == SQLITE_OK && !stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct evalstore_pair p = {
			.message_id = sqlite3_column_int64(st, 0),
			.question = text_at(st, 1), .answer = text_at(st, 2),
		};
		rc = SQLITE_OK;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			stop = fn(ud, &p);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return report(s, rc, "read approved messages", err, errlen);
}

static void bind_judge_key(sqlite3_stmt *st, const struct evalstore_judge_key *key)
{
	bind_text(st, 1, key->item_id);
	bind_text(st, 2, key->content_hash);
	bind_text(st, 3, key->judge_model);
	bind_text(st, 4, key->prompt_version);
}

int evalstore_judge_get(struct store *s, const struct evalstore_judge_key *key, char **verdict, char *err,
                        size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), judge_get_sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		bind_judge_key(st, key);
	return text_row(s, st, rc, verdict, NULL, "read a cached judge verdict", err, errlen);
}

int evalstore_judge_put(struct store *s, const struct evalstore_judge_key *key, const char *verdict,
                        const struct evalstore_judge_cost *cost, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), judge_put_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_judge_key(st, key);
		bind_text(st, 5, verdict);
		sqlite3_bind_int64(st, 6, cost->tokens_in);
		sqlite3_bind_int64(st, 7, cost->tokens_out);
		if (cost->cost_known)
			sqlite3_bind_double(st, 8, cost->cost_usd);
		sqlite3_bind_int64(st, 9, clock_unix_now());
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return report(s, rc, "cache a judge verdict", err, errlen);
}

int evalstore_judge_latest(struct store *s, const char *content_hash, const char *prompt_version,
                           const char *judge_model, char **verdict, char **model, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_db(s), judge_latest_sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_text(st, 1, content_hash);
		bind_text(st, 2, prompt_version);
		if (judge_model)
			bind_text(st, 3, judge_model);
	}
	return text_row(s, st, rc, verdict, model, "read a cached judge verdict", err, errlen);
}
