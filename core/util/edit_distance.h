/* edit_distance: how far apart two short words are, for "did you mean"
 * suggestions (config keys and values, ':' commands, the stored file
 * names search --explain offers). */
#ifndef RAGDECK_EDIT_DISTANCE_H
#define RAGDECK_EDIT_DISTANCE_H

#include <stddef.h>

/* Longest word, in bytes, edit_distance measures: a file name's longest
 * (NAME_MAX), so stored paths' file names all rank by distance. */
#define EDIT_DISTANCE_MAX_LEN 255

/* Levenshtein distance of a and b (insertions, deletions and
 * substitutions of bytes, each one edit), or max + 1 when it is over max
 * or either word is longer than EDIT_DISTANCE_MAX_LEN bytes. */
size_t edit_distance(const char *a, const char *b, size_t max);

#endif
