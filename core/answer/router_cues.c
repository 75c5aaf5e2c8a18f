/* The router's text signals: cue lists matched on the question with
 * quoted material blanked out, and the few checks that need more than a
 * pattern (question form, capitalised names, small talk, arithmetic). */
#include "core/answer/router_int.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cue: label NULL means the matched words are the label. */
struct cue {
	const char *label;
	const char *re;
	double weight;
};

#define NUM "(one|two|three|four|five|six|seven|eight|nine|ten|[0-9]+)"

/* Asks for a form of output; one point per kind. */
static const struct cue format_cues[] = {
	{ "JSON", "json", 1 },
	{ "YAML", "ya?ml", 1 },
	{ "CSV", "csv", 1 },
	{ "XML", "xml", 1 },
	{ "Markdown", "markdown", 1 },
	{ "a table", "table", 1 },
	{ "a schema", "schema", 1 },
	{ "a template", "template", 1 },
	{ "a checklist", "(check|task)[ -]?list", 1 },
	{ "bullet points", "bullet(s|ed)?( points?| list)?", 1 },
	{ "a numbered list", "numbered (list|steps)", 1 },
	{ "a code block", "(code|fenced) block|fenced", 1 },
	{ "a header line", "header (line|row)", 1 },
	{ "an exact length",
	  "exactly " NUM "|" NUM "[- ](sentence|word|line|column|paragraph|bullet|row)s?|"
	  "(under|at most|no more than|fewer than|less than|max(imum)?( of)?) [0-9]+ "
	  "(words|characters|chars|lines|sentences)|in (one|a single|two|three) (sentence|line|paragraph)s?|"
	  "single (word|line|sentence)",
	  1 },
	{ "only the output",
	  "(reply|respond|answer|output|return|print|write|give)( with)? only|nothing else|no other text|"
	  "(no|without) (introduction|preamble|explanation)|[a-z]+ only[.!]?$",
	  1 },
	{ "a fixed case", "in (upper|lower) ?case", 1 },
	{ "yes or no", "yes or no|yes/no", 1 },
	{ "a standard format", "iso ?8601|rfc ?3339|e\\.164", 1 },
	{ "house tone",
	  "house (tone|style)|our (tone|style|voice)|in the (tone|voice|style) of|"
	  "(formal|informal|polite|friendly|neutral|professional|casual) tone|no exclamation marks?",
	  1 },
	{ "a rewrite", "rewrite|rephrase|reword", 1 },
	{ "a piece of writing",
	  "(write|draft|compose|pen|produce|create|generate)( me)?( a| an| the| one| short| brief| polite)* "
	  "(haiku|poem|limerick|e-?mail|letter|tweet|slogan|tagline|commit message|status[- ]page update|"
	  "status update|press release|subject line|sign-off|apology)",
	  1 },
};

/* Words of policies and product operations (0.5) and generic product words
 * (0.25). */
