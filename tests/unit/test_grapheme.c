/* Unit tests for core/util/grapheme: cluster boundaries both ways, the
 * columns of each kind of cluster in both models, and the forms they are
 * drawn in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/util/clock.h"
#include "core/util/grapheme.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"

/* man, woman, girl, boy joined by ZWJ: 7 code points */
#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" \
               "\xe2\x80\x8d\xf0\x9f\x91\xa6"
#define TECHNOLOGIST "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb"   /* man ZWJ laptop */
#define FLAG_FR "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"
#define RI_D "\xf0\x9f\x87\xa9"
#define HEART "\xe2\x9d\xa4\xef\xb8\x8f"                  /* U+2764 U+FE0F */
#define WATCH_TEXT "\xe2\x8c\x9a\xef\xb8\x8e"             /* U+231A U+FE0E */
#define THUMB_SKIN "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"     /* thumbs up, medium skin tone */
#define KEYCAP_1 "1\xef\xb8\x8f\xe2\x83\xa3"
#define E_ACUTE "e\xcc\x81"
#define CJK "\xe4\xb8\xad"
#define SHIN_DOTTED "\xd7\xa9\xd6\xb8\xd7\x81"            /* shin, qamats, shin dot */
#define SEEN_FATHA "\xd8\xb3\xd9\x8e"                     /* seen with fatha */
#define HANGUL_LVT "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab" /* han in jamo */
#define KA_AA "\xe0\xa4\x95\xe0\xa4\xbe"                  /* Devanagari ka + vowel sign aa */
#define THAI_AM "\xe0\xb8\x81\xe0\xb8\xb3"                /* ko kai + sara am */

struct kind {
	const char *name, *s;
	unsigned per_codepoint, cluster;  /* columns in each model */
	bool one_cell;                    /* drawn whole in cluster mode */
};

/* One cluster each. */
static const struct kind kinds[] = {
	{ "ZWJ family", FAMILY, 8, 8, false },
	{ "ZWJ technologist", TECHNOLOGIST, 4, 2, true },
	{ "flag", FLAG_FR, 2, 2, false },
	{ "VS16 heart", HEART, 1, 1, false },
	{ "VS15 watch", WATCH_TEXT, 2, 2, false },
	{ "skin tone", THUMB_SKIN, 4, 2, true },
	{ "keycap", KEYCAP_1, 1, 1, false },
	{ "combining acute", E_ACUTE, 1, 1, true },
	{ "CJK", CJK, 2, 2, false },
	{ "Hebrew with points", SHIN_DOTTED, 1, 1, true },
	{ "Arabic with fatha", SEEN_FATHA, 1, 1, true },
	{ "Hangul jamo", HANGUL_LVT, 2, 2, true },
	{ "Devanagari vowel sign", KA_AA, 2, 1, true },
	{ "Thai sara am", THAI_AM, 2, 2, false },
};

static void teardown_mode(void)
{
	grapheme_set_mode(GRAPHEME_PER_CODEPOINT);
}

static void each_kind_is_one_cluster_with_its_columns_in_both_models(void **state)
{
	(void)state;
	for (int m = 0; m < 2; m++) {
		grapheme_set_mode(m ? GRAPHEME_CLUSTER : GRAPHEME_PER_CODEPOINT);
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
			const struct kind *c = &kinds[k];
			size_t len = strlen(c->s);
			struct grapheme g;
			size_t end = grapheme_next(c->s, len, 0, &g);
			unsigned want = m ? c->cluster : c->per_codepoint;
			if (end != len || g.cols != want || g.one_cell != (m && c->one_cell))
				fail_msg("%s (%s): end %zu of %zu, %u columns (want %u), one cell %d",
				         c->name, m ? "cluster" : "per_codepoint", end, len, g.cols, want,
				         g.one_cell);
			assert_int_equal(grapheme_prev(c->s, len, len), 0);
		}
	}
	teardown_mode();
}

