/* corpus: a deterministic generated Markdown corpus for the benchmarks. */
#ifndef RAGDECK_BENCH_CORPUS_H
#define RAGDECK_BENCH_CORPUS_H

#include <stdint.h>

/* Write articles of 20-40 KB (headings, paragraphs, code) under dir, in
 * subdirectories of 200 files, until target bytes; returns bytes written.
 * The same target always gives the same files. Exits on a write error. */
uint64_t corpus_generate(const char *dir, uint64_t target);

/* A question-like line of 4-8 words from the corpus vocabulary (Zipf
 * distributed, the 30 commonest words left out) into buf. */
void corpus_sentence(char *buf, unsigned long size, uint64_t seed);

#endif