static const struct cue domain_cues[] = {
	{ NULL, "polic(y|ies)", 0.5 },
	{ NULL, "refund(s|ed)?", 0.5 },
	{ NULL, "pric(e|es|ing|ed)|costs?|fees?|charged?|charges|billing|billed|invoices?|payments?", 0.5 },
	{ NULL, "vat|tax(es)?|discounts?", 0.5 },
	{ NULL, "plans?|tiers?|seats?|licen[cs](e|es|ing)|subscriptions?|contracts?|trials?", 0.5 },
	{ NULL, "quotas?|limits?|rate[- ]limit(s|ing)?|minimum|maximum|largest|smallest", 0.5 },
	{ NULL, "retention|retain(ed)?|backups?|restor(e|ed|es|ing)|wipe", 0.5 },
	{ NULL, "sla|support(ed)?|guarantee|warranty|money-back|outage|incident", 0.5 },
	{ NULL, "versions?|releases?|changelog|upgrad(e|es|ing)|downgrade|deprecated|end of life", 0.5 },
	{ NULL, "errors?|ports?|timeouts?|defaults?|settings?|config|configuration|configure", 0.5 },
	{ NULL, "install(ation|ing|er)?|uninstall|requirements?|compatib(le|ility)", 0.5 },
	{ NULL, "api|endpoints?|webhooks?|tokens?|sdk", 0.5 },
	{ NULL, "sso|saml|scim|oidc|encrypt(ion|ed)|audit|permissions?|roles?|admins?|administrators?",
	  0.5 },
	{ NULL, "tls|ssl|proxy|firewall|gdpr|compliance|dpa|legal hold|accounts?|cancel(l?ation|led)?",
	  0.5 },
	{ NULL, "files?|folders?|devices?|laptops?", 0.25 },
	{ NULL, "sync(s|ing|ed)?|selective|uploads?|upload(ing|ed)|downloads?|download(ing|ed)", 0.25 },
	{ NULL, "agents?|apps?|clients?|desktop|mobile|console|cli", 0.25 },
	{ NULL, "users?|customers?|organi[sz]ations?|workspaces?|tickets?", 0.25 },
	{ NULL, "storage|data|history|deleted|conflicts?|sharing|shared links?|passwords?", 0.25 },
};

static const struct cue ident_cues[] = {
	{ NULL, "[a-z]{2,5}-[0-9]{2,5}", 1 },
	{ NULL, "v?[0-9]+\\.([0-9]+|x)(\\.[0-9]+)*", 0.5 },
};

static const struct cue currency_cues[] = {
	{ NULL, "current(ly)?|latest|today|nowadays|now|still|recent(ly)?|up to date|"
	        "this (week|month|quarter|year)", 0.5 },
};

static const struct cue source_cues[] = {
	{ NULL, "(according to|per|under|using|in|from|check) (our|the) (current )?"
	        "(polic(y|ies)|docs|documentation|knowledge base|handbook|price list|terms|contract|sla|"
	        "release notes|changelog|help[- ]cent(er|re))|"
	        "our (polic(y|ies)|docs|documentation|price list|terms|sla)", 0.5 },
};

static const struct cue invented_cues[] = {
	{ NULL, "fictional|fictitious|made[- ]up|hypothetical|imaginary|dummy|fake|placeholder|"
	        "lorem ipsum", -1 },
};

/* Questions about the conversation itself: the documents cannot answer
 * them. */
static const struct cue conversation_cues[] = {
	{ NULL, "(what|which) (did|was|were) (i|you) (just )?(ask|asked|say|said|mean|meant|tell|told)|"
	        "repeat (that|it|yourself|your (last|previous) (answer|reply|message))|say (that|it) again|"
	        "your (last|previous|earlier) (answer|reply|message|response)|"
	        "(earlier|before) you (said|told|wrote|mentioned)|you just (said|told|gave|wrote|mentioned)|"
	        "summari[sz]e (our|this|the) (conversation|chat)|(first|last) thing (i|you) (asked|said)|"
	        "start (over|a new (conversation|chat))", 0 },
};

/* Writing whose content is made up, not looked up. */
static const struct cue generic_writing_cues[] = {
	{ NULL, "haiku|poems?|limericks?|jokes?|riddles?|stor(y|ies)|tweets?|slogans?|taglines?|"
	        "out-of-office|out of office|puns?|rhymes?|e-?mails?|letters?|apolog(y|ies|ise|ize)|"
	        "subject lines?|sign-offs?|greetings?|templates?|skeletons?|placeholders?", -1 },
};

static const struct cue small_talk_cues[] = {
	{ NULL, "hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening|night|day)|morning|"
	        "thanks|thank you|thx|ty|cheers|bye|goodbye|see you|cya|how are you|how's it going|"
	        "what's up|sup|who are you|what can you do|what are you|ok|okay|cool|great|nice|"
	        "awesome|perfect|lol|haha|got it|sounds good|never mind|well done|good job|"
	        "you're welcome", 0 },
};

