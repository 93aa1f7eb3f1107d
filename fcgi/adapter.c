/*
 * adapter.c - FastCGI parameters and body to struct med_req, struct
 * med_resp to a CGI response (see adapter.h).  No libfcgi call in here:
 * serve.c feeds it what libfcgi received.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "util.h"

static const char fallback_500[] =
    "{\"success\":false,\"data\":null,\"message\":\"Internal server error\"}";

/* ---- request ------------------------------------------------------------ */

const char *
adapter_param(char *const *envp, const char *name)
{
	size_t len;

	if (envp == NULL || name == NULL)
		return NULL;
	len = strlen(name);
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

enum cl_result { CL_OK, CL_BAD, CL_TOO_BIG };

/*
 * CONTENT_LENGTH: absent or empty means 0; otherwise digits only (no sign,
 * no blanks).  The value saturates just above ADAPTER_DRAIN_MAX, so no
 * input can overflow it.
 */
static enum cl_result
parse_content_length(const char *s, size_t *len)
{
	size_t n = 0;

	*len = 0;
	if (s == NULL || *s == '\0')
		return CL_OK;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return CL_BAD;
		if (n <= ADAPTER_DRAIN_MAX)
			n = n * 10 + (size_t)(*s - '0');
	}
	*len = n;
	return n > MED_BODY_MAX ? CL_TOO_BIG : CL_OK;
}

/* Read and discard up to ADAPTER_DRAIN_MAX bytes, in bounded chunks. */
static void
drain_body(adapter_read_fn rd, void *arg, size_t len)
{
	char buf[16384];
	size_t left = len > ADAPTER_DRAIN_MAX ? ADAPTER_DRAIN_MAX : len;

	while (left > 0) {
		int want = left < sizeof buf ? (int)left : (int)sizeof buf;
		int n = rd(arg, buf, want);
		if (n <= 0)
			break;
		left -= (size_t)n;
	}
}

/* Exactly len bytes into a malloc'd, NUL-terminated buffer (NULL for 0).
 * Returns 0, -1 on a short read, -2 when out of memory. */
static int
read_body(adapter_read_fn rd, void *arg, size_t len, char **body)
{
	size_t got = 0;
	char *buf;

	*body = NULL;
	if (len == 0)
		return 0;
	if ((buf = malloc(len + 1)) == NULL)
		return -2;
	while (got < len) {
		size_t want = len - got;
		int n = rd(arg, buf + got, want > INT_MAX ? INT_MAX : (int)want);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*body = buf;
	return 0;
}

/*
 * The request path, without query string, malloc'd: DOCUMENT_URI (nginx's
 * normalised $uri), else SCRIPT_NAME + PATH_INFO, else REQUEST_URI up to
 * '?'.  Returns 0, -1 when none is usable, -2 when out of memory.
 */
static int
request_path(char *const *envp, char **path)
{
	const char *doc = adapter_param(envp, "DOCUMENT_URI");
	const char *sn = adapter_param(envp, "SCRIPT_NAME"), *pi = adapter_param(envp, "PATH_INFO");
	const char *uri = adapter_param(envp, "REQUEST_URI");

	*path = NULL;
	if (nonempty(doc)) {
		*path = strdup(doc);
	} else if (nonempty(sn) || nonempty(pi)) {
		size_t a = nonempty(sn) ? strlen(sn) : 0, b = nonempty(pi) ? strlen(pi) : 0;
		if ((*path = malloc(a + b + 1)) != NULL) {
			memcpy(*path, a > 0 ? sn : "", a);
			memcpy(*path + a, b > 0 ? pi : "", b);
			(*path)[a + b] = '\0';
		}
	} else if (nonempty(uri)) {
		*path = strndup(uri, strcspn(uri, "?"));
	} else {
		return -1;
	}
	if (*path == NULL)
		return -2;
	return (*path)[0] == '/' ? 0 : -1;
}

/* Answer with an error envelope instead of dispatching; returns 0. */
static int
reject(struct med_resp *resp, int status, const char *message)
{
	if (status == 503)
		med_fail(resp, MED_ENOMEM);
	else
		med_error(resp, status, message);
	return 0;
}

int
adapter_map(char *const *envp, adapter_read_fn rd, void *arg,
    struct med_req *req, struct adapter_owned *own, struct med_resp *resp)
{
	size_t len;
	int rc;

	req->method = adapter_param(envp, "REQUEST_METHOD");
	req->query = adapter_param(envp, "QUERY_STRING");
	req->authorization = adapter_param(envp, "HTTP_AUTHORIZATION");
	req->refresh_header = adapter_param(envp, "HTTP_X_REFRESH_TOKEN");
	req->cookie = adapter_param(envp, "HTTP_COOKIE");
	req->client = adapter_param(envp, "HTTP_X_CLIENT");
	req->content_type = adapter_param(envp, "CONTENT_TYPE");
	req->origin = adapter_param(envp, "HTTP_ORIGIN");
	req->remote_addr = adapter_param(envp, "REMOTE_ADDR");
	req->idempotency_key = adapter_param(envp, "HTTP_IDEMPOTENCY_KEY");

	rc = request_path(envp, &own->path);
	req->path = own->path;
	if (rc == -2)
		return reject(resp, 503, NULL);
	if (rc != 0 || !nonempty(req->method))
		return reject(resp, 400, "Bad request");

	switch (parse_content_length(adapter_param(envp, "CONTENT_LENGTH"), &len)) {
	case CL_BAD:
		return reject(resp, 400, "Bad request");
	case CL_TOO_BIG:
		drain_body(rd, arg, len);
		return reject(resp, 413, "Request body too large");
	case CL_OK:
		break;
	}
	rc = read_body(rd, arg, len, &own->body);
	if (rc == -2)
		return reject(resp, 503, NULL);
	if (rc != 0)
		return reject(resp, 400, "Incomplete request body");
	req->body = own->body;
	req->body_len = len;
	return 1;
}

/* The unread rest of an in-memory body stream. */
struct mem_stream {
	const char *p;
	size_t left;
};

static int
mem_read(void *arg, char *buf, int len)
{
	struct mem_stream *m = arg;
	size_t n;

	if (len <= 0 || m->left == 0)
		return 0;
	n = m->left < (size_t)len ? m->left : (size_t)len;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (int)n;
}

int
adapter_map_mem(char *const *envp, const char *body, size_t len,
    struct med_req *req, struct adapter_owned *own, struct med_resp *resp)
{
	struct mem_stream m = { body, body != NULL ? len : 0 };

	return adapter_map(envp, mem_read, &m, req, own, resp);
}

void
adapter_owned_free(struct adapter_owned *own)
{
	free(own->path);
	free(own->body);
	own->path = own->body = NULL;
}

/* ---- response ----------------------------------------------------------- */

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
}

