/*
 * route.c - the routing table, read top to bottom, and the dispatch
 * pipeline: route -> method -> authenticate -> active -> role -> body ->
 * handler.  The first route whose pattern and method match wins, so more
 * specific literal paths stand above parameterised ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "route.h"
#include "handlers.h"
#include "auth.h"
#include "util.h"
#include "db.h"
#include "secrets.h"
#include "valid.h"
#include "idempotency.h"

#define A ROLE_ADMIN
#define D ROLE_DOCTOR
#define P ROLE_PATIENT
#define S ROLE_STAFF
#define ANY ROLE_ANY
#define V1 MED_API_BASE

static const struct med_route routes[] = {
	/* method pattern                                         auth           roles  tx        query                  body                   handler */
	{ "GET",  V1 "/health",                                  AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_health },

	{ "POST", V1 "/auth/register",                           AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_register_body,   h_auth_register },
	{ "POST", V1 "/auth/login",                              AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_login_body,      h_auth_login },
	{ "POST", V1 "/auth/refresh",                            AUTH_NONE,     0,     TX_WRITE, NULL,                  &auth_refresh_body,    h_auth_refresh },
	{ "POST", V1 "/auth/logout",                             AUTH_OPTIONAL, 0,     TX_WRITE, NULL,                  NULL,                  h_auth_logout },
	{ "POST", V1 "/auth/forgot",                             AUTH_NONE,     0,     TX_WRITE, NULL,                  &auth_forgot_body,     h_auth_forgot },
	{ "POST", V1 "/auth/reset",                              AUTH_NONE,     0,     TX_NONE,  NULL,                  &auth_reset_body,      h_auth_reset },

	{ "GET",  V1 "/users/me",                                AUTH_REQUIRED, ANY,   TX_READ,  NULL,                  NULL,                  h_users_me_get },
	{ "PATCH", V1 "/users/me",                                AUTH_REQUIRED, ANY,   TX_NONE,  NULL,                  &users_me_patch_body,  h_users_me_patch },
	{ "GET",  V1 "/users",                                   AUTH_REQUIRED, A,     TX_READ,  &users_list_query,     NULL,                  h_users_list },
	{ "PATCH", V1 "/users/{user_id}",                         AUTH_REQUIRED, A,     TX_NONE,  NULL,                  &users_patch_body,     h_users_patch },

	{ "GET",  V1 "/patients",                                AUTH_REQUIRED, A|S,   TX_WRITE, &patient_list_query,   NULL,                  h_patients_list },
	{ "POST", V1 "/patients",                                AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &patient_create_body,  h_patients_create },
	{ "GET",  V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_WRITE, NULL,                  NULL,                  h_patients_me_get },
	{ "POST", V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_WRITE, NULL,                  &patient_body,         h_patients_me_create },
	{ "PATCH", V1 "/patients/me",                             AUTH_REQUIRED, P|A,   TX_WRITE, NULL,                  &patient_body,         h_patients_me_patch },
	{ "GET",  V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A|S|D, TX_WRITE, NULL,                  NULL,                  h_patients_get },
	{ "PATCH", V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &patient_body,         h_patients_patch },
	{ "DELETE", V1 "/patients/{patient_id}",                   AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_patients_delete },

	{ "GET",  V1 "/doctors",                                 AUTH_NONE,     0,     TX_READ,  &doctor_list_query,    NULL,                  h_doctors_list },
	{ "POST", V1 "/doctors",                                 AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &doctor_create_body,   h_doctors_create },
	{ "GET",  V1 "/doctors/specialties",                     AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_doctors_specialties },
	{ "GET",  V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_READ,  NULL,                  NULL,                  h_doctors_me_get },
	{ "POST", V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &doctor_body,          h_doctors_me_create },
	{ "PATCH", V1 "/doctors/me/profile",                      AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &doctor_body,          h_doctors_me_patch },
	{ "GET",  V1 "/doctors/me/favorites",                    AUTH_REQUIRED, P,     TX_READ,  &reviews_paging,       NULL,                  h_favorites_list },
	{ "PATCH", V1 "/doctors/availability/{availability_id}",  AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &avail_patch_body,     h_availability_patch },
	{ "DELETE", V1 "/doctors/availability/{availability_id}",  AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  NULL,                  h_availability_delete },
	{ "GET",  V1 "/doctors/{doctor_id}",                     AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_doctors_get },
	{ "PATCH", V1 "/doctors/{doctor_id}",                     AUTH_REQUIRED, A,     TX_WRITE, NULL,                  &doctor_body,          h_doctors_patch },
	{ "DELETE", V1 "/doctors/{doctor_id}",                     AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_doctors_delete },
	{ "GET",  V1 "/doctors/{doctor_id}/availability",        AUTH_NONE,     0,     TX_READ,  NULL,                  NULL,                  h_availability_list },
	{ "POST", V1 "/doctors/{doctor_id}/availability",        AUTH_REQUIRED, A|D,   TX_WRITE, NULL,                  &avail_create_body,    h_availability_create },
	{ "GET",  V1 "/doctors/{doctor_id}/availability/slots",  AUTH_NONE,     0,     TX_READ,  &slots_query,          NULL,                  h_slots },
	{ "POST", V1 "/doctors/{doctor_id}/favorite",            AUTH_REQUIRED, P,     TX_WRITE, NULL,                  NULL,                  h_favorite_add },
	{ "DELETE", V1 "/doctors/{doctor_id}/favorite",            AUTH_REQUIRED, P,     TX_WRITE, NULL,                  NULL,                  h_favorite_remove },
	{ "GET",  V1 "/doctors/{doctor_id}/reviews",             AUTH_OPTIONAL, 0,     TX_READ,  &reviews_paging,       NULL,                  h_reviews_list },
	{ "POST", V1 "/doctors/{doctor_id}/reviews",             AUTH_REQUIRED, P,     TX_WRITE, NULL,                  &review_create_body,   h_reviews_create },

	{ "POST", V1 "/appointments",                            AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_create_body,     h_appt_create },
	{ "GET",  V1 "/appointments/me",                         AUTH_REQUIRED, P|A,   TX_READ,  &appt_list_query,      NULL,                  h_appt_mine },
	{ "GET",  V1 "/appointments/doctor/me",                  AUTH_REQUIRED, D|A,   TX_READ,  &appt_list_query,      NULL,                  h_appt_doctor_mine },
	{ "GET",  V1 "/appointments/{appointment_id}",           AUTH_REQUIRED, ANY,   TX_READ,  NULL,                  NULL,                  h_appt_get },
	{ "POST", V1 "/appointments/{appointment_id}/cancel",    AUTH_REQUIRED, ANY,   TX_WRITE, &appt_cancel_reason,   &appt_cancel_reason,   h_appt_cancel },
	{ "POST", V1 "/appointments/{appointment_id}/reschedule", AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_reschedule_body, h_appt_reschedule },
	{ "PATCH", V1 "/appointments/{appointment_id}/reschedule", AUTH_REQUIRED, P|A|S, TX_WRITE, NULL,                  &appt_reschedule_body, h_appt_reschedule },
	{ "PATCH", V1 "/appointments/{appointment_id}/status",    AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &appt_status_body,     h_appt_status },

	{ "GET",  V1 "/medical-records/me",                      AUTH_REQUIRED, P|A,   TX_WRITE, &records_list_query,   NULL,                  h_records_mine },
	{ "GET",  V1 "/medical-records/doctor/me",               AUTH_REQUIRED, D|A,   TX_WRITE, &records_list_query,   NULL,                  h_records_doctor_mine },
	{ "POST", V1 "/medical-records",                         AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &records_create_body,  h_records_create },
	{ "GET",  V1 "/medical-records/{record_id}",             AUTH_REQUIRED, P|D|A, TX_WRITE, NULL,                  NULL,                  h_records_get },
	{ "PATCH", V1 "/medical-records/{record_id}",             AUTH_REQUIRED, D|A,   TX_WRITE, NULL,                  &records_patch_body,   h_records_patch },
	{ "DELETE", V1 "/medical-records/{record_id}",             AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_records_delete },

	{ "POST", V1 "/billing",                                 AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &billing_create_body,  h_billing_create },
	{ "GET",  V1 "/billing/me",                              AUTH_REQUIRED, P|A,   TX_WRITE, &billing_list_query,   NULL,                  h_billing_mine },
	{ "POST", V1 "/billing/policies",                        AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &policy_create_body,   h_policy_create },
	{ "GET",  V1 "/billing/policies/me",                     AUTH_REQUIRED, P|A,   TX_WRITE, &billing_list_query,   NULL,                  h_policy_mine },
	{ "GET",  V1 "/billing/policies/patient/{patient_id}",   AUTH_REQUIRED, A|S,   TX_WRITE, &billing_list_query,   NULL,                  h_policy_patient },
	{ "PATCH", V1 "/billing/policies/{policy_id}",            AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &policy_patch_body,    h_policy_patch },
	{ "DELETE", V1 "/billing/policies/{policy_id}",            AUTH_REQUIRED, A,     TX_WRITE, NULL,                  NULL,                  h_policy_delete },
	{ "POST", V1 "/billing/claims",                          AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &claim_create_body,    h_claim_create },
	{ "GET",  V1 "/billing/claims/policy/{policy_id}",       AUTH_REQUIRED, A|S,   TX_WRITE, &billing_list_query,   NULL,                  h_claim_policy },
	{ "PATCH", V1 "/billing/claims/{claim_id}",               AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &claim_patch_body,     h_claim_patch },
	{ "GET",  V1 "/billing/patient/{patient_id}",            AUTH_REQUIRED, A|S,   TX_WRITE, &billing_list_query,   NULL,                  h_billing_patient },
	{ "GET",  V1 "/billing/{billing_id}",                    AUTH_REQUIRED, A|S|P, TX_WRITE, NULL,                  NULL,                  h_billing_get },
	{ "PATCH", V1 "/billing/{billing_id}",                    AUTH_REQUIRED, A|S,   TX_WRITE, NULL,                  &billing_patch_body,   h_billing_patch },

	{ "GET",  V1 "/audit",                                   AUTH_REQUIRED, A,     TX_READ,  &audit_list_query,     NULL,                  h_audit_list },

	{ NULL, NULL, AUTH_NONE, 0, TX_NONE, NULL, NULL, NULL },
};

