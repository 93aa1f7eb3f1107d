/*
 * dispatch.c - the pipeline every row of the routing table runs through,
 * in a fixed order: route (404) -> method (405) -> token (401) -> active
 * user and role (403) -> body media type (415) -> path, query and body
 * specs (422) -> the route's transaction around its handler.  Also the
 * strict JSON reading of bodies, CORS, and the one place a 5xx is
 * explained for the worker log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "db.h"
#include "fhir.h"
#include "idempotency.h"
#include "live.h"
#include "route.h"
#include "secrets.h"
#include "util.h"
#include "valid.h"

/* Append a method to the Allow list once. */
static void
allow_add(char *allow, size_t size, const char *method)
{
	size_t mlen = strlen(method);
	for (const char *a = allow; (a = strstr(a, method)) != NULL; a += mlen)
		if ((a == allow || a[-1] == ' ') && (a[mlen] == ',' || a[mlen] == '\0'))
			return;
	if (allow[0] != '\0')
		strncat(allow, ", ", size - strlen(allow) - 1);
	strncat(allow, method, size - strlen(allow) - 1);
}

static void
free_params(struct med_req *req)
{
	while (req->nparams > 0)
		free(req->params[--req->nparams]);
}

/* Find the route for method+path; NULL with 404 or 405 already set in resp. */
static const struct med_route *
find_route(struct med_req *req, struct med_resp *resp)
{
	char *params[MED_MAX_PARAMS];
	int nparams, path_known = 0;

	resp->allow[0] = '\0';
	for (const struct med_route *r = fhir_path(req->path) ? med_fhir_routes() : med_routes();
	    r->handler != NULL; r++) {
		if (!route_match(r->pattern, req->path, params, &nparams))
			continue;
		if (strcmp(r->method, req->method) == 0) {
			free_params(req);
			memcpy(req->params, params, sizeof params[0] * (size_t)nparams);
			req->nparams = nparams;
			return r;
		}
		while (nparams > 0)
			free(params[--nparams]);
		path_known = 1;
		allow_add(resp->allow, sizeof resp->allow, r->method);
	}
	if (path_known) {
		med_error(resp, 405, "Method not allowed");
	} else {
		resp->allow[0] = '\0';
		med_error(resp, 404, "Not found");
	}
	return NULL;
}

