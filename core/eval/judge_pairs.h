/* judge_pairs: training pairs scored by an LLM judge (`ragdeck pairs check
 * --judge MODEL`), and the score looked up again for `pairs export
 * --min-score`.
 *
 * Each well-formed pair of a check (pairs_report.items) is shown to the
 * judge with up to JUDGE_PAIRS_REFERENCES other pairs of the same file as
 * references (judge_pairs_references), each of their texts cut to
 * JUDGE_PAIRS_REFERENCE_BYTES, and the judge is asked (prompt
 * JUDGE_PAIRS_PROMPT_VERSION) how consistent the pair is with its own
 * instruction and with the references:
 *
 *     {"score": 0..1, "reason": "..."}
 *
 * exactly these keys, the reason at most JUDGE_REASON_MAX bytes. Verdicts
 * are cached per (pair hash, judge model, prompt version) with item id "":
 * the references are not part of the key, so a pair keeps its verdict when
 * other pairs of its file change. */
#ifndef RAGDECK_JUDGE_PAIRS_H
#define RAGDECK_JUDGE_PAIRS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/eval/judge.h"
#include "core/eval/pairs.h"

/* The version of the prompt and verdict schema below. */
#define JUDGE_PAIRS_PROMPT_VERSION "judge-pairs-v1"

/* Other pairs shown with each pair, and the bytes kept of each of their
 * instruction and output. */
#define JUDGE_PAIRS_REFERENCES 3
#define JUDGE_PAIRS_REFERENCE_BYTES 1000

/* What the judge made of one pair. */
struct judge_pair_result {
	int line;
	bool judged;
	bool cached;                  /* the verdict came from the store: no request */
	double score;                 /* judged: 0..1 */
	char *reason;                 /* judged: the judge's reason; else why not (owned,
	                               * untrusted: sanitize before printing) */
};

/* A check's verdicts together. */
struct judge_pairs_summary {
	size_t judged, unjudged, cached;
	double mean;                  /* of the scores; 0 when none was judged */
	long tokens_in, tokens_out;   /* of the requests of this run */
	double cost_usd;              /* when cost_known */
	bool cost_known;
};

/* Put each of r's well-formed pairs to j: results[i] for r->items[i]
 * (results holds r->n_ok; free with judge_pair_results_free), totals into
 * *sum. progress (may be NULL) is called after each pair. */
void judge_pairs_run(struct judge *j, const struct pairs_report *r, struct judge_pair_result *results,
                     struct judge_pairs_summary *sum, void (*progress)(void *ud, size_t done, size_t total),
                     void *ud);

/* Free what results[0..n) own. */
void judge_pair_results_free(struct judge_pair_result *results, size_t n);

/* The content words of what every well-formed pair of a report asks, read
 * once, to pick each pair's references from. */
struct judge_pairs_refs;

/* The references' words of r (borrowed: r must outlive them). Never NULL;
 * free with judge_pairs_refs_free. */
struct judge_pairs_refs *judge_pairs_refs_new(const struct pairs_report *r);

/* Free *x (NULL-safe) and clear the pointer. */
void judge_pairs_refs_free(struct judge_pairs_refs **x);

/* The references of r->items[i] as indices into r->items, best first, into
 * out[0..JUDGE_PAIRS_REFERENCES); returns how many (fewer only when the
 * file has fewer other pairs). Other pairs rank by the share of the
 * content words (core/answer/grounding.h) of what they ask (their user
 * messages: a system prompt most pairs share says nothing of which are
 * alike) that what item i asks holds, then by nearness in the file, then
 * the earlier first; a pair with item i's hash (a duplicate) is never one. */
size_t judge_pairs_references(const struct judge_pairs_refs *x, size_t i, size_t *out);

/* Check a verdict against the schema above: 0, or -1 with why. */
int judge_pairs_check(const struct cJSON *verdict, char *why, size_t whylen);

/* The score of a cached verdict's text (evalstore_judge_latest) into
 * *score. Returns 0, or -1 when the text is not a verdict of the schema. */
int judge_pairs_score(const char *verdict, double *score);

#endif
