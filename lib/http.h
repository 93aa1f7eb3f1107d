/*
 * http.h - the plain request and response structs every handler works on,
 * and the one place that turns statuses into the API envelope
 *   {"success": bool, "data": ..., "message": ...}
 *
 * Ownership: the adapter (fcgi/, medadm, tests) owns the raw strings of a
 * med_req; everything the library derives from them (parsed query, parsed
 * JSON, path parameters) is freed by med_req_free().  A med_resp owns its
 * body; med_resp_free() releases it.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "med.h"

#define MED_BODY_MAX (1024 * 1024)
#define MED_MAX_PARAMS 4
#define MED_MAX_QUERY 32

/* Role bits; a route lists the roles it admits. */
enum med_role {
	ROLE_ADMIN = 1u << 0,
	ROLE_DOCTOR = 1u << 1,
	ROLE_PATIENT = 1u << 2,
	ROLE_STAFF = 1u << 3,
};
#define ROLE_ANY (ROLE_ADMIN | ROLE_DOCTOR | ROLE_PATIENT | ROLE_STAFF)

struct med_spec;
struct fval;

struct med_kv {
	char *key;
	char *val;
};

/* The authenticated caller, filled by dispatch before a handler runs. */
struct med_user {
	char id[MED_UUID_LEN + 1];
	char email[256];
	int role_id;          /* 0 when the user has no role */
	unsigned role;        /* one ROLE_* bit, 0 when none */
	char role_name[16];
	int is_active;
	int is_superuser;
	int token_version;
	char jti[65];         /* of the access token presented */
	int64_t token_exp;
};

struct med_req {
	/* Set by the adapter; borrowed, not freed by the library. */
	const char *method;
	const char *path;          /* without query string */
	const char *query;         /* raw, may be NULL */
	const char *authorization; /* header value, may be NULL */
	const char *refresh_header;/* X-Refresh-Token, may be NULL */
	const char *cookie;        /* Cookie header, may be NULL */
	const char *client;        /* X-Client header ("web": the browser app), may be NULL */
	const char *content_type;  /* may be NULL */
	const char *origin;        /* may be NULL */
	const char *idempotency_key; /* Idempotency-Key header, may be NULL */
	const char *prefer;        /* Prefer header (FHIR handling=lenient), may be NULL */
	const char *remote_addr;   /* may be NULL */
	const char *body;          /* may be NULL */
	size_t body_len;

	/* Derived by the library. */
	struct med_kv qs[MED_MAX_QUERY];
	int nqs;
	char *params[MED_MAX_PARAMS];   /* path parameters, in pattern order */
	int nparams;
	cJSON *json;                    /* parsed body, NULL if none */
	int authed;                     /* 1 when user is filled */
	struct med_user user;

	/* Filled by dispatch from the route's specs (valid.h accessors). */
	const char *pattern;            /* the matched route's pattern */
	const struct med_spec *query_spec, *body_spec;
	struct fval *query_vals, *body_vals;
};

struct med_resp {
	int status;
	char *body;          /* JSON text (malloc'd), NULL for 204 */
	char allow[96];      /* Allow header for 405, "" otherwise */
	int www_authenticate;/* 1: send WWW-Authenticate: Bearer */
	int retry_after;     /* seconds; 0 = no header */
	char cors_origin[256]; /* echo in Access-Control-Allow-Origin, "" none */
	int preflight;       /* 1: CORS preflight answer: send Access-Control-Allow-Methods
	                        (from allow) and -Headers */
	char user_id[MED_UUID_LEN + 1]; /* for the access log, "" if anonymous */
	char request_id[40]; /* X-Request-Id, set by the adapter ("" none) */
	char cause[256];     /* why a 5xx: route and storage error, for the worker
	                        log (never tokens or bodies); "" otherwise */
	char set_cookie[1280]; /* one Set-Cookie value, "" none; the adapter sends it
	                          with 2xx answers only */
	const char *content_type; /* static string; NULL: application/json */
	const char *cache_control;/* static string; NULL: no-store */
	int replayed;        /* 1: the stored answer of an earlier request with the
	                        same Idempotency-Key (header Idempotent-Replayed) */
	char note[256];      /* a best-effort step after commit that failed (live
	                        events not published), for the worker log; the
	                        answer stands; "" otherwise */
};

void med_req_free(struct med_req *req);
void med_resp_free(struct med_resp *resp);

/*
 * Envelope builders.  Each replaces whatever the response held.  `data` is
 * always consumed (even on allocation failure).  They return the status so
 * a handler can `return med_reply(...)`.
 */
int med_reply(struct med_resp *resp, int status, cJSON *data, const char *message);
int med_ok(struct med_resp *resp, cJSON *data);               /* 200 */
int med_created(struct med_resp *resp, cJSON *data);          /* 201 */
int med_no_content(struct med_resp *resp);                    /* 204 */
/* 200 with text (consumed) as the body, of content_type (a static string): for the few non-JSON answers. */
int med_ok_text(struct med_resp *resp, const char *content_type, char *text);
int med_error(struct med_resp *resp, int status, const char *message);
/* 422 with data.detail = [{loc:[where, field], msg, type}] */
int med_invalid(struct med_resp *resp, const char *where, const char *field,
    const char *msg, const char *type);
/* 401 with WWW-Authenticate: Bearer */
int med_unauthorized(struct med_resp *resp, const char *message);
/* Map a library error to the envelope (500 only for MED_EDB/ENOMEM/EIO/...). */
int med_fail(struct med_resp *resp, enum med_err e);

/* Query-string value by name (first match) or NULL. */
const char *med_query(const struct med_req *req, const char *name);

/* Parse req->query into req->qs (percent-decoding, '+' as space). */
enum med_err med_parse_query(struct med_req *req);

#endif
