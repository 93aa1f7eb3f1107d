/*
 * live_auth.c - who may subscribe to live updates (live.h).
 *
 * A browser's EventSource sends no Authorization header, so a subscriber
 * first asks POST /live/ticket with its access token and opens
 * /api/v1/live?ticket=T; nginx (nchan_authorize_request) asks GET
 * /live/auth with the same query string before it holds the connection.
 *
 * The ticket is a JWT of type "live" (jwt.h): it opens a subscription and
 * nothing else (no route takes it for an access token, nor the other way
 * round), lives LIVE_TICKET_SECONDS and never past the access token it
 * came from, and is spent by its first use (its jti is revoked), so one
 * copied from a URL is worthless.  Its holder is checked again when it is
 * used: active, still of a subscribing role, sessions not ended since.
 * Query strings stay out of both access logs (nginx's log format and
 * fcgi/log.c).
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "handlers.h"
#include "live.h"
#include "route.h"
#include "valid.h"

SPEC(live_auth_query,
	{ "ticket", FT_STRING, 0, 1, JWT_MAX },
);

int
h_live_ticket(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	int64_t life = LIVE_TICKET_SECONDS, left = req->user.token_exp - med_now(ctx);
	char ticket[JWT_MAX], url[JWT_MAX + 64];
	struct jwt_claims c;
	cJSON *data;
	enum med_err e;

	if (left < life)
		life = left > 1 ? left : 1;
	if ((e = auth_sign(ctx, &req->user, JWT_LIVE, life, ticket, sizeof ticket, &c)) != MED_OK)
		return med_fail(resp, e);
	snprintf(url, sizeof url, MED_API_BASE "/live?ticket=%s", ticket);
	if ((data = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(data, "ticket", ticket) == NULL ||
	    cJSON_AddNumberToObject(data, "expires_in", (double)life) == NULL ||
	    cJSON_AddStringToObject(data, "url", url) == NULL) {
		cJSON_Delete(data);
		return med_fail(resp, MED_ENOMEM);
	}
	return med_ok(resp, data);
}

/* 204: nchan may hold the subscription; 403 for every reason not to. */
int
h_live_auth(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp)
{
	const char *ticket = fval_str(med_qarg(req, "ticket"));
	struct jwt_claims c;
	struct med_user u;
	enum med_err e;

	if (ticket == NULL || auth_verify(ctx, ticket, JWT_LIVE, &c) != MED_OK)
		return med_error(resp, 403, "Not allowed to subscribe");
	if ((e = auth_claims_user(ctx, &c, &u)) == MED_EAUTH || (e == MED_OK &&
	    (!u.is_active || (!u.is_superuser && (u.role & LIVE_ROLES) == 0))))
		return med_error(resp, 403, "Not allowed to subscribe");
	if (e != MED_OK || (e = auth_revoke_jti(ctx, c.jti, c.exp)) != MED_OK)
		return med_fail(resp, e);
	return med_no_content(resp);
}
