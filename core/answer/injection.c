#include "core/answer/injection.h"
#include "core/util/log.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define W "[[:space:]]+"
/* Group 1 of a pattern that starts with LEAD is the character before the
 * first word (or nothing at a line start); the reported offset skips it. */
#define LEAD "(^|[^[:alnum:]_])"
#define END "([^[:alnum:]_]|$)"
#define APOS "('|\xE2\x80\x99)"

/* How to trim a match to the phrase: skip group 1 (LEAD) at the start,
 * drop the character END consumed at the end. */
enum { TRIM_NONE = 0, TRIM_LEAD = 1, TRIM_END = 2, TRIM_BOTH = 3 };

struct pattern {
	const char *id;
	const char *re;
	int trim;
};

/* Each entry names the pattern the way a reviewer reads it in the record.
 * The word lists inside are closed on purpose: "ignore the previous step"
 * and "override the system-wide config" are documentation, "ignore all
 * previous instructions" is not. */
static const struct pattern patterns[] = {
	{ "ignore-instructions",
	  LEAD "ignore(" W "(all|any|the|your|my|of|these|those))*" W
	  "(previous|prior|above|earlier|preceding|foregoing|former|original|system|developer|your|all|any)"
	  "(" W "(the|system|developer|above|previous|prior|earlier|original))?" W
	  "(instructions?|directions|directives|rules|guidelines|prompts?|context|commands)" END,
	  TRIM_BOTH },
	{ "ignore-instructions",
	  LEAD "ignore" W "(everything|anything|all)(" W "(that|you))?(" W "(were|was|have been|been))?"
	  "(" W "(told|said|written|given))?" W "(above|before|so far|until now|previously)" END,
	  TRIM_BOTH },
	{ "disregard-instructions",
	  LEAD "(disregard|forget)(" W
	  "(all|any|the|your|my|of|these|those|previous|prior|above|earlier|preceding|original|system|"
	  "developer|safety|content|everything|what|you|were|told|about))*" W
	  "(instructions?|directions|directives|rules|guidelines|system" W "prompt|prompts?|policies|"
	  "restrictions|programming|training)" END,
	  TRIM_BOTH },
	{ "disregard-instructions",
	  LEAD "(disregard|forget)" W "(everything|all)(" W "you" W "(were|have been)" W "told)?" W
	  "(above|before|so far)" END,
	  TRIM_BOTH },
	{ "disregard-instructions",
	  LEAD "(override|bypass)(" W "(all|any|of|the))*" W "(your|safety|content)(" W
	  "(safety|content|system|own|built-in))*" W
	  "(instructions?|rules|guidelines|system" W "prompt|prompts?|policies|restrictions|filters|"
	  "programming|guardrails)" END,
	  TRIM_BOTH },
	{ "role-change",
	  LEAD "(you(" APOS "re|" W "are)" W "now|from" W "now" W "on,?" W "you" W "(are|will" W "be|shall"
	  W "be))(" W "(a|an|the|my))?(" W
	  "(different|new|unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|free))*" W
	  "(ai|assistant|model|chatbot|bot|language" W "model|llm|persona|character|dan)" END,
	  TRIM_BOTH },
	{ "role-change",
	  LEAD "you(" APOS "re|" W "are)" W "now" W "(no" W "longer" W
	  "(bound|restricted|limited|constrained)|unrestricted|unfiltered|uncensored|jailbroken|in" W
	  "(developer|god|jailbreak|dan|unrestricted)" W "mode)" END,
	  TRIM_BOTH },
	{ "act-as",
	  "(^|[.!?:;][[:space:]]*|[^[:alnum:]_](please|you" W "must|you" W "will|you" W "should|you" W
	  "are" W "to|now)" W ")act" W "as(" W "if" W "you(" APOS "re|" W "are|" W "were))?(" W
	  "(a|an|the|my))?(" W "(different|new|unrestricted|unfiltered|uncensored|jailbroken|evil|rogue))*"
	  W "(ai|assistant|model|chatbot|bot|dan|linux" W "terminal|terminal|hacker|character|persona|"
	  "root|superuser)" END,
	  TRIM_BOTH },
	{ "act-as",
	  LEAD "(pretend(" W "that)?" W "(you(" APOS "re|" W "are)|to" W "be)|role-?play(ing)?" W "as)" END,
	  TRIM_BOTH },
	{ "role-tag",
	  "<\\|(im_start|im_end|system|assistant|user|endoftext|begin_of_text|start_header_id|"
	  "end_header_id|eot_id)\\|>",
	  TRIM_NONE },
	{ "role-tag", "\\[/?INST\\]|<</?SYS>>|</?(system|assistant|instructions?|system_prompt)>",
	  TRIM_NONE },
	{ "role-tag", "^[[:space:]]*#{2,}[[:space:]]*(instruction|system|response|input)[[:space:]]*:",
	  TRIM_NONE },
	{ "role-tag",
	  "^[[:space:]]*(system|assistant|developer)[[:space:]]*:[[:space:]]*(you" W "are|you" W "will"
	  W "now|ignore|new" W "instructions|the" W "assistant|forget|disregard|pretend|override|from" W
	  "now" W "on)" END,
	  TRIM_END },
	{ "reveal-prompt",
	  LEAD "(reveal|print|show|repeat|output|display|leak|dump|write" W "out|tell" W "me|give" W
	  "me|share|recite|spell" W "out)(" W
	  "(me|us|the|your|its|all|of|entire|full|complete|original|hidden|secret|initial|exact|above|"
	  "whole|verbatim|contents|text))*" W
	  "(system" W "prompt|initial" W "prompt|hidden" W "prompt|developer" W "message|instructions"
	  W "(you" W "were" W "given|above)|(your|hidden|secret|original|initial)" W
	  "(instructions|prompt))" END,
	  TRIM_BOTH },
	{ "reveal-prompt",
	  LEAD "what" W "(is|are|was|were)" W "your" W "(system" W "prompt|initial" W
	  "prompt|instructions|prompt)" END,
	  TRIM_BOTH },
	{ "conceal-from-user",
	  LEAD "(do" W "not|don" APOS "?t|never)" W "(tell|inform|alert|mention" W "(this|it|that)" W
	  "to)" W "(the" W ")?(user|human)" END,
	  TRIM_BOTH },
	{ "conceal-from-user",
	  LEAD "keep" W "(this|it|these" W "instructions)" W "(secret|hidden)" W "from" W "the" W
	  "(user|human)" END,
	  TRIM_BOTH },
	{ "decode-and-follow",
	  LEAD "decode[^.\n]{0,80}" W "(and|then)" W "(then" W ")?(follow|obey|execute|carry" W
	  "out|act" W "on)" W
	  "(it|them|the" W "(instructions|commands)|its" W "(instructions|contents)|what" W "it" W "says)"
	  END,
	  TRIM_BOTH },
};

