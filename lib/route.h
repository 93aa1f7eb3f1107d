/*
 * route.h - the routing table and the dispatch pipeline.
 *
 * med_handle() runs, in order: route lookup (404), method (405 + Allow),
 * authentication (401), active user (403 "Inactive user"), role (403
 * "Insufficient role permissions"), JSON body parse (422), then the
 * handler.  Handlers validate their own fields with valid.h specs.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "http.h"

typedef int (*med_handler)(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp);

enum route_auth {
	AUTH_NONE,      /* public: no token needed, a token is ignored */
	AUTH_OPTIONAL,  /* a valid token fills req->user, none is fine */
	AUTH_REQUIRED,  /* token required; roles must match */
};

struct med_route {
	const char *method;
	const char *pattern;   /* "/api/v1/users/{user_id}" */
	enum route_auth auth;
	unsigned roles;        /* ROLE_* bits; required with AUTH_REQUIRED */
	med_handler handler;
};

/* The table, NULL-terminated (handler == NULL), for tests and docs. */
const struct med_route *med_routes(void);

/* Handle one request; always fills resp (never leaves status 0). */
void med_handle(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp);

/*
 * Match path against pattern; on success returns 1 and stores up to
 * MED_MAX_PARAMS malloc'd parameter values in params (caller frees).
 * A single trailing slash on path is ignored.
 */
int route_match(const char *pattern, const char *path, char **params, int *nparams);

/* Role name ("ADMIN") <-> bit. */
unsigned role_from_name(const char *name);
const char *role_name(unsigned role);

/* 1 when the caller holds one of roles (superusers hold all). */
int med_has_role(const struct med_req *req, unsigned roles);

#endif
