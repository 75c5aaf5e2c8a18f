/* Answers in the form the question asks for, filled from the context:
 *
 *   a table     "a markdown table with columns Plan and Max file size":
 *               the context's table whose headers (or, for a table with one
 *               entity per column, whose row labels) best match the columns
 *               asked for, projected onto them, with the header written as
 *               asked; rows are kept to the ones the question names
 *               ("for Business and Enterprise") when it names any. Without
 *               columns, the best table whole.
 *   JSON        "as JSON with keys code, meaning and fix" or "integer keys
 *               team_days, ...": each key filled from the table row or
 *               sentence that holds most of its words (a number for a
 *               number or integer key, the names of the columns ticked in
 *               that row for an array key, the cell or a code span for a
 *               string key); a key nothing fills is null.
 *   one value   "reply with only the code" (an error code), "exactly one
 *               line: the ... command" (a code span with the command's
 *               name), "only YES or NO" (NO when the best passage says
 *               no, not or none).
 *   a fence     "a fenced ```yaml block": the context's code block of that
 *               language that best holds the question, alone.
 *
 * These answers carry no citation in their text, since the form asked for
 * leaves no room for one; the sources are listed with the answer. */
#include "core/llm/local_int.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLUMNS 8
#define MAX_KEYS 12

static char *lower(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

/* Shared content terms of a and b. */
static size_t overlap(const char *a, const char *b)
{
	struct lterms x = { 0 }, y = { 0 };
	size_t n = 0;
	lterms_of(&x, a, strlen(a));
	lterms_of(&y, b, strlen(b));
	for (size_t i = 0; i < x.n; i++)
		n += lterms_has(&y, x.v[i]);
	lterms_free(&x);
	lterms_free(&y);
	return n;
}

/* A cell without Markdown emphasis or surrounding spaces. Caller frees. */
static char *plain_cell(const char *c)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = c; *p; p++)
		if (*p != '*')
			sb_putc(&sb, *p);
	char *s = sb_detach(&sb, NULL);
	if (!s)
		return xstrdup("");
	size_t a = 0, n = strlen(s);
	while (a < n && s[a] == ' ')
		a++;
	while (n > a && s[n - 1] == ' ')
		n--;
	char *t = xstrndup(s + a, n - a);
	free(s);
	return t;
}

/* ---- the question's form ------------------------------------------------- */

static bool has_word(const char *lc, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = strstr(lc, w); p; p = strstr(p + 1, w)) {
		bool start = p == lc || !isalnum((unsigned char)p[-1]);
		bool end = !isalnum((unsigned char)p[n]);
		if (start && end)
			return true;
	}
	return false;
}

/* Names listed after "columns" ("columns Plan and Max file size", "with a
 * single column 'Plan'", "header 'Key | Value'"); returns how many. */
static size_t asked_columns(const char *q, char cols[][64])
{
	char *lc = lower(q);
	const char *at = strstr(lc, "column");
	bool bar = false;
	if (!at && (at = strstr(lc, "header")))
		bar = true;
	size_t n = 0;
	if (!at)
		goto done;
	at += strcspn(at, " ");
	const char *s = q + (at - lc);
	/* Quoted names win: "column 'Plan' and exactly four rows". */
	const char *quote = strpbrk(s, "'\"");
	if (quote && quote - s < 12) {
		char qc = *quote;
		const char *end = strchr(quote + 1, qc);
		if (end) {
			char list[256];
			snprintf(list, sizeof list, "%.*s", (int)(end - quote - 1), quote + 1);
			for (char *save = NULL, *p = strtok_r(list, bar ? "|" : ",", &save); p && n < MAX_COLUMNS;
			     p = strtok_r(NULL, bar ? "|" : ",", &save)) {
				char *c = plain_cell(p);
				if (c[0])
					snprintf(cols[n++], 64, "%s", c);
				free(c);
			}
			goto done;
		}
	}
	while (*s == ' ' || *s == ':')
		s++;
	size_t len = 0;
	while (s[len] && s[len] != ')' && s[len] != ';' && !(s[len] == '.' && (s[len + 1] == ' ' || !s[len + 1])))
		len++;
	char list[256];
	snprintf(list, sizeof list, "%.*s", (int)(len < 255 ? len : 255), s);
	static const char *const stops[] = { " for ", " showing ", " with ", " of the ", " from ", " under " };
	for (size_t i = 0; i < sizeof stops / sizeof *stops; i++) {
		char *cut = strstr(list, stops[i]);
		if (cut)
			*cut = '\0';
	}
	char *p = list;
	while (*p && n < MAX_COLUMNS) {
		char *comma = strstr(p, ", "), *and = strstr(p, " and ");
		char *cut = comma && (!and || comma < and) ? comma : and;
		if (cut)
			*cut = '\0';
		char *c = plain_cell(p);
		if (c[0])
			snprintf(cols[n++], 64, "%s", c);
		free(c);
		if (!cut)
			break;
		p = cut + (cut == comma ? 2 : 5);
	}
done:
	free(lc);
	return n;
}

