/*
 * valid.h - declarative field specs: the one place where request bodies
 * and query strings are checked.  A route names its body and query specs
 * (SPEC() below) in the routing table; dispatch validates them before the
 * handler runs and the handler reads typed values by name (med_body(),
 * med_qarg()).  On the first problem the response is the 422 envelope.
 *
 * Query values arrive as strings and are converted to the declared type;
 * body values must already have the JSON type (a number is not a string).
 */
#ifndef VALID_H
#define VALID_H

#include <stdint.h>
#include <sqlite3.h>
#include "http.h"

enum fld_type {
	FT_STRING,    /* UTF-8, no NUL; min/max = length in code points */
	FT_INT,       /* integer; min/max = range */
	FT_NUMBER,    /* any JSON number; fmin/fmax = range */
	FT_BOOL,
	FT_UUID,      /* canonical UUID, stored lowercased in fval.s */
	FT_EMAIL,     /* plausible address, <= FLD_EMAIL_MAX, lowercased in fval.s */
	FT_DATE,      /* YYYY-MM-DD, real date; fval.s */
	FT_TIME,      /* HH:MM[:SS] -> fval.i seconds of day */
	FT_DATETIME,  /* RFC 3339 -> fval.i UTC seconds */
	FT_ENUM,      /* one of enumv (exact match); fval.i = index */
	FT_MONEY,     /* number with <= 2 decimals -> fval.i cents; min/max cents */
	FT_STRLIST,   /* array of <= FLD_STRLIST_MAX strings, each with min/max
	                 lengths; fval.raw is the cJSON array */
	FT_CURRENCY,  /* ISO 4217 shape: three uppercase ASCII letters (lengths as FT_STRING) */
	FT_INTLIST,   /* array of <= FLD_INTLIST_MAX integers, each in min..max;
	                 fval.raw is the cJSON array, bound as its JSON text */
};

/* Limits of the types themselves, whatever the spec says. */
#define FLD_EMAIL_MAX 254
#define FLD_STRLIST_MAX 50
#define FLD_INTLIST_MAX 8

enum fld_flag {
	FF_REQUIRED = 1u << 0,  /* missing -> 422 "Field required" */
	FF_NULLABLE = 1u << 1,  /* JSON null accepted (fval.is_null = 1) */
	FF_CAP      = 1u << 2,  /* FT_INT above max is served as max, not refused */
};

struct fld {
	const char *name;
	enum fld_type type;
	unsigned flags;
	int64_t min, max;               /* lengths, ranges or cents; 0,0 = unbounded */
	double fmin, fmax;              /* FT_NUMBER range; 0,0 = unbounded */
	const char *const *enumv;       /* FT_ENUM: NULL-terminated */
	unsigned roles;                 /* non-zero: read only from callers holding one
	                                   of these ROLE_* bits; ignored (absent) for others */
	const char *refusal;            /* non-NULL: a bad value is 400 with this message,
	                                   not 422 (routes whose contract predates 422) */
};

/* One route's body or query fields. */
struct med_spec {
	const struct fld *f;
	int n;
};

/*
 * Define a spec for the routing table: SPEC(appt_create_body, { ... }, ...).
 * handlers.h declares it with SPEC_DECL so route.c can name it.
 */
#define SPEC(name, ...) \
	static const struct fld name##_fields[] = { __VA_ARGS__ }; \
	const struct med_spec name = { name##_fields, \
	    (int)(sizeof name##_fields / sizeof name##_fields[0]) }
#define SPEC_DECL(name) extern const struct med_spec name

/* Paging of every list (Rule: a limit above 1000 is served as 1000). */
#define PAGE_LIMIT_DEFAULT 100
#define PAGE_LIMIT_MAX 1000
#define FLD_PAGING \
	{ "skip", FT_INT, 0, 0, INT32_MAX }, \
	{ "limit", FT_INT, FF_CAP, 1, PAGE_LIMIT_MAX }

struct fval {
	int present;    /* field appeared (even as null) */
	int is_null;
	const char *s;  /* string forms; points into the request, valid until med_req_free */
	char buf[40];   /* normalised UUID / email prefix storage when needed */
	int64_t i;
	double d;
	int b;
	cJSON *raw;
};

/*
 * Dispatch: validate the route's path parameters (every "{x_id}" is a
 * UUID, normalised to lower case in place), query and body specs into
 * req, in that order.  MED_EINVAL with the 422 set on the first problem.
 */
enum med_err valid_request(struct med_req *req, const char *pattern,
    const struct med_spec *query, const struct med_spec *body, struct med_resp *resp);

/*
 * Validated values by name.  Asking for a name the route's spec does not
 * declare is a programming error (assert); in release builds it reads as
 * absent.  The pointers stay valid until med_req_free().
 */
const struct fval *med_body(const struct med_req *req, const char *name);
const struct fval *med_qarg(const struct med_req *req, const char *name);
/* Path parameter by its pattern name, validated and lower-cased. */
const char *med_path(const struct med_req *req, const char *name);
/*
 * Whether the path parameter name (len bytes) is a UUID, checked by
 * dispatch: every "{x_id}".  Any other ("{token}") is the handler's to
 * check, and to answer 404 for when malformed, as for an unknown one.
 */
int valid_path_is_uuid(const char *name, size_t len);
/* The string of a present, non-null value; NULL otherwise. */
const char *fval_str(const struct fval *v);
/* 1 when v was sent and is not null. */
int fval_set(const struct fval *v);
/* skip and limit of a route whose query spec holds FLD_PAGING. */
void med_paging(const struct med_req *req, int64_t *skip, int64_t *limit);

/* Validate req->json (must be an object; a missing body counts as {}). */
enum med_err valid_body(const struct med_req *req, const struct fld *specs, int n,
    struct fval *out, struct med_resp *resp);
/* Validate query-string values. */
enum med_err valid_query(const struct med_req *req, const struct fld *specs, int n,
    struct fval *out, struct med_resp *resp);
/* Validate path parameters declared as FT_UUID (name for loc). */
enum med_err valid_path_uuid(const struct med_req *req, int idx, const char *name,
    char out[MED_UUID_LEN + 1], struct med_resp *resp);

/* List paging: skip >= 0 (default 0), limit 1..1000 (default 100). */
enum med_err valid_paging(const struct med_req *req, int64_t *skip, int64_t *limit,
    struct med_resp *resp);

/*
 * "fields=a,b": the names of the fields of specs that v says were sent,
 * for an update's audit detail (names only, never values).
 */
void valid_fields_detail(const struct fld *specs, const struct fval *v, int n, char *buf,
    size_t size);

/*
 * Bind a validated value as its spec's SQL type (integers for FT_INT,
 * FT_TIME, FT_DATETIME, FT_MONEY, FT_BOOL; the name for FT_ENUM; text for
 * the string types); NULL when absent or null.
 */
void valid_bind(sqlite3_stmt *st, int idx, const struct fld *spec, const struct fval *v);
/*
 * The n fields of a fixed partial-update statement, field i written as
 * "c = CASE WHEN ?(idx+2i) THEN ?(idx+2i+1) ELSE c END": its presence flag,
 * then its value (null clears).
 */
void valid_bind_update(sqlite3_stmt *st, int idx, const struct fld *specs,
    const struct fval *v, int n);

#endif
