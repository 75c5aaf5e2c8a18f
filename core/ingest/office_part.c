/* office_part: zip parts of DOCX and ODT files read with hard caps and
 * streamed through libxml2's SAX2 push parser.
 *
 * A part whose declared size is over OFFICE_PART_MAX, or over
 * OFFICE_RATIO_FROM and more than OFFICE_RATIO_MAX times its compressed
 * size, is refused before reading. The declared size is not trusted
 * beyond that: every part is decompressed in 64 KiB pieces, counted as it
 * comes, and refused once the count breaks the same rules (a deflate bomb
 * reaches about 1000:1, XML text stays far below 200:1). Office files never need a DTD,
 * so the parser stops at any DOCTYPE: no entity is ever declared, expanded
 * or fetched.
 *
 * Threads: libxml2 2.9 wants xmlInitParser called once before parsers run
 * on several threads; pthread_once does that. Each parse has its own
 * parser context whose SAX handler carries the structured error callback,
 * which gets every error raised with the context. A few are raised without
 * one (the encoding converters' "input conversion failed") and would go to
 * the thread's default handler, which prints to stderr; so each parse also
 * sets a silent structured handler for its own thread. In a libxml2 built
 * with threads (checked below) that handler is per-thread state, so no two
 * threads ever share or race on it. */
#include "core/ingest/office.h"
#include "core/ingest/loader.h"
#include "core/ingest/loader_int.h"
#include "core/util/xalloc.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#ifndef LIBXML_THREAD_ENABLED
#error "libxml2 without thread support: its error handlers would be shared by the ingest threads"
#endif

#define READ_PIECE 65536
#define DC_URI "http://purl.org/dc/elements/1.1/"
#define DC_TITLE_MAX 4096

struct office_zip {
	zip_t *za;
	const char *fmt;
};

/* One parse: the caller's handlers plus what stopped it. */
struct parse {
	const struct office_sax *ops;
	void *st;
	xmlParserCtxtPtr ctxt;
	int depth;
	bool doctype;
	bool too_deep;
	int err_line;
	char err_msg[160];
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

/* libzip's message with its first letter in lower case. */
static void zip_message(char *err, size_t errlen, const char *fmt, const char *what, const char *msg)
{
	snprintf(err, errlen, "damaged %s: %s%s%c%s", fmt, what ? what : "", what ? ": " : "",
	         msg[0] >= 'A' && msg[0] <= 'Z' ? msg[0] - 'A' + 'a' : msg[0], msg[0] ? msg + 1 : "");
}

int office_zip_open(const char *data, size_t len, const char *fmt, struct office_zip **z, char *err,
                    size_t errlen)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	int rc = LOADER_SKIP_UNREADABLE;

	*z = NULL;
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (!src) {
		zip_message(err, errlen, fmt, NULL, zip_error_strerror(&ze));
		goto cleanup;
	}
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!za) {
		zip_message(err, errlen, fmt, NULL, zip_error_strerror(&ze));
		zip_source_free(src);
		goto cleanup;
	}
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n > OFFICE_ENTRIES_MAX) {
		snprintf(err, errlen, "damaged %s: %lld zip entries, more than %d", fmt, (long long)n,
		         OFFICE_ENTRIES_MAX);
		zip_discard(za);
		goto cleanup;
	}
	*z = xcalloc(1, sizeof **z);
	(*z)->za = za;
	(*z)->fmt = fmt;
	rc = LOADER_OK;
cleanup:
	zip_error_fini(&ze);
	return rc;
}

void office_zip_close(struct office_zip **z)
{
	if (!z || !*z)
		return;
	zip_discard((*z)->za);
	free(*z);
	*z = NULL;
}

static void sax_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                      int nb_defaulted, const xmlChar **attributes)
{
	struct parse *p = ctx;
	(void)prefix, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
	if (++p->depth > OFFICE_DEPTH_MAX) {
		p->too_deep = true;
		xmlStopParser(p->ctxt);
		return;
	}
	if (p->ops->start)
		p->ops->start(p->st, (const char *)uri, (const char *)name, (const char **)attributes,
		              nb_attributes, p->depth);
}

static void sax_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	struct parse *p = ctx;
	(void)prefix;
	if (p->ops->end)
		p->ops->end(p->st, (const char *)uri, (const char *)name, p->depth);
	p->depth--;
}

