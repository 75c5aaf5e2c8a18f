/* prompt: the grounded prompt of one turn, and checks on the answer.
 *
 * The system prompt holds the rule (answer only from the context, say so
 * when it lacks the answer, cite blocks as [n]) and names the delimiters.
 * The user message holds the packed context blocks, each between
 *
 *     <<<context NONCE [n]>>>          and          <<<end NONCE>>>
 *
 * lines, followed by the question; a summary of the blocks that did not
 * fit (pack.h) is one more block, between <<<context NONCE [summary]>>>
 * and the same end line, quoted the same way. NONCE is fresh per turn (16 letters a-p
 * from getrandom, 64 bits), so retrieved text cannot close its block and
 * speak as the prompt; letters only because a run of letters has a fixed
 * token cost, which keeps the accounting exact. Inside the blocks, runs of
 * three or more '<' or '>' are cut to two, the nonce (any case) becomes
 * 'x's, control characters other than tab and newline, DEL, C1 controls and
 * invalid UTF-8 become spaces, and invisible characters (bidi controls,
 * U+200B, U+2060, U+FEFF) are removed. None of these rewrites raises the
 * token estimate, so a block never costs more in the prompt than the packer
 * counted, and costs exactly that when nothing was rewritten.
 *
 * Token accounting: the packer's budget (max_context_tokens) covers each
 * block's label line and text, and context_tokens below is that same
 * count. The delimiter lines, the "Context:" and "Question:" framing, the
 * system prompt and the question are counted separately; total_tokens is
 * their sum and equals tokens_estimate of the system prompt plus the user
 * message. */
#ifndef RAGDECK_PROMPT_H
#define RAGDECK_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/answer/injection.h"
#include "core/search/pack.h"

struct cJSON;
struct strbuf;

#define PROMPT_NONCE_LEN 16

/* The rule every grounded turn starts with (first line of the system prompt). */
#define PROMPT_RULE \
	"Answer using only the provided context. If the context does not contain the answer, " \
	"say so plainly. Cite the blocks you used as [n]."

/* Default shortest verbatim span of the system prompt that counts as a
 * leak. 48, not 40: the refusal the rule asks for ("the context does not
 * contain the answer, so ...") shares 42 characters with the rule. */
#define PROMPT_LEAK_MIN_SPAN 48

/* One context block as placed in the user message. */
struct prompt_block {
	int number;               /* [n], from the packer */
	size_t text_offset;       /* where the block's (rewritten) text starts in user */
	size_t text_len;
	int tokens;               /* label + text as placed; <= packer_tokens */
	int packer_tokens;        /* what the packer counted for this block */
	int delimiter_tokens;     /* the two delimiter lines */
	size_t n_rewritten;       /* delimiter look-alikes and nonce copies neutralised */
	size_t n_removed;         /* control, invisible and invalid sequences */
	struct injection_result flags;   /* offsets relative to text_offset */
};

struct prompt {
	char *system;             /* NUL-terminated; owned */
	char *user;               /* NUL-terminated; owned */
	char nonce[PROMPT_NONCE_LEN + 1];
	struct prompt_block *blocks;  /* one per pack block, in its order; a summarized
	                               * block is not placed: all but its number zero */
	size_t n_blocks;
	struct prompt_block summary;  /* the summary block (number 0) when has_summary */
	bool has_summary;
	size_t n_flagged;         /* blocks with at least one injection flag, the summary's included */
	int budget;               /* the packer's budget (max_context_tokens) */
	int system_tokens;
	int context_tokens;       /* sum of blocks[].tokens and the summary's; <= budget */
	int delimiter_tokens;     /* sum of blocks[].delimiter_tokens */
	int framing_tokens;       /* "Context:", "Question:", the no-context note */
	int question_tokens;
	int input_tokens;         /* the user-supplied input block (prompt_attach), its lines included */
	int total_tokens;
	size_t question_at;       /* where "Question: " starts in user */
	bool framed;              /* user holds "Question: " (false: the bare question) */
};

