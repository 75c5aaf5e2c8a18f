/* Retrieval's reads on the PostgreSQL store: full-text matches through the
 * GIN index on chunks.tsv, ranked here as ragdeck_rank ranks them in
 * SQLite (store/fts.c), and the rows search_rows.h describes. */
#include "store/pg_int.h"
#include "store/fts.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2
#define B 0.75
#define MAX_PHRASES 64
#define MAX_PHRASE_TOKENS 16
/* tsvector keeps positions up to 16383 and 256 per lexeme. */
#define TSV_MAX_POS 16383
#define TSV_MAX_POSITIONS 255

struct pg_search {
	struct pg_store *p;
	int64_t coll;
	char coll_text[24];
	struct fts_tokenizer *tok; /* on a private in-memory SQLite: the index's words */
};

struct pg_search *pg_search_open(struct pg_store *p, int64_t coll)
{
	struct pg_search *q = xcalloc(1, sizeof *q);
	q->p = p;
	q->coll = coll;
	snprintf(q->coll_text, sizeof q->coll_text, "%lld", (long long)coll);
	q->tok = fts_tokenizer_open_memory();
	return q;
}

void pg_search_free(struct pg_search *q)
{
	if (!q)
		return;
	fts_tokenizer_free(&q->tok);
	free(q);
}

/* ---- tsvectors ------------------------------------------------------------ */

struct lexeme {
	char *text;
	int positions[TSV_MAX_POSITIONS];
	int n;
	bool heading[TSV_MAX_POSITIONS];
};

struct tsv_build {
	struct lexeme *lex;
	size_t n, cap;
	int pos;      /* the next token's position */
	bool heading; /* tokens of the heading column */
	int count;    /* tokens of the current column */
};

static int compare_lexeme(const void *a, const void *b)
{
	return strcmp(((const struct lexeme *)a)->text, ((const struct lexeme *)b)->text);
}

static void add_token(void *ud, const char *token, size_t n, size_t start, size_t end)
{
	struct tsv_build *t = ud;
	(void)start;
	(void)end;
	int pos = t->pos++;
	t->count++;
	if (n == 0 || n > 2000)
		return;
	struct lexeme *l = NULL;
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->lex[i].text) == n && memcmp(t->lex[i].text, token, n) == 0) {
			l = &t->lex[i];
			break;
		}
	if (!l) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->lex = xreallocarray(t->lex, t->cap, sizeof *t->lex);
		}
		l = &t->lex[t->n++];
		memset(l, 0, sizeof *l);
		l->text = xstrndup(token, n);
	}
	if (l->n < TSV_MAX_POSITIONS) {
		l->positions[l->n] = pos < TSV_MAX_POS ? pos : TSV_MAX_POS;
		l->heading[l->n++] = t->heading;
	}
}

/* A lexeme quoted for a tsvector or tsquery literal. */
static void put_quoted(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sb_putc(sb, *s);
		sb_putc(sb, *s);
	}
	sb_putc(sb, '\'');
}

char *pg_tsvector_text(struct fts_tokenizer *tok, const char *text, const char *heading, int *text_terms,
                       int *heading_terms)
{
	struct tsv_build t = { .pos = 1 };
	fts_tokenize(tok, text, strlen(text), add_token, &t);
	*text_terms = t.count;
	t.pos += FTS_RANK_WINDOW;
	t.heading = true;
	t.count = 0;
	fts_tokenize(tok, heading, strlen(heading), add_token, &t);
	*heading_terms = t.count;
	if (t.n)
		qsort(t.lex, t.n, sizeof *t.lex, compare_lexeme);
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (size_t i = 0; i < t.n; i++) {
		if (i)
			sb_putc(&sb, ' ');
		put_quoted(&sb, t.lex[i].text);
		for (int j = 0; j < t.lex[i].n; j++)
			sb_printf(&sb, "%c%d%s", j ? ',' : ':', t.lex[i].positions[j], t.lex[i].heading[j] ? "A" : "");
		free(t.lex[i].text);
	}
	free(t.lex);
	return sb_detach(&sb, NULL);
}

/* ---- the query -------------------------------------------------------------- */

/* A MATCH expression of core/util/fts_query.h ("a" OR "b c") read back as
 * phrases of the index's tokens, with ragdeck_rank's arguments. */
struct phrase {
	char *tokens[MAX_PHRASE_TOKENS];
	int n;
	double weight;
};

