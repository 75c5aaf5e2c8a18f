/* provider_check: drive a provider's event decoder with arbitrary bytes,
 * shared by the OpenAI and Anthropic targets. */
#ifndef RAGDECK_FUZZ_PROVIDER_CHECK_H
#define RAGDECK_FUZZ_PROVIDER_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/llm/llm.h"

/* The key the streams send; seeds may contain it to test its redaction. */
#define PROVIDER_CHECK_KEY "sk-fuzz-0123456789abcdef"

/* Start a stream of kind (never performed: no connection is made), parse
 * data[1..size) as its event stream and hand every event and unknown field
 * to the provider's decoder, as llm.c does for a 2xx reply, then the end of
 * the reply. data[0], when not 0, cancels the stream from its on_text
 * callback after that many pieces of text. Aborts when the stream breaks
 * its contract: the result text is what on_text saw, on_done runs once, a
 * decoder that stops on its own records a reason, and the error is one line
 * of at most 400 bytes without the key. */
void provider_check(enum llm_kind kind, const uint8_t *data, size_t size);

#endif
