/* errmsg: one-line, key-free error text from what servers send back. */
#ifndef RAGDECK_LLM_ERRMSG_H
#define RAGDECK_LLM_ERRMSG_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/util/strbuf.h"

/* Append the message of an API error object to out: "type: message" from
 * {"error": {"type", "message"}} (OpenAI, Anthropic, llama.cpp),
 * {"error": "..."} (Ollama), or a bare {"type", "message"} (llama.cpp's
 * "error:" line, vLLM) or {"detail": "..."}.
 * Returns 0 when one was found, -1 (out unchanged) otherwise. */
int llm_errmsg_from_json(const cJSON *root, struct strbuf *out);

/* Append why an HTTP reply that is no event stream is unusable: the status,
 * the url, and the server's message from a JSON body, or a note that an
 * HTML page came (a proxy), or the wrong content type, or the body's start. */
void llm_errmsg_http(long status, const char *content_type, const char *body, size_t len,
		     const char *url, struct strbuf *out);

/* Make sb one line of at most max bytes: control characters become spaces,
 * runs of spaces shrink to one, ends are trimmed, a longer text is cut on a
 * UTF-8 boundary with "..." appended. Every occurrence of secret (when not
 * NULL and at least 4 bytes) becomes "[redacted]" first. */
void llm_errmsg_clean(struct strbuf *sb, const char *secret, size_t max);

#endif