const struct med_route *
med_routes(void)
{
	return routes;
}

/*
 * Segment-by-segment match.  "{x}" matches one non-empty segment; a single
 * trailing slash on the path is tolerated so "/x" and "/x/" answer alike.
 */
int
route_match(const char *pattern, const char *path, char **params, int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	*nparams = 0;
	while (*p != '\0') {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (pe == NULL || len == 0 || n >= MED_MAX_PARAMS)
				goto nomatch;
			if ((params[n] = strndup(s, len)) == NULL)
				goto nomatch;
			n++;
			p = pe + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			goto nomatch;
		p++;
		s++;
	}
	if (*s == '/' && s[1] == '\0')
		s++;
	if (*s != '\0')
		goto nomatch;
	*nparams = n;
	return 1;
nomatch:
	while (n > 0)
		free(params[--n]);
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	{ "ADMIN", ROLE_ADMIN }, { "DOCTOR", ROLE_DOCTOR },
	{ "PATIENT", ROLE_PATIENT }, { "STAFF", ROLE_STAFF },
};

unsigned
role_from_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof role_names / sizeof role_names[0]; i++)
		if (strcmp(name, role_names[i].name) == 0)
			return role_names[i].bit;
	return 0;
}

const char *
role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (role_names[i].bit == role)
			return role_names[i].name;
	return NULL;
}

