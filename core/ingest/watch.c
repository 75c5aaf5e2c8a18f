/* watch: inotify's directories and events, and the watcher (watch.h).
 * The pending paths and batches are watch_pending.c; applying a batch is
 * watch_apply.c. */
#include "core/ingest/watch_int.h"
#include "core/ingest/walk.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a watched directory reports. IN_MODIFY too, so that a file kept
 * open and written to (a log) is seen before it is closed; the kernel
 * merges a run of identical events into one. Symbolic links are not
 * followed (IN_DONT_FOLLOW, and lstat when descending): see
 * docs/architecture.md for that limit. */
#define DIR_MASK                                                                                      \
	(IN_CLOSE_WRITE | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |   \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* Events a read takes at most; each is at most sizeof(struct
 * inotify_event) + NAME_MAX + 1 bytes. */
#define READ_BYTES (64 * 1024)

/* ---- which paths count: the walk's rules ---- */

static bool any_glob(const char *const *globs, size_t n, const char *rel)
{
	for (size_t i = 0; i < n; i++)
		if (walk_glob_match(globs[i], rel))
			return true;
	return false;
}

/* True when rel (below a directory root) is one the walk would take:
 * no component ignored or excluded, and a file matches the includes. */
static bool rel_wanted(const struct watch *w, const char *rel, bool is_dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(rel);
	if (len >= sizeof buf)
		return false;
	memcpy(buf, rel, len + 1);
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		bool out = walk_name_ignored(buf + start) || any_glob(w->opts.exclude, w->opts.n_exclude, buf);
		buf[i] = saved;
		if (out)
			return false;
		start = i + 1;
	}
	return is_dir || !w->opts.n_include || any_glob(w->opts.include, w->opts.n_include, rel);
}

/* True when path is a root or a path the walk of a root would take. */
static bool wanted(const struct watch *w, const char *path, bool is_dir)
{
	if (w->ignore && strncmp(path, w->ignore, strlen(w->ignore)) == 0)
		return false;
	for (size_t i = 0; i < w->n_roots; i++) {
		const struct root *r = &w->roots[i];
		size_t len = strlen(r->path);
		if (strcmp(path, r->path) == 0)
			return true;
		if (!r->is_dir || strncmp(path, r->path, len) != 0)
			continue;
		if (len == 1) /* the root is "/" */
			len = 0;
		if (path[len] == '/' && rel_wanted(w, path + len + 1, is_dir))
			return true;
	}
	return false;
}

static bool is_root(const struct watch *w, const char *path)
{
	for (size_t i = 0; i < w->n_roots; i++)
		if (strcmp(w->roots[i].path, path) == 0)
			return true;
	return false;
}

/* ---- watched directories ---- */

