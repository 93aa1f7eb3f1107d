/*
 * route.h - the routing table and the dispatch pipeline.
 *
 * med_handle() runs, in order: route lookup (404), method (405 + Allow),
 * authentication (401), active user (403 "Inactive user"), role (403
 * "Insufficient role permissions"), body media type (415), path, query
 * and body validation against the route's specs (422), the route's
 * transaction, then the handler.  A handler is domain logic only: it
 * reads validated values by name (valid.h) and answers; dispatch commits
 * a write when the answer is 2xx and rolls it back otherwise.
 *
 * Two tables share the pipeline: med_routes() under MED_API_BASE, which
 * answers in the API envelope, and med_fhir_routes() under MED_FHIR_BASE
 * (fhir.h).  The path prefix picks the table, and on the FHIR base the
 * pipeline's refusals are rewritten once, at the end of med_handle(), as
 * FHIR OperationOutcomes (422 becoming 400), and a query parameter the
 * route's spec does not name is refused unless "Prefer: handling=lenient".
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "http.h"

/* Every route's pattern starts with this prefix. */
#define MED_API_BASE "/api/v1"

typedef int (*med_handler)(struct med_ctx *ctx, struct med_req *req, struct med_resp *resp);

enum route_auth {
	AUTH_NONE,      /* public: no token needed, a token is ignored */
	AUTH_OPTIONAL,  /* a valid token fills req->user, none is fine */
	AUTH_REQUIRED,  /* token required; roles must match */
};

enum route_tx {
	TX_NONE,   /* the handler runs outside any transaction: it hashes a
	              password (hundreds of ms) and must not hold the write lock
	              meanwhile, so it opens its own short transactions */
	TX_READ,   /* BEGIN DEFERRED: one consistent snapshot for all reads */
	TX_WRITE,  /* BEGIN IMMEDIATE: committed on 2xx, rolled back otherwise
	              (unless the handler called route_keep_on_refusal()) */
	TX_AUDIT,  /* a read whose only writes are its audit rows: as TX_WRITE,
	              but the commit does not wait for the disk (db_begin_audit) */
};

struct med_spec;

struct med_route {
	const char *method;
	const char *pattern;   /* "/api/v1/users/{user_id}"; every {x} is a UUID */
	enum route_auth auth;
	unsigned roles;        /* ROLE_* bits; required with AUTH_REQUIRED */
	enum route_tx tx;
	const struct med_spec *query;  /* query-string fields, NULL: none read */
	const struct med_spec *body;   /* JSON body fields, NULL: no body read */
	med_handler handler;
};

/*
 * For a TX_WRITE handler that answers a refusal but must keep what it
 * wrote (an audit row for a denied read, a failed-login count).
 */
void route_keep_on_refusal(struct med_ctx *ctx);

/* The table, NULL-terminated (handler == NULL), for tests and docs. */
const struct med_route *med_routes(void);
/* The FHIR table (fhir.h), the same way. */
const struct med_route *med_fhir_routes(void);

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
