/*
 * httpc.h - a tiny blocking HTTP/1.1 client for the end-to-end tests.
 *
 * It talks to the host:port of the environment variable MED_BASE_URL
 * ("http://127.0.0.1:8080", set by t/run-e2e.sh), one connection per call
 * (Connection: close), and reads the whole answer.  Reads and writes time
 * out after HTTP_TIMEOUT_SECONDS, so a hung server fails a test instead of
 * hanging it.  Plain HTTP only.
 */
#ifndef HTTPC_H
#define HTTPC_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define HTTP_TIMEOUT_SECONDS 30

struct http_result {
	int status;        /* e.g. 200 */
	char *headers;     /* raw header block, NUL-terminated, CRLFs kept */
	char *body;        /* de-chunked body, NUL-terminated ("" if none) */
	size_t body_len;
	cJSON *json;       /* body parsed as JSON, NULL if empty or not JSON */
	char *hdr_index;   /* private to httpc.c: "name\0value\0" pairs */
	size_t hdr_index_len;
};

/*
 * Send one request.  path is the request target ("/api/v1/health?x=1").
 * headers is NULL or a NULL-terminated array of "Name: value" lines.  A
 * Content-Length header is always sent for POST, PUT and PATCH (0 without
 * body), and whenever body != NULL.  Returns the HTTP status (also in
 * out->status) and fills *out, or -1 on a transport or protocol error
 * (message on stderr; *out is then zeroed).  Either way
 * http_result_free(out) is safe and required after success.
 */
int http_call(const char *method, const char *path, const char *const *headers,
    const char *body, size_t body_len, struct http_result *out);

/*
 * The value of the first header called name (case-insensitive), or NULL.
 * The string belongs to res and lives until http_result_free(res).
 */
const char *http_header(const struct http_result *res, const char *name);

/* How many times header name occurs. */
int http_header_count(const struct http_result *res, const char *name);

/* Free what res owns and zero it.  Safe on a zeroed or freed result. */
void http_result_free(struct http_result *res);

/*
 * JSON API call: adds "Authorization: Bearer <token>" when token != NULL
 * and "Content-Type: application/json" when json_body != NULL.  A path
 * not starting with "/api/" is taken relative to /api/v1 ("/users/me"
 * means "/api/v1/users/me").  Returns the HTTP status or -1, as http_call().
 */
int api(const char *method, const char *path, const char *token,
    const char *json_body, struct http_result *out);

/*
 * A socket connected to MED_BASE_URL's host and port (blocking, with the
 * timeouts above), for a test that speaks HTTP itself (a stream that never
 * ends, such as EventSource); -1 on failure (message on stderr).
 */
int http_connect(void);

/* The base URL from the environment (never NULL: aborts if unset). */
const char *http_base_url(void);

#endif
