#include "tests/integration/fixture_server.h"
#include "tests/integration/fixture_http.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUEST (4u << 20)

struct fixture_server {
	struct fixture_response *script;
	size_t n_script;
	int listen_fd;
	int stop_pipe[2];
	pthread_t thread;
	char url[64];
	pthread_mutex_t lock;
	struct fixture_request *reqs;
	size_t n_reqs;
	uint64_t *times;
	size_t n_times, cap_times;
	FILE *log;                  /* fixture_log_requests; NULL: none */
};

static void die(const char *what)
{
	fprintf(stderr, "fixture_server: %s: %s\n", what, strerror(errno));
	abort();
}

/* Wait up to ms; returns -1 when the server stops or the peer went away. */
static int wait_ms(struct fixture_server *s, int fd, unsigned ms)
{
	uint64_t end = clock_now_us() + (uint64_t)ms * 1000;
	for (;;) {
		uint64_t now = clock_now_us();
		if (now >= end)
			return 0;
		struct pollfd p[2] = { { .fd = s->stop_pipe[0], .events = POLLIN },
				       { .fd = fd, .events = POLLIN } };
		int rc = poll(p, 2, (int)((end - now + 999) / 1000));
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc > 0 && p[0].revents)
			return -1;
		if (rc > 0 && p[1].revents) {
			char c;
			if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
				return -1;
		}
	}
}

/* Read one request into r. Returns 0, or -1 when the peer closed early. */
static int read_request(int fd, struct fixture_request *r)
{
	struct strbuf in = STRBUF_INIT;
	char buf[8192];
	int have_head = 0;
	size_t want = 0;
	int rc = -1;
	while (!have_head || in.len < want) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || in.len > MAX_REQUEST)
			goto cleanup;
		sb_append(&in, buf, (size_t)n);
		const char *end = have_head ? NULL : strstr(in.buf, "\r\n\r\n");
		if (end) {
			have_head = 1;
			size_t head_len = (size_t)(end - in.buf) + 2;
			r->head = xstrndup(in.buf, head_len);
			char v[32];
			long len = fixture_header(r, "Content-Length", v, sizeof(v)) ? atol(v) : 0;
			want = head_len + 2 + (size_t)(len > 0 ? len : 0);
			if (fixture_header(r, "Expect", v, sizeof(v)) && strcasecmp(v, "100-continue") == 0)
				fixture_send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		}
	}
	size_t head_len = strlen(r->head) + 2;
	r->body_len = want - head_len;
	r->body = xstrndup(in.buf + head_len, r->body_len);
	sscanf(in.buf, "%15s %511s", r->method, r->path);
	rc = 0;
cleanup:
	sb_free(&in);
	return rc;
}

static void record_time(struct fixture_server *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->n_times == s->cap_times) {
		s->cap_times = s->cap_times ? s->cap_times * 2 : 256;
		s->times = xreallocarray(s->times, s->cap_times, sizeof(*s->times));
	}
	s->times[s->n_times++] = clock_now_ns();
	pthread_mutex_unlock(&s->lock);
}

static int send_piece(int fd, const struct fixture_response *r, const char *p, size_t n)
{
	if (r->framing != FIXTURE_CHUNKED)
		return fixture_send_all(fd, p, n);
	struct strbuf c = STRBUF_INIT;
	sb_printf(&c, "%zx\r\n", n);
	sb_append(&c, p, n);
	sb_puts(&c, "\r\n");
	int rc = fixture_send_all(fd, c.buf, c.len);
	sb_free(&c);
	return rc;
}

/* Length of the next write starting at off. */
static size_t next_piece(const struct fixture_response *r, const char *body, size_t len, size_t off)
{
	size_t n = len - off;
	if (r->split_events) {
		const char *e = strstr(body + off, "\n\n");
		n = e ? (size_t)(e - (body + off)) + 2 : n;
	} else if (r->piece) {
		n = r->piece < n ? r->piece : n;
	} else if (r->split_at && off < r->split_at) {
		n = r->split_at - off;
	}
	if (r->reset_after >= 0 && off < (size_t)r->reset_after && off + n > (size_t)r->reset_after)
		n = (size_t)r->reset_after - off;
	if (r->pause_ms && off < r->pause_at && off + n > r->pause_at)
		n = r->pause_at - off;
	return n;
}