static const struct cue arithmetic_cues[] = {
	{ NULL, "[0-9]+(\\.[0-9]+)? *([-+*/x^]|times|plus|minus|divided by|multiplied by|"
	        "to the power of|% *of|percent of|mod) *[0-9]+|(square root|sqrt|cube root) of *[0-9]+|"
	        "[0-9]+ *(squared|cubed)", 0 },
};

static const struct cue embedded_ask_cues[] = {
	{ NULL, "how (many|much|long|often|soon|far)|"
	        "(telling|explaining|saying|describing|asking|about) (how|what|when|why|which|whether|where)", 0 },
};

/* Something of the customer's does not work: troubleshooting, which the
 * documents answer even when no question is asked. */
static const struct cue problem_cues[] = {
	{ NULL, "(doesn't|does not|don't|do not|won't|will not|can't|cannot|isn't|aren't|didn't|wasn't|"
	        "never) (work|start|open|sync|load|show|appear|arrive|come|go|connect|install|run|update|"
	        "download|upload|let|stay|finish)[a-z]*|not (working|syncing|loading|starting)|stopped|"
	        "broken|keeps? (asking|failing|crashing|saying|showing|logging|signing)|disappeared|stuck|"
	        "fail(s|ed|ing)?|errors?|crash(es|ed|ing)?|frozen|hangs|slow", 1 },
};

#define LIST(a) { a, sizeof(a) / sizeof(a[0]) }

enum {
	L_FORMAT, L_DOMAIN, L_IDENT, L_CURRENCY, L_SOURCE, L_INVENTED, L_GENERIC_WRITING, L_CONVERSATION,
	L_SMALL_TALK, L_ARITHMETIC, L_EMBEDDED_ASK, L_PROBLEM, N_LISTS
};

static const struct {
	const struct cue *cues;
	size_t n;
} lists[N_LISTS] = {
	[L_FORMAT] = LIST(format_cues),
	[L_DOMAIN] = LIST(domain_cues),
	[L_IDENT] = LIST(ident_cues),
	[L_CURRENCY] = LIST(currency_cues),
	[L_SOURCE] = LIST(source_cues),
	[L_INVENTED] = LIST(invented_cues),
	[L_GENERIC_WRITING] = LIST(generic_writing_cues),
	[L_CONVERSATION] = LIST(conversation_cues),
	[L_SMALL_TALK] = LIST(small_talk_cues),
	[L_ARITHMETIC] = LIST(arithmetic_cues),
	[L_EMBEDDED_ASK] = LIST(embedded_ask_cues),
	[L_PROBLEM] = LIST(problem_cues),
};

struct router_cues {
	regex_t *re[N_LISTS];
};

/* Words that may surround a greeting or a calculation without making the
 * message about anything else. */
static const char *const small_talk_words[] = {
	"hi", "hello", "hey", "hiya", "howdy", "yo", "good", "morning", "afternoon", "evening",
	"night", "day", "thanks", "thank", "thx", "ty", "cheers", "bye", "goodbye", "see", "cya",
	"later", "how", "are", "is", "it", "it's", "going", "what's", "whats", "what", "up", "sup",
	"who", "can", "do", "you", "you're", "ok", "okay", "cool", "great", "nice", "awesome",
	"perfect", "lol", "haha", "got", "sounds", "never", "mind", "well", "done", "job", "welcome",
	"there", "so", "much", "a", "lot", "very", "that", "that's", "this", "fixed", "works",
	"worked", "helped", "for", "the", "help", "all", "again", "now", "today", "everyone", "bot",
	"assistant", "i", "i'm", "me", "my", "am", "was", "doing", "just", "really", "too", "and",
	"have", "your", "name", "friend", "folks", "guys", NULL,
};

