/* records: ticket and chat exports (JSON Lines, CSV) whose records are
 * each a document of their own.
 *
 * A help desk exports closed tickets one per JSON line or CSV row. A file
 * is a record file when its extension is .jsonl, .ndjson or .csv and its
 * first record (the first JSON object, or the CSV header) has a body
 * field; anything else is left to the loader as text. Each record becomes
 * a Markdown document "# Title\n\nTicket ID · DATE\n\nBODY\n" stored at
 * "<file>#<id>". */
#ifndef RAGDECK_RECORDS_H
#define RAGDECK_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

/* The format name a record's document is stored with. */
#define RECORD_FORMAT "record"

/* The length of the export FILE in a record document's path "FILE#ID"
 * (ids hold no '#', so it ends at the last '#'), or 0 when path holds
 * none. Only for documents of RECORD_FORMAT: any other path may hold '#'. */
size_t records_file_len(const char *path);

/* Whether a document (its path and format) is a record of the export at
 * file: "FILE#ID" with FILE equal to file. */
bool records_of_file(const char *path, const char *format, const char *file);

/* The kinds of file that may hold records. */
enum records_kind {
	RECORDS_NONE,
	RECORDS_JSONL,  /* .jsonl, .ndjson: one JSON object per line */
	RECORDS_CSV,    /* .csv: RFC 4180 with a header row */
};

/* Field names chosen by the config (ingest.records); NULL: the defaults
 * (id: id, ticket_id, key, issue key, number, conversation_id; title:
 * subject, title, summary, name; body: description, description_text,
 * body, text, content, message, comment; date: created_at, created, date,
 * updated_at). Names match case-insensitively; the first present wins. */
struct record_fields {
	const char *id, *title, *body, *date;
};

/* One record. Strings are valid UTF-8 and owned by the set. */
struct record {
	char *id;      /* at most RECORD_ID_MAX bytes, no control characters,
	                * no '#'; "line N" when the record has none */
	char *title;   /* NULL when none */
	char *body;    /* LF line ends; "" when empty (a holder may free it
	                * early and set it to NULL: record_set_free allows) */
	char *date;    /* NULL when none */
	int line;      /* where the record starts in the file, from 1 */
};

#define RECORD_ID_MAX 100
/* Line numbers of malformed records kept for the note. */
#define RECORDS_LINES_NOTED 8

/* The records of one file, in file order, each id once. */
struct record_set {
	struct record *items;
	size_t n;
	size_t malformed;     /* lines or rows skipped: not JSON objects, ragged */
	int malformed_lines[RECORDS_LINES_NOTED];  /* the first ones */
	size_t duplicates;    /* records replaced by a later one with the same id */
};

/* The kind path's extension names, case-insensitively. */
enum records_kind records_kind_for_path(const char *path);

/* Parse data (len bytes, a UTF-8 BOM allowed) as kind. Returns true with
 * out filled when it is a record file, false with out empty when its
 * first record has no body field (or it has no record at all). fields
 * may be NULL. Free out with record_set_free either way. */
bool records_parse(enum records_kind kind, const char *data, size_t len, const struct record_fields *fields,
                   struct record_set *out);

/* The document text of r: "# TITLE\n\nTicket ID · DATE\n\nBODY\n" (TITLE
 * is the id when r has none; " · DATE" only with a date). Caller frees;
 * *len gets its length. */
char *record_text(const struct record *r, size_t *len);

/* The document title of r: "ID: TITLE", or the id alone. Caller frees. */
char *record_title(const struct record *r);

/* What a person should know of s (malformed and duplicate records), as
 * "2 malformed records skipped (lines 17, 90)" and/or "1 duplicate id
 * (the later record kept)" into out; "" when nothing. */
void records_note(const struct record_set *s, char *out, size_t outlen);

/* Free what s holds and zero it; NULL-safe. */
void record_set_free(struct record_set *s);

#endif
