/* The bash script: two generated tables (_ragdeck_context and
 * _ragdeck_value) and a fixed function that walks COMP_WORDS by them. */
#include "tui/cli/complete_int.h"

/* The function bash calls; the tables above it say what each place holds. */
static const char bash_main[] =
	"# _ragdeck: walk the words before the cursor (an option's value skipped;\n"
	"# a word that is not an option goes from \"-\" to a command and from a\n"
	"# command to its action), then offer what fits where the cursor is.\n"
	"_ragdeck()\n"
	"{\n"
	"\tlocal -a words=()\n"
	"\tlocal i w n key=- valopt= value cur opts next operands\n"
	"\t# --opt=value as one word again: COMP_WORDBREAKS cuts it at the =.\n"
	"\tfor ((i = 1; i <= COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif ((${#words[@]})) && [[ ${words[-1]} == --* && ( $w == = || ${words[-1]} == *= ) ]]; then\n"
	"\t\t\twords[-1]+=$w\n"
	"\t\telse\n"
	"\t\t\twords+=(\"$w\")\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tn=$((${#words[@]} - 1))\n"
	"\tfor ((i = 0; i < n; i++)); do\n"
	"\t\tw=${words[i]}\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\tif [[ $w != *=* && -n $(_ragdeck_value \"$key\" \"$w\") ]]; then\n"
	"\t\t\t\t((i + 1 == n)) && valopt=$w\n"
	"\t\t\t\t((i++))\n"
	"\t\t\tfi\n"
	"\t\telse\n"
	"\t\t\t_ragdeck_context \"$key\"\n"
	"\t\t\tif [[ -n $next && $key == - ]]; then\n"
	"\t\t\t\tkey=$w\n"
	"\t\t\telif [[ -n $next ]]; then\n"
	"\t\t\t\tkey=\"$key $w\"\n"
	"\t\t\tfi\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tcur=${words[n]}\n"
	"\tif [[ -z $valopt && $cur == --*=* ]]; then\n"
	"\t\tvalopt=${cur%%=*}\n"
	"\t\tcur=${cur#*=}\n"
	"\tfi\n"
	"\tCOMPREPLY=()\n"
	"\tif [[ -n $valopt ]]; then\n"
	"\t\tvalue=$(_ragdeck_value \"$key\" \"$valopt\")\n"
	"\t\tcase $value in\n"
	"\t\tpath) _ragdeck_paths ;;\n"
	"\t\twords\\ *)\n"
	"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"${value#words }\" -- \"$cur\")\n"
	"\t\t\t# a choice that ends in : (regex:) is followed by more\n"
	"\t\t\t[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null\n"
	"\t\t\t;;\n"
	"\t\tesac\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\t_ragdeck_context \"$key\"\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
	"\telif [[ -n $next ]]; then\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -W \"$next\" -- \"$cur\")\n"
	"\telif [[ $operands == path ]]; then\n"
	"\t\t_ragdeck_paths\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# _ragdeck_paths: the file and directory names that start with $cur.\n"
	"_ragdeck_paths()\n"
	"{\n"
	"\tcompopt -o filenames 2>/dev/null\n"
	"\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	"}\n"
	"\n"
	"complete -F _ragdeck ragdeck\n";

static void put_opts(const struct cli_describe *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		fprintf(out, "%s--%s", i ? " " : "", d->opts[i].name);
		if (d->opts[i].letter)
			fprintf(out, " -%c", d->opts[i].letter);
	}
}

static void put_contexts(const struct complete_model *m, FILE *out)
{
	fputs("# _ragdeck_context KEY: set opts (the options at KEY: \"-\" before the\n"
	      "# command, a command, or a command and its action), next (the words that\n"
	      "# may come instead of an operand: the commands, a command's actions) and\n"
	      "# operands (\"path\" when they are file names).\n"
	      "_ragdeck_context()\n{\n\topts= next= operands=\n\tcase $1 in\n",
	      out);
	for (size_t i = 0; i < m->n_ctx; i++) {
		const struct complete_ctx *c = &m->ctx[i];
		fputs("\t", out);
		complete_put_quoted(out, c->key);
		fputs(")\n\t\topts='", out);
		put_opts(&c->opts, out);
		fputs("'\n", out);
		if (c->n_next) {
			fputs("\t\tnext='", out);
			for (size_t j = 0; j < c->n_next; j++)
				fprintf(out, "%s%s", j ? " " : "", c->next[j].word);
			fputs("'\n", out);
		}
		if (c->opts.operands == CLI_COMPLETE_PATH)
			fputs("\t\toperands=path\n", out);
		fputs("\t\t;;\n", out);
	}
	fputs("\tesac\n}\n\n", out);
}

static void put_values(const struct complete_model *m, FILE *out)
{
	static const char *const said[] = {
		[COMPLETE_TEXT] = "text", [COMPLETE_PATH] = "path", [COMPLETE_WORDS] = "words",
	};
	fputs("# _ragdeck_value KEY OPTION: what OPTION takes at KEY: a path, text, or\n"
	      "# \"words\" and the words it may be; nothing when it takes no value.\n"
	      "_ragdeck_value()\n{\n\tcase \"$1 $2\" in\n",
	      out);
	for (size_t i = 0; i < m->n_ctx; i++) {
		const struct complete_ctx *c = &m->ctx[i];
		for (size_t j = 0; j < c->opts.n; j++) {
			const struct cli_opt *o = &c->opts.opts[j];
			enum complete_value v = complete_value(o);
			if (v == COMPLETE_FLAG)
				continue;
			fprintf(out, "\t'%s --%s'", c->key, o->name);
			if (o->letter)
				fprintf(out, "|'%s -%c'", c->key, o->letter);
			fprintf(out, ") echo %s", said[v]);
			if (v == COMPLETE_WORDS) {
				fputs(" ", out);
				complete_put_quoted(out, o->choices);
			}
			fputs(" ;;\n", out);
		}
	}
	fputs("\tesac\n}\n\n", out);
}

void complete_write_bash(const struct complete_model *m, FILE *out)
{
	fputs("# bash completion for ragdeck, written by 'ragdeck completion bash' from\n"
	      "# the option tables of its commands.\n\n",
	      out);
	put_contexts(m, out);
	put_values(m, out);
	fputs(bash_main, out);
}