/* ---- tables ---------------------------------------------------------------- */

/* A table of the context as rows of cells (row 0: the header). */
struct grid {
	size_t table;             /* its unit */
	char **head;
	size_t n_head;
	const struct unit **rows;
	size_t n_rows;
};

static void grid_of(const struct units *u, size_t t, struct grid *g)
{
	memset(g, 0, sizeof *g);
	g->table = t;
	g->head = u->v[t].cells;
	g->n_head = u->v[t].n_cells;
	for (size_t i = t + 1; i < u->n && u->v[i].parent == t; i++) {
		g->rows = xreallocarray(g->rows, g->n_rows + 1, sizeof *g->rows);
		g->rows[g->n_rows++] = &u->v[i];
	}
}

static const char *cell(const struct unit *row, size_t i)
{
	return i < row->n_cells ? row->cells[i] : "";
}

/* Where each asked column comes from. Row-major: a header index per
 * column (col[j]), NO_UNIT for "the first column". Column-major (one
 * entity per column): a row index per column. Returns how well it fits. */
static size_t fit(const struct grid *g, char cols[][64], size_t n, bool by_column, size_t *from)
{
	size_t total = 0;
	for (size_t j = 0; j < n; j++) {
		size_t best = 0;
		from[j] = NO_UNIT;
		size_t count = by_column ? g->n_rows : g->n_head;
		for (size_t i = 0; i < count; i++) {
			size_t o = overlap(cols[j], by_column ? cell(g->rows[i], 0) : g->head[i]);
			if (o > best) {
				best = o;
				from[j] = i;
			}
		}
		total += best;
	}
	return total;
}

/* A row or column the question names ("for Business and Enterprise",
 * "control port" for "Local control port"): at least two thirds of the
 * label's words are in the question. */
static bool named(const char *lc, const char *label)
{
	struct lterms t = { 0 };
	lterms_of(&t, label, strlen(label));
	size_t words = t.n;
	lterms_free(&t);
	return words && 3 * overlap(label, lc) >= 2 * words;
}

static void table_line(struct strbuf *out, char **cells, size_t n)
{
	sb_puts(out, "|");
	for (size_t i = 0; i < n; i++)
		sb_printf(out, " %s |", cells[i]);
	sb_putc(out, '\n');
}

/* The asked columns of grid g into out as a Markdown table. */
static void project(const struct grid *g, char cols[][64], size_t n, bool by_column, const size_t *from,
                    const char *lc, struct strbuf *out)
{
	char *line[MAX_COLUMNS];
	for (size_t j = 0; j < n; j++)
		line[j] = cols[j];
	table_line(out, line, n);
	sb_puts(out, "|");
	for (size_t j = 0; j < n; j++)
		sb_puts(out, "---|");
	sb_putc(out, '\n');
	size_t entities = by_column ? (g->n_head ? g->n_head - 1 : 0) : g->n_rows;
	size_t any_named = 0;
	for (size_t e = 0; e < entities; e++)
		any_named += named(lc, by_column ? g->head[e + 1] : cell(g->rows[e], 0));
	for (size_t e = 0; e < entities; e++) {
		const char *label = by_column ? g->head[e + 1] : cell(g->rows[e], 0);
		if (any_named && any_named < entities && !named(lc, label))
			continue;
		for (size_t j = 0; j < n; j++) {
			const char *v;
			if (from[j] == NO_UNIT)
				v = label;
			else if (by_column)
				v = cell(g->rows[from[j]], e + 1);
			else
				v = cell(g->rows[e], from[j]);
			line[j] = plain_cell(v);
		}
		table_line(out, line, n);
		for (size_t j = 0; j < n; j++)
			free(line[j]);
	}
}