static const char *const arithmetic_words[] = {
	"what", "what's", "whats", "is", "the", "calculate", "compute", "equals", "equal", "to", "of",
	"please", "how", "much", "solve", "result", "answer", "square", "root", "cube", "sqrt", "times",
	"plus", "minus", "divided", "by", "multiplied", "power", "percent", "mod", "squared", "cubed",
	"x", "and", "me", "tell", "quick", "can", "you", NULL,
};

static const char *const wh_words[] = {
	"what", "what's", "whats", "which", "who", "whom", "whose", "when", "where", "why", "how",
	"how's", NULL,
};

static const char *const aux_words[] = {
	"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
	"shall", "may", "might", "has", "have", "had", "isn't", "aren't", "don't", "doesn't", "didn't",
	"can't", "won't", NULL,
};

/* Imperatives that ask for information... */
static const char *const info_verbs[] = {
	"explain", "describe", "tell", "list", "summarise", "summarize", "compare", "show", "give",
	"find", "check", "look", "clarify", "outline", "define", "remind", "confirm", "identify",
	"detail", "walk", NULL,
};

/* ...and imperatives that ask for something to be made. */
static const char *const make_verbs[] = {
	"write", "draft", "compose", "rewrite", "rephrase", "produce", "generate", "create", "convert",
	"translate", "format", "turn", "make", "return", "reply", "respond", "output", "print", "say",
	"answer", "fill", "build", "put", NULL,
};

/* ...and imperatives that ask for something to be done to an account, a
 * device or a file: the assistant cannot, the documents say how. */
static const char *const action_verbs[] = {
	"change", "update", "reset", "cancel", "delete", "remove", "add", "enable", "disable", "switch",
	"set", "unlink", "link", "install", "uninstall", "reinstall", "upgrade", "downgrade", "transfer",
	"export", "import", "download", "upload", "restore", "recover", "invite", "stop", "pause",
	"resume", "fix", "move", "share", "unshare", "lock", "unlock", "wipe", "refund", "close", "open",
	"connect", "disconnect", "sync", "unsync", "migrate", "renew", "activate", "deactivate", "get",
	"send", NULL,
};

/* "I need", "we want", "i'd like": who asks, and the asking. */
static const char *const requesters[] = { "i", "we", "i'd", "we'd", "i'm", "we're", NULL };
static const char *const wants[] = {
	"need", "needs", "want", "wanna", "like", "would", "looking", "trying", "must", NULL,
};

/* "on which day", "for how long", "since when": a wh-question behind a
 * preposition. */
static const char *const prepositions[] = {
	"on", "in", "at", "by", "for", "from", "since", "until", "to", "of", "with", "under", NULL,
};

/* Leading words that do not carry the form of the sentence. */
static const char *const openers[] = {
	"please", "so", "and", "but", "also", "ok", "okay", "hi", "hello", "hey", "quick", "question",
	"btw", "now", "then", NULL,
};

static bool in_list(const char *const *list, const char *w, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(*list, w, n))
			return true;
	return false;
}

void router_sigs_add(struct router_sigs *s, const char *name, enum router_axis axis, double value,
                     double contribution, char *evidence)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = (struct router_signal){ name, axis, value, contribution, evidence };
}

/* The lists are static: a cue that does not compile is a bug in this
 * file, found by the first test run, so it aborts rather than routing with
 * holes. */
struct router_cues *router_cues_new(void)
{
	struct router_cues *c = xcalloc(1, sizeof(*c));
	struct strbuf re = STRBUF_INIT;
	for (size_t l = 0; l < N_LISTS; l++) {
		c->re[l] = xcalloc(lists[l].n, sizeof(regex_t));
		for (size_t i = 0; i < lists[l].n; i++) {
			sb_reset(&re);
			sb_printf(&re, "(^|[^[:alnum:]_])(%s)([^[:alnum:]_]|$)", lists[l].cues[i].re);
			int e = regcomp(&c->re[l][i], re.buf, REG_EXTENDED | REG_ICASE);
			if (e != 0) {
				char msg[256];
				regerror(e, &c->re[l][i], msg, sizeof(msg));
				log_error("router: built-in cue /%s/ does not compile: %s", lists[l].cues[i].re, msg);
				abort();
			}
		}
	}
	sb_free(&re);
	return c;
}

