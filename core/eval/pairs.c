/* pairs: the fine-tuning pair check and the chat-format writer. */
#include "core/eval/pairs.h"
#include "core/util/error.h"
#include "core/util/fs.h"
#include "core/util/hash.h"
#include "core/answer/prompt.h"
#include "core/util/tokens.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Separators of the input key: roles and contents are joined with bytes
 * that JSON text can hold but chat messages practically never do, so two
 * different message lists give two different keys. */
/* Between the input key and the output in what a pair's hash covers. */
#define KEY_OUTPUT '\x1d'

/* Bytes of an unknown role shown in its message. */
#define ROLE_SHOWN 40

/* One non-blank line. ok: well-formed with non-empty input and output;
 * only those enter the repeat and length checks. */
struct item {
	int line;
	bool ok;
	char *input;                  /* key: role and content of each message (key_add) */
	char *output;
	int tokens;
};

static const char *const kind_names[PAIRS_N_KINDS] = {
	[PAIRS_SCHEMA] = "schema",
	[PAIRS_EMPTY] = "empty",
	[PAIRS_DUPLICATE] = "duplicate",
	[PAIRS_CONTRADICTION] = "contradiction",
	[PAIRS_FORMAT] = "format",
	[PAIRS_OUTLIER] = "outlier",
};

/* Plural labels for the summary line. */
static const char *const kind_labels[PAIRS_N_KINDS][2] = {
	[PAIRS_SCHEMA] = { "schema error", "schema errors" },
	[PAIRS_EMPTY] = { "empty", "empty" },
	[PAIRS_DUPLICATE] = { "duplicate", "duplicates" },
	[PAIRS_CONTRADICTION] = { "contradiction", "contradictions" },
	[PAIRS_FORMAT] = { "format failure", "format failures" },
	[PAIRS_OUTLIER] = { "outlier", "outliers" },
};

const char *pairs_kind_name(enum pairs_kind k)
{
	return k < PAIRS_N_KINDS ? kind_names[k] : "?";
}

int pairs_format_parse(const char *arg, struct pairs_format *f, char *err, size_t errlen)
{
	char why[ERR_LEN];
	if (strcmp(arg, "json") == 0) {
		*f = (struct pairs_format){ PAIRS_CHECK_JSON, NULL };
		return 0;
	}
	if (strncmp(arg, "regex:", 6) != 0 || arg[6] == '\0') {
		snprintf(err, errlen, "unknown format check '%s': use json or regex:PATTERN", arg);
		return -1;
	}
	if (prompt_check_regex("", arg + 6, why, sizeof why) == -2) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	*f = (struct pairs_format){ PAIRS_CHECK_REGEX, arg + 6 };
	return 0;
}

__attribute__((format(printf, 5, 6)))
static void add_problem(struct pairs_report *r, enum pairs_kind kind, int line, int other_line,
                        const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->problems = xreallocarray(r->problems, r->n_problems + 1, sizeof *r->problems);
	r->problems[r->n_problems++] = (struct pairs_problem){ kind, line, other_line, xstrdup(buf) };
	r->counts[kind]++;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n\v\f")] == '\0';
}

/* Length of the run of spaces, tabs and CRs at s[0..n). */
static size_t space_run(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	return i;
}

/* An unknown role as its message shows it: the first ROLE_SHOWN bytes
 * (whole characters, invalid bytes replaced) as a JSON string with every
 * control escaped, so a newline or a terminal escape in the file keeps the
 * report one inert line per problem. Caller frees. */
static char *shown_role(const char *role)
{
	size_t len;
	char *text = utf8_repair(role, strlen(role), &len, NULL);
	text[utf8_floor_boundary(text, len, ROLE_SHOWN)] = '\0';
	cJSON *str = cJSON_CreateString(text);
	char *json = cJSON_PrintUnformatted(str);
	char *inert = utf8_json_escape_invisible(json);
	cJSON_free(json);
	cJSON_Delete(str);
	free(text);
	return inert;
}

/* Append a message to a pair's input key: its role and its content, each
 * as its length, ':' and its bytes, so no content (whatever bytes it
 * holds) reads as another field, and two pairs share a key only when
 * their messages are the same. */
static void key_add(struct strbuf *key, const char *role, const char *content)
{
	sb_printf(key, "%zu:%s%zu:", strlen(role), role, strlen(content));
	sb_puts(key, content);
}

/* The field of a key at p (key_add's form) into [*field, *field + *len);
 * returns the position after it. */