struct parsed_query {
	struct phrase ph[MAX_PHRASES];
	int n;
	double prox, col_w[2];
};

static void phrase_token(void *ud, const char *token, size_t n, size_t start, size_t end)
{
	struct phrase *p = ud;
	(void)start;
	(void)end;
	if (p->n < MAX_PHRASE_TOKENS)
		p->tokens[p->n++] = xstrndup(token, n);
}

static void query_free(struct parsed_query *pq)
{
	for (int i = 0; i < pq->n; i++)
		for (int j = 0; j < pq->ph[i].n; j++)
			free(pq->ph[i].tokens[j]);
	pq->n = 0;
}

/* Parse match's quoted strings (FTS5 strings: "" is a quote) into phrases
 * and rank's numbers into their weights. Returns 0, or -1 when match is
 * not of the form fts_query_join writes. */
static int parse_query(struct pg_search *q, const char *match, const char *rank, struct parsed_query *pq)
{
	memset(pq, 0, sizeof *pq);
	pq->col_w[0] = pq->col_w[1] = 1.0;
	const char *s = match;
	struct strbuf word = { 0 };
	while (*s && pq->n < MAX_PHRASES) {
		while (*s == ' ')
			s++;
		if (strncmp(s, "OR ", 3) == 0) {
			s += 3;
			continue;
		}
		if (*s != '"')
			break;
		sb_reset(&word);
		for (s++; *s; s++) {
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"')
				break;
			sb_putc(&word, *s);
		}
		if (*s != '"')
			break;
		s++;
		struct phrase *ph = &pq->ph[pq->n++];
		ph->weight = 1.0;
		fts_tokenize(q->tok, sb_str(&word), strlen(sb_str(&word)), phrase_token, ph);
	}
	free(word.buf);
	if (*s) {
		query_free(pq);
		return -1;
	}
	const char *a = rank ? strchr(rank, '(') : NULL;
	double args[2 + 1 + MAX_PHRASES];
	int n_args = 0;
	while (a && *a && n_args < (int)(sizeof args / sizeof *args)) {
		char *end;
		double v = strtod(a + 1, &end);
		if (end == a + 1)
			break;
		args[n_args++] = v;
		a = strchr(end, ',');
	}
	if (n_args > 0)
		pq->prox = args[0];
	for (int c = 0; c < 2 && 1 + c < n_args; c++)
		pq->col_w[c] = args[1 + c];
	for (int i = 0; i < pq->n && 3 + i < n_args; i++)
		pq->ph[i].weight = args[3 + i];
	return 0;
}

