/* records: JSON Lines and CSV exports into records (records.h). */
#include "core/ingest/records.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A field's role and the names common exports give it (Zendesk,
 * Freshdesk, Jira, Intercom), in order of preference. */
enum role { ROLE_ID, ROLE_TITLE, ROLE_BODY, ROLE_DATE, N_ROLES };

static const char *const default_names[N_ROLES][8] = {
	[ROLE_ID] = { "id", "ticket_id", "key", "issue key", "number", "conversation_id", NULL },
	[ROLE_TITLE] = { "subject", "title", "summary", "name", NULL },
	[ROLE_BODY] = { "description", "description_text", "body", "text", "content", "message", "comment", NULL },
	[ROLE_DATE] = { "created_at", "created", "date", "updated_at", NULL },
};

/* The names to look for in role: the configured one alone, or the
 * defaults. Returns how many (into names). */
static size_t role_names(const struct record_fields *fields, enum role role, const char **names)
{
	const char *configured = NULL;
	if (fields) {
		const char *const v[N_ROLES] = { fields->id, fields->title, fields->body, fields->date };
		configured = v[role];
	}
	if (configured) {
		names[0] = configured;
		return 1;
	}
	size_t n = 0;
	while (default_names[role][n]) {
		names[n] = default_names[role][n];
		n++;
	}
	return n;
}

size_t records_file_len(const char *path)
{
	const char *mark = strrchr(path, '#');
	return mark ? (size_t)(mark - path) : 0;
}

bool records_of_file(const char *path, const char *format, const char *file)
{
	size_t n = strlen(file);
	return strcmp(format, RECORD_FORMAT) == 0 && records_file_len(path) == n && strncmp(path, file, n) == 0;
}

enum records_kind records_kind_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return RECORDS_NONE;
	if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0)
		return RECORDS_JSONL;
	if (strcasecmp(dot, ".csv") == 0)
		return RECORDS_CSV;
	return RECORDS_NONE;
}

/* ---- cleaning ----------------------------------------------------------- */

/* s[0..n) as valid UTF-8 with LF line ends; when one_line, every control
 * character is dropped and line ends become spaces; surrounding white
 * space trimmed. Caller frees. */
static char *clean_text(const char *s, size_t n, bool one_line)
{
	size_t rn = 0;
	char *fixed = utf8_repair(s, n, &rn, NULL);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < rn; i++) {
		unsigned char c = (unsigned char)fixed[i];
		if (c == '\r') {
			if (i + 1 < rn && fixed[i + 1] == '\n')
				continue;
			c = '\n';
		}
		if (one_line && (c == '\n' || c == '\t'))
			c = ' ';
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			continue;
		sb_putc(&sb, (char)c);
	}
	free(fixed);
	size_t len = 0;
	char *out = sb_detach(&sb, &len);
	if (!out)
		return xstrdup("");
	size_t a = 0;
	while (a < len && (out[a] == ' ' || out[a] == '\n' || out[a] == '\t'))
		a++;
	while (len > a && (out[len - 1] == ' ' || out[len - 1] == '\n' || out[len - 1] == '\t'))
		len--;
	memmove(out, out + a, len - a);
	out[len - a] = '\0';
	return out;
}

/* An id fit for a path: one line, '#' (the path's separator) as '_', at
 * most RECORD_ID_MAX bytes; "line N" when that leaves nothing. Takes s. */
static char *clean_id(char *s, int line)
{
	if (!s || !s[0]) {
		free(s);
		char buf[32];
		snprintf(buf, sizeof buf, "line %d", line);
		return xstrdup(buf);
	}
	for (char *p = s; *p; p++)
		if (*p == '#')
			*p = '_';
	size_t len = strlen(s);
	if (len > RECORD_ID_MAX)
		s[utf8_floor_boundary(s, len, RECORD_ID_MAX)] = '\0';
	return s;
}