/* A header value must be printable ASCII: nothing may split the header. */
static int
header_value_ok(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

/* Append "Name: value\r\n" to head; 0 on success (or skipped), -1 if full. */
static int
header_add(char *head, size_t size, size_t *len, const char *name, const char *value)
{
	int n;

	if (!header_value_ok(value))
		return 0;
	n = snprintf(head + *len, size - *len, "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

static int
response_head(char *head, size_t size, size_t *len, const struct med_resp *resp,
    int status, size_t body_len)
{
	char num[32];
	int n = snprintf(head, size, "Status: %d %s\r\n", status, reason_phrase(status));

	if (n < 0 || (size_t)n >= size)
		return -1;
	*len = (size_t)n;
	/* Medical data: no cache, shared or private, may keep any answer. */
	if (header_add(head, size, len, "Cache-Control", "no-store") != 0)
		return -1;
	if (body_len > 0) {
		snprintf(num, sizeof num, "%zu", body_len);
		if (header_add(head, size, len, "Content-Type", resp->content_type[0] != '\0' ?
		    resp->content_type : "application/json") != 0 ||
		    header_add(head, size, len, "Content-Length", num) != 0)
			return -1;
	}
	if (resp->allow[0] != '\0' && header_add(head, size, len, "Allow", resp->allow) != 0)
		return -1;
	if (resp->www_authenticate && header_add(head, size, len, "WWW-Authenticate", "Bearer") != 0)
		return -1;
	if (resp->request_id[0] != '\0' && header_value_ok(resp->request_id) &&
	    header_add(head, size, len, "X-Request-Id", resp->request_id) != 0)
		return -1;
	/* A refused request never hands out (or clears) a session cookie. */
	if (resp->set_cookie[0] != '\0' && status >= 200 && status < 300 &&
	    header_value_ok(resp->set_cookie) &&
	    header_add(head, size, len, "Set-Cookie", resp->set_cookie) != 0)
		return -1;
	if (resp->replayed && header_add(head, size, len, "Idempotent-Replayed", "true") != 0)
		return -1;
	if (resp->retry_after > 0) {
		snprintf(num, sizeof num, "%d", resp->retry_after);
		if (header_add(head, size, len, "Retry-After", num) != 0)
			return -1;
	}
	if (resp->cors_origin[0] != '\0' && header_value_ok(resp->cors_origin) &&
	    (header_add(head, size, len, "Access-Control-Allow-Origin", resp->cors_origin) != 0 ||
	    header_add(head, size, len, "Vary", "Origin") != 0))
		return -1;
	/* A preflight the library approved: say what the real request may use. */
	if (resp->preflight && resp->cors_origin[0] != '\0' &&
	    (header_add(head, size, len, "Access-Control-Allow-Methods",
	    resp->allow[0] != '\0' ? resp->allow : "GET, POST, PATCH, DELETE") != 0 ||
	    header_add(head, size, len, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, X-Refresh-Token, Idempotency-Key") != 0 ||
	    header_add(head, size, len, "Access-Control-Max-Age", "600") != 0))
		return -1;
	if (*len + 2 >= size)
		return -1;
	memcpy(head + *len, "\r\n", 3);
	*len += 2;
	return 0;
}

int
adapter_render(const struct med_resp *resp, char head[ADAPTER_HEAD_MAX], size_t *hlen,
    const char **body, size_t *blen)
{
	static const struct med_resp bare;
	int status = resp->status;

	*body = resp->body;
	if (status < 200 || status > 599 || (status != 204 && *body == NULL)) {
		status = 500;
		*body = fallback_500;
		resp = &bare;
	}
	if (status == 204)
		*body = NULL;
	*blen = *body != NULL ? strlen(*body) : 0;
	if (response_head(head, ADAPTER_HEAD_MAX, hlen, resp, status, *blen) != 0) {
		status = 500;
		*body = fallback_500;
		*blen = strlen(*body);
		if (response_head(head, ADAPTER_HEAD_MAX, hlen, &bare, status, *blen) != 0) {
			*hlen = *blen = 0;
			*body = NULL;
		}
	}
	return status;
}

void
adapter_request_id(char *const *envp, char id[33])
{
	const char *given = adapter_param(envp, "REQUEST_ID");
	size_t n = given != NULL ? strlen(given) : 0;

	if (n >= 8 && n <= 32 && strspn(given, "0123456789abcdefABCDEF") == n) {
		memcpy(id, given, n + 1);
		return;
	}
	if (util_random_hex(id, 16) != MED_OK)
		snprintf(id, 33, "%s", "-");
}
