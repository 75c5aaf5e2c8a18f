/* safe_yaml: libyaml's composer (events -> yaml_document_t) with limits.
 *
 * One pass over the events: each node is added to the document when its
 * event arrives, with what a walker would see below it (nodes and levels,
 * aliases expanded) kept beside it until it is closed, so an alias costs
 * one lookup and one addition however much it repeats. Anchors are found
 * through a hash index, which keeps a file of many anchors and aliases
 * linear. */
#include "core/config/safe_yaml.h"
#include "core/util/hash.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_MEMORY "out of memory while reading YAML"

/* An anchor and what its node expands to. */
struct anchor {
	char *name;
	int node;
	size_t size;         /* nodes, the node itself included; 0 while it is open */
	int height;          /* levels of collections, the node's own included */
	yaml_mark_t mark;
};

/* An open collection. */
struct frame {
	int node;
	int key;             /* mapping: the key waiting for its value; 0 none */
	size_t size;         /* nodes so far, the collection itself included */
	int height;          /* deepest child so far, in levels */
	size_t anchor;       /* index + 1 into anchors; 0 none */
};

struct composer {
	yaml_document_t *doc;
	struct safe_yaml_error *e;
	struct frame stack[SAFE_YAML_MAX_DEPTH];
	int depth;
	struct anchor *anchors;
	size_t n_anchors;
	size_t *slots;       /* open addressing: index + 1 into anchors; 0 free */
	size_t n_slots;      /* a power of two, at least twice n_anchors */
	size_t aliases, repeated;
	yaml_mark_t at;      /* start of the event being applied */
};

