/* freshness: whether a document is current, archived or superseded, and
 * the dates its text states, read at ingest from its path, front matter
 * and first lines.
 *
 * Evidence, strongest first (the first that says "not current" wins):
 *
 *   front matter   status: archived | superseded | deprecated | obsolete |
 *                  retired | current; archived: true or a date;
 *                  superseded_by / replaced_by: a path
 *   path           a folder under the ingested root named archive,
 *                  archived, archives, old, deprecated, obsolete, legacy,
 *                  attic or superseded
 *   banner         within the first FRESHNESS_SCAN_LINES non-blank lines: a
 *                  line that opens (after quote and emphasis marks, "Note:",
 *                  "Warning:") with Archived, Superseded, Deprecated,
 *                  Obsolete, Outdated, Retired or Legacy followed by
 *                  punctuation ("> **Archived — superseded.**", but not
 *                  "**Superseded default.** 4.3 lowered ..."); "this page
 *                  (article, policy, ...) is / has been / was archived
 *                  (superseded, deprecated, no longer maintained ...)"; an
 *                  "Archived: DATE" field
 *   title          ending in a marker: "... — Legacy", "... (Archived)"
 *
 * A document that is not current is superseded when the evidence names a
 * successor ("superseded", "replaced by", a superseded_by key), archived
 * otherwise. The successor is the superseded_by value, or the first
 * relative Markdown link on the banner line, resolved against the
 * document's folder.
 *
 * Dates (YYYY-MM-DD, "March 1, 2026" or "1 March 2026") come from front
 * matter keys or "Label: DATE" fields in the first lines: effective
 * (Effective, Effective date, Valid from), reviewed (Last reviewed,
 * Reviewed, Last updated, Updated) and released (Released, Published,
 * Release date). */
#ifndef RAGDECK_FRESHNESS_H
#define RAGDECK_FRESHNESS_H

#include <stddef.h>

#define FRESHNESS_SCAN_LINES 15

enum doc_status { DOC_CURRENT, DOC_ARCHIVED, DOC_SUPERSEDED };

struct doc_freshness {
	enum doc_status status;
	char reason[200];         /* what said so, for people: "path: archive/",
	                           * "banner: Archived — superseded"; "" when current */
	char *superseded_by;      /* the successor's path (absolute when the document's
	                           * is), NULL when none is named; owned */
	char effective[11], reviewed[11], released[11]; /* YYYY-MM-DD or "" */
};

/* Read the freshness of the document at path (absolute) whose normalised
 * text is text[0..len); rel is its path below the ingested root (its
 * folders are the path evidence; NULL: none). Never fails; free out with
 * freshness_free. */
void freshness_detect(const char *path, const char *rel, const char *text, size_t len,
                      struct doc_freshness *out);

void freshness_free(struct doc_freshness *f);

/* "current", "archived", "superseded"; parse returns -1 for anything else. */
const char *doc_status_name(enum doc_status s);
int doc_status_parse(const char *s);

#endif
