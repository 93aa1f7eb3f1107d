/*
 * test_core.c - the router, the validator and the envelope, in-process.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "route.h"
#include "db.h"
#include "testctx.h"
#include "testreg.h"
#include "valid.h"

/* --- router -------------------------------------------------------------- */

static void
free_params(char **params, int n)
{
	while (n > 0)
		free(params[--n]);
}

START_TEST(match_params)
{
	char *params[MED_MAX_PARAMS];
	int n;

	ck_assert(route_match("/api/v1/doctors/{doctor_id}/availability/slots",
	    "/api/v1/doctors/abc/availability/slots", params, &n));
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(params[0], "abc");
	free_params(params, n);
	ck_assert(route_match("/a/{x}/b/{y}", "/a/1/b/2", params, &n));
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(params[0], "1");
	ck_assert_str_eq(params[1], "2");
	free_params(params, n);
}
END_TEST

START_TEST(match_trailing_slash)
{
	char *params[MED_MAX_PARAMS];
	int n;

	ck_assert(route_match("/api/v1/users", "/api/v1/users/", params, &n));
	ck_assert(route_match("/api/v1/users/{id}", "/api/v1/users/x/", params, &n));
	free_params(params, n);
	ck_assert(!route_match("/api/v1/users", "/api/v1/users//", params, &n));
	ck_assert(!route_match("/api/v1/users/{id}", "/api/v1/users/", params, &n));
	ck_assert(!route_match("/api/v1/users/{id}", "/api/v1/users//", params, &n));
	ck_assert(!route_match("/api/v1/users", "/api/v1/usersx", params, &n));
	ck_assert(!route_match("/api/v1/users/me", "/api/v1/users", params, &n));
	ck_assert(!route_match("/api/v1/a/{x}", "/api/v1/a/b/c", params, &n));
}
END_TEST

/* Default-deny: every authenticated route names the roles it admits. */
START_TEST(table_every_route_has_roles)
{
	for (const struct med_route *r = med_routes(); r->handler != NULL; r++) {
		ck_assert_msg(r->auth != AUTH_REQUIRED || r->roles != 0,
		    "%s %s requires auth but admits no role", r->method, r->pattern);
		ck_assert_msg(r->auth == AUTH_REQUIRED || r->roles == 0,
		    "%s %s is public but lists roles", r->method, r->pattern);
		ck_assert_msg(strncmp(r->pattern, "/api/v1/", 8) == 0, "%s", r->pattern);
	}
}
END_TEST

/* No two routes share method and pattern: the second would be dead. */
START_TEST(table_no_duplicates)
{
	for (const struct med_route *a = med_routes(); a->handler != NULL; a++)
		for (const struct med_route *b = a + 1; b->handler != NULL; b++)
			ck_assert_msg(strcmp(a->method, b->method) != 0 ||
			    strcmp(a->pattern, b->pattern) != 0, "%s %s twice", a->method, a->pattern);
}
END_TEST

static struct med_ctx ctx;

static void
setup(void)
{
	test_ctx_open(&ctx, 0);
}

static void
setup_seeded(void)
{
	test_ctx_open(&ctx, 1);
}

static void
teardown(void)
{
	test_ctx_close(&ctx);
}

static const char *
message_of(cJSON *env)
{
	cJSON *m = cJSON_GetObjectItem(env, "message");
	return cJSON_IsString(m) ? m->valuestring : "";
}

START_TEST(dispatch_404_405)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/nothing", NULL, NULL, &env), 404);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(env, "success")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(env, "data")));
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/", NULL, NULL, NULL), 404);

	req.method = "DELETE";
	req.path = "/api/v1/users/me";
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(resp.allow, "GET, PATCH");
	med_resp_free(&resp);
	med_req_free(&req);

	req.method = "PUT";
	req.path = "/api/v1/appointments/x/reschedule/";
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 405);
	ck_assert_str_eq(resp.allow, "POST, PATCH");
	med_resp_free(&resp);
	med_req_free(&req);
}
END_TEST

