/*
 * adapter.h - FastCGI request in, struct med_req out; struct med_resp in,
 * CGI response out.
 *
 * Nothing here needs a live FastCGI connection: parameters are the
 * envp-style array libfcgi hands over ("NAME=value" strings, NULL at the
 * end) and the body comes through a read callback, so the fuzzer and the
 * tests drive the same code as the worker.  Everything in them is hostile:
 * a parameter may be missing, empty or malformed, CONTENT_LENGTH may lie or
 * overflow, and the stream may end early.
 */
#ifndef ADAPTER_H
#define ADAPTER_H

#include <stddef.h>

#include "http.h"

/*
 * A body over MED_BODY_MAX is answered 413 without being stored; up to
 * this many bytes of it are read and discarded first so that nginx, which
 * writes the whole request before it reads the answer, sees a clean 413
 * instead of a broken pipe.  Bigger bodies are simply not read.
 */
#define ADAPTER_DRAIN_MAX (16u * 1024 * 1024)

/* Room for the status line and every header adapter_render() may write. */
#define ADAPTER_HEAD_MAX 2560   /* room for one Set-Cookie with a refresh token */

/*
 * Reads up to len bytes of the request body into buf, with FCGX_GetStr()'s
 * contract: fewer than len only at the end of the stream, 0 or less when
 * nothing is left.
 */
typedef int (*adapter_read_fn)(void *arg, char *buf, int len);

/* The strings of one request the adapter allocated; struct med_req borrows them. */
struct adapter_owned {
	char *path;
	char *body;
};

/* Value of parameter name, first match, as FCGX_GetParam(); NULL if absent. */
const char *adapter_param(char *const *envp, const char *name);

/*
 * Fill req from the parameters envp and the body read through rd.  Returns
 * 1 when req is ready for med_handle(), 0 when resp already holds the
 * answer (400 malformed, 413 too large, 503 out of memory).  Either way
 * req->method and req->path are what the access log should show, and own
 * must be released with adapter_owned_free() after med_req_free().
 */
int adapter_map(char *const *envp, adapter_read_fn rd, void *arg,
    struct med_req *req, struct adapter_owned *own, struct med_resp *resp);

/* adapter_map() with the whole body stream in memory: body[0..len). */
int adapter_map_mem(char *const *envp, const char *body, size_t len,
    struct med_req *req, struct adapter_owned *own, struct med_resp *resp);

void adapter_owned_free(struct adapter_owned *own);

/*
 * The id of this request into id (33 bytes): nginx's $request_id, passed
 * as REQUEST_ID, when it is a plain token, else a new random one.  The
 * same id is in the X-Request-Id header, the access log and, for a
 * failure, the worker log.
 */
void adapter_request_id(char *const *envp, char id[33]);

/*
 * The CGI response of resp: status line, headers and the blank line into
 * head (ADAPTER_HEAD_MAX bytes, *hlen of them used), the body to send
 * after it in *body (borrowed from resp or static, *blen bytes, NULL for
 * none).  A response the library left unusable (status outside 200-599,
 * or no body where one is due) becomes a 500 envelope; *hlen is 0 (send
 * nothing) only if not even that fits.  Returns the status that the head
 * announces.
 */
int adapter_render(const struct med_resp *resp, char head[ADAPTER_HEAD_MAX], size_t *hlen,
    const char **body, size_t *blen);

#endif