static void sax_text(void *ctx, const xmlChar *s, int len)
{
	struct parse *p = ctx;
	if (p->ops->text && len > 0)
		p->ops->text(p->st, (const char *)s, (size_t)len);
}

/* Called at "<!DOCTYPE name", before any declaration is read. */
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                        const xmlChar *system_id)
{
	struct parse *p = ctx;
	(void)name, (void)external_id, (void)system_id;
	p->doctype = true;
	xmlStopParser(p->ctxt);
}

static void sax_error(void *ctx, xmlErrorPtr e)
{
	struct parse *p = ctx;
	if (e->level != XML_ERR_FATAL || p->err_msg[0])
		return;
	p->err_line = e->line;
	snprintf(p->err_msg, sizeof p->err_msg, "%s", e->message ? e->message : "malformed XML");
	/* libxml2's messages end in a newline */
	p->err_msg[strcspn(p->err_msg, "\r\n")] = '\0';
}

/* For errors raised without a parser context; see the top of the file. */
static void discard_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx, (void)e;
}

static void sax_handler(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof *sax);
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = sax_start;
	sax->endElementNs = sax_end;
	sax->characters = sax_text;
	sax->cdataBlock = sax_text;
	sax->internalSubset = sax_doctype;
	sax->serror = sax_error;
}

/* Why the parse of name stopped, into err; LOADER_OK when it did not. */
static int parse_outcome(const struct parse *p, const char *fmt, const char *name, char *err,
                         size_t errlen)
{
	if (p->doctype) {
		snprintf(err, errlen, "XML entity declarations refused: %s declares a DTD", name);
		return LOADER_SKIP_UNREADABLE;
	}
	if (p->too_deep) {
		snprintf(err, errlen, "damaged %s: %s nests elements deeper than %d levels", fmt, name,
		         OFFICE_DEPTH_MAX);
		return LOADER_SKIP_UNREADABLE;
	}
	if (p->err_msg[0] || !p->ctxt->wellFormed) {
		snprintf(err, errlen, "damaged %s: %s line %d: %s", fmt, name, p->err_line,
		         p->err_msg[0] ? p->err_msg : "malformed XML");
		return LOADER_SKIP_UNREADABLE;
	}
	return LOADER_OK;
}

/* Refuse a part that grew to total bytes out of comp compressed ones. */
static int bomb_check(zip_uint64_t total, zip_uint64_t comp, const char *name, char *err,
                      size_t errlen)
{
	if (total > OFFICE_PART_MAX) {
		snprintf(err, errlen, "zip bomb refused: %s expands past %u MB", name, OFFICE_PART_MAX >> 20);
		return LOADER_SKIP_UNREADABLE;
	}
	if (total > OFFICE_RATIO_FROM && total / OFFICE_RATIO_MAX > comp) {
		snprintf(err, errlen, "zip bomb refused: %s expands more than %u times (%llu bytes from %llu)",
		         name, OFFICE_RATIO_MAX, (unsigned long long)total, (unsigned long long)comp);
		return LOADER_SKIP_UNREADABLE;
	}
	return LOADER_OK;
}