/* A body must be declared JSON; without one the type does not matter. */
START_TEST(dispatch_415_non_json_body)
{
	static const char body[] = "{\"email\":\"a@example.dz\",\"password\":\"x\"}";
	static const char *const refused[] = { "text/plain", "application/x-www-form-urlencoded",
		"application/jsonx", "application/json; charset=latin1", NULL };
	static const char *const accepted[] = { "application/json", "APPLICATION/JSON",
		"application/json; charset=utf-8", " application/json;charset=\"UTF-8\"" };
	struct med_req req = { 0 };
	struct med_resp resp;

	req.method = "POST";
	req.path = "/api/v1/auth/refresh";
	req.body = body;
	req.body_len = sizeof body - 1;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		req.content_type = refused[i];
		med_handle(&ctx, &req, &resp);
		ck_assert_msg(resp.status == 415, "%s: %d", refused[i] ? refused[i] : "(none)",
		    resp.status);
		ck_assert_ptr_nonnull(strstr(resp.body, "\"success\":false"));
		med_resp_free(&resp);
		med_req_free(&req);
	}
	/* Accepted types reach validation: refresh_token is missing (422). */
	for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
		req.content_type = accepted[i];
		med_handle(&ctx, &req, &resp);
		ck_assert_msg(resp.status == 422, "%s: %d", accepted[i], resp.status);
		med_resp_free(&resp);
		med_req_free(&req);
	}
	/* No body, no type needed. */
	req.method = "GET";
	req.path = "/api/v1/health";
	req.body = NULL;
	req.body_len = 0;
	req.content_type = NULL;
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 200);
	med_resp_free(&resp);
	med_req_free(&req);
}
END_TEST

/*
 * Transactions nest: an inner rollback dooms the outer commit, so a
 * library function that fails inside a route's transaction can never
 * have its half-done rows committed by the route.
 */
START_TEST(db_nested_rollback_dooms_outer)
{
	sqlite3_stmt *st;
	int found;

	ck_assert_int_eq(db_exec(&ctx, "CREATE TABLE nest (k TEXT)"), MED_OK);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(db_exec(&ctx, "INSERT INTO nest VALUES ('outer')"), MED_OK);
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(db_exec(&ctx, "INSERT INTO nest VALUES ('inner')"), MED_OK);
	db_rollback(&ctx);
	ck_assert(db_in_tx(&ctx));
	ck_assert_int_eq(db_commit(&ctx), MED_EDB);
	ck_assert(!db_in_tx(&ctx));
	ck_assert_int_eq(db_exists(&ctx, "SELECT 1 FROM nest WHERE k <> ?1", "", &found), MED_OK);
	ck_assert_int_eq(found, 0);

	/* Both levels committing keeps both rows. */
	ck_assert_int_eq(db_begin(&ctx), MED_OK);
	ck_assert_int_eq(db_begin_read(&ctx), MED_OK);
	ck_assert_int_eq(db_exec(&ctx, "INSERT INTO nest VALUES ('both')"), MED_OK);
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	ck_assert(db_in_tx(&ctx));
	ck_assert_int_eq(db_commit(&ctx), MED_OK);
	ck_assert(!db_in_tx(&ctx));
	ck_assert_ptr_nonnull(st = db_stmt(&ctx, "SELECT count(*) FROM nest"));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_reset(st);
}
END_TEST

/* A refused write leaves nothing behind: dispatch rolls the route back. */
START_TEST(dispatch_refusal_rolls_back)
{
	char *admin = test_login(&ctx, "admin@example.dz", "Algeria123!");
	char path[128], body[256];
	cJSON *env;
	int before, after;
	sqlite3_stmt *st;

	ck_assert_ptr_nonnull(admin);
	ck_assert_ptr_nonnull(st = db_stmt(&ctx, "SELECT count(*) FROM appointments"));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	before = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	/* An unknown patient: refused (404) after the route's transaction began. */
	snprintf(path, sizeof path, "/api/v1/appointments");
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"patient_id\":\"%s\","
	    "\"start_time\":\"2030-01-07T09:00:00Z\",\"end_time\":\"2030-01-07T09:30:00Z\"}",
	    "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002");
	ck_assert_int_eq(test_call(&ctx, "POST", path, admin, body, &env), 404);
	cJSON_Delete(env);
	ck_assert(!db_in_tx(&ctx));
	ck_assert_ptr_nonnull(st = db_stmt(&ctx, "SELECT count(*) FROM appointments"));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	after = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	ck_assert_int_eq(before, after);
	free(admin);
}
END_TEST

START_TEST(dispatch_health_and_slash)
{
	cJSON *env, *data;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/health/", NULL, NULL, &env), 200);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(env, "success")));
	data = cJSON_GetObjectItem(env, "data");
	ck_assert_str_eq(cJSON_GetObjectItem(data, "status")->valuestring, "ok");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(env, "message")));
	cJSON_Delete(env);
}
END_TEST