/* The tsquery of the phrases: 'a' | 'b' <-> 'c'. NULL when none has a token. */
static char *tsquery_text(const struct parsed_query *pq)
{
	struct strbuf sb = { 0 };
	bool any = false;
	for (int i = 0; i < pq->n; i++) {
		if (pq->ph[i].n == 0)
			continue;
		if (any)
			sb_puts(&sb, " | ");
		any = true;
		sb_putc(&sb, '(');
		for (int j = 0; j < pq->ph[i].n; j++) {
			if (j)
				sb_puts(&sb, " <-> ");
			put_quoted(&sb, pq->ph[i].tokens[j]);
		}
		sb_putc(&sb, ')');
	}
	if (!any) {
		free(sb.buf);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

/* The distinct tokens of the phrases as a text[] literal. */
static char *tokens_array(const struct parsed_query *pq)
{
	struct strbuf sb = { 0 };
	sb_putc(&sb, '{');
	bool first = true;
	for (int i = 0; i < pq->n; i++)
		for (int j = 0; j < pq->ph[i].n; j++) {
			if (!first)
				sb_putc(&sb, ',');
			first = false;
			sb_putc(&sb, '"');
			for (const char *c = pq->ph[i].tokens[j]; *c; c++) {
				if (*c == '"' || *c == '\\')
					sb_putc(&sb, '\\');
				sb_putc(&sb, *c);
			}
			sb_putc(&sb, '"');
		}
	sb_putc(&sb, '}');
	return sb_detach(&sb, NULL);
}

/* ---- ranking ----------------------------------------------------------------- */

/* One matching chunk: its lengths and the positions of the query's tokens. */
struct match_row {
	int64_t id;
	int text_terms, heading_terms;
	bool has_vector;
	int n_tok;
	const char *tok[MAX_PHRASES * 2];
	int *pos[MAX_PHRASES * 2];
	int n_pos[MAX_PHRASES * 2];
	double score;
	bool matched;
};

/* An instance of phrase p in a row: column and offset in it. */
struct instance {
	int phrase, col, off;
};

static const int *positions_of(const struct match_row *m, const char *token, int *n)
{
	for (int i = 0; i < m->n_tok; i++)
		if (strcmp(m->tok[i], token) == 0) {
			*n = m->n_pos[i];
			return m->pos[i];
		}
	*n = 0;
	return NULL;
}

static bool has_position(const int *pos, int n, int want)
{
	for (int i = 0; i < n; i++)
		if (pos[i] == want)
			return true;
	return false;
}

static int compare_instance(const void *a, const void *b)
{
	const struct instance *x = a, *y = b;
	if (x->col != y->col)
		return x->col - y->col;
	if (x->off != y->off)
		return x->off - y->off;
	return x->phrase - y->phrase;
}

/* The instances of every phrase in m, sorted by column and offset as
 * FTS5's xInst gives them. */
static size_t row_instances(const struct match_row *m, const struct parsed_query *pq, struct instance **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	for (int p = 0; p < pq->n; p++) {
		const struct phrase *ph = &pq->ph[p];
		if (ph->n == 0)
			continue;
		int n0;
		const int *first = positions_of(m, ph->tokens[0], &n0);
		for (int i = 0; i < n0; i++) {
			bool whole = true;
			for (int j = 1; j < ph->n && whole; j++) {
				int nj;
				const int *pj = positions_of(m, ph->tokens[j], &nj);
				whole = has_position(pj, nj, first[i] + j);
			}
			if (!whole)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xreallocarray(*out, cap, sizeof **out);
			}
			bool heading = first[i] > m->text_terms;
			int off = heading ? first[i] - (m->text_terms + 1 + FTS_RANK_WINDOW) : first[i] - 1;
			(*out)[n++] = (struct instance){ p, heading ? 1 : 0, off };
		}
	}
	if (n > 1)
		qsort(*out, n, sizeof **out, compare_instance);
	return n;
}

/* ragdeck_rank's score (positive, higher is better) of m, given each
 * phrase's IDF and the mean row length. */
static double row_score(const struct instance *in, size_t n_in, const struct match_row *m,
                        const struct parsed_query *pq, const double *idf, double avgdl)
{
	double freq[MAX_PHRASES] = { 0 };
	bool near[MAX_PHRASES] = { false };
	for (size_t i = 0; i < n_in; i++)
		freq[in[i].phrase] += pq->col_w[in[i].col];
	if (pq->prox > 0)
		for (size_t a = 0; a < n_in; a++)
			for (size_t b = a + 1; b < n_in; b++) {
				int gap = in[b].off - (in[a].off + pq->ph[in[a].phrase].n);
				if (in[b].col != in[a].col || gap >= FTS_RANK_WINDOW)
					break;
				if (in[b].phrase == in[a].phrase + 1 && gap >= 0)
					near[in[a].phrase] = true;
			}
	int tokens = m->text_terms + m->heading_terms;
	double score = 0, norm = K1 * (1 - B + B * (double)tokens / avgdl);
	for (int i = 0; i < pq->n; i++) {
		double w = pq->ph[i].weight;
		score += w * idf[i] * (freq[i] * (K1 + 1)) / (freq[i] + norm);
		if (near[i] && i + 1 < pq->n)
			score += pq->prox * fmin(idf[i], idf[i + 1]) * fmin(w, pq->ph[i + 1].weight);
	}
	return score;
}

static int compare_rank(const void *a, const void *b)
{
	const struct match_row *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The collection's row count and summed row lengths, as BM25 sees them. */
static int collection_stats(struct pg_search *q, double *rows, double *tokens, char *err, size_t errlen)
{
	const char *params[] = { q->coll_text };
	PGresult *res = pg_run(q->p, "SELECT chunks, tokens FROM collections WHERE id = $1", 1, params,
	                       PGRES_TUPLES_OK, "full-text search failed", err, errlen);
	if (!res)
		return -1;
	*rows = PQntuples(res) ? (double)pg_int(res, 0, 0) : 0;
	*tokens = PQntuples(res) ? (double)pg_int(res, 0, 1) : 0;
	PQclear(res);
	return 0;
}

static void rows_free(struct match_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < rows[i].n_tok; j++)
			free(rows[i].pos[j]);
	free(rows);
}

/* The query token equal to lexeme (the token's own text: rows point into
 * the query), or NULL. */
static const char *query_token(const struct parsed_query *pq, const char *lexeme)
{
	for (int p = 0; p < pq->n; p++)
		for (int j = 0; j < pq->ph[p].n; j++)
			if (strcmp(pq->ph[p].tokens[j], lexeme) == 0)
				return pq->ph[p].tokens[j];
	return NULL;
}

/* Read a tsvector's text form ('lex':1,5A 'other' ...) into m: the
 * positions of the lexemes the query holds, weights dropped. (unnest() on
 * the server cost more: it made a row of every lexeme of every match.) */
static void read_tsvector(const char *s, const struct parsed_query *pq, struct match_row *m)
{
	struct strbuf lex = { 0 };
	while (*s == '\'') {
		sb_reset(&lex);
		for (s++; *s; s++) {
			if (*s == '\'' && s[1] == '\'')
				s++;
			else if (*s == '\\' && s[1])
				s++;
			else if (*s == '\'')
				break;
			sb_putc(&lex, *s);
		}
		if (*s == '\'')
			s++;
		const char *tok = query_token(pq, sb_str(&lex));
		int cap = 0, *pos = NULL, n = 0;
		while (*s == ':' || *s == ',') {
			char *end;
			long v = strtol(s + 1, &end, 10);
			s = end;
			while (*s >= 'A' && *s <= 'D')
				s++;
			if (!tok)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				pos = xreallocarray(pos, (size_t)cap, sizeof *pos);
			}
			pos[n++] = (int)v;
		}
		if (tok && m->n_tok < (int)(sizeof m->tok / sizeof *m->tok)) {
			m->tok[m->n_tok] = tok;
			m->pos[m->n_tok] = pos;
			m->n_pos[m->n_tok++] = n;
		} else
			free(pos);
		while (*s == ' ')
			s++;
	}
	free(lex.buf);
}

