#include "core/util/fs.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char *copy = xstrdup(path);
	int rc = 0;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", copy, strerror(errno));
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(copy);
	return rc;
}

enum rd_err fs_read_file(const char *path, size_t max_bytes, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return errno == ENOENT ? RD_ERR_NOT_FOUND : RD_ERR_IO;
	}
	enum rd_err rc = fs_read_stream(f, max_bytes, buf, len, err, errlen);
	fclose(f);
	return rc;
}

enum rd_err fs_read_stream(FILE *f, size_t max_bytes, char **buf, size_t *len, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	size_t n;
	enum rd_err rc = RD_ERR_IO;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		sb_append(&sb, chunk, n);
		if (max_bytes && sb.len > max_bytes) {
			snprintf(err, errlen, "larger than %zu MiB", max_bytes >> 20);
			rc = RD_ERR_TOO_BIG;
			goto cleanup;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto cleanup;
	}
	*buf = sb_detach(&sb, len);
	rc = RD_OK;
cleanup:
	sb_free(&sb);
	return rc;
}

int fs_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO; /* no progress: never loop on it */
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