/* Length of a JSON number at s (RFC 8259 grammar), 0 if it isn't one. */
static size_t
json_number_len(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	/* "01", "1.", "1.2.3": a number must end where a delimiter starts. */
	if (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
		return 0;
	return i;
}

/*
 * What cJSON lets through but JSON forbids, checked in one pass before
 * parsing: "\u0000" escapes (decoded into a NUL that would silently
 * truncate a stored string), raw control characters inside strings, and
 * numbers such as 01 or 1. that strtod happily reads.  No stored value may
 * differ from what the client sent.
 */
static int
json_text_strict(const char *s, size_t n)
{
	size_t i = 0, len;
	int in_string = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (in_string) {
			if (c < 0x20)
				return 0;
			if (c == '\\') {
				if (i + 6 <= n && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
					return 0;
				i += 2;
				continue;
			}
			if (c == '"')
				in_string = 0;
			i++;
		} else if (c == '"') {
			in_string = 1;
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if ((len = json_number_len(s + i, n - i)) == 0)
				return 0;
			i += len;
		} else {
			i++;
		}
	}
	return 1;
}

/* Parse the body as JSON, if any; 422 on malformed JSON. */
static int
parse_body(struct med_req *req, struct med_resp *resp)
{
	const char *end = NULL;

	if (req->body == NULL || req->body_len == 0)
		return 1;
	if (!util_utf8_valid(req->body, req->body_len) ||
	    !json_text_strict(req->body, req->body_len)) {
		med_invalid(resp, "body", NULL, "Request body is not valid UTF-8 JSON text", "json_invalid");
		return 0;
	}
	/*
	 * cJSON stops after the first value; anything but whitespace after it
	 * ("{}{}", "{} x") makes the body malformed, not silently truncated.
	 */
	req->json = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0);
	while (req->json != NULL && end < req->body + req->body_len &&
	    (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (req->json != NULL && end != req->body + req->body_len) {
		cJSON_Delete(req->json);
		req->json = NULL;
	}
	if (req->json == NULL) {
		med_invalid(resp, "body", NULL, "Request body is not valid JSON", "json_invalid");
		return 0;
	}
	return 1;
}

/*
 * A body is JSON or nothing: "application/json", any case, with at most a
 * UTF-8 charset parameter (RFC 8259: JSON text is UTF-8).  Anything else
 * is 415, before the body is read.
 */
static int
body_is_json(const struct med_req *req, struct med_resp *resp)
{
	static const char json[] = "application/json";
	const char *ct = req->content_type, *cs;
	size_t n = sizeof json - 1;

	if (req->body == NULL || req->body_len == 0)
		return 1;
	if (ct != NULL) {
		ct += strspn(ct, " \t");
		if (strncasecmp(ct, json, n) == 0 && strchr(" \t;", ct[n]) != NULL &&
		    ((cs = strcasestr(ct + n, "charset=")) == NULL ||
		    strncasecmp(cs + 8, "utf-8", 5) == 0 || strncasecmp(cs + 8, "\"utf-8\"", 7) == 0))
			return 1;
	}
	med_error(resp, 415, "Content-Type must be application/json");
	return 0;
}

void
route_keep_on_refusal(struct med_ctx *ctx)
{
	ctx->tx_keep = 1;
}

/* Authenticated POSTs that write honour an Idempotency-Key (idempotency.h). */
static int
idempotent(const struct med_route *r, const struct med_req *req)
{
	return req->idempotency_key != NULL && r->tx == TX_WRITE && req->authed &&
	    strcmp(r->method, "POST") == 0;
}

/*
 * The route's transaction around its handler: a write is committed when
 * the answer is 2xx (or the handler asked to keep its refusal), rolled
 * back otherwise, so no refused request leaves half its rows behind.  A
 * failed commit replaces the answer: the client must not believe in a
 * write that is not on disk.
 */
static void
run_in_tx(struct med_ctx *ctx, const struct med_route *r, struct med_req *req,
    struct med_resp *resp)
{
	enum idem_verdict verdict;
	enum med_err e;
	int ok;

	if (r->tx == TX_NONE) {
		r->handler(ctx, req, resp);
		if (resp->status >= 500)
			db_note_fault(ctx);
		return;
	}
	e = r->tx == TX_READ ? db_begin_read(ctx) : r->tx == TX_AUDIT ? db_begin_audit(ctx) :
	    db_begin(ctx);
	if (e != MED_OK) {
		db_note_fault(ctx);
		med_fail(resp, e);
		return;
	}
	ctx->tx_keep = 0;
	if (idempotent(r, req)) {
		if ((e = idem_begin(ctx, req, resp, &verdict)) != MED_OK || verdict == IDEM_ANSWERED) {
			db_rollback(ctx);
			if (e != MED_OK)
				med_fail(resp, e);
			return;
		}
	}
	r->handler(ctx, req, resp);
	ok = resp->status >= 200 && resp->status < 300;
	/* Before the rollback, which would replace the connection's error. */
	if (resp->status >= 500)
		db_note_fault(ctx);
	if (ok && idempotent(r, req) && (e = idem_store(ctx, req, resp)) != MED_OK) {
		db_rollback(ctx);
		med_fail(resp, e);
		return;
	}
	if (ok || (ctx->tx_keep && resp->status < 500)) {
		if ((e = db_commit(ctx)) != MED_OK)
			med_fail(resp, e);
		else
			live_publish(ctx, resp->note, sizeof resp->note);
	} else {
		db_rollback(ctx);
	}
	ctx->tx_keep = 0;
}

/* Routes that may write: every write route, and any non-GET without a transaction. */
static int
route_writes(const struct med_route *r)
{
	return r->tx == TX_WRITE || r->tx == TX_AUDIT ||
	    (r->tx == TX_NONE && strcmp(r->method, "GET") != 0);
}

/*
 * A 5xx is explained once, for the worker log: the route, and the
 * storage fault behind it.  A plain 500 that a storage fault caused
 * becomes what it is: 507 for a full disk, 503 for files that cannot be
 * read or written (the client may retry; nothing was written).
 */
static void
explain_failure(struct med_ctx *ctx, const struct med_req *req, struct med_resp *resp)
{
	const char *where = req->pattern != NULL ? req->pattern : req->path != NULL ? req->path : "-";
	const char *method = req->method != NULL ? req->method : "-";

	if (ctx->fault != 0) {
		if (resp->status == 500)
			med_fail(resp, db_err(ctx->fault));
		snprintf(resp->cause, sizeof resp->cause, "%s %s: SQLite %d: %s", method, where,
		    ctx->fault, ctx->fault_msg);
	} else if (ctx->db == NULL) {
		snprintf(resp->cause, sizeof resp->cause, "%s %s: database unavailable", method,
		    where);
	} else {
		snprintf(resp->cause, sizeof resp->cause, "%s %s: %s (last SQLite error %d: %s)",
		    method, where, resp->status == 503 ? "unavailable" : "internal error",
		    sqlite3_extended_errcode(ctx->db), sqlite3_errmsg(ctx->db));
	}
}

static void
dispatch(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const struct med_route *r;
	enum med_err e;

	if (req->method == NULL || req->path == NULL) {
		med_error(resp, 400, "Bad request");
		return;
	}
	if ((r = find_route(req, resp)) == NULL)
		return;
	if (ctx->db == NULL) {
		med_fail(resp, MED_ESTORAGE);
		return;
	}
	if (med_parse_query(req) != MED_OK) {
		med_invalid(resp, "query", NULL, "Malformed query string", "value_error");
		return;
	}

	if (r->auth != AUTH_NONE) {
		e = auth_authenticate(ctx, req);
		if (e == MED_EDB || e == MED_EBUSY || e == MED_ENOMEM || e == MED_EFULL ||
		    e == MED_ESTORAGE) {
			db_note_fault(ctx);
			med_fail(resp, e);
			return;
		}
		if (e == MED_OK)
			memcpy(resp->user_id, req->user.id, sizeof resp->user_id);
		/* AUTH_OPTIONAL routes treat a missing or bad token as anonymous. */
		if (r->auth == AUTH_REQUIRED) {
			if (e != MED_OK) {
				med_unauthorized(resp, e == MED_ENOTFOUND ?
				    "Not authenticated" : "Could not validate credentials");
				return;
			}
			if (!req->user.is_active) {
				med_error(resp, 403, "Inactive user");
				return;
			}
			if (!med_has_role(req, r->roles)) {
				med_error(resp, 403, "Insufficient role permissions");
				return;
			}
		}
	}
	if (!body_is_json(req, resp) || !parse_body(req, resp))
		return;
	if (fhir_path(req->path) && !fhir_known_params(req, r->query, resp))
		return;
	if (valid_request(req, r->pattern, r->query, r->body, resp) != MED_OK)
		return;
	/*
	 * Nothing is written through a handle that cannot take it, nor to
	 * files that became read-only under it (writing to them could end
	 * the worker with SIGBUS through the -shm mapping).
	 */
	if (route_writes(r) && (ctx->readonly || !db_files_writable(ctx))) {
		ctx->readonly = 1;
		med_fail(resp, MED_ESTORAGE);
		snprintf(ctx->fault_msg, sizeof ctx->fault_msg, "database files are not writable");
		ctx->fault = SQLITE_READONLY;
		return;
	}
	run_in_tx(ctx, r, req, resp);
}

/*
 * Rule: no cross-origin access unless the origin is listed, exactly, in
 * CORS_ORIGINS.  The origin is echoed (never "*"), so credentials stay
 * confined to the origins the clinic named.
 */
static int
origin_allowed(const char *list, const char *origin)
{
	size_t len;

	if (origin == NULL || *origin == '\0' || (len = strlen(origin)) >= 256)
		return 0;
	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ", ");
		if (n == len && strncmp(p, origin, n) == 0)
			return 1;
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

/* A CORS preflight for a known path from an allowed origin: 204 with Allow. */
static int
preflight(struct med_req *req, struct med_resp *resp)
{
	if (strcmp(req->method, "OPTIONS") != 0 || resp->cors_origin[0] == '\0')
		return 0;
	req->method = "\x01"; /* matches no route: find_route collects Allow */
	find_route(req, resp);
	req->method = "OPTIONS";
	if (resp->status != 405)
		return 0;
	resp->preflight = 1;
	med_no_content(resp);
	return 1;
}

void
med_handle(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	memset(resp, 0, sizeof *resp);
	ctx->fault = 0;
	ctx->fault_msg[0] = '\0';
	/* A database that failed or turned read-only is tried again (once a second). */
	if (ctx->db == NULL || ctx->readonly)
		(void)db_usable(ctx);
	/* One stat(): pick up secrets rotated by medadm (failure keeps the old keys). */
	(void)secrets_refresh(ctx);
	if (req->method != NULL && req->path != NULL &&
	    origin_allowed(ctx->cfg.cors_origins, req->origin)) {
		snprintf(resp->cors_origin, sizeof resp->cors_origin, "%s", req->origin);
		if (preflight(req, resp))
			return;
	}
	dispatch(ctx, req, resp);
	/* Events of anything not committed above never leave (live.h). */
	live_drop(ctx);
	db_release(ctx);
	if (resp->status == 0)
		med_fail(resp, MED_OK);
	if (resp->status >= 500)
		explain_failure(ctx, req, resp);
	/* Last: explain_failure() may have rewritten the answer. */
	if (fhir_path(req->path))
		fhir_outcome_from_envelope(resp);
}
