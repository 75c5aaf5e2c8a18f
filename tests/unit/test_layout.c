/* Unit tests for tui/ui/layout: layouts asserted as text, no curses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tui/ui/layout.h"

static void expect_tree(int cols, int rows, enum layout_pane focus, bool zoom, bool eval,
                        int input_rows, const char *want)
{
	struct layout_params p = { cols, rows, focus, zoom, eval, input_rows };
	struct layout l;
	struct strbuf sb = STRBUF_INIT;
	layout_compute(&p, &l);
	layout_describe(&l, &sb);
	assert_string_equal(sb_str(&sb), want);
	sb_free(&sb);
}

static void split_at_120x40_shows_four_panes(void **state)
{
	(void)state;
	expect_tree(120, 40, LAYOUT_CHAT, false, false, 1,
	            "split 120x40 focus=chat\n"
	            "  chat 0,0 72x38 *\n"
	            "  context 72,0 48x15\n"
	            "  dashboard 72,15 48x12\n"
	            "  routing 72,27 48x11\n"
	            "  input 0,38 120x1\n"
	            "  status 0,39 120x1\n");
}

static void split_starts_exactly_at_100x30(void **state)
{
	(void)state;
	expect_tree(100, 30, LAYOUT_ROUTING, false, false, 1,
	            "split 100x30 focus=routing\n"
	            "  chat 0,0 60x28\n"
	            "  context 60,0 40x11\n"
	            "  dashboard 60,11 40x9\n"
	            "  routing 60,20 40x8 *\n"
	            "  input 0,28 100x1\n"
	            "  status 0,29 100x1\n");
}

static void one_column_short_of_split_gives_tabs(void **state)
{
	(void)state;
	expect_tree(99, 30, LAYOUT_CONTEXT, false, false, 1,
	            "tabs 99x30 focus=context\n"
	            "  context 0,1 99x27 *\n"
	            "  tabbar 0,0 99x1 chat context* dashboard routing\n"
	            "  input 0,28 99x1\n"
	            "  status 0,29 99x1\n");
	expect_tree(100, 29, LAYOUT_CHAT, false, false, 1,
	            "tabs 100x29 focus=chat\n"
	            "  chat 0,1 100x26 *\n"
	            "  tabbar 0,0 100x1 chat* context dashboard routing\n"
	            "  input 0,27 100x1\n"
	            "  status 0,28 100x1\n");
}

static void tabs_at_60x20_draws_as_boxes(void **state)
{
	(void)state;
	struct layout_params p = { 60, 20, LAYOUT_DASHBOARD, false, false, 1 };
	struct layout l;
	struct strbuf sb = STRBUF_INIT;
	layout_compute(&p, &l);
	layout_draw(&l, &sb);
	const char *bar = " 1:chat  2:context [3:dashboard] 4:routing                  \n";
	const char *top = "+dashboard*------------------------------------------------+\n";
	const char *mid = "|                                                          |\n";
	const char *bot = "+----------------------------------------------------------+\n";
	const char *in = ">                                                           \n";
	const char *st = "============================================================\n";
	struct strbuf want = STRBUF_INIT;
	sb_puts(&want, bar);
	sb_puts(&want, top);
	for (int i = 0; i < 15; i++)
		sb_puts(&want, mid);
	sb_puts(&want, bot);
	sb_puts(&want, in);
	sb_puts(&want, st);
	assert_string_equal(sb_str(&sb), sb_str(&want));
	sb_free(&sb);
	sb_free(&want);
}

static void tiny_20x5_keeps_every_size_non_negative(void **state)
{
	(void)state;
	struct layout_params p = { 20, 5, LAYOUT_CHAT, false, false, 4 };
	struct layout l;
	struct strbuf sb = STRBUF_INIT;
	layout_compute(&p, &l);
	layout_describe(&l, &sb);
	assert_string_equal(sb_str(&sb),
	                    "tabs 20x5 focus=chat\n"
	                    "  chat 0,1 20x2 *\n"
	                    "  tabbar 0,0 20x1 chat* context dashboard routing\n"
	                    "  input 0,3 20x1\n"
	                    "  status 0,4 20x1\n");
	sb_reset(&sb);
	layout_draw(&l, &sb);
	assert_string_equal(sb_str(&sb),
	                    "[1:chat] 2:context  \n"
	                    "+chat*-------------+\n"
	                    "+------------------+\n"
	                    ">                   \n"
	                    "====================\n");
	sb_free(&sb);
}

static void degenerate_sizes_collapse_to_zero(void **state)
{
	(void)state;
	expect_tree(0, 0, LAYOUT_CHAT, false, false, 1,
	            "tabs 0x0 focus=chat\n"
	            "  tabbar 0,0 0x0 chat* context dashboard routing\n"
	            "  input 0,0 0x0\n"
	            "  status 0,0 0x0\n");
	expect_tree(-5, -3, LAYOUT_CHAT, true, false, 1,
	            "zoom 0x0 focus=chat\n"
	            "  input 0,0 0x0\n"
	            "  status 0,0 0x0\n");
	expect_tree(10, 2, LAYOUT_CHAT, false, false, 1,
	            "tabs 10x2 focus=chat\n"
	            "  tabbar 0,0 10x0 chat* context dashboard routing\n"
	            "  input 0,0 10x1\n"
	            "  status 0,1 10x1\n");
	expect_tree(10, 3, LAYOUT_CHAT, false, false, 1,
	            "tabs 10x3 focus=chat\n"
	            "  chat 0,0 10x1 *\n"
	            "  tabbar 0,0 10x0 chat* context dashboard routing\n"
	            "  input 0,1 10x1\n"
	            "  status 0,2 10x1\n");
}

static void zoom_gives_focused_pane_the_whole_body(void **state)
{
	(void)state;
	expect_tree(120, 40, LAYOUT_DASHBOARD, true, false, 1,
	            "zoom 120x40 focus=dashboard\n"
	            "  dashboard 0,0 120x38 *\n"
	            "  input 0,38 120x1\n"
	            "  status 0,39 120x1\n");
	expect_tree(60, 20, LAYOUT_ROUTING, true, false, 1,
	            "zoom 60x20 focus=routing\n"
	            "  routing 0,0 60x18 *\n"
	            "  input 0,18 60x1\n"
	            "  status 0,19 60x1\n");
}

static void multi_line_input_grows_up_to_a_third(void **state)
{
	(void)state;
	expect_tree(120, 40, LAYOUT_CHAT, false, false, 5,
	            "split 120x40 focus=chat\n"
	            "  chat 0,0 72x34 *\n"
	            "  context 72,0 48x13\n"
	            "  dashboard 72,13 48x11\n"
	            "  routing 72,24 48x10\n"
	            "  input 0,34 120x5\n"
	            "  status 0,39 120x1\n");
	expect_tree(60, 20, LAYOUT_CHAT, true, false, 50,
	            "zoom 60x20 focus=chat\n"
	            "  chat 0,0 60x13 *\n"
	            "  input 0,13 60x6\n"
	            "  status 0,19 60x1\n");
}

static void eval_replaces_context_unless_context_is_focused(void **state)
{
	(void)state;
	expect_tree(120, 40, LAYOUT_CHAT, false, true, 1,
	            "split 120x40 focus=chat\n"
	            "  chat 0,0 72x38 *\n"
	            "  dashboard 72,15 48x12\n"
	            "  routing 72,27 48x11\n"
	            "  eval 72,0 48x15\n"
	            "  input 0,38 120x1\n"
	            "  status 0,39 120x1\n");
	expect_tree(120, 40, LAYOUT_CONTEXT, false, true, 1,
	            "split 120x40 focus=context\n"
	            "  chat 0,0 72x38\n"
	            "  context 72,0 48x15 *\n"
	            "  dashboard 72,15 48x12\n"
	            "  routing 72,27 48x11\n"
	            "  input 0,38 120x1\n"
	            "  status 0,39 120x1\n");
	expect_tree(60, 20, LAYOUT_EVAL, false, true, 1,
	            "tabs 60x20 focus=eval\n"
	            "  eval 0,1 60x17 *\n"
	            "  tabbar 0,0 60x1 chat context dashboard routing eval*\n"
	            "  input 0,18 60x1\n"
	            "  status 0,19 60x1\n");
}

static void eval_focus_without_evaluation_falls_back_to_chat(void **state)
{
	(void)state;
	expect_tree(120, 40, LAYOUT_EVAL, false, false, 1,
	            "split 120x40 focus=chat\n"
	            "  chat 0,0 72x38 *\n"
	            "  context 72,0 48x15\n"
	            "  dashboard 72,15 48x12\n"
	            "  routing 72,27 48x11\n"
	            "  input 0,38 120x1\n"
	            "  status 0,39 120x1\n");
	expect_tree(60, 20, (enum layout_pane)42, false, false, 1,
	            "tabs 60x20 focus=chat\n"
	            "  chat 0,1 60x17 *\n"
	            "  tabbar 0,0 60x1 chat* context dashboard routing\n"
	            "  input 0,18 60x1\n"
	            "  status 0,19 60x1\n");
}

static bool overlaps(struct layout_rect a, struct layout_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void within(struct layout_rect r, int cols, int rows)
{
	assert_true(r.w >= 0 && r.h >= 0 && r.x >= 0 && r.y >= 0);
	assert_true(r.x + r.w <= cols && r.y + r.h <= rows);
}

/* Every size from 0x0 to 130x45, every focus, zoom and eval: rectangles
 * stay on screen, never negative, never overlap, and the rows add up. */
