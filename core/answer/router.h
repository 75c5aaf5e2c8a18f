/* router: which path and model answer a question, and why.
 *
 * The decision matrix:
 *
 *   needs facts from documents that change, no strict format -> retrieval
 *   needs a strict output format, schema or house tone only  -> adaptation
 *   needs both                                               -> hybrid
 *   needs neither (greeting, chit-chat, arithmetic, general) -> direct
 *
 * Order of precedence: a prefix (/rag, /ft, /hybrid, /direct, stripped from
 * the question), then config rules (router.rules, first match, POSIX ERE,
 * case-insensitive), then the signals. Each signal adds to one of two
 * scores, facts and format; a score of ROUTER_THRESHOLD or more means the
 * question needs it. Signals (name: contribution):
 *
 *   format           1 per kind of format ask (JSON, a table, house tone, an
 *                    exact length, "reply with only", ...), at most 2
 *   question-form    0.5 when the question asks for information (wh-,
 *                    yes/no question, "explain", "tell me", "how many") or
 *                    for something to be done ("reset password", "cancel
 *                    my plan", "I need to ...")
 *   problem-report   1 when something does not work ("doesn't sync",
 *                    "keeps asking", "stuck", "error", "crashed")
 *   domain-terms     0.5 per policy/product-operations term (refund, plan,
 *                    limit, version, SSO, ...), 0.25 per generic product
 *                    word (file, device, agent, ...), at most 1
 *   identifiers      1 for an error code (DW-1042), 0.5 for a version (4.6)
 *   currency         0.5 for "current", "still", "today", "this month", ...
 *   source-ref       0.5 for "per our policy", "according to the docs", ...
 *   named-entity     0.25 for a capitalised name inside a sentence
 *   invented-content -1 for "fictional", "hypothetical", "dummy", ...
 *   made-up-content  -1 for writing whose content is made up (a haiku, a
 *                    tweet, an email, a template) unless it also asks for
 *                    facts ("how long", "the current", "our policy")
 *   given-material   -1 for producing text from material the question hands
 *                    over (quoted, or after a colon)
 *   small-talk       -2 for a message that is only greeting or thanks (or
 *                    thanks with no ask and no new problem in it)
 *   conversation     -2 for a question about the conversation itself
 *                    ("what did I just ask", "repeat that")
 *   arithmetic       -2 for a message that is only a calculation
 *   retrieval-score  from the caller's quick retrieval (it runs for every
 *                    question): +1 when a chunk holds at least
 *                    router.min_retrieval_score of the question's terms
 *                    (IDF-weighted, near spellings of unknown words
 *                    counted), +0.5 when it holds fewer but some, -0.5 when
 *                    none (a clear facts question stays on retrieval,
 *                    flagged no_grounding; a borderline one goes direct)
 *   volatility       0.25 per change of the matched documents, at most 0.5
 *
 * Quoted text ('...' or "...") is material to transform, not the ask, and
 * is ignored. A path that is disabled (routing.paths.retrieval.enabled,
 * routing.paths.adaptation.enabled, or adaptation without a model_path) is
 * never chosen: retrieval and adaptation map to direct, hybrid to whichever
 * half is enabled, and the sentence says so. A failed quick retrieval
 * degrades the same way, with a notice. */
#ifndef RAGDECK_ROUTER_H
#define RAGDECK_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

#define ROUTER_THRESHOLD 1.0

enum router_path { ROUTER_RETRIEVAL, ROUTER_ADAPTATION, ROUTER_HYBRID, ROUTER_DIRECT };

/* "retrieval", "adaptation", "hybrid", "direct"; parse returns -1 for
 * anything else. */
const char *router_path_name(enum router_path p);
int router_path_parse(const char *s);

/* What the caller's quick retrieval of the question found. */
enum router_probe {
	ROUTER_PROBE_NONE,        /* not run: retrieval disabled or skipped */
	ROUTER_PROBE_OK,
	ROUTER_PROBE_FAILED,      /* it ran and failed: degrade, do not error */
};

/* Change history of one top document (from the store, recorded at ingest). */
struct router_doc {
	int change_count;
	int64_t first_seen, last_changed;   /* Unix seconds */
};

struct router_signals {
	enum router_probe probe;
	double match;             /* the probe's best coverage: the IDF-weighted share of
	                           * the question's terms its best chunk holds, 0..1 */
	const struct router_doc *docs;      /* the top documents, when probe is OK */
	size_t n_docs;
	const char *model;        /* chosen by hand (--model, :model); NULL: by the config */
};

enum router_axis { ROUTER_AXIS_FACTS, ROUTER_AXIS_FORMAT };

/* One signal as weighed, for the UI's list. */
struct router_signal {
	const char *name;         /* static, see the table above */
	enum router_axis axis;
	double value;             /* what was measured: a count, a score, changes */
	double contribution;      /* added to the axis score */
	char *evidence;           /* what matched ("JSON, a table"); owned */
};

struct router_decision {
	enum router_path path;
	enum router_path wanted;  /* before disabled or failed paths were mapped */
	char *question;           /* the question without its prefix */
	char *model;              /* default_model, adaptation.model_path, or the
	                           * model chosen by hand */
	bool model_by_hand;       /* the signals named the model: it is the whole chain */
	char **chain;             /* model, then the fallbacks, ending at "local" */
	size_t n_chain;
	struct router_signal *signals;   /* only the signals that fired */
	size_t n_signals;
	double facts_score, format_score;
	char *rule;               /* "prefix:/rag", "config-rule:3", "greeting", "arithmetic",
	                           * "format+facts", "format", "facts", "neither",
	                           * "low-retrieval-score", "retrieval-match" */
	char *sentence;           /* one sentence for the screen */
	bool no_grounding;        /* on a retrieval path with nothing above the threshold:
	                           * the answer must say so instead of guessing */
};

struct router;

/* A router for c (borrowed: it must outlive the router), with the config
 * rules and the built-in cue lists compiled. Returns 0, or -1 with err
 * naming the rule when a pattern does not compile or a path is unknown.
 * Free with router_free. */
int router_new(const struct config *c, struct router **out, char *err, size_t errlen);

/* Free *r and clear the pointer; NULL-safe. */
void router_free(struct router **r);

/* Decide for question. sig may be NULL (no retrieval signals). Never
 * fails; free out with router_decision_free. */
void router_decide(const struct router *r, const char *question, const struct router_signals *sig,
                   struct router_decision *out);

/* Free everything d owns; d is zeroed. */
void router_decision_free(struct router_decision *d);

#endif
