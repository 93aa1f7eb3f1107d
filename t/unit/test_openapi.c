/*
 * test_openapi.c - openapi.json against the routing table of lib/route.c.
 *
 * The table is the authority: every route must appear in the document
 * with its method, auth mode (x-auth) and roles (x-roles), and the
 * document may describe no operation the router does not have.  Every
 * field of a route's query and body specs must appear with the type,
 * limits, enum, required and nullable flags and role restriction the
 * validator applies, so a limit changed in a spec without `make openapi`
 * fails here too.  The negative cases tamper with a loaded copy (or a
 * copied table) and check that the comparison notices, so a comparison
 * that always passes cannot hide here.  The route_doc cases check the
 * rendering of the table itself (lib/route_doc.h).
 *
 * The document is read from $MED_OPENAPI, else openapi.json in the
 * current directory (the unit runner runs from the repository root).
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "route.h"
#include "route_doc.h"
#include "testreg.h"
#include "valid.h"

#define V1 "/api/v1"
#define WHY_MAX 512

static const char *const methods[] = { "get", "put", "post", "delete", "options", "head",
	"patch", "trace" };
#define NMETHODS (sizeof methods / sizeof methods[0])

/* Read the whole document; NULL (and a message on stderr) on failure. */
static cJSON *
load_doc(void)
{
	const char *path = getenv("MED_OPENAPI");
	FILE *f;
	char *buf;
	long len;
	cJSON *doc;

	if (path == NULL || *path == '\0')
		path = "openapi.json";
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	doc = cJSON_Parse(buf);
	free(buf);
	return doc;
}

/* Role bits of an x-roles array; ~0u when it is not an array of known names. */
static unsigned
roles_of(const cJSON *arr)
{
	const cJSON *it;
	unsigned bits = 0, b;

	if (!cJSON_IsArray(arr))
		return ~0u;
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || (b = role_from_name(it->valuestring)) == 0)
			return ~0u;
		bits |= b;
	}
	return bits;
}

/* Record a problem: count it and keep the first message. */
static void note(int *n, char *why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
note(int *n, char *why, const char *fmt, ...)
{
	va_list ap;

	if ((*n)++ != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
}

/* The route for doc method m (lower case) and doc path p, or NULL. */
static const struct med_route *
route_for(const struct med_route *routes, const char *m, const char *p)
{
	for (const struct med_route *r = routes; r->handler != NULL; r++)
		if (strncmp(r->pattern, V1, strlen(V1)) == 0 &&
		    strcmp(r->pattern + strlen(V1), p) == 0 && strcasecmp(r->method, m) == 0)
			return r;
	return NULL;
}

/*
 * Number of disagreements between doc and routes; the first is described
 * in why.  Checks both directions, the auth mode and the role bits.
 */
static int
compare(const cJSON *doc, const struct med_route *routes, char *why)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths"), *item;
	int n = 0;

	why[0] = '\0';
	if (!cJSON_IsObject(paths)) {
		note(&n, why, "no paths object");
		return n;
	}
	for (const struct med_route *r = routes; r->handler != NULL; r++) {
		char m[16];
		const cJSON *o;
		size_t i;

		if (strncmp(r->pattern, V1 "/", strlen(V1) + 1) != 0) {
			note(&n, why, "route %s %s is outside " V1, r->method, r->pattern);
			continue;
		}
		for (i = 0; r->method[i] != '\0' && i + 1 < sizeof m; i++)
			m[i] = (char)(r->method[i] | 0x20);
		m[i] = '\0';
		item = cJSON_GetObjectItemCaseSensitive(paths, r->pattern + strlen(V1));
		o = cJSON_GetObjectItemCaseSensitive(item, m);
		if (!cJSON_IsObject(o)) {
			note(&n, why, "route %s %s is missing from openapi.json", r->method, r->pattern);
			continue;
		}
		const cJSON *xa = cJSON_GetObjectItemCaseSensitive(o, "x-auth");
		if (!cJSON_IsString(xa) || strcmp(xa->valuestring, route_auth_name(r->auth)) != 0)
			note(&n, why, "x-auth of %s %s differs from the table", r->method, r->pattern);
		/* Roles mean something only where a token is required. */
		unsigned want = r->auth == AUTH_REQUIRED ? r->roles : 0;
		if (roles_of(cJSON_GetObjectItemCaseSensitive(o, "x-roles")) != want)
			note(&n, why, "x-roles of %s %s differ from the table", r->method, r->pattern);
	}
	cJSON_ArrayForEach(item, paths) {
		const cJSON *o;
		cJSON_ArrayForEach(o, item) {
			int is_method = 0;
			for (size_t i = 0; i < NMETHODS; i++)
				is_method |= strcmp(o->string, methods[i]) == 0;
			if (is_method && route_for(routes, o->string, item->string) == NULL)
				note(&n, why, "openapi.json has %s %s, the routing table does not",
				    o->string, item->string);
		}
	}
	return n;
}

/* The JSON type of a spec field on the wire. */
static const char *
json_type(enum fld_type t)
{
	switch (t) {
	case FT_INT:
		return "integer";
	case FT_NUMBER:
	case FT_MONEY:
		return "number";
	case FT_BOOL:
		return "boolean";
	case FT_STRLIST:
	case FT_INTLIST:
		return "array";
	default:
		return "string";
	}
}

/* 1 when schema[key] is the number want (present) or absent (!present). */
static int
num_is(const cJSON *schema, const char *key, int present, double want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(schema, key);

	if (!present)
		return v == NULL;
	return cJSON_IsNumber(v) && fabs(v->valuedouble - want) <= 1e-9 * fmax(1.0, fabs(want));
}

/* 1 when schema's type is t, or [t, "null"] exactly when nullable. */
static int
type_is(const cJSON *schema, const char *t, int nullable)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");

	if (!nullable)
		return cJSON_IsString(type) && strcmp(type->valuestring, t) == 0;
	return cJSON_GetArraySize(type) == 2 &&
	    cJSON_IsString(cJSON_GetArrayItem(type, 0)) &&
	    strcmp(cJSON_GetArrayItem(type, 0)->valuestring, t) == 0 &&
	    cJSON_IsString(cJSON_GetArrayItem(type, 1)) &&
	    strcmp(cJSON_GetArrayItem(type, 1)->valuestring, "null") == 0;
}

