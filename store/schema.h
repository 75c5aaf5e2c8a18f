/* schema: the store's tables and their migrations (internal to store/). */
#ifndef RAGDECK_STORE_SCHEMA_H
#define RAGDECK_STORE_SCHEMA_H

#include "core/util/error.h"

#include <sqlite3.h>
#include <stddef.h>

/* Bring db up to STORE_SCHEMA_VERSION, one transaction per step. A database
 * from a newer ragdeck is refused (RD_ERR_VERSION). Returns RD_OK or the
 * error's code with err. */
enum rd_err schema_migrate(sqlite3 *db, char *err, size_t errlen);

#endif
