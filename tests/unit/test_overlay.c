/* Unit tests for tui/ui/overlay: the top item gets a command first, a
 * closing item is popped and freed, an item of the same kind replaces the
 * top, and freeing the stack frees what is left, top first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tui/ui/overlay.h"

/* A fake overlay: its name, what it answers, the commands it saw. */
struct fake {
	const char *name;
	enum overlay_reply reply;
	int seen;
};

static const char *freed[8];
static size_t n_freed;

static void fake_destroy(void *item)
{
	freed[n_freed++] = ((struct fake *)item)->name;
}

static enum overlay_reply fake_handle(void *item, enum keys_cmd cmd)
{
	struct fake *f = item;
	(void)cmd;
	f->seen++;
	return f->reply;
}

static const int help_kind, viewer_kind;

static int reset(void **state)
{
	(void)state;
	memset(freed, 0, sizeof freed);
	n_freed = 0;
	return 0;
}

static void an_empty_stack_passes_every_command(void **state)
{
	(void)state;
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	assert_null(overlay_stack_top(s));
	assert_int_equal(overlay_stack_depth(s), 0);
	assert_int_equal(overlay_stack_offer(s, KEYS_CMD_CANCEL, fake_handle), OVERLAY_PASS);
	overlay_stack_free(&s);
	assert_null(s);
	assert_int_equal(n_freed, 0);
}

static void the_top_item_gets_the_command_and_the_one_below_does_not(void **state)
{
	(void)state;
	struct fake help = { "help", OVERLAY_TAKEN, 0 }, viewer = { "viewer", OVERLAY_TAKEN, 0 };
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	overlay_stack_push(s, &help_kind, &help);
	overlay_stack_push(s, &viewer_kind, &viewer);
	assert_ptr_equal(overlay_stack_top(s), &viewer);
	assert_int_equal(overlay_stack_offer(s, KEYS_CMD_SCROLL_DOWN, fake_handle), OVERLAY_TAKEN);
	assert_int_equal(viewer.seen, 1);
	assert_int_equal(help.seen, 0);
	assert_int_equal(overlay_stack_depth(s), 2);
	overlay_stack_free(&s);
}

static void a_passed_command_leaves_the_stack_as_it_was(void **state)
{
	(void)state;
	struct fake help = { "help", OVERLAY_PASS, 0 };
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	overlay_stack_push(s, &help_kind, &help);
	assert_int_equal(overlay_stack_offer(s, KEYS_CMD_FOCUS_NEXT, fake_handle), OVERLAY_PASS);
	assert_ptr_equal(overlay_stack_top(s), &help);
	assert_int_equal(n_freed, 0);
	overlay_stack_free(&s);
}

static void closing_pops_and_frees_the_top_and_shows_the_one_below(void **state)
{
	(void)state;
	struct fake help = { "help", OVERLAY_CLOSE, 0 }, viewer = { "viewer", OVERLAY_CLOSE, 0 };
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	overlay_stack_push(s, &help_kind, &help);
	overlay_stack_push(s, &viewer_kind, &viewer);
	assert_int_equal(overlay_stack_offer(s, KEYS_CMD_CANCEL, fake_handle), OVERLAY_CLOSE);
	assert_int_equal(n_freed, 1);
	assert_string_equal(freed[0], "viewer");
	assert_ptr_equal(overlay_stack_top(s), &help);
	assert_int_equal(overlay_stack_offer(s, KEYS_CMD_CANCEL, fake_handle), OVERLAY_CLOSE);
	assert_null(overlay_stack_top(s));
	assert_string_equal(freed[1], "help");
	overlay_stack_free(&s);
	assert_int_equal(n_freed, 2);
}

static void the_same_kind_on_top_is_replaced_not_stacked(void **state)
{
	(void)state;
	struct fake help = { "help", OVERLAY_TAKEN, 0 }, sessions = { "sessions", OVERLAY_TAKEN, 0 };
	struct fake viewer = { "viewer", OVERLAY_TAKEN, 0 };
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	overlay_stack_push(s, &help_kind, &help);
	overlay_stack_push(s, &help_kind, &sessions);
	assert_int_equal(overlay_stack_depth(s), 1);
	assert_string_equal(freed[0], "help");
	overlay_stack_push(s, &viewer_kind, &viewer);
	assert_int_equal(overlay_stack_depth(s), 2);
	overlay_stack_free(&s);
}

static void freeing_the_stack_frees_what_is_left_top_first(void **state)
{
	(void)state;
	struct fake help = { "help", OVERLAY_TAKEN, 0 }, viewer = { "viewer", OVERLAY_TAKEN, 0 };
	struct overlay_stack *s = overlay_stack_new(fake_destroy);
	overlay_stack_push(s, &help_kind, &help);
	overlay_stack_push(s, &viewer_kind, &viewer);
	overlay_stack_free(&s);
	assert_int_equal(n_freed, 2);
	assert_string_equal(freed[0], "viewer");
	assert_string_equal(freed[1], "help");
	overlay_stack_free(&s);
	assert_int_equal(n_freed, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(an_empty_stack_passes_every_command, reset),
		cmocka_unit_test_setup(the_top_item_gets_the_command_and_the_one_below_does_not, reset),
		cmocka_unit_test_setup(a_passed_command_leaves_the_stack_as_it_was, reset),
		cmocka_unit_test_setup(closing_pops_and_frees_the_top_and_shows_the_one_below, reset),
		cmocka_unit_test_setup(the_same_kind_on_top_is_replaced_not_stacked, reset),
		cmocka_unit_test_setup(freeing_the_stack_frees_what_is_left_top_first, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