void router_cues_free(struct router_cues **c)
{
	if (!c || !*c)
		return;
	for (size_t l = 0; l < N_LISTS; l++) {
		for (size_t i = 0; i < lists[l].n; i++)
			regfree(&(*c)->re[l][i]);
		free((*c)->re[l]);
	}
	free(*c);
	*c = NULL;
}

/* ---- preparing the text ------------------------------------------------- */

/* Copy of q with typographic quotes made ASCII and quoted spans blanked:
 * a double-quoted span, or a single-quoted one that opens after a space or
 * bracket (so apostrophes in "agent's" and "we're" open nothing). */
static char *blank_quotes(const char *q)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = q; *p; p++) {
		if (!strncmp(p, "\xE2\x80\x9C", 3) || !strncmp(p, "\xE2\x80\x9D", 3)) {
			sb_putc(&sb, '"');
			p += 2;
		} else if (!strncmp(p, "\xE2\x80\x98", 3) || !strncmp(p, "\xE2\x80\x99", 3)) {
			sb_putc(&sb, '\'');
			p += 2;
		} else {
			sb_putc(&sb, *p);
		}
	}
	char *s = sb_detach(&sb, NULL);
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		bool dq = s[i] == '"';
		bool sq = s[i] == '\'' && (i == 0 || strchr(" \t([{", s[i - 1])) && i + 1 < n &&
		          !isspace((unsigned char)s[i + 1]);
		if (!dq && !sq)
			continue;
		size_t j = i + 1;
		while (j < n && !(s[j] == s[i] && (dq || j + 1 == n || !isalnum((unsigned char)s[j + 1]))))
			j++;
		if (j == n)
			break;
		memset(s + i, ' ', j - i + 1);
		i = j;
	}
	return s;
}

static char *lowercase(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '\'' || c == '_';
}

/* ---- cue lists ---------------------------------------------------------- */

struct tally {
	double sum;
	size_t kinds;
	struct strbuf evidence;
};

/* Match list l on text; every cue counts once, with its label or, when it
 * has none, the words it matched. */
