/* fuzz_records: records_parse on arbitrary bytes as JSON Lines and as CSV;
 * every record's id fits a path and every text is valid UTF-8. */
#include "tests/fuzz/fuzz.h"
#include "core/ingest/records.h"
#include "core/util/utf8.h"

#include <string.h>

static void check_record(const struct record *r)
{
	size_t n = strlen(r->id);
	FUZZ_CHECK(n > 0 && n <= RECORD_ID_MAX);
	FUZZ_CHECK(utf8_valid(r->id, n));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(r->id[i] != '#' && (unsigned char)r->id[i] >= 0x20 && r->id[i] != 0x7f);
	FUZZ_CHECK(utf8_valid(r->body, strlen(r->body)));
	FUZZ_CHECK(!r->title || utf8_valid(r->title, strlen(r->title)));
	FUZZ_CHECK(!r->date || utf8_valid(r->date, strlen(r->date)));
	FUZZ_CHECK(r->line >= 1);
	size_t len = 0;
	char *text = record_text(r, &len);
	FUZZ_CHECK(len == strlen(text) && !strchr(text, '\r'));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const enum records_kind kinds[] = { RECORDS_JSONL, RECORDS_CSV };
	for (size_t k = 0; k < 2; k++) {
		struct record_set s;
		if (records_parse(kinds[k], (const char *)data, size, NULL, &s)) {
			for (size_t i = 0; i < s.n; i++) {
				check_record(&s.items[i]);
				for (size_t j = i + 1; j < s.n && j < i + 8; j++)
					FUZZ_CHECK(strcmp(s.items[i].id, s.items[j].id) != 0);
			}
			char note[512];
			records_note(&s, note, sizeof note);
		} else {
			FUZZ_CHECK(s.n == 0 && s.items == NULL);
		}
		record_set_free(&s);
	}
	return 0;
}
