#include "tui/cli.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/paths.h"
#include "core/retrieve.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_load_config(struct cli *cli)
{
	char err[512];
	char *path = NULL;
	if (cli->cfg)
		return 0;
	if (config_resolve_path(cli->config_path, &path, err, sizeof err) != 0) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	if (!path) {
		cli->cfg = config_defaults();
		return 0;
	}
	struct config_diags diags = { 0 };
	int rc = config_load_file(path, &cli->cfg, &diags);
	char *text = config_diags_format(&diags);
	cli_put_clean(stderr, text, strlen(text));
	free(text);
	config_diags_free(&diags);
	free(path);
	return rc == 0 ? 0 : EXIT_FAIL;
}

int cli_open_store(struct cli *cli)
{
	char err[512];
	if (cli->store)
		return 0;
	if (cli_load_config(cli) != 0)
		return EXIT_FAIL;
	if (cli->db_path)
		cli->resolved_db = xstrdup(cli->db_path);
	else if (cli->cfg->store_path)
		cli->resolved_db = xstrdup(cli->cfg->store_path);
	else if (paths_default_db(&cli->resolved_db, err, sizeof err) != 0)
		goto fail;
	if (store_open(cli->resolved_db, &cli->store, err, sizeof err) != 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err);
	return EXIT_FAIL;
}

struct embedder *cli_embedder(struct cli *cli)
{
	if (cli_load_config(cli) != 0)
		return NULL;
	if (strcmp(cli->cfg->embedder.kind, "hash") != 0) {
		log_error("embedder kind \"%s\" needs an HTTP embedding server; this build embeds with \"hash\" only: set embedder.kind: hash", cli->cfg->embedder.kind);
		return NULL;
	}
	return embed_hash_new(cli->cfg->embedder.dim);
}

void cli_release(struct cli *cli)
{
	store_close(&cli->store);
	config_free(&cli->cfg);
	free(cli->resolved_db);
	cli->resolved_db = NULL;
}

int cli_usage_error(const struct cli *cli, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	struct strbuf msg = STRBUF_INIT;
	va_start(ap, fmt);
	sb_vprintf(&msg, fmt, ap);
	va_end(ap);
	log_error("%s (see '%s %s--help')", sb_str(&msg), cli->prog, cmd ? cmd : "");
	sb_free(&msg);
	return EXIT_USAGE;
}

const char *cli_display_path(const char *path)
{
	static char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return path;
	size_t n = strlen(cwd);
	if (strncmp(path, cwd, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

void cli_put_clean(FILE *f, const char *s, size_t len)
{
	size_t n = 0;
	char *clean = utf8_sanitize(s, len, &n);
	fwrite(clean, 1, n, f);
	free(clean);
}

void cli_print_json(FILE *f, cJSON *json)
{
	char *s = cJSON_Print(json);
	char *inert = utf8_json_escape_invisible(s);
	fprintf(f, "%s\n", inert);
	free(inert);
	cJSON_free(s);
}

bool cli_common_option(struct cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case OPT_DB:
		cli->db_path = arg;
		return true;
	case OPT_CONFIG:
		cli->config_path = arg;
		return true;
	default:
		return false;
	}
}

int cli_open_retriever(const struct config *cfg, struct store *store, struct embedder *e,
                       const char *collection, struct retriever **r, char *err, size_t errlen)
{
	struct retriever_opts ro;
	retriever_opts_from_config(cfg, collection, &ro);
	*r = NULL;
	if (!cfg->routing.retrieval.enabled)
		return 0;
	return retriever_open(store, e, &ro, r, err, errlen);
}