/* 1 when schema's enum lists exactly f's values (and null when nullable). */
static int
enum_is(const cJSON *schema, const struct fld *f, int nullable)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	int n = 0;

	for (; f->enumv[n] != NULL; n++) {
		const cJSON *v = cJSON_GetArrayItem(e, n);
		if (!cJSON_IsString(v) || strcmp(v->valuestring, f->enumv[n]) != 0)
			return 0;
	}
	if (nullable && !cJSON_IsNull(cJSON_GetArrayItem(e, n++)))
		return 0;
	return cJSON_GetArraySize(e) == n;
}

/*
 * Field f of a spec against its schema in the document (nullable: the
 * body's reading of FF_NULLABLE; query strings carry no null).  The
 * limits are those valid.c applies: 0,0 is an open range, money is in
 * cents, a capped maximum is no refusal and so no "maximum".
 */
static void
check_field(const struct fld *f, const cJSON *schema, int nullable, const char *where,
    int *n, char *why)
{
	int bounded = f->min != 0 || f->max != 0;
	const char *limit = NULL;

	if (!cJSON_IsObject(schema)) {
		note(n, why, "%s: %s is missing from openapi.json", where, f->name);
		return;
	}
	if (!type_is(schema, json_type(f->type), nullable)) {
		note(n, why, "%s: %s: type or nullable differs from the spec", where, f->name);
		return;
	}
	switch (f->type) {
	case FT_STRING:
	case FT_CURRENCY:
		if (!num_is(schema, "minLength", f->min > 0, (double)f->min) ||
		    !num_is(schema, "maxLength", f->max > 0, (double)f->max))
			limit = "length";
		break;
	case FT_STRLIST: {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
		if (!num_is(items, "minLength", f->min > 0, (double)f->min) ||
		    !num_is(items, "maxLength", f->max > 0, (double)f->max) ||
		    !num_is(schema, "maxItems", 1, FLD_STRLIST_MAX))
			limit = "length";
		break;
	}
	case FT_INTLIST: {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
		if (!num_is(items, "minimum", 1, (double)f->min) ||
		    !num_is(items, "maximum", 1, (double)f->max) ||
		    !num_is(schema, "maxItems", 1, FLD_INTLIST_MAX))
			limit = "range";
		break;
	}
	case FT_EMAIL:
		if (!num_is(schema, "maxLength", 1, FLD_EMAIL_MAX))
			limit = "length";
		break;
	case FT_INT:
		if (!num_is(schema, "minimum", bounded, (double)f->min) ||
		    !num_is(schema, "maximum", bounded && !(f->flags & FF_CAP), (double)f->max))
			limit = "range";
		break;
	case FT_NUMBER:
		bounded = f->fmin != 0 || f->fmax != 0;
		if (!num_is(schema, "minimum", bounded, f->fmin) ||
		    !num_is(schema, "maximum", bounded, f->fmax))
			limit = "range";
		break;
	case FT_MONEY:
		if (!num_is(schema, "minimum", f->min > 0, (double)f->min / 100.0) ||
		    !num_is(schema, "maximum", f->max > 0, (double)f->max / 100.0))
			limit = "range";
		break;
	case FT_ENUM:
		if (!enum_is(schema, f, nullable))
			limit = "enum";
		break;
	default:
		break;
	}
	if (limit != NULL)
		note(n, why, "%s: %s: %s differs from the spec", where, f->name, limit);
	if (roles_of(cJSON_GetObjectItemCaseSensitive(schema, "x-roles")) !=
	    (f->roles != 0 ? f->roles : ~0u))
		note(n, why, "%s: %s: x-roles differ from the spec", where, f->name);
}

