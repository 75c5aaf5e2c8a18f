/* fuzz_config: config_load_string on arbitrary bytes. Success must match the
 * absence of errors, and a loaded config printed with config_print must load
 * back without errors and print the same again. */
#include "tests/fuzz/fuzz.h"
#include "core/config/config.h"

#include <string.h>

/* config_print's output for c. Caller frees. */
static char *print_config(const struct config *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	FUZZ_CHECK(f != NULL);
	config_print(c, f);
	FUZZ_CHECK(fclose(f) == 0);
	return buf;
}

/* Load yaml; check the status agrees with the diagnostics. */
static int load(const char *yaml, size_t len, struct config **out)
{
	struct config_diags diags = { 0 };
	*out = NULL;
	int rc = config_load_string("fuzz.yaml", yaml, len, out, &diags);
	size_t errors = config_diags_count(&diags, CONFIG_ERROR);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc == 0) == (errors == 0));
	FUZZ_CHECK((rc == 0) == (*out != NULL));
	char *msgs = config_diags_format(&diags);
	FUZZ_CHECK(msgs != NULL);
	free(msgs);
	config_diags_free(&diags);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL, *again = NULL;
	if (load((const char *)data, size, &c) != 0)
		return 0;
	size_t len = 0, again_len = 0;
	char *printed = print_config(c, &len);
	if (load(printed, len, &again) != 0) {
		fprintf(stderr, "config_print output does not load back:\n%s\n", printed);
		FUZZ_CHECK(!"printed config loads back");
	}
	char *reprinted = print_config(again, &again_len);
	FUZZ_CHECK(len == again_len && memcmp(printed, reprinted, len) == 0);
	free(reprinted);
	free(printed);
	config_free(&again);
	config_free(&c);
	return 0;
}
