/* The zsh script: a generated table (_ragdeck_context: _arguments specs
 * and next words for each place) and a fixed function that goes down
 * from "-" to a command and to its action with nested _arguments. */
#include "tui/cli/complete_int.h"

#include <stdbool.h>
#include <string.h>

static const char zsh_main[] =
	"# _ragdeck: _arguments at \"-\"; a word that is not an option leads to the\n"
	"# command's place, and from there to its action's.\n"
	"_ragdeck()\n"
	"{\n"
	"\tlocal curcontext=$curcontext state state_descr line key=- what ret=1\n"
	"\tlocal -a specs next\n"
	"\ttypeset -A opt_args\n"
	"\twhile :; do\n"
	"\t\t_ragdeck_context $key\n"
	"\t\tif (( ! $#next )); then\n"
	"\t\t\t_arguments -S $specs && ret=0\n"
	"\t\t\treturn ret\n"
	"\t\tfi\n"
	"\t\tstate=\n"
	"\t\t_arguments -C -S $specs ': :->next' '*:: :->rest' && ret=0\n"
	"\t\tcase $state in\n"
	"\t\tnext)\n"
	"\t\t\t_describe -t $what $what next && ret=0\n"
	"\t\t\treturn ret\n"
	"\t\t\t;;\n"
	"\t\trest)\n"
	"\t\t\t[[ $key == - ]] && key=$words[1] || key=\"$key $words[1]\"\n"
	"\t\t\tcurcontext=${curcontext%:*:*}:ragdeck-${key// /-}:\n"
	"\t\t\t;;\n"
	"\t\t*)\n"
	"\t\t\treturn ret\n"
	"\t\t\t;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"}\n"
	"\n"
	"_ragdeck \"$@\"\n";

/* One _arguments spec: o by its long name or its letter, and its value
 * ("--mode=:mode:(hybrid vector fts)", "-m+:mode:(...)"). */
static void put_spec(FILE *out, const struct cli_opt *o, bool letter)
{
	if (letter)
		fprintf(out, "\t\t\t'-%c", o->letter);
	else
		fprintf(out, "\t\t\t'--%s", o->name);
	enum complete_value v = complete_value(o);
	if (v != COMPLETE_FLAG)
		fprintf(out, "%s:%s:", letter ? "+" : "=", o->name);
	if (v == COMPLETE_TEXT)
		fputs(" ", out);
	else if (v == COMPLETE_PATH)
		fputs("_files", out);
	else if (v == COMPLETE_WORDS)
		complete_put_escaped(out, o->choices, '(', ":", ')'); /* a colon would end the action */
	fputs("'\n", out);
}

static void put_context(FILE *out, const struct complete_ctx *c)
{
	fputs("\t", out);
	complete_put_quoted(out, c->key);
	fputs(")\n\t\tspecs=(\n", out);
	for (size_t j = 0; j < c->opts.n; j++) {
		put_spec(out, &c->opts.opts[j], false);
		if (c->opts.opts[j].letter)
			put_spec(out, &c->opts.opts[j], true);
	}
	if (c->opts.operands == CLI_COMPLETE_PATH)
		fputs("\t\t\t'*:file:_files'\n", out);
	else if (!c->n_next)
		fputs("\t\t\t'*: : '\n", out);
	fputs("\t\t)\n", out);
	if (c->n_next) {
		/* _describe reads "word:about". */
		fprintf(out, "\t\twhat=%s\n\t\tnext=(\n", strcmp(c->key, "-") == 0 ? "command" : "action");
		for (size_t j = 0; j < c->n_next; j++) {
			fputs("\t\t\t", out);
			complete_put_quoted(out, c->next[j].word);
			if (c->next[j].about) {
				fputs(":", out);
				complete_put_quoted(out, c->next[j].about);
			}
			fputs("\n", out);
		}
		fputs("\t\t)\n", out);
	}
	fputs("\t\t;;\n", out);
}

void complete_write_zsh(const struct complete_model *m, FILE *out)
{
	fputs("#compdef ragdeck\n"
	      "# zsh completion for ragdeck, written by 'ragdeck completion zsh' from\n"
	      "# the option tables of its commands.\n\n"
	      "# _ragdeck_context KEY: set specs (_arguments specs of the options and\n"
	      "# operands at KEY: \"-\" before the command, a command, or a command and\n"
	      "# its action), and next and what (the words that may come instead of an\n"
	      "# operand: the commands, a command's actions).\n"
	      "_ragdeck_context()\n{\n\tspecs=() next=() what=\n\tcase $1 in\n",
	      out);
	for (size_t i = 0; i < m->n_ctx; i++)
		put_context(out, &m->ctx[i]);
	fputs("\tesac\n}\n\n", out);
	fputs(zsh_main, out);
}