/* Every chunk of the collection matching pq, with its query tokens'
 * positions, in no order (asking for one made the planner walk the table
 * in id order instead of using the GIN index). */
static int read_matches(struct pg_search *q, const struct parsed_query *pq, const char *tsq,
                        struct match_row **out, size_t *n_out, char *err, size_t errlen)
{
	/* Only the query's lexemes come back: every weight set to D, the
	 * query's to A, then only A kept (the column is told by position,
	 * not by weight). */
	char *toks = tokens_array(pq);
	const char *params[] = { q->coll_text, tsq, toks };
	PGresult *res = pg_run(q->p,
	                       "SELECT c.id, c.text_terms, c.heading_terms,"
	                       " EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id),"
	                       " ts_filter(setweight(setweight(c.tsv, 'D'), 'A', $3::text[]), '{a}')::text"
	                       " FROM chunks c WHERE c.collection_id = $1 AND c.tsv @@ $2::tsquery",
	                       3, params, PGRES_TUPLES_OK, "full-text search failed", err, errlen);
	free(toks);
	*out = NULL;
	*n_out = 0;
	if (!res)
		return -1;
	size_t n = (size_t)PQntuples(res);
	struct match_row *rows = xcalloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		rows[i] = (struct match_row){
			.id = pg_int(res, (int)i, 0),
			.text_terms = (int)pg_int(res, (int)i, 1),
			.heading_terms = (int)pg_int(res, (int)i, 2),
			.has_vector = PQgetvalue(res, (int)i, 3)[0] == 't',
		};
		read_tsvector(PQgetvalue(res, (int)i, 4), pq, &rows[i]);
	}
	PQclear(res);
	*out = rows;
	*n_out = n;
	return 0;
}