static const char *key_field(const char *p, const char **field, size_t *len)
{
	char *colon;
	*len = (size_t)strtoull(p, &colon, 10);
	*field = colon + 1;
	return *field + *len;
}

/* The chat format: every message an object with a known role and string
 * content, at least one from the assistant. */
static int parse_chat(const cJSON *msgs, struct strbuf *key, const char **output, bool *blank_in,
                      char *why, size_t whylen)
{
	const cJSON *m;
	int i = 0;
	if (!cJSON_IsArray(msgs)) {
		snprintf(why, whylen, "\"messages\" is not an array");
		return -1;
	}
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		if (!cJSON_IsObject(m) || !cJSON_IsString(role) || !cJSON_IsString(content)) {
			snprintf(why, whylen, "messages[%d] needs a string \"role\" and a string \"content\"", i);
			return -1;
		}
		if (strcmp(role->valuestring, "assistant") == 0) {
			*output = content->valuestring;
		} else if (strcmp(role->valuestring, "system") == 0 || strcmp(role->valuestring, "user") == 0) {
			key_add(key, role->valuestring, content->valuestring);
			*blank_in = *blank_in && is_blank(content->valuestring);
		} else {
			char *shown = shown_role(role->valuestring);
			snprintf(why, whylen, "messages[%d] has role %s (system, user or assistant)", i, shown);
			free(shown);
			return -1;
		}
		i++;
	}
	if (!*output) {
		snprintf(why, whylen, "no assistant message");
		return -1;
	}
	return 0;
}

/* One line into it; a schema or emptiness problem goes to r. */
static void parse_item(struct pairs_report *r, const char *line, size_t n, struct item *it)
{
	struct strbuf key = STRBUF_INIT;
	const char *end = NULL, *output = NULL;
	const cJSON *msgs, *prompt, *completion;
	bool blank_in = true;
	char why[ERR_LEN];
	cJSON *o = cJSON_ParseWithLengthOpts(line, n, &end, false);
	if (!o) {
		add_problem(r, PAIRS_SCHEMA, it->line, 0, "not JSON (near byte %td of the line)",
		            end ? end - line + 1 : 1);
		goto cleanup;
	}
	end += space_run(end, (size_t)(line + n - end));
	if (end < line + n) {
		add_problem(r, PAIRS_SCHEMA, it->line, 0, "extra text after the JSON value at byte %td",
		            end - line + 1);
		goto cleanup;
	}
	if (!cJSON_IsObject(o)) {
		add_problem(r, PAIRS_SCHEMA, it->line, 0, "not a JSON object");
		goto cleanup;
	}
	msgs = cJSON_GetObjectItemCaseSensitive(o, "messages");
	prompt = cJSON_GetObjectItemCaseSensitive(o, "prompt");
	completion = cJSON_GetObjectItemCaseSensitive(o, "completion");
	if (msgs) {
		if (parse_chat(msgs, &key, &output, &blank_in, why, sizeof why) != 0) {
			add_problem(r, PAIRS_SCHEMA, it->line, 0, "%s", why);
			goto cleanup;
		}
	} else if (cJSON_IsString(prompt) && cJSON_IsString(completion)) {
		key_add(&key, "user", prompt->valuestring);
		blank_in = is_blank(prompt->valuestring);
		output = completion->valuestring;
	} else {
		add_problem(r, PAIRS_SCHEMA, it->line, 0,
		            "expected {\"messages\": [...]} or string \"prompt\" and \"completion\"");
		goto cleanup;
	}
	if (blank_in || is_blank(output)) {
		add_problem(r, PAIRS_EMPTY, it->line, 0, "%s",
		            blank_in && is_blank(output) ? "input and output are empty"
		            : blank_in ? "input is empty" : "output is empty");
		goto cleanup;
	}
	it->input = sb_detach(&key, NULL);
	it->output = xstrdup(output);
	it->tokens = tokens_estimate_str(output);
	it->ok = true;
cleanup:
	sb_free(&key);
	cJSON_Delete(o);
}

/* The hash of a pair: its input key and output. */
static void pair_hash(const char *key, const char *output, char out[17])
{
	struct strbuf sb = STRBUF_INIT;
	sb_puts(&sb, key);
	sb_putc(&sb, KEY_OUTPUT);
	sb_puts(&sb, output);
	hash64_hex(sb.buf, sb.len, out);
	sb_free(&sb);
}

void pairs_chat_hash(const char *input, const char *output, char out[17])
{
	struct strbuf key = STRBUF_INIT;
	key_add(&key, "user", input);
	pair_hash(sb_str(&key), output, out);
	sb_free(&key);
}