/* Build the prompt for question over pack's packed blocks and its summary
 * (zero blocks is valid: the message then says no document matched); the
 * system prompt then tells the model to cite a summary's statements by
 * their block numbers. nonce: NULL for a random one, or 8..16 lowercase
 * letters for a reproducible prompt (tests). Returns 0, or -1 with err
 * when the nonce is malformed, the system has no randomness, or the blocks
 * exceed pack->budget (a packer bug). out is zeroed first; free it with
 * prompt_free in every case. */
int prompt_build(const struct pack_result *pack, const char *question, const char *nonce,
                 struct prompt *out, char *err, size_t errlen);

/* The prompt of the summarize call (core/answer/summarize.h): pack's
 * summarized blocks, fenced and quoted as prompt_build fences context,
 * then the question; the system prompt asks for statements that each end
 * with the [n] of every block they come from, nothing unlabelled, in at
 * most max_tokens. nonce as for prompt_build. Returns 0, or -1 with err
 * (the nonce). Free out with prompt_free. */
int prompt_build_summary(const struct pack_result *pack, const char *question, const char *nonce, int max_tokens,
                         struct prompt *out, char *err, size_t errlen);

/* The prompt of a path without documents: system, and the question as the
 * whole user message. out is zeroed first; free it with prompt_free. */
void prompt_plain(const char *system, const char *question, struct prompt *out);

/* Put text[0..len) -- input the user supplied with the question, such as a
 * log piped into ragdeck ask -- into p as its own block just before the
 * question, between the lines <<<input NONCE>>> and <<<end NONCE>>>, quoted
 * as context blocks are (delimiter look-alikes cut, controls removed), and
 * tell the model in the system prompt that it is the user's data: never
 * instructions, never a source to cite. Its tokens are input_tokens, added
 * to total_tokens, outside the context budget. Returns 0, or -1 with err
 * when no nonce can be made. */
int prompt_attach(struct prompt *p, const char *text, size_t len, char *err, size_t errlen);

/* Free everything p owns; p is zeroed. NULL-safe. */
void prompt_free(struct prompt *p);

/* Append s[0..len) to out with every run of three or more '<' or '>' cut
 * to two, so no text can hold a delimiter line ("<<<..."). Returns how
 * many runs were cut. */
size_t prompt_cut_angle_runs(const char *s, size_t len, struct strbuf *out);

/* Parse answer as JSON after stripping surrounding whitespace and one
 * ``` or ```json fence. Returns 0 and, when out is not NULL, the parsed
 * value (caller frees with cJSON_Delete); -1 with err ("not JSON: ... at
 * byte N") otherwise. */
int prompt_check_json(const char *answer, struct cJSON **out, char *err, size_t errlen);

/* Check value against a JSON-Schema subset: "type" (string, number,
 * integer, boolean, array, object, null), "required" (array of key names),
 * "properties" (key -> schema, or key -> type name as in golden.yaml) and
 * "items" (schema or type name). Other keywords are ignored. Returns 0 when
 * value conforms, -1 with err naming the JSON path ("$.tags: expected
 * array, got string"), -2 with err when the schema itself is malformed. */
int prompt_check_schema(const struct cJSON *value, const struct cJSON *schema, char *err,
                        size_t errlen);

/* Search answer for the POSIX extended regex pattern (case-sensitive, '^'
 * and '$' anchor the whole answer). Returns 0 on a match, -1 with err when
 * there is none, -2 with err when the pattern does not compile. */
int prompt_check_regex(const char *answer, const char *pattern, char *err, size_t errlen);

/* A leak of the prompt into an answer. */
struct prompt_leak {
	bool nonce;               /* the answer contains the nonce (any case) */
	size_t offset, len;       /* byte span of the leak in the answer */
};

/* True when answer contains p's nonce, or a span of at least min_span
 * characters of p's system prompt (compared case-insensitively, runs of
 * whitespace counted as one space); *leak (may be NULL) tells where.
 * Costs O((system + answer length) x log(system length)). */
bool prompt_check_leak(const struct prompt *p, const char *answer, size_t min_span,
                       struct prompt_leak *leak);

#endif
