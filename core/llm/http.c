#include "core/llm/http.h"
#include "core/util/clock.h"
#include "core/util/xalloc.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct llm_http {
	CURLM *multi;
	struct llm_http_xfer *xfers;
	int in_curl;   /* inside curl_multi_perform: libcurl callbacks may run */
};

struct llm_http_xfer {
	struct llm_http *h;
	struct llm_http_xfer *prev, *next;
	CURL *easy;
	struct curl_slist *hdrs;
	struct llm_http_handlers hd;
	char *url;
	struct llm_http_head head;
	int head_ready;
	char ctype[128];
	long ra_ms;       /* retry-after-ms header, -1 absent */
	long ra_s_ms;     /* retry-after header in ms, -1 absent */
	long first_byte_ms, idle_ms, connect_ms, total_ms;
	uint64_t start_us, last_us;
	int got_byte;
	int cancelled;
	int aborted;
	char errbuf[CURL_ERROR_SIZE];
};

void llm_http_opts_init(struct llm_http_opts *o)
{
	*o = (struct llm_http_opts){
		.connect_timeout_ms = 10000,
		.first_byte_timeout_ms = 60000,
		.idle_timeout_ms = 30000,
		.total_timeout_ms = 600000,
		.max_retries = 2,
		.retry_base_ms = 500,
		.retry_cap_ms = 8000,
		.max_line_bytes = 0,
	};
}

struct llm_http *llm_http_new(void)
{
	struct llm_http *h = xcalloc(1, sizeof(*h));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h->multi = curl_multi_init();
	if (!h->multi) {
		fputs("ragdeck: libcurl could not create a multi handle (out of memory)\n", stderr);
		abort();
	}
	return h;
}

/* Wipe header memory: one of the lines may hold an API key. */
static void free_headers(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static void xfer_free(struct llm_http_xfer *x)
{
	struct llm_http *h = x->h;
	if (x->prev)
		x->prev->next = x->next;
	else
		h->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	curl_multi_remove_handle(h->multi, x->easy);
	curl_easy_cleanup(x->easy);
	free_headers(x->hdrs);
	free(x->url);
	free(x);
}

void llm_http_free(struct llm_http **hp)
{
	struct llm_http *h = *hp;
	if (!h)
		return;
	while (h->xfers)
		xfer_free(h->xfers);
	curl_multi_cleanup(h->multi);
	curl_global_cleanup();
	free(h);
	*hp = NULL;
}

static void touch(struct llm_http_xfer *x)
{
	x->got_byte = 1;
	x->last_us = clock_now_us();
}

static long parse_retry_after_s(const char *v)
{
	char *end;
	double s = strtod(v, &end);
	if (end != v && s >= 0 && s < 1e6) {
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end == '\0')
			return (long)(s * 1000.0);
	}
	time_t when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	time_t now = time(NULL);
	return when > now ? (long)(when - now) * 1000 : 0;
}

static long parse_ms(const char *v)
{
	char *end;
	double ms = strtod(v, &end);
	if (end == v || ms < 0 || ms > 1e9)
		return -1;
	return (long)ms;
}

/* Value of header line "Name: value\r\n" as a NUL-terminated copy in buf. */
static const char *header_value(const char *line, size_t len, const char *name, char *buf, size_t bufsize)
{
	size_t n = strlen(name);
	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return NULL;
	const char *v = line + n + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t vn = (size_t)(end - v);
	if (vn >= bufsize)
		vn = bufsize - 1;
	memcpy(buf, v, vn);
	buf[vn] = '\0';
	return buf;
}

static size_t header_cb(char *line, size_t size, size_t nitems, void *ud)
{
	struct llm_http_xfer *x = ud;
	size_t len = size * nitems;
	char v[128];
	touch(x);
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		x->ra_ms = -1;
		x->ra_s_ms = -1;
	} else if (header_value(line, len, "retry-after-ms", v, sizeof(v))) {
		x->ra_ms = parse_ms(v);
	} else if (header_value(line, len, "retry-after", v, sizeof(v))) {
		x->ra_s_ms = parse_retry_after_s(v);
	}
	return len;
}

static void fill_head(struct llm_http_xfer *x)
{
	long status = 0;
	char *ct = NULL;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(x->ctype, sizeof(x->ctype), "%s", ct ? ct : "");
	x->head.status = status;
	x->head.content_type = x->ctype;
	x->head.retry_after_ms = x->ra_ms >= 0 ? x->ra_ms : x->ra_s_ms;
	x->head_ready = 1;
}

static size_t write_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct llm_http_xfer *x = ud;
	size_t len = size * nmemb;
	if (x->cancelled)
		return 0;
	touch(x);
	if (!x->head_ready)
		fill_head(x);
	if (x->hd.on_body && x->hd.on_body(x->hd.ud, &x->head, buf, len)) {
		x->aborted = 1;
		return 0;
	}
	return len;
}

static void set_header_list(struct llm_http_xfer *x, const struct llm_http_spec *spec)
{
	for (size_t i = 0; i < spec->n_headers; i++)
		x->hdrs = curl_slist_append(x->hdrs, spec->headers[i]);
	/* no "Expect: 100-continue" round trip before the body */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
}