static bool table_answer(const char *q, const char *lc, const struct units *u, struct strbuf *out)
{
	char cols[MAX_COLUMNS][64];
	size_t n = asked_columns(q, cols);
	size_t best = NO_UNIT, best_fit = 0;
	bool best_by_column = false;
	double best_rel = -1;
	size_t from[MAX_COLUMNS], best_from[MAX_COLUMNS];
	for (size_t t = 0; t < u->n; t++) {
		if (u->v[t].kind != U_TABLE || !u->v[t].n_cells)
			continue;
		struct grid g;
		grid_of(u, t, &g);
		for (int by_column = 0; by_column < 2; by_column++) {
			size_t f = n ? fit(&g, cols, n, by_column, from) : 0;
			if (f > best_fit || (f == best_fit && u->v[t].rel > best_rel)) {
				best = t;
				best_fit = f;
				best_rel = u->v[t].rel;
				best_by_column = by_column;
				memcpy(best_from, from, sizeof from);
			}
		}
		free(g.rows);
	}
	if (best == NO_UNIT || (n && best_fit == 0))
		return false;
	if (!n) {
		sb_puts(out, u->v[best].text);
		return true;
	}
	struct grid g;
	grid_of(u, best, &g);
	project(&g, cols, n, best_by_column, best_from, lc, out);
	free(g.rows);
	return true;
}

static bool says_no(const char *s)
{
	char *l = lower(s);
	bool no = !strncmp(l, "no", 2) || !strncmp(l, "not ", 4) || has_word(l, "not") || has_word(l, "no") ||
	          strstr(l, "n't") || has_word(l, "none") || has_word(l, "never");
	free(l);
	return no;
}

/* ---- JSON ------------------------------------------------------------------- */

enum key_type { K_ANY, K_STRING, K_INTEGER, K_NUMBER, K_ARRAY, K_BOOL };

struct key {
	char name[48];
	enum key_type type;
};

static enum key_type type_named(const char *w)
{
	if (!strncmp(w, "int", 3))
		return K_INTEGER;
	if (!strncmp(w, "number", 6) || !strncmp(w, "numeric", 7))
		return K_NUMBER;
	if (!strncmp(w, "string", 6))
		return K_STRING;
	if (!strncmp(w, "array", 5) || !strncmp(w, "list", 4))
		return K_ARRAY;
	if (!strncmp(w, "bool", 4))
		return K_BOOL;
	return K_ANY;
}

/* One list of keys at "keys ": "integer keys a, b and c", "keys a (string)
 * and b"; appended to keys[*n]. Returns where the list ended. */
static const char *key_list(const char *lc, const char *at, struct key *keys, size_t *n)
{
	/* "integer keys a, b", or "keys a and b, each an array of ..." */
	enum key_type all = K_ANY;
	for (const char *p = at; p > lc && at - p < 12; p--)
		if (p[-1] == ' ' && type_named(p) != K_ANY)
			all = type_named(p);
	if (all == K_ANY) {
		const char *next = strstr(at + 5, "keys ");
		const char *arr = strstr(at, " array"), *list = strstr(at, " list of");
		const char *kind = arr && (!list || arr < list) ? arr : list;
		if (kind && (!next || kind < next))
			all = K_ARRAY;
	}
	const char *p = at + 5;
	while (*p && *n < MAX_KEYS) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!strncmp(p, "and ", 4))
			p += 4;
		size_t len = 0;
		while (isalnum((unsigned char)p[len]) || p[len] == '_')
			len++;
		if (!len || len >= sizeof keys[*n].name || !strncmp(p, "keys", len))
			break;
		snprintf(keys[*n].name, sizeof keys[*n].name, "%.*s", (int)len, p);
		keys[*n].type = all;
		p += len;
		while (*p == ' ')
			p++;
		if (*p == '(') {
			enum key_type t = type_named(p + 1);
			keys[*n].type = t != K_ANY ? t : all;
			p = strchr(p, ')') ? strchr(p, ')') + 1 : p + strlen(p);
		}
		(*n)++;
		while (*p == ' ')
			p++;
		if (*p != ',' && strncmp(p, "and ", 4) != 0)
			break;
	}
	return p;
}

