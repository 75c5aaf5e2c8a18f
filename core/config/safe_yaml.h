/* safe_yaml: YAML documents from user files, loaded only when bounded.
 *
 * libyaml's yaml_parser_load builds whatever the text asks for. Aliases
 * make a few hundred bytes stand for billions of nodes once a reader walks
 * them (nine anchors of nine aliases each: 9^9), and a hundred thousand
 * nested '[' keep its scanner busy for seconds. Every YAML file ragdeck
 * reads (config, golden sets, themes) goes through this reader instead: it
 * builds the same yaml_document_t from the parser's events and stops at the
 * first event that crosses a limit, so the work done is bounded by the
 * limits, not by the expansion. Messages carry the position of the event;
 * callers prefix the file name.
 *
 * Nesting is counted on the document as a reader walking it sees it: an
 * alias inside a collection adds the depth of the node it repeats. An alias
 * counts the nodes it repeats (the anchored node and everything under it,
 * aliases expanded); the sum over all aliases of a document is capped. */
#ifndef RAGDECK_SAFE_YAML_H
#define RAGDECK_SAFE_YAML_H

#include <stddef.h>
#include <yaml.h>

/* Deepest nesting of collections accepted (a config is five levels deep). */
#define SAFE_YAML_MAX_DEPTH 64
/* Most aliases in one document. */
#define SAFE_YAML_MAX_ALIASES 10000
/* Most nodes all aliases of one document may repeat, in all. */
#define SAFE_YAML_MAX_REPEATED 100000

/* Where and why a load stopped. */
struct safe_yaml_error {
	yaml_mark_t mark;    /* 0-based line and column, as libyaml counts them */
	char msg[256];       /* without the position: "invalid YAML: ...", a limit, ... */
};

/* One input: the parser and the text it reads. */
struct safe_yaml {
	yaml_parser_t parser;
	const char *text;
	size_t len;
};

/* Start reading the len bytes at text (not copied: they must outlive r).
 * Returns 0, or -1 with e set when the parser cannot start (out of memory);
 * r then needs no safe_yaml_done. */
int safe_yaml_open(struct safe_yaml *r, const char *text, size_t len, struct safe_yaml_error *e);

/* Load the next document of r into *doc, as yaml_parser_load does (the
 * same nodes, tags, styles and marks; the first node is the root), within
 * the limits above. An alias must follow its anchor, may not sit inside the
 * node it names, and an anchor is defined once. Returns 0 with *doc set
 * (free with yaml_document_delete; it has no root node when the stream has
 * no more documents), or -1 with e set and *doc empty: a syntax error
 * ("invalid YAML: ..." with libyaml's words), a broken limit or alias rule,
 * or out of memory. After -1 the input is spent: only safe_yaml_done. */
int safe_yaml_next(struct safe_yaml *r, yaml_document_t *doc, struct safe_yaml_error *e);

/* Release the parser. */
void safe_yaml_done(struct safe_yaml *r);

#endif
