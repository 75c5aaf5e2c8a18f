/* fuzz_golden: golden_load_yaml and golden_load_jsonl on arbitrary bytes.
 * A load succeeds with a set or fails with "name:line[:col]: ..." and no
 * set; a loaded set holds only valid items (non-empty unique ids and
 * questions, a category, sources with a path and ordered lines, a pattern
 * exactly when the format is regex), and writing it out as YAML or JSONL
 * reads back to equal items. Alias bombs and deep nesting must be refused
 * by the reader, within libFuzzer's time and memory limits. */
#include "tests/fuzz/fuzz.h"
#include "core/eval/golden.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static bool opt_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_sources(const struct golden_source *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(s[i].path != NULL && s[i].path[0] != '\0');
		FUZZ_CHECK((s[i].line_start == 0 && s[i].line_end == 0) ||
		           (s[i].line_start >= 1 && s[i].line_end >= s[i].line_start));
	}
}

static void check_set(const struct golden_set *s)
{
	for (size_t i = 0; i < s->n_items; i++) {
		const struct golden_item *it = &s->items[i];
		FUZZ_CHECK(it->id != NULL && it->id[0] != '\0');
		FUZZ_CHECK(it->question != NULL && it->question[0] != '\0');
		FUZZ_CHECK(it->category < GOLDEN_N_CATEGORIES);
		FUZZ_CHECK(it->line >= 1);
		check_sources(it->relevant, it->n_relevant);
		check_sources(it->stale, it->n_stale);
		for (size_t k = 0; k < it->n_must_contain; k++)
			FUZZ_CHECK(it->must_contain[k] != NULL && it->must_contain[k][0] != '\0');
		FUZZ_CHECK((it->format == GOLDEN_FORMAT_REGEX) == (it->pattern != NULL));
		FUZZ_CHECK(!it->schema || it->format == GOLDEN_FORMAT_JSON);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s->items[j].id, it->id) != 0);
	}
}

static bool sources_equal(const struct golden_source *a, const struct golden_source *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].path, b[i].path) != 0 || a[i].line_start != b[i].line_start ||
		    a[i].line_end != b[i].line_end)
			return false;
	return true;
}

static bool items_equal(const struct golden_item *x, const struct golden_item *y)
{
	if (strcmp(x->id, y->id) != 0 || strcmp(x->question, y->question) != 0 ||
	    x->category != y->category || x->format != y->format ||
	    x->n_relevant != y->n_relevant || x->n_stale != y->n_stale ||
	    x->n_must_contain != y->n_must_contain ||
	    !opt_equal(x->reference_answer, y->reference_answer) ||
	    !opt_equal(x->pattern, y->pattern) ||
	    !sources_equal(x->relevant, y->relevant, x->n_relevant) ||
	    !sources_equal(x->stale, y->stale, x->n_stale))
		return false;
	for (size_t k = 0; k < x->n_must_contain; k++)
		if (strcmp(x->must_contain[k], y->must_contain[k]) != 0)
			return false;
	return (!x->schema && !y->schema) ||
	       (x->schema && y->schema && cJSON_Compare(x->schema, y->schema, true));
}

/* Write s in one format, load it back and compare. */
static void check_round_trip(const struct golden_set *s, bool jsonl)
{
	char *buf = NULL;
	size_t len = 0;
	char err[512] = "";
	struct golden_set *back = NULL;
	FILE *f = open_memstream(&buf, &len);
	FUZZ_CHECK(f != NULL);
	if (jsonl)
		golden_write_jsonl(f, s->items, s->n_items);
	else
		golden_write_yaml(f, s->items, s->n_items);
	FUZZ_CHECK(fclose(f) == 0);
	int rc = jsonl ? golden_load_jsonl("back.jsonl", buf, len, &back, err, sizeof err)
	               : golden_load_yaml("back.yaml", buf, len, &back, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "written set does not load back: %s\n%s\n", err, buf);
		FUZZ_CHECK(!"written set loads back");
	}
	FUZZ_CHECK(back->n_items == s->n_items);
	for (size_t i = 0; i < s->n_items; i++)
		FUZZ_CHECK(items_equal(&s->items[i], &back->items[i]));
	golden_set_free(&back);
	free(buf);
}

/* err is "name:LINE: ..." (JSONL) or "name:LINE:COL: ..." (YAML). */
static void check_error(const char *err, const char *name, bool with_col)
{
	size_t n = strlen(name);
	const char *p = err + n;
	FUZZ_CHECK(strncmp(err, name, n) == 0 && *p == ':');
	for (int field = 0; field < (with_col ? 2 : 1); field++) {
		FUZZ_CHECK(isdigit((unsigned char)p[1]) && p[1] != '0');
		p++;
		while (isdigit((unsigned char)*p))
			p++;
		FUZZ_CHECK(*p == ':');
	}
	FUZZ_CHECK(p[1] == ' ' && p[2] != '\0');
}

static void load(const char *text, size_t len, bool jsonl)
{
	const char *name = jsonl ? "fuzz.jsonl" : "fuzz.yaml";
	struct golden_set *s = NULL;
	char err[512] = "";
	int rc = jsonl ? golden_load_jsonl(name, text, len, &s, err, sizeof err)
	               : golden_load_yaml(name, text, len, &s, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc == 0) == (s != NULL));
	if (rc != 0) {
		check_error(err, name, !jsonl);
		return;
	}
	FUZZ_CHECK(strcmp(s->source, name) == 0);
	check_set(s);
	check_round_trip(s, false);
	check_round_trip(s, true);
	golden_set_free(&s);
	FUZZ_CHECK(s == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load((const char *)data, size, false);
	load((const char *)data, size, true);
	return 0;
}
