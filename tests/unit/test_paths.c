/* Unit tests for core/util/paths: the input history's file per database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util/hash.h"
#include "core/util/paths.h"

struct fixture {
	char dir[64];
	char db[96], other[96];
};

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/rdpathsXXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/kb.db", f->dir);
	snprintf(f->other, sizeof f->other, "%s/other.db", f->dir);
	touch(f->db);
	touch(f->other);
	setenv("XDG_STATE_HOME", "/state", 1);
	setenv("HOME", "/home/u", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->db);
	unlink(f->other);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The file is named by the hash of the database's absolute path, so any
 * spelling of the same database finds the same history. */
static void history_is_per_database_whatever_path_names_it(void **state)
{
	struct fixture *f = *state;
	char hex[17], want[64], spelled[160], cwd[4096];
	hash64_hex(f->db, strlen(f->db), hex);
	snprintf(want, sizeof want, "/state/ragdeck/history-%s", hex);
	char *p = paths_history(f->db);
	assert_string_equal(p, want);
	free(p);

	snprintf(spelled, sizeof spelled, "%s/.././%s//kb.db", f->dir, f->dir + strlen("/tmp/"));
	p = paths_history(spelled);
	assert_string_equal(p, want);
	free(p);

	snprintf(spelled, sizeof spelled, "%s/link.db", f->dir);
	assert_int_equal(symlink(f->db, spelled), 0);
	p = paths_history(spelled);
	unlink(spelled);
	assert_string_equal(p, want);
	free(p);

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(f->dir), 0);
	p = paths_history("kb.db");
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(p, want);
	free(p);

	p = paths_history(f->other);
	assert_string_not_equal(p, want);
	assert_int_equal(strlen(p), strlen(want));
	free(p);
}

/* A database that does not exist yet is named by its path made absolute. */
static void missing_database_is_named_by_its_absolute_path(void **state)
{
	struct fixture *f = *state;
	char abs[160], hex[17], want[64], cwd[4096];
	snprintf(abs, sizeof abs, "%s/new.db", f->dir);
	hash64_hex(abs, strlen(abs), hex);
	snprintf(want, sizeof want, "/state/ragdeck/history-%s", hex);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(f->dir), 0);
	char *p = paths_history("new.db");
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(p, want);
	free(p);
}

/* NULL names the one file every database shared before; without an
 * absolute XDG_STATE_HOME the history is under HOME; without both, none. */
static void shared_file_and_fallbacks(void **state)
{
	struct fixture *f = *state;
	char *p = paths_history(NULL);
	assert_string_equal(p, "/state/ragdeck/history");
	free(p);
	setenv("XDG_STATE_HOME", "relative/state", 1);
	p = paths_history(NULL);
	assert_string_equal(p, "/home/u/.local/state/ragdeck/history");
	free(p);
	unsetenv("XDG_STATE_HOME");
	p = paths_history(f->db);
	assert_memory_equal(p, "/home/u/.local/state/ragdeck/history-", 37);
	assert_int_equal(strlen(p), 37 + 16);
	free(p);
	unsetenv("HOME");
	assert_null(paths_history(f->db));
	assert_null(paths_history(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(history_is_per_database_whatever_path_names_it, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_database_is_named_by_its_absolute_path, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_file_and_fallbacks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