static void reset_connection(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

/* Send r; returns -1 when the connection was reset or lost. */
static int send_response(struct fixture_server *s, int fd, const struct fixture_response *r)
{
	const char *body = r->body ? r->body : "";
	size_t len = r->body_len ? r->body_len : strlen(body);
	int status = r->status ? r->status : 200;
	struct strbuf h = STRBUF_INIT;
	int rc = -1;
	sb_printf(&h, "HTTP/1.1 %d %s\r\nConnection: close\r\n", status, fixture_http_reason(status));
	if (r->content_type)
		sb_printf(&h, "Content-Type: %s\r\n", r->content_type);
	if (r->framing == FIXTURE_LENGTH)
		sb_printf(&h, "Content-Length: %zu\r\n", len);
	else if (r->framing == FIXTURE_CHUNKED)
		sb_puts(&h, "Transfer-Encoding: chunked\r\n");
	if (r->headers)
		sb_puts(&h, r->headers);
	sb_puts(&h, "\r\n");
	if (r->head_delay_ms && wait_ms(s, fd, r->head_delay_ms) != 0)
		goto cleanup;
	if (fixture_send_all(fd, h.buf, h.len) != 0)
		goto cleanup;
	size_t off = 0;
	while (off < len) {
		if (r->reset_after >= 0 && off == (size_t)r->reset_after)
			break;
		unsigned pause = off && r->pause_ms && off == r->pause_at ? r->pause_ms
				 : off ? r->delay_ms : 0;
		if (pause && wait_ms(s, fd, pause) != 0)
			goto cleanup;
		size_t n = next_piece(r, body, len, off);
		if (send_piece(fd, r, body + off, n) != 0)
			goto cleanup;
		record_time(s);
		off += n;
	}
	if (r->reset_after >= 0 && off == (size_t)r->reset_after) {
		/* let the client read what was sent: a reset may drop unread data */
		wait_ms(s, fd, 20);
		reset_connection(fd);
		goto cleanup;
	}
	if (r->framing == FIXTURE_CHUNKED && fixture_send_all(fd, "0\r\n\r\n", 5) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	sb_free(&h);
	return rc;
}

static void serve(struct fixture_server *s, int fd)
{
	struct fixture_request req;
	memset(&req, 0, sizeof(req));
	if (read_request(fd, &req) != 0) {
		free(req.head);
		return;
	}
	pthread_mutex_lock(&s->lock);
	size_t i = s->n_reqs < s->n_script ? s->n_reqs : s->n_script - 1;
	s->reqs = xreallocarray(s->reqs, s->n_reqs + 1, sizeof(*s->reqs));
	s->reqs[s->n_reqs++] = req;
	s->n_times = 0;
	if (s->log) {
		fwrite(req.body, 1, req.body_len, s->log);
		fputc('\n', s->log);
		fflush(s->log);
	}
	pthread_mutex_unlock(&s->lock);
	struct fixture_response r = s->script[i];
	const char *body = r.respond ? r.respond(r.respond_ud, &req) : NULL;
	if (body) {
		r.body = body;
		r.body_len = 0;
	}
	if (send_response(s, fd, &r) == 0)
		shutdown(fd, SHUT_WR);
}

static void *server_main(void *arg)
{
	struct fixture_server *s = arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = s->stop_pipe[0], .events = POLLIN },
				       { .fd = s->listen_fd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(s, fd);
		close(fd);
	}
	return NULL;
}

struct fixture_server *fixture_start(const struct fixture_response *script, size_t n)
{
	struct fixture_server *s = xcalloc(1, sizeof(*s));
	s->script = xmemdup(script, n * sizeof(*script));
	s->n_script = n;
	pthread_mutex_init(&s->lock, NULL);
	if (pipe(s->stop_pipe) != 0)
		die("pipe");
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->listen_fd < 0)
		die("socket");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	if (listen(s->listen_fd, 16) != 0)
		die("listen");
	if (getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0)
		die("getsockname");
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
	if (pthread_create(&s->thread, NULL, server_main, s) != 0)
		die("pthread_create");
	return s;
}

void fixture_log_requests(struct fixture_server *s, const char *path)
{
	FILE *f = fopen(path, "a");
	if (!f)
		die(path);
	pthread_mutex_lock(&s->lock);
	s->log = f;
	pthread_mutex_unlock(&s->lock);
}

const char *fixture_url(const struct fixture_server *s)
{
	return s->url;
}

size_t fixture_request_count(struct fixture_server *s)
{
	pthread_mutex_lock(&s->lock);
	size_t n = s->n_reqs;
	pthread_mutex_unlock(&s->lock);
	return n;
}

const struct fixture_request *fixture_request(struct fixture_server *s, size_t i)
{
	pthread_mutex_lock(&s->lock);
	const struct fixture_request *r = i < s->n_reqs ? &s->reqs[i] : NULL;
	pthread_mutex_unlock(&s->lock);
	return r;
}

const char *fixture_header(const struct fixture_request *r, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	for (const char *l = r->head; l && *l; ) {
		const char *eol = strstr(l, "\r\n");
		size_t ll = eol ? (size_t)(eol - l) : strlen(l);
		if (ll > n && l[n] == ':' && strncasecmp(l, name, n) == 0) {
			const char *v = l + n + 1;
			while (*v == ' ')
				v++;
			size_t vn = (size_t)(l + ll - v);
			if (vn >= len)
				vn = len - 1;
			memcpy(buf, v, vn);
			buf[vn] = '\0';
			return buf;
		}
		l = eol ? eol + 2 : l + ll;
	}
	return NULL;
}

const uint64_t *fixture_write_times(struct fixture_server *s, size_t *n)
{
	pthread_mutex_lock(&s->lock);
	*n = s->n_times;
	const uint64_t *t = s->times;
	pthread_mutex_unlock(&s->lock);
	return t;
}

void fixture_stop(struct fixture_server **sp)
{
	struct fixture_server *s = *sp;
	if (!s)
		return;
	if (write(s->stop_pipe[1], "x", 1) != 1)
		die("write");
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	for (size_t i = 0; i < s->n_reqs; i++) {
		free(s->reqs[i].head);
		free(s->reqs[i].body);
	}
	free(s->reqs);
	free(s->times);
	if (s->log)
		fclose(s->log);
	free(s->script);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sp = NULL;
}
