#include "store/fts.h"
#include "store/store_int.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2
#define B 0.75
#define MAX_COLUMNS 8

/* What does not change between the rows of one query. */
struct rank_query {
	int n_phrase;
	double avgdl;
	double *idf;
	int *size;        /* tokens per phrase */
};

static void query_free(void *p)
{
	struct rank_query *q = p;
	if (!q)
		return;
	free(q->idf);
	free(q->size);
	free(q);
}

static int count_hit(const Fts5ExtensionApi *api, Fts5Context *ctx, void *ud)
{
	(void)api;
	(void)ctx;
	(*(sqlite3_int64 *)ud)++;
	return SQLITE_OK;
}

/* IDF per phrase and the mean row length, as FTS5's bm25() computes them. */
static int query_new(const Fts5ExtensionApi *api, Fts5Context *ctx, struct rank_query **out)
{
	sqlite3_int64 rows = 0, tokens = 0;
	int rc = api->xRowCount(ctx, &rows);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(ctx, -1, &tokens);
	if (rc != SQLITE_OK)
		return rc;
	struct rank_query *q = calloc(1, sizeof *q);
	if (!q)
		return SQLITE_NOMEM;
	q->n_phrase = api->xPhraseCount(ctx);
	q->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
	q->idf = calloc((size_t)q->n_phrase + 1, sizeof *q->idf);
	q->size = calloc((size_t)q->n_phrase + 1, sizeof *q->size);
	if (!q->idf || !q->size) {
		query_free(q);
		return SQLITE_NOMEM;
	}
	for (int i = 0; i < q->n_phrase && rc == SQLITE_OK; i++) {
		sqlite3_int64 hits = 0;
		rc = api->xQueryPhrase(ctx, i, &hits, count_hit);
		double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
		q->idf[i] = idf > 1e-6 ? idf : 1e-6;
		q->size[i] = api->xPhraseSize(ctx, i);
	}
	if (rc != SQLITE_OK) {
		query_free(q);
		return rc;
	}
	*out = q;
	return SQLITE_OK;
}

static double arg(int n, sqlite3_value **v, int i, double fallback)
{
	return i < n ? sqlite3_value_double(v[i]) : fallback;
}

/* Consecutive query phrases i, i + 1 found in order within the window:
 * near[i] set. Instances come sorted by column, then offset. */
static int find_pairs(const Fts5ExtensionApi *api, Fts5Context *ctx, const struct rank_query *q, bool *near)
{
	int n = 0, rc = api->xInstCount(ctx, &n);
	for (int a = 0; a < n && rc == SQLITE_OK; a++) {
		int pa, ca, oa;
		rc = api->xInst(ctx, a, &pa, &ca, &oa);
		for (int b = a + 1; b < n && rc == SQLITE_OK; b++) {
			int pb, cb, ob;
			rc = api->xInst(ctx, b, &pb, &cb, &ob);
			int gap = ob - (oa + q->size[pa]);
			if (cb != ca || gap >= FTS_RANK_WINDOW)
				break;
			if (pb == pa + 1 && gap >= 0)
				near[pa] = true;
		}
	}
	return rc;
}

