/* stem: a light English suffix stemmer for matching words, not for
 * showing them: plurals (-s, -es, -ies), -ing, -ed, -ly, a final e and a
 * doubled final consonant come off, so "refunds", "refunded" and
 * "refunding" all give "refund", and "policies" and "policy" give
 * "polic". Words of three letters or fewer are left alone. */
#ifndef RAGDECK_UTIL_STEM_H
#define RAGDECK_UTIL_STEM_H

#include <stddef.h>

/* Stem the lower-case ASCII word w[0..n) in place; returns the new length. */
size_t stem_word(char *w, size_t n);

#endif