static struct wdir *find_dir(struct watch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void drop_dir_at(struct watch *w, size_t i)
{
	free(w->dirs[i].path);
	w->dirs[i] = w->dirs[--w->n_dirs];
}

/* Record (or, for a directory that moved, rename) watch wd. */
static void set_dir(struct watch *w, int wd, const char *path)
{
	struct wdir *d = find_dir(w, wd);
	if (d) {
		free(d->path);
		d->path = xstrdup(path);
		return;
	}
	if (w->n_dirs == w->cap_dirs) {
		w->cap_dirs = w->cap_dirs ? w->cap_dirs * 2 : 16;
		w->dirs = xreallocarray(w->dirs, w->cap_dirs, sizeof *w->dirs);
	}
	w->dirs[w->n_dirs++] = (struct wdir){ .wd = wd, .path = xstrdup(path) };
}

/* Stop watching dir and the directories under it. */
static void unwatch_tree(struct watch *w, const char *dir)
{
	for (size_t i = 0; i < w->n_dirs;) {
		if (watch_under(w->dirs[i].path, dir)) {
			inotify_rm_watch(w->fd, w->dirs[i].wd);
			drop_dir_at(w, i);
		} else {
			i++;
		}
	}
}

static int add_watch(struct watch *w, const char *dir, uint64_t now_ms)
{
	int wd = inotify_add_watch(w->fd, dir, DIR_MASK);
	if (wd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return -1; /* gone already: its removal is an event of its parent */
	if (wd < 0) {
		int e = errno;
		watch_rescan_because(w, now_ms, "cannot watch %s: %s%s", dir, strerror(e),
		                     e == ENOSPC ? " (the inotify watch limit, fs.inotify.max_user_watches)" : "");
		return -1;
	}
	set_dir(w, wd, dir);
	return 0;
}

/* Watch dir and every wanted directory under it (not through symbolic
 * links). A directory that cannot be watched flags a rescan. */
static void watch_tree(struct watch *w, const char *dir, uint64_t now_ms)
{
	if (add_watch(w, dir, now_ms) != 0)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return; /* gone again, or unreadable: the walk reports it */
	struct strbuf child = STRBUF_INIT;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (walk_name_ignored(de->d_name))
			continue;
		sb_reset(&child);
		sb_printf(&child, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, de->d_name);
		struct stat st;
		if (lstat(sb_str(&child), &st) == 0 && S_ISDIR(st.st_mode) && wanted(w, sb_str(&child), true))
			watch_tree(w, sb_str(&child), now_ms);
	}
	closedir(d);
	sb_free(&child);
}

/* Watch every root again: directories recursively, a file through its
 * directory. */
static void watch_roots(struct watch *w, uint64_t now_ms)
{
	for (size_t i = 0; i < w->n_roots; i++) {
		const struct root *r = &w->roots[i];
		if (r->is_dir) {
			watch_tree(w, r->path, now_ms);
			continue;
		}
		char *parent = xstrdup(r->path);
		char *slash = strrchr(parent, '/');
		if (slash == parent)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		add_watch(w, parent, now_ms);
		free(parent);
	}
}

/* ---- events ---- */

static void note_move_from(struct watch *w, uint32_t cookie, const char *path)
{
	if (w->n_moves == w->cap_moves) {
		w->cap_moves = w->cap_moves ? w->cap_moves * 2 : 8;
		w->moves = xreallocarray(w->moves, w->cap_moves, sizeof *w->moves);
	}
	w->moves[w->n_moves++] = (struct move){ .cookie = cookie, .path = xstrdup(path) };
}

static void note_move_to(struct watch *w, uint32_t cookie)
{
	for (size_t i = 0; i < w->n_moves; i++)
		if (w->moves[i].cookie == cookie)
			w->moves[i].paired = true;
}

/* Directories moved out of the tree (no other half in this feed) are no
 * longer watched: their events would name paths that are not theirs. One
 * moved within was renamed by watch_tree on its new path. */
static void settle_moves(struct watch *w)
{
	for (size_t i = 0; i < w->n_moves; i++) {
		if (!w->moves[i].paired)
			unwatch_tree(w, w->moves[i].path);
		free(w->moves[i].path);
	}
	w->n_moves = 0;
}

/* An event about the watched directory d itself. Only a root's matters:
 * the parent of any other reports the same as a name event. */
static void take_self_event(struct watch *w, struct wdir *d, uint32_t mask, uint64_t now_ms)
{
	if (!is_root(w, d->path))
		return;
	char *path = xstrdup(d->path);
	watch_mark_gone(w, path, true, now_ms);
	if (mask & IN_MOVE_SELF)
		unwatch_tree(w, path);
	free(path);
}

/* An event about the entry name of directory d. */
static void take_name_event(struct watch *w, const struct wdir *d, const struct inotify_event *ev,
                            uint64_t now_ms)
{
	bool is_dir = ev->mask & IN_ISDIR;
	struct strbuf path = STRBUF_INIT;
	sb_printf(&path, "%s/%s", strcmp(d->path, "/") == 0 ? "" : d->path, ev->name);
	const char *p = sb_str(&path);
	if (!wanted(w, p, is_dir))
		goto cleanup;
	if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
		watch_mark_gone(w, p, is_dir, now_ms);
		if (is_dir && (ev->mask & IN_MOVED_FROM))
			note_move_from(w, ev->cookie, p);
	}
	if (is_dir && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
		if (ev->mask & IN_MOVED_TO)
			note_move_to(w, ev->cookie);
		watch_tree(w, p, now_ms);
		watch_mark_changed(w, p, true, now_ms);
	} else if (!is_dir && (ev->mask & (IN_CLOSE_WRITE | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_MOVED_TO))) {
		watch_mark_changed(w, p, false, now_ms);
	}
cleanup:
	sb_free(&path);
}

