/* summarize: the optional summary of the chunks the token budget drops
 * (retrieval.summarize_over_budget: MODEL).
 *
 * When a turn's packed context leaves out chunks that retrieval kept (they
 * scored above the cutoff and made the top k, but max_context_tokens
 * cannot hold them), the turn numbers them as summarized blocks after the
 * packed ones (pack_chunks_summarizing: the packed blocks stay as they
 * were), sends them, fenced with their block labels
 * (prompt_build_summary), to MODEL, and places the reply as one [summary]
 * block in what the packed blocks leave of the budget. The reply is
 * untrusted model output: summarize_accept sanitizes it, keeps only the
 * statements that carry the label of a summarized block, and cuts it to
 * the budget; the prompt then quotes it as it quotes documents. An answer
 * citing [n] of a summarized block resolves to that block's chunks.
 *
 * Anything that goes wrong (no room, the provider unusable, the call
 * failing, timing out, an empty or unusable reply) leaves the turn on its
 * plain packed context, with the reason in the report. */
#ifndef RAGDECK_SUMMARIZE_H
#define RAGDECK_SUMMARIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/llm/llm.h"
#include "core/search/pack.h"

struct config;
struct strbuf;

/* Fewer tokens than this left of the budget for the summary's text: no
 * call is made. */
#define SUMMARY_MIN_TEXT 16

/* What a turn's summarization did (turn_record.summary); zeroed when no
 * chunk overflowed or the key is off. */
struct summary_report {
	bool attempted;           /* chunks overflowed with a summarizer set */
	bool called;              /* the summarize call was sent */
	bool used;                /* its summary is in the context */
	char *model, *provider;
	char *error;              /* why the turn went on without it; NULL when used */
	int *labels;              /* numbers of the summarized blocks */
	size_t n_labels;
	int64_t *chunk_ids;       /* the chunks they hold, block by block */
	size_t n_chunks;
	int room;                 /* tokens the budget leaves for the summary's text */
	int tokens;               /* the summary block as packed: label and text */
	bool trimmed;             /* statements were left out to fit the budget */
	char *text;               /* the summary as placed (sanitized); NULL when not used */
	struct llm_usage usage;   /* of the call */
	uint64_t latency_us;      /* the call, start to end */
	long http_status;
	int retries;
	double cost_usd;          /* the call at its model's price (summary_report_price) */
	bool cost_known;          /* the model has a price */
};

/* Tokens pack's budget leaves for the summary's text after its packed
 * blocks and the summary's label line (may be negative). */
int summarize_text_room(const struct pack_result *pack);

/* The most the summarize call may write: summarize_text_room, and never
 * more than the summarized blocks cost whole. */
int summarize_max_tokens(const struct pack_result *pack);

/* Start r for a summary by model (of provider, "" when none serves it) of
 * pack's summarized blocks: attempted, their labels and chunk ids, the
 * room the budget leaves. */
void summary_report_begin(struct summary_report *r, const char *model, const char *provider,
                          const struct pack_result *pack);

/* pack's summary was placed (summarize_accept): used, its tokens, whether
 * trimmed, its text, and the labels and chunks of the blocks it kept. */
void summary_report_placed(struct summary_report *r, const struct pack_result *pack);

/* The summarize call ended with res: its usage, latency, status, retries. */
void summary_report_call(struct summary_report *r, const struct llm_result *res);

/* The turn goes on without a summary because of why (one line). */
void summary_report_fail(struct summary_report *r, const char *why);

/* Price r's call at its model's price in c (cost_known false without one). */
void summary_report_price(struct summary_report *r, const struct config *c);

/* One line for the routing pane and `ask`: what was summarized, with what,
 * the block's tokens and the call's tokens, time and cost; or why the turn
 * went on without it; or, while the call runs, that it does. Parts are
 * separated by "; ". Appended to out; nothing when not attempted. */
void summary_report_describe(const struct summary_report *r, struct strbuf *out);

/* Free what r owns and zero it; NULL-safe. */
void summary_report_free(struct summary_report *r);

/* Take reply[0..len) (the summarizer's text, untrusted) into pack as its
 * summary: sanitized for a terminal (utf8_sanitize), cut into statements
 * (grounding_sentences), only the statements that carry the [n] of one of
 * pack's summarized blocks kept, in order, one per line, as many as fit
 * summarize_text_room (pack->summary_trimmed when some did not); the
 * summarized blocks no kept statement cites are dropped from pack
 * (pack_keep_summarized). Returns 0 with pack->summary and summary_tokens
 * set and total_tokens grown by them; -1 with a one-line err (the reply is empty, no statement carries a
 * summarized block's label, or not even the first fits), pack unchanged. */
int summarize_accept(struct pack_result *pack, const char *reply, size_t len, char *err, size_t errlen);

/* The statements of summary that carry [number], one per line: what the
 * local answerer reads for a summarized block. "" when none; caller frees. */
char *summarize_statements_of(const char *summary, int number);

#endif