/* Public, so the booking page can format dates before anyone logs in. */
START_TEST(clinic_info_names_the_zone)
{
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/clinic", NULL, NULL, &env), 200);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), "timezone")->valuestring,
	    ctx.cfg.clinic_tz);
	cJSON_Delete(env);
}
END_TEST

START_TEST(dispatch_auth_required)
{
	struct med_req req = { 0 };
	struct med_resp resp;

	req.method = "GET";
	req.path = "/api/v1/users/me";
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 401);
	ck_assert_int_eq(resp.www_authenticate, 1);
	med_resp_free(&resp);
	med_req_free(&req);

	req.authorization = "Basic Zm9vOmJhcg==";
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 401);
	med_resp_free(&resp);
	med_req_free(&req);

	req.authorization = "Bearer not.a.token";
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 401);
	med_resp_free(&resp);
	med_req_free(&req);
}
END_TEST

/* The 422 envelope: data.detail[0] with loc, msg, type; message in words. */
static void
assert_422(const char *body, const char *field, const char *type)
{
	cJSON *env, *detail, *item, *loc;

	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/register", NULL, body, &env), 422);
	detail = cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), "detail");
	ck_assert(cJSON_IsArray(detail));
	item = cJSON_GetArrayItem(detail, 0);
	loc = cJSON_GetObjectItem(item, "loc");
	ck_assert_str_eq(cJSON_GetArrayItem(loc, 0)->valuestring, "body");
	if (field != NULL)
		ck_assert_str_eq(cJSON_GetArrayItem(loc, 1)->valuestring, field);
	ck_assert_str_eq(cJSON_GetObjectItem(item, "type")->valuestring, type);
	ck_assert(strlen(message_of(env)) > 0);
	cJSON_Delete(env);
}

START_TEST(envelope_422_shapes)
{
	assert_422("{", NULL, "json_invalid");
	assert_422("[1,2]", NULL, "model_type");
	assert_422("{}", "email", "missing");
	assert_422("{\"email\":\"a@b.dz\"}", "password", "missing");
	assert_422("{\"email\":5,\"password\":\"12345678\"}", "email", "string_type");
	assert_422("{\"email\":\"not-an-email\",\"password\":\"12345678\"}", "email", "value_error");
	assert_422("{\"email\":\"a@b.dz\",\"password\":\"1234567\"}", "password", "string_too_short");
	assert_422("{\"email\":\"a@b.dz\",\"password\":null}", "password", "none_forbidden");
	assert_422("{\"email\":\"a@b.dz\",\"password\":\"ab\\u0000cdefgh\"}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":\"12345678\"} trailing", NULL, "json_invalid");
	assert_422("\xff\xfe{}", NULL, "json_invalid");
	/* What cJSON would accept but JSON forbids. */
	assert_422("{\"email\":\"a@b.dz\",\"password\":01}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":1.}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":-}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":1e}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":1.5.2}", NULL, "json_invalid");
	assert_422("{\"email\":\"a@b.dz\",\"password\":\"raw\ttab12\"}", NULL, "json_invalid");
	/* Valid JSON numbers get past the parser and fail on their type. */
	assert_422("{\"email\":\"a@b.dz\",\"password\":-0.5e-3}", "password", "string_type");
	assert_422("{\"email\":\"a@b.dz\",\"password\":10E+2}", "password", "string_type");
	assert_422("{\"email\":\"a@b.dz\",\"password\":0}", "password", "string_type");
	assert_422("{\"email\":\"a@b.dz\",\"password\":[\"12345678\",-1]}", "password", "string_type");
}
END_TEST

/* --- validator, field by field ------------------------------------------ */

static const char *const colours[] = { "RED", "GREEN", NULL };

static const struct fld specs[] = {
	{ "s", FT_STRING, 0, 2, 4 },
	{ "i", FT_INT, 0, 1, 5 },
	{ "n", FT_NUMBER, 0, 0, 0, 0.5, 2.5 },
	{ "b", FT_BOOL, 0 },
	{ "u", FT_UUID, 0 },
	{ "e", FT_EMAIL, 0 },
	{ "d", FT_DATE, 0 },
	{ "t", FT_TIME, 0 },
	{ "dt", FT_DATETIME, 0 },
	{ "c", FT_ENUM, 0, 0, 0, 0, 0, colours },
	{ "m", FT_MONEY, 0, 1, 9999999999LL },
	{ "l", FT_STRLIST, 0, 0, 3 },
	{ "z", FT_STRING, FF_NULLABLE, 0, 10 },
};
#define NSPECS ((int)(sizeof specs / sizeof specs[0]))

