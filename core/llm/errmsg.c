#include "core/llm/errmsg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_EXCERPT 200

static const char *json_string(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int llm_errmsg_from_json(const cJSON *root, struct strbuf *out)
{
	if (!cJSON_IsObject(root))
		return -1;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *msg = NULL;
	const char *type = NULL;
	if (cJSON_IsObject(e)) {
		msg = json_string(e, "message");
		type = json_string(e, "type");
	} else if (cJSON_IsString(e) && e->valuestring[0]) {
		msg = e->valuestring;
	} else {
		/* the object is the error itself: llama.cpp's "error:" line, vLLM */
		type = json_string(root, "type");
	}
	if (!msg)
		msg = json_string(root, "message");
	if (!msg)
		msg = json_string(root, "detail");
	if (!msg && type) {
		msg = type;
		type = NULL;
	}
	if (!msg)
		return -1;
	if (type)
		sb_printf(out, "%s: ", type);
	sb_puts(out, msg);
	return 0;
}

static int is_html(const char *ctype, const char *body, size_t len)
{
	if (strstr(ctype, "html"))
		return 1;
	while (len && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t'))
		body++, len--;
	return len && *body == '<';
}

void llm_errmsg_http(long status, const char *content_type, const char *body, size_t len,
		     const char *url, struct strbuf *out)
{
	cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
	size_t mark = out->len;
	sb_printf(out, "HTTP %ld from %s: ", status, url);
	if (root && llm_errmsg_from_json(root, out) == 0)
		goto cleanup;
	if (is_html(content_type, body, len)) {
		sb_printf(out, "the server sent an HTML page (%s), not an API reply: "
			  "is a proxy or a wrong base URL in the way?",
			  content_type[0] ? content_type : "no content type");
	} else if (status >= 200 && status <= 299) {
		sb_printf(out, "unexpected content type \"%s\" (expected text/event-stream)",
			  content_type);
		if (len) {
			sb_puts(out, ": ");
			sb_append(out, body, len < BODY_EXCERPT ? len : BODY_EXCERPT);
		}
	} else if (len) {
		sb_append(out, body, len < BODY_EXCERPT ? len : BODY_EXCERPT);
	} else {
		sb_truncate(out, mark);
		sb_printf(out, "HTTP %ld from %s with an empty body", status, url);
	}
cleanup:
	cJSON_Delete(root);
}

static void redact(struct strbuf *sb, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < 4 || !sb->len)
		return;
	struct strbuf outb = STRBUF_INIT;
	const char *p = sb->buf;
	const char *hit;
	while ((hit = strstr(p, secret))) {
		sb_append(&outb, p, (size_t)(hit - p));
		sb_puts(&outb, "[redacted]");
		p = hit + n;
	}
	sb_puts(&outb, p);
	sb_reset(sb);
	sb_append(sb, outb.buf ? outb.buf : "", outb.len);
	explicit_bzero(outb.buf, outb.len);
	sb_free(&outb);
}

void llm_errmsg_clean(struct strbuf *sb, const char *secret, size_t max)
{
	redact(sb, secret);
	size_t w = 0;
	for (size_t r = 0; r < sb->len; r++) {
		unsigned char c = (unsigned char)sb->buf[r];
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && (w == 0 || sb->buf[w - 1] == ' '))
			continue;
		sb->buf[w++] = (char)c;
	}
	while (w && sb->buf[w - 1] == ' ')
		w--;
	sb_truncate(sb, w);
	if (sb->len <= max || max < 4)
		return;
	size_t cut = max - 3;
	while (cut && ((unsigned char)sb->buf[cut] & 0xC0) == 0x80)
		cut--;
	sb_truncate(sb, cut);
	sb_puts(sb, "...");
}