/* 1 when the string array arr holds name. */
static int
lists(const cJSON *arr, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, name) == 0)
			return 1;
	return 0;
}

/* The query parameter name of operation o, or NULL. */
static const cJSON *
query_param(const cJSON *o, const char *name)
{
	const cJSON *prm;

	cJSON_ArrayForEach(prm, cJSON_GetObjectItemCaseSensitive(o, "parameters")) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(prm, "in");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(prm, "name");
		if (cJSON_IsString(in) && strcmp(in->valuestring, "query") == 0 &&
		    cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return prm;
	}
	return NULL;
}

/*
 * Number of disagreements between the request side of doc and the query
 * and body specs of routes (routes without a spec are not compared); the
 * first is described in why.  Both directions: a field the spec lacks is
 * an error too.
 */
static int
compare_specs(const cJSON *doc_, const struct med_route *routes, char *why)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc_, "paths");
	int n = 0;

	why[0] = '\0';
	for (const struct med_route *r = routes; r->handler != NULL; r++) {
		char m[16], where[256];
		const cJSON *o, *prm, *body, *props, *req;
		int nq = 0;
		size_t i;

		for (i = 0; r->method[i] != '\0' && i + 1 < sizeof m; i++)
			m[i] = (char)(r->method[i] | 0x20);
		m[i] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(paths,
		    r->pattern + strlen(V1)), m);
		if (o == NULL)
			continue; /* compare() reports it */
		if (r->query != NULL) {
			snprintf(where, sizeof where, "%s %s query", r->method, r->pattern);
			for (int k = 0; k < r->query->n; k++) {
				const struct fld *f = &r->query->f[k];
				prm = query_param(o, f->name);
				if (prm != NULL && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(prm,
				    "required")) != ((f->flags & FF_REQUIRED) != 0))
					note(&n, why, "%s: %s: required differs from the spec", where,
					    f->name);
				check_field(f, cJSON_GetObjectItemCaseSensitive(prm, "schema"), 0, where,
				    &n, why);
			}
			cJSON_ArrayForEach(prm, cJSON_GetObjectItemCaseSensitive(o, "parameters")) {
				const cJSON *in = cJSON_GetObjectItemCaseSensitive(prm, "in");
				nq += cJSON_IsString(in) && strcmp(in->valuestring, "query") == 0;
			}
			if (nq != r->query->n)
				note(&n, why, "%s: %d parameters, the spec has %d fields", where, nq,
				    r->query->n);
		}
		if (r->body == NULL)
			continue;
		snprintf(where, sizeof where, "%s %s body", r->method, r->pattern);
		body = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o,
		    "requestBody"), "content"), "application/json"), "schema");
		props = cJSON_GetObjectItemCaseSensitive(body, "properties");
		req = cJSON_GetObjectItemCaseSensitive(body, "required");
		if (!cJSON_IsObject(props)) {
			note(&n, why, "%s: no request body schema", where);
			continue;
		}
		for (int k = 0; k < r->body->n; k++) {
			const struct fld *f = &r->body->f[k];
			if (lists(req, f->name) != ((f->flags & FF_REQUIRED) != 0))
				note(&n, why, "%s: %s: required differs from the spec", where, f->name);
			check_field(f, cJSON_GetObjectItemCaseSensitive(props, f->name),
			    (f->flags & FF_NULLABLE) != 0, where, &n, why);
		}
		if (cJSON_GetArraySize(props) != r->body->n)
			note(&n, why, "%s: %d properties, the spec has %d fields", where,
			    cJSON_GetArraySize(props), r->body->n);
	}
	return n;
}