/* Validate one JSON body; return MED_OK or the 422 problem type in *type. */
static enum med_err
check_body(const char *body, struct fval *v, char *type, size_t typesz)
{
	struct med_req req = { 0 };
	struct med_resp resp = { 0 };
	enum med_err e;

	req.json = cJSON_Parse(body);
	ck_assert_ptr_nonnull(req.json);
	e = valid_body(&req, specs, NSPECS, v, &resp);
	type[0] = '\0';
	if (e != MED_OK) {
		cJSON *env = cJSON_Parse(resp.body), *item;
		ck_assert_int_eq(resp.status, 422);
		item = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(env, "data"), "detail"), 0);
		snprintf(type, typesz, "%s", cJSON_GetObjectItem(item, "type")->valuestring);
		cJSON_Delete(env);
	}
	med_resp_free(&resp);
	/* v[].s may point into req.json: keep it for the caller's checks. */
	cJSON_Delete(req.json);
	return e;
}

struct vcase {
	const char *body;
	const char *type; /* NULL = valid */
};

static const struct vcase vcases[] = {
	{ "{\"s\":\"ab\"}", NULL },
	{ "{\"s\":\"abcd\"}", NULL },
	{ "{\"s\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", NULL },   /* 4 code points, 8 bytes */
	{ "{\"s\":\"a\"}", "string_too_short" },
	{ "{\"s\":\"abcde\"}", "string_too_long" },
	{ "{\"s\":1}", "string_type" },
	{ "{\"s\":null}", "none_forbidden" },
	{ "{\"i\":1}", NULL },
	{ "{\"i\":5}", NULL },
	{ "{\"i\":0}", "greater_than_equal" },
	{ "{\"i\":6}", "less_than_equal" },
	{ "{\"i\":1.5}", "int_type" },
	{ "{\"i\":\"3\"}", "int_type" },
	{ "{\"i\":1e300}", "int_type" },
	{ "{\"i\":true}", "int_type" },
	{ "{\"n\":0.5}", NULL },
	{ "{\"n\":2.6}", "less_than_equal" },
	{ "{\"n\":0.4}", "greater_than_equal" },
	{ "{\"n\":\"1\"}", "float_type" },
	{ "{\"b\":false}", NULL },
	{ "{\"b\":0}", "bool_type" },
	{ "{\"b\":\"true\"}", "bool_type" },
	{ "{\"u\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001\"}", NULL },
	{ "{\"u\":\"0B7E0C3E-6F3A-4C1D-9A55-2F0D7D1A0001\"}", NULL },
	{ "{\"u\":\"0b7e0c3e6f3a4c1d9a552f0d7d1a0001\"}", "uuid_parsing" },
	{ "{\"u\":\"../../etc/passwd\"}", "uuid_parsing" },
	{ "{\"u\":\"0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a000g\"}", "uuid_parsing" },
	{ "{\"e\":\"amina.benali@example.dz\"}", NULL },
	{ "{\"e\":\"a@b\"}", "value_error" },
	{ "{\"e\":\"@b.dz\"}", "value_error" },
	{ "{\"e\":\"a b@c.dz\"}", "value_error" },
	{ "{\"e\":\"a@@c.dz\"}", "value_error" },
	{ "{\"e\":\"a@c..dz\"}", "value_error" },
	{ "{\"d\":\"2024-02-29\"}", NULL },
	{ "{\"d\":\"2026-02-30\"}", "date_parsing" },
	{ "{\"d\":\"2026-13-01\"}", "date_parsing" },
	{ "{\"d\":\"26-01-01\"}", "date_parsing" },
	{ "{\"t\":\"09:30\"}", NULL },
	{ "{\"t\":\"23:59:59\"}", NULL },
	{ "{\"t\":\"25:00\"}", "time_parsing" },
	{ "{\"t\":\"12:60\"}", "time_parsing" },
	{ "{\"dt\":\"2026-12-01T09:30:00Z\"}", NULL },
	{ "{\"dt\":\"2026-12-01T09:30:00+01:00\"}", NULL },
	{ "{\"dt\":\"2026-12-01T09:30:00\"}", NULL },
	{ "{\"dt\":\"2026-02-30T09:30:00Z\"}", "datetime_parsing" },
	{ "{\"dt\":\"2026-12-01 25:00:00Z\"}", "datetime_parsing" },
	{ "{\"c\":\"RED\"}", NULL },
	{ "{\"c\":\"red\"}", "enum" },
	{ "{\"c\":\"BLUE\"}", "enum" },
	{ "{\"m\":19.99}", NULL },
	{ "{\"m\":0.30000000000000004}", NULL },
	{ "{\"m\":12.345}", "decimal_max_places" },
	{ "{\"m\":0}", "greater_than" },
	{ "{\"m\":-1}", "greater_than" },
	{ "{\"m\":99999999.99}", NULL },
	{ "{\"m\":100000000.00}", "less_than_equal" },
	{ "{\"m\":1e308}", "decimal_max_digits" },
	{ "{\"m\":\"10.00\"}", "decimal_type" },
	{ "{\"l\":[\"a\",\"bcd\"]}", NULL },
	{ "{\"l\":[\"abcd\"]}", "string_too_long" },
	{ "{\"l\":\"a\"}", "list_type" },
	{ "{\"l\":[1]}", "string_type" },
	{ "{\"z\":null}", NULL },
	{ "{\"unknown\":{\"deep\":[1,2,3]}}", NULL },
};

