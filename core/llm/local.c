#include "core/llm/local.h"
#include "core/util/fts_query.h"
#include "core/llm/local_int.h"
#include "core/llm/provider.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Each later block weighs this much less (the retriever ranked them). */
#define BLOCK_STEP 0.02
/* A further passage must hold this share of the best one's score. */
#define FOLLOW_SHARE 0.6
/* A lead-in up to this many words comes with its list or code. */
#define LEAD_WORDS 40

/* The question's terms as retrieval reads them (scaffolding out),
 * stemmed; its identifier terms (2fa, 1042, 7443) also into idents. */
static void question_terms(const char *question, struct lterms *q, struct lterms *idents)
{
	struct fts_terms t;
	struct strbuf words = STRBUF_INIT, ids = STRBUF_INIT;
	fts_query_terms(question, strlen(question), &t);
	for (size_t i = 0; i < t.n; i++) {
		sb_printf(&words, "%s ", t.items[i].text);
		if (t.items[i].kind == FTS_TERM_IDENT)
			sb_printf(&ids, "%s ", t.items[i].text);
	}
	lterms_of(q, words.buf ? words.buf : "", words.len);
	lterms_of(idents, ids.buf ? ids.buf : "", ids.len);
	sb_free(&words);
	sb_free(&ids);
	fts_terms_free(&t);
}

/* "how do I ...", "steps to ...", "show me the commands": the answer is a
 * procedure. */
static bool asks_how(const char *question)
{
	static const char *const cues[] = {
		"how do i", "how do we", "how to", "how can i", "how can we", "how should i", "steps",
		"command", "install", "set up", "setup", "configure", "walk me through", "show me",
	};
	char *lc = xstrdup(question);
	bool found = false;
	for (char *p = lc; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < sizeof cues / sizeof cues[0] && !found; i++)
		found = strstr(lc, cues[i]) != NULL;
	free(lc);
	return found;
}

static double score(const struct unit *x)
{
	return x->rel - BLOCK_STEP * (double)x->block;
}

/* The best atomic unit not yet used, or NO_UNIT; archived units only when
 * allowed. */
static size_t best_unit(const struct units *u, const bool *used, bool allow_archived)
{
	size_t best = NO_UNIT;
	for (size_t i = 0; i < u->n; i++) {
		const struct unit *x = &u->v[i];
		if (!unit_atomic(u, i) || used[i] || (x->archived && !allow_archived) || x->rel <= 0)
			continue;
		if (best == NO_UNIT || score(x) > score(&u->v[best]))
			best = i;
	}
	return best;
}

/* The numbered list or code block in the section of unit i that best
 * holds the question: a procedure to quote for a how-to question. */
static size_t procedure_near(const struct units *u, size_t i)
{
	size_t best = NO_UNIT;
	for (size_t j = 0; j < u->n; j++) {
		const struct unit *x = &u->v[j];
		bool steps = (x->kind == U_LIST && x->ordered) || x->kind == U_CODE;
		if (!steps || !x->text[0] || x->block != u->v[i].block || x->section != u->v[i].section)
			continue;
		if (best == NO_UNIT || x->rel > u->v[best].rel)
			best = j;
	}
	return best;
}

/* The list, table or code block that paragraph p introduces ("Raise the
 * limits:"), or NO_UNIT. */
static size_t introduced(const struct units *u, size_t p)
{
	const char *t = u->v[p].text;
	if (!t[0] || t[strlen(t) - 1] != ':')
		return NO_UNIT;
	for (size_t j = p + 1; j < u->n; j++) {
		const struct unit *x = &u->v[j];
		if (x->parent == p)
			continue;
		bool block = x->kind == U_LIST || x->kind == U_TABLE || x->kind == U_CODE;
		return block && x->lead == p && x->text[0] ? j : NO_UNIT;
	}
	return NO_UNIT;
}

/* What to quote for atomic unit i: the block a paragraph ending in ':'
 * introduces, with the paragraph; an item's list (numbered steps, or any
 * list for a how-to question); else the unit itself. */
static size_t quotable(const struct units *u, size_t i, bool how)
{
	const struct unit *x = &u->v[i];
	if (x->kind == U_PARAGRAPH) {
		size_t block = introduced(u, i);
		return block != NO_UNIT ? block : i;
	}
	if (x->parent == NO_UNIT)
		return i;
	const struct unit *p = &u->v[x->parent];
	if (x->kind == U_ITEM && p->text[0] && (p->ordered || how))
		return x->parent;
	return i;
}

