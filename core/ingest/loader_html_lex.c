/* HTML lexing for the HTML loader: tag names and attributes, end-tag
 * search and <title> text. */
#include "core/ingest/loader_int.h"
#include "core/util/utf8.h"

#include <stdlib.h>
#include <string.h>

struct tag_info {
	const char *name;
	enum html_tag_kind kind;
};

/* Sorted by name for bsearch. */
static const struct tag_info tag_infos[] = {
	{ "address", HTML_PARA }, { "article", HTML_PARA }, { "aside", HTML_PARA },
	{ "base", HTML_HEAD_CONTENT }, { "blockquote", HTML_PARA }, { "br", HTML_BR },
	{ "caption", HTML_LINE }, { "dd", HTML_LINE }, { "details", HTML_PARA },
	{ "div", HTML_LINE }, { "dl", HTML_PARA }, { "dt", HTML_LINE }, { "fieldset", HTML_PARA },
	{ "figcaption", HTML_LINE }, { "figure", HTML_PARA }, { "footer", HTML_PARA },
	{ "form", HTML_PARA }, { "h1", HTML_HEADING }, { "h2", HTML_HEADING },
	{ "h3", HTML_HEADING }, { "h4", HTML_HEADING }, { "h5", HTML_HEADING },
	{ "h6", HTML_HEADING }, { "head", HTML_HEAD }, { "header", HTML_PARA },
	{ "hr", HTML_PARA }, { "iframe", HTML_RAW }, { "li", HTML_ITEM },
	{ "link", HTML_HEAD_CONTENT }, { "main", HTML_PARA }, { "math", HTML_HIDDEN },
	{ "meta", HTML_HEAD_CONTENT }, { "nav", HTML_PARA }, { "noembed", HTML_RAW },
	{ "noframes", HTML_RAW }, { "noscript", HTML_HIDDEN }, { "ol", HTML_LIST },
	{ "p", HTML_PARA }, { "pre", HTML_PRE }, { "script", HTML_RAW },
	{ "section", HTML_PARA }, { "style", HTML_RAW }, { "summary", HTML_LINE },
	{ "svg", HTML_HIDDEN }, { "table", HTML_TABLE }, { "td", HTML_CELL },
	{ "template", HTML_HIDDEN }, { "textarea", HTML_RAW }, { "th", HTML_CELL },
	{ "title", HTML_TITLE }, { "tr", HTML_ROW }, { "ul", HTML_LIST }, { "xmp", HTML_RAW },
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int tag_info_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag_info *)elem)->name);
}

size_t loader_html_find_end_tag(const char *s, size_t from, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = s + from;
	while ((p = memchr(p, '<', len - (size_t)(p - s))) != NULL) {
		size_t at = (size_t)(p - s);
		size_t k = 0;
		if (at + 2 + n <= len && p[1] == '/') {
			while (k < n && lower(p[2 + k]) == name[k])
				k++;
		}
		if (k == n && (at + 2 + n == len || is_space(p[2 + n]) || p[2 + n] == '/' ||
		               p[2 + n] == '>'))
			return at;
		p++;
	}
	return len;
}

size_t loader_html_scan_tag(const char *s, size_t len, size_t i, const size_t quote_end[2],
                            struct html_tag *t)
{
	size_t n = 0;

	while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>') {
		if (n < HTML_TAG_NAME_MAX)
			t->name[n] = lower(s[i]);
		n++;
		i++;
	}
	t->name[n <= HTML_TAG_NAME_MAX ? n : 0] = '\0';
	const struct tag_info *info = bsearch(t->name, tag_infos,
	                                      sizeof tag_infos / sizeof tag_infos[0],
	                                      sizeof tag_infos[0], tag_info_cmp);
	t->kind = info ? info->kind : HTML_INLINE;
	t->self_closing = false;
	while (i < len && s[i] != '>') {
		if (s[i] != '=') {
			if (!is_space(s[i]))
				t->self_closing = s[i] == '/';
			i++;
			continue;
		}
		i++;
		while (i < len && is_space(s[i]))
			i++;
		/* Only a quote with a partner later on opens a quoted value. */
		if (i < len && (s[i] == '"' || s[i] == '\'') && i + 1 < quote_end[s[i] == '\''])
			i = (size_t)((const char *)memchr(s + i + 1, s[i], len - i - 1) - s) + 1;
	}
	return i < len ? i + 1 : len;
}

char *loader_html_title_text(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	bool space = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp = (unsigned char)s[i];
		size_t n = s[i] == '&' ? loader_html_entity(s + i, len - i, &cp) : 0;
		char buf[4];
		if (n == 0 && cp >= 0x80) {
			size_t k = i + 1;
			while (k < len && (unsigned char)s[k] >= 0x80)
				k++;
			sb_append(&sb, s + i, k - i);
			i = k;
			space = false;
			continue;
		}
		i += n ? n : 1;
		if (cp < 0x80 && is_space((char)cp)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_putc(&sb, ' ');
		space = false;
		sb_append(&sb, buf, utf8_encode(cp, buf));
	}
	char *title = loader_make_title(sb_str(&sb), sb.len);
	sb_free(&sb);
	return title;
}
