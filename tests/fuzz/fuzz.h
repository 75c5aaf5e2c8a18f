/* fuzz: what every libFuzzer target under tests/fuzz shares.
 *
 * FUZZ_CHECK states a contract of the API under test; a violation prints the
 * target's file, line and condition and aborts, which libFuzzer reports as a
 * crash and saves the input for. */
#ifndef RAGDECK_FUZZ_H
#define RAGDECK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* The entry point libFuzzer calls once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
