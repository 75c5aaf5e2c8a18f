/* loader_check: the contract of loader_convert, shared by the loader targets. */
#ifndef RAGDECK_FUZZ_LOADER_CHECK_H
#define RAGDECK_FUZZ_LOADER_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Convert data[0..size) as the file at path (its extension picks the
 * format) and abort when the result breaks loader_convert's contract: on
 * LOADER_OK NUL-terminated valid UTF-8 of len bytes without NUL or CR, in
 * the path's format; otherwise a skip status (binary, empty, or for the
 * binary formats unreadable) with a reason in err. */
void loader_check(const char *path, const uint8_t *data, size_t size);

#endif