/* Every list of keys the question gives; returns how many keys. */
static size_t asked_keys(const char *lc, struct key *keys)
{
	size_t n = 0;
	for (const char *at = strstr(lc, "keys "); at && n < MAX_KEYS; at = strstr(at, "keys "))
		at = key_list(lc, at, keys, &n);
	return n;
}

/* The key's words: "team_annual_per_month" -> "team annual per month". */
static void key_words(const char *name, char *out, size_t n)
{
	size_t len = strnlen(name, n - 1);
	memcpy(out, name, len);
	out[len] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

/* The first number in s at or after from: "$1,200" -> 1200, "8.1%" -> 8.1. */
static bool number_in(const char *s, double *v)
{
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > s && (isalpha((unsigned char)p[-1]) || p[-1] == '-')))
			continue;
		char digits[64];
		size_t k = 0;
		const char *q = p;
		while ((isdigit((unsigned char)*q) || *q == ',' || *q == '.') && k + 1 < sizeof digits) {
			if (*q == ',' && !isdigit((unsigned char)q[1]))
				break;
			if (*q == '.' && !isdigit((unsigned char)q[1]))
				break;
			if (*q != ',')
				digits[k++] = *q;
			q++;
		}
		digits[k] = '\0';
		if (isalpha((unsigned char)*q) && *q != 'x')
			continue; /* "DW-3003" parts, "4k" */
		*v = strtod(digits, NULL);
		return true;
	}
	return false;
}

/* A `code span` of s, or NULL. Caller frees. */
static char *code_span(const char *s)
{
	const char *a = strchr(s, '`');
	const char *b = a ? strchr(a + 1, '`') : NULL;
	return b && b > a + 1 ? xstrndup(a + 1, (size_t)(b - a - 1)) : NULL;
}

static bool ticked(const char *c)
{
	return strstr(c, "\xe2\x9c\x93") || strstr(c, "\xe2\x9c\x94") || !strncasecmp(c, "yes", 3);
}

/* A date (YYYY-MM-DD) in s, or NULL. Caller frees. */
static char *date_in(const char *s)
{
	for (const char *p = s; *p; p++) {
		bool ok = true;
		for (int i = 0; i < 10 && ok; i++)
			ok = p[i] && (i == 4 || i == 7 ? p[i] == '-' : isdigit((unsigned char)p[i]));
		if (ok)
			return xstrndup(p, 10);
	}
	return NULL;
}

/* The number in s written just before one of the key's words ("14 days"
 * for team_days, "100 MiB" for simple_upload_max_mib), else the first
 * number that is not a year or a date. */
static bool number_for(const char *s, const char *words, double *v)
{
	char *ls = lower(s);
	bool found = false;
	for (const char *w = words; *w && !found;) {
		size_t n = strcspn(w, " ");
		char word[32];
		snprintf(word, sizeof word, "%.*s", (int)n, w);
		for (const char *p = ls; n > 1 && (p = strstr(p, word)) && !found; p++) {
			const char *q = p;
			while (q > ls && q[-1] == ' ')
				q--;
			if (q > ls && isdigit((unsigned char)q[-1])) {
				while (q > ls && (isdigit((unsigned char)q[-1]) || q[-1] == '.' || q[-1] == ','))
					q--;
				found = number_in(q, v);
			}
		}
		w += n + (w[n] == ' ');
	}
	for (const char *p = ls; !found && *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > ls && (isalnum((unsigned char)p[-1]) || p[-1] == '-')))
			continue;
		size_t d = strspn(p, "0123456789");
		if (d == 4 && p[4] == '-')
			continue; /* a date */
		if (d == 4 && (!strncmp(p, "19", 2) || !strncmp(p, "20", 2)))
			continue; /* a year */
		found = number_in(p, v);
	}
	free(ls);
	return found;
}

/* Fill one key from the atomic unit that holds most of its words, among
 * those that hold the question best. */
