/*
 * fuzz_adapter.c - libFuzzer target for the worker's adapter
 * (fcgi/adapter.c) and access log line (fcgi/log.c): arbitrary FastCGI
 * parameters and body -> struct med_req -> med_handle() on a seeded
 * temporary database -> CGI response head -> access.log line.  This is
 * everything nginx sends before the library's parsers see it; nginx is
 * not trusted to send sane values.
 *
 * Input:
 *     NAME=value\n ...   parameters, one a line, as libfcgi hands them over
 *     \n                 an empty line ends them
 *     body               the FastCGI stdin stream, bytes as they are
 * Without an empty line everything is parameters and the stream is empty.
 * A value cannot hold '\n' in this format, which costs nothing: the
 * adapter and the log treat every control byte alike.
 *
 * Invariants (abort() = a finding):
 *  - the adapter either fills a request (a method, a path starting with
 *    '/', exactly CONTENT_LENGTH body bytes, the stream's first ones,
 *    NUL-terminated) or refuses with 400 or 413 in the envelope;
 *  - the library's answer is the envelope, and never a 5xx but 501;
 *  - the rendered head is "Status: NNN reason", header lines of printable
 *    ASCII ending in CRLF, one blank line at the end, Content-Length equal
 *    to the body length, no body on 204; the same holds for a response
 *    whose header values are the hostile input itself;
 *  - the access.log line is one line of printable ASCII with exactly the
 *    eight fields, whatever the method and path were.
 * After any committed change the database is restored from a snapshot, so
 * every input runs against the same data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "adapter.h"
#include "fuzz_common.h"
#include "http.h"
#include "log.h"
#include "route.h"

#define MAX_PARAMS 256

static struct med_ctx ctx;
static sqlite3 *snapshot;
static int64_t clean_changes;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_ctx_open(&ctx, 1);
	/* One allowed origin, so the CORS headers and preflights are rendered. */
	snprintf(ctx.cfg.cors_origins, sizeof ctx.cfg.cors_origins, "https://app.example.dz");
	if (sqlite3_open(":memory:", &snapshot) != SQLITE_OK)
		abort();
	fuzz_copy_db(snapshot, ctx.db);
	clean_changes = sqlite3_total_changes64(ctx.db);
	return 0;
}

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_adapter: %s\n%s\n", what, detail != NULL ? detail : "");
	abort();
}

/* ---- checks ------------------------------------------------------------- */

/* The request the adapter filled, against the parameters and stream it got. */
static void
check_request(char *const *envp, const struct med_req *req, const char *stream, size_t slen)
{
	const char *cl = adapter_param(envp, "CONTENT_LENGTH");
	size_t want = 0;

	if (req->method == NULL || req->method[0] == '\0')
		fail("accepted without a method", NULL);
	if (req->path == NULL || req->path[0] != '/')
		fail("accepted a path that does not start with '/'", req->path);
	for (; cl != NULL && *cl != '\0'; cl++) {
		if (*cl < '0' || *cl > '9' || want > MED_BODY_MAX)
			fail("accepted a bad or oversized CONTENT_LENGTH", adapter_param(envp, "CONTENT_LENGTH"));
		want = want * 10 + (size_t)(*cl - '0');
	}
	if (req->body_len != want || want > MED_BODY_MAX || want > slen)
		fail("body length differs from CONTENT_LENGTH or the stream", NULL);
	if (want > 0 && (req->body == NULL || memcmp(req->body, stream, want) != 0 ||
	    req->body[want] != '\0'))
		fail("body is not the stream's first CONTENT_LENGTH bytes", NULL);
	if (want == 0 && req->body != NULL)
		fail("a body for CONTENT_LENGTH 0", NULL);
	if (req->query != adapter_param(envp, "QUERY_STRING"))
		fail("query is not QUERY_STRING", NULL);
}

/* A rendered CGI head and its body. */
static void
check_head(int status, const char *head, size_t hlen, const char *body, size_t blen)
{
	char want[64];
	const char *p = head, *end = head + hlen, *cl = NULL;
	int n;

	if (hlen == 0 || hlen >= ADAPTER_HEAD_MAX || status < 200 || status > 599)
		fail("no head, or a status outside 200-599", NULL);
	n = snprintf(want, sizeof want, "Status: %d ", status);
	if (hlen < (size_t)n + 4 || memcmp(head, want, (size_t)n) != 0)
		fail("head does not start with the status line", head);
	if (memcmp(end - 4, "\r\n\r\n", 4) != 0)
		fail("head does not end with a blank line", head);
	/* Line by line: printable ASCII up to CRLF; the first empty line is the last. */
	while (p < end) {
		const char *eol = p;
		while (eol < end && *eol != '\r' && *eol != '\n') {
			if ((unsigned char)*eol < 0x20 || (unsigned char)*eol > 0x7e)
				fail("control or non-ASCII byte in the head", head);
			eol++;
		}
		if (end - eol < 2 || eol[0] != '\r' || eol[1] != '\n')
			fail("a header line not ended by CRLF", head);
		if (eol == p && eol + 2 != end)
			fail("an empty line before the end of the head", head);
		if (p != head && eol != p && memchr(p, ':', (size_t)(eol - p)) == NULL)
			fail("a header line without a colon", head);
		if ((size_t)(eol - p) > 16 && memcmp(p, "Content-Length: ", 16) == 0)
			cl = p + 16;
		p = eol + 2;
	}
	if (body != NULL && strlen(body) != blen)
		fail("body length is not the body's", head);
	if (body == NULL && blen != 0)
		fail("a body length without a body", head);
	if (status == 204 && body != NULL)
		fail("a body on 204", head);
	if (blen > 0 && (cl == NULL || strtoull(cl, NULL, 10) != blen))
		fail("Content-Length missing or wrong", head);
	if (blen == 0 && cl != NULL)
		fail("Content-Length without a body", head);
}

