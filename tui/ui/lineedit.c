/* lineedit: the input line's model: buffer, cursor, history, views. */
#include "tui/ui/lineedit.h"
#include "core/util/fs.h"
#include "core/util/grapheme.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* A history file is at most history_max short entries; this bound keeps a
 * wrong path from being read whole. */
#define MAX_HISTORY_FILE ((size_t)16 << 20)

/* An incremental reverse search (Ctrl-R). */
struct search {
	bool active, failed;
	struct strbuf query;
	char *last_query;          /* the previous search's, for Ctrl-R on an empty query */
	char *saved;               /* the buffer when the search started */
	size_t saved_cursor;
	size_t idx;                /* the entry shown; nhist: none matched yet */
};

struct lineedit {
	struct strbuf buf;
	size_t cursor;
	size_t hscroll;            /* first byte shown by the single-line view */
	struct strbuf kill;
	char **hist;
	size_t nhist, max;
	size_t hpos;               /* entry shown; nhist: the draft */
	char *draft;               /* the line being edited while browsing history */
	struct lineedit_row *rows;
	size_t nrows, cap_rows;
	struct search search;
};

struct lineedit *lineedit_new(size_t history_max)
{
	struct lineedit *le = xcalloc(1, sizeof(*le));
	le->max = history_max ? history_max : LINEEDIT_HISTORY_MAX;
	return le;
}

static void clear_history(struct lineedit *le)
{
	for (size_t i = 0; i < le->nhist; i++)
		free(le->hist[i]);
	le->nhist = 0;
	le->hpos = 0;
	free(le->draft);
	le->draft = NULL;
}

void lineedit_free(struct lineedit **ple)
{
	struct lineedit *le = *ple;
	if (!le)
		return;
	clear_history(le);
	free(le->hist);
	free(le->rows);
	sb_free(&le->search.query);
	free(le->search.last_query);
	free(le->search.saved);
	sb_free(&le->buf);
	sb_free(&le->kill);
	free(le);
	*ple = NULL;
}

const char *lineedit_text(const struct lineedit *le, size_t *len)
{
	if (len)
		*len = le->buf.len;
	return sb_str(&le->buf);
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->cursor;
}

/* Sanitized text with tabs expanded, appended to out. */
static void normalize(const char *text, size_t len, struct strbuf *out)
{
	size_t n;
	char *clean = utf8_sanitize(text, len, &n);
	for (size_t i = 0; i < n; i++) {
		if (clean[i] == '\t')
			sb_append(out, "        ", LINEEDIT_TAB_SPACES);
		else
			sb_putc(out, clean[i]);
	}
	free(clean);
}

/* Replace buf[from..to) with ins[0..n). */
static void splice(struct lineedit *le, size_t from, size_t to, const char *ins, size_t n)
{
	struct strbuf *b = &le->buf;
	size_t tail = b->len - to;
	sb_grow(b, n > to - from ? n - (to - from) : 0);
	memmove(b->buf + from + n, b->buf + to, tail);
	if (n)
		memcpy(b->buf + from, ins, n);
	b->len = from + n + tail;
	b->buf[b->len] = '\0';
}

/* Replace the buffer with text that is already normalized. */
static void set_raw(struct lineedit *le, const char *text)
{
	sb_reset(&le->buf);
	sb_puts(&le->buf, text);
	le->cursor = le->buf.len;
	le->hscroll = 0;
}

void lineedit_set(struct lineedit *le, const char *text, size_t len)
{
	struct strbuf clean = STRBUF_INIT;
	normalize(text, len, &clean);
	set_raw(le, sb_str(&clean));
	sb_free(&clean);
}

bool lineedit_insert(struct lineedit *le, const char *text, size_t len)
{
	struct strbuf clean = STRBUF_INIT;
	normalize(text, len, &clean);
	splice(le, le->cursor, le->cursor, clean.buf, clean.len);
	le->cursor += clean.len;
	sb_free(&clean);
	return len > 0;
}

