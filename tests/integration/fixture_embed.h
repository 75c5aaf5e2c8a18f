/* fixture_embed: an OpenAI-compatible /v1/embeddings server on 127.0.0.1
 * for tests and benchmarks.
 *
 * A thread accepts on an ephemeral port and every connection gets a thread
 * of its own, so requests are served concurrently; connections are HTTP/1.1
 * keep-alive. POST /v1/embeddings answers with the vectors of the hash
 * embedder (core/embed/embed.h), bit-identical to embedding the same texts
 * offline, its "data" items in a shuffled order (never the input order when
 * there are two inputs or more). GET /stats reports what the server saw.
 * Options add latency, faults and the "input too long" errors of several
 * servers. */
#ifndef RAGDECK_TEST_FIXTURE_EMBED_H
#define RAGDECK_TEST_FIXTURE_EMBED_H

#include <stddef.h>
#include <stdint.h>

/* Zero-initialised: 64 floats per vector, no latency, no fault, no limits. */
struct fixture_embed_opts {
	int dim;                    /* floats per vector (32..4096); 0: 64 */
	unsigned latency_ms;        /* each embeddings request waits this long before its reply */
	const char *fault;          /* NULL or "": none; else "wrong-dim", "rate-limit",
	                             * "error-500", "cut", "die-after", "garbage" */
	size_t max_input_bytes;     /* an input longer than this is "too long"; 0: no limit */
	const char *too_long_style; /* NULL: "openai"; else "ollama", "llamacpp", "tei" */
	int max_inputs;             /* more inputs than this in one request: 400; 0: no limit */
	int die_after;              /* with fault "die-after": stop after this many replies */
};

struct fixture_embed_stats {
	size_t requests;      /* embeddings requests answered, whatever the status */
	size_t inputs;        /* inputs in those requests */
	size_t max_in_flight; /* most embeddings requests being served at once */
	size_t largest_batch; /* most inputs in one request */
	uint64_t busy_ms;     /* wall time with at least one embeddings request in flight */
};

struct fixture_embed;

/* Check o (NULL: the defaults): dim in range, known fault and style names,
 * die_after >= 1 with "die-after". Returns 0, or -1 with a message in err. */
int fixture_embed_check(const struct fixture_embed_opts *o, char *err, size_t errlen);

/* Start serving with o (NULL: the defaults; strings must outlive the
 * server). Aborts the program when o fails fixture_embed_check or a socket
 * call fails. Caller stops it with fixture_embed_stop. */
struct fixture_embed *fixture_embed_start(const struct fixture_embed_opts *o);

/* The base URL, "http://127.0.0.1:PORT/v1"; valid until fixture_embed_stop. */
const char *fixture_embed_url(const struct fixture_embed *s);

/* Copy the counters so far into *out (the same numbers GET /stats gives). */
void fixture_embed_stats(struct fixture_embed *s, struct fixture_embed_stats *out);

/* Close the listening socket and every connection, join the threads, free
 * everything and set *s to NULL. NULL-safe for s and *s. */
void fixture_embed_stop(struct fixture_embed **s);

#endif