static cJSON *doc;
static char why[WHY_MAX];

static void
setup(void)
{
	doc = load_doc();
	ck_assert_msg(doc != NULL, "cannot load openapi.json (set MED_OPENAPI or run from the repo root)");
}

static void
teardown(void)
{
	cJSON_Delete(doc);
	doc = NULL;
}

static cJSON *
op_of(const char *path, const char *method)
{
	cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(paths, path), method);
}

START_TEST(doc_matches_table)
{
	int n = compare(doc, med_routes(), why);
	ck_assert_msg(n == 0, "%d disagreement(s); first: %s (edit scripts/openapi.py if need "
	    "be, then make openapi)", n, why);
}
END_TEST

START_TEST(doc_is_openapi_31_under_v1)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "openapi");
	cJSON *servers = cJSON_GetObjectItemCaseSensitive(doc, "servers");
	cJSON *url = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(servers, 0), "url");

	ck_assert(cJSON_IsString(v));
	ck_assert_str_eq(v->valuestring, "3.1.0");
	ck_assert(cJSON_IsString(url));
	ck_assert_str_eq(url->valuestring, V1);
}
END_TEST

START_TEST(detects_missing_operation)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"),
	    "/users");
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(item, "get"));
	cJSON_DeleteItemFromObjectCaseSensitive(item, "get");
	ck_assert_int_gt(compare(doc, med_routes(), why), 0);
	ck_assert_ptr_nonnull(strstr(why, "GET " V1 "/users is missing"));
}
END_TEST

START_TEST(detects_extra_operation)
{
	cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
	cJSON *item = cJSON_AddObjectToObject(paths, "/no-such-route");
	cJSON_AddObjectToObject(item, "get");
	ck_assert_int_eq(compare(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "get /no-such-route"));
}
END_TEST

START_TEST(detects_method_mismatch)
{
	/* DELETE /patients/{id} documented as PUT: missing on one side, extra on the other. */
	cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"),
	    "/patients/{patient_id}");
	cJSON *o = cJSON_DetachItemFromObjectCaseSensitive(item, "delete");
	ck_assert_ptr_nonnull(o);
	cJSON_AddItemToObject(item, "put", o);
	ck_assert_int_eq(compare(doc, med_routes(), why), 2);
}
END_TEST

START_TEST(detects_role_mismatch)
{
	cJSON *o = op_of("/patients", "get");
	cJSON *roles = cJSON_GetObjectItemCaseSensitive(o, "x-roles");
	ck_assert(cJSON_IsArray(roles));
	cJSON_AddItemToArray(roles, cJSON_CreateString("PATIENT"));
	ck_assert_int_eq(compare(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "x-roles of GET " V1 "/patients differ"));
}
END_TEST

START_TEST(detects_unknown_role_name)
{
	cJSON *o = op_of("/audit", "get");
	cJSON_ReplaceItemInObjectCaseSensitive(o, "x-roles", cJSON_CreateStringArray(
	    (const char *[]){ "admin" }, 1));
	ck_assert_int_eq(compare(doc, med_routes(), why), 1);
}
END_TEST

START_TEST(detects_auth_mismatch)
{
	cJSON *o = op_of("/doctors/{doctor_id}/reviews", "get");
	cJSON_ReplaceItemInObjectCaseSensitive(o, "x-auth", cJSON_CreateString("none"));
	ck_assert_int_eq(compare(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "x-auth of GET"));
}
END_TEST

