/* rerank: the request to a reranking server and the reading of its answer
 * (the shapes are in core/search/rerank.h). One libcurl easy transfer, bounded by
 * the caller's timeout: retrieval waits for it, so it must end on time. */
#include "core/search/rerank.h"
#include "core/llm/errmsg.h"
#include "core/llm/json.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reranker answers a few numbers per document; a larger body is not an
 * answer (a proxy's page, a misrouted stream) and is not read on. */
#define MAX_RESPONSE_BYTES ((size_t)1 << 20)
/* How much of an error body a message quotes. */
#define ERROR_BODY_BYTES 200
/* Connecting to a server on the same network takes milliseconds; a longer
 * wait means it is down, and the search should not spend its whole
 * timeout learning that. */
#define MAX_CONNECT_MS 2000L

char *rerank_url(const char *base_url)
{
	static const char suffix[] = "/rerank";
	size_t len = strlen(base_url), n = sizeof suffix - 1;
	struct strbuf sb = STRBUF_INIT;
	while (len && base_url[len - 1] == '/')
		len--;
	sb_append(&sb, base_url, len);
	/* OpenAI-style providers end their base URL in /v1 already. */
	if (len >= n && strncmp(base_url + len - n, suffix, n) == 0)
		;
	else if (len >= 3 && strncmp(base_url + len - 3, "/v1", 3) == 0)
		sb_puts(&sb, suffix);
	else
		sb_puts(&sb, "/v1/rerank");
	return sb_detach(&sb, NULL);
}

/* ---- the response ------------------------------------------------------- */

static void all_nan(double *scores, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scores[i] = NAN;
}

/* Store result i of the list into scores, or say why it cannot be. */
static int read_result(const cJSON *item, size_t i, size_t n, double *scores, char *err,
                       size_t errlen)
{
	const cJSON *index = cJSON_GetObjectItemCaseSensitive(item, "index");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(item, "relevance_score");
	if (!score)
		score = cJSON_GetObjectItemCaseSensitive(item, "score");
	if (!cJSON_IsObject(item) || !cJSON_IsNumber(index) ||
	    index->valuedouble != floor(index->valuedouble)) {
		snprintf(err, errlen, "result %zu has no integer \"index\"", i);
		return -1;
	}
	if (!cJSON_IsNumber(score) || !isfinite(score->valuedouble)) {
		snprintf(err, errlen, "result %zu has no number \"relevance_score\" or \"score\"", i);
		return -1;
	}
	if (index->valuedouble < 0 || index->valuedouble >= (double)n) {
		snprintf(err, errlen, "result %zu has index %.0f, but %zu documents were sent", i,
		         index->valuedouble, n);
		return -1;
	}
	size_t at = (size_t)index->valuedouble;
	if (!isnan(scores[at])) {
		snprintf(err, errlen, "index %zu is scored twice", at);
		return -1;
	}
	scores[at] = score->valuedouble;
	return 0;
}

int rerank_parse(const char *body, size_t len, size_t n, double *scores, char *err,
                 size_t errlen)
{
	cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *results = root, *item;
	size_t i = 0;
	int rc = -1;

	all_nan(scores, n);
	if (!root) {
		snprintf(err, errlen, len ? "the response is not JSON" : "the response is empty");
		goto cleanup;
	}
	if (cJSON_IsObject(root))
		results = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (!cJSON_IsArray(results)) {
		snprintf(err, errlen, "the response has no \"results\" list");
		goto cleanup;
	}
	cJSON_ArrayForEach(item, results) {
		if (read_result(item, i++, n, scores, err, errlen) != 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc != 0)
		all_nan(scores, n);
	cJSON_Delete(root);
	return rc;
}

/* ---- the request -------------------------------------------------------- */

struct response {
	struct strbuf body;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct response *r = ud;
	size_t n = size * nmemb;
	if (r->body.len + n > MAX_RESPONSE_BYTES) {
		r->too_big = true;
		return 0;
	}
	sb_append(&r->body, p, n);
	return n;
}

static char *request_body(const struct rerank_opts *o, const char *query, const char *const *docs,
                          size_t n)
{
	cJSON *req = cJSON_CreateObject();
	if (o->model)
		cJSON_AddStringToObject(req, "model", o->model);
	cJSON_AddStringToObject(req, "query", query);
	cJSON_AddItemToObject(req, "documents", llm_json_strings(docs, n));
	cJSON_AddNumberToObject(req, "top_n", (double)n);
	return llm_json_finish(req);
}

/* Wipe header memory: one of the lines may hold the key. */
static void free_headers(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

/* The request headers, with the key of o->api_key_env when it is set;
 * *key gets that key (NULL when none) for redaction. */
static struct curl_slist *request_headers(const struct rerank_opts *o, const char **key)
{
	struct curl_slist *h = NULL;
	const char *k = o->api_key_env ? getenv(o->api_key_env) : NULL;
	*key = k && k[0] ? k : NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	if (*key) {
		struct strbuf auth = STRBUF_INIT;
		sb_printf(&auth, "Authorization: Bearer %s", *key);
		h = curl_slist_append(h, sb_str(&auth));
		explicit_bzero(auth.buf, auth.len);
		sb_free(&auth);
	}
	return h;
}

/* Why a transfer that libcurl ended with res failed. */
static void transfer_error(CURLcode res, const struct response *r, const char *errbuf,
                           const char *url, long timeout_ms, struct strbuf *why)
{
	if (r->too_big)
		sb_printf(why, "the response from %s is larger than %zu bytes", url, MAX_RESPONSE_BYTES);
	else if (res == CURLE_OPERATION_TIMEDOUT)
		sb_printf(why, "no response from %s within %ld ms", url, timeout_ms);
	else
		sb_printf(why, "request to %s failed: %s", url,
		          errbuf[0] ? errbuf : curl_easy_strerror(res));
}

int rerank_run(const struct rerank_opts *o, const char *query, const char *const *docs, size_t n,
               double *scores, char *err, size_t errlen)
{
	char *url = rerank_url(o->base_url), *body = request_body(o, query, docs, n);
	char errbuf[CURL_ERROR_SIZE] = "", perr[256];
	const char *key = NULL;
	struct curl_slist *headers = request_headers(o, &key);
	struct response resp = { STRBUF_INIT, false };
	struct strbuf why = STRBUF_INIT;
	long status = 0;
	int rc = -1;

	all_nan(scores, n);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *e = curl_easy_init();
	if (!e) {
		sb_puts(&why, "libcurl could not start a request (out of memory)");
		goto cleanup;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "ragdeck");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                 o->timeout_ms < MAX_CONNECT_MS ? o->timeout_ms : MAX_CONNECT_MS);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
	CURLcode res = curl_easy_perform(e);
	if (res != CURLE_OK) {
		transfer_error(res, &resp, errbuf, url, o->timeout_ms, &why);
		goto cleanup;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		struct strbuf excerpt = STRBUF_INIT;
		sb_append(&excerpt, sb_str(&resp.body), resp.body.len);
		llm_errmsg_clean(&excerpt, key, ERROR_BODY_BYTES);
		sb_printf(&why, "HTTP %ld%s%s", status, excerpt.len ? ": " : "", sb_str(&excerpt));
		sb_free(&excerpt);
		goto cleanup;
	}
	if (rerank_parse(sb_str(&resp.body), resp.body.len, n, scores, perr, sizeof perr) != 0) {
		sb_puts(&why, perr);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc != 0) {
		llm_errmsg_clean(&why, key, SIZE_MAX);
		snprintf(err, errlen, "reranker %s: %s", o->name, sb_str(&why));
	}
	curl_easy_cleanup(e);
	curl_global_cleanup();
	free_headers(headers);
	sb_free(&resp.body);
	sb_free(&why);
	free(body);
	free(url);
	return rc;
}
