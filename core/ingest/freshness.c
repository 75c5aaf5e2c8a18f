#include "core/ingest/freshness.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words that, opening a banner or ending a title, say a document is not current. */
static const char *const stale_words[] = {
	"archived", "superseded", "deprecated", "obsolete", "outdated", "retired", "legacy",
};

/* Folder names that hold documents kept for the record. */
static const char *const stale_dirs[] = {
	"archive", "archived", "archives", "old", "deprecated", "obsolete", "legacy", "attic", "superseded",
};

/* Lead-ins a banner may open with before its word. */
static const char *const lead_ins[] = { "note", "warning", "notice", "important", "caution", "attention" };

/* Words after which a document names its successor. */
static const char *const successor_cues[] = { "supersed", "replaced", "successor", "instead" };

static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BANNER_CUT 80

struct span {
	const char *s;
	size_t n;
};

const char *doc_status_name(enum doc_status s)
{
	static const char *const names[] = {
		[DOC_CURRENT] = "current", [DOC_ARCHIVED] = "archived", [DOC_SUPERSEDED] = "superseded",
	};
	return names[s];
}

int doc_status_parse(const char *s)
{
	for (int i = DOC_CURRENT; i <= DOC_SUPERSEDED; i++)
		if (strcmp(s, doc_status_name((enum doc_status)i)) == 0)
			return i;
	return -1;
}

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
			return true;
	return false;
}

static size_t letters(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && isalpha((unsigned char)s[i]))
		i++;
	return i;
}

static bool contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* Offset past quote and emphasis marks, list bullets, an admonition
 * ("Note:", "**Warning.**") and spaces at the start of a line. */
static size_t skip_markup(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		while (i < n && strchr(" \t>*_![(`", s[i]))
			i++;
		size_t w = letters(s + i, n - i);
		size_t j = i + w;
		while (j < n && (s[j] == '*' || s[j] == '_'))
			j++;
		if (w && j < n && (s[j] == ':' || s[j] == '.') && in_list(lead_ins, N(lead_ins), s + i, w)) {
			i = j + 1;
			continue;
		}
		return i;
	}
}

/* True when s[i..n) after spaces and closing emphasis is the end or a
 * punctuation mark (ASCII, or an en or em dash). */
static bool punct_follows(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '*' || s[i] == '_' || s[i] == ']' || s[i] == ')'))
		i++;
	if (i == n)
		return true;
	if (strchr(":.,;!-(", s[i]))
		return true;
	return i + 2 < n && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
	       ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94);
}

/* "> **Archived — superseded.** ...": a stale word opening the line, as a
 * notice: followed by punctuation, or leading a quoted or emphasised
 * lead-in ("> **Superseded default.** 4.3 lowered ..."). Plain prose that
 * starts with the word ("Deprecated options are listed below") is not. */
static bool opens_with_stale_word(struct span l)
{
	size_t i = skip_markup(l.s, l.n);
	size_t w = letters(l.s + i, l.n - i);
	if (!w || !in_list(stale_words, N(stale_words), l.s + i, w))
		return false;
	bool notice = l.s[0] == '>' || (i >= 2 && (memcmp(l.s + i - 2, "**", 2) == 0 || memcmp(l.s + i - 2, "__", 2) == 0));
	return notice || punct_follows(l.s, i + w, l.n);
}

/* The line's words, lower-cased, at most max of them, into buf. */
static size_t line_words(struct span l, char words[][16], size_t max)
{
	size_t k = 0, i = 0;
	while (i < l.n && k < max) {
		while (i < l.n && !isalpha((unsigned char)l.s[i]))
			i++;
		size_t w = letters(l.s + i, l.n - i);
		if (!w)
			break;
		size_t c = w < 15 ? w : 15;
		for (size_t j = 0; j < c; j++)
			words[k][j] = (char)tolower((unsigned char)l.s[i + j]);
		words[k][c] = '\0';
		k++;
		i += w;
	}
	return k;
}

/* What a banner calls the document itself ("this page", "this price list"). */
static const char *const doc_nouns[] = {
	"page", "article", "document", "doc", "policy", "guide", "version", "list", "sla", "manual",
	"post", "faq", "notes", "agreement", "procedure", "runbook", "tutorial", "information", "content",
	"site", "documentation", "chapter", "handbook", "reference", "specification", "spec", "edition",
};

/* "This page has been archived", "this policy is no longer in effect":
 * "this", up to three words one of which names a document, is / was / has
 * been, optionally "now", then a stale word or "no longer". A feature that
 * "is deprecated" says nothing about the page. */
