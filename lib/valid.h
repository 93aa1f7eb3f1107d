/*
 * valid.h - declarative field specs: the one place where request bodies
 * and query strings are checked.  A handler declares a table of struct
 * fld, calls valid_body() or valid_query(), and reads typed values from
 * the struct fval array (same order as the specs).  On the first problem
 * the response is already set to the 422 envelope and MED_EINVAL returned.
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
	FT_EMAIL,     /* plausible address, <= 254, lowercased in fval.s */
	FT_DATE,      /* YYYY-MM-DD, real date; fval.s */
	FT_TIME,      /* HH:MM[:SS] -> fval.i seconds of day */
	FT_DATETIME,  /* RFC 3339 -> fval.i UTC seconds */
	FT_ENUM,      /* one of enumv (exact match); fval.i = index */
	FT_MONEY,     /* number with <= 2 decimals -> fval.i cents; min/max cents */
	FT_STRLIST,   /* array of strings; fval.raw is the cJSON array */
};

enum fld_flag {
	FF_REQUIRED = 1u << 0,  /* missing -> 422 "Field required" */
	FF_NULLABLE = 1u << 1,  /* JSON null accepted (fval.is_null = 1) */
};

struct fld {
	const char *name;
	enum fld_type type;
	unsigned flags;
	int64_t min, max;               /* lengths, ranges or cents; 0,0 = unbounded */
	double fmin, fmax;              /* FT_NUMBER range; 0,0 = unbounded */
	const char *const *enumv;       /* FT_ENUM: NULL-terminated */
};

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
