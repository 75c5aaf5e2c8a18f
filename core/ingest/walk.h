/* walk: find the files an ingest run covers.
 *
 * Directories are walked recursively following symlinks; a directory seen
 * twice on one path (a symlink loop) is reported, not followed. Hidden
 * entries (name starting with '.') and editors' backups and temporaries
 * inside a walked directory are skipped (walk_name_ignored); such a path
 * named explicitly is walked. */
#ifndef RAGDECK_WALK_H
#define RAGDECK_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct walk_filter {
	const char *const *include; /* globs; empty = every file */
	size_t n_include;
	const char *const *exclude; /* globs; matched files and directories are left out */
	size_t n_exclude;
};

struct walk_file {
	char *path;      /* canonical absolute path (realpath) */
	char *rel;       /* path below the root it was found under ("a/b.md"; a root
	                  * that is a file: its name) */
	int64_t bytes;
	int64_t mtime_ns;
};

struct walk_problem {
	char *path;      /* as found */
	char *reason;    /* "symbolic link loop", "permission denied", ... */
};

struct walk_result {
	struct walk_file *files;
	size_t n_files, cap_files;
	struct walk_problem *problems;
	size_t n_problems, cap_problems;
	uint64_t total_bytes;
};

/* True when rel_path (relative to the walked root) matches glob: a glob
 * with a '/' is matched against the whole relative path ('*' crosses
 * directories), one without against the last component. */
bool walk_glob_match(const char *glob, const char *rel_path);

/* True when an entry called name inside a walked directory is left out:
 * hidden ("." first: .git, vim's .a.md.swp), a backup ("a.md~"), an
 * Emacs autosave ("#a.md#") or vim's write test file ("4913"). Watch
 * mode uses the same rule, so such files never cause work. */
bool walk_name_ignored(const char *name);

/* Walk each root (file or directory) into out. Files are sorted by path
 * and listed once even when reached twice. Problems (missing root, loop,
 * unreadable directory) are collected, not fatal. Free with
 * walk_result_free. */
void walk_paths(const char *const *roots, size_t n_roots, const struct walk_filter *filter,
                struct walk_result *out);

void walk_result_free(struct walk_result *r);

#endif
