/* config: the effective-config printer.
 *
 * Walks the schema tables of config.c and prints every key as YAML that
 * config_load_string reads back to an equal config. A value naming an
 * environment variable is printed with whether it is set, never with the
 * variable's value. */
#include "core/config/config.h"
#include "core/config/config_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct printer {
	FILE *f;
	bool dash;                        /* next line starts a list item */
};

/* ---- printing ----------------------------------------------------------- */

static const void *field_cptr(const void *base, const struct field *f)
{
	return (const char *)base + f->off;
}

static void print_section(struct printer *p, const struct section *s, const void *base, int indent);

static void line_start(struct printer *p, int indent)
{
	if (p->dash) {
		fprintf(p->f, "%*s- ", indent - 2, "");
		p->dash = false;
	} else {
		fprintf(p->f, "%*s", indent, "");
	}
}

/* s as a YAML double-quoted scalar. */
static void print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* The shortest text that reads back as exactly v. */
static void print_double(FILE *f, double v)
{
	char buf[40];
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void print_field(struct printer *p, const struct field *f, const void *base, int indent)
{
	if (f->hidden || f->type == F_SECRET)
		return;
	if (f->type == F_CUSTOM) {
		f->print(p, f, base, indent);
		return;
	}
	line_start(p, indent);
	fprintf(p->f, "%s:", f->key);
	switch (f->type) {
	case F_BOOL:
		fprintf(p->f, " %s\n", *(const bool *)field_cptr(base, f) ? "true" : "false");
		break;
	case F_INT:
		if (f->allow_auto && *(const int *)field_cptr(base, f) == CONFIG_AUTO_INT)
			fputs(" auto\n", p->f);
		else
			fprintf(p->f, " %d\n", *(const int *)field_cptr(base, f));
		break;
	case F_LONG:
		fprintf(p->f, " %ld\n", *(const long *)field_cptr(base, f));
		break;
	case F_DOUBLE:
		fputc(' ', p->f);
		if (f->allow_auto && *(const double *)field_cptr(base, f) == CONFIG_AUTO)
			fputs("auto", p->f);
		else
			print_double(p->f, *(const double *)field_cptr(base, f));
		fputc('\n', p->f);
		break;
	case F_STR: {
		const char *s = *(char *const *)field_cptr(base, f);
		fputc(' ', p->f);
		if (s)
			print_quoted(p->f, s);
		else
			fputc('~', p->f);
		if (f->env_var && s)
			fprintf(p->f, "  # %s", getenv(s) && getenv(s)[0] ? "set" : "not set");
		fputc('\n', p->f);
		break;
	}
	case F_CHOICE:
		fprintf(p->f, " %s\n", *(char *const *)field_cptr(base, f));
		break;
	case F_KIND:
		fprintf(p->f, " %s\n", f->choices[*(const enum provider_kind *)field_cptr(base, f)]);
		break;
	case F_LIST: {
		char *const *v = *(char **const *)field_cptr(base, f);
		size_t n = *(const size_t *)((const char *)base + f->count_off);
		fputs(" [", p->f);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", p->f);
			print_quoted(p->f, v[i]);
		}
		fputs("]\n", p->f);
		break;
	}
	case F_MAP:
		fputc('\n', p->f);
		print_section(p, f->sub, base, indent + 2);
		break;
	case F_CUSTOM:
	case F_SECRET:
		break;
	}
}

static void print_section(struct printer *p, const struct section *s, const void *base, int indent)
{
	for (size_t i = 0; i < s->n; i++)
		print_field(p, &s->fields[i], base, indent);
}

/* "key:" or "key: []" for an empty collection. */
static void print_collection_key(struct printer *p, const struct field *f, int indent, size_t n)
{
	line_start(p, indent);
	fprintf(p->f, "%s:%s\n", f->key, n ? "" : " []");
}

/* ---- custom fields ------------------------------------------------------ */

void config_evaluation_print(struct printer *p, const struct field *f, const void *base, int indent)
{
	line_start(p, indent);
	fprintf(p->f, "%s:\n", f->key);
	print_section(p, &config_eval_section, base, indent + 2);
}

void config_providers_print(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_collection_key(p, f, indent, c->n_providers);
	for (size_t i = 0; i < c->n_providers; i++) {
		line_start(p, indent + 2);
		print_quoted(p->f, c->providers[i].name);
		fputs(":\n", p->f);
		print_section(p, &config_provider_section, &c->providers[i], indent + 4);
	}
}

/* Print the items of a list of structs, each as a block mapping. */
static void print_items(struct printer *p, const struct field *f, const struct section *s,
                        const void *items, size_t size, size_t n, int indent)
{
	print_collection_key(p, f, indent, n);
	for (size_t i = 0; i < n; i++) {
		p->dash = true;
		print_section(p, s, (const char *)items + i * size, indent + 4);
	}
}

void config_models_print(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_items(p, f, &config_route_section, c->models, sizeof(*c->models), c->n_models, indent);
}

void config_pricing_print(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_collection_key(p, f, indent, c->n_pricing);
	for (size_t i = 0; i < c->n_pricing; i++) {
		line_start(p, indent + 2);
		print_quoted(p->f, c->pricing[i].model);
		fputs(":\n", p->f);
		print_section(p, &config_price_section, &c->pricing[i], indent + 4);
	}
}

void config_rules_print(struct printer *p, const struct field *f, const void *base, int indent)
{
	const struct config *c = base;
	print_items(p, f, &config_rule_section, c->router.rules, sizeof(*c->router.rules),
	            c->router.n_rules, indent);
}

/* ---- the printout ------------------------------------------------------- */

void config_print(const struct config *c, FILE *f)
{
	struct printer p = { f, false };
	fputs("# ragdeck effective configuration, from ", f);
	if (c->source_path) {
		for (const char *s = c->source_path; *s; s++)
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	} else {
		fputs("built-in defaults", f);
	}
	fputs("\n", f);
	print_section(&p, &config_top_section, c, 0);
}