int office_part_parse(struct office_zip *z, const char *name, const struct office_sax *ops, void *st,
                      char *err, size_t errlen)
{
	struct parse p = { .ops = ops, .st = st };
	xmlSAXHandler sax;
	zip_file_t *f = NULL;
	zip_stat_t zs;
	zip_uint64_t total = 0, comp;
	char *piece = NULL;
	int rc;

	zip_int64_t idx = zip_name_locate(z->za, name, 0);
	if (idx < 0)
		return OFFICE_MISSING;
	pthread_once(&xml_once, xml_init);
	xmlSetStructuredErrorFunc(NULL, discard_error);
	zip_stat_init(&zs);
	if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_COMP_SIZE)) {
		zip_message(err, errlen, z->fmt, name, zip_strerror(z->za));
		return LOADER_SKIP_UNREADABLE;
	}
	comp = zs.comp_size;
	/* An archive that admits to a bomb is refused before reading; one that
	 * lies about its sizes is caught by the count below. */
	if ((zs.valid & ZIP_STAT_SIZE) && (rc = bomb_check(zs.size, comp, name, err, errlen)) != LOADER_OK)
		return rc;
	f = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
	if (!f) {
		zip_message(err, errlen, z->fmt, name, zip_strerror(z->za));
		return LOADER_SKIP_UNREADABLE;
	}
	sax_handler(&sax);
	p.ctxt = xmlCreatePushParserCtxt(&sax, &p, NULL, 0, name);
	if (!p.ctxt) {
		snprintf(err, errlen, "damaged %s: %s: cannot start an XML parser", z->fmt, name);
		rc = LOADER_SKIP_UNREADABLE;
		goto cleanup;
	}
	/* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay
	 * unexpanded and libxml2 keeps its own size and depth limits. */
	xmlCtxtUseOptions(p.ctxt, XML_PARSE_NONET);
	piece = xmalloc(READ_PIECE);
	for (;;) {
		zip_int64_t n = zip_fread(f, piece, READ_PIECE);
		if (n < 0) {
			zip_message(err, errlen, z->fmt, name, zip_file_strerror(f));
			rc = LOADER_SKIP_UNREADABLE;
			goto cleanup;
		}
		total += (zip_uint64_t)n;
		if ((rc = bomb_check(total, comp, name, err, errlen)) != LOADER_OK)
			goto cleanup;
		xmlParseChunk(p.ctxt, piece, (int)n, n == 0);
		if (n == 0 || p.ctxt->disableSAX || p.err_msg[0])
			break;
	}
	rc = parse_outcome(&p, z->fmt, name, err, errlen);
cleanup:
	free(piece);
	if (p.ctxt)
		xmlFreeParserCtxt(p.ctxt);
	zip_fclose(f);
	return rc;
}

/* dc:title collection. */
struct dc_title {
	struct strbuf text;
	int in_title; /* depth of the open dc:title, 0 outside */
	bool done;
};

static void dc_start(void *st, const char *uri, const char *name, const char **attrs, int nattrs,
                     int depth)
{
	struct dc_title *t = st;
	(void)attrs, (void)nattrs;
	if (!t->done && !t->in_title && uri && strcmp(uri, DC_URI) == 0 && strcmp(name, "title") == 0)
		t->in_title = depth;
}

static void dc_end(void *st, const char *uri, const char *name, int depth)
{
	struct dc_title *t = st;
	(void)uri, (void)name;
	if (t->in_title == depth) {
		t->in_title = 0;
		t->done = true;
	}
}

static void dc_text(void *st, const char *s, size_t len)
{
	struct dc_title *t = st;
	if (t->in_title && t->text.len < DC_TITLE_MAX)
		office_append_clean(&t->text, s, len);
}

static const struct office_sax dc_ops = { .start = dc_start, .end = dc_end, .text = dc_text };

int office_dc_title(struct office_zip *z, const char *name, char **title, char *err, size_t errlen)
{
	struct dc_title t = { .text = STRBUF_INIT };
	int rc = office_part_parse(z, name, &dc_ops, &t, err, errlen);

	*title = NULL;
	if (rc == OFFICE_MISSING)
		rc = LOADER_OK;
	if (rc == LOADER_OK) {
		for (size_t i = 0; i < t.text.len; i++) {
			if (t.text.buf[i] == '\n' || t.text.buf[i] == '\t')
				t.text.buf[i] = ' ';
		}
		*title = loader_make_title(sb_str(&t.text), t.text.len);
	}
	sb_free(&t.text);
	return rc;
}

bool office_attr(const char **attrs, int nattrs, const char *name, char *buf, size_t buflen)
{
	for (int i = 0; i < nattrs; i++) {
		const char **a = attrs + 5 * i;
		if (strcmp(a[0], name) == 0) {
			size_t n = (size_t)(a[4] - a[3]);
			if (n >= buflen)
				n = buflen - 1;
			memcpy(buf, a[3], n);
			buf[n] = '\0';
			return true;
		}
	}
	buf[0] = '\0';
	return false;
}

long office_attr_long(const char **attrs, int nattrs, const char *name, long lo, long hi, long dflt)
{
	char buf[32], *end;
	if (!office_attr(attrs, nattrs, name, buf, sizeof buf))
		return dflt;
	long v = strtol(buf, &end, 10);
	if (end == buf)
		return dflt;
	return v < lo ? lo : v > hi ? hi : v;
}