/* ---- JSON Lines --------------------------------------------------------- */

/* The member of o called name, case-insensitively. */
static const cJSON *member(const cJSON *o, const char *name)
{
	for (const cJSON *c = o->child; c; c = c->next)
		if (c->string && strcasecmp(c->string, name) == 0)
			return c;
	return NULL;
}

/* The first member of o that role's names find, not null. */
static const cJSON *find_role(const cJSON *o, const struct record_fields *fields, enum role role)
{
	const char *names[8];
	size_t n = role_names(fields, role, names);
	for (size_t i = 0; i < n; i++) {
		const cJSON *v = member(o, names[i]);
		if (v && !cJSON_IsNull(v))
			return v;
	}
	return NULL;
}

/* A scalar as text: strings as they are, whole numbers without a
 * fraction, booleans by name. NULL for anything else. Caller frees. */
static char *scalar_text(const cJSON *v)
{
	char buf[64];
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		/* Only a double inside int64_t's range may be cast to it. */
		if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d)
			snprintf(buf, sizeof buf, "%lld", (long long)(int64_t)d);
		else
			snprintf(buf, sizeof buf, "%.17g", d);
		return xstrdup(buf);
	}
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	return NULL;
}

/* A body: a scalar, or a conversation (an array of strings or of objects
 * with a body or text) joined as paragraphs. Caller frees. */
static char *body_text(const cJSON *v)
{
	if (!cJSON_IsArray(v))
		return scalar_text(v);
	struct strbuf sb = STRBUF_INIT;
	for (const cJSON *m = v->child; m; m = m->next) {
		const cJSON *t = m;
		if (cJSON_IsObject(m)) {
			t = member(m, "body");
			if (!t || !cJSON_IsString(t))
				t = member(m, "text");
		}
		if (!t || !cJSON_IsString(t) || !t->valuestring[0])
			continue;
		if (sb.len)
			sb_puts(&sb, "\n\n");
		sb_puts(&sb, t->valuestring);
	}
	return sb_detach(&sb, NULL);
}

/* Cleaned text of role's member of o; NULL when absent or empty. */
static char *role_text(const cJSON *o, const struct record_fields *fields, enum role role)
{
	const cJSON *v = find_role(o, fields, role);
	if (!v)
		return NULL;
	char *raw = role == ROLE_BODY ? body_text(v) : scalar_text(v);
	if (!raw)
		return NULL;
	char *s = clean_text(raw, strlen(raw), role != ROLE_BODY);
	free(raw);
	if (!s[0] && role != ROLE_BODY) {
		free(s);
		return NULL;
	}
	return s;
}

static void add_malformed(struct record_set *s, int line)
{
	if (s->malformed < RECORDS_LINES_NOTED)
		s->malformed_lines[s->malformed] = line;
	s->malformed++;
}

static struct record *add_record(struct record_set *s, size_t *cap, int line)
{
	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		s->items = xreallocarray(s->items, *cap, sizeof *s->items);
	}
	struct record *r = &s->items[s->n++];
	*r = (struct record){ .line = line };
	return r;
}

static void record_from_json(struct record *r, const cJSON *o, const struct record_fields *fields)
{
	r->id = clean_id(role_text(o, fields, ROLE_ID), r->line);
	r->title = role_text(o, fields, ROLE_TITLE);
	r->body = role_text(o, fields, ROLE_BODY);
	if (!r->body)
		r->body = xstrdup("");
	r->date = role_text(o, fields, ROLE_DATE);
}

/* Returns false when the first object has no body field. */
static bool parse_jsonl(const char *data, size_t len, const struct record_fields *fields, struct record_set *s)
{
	size_t cap = 0, pos = 0;
	int line = 0;
	bool decided = false;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *p = data + pos;
		size_t n = end - pos;
		pos = end + 1;
		line++;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (!n)
			continue;
		cJSON *o = cJSON_ParseWithLength(p, n);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			add_malformed(s, line);
			continue;
		}
		if (!decided && !find_role(o, fields, ROLE_BODY)) {
			cJSON_Delete(o);
			return false;
		}
		decided = true;
		record_from_json(add_record(s, &cap, line), o, fields);
		cJSON_Delete(o);
	}
	return decided;
}