static void tally_list(const struct router_cues *c, int l, const char *text, struct tally *t)
{
	for (size_t i = 0; i < lists[l].n; i++) {
		regmatch_t m[3];
		if (regexec(&c->re[l][i], text, 3, m, 0) != 0)
			continue;
		t->sum += lists[l].cues[i].weight;
		t->kinds++;
		if (t->evidence.len)
			sb_puts(&t->evidence, ", ");
		if (lists[l].cues[i].label)
			sb_puts(&t->evidence, lists[l].cues[i].label);
		else
			sb_append(&t->evidence, text + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
	}
}

/* Add a signal for list l when anything matched; returns the tally's sum. */
static double list_signal(const struct router_cues *c, int l, const char *text, const char *name,
                          enum router_axis axis, double cap, struct router_sigs *out)
{
	struct tally t = { 0, 0, STRBUF_INIT };
	tally_list(c, l, text, &t);
	double contribution = t.sum > cap ? cap : t.sum;
	if (t.kinds)
		router_sigs_add(out, name, axis, (double)t.kinds, contribution, sb_detach(&t.evidence, NULL));
	sb_free(&t.evidence);
	return t.kinds ? contribution : 0;
}

static bool matches(const struct router_cues *c, int l, const char *text, regmatch_t *m)
{
	regmatch_t local[3];
	regmatch_t *mm = m ? m : local;
	for (size_t i = 0; i < lists[l].n; i++)
		if (regexec(&c->re[l][i], text, 3, mm, 0) == 0)
			return true;
	return false;
}

/* ---- question form ------------------------------------------------------ */

enum form { F_STATEMENT, F_WH, F_YES_NO, F_INFO, F_MAKE, F_ACTION };

static const char *const form_text[] = {
	[F_STATEMENT] = "statement", [F_WH] = "wh-question", [F_YES_NO] = "yes/no question",
	[F_INFO] = "asks to explain or list", [F_MAKE] = "asks to produce text",
	[F_ACTION] = "asks for something to be done",
};

/* The next word at or after *p within end; its length, 0 at the end. */
static size_t next_word(const char **p, const char *end, const char **w)
{
	while (*p < end && !is_word_char(**p))
		(*p)++;
	*w = *p;
	while (*p < end && is_word_char(**p))
		(*p)++;
	return (size_t)(*p - *w);
}

/* The form of one clause, from its first words. */
static enum form clause_form(const char *p, const char *end)
{
	const char *w;
	size_t n = next_word(&p, end, &w);
	while (n && in_list(openers, w, n))
		n = next_word(&p, end, &w);
	if (n && in_list(prepositions, w, n)) {
		const char *after = p, *w2;
		size_t n2 = next_word(&after, end, &w2);
		if (in_list(wh_words, w2, n2))
			return F_WH;
	}
	if (!n)
		return F_STATEMENT;
	if (in_list(wh_words, w, n))
		return F_WH;
	if (in_list(info_verbs, w, n))
		return F_INFO;
	if (in_list(make_verbs, w, n))
		return F_MAKE;
	if (in_list(action_verbs, w, n))
		return F_ACTION;
	if (in_list(requesters, w, n)) {
		/* "I need to cancel", "we'd like an invoice": a request */
		const char *after = p, *w2;
		size_t n2 = next_word(&after, end, &w2);
		if (in_list(wants, w2, n2))
			return F_ACTION;
	}
	if (!in_list(aux_words, w, n))
		return F_STATEMENT;
	/* "can you explain ...", "could you write ...": the verb decides */
	const char *v;
	size_t vn = next_word(&p, end, &v);
	if (vn == 3 && !strncmp(v, "you", 3)) {
		vn = next_word(&p, end, &v);
		if (vn == 6 && !strncmp(v, "please", 6))
			vn = next_word(&p, end, &v);
		if (in_list(info_verbs, v, vn))
			return F_INFO;
		if (in_list(make_verbs, v, vn))
			return F_MAKE;
	}
	return F_YES_NO;
}

/* The sentence that carries the ask: the last one ending in '?', else the
 * first. A '.' ends a sentence only before a space or the end, so "4.6"
 * and "control.port" do not split. */
static void ask_sentence(const char *s, const char **start, const char **end)
{
	const char *first_end = NULL, *q_start = NULL, *q_end = NULL, *begin = s;
	for (const char *p = s; *p; p++) {
		bool stop = *p == '?' || *p == '!' || (*p == '.' && (!p[1] || isspace((unsigned char)p[1])));
		if (!stop)
			continue;
		if (!first_end)
			first_end = p;
		if (*p == '?') {
			q_start = begin;
			q_end = p;
		}
		begin = p + 1;
	}
	if (q_start) {
		*start = q_start;
		*end = q_end;
	} else {
		*start = s;
		*end = first_end ? first_end : s + strlen(s);
	}
}

/* Form of the ask: the first clause (between commas) with a telling first
 * word, so "In three bullets, list ..." and "My uploads are slow, what
 * should I check?" are read by their second clause. */
static enum form question_form(const char *lc)
{
	const char *s, *e;
	ask_sentence(lc, &s, &e);
	while (s < e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *ce = comma ? comma : e;
		enum form f = clause_form(s, ce);
		if (f != F_STATEMENT)
			return f;
		s = ce + (comma ? 1 : 0);
	}
	return F_STATEMENT;
}

static void form_signal(const struct router_cues *c, const char *lc, struct router_sigs *out)
{
	enum form f = question_form(lc);
	bool asks = f == F_WH || f == F_YES_NO || f == F_INFO || f == F_ACTION;
	regmatch_t m[3];
	char *evidence;
	if (!asks && matches(c, L_EMBEDDED_ASK, lc, m)) {
		struct strbuf sb = STRBUF_INIT;
		sb_printf(&sb, "%s, asks \"%.*s\"", form_text[f], (int)(m[2].rm_eo - m[2].rm_so), lc + m[2].rm_so);
		evidence = sb_detach(&sb, NULL);
		asks = true;
	} else {
		evidence = xstrdup(form_text[f]);
	}
	router_sigs_add(out, "question-form", ROUTER_AXIS_FACTS, asks ? 1 : 0, asks ? 0.5 : 0, evidence);
}

/* ---- made-up or given material ------------------------------------------ */

/* Verbs that work on text handed over. */
static const char *const transform_words[] = {
	"rewrite", "rephrase", "reword", "translate", "summarise", "summarize", "shorten", "fix",
	"format", "convert", "correct", "proofread", "case", "caps", "capitalise", "capitalize",
	"friendlier", "politer", "shorter", "simpler", "reply", NULL,
};

/* Whether lc[0..colon) asks to transform text. */
static bool transforms(const char *lc, const char *colon)
{
	const char *p = lc, *w;
	size_t n;
	while ((n = next_word(&p, colon, &w)) != 0)
		if (in_list(transform_words, w, n))
			return true;
	return false;
}

/* Asked to produce text whose content is made up ("a haiku about sync")
 * or handed over ("rewrite this sentence: ...", a quoted passage): the
 * documents are not its source, whatever words it shares with them. */
static void given_material_signal(const struct router_cues *c, const char *question, const char *lc,
                                  struct router_sigs *out)
{
	regmatch_t m[3];
	bool make = question_form(lc) == F_MAKE;
	bool asks_facts = matches(c, L_EMBEDDED_ASK, lc, NULL) || matches(c, L_CURRENCY, lc, NULL) ||
	                  matches(c, L_SOURCE, lc, NULL);
	if (matches(c, L_GENERIC_WRITING, lc, m) && !asks_facts) {
		router_sigs_add(out, "made-up-content", ROUTER_AXIS_FACTS, 1, -1,
		                xstrndup(lc + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so)));
		return;
	}
	/* Text after a colon is material when the ask before it transforms
	 * text ("rewrite this:", "title case please:"); "JSON with keys a and
	 * b: the price per user" describes what to look up. */
	const char *colon = strchr(lc, ':');
	bool transform = colon && colon[1] && transforms(lc, colon);
	bool quoted = strchr(question, '"') || strstr(question, "\xE2\x80\x9C") || strstr(question, " '");
	if ((make && quoted) || transform)
		router_sigs_add(out, "given-material", ROUTER_AXIS_FACTS, 1, -1,
		                xstrdup(quoted ? "quoted text to work on" : "text after a colon to work on"));
}