/* A table with a route the document lacks fails too. */
START_TEST(detects_route_added_to_table)
{
	const struct med_route *real = med_routes();
	size_t n = 0;

	while (real[n].handler != NULL)
		n++;
	struct med_route *t = calloc(n + 2, sizeof *t);
	ck_assert_ptr_nonnull(t);
	memcpy(t, real, n * sizeof *t);
	t[n] = (struct med_route){ "DELETE", V1 "/audit", AUTH_REQUIRED, ROLE_ADMIN,
		TX_NONE, NULL, NULL, real[0].handler };
	ck_assert_int_eq(compare(doc, t, why), 1);
	ck_assert_ptr_nonnull(strstr(why, "DELETE " V1 "/audit is missing"));
	free(t);
}
END_TEST

START_TEST(doc_matches_specs)
{
	int n = compare_specs(doc, med_routes(), why);
	ck_assert_msg(n == 0, "%d disagreement(s); first: %s (run make openapi and commit "
	    "openapi.json)", n, why);
}
END_TEST

/* The request body schema of operation path/method. */
static cJSON *
body_of(const char *path, const char *method)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    op_of(path, method), "requestBody"), "content"), "application/json"), "schema");
}

static cJSON *
body_prop(const char *path, const char *method, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    body_of(path, method), "properties"), name);
}

START_TEST(detects_stale_body_limit)
{
	cJSON *reason = body_prop("/appointments", "post", "reason");
	cJSON *max = cJSON_GetObjectItemCaseSensitive(reason, "maxLength");

	ck_assert(cJSON_IsNumber(max));
	cJSON_SetNumberValue(max, max->valuedouble + 1);
	ck_assert_int_eq(compare_specs(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "POST " V1 "/appointments body: reason: length"));
}
END_TEST

START_TEST(detects_stale_query_limit)
{
	cJSON *limit = cJSON_GetObjectItemCaseSensitive((cJSON *)query_param(op_of(
	    "/appointments/me", "get"), "limit"), "schema");

	ck_assert_ptr_nonnull(limit);
	/* A capped limit documented as a refusal is a disagreement too. */
	cJSON_AddNumberToObject(limit, "maximum", PAGE_LIMIT_MAX);
	ck_assert_int_eq(compare_specs(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "limit: range"));
}
END_TEST

START_TEST(detects_stale_enum_required_nullable)
{
	cJSON *status = body_prop("/appointments/{appointment_id}/status", "patch", "status");
	cJSON *req = cJSON_GetObjectItemCaseSensitive(body_of("/appointments", "post"), "required");
	cJSON *reason = body_prop("/appointments", "post", "reason");

	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(status, "enum"),
	    cJSON_CreateString("NO_SHOW"));
	ck_assert_int_eq(compare_specs(doc, med_routes(), why), 1);
	ck_assert_ptr_nonnull(strstr(why, "status: enum"));
	cJSON_DeleteItemFromArray(req, 0);
	ck_assert_int_eq(compare_specs(doc, med_routes(), why), 2);
	cJSON_ReplaceItemInObjectCaseSensitive(reason, "type", cJSON_CreateString("string"));
	ck_assert_int_eq(compare_specs(doc, med_routes(), why), 3);
}
END_TEST

START_TEST(detects_field_missing_or_extra)
{
	cJSON *props = cJSON_GetObjectItemCaseSensitive(body_of("/appointments", "post"),
	    "properties");

	cJSON_DeleteItemFromObjectCaseSensitive(props, "patient_id");
	ck_assert_int_gt(compare_specs(doc, med_routes(), why), 0);
	ck_assert_ptr_nonnull(strstr(why, "patient_id is missing"));
	cJSON_AddItemToObject(props, "patient_id", cJSON_CreateObject());
	cJSON_AddObjectToObject(props, "no_such_field");
	ck_assert_int_gt(compare_specs(doc, med_routes(), why), 0);
}
END_TEST