static void every_size_tiles_the_screen_without_overlap(void **state)
{
	(void)state;
	for (int cols = 0; cols <= 130; cols++)
	for (int rows = 0; rows <= 45; rows++)
	for (int f = 0; f < LAYOUT_PANE_COUNT; f++)
	for (int flags = 0; flags < 4; flags++) {
		struct layout_params p = { cols, rows, (enum layout_pane)f, flags & 1, flags & 2, 1 + f };
		struct layout l;
		layout_compute(&p, &l);
		struct layout_rect r[LAYOUT_PANE_COUNT + 3];
		int n = 0;
		for (int i = 0; i < LAYOUT_PANE_COUNT; i++)
			if (l.visible[i])
				r[n++] = l.pane[i];
		r[n++] = l.tabbar;
		r[n++] = l.input;
		r[n++] = l.status;
		for (int i = 0; i < n; i++) {
			within(r[i], cols, rows);
			for (int j = i + 1; j < n; j++)
				assert_false(overlaps(r[i], r[j]));
		}
		assert_int_equal(l.status.y + l.status.h, rows);
		assert_int_equal(l.input.y + l.input.h, l.status.y);
		if (rows >= 3 && cols >= 1)
			assert_true(l.visible[l.focus]);
	}
}

static void pane_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(layout_pane_name(LAYOUT_CHAT), "chat");
	assert_string_equal(layout_pane_name(LAYOUT_EVAL), "eval");
	assert_string_equal(layout_pane_name(LAYOUT_PANE_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_at_120x40_shows_four_panes),
		cmocka_unit_test(split_starts_exactly_at_100x30),
		cmocka_unit_test(one_column_short_of_split_gives_tabs),
		cmocka_unit_test(tabs_at_60x20_draws_as_boxes),
		cmocka_unit_test(tiny_20x5_keeps_every_size_non_negative),
		cmocka_unit_test(degenerate_sizes_collapse_to_zero),
		cmocka_unit_test(zoom_gives_focused_pane_the_whole_body),
		cmocka_unit_test(multi_line_input_grows_up_to_a_third),
		cmocka_unit_test(eval_replaces_context_unless_context_is_focused),
		cmocka_unit_test(eval_focus_without_evaluation_falls_back_to_chat),
		cmocka_unit_test(every_size_tiles_the_screen_without_overlap),
		cmocka_unit_test(pane_names_are_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
