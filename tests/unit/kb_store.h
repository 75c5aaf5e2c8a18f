/* kb_store: a store in a fresh temporary directory with one collection,
 * the 64-dimension hash embedder, and one-chunk documents put as ingest
 * would, for the unit tests that search a small store built in place
 * (retrieve, explain, turn_summary). */
#ifndef RAGDECK_TEST_KB_STORE_H
#define RAGDECK_TEST_KB_STORE_H

#include <stdint.h>

struct store;
struct embedder;

struct kb_store {
	char dir[64];             /* the temporary directory */
	char db[96];              /* its database file */
	struct store *s;
	struct embedder *e;
	int64_t coll;             /* the collection's id */
};

/* One document of one chunk. */
struct kb_doc {
	const char *path, *text;
	const char *status;       /* NULL: current */
	const char *successor;    /* NULL: none */
	int line_end;             /* the chunk's last line; 0: 1 */
	int tokens;               /* the chunk's tokens; 0: 10 */
};

/* Make k's directory under /tmp (named after tag), its database and the
 * collection. Returns 0, or -1 (the reason on stderr). */
int kb_store_open(struct kb_store *k, const char *tag, const char *collection);

/* Put d into k's collection through store (k->s, or another connection
 * to the same database), embedded by k's embedder; fails the test when it
 * cannot. */
void kb_store_put(const struct kb_store *k, struct store *store, const struct kb_doc *d);

/* Free k's embedder and store and remove its directory. Returns 0, or -1
 * when the directory could not be removed. */
int kb_store_close(struct kb_store *k);

#endif