/* ---- CSV ---------------------------------------------------------------- */

/* One row of fields. */
struct row {
	char **v;
	size_t n, cap;
};

static void row_clear(struct row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	r->n = 0;
}

static void row_add(struct row *r, struct strbuf *field)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	char *s = sb_detach(field, NULL);
	r->v[r->n++] = s ? s : xstrdup("");
}

/* Read the row at *pos (RFC 4180: quoted fields with "" for a quote and
 * line ends inside; CRLF or LF); *line advances past its lines. Returns
 * false when the row is malformed (a quote left open, text after a
 * closing quote); *pos is past the row either way. */
static bool read_row(const char *d, size_t len, size_t *pos, int *line, struct row *row)
{
	struct strbuf f = STRBUF_INIT;
	bool ok = true, quoted = false, was_quoted = false;
	size_t i = *pos;
	row_clear(row);
	for (; i < len; i++) {
		char c = d[i];
		if (quoted) {
			if (c == '"' && i + 1 < len && d[i + 1] == '"') {
				sb_putc(&f, '"');
				i++;
			} else if (c == '"') {
				quoted = false;
			} else {
				if (c == '\n')
					(*line)++;
				sb_putc(&f, c);
			}
			continue;
		}
		if (c == ',') {
			row_add(row, &f);
			was_quoted = false;
		} else if (c == '\n' || (c == '\r' && i + 1 < len && d[i + 1] == '\n')) {
			i += c == '\r';
			(*line)++;
			i++;
			break;
		} else if (c == '"' && !was_quoted && f.len == 0) {
			quoted = was_quoted = true;
		} else {
			if (was_quoted)
				ok = false;
			sb_putc(&f, c);
		}
	}
	if (quoted)
		ok = false;
	row_add(row, &f);
	*pos = i;
	return ok;
}

/* The column of role in the header; -1 when none. */
static int header_column(const struct row *h, const struct record_fields *fields, enum role role)
{
	const char *names[8];
	size_t n = role_names(fields, role, names);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < h->n; i++) {
			char *name = clean_text(h->v[i], strlen(h->v[i]), true);
			bool match = strcasecmp(name, names[k]) == 0;
			free(name);
			if (match)
				return (int)i;
		}
	return -1;
}

/* Cleaned cell col of row; NULL when there is no such column or it is
 * empty (the body: ""). */
static char *cell(const struct row *row, int col, bool body)
{
	if (col < 0)
		return body ? xstrdup("") : NULL;
	const char *v = row->v[col];
	char *s = clean_text(v, strlen(v), !body);
	if (!s[0] && !body) {
		free(s);
		return NULL;
	}
	return s;
}

static bool parse_csv(const char *d, size_t len, const struct record_fields *fields, struct record_set *s)
{
	struct row row = { 0 };
	size_t pos = 0, cap = 0, width = 0;
	int line = 1, cols[N_ROLES];
	bool ok = false;
	while (pos < len && (d[pos] == '\n' || d[pos] == '\r'))
		line += d[pos++] == '\n';
	if (pos >= len)
		goto cleanup;
	read_row(d, len, &pos, &line, &row);
	for (int r = 0; r < N_ROLES; r++)
		cols[r] = header_column(&row, fields, (enum role)r);
	if (cols[ROLE_BODY] < 0)
		goto cleanup;
	width = row.n;
	ok = true;
	while (pos < len) {
		int start = line;
		bool good = read_row(d, len, &pos, &line, &row);
		if (row.n == 1 && !row.v[0][0])
			continue; /* a blank line */
		if (!good || row.n != width) {
			add_malformed(s, start);
			continue;
		}
		struct record *r = add_record(s, &cap, start);
		r->id = clean_id(cell(&row, cols[ROLE_ID], false), start);
		r->title = cell(&row, cols[ROLE_TITLE], false);
		r->body = cell(&row, cols[ROLE_BODY], true);
		r->date = cell(&row, cols[ROLE_DATE], false);
	}
cleanup:
	row_clear(&row);
	free(row.v);
	return ok;
}