static void text_is_cut_into_clusters_the_same_way_both_ways(void **state)
{
	(void)state;
	/* "a", family, flag, lone RI, tab, Hebrew "shin lamed", newline,
	 * invalid byte, combining mark after a control, CJK, skin tone */
	const char s[] = "a" FAMILY FLAG_FR RI_D "\t" SHIN_DOTTED "\xd7\x9c" "\n" "\xff"
	                 "\xcc\x81" CJK THUMB_SKIN;
	const unsigned cols[] = { 1, 8, 2, 1, 0, 1, 1, 0, 1, 0, 2, 4 };
	size_t len = sizeof s - 1, i = 0, k = 0, at[16];
	while (i < len) {
		struct grapheme g;
		at[k] = i;
		i = grapheme_next(s, len, i, &g);
		assert_true(k < sizeof cols / sizeof cols[0]);
		if (g.cols != cols[k])
			fail_msg("cluster %zu at byte %zu: %u columns, want %u", k, at[k], g.cols, cols[k]);
		k++;
	}
	assert_int_equal(k, sizeof cols / sizeof cols[0]);
	while (k > 0) {
		i = grapheme_prev(s, len, i);
		assert_int_equal(i, at[--k]);
	}
	assert_int_equal(grapheme_prev(s, len, 0), 0);
	/* inside a cluster: its start */
	assert_int_equal(grapheme_prev(s, len, at[1] + 5), at[1]);
}

static void width_is_the_sum_of_the_clusters(void **state)
{
	(void)state;
	const char s[] = "x " FAMILY " " FLAG_FR HEART THUMB_SKIN KEYCAP_1 E_ACUTE CJK SHIN_DOTTED;
	assert_int_equal(grapheme_width(s, sizeof s - 1), 1 + 1 + 8 + 1 + 2 + 1 + 4 + 1 + 1 + 2 + 1);
	grapheme_set_mode(GRAPHEME_CLUSTER);
	assert_int_equal(grapheme_width(s, sizeof s - 1), 1 + 1 + 8 + 1 + 2 + 1 + 2 + 1 + 1 + 2 + 1);
	teardown_mode();
	assert_int_equal(grapheme_width("", 0), 0);
	assert_int_equal(grapheme_width("a\x1b" "b\x7f", 4), 2);
}

static size_t drawn(const char *s, uint32_t *out, struct grapheme *g)
{
	size_t len = strlen(s), end = grapheme_next(s, len, 0, g);
	assert_int_equal(end, len);
	return grapheme_drawn(s, 0, end, g, out);
}

#define ASSERT_DRAWN(s, ...) \
	do { \
		const uint32_t want_[] = { __VA_ARGS__ }; \
		uint32_t got_[GRAPHEME_DRAWN_MAX]; \
		struct grapheme g_; \
		size_t n_ = drawn(s, got_, &g_); \
		assert_int_equal(n_, sizeof want_ / sizeof want_[0]); \
		for (size_t k_ = 0; k_ < n_; k_++) \
			assert_int_equal(got_[k_], want_[k_]); \
	} while (0)

static void per_codepoint_draws_what_every_terminal_splits_alike(void **state)
{
	(void)state;
	ASSERT_DRAWN(FAMILY, 0x1F468, 0x1F469, 0x1F467, 0x1F466);
	ASSERT_DRAWN(HEART, 0x2764);
	ASSERT_DRAWN(WATCH_TEXT, 0x231A);
	ASSERT_DRAWN(THUMB_SKIN, 0x1F44D, 0x200B, 0x1F3FD);
	ASSERT_DRAWN(KEYCAP_1, '1', 0x20E3);
	ASSERT_DRAWN(FLAG_FR, 0x1F1EB, 0x1F1F7);
	ASSERT_DRAWN(RI_D, 0xFFFD);
	ASSERT_DRAWN(E_ACUTE, 'e', 0x0301);
	ASSERT_DRAWN("\xff", 0xFFFD);
	uint32_t out[GRAPHEME_DRAWN_MAX];
	struct grapheme g;
	assert_int_equal(grapheme_next("\t", 1, 0, &g), 1);
	assert_int_equal(grapheme_drawn("\t", 0, 1, &g, out), 0);
}

