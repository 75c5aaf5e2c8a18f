/* Markdown titles: YAML front matter or the first level-one ATX heading. */
#include "core/ingest/loader_int.h"

#include <stdbool.h>
#include <string.h>

struct line_reader {
	const char *s;
	size_t len, pos;
};

static bool next_line(struct line_reader *r, const char **line, size_t *n)
{
	if (r->pos >= r->len)
		return false;
	const char *start = r->s + r->pos;
	const char *nl = memchr(start, '\n', r->len - r->pos);
	*n = nl ? (size_t)(nl - start) : r->len - r->pos;
	*line = start;
	r->pos += *n + 1;
	return true;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* True when line is exactly mark ("---" or "...") plus trailing blanks. */
static bool is_delimiter(const char *line, size_t n, const char *mark)
{
	return trim_end(line, n) == 3 && memcmp(line, mark, 3) == 0;
}

/* A YAML scalar as a title: trimmed and without its surrounding quotes. */
static char *scalar_title(const char *v, size_t n)
{
	while (n > 0 && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		n--;
	}
	n = trim_end(v, n);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	return loader_make_title(v, n);
}

/* The top-level "title:" of front matter that opens with a "---" line and
 * closes with "---" or "..."; NULL when there is no such block or key. */
static char *front_matter_title(const char *s, size_t len)
{
	struct line_reader r = { s, len, 0 };
	const char *line, *value = NULL;
	size_t n, value_len = 0;

	if (!next_line(&r, &line, &n) || !is_delimiter(line, n, "---"))
		return NULL;
	while (next_line(&r, &line, &n)) {
		if (is_delimiter(line, n, "---") || is_delimiter(line, n, "..."))
			return value ? scalar_title(value, value_len) : NULL;
		if (!value && n >= 6 && memcmp(line, "title:", 6) == 0) {
			value = line + 6;
			value_len = n - 6;
		}
	}
	return NULL;
}

static size_t run_of(const char *s, size_t n, char c)
{
	size_t i = 0;
	while (i < n && s[i] == c)
		i++;
	return i;
}

/* Text of a "# " heading line (after its indent), without a closing run of
 * '#'; NULL when empty. */
static char *heading_title(const char *h, size_t n)
{
	n = trim_end(h, n);
	size_t k = n;
	while (k > 0 && h[k - 1] == '#')
		k--;
	if (k == 0 || h[k - 1] == ' ' || h[k - 1] == '\t')
		n = k;
	return loader_make_title(h, n);
}

/* The first "# " heading that is not inside a ``` or ~~~ fenced block. */
static char *first_heading(const char *s, size_t len)
{
	struct line_reader r = { s, len, 0 };
	const char *line;
	size_t n, fence_len = 0;
	char fence = 0;

	while (next_line(&r, &line, &n)) {
		size_t i = run_of(line, n < 4 ? n : 4, ' ');
		if (i == 4)
			continue;
		const char *t = line + i;
		size_t tn = n - i;
		size_t run = tn > 0 && (t[0] == '`' || t[0] == '~') ? run_of(t, tn, t[0]) : 0;
		if (fence) {
			if (run >= fence_len && t[0] == fence && trim_end(t, tn) == run)
				fence = 0;
			continue;
		}
		if (run >= 3) {
			fence = t[0];
			fence_len = run;
			continue;
		}
		if (tn >= 2 && t[0] == '#' && (t[1] == ' ' || t[1] == '\t')) {
			char *title = heading_title(t + 2, tn - 2);
			if (title)
				return title;
		}
	}
	return NULL;
}

char *loader_markdown_title(const char *s, size_t len)
{
	char *title = front_matter_title(s, len);
	return title ? title : first_heading(s, len);
}