/* A limit changed in a spec, the document left as it was: noticed. */
START_TEST(detects_spec_changed_in_table)
{
	const struct med_route *real = med_routes();
	size_t n = 0;
	struct med_spec spec;
	struct fld *fields;
	struct med_route *t;

	while (real[n].handler != NULL)
		n++;
	ck_assert_ptr_nonnull(t = calloc(n + 1, sizeof *t));
	memcpy(t, real, n * sizeof *t);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].method, "POST") != 0 || strcmp(t[i].pattern, V1 "/appointments") != 0)
			continue;
		ck_assert_ptr_nonnull(t[i].body);
		ck_assert_ptr_nonnull(fields = calloc((size_t)t[i].body->n, sizeof *fields));
		memcpy(fields, t[i].body->f, (size_t)t[i].body->n * sizeof *fields);
		for (int k = 0; k < t[i].body->n; k++)
			if (strcmp(fields[k].name, "reason") == 0)
				fields[k].max--;
		spec = (struct med_spec){ fields, t[i].body->n };
		t[i].body = &spec;
		ck_assert_int_eq(compare_specs(doc, t, why), 1);
		ck_assert_ptr_nonnull(strstr(why, "reason: length"));
		free(fields);
		free(t);
		return;
	}
	ck_abort_msg("POST " V1 "/appointments not in the table");
}
END_TEST

/* --- route_doc(): the table rendered as data --------------------------- */

static const char *const doc_enum[] = { "A", "B", NULL };
static const struct fld doc_query_fields[] = {
	FLD_PAGING,
	{ "tags", FT_STRLIST, 0, 1, 30 },
};
static const struct fld doc_body_fields[] = {
	{ "amount", FT_MONEY, FF_REQUIRED, 1, 9999999999LL },
	{ "kind", FT_ENUM, FF_NULLABLE, 0, 0, 0, 0, doc_enum },
	{ "email", FT_EMAIL, 0 },
	{ "at", FT_DATETIME, 0 },
	{ "score", FT_NUMBER, 0, 0, 0, 0.5, 4.5 },
	{ "on_behalf", FT_UUID, 0, .roles = ROLE_STAFF | ROLE_ADMIN },
};
static const struct med_spec doc_query = { doc_query_fields, 3 };
static const struct med_spec doc_body = { doc_body_fields, 6 };

static struct med_route doc_table[] = {
	{ "PATCH", V1 "/things/{thing_id}/parts/{part_id}", AUTH_REQUIRED, ROLE_STAFF | ROLE_ADMIN,
	  TX_WRITE, &doc_query, &doc_body, NULL },
	{ "GET", V1 "/open", AUTH_OPTIONAL, 0, TX_READ, NULL, NULL, NULL },
	{ NULL, NULL, AUTH_NONE, 0, TX_NONE, NULL, NULL, NULL },
};

/* doc_table with real handlers (the table ends at the first NULL handler). */
static cJSON *
render_doc_table(void)
{
	doc_table[0].handler = med_routes()[0].handler;
	doc_table[1].handler = med_routes()[0].handler;
	return route_doc(doc_table);
}

static const cJSON *
field_named(const cJSON *fields, const char *name)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, fields) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
		if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return f;
	}
	return NULL;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
	return v->valuedouble;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	return v->valuestring;
}

START_TEST(route_doc_renders_routes)
{
	cJSON *d = render_doc_table();
	const cJSON *routes = cJSON_GetObjectItemCaseSensitive(d, "routes");
	const cJSON *r = cJSON_GetArrayItem(routes, 0), *r2 = cJSON_GetArrayItem(routes, 1);
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(r, "params");
	char *roles;

	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(str(d, "base"), V1);
	ck_assert_int_eq(cJSON_GetArraySize(routes), 2);
	ck_assert_str_eq(str(r, "method"), "PATCH");
	ck_assert_str_eq(str(r, "path"), "/things/{thing_id}/parts/{part_id}");
	ck_assert_str_eq(str(r, "auth"), "required");
	ck_assert_str_eq(str(r, "tx"), "write");
	roles = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "roles"));
	ck_assert_str_eq(roles, "[\"ADMIN\",\"STAFF\"]");
	free(roles);
	ck_assert_int_eq(cJSON_GetArraySize(params), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(params, 1), "name"), "part_id");
	ck_assert_str_eq(str(cJSON_GetArrayItem(params, 1), "format"), "uuid");
	ck_assert_str_eq(str(r2, "auth"), "optional");
	ck_assert_str_eq(str(r2, "tx"), "read");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r2, "query")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r2, "body")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r2, "roles")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "roles")), 4);
	cJSON_Delete(d);
}
END_TEST