static void take_event(struct watch *w, const struct inotify_event *ev, uint64_t now_ms)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		watch_rescan_because(w, now_ms,
		                     "events were lost: the kernel's queue overflowed (fs.inotify.max_queued_events)");
		watch_roots(w, now_ms); /* directories made meanwhile */
		return;
	}
	struct wdir *d = find_dir(w, ev->wd);
	if (!d)
		return;
	if (ev->mask & IN_IGNORED) {
		drop_dir_at(w, (size_t)(d - w->dirs));
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
		take_self_event(w, d, ev->mask, now_ms);
	else if (ev->len)
		take_name_event(w, d, ev, now_ms);
}

size_t watch_feed(struct watch *w, const void *buf, size_t len, uint64_t now_ms)
{
	const char *p = buf;
	size_t off = 0, events = 0;
	while (off + sizeof(struct inotify_event) <= len) {
		struct inotify_event ev;
		memcpy(&ev, p + off, sizeof ev);
		size_t size = sizeof ev + ev.len;
		if (off + size > len)
			break;
		/* The name follows the header, NUL-padded; events are aligned
		 * for struct inotify_event in what read returns. */
		take_event(w, (const struct inotify_event *)(const void *)(p + off), now_ms);
		off += size;
		events++;
	}
	settle_moves(w);
	return events;
}

int watch_read(struct watch *w, uint64_t now_ms, char *err, size_t errlen)
{
	_Alignas(struct inotify_event) char buf[READ_BYTES];
	size_t events = 0;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return events > INT_MAX ? INT_MAX : (int)events;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read file events: %s", n < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		events += watch_feed(w, buf, (size_t)n, now_ms);
	}
}

/* ---- the watcher ---- */

/* path made canonical through its directory (the file itself may not
 * exist yet), or NULL when the directory does not exist. Caller frees. */
static char *canonical_prefix(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	char *real = realpath(dir, NULL);
	char *out = NULL;
	if (real) {
		struct strbuf sb = STRBUF_INIT;
		sb_printf(&sb, "%s/%s", strcmp(real, "/") == 0 ? "" : real, slash ? slash + 1 : path);
		out = xstrdup(sb_str(&sb));
		sb_free(&sb);
	}
	free(real);
	free(dir);
	return out;
}

int watch_open(const char *const *roots, size_t n_roots, const struct watch_opts *o, struct watch **out,
               char *err, size_t errlen)
{
	struct watch *w = xcalloc(1, sizeof *w);
	int rc = -1;
	w->fd = -1;
	if (o)
		w->opts = *o;
	if (w->opts.debounce_ms <= 0)
		w->opts.debounce_ms = WATCH_DEBOUNCE_MS_DEFAULT;
	if (w->opts.max_delay_ms <= 0)
		w->opts.max_delay_ms = WATCH_MAX_DELAY_MS_DEFAULT;
	if (w->opts.ignore_prefix)
		w->ignore = canonical_prefix(w->opts.ignore_prefix);
	w->roots = xcalloc(n_roots ? n_roots : 1, sizeof *w->roots);
	for (size_t i = 0; i < n_roots; i++) {
		struct stat st;
		char *real = realpath(roots[i], NULL);
		if (!real || stat(real, &st) != 0) {
			snprintf(err, errlen, "cannot watch %s: %s", roots[i], strerror(errno));
			free(real);
			goto cleanup;
		}
		w->roots[w->n_roots++] = (struct root){ .path = real, .is_dir = S_ISDIR(st.st_mode) };
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "cannot watch files: %s%s", strerror(errno),
		         errno == EMFILE ? " (the inotify instance limit, fs.inotify.max_user_instances)" : "");
		goto cleanup;
	}
	watch_roots(w, 0);
	rc = 0;
cleanup:
	if (rc != 0)
		watch_free(&w);
	*out = w;
	return rc;
}

void watch_free(struct watch **wp)
{
	struct watch *w = wp ? *wp : NULL;
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->n_roots; i++)
		free(w->roots[i].path);
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i].path);
	for (size_t i = 0; i < w->n_moves; i++)
		free(w->moves[i].path);
	free(w->ignore);
	free(w->roots);
	free(w->dirs);
	watch_pending_free(w);
	free(w->moves);
	free(w);
	*wp = NULL;
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}