static bool says_it_is_stale(struct span l)
{
	char w[64][16];
	size_t n = line_words(l, w, 64);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(w[i], "this") != 0)
			continue;
		bool noun = false;
		for (size_t j = i + 1; j <= i + 4 && j < n; j++) {
			if (in_list(doc_nouns, N(doc_nouns), w[j], strlen(w[j])))
				noun = true;
			if (!noun)
				continue;
			size_t k = j;
			if (strcmp(w[k], "has") == 0 && k + 1 < n && strcmp(w[k + 1], "been") == 0)
				k++;
			else if (strcmp(w[k], "is") != 0 && strcmp(w[k], "was") != 0)
				continue;
			k++;
			if (k < n && strcmp(w[k], "now") == 0)
				k++;
			if (k < n && in_list(stale_words, N(stale_words), w[k], strlen(w[k])))
				return true;
			if (k + 1 < n && strcmp(w[k], "no") == 0 && strcmp(w[k + 1], "longer") == 0)
				return true;
		}
	}
	return false;
}

/* ---- dates ----------------------------------------------------------- */

static bool digits(const char *s, size_t n, size_t k)
{
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int month_of(const char *s, size_t n)
{
	size_t w = letters(s, n);
	for (size_t m = 0; m < N(months); m++)
		if ((w == strlen(months[m]) || (w == 3 && m != 4)) && w >= 3 && strncasecmp(months[m], s, w) == 0)
			return (int)m + 1;
	return 0;
}

/* A date at s: 2026-03-01, "March 1, 2026", "1 March 2026". Writes
 * YYYY-MM-DD into out; returns false when there is none. */
static bool parse_date(const char *s, size_t n, char out[11])
{
	int y = 0, m = 0, d = 0;
	if (digits(s, n, 4) && n >= 10 && s[4] == '-' && digits(s + 5, n - 5, 2) && s[7] == '-' &&
	    digits(s + 8, n - 8, 2)) {
		y = atoi(s);
		m = atoi(s + 5);
		d = atoi(s + 8);
	} else if ((m = month_of(s, n)) != 0) {
		size_t i = letters(s, n);
		while (i < n && (s[i] == ' ' || s[i] == '.'))
			i++;
		d = atoi(s + i);
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		while (i < n && (s[i] == ',' || s[i] == ' '))
			i++;
		y = digits(s + i, n - i, 4) ? atoi(s + i) : 0;
	} else if (n && isdigit((unsigned char)s[0])) {
		size_t i = 0;
		d = atoi(s);
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		while (i < n && s[i] == ' ')
			i++;
		m = month_of(s + i, n - i);
		i += letters(s + i, n - i);
		while (i < n && s[i] == ' ')
			i++;
		y = digits(s + i, n - i, 4) ? atoi(s + i) : 0;
	}
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return true;
}

enum date_kind { DATE_EFFECTIVE, DATE_REVIEWED, DATE_RELEASED, DATE_ARCHIVED };

static const struct {
	const char *label;
	enum date_kind kind;
} date_labels[] = {
	{ "effective date", DATE_EFFECTIVE }, { "effective", DATE_EFFECTIVE }, { "valid from", DATE_EFFECTIVE },
	{ "last reviewed", DATE_REVIEWED }, { "reviewed", DATE_REVIEWED }, { "last updated", DATE_REVIEWED },
	{ "updated", DATE_REVIEWED }, { "release date", DATE_RELEASED }, { "released", DATE_RELEASED },
	{ "published", DATE_RELEASED }, { "archived", DATE_ARCHIVED }, { "deprecated", DATE_ARCHIVED },
	{ "retired", DATE_ARCHIVED },
};

struct found {
	struct doc_freshness *out;
	bool archived_field;
};

static void set_date(struct found *f, enum date_kind kind, const char *date)
{
	char *slot = kind == DATE_EFFECTIVE ? f->out->effective
	             : kind == DATE_REVIEWED ? f->out->reviewed
	             : kind == DATE_RELEASED ? f->out->released : NULL;
	if (!slot) {
		f->archived_field = true;
		return;
	}
	if (!slot[0])
		memcpy(slot, date, 11);
}

/* "Label: DATE" fields anywhere on the line ("*Effective: 2024-01-15.
 * Archived: 2026-03-01.*"). */
static void scan_dates(struct span l, struct found *f)
{
	for (size_t i = 0; i < l.n; i++) {
		if (i > 0 && isalpha((unsigned char)l.s[i - 1]))
			continue;
		for (size_t k = 0; k < N(date_labels); k++) {
			size_t len = strlen(date_labels[k].label);
			if (i + len >= l.n || strncasecmp(l.s + i, date_labels[k].label, len) != 0)
				continue;
			size_t j = i + len;
			while (j < l.n && (l.s[j] == '*' || l.s[j] == '_'))
				j++;
			if (j >= l.n || l.s[j] != ':')
				continue;
			j++;
			while (j < l.n && (l.s[j] == ' ' || l.s[j] == '*' || l.s[j] == '_'))
				j++;
			char date[11];
			if (parse_date(l.s + j, l.n - j, date))
				set_date(f, date_labels[k].kind, date);
			break;
		}
	}
}

/* ---- successor ------------------------------------------------------- */

/* Join dir and a relative target, resolving "." and ".." by text (the
 * file may not exist). Caller frees. */
static char *resolve(const char *dir, const char *target, size_t tn)
{
	struct strbuf sb = STRBUF_INIT;
	if (target[0] != '/' && dir[0])
		sb_printf(&sb, "%s/", dir);
	sb_append(&sb, target, tn);
	char *in = sb_detach(&sb, NULL);
	char *out = xcalloc(strlen(in) + 2, 1);
	size_t o = 0;
	bool absolute = in[0] == '/';
	for (char *save = NULL, *part = strtok_r(in, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o > 0 || absolute)
			out[o++] = '/';
		size_t pn = strlen(part);
		memcpy(out + o, part, pn);
		o += pn;
	}
	out[o] = '\0';
	free(in);
	return out;
}

/* The first relative Markdown link target on the line: "[text](../x.md)". */
static bool first_link(struct span l, struct span *target)
{
	for (size_t i = 0; i + 1 < l.n; i++) {
		if (l.s[i] != ']' || l.s[i + 1] != '(')
			continue;
		size_t a = i + 2, b = a;
		while (b < l.n && l.s[b] != ')' && l.s[b] != ' ' && l.s[b] != '#')
			b++;
		if (b == a || contains_ci(l.s + a, b - a, "://") || strncasecmp(l.s + a, "mailto:", 7) == 0)
			continue;
		*target = (struct span){ l.s + a, b - a };
		return true;
	}
	return false;
}

static void set_successor(struct doc_freshness *out, const char *path, const char *target, size_t tn)
{
	if (out->superseded_by || tn == 0)
		return;
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	out->superseded_by = resolve(dir, target, tn);
	free(dir);
}

/* ---- evidence -------------------------------------------------------- */

/* Record the first evidence that the document is not current; later
 * evidence that names a successor turns archived into superseded. */
static void mark(struct doc_freshness *out, enum doc_status st, const char *what, const char *s, size_t n)
{
	if (out->status != DOC_CURRENT) {
		if (st == DOC_SUPERSEDED)
			out->status = st;
		return;
	}
	out->status = st;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '*'))
		n--;
	if (n > BANNER_CUT) {
		n = BANNER_CUT;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(out->reason, sizeof out->reason, "%s%.*s", what, (int)n, s);
}