/* Stop at the event being applied. Returns -1. */
static int fail(struct composer *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct composer *c, const char *fmt, ...)
{
	va_list ap;
	c->e->mark = c->at;
	va_start(ap, fmt);
	vsnprintf(c->e->msg, sizeof c->e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int too_deep(struct composer *c)
{
	return fail(c, "more than %d levels of nesting (counting what aliases repeat); flatten the "
	            "data", SAFE_YAML_MAX_DEPTH);
}

/* ---- anchors ------------------------------------------------------------ */

/* The slot holding name, or the free slot where it would go. */
static size_t *anchor_slot(struct composer *c, const char *name)
{
	size_t mask = c->n_slots - 1;
	size_t i = (size_t)hash64(name, strlen(name)) & mask;
	while (c->slots[i] && strcmp(c->anchors[c->slots[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return &c->slots[i];
}

static struct anchor *anchor_find(struct composer *c, const char *name)
{
	size_t *slot = c->n_slots ? anchor_slot(c, name) : NULL;
	return slot && *slot ? &c->anchors[*slot - 1] : NULL;
}

/* Keep the index at most half full. */
static void anchors_grow(struct composer *c)
{
	if (2 * (c->n_anchors + 1) <= c->n_slots)
		return;
	free(c->slots);
	c->n_slots = c->n_slots ? 2 * c->n_slots : 64;
	c->slots = xcalloc(c->n_slots, sizeof *c->slots);
	for (size_t i = 0; i < c->n_anchors; i++)
		*anchor_slot(c, c->anchors[i].name) = i + 1;
	c->anchors = xreallocarray(c->anchors, c->n_slots / 2, sizeof *c->anchors);
}

/* Register name for node; *index is its index + 1. The size stays 0
 * (open) until the node is finished. */
static int anchor_add(struct composer *c, const char *name, int node, size_t *index)
{
	const struct anchor *old = anchor_find(c, name);
	if (old)
		return fail(c, "anchor &%.64s is defined twice (first on line %zu column %zu); "
		            "rename one", name, old->mark.line + 1, old->mark.column + 1);
	anchors_grow(c);
	c->anchors[c->n_anchors] = (struct anchor){ xstrdup(name), node, 0, 0, c->at };
	*anchor_slot(c, name) = ++c->n_anchors;
	*index = c->n_anchors;
	return 0;
}

static void anchors_free(struct composer *c)
{
	for (size_t i = 0; i < c->n_anchors; i++)
		free(c->anchors[i].name);
	free(c->anchors);
	free(c->slots);
}

/* ---- building ----------------------------------------------------------- */

/* Attach a finished node (size nodes, height levels once expanded) to the
 * open collection; a node outside any collection is the root, the first
 * node of the document. */
static int attach(struct composer *c, int node, size_t size, int height)
{
	if (c->depth == 0)
		return 0;
	struct frame *f = &c->stack[c->depth - 1];
	int ok;
	if (c->doc->nodes.start[f->node - 1].type == YAML_SEQUENCE_NODE) {
		ok = yaml_document_append_sequence_item(c->doc, f->node, node);
	} else if (!f->key) {
		f->key = node;
		ok = 1;
	} else {
		ok = yaml_document_append_mapping_pair(c->doc, f->node, f->key, node);
		f->key = 0;
	}
	if (!ok)
		return fail(c, NO_MEMORY);
	f->size += size;
	if (height > f->height)
		f->height = height;
	return 0;
}

static void set_marks(struct composer *c, int node, const yaml_event_t *ev)
{
	c->doc->nodes.start[node - 1].start_mark = ev->start_mark;
	c->doc->nodes.start[node - 1].end_mark = ev->end_mark;
}

/* libyaml's loader gives a node without a tag, or with the non-specific
 * "!", the default tag of its kind; so do the document functions given
 * NULL. */
static const yaml_char_t *tag_of(const yaml_char_t *tag)
{
	return tag && strcmp((const char *)tag, "!") != 0 ? tag : NULL;
}

static int on_scalar(struct composer *c, const yaml_event_t *ev)
{
	size_t anchor = 0;
	if (ev->data.scalar.length > INT_MAX)
		return fail(c, "a value longer than %d bytes", INT_MAX);
	int node = yaml_document_add_scalar(c->doc, tag_of(ev->data.scalar.tag),
	                                    ev->data.scalar.value, (int)ev->data.scalar.length,
	                                    ev->data.scalar.style);
	if (!node)
		return fail(c, NO_MEMORY);
	set_marks(c, node, ev);
	if (ev->data.scalar.anchor) {
		if (anchor_add(c, (const char *)ev->data.scalar.anchor, node, &anchor))
			return -1;
		c->anchors[anchor - 1].size = 1;
	}
	return attach(c, node, 1, 0);
}

static int on_start(struct composer *c, const yaml_event_t *ev)
{
	const yaml_char_t *anchor_name;
	int node;
	if (c->depth == SAFE_YAML_MAX_DEPTH)
		return too_deep(c);
	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		anchor_name = ev->data.sequence_start.anchor;
		node = yaml_document_add_sequence(c->doc, tag_of(ev->data.sequence_start.tag),
		                                  ev->data.sequence_start.style);
	} else {
		anchor_name = ev->data.mapping_start.anchor;
		node = yaml_document_add_mapping(c->doc, tag_of(ev->data.mapping_start.tag),
		                                 ev->data.mapping_start.style);
	}
	if (!node)
		return fail(c, NO_MEMORY);
	set_marks(c, node, ev);
	struct frame *f = &c->stack[c->depth++];
	*f = (struct frame){ .node = node, .size = 1 };
	if (anchor_name)
		return anchor_add(c, (const char *)anchor_name, node, &f->anchor);
	return 0;
}

static int on_end(struct composer *c, const yaml_event_t *ev)
{
	struct frame f = c->stack[--c->depth];
	c->doc->nodes.start[f.node - 1].end_mark = ev->end_mark;
	if (f.anchor) {
		c->anchors[f.anchor - 1].size = f.size;
		c->anchors[f.anchor - 1].height = f.height + 1;
	}
	return attach(c, f.node, f.size, f.height + 1);
}

static int on_alias(struct composer *c, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = anchor_find(c, name);
	if (!a)
		return fail(c, "alias *%.64s names no anchor defined before it", name);
	if (!a->size)
		return fail(c, "alias *%.64s is inside the node it names (a cycle)", name);
	if (++c->aliases > SAFE_YAML_MAX_ALIASES)
		return fail(c, "more than %d aliases; write the values out instead",
		            SAFE_YAML_MAX_ALIASES);
	if (c->depth + a->height > SAFE_YAML_MAX_DEPTH)
		return too_deep(c);
	c->repeated += a->size;
	if (c->repeated > SAFE_YAML_MAX_REPEATED)
		return fail(c, "aliases repeat more than %d nodes in all; write the "
		            "values out instead of nesting aliases", SAFE_YAML_MAX_REPEATED);
	return attach(c, a->node, a->size, a->height);
}

/* ---- reading ------------------------------------------------------------ */

/* Reader errors carry a byte offset instead of a mark. */
static yaml_mark_t mark_of_offset(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	return m;
}

/* The error the parser stopped at, in libyaml's words, with a hint for
 * the usual cause (a tab). */
static void syntax_error(const struct safe_yaml *r, struct safe_yaml_error *e)
{
	const yaml_parser_t *p = &r->parser;
	struct strbuf msg = STRBUF_INIT;
	e->mark = p->problem_mark;
	if (p->error == YAML_READER_ERROR)
		e->mark = mark_of_offset(r->text, r->len, p->problem_offset);
	if (p->error == YAML_MEMORY_ERROR)
		sb_puts(&msg, NO_MEMORY);
	else
		sb_printf(&msg, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
	if (p->context)
		sb_printf(&msg, " %s (line %d column %d)", p->context, (int)p->context_mark.line + 1,
		          (int)p->context_mark.column + 1);
	if (e->mark.index < r->len && r->text[e->mark.index] == '\t')
		sb_puts(&msg, "; indent with spaces, YAML does not allow tabs here");
	snprintf(e->msg, sizeof e->msg, "%s", sb_str(&msg));
	sb_free(&msg);
}

int safe_yaml_open(struct safe_yaml *r, const char *text, size_t len, struct safe_yaml_error *e)
{
	memset(r, 0, sizeof *r);
	if (!yaml_parser_initialize(&r->parser)) {
		*e = (struct safe_yaml_error){ .msg = NO_MEMORY };
		return -1;
	}
	r->text = text;
	r->len = len;
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)text, len);
	return 0;
}

/* Apply one event of a document; *done is set by its end. */
static int on_event(struct composer *c, const yaml_event_t *ev, bool *done)
{
	c->at = ev->start_mark;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(c, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_start(c, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(c, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(c, ev);
	case YAML_DOCUMENT_END_EVENT:
		c->doc->end_implicit = ev->data.document_end.implicit;
		c->doc->end_mark = ev->end_mark;
		*done = true;
		return 0;
	default:
		/* libyaml's parser sends no other event inside a document. */
		return fail(c, "invalid YAML: unexpected event %d", (int)ev->type);
	}
}

/* The next event that is not the stream's start; -1 with e set when the
 * parser fails. */
static int next_event(struct safe_yaml *r, yaml_event_t *ev, struct safe_yaml_error *e)
{
	for (;;) {
		if (!yaml_parser_parse(&r->parser, ev)) {
			syntax_error(r, e);
			return -1;
		}
		if (ev->type != YAML_STREAM_START_EVENT)
			return 0;
		yaml_event_delete(ev);
	}
}

int safe_yaml_next(struct safe_yaml *r, yaml_document_t *doc, struct safe_yaml_error *e)
{
	struct composer c = { .doc = doc, .e = e };
	yaml_event_t ev;
	bool done = false;
	int rc = -1;

	memset(doc, 0, sizeof *doc);
	if (next_event(r, &ev, e) < 0)
		return -1;
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		/* The end of the stream (or nothing after it): no document. */
		yaml_event_delete(&ev);
		return 0;
	}
	int ok = yaml_document_initialize(doc, ev.data.document_start.version_directive,
	                                  ev.data.document_start.tag_directives.start,
	                                  ev.data.document_start.tag_directives.end,
	                                  ev.data.document_start.implicit, 1);
	doc->start_mark = ev.start_mark;
	yaml_event_delete(&ev);
	if (!ok) {
		memset(doc, 0, sizeof *doc);
		*e = (struct safe_yaml_error){ .msg = NO_MEMORY };
		return -1;
	}
	while (!done) {
		if (next_event(r, &ev, e) < 0)
			goto cleanup;
		int bad = on_event(&c, &ev, &done);
		yaml_event_delete(&ev);
		if (bad)
			goto cleanup;
	}
	rc = 0;
cleanup:
	anchors_free(&c);
	if (rc) {
		yaml_document_delete(doc);
		memset(doc, 0, sizeof *doc);
	}
	return rc;
}

void safe_yaml_done(struct safe_yaml *r)
{
	yaml_parser_delete(&r->parser);
}