/* ---- names, small talk, arithmetic -------------------------------------- */

/* Capitalised words (an upper-case letter, then some lower case) that do
 * not start a sentence: product, place and people names. All-caps words
 * (JSON, OK, EU) are left to the other lists. */
static void entity_signal(const char *text, struct router_sigs *out)
{
	struct strbuf ev = STRBUF_INIT;
	size_t found = 0;
	bool sentence_start = true;
	const char *p = text, *end = text + strlen(text), *w;
	size_t n;
	while ((n = next_word(&p, end, &w)) != 0) {
		const char *before = w;
		while (before > text && isspace((unsigned char)before[-1]))
			before--;
		if (before > text && strchr(".!?", before[-1]))
			sentence_start = true;
		bool lower = false;
		for (size_t i = 1; i < n; i++)
			lower = lower || islower((unsigned char)w[i]);
		if (!sentence_start && isupper((unsigned char)w[0]) && lower && found < 3) {
			sb_printf(&ev, "%s%.*s", found ? ", " : "", (int)n, w);
			found++;
		}
		sentence_start = false;
	}
	if (found)
		router_sigs_add(out, "named-entity", ROUTER_AXIS_FACTS, (double)found, 0.25,
		                sb_detach(&ev, NULL));
	sb_free(&ev);
}

