/* fs: small file-system helpers shared by every module. */
#ifndef RAGDECK_FS_H
#define RAGDECK_FS_H

#include "core/util/error.h"

#include <stddef.h>
#include <stdio.h>

/* Create every missing directory on the way to the file at path (mode 0700).
 * Returns 0 or -1 with err naming the directory and the reason. */
int fs_make_parent_dirs(const char *path, char *err, size_t errlen);

/* Read the whole file at path into *buf (NUL-terminated; caller frees),
 * its length into *len. max_bytes 0: no limit. Returns RD_OK, or
 * RD_ERR_NOT_FOUND, RD_ERR_TOO_BIG or RD_ERR_IO with err saying why in a
 * few words ("No such file or directory", "larger than 4 MiB"); callers
 * add the path and what the file was for. */
enum rd_err fs_read_file(const char *path, size_t max_bytes, char **buf, size_t *len, char *err, size_t errlen);

/* The rest of stream f read as fs_read_file reads a file (f is left open):
 * RD_OK, RD_ERR_TOO_BIG or RD_ERR_IO with err. */
enum rd_err fs_read_stream(FILE *f, size_t max_bytes, char **buf, size_t *len, char *err, size_t errlen);

/* Write all n bytes of p to fd, again after a short write or EINTR.
 * Returns 0, or -1 with errno set by the write that failed (EIO when
 * one wrote nothing). */
int fs_write_all(int fd, const void *p, size_t n);

#endif