static void cluster_mode_draws_short_clusters_in_one_cell(void **state)
{
	(void)state;
	grapheme_set_mode(GRAPHEME_CLUSTER);
	ASSERT_DRAWN(TECHNOLOGIST, 0x1F468, 0x200D, 0x1F4BB);
	ASSERT_DRAWN(THUMB_SKIN, 0x1F44D, 0x1F3FD);
	/* too long for a cell, or a selector that changes the width: split */
	ASSERT_DRAWN(FAMILY, 0x1F468, 0x1F469, 0x1F467, 0x1F466);
	ASSERT_DRAWN(HEART, 0x2764);
	ASSERT_DRAWN(KEYCAP_1, '1', 0x20E3);
	teardown_mode();
}

/* Whatever the text, the drawn code points take the cluster's columns:
 * their widths add up for a split cluster, the first one's for a cell. */
static void drawn_forms_take_the_columns_counted(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		sb_printf(&sb, "%s %s", kinds[k].s, RI_D);
	for (int m = 0; m < 2; m++) {
		grapheme_set_mode(m ? GRAPHEME_CLUSTER : GRAPHEME_PER_CODEPOINT);
		for (size_t i = 0; i < sb.len;) {
			struct grapheme g;
			uint32_t out[GRAPHEME_DRAWN_MAX];
			size_t end = grapheme_next(sb.buf, sb.len, i, &g);
			size_t n = grapheme_drawn(sb.buf, i, end, &g, out);
			unsigned sum = 0;
			for (size_t d = 0; d < n; d++)
				sum += (unsigned)utf8_cp_width(out[d]);
			if (g.one_cell) {
				assert_true(n >= 2 && n <= GRAPHEME_CELL_MAX);
				assert_int_equal((unsigned)utf8_cp_width(out[0]), g.cols);
			} else {
				assert_int_equal(sum, g.cols);
			}
			i = end;
		}
	}
	teardown_mode();
	sb_free(&sb);
}

static void long_runs_of_marks_are_cut_and_looking_back_is_bounded(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_putc(&sb, 'a');
	for (int k = 0; k < 100000; k++)
		sb_puts(&sb, "\xcc\x81");
	struct grapheme g;
	size_t end = grapheme_next(sb.buf, sb.len, 0, &g);
	assert_int_equal(end, 1 + 2 * (GRAPHEME_MAX_CPS - 1));
	assert_int_equal(g.cols, 1);
	uint64_t t0 = clock_now_ns();
	size_t p = sb.len;
	for (int k = 0; k < 1000; k++) {
		size_t q = grapheme_prev(sb.buf, sb.len, p);
		assert_true(q < p && p - q <= 2 * GRAPHEME_MAX_CPS);
		p = q;
	}
	double ms = (double)(clock_now_ns() - t0) / 1e6;
	print_message("grapheme_prev: 1000 steps back through combining marks in %.2f ms\n", ms);
	assert_true(ms < 500);
	sb_free(&sb);
}

static void mode_names_parse(void **state)
{
	(void)state;
	enum grapheme_mode m = GRAPHEME_CLUSTER;
	assert_int_equal(grapheme_mode_parse("per_codepoint", &m), 0);
	assert_int_equal(m, GRAPHEME_PER_CODEPOINT);
	assert_int_equal(grapheme_mode_parse("cluster", &m), 0);
	assert_int_equal(m, GRAPHEME_CLUSTER);
	assert_int_equal(grapheme_mode_parse("clusters", &m), -1);
	assert_int_equal(grapheme_mode(), GRAPHEME_PER_CODEPOINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_kind_is_one_cluster_with_its_columns_in_both_models),
		cmocka_unit_test(text_is_cut_into_clusters_the_same_way_both_ways),
		cmocka_unit_test(width_is_the_sum_of_the_clusters),
		cmocka_unit_test(per_codepoint_draws_what_every_terminal_splits_alike),
		cmocka_unit_test(cluster_mode_draws_short_clusters_in_one_cell),
		cmocka_unit_test(drawn_forms_take_the_columns_counted),
		cmocka_unit_test(long_runs_of_marks_are_cut_and_looking_back_is_bounded),
		cmocka_unit_test(mode_names_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
