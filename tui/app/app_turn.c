/* app_turn: questions and answers — starting turns, streaming into the
 * chat, finishing them into the session, and the saved sessions. */
#include "tui/app/app_impl.h"
#include "core/util/error.h"
#include "tui/cli/cli.h"
#include "core/answer/support.h"
#include "store/session.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct chat_msg *add_msg(struct app *a, bool assistant, const char *text, size_t len)
{
	struct chat_msg *m = xcalloc(1, sizeof *m);
	m->assistant = assistant;
	sb_append(&m->raw, text, len);
	a->host.msgs = xreallocarray(a->host.msgs, a->host.n_msgs + 1, sizeof *a->host.msgs);
	a->host.msgs[a->host.n_msgs++] = m;
	app_notify(a, PANE_EVENT_MESSAGE);
	return m;
}

static void msg_free(struct chat_msg *m)
{
	sb_free(&m->raw);
	free(m->clean.buf);
	wrap_free(&m->wrap);
	turn_free(&m->turn);
	free(m->footer);
	free(m->unsupported);
	free(m);
}

void app_clear_chat(struct app *a)
{
	app_cancel_turn(a);
	a->running = NULL;
	a->host.streaming = NULL;
	for (size_t i = 0; i < a->host.n_msgs; i++)
		msg_free(a->host.msgs[i]);
	free(a->host.msgs);
	a->host.msgs = NULL;
	a->host.n_msgs = 0;
	a->host.shown = -1;
	app_notify(a, PANE_EVENT_MESSAGE);
	app_notify(a, PANE_EVENT_SHOWN);
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct app *a = ud;
	if (!a->host.streaming)
		return;
	sb_append(&a->host.streaming->raw, text, len);
	a->dirty = true;
}

static void count_turn(struct app_totals *t, const struct turn_record *r)
{
	t->latency_ms[t->n_latency++ % APP_LATENCIES] = r->total_us / 1000;
	t->turns++;
	t->tokens_in += r->usage.input_tokens;
	t->tokens_out += r->usage.output_tokens;
	if (r->metrics.cost_known) {
		t->cost += r->metrics.cost_usd;
		t->cost_known = true;
	}
	if (r->outcome == LLM_OUTCOME_FAILED)
		t->errors++;
	if (r->outcome == LLM_OUTCOME_CANCELLED || r->outcome == LLM_OUTCOME_INTERRUPTED)
		t->interrupted++;
	if (r->n_hops > 0)
		t->fallbacks++;
}

static char *footer_of(const struct turn_record *r)
{
	struct strbuf sb = STRBUF_INIT;
	char ttft[32] = "-";
	if (r->ttft_us)
		snprintf(ttft, sizeof ttft, "%.0f ms", (double)r->ttft_us / 1e3);
	sb_printf(&sb, "%s via %s · first token %s · total %.0f ms · %ld in / %ld out tokens",
	          r->model ? r->model : "?", r->provider ? r->provider : "?", ttft,
	          (double)r->total_us / 1e3, r->usage.input_tokens, r->usage.output_tokens);
	if (r->metrics.cost_known)
		sb_printf(&sb, " · $%.6f", r->metrics.cost_usd);
	if (r->outcome == LLM_OUTCOME_CANCELLED)
		sb_puts(&sb, " · cancelled");
	else if (r->outcome == LLM_OUTCOME_INTERRUPTED)
		sb_printf(&sb, " · interrupted: %s", r->error ? r->error : "");
	else if (r->outcome == LLM_OUTCOME_FAILED)
		sb_printf(&sb, " · failed: %s", r->error ? r->error : "");
	return sb_detach(&sb, NULL);
}

/* Mark the sentences of m's answer that no context block supports. They
 * are scored again on the sanitized text the pane draws, so the ranges are
 * its bytes even where the sanitizer changed the answer's. Only an answer
 * that had context blocks (it carries support marks) is marked. */
static void mark_unsupported(struct chat_msg *m, const struct turn_record *r)
{
	const struct pack_result *pk = &r->retrieval.pack;
	if (!r->metrics.has_unsupported || !pk->n_blocks)
		return;
	chat_msg_clean(m);
	char *text = xstrndup(m->clean.buf ? m->clean.buf : "", m->clean.len);
	struct support_block *blocks = xcalloc(pk->n_blocks, sizeof *blocks);
	for (size_t i = 0; i < pk->n_blocks; i++)
		blocks[i] = (struct support_block){ pk->blocks[i].number, pk->blocks[i].text };
	struct support_result sr;
	support_score(text, blocks, pk->n_blocks, &sr);
	m->unsupported = xcalloc(sr.unsupported ? sr.unsupported : 1, sizeof *m->unsupported);
	for (size_t i = 0; i < sr.n; i++)
		if (sr.sentences[i].counted && sr.sentences[i].basis == SUPPORT_NONE)
			m->unsupported[m->n_unsupported++] =
				(struct chat_mark){ sr.sentences[i].start, sr.sentences[i].end };
	support_result_free(&sr);
	free(blocks);
	free(text);
}