/* An input key as the judge reads it: "role: content" per message, a
 * blank line between them; with only_user, the user messages' contents
 * alone. */
static char *key_text(const char *key, bool only_user)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = key; *p;) {
		const char *role, *content;
		size_t role_len, content_len;
		p = key_field(key_field(p, &role, &role_len), &content, &content_len);
		bool user = role_len == 4 && strncmp(role, "user", 4) == 0;
		if (!only_user || user) {
			if (sb.len)
				sb_puts(&sb, "\n\n");
			if (!only_user) {
				sb_append(&sb, role, role_len);
				sb_puts(&sb, ": ");
			}
			sb_append(&sb, content, content_len);
		}
	}
	return sb_detach(&sb, NULL);
}

/* The well-formed items into r->items, by line. */
static void keep_items(struct pairs_report *r, const struct item *items, size_t n)
{
	r->items = xreallocarray(NULL, n ? n : 1, sizeof *r->items);
	for (size_t i = 0; i < n; i++) {
		if (!items[i].ok)
			continue;
		struct pairs_item *p = &r->items[r->n_ok++];
		p->line = items[i].line;
		p->instruction = key_text(items[i].input, false);
		p->asked = key_text(items[i].input, true);
		p->output = xstrdup(items[i].output);
		pair_hash(items[i].input, items[i].output, p->hash);
	}
}

/* Returns -1 with err when the pattern does not compile. */
static int check_format(struct pairs_report *r, const struct item *it, const struct pairs_format *fmt,
                        char *err, size_t errlen)
{
	char why[ERR_LEN];
	int rc = 0;
	if (fmt->check == PAIRS_CHECK_JSON)
		rc = prompt_check_json(it->output, NULL, why, sizeof why);
	else if (fmt->check == PAIRS_CHECK_REGEX)
		rc = prompt_check_regex(it->output, fmt->pattern, why, sizeof why);
	if (rc == -2) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (rc != 0)
		add_problem(r, PAIRS_FORMAT, it->line, 0, "output fails the %s check: %s",
		            fmt->check == PAIRS_CHECK_JSON ? "json" : "regex", why);
	return 0;
}

