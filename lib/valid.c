/*
 * valid.c - declarative validation of bodies, query strings and path
 * parameters.  The first problem found becomes the 422 envelope; handlers
 * only ever read typed, bounded values.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <assert.h>

#include "valid.h"
#include "util.h"

/* Whole numbers beyond 2^53 lose precision in a double: refuse them. */
#define JSON_INT_MAX 9007199254740991.0

struct problem {
	const char *where;
	const char *field;
	char msg[200];
	const char *type;
};

static int set_problem(struct problem *p, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the problem; returns 0 so checks can `return set_problem(...)`. */
static int
set_problem(struct problem *p, const char *type, const char *fmt, ...)
{
	va_list ap;

	p->type = type;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * A deliberately plain address check: one '@', a non-empty local part of
 * printable ASCII without spaces, and a dotted domain of letters, digits
 * and hyphens.  Anything stranger is refused rather than stored.
 */
static int
valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *d;
	size_t len = strlen(s);

	if (len < 3 || len > FLD_EMAIL_MAX || at == NULL || at == s || at - s > 64 ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (const char *c = s; c < at; c++)
		if (*c <= ' ' || *c >= 0x7f || strchr("\"(),:;<>[\\]", *c) != NULL)
			return 0;
	if (s[0] == '.' || at[-1] == '.' || strstr(s, "..") != NULL)
		return 0;
	d = at + 1;
	if (*d == '\0' || *d == '.' || *d == '-' || strchr(d, '.') == NULL ||
	    s[len - 1] == '.' || s[len - 1] == '-')
		return 0;
	for (const char *c = d; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			return 0;
		if (*c == '.' && (c[1] == '-' || c[-1] == '-'))
			return 0;
	}
	return 1;
}

static void
enum_message(const struct fld *f, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "Input should be one of:");
	for (int i = 0; f->enumv[i] != NULL && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s '%s'",
		    i == 0 ? "" : ",", f->enumv[i]);
}

/* Length and format checks shared by JSON strings and query values. */
static int
check_string(const struct fld *f, const char *s, struct fval *v, struct problem *p)
{
	size_t len;
	int secs;

	v->s = s;
	switch (f->type) {
	case FT_STRING:
	case FT_STRLIST:
	case FT_CURRENCY:
		if (!util_utf8_valid(s, strlen(s)))
			return set_problem(p, "string_unicode", "Input should be valid UTF-8 text");
		len = util_utf8_len(s);
		if (f->max > 0 && (long long)len > f->max)
			return set_problem(p, "string_too_long",
			    "String should have at most %lld characters", (long long)f->max);
		if (f->min > 0 && (long long)len < f->min)
			return set_problem(p, "string_too_short",
			    "String should have at least %lld characters", (long long)f->min);
		if (f->type == FT_CURRENCY && (len != 3 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
			return set_problem(p, "string_pattern_mismatch",
			    "Currency should be a 3-letter uppercase code");
		return 1;
	case FT_UUID:
		if (!util_is_uuid(s))
			return set_problem(p, "uuid_parsing", "Input should be a valid UUID");
		util_uuid_lower(s, v->buf);
		v->s = v->buf;
		return 1;
	case FT_EMAIL:
		if (!valid_email(s))
			return set_problem(p, "value_error", "value is not a valid email address");
		return 1;
	case FT_DATE:
		if (util_parse_date(s, NULL, NULL, NULL) != MED_OK)
			return set_problem(p, "date_parsing",
			    "Input should be a valid date in the format YYYY-MM-DD");
		return 1;
	case FT_TIME:
		if (util_parse_time(s, &secs) != MED_OK)
			return set_problem(p, "time_parsing",
			    "Input should be a valid time in the format HH:MM[:SS]");
		v->i = secs;
		return 1;
	case FT_DATETIME:
		if (util_parse_instant(s, &v->i) != MED_OK)
			return set_problem(p, "datetime_parsing",
			    "Input should be a valid RFC 3339 datetime");
		return 1;
	case FT_ENUM:
		for (int i = 0; f->enumv[i] != NULL; i++) {
			if (strcmp(s, f->enumv[i]) == 0) {
				v->i = i;
				return 1;
			}
		}
		p->type = "enum";
		enum_message(f, p->msg, sizeof p->msg);
		return 0;
	default:
		return set_problem(p, "string_type", "Input should be a valid string");
	}
}

static int
check_int_range(const struct fld *f, int64_t *n, struct problem *p)
{
	if (f->min == 0 && f->max == 0)
		return 1;
	if (*n < f->min)
		return set_problem(p, "greater_than_equal",
		    "Input should be greater than or equal to %lld", (long long)f->min);
	if (*n > f->max && (f->flags & FF_CAP)) {
		*n = f->max;
		return 1;
	}
	if (*n > f->max)
		return set_problem(p, "less_than_equal",
		    "Input should be less than or equal to %lld", (long long)f->max);
	return 1;
}

static int
check_number_range(const struct fld *f, double d, struct problem *p)
{
	if (!isfinite(d))
		return set_problem(p, "finite_number", "Input should be a finite number");
	if (f->fmin == 0 && f->fmax == 0)
		return 1;
	if (d < f->fmin || d > f->fmax) {
		p->type = d < f->fmin ? "greater_than_equal" : "less_than_equal";
		snprintf(p->msg, sizeof p->msg, "Input should be %s %g",
		    d < f->fmin ? "greater than or equal to" : "less than or equal to",
		    d < f->fmin ? f->fmin : f->fmax);
		return 0;
	}
	return 1;
}

/*
 * Money arrives as a JSON number with at most two decimals.  A binary
 * double cannot hold 0.3 exactly, so "at most two decimals" means: within
 * a billionth (relative) of a whole number of cents.  0.30000000000000004
 * from a client's float arithmetic is 30 cents; 12.345 is refused.
 */
static int
check_money(const struct fld *f, double d, struct fval *v, struct problem *p)
{
	double cents;

	if (!isfinite(d) || fabs(d) > 1e15)
		return set_problem(p, "decimal_max_digits", "Amount is out of range");
	cents = round(d * 100.0);
	if (fabs(d * 100.0 - cents) > 1e-9 * fmax(1.0, fabs(cents)))
		return set_problem(p, "decimal_max_places",
		    "Amount should have at most 2 decimal places");
	v->i = (int64_t)cents;
	if (v->i <= 0 && f->min > 0)
		return set_problem(p, "greater_than", "Amount should be greater than 0");
	if (f->max > 0 && v->i > f->max) {
		p->type = "less_than_equal";
		snprintf(p->msg, sizeof p->msg, "Amount should be at most %lld.%02lld",
		    (long long)(f->max / 100), (long long)(f->max % 100));
		return 0;
	}
	return 1;
}

static int
json_whole(double d)
{
	return isfinite(d) && d == floor(d) && fabs(d) <= JSON_INT_MAX;
}

static int
check_strlist(const struct fld *f, const cJSON *item, struct fval *v, struct problem *p)
{
	const cJSON *el;
	int n = 0;

	if (!cJSON_IsArray(item))
		return set_problem(p, "list_type", "Input should be a valid list");
	cJSON_ArrayForEach(el, item) {
		struct fval tmp;
		if (++n > FLD_STRLIST_MAX)
			return set_problem(p, "too_long", "List should have at most %d items",
			    FLD_STRLIST_MAX);
		if (!cJSON_IsString(el))
			return set_problem(p, "string_type", "List items should be strings");
		if (!check_string(f, el->valuestring, &tmp, p))
			return 0;
	}
	v->raw = (cJSON *)item;
	return 1;
}

static int
check_intlist(const struct fld *f, const cJSON *item, struct fval *v, struct problem *p)
{
	const cJSON *el;
	int n = 0;

	if (!cJSON_IsArray(item))
		return set_problem(p, "list_type", "Input should be a valid list");
	cJSON_ArrayForEach(el, item) {
		int64_t i;
		if (++n > FLD_INTLIST_MAX)
			return set_problem(p, "too_long", "List should have at most %d items",
			    FLD_INTLIST_MAX);
		if (!cJSON_IsNumber(el) || !json_whole(el->valuedouble))
			return set_problem(p, "int_type", "List items should be integers");
		i = (int64_t)el->valuedouble;
		if (!check_int_range(f, &i, p))
			return 0;
	}
	v->raw = (cJSON *)item;
	return 1;
}

/* One JSON value against its spec. */
static int
check_json(const struct fld *f, const cJSON *item, struct fval *v, struct problem *p)
{
	v->raw = (cJSON *)item;
	switch (f->type) {
	case FT_INT:
		if (!cJSON_IsNumber(item) || !json_whole(item->valuedouble))
			return set_problem(p, "int_type", "Input should be a valid integer");
		v->i = (int64_t)item->valuedouble;
		return check_int_range(f, &v->i, p);
	case FT_NUMBER:
		if (!cJSON_IsNumber(item))
			return set_problem(p, "float_type", "Input should be a valid number");
		v->d = item->valuedouble;
		return check_number_range(f, v->d, p);
	case FT_MONEY:
		if (!cJSON_IsNumber(item))
			return set_problem(p, "decimal_type", "Input should be a valid number");
		v->d = item->valuedouble;
		return check_money(f, v->d, v, p);
	case FT_BOOL:
		if (!cJSON_IsBool(item))
			return set_problem(p, "bool_type", "Input should be a valid boolean");
		v->b = cJSON_IsTrue(item);
		return 1;
	case FT_STRLIST:
		return check_strlist(f, item, v, p);
	case FT_INTLIST:
		return check_intlist(f, item, v, p);
	default:
		if (!cJSON_IsString(item))
			return set_problem(p, "string_type", "Input should be a valid string");
		return check_string(f, item->valuestring, v, p);
	}
}

/* Strict decimal integer: optional '-', digits, nothing else. */
static int
parse_query_int(const char *s, int64_t *out)
{
	char *end;
	long long n;

	if (*s == '\0' || (!isdigit((unsigned char)*s) && *s != '-'))
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return 0;
	*out = n;
	return 1;
}

static int
parse_query_number(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

/* One query-string value against its spec. */
static int
check_query(const struct fld *f, const char *s, struct fval *v, struct problem *p)
{
	switch (f->type) {
	case FT_INT:
		if (!parse_query_int(s, &v->i))
			return set_problem(p, "int_parsing", "Input should be a valid integer");
		return check_int_range(f, &v->i, p);
	case FT_NUMBER:
		if (!parse_query_number(s, &v->d))
			return set_problem(p, "float_parsing", "Input should be a valid number");
		return check_number_range(f, v->d, p);
	case FT_MONEY:
		if (!parse_query_number(s, &v->d))
			return set_problem(p, "decimal_parsing", "Input should be a valid number");
		return check_money(f, v->d, v, p);
	case FT_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			v->b = 1;
		else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			v->b = 0;
		else
			return set_problem(p, "bool_parsing", "Input should be a valid boolean");
		return 1;
	case FT_STRLIST:
	case FT_INTLIST:
		return set_problem(p, "list_type", "Lists are not accepted here");
	default:
		return check_string(f, s, v, p);
	}
}

/*
 * A field reserved to some roles is ignored for everyone else.  The role
 * itself counts, not superuser rights: a superuser patient books as a
 * patient.
 */
static int
field_for_caller(const struct med_req *req, const struct fld *f)
{
	return f->roles == 0 || (req->authed && (req->user.role & f->roles) != 0);
}

/* The field's own 400 refusal when it has one, else the 422 of the problem. */
static enum med_err
report(struct problem *p, const char *where, const struct fld *f, struct med_resp *resp)
{
	if (f->refusal != NULL)
		med_error(resp, 400, f->refusal);
	else
		med_invalid(resp, where, f->name, p->msg, p->type);
	return MED_EINVAL;
}

enum med_err
valid_body(const struct med_req *req, const struct fld *specs, int n,
    struct fval *out, struct med_resp *resp)
{
	struct problem p;

	memset(out, 0, sizeof *out * (size_t)n);
	if (req->json != NULL && !cJSON_IsObject(req->json)) {
		med_invalid(resp, "body", NULL, "Input should be a valid JSON object", "model_type");
		return MED_EINVAL;
	}
	for (int i = 0; i < n; i++) {
		const struct fld *f = &specs[i];
		const cJSON *item = req->json == NULL || !field_for_caller(req, f) ? NULL :
		    cJSON_GetObjectItemCaseSensitive(req->json, f->name);

		if (item == NULL) {
			if (f->flags & FF_REQUIRED) {
				set_problem(&p, "missing", "Field required");
				return report(&p, "body", f, resp);
			}
			continue;
		}
		out[i].present = 1;
		if (cJSON_IsNull(item)) {
			if (!(f->flags & FF_NULLABLE)) {
				set_problem(&p, "none_forbidden", "Field may not be null");
				return report(&p, "body", f, resp);
			}
			out[i].is_null = 1;
			continue;
		}
		if (!check_json(f, item, &out[i], &p))
			return report(&p, "body", f, resp);
	}
	return MED_OK;
}

enum med_err
valid_query(const struct med_req *req, const struct fld *specs, int n,
    struct fval *out, struct med_resp *resp)
{
	struct problem p;

	memset(out, 0, sizeof *out * (size_t)n);
	for (int i = 0; i < n; i++) {
		const struct fld *f = &specs[i];
		const char *s = field_for_caller(req, f) ? med_query(req, f->name) : NULL;

		if (s == NULL) {
			if (f->flags & FF_REQUIRED) {
				set_problem(&p, "missing", "Field required");
				return report(&p, "query", f, resp);
			}
			continue;
		}
		out[i].present = 1;
		if (!check_query(f, s, &out[i], &p))
			return report(&p, "query", f, resp);
	}
	return MED_OK;
}

enum med_err
valid_path_uuid(const struct med_req *req, int idx, const char *name,
    char out[MED_UUID_LEN + 1], struct med_resp *resp)
{
	if (idx >= req->nparams || !util_is_uuid(req->params[idx])) {
		med_invalid(resp, "path", name, "Input should be a valid UUID", "uuid_parsing");
		return MED_EINVAL;
	}
	util_uuid_lower(req->params[idx], out);
	return MED_OK;
}

int
valid_path_is_uuid(const char *name, size_t len)
{
	return len >= 3 && memcmp(name + len - 3, "_id", 3) == 0;
}

/* Every "{x_id}" of pattern is a UUID: check and lower-case req->params in place. */
static enum med_err
valid_path_params(struct med_req *req, const char *pattern, struct med_resp *resp)
{
	char name[64], norm[MED_UUID_LEN + 1];
	const char *p = pattern;

	for (int i = 0; (p = strchr(p, '{')) != NULL; i++) {
		size_t len = strcspn(++p, "}");

		snprintf(name, sizeof name, "%.*s", (int)len, p);
		if (!valid_path_is_uuid(p, len)) {
			p += len;
			continue;
		}
		if (valid_path_uuid(req, i, name, norm, resp) != MED_OK)
			return MED_EINVAL;
		memcpy(req->params[i], norm, sizeof norm);
		p += len;
	}
	return MED_OK;
}

/* Validate against spec into a new array *out (NULL for no spec). */
static enum med_err
valid_spec(struct med_req *req, const struct med_spec *spec, int is_body, struct fval **out,
    struct med_resp *resp)
{
	*out = NULL;
	if (spec == NULL)
		return MED_OK;
	if ((*out = calloc((size_t)spec->n + 1, sizeof **out)) == NULL) {
		med_fail(resp, MED_ENOMEM);
		return MED_ENOMEM;
	}
	return is_body ? valid_body(req, spec->f, spec->n, *out, resp) :
	    valid_query(req, spec->f, spec->n, *out, resp);
}

enum med_err
valid_request(struct med_req *req, const char *pattern, const struct med_spec *query,
    const struct med_spec *body, struct med_resp *resp)
{
	enum med_err e;

	req->pattern = pattern;
	req->query_spec = query;
	req->body_spec = body;
	if ((e = valid_path_params(req, pattern, resp)) != MED_OK)
		return e;
	if ((e = valid_spec(req, query, 0, &req->query_vals, resp)) != MED_OK)
		return e;
	return valid_spec(req, body, 1, &req->body_vals, resp);
}

static const struct fval absent;

static const struct fval *
spec_value(const struct med_spec *spec, const struct fval *vals, const char *name)
{
	for (int i = 0; spec != NULL && vals != NULL && i < spec->n; i++)
		if (strcmp(spec->f[i].name, name) == 0)
			return &vals[i];
	assert(!"field not declared in the route's spec");
	return &absent;
}

const struct fval *
med_body(const struct med_req *req, const char *name)
{
	return spec_value(req->body_spec, req->body_vals, name);
}

const struct fval *
med_qarg(const struct med_req *req, const char *name)
{
	return spec_value(req->query_spec, req->query_vals, name);
}

const char *
med_path(const struct med_req *req, const char *name)
{
	size_t len = strlen(name);
	const char *p = req->pattern;

	for (int i = 0; p != NULL && (p = strchr(p, '{')) != NULL && i < req->nparams; i++) {
		p++;
		if (strncmp(p, name, len) == 0 && p[len] == '}')
			return req->params[i];
	}
	assert(!"path parameter not in the route's pattern");
	return "";
}

const char *
fval_str(const struct fval *v)
{
	return v->present && !v->is_null ? v->s : NULL;
}

int
fval_set(const struct fval *v)
{
	return v->present && !v->is_null;
}

void
med_paging(const struct med_req *req, int64_t *skip, int64_t *limit)
{
	const struct fval *s = med_qarg(req, "skip"), *l = med_qarg(req, "limit");

	*skip = s->present ? s->i : 0;
	*limit = l->present ? l->i : PAGE_LIMIT_DEFAULT;
}

enum med_err
valid_paging(const struct med_req *req, int64_t *skip, int64_t *limit, struct med_resp *resp)
{
	static const struct fld specs[] = { FLD_PAGING };
	struct fval v[2];

	if (valid_query(req, specs, 2, v, resp) != MED_OK)
		return MED_EINVAL;
	*skip = v[0].present ? v[0].i : 0;
	*limit = v[1].present ? v[1].i : PAGE_LIMIT_DEFAULT;
	return MED_OK;
}

void
valid_fields_detail(const struct fld *specs, const struct fval *v, int n, char *buf,
    size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "fields=");

	for (int i = 0; i < n && used < size; i++)
		if (v[i].present)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			    buf[7] != '\0' ? "," : "", specs[i].name);
}

void
valid_bind(sqlite3_stmt *st, int idx, const struct fld *spec, const struct fval *v)
{
	if (!v->present || v->is_null) {
		sqlite3_bind_null(st, idx);
		return;
	}
	switch (spec->type) {
	case FT_INT:
	case FT_TIME:
	case FT_DATETIME:
	case FT_MONEY:
		sqlite3_bind_int64(st, idx, v->i);
		break;
	case FT_BOOL:
		sqlite3_bind_int(st, idx, v->b);
		break;
	case FT_NUMBER:
		sqlite3_bind_double(st, idx, v->d);
		break;
	case FT_ENUM:
		sqlite3_bind_text(st, idx, spec->enumv[v->i], -1, SQLITE_STATIC);
		break;
	case FT_STRLIST:
		sqlite3_bind_null(st, idx);
		break;
	case FT_INTLIST:
		/* Its JSON text; SQLite frees it (NULL when memory ran out, caught by NOT NULL). */
		sqlite3_bind_text(st, idx, cJSON_PrintUnformatted(v->raw), -1, cJSON_free);
		break;
	default:
		sqlite3_bind_text(st, idx, v->s, -1, SQLITE_TRANSIENT);
		break;
	}
}

void
valid_bind_update(sqlite3_stmt *st, int idx, const struct fld *specs, const struct fval *v,
    int n)
{
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int(st, idx + 2 * i, v[i].present);
		valid_bind(st, idx + 2 * i + 1, &specs[i], &v[i]);
	}
}
