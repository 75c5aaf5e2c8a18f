/* safe_regex: POSIX extended regular expressions from untrusted or user text,
 * compiled only when they are cheap.
 *
 * glibc's regcomp copies a sub-expression once per repetition, so a short
 * pattern such as "a++++++++++++++++++++++++++++++" or "((a{100}){100}){100}"
 * asks for gigabytes; back-references make matching exponential. Patterns
 * from config files and golden sets go through safe_regex_compile, which
 * estimates the compiled size first and refuses back-references. */
#ifndef RAGDECK_SAFE_REGEX_H
#define RAGDECK_SAFE_REGEX_H

#include <regex.h>
#include <stddef.h>

/* Longest pattern accepted, in bytes. */
#define SAFE_REGEX_MAX_PATTERN 2048
/* Largest estimated number of compiled nodes accepted. */
#define SAFE_REGEX_MAX_NODES 20000

/* Largest number of nodes accepted inside repetitions of parts that can
 * match the empty string (a*+, (a?)+): glibc's regcomp computes their
 * epsilon closures in time growing with the square of that number (a*
 * followed by 13 '+' makes 8,192 such nodes and takes 25 s to compile). */
#define SAFE_REGEX_MAX_EMPTY_LOOPS 512

/* Estimated number of nodes the pattern compiles to (each repetition
 * counted as the copies regcomp makes), saturating at SIZE_MAX / 2; sets
 * *backref when the pattern uses \1..\9, and *empty_loops to the nodes
 * repeated while they can match the empty string. Never fails on a
 * malformed pattern: regcomp reports those. */
size_t safe_regex_cost(const char *pattern, int *backref, size_t *empty_loops);

/* regcomp(re, pattern, flags | REG_EXTENDED) when the pattern is at most
 * SAFE_REGEX_MAX_PATTERN bytes, has no back-reference and costs at most
 * SAFE_REGEX_MAX_NODES with at most SAFE_REGEX_MAX_EMPTY_LOOPS of them in
 * repetitions of what can match nothing; 0 on success (free with regfree), else -1 with err
 * saying why (regcomp's own message for a malformed pattern). */
int safe_regex_compile(regex_t *re, const char *pattern, int flags, char *err, size_t errlen);

#endif