START_TEST(validator_cases)
{
	const struct vcase *c = &vcases[_i];
	struct fval v[NSPECS];
	char type[64];
	enum med_err e = check_body(c->body, v, type, sizeof type);

	if (c->type == NULL)
		ck_assert_msg(e == MED_OK, "%s rejected as %s", c->body, type);
	else
		ck_assert_msg(e != MED_OK && strcmp(type, c->type) == 0,
		    "%s: expected %s, got %s", c->body, c->type, e == MED_OK ? "valid" : type);
}
END_TEST

START_TEST(validator_values)
{
	struct fval v[NSPECS];
	char type[64];
	struct med_req req = { 0 };
	struct med_resp resp = { 0 };

	req.json = cJSON_Parse("{\"m\":0.30000000000000004,\"t\":\"09:30\",\"u\":"
	    "\"0B7E0C3E-6F3A-4C1D-9A55-2F0D7D1A0001\",\"c\":\"GREEN\",\"z\":null,"
	    "\"dt\":\"2026-12-01T10:30:00+01:00\"}");
	ck_assert_int_eq(valid_body(&req, specs, NSPECS, v, &resp), MED_OK);
	ck_assert_int_eq(v[10].i, 30);
	ck_assert_int_eq(v[7].i, 9 * 3600 + 30 * 60);
	ck_assert_str_eq(v[4].s, "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001");
	ck_assert_int_eq(v[9].i, 1);
	ck_assert(v[12].present && v[12].is_null);
	ck_assert(!v[0].present);
	ck_assert_int_eq(v[8].i, 1796117400); /* 2026-12-01T09:30:00Z */
	cJSON_Delete(req.json);
	(void)type;
}
END_TEST

/* FT_CURRENCY: the lengths of its spec first, then three uppercase ASCII letters. */
START_TEST(validator_currency)
{
	static const struct fld cur[] = { { "currency", FT_CURRENCY, 0, 3, 3 } };
	static const struct { const char *body; const char *type; } c[] = {
		{ "{\"currency\":\"DZD\"}", NULL },
		{ "{\"currency\":\"dzd\"}", "string_pattern_mismatch" },
		{ "{\"currency\":\"D1D\"}", "string_pattern_mismatch" },
		{ "{\"currency\":\"\u00c9UR\"}", "string_pattern_mismatch" },
		{ "{\"currency\":\"EURO\"}", "string_too_long" },
		{ "{\"currency\":\"EU\"}", "string_too_short" },
		{ "{\"currency\":3}", "string_type" },
	};
	struct fval v[1];

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct med_req req = { 0 };
		struct med_resp resp = { 0 };
		enum med_err e;

		req.json = cJSON_Parse(c[i].body);
		e = valid_body(&req, cur, 1, v, &resp);
		if (c[i].type == NULL) {
			ck_assert_msg(e == MED_OK, "%s refused", c[i].body);
		} else {
			ck_assert_msg(e == MED_EINVAL && resp.status == 422 &&
			    strstr(resp.body, c[i].type) != NULL, "%s: %s", c[i].body,
			    resp.body ? resp.body : "(accepted)");
			if (strcmp(c[i].type, "string_pattern_mismatch") == 0)
				ck_assert_ptr_nonnull(strstr(resp.body,
				    "Currency should be a 3-letter uppercase code"));
		}
		med_resp_free(&resp);
		cJSON_Delete(req.json);
	}
}
END_TEST

