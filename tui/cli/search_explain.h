/* search_explain: `ragdeck search --explain PATH QUESTION` printed as text
 * or as JSON (docs/search-json.md, "Explain"). */
#ifndef RAGDECK_SEARCH_EXPLAIN_H
#define RAGDECK_SEARCH_EXPLAIN_H

#include <stdio.h>

#include "core/search/explain.h"

/* Write e to f as lines of text, stored paths made inert for the
 * terminal (cli_put_cell). */
void search_explain_text(FILE *f, const struct explain_result *e);

/* Write e to f as one JSON object for the question query and mode. */
void search_explain_json(FILE *f, const struct explain_result *e, const char *query, const char *mode);

#endif