START_TEST(route_doc_renders_fields)
{
	cJSON *d = render_doc_table();
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "routes"), 0);
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(r, "query");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "body"), *f;
	char *s;

	ck_assert_int_eq(cJSON_GetArraySize(q), 3);
	f = field_named(q, "limit");
	ck_assert_str_eq(str(f, "type"), "integer");
	ck_assert(num(f, "minimum") == 1 && num(f, "maximum") == PAGE_LIMIT_MAX);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "cap")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(f, "required")));
	f = field_named(q, "tags");
	ck_assert_str_eq(str(f, "type"), "array");
	ck_assert(num(f, "maxItems") == FLD_STRLIST_MAX);
	f = cJSON_GetObjectItemCaseSensitive(f, "items");
	ck_assert(num(f, "minLength") == 1 && num(f, "maxLength") == 30);

	f = field_named(b, "amount");
	ck_assert_str_eq(str(f, "type"), "number");
	ck_assert_str_eq(str(f, "format"), "money");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "required")));
	/* Cents become amounts: exactly 0.01 and 99999999.99 in the JSON text. */
	ck_assert_ptr_nonnull(s = cJSON_PrintUnformatted(f));
	ck_assert_ptr_nonnull(strstr(s, "\"minimum\":0.01,"));
	ck_assert_ptr_nonnull(strstr(s, "\"maximum\":99999999.99,"));
	free(s);
	f = field_named(b, "kind");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "nullable")));
	ck_assert_ptr_nonnull(s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(f,
	    "enum")));
	ck_assert_str_eq(s, "[\"A\",\"B\"]");
	free(s);
	f = field_named(b, "email");
	ck_assert_str_eq(str(f, "format"), "email");
	ck_assert(num(f, "maxLength") == FLD_EMAIL_MAX);
	ck_assert_str_eq(str(field_named(b, "at"), "format"), "date-time");
	f = field_named(b, "score");
	ck_assert(num(f, "minimum") == 0.5 && num(f, "maximum") == 4.5);
	f = field_named(b, "on_behalf");
	ck_assert_ptr_nonnull(s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(f,
	    "roles")));
	ck_assert_str_eq(s, "[\"ADMIN\",\"STAFF\"]");
	free(s);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(field_named(b, "kind"), "roles"));
	cJSON_Delete(d);
}
END_TEST

START_TEST(route_doc_refuses_route_outside_base)
{
	struct med_route t[] = {
		{ "GET", "/health", AUTH_NONE, 0, TX_NONE, NULL, NULL, med_routes()[0].handler },
		{ NULL, NULL, AUTH_NONE, 0, TX_NONE, NULL, NULL, NULL },
	};
	ck_assert_ptr_null(route_doc(t));
}
END_TEST

/* The real table renders, one entry per route, specs where the table has them. */
START_TEST(route_doc_renders_the_table)
{
	cJSON *d = route_doc(med_routes()), *r;
	const struct med_route *t = med_routes();
	int i = 0;

	ck_assert_ptr_nonnull(d);
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(d, "routes")) {
		ck_assert_ptr_nonnull(t[i].handler);
		ck_assert_str_eq(str(r, "method"), t[i].method);
		ck_assert_str_eq(str(r, "path"), t[i].pattern + strlen(V1));
		ck_assert_int_eq(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "body")),
		    t[i].body == NULL);
		ck_assert_int_eq(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "query")),
		    t[i].query == NULL);
		i++;
	}
	ck_assert_ptr_null(t[i].handler);
	cJSON_Delete(d);
}
END_TEST