static void on_done(void *ud, const struct turn_record *r)
{
	struct app *a = ud;
	struct chat_msg *m = a->host.streaming;
	char err[ERR_LEN];
	if (!m)
		return;
	if (m->raw.len == 0 && r->outcome == LLM_OUTCOME_FAILED)
		sb_printf(&m->raw, "(no answer: %s)", r->error ? r->error : "");
	m->interrupted = r->outcome == LLM_OUTCOME_CANCELLED || r->outcome == LLM_OUTCOME_INTERRUPTED;
	m->footer = footer_of(r);
	m->query_id = r->query_id;
	mark_unsupported(m, r);
	count_turn(&a->host.totals, r);
	if (!a->session_id)
		app_status(a, true, "answered, but not saved: %s", a->save_error);
	else if (session_message_append(a->cli->store, a->session_id, true, sb_str(&m->raw), m->raw.len,
	                                r->query_id, &m->msg_id, err, sizeof err) != 0)
		app_status(a, true, "%s", err);
	else if (r->outcome == LLM_OUTCOME_FAILED)
		app_status(a, true, "the answer failed: %s", r->error ? r->error : "");
	else if (r->outcome == LLM_OUTCOME_INTERRUPTED)
		app_status(a, true, "answer interrupted (what arrived is kept): %s", r->error ? r->error : "");
	else if (r->outcome == LLM_OUTCOME_CANCELLED)
		app_status(a, false, "answer cancelled; what arrived is kept");
	else
		a->status[0] = '\0';
	a->host.streaming = NULL;
	a->dirty = true;
}

/* The session new messages go to, created on the first question. On
 * failure (another process holding the database, for one) a->save_error
 * says why and the question is still answered, unsaved. */
static int ensure_session(struct app *a, const char *question)
{
	a->save_error[0] = '\0';
	if (!a->session_id &&
	    session_create(a->cli->store, NULL, &a->session_id, a->save_error, sizeof a->save_error) != 0)
		return -1;
	if (session_touch(a->cli->store, a->session_id, question, a->save_error, sizeof a->save_error) != 0)
		return -1;
	return 0;
}

/* Start a turn answering question, streaming into a new assistant
 * message at the end of the chat. */
static void start_answer(struct app *a, const char *question)
{
	char err[ERR_LEN];
	struct chat_msg *m = add_msg(a, true, "", 0);
	struct turn_env env = {
		.cfg = a->cli->cfg, .retriever = a->retriever, .client = a->client, .router = a->router,
		.breakers = a->host.breakers, .log = a->cli->store, .session_id = a->session_id,
		.window = a->host.window,
	};
	struct turn_opts opts = { .model = a->model };
	struct turn_callbacks cbs = { .on_text = on_text, .on_done = on_done, .ud = a };
	a->host.streaming = m;
	if (turn_start(&env, question, &opts, &cbs, &m->turn, err, sizeof err) != 0) {
		a->host.streaming = NULL;
		sb_printf(&m->raw, "(no answer: %s)", err);
		m->footer = xstrdup("failed");
		a->host.totals.errors++;
		app_status(a, true, "%s", err);
		return;
	}
	a->running = m->turn;
	a->host.shown = (long)a->host.n_msgs - 1;
	pane_context_show_item(a->panes[LAYOUT_CONTEXT], NULL);
	app_notify(a, PANE_EVENT_SHOWN);
	const struct turn_record *r = turn_record(m->turn);
	if (turn_summarizing(m->turn))
		app_status(a, false, "summarizing %zu chunks over budget with %s, then answering…", r->summary.n_chunks, r->summary.model);
	else
		app_status(a, false, "answering with %s…", r->model ? r->model : "the default model");
}

void app_ask(struct app *a, const char *question)
{
	if (ensure_session(a, question) == 0 &&
	    session_message_append(a->cli->store, a->session_id, false, question, strlen(question), 0,
	                           NULL, a->save_error, sizeof a->save_error) != 0)
		app_status(a, true, "%s", a->save_error);
	add_msg(a, false, question, strlen(question));
	start_answer(a, question);
}

bool app_still_answering(struct app *a, const char *what)
{
	if (!a->running || turn_done(a->running))
		return false;
	app_status(a, false, "%s waits for the answer to finish (Esc stops it)", what);
	return true;
}

/* The last question of the conversation (the index of its message), or
 * -1 with the status line saying there is none to what. */
static long last_question(struct app *a, const char *what)
{
	for (size_t i = a->host.n_msgs; i-- > 0;)
		if (!a->host.msgs[i]->assistant)
			return (long)i;
	app_status(a, false, "no question to %s yet: ask one first", what);
	return -1;
}

/* Answer m is replaced by a newer one: its footer says so first. */
static void show_replaced(struct chat_msg *m)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "replaced by a newer answer");
	if (m->footer)
		sb_printf(&sb, " · %s", m->footer);
	free(m->footer);
	m->footer = sb_detach(&sb, NULL);
	m->replaced = true;
}