/* Mark unit q and everything inside it as used, and its terms as said. */
static void use(const struct units *u, size_t q, bool *used, struct lterms *said)
{
	used[q] = true;
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].parent == q)
			used[i] = true;
	lterms_merge(said, &u->v[q].terms);
}

/* Whether unit i holds a term of the question the answer has not said. */
static bool adds_terms(const struct unit *x, const struct lterms *q, const struct lterms *said)
{
	for (size_t i = 0; i < q->n; i++)
		if (lterms_has(&x->terms, q->v[i]) && !lterms_has(said, q->v[i]))
			return true;
	return false;
}

/* Quote unit q: its lead-in when it is a list or code block, then its
 * text, then the citation. */
static void quote(const struct units *u, size_t q, const struct llm_context_block *blocks, struct strbuf *out,
                  bool *used, struct lterms *said)
{
	const struct unit *x = &u->v[q];
	int cite = blocks[x->block].number;
	if (out->len)
		sb_puts(out, "\n\n");
	bool multiline = x->kind == U_LIST || x->kind == U_TABLE || x->kind == U_CODE;
	if (multiline && x->lead != NO_UNIT && u->v[x->lead].words <= LEAD_WORDS && !used[x->lead]) {
		sb_printf(out, "%s\n\n", u->v[x->lead].text);
		use(u, x->lead, used, said);
	}
	sb_puts(out, x->text);
	/* A sentence out of a long paragraph brings the one after it, which
	 * often says what to do about it. */
	if (x->kind == U_SENTENCE && q + 1 < u->n && u->v[q + 1].kind == U_SENTENCE &&
	    u->v[q + 1].parent == x->parent && !used[q + 1]) {
		sb_printf(out, " %s", u->v[q + 1].text);
		used[q + 1] = true;
		x = &u->v[q + 1];
	}
	if (x->kind == U_CODE || x->kind == U_TABLE)
		sb_printf(out, "\n[%d]", cite);
	else
		sb_printf(out, "%s [%d]", strchr(".!?:", x->text[strlen(x->text) - 1]) ? "" : ".", cite);
	use(u, q, used, said);
}

/* How many of the question's terms unit x is about (its own words and
 * its section heading's: "Linux" above "To install it:"). */
static size_t matched_terms(const struct unit *x, const struct lterms *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++)
		n += lterms_has(&x->about, q->v[i]);
	return n;
}

/* Whether the context covers the question well enough to answer from
 * unit best: a question of up to LLM_LOCAL_MIN_TERMS terms must find each
 * of them somewhere in the context ("gdpr dpa" may be spread over two
 * passages, "capital of France" with only France found is not covered);
 * a longer one must find LLM_LOCAL_MIN_TERMS of them in best itself. */
static bool covered(const struct units *u, size_t best, const struct lterms *q)
{
	if (q->n > LLM_LOCAL_MIN_TERMS)
		return matched_terms(&u->v[best], q) >= LLM_LOCAL_MIN_TERMS;
	for (size_t i = 0; i < q->n; i++) {
		bool found = false;
		for (size_t j = 0; j < u->n && !found; j++)
			found = lterms_has(&u->v[j].about, q->v[i]);
		if (!found)
			return false;
	}
	return q->n > 0;
}

/* "documents/a.md (Heading)": the last two parts of a path. */
static const char *short_path(const char *path)
{
	const char *end = path + strlen(path), *p = end;
	int slashes = 0;
	while (p > path && slashes < 2)
		if (*--p == '/')
			slashes++;
	return slashes == 2 ? p + 1 : p;
}

/* The refusal, and where the reader could look instead. */
static void decline(const struct llm_context_block *blocks, size_t n_blocks, struct strbuf *out)
{
	sb_puts(out, LLM_LOCAL_NO_ANSWER);
	size_t named = 0;
	for (size_t b = 0; b < n_blocks && named < 3; b++) {
		if (!blocks[b].path)
			continue;
		sb_puts(out, named ? "; " : " The closest documents: ");
		sb_puts(out, short_path(blocks[b].path));
		if (blocks[b].heading_path && blocks[b].heading_path[0])
			sb_printf(out, " (%s)", blocks[b].heading_path);
		sb_printf(out, " [%d]", blocks[b].number);
		named++;
	}
	if (named)
		sb_putc(out, '.');
}