int pg_search_fts(struct pg_search *q, const char *match, const char *rank, bool (*keep)(void *ud, int64_t id),
                  void *ud, size_t limit, int64_t *ids, double *ranks, size_t *n, char *err, size_t errlen)
{
	struct parsed_query pq;
	*n = 0;
	if (!q->tok) {
		snprintf(err, errlen, "full-text search failed: this SQLite has no FTS5 tokenizer");
		return -1;
	}
	if (parse_query(q, match, rank, &pq) != 0) {
		snprintf(err, errlen, "full-text search failed: a query this store cannot read");
		return -1;
	}
	char *tsq = tsquery_text(&pq);
	struct match_row *rows = NULL;
	size_t n_rows = 0;
	double n_total = 0, tokens = 0;
	int rc = 0;
	if (tsq && (collection_stats(q, &n_total, &tokens, err, errlen) != 0 ||
	            read_matches(q, &pq, tsq, &rows, &n_rows, err, errlen) != 0))
		rc = -1;
	struct instance **inst = xcalloc(n_rows ? n_rows : 1, sizeof *inst);
	size_t *n_inst = xcalloc(n_rows ? n_rows : 1, sizeof *n_inst);
	double hits[MAX_PHRASES] = { 0 }, idf[MAX_PHRASES];
	for (size_t r = 0; r < n_rows; r++) {
		n_inst[r] = row_instances(&rows[r], &pq, &inst[r]);
		bool seen[MAX_PHRASES] = { false };
		for (size_t i = 0; i < n_inst[r]; i++)
			seen[inst[r][i].phrase] = true;
		for (int p = 0; p < pq.n; p++)
			hits[p] += seen[p];
		rows[r].matched = n_inst[r] > 0;
	}
	for (int p = 0; p < pq.n; p++) {
		double v = log((n_total - hits[p] + 0.5) / (hits[p] + 0.5));
		idf[p] = v > 1e-6 ? v : 1e-6;
	}
	double avgdl = n_total > 0 ? tokens / n_total : 1.0;
	for (size_t r = 0; r < n_rows; r++)
		rows[r].score = rows[r].matched ? row_score(inst[r], n_inst[r], &rows[r], &pq, idf, avgdl) : -1;
	if (n_rows > 1)
		qsort(rows, n_rows, sizeof *rows, compare_rank);
	for (size_t r = 0; r < n_rows && *n < limit; r++) {
		if (!rows[r].matched || !rows[r].has_vector || !keep(ud, rows[r].id))
			continue;
		ids[*n] = rows[r].id;
		ranks[*n] = -rows[r].score;
		(*n)++;
	}
	for (size_t r = 0; r < n_rows; r++)
		free(inst[r]);
	free(inst);
	free(n_inst);
	rows_free(rows, n_rows);
	free(tsq);
	query_free(&pq);
	return rc;
}

int pg_search_fts_holds(struct pg_search *q, const char *match, int64_t id, char *err, size_t errlen)
{
	struct parsed_query pq;
	if (!q->tok || parse_query(q, match, NULL, &pq) != 0) {
		snprintf(err, errlen, "full-text search failed: a query this store cannot read");
		return -1;
	}
	char *tsq = tsquery_text(&pq);
	query_free(&pq);
	if (!tsq)
		return 0;
	char idt[24];
	snprintf(idt, sizeof idt, "%lld", (long long)id);
	const char *params[] = { idt, tsq };
	PGresult *res = pg_run(q->p, "SELECT 1 FROM chunks WHERE id = $1 AND tsv @@ $2::tsquery", 2, params,
	                       PGRES_TUPLES_OK, "full-text search failed", err, errlen);
	free(tsq);
	if (!res)
		return -1;
	int found = PQntuples(res) > 0;
	PQclear(res);
	return found;
}

int64_t pg_search_term_docs(struct pg_search *q, const char *term)
{
	const char *params[] = { q->coll_text, term };
	char err[256];
	PGresult *res = pg_run(q->p, "SELECT chunks FROM lexemes WHERE collection_id = $1 AND lexeme = $2", 2, params,
	                       PGRES_TUPLES_OK, "cannot count a term", err, sizeof err);
	int64_t df = res && PQntuples(res) ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return df;
}

static void push_id(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*ids = xreallocarray(*ids, *cap, sizeof **ids);
	}
	(*ids)[(*n)++] = id;
}

/* The first column of res's rows as ids. */
static void result_ids(PGresult *res, int64_t **ids, size_t *n)
{
	size_t cap = 0;
	for (int i = 0; i < PQntuples(res); i++)
		push_id(ids, n, &cap, pg_int(res, i, 0));
}