/* Words of lc outside vocabulary (numbers do not count). */
static size_t words_outside(const char *lc, const char *const *vocabulary)
{
	size_t count = 0;
	const char *p = lc, *end = lc + strlen(lc), *w;
	size_t n;
	while ((n = next_word(&p, end, &w)) != 0) {
		bool number = true;
		for (size_t i = 0; i < n; i++)
			number = number && (isdigit((unsigned char)w[i]) || w[i] == '\'');
		if (!number && !in_list(vocabulary, w, n))
			count++;
	}
	return count;
}

/* Thanks with no ask and no new problem in it: "thanks, that fixed the
 * sync problem", not "thanks that worked, but now it says DW-1043". */
static bool thanks_only(const struct router_cues *c, const char *lc)
{
	return (strstr(lc, "thank") || strstr(lc, "cheers") || strstr(lc, "thx")) && !strchr(lc, '?') &&
	       question_form(lc) == F_STATEMENT && !strstr(lc, " but ") && !matches(c, L_IDENT, lc, NULL) &&
	       !matches(c, L_PROBLEM, lc, NULL);
}

/* A message that is only a greeting/thanks (at most one other word, and no
 * policy or product term), only a calculation, or about the conversation
 * itself. */
static void chat_signals(const struct router_cues *c, const char *lc, bool domain, struct router_sigs *out,
                         struct router_text *t)
{
	regmatch_t m[3];
	if (matches(c, L_CONVERSATION, lc, m)) {
		t->conversation = true;
		t->what = xstrndup(lc + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
		router_sigs_add(out, "conversation", ROUTER_AXIS_FACTS, 1, -2, xstrdup(t->what));
	} else if (matches(c, L_SMALL_TALK, lc, m) &&
	           ((!domain && words_outside(lc, small_talk_words) <= 1) || thanks_only(c, lc))) {
		t->small_talk = true;
		t->what = xstrndup(lc + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
		router_sigs_add(out, "small-talk", ROUTER_AXIS_FACTS, 1, -2, xstrdup(t->what));
	} else if (matches(c, L_ARITHMETIC, lc, m) && words_outside(lc, arithmetic_words) <= 1) {
		t->arithmetic = true;
		t->what = xstrndup(lc + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
		router_sigs_add(out, "arithmetic", ROUTER_AXIS_FACTS, 1, -2, xstrdup(t->what));
	}
}

void router_cues_measure(const struct router_cues *c, const char *question, struct router_sigs *out,
                         struct router_text *t)
{
	char *text = blank_quotes(question);
	char *lc = lowercase(text);
	memset(t, 0, sizeof(*t));

	list_signal(c, L_FORMAT, lc, "format", ROUTER_AXIS_FORMAT, 2, out);
	form_signal(c, lc, out);
	bool domain = list_signal(c, L_DOMAIN, lc, "domain-terms", ROUTER_AXIS_FACTS, 1, out) >= 0.5;
	list_signal(c, L_IDENT, lc, "identifiers", ROUTER_AXIS_FACTS, 1, out);
	list_signal(c, L_CURRENCY, lc, "currency", ROUTER_AXIS_FACTS, 0.5, out);
	list_signal(c, L_SOURCE, lc, "source-ref", ROUTER_AXIS_FACTS, 0.5, out);
	list_signal(c, L_PROBLEM, lc, "problem-report", ROUTER_AXIS_FACTS, 1, out);
	entity_signal(text, out);
	list_signal(c, L_INVENTED, lc, "invented-content", ROUTER_AXIS_FACTS, -1, out);
	given_material_signal(c, question, lc, out);
	chat_signals(c, lc, domain, out, t);
	free(lc);
	free(text);
}

void router_text_free(struct router_text *t)
{
	free(t->what);
	memset(t, 0, sizeof(*t));
}