static void ragdeck_rank(const Fts5ExtensionApi *api, Fts5Context *ctx, sqlite3_context *res, int n_val,
                         sqlite3_value **val)
{
	struct rank_query *q = api->xGetAuxdata(ctx, 0);
	int rc = SQLITE_OK;
	double *freq = NULL;
	bool *near = NULL;
	if (!q) {
		rc = query_new(api, ctx, &q);
		if (rc == SQLITE_OK)
			rc = api->xSetAuxdata(ctx, q, query_free);
		if (rc != SQLITE_OK)
			goto done;
	}
	int n_col = api->xColumnCount(ctx);
	double col_w[MAX_COLUMNS];
	for (int c = 0; c < MAX_COLUMNS; c++)
		col_w[c] = c < n_col ? arg(n_val, val, 1 + c, 1.0) : 1.0;
	freq = calloc((size_t)q->n_phrase + 1, sizeof *freq);
	near = calloc((size_t)q->n_phrase + 1, sizeof *near);
	if (!freq || !near) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	int n_inst = 0, tokens = 0;
	rc = api->xInstCount(ctx, &n_inst);
	for (int i = 0; i < n_inst && rc == SQLITE_OK; i++) {
		int p, c, o;
		rc = api->xInst(ctx, i, &p, &c, &o);
		if (rc == SQLITE_OK && c < MAX_COLUMNS)
			freq[p] += col_w[c];
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(ctx, -1, &tokens);
	double prox = arg(n_val, val, 0, 0.0);
	if (rc == SQLITE_OK && prox > 0)
		rc = find_pairs(api, ctx, q, near);
	if (rc != SQLITE_OK)
		goto done;
	double score = 0, norm = K1 * (1 - B + B * (double)tokens / q->avgdl);
	for (int i = 0; i < q->n_phrase; i++) {
		double w = arg(n_val, val, 1 + n_col + i, 1.0);
		score += w * q->idf[i] * (freq[i] * (K1 + 1)) / (freq[i] + norm);
		if (near[i] && i + 1 < q->n_phrase) {
			double w2 = arg(n_val, val, 1 + n_col + i + 1, 1.0);
			score += prox * fmin(q->idf[i], q->idf[i + 1]) * fmin(w, w2);
		}
	}
	sqlite3_result_double(res, -score);
done:
	free(freq);
	free(near);
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(res, rc);
}

/* ---- the tokenizer ------------------------------------------------------ */

struct fts_tokenizer {
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
	sqlite3 *own_db; /* fts_tokenizer_open_memory's connection */
};

struct token_call {
	void (*on_token)(void *ud, const char *token, size_t n, size_t start, size_t end);
	void *ud;
};

static int token_cb(void *ctx, int flags, const char *token, int n, int start, int end)
{
	const struct token_call *c = ctx;
	(void)flags;
	c->on_token(c->ud, token, (size_t)n, (size_t)start, (size_t)end);
	return SQLITE_OK;
}

int fts_tokenize(struct fts_tokenizer *t, const char *text, size_t len,
                 void (*on_token)(void *ud, const char *token, size_t n, size_t start, size_t end),
                 void *ud)
{
	struct token_call c = { on_token, ud };
	if (len > INT_MAX)
		len = INT_MAX;
	return t->api.xTokenize(t->tok, &c, FTS5_TOKENIZE_QUERY, text, (int)len, token_cb) == SQLITE_OK ? 0 : -1;
}

static fts5_api *fts5_api_of(sqlite3 *db);

struct fts_tokenizer *fts_tokenizer_open_db(sqlite3 *db)
{
	/* FTS_TOKENIZER split into the first name and its arguments. */
	static const char *args[] = { "unicode61", "remove_diacritics", "2" };
	fts5_api *api = fts5_api_of(db);
	void *ctx = NULL;
	struct fts_tokenizer *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	if (!api || api->xFindTokenizer(api, "porter", &ctx, &t->api) != SQLITE_OK ||
	    t->api.xCreate(ctx, args, 3, &t->tok) != SQLITE_OK) {
		free(t);
		return NULL;
	}
	return t;
}

struct fts_tokenizer *fts_tokenizer_open(struct store *s)
{
	return fts_tokenizer_open_db(store_db(s));
}

struct fts_tokenizer *fts_tokenizer_open_memory(void)
{
	sqlite3 *db = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	struct fts_tokenizer *t = fts_tokenizer_open_db(db);
	if (!t) {
		sqlite3_close(db);
		return NULL;
	}
	t->own_db = db;
	return t;
}

void fts_tokenizer_free(struct fts_tokenizer **t)
{
	if (!t || !*t)
		return;
	(*t)->api.xDelete((*t)->tok);
	sqlite3_close((*t)->own_db);
	free(*t);
	*t = NULL;
}

/* ---- registration ------------------------------------------------------- */

/* The fts5_api of db, through the documented "SELECT fts5(?1)" handshake. */
static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int fts_rank_register(sqlite3 *db, char *err, size_t errlen)
{
	fts5_api *api = fts5_api_of(db);
	if (!api || api->iVersion < 2 ||
	    api->xCreateFunction(api, "ragdeck_rank", NULL, ragdeck_rank, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "this SQLite has no usable FTS5 (%s): install a libsqlite3 built with FTS5",
		         sqlite3_libversion());
		return -1;
	}
	return 0;
}
