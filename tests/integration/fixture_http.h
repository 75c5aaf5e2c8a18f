/* fixture_http: what the test servers (fixture_server, fixture_embed)
 * share to speak HTTP/1.1 on a socket. */
#ifndef RAGDECK_FIXTURE_HTTP_H
#define RAGDECK_FIXTURE_HTTP_H

#include <stddef.h>

/* Send all n bytes of p on socket fd (no SIGPIPE). Returns 0, or -1 when
 * the connection is lost. */
int fixture_send_all(int fd, const char *p, size_t n);

/* The reason phrase of an HTTP status ("Status" for one not listed). */
const char *fixture_http_reason(int status);

#endif