static bool next_line(const char **p, const char *end, struct span *l)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *e = nl ? nl : end;
	*l = (struct span){ *p, (size_t)(e - *p) };
	while (l->n && (l->s[l->n - 1] == '\r' || l->s[l->n - 1] == ' '))
		l->n--;
	*p = nl ? nl + 1 : end;
	return true;
}

static bool is_delimiter(struct span l)
{
	return (l.n == 3 && (memcmp(l.s, "---", 3) == 0 || memcmp(l.s, "...", 3) == 0));
}

static struct span value_of(struct span l, size_t colon)
{
	size_t a = colon + 1, b = l.n;
	while (a < b && (l.s[a] == ' ' || l.s[a] == '"' || l.s[a] == '\''))
		a++;
	while (b > a && (l.s[b - 1] == ' ' || l.s[b - 1] == '"' || l.s[b - 1] == '\''))
		b--;
	return (struct span){ l.s + a, b - a };
}

static bool value_is(struct span v, const char *const *list, size_t n)
{
	return in_list(list, n, v.s, v.n);
}

/* One "key: value" line of front matter. Returns true when it settled the
 * status as current. */
static bool front_matter_line(const char *path, struct span l, struct found *f)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const current[] = { "current", "active", "published", "live" };
	static const char *const stale[] = { "archived", "superseded", "deprecated", "obsolete", "retired",
		                             "outdated", "legacy" };
	static const char *const successor_keys[] = { "superseded_by", "superseded-by", "replaced_by",
		                                      "replaced-by", "successor" };
	const char *colon = memchr(l.s, ':', l.n);
	if (!colon || l.s[0] == ' ' || l.s[0] == '#')
		return false;
	size_t kn = (size_t)(colon - l.s);
	struct span v = value_of(l, kn);
	char date[11];
	if (kn == 6 && strncasecmp(l.s, "status", 6) == 0) {
		if (value_is(v, current, N(current)))
			return true;
		if (value_is(v, stale, N(stale)))
			mark(f->out, strncasecmp(v.s, "superseded", 10) == 0 ? DOC_SUPERSEDED : DOC_ARCHIVED,
			     "front matter: status: ", v.s, v.n);
	} else if (in_list(successor_keys, N(successor_keys), l.s, kn) && v.n) {
		set_successor(f->out, path, v.s, v.n);
		mark(f->out, DOC_SUPERSEDED, "front matter: superseded by ", v.s, v.n);
	} else if ((kn == 8 && strncasecmp(l.s, "archived", 8) == 0) ||
	           (kn == 10 && strncasecmp(l.s, "deprecated", 10) == 0)) {
		if (value_is(v, yes, N(yes)) || parse_date(v.s, v.n, date))
			mark(f->out, DOC_ARCHIVED, "front matter: ", l.s, l.n);
	} else {
		for (size_t k = 0; k < N(date_labels); k++) {
			const char *lab = date_labels[k].label;
			size_t ln = strlen(lab);
			bool same = ln == kn;
			for (size_t j = 0; same && j < kn; j++)
				same = tolower((unsigned char)l.s[j]) == (lab[j] == ' ' ? '_' : lab[j]);
			if (same && date_labels[k].kind != DATE_ARCHIVED && parse_date(v.s, v.n, date))
				set_date(f, date_labels[k].kind, date);
		}
	}
	return false;
}