/* --- positions ------------------------------------------------------------ */

static size_t next_pos(const struct lineedit *le, size_t i)
{
	struct grapheme g;
	if (i >= le->buf.len)
		return le->buf.len;
	if (le->buf.buf[i] == '\n')
		return i + 1;
	return grapheme_next(le->buf.buf, le->buf.len, i, &g);
}

static size_t prev_pos(const struct lineedit *le, size_t i)
{
	return grapheme_prev(sb_str(&le->buf), le->buf.len, i);
}

static size_t line_start(const struct lineedit *le, size_t i)
{
	while (i > 0 && le->buf.buf[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(const struct lineedit *le, size_t i)
{
	const char *nl = i < le->buf.len ? memchr(le->buf.buf + i, '\n', le->buf.len - i) : NULL;
	return nl ? (size_t)(nl - le->buf.buf) : le->buf.len;
}

static bool move_to(struct lineedit *le, size_t pos)
{
	bool moved = pos != le->cursor;
	le->cursor = pos;
	return moved;
}

/* Columns of a cluster at i; a newline counts one (a placeholder). */
static size_t cluster(const struct lineedit *le, size_t i, unsigned *cw)
{
	struct grapheme g;
	if (le->buf.buf[i] == '\n') {
		*cw = 1;
		return i + 1;
	}
	i = grapheme_next(le->buf.buf, le->buf.len, i, &g);
	*cw = g.cols;
	return i;
}

static unsigned cols_between(const struct lineedit *le, size_t from, size_t to)
{
	unsigned col = 0, cw;
	while (from < to) {
		from = cluster(le, from, &cw);
		col += cw;
	}
	return col;
}

/* Position in the line starting at start whose column is at most col. */
static size_t pos_at_col(const struct lineedit *le, size_t start, unsigned col)
{
	size_t end = line_end(le, start), i = start;
	unsigned at = 0, cw;
	while (i < end) {
		size_t n = cluster(le, i, &cw);
		if (at + cw > col)
			break;
		at += cw;
		i = n;
	}
	return i;
}

static bool is_word_at(const struct lineedit *le, size_t i)
{
	unsigned char c = (unsigned char)le->buf.buf[i];
	return c >= 0x80 || isalnum(c);
}

static bool is_space_at(const struct lineedit *le, size_t i)
{
	return isspace((unsigned char)le->buf.buf[i]);
}

/* --- movement ------------------------------------------------------------- */

bool lineedit_left(struct lineedit *le)
{
	return move_to(le, prev_pos(le, le->cursor));
}

bool lineedit_right(struct lineedit *le)
{
	return move_to(le, next_pos(le, le->cursor));
}

bool lineedit_home(struct lineedit *le)
{
	return move_to(le, line_start(le, le->cursor));
}

bool lineedit_end(struct lineedit *le)
{
	return move_to(le, line_end(le, le->cursor));
}

bool lineedit_word_right(struct lineedit *le)
{
	size_t i = le->cursor;
	while (i < le->buf.len && !is_word_at(le, i))
		i = next_pos(le, i);
	while (i < le->buf.len && is_word_at(le, i))
		i = next_pos(le, i);
	return move_to(le, i);
}

typedef bool (*class_fn)(const struct lineedit *le, size_t i);

/* Start of the run of in_word clusters before i, skipping the others
 * between it and i. */
static size_t word_start_before(const struct lineedit *le, size_t i, class_fn in_word)
{
	while (i > 0 && !in_word(le, prev_pos(le, i)))
		i = prev_pos(le, i);
	while (i > 0 && in_word(le, prev_pos(le, i)))
		i = prev_pos(le, i);
	return i;
}

bool lineedit_word_left(struct lineedit *le)
{
	return move_to(le, word_start_before(le, le->cursor, is_word_at));
}

static bool is_nonspace_at(const struct lineedit *le, size_t i)
{
	return !is_space_at(le, i);
}

bool lineedit_up(struct lineedit *le)
{
	size_t start = line_start(le, le->cursor);
	if (start == 0)
		return lineedit_history_prev(le);
	unsigned col = cols_between(le, start, le->cursor);
	return move_to(le, pos_at_col(le, line_start(le, start - 1), col));
}

bool lineedit_down(struct lineedit *le)
{
	size_t end = line_end(le, le->cursor);
	if (end == le->buf.len)
		return lineedit_history_next(le);
	unsigned col = cols_between(le, line_start(le, le->cursor), le->cursor);
	return move_to(le, pos_at_col(le, end + 1, col));
}

/* --- deletion ------------------------------------------------------------- */

static bool delete_range(struct lineedit *le, size_t from, size_t to, bool keep)
{
	if (from >= to)
		return false;
	if (keep) {
		sb_reset(&le->kill);
		sb_append(&le->kill, le->buf.buf + from, to - from);
	}
	splice(le, from, to, NULL, 0);
	le->cursor = from;
	return true;
}

bool lineedit_delete_back(struct lineedit *le)
{
	return delete_range(le, prev_pos(le, le->cursor), le->cursor, false);
}

bool lineedit_delete_forward(struct lineedit *le)
{
	return delete_range(le, le->cursor, next_pos(le, le->cursor), false);
}

bool lineedit_kill_to_start(struct lineedit *le)
{
	return delete_range(le, line_start(le, le->cursor), le->cursor, true);
}

bool lineedit_kill_to_end(struct lineedit *le)
{
	size_t end = line_end(le, le->cursor);
	if (end == le->cursor && end < le->buf.len)
		end++;
	return delete_range(le, le->cursor, end, true);
}

bool lineedit_kill_word_back(struct lineedit *le)
{
	size_t start = word_start_before(le, le->cursor, is_nonspace_at);
	return delete_range(le, start, le->cursor, true);
}

bool lineedit_yank(struct lineedit *le)
{
	splice(le, le->cursor, le->cursor, le->kill.buf, le->kill.len);
	le->cursor += le->kill.len;
	return le->kill.len > 0;
}

/* --- history -------------------------------------------------------------- */

static void add_history(struct lineedit *le, const char *text)
{
	if (le->nhist == le->max) {
		free(le->hist[0]);
		memmove(le->hist, le->hist + 1, (le->nhist - 1) * sizeof(*le->hist));
		le->nhist--;
	}
	le->hist = xreallocarray(le->hist, le->nhist + 1, sizeof(*le->hist));
	le->hist[le->nhist++] = xstrdup(text);
}

static bool is_blank_text(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

bool lineedit_recall(struct lineedit *le, const char *text, size_t len)
{
	bool kept = !is_blank_text(sb_str(&le->buf));
	if (kept) {
		sb_reset(&le->kill);
		sb_append(&le->kill, le->buf.buf, le->buf.len);
	}
	le->hpos = le->nhist;
	free(le->draft);
	le->draft = NULL;
	lineedit_set(le, text, len);
	return kept;
}

char *lineedit_submit(struct lineedit *le)
{
	lineedit_search_accept(le);
	char *text = xstrdup(sb_str(&le->buf));
	if (!is_blank_text(text) && (le->nhist == 0 || strcmp(le->hist[le->nhist - 1], text)))
		add_history(le, text);
	le->hpos = le->nhist;
	free(le->draft);
	le->draft = NULL;
	set_raw(le, "");
	return text;
}

bool lineedit_history_prev(struct lineedit *le)
{
	if (le->hpos == 0)
		return false;
	if (le->hpos == le->nhist) {
		free(le->draft);
		le->draft = xstrdup(sb_str(&le->buf));
	}
	le->hpos--;
	set_raw(le, le->hist[le->hpos]);
	return true;
}

bool lineedit_history_next(struct lineedit *le)
{
	if (le->hpos >= le->nhist)
		return false;
	le->hpos++;
	if (le->hpos < le->nhist) {
		set_raw(le, le->hist[le->hpos]);
		return true;
	}
	set_raw(le, le->draft ? le->draft : "");
	free(le->draft);
	le->draft = NULL;
	return true;
}

size_t lineedit_history_count(const struct lineedit *le)
{
	return le->nhist;
}

const char *lineedit_history_entry(const struct lineedit *le, size_t i)
{
	return i < le->nhist ? le->hist[i] : NULL;
}

/* Undo the file escapes of s[0..len) into out. */
static void unescape(const char *s, size_t len, struct strbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
			sb_putc(out, s[i + 1] == 'n' ? '\n' : '\\');
			i++;
		} else {
			sb_putc(out, s[i]);
		}
	}
}

int lineedit_history_load(struct lineedit *le, const char *path, char *err, size_t errlen)
{
	struct strbuf text = STRBUF_INIT, raw = STRBUF_INIT, entry = STRBUF_INIT;
	char chunk[4096];
	int rc = -1;
	size_t n;
	FILE *f = fopen(path, "rb");

	clear_history(le);
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: cannot read history: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len <= MAX_HISTORY_FILE)
		sb_append(&text, chunk, n);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read history: %s", path, strerror(errno));
		goto cleanup;
	}
	if (text.len > MAX_HISTORY_FILE) {
		snprintf(err, errlen, "%s: larger than %zu MiB; is this a history file?", path,
		         MAX_HISTORY_FILE >> 20);
		goto cleanup;
	}
	for (size_t i = 0; i < text.len;) {
		const char *nl = memchr(text.buf + i, '\n', text.len - i);
		size_t end = nl ? (size_t)(nl - text.buf) : text.len;
		sb_reset(&raw);
		sb_reset(&entry);
		unescape(text.buf + i, end - i, &raw);
		normalize(raw.buf ? raw.buf : "", raw.len, &entry);
		if (!is_blank_text(sb_str(&entry)))
			add_history(le, sb_str(&entry));
		i = end + 1;
	}
	le->hpos = le->nhist;
	rc = 0;
cleanup:
	fclose(f);
	sb_free(&text);
	sb_free(&raw);
	sb_free(&entry);
	return rc;
}

