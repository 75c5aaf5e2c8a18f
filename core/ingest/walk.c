#include "core/ingest/walk.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Directories on the current descent, to recognise loops. */
struct dir_stack {
	dev_t *dev;
	ino_t *ino;
	size_t n, cap;
};

struct walker {
	const struct walk_filter *filter;
	struct walk_result *out;
	struct dir_stack stack;
};

bool walk_glob_match(const char *glob, const char *rel_path)
{
	if (strchr(glob, '/'))
		return fnmatch(glob, rel_path, 0) == 0;
	const char *base = strrchr(rel_path, '/');
	return fnmatch(glob, base ? base + 1 : rel_path, 0) == 0;
}

bool walk_name_ignored(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || name[0] == '.' || name[len - 1] == '~')
		return true;
	if (len >= 2 && name[0] == '#' && name[len - 1] == '#')
		return true;
	return strcmp(name, "4913") == 0;
}

static bool any_match(const char *const *globs, size_t n, const char *rel)
{
	for (size_t i = 0; i < n; i++)
		if (walk_glob_match(globs[i], rel))
			return true;
	return false;
}

static void add_problem(struct walk_result *r, const char *path, const char *reason)
{
	if (r->n_problems == r->cap_problems) {
		r->cap_problems = r->cap_problems ? r->cap_problems * 2 : 8;
		r->problems = xreallocarray(r->problems, r->cap_problems, sizeof *r->problems);
	}
	r->problems[r->n_problems].path = xstrdup(path);
	r->problems[r->n_problems].reason = xstrdup(reason);
	r->n_problems++;
}

static void add_file(struct walk_result *r, const char *path, const char *rel, const struct stat *st)
{
	char *real = realpath(path, NULL);
	if (!real) {
		add_problem(r, path, strerror(errno));
		return;
	}
	if (r->n_files == r->cap_files) {
		r->cap_files = r->cap_files ? r->cap_files * 2 : 64;
		r->files = xreallocarray(r->files, r->cap_files, sizeof *r->files);
	}
	struct walk_file *f = &r->files[r->n_files++];
	f->path = real;
	if (rel[0]) {
		f->rel = xstrdup(rel);
	} else {
		const char *slash = strrchr(path, '/');
		f->rel = xstrdup(slash ? slash + 1 : path);
	}
	f->bytes = (int64_t)st->st_size;
	f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static bool on_stack(const struct dir_stack *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return true;
	return false;
}

static void push_dir(struct dir_stack *s, const struct stat *st)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->dev = xreallocarray(s->dev, s->cap, sizeof *s->dev);
		s->ino = xreallocarray(s->ino, s->cap, sizeof *s->ino);
	}
	s->dev[s->n] = st->st_dev;
	s->ino[s->n] = st->st_ino;
	s->n++;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_entry(struct walker *w, const char *path, const char *rel, bool explicit_root);

static void walk_dir(struct walker *w, const char *path, const char *rel, const struct stat *st)
{
	if (on_stack(&w->stack, st)) {
		add_problem(w->out, path, "symbolic link loop (directory already being walked)");
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		add_problem(w->out, path, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (walk_name_ignored(de->d_name))
			continue; /* ".", "..", hidden entries, editors' files */
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, compare_names); /* names is NULL when empty */
	push_dir(&w->stack, st);
	struct strbuf child = STRBUF_INIT, child_rel = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sb_reset(&child);
		sb_reset(&child_rel);
		sb_printf(&child, "%s/%s", path, names[i]);
		if (rel[0])
			sb_printf(&child_rel, "%s/%s", rel, names[i]);
		else
			sb_puts(&child_rel, names[i]);
		walk_entry(w, sb_str(&child), sb_str(&child_rel), false);
		free(names[i]);
	}
	w->stack.n--;
	sb_free(&child);
	sb_free(&child_rel);
	free(names);
}

static void walk_entry(struct walker *w, const char *path, const char *rel, bool explicit_root)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int e = errno;
		struct stat lst;
		if (e == ELOOP)
			add_problem(w->out, path, "symbolic link loop");
		else if (e == ENOENT && lstat(path, &lst) == 0)
			add_problem(w->out, path, "dangling symbolic link");
		else
			add_problem(w->out, path, strerror(e));
		return;
	}
	const struct walk_filter *f = w->filter;
	if (!explicit_root && any_match(f->exclude, f->n_exclude, rel))
		return;
	if (S_ISDIR(st.st_mode)) {
		walk_dir(w, path, rel, &st);
		return;
	}
	if (!explicit_root && f->n_include && !any_match(f->include, f->n_include, rel))
		return;
	if (!S_ISREG(st.st_mode)) {
		add_problem(w->out, path, "not a regular file");
		return;
	}
	add_file(w->out, path, rel, &st);
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct walk_file *)a)->path, ((const struct walk_file *)b)->path);
}

/* Sort by path and drop files reached twice (through symlinks). */
static void sort_unique(struct walk_result *r)
{
	if (r->n_files > 1) /* files is NULL when none were found */
		qsort(r->files, r->n_files, sizeof *r->files, compare_files);
	size_t out = 0;
	for (size_t i = 0; i < r->n_files; i++) {
		if (out && strcmp(r->files[out - 1].path, r->files[i].path) == 0) {
			free(r->files[i].path);
			free(r->files[i].rel);
			continue;
		}
		r->files[out++] = r->files[i];
	}
	r->n_files = out;
	r->total_bytes = 0;
	for (size_t i = 0; i < out; i++)
		r->total_bytes += (uint64_t)r->files[i].bytes;
}

void walk_paths(const char *const *roots, size_t n_roots, const struct walk_filter *filter,
                struct walk_result *out)
{
	struct walker w = { .filter = filter, .out = out };
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n_roots; i++) {
		size_t len = strlen(roots[i]);
		char *root = xstrndup(roots[i], len);
		while (len > 1 && root[len - 1] == '/')
			root[--len] = '\0';
		walk_entry(&w, root, "", true);
		free(root);
	}
	free(w.stack.dev);
	free(w.stack.ino);
	sort_unique(out);
}

void walk_result_free(struct walk_result *r)
{
	for (size_t i = 0; i < r->n_files; i++) {
		free(r->files[i].path);
		free(r->files[i].rel);
	}
	for (size_t i = 0; i < r->n_problems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].reason);
	}
	free(r->files);
	free(r->problems);
	memset(r, 0, sizeof *r);
}