void app_edit_question(struct app *a)
{
	if (app_still_answering(a, "editing the last question"))
		return;
	long q = last_question(a, "edit");
	if (q < 0)
		return;
	const struct strbuf *text = &a->host.msgs[q]->raw;
	bool kept = lineedit_recall(a->input, sb_str(text), text->len);
	a->input_focus = true;
	a->need_layout = true;
	app_status(a, false, "editing the last question: Enter sends it%s",
	           kept ? "; Ctrl-Y brings back the line you were typing" : "");
}

void app_ask_again(struct app *a)
{
	char err[ERR_LEN];
	int rc = 0;
	if (app_still_answering(a, "asking again"))
		return;
	long q = last_question(a, "ask again");
	if (q < 0)
		return;
	for (size_t i = (size_t)q + 1; i < a->host.n_msgs; i++) {
		struct chat_msg *m = a->host.msgs[i];
		if (m->replaced)
			continue;
		show_replaced(m);
		if (rc == 0 && m->msg_id)
			rc = session_message_replace(a->cli->store, m->msg_id, err, sizeof err);
	}
	a->save_error[0] = '\0';
	if (!a->session_id)
		snprintf(a->save_error, sizeof a->save_error, "its question is in no saved session");
	else if (rc == 0)
		rc = session_touch(a->cli->store, a->session_id, NULL, err, sizeof err);
	start_answer(a, sb_str(&a->host.msgs[q]->raw));
	if (rc != 0)
		app_status(a, true, "asking again, but the saved session is not updated: %s", err);
}

void app_cancel_turn(struct app *a)
{
	if (!a->running)
		return;
	turn_cancel(a->running);
	a->dirty = true;
}

int app_load_session(struct app *a, int64_t id)
{
	struct session_msg *rows = NULL;
	size_t n = 0;
	char err[ERR_LEN];
	if (session_messages(a->cli->store, id, &rows, &n, err, sizeof err) != 0) {
		app_status(a, true, "%s", err);
		return -1;
	}
	app_clear_chat(a);
	a->session_id = id;
	for (size_t i = 0; i < n; i++) {
		struct chat_msg *m = add_msg(a, rows[i].assistant, rows[i].content, strlen(rows[i].content));
		m->query_id = rows[i].query_id;
		m->msg_id = rows[i].id;
		m->approved = rows[i].approved;
		if (m->assistant)
			m->footer = xstrdup("(from the saved session)");
		if (rows[i].replaced)
			show_replaced(m);
	}
	session_msgs_free(rows, n);
	app_status(a, false, "session %lld: %zu messages", (long long)id, n);
	return 0;
}

void app_list_sessions(struct app *a)
{
	struct session_row *rows = NULL;
	size_t n = 0;
	char err[ERR_LEN];
	struct strbuf sb = STRBUF_INIT;
	if (session_list(a->cli->store, &rows, &n, err, sizeof err) != 0) {
		app_status(a, true, "%s", err);
		return;
	}
	sb_puts(&sb, "Switch with :session N\n\n");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%4lld  %3lld messages  %s%s\n", (long long)rows[i].id,
		          (long long)rows[i].n_messages, rows[i].title[0] ? rows[i].title : "(untitled)",
		          rows[i].id == a->session_id ? "  (current)" : "");
	if (n == 0)
		sb_puts(&sb, "(no saved sessions yet)\n");
	app_show_text(a, "sessions", sb_str(&sb), sb.len);
	sb_free(&sb);
	session_rows_free(rows, n);
}

int app_export(struct app *a, const char *path)
{
	/* A conversation is private: a new file is the user's alone. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		app_status(a, true, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "# ragdeck conversation\n\n");
	for (size_t i = 0; i < a->host.n_msgs; i++) {
		struct chat_msg *m = a->host.msgs[i];
		chat_msg_clean(m);
		fprintf(f, "## %s\n\n%s\n\n", m->assistant ? "ragdeck" : "You", m->clean.buf);
		if (m->footer) {
			char *footer_clean = utf8_sanitize(m->footer, strlen(m->footer), NULL);
			fprintf(f, "_%s_\n\n", footer_clean);
			free(footer_clean);
		}
		const struct turn_record *r = m->turn ? turn_record(m->turn) : NULL;
		for (size_t b = 0; r && b < r->retrieval.pack.n_blocks; b++) {
			const struct pack_block *pb = &r->retrieval.pack.blocks[b];
			const char *shown = cli_display_path(pb->path);
			char *path_clean = utf8_sanitize(shown, strlen(shown), NULL);
			char loc[PACK_LOCATION_LEN];
			pack_location(loc, sizeof loc, pb->line_start, pb->line_end, pb->page_start, pb->page_end);
			fprintf(f, "%s[%d] %s%s\n", b ? "" : "Sources:\n\n", pb->number, path_clean, loc);
			free(path_clean);
		}
		if (r && r->retrieval.pack.n_blocks)
			fputc('\n', f);
	}
	if (fclose(f) != 0) {
		app_status(a, true, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	app_status(a, false, "saved the conversation to %s", path);
	return 0;
}
