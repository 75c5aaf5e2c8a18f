/* fs: small file-system helpers shared by every module. */
#ifndef RAGDECK_FS_H
#define RAGDECK_FS_H

#include <stddef.h>

/* Create every missing directory on the way to the file at path (mode 0700).
 * Returns 0 or -1 with err naming the directory and the reason. */
int fs_make_parent_dirs(const char *path, char *err, size_t errlen);

#endif
