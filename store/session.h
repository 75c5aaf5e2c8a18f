/* session: saved chat sessions, their messages, and reviewer marks on
 * retrieved chunks (tables sessions, messages, feedback of schema v2;
 * messages.replaced since v7).
 *
 * Every function returns 0 on success or -1 with a message in err naming
 * the database. Strings handed in are copied by SQLite; rows handed out
 * are the caller's to free with the matching *_free function. */
#ifndef RAGDECK_SESSION_H
#define RAGDECK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct session_row {
	int64_t id;
	char *title;              /* "" until the first question names it */
	int64_t created_at, updated_at;   /* unix seconds */
	int64_t n_messages;
};

struct session_msg {
	int64_t id;
	bool assistant;           /* role 'assistant', else 'user' */
	char *content;
	int64_t query_id;         /* 0 when the turn was not logged */
	int64_t created_at;
	bool approved;            /* an answer approved as a training pair */
	bool replaced;            /* an answer replaced by a newer one (asked again) */
};

/* A reviewer's mark on one chunk of one turn's retrieval. */
struct session_feedback {
	int64_t query_id;         /* 0: the turn was not logged */
	int64_t chunk_id;
	const char *document_path;
	int line_start, line_end;
	const char *question;
	bool relevant;
};

/* Create an empty session titled title (NULL: "") and set *id. */
int session_create(struct store *s, const char *title, int64_t *id, char *err, size_t errlen);

/* Set updated_at of session id to now; when its title is empty and title is
 * not NULL, title (cut to 80 bytes at a character boundary) becomes it. */
int session_touch(struct store *s, int64_t id, const char *title, char *err, size_t errlen);

/* The sessions, most recently updated first, into *rows (*n of them; NULL
 * and 0 when there are none). Free with session_rows_free. */
int session_list(struct store *s, struct session_row **rows, size_t *n, char *err, size_t errlen);
void session_rows_free(struct session_row *rows, size_t n);

/* The most recently updated session into *id; 0 when there is none. */
int session_last(struct store *s, int64_t *id, char *err, size_t errlen);

/* Append a message of content[0..len) to session id; query_id 0 stores
 * NULL. Sets *msg_id when not NULL. */
int session_message_append(struct store *s, int64_t session, bool assistant, const char *content,
                           size_t len, int64_t query_id, int64_t *msg_id, char *err, size_t errlen);

/* Mark assistant message id approved (or not) for `ragdeck pairs export`.
 * Returns 0 or -1 with err. */
int session_message_approve(struct store *s, int64_t msg_id, bool approved, char *err, size_t errlen);

/* Mark assistant message id replaced by a newer answer to the same
 * question (it stays in the session). Returns 0 or -1 with err. */
int session_message_replace(struct store *s, int64_t msg_id, char *err, size_t errlen);

/* The messages of a session in order into *rows (*n of them). Free with
 * session_msgs_free. */
int session_messages(struct store *s, int64_t session, struct session_msg **rows, size_t *n,
                     char *err, size_t errlen);
void session_msgs_free(struct session_msg *rows, size_t n);

/* Record f, replacing an earlier mark of the same chunk for the same turn
 * (the same query_id, or with query_id 0 the same question). */
int session_feedback_put(struct store *s, const struct session_feedback *f, char *err,
                         size_t errlen);

#endif