static cJSON *fill_key(const struct units *u, const struct key *k)
{
	char words[64];
	key_words(k->name, words, sizeof words);
	size_t best = NO_UNIT;
	double best_s = 0;
	for (size_t i = 0; i < u->n; i++) {
		const struct unit *x = &u->v[i];
		if (!unit_atomic(u, i) || x->archived || (k->type == K_ARRAY && x->kind != U_ROW))
			continue;
		/* A key that names a row ("team" in team_days, row "Team") picks it. */
		double named_row = x->kind == U_ROW && x->n_cells && named(words, x->cells[0]) ? 1 : 0;
		double sc = ((double)overlap(words, x->text) + named_row) * (0.5 + x->rel);
		if (sc > best_s) {
			best = i;
			best_s = sc;
		}
	}
	if (best == NO_UNIT)
		return cJSON_CreateNull();
	const struct unit *x = &u->v[best];
	const struct unit *table = x->kind == U_ROW ? &u->v[x->parent] : NULL;
	/* In a row, the cell under the header that matches the key best. */
	const char *source = x->text;
	size_t at = NO_UNIT, at_o = 0;
	for (size_t i = 1; table && i < x->n_cells && i < table->n_cells; i++) {
		size_t o = overlap(words, table->cells[i]);
		if (o > at_o) {
			at = i;
			at_o = o;
		}
	}
	if (at != NO_UNIT)
		source = x->cells[at];
	double v;
	switch (k->type) {
	case K_ARRAY: {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 1; table && i < x->n_cells && i < table->n_cells; i++)
			if (ticked(x->cells[i]))
				cJSON_AddItemToArray(a, cJSON_CreateString(table->cells[i]));
		return a;
	}
	case K_INTEGER:
	case K_NUMBER:
		if (!number_for(source, words, &v) && !number_for(x->text, words, &v))
			return cJSON_CreateNull();
		return cJSON_CreateNumber(k->type == K_INTEGER ? (double)(long long)v : v);
	case K_BOOL:
		return cJSON_CreateBool(!says_no(source));
	default: {
		char *text = strstr(words, "date") ? date_in(source) : NULL;
		if (!text)
			text = code_span(source);
		if (!text)
			text = plain_cell(source);
		cJSON *s = cJSON_CreateString(text);
		free(text);
		return s;
	}
	}
}

/* "a JSON array of the plan names": the names of the things the best
 * table is about (its column headers when it has one thing per column,
 * else its first column). */
static cJSON *names_array(const struct units *u)
{
	size_t best = NO_UNIT;
	for (size_t t = 0; t < u->n; t++)
		if (u->v[t].kind == U_TABLE && u->v[t].n_cells && !u->v[t].archived &&
		    (best == NO_UNIT || u->v[t].rel > u->v[best].rel))
			best = t;
	if (best == NO_UNIT)
		return NULL;
	struct grid g;
	grid_of(u, best, &g);
	cJSON *a = cJSON_CreateArray();
	bool by_column = !g.head[0][0];
	size_t n = by_column ? g.n_head : g.n_rows;
	for (size_t i = by_column ? 1 : 0; i < n; i++) {
		char *name = plain_cell(by_column ? g.head[i] : cell(g.rows[i], 0));
		cJSON_AddItemToArray(a, cJSON_CreateString(name));
		free(name);
	}
	free(g.rows);
	return a;
}

/* "Show an example body ... JSON only": the best code block of the
 * context that is JSON, without its fence. */
static bool json_example(const struct units *u, struct strbuf *out)
{
	size_t best = NO_UNIT;
	for (size_t i = 0; i < u->n; i++) {
		const struct unit *x = &u->v[i];
		if (x->kind != U_CODE || !x->text[0] || x->archived)
			continue;
		const char *body = strchr(x->text, '\n');
		while (body && isspace((unsigned char)*body))
			body++;
		bool json = !strcasecmp(x->lang, "json") || (body && (*body == '{' || *body == '['));
		if (json && (best == NO_UNIT || x->rel > u->v[best].rel))
			best = i;
	}
	if (best == NO_UNIT)
		return false;
	const char *text = u->v[best].text, *body = strchr(text, '\n'), *end = strrchr(text, '\n');
	if (!body || end <= body)
		return false;
	sb_append(out, body + 1, (size_t)(end - body - 1));
	return true;
}

static bool json_answer(const char *lc, const struct units *u, struct strbuf *out)
{
	struct key keys[MAX_KEYS];
	size_t n = asked_keys(lc, keys);
	cJSON *o = NULL;
	if (!n && strstr(lc, "array") && strstr(lc, "names"))
		o = names_array(u);
	if (!n && !o)
		return json_example(u, out);
	if (!o) {
		o = cJSON_CreateObject();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToObject(o, keys[i].name, fill_key(u, &keys[i]));
	}
	char *text = cJSON_Print(o);
	sb_puts(out, text);
	cJSON_free(text);
	cJSON_Delete(o);
	return true;
}