static void
check_access_line(const struct med_req *req, const struct med_resp *resp, int status)
{
	static const char *const keys[] = { "ts=", "pid=", "method=", "path=", "status=", "us=", "user=",
		"request=" };
	struct access_entry a = { req->method, req->path, status, 12345, resp->user_id,
		resp->request_id };
	char line[LOG_LINE_MAX];
	const char *p = line;
	int n = access_format(line, &a);

	if (n <= 0 || line[n - 1] != '\n' || (size_t)n != strlen(line))
		fail("access line not made, or not ended by its only newline", line);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *sp = strchr(p, i + 1 < sizeof keys / sizeof keys[0] ? ' ' : '\n');
		if (strncmp(p, keys[i], strlen(keys[i])) != 0 || sp == NULL)
			fail("access line fields out of order", line);
		for (const char *q = p; q < sp; q++)
			if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
				fail("blank, control or non-ASCII byte in an access line field", line);
		p = sp + 1;
	}
	if (*p != '\0')
		fail("access line longer than its eight fields", line);
}

/* A response whose header values are hostile bytes, as if the library let them through. */
static void
check_hostile_resp(char *const *envp, const char *stream, size_t slen)
{
	struct med_resp r;
	char head[ADAPTER_HEAD_MAX], *body;
	const char *out;
	size_t hlen, blen;
	const char *m = adapter_param(envp, "REQUEST_METHOD"), *o = adapter_param(envp, "HTTP_ORIGIN");
	int status;

	memset(&r, 0, sizeof r);
	r.status = slen > 0 ? 100 + (unsigned char)stream[0] * 2 : 204;
	snprintf(r.allow, sizeof r.allow, "%s", m != NULL ? m : "");
	snprintf(r.cors_origin, sizeof r.cors_origin, "%s", o != NULL ? o : "");
	r.www_authenticate = slen > 1 && (stream[1] & 1);
	r.preflight = slen > 1 && (stream[1] & 2);
	r.retry_after = slen > 2 ? (signed char)stream[2] * 1000 : 0;
	body = slen > 3 ? fuzz_strndup((const unsigned char *)stream + 3, slen - 3) : NULL;
	r.body = body;
	status = adapter_render(&r, head, &hlen, &out, &blen);
	check_head(status, head, hlen, out, blen);
	free(body);
}

/* ---- one input ---------------------------------------------------------- */

/* Split data into NUL-terminated parameter lines (in buf) and the stream. */
static size_t
split(char *buf, size_t size, char **envp, const char **stream, size_t *slen)
{
	size_t n = 0, i = 0;

	*stream = NULL;
	*slen = 0;
	while (i < size) {
		char *nl = memchr(buf + i, '\n', size - i);
		if (nl == NULL)
			nl = buf + size;
		if (nl == buf + i) {   /* the empty line */
			*stream = nl + 1;
			*slen = size - i - 1;
			break;
		}
		*nl = '\0';
		if (n < MAX_PARAMS)
			envp[n++] = buf + i;
		i = (size_t)(nl - buf) + 1;
	}
	envp[n] = NULL;
	return n;
}

static void
restore_if_changed(void)
{
	if (sqlite3_total_changes64(ctx.db) == clean_changes)
		return;
	fuzz_copy_db(ctx.db, snapshot);
	clean_changes = sqlite3_total_changes64(ctx.db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *envp[MAX_PARAMS + 1], head[ADAPTER_HEAD_MAX];
	const char *stream, *body;
	struct med_req req;
	struct med_resp resp;
	struct adapter_owned own = { NULL, NULL };
	size_t slen, hlen, blen;
	int status;

	/* One byte more, so a stream at the very end is still a valid pointer. */
	buf = malloc(size + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	split(buf, size, envp, &stream, &slen);

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	if (adapter_map_mem(envp, stream, slen, &req, &own, &resp)) {
		check_request(envp, &req, stream, slen);
		med_handle(&ctx, &req, &resp);
		if (!fuzz_resp_ok(&resp) || (resp.status >= 500 && resp.status != 501))
			fail("bad answer from med_handle", resp.body);
	} else if ((resp.status != 400 && resp.status != 413) || !fuzz_resp_ok(&resp)) {
		fail("adapter refusal is not a 400 or 413 envelope", resp.body);
	}
	status = adapter_render(&resp, head, &hlen, &body, &blen);
	if (status != resp.status)
		fail("a well-formed answer was rendered with another status", head);
	check_head(status, head, hlen, body, blen);
	check_access_line(&req, &resp, status);
	check_hostile_resp(envp, stream, slen);

	med_req_free(&req);
	med_resp_free(&resp);
	adapter_owned_free(&own);
	restore_if_changed();
	free(buf);
	return 0;
}