#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

static regex_t compiled[N_PATTERNS];
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

/* The table is static: a pattern that does not compile is a bug in this
 * file, found by the first test run, so it aborts rather than scanning
 * with holes. */
static void compile_patterns(void)
{
	for (size_t i = 0; i < N_PATTERNS; i++) {
		int rc = regcomp(&compiled[i], patterns[i].re, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
		if (rc != 0) {
			char msg[256];
			regerror(rc, &compiled[i], msg, sizeof(msg));
			log_error("injection: pattern %zu (%s) does not compile: %s", i, patterns[i].id, msg);
			abort();
		}
	}
}

static void add_hit(struct injection_result *out, const char *id, size_t off, size_t len)
{
	if (out->n_hits == INJECTION_MAX_HITS)
		return;
	if (!out->hits)
		out->hits = xcalloc(INJECTION_MAX_HITS, sizeof(*out->hits));
	out->hits[out->n_hits++] = (struct injection_hit){ id, off, len };
}

/* Every non-overlapping match of pattern i in text. A search resumes one
 * byte before the previous match's end so that LEAD can consume the
 * character in front of the next word. */
static void scan_pattern(size_t i, const char *text, struct injection_result *out)
{
	size_t pos = 0;
	size_t len = strlen(text);
	while (pos < len) {
		const char *q = text + (pos ? pos - 1 : 0);
		regmatch_t m[2];
		int flags = (q > text && q[-1] != '\n') ? REG_NOTBOL : 0;
		if (regexec(&compiled[i], q, 2, m, flags) != 0)
			break;
		size_t start = (size_t)(q - text) + (size_t)m[0].rm_so;
		size_t end = (size_t)(q - text) + (size_t)m[0].rm_eo;
		size_t next = end;
		if ((patterns[i].trim & TRIM_LEAD) && m[1].rm_so >= 0)
			start = (size_t)(q - text) + (size_t)m[1].rm_eo;
		if ((patterns[i].trim & TRIM_END) && end > start && !isalnum((unsigned char)text[end - 1]))
			end--;
		while (start < end && isspace((unsigned char)text[start]))
			start++;
		add_hit(out, patterns[i].id, start, end - start);
		pos = next > pos + 1 ? next : pos + 1;
	}
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode s[0..n) (standard or URL alphabet, padding optional) into a new
 * NUL-terminated string; NULL when it does not decode to mostly printable
 * text, which is what an instruction hidden from a reader looks like. */
static char *b64_decode_text(const char *s, size_t n)
{
	char *out = xmalloc(n * 3 / 4 + 1);
	size_t o = 0, printable = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			break;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			unsigned char c = (unsigned char)((acc >> bits) & 0xFF);
			out[o++] = (char)c;
			if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t')
				printable++;
		}
	}
	out[o] = '\0';
	if (o < 8 || printable * 10 < o * 9 || memchr(out, '\0', o)) {
		free(out);
		return NULL;
	}
	return out;
}

