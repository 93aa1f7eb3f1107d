/*
 * test_docs.c - end to end: nginx serves the OpenAPI document at
 * /api/v1/openapi.json and the docs pages (Swagger UI at /docs, ReDoc at
 * /redoc) with their vendored scripts, the right types and a CSP that
 * admits only this origin.  Rendering in a real browser is
 * t/docs-browser.sh (headless Chromium); this suite needs no browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "httpc.h"
#include "testreg.h"

/* GET path; fails the test on a transport error. */
static int
get(const char *path, struct http_result *res)
{
	int st = http_call("GET", path, NULL, NULL, 0, res);

	ck_assert_msg(st > 0, "GET %s: transport error", path);
	return st;
}

static void
assert_type(const struct http_result *res, const char *path, const char *type)
{
	const char *ct = http_header(res, "Content-Type");

	ck_assert_msg(ct != NULL && strncmp(ct, type, strlen(type)) == 0,
	    "%s: Content-Type %s, want %s", path, ct ? ct : "(none)", type);
	ck_assert_msg(http_header(res, "X-Content-Type-Options") != NULL &&
	    strcmp(http_header(res, "X-Content-Type-Options"), "nosniff") == 0,
	    "%s: no nosniff", path);
}

START_TEST(openapi_json_served)
{
	struct http_result res;
	cJSON *paths, *login;

	ck_assert_int_eq(get("/api/v1/openapi.json", &res), 200);
	assert_type(&res, "/api/v1/openapi.json", "application/json");
	ck_assert_ptr_nonnull(res.json);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(res.json, "openapi")->valuestring, "3.1.0");
	paths = cJSON_GetObjectItemCaseSensitive(res.json, "paths");
	login = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(paths, "/auth/login"), "post");
	ck_assert_ptr_nonnull(login);
	ck_assert(cJSON_GetArraySize(paths) > 40);
	http_result_free(&res);
}
END_TEST

/* Not a FastCGI route: a write to it is nginx's 405, in the envelope. */
START_TEST(openapi_json_is_read_only)
{
	struct http_result res;

	ck_assert_int_eq(http_call("POST", "/api/v1/openapi.json", NULL, "{}", 2, &res), 405);
	ck_assert_ptr_nonnull(res.json);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res.json, "success")));
	http_result_free(&res);
}
END_TEST

static const struct {
	const char *path, *needle;
} pages[] = {
	{ "/docs", "/docs/vendor/swagger-ui/swagger-ui-bundle.js" },
	{ "/docs/", "/docs/vendor/swagger-ui/swagger-ui-bundle.js" },
	{ "/docs/index.html", "/docs/swagger-init.js" },
	{ "/redoc", "/docs/vendor/redoc/redoc.standalone.js" },
	{ "/redoc/", "spec-url=\"/api/v1/openapi.json\"" },
};

START_TEST(pages_served)
{
	struct http_result res;
	const char *csp;

	ck_assert_int_eq(get(pages[_i].path, &res), 200);
	assert_type(&res, pages[_i].path, "text/html");
	ck_assert_msg(strstr(res.body, pages[_i].needle) != NULL, "%s lacks %s",
	    pages[_i].path, pages[_i].needle);
	/* Everything from our own origin: no absolute URL in a src or href. */
	ck_assert_ptr_null(strstr(res.body, "src=\"http"));
	ck_assert_ptr_null(strstr(res.body, "href=\"http"));
	csp = http_header(&res, "Content-Security-Policy");
	ck_assert_ptr_nonnull(csp);
	ck_assert_ptr_nonnull(strstr(csp, "script-src 'self';"));
	ck_assert_ptr_nonnull(strstr(csp, "default-src 'none'"));
	ck_assert_ptr_null(strstr(csp, "unsafe-eval"));
	http_result_free(&res);
}
END_TEST

static const struct {
	const char *path, *type;
} assets[] = {
	{ "/docs/vendor/swagger-ui/swagger-ui-bundle.js", "application/javascript" },
	{ "/docs/vendor/swagger-ui/swagger-ui.css", "text/css" },
	{ "/docs/vendor/redoc/redoc.standalone.js", "application/javascript" },
	{ "/docs/swagger-init.js", "application/javascript" },
	{ "/docs/docs.css", "text/css" },
};

START_TEST(assets_served)
{
	struct http_result res;

	ck_assert_int_eq(get(assets[_i].path, &res), 200);
	assert_type(&res, assets[_i].path, assets[_i].type);
	ck_assert(res.body_len > 100);
	http_result_free(&res);
}
END_TEST

START_TEST(unknown_docs_file_is_404_envelope)
{
	struct http_result res;

	ck_assert_int_eq(get("/docs/no-such-file.js", &res), 404);
	assert_type(&res, "/docs/no-such-file.js", "application/json");
	ck_assert_ptr_nonnull(res.json);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res.json, "success")));
	http_result_free(&res);
	/* The source tree around docs/ is not reachable through it. */
	ck_assert_int_eq(get("/docs/../schema.sql", &res), 404);
	http_result_free(&res);
}
END_TEST

static Suite *
docs_e2e_suite(void)
{
	Suite *s = suite_create("docs_e2e");
	TCase *tc = tcase_create("docs_e2e");

	tcase_add_test(tc, openapi_json_served);
	tcase_add_test(tc, openapi_json_is_read_only);
	tcase_add_loop_test(tc, pages_served, 0, (int)(sizeof pages / sizeof pages[0]));
	tcase_add_loop_test(tc, assets_served, 0, (int)(sizeof assets / sizeof assets[0]));
	tcase_add_test(tc, unknown_docs_file_is_404_envelope);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(docs_e2e_suite)
