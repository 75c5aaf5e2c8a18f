/* app_why: why a document was or was not retrieved (:why-not PATH, the
 * context pane's w) and Tab on the ':' line, which completes command
 * names and the stored paths why-not takes. */
#include "tui/app/app_impl.h"
#include "core/config/config.h"
#include "core/search/explain.h"
#include "core/util/error.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"
#include "store/store.h"
#include "tui/cli/cli.h"
#include "tui/cli/search_explain.h"
#include "tui/ui/cmdline_complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The question a record's retrieval searched for: without its routing
 * prefix. */
static const char *searched_question(const struct turn_record *r)
{
	return r->decision.question && r->decision.question[0] ? r->decision.question : r->question;
}

void app_why_not(struct app *a, const char *path)
{
	const struct turn_record *r = pane_context_shown(a->panes[LAYOUT_CONTEXT]);
	if (!r) {
		app_status(a, false, "why-not explains a question's retrieval: ask one first");
		return;
	}
	if (app_still_answering(a, "why-not"))
		return;
	if (!a->retriever) {
		app_status(a, true, "why-not needs the store's search, which did not open");
		return;
	}
	const struct config *cfg = a->cli->cfg;
	struct retrieve_query q = {
		.text = searched_question(r),
		.k = cfg->routing.retrieval.top_k,
		.mode = RETRIEVE_HYBRID,
		.max_context_tokens = cfg->routing.retrieval.max_context_tokens,
	};
	struct explain_result e;
	char err[ERR_LEN];
	if (retrieve_explain(a->retriever, &q, path, &e, err, sizeof err) != 0) {
		explain_result_free(&e);
		app_status(a, true, "why-not %s: %s", path, err);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		explain_result_free(&e);
		app_status(a, true, "why-not %s: out of memory", path);
		return;
	}
	fprintf(f, "For: %s\nSearched again now as the app searches (%s, top %d, budget %d tokens).\n\n", q.text,
	        retrieve_mode_name(q.mode), q.k, q.max_context_tokens);
	search_explain_text(f, &e);
	fclose(f);
	explain_result_free(&e);
	app_show_text(a, "why-not (Esc closes)", text, len);
	free(text);
}

/* The names of the commands ':' takes, for completion. */
static size_t colon_names(const char **names)
{
	size_t n = 0;
	for (int i = 1; i < KEYS_CMD_COUNT; i++)
		if (keys_cmd_colon((enum keys_cmd)i) != KEYS_KEY_ONLY)
			names[n++] = keys_cmd_name((enum keys_cmd)i);
	return n;
}

/* Say what a completion of word left open: nothing matched, or the
 * matches when several remain. */
static void say_matches(struct app *a, const char *word, const struct cmdline_completion *c, const char *what)
{
	if (c->n_matches == 0) {
		app_status(a, true, "no %s %s %s", what, word[0] ? "matches" : "to complete", word);
		return;
	}
	if (c->n_matches == 1)
		return;
	struct strbuf sb = STRBUF_INIT;
	size_t shown = c->n_matches < CMDLINE_COMPLETE_SHOWN ? c->n_matches : CMDLINE_COMPLETE_SHOWN;
	sb_printf(&sb, "%zu match:", c->n_matches);
	for (size_t i = 0; i < shown; i++)
		sb_printf(&sb, "%s %s", i ? "," : "", c->shown[i]);
	if (shown < c->n_matches)
		sb_puts(&sb, ", …");
	app_status(a, false, "%s", sb_str(&sb));
	sb_free(&sb);
}

/* Complete the stored path after "why-not " (line[0..arg) is that). */
static void complete_path(struct app *a, const char *line, size_t arg)
{
	char err[ERR_LEN];
	struct store_doc_row *rows = NULL;
	size_t n = 0;
	if (!a->retriever || retriever_documents(a->retriever, &rows, &n, err, sizeof err) != 0) {
		app_status(a, true, "cannot list the stored paths: %s", a->retriever ? err : "the store's search did not open");
		return;
	}
	const char **paths = xcalloc(n ? n : 1, sizeof *paths);
	for (size_t i = 0; i < n; i++)
		paths[i] = rows[i].path;
	struct cmdline_completion c;
	cmdline_complete(line + arg, paths, n, true, &c);
	struct strbuf sb = STRBUF_INIT;
	sb_append(&sb, line, arg);
	sb_append(&sb, c.common.buf, c.common.len);
	lineedit_set(a->cmdline, sb.buf, sb.len);
	say_matches(a, line + arg, &c, "stored path");
	sb_free(&sb);
	cmdline_completion_free(&c);
	free(paths);
	store_doc_rows_free(rows, n);
}

void app_complete_cmdline(struct app *a)
{
	size_t len;
	const char *text = lineedit_text(a->cmdline, &len);
	char *line = xstrndup(text, len);
	size_t lead = strspn(line, " \t:");
	const char *word = line + lead;
	const char *space = strpbrk(word, " \t");
	static const char why_not[] = "why-not";
	if (!space) {
		const char *names[KEYS_CMD_COUNT];
		struct cmdline_completion c;
		if (cmdline_complete(word, names, colon_names(names), false, &c) == 1)
			sb_putc(&c.common, ' ');
		lineedit_set(a->cmdline, c.common.buf, c.common.len);
		say_matches(a, word, &c, "command");
		cmdline_completion_free(&c);
	} else if ((size_t)(space - word) == sizeof why_not - 1 && strncmp(word, why_not, sizeof why_not - 1) == 0) {
		complete_path(a, line, (size_t)(space - line) + strspn(space, " \t"));
	} else {
		app_status(a, false, "Tab completes command names and why-not's stored paths");
	}
	free(line);
	a->dirty = true;
}
