#include "tui/cli/complete_int.h"
#include "tui/cli/cli.h"
#include "tui/cli/commands.h"
#include "core/util/xalloc.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Before its action a command reads nothing but --help ("pairs --help"). */
static const struct option before_action[] = {
	{ "help", no_argument, NULL, 0 },
	{ 0 },
};

static struct complete_ctx *ctx_add(struct complete_model *m, const char *cmd, const char *action)
{
	m->ctx = xreallocarray(m->ctx, m->n_ctx + 1, sizeof *m->ctx);
	struct complete_ctx *c = &m->ctx[m->n_ctx++];
	memset(c, 0, sizeof *c);
	if (!cmd) {
		c->key = xstrdup("-");
	} else {
		size_t len = strlen(cmd) + (action ? strlen(action) + 1 : 0) + 1;
		c->key = xmalloc(len);
		snprintf(c->key, len, action ? "%s %s" : "%s", cmd, action);
	}
	return c;
}

static void next_add(struct complete_ctx *c, const char *word, size_t len, const char *about)
{
	c->next = xreallocarray(c->next, c->n_next + 1, sizeof *c->next);
	c->next[c->n_next++] = (struct complete_word){ xstrndup(word, len), about };
}

/* Run cmd (with action, or NULL) describing its options into c->opts. */
static int describe(struct complete_ctx *c, const struct cli_command *cmd, const char *action, char *err,
                    size_t errlen)
{
	struct cli cli = { .prog = "ragdeck", .describe = &c->opts };
	char *argv[] = { (char *)cmd->name, (char *)action, NULL };
	int rc = cmd->run(&cli, action ? 2 : 1, argv);
	cli_release(&cli);
	if (rc == EXIT_OK && c->opts.opts)
		return 0;
	snprintf(err, errlen, "'ragdeck %s' stopped before describing its options: it must call cli_options_parse first",
	         c->key);
	return -1;
}

/* The contexts of cmd: itself, or before its actions and each action. */
static int add_command(struct complete_model *m, const struct cli_command *cmd, char *err, size_t errlen)
{
	if (!cmd->actions[0])
		return describe(ctx_add(m, cmd->name, NULL), cmd, NULL, err, errlen);
	size_t at = m->n_ctx; /* an index: adding contexts moves the array */
	struct complete_ctx *c = ctx_add(m, cmd->name, NULL);
	cli_describe_longopts(&c->opts, before_action);
	for (const char *w = cmd->actions; *w;) {
		size_t len = strcspn(w, " ");
		next_add(c, w, len, NULL);
		w += len + strspn(w + len, " ");
	}
	for (size_t i = 0; i < m->ctx[at].n_next; i++) {
		const char *action = m->ctx[at].next[i].word;
		if (describe(ctx_add(m, cmd->name, action), cmd, action, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int complete_model_build(struct complete_model *m, const struct cli_command *cmds, size_t n, char *err,
                         size_t errlen)
{
	memset(m, 0, sizeof *m);
	struct complete_ctx *top = ctx_add(m, NULL, NULL);
	cli_describe_longopts(&top->opts, cli_app_longopts);
	for (size_t i = 0; i < n; i++)
		next_add(&m->ctx[0], cmds[i].name, strlen(cmds[i].name), cmds[i].summary);
	for (size_t i = 0; i < n; i++)
		if (add_command(m, &cmds[i], err, errlen) != 0)
			return -1;
	return 0;
}

void complete_model_free(struct complete_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_ctx; i++) {
		struct complete_ctx *c = &m->ctx[i];
		for (size_t j = 0; j < c->n_next; j++)
			free(c->next[j].word);
		free(c->next);
		free(c->key);
		cli_describe_free(&c->opts);
	}
	free(m->ctx);
	memset(m, 0, sizeof *m);
}

enum complete_value complete_value(const struct cli_opt *o)
{
	if (o->type == CLI_OPT_FLAG)
		return COMPLETE_FLAG;
	if (o->choices)
		return COMPLETE_WORDS;
	return o->complete == CLI_COMPLETE_PATH ? COMPLETE_PATH : COMPLETE_TEXT;
}

void complete_put_quoted(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

void complete_put_escaped(FILE *out, const char *s, char open, const char *special, char close)
{
	fputc(open, out);
	for (; *s; s++) {
		if (strchr(special, *s))
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc(close, out);
}

static const struct {
	const char *shell;
	void (*write)(const struct complete_model *m, FILE *out);
} writers[] = {
	{ "bash", complete_write_bash },
	{ "zsh", complete_write_zsh },
	{ "fish", complete_write_fish },
};

int complete_write(const struct complete_model *m, const char *shell, FILE *out)
{
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
		if (strcmp(writers[i].shell, shell) == 0) {
			writers[i].write(m, out);
			return 0;
		}
	}
	return -1;
}
