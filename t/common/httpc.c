/*
 * httpc.c - the end-to-end tests' HTTP/1.1 client (see httpc.h).
 *
 * One request per connection: send everything, read until the server
 * closes, then parse.  Good enough for tests and simple to trust: there is
 * no connection state to get wrong.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "httpc.h"

#define RESPONSE_MAX (256u * 1024 * 1024)   /* refuse to buffer more */

struct buf {
	char *p;
	size_t len, cap;
};

struct base {
	char host[256];
	char port[16];
};

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Make room for n more bytes (plus a NUL); 0 or -1. */
static int
buf_reserve(struct buf *b, size_t n)
{
	size_t cap = b->cap != 0 ? b->cap : 4096;
	char *p;

	if (n > RESPONSE_MAX || b->len > RESPONSE_MAX - n)
		return -1;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	if ((p = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int
buf_add(struct buf *b, const void *data, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return -1;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

const char *
http_base_url(void)
{
	const char *url = getenv("MED_BASE_URL");

	if (url == NULL || *url == '\0') {
		fprintf(stderr, "httpc: MED_BASE_URL is not set (run through t/run-e2e.sh)\n");
		abort();
	}
	return url;
}

/* "http://host[:port][/...]", host possibly "[v6]". */
static int
parse_base(struct base *b)
{
	const char *p = http_base_url(), *end;
	size_t n;

	if (strncmp(p, "http://", 7) != 0)
		goto bad;
	p += 7;
	if (*p == '[') {
		if ((end = strchr(++p, ']')) == NULL)
			goto bad;
		n = (size_t)(end - p);
		end++;
	} else {
		n = strcspn(p, ":/");
		end = p + n;
	}
	if (n == 0 || n >= sizeof b->host)
		goto bad;
	memcpy(b->host, p, n);
	b->host[n] = '\0';
	if (*end == ':') {
		n = strcspn(++end, "/");
		if (n == 0 || n >= sizeof b->port)
			goto bad;
		memcpy(b->port, end, n);
		b->port[n] = '\0';
	} else {
		snprintf(b->port, sizeof b->port, "80");
	}
	return 0;
bad:
	fprintf(stderr, "httpc: cannot parse MED_BASE_URL \"%s\"\n", http_base_url());
	return -1;
}

static int
set_timeouts(int fd)
{
	struct timeval tv = { HTTP_TIMEOUT_SECONDS, 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		return -1;
	return 0;
}

/* A connected socket with timeouts, or -1. */
static int
connect_base(const struct base *b)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(b->host, b->port, &hints, &res)) != 0) {
		fprintf(stderr, "httpc: %s:%s: %s\n", b->host, b->port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (set_timeouts(fd) == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "httpc: connect %s:%s: %s\n", b->host, b->port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

int
http_connect(void)
{
	struct base b;

	if (parse_base(&b) != 0)
		return -1;
	return connect_base(&b);
}

/* Write all of p; 0, or -1 with errno. MSG_NOSIGNAL: no SIGPIPE. */
static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until the server closes.  A reset after some data counts as the
 * end: the server may drop the connection right after answering. */
static int
recv_all(int fd, struct buf *b)
{
	for (;;) {
		ssize_t r;

		if (buf_reserve(b, 65536) != 0) {
			fprintf(stderr, "httpc: response too large\n");
			return -1;
		}
		r = recv(fd, b->p + b->len, b->cap - b->len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET && b->len > 0))
			return 0;
		if (r < 0) {
			fprintf(stderr, "httpc: recv: %s\n", errno == EAGAIN || errno == EWOULDBLOCK ?
			    "timed out" : strerror(errno));
			return -1;
		}
		b->len += (size_t)r;
		b->p[b->len] = '\0';
	}
}

static int
build_request(struct buf *req, const struct base *b, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len)
{
	char line[512];
	int need_length = body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;

	if (buf_str(req, method) || buf_str(req, " ") || buf_str(req, path) ||
	    buf_str(req, " HTTP/1.1\r\n"))
		return -1;
	snprintf(line, sizeof line, "Host: %s:%s\r\nConnection: close\r\n", b->host, b->port);
	if (buf_str(req, line))
		return -1;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		if (buf_str(req, headers[i]) || buf_str(req, "\r\n"))
			return -1;
	if (need_length) {
		snprintf(line, sizeof line, "Content-Length: %zu\r\n", body != NULL ? body_len : 0);
		if (buf_str(req, line))
			return -1;
	}
	return buf_str(req, "\r\n");
}

/* ---- parsing ------------------------------------------------------------ */

/* Index "Name: value" lines as "name\0value\0" pairs (names lowercased). */
static int
index_headers(struct http_result *res, const char *lines)
{
	struct buf idx = { NULL, 0, 0 };
	const char *p = lines;

	while (*p != '\0') {
		size_t len = strcspn(p, "\r\n"), name_len = strcspn(p, ":");
		if (name_len < len) {
			const char *v = p + name_len + 1, *end = p + len;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			for (size_t i = 0; i < name_len; i++) {
				char c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
				if (buf_add(&idx, &c, 1))
					goto oom;
			}
			if (buf_add(&idx, "", 1) || buf_add(&idx, v, (size_t)(end - v)) ||
			    buf_add(&idx, "", 1))
				goto oom;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	res->hdr_index = idx.p;
	res->hdr_index_len = idx.len;
	return 0;
oom:
	buf_free(&idx);
	return -1;
}

/* Decode a chunked body from p[0..n) into out. */
static int
dechunk(const char *p, size_t n, struct buf *out)
{
	const char *end = p + n;

	for (;;) {
		char *after;
		unsigned long size;
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (eol == NULL)
			return -1;
		errno = 0;
		size = strtoul(p, &after, 16);
		if (errno != 0 || after == p)
			return -1;
		p = eol + 1;
		if (size == 0)
			return 0;   /* trailers ignored */
		if (size > (size_t)(end - p))
			return -1;
		if (buf_add(out, p, size))
			return -1;
		p += size;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		else if (end - p >= 1 && p[0] == '\n')
			p += 1;
		else
			return -1;
	}
}

static int
take_body(struct http_result *res, const char *p, size_t n)
{
	struct buf body = { NULL, 0, 0 };
	const char *te = http_header(res, "transfer-encoding");
	const char *cl = http_header(res, "content-length");

	if (te != NULL && strcasestr(te, "chunked") != NULL) {
		if (dechunk(p, n, &body) != 0) {
			fprintf(stderr, "httpc: malformed chunked body\n");
			buf_free(&body);
			return -1;
		}
	} else {
		if (cl != NULL) {
			char *e;
			unsigned long long want = strtoull(cl, &e, 10);
			if (*e != '\0' || want > n) {
				fprintf(stderr, "httpc: body shorter than Content-Length %s\n", cl);
				return -1;
			}
			n = (size_t)want;
		}
		if (buf_add(&body, p, n)) {
			buf_free(&body);
			return -1;
		}
	}
	if (body.p == NULL && buf_add(&body, "", 0))
		return -1;
	res->body = body.p;
	res->body_len = body.len;
	return 0;
}

/* Split raw into status, headers and body; interim 1xx answers skipped. */
static int
parse_response(const char *raw, size_t n, struct http_result *res)
{
	const char *end, *sp;
	int status;

	for (;;) {
		if ((end = strstr(raw, "\r\n\r\n")) == NULL ||
		    strncmp(raw, "HTTP/1.", 7) != 0 || (sp = strchr(raw, ' ')) == NULL ||
		    sscanf(sp, " %3d", &status) != 1) {
			fprintf(stderr, "httpc: malformed response (%zu bytes)\n", n);
			return -1;
		}
		if (status >= 200 || status < 100)
			break;
		n -= (size_t)(end + 4 - raw);
		raw = end + 4;
	}
	res->status = status;
	if ((res->headers = strndup(raw, (size_t)(end - raw))) == NULL)
		return -1;
	if (index_headers(res, strchr(res->headers, '\n') != NULL ?
	    strchr(res->headers, '\n') + 1 : "") != 0)
		return -1;
	if (take_body(res, end + 4, n - (size_t)(end + 4 - raw)) != 0)
		return -1;
	if (res->body_len > 0)
		res->json = cJSON_ParseWithLength(res->body, res->body_len);
	return 0;
}

/* ---- public ------------------------------------------------------------- */

int
http_call(const char *method, const char *path, const char *const *headers,
    const char *body, size_t body_len, struct http_result *out)
{
	struct buf req = { NULL, 0, 0 }, resp = { NULL, 0, 0 };
	struct base b;
	int fd = -1, rc = -1;

	memset(out, 0, sizeof *out);
	if (parse_base(&b) != 0)
		return -1;
	if (build_request(&req, &b, method, path, headers, body, body_len) != 0) {
		fprintf(stderr, "httpc: out of memory\n");
		goto done;
	}
	if ((fd = connect_base(&b)) < 0)
		goto done;
	/*
	 * A server may answer before it has read the whole body (nginx's
	 * 413): a failed send is then no error if an answer can be read.
	 */
	if (send_all(fd, req.p, req.len) == 0 && body != NULL && body_len > 0)
		(void)send_all(fd, body, body_len);
	if (recv_all(fd, &resp) != 0)
		goto done;
	if (resp.len == 0) {
		fprintf(stderr, "httpc: %s %s: empty response\n", method, path);
		goto done;
	}
	if (parse_response(resp.p, resp.len, out) != 0) {
		http_result_free(out);
		goto done;
	}
	rc = out->status;
done:
	if (fd >= 0)
		close(fd);
	buf_free(&req);
	buf_free(&resp);
	return rc;
}

const char *
http_header(const struct http_result *res, const char *name)
{
	const char *p = res->hdr_index, *end;

	if (p == NULL)
		return NULL;
	for (end = p + res->hdr_index_len; p < end;) {
		const char *value = p + strlen(p) + 1;
		if (strcasecmp(p, name) == 0)
			return value;
		p = value + strlen(value) + 1;
	}
	return NULL;
}

int
http_header_count(const struct http_result *res, const char *name)
{
	const char *p = res->hdr_index, *end;
	int n = 0;

	if (p == NULL)
		return 0;
	for (end = p + res->hdr_index_len; p < end;) {
		const char *value = p + strlen(p) + 1;
		n += strcasecmp(p, name) == 0;
		p = value + strlen(value) + 1;
	}
	return n;
}

void
http_result_free(struct http_result *res)
{
	free(res->headers);
	free(res->body);
	free(res->hdr_index);
	cJSON_Delete(res->json);
	memset(res, 0, sizeof *res);
}

int
api(const char *method, const char *path, const char *token, const char *json_body,
    struct http_result *out)
{
	char target[2048], auth[4096];
	const char *headers[3];
	int n = 0;

	if ((size_t)snprintf(target, sizeof target, "%s%s",
	    strncmp(path, "/api/", 5) == 0 ? "" : "/api/v1", path) >= sizeof target) {
		memset(out, 0, sizeof *out);
		fprintf(stderr, "httpc: path too long\n");
		return -1;
	}
	if (token != NULL) {
		if ((size_t)snprintf(auth, sizeof auth, "Authorization: Bearer %s", token) >= sizeof auth) {
			memset(out, 0, sizeof *out);
			fprintf(stderr, "httpc: token too long\n");
			return -1;
		}
		headers[n++] = auth;
	}
	if (json_body != NULL)
		headers[n++] = "Content-Type: application/json";
	headers[n] = NULL;
	return http_call(method, target, headers, json_body,
	    json_body != NULL ? strlen(json_body) : 0, out);
}