/* ---- the set ------------------------------------------------------------ */

static void record_free(struct record *r)
{
	free(r->id);
	free(r->title);
	free(r->body);
	free(r->date);
}

static _Thread_local const struct record *sort_base;

/* By id, then by place in the file. */
static int by_id(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_base[x].id, sort_base[y].id);
	return c ? c : (x > y) - (x < y);
}

/* Keep the last record of each id, in file order. */
static void drop_duplicates(struct record_set *s)
{
	if (s->n < 2)
		return;
	size_t *order = xcalloc(s->n, sizeof *order);
	bool *drop = xcalloc(s->n, sizeof *drop);
	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	/* qsort has no context argument; the parse runs on one thread per
	 * file, so the base lives in a thread-local. */
	sort_base = s->items;
	qsort(order, s->n, sizeof *order, by_id);
	for (size_t i = 0; i + 1 < s->n; i++)
		if (strcmp(s->items[order[i]].id, s->items[order[i + 1]].id) == 0)
			drop[order[i]] = true;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (drop[i]) {
			record_free(&s->items[i]);
			s->duplicates++;
		} else {
			s->items[k++] = s->items[i];
		}
	}
	s->n = k;
	free(order);
	free(drop);
}

bool records_parse(enum records_kind kind, const char *data, size_t len, const struct record_fields *fields,
                   struct record_set *out)
{
	*out = (struct record_set){ 0 };
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	bool ok = false;
	if (kind == RECORDS_JSONL)
		ok = parse_jsonl(data, len, fields, out);
	else if (kind == RECORDS_CSV)
		ok = parse_csv(data, len, fields, out);
	if (!ok) {
		record_set_free(out);
		return false;
	}
	drop_duplicates(out);
	return true;
}

char *record_text(const struct record *r, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "# %s\n\nTicket %s", r->title ? r->title : r->id, r->id);
	if (r->date)
		sb_printf(&sb, " \xC2\xB7 %s", r->date);
	sb_printf(&sb, "\n\n%s\n", r->body);
	return sb_detach(&sb, len);
}

char *record_title(const struct record *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, r->id);
	if (r->title)
		sb_printf(&sb, ": %s", r->title);
	return sb_detach(&sb, NULL);
}

void records_note(const struct record_set *s, char *out, size_t outlen)
{
	struct strbuf sb = STRBUF_INIT;
	if (s->malformed) {
		sb_printf(&sb, "%zu malformed record%s skipped (line%s ", s->malformed, s->malformed == 1 ? "" : "s",
		          s->malformed == 1 ? "" : "s");
		size_t shown = s->malformed < RECORDS_LINES_NOTED ? s->malformed : RECORDS_LINES_NOTED;
		for (size_t i = 0; i < shown; i++)
			sb_printf(&sb, "%s%d", i ? ", " : "", s->malformed_lines[i]);
		sb_puts(&sb, s->malformed > shown ? ", ...)" : ")");
	}
	if (s->duplicates)
		sb_printf(&sb, "%s%zu duplicate id%s (the later record kept)", sb.len ? "; " : "", s->duplicates,
		          s->duplicates == 1 ? "" : "s");
	snprintf(out, outlen, "%s", sb.len ? sb.buf : "");
	sb_free(&sb);
}

void record_set_free(struct record_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		record_free(&s->items[i]);
	free(s->items);
	*s = (struct record_set){ 0 };
}