int llm_http_start(struct llm_http *h, const struct llm_http_spec *spec,
		   const struct llm_http_handlers *hd, struct llm_http_xfer **out,
		   char *err, size_t errlen)
{
	struct llm_http_xfer *x = xcalloc(1, sizeof(*x));
	x->h = h;
	x->hd = *hd;
	x->url = xstrdup(spec->url);
	x->ra_ms = x->ra_s_ms = -1;
	x->head.content_type = "";
	x->head.retry_after_ms = -1;
	x->first_byte_ms = spec->opts->first_byte_timeout_ms;
	x->idle_ms = spec->opts->idle_timeout_ms;
	x->connect_ms = spec->opts->connect_timeout_ms;
	x->total_ms = spec->opts->total_timeout_ms;
	x->easy = curl_easy_init();
	if (!x->easy) {
		snprintf(err, errlen, "cannot start a request to %s: libcurl is out of memory", spec->url);
		free(x->url);
		free(x);
		return -1;
	}
	CURL *e = x->easy;
	set_header_list(x, spec);
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "ragdeck");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, x->connect_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->total_ms);
	if (spec->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)spec->body_len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, spec->body);
	}
	x->next = h->xfers;
	if (h->xfers)
		h->xfers->prev = x;
	h->xfers = x;
	x->start_us = clock_now_us();
	CURLMcode mc = curl_multi_add_handle(h->multi, e);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "cannot start a request to %s: %s", spec->url, curl_multi_strerror(mc));
		xfer_free(x);
		return -1;
	}
	if (out)
		*out = x;
	return 0;
}

void llm_http_cancel(struct llm_http_xfer *x)
{
	if (!x)
		return;
	if (x->h->in_curl)
		x->cancelled = 1;
	else
		xfer_free(x);
}

static const char *curl_reason(const struct llm_http_xfer *x, CURLcode res)
{
	return x->errbuf[0] ? x->errbuf : curl_easy_strerror(res);
}

/* Map a libcurl result to an llm_http_rc and a one-line message. */
static int classify(struct llm_http_xfer *x, CURLcode res, char *msg, size_t msglen)
{
	curl_off_t connect_us = 0;
	switch (res) {
	case CURLE_OK:
		msg[0] = '\0';
		return LLM_HTTP_OK;
	case CURLE_WRITE_ERROR:
		if (x->aborted) {
			msg[0] = '\0';
			return LLM_HTTP_EABORTED;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		snprintf(msg, msglen, "cannot connect to %s: %s", x->url, curl_reason(x, res));
		return LLM_HTTP_ECONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0) {
			snprintf(msg, msglen, "cannot connect to %s within %ld ms (connect timeout)",
				 x->url, x->connect_ms);
			return LLM_HTTP_ECONNECT;
		}
		snprintf(msg, msglen, "%s did not finish within %ld ms (total timeout)",
			 x->url, x->total_ms);
		return LLM_HTTP_ETIMEOUT;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		snprintf(msg, msglen, "connection to %s closed mid-response: %s", x->url,
			 curl_reason(x, res));
		return LLM_HTTP_ECLOSED;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(msg, msglen, "TLS error with %s: %s", x->url, curl_reason(x, res));
		return LLM_HTTP_EOTHER;
	default:
		break;
	}
	snprintf(msg, msglen, "request to %s failed: %s", x->url, curl_reason(x, res));
	return LLM_HTTP_EOTHER;
}

/* End x with rc/msg: detach it, tell the owner, free it. */
static void end_xfer(struct llm_http_xfer *x, int rc, const char *msg)
{
	struct llm_http_handlers hd = x->hd;
	struct llm_http_head head = x->head;
	char ctype[sizeof(x->ctype)];
	memcpy(ctype, x->ctype, sizeof(ctype));
	head.content_type = ctype;
	xfer_free(x);
	if (hd.on_end)
		hd.on_end(hd.ud, rc, &head, msg);
}

static void finish_xfer(struct llm_http_xfer *x, CURLcode res)
{
	char msg[CURL_ERROR_SIZE + 512];
	if (x->cancelled) {
		xfer_free(x);
		return;
	}
	int rc = classify(x, res, msg, sizeof(msg));
	if (!x->head_ready)
		fill_head(x);
	end_xfer(x, rc, msg);
}

static uint64_t deadline_us(const struct llm_http_xfer *x)
{
	if (!x->got_byte)
		return x->first_byte_ms > 0 ? x->start_us + (uint64_t)x->first_byte_ms * 1000 : 0;
	return x->idle_ms > 0 ? x->last_us + (uint64_t)x->idle_ms * 1000 : 0;
}

