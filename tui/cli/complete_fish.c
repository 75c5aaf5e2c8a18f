/* The fish script: generated tables (__ragdeck_value, __ragdeck_next) for
 * a fixed function that finds the place of the command line, and one
 * `complete` line per option, word and operand kind at each place. */
#include "tui/cli/complete_int.h"

#include <stdbool.h>

static const char fish_main[] =
	"# __ragdeck_key: the place before the cursor: \"-\" before the command, the\n"
	"# command, or the command and its action (an option's value skipped).\n"
	"function __ragdeck_key\n"
	"\tset -l key -\n"
	"\tset -l words (commandline -opc)\n"
	"\tset -l i 2\n"
	"\twhile test $i -le (count $words)\n"
	"\t\tset -l w $words[$i]\n"
	"\t\tif string match -q -- '-*' $w\n"
	"\t\t\tif not string match -q -- '*=*' $w; and __ragdeck_value $key $w\n"
	"\t\t\t\tset i (math $i + 1)\n"
	"\t\t\tend\n"
	"\t\telse if __ragdeck_next $key\n"
	"\t\t\tif test \"$key\" = -\n"
	"\t\t\t\tset key $w\n"
	"\t\t\telse\n"
	"\t\t\t\tset key \"$key $w\"\n"
	"\t\t\tend\n"
	"\t\tend\n"
	"\t\tset i (math $i + 1)\n"
	"\tend\n"
	"\techo $key\n"
	"end\n"
	"\n"
	"# __ragdeck_at KEY: whether the command line is at KEY.\n"
	"function __ragdeck_at\n"
	"\ttest (__ragdeck_key) = \"$argv[1]\"\n"
	"end\n"
	"\n"
	"complete -c ragdeck -f\n";

/* s in fish's single quotes. */
static void put_quoted(FILE *out, const char *s)
{
	complete_put_escaped(out, s, '\'', "'\\", '\'');
}

static void put_tables(const struct complete_model *m, FILE *out)
{
	fputs("# __ragdeck_value KEY OPTION: whether OPTION takes a value at KEY.\n"
	      "function __ragdeck_value\n\tswitch \"$argv[1] $argv[2]\"\n\tcase",
	      out);
	for (size_t i = 0; i < m->n_ctx; i++) {
		const struct complete_ctx *c = &m->ctx[i];
		bool first = true;
		for (size_t j = 0; j < c->opts.n; j++) {
			const struct cli_opt *o = &c->opts.opts[j];
			if (complete_value(o) == COMPLETE_FLAG)
				continue;
			fprintf(out, "%s'%s --%s'", first ? " \\\n\t\t" : " ", c->key, o->name);
			first = false;
			if (o->letter)
				fprintf(out, " '%s -%c'", c->key, o->letter);
		}
	}
	fputs("\n\t\treturn 0\n\tend\n\treturn 1\nend\n\n"
	      "# __ragdeck_next KEY: whether a word that is not an option leads on from\n"
	      "# KEY (to a command, to an action).\n"
	      "function __ragdeck_next\n\tcontains -- $argv[1]",
	      out);
	for (size_t i = 0; i < m->n_ctx; i++)
		if (m->ctx[i].n_next)
			fprintf(out, " '%s'", m->ctx[i].key);
	fputs("\nend\n\n", out);
}

static void put_option(FILE *out, const char *key, const struct cli_opt *o)
{
	fprintf(out, "complete -c ragdeck -n \"__ragdeck_at '%s'\" -l %s", key, o->name);
	if (o->letter)
		fprintf(out, " -s %c", o->letter);
	switch (complete_value(o)) {
	case COMPLETE_FLAG:
		break;
	case COMPLETE_TEXT:
		fputs(" -x", out);
		break;
	case COMPLETE_PATH:
		fputs(" -r -F", out);
		break;
	case COMPLETE_WORDS:
		fputs(" -x -a ", out);
		put_quoted(out, o->choices);
		break;
	}
	fputs("\n", out);
}

void complete_write_fish(const struct complete_model *m, FILE *out)
{
	fputs("# fish completion for ragdeck, written by 'ragdeck completion fish' from\n"
	      "# the option tables of its commands.\n\n",
	      out);
	put_tables(m, out);
	fputs(fish_main, out);
	for (size_t i = 0; i < m->n_ctx; i++) {
		const struct complete_ctx *c = &m->ctx[i];
		for (size_t j = 0; j < c->n_next; j++) {
			fprintf(out, "complete -c ragdeck -n \"__ragdeck_at '%s'\" -a ", c->key);
			put_quoted(out, c->next[j].word);
			if (c->next[j].about) {
				fputs(" -d ", out);
				put_quoted(out, c->next[j].about);
			}
			fputs("\n", out);
		}
		for (size_t j = 0; j < c->opts.n; j++)
			put_option(out, c->key, &c->opts.opts[j]);
		if (c->opts.operands == CLI_COMPLETE_PATH)
			fprintf(out, "complete -c ragdeck -n \"__ragdeck_at '%s'\" -F\n", c->key);
	}
}
