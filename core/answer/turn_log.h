/* turn_log: a finished turn as one row of the query log (JSON for spans,
 * the decision record and the retrieval). */
#ifndef RAGDECK_TURN_LOG_H
#define RAGDECK_TURN_LOG_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct turn_record;

/* Write r to the query log of s; *id gets the row id. Returns 0 or -1
 * with err. Nothing secret is in a record: keys never enter it. */
int turn_log_write(struct store *s, int64_t session_id, const struct turn_record *r, int64_t *id,
                   char *err, size_t errlen);

#endif