int lineedit_history_load_or(struct lineedit *le, const char *path, const char *fallback,
                              char *err, size_t errlen)
{
	struct stat st;
	if (fallback && stat(path, &st) != 0 && errno == ENOENT)
		path = fallback;
	return lineedit_history_load(le, path, err, errlen);
}

int lineedit_history_save(const struct lineedit *le, const char *path, char *err, size_t errlen)
{
	struct strbuf out = STRBUF_INIT, tmp = STRBUF_INIT;
	int rc = -1, fd, werr;

	if (fs_make_parent_dirs(path, err, errlen) < 0)
		goto cleanup;
	for (size_t i = 0; i < le->nhist; i++) {
		for (const char *s = le->hist[i]; *s; s++) {
			if (*s == '\n')
				sb_puts(&out, "\\n");
			else if (*s == '\\')
				sb_puts(&out, "\\\\");
			else
				sb_putc(&out, *s);
		}
		sb_putc(&out, '\n');
	}
	sb_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(sb_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	werr = fd < 0 || fchmod(fd, 0600) < 0 || fs_write_all(fd, sb_str(&out), out.len) < 0 ? errno : 0;
	if (fd >= 0 && close(fd) < 0 && !werr)
		werr = errno;
	if (werr) {
		snprintf(err, errlen, "%s: cannot write history: %s", sb_str(&tmp), strerror(werr));
		goto cleanup;
	}
	if (rename(sb_str(&tmp), path) < 0) {
		snprintf(err, errlen, "%s: cannot replace history: %s", path, strerror(errno));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc < 0 && tmp.len)
		unlink(sb_str(&tmp));
	sb_free(&out);
	sb_free(&tmp);
	return rc;
}

/* --- search --------------------------------------------------------------- */

/* The code point at s + *i lowercased (simple mapping), and *i past it.
 * The text is sanitized, so it decodes; a stray byte counts as itself. */
static uint32_t folded_at(const char *s, size_t len, size_t *i)
{
	uint32_t cp = (unsigned char)s[*i];
	size_t n = utf8_decode(s + *i, len - *i, &cp);
	*i += n ? n : 1;
	return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

/* Whether q[0..qlen) stands at s[at..len), ignoring case. */
static bool folded_match_at(const char *s, size_t len, size_t at, const char *q, size_t qlen)
{
	size_t i = at, j = 0;
	while (j < qlen)
		if (i >= len || folded_at(s, len, &i) != folded_at(q, qlen, &j))
			return false;
	return true;
}

/* The last occurrence of q[0..qlen) (not empty) in s, ignoring case:
 * true with *at its offset, or false. */
static bool find_folded(const char *s, const char *q, size_t qlen, size_t *at)
{
	size_t len = strlen(s);
	bool found = false;
	for (size_t i = 0; i < len;) {
		if (folded_match_at(s, len, i, q, qlen)) {
			*at = i;
			found = true;
		}
		folded_at(s, len, &i);
	}
	return found;
}

/* The start of the cluster holding byte at. */
static size_t cluster_floor(const struct lineedit *le, size_t at)
{
	size_t p = 0;
	for (size_t n; p < at && (n = next_pos(le, p)) <= at;)
		p = n;
	return p;
}

/* Entries below this one may show a match and the one shown still
 * may: the search after the query changed. */
static size_t from_shown(const struct lineedit *le)
{
	return le->search.idx < le->nhist ? le->search.idx + 1 : le->nhist;
}

/* Show the newest entry below index below that holds the query (not
 * empty), passing over entries the same as the one shown when skip_same;
 * without one the search has failed and the buffer stays. */
static void search_below(struct lineedit *le, size_t below, bool skip_same)
{
	struct search *s = &le->search;
	const char *shown = s->idx < le->nhist ? le->hist[s->idx] : NULL;
	size_t at;
	for (size_t i = below; i-- > 0;) {
		if (skip_same && shown && !strcmp(le->hist[i], shown))
			continue;
		if (find_folded(le->hist[i], s->query.buf, s->query.len, &at)) {
			s->idx = i;
			s->failed = false;
			set_raw(le, le->hist[i]);
			le->cursor = cluster_floor(le, at);
			return;
		}
	}
	s->failed = true;
}

void lineedit_search_start(struct lineedit *le)
{
	struct search *s = &le->search;
	if (s->active) {
		lineedit_search_older(le);
		return;
	}
	s->active = true;
	s->failed = false;
	sb_reset(&s->query);
	free(s->saved);
	s->saved = xstrdup(sb_str(&le->buf));
	s->saved_cursor = le->cursor;
	s->idx = le->nhist;
}

bool lineedit_search_active(const struct lineedit *le)
{
	return le->search.active;
}

void lineedit_search_insert(struct lineedit *le, const char *text, size_t len)
{
	normalize(text, len, &le->search.query);
	if (le->search.query.len)
		search_below(le, from_shown(le), false);
}

void lineedit_search_older(struct lineedit *le)
{
	struct search *s = &le->search;
	if (s->query.len == 0 && s->last_query) {
		sb_puts(&s->query, s->last_query);
		search_below(le, from_shown(le), false);
	} else if (s->query.len) {
		search_below(le, s->idx, true);
	}
}

bool lineedit_search_back(struct lineedit *le)
{
	struct search *s = &le->search;
	if (s->query.len == 0)
		return false;
	s->query.len = grapheme_prev(s->query.buf, s->query.len, s->query.len);
	s->query.buf[s->query.len] = '\0';
	s->failed = false;
	if (s->query.len) {
		search_below(le, le->nhist, false);
	} else {
		s->idx = le->nhist;
		set_raw(le, s->saved);
		le->cursor = s->saved_cursor;
	}
	return true;
}

/* Leave search mode, keeping its query for the next search's Ctrl-R. */
static void end_search(struct lineedit *le)
{
	struct search *s = &le->search;
	if (s->query.len) {
		free(s->last_query);
		s->last_query = xstrdup(sb_str(&s->query));
	}
	s->active = false;
	free(s->saved);
	s->saved = NULL;
}

void lineedit_search_accept(struct lineedit *le)
{
	struct search *s = &le->search;
	if (!s->active)
		return;
	if (s->idx < le->nhist) {
		if (le->hpos == le->nhist) {
			free(le->draft);
			le->draft = s->saved;
			s->saved = NULL;
		}
		le->hpos = s->idx;
	}
	end_search(le);
}

void lineedit_search_cancel(struct lineedit *le)
{
	if (!le->search.active)
		return;
	set_raw(le, le->search.saved);
	le->cursor = le->search.saved_cursor;
	end_search(le);
}

void lineedit_search_prompt(const struct lineedit *le, struct strbuf *out)
{
	const struct search *s = &le->search;
	if (s->active)
		sb_printf(out, "(%sreverse-i-search)'%s': ", s->failed ? "failed " : "",
		          sb_str(&s->query));
}

/* --- views ---------------------------------------------------------------- */

void lineedit_view_line(struct lineedit *le, unsigned width, struct lineedit_view *v)
{
	size_t len = le->buf.len;
	unsigned cw;

	if (width < 1)
		width = 1;
	if (le->hscroll > le->cursor)
		le->hscroll = le->cursor;
	unsigned before = cols_between(le, le->hscroll, le->cursor);
	while (le->hscroll < le->cursor && before > width - 1) {
		le->hscroll = cluster(le, le->hscroll, &cw);
		before -= cw;
	}
	unsigned tail = cols_between(le, le->hscroll, len) + (le->cursor == len);
	while (le->hscroll > 0) {
		size_t p = prev_pos(le, le->hscroll);
		unsigned c = cols_between(le, p, le->hscroll);
		if (tail + c > width)
			break;
		tail += c;
		le->hscroll = p;
	}
	size_t end = le->hscroll;
	unsigned col = 0;
	while (end < len) {
		size_t n = cluster(le, end, &cw);
		if (col + cw > width)
			break;
		col += cw;
		end = n;
	}
	v->off = le->hscroll;
	v->len = end - le->hscroll;
	v->cursor_col = cols_between(le, le->hscroll, le->cursor);
}

static void push_row(struct lineedit *le, size_t off, size_t len, unsigned cols)
{
	if (le->nrows == le->cap_rows) {
		le->cap_rows = le->cap_rows ? le->cap_rows * 2 : 8;
		le->rows = xreallocarray(le->rows, le->cap_rows, sizeof(*le->rows));
	}
	le->rows[le->nrows++] = (struct lineedit_row){ off, len, cols };
}

const struct lineedit_row *lineedit_view_rows(struct lineedit *le, unsigned width, size_t *n,
                                              size_t *cursor_row, unsigned *cursor_col)
{
	size_t c = le->cursor, start = 0;
	unsigned cw;

	if (width < 1)
		width = 1;
	le->nrows = 0;
	*cursor_row = 0;
	*cursor_col = 0;
	for (;;) {
		size_t end = line_end(le, start), row = start, i = start;
		unsigned col = 0;
		while (i < end) {
			struct grapheme g;
			size_t next = grapheme_next(le->buf.buf, end, i, &g);
			cw = g.cols;
			if (col + cw > width && col > 0) {
				push_row(le, row, i - row, col);
				row = i;
				col = 0;
			}
			if (c >= i && c < next) {
				*cursor_row = le->nrows;
				*cursor_col = col;
			}
			col += cw;
			i = next;
		}
		push_row(le, row, end - row, col);
		if (c == end) {
			if (col >= width)
				push_row(le, end, 0, 0);
			*cursor_row = le->nrows - 1;
			*cursor_col = col >= width ? 0 : col;
		}
		if (end >= le->buf.len)
			break;
		start = end + 1;
	}
	*n = le->nrows;
	return le->rows;
}
