#include "tui/cli/cli.h"
#include "tui/cli/progress.h"
#include "core/util/error.h"
#include "core/util/fs.h"
#include "core/config/config.h"
#include "core/embed/embed.h"
#include "core/embed/embed_open.h"
#include "core/util/paths.h"
#include "core/search/retrieve.h"
#include "core/util/log.h"
#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"
#include "store/embedding.h"
#include "store/store.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

int cli_load_config(struct cli *cli)
{
	char err[ERR_LEN];
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
	char err[ERR_LEN];
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

struct embedder *cli_embedder(struct cli *cli, const char *collection, enum embed_use use, char *mismatch,
                              size_t mismatch_len, char *err, size_t errlen)
{
	struct store_embedding rec = { 0 };
	int64_t coll = 0;
	if (cli_open_store(cli) != 0) {
		snprintf(err, errlen, "cannot open the database");
		return NULL;
	}
	const char *name = collection ? collection : cli->cfg->routing.retrieval.collection;
	enum rd_err found = store_collection_id(cli->store, name, false, &coll, err, errlen);
	if ((found != RD_OK && found != RD_ERR_NOT_FOUND) ||
	    (found == RD_OK && store_embedding_get(cli->store, coll, &rec, err, errlen) != 0))
		return NULL;
	if (mismatch)
		mismatch[0] = '\0';
	if (embed_check_collection(cli->cfg, name, &rec, err, errlen) != 0) {
		if (!mismatch)
			return NULL;
		snprintf(mismatch, mismatch_len, "%s", err);
		rec = (struct store_embedding){ 0 };
	}
	char model[STORE_MODEL_MAX];
	embed_config_model(cli->cfg, model, sizeof model);
	return embed_open(cli->cfg, use, strcmp(rec.model, model) == 0 ? rec.dim : 0, err, errlen);
}

struct embedder *cli_embedder_or_log(struct cli *cli, const char *collection, enum embed_use use)
{
	char err[ERR_LEN];
	struct embedder *e = cli_embedder(cli, collection, use, NULL, 0, err, sizeof err);
	if (!e)
		log_error("%s", err);
	return e;
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

int cli_operand_text(const struct cli *cli, const char *cmd, const char *what, const char *arg, char **out)
{
	char err[ERR_LEN], prefix[64];
	size_t len = 0;
	*out = NULL;
	if (strcmp(arg, "-") != 0) {
		*out = xstrdup(arg);
		return 0;
	}
	snprintf(prefix, sizeof prefix, "%s ", cmd);
	if (fs_read_stream(stdin, CLI_STDIN_MAX, out, &len, err, sizeof err) != RD_OK) {
		cli_usage_error(cli, prefix, "cannot read the %s from standard input: %s", what, err);
		return -1;
	}
	while (len > 0 && strchr(" \t\r\n", (*out)[len - 1]))
		(*out)[--len] = '\0';
	if (len == 0) {
		free(*out);
		*out = NULL;
		cli_usage_error(cli, prefix, "the %s read from standard input is empty", what);
		return -1;
	}
	return 0;
}

/* How long standard input may stay silent before a command says it waits. */
#define INPUT_HINT_MS 2000

/* Standard input is something to attach: a pipe or a file. */
static bool stdin_attachable(void)
{
	struct stat st;
	return !isatty(STDIN_FILENO) && fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode));
}

int cli_read_input(const struct cli *cli, const char *cmd, const char *path, bool no_input, char **out,
                   size_t *len)
{
	char err[ERR_LEN], prefix[64];
	enum rd_err rc;
	bool from_stdin = !path || strcmp(path, "-") == 0;
	*out = NULL;
	*len = 0;
	if (!path && (no_input || !stdin_attachable()))
		return 0;
	if (from_stdin) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(&pfd, 1, INPUT_HINT_MS) == 0)
			fprintf(stderr, "%s: waiting for standard input to attach it (Ctrl-D ends it; --no-input skips it)\n",
			        cmd);
		rc = fs_read_stream(stdin, CLI_INPUT_MAX, out, len, err, sizeof err);
	} else {
		rc = fs_read_file(path, CLI_INPUT_MAX, out, len, err, sizeof err);
	}
	if (rc == RD_OK)
		return 0;
	snprintf(prefix, sizeof prefix, "%s ", cmd);
	if (rc == RD_ERR_TOO_BIG)
		cli_usage_error(cli, prefix, "the input from %s is over the %d KiB %s attaches: pass the part that "
		                "matters (tail -n 200 error.log | ragdeck %s ...)",
		                from_stdin ? "standard input" : path, CLI_INPUT_MAX / 1024, cmd, cmd);
	else
		cli_usage_error(cli, prefix, "cannot read the input from %s: %s", from_stdin ? "standard input" : path,
		                err);
	return -1;
}

const char *cli_display_path(const char *path)
{
	char cwd[PATH_MAX]; /* the app's threads call this too */
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

char *cli_cell(const char *s, size_t len)
{
	size_t n = 0;
	char *clean = utf8_sanitize(s, len, &n);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (clean[i] == '\n')
			sb_puts(&sb, "\\n");
		else if (clean[i] == '\t')
			sb_puts(&sb, "\\t");
		else
			sb_putc(&sb, clean[i]);
	}
	free(clean);
	return sb_detach(&sb, NULL);
}

void cli_put_cell(FILE *f, const char *s, size_t len)
{
	char *cell = cli_cell(s, len);
	fputs(cell, f);
	free(cell);
}

/* Write cJSON's text s and a newline to f, invisible characters escaped;
 * frees s. */
static void put_json_text(FILE *f, char *s)
{
	char *inert = utf8_json_escape_invisible(s);
	fprintf(f, "%s\n", inert);
	free(inert);
	cJSON_free(s);
}

void cli_print_json(FILE *f, cJSON *json)
{
	put_json_text(f, cJSON_Print(json));
}

void cli_print_json_line(FILE *f, cJSON *json)
{
	put_json_text(f, cJSON_PrintUnformatted(json));
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
                       const char *collection, enum vec_build build, struct progress_bar *bar,
                       struct retriever **r, char *err, size_t errlen)
{
	struct retriever_opts ro;
	retriever_opts_from_config(cfg, collection, &ro);
	ro.vec_build = build;
	if (bar) {
		ro.vec_progress = progress_vec_index;
		ro.vec_progress_ud = bar;
	}
	*r = NULL;
	if (!cfg->routing.retrieval.enabled)
		return 0;
	int rc = retriever_open(store, e, &ro, r, err, errlen);
	if (bar)
		progress_clear(bar);
	if (rc == 0 && bar && retriever_vectors(*r).note)
		log_warn("%s", retriever_vectors(*r).note);
	return rc;
}

/* Set by the first SIGINT or SIGTERM; the handler is reset by then, so a
 * second one ends the process at once. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

const volatile sig_atomic_t *cli_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESETHAND };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return &stop_requested;
}
