#include "core/llm/sse.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

struct llm_sse {
	struct llm_sse_callbacks cbs;
	size_t max_line;
	struct strbuf line;   /* a line whose end has not arrived yet */
	struct strbuf data;
	struct strbuf type;
	struct strbuf id;
	long retry_ms;
	int skip_lf;          /* the previous buffer ended in '\r' */
	int bom_pos;          /* BOM bytes matched; 3 once past the start */
	int dead;             /* a line exceeded the cap */
};

struct llm_sse *llm_sse_new(const struct llm_sse_callbacks *cbs, size_t max_line)
{
	struct llm_sse *p = xcalloc(1, sizeof(*p));
	p->cbs = *cbs;
	p->max_line = max_line ? max_line : LLM_SSE_DEFAULT_MAX_LINE;
	p->retry_ms = -1;
	return p;
}

void llm_sse_reset(struct llm_sse *p)
{
	sb_reset(&p->line);
	sb_reset(&p->data);
	sb_reset(&p->type);
	sb_reset(&p->id);
	p->retry_ms = -1;
	p->skip_lf = 0;
	p->bom_pos = 0;
	p->dead = 0;
}

void llm_sse_free(struct llm_sse **pp)
{
	struct llm_sse *p = *pp;
	if (!p)
		return;
	sb_free(&p->line);
	sb_free(&p->data);
	sb_free(&p->type);
	sb_free(&p->id);
	free(p);
	*pp = NULL;
}

static int dispatch(struct llm_sse *p)
{
	if (p->data.len == 0) {
		sb_reset(&p->type);
		return 0;
	}
	sb_truncate(&p->data, p->data.len - 1);
	struct llm_sse_event ev = {
		.type = p->type.len ? sb_str(&p->type) : "message",
		.data = sb_str(&p->data),
		.data_len = p->data.len,
		.id = sb_str(&p->id),
		.retry_ms = p->retry_ms,
	};
	int rc = p->cbs.on_event ? p->cbs.on_event(p->cbs.ud, &ev) : 0;
	sb_reset(&p->data);
	sb_reset(&p->type);
	return rc;
}

static int field_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(name, want, n) == 0;
}

static void set_retry(struct llm_sse *p, const char *v, size_t n)
{
	long ms = 0;
	if (n == 0 || n > 9)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		ms = ms * 10 + (v[i] - '0');
	}
	p->retry_ms = ms;
}

static int other_field(struct llm_sse *p, const char *name, size_t n, const char *v, size_t vn)
{
	if (!p->cbs.on_other_field)
		return 0;
	char *nm = xstrndup(name, n);
	char *val = xstrndup(v, vn);
	int rc = p->cbs.on_other_field(p->cbs.ud, nm, val, vn);
	free(nm);
	free(val);
	return rc;
}

/* One complete line without its ending. */
static int process_line(struct llm_sse *p, const char *line, size_t n)
{
	if (n == 0)
		return dispatch(p);
	if (line[0] == ':')
		return 0;
	const char *colon = memchr(line, ':', n);
	size_t name_len = colon ? (size_t)(colon - line) : n;
	const char *v = colon ? colon + 1 : line + n;
	size_t vn = (size_t)(line + n - v);
	if (vn && *v == ' ') {
		v++;
		vn--;
	}
	if (field_is(line, name_len, "data")) {
		sb_append(&p->data, v, vn);
		sb_putc(&p->data, '\n');
	} else if (field_is(line, name_len, "event")) {
		sb_reset(&p->type);
		sb_append(&p->type, v, vn);
	} else if (field_is(line, name_len, "id")) {
		if (!memchr(v, '\0', vn)) {
			sb_reset(&p->id);
			sb_append(&p->id, v, vn);
		}
	} else if (field_is(line, name_len, "retry")) {
		set_retry(p, v, vn);
	} else {
		return other_field(p, line, name_len, v, vn);
	}
	return 0;
}

static int line_too_long(struct llm_sse *p, char *err, size_t errlen)
{
	p->dead = 1;
	snprintf(err, errlen, "event stream line longer than %zu bytes: stream ended "
		 "(the server sent no line break)", p->max_line);
	return LLM_SSE_ELINE;
}

/* First '\n' or '\r' in [s, end), or NULL. */
static const char *find_eol(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *cr = memchr(s, '\r', (size_t)((nl ? nl : end) - s));
	return cr ? cr : nl;
}

/* Skip a byte order mark at the very start, even when split across feeds. */
static const char *skip_bom(struct llm_sse *p, const char *s, const char *end)
{
	while (p->bom_pos < 3 && s < end) {
		if ((unsigned char)*s != bom[p->bom_pos]) {
			sb_append(&p->line, bom, (size_t)p->bom_pos);
			p->bom_pos = 3;
			break;
		}
		p->bom_pos++;
		s++;
	}
	return s;
}

int llm_sse_feed(struct llm_sse *p, const char *buf, size_t len, char *err, size_t errlen)
{
	if (p->dead) {
		snprintf(err, errlen, "event stream already ended: a line exceeded %zu bytes",
			 p->max_line);
		return LLM_SSE_ELINE;
	}
	const char *s = buf;
	const char *end = buf + len;
	s = skip_bom(p, s, end);
	if (p->skip_lf && s < end) {
		if (*s == '\n')
			s++;
		p->skip_lf = 0;
	}
	while (s < end) {
		const char *eol = find_eol(s, end);
		size_t n = (size_t)((eol ? eol : end) - s);
		if (p->line.len + n > p->max_line)
			return line_too_long(p, err, errlen);
		if (!eol) {
			sb_append(&p->line, s, n);
			break;
		}
		int rc;
		if (p->line.len) {
			sb_append(&p->line, s, n);
			rc = process_line(p, p->line.buf, p->line.len);
			sb_reset(&p->line);
		} else {
			rc = process_line(p, s, n);
		}
		s = eol + 1;
		if (*eol == '\r') {
			if (s == end)
				p->skip_lf = 1;
			else if (*s == '\n')
				s++;
		}
		if (rc)
			return LLM_SSE_STOPPED;
	}
	return LLM_SSE_OK;
}

int llm_sse_end(struct llm_sse *p, char *err, size_t errlen)
{
	if (p->dead) {
		snprintf(err, errlen, "event stream already ended: a line exceeded %zu bytes",
			 p->max_line);
		return LLM_SSE_ELINE;
	}
	sb_reset(&p->line);
	p->skip_lf = 0;
	return dispatch(p) ? LLM_SSE_STOPPED : LLM_SSE_OK;
}