int
med_has_role(const struct med_req *req, unsigned roles)
{
	if (!req->authed)
		return 0;
	return req->user.is_superuser || (req->user.role & roles) != 0;
}

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
	for (const struct med_route *r = routes; r->handler != NULL; r++) {
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
		return;
	}
	e = r->tx == TX_WRITE ? db_begin(ctx) : db_begin_read(ctx);
	if (e != MED_OK) {
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
	if (ok && idempotent(r, req) && (e = idem_store(ctx, req, resp)) != MED_OK) {
		db_rollback(ctx);
		med_fail(resp, e);
		return;
	}
	if (ok || (ctx->tx_keep && resp->status < 500)) {
		if ((e = db_commit(ctx)) != MED_OK)
			med_fail(resp, e);
	} else {
		db_rollback(ctx);
	}
	ctx->tx_keep = 0;
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
	if (med_parse_query(req) != MED_OK) {
		med_invalid(resp, "query", NULL, "Malformed query string", "value_error");
		return;
	}

	if (r->auth != AUTH_NONE) {
		e = auth_authenticate(ctx, req);
		if (e == MED_EDB || e == MED_EBUSY || e == MED_ENOMEM) {
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
	if (valid_request(req, r->pattern, r->query, r->body, resp) != MED_OK)
		return;
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
	/* One stat(): pick up secrets rotated by medadm (failure keeps the old keys). */
	(void)secrets_refresh(ctx);
	if (req->method != NULL && req->path != NULL &&
	    origin_allowed(ctx->cfg.cors_origins, req->origin)) {
		snprintf(resp->cors_origin, sizeof resp->cors_origin, "%s", req->origin);
		if (preflight(req, resp))
			return;
	}
	dispatch(ctx, req, resp);
	db_release(ctx);
	if (resp->status == 0)
		med_fail(resp, MED_OK);
}