/* Every operation: security, error responses and path parameters. */
START_TEST(operations_are_complete)
{
	for (const struct med_route *r = med_routes(); r->handler != NULL; r++) {
		char m[16], name[64];
		size_t i;
		for (i = 0; r->method[i] != '\0' && i + 1 < sizeof m; i++)
			m[i] = (char)(r->method[i] | 0x20);
		m[i] = '\0';
		cJSON *o = op_of(r->pattern + strlen(V1), m);
		cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "responses");
		cJSON *sec = cJSON_GetObjectItemCaseSensitive(o, "security");
		cJSON *params = cJSON_GetObjectItemCaseSensitive(o, "parameters");

		ck_assert_msg(cJSON_IsObject(resp), "%s %s: no responses", r->method, r->pattern);
		ck_assert_msg(cJSON_IsArray(sec), "%s %s: no security", r->method, r->pattern);
		if (r->auth == AUTH_REQUIRED) {
			ck_assert_msg(cJSON_GetArraySize(sec) == 1 && cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetArrayItem(sec, 0), "bearerAuth") != NULL,
			    "%s %s: bearer token not required", r->method, r->pattern);
			ck_assert_msg(cJSON_HasObjectItem(resp, "401") && cJSON_HasObjectItem(resp, "403"),
			    "%s %s: 401/403 not documented", r->method, r->pattern);
		} else if (r->auth == AUTH_NONE) {
			ck_assert_msg(cJSON_GetArraySize(sec) == 0, "%s %s: public route asks for a token",
			    r->method, r->pattern);
		}
		if (cJSON_HasObjectItem(o, "requestBody"))
			ck_assert_msg(cJSON_HasObjectItem(resp, "422"), "%s %s: body without 422",
			    r->method, r->pattern);
		/* Each {name} of the pattern is a declared path parameter. */
		for (const char *p = strchr(r->pattern, '{'); p != NULL; p = strchr(p + 1, '{')) {
			const char *e = strchr(p, '}');
			const cJSON *prm;
			int found = 0;
			ck_assert(e != NULL && (size_t)(e - p) < sizeof name);
			memcpy(name, p + 1, (size_t)(e - p - 1));
			name[e - p - 1] = '\0';
			cJSON_ArrayForEach(prm, params) {
				const cJSON *in = cJSON_GetObjectItemCaseSensitive(prm, "in");
				const cJSON *nm = cJSON_GetObjectItemCaseSensitive(prm, "name");
				found |= cJSON_IsString(in) && strcmp(in->valuestring, "path") == 0 &&
				    cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0;
			}
			ck_assert_msg(found, "%s %s: path parameter %s undeclared", r->method,
			    r->pattern, name);
		}
	}
}
END_TEST

START_TEST(logout_documents_refresh_header)
{
	cJSON *o = op_of("/auth/logout", "post"), *prm;
	int found = 0;

	cJSON_ArrayForEach(prm, cJSON_GetObjectItemCaseSensitive(o, "parameters")) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(prm, "in");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(prm, "name");
		found |= cJSON_IsString(in) && strcmp(in->valuestring, "header") == 0 &&
		    cJSON_IsString(nm) && strcmp(nm->valuestring, "X-Refresh-Token") == 0;
	}
	ck_assert(found);
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "components"), "securitySchemes"), "refreshToken"));
}
END_TEST

static Suite *
openapi_suite(void)
{
	Suite *s = suite_create("openapi");
	TCase *tc = tcase_create("openapi");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, doc_matches_table);
	tcase_add_test(tc, doc_is_openapi_31_under_v1);
	tcase_add_test(tc, detects_missing_operation);
	tcase_add_test(tc, detects_extra_operation);
	tcase_add_test(tc, detects_method_mismatch);
	tcase_add_test(tc, detects_role_mismatch);
	tcase_add_test(tc, detects_unknown_role_name);
	tcase_add_test(tc, detects_auth_mismatch);
	tcase_add_test(tc, detects_route_added_to_table);
	tcase_add_test(tc, operations_are_complete);
	tcase_add_test(tc, logout_documents_refresh_header);
	tcase_add_test(tc, doc_matches_specs);
	tcase_add_test(tc, detects_stale_body_limit);
	tcase_add_test(tc, detects_stale_query_limit);
	tcase_add_test(tc, detects_stale_enum_required_nullable);
	tcase_add_test(tc, detects_field_missing_or_extra);
	tcase_add_test(tc, detects_spec_changed_in_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("route_doc");
	tcase_add_test(tc, route_doc_renders_routes);
	tcase_add_test(tc, route_doc_renders_fields);
	tcase_add_test(tc, route_doc_refuses_route_outside_base);
	tcase_add_test(tc, route_doc_renders_the_table);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(openapi_suite)
