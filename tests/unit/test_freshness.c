/* Unit tests for core/ingest/freshness: status from front matter, folders,
 * banners and titles; successors resolved; dates read; current documents
 * that merely mention old things stay current. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/ingest/freshness.h"

static enum doc_status detect(const char *path, const char *rel, const char *text, struct doc_freshness *f)
{
	freshness_detect(path, rel, text, strlen(text), f);
	return f->status;
}

static void archive_folder_under_the_root_archives_a_document(void **state)
{
	(void)state;
	struct doc_freshness f;
	assert_int_equal(detect("/kb/policies/archive/refund-2024.md", "policies/archive/refund-2024.md",
	                        "# Refund policy\n\nThirty days.\n", &f), DOC_ARCHIVED);
	assert_string_equal(f.reason, "path: archive/");
	freshness_free(&f);
	/* folders above the ingested root say nothing */
	assert_int_equal(detect("/home/old/kb/refund.md", "refund.md", "# Refund\n\nFourteen days.\n", &f),
	                 DOC_CURRENT);
	assert_string_equal(f.reason, "");
	freshness_free(&f);
}

static void banner_with_a_link_names_the_successor(void **state)
{
	(void)state;
	struct doc_freshness f;
	const char *text = "# Refund Policy (2024)\n\n"
	                   "> **Archived \xe2\x80\x94 superseded.** It was replaced on **2026-03-01** by the "
	                   "[current Refund policy](../refund-policy.md#top) (version 3.0).\n\n"
	                   "*Effective: 2024-01-15. Archived: 2026-03-01.*\n";
	assert_int_equal(detect("/kb/policies/old-2024/refund.md", "policies/old-2024/refund.md", text, &f),
	                 DOC_SUPERSEDED);
	assert_string_equal(f.superseded_by, "/kb/policies/refund-policy.md");
	assert_true(strncmp(f.reason, "banner: Archived", 16) == 0);
	assert_string_equal(f.effective, "2024-01-15");
	freshness_free(&f);
	assert_null(f.superseded_by);
}

static void front_matter_decides_first(void **state)
{
	(void)state;
	struct doc_freshness f;
	assert_int_equal(detect("/kb/a.md", "a.md",
	                        "---\ntitle: Prices\nstatus: deprecated\nlast_reviewed: 2025-02-03\n---\n# Prices\n",
	                        &f), DOC_ARCHIVED);
	assert_string_equal(f.reason, "front matter: status: deprecated");
	assert_string_equal(f.reviewed, "2025-02-03");
	freshness_free(&f);
	assert_int_equal(detect("/kb/docs/a.md", "docs/a.md", "---\nsuperseded_by: ./b.md\n---\nText.\n", &f),
	                 DOC_SUPERSEDED);
	assert_string_equal(f.superseded_by, "/kb/docs/b.md");
	freshness_free(&f);
	/* status: current outweighs an archive folder and a banner */
	assert_int_equal(detect("/kb/archive/a.md", "archive/a.md",
	                        "---\nstatus: current\n---\n> Deprecated: nothing.\n", &f), DOC_CURRENT);
	freshness_free(&f);
}

static void self_statements_and_titles(void **state)
{
	(void)state;
	struct doc_freshness f;
	assert_int_equal(detect("/kb/a.md", "a.md", "# Guide\n\n**Note:** This page is no longer maintained.\n", &f),
	                 DOC_ARCHIVED);
	freshness_free(&f);
	assert_int_equal(detect("/kb/a.md", "a.md", "# Installing the agent (3.x) \xe2\x80\x94 Legacy\n\nSteps.\n", &f),
	                 DOC_ARCHIVED);
	assert_true(strncmp(f.reason, "title: ", 7) == 0);
	freshness_free(&f);
	assert_int_equal(detect("/kb/a.md", "a.md", "Deprecated: see the new guide.\n", &f), DOC_ARCHIVED);
	freshness_free(&f);
	/* a notice that part of the page is outdated marks the page too */
	assert_int_equal(detect("/kb/rn/4.3.md", "rn/4.3.md",
	                        "# Release 4.3\n\n> **Superseded default.** This was reverted in 4.6, see the "
	                        "[4.6 release notes](4.6.md).\n", &f), DOC_SUPERSEDED);
	assert_string_equal(f.superseded_by, "/kb/rn/4.6.md");
	freshness_free(&f);
}

static void current_documents_that_mention_old_things_stay_current(void **state)
{
	(void)state;
	struct doc_freshness f;
	const char *texts[] = {
		"# Release 4.3\n\nThe superseded default was restored in 4.6.\n",
		"# Release 4.5\n\nDeprecated options are listed below.\n",
		"# Release 4.4\n\n## Deprecated\n\n- Deprecated: the --legacy flag.\n",
		"# Upgrading from legacy 3.x\n\nThis feature is deprecated in 3.x.\n",
		"# API\n\nAPI v1 was deprecated on 2025-09-01. See the [archived page](archive/v1.md).\n",
		"# Refund\n\n*Effective: March 1, 2026. Last reviewed: 21 April 2026.*\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		assert_int_equal(detect("/kb/x.md", "x.md", texts[i], &f), DOC_CURRENT);
		assert_null(f.superseded_by);
		if (i == 5) {
			assert_string_equal(f.effective, "2026-03-01");
			assert_string_equal(f.reviewed, "2026-04-21");
		}
		freshness_free(&f);
	}
}

static void banner_below_the_first_lines_is_not_read(void **state)
{
	(void)state;
	struct doc_freshness f;
	char text[2048] = "# Guide\n";
	for (int i = 0; i < FRESHNESS_SCAN_LINES; i++)
		strcat(text, "A line of text.\n");
	strcat(text, "> Archived: 2020-01-01.\n");
	assert_int_equal(detect("/kb/a.md", "a.md", text, &f), DOC_CURRENT);
	freshness_free(&f);
}

static void status_names_round_trip(void **state)
{
	(void)state;
	for (int s = DOC_CURRENT; s <= DOC_SUPERSEDED; s++)
		assert_int_equal(doc_status_parse(doc_status_name((enum doc_status)s)), s);
	assert_int_equal(doc_status_parse("stale"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(archive_folder_under_the_root_archives_a_document),
		cmocka_unit_test(banner_with_a_link_names_the_successor),
		cmocka_unit_test(front_matter_decides_first),
		cmocka_unit_test(self_statements_and_titles),
		cmocka_unit_test(current_documents_that_mention_old_things_stay_current),
		cmocka_unit_test(banner_below_the_first_lines_is_not_read),
		cmocka_unit_test(status_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