/* Sort order of the repeat check: input, then output, then line. */
static int cmp_items(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
	int c = strcmp(x->input, y->input);
	if (!c)
		c = strcmp(x->output, y->output);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Duplicates name the first line with the same pair; the first line of
 * each other output of an input contradicts the input's first line. */
static void find_repeats(struct pairs_report *r, struct item **ok, size_t n)
{
	qsort(ok, n, sizeof *ok, cmp_items);
	for (size_t g = 0, end; g < n; g = end) {
		int first = ok[g]->line;
		for (end = g + 1; end < n && strcmp(ok[end]->input, ok[g]->input) == 0; end++)
			if (ok[end]->line < first)
				first = ok[end]->line;
		for (size_t i = g, orig = g; i < end; i++) {
			bool same = i > g && strcmp(ok[i]->output, ok[i - 1]->output) == 0;
			if (!same)
				orig = i;
			if (same)
				add_problem(r, PAIRS_DUPLICATE, ok[i]->line, ok[orig]->line,
				            "same input and output as line %d", ok[orig]->line);
			else if (ok[i]->line != first)
				add_problem(r, PAIRS_CONTRADICTION, ok[i]->line, first,
				            "same input as line %d, different output", first);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n), n > 0; sorts v. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void find_outliers(struct pairs_report *r, struct item **ok, size_t n)
{
	double *v;
	if (n < PAIRS_OUTLIER_MIN_ITEMS)
		return;
	v = xreallocarray(NULL, n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = ok[i]->tokens;
	r->median = median(v, n);
	for (size_t i = 0; i < n; i++)
		v[i] = fabs(ok[i]->tokens - r->median);
	r->mad = median(v, n);
	r->outliers_checked = true;
	double lo = r->median - 3.0 * r->mad, hi = r->median + 3.0 * r->mad;
	for (size_t i = 0; i < n; i++)
		if (ok[i]->tokens < lo || ok[i]->tokens > hi)
			add_problem(r, PAIRS_OUTLIER, ok[i]->line, 0,
			            "output of %d tokens is outside %.1f..%.1f (median %.1f, MAD %.1f)",
			            ok[i]->tokens, lo, hi, r->median, r->mad);
	free(v);
}

static int cmp_problems(const void *a, const void *b)
{
	const struct pairs_problem *x = a, *y = b;
	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->kind > y->kind) - (x->kind < y->kind);
}

int pairs_check_text(const char *name, const char *text, size_t len, const struct pairs_format *fmt,
                     struct pairs_report **out, char *err, size_t errlen)
{
	static const struct pairs_format no_check = { PAIRS_CHECK_NONE, NULL };
	struct pairs_report *r = xcalloc(1, sizeof *r);
	struct item *items = NULL, *it;
	struct item **ok = NULL;
	size_t n_items = 0, n_ok = 0, pos = 0;
	int line = 0, rc = -1;
	*out = NULL;
	r->source = xstrdup(name);
	if (!fmt)
		fmt = &no_check;
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		line++;
		pos += n + (nl ? 1 : 0);
		if (space_run(start, n) == n)
			continue;
		items = xreallocarray(items, n_items + 1, sizeof *items);
		it = &items[n_items++];
		*it = (struct item){ .line = line };
		parse_item(r, start, n, it);
		if (it->ok && check_format(r, it, fmt, err, errlen) != 0)
			goto cleanup;
	}
	r->n_items = n_items;
	keep_items(r, items, n_items);
	ok = xreallocarray(NULL, n_items ? n_items : 1, sizeof *ok);
	for (size_t i = 0; i < n_items; i++)
		if (items[i].ok)
			ok[n_ok++] = &items[i];
	find_outliers(r, ok, n_ok);
	find_repeats(r, ok, n_ok);
	if (r->n_problems)
		qsort(r->problems, r->n_problems, sizeof *r->problems, cmp_problems);
	*out = r;
	r = NULL;
	rc = 0;
cleanup:
	for (size_t i = 0; i < n_items; i++) {
		free(items[i].input);
		free(items[i].output);
	}
	free(items);
	free(ok);
	pairs_report_free(&r);
	return rc;
}

int pairs_check_file(const char *path, const struct pairs_format *fmt, struct pairs_report **out,
                     char *err, size_t errlen)
{
	char why[ERR_LEN];
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	if (fs_read_file(path, 0, &text, &len, why, sizeof why) != 0) {
		snprintf(err, errlen, "cannot read pairs file %s: %s", path, why);
		return -1;
	}
	int rc = pairs_check_text(path, text, len, fmt, out, err, errlen);
	free(text);
	return rc;
}

bool pairs_report_fit(const struct pairs_report *r)
{
	if (r->n_items == 0)
		return false;
	for (int k = 0; k < PAIRS_N_KINDS; k++)
		if (k != PAIRS_OUTLIER && r->counts[k])
			return false;
	return true;
}

void pairs_report_print(FILE *f, const struct pairs_report *r)
{
	for (size_t i = 0; i < r->n_problems; i++) {
		const struct pairs_problem *p = &r->problems[i];
		fprintf(f, "%s:%d: %s%s: %s\n", r->source, p->line, pairs_kind_name(p->kind),
		        p->kind == PAIRS_OUTLIER ? " (warning)" : "", p->detail);
	}
	fprintf(f, "%s: %zu item%s", r->source, r->n_items, r->n_items == 1 ? "" : "s");
	for (int k = 0; k < PAIRS_N_KINDS; k++)
		fprintf(f, ", %zu %s", r->counts[k], kind_labels[k][r->counts[k] != 1]);
	if (!r->outliers_checked)
		fprintf(f, " (not checked: fewer than %d good items)", PAIRS_OUTLIER_MIN_ITEMS);
	fprintf(f, ": %s\n", pairs_report_fit(r) ? "fit" : r->n_items ? "unfit" : "unfit (no pairs)");
}

void pairs_report_free(struct pairs_report **r)
{
	if (!*r)
		return;
	for (size_t i = 0; i < (*r)->n_problems; i++)
		free((*r)->problems[i].detail);
	for (size_t i = 0; i < (*r)->n_ok; i++) {
		free((*r)->items[i].instruction);
		free((*r)->items[i].asked);
		free((*r)->items[i].output);
	}
	free((*r)->items);
	free((*r)->problems);
	free((*r)->source);
	free(*r);
	*r = NULL;
}

cJSON *pairs_chat_json(const char *input, const char *output)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
	cJSON *u = cJSON_CreateObject(), *a = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "role", "user");
	cJSON_AddStringToObject(u, "content", input);
	cJSON_AddStringToObject(a, "role", "assistant");
	cJSON_AddStringToObject(a, "content", output);
	cJSON_AddItemToArray(msgs, u);
	cJSON_AddItemToArray(msgs, a);
	return o;
}