/* Front matter at the start of text: returns where the body begins and
 * sets *current when it declared the document current. */
static const char *front_matter(const char *path, const char *text, const char *end, struct found *f,
                                bool *current)
{
	const char *p = text;
	struct span l;
	*current = false;
	if (!next_line(&p, end, &l) || !(l.n == 3 && memcmp(l.s, "---", 3) == 0))
		return text;
	while (next_line(&p, end, &l)) {
		if (is_delimiter(l))
			return p;
		*current |= front_matter_line(path, l, f);
	}
	return text; /* never closed: not front matter */
}

static bool path_is_stale(const char *rel, struct doc_freshness *out)
{
	const char *p = rel;
	for (const char *slash; rel && (slash = strchr(p, '/')); p = slash + 1) {
		if (in_list(stale_dirs, N(stale_dirs), p, (size_t)(slash - p))) {
			snprintf(out->reason, sizeof out->reason, "path: %.*s/", (int)(slash - p), p);
			out->status = DOC_ARCHIVED;
			return true;
		}
	}
	return false;
}

/* "# Installing the agent (3.x) — Legacy", "# Pricing (Archived)". */
static bool title_is_stale(struct span l)
{
	size_t n = l.n;
	while (n && (l.s[n - 1] == ')' || l.s[n - 1] == ']' || l.s[n - 1] == ' ' || l.s[n - 1] == '*'))
		n--;
	size_t w = 0;
	while (w < n && isalpha((unsigned char)l.s[n - 1 - w]))
		w++;
	if (!w || !in_list(stale_words, N(stale_words), l.s + n - w, w))
		return false;
	size_t i = n - w;
	while (i && l.s[i - 1] == ' ')
		i--;
	if (!i)
		return false;
	unsigned char c = (unsigned char)l.s[i - 1];
	return c == '(' || c == '[' || c == '-' || c == ':' || c == 0x94 || c == 0x93;
}

void freshness_detect(const char *path, const char *rel, const char *text, size_t len,
                      struct doc_freshness *out)
{
	const char *end = text + len;
	struct found f = { .out = out };
	bool declared_current;
	struct span l;
	memset(out, 0, sizeof *out);
	const char *p = front_matter(path, text, end, &f, &declared_current);
	if (!declared_current && out->status == DOC_CURRENT)
		path_is_stale(rel, out);
	for (int seen = 0; seen < FRESHNESS_SCAN_LINES && next_line(&p, end, &l);) {
		if (l.n == 0)
			continue;
		seen++;
		scan_dates(l, &f);
		/* Headings are sections ("## Deprecated" in release notes), not
		 * banners; only the title says something of the page. */
		bool heading = l.s[0] == '#';
		bool banner = !heading && (opens_with_stale_word(l) || says_it_is_stale(l));
		if (declared_current)
			continue;
		if (banner || (heading && seen == 1 && title_is_stale(l))) {
			size_t at = skip_markup(l.s, l.n);
			bool names_successor = false;
			for (size_t k = 0; k < N(successor_cues); k++)
				names_successor |= contains_ci(l.s, l.n, successor_cues[k]);
			mark(out, names_successor ? DOC_SUPERSEDED : DOC_ARCHIVED, heading ? "title: " : "banner: ",
			     l.s + at, l.n - at);
			struct span target;
			if (names_successor && first_link(l, &target))
				set_successor(out, path, target.s, target.n);
		}
	}
	if (!declared_current && f.archived_field && out->status == DOC_CURRENT)
		mark(out, DOC_ARCHIVED, "field: archived", "", 0);
}

void freshness_free(struct doc_freshness *f)
{
	free(f->superseded_by);
	f->superseded_by = NULL;
}
