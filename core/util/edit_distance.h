/* edit_distance: how far apart two short words are, for "did you mean"
 * suggestions (config keys and values, ':' commands). */
#ifndef RAGDECK_EDIT_DISTANCE_H
#define RAGDECK_EDIT_DISTANCE_H

#include <stddef.h>

/* Longest word, in bytes, edit_distance measures. */
#define EDIT_DISTANCE_MAX_LEN 64

/* Levenshtein distance of a and b (insertions, deletions and
 * substitutions of bytes, each one edit), or max + 1 when it is over max
 * or either word is longer than EDIT_DISTANCE_MAX_LEN bytes. */
size_t edit_distance(const char *a, const char *b, size_t max);

#endif
