#include "tests/unit/kb_store.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed/embed.h"
#include "store/store.h"

int kb_store_open(struct kb_store *k, const char *tag, const char *collection)
{
	char err[256];
	memset(k, 0, sizeof *k);
	snprintf(k->dir, sizeof k->dir, "/tmp/rd%sXXXXXX", tag);
	if (!mkdtemp(k->dir))
		return -1;
	snprintf(k->db, sizeof k->db, "%s/kb.db", k->dir);
	k->e = embed_hash_new(64);
	if (store_open(k->db, &k->s, err, sizeof err) != 0 ||
	    store_collection_id(k->s, collection, true, &k->coll, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

void kb_store_put(const struct kb_store *k, struct store *store, const struct kb_doc *d)
{
	char err[256];
	float vec[64];
	const char *text = d->text;
	size_t len = strlen(text);
	assert_int_equal(embed_texts(k->e, &text, &len, 1, vec, err, sizeof err), 0);
	struct store_chunk_in c = { .byte_start = 0, .byte_end = (int64_t)len, .line_start = 1,
	                            .line_end = d->line_end ? d->line_end : 1, .heading_path = "",
	                            .tokens = d->tokens ? d->tokens : 10, .vector = vec };
	struct store_doc_in in = { .path = d->path, .format = "text", .content_hash = d->path, .bytes = (int64_t)len,
	                           .body = text, .body_len = len, .embed_model = k->e->model, .dim = k->e->dim,
	                           .status = d->status, .superseded_by = d->successor };
	bool replaced;
	assert_int_equal(store_doc_put(store, k->coll, &in, &c, 1, 1, &replaced, err, sizeof err), 0);
}

int kb_store_close(struct kb_store *k)
{
	char cmd[128];
	embed_free(&k->e);
	store_close(&k->s);
	if (!k->dir[0])
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf %s", k->dir);
	return system(cmd) == 0 ? 0 : -1;
}
