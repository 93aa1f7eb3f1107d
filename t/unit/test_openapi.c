/*
 * test_openapi.c - openapi.json against the routing table of lib/route.c.
 *
 * The table is the authority: every route must appear in the document
 * with its method, auth mode (x-auth) and roles (x-roles), and the
 * document may describe no operation the router does not have.  The
 * negative cases tamper with a loaded copy and check that the comparison
 * notices, so a comparison that always passes cannot hide here.
 *
 * The document is read from $MED_OPENAPI, else openapi.json in the
 * current directory (the unit runner runs from the repository root).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "route.h"
#include "testreg.h"

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

static const char *
auth_name(enum route_auth a)
{
	switch (a) {
	case AUTH_NONE:
		return "none";
	case AUTH_OPTIONAL:
		return "optional";
	case AUTH_REQUIRED:
		return "required";
	}
	return "?";
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
		if (!cJSON_IsString(xa) || strcmp(xa->valuestring, auth_name(r->auth)) != 0)
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
	ck_assert_msg(n == 0, "%d disagreement(s); first: %s (edit scripts/openapi.py, then "
	    "python3 scripts/openapi.py > openapi.json)", n, why);
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
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(openapi_suite)
