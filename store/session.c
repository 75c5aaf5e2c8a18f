#include "store/session.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/util/clock.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_TITLE_MAX 80

static int fail(struct store *s, const char *what, char *err, size_t errlen)
{
	char action[96];
	snprintf(action, sizeof action, "cannot %s", what);
	return store_error(s, action, err, errlen);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return xstrdup(t ? (const char *)t : "");
}

/* Prepare sql and bind nothing; the caller binds and steps. */
static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) == SQLITE_OK ? 0 : -1;
}

int session_create(struct store *s, const char *title, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t now = clock_unix_now();
	int rc = -1;
	if (prepare(s, "INSERT INTO sessions (title, created_at, updated_at) VALUES (?1, ?2, ?2)", &st))
		goto cleanup;
	sqlite3_bind_text(st, 1, title ? title : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	*id = sqlite3_last_insert_rowid(store_db(s));
	rc = 0;
cleanup:
	if (rc)
		fail(s, "create a session", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* Run sql, an UPDATE of an assistant message binding its id as ?1 and
 * value as ?2; what names the action in the error. */
static int update_answer(struct store *s, const char *sql, int64_t msg_id, int value,
                         const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (prepare(s, sql, &st))
		goto cleanup;
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_int(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc)
		fail(s, what, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int session_message_approve(struct store *s, int64_t msg_id, bool approved, char *err, size_t errlen)
{
	return update_answer(s, "UPDATE messages SET approved = ?2 WHERE id = ?1 AND role = 'assistant'",
	                     msg_id, approved, "approve the answer", err, errlen);
}

int session_message_replace(struct store *s, int64_t msg_id, char *err, size_t errlen)
{
	return update_answer(s, "UPDATE messages SET replaced = ?2 WHERE id = ?1 AND role = 'assistant'",
	                     msg_id, 1, "mark the old answer replaced", err, errlen);
}

int session_touch(struct store *s, int64_t id, const char *title, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t tlen = title ? strlen(title) : 0;
	int rc = -1;
	if (tlen > SESSION_TITLE_MAX)
		tlen = utf8_floor_boundary(title, tlen, SESSION_TITLE_MAX);
	if (prepare(s, "UPDATE sessions SET updated_at = ?2,"
	               " title = CASE WHEN title = '' AND ?3 IS NOT NULL THEN ?3 ELSE title END"
	               " WHERE id = ?1", &st))
		goto cleanup;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, clock_unix_now());
	if (title)
		sqlite3_bind_text(st, 3, title, (int)tlen, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc)
		fail(s, "update the session", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static void read_session_row(sqlite3_stmt *st, void *row)
{
	struct session_row *r = row;
	r->id = sqlite3_column_int64(st, 0);
	r->title = column_dup(st, 1);
	r->created_at = sqlite3_column_int64(st, 2);
	r->updated_at = sqlite3_column_int64(st, 3);
	r->n_messages = sqlite3_column_int64(st, 4);
}

int session_list(struct store *s, struct session_row **rows, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	void *v = NULL;
	*rows = NULL;
	*n = 0;
	if (prepare(s, "SELECT s.id, s.title, s.created_at, s.updated_at,"
	               " (SELECT count(*) FROM messages m WHERE m.session_id = s.id)"
	               " FROM sessions s ORDER BY s.updated_at DESC, s.id DESC", &st))
		return fail(s, "list the sessions", err, errlen);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_session_row);
	*rows = v;
	sqlite3_finalize(st);
	if (failed) {
		session_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return fail(s, "list the sessions", err, errlen);
	}
	return 0;
}

void session_rows_free(struct session_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].title);
	free(rows);
}

int session_last(struct store *s, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	*id = 0;
	if (prepare(s, "SELECT id FROM sessions ORDER BY updated_at DESC, id DESC LIMIT 1", &st))
		goto cleanup;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc)
		fail(s, "find the last session", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int session_message_append(struct store *s, int64_t session, bool assistant, const char *content,
                           size_t len, int64_t query_id, int64_t *msg_id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (prepare(s, "INSERT INTO messages (session_id, role, content, query_id, created_at)"
	               " VALUES (?1, ?2, ?3, ?4, ?5)", &st))
		goto cleanup;
	sqlite3_bind_int64(st, 1, session);
	sqlite3_bind_text(st, 2, assistant ? "assistant" : "user", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, content, (int)len, SQLITE_STATIC);
	if (query_id)
		sqlite3_bind_int64(st, 4, query_id);
	sqlite3_bind_int64(st, 5, clock_unix_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	if (msg_id)
		*msg_id = sqlite3_last_insert_rowid(store_db(s));
	rc = 0;
cleanup:
	if (rc)
		fail(s, "save the message", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static void read_message_row(sqlite3_stmt *st, void *row)
{
	struct session_msg *m = row;
	const unsigned char *role = sqlite3_column_text(st, 1);
	m->id = sqlite3_column_int64(st, 0);
	m->assistant = role && strcmp((const char *)role, "assistant") == 0;
	m->content = column_dup(st, 2);
	m->query_id = sqlite3_column_int64(st, 3);
	m->created_at = sqlite3_column_int64(st, 4);
	m->approved = sqlite3_column_int(st, 5) != 0;
	m->replaced = sqlite3_column_int(st, 6) != 0;
}

int session_messages(struct store *s, int64_t session, struct session_msg **rows, size_t *n,
                     char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	void *v = NULL;
	*rows = NULL;
	*n = 0;
	if (prepare(s, "SELECT id, role, content, coalesce(query_id, 0), created_at, approved, replaced"
	               " FROM messages"
	               " WHERE session_id = ?1 ORDER BY id", &st))
		return fail(s, "read the session's messages", err, errlen);
	sqlite3_bind_int64(st, 1, session);
	int failed = store_read_rows(st, sizeof **rows, &v, n, read_message_row);
	*rows = v;
	sqlite3_finalize(st);
	if (failed) {
		session_msgs_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return fail(s, "read the session's messages", err, errlen);
	}
	return 0;
}

void session_msgs_free(struct session_msg *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].content);
	free(rows);
}

int session_feedback_put(struct store *s, const struct session_feedback *f, char *err,
                         size_t errlen)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int rc = -1;
	/* An unlogged turn has no query_id for the UNIQUE constraint to see:
	 * the question stands in for it. */
	if (prepare(s, "DELETE FROM feedback WHERE chunk_id = ?2 AND (query_id = ?1 OR"
	               " (?1 IS NULL AND query_id IS NULL AND question = ?3))", &del))
		goto cleanup;
	if (prepare(s, "INSERT INTO feedback (query_id, chunk_id, document_path, line_start,"
	               " line_end, question, relevant, created_at) VALUES (?1, ?2, ?4, ?5, ?6, ?3, ?7, ?8)",
	            &ins))
		goto cleanup;
	sqlite3_stmt *both[2] = { del, ins };
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = both[i];
		if (f->query_id)
			sqlite3_bind_int64(st, 1, f->query_id);
		sqlite3_bind_int64(st, 2, f->chunk_id);
		sqlite3_bind_text(st, 3, f->question ? f->question : "", -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(ins, 4, f->document_path ? f->document_path : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 5, f->line_start);
	sqlite3_bind_int(ins, 6, f->line_end);
	sqlite3_bind_int(ins, 7, f->relevant ? 1 : 0);
	sqlite3_bind_int64(ins, 8, clock_unix_now());
	if (sqlite3_step(del) != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc)
		fail(s, "save the mark", err, errlen);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc;
}