int pg_search_chunk_ids(struct pg_search *q, const char *path_glob, const int64_t *doc_ids, size_t n_doc_ids,
                        int64_t **ids, size_t *n, char *err, size_t errlen)
{
	*ids = NULL;
	*n = 0;
	/* The documents by path here (fnmatch without flags is SQLite's
	 * GLOB), then their chunks on the server. */
	const char *params[] = { q->coll_text, NULL };
	PGresult *docs = pg_run(q->p, "SELECT id, path FROM documents WHERE collection_id = $1", 1, params,
	                        PGRES_TUPLES_OK, "cannot apply the search filter", err, errlen);
	if (!docs)
		return -1;
	int64_t *keep = NULL;
	size_t n_keep = 0, cap = 0;
	for (int i = 0; i < PQntuples(docs); i++) {
		int64_t doc = pg_int(docs, i, 0);
		bool listed = !doc_ids;
		for (size_t j = 0; doc_ids && j < n_doc_ids && !listed; j++)
			listed = doc_ids[j] == doc;
		if (listed && (!path_glob || fnmatch(path_glob, PQgetvalue(docs, i, 1), 0) == 0))
			push_id(&keep, &n_keep, &cap, doc);
	}
	PQclear(docs);
	char *list = pg_ids_text(keep, n_keep);
	params[1] = list;
	PGresult *res = pg_run(q->p, "SELECT id FROM chunks WHERE collection_id = $1 AND document_id = ANY($2::bigint[])"
	                             " ORDER BY id",
	                       2, params, PGRES_TUPLES_OK, "cannot apply the search filter", err, errlen);
	free(list);
	free(keep);
	if (!res)
		return -1;
	result_ids(res, ids, n);
	PQclear(res);
	return 0;
}

int pg_search_stale(struct pg_search *q, struct store_stale_chunk **rows, size_t *n, char *err, size_t errlen)
{
	const char *params[] = { q->coll_text };
	PGresult *res = pg_run(q->p,
	                       "SELECT c.id, d.id, (SELECT s.id FROM documents s WHERE s.collection_id = d.collection_id"
	                       " AND s.path = d.superseded_by) FROM documents d JOIN chunks c ON c.document_id = d.id"
	                       " WHERE d.collection_id = $1 AND d.status <> 'current' ORDER BY c.id",
	                       1, params, PGRES_TUPLES_OK, "cannot read document statuses", err, errlen);
	*rows = NULL;
	*n = 0;
	if (!res)
		return -1;
	int count = PQntuples(res);
	*rows = xcalloc(count ? (size_t)count : 1, sizeof **rows);
	for (int i = 0; i < count; i++)
		(*rows)[i] = (struct store_stale_chunk){ pg_int(res, i, 0), pg_int(res, i, 1), pg_int(res, i, 2) };
	*n = (size_t)count;
	PQclear(res);
	return 0;
}

int pg_search_doc_chunks(struct pg_search *q, int64_t doc, int64_t **ids, size_t *n, char *err, size_t errlen)
{
	char idt[24];
	snprintf(idt, sizeof idt, "%lld", (long long)doc);
	const char *params[] = { idt };
	*ids = NULL;
	*n = 0;
	PGresult *res = pg_run(q->p, "SELECT id FROM chunks WHERE document_id = $1 ORDER BY id", 1, params,
	                       PGRES_TUPLES_OK, "cannot read a document's chunks", err, errlen);
	if (!res)
		return -1;
	result_ids(res, ids, n);
	PQclear(res);
	return 0;
}

int pg_search_chunk(struct pg_search *q, int64_t id, struct store_search_chunk *out, char *err, size_t errlen)
{
	char idt[24];
	snprintf(idt, sizeof idt, "%lld", (long long)id);
	const char *params[] = { idt };
	memset(out, 0, sizeof *out);
	PGresult *res = pg_run(q->p,
	                       "SELECT c.document_id, c.ordinal, c.byte_start, c.byte_end, c.line_start, c.line_end,"
	                       " c.heading_path, c.text, c.tokens, d.path, d.status, c.page_start, c.page_end"
	                       " FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = $1",
	                       1, params, PGRES_TUPLES_OK, "cannot read a chunk", err, errlen);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 1;
	}
	*out = (struct store_search_chunk){
		.chunk = {
			.id = id,
			.ordinal = (int)pg_int(res, 0, 1),
			.byte_start = pg_int(res, 0, 2),
			.byte_end = pg_int(res, 0, 3),
			.line_start = (int)pg_int(res, 0, 4),
			.line_end = (int)pg_int(res, 0, 5),
			.heading_path = xstrdup(PQgetvalue(res, 0, 6)),
			.text = xstrdup(PQgetvalue(res, 0, 7)),
			.tokens = (int)pg_int(res, 0, 8),
			.page_start = (int)pg_int(res, 0, 11),
			.page_end = (int)pg_int(res, 0, 12),
		},
		.doc_id = pg_int(res, 0, 0),
		.path = xstrdup(PQgetvalue(res, 0, 9)),
	};
	snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 10));
	PQclear(res);
	return 0;
}