bool llm_local_declines(const char *answer)
{
	return strncmp(answer, LLM_LOCAL_NO_ANSWER, strlen(LLM_LOCAL_NO_ANSWER)) == 0;
}

size_t llm_local_answer(const char *question, const struct llm_context_block *blocks, size_t n_blocks,
                        struct strbuf *out)
{
	struct units u = { 0 };
	struct lterms q = { 0 }, idents = { 0 }, said = { 0 };
	size_t quoted = 0;
	question = question ? question : "";
	question_terms(question, &q, &idents);
	units_split(&u, blocks, n_blocks);
	units_score(&u, &q, &idents);
	bool *used = xcalloc(u.n + 1, sizeof *used);
	/* An archived document answers only when no current one can. */
	size_t current = best_unit(&u, used, false);
	bool allow_archived = current == NO_UNIT || u.v[current].rel < LLM_LOCAL_MIN_RELEVANCE;
	size_t best = allow_archived ? best_unit(&u, used, true) : current;
	/* A form asked for (a table with given columns, JSON with given keys)
	 * is filled when the context holds anything of the question: the form
	 * says what to look for better than the question's words do. */
	if (best != NO_UNIT && u.v[best].rel >= LLM_LOCAL_MIN_RELEVANCE / 2 &&
	    local_format_answer(question, &u, best, blocks, out)) {
		quoted = 1;
		goto cleanup;
	}
	if (best == NO_UNIT || u.v[best].rel < LLM_LOCAL_MIN_RELEVANCE || !covered(&u, best, &q)) {
		decline(blocks, n_blocks, out);
		goto cleanup;
	}
	bool how = asks_how(question);
	double floor = FOLLOW_SHARE * score(&u.v[best]);
	if (how) {
		size_t steps = procedure_near(&u, best);
		if (steps != NO_UNIT) {
			quote(&u, steps, blocks, out, used, &said);
			quoted++;
		}
	}
	for (size_t next = best; next != NO_UNIT && quoted < LLM_LOCAL_MAX_PASSAGES;
	     next = best_unit(&u, used, allow_archived)) {
		if (next != best && (score(&u.v[next]) < floor || !adds_terms(&u.v[next], &q, &said))) {
			used[next] = true;
			continue;
		}
		size_t what = quotable(&u, next, how);
		if (used[what]) {
			used[next] = true;
			continue;
		}
		quote(&u, what, blocks, out, used, &said);
		used[next] = true;
		quoted++;
	}
cleanup:
	free(used);
	lterms_free(&q);
	lterms_free(&idents);
	lterms_free(&said);
	units_free(&u);
	return quoted;
}

/* ---- the provider ---- */

static const char *question_of(const struct llm_request *req)
{
	if (req->question)
		return req->question;
	for (size_t i = req->n_messages; i > 0; i--) {
		if (req->messages[i - 1].role == LLM_ROLE_USER)
			return req->messages[i - 1].content;
	}
	return "";
}

/* Queue the answer word by word: each piece is a word with its leading space. */
static void queue_words(struct llm_stream *s, const char *text, size_t len)
{
	size_t start = 0;
	for (size_t i = 1; i <= len; i++) {
		if (i == len || text[i] == ' ') {
			llm_stream_queue(s, text + start, i - start);
			start = i;
		}
	}
}

static int local_start(struct llm_stream *s, const struct llm_request *req, const char *key,
		       char *err, size_t errlen)
{
	(void)key;
	(void)err;
	(void)errlen;
	struct strbuf answer = STRBUF_INIT;
	const char *question = question_of(req);
	size_t in_bytes = strlen(question);
	for (size_t i = 0; i < req->n_blocks; i++)
		in_bytes += req->blocks[i].text ? strlen(req->blocks[i].text) : 0;
	llm_local_answer(question, req->blocks, req->n_blocks, &answer);
	queue_words(s, answer.buf, answer.len);
	llm_stream_set_usage_estimate(s, (long)((in_bytes + 3) / 4), (long)((answer.len + 3) / 4));
	llm_stream_set_finish(s, "stop");
	llm_stream_complete(s);
	sb_free(&answer);
	return 0;
}

const struct llm_provider_ops llm_local_ops = {
	.name = "local",
	.key_env = NULL,
	.base_env = NULL,
	.default_base = NULL,
	.path = NULL,
	.state_size = 0,
	.start = local_start,
	.on_event = NULL,
	.on_field = NULL,
	.finish = NULL,
};