static bool is_b64_char(unsigned char c)
{
	return b64_value(c) >= 0;
}

static bool keyword_at(const char *p, const char *kw)
{
	for (; *kw; p++, kw++)
		if ((*p | 0x20) != *kw)
			return false;
	return true;
}

/* The first run of at least 16 base64 characters in text[from..limit), as
 * *start and *n; false when there is none. */
static bool find_blob(const char *text, size_t from, size_t limit, size_t *start, size_t *n)
{
	size_t i = from;
	while (i < limit) {
		size_t j = i;
		while (j < limit && text[j] && is_b64_char((unsigned char)text[j]))
			j++;
		if (j - i >= 16) {
			*start = i;
			*n = j - i;
			return true;
		}
		i = j + 1;
	}
	return false;
}

static void scan_regexes(const char *text, struct injection_result *out)
{
	for (size_t i = 0; i < N_PATTERNS; i++)
		scan_pattern(i, text, out);
}

/* A base64 blob within 200 bytes after "decode" or "base64" whose decoded
 * text matches a pattern. Decoding instead of flagging every blob keeps
 * JWTs and signatures in API documentation quiet. */
static void scan_encoded(const char *text, struct injection_result *out)
{
	size_t len = strlen(text);
	size_t i = 0;
	while (i + 6 <= len) {
		if (!keyword_at(text + i, "decode") && !keyword_at(text + i, "base64")) {
			i++;
			continue;
		}
		size_t limit = i + 6 + 200 < len ? i + 6 + 200 : len;
		size_t start, n;
		if (!find_blob(text, i + 6, limit, &start, &n)) {
			i += 6;
			continue;
		}
		char *plain = b64_decode_text(text + start, n);
		if (plain) {
			struct injection_result inner = { NULL, 0 };
			scan_regexes(plain, &inner);
			if (inner.n_hits)
				add_hit(out, "encoded-payload", start, n);
			injection_result_free(&inner);
			free(plain);
		}
		i = start + n;
	}
}

static int compare_hits(const void *pa, const void *pb)
{
	const struct injection_hit *a = pa, *b = pb;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return strcmp(a->pattern, b->pattern);
}

void injection_scan(const char *text, struct injection_result *out)
{
	out->hits = NULL;
	out->n_hits = 0;
	pthread_once(&compile_once, compile_patterns);
	scan_regexes(text, out);
	scan_encoded(text, out);
	if (out->n_hits > 1)
		qsort(out->hits, out->n_hits, sizeof(*out->hits), compare_hits);
}

void injection_result_free(struct injection_result *out)
{
	free(out->hits);
	out->hits = NULL;
	out->n_hits = 0;
}