/* ---- one value ---------------------------------------------------------------- */

/* An error code ("DW-3003") in s, or NULL. Caller frees. */
static char *error_code(const char *s)
{
	for (const char *p = s; *p; p++) {
		size_t a = 0;
		while (isupper((unsigned char)p[a]))
			a++;
		if (a < 2 || a > 5 || p[a] != '-' || !isdigit((unsigned char)p[a + 1]) ||
		    (p > s && isalnum((unsigned char)p[-1])))
			continue;
		size_t d = a + 1;
		while (isdigit((unsigned char)p[d]))
			d++;
		return xstrndup(p, d);
	}
	return NULL;
}

/* A code span of the best units that starts with a word of the question
 * ("dwsync pause --for 2h" for "the dwsync command that ..."). */
static char *command_for(const char *lc, const struct units *u)
{
	size_t best = NO_UNIT, best_o = 0;
	char *found = NULL;
	for (size_t i = 0; i < u->n; i++) {
		if (!unit_atomic(u, i) || u->v[i].archived)
			continue;
		for (const char *p = u->v[i].text; (p = strchr(p, '`'));) {
			const char *e = strchr(p + 1, '`');
			if (!e)
				break;
			char *span = xstrndup(p + 1, (size_t)(e - p - 1));
			char first[32];
			snprintf(first, sizeof first, "%.*s", (int)strcspn(span, " "), span);
			char *lf = lower(first);
			size_t o = has_word(lc, lf) && strchr(span, ' ') ? 1 + overlap(lc, span) : 0;
			free(lf);
			if (o > best_o || (o == best_o && o && u->v[i].rel > u->v[best].rel)) {
				free(found);
				found = span;
				best = i;
				best_o = o;
			} else {
				free(span);
			}
			p = e + 1;
		}
	}
	return found;
}

static bool value_answer(const char *lc, const struct units *u, size_t best, struct strbuf *out)
{
	bool only = strstr(lc, "only") || strstr(lc, "exactly one line") || strstr(lc, "nothing else");
	if (!only)
		return false;
	if (strstr(lc, "yes or no") || strstr(lc, "yes/no")) {
		sb_puts(out, says_no(u->v[best].text) ? "NO" : "YES");
		return true;
	}
	if (has_word(lc, "code")) {
		char *code = error_code(u->v[best].text);
		for (size_t i = 0; !code && i < u->n; i++)
			if (unit_atomic(u, i) && u->v[i].rel >= u->v[best].rel * 0.8)
				code = error_code(u->v[i].text);
		if (code) {
			sb_puts(out, code);
			free(code);
			return true;
		}
	}
	if (has_word(lc, "command")) {
		char *cmd = command_for(lc, u);
		if (cmd) {
			sb_puts(out, cmd);
			free(cmd);
			return true;
		}
	}
	return false;
}

/* ---- fenced blocks ------------------------------------------------------------- */

static bool fence_answer(const char *lc, const struct units *u, struct strbuf *out)
{
	const char *f = strstr(lc, "```");
	bool fenced = f || strstr(lc, "code block") || strstr(lc, "fenced");
	if (!fenced)
		return false;
	char lang[16] = "";
	if (f)
		snprintf(lang, sizeof lang, "%.*s", (int)strcspn(f + 3, " `.,;"), f + 3);
	size_t best = NO_UNIT;
	for (size_t i = 0; i < u->n; i++) {
		const struct unit *x = &u->v[i];
		if (x->kind != U_CODE || !x->text[0] || x->archived || (lang[0] && strcasecmp(lang, x->lang) != 0))
			continue;
		if (best == NO_UNIT || x->rel > u->v[best].rel)
			best = i;
	}
	if (best == NO_UNIT)
		return false;
	sb_puts(out, u->v[best].text);
	return true;
}

bool local_format_answer(const char *question, const struct units *u, size_t best,
                         const struct llm_context_block *blocks, struct strbuf *out)
{
	(void)blocks;
	char *lc = lower(question);
	bool done = false;
	if (has_word(lc, "json"))
		done = json_answer(lc, u, out);
	else if (has_word(lc, "table") || has_word(lc, "tables"))
		done = table_answer(question, lc, u, out);
	else if (fence_answer(lc, u, out))
		done = true;
	else
		done = value_answer(lc, u, best, out);
	free(lc);
	return done;
}