/* End the first transfer past its first-byte or idle deadline; 1 if one was. */
static int expire_one(struct llm_http *h, uint64_t now)
{
	char msg[1024];
	for (struct llm_http_xfer *x = h->xfers; x; x = x->next) {
		uint64_t d = deadline_us(x);
		if (x->cancelled || d == 0 || now < d)
			continue;
		if (x->got_byte)
			snprintf(msg, sizeof(msg), "%s sent nothing for %ld ms (idle timeout)",
				 x->url, x->idle_ms);
		else
			snprintf(msg, sizeof(msg), "no response from %s within %ld ms (first-byte timeout)",
				 x->url, x->first_byte_ms);
		if (!x->head_ready)
			fill_head(x);
		end_xfer(x, LLM_HTTP_ETIMEOUT, msg);
		return 1;
	}
	return 0;
}

/* Free transfers cancelled while libcurl's callbacks were running. */
static void sweep_cancelled(struct llm_http *h)
{
	struct llm_http_xfer *x = h->xfers;
	while (x) {
		struct llm_http_xfer *next = x->next;
		if (x->cancelled)
			xfer_free(x);
		x = next;
	}
}

int llm_http_perform(struct llm_http *h)
{
	int running = 0;
	h->in_curl = 1;
	curl_multi_perform(h->multi, &running);
	h->in_curl = 0;
	sweep_cancelled(h);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *easy = m->easy_handle;
		CURLcode res = m->data.result;
		char *priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		finish_xfer((struct llm_http_xfer *)priv, res);
	}
	uint64_t now = clock_now_us();
	while (expire_one(h, now))
		;
	int n = 0;
	for (struct llm_http_xfer *x = h->xfers; x; x = x->next)
		n++;
	return n;
}

long llm_http_timeout_ms(struct llm_http *h)
{
	long t = -1;
	curl_multi_timeout(h->multi, &t);
	uint64_t now = clock_now_us();
	for (struct llm_http_xfer *x = h->xfers; x; x = x->next) {
		uint64_t d = deadline_us(x);
		if (d == 0)
			continue;
		long ms = d <= now ? 0 : (long)((d - now + 999) / 1000);
		if (t < 0 || ms < t)
			t = ms;
	}
	return t;
}

int llm_http_poll(struct llm_http *h, struct pollfd *extra, size_t n_extra,
		  long timeout_ms, char *err, size_t errlen)
{
	long t = llm_http_timeout_ms(h);
	if (timeout_ms < 0 || (t >= 0 && t < timeout_ms))
		timeout_ms = t;
	if (timeout_ms < 0 || timeout_ms > INT_MAX)
		timeout_ms = INT_MAX;
	struct curl_waitfd *w = n_extra ? xcalloc(n_extra, sizeof(*w)) : NULL;
	for (size_t i = 0; i < n_extra; i++) {
		w[i].fd = extra[i].fd;
		w[i].events = (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
				      ((extra[i].events & POLLPRI) ? CURL_WAIT_POLLPRI : 0) |
				      ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
	}
	int ready = 0;
	CURLMcode mc = curl_multi_poll(h->multi, w, (unsigned)n_extra, (int)timeout_ms, NULL);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "waiting for network activity failed: %s", curl_multi_strerror(mc));
		ready = -1;
		goto cleanup;
	}
	for (size_t i = 0; i < n_extra; i++) {
		extra[i].revents = (short)(((w[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0) |
					   ((w[i].revents & CURL_WAIT_POLLPRI) ? POLLPRI : 0) |
					   ((w[i].revents & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
		if (extra[i].revents)
			ready++;
	}
cleanup:
	free(w);
	return ready;
}

struct sync_state {
	struct llm_http_reply *reply;
	int done;
	int rc;
	char msg[1024];
};

static int sync_body(void *ud, const struct llm_http_head *head, const char *buf, size_t len)
{
	(void)head;
	struct sync_state *st = ud;
	sb_append(&st->reply->body, buf, len);
	return 0;
}

static void sync_end(void *ud, int rc, const struct llm_http_head *head, const char *msg)
{
	struct sync_state *st = ud;
	st->done = 1;
	st->rc = rc;
	st->reply->status = head->status;
	st->reply->retry_after_ms = head->retry_after_ms;
	snprintf(st->reply->content_type, sizeof(st->reply->content_type), "%s", head->content_type);
	snprintf(st->msg, sizeof(st->msg), "%s", msg);
}

int llm_http_request(const struct llm_http_spec *spec, struct llm_http_reply *reply,
		     char *err, size_t errlen)
{
	struct sync_state st = { .reply = reply, .rc = LLM_HTTP_EOTHER };
	struct llm_http_handlers hd = { .on_body = sync_body, .on_end = sync_end, .ud = &st };
	struct llm_http *h = llm_http_new();
	reply->status = 0;
	reply->retry_after_ms = -1;
	reply->content_type[0] = '\0';
	if (llm_http_start(h, spec, &hd, NULL, err, errlen) != 0)
		goto cleanup;
	for (;;) {
		llm_http_perform(h);
		if (st.done)
			break;
		if (llm_http_poll(h, NULL, 0, -1, st.msg, sizeof(st.msg)) < 0) {
			st.rc = LLM_HTTP_EOTHER;
			break;
		}
	}
	if (st.rc != LLM_HTTP_OK)
		snprintf(err, errlen, "%s", st.msg);
cleanup:
	llm_http_free(&h);
	return st.rc;
}
