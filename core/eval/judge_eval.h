/* judge_eval: the LLM judge's two metrics for an evaluation's answers
 * (`ragdeck eval --judge MODEL`), RAGAS-style, apart from every offline
 * number.
 *
 * For each item answered in full, the judge is shown the question, the
 * context blocks the answer was given (eval_item_result.context) and the
 * answer, and asked (prompt JUDGE_EVAL_PROMPT_VERSION) for
 *
 *     {"claims": [{"claim": "...", "supported": true|false}, ...],
 *      "relevance": 0..1, "relevance_reason": "..."}
 *
 * and nothing else: exactly these keys; at most JUDGE_EVAL_MAX_CLAIMS
 * claims, each exactly a non-blank "claim" string and a boolean
 * "supported"; reasons and claims at most JUDGE_REASON_MAX bytes.
 * Faithfulness is supported / claims; an answer with no claim (a refusal)
 * has no faithfulness and is left out of its mean. Relevance is the
 * judge's number. Verdicts are cached per (item id, hash of question,
 * context and answer, judge model, prompt version): see judge.h. */
#ifndef RAGDECK_JUDGE_EVAL_H
#define RAGDECK_JUDGE_EVAL_H

#include <stddef.h>

#include "core/eval/eval.h"
#include "core/eval/judge.h"

/* The version of the prompt and verdict schema below; a change to either
 * is a new version, so no cached verdict of the old one is reused. */
#define JUDGE_EVAL_PROMPT_VERSION "judge-v1"

/* Most claims a verdict may list. */
#define JUDGE_EVAL_MAX_CLAIMS 200

/* Put each of res[0..n) to judge j, filling res[i].judge: items whose
 * turn did not answer in full are unjudged ("no answer to judge: ...")
 * without a request. progress (may be NULL) is called after each item. */
void judge_eval_run(struct judge *j, struct eval_item_result *res, size_t n,
                    void (*progress)(void *ud, size_t done, size_t total), void *ud);

/* Check a verdict against the schema above: 0, or -1 with why. */
int judge_eval_check(const struct cJSON *verdict, char *why, size_t whylen);

#endif