START_TEST(validator_query)
{
	struct med_req req = { 0 };
	struct med_resp resp = { 0 };
	int64_t skip, limit;

	req.query = "skip=5&limit=5000";
	ck_assert_int_eq(med_parse_query(&req), MED_OK);
	ck_assert_int_eq(valid_paging(&req, &skip, &limit, &resp), MED_OK);
	ck_assert_int_eq(skip, 5);
	ck_assert_int_eq(limit, 1000); /* Rule: capped */
	med_req_free(&req);

	req.query = "limit=0";
	ck_assert_int_eq(med_parse_query(&req), MED_OK);
	ck_assert_int_eq(valid_paging(&req, &skip, &limit, &resp), MED_EINVAL);
	ck_assert_int_eq(resp.status, 422);
	med_resp_free(&resp);
	med_req_free(&req);

	req.query = "skip=-1";
	ck_assert_int_eq(med_parse_query(&req), MED_OK);
	ck_assert_int_eq(valid_paging(&req, &skip, &limit, &resp), MED_EINVAL);
	med_resp_free(&resp);
	med_req_free(&req);

	req.query = "skip=1x";
	ck_assert_int_eq(med_parse_query(&req), MED_OK);
	ck_assert_int_eq(valid_paging(&req, &skip, &limit, &resp), MED_EINVAL);
	med_resp_free(&resp);
	med_req_free(&req);

	req.query = "name=a%20b+c&x=%zz";
	ck_assert_int_eq(med_parse_query(&req), MED_EINVAL);
	med_req_free(&req);

	req.query = "name=a%20b+c&flag";
	ck_assert_int_eq(med_parse_query(&req), MED_OK);
	ck_assert_str_eq(med_query(&req, "name"), "a b c");
	ck_assert_str_eq(med_query(&req, "flag"), "");
	ck_assert_ptr_null(med_query(&req, "other"));
	med_req_free(&req);

	req.query = "a=%00";
	ck_assert_int_eq(med_parse_query(&req), MED_EINVAL);
	med_req_free(&req);
}
END_TEST

START_TEST(envelope_builders)
{
	struct med_resp resp = { 0 };
	cJSON *env;

	ck_assert_int_eq(med_created(&resp, cJSON_CreateString("x")), 201);
	env = cJSON_Parse(resp.body);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(env, "success")));
	ck_assert_str_eq(cJSON_GetObjectItem(env, "data")->valuestring, "x");
	cJSON_Delete(env);
	ck_assert_int_eq(med_no_content(&resp), 204);
	ck_assert_ptr_null(resp.body);
	ck_assert_int_eq(med_error(&resp, 409, "Conflict here"), 409);
	env = cJSON_Parse(resp.body);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(env, "success")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(env, "data")));
	ck_assert_str_eq(cJSON_GetObjectItem(env, "message")->valuestring, "Conflict here");
	cJSON_Delete(env);
	ck_assert_int_eq(med_fail(&resp, MED_EBUSY), 503);
	ck_assert_int_eq(resp.retry_after, 1);
	med_resp_free(&resp);
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("router");

	tcase_add_test(tc, match_params);
	tcase_add_test(tc, match_trailing_slash);
	tcase_add_test(tc, table_every_route_has_roles);
	tcase_add_test(tc, table_no_duplicates);
	suite_add_tcase(s, tc);

	tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dispatch_404_405);
	tcase_add_test(tc, dispatch_health_and_slash);
	tcase_add_test(tc, clinic_info_names_the_zone);
	tcase_add_test(tc, dispatch_auth_required);
	tcase_add_test(tc, envelope_422_shapes);
	tcase_add_test(tc, dispatch_415_non_json_body);
	tcase_add_test(tc, db_nested_rollback_dooms_outer);
	suite_add_tcase(s, tc);

	tc = tcase_create("dispatch_seeded");
	tcase_add_checked_fixture(tc, setup_seeded, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, dispatch_refusal_rolls_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("validator");
	tcase_add_loop_test(tc, validator_cases, 0, (int)(sizeof vcases / sizeof vcases[0]));
	tcase_add_test(tc, validator_values);
	tcase_add_test(tc, validator_query);
	tcase_add_test(tc, validator_currency);
	tcase_add_test(tc, envelope_builders);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(core_suite)
