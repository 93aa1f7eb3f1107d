/*
 * test_auth.c - /auth and /users in-process: the token life cycle and
 * every role rule of API.md §2-3.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "jwt.h"
#include "route.h"
#include "testctx.h"
#include "unitkit.h"
#include "testreg.h"
#include "throttle.h"

#define PW "Algeria123!"
#define ADMIN "admin@example.dz"
#define AMINA "amina.benali@example.dz"

UT_SEEDED_FIXTURE

/* POST /auth/register or /auth/login; fills access/refresh (malloc'd). */
static int
auth_post(const char *route, const char *email, const char *password, char **access,
    char **refresh)
{
	char path[64], body[512];
	cJSON *env;
	int status;

	snprintf(path, sizeof path, "/api/v1/auth/%s", route);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	status = test_call(&ctx, "POST", path, NULL, body, &env);
	if (status == 200) {
		ck_assert_str_eq(ut_str(ut_data(env), "token_type"), "bearer");
		if (access != NULL)
			*access = strdup(ut_str(ut_data(env), "access_token"));
		if (refresh != NULL)
			*refresh = strdup(ut_str(ut_data(env), "refresh_token"));
	}
	cJSON_Delete(env);
	return status;
}

static int
refresh_call(const char *refresh, char **access, char **new_refresh)
{
	char body[2048];
	cJSON *env;
	int status;

	snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", refresh);
	status = test_call(&ctx, "POST", "/api/v1/auth/refresh", NULL, body, &env);
	if (status == 200) {
		if (access != NULL)
			*access = strdup(ut_str(ut_data(env), "access_token"));
		if (new_refresh != NULL)
			*new_refresh = strdup(ut_str(ut_data(env), "refresh_token"));
	}
	cJSON_Delete(env);
	return status;
}

static int
me_status(const char *token)
{
	return test_call(&ctx, "GET", "/api/v1/users/me", token, NULL, NULL);
}

START_TEST(register_login_me)
{
	char *access, *access2;
	cJSON *env, *role;

	ck_assert_int_eq(auth_post("register", "new.patient@example.dz", "longenough", &access, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/me", access, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "email"), "new.patient@example.dz");
	role = cJSON_GetObjectItem(ut_data(env), "role");
	ck_assert_str_eq(ut_str(role, "name"), "PATIENT");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(ut_data(env), "is_superuser")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(ut_data(env), "is_active")));
	ck_assert_ptr_nonnull(ut_str(ut_data(env), "created_at"));
	cJSON_Delete(env);
	/* Case-insensitive unique email: 409 (Rule), not 400. */
	ck_assert_int_eq(auth_post("register", "NEW.patient@example.dz", "longenough", NULL, NULL), 409);
	/* Rule: minimum 8 characters. */
	ck_assert_int_eq(auth_post("register", "short@example.dz", "1234567", NULL, NULL), 422);
	ck_assert_int_eq(auth_post("login", "new.patient@example.dz", "longenough", &access2, NULL), 200);
	ck_assert_int_eq(me_status(access2), 200);
	free(access);
	free(access2);
}
END_TEST

START_TEST(register_ignores_role)
{
	cJSON *env;
	char *access;

	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/register", NULL,
	    "{\"email\":\"sneaky@example.dz\",\"password\":\"longenough\",\"role\":\"ADMIN\","
	    "\"is_superuser\":true}", &env), 200);
	access = strdup(ut_str(ut_data(env), "access_token"));
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/me", access, NULL, &env), 200);
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(ut_data(env), "role"), "name"), "PATIENT");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(ut_data(env), "is_superuser")));
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users", access, NULL, NULL), 403);
	free(access);
}
END_TEST

START_TEST(login_failures_same_message)
{
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/login", NULL,
	    "{\"email\":\"" AMINA "\",\"password\":\"wrong-password\"}", &env), 401);
	ck_assert_str_eq(ut_str(env, "message"), "Invalid credentials");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/login", NULL,
	    "{\"email\":\"nobody@example.dz\",\"password\":\"wrong-password\"}", &env), 401);
	ck_assert_str_eq(ut_str(env, "message"), "Invalid credentials");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/login", NULL, "{\"email\":\"x\"}", NULL), 422);
}
END_TEST

/* POST /auth/login from a given client address; returns the status. */
static int
login_from(const char *addr, const char *email, const char *password)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	char body[256];
	int status;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	req.method = "POST";
	req.path = "/api/v1/auth/login";
	req.remote_addr = addr;
	req.content_type = "application/json";
	req.body = body;
	req.body_len = strlen(body);
	med_handle(&ctx, &req, &resp);
	status = resp.status;
	med_resp_free(&resp);
	med_req_free(&req);
	return status;
}

/* Many accounts tried from one address: the address is throttled too. */
START_TEST(login_throttled_per_address)
{
	char email[64];
	int i;

	ctx.cfg.login_max_failures = 2;   /* so 8 failures per address */
	for (i = 0; i < 8; i++) {
		snprintf(email, sizeof email, "nobody%d@example.dz", i);
		ck_assert_int_eq(login_from("192.0.2.7", email, "wrong-password"), 401);
	}
	/* A real account with its right password, from that address: refused. */
	ck_assert_int_eq(login_from("192.0.2.7", AMINA, PW), 429);
	/* The same account from elsewhere is fine (its own counter is clean). */
	ck_assert_int_eq(login_from("198.51.100.4", AMINA, PW), 200);
	ctx.fixed_now += ctx.cfg.login_window_seconds + 1;
	ck_assert_int_eq(login_from("192.0.2.7", AMINA, PW), 200);
}
END_TEST

START_TEST(login_throttled)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	char *access;
	int i;

	ctx.cfg.login_max_failures = 3;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(auth_post("login", AMINA, "wrong-password", NULL, NULL), 401);
	req.method = "POST";
	req.path = "/api/v1/auth/login";
	req.content_type = "application/json";
	req.body = "{\"email\":\"" AMINA "\",\"password\":\"" PW "\"}";
	req.body_len = strlen(req.body);
	med_handle(&ctx, &req, &resp);
	/* Locked: even the right password fails, with Retry-After. */
	ck_assert_int_eq(resp.status, 429);
	ck_assert_int_gt(resp.retry_after, 0);
	ck_assert_int_le(resp.retry_after, ctx.cfg.login_window_seconds);
	med_resp_free(&resp);
	med_req_free(&req);
	/* Another account from another address is not affected. */
	ck_assert_int_eq(auth_post("login", ADMIN, PW, NULL, NULL), 200);
	/* After the window the right password works and clears the counter. */
	ctx.fixed_now += ctx.cfg.login_window_seconds + 1;
	ck_assert_int_eq(auth_post("login", AMINA, PW, &access, NULL), 200);
	free(access);
	ck_assert_int_eq(auth_post("login", AMINA, "wrong-password", NULL, NULL), 401);
	ck_assert_int_eq(auth_post("login", AMINA, PW, NULL, NULL), 200);
}
END_TEST

/*
 * Per account across addresses there is no lock-out: guesses from
 * elsewhere only slow down (a delay doubling with each failure), and the
 * owner, from an address the account logged in from before, is never
 * held up by them.
 */
START_TEST(login_no_lockout_from_known_address)
{
	const char *home = "203.0.113.10", *office = "203.0.113.11";
	char addr[32];
	int i;

	ctx.cfg.login_max_failures = 3;
	ck_assert_int_eq(login_from(home, AMINA, PW), 200);
	/* Three guesses from three addresses, each under its own pair limit. */
	for (i = 0; i < 3; i++) {
		if (i > 0)
			ctx.fixed_now += 10;
		snprintf(addr, sizeof addr, "198.51.100.%d", i + 1);
		ck_assert_int_eq(login_from(addr, AMINA, "wrong-password"), 401);
	}
	/* Now the account is past its limit: an unknown address waits 1 s... */
	ck_assert_int_eq(login_from("198.51.100.50", AMINA, "wrong-password"), 429);
	ctx.fixed_now += 1;
	ck_assert_int_eq(login_from("198.51.100.50", AMINA, "wrong-password"), 401);
	/* ...then 2 s, then 4 s: the delay doubles. */
	ctx.fixed_now += 1;
	ck_assert_int_eq(login_from("198.51.100.51", AMINA, "wrong-password"), 429);
	ctx.fixed_now += 1;
	ck_assert_int_eq(login_from("198.51.100.51", AMINA, "wrong-password"), 401);
	ctx.fixed_now += 3;
	ck_assert_int_eq(login_from("198.51.100.52", AMINA, PW), 429);
	/* The owner at home logs in at once, which clears the account's count. */
	ck_assert_int_eq(login_from(home, AMINA, PW), 200);
	ck_assert_int_eq(login_from(office, AMINA, PW), 200);
}
END_TEST

/* medadm user unlock (throttle_unlock) forgets the account's failures. */
START_TEST(login_unlock)
{
	int i;

	ctx.cfg.login_max_failures = 2;
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(login_from("192.0.2.9", AMINA, "wrong-password"), 401);
	ck_assert_int_eq(login_from("192.0.2.9", AMINA, PW), 429);
	ck_assert_int_eq(throttle_unlock(&ctx, "Amina.Benali@example.dz"), MED_OK);
	ck_assert_int_eq(login_from("192.0.2.9", AMINA, PW), 200);
}
END_TEST

START_TEST(refresh_rotation_and_reuse)
{
	char *access, *refresh, *access2, *refresh2, *access3, *refresh3, *other_access;

	ck_assert_int_eq(auth_post("login", AMINA, PW, &access, &refresh), 200);
	ck_assert_int_eq(auth_post("login", AMINA, PW, &other_access, NULL), 200);
	ck_assert_int_eq(refresh_call(refresh, &access2, &refresh2), 200);
	ck_assert_str_ne(refresh, refresh2);
	ck_assert_int_eq(me_status(access2), 200);
	/* An access token is never a refresh token, and the reverse. */
	ck_assert_int_eq(refresh_call(access2, NULL, NULL), 401);
	ck_assert_int_eq(me_status(refresh2), 401);
	/* Rotation: the new one works once. */
	ck_assert_int_eq(refresh_call(refresh2, &access3, &refresh3), 200);
	/* Reuse of an already rotated token ends every session of the user (Rule). */
	ck_assert_int_eq(refresh_call(refresh, NULL, NULL), 401);
	ck_assert_int_eq(me_status(access3), 401);
	ck_assert_int_eq(me_status(other_access), 401);
	ck_assert_int_eq(refresh_call(refresh3, NULL, NULL), 401);
	free(access);
	free(refresh);
	free(access2);
	free(refresh2);
	free(access3);
	free(refresh3);
	free(other_access);
}
END_TEST

START_TEST(tokens_expire)
{
	char *access, *refresh;

	ck_assert_int_eq(auth_post("login", AMINA, PW, &access, &refresh), 200);
	ctx.fixed_now += 30 * 60 - 1;
	ck_assert_int_eq(me_status(access), 200);
	ctx.fixed_now += 1;
	ck_assert_int_eq(me_status(access), 401);
	ctx.fixed_now += 7 * 86400;
	ck_assert_int_eq(refresh_call(refresh, NULL, NULL), 401);
	free(access);
	free(refresh);
}
END_TEST

START_TEST(logout_ends_this_session_only)
{
	char *a1, *r1, *a2, *r2, header[2048];
	struct med_req req = { 0 };
	struct med_resp resp;
	cJSON *env;

	ck_assert_int_eq(auth_post("login", AMINA, PW, &a1, &r1), 200);
	ck_assert_int_eq(auth_post("login", AMINA, PW, &a2, &r2), 200);
	snprintf(header, sizeof header, "Bearer %s", a1);
	req.method = "POST";
	req.path = "/api/v1/auth/logout";
	req.authorization = header;
	req.refresh_header = r1;
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 200);
	env = cJSON_Parse(resp.body);
	ck_assert_str_eq(ut_str(ut_data(env), "message"), "Successfully logged out");
	cJSON_Delete(env);
	med_resp_free(&resp);
	med_req_free(&req);
	ck_assert_int_eq(me_status(a1), 401);
	ck_assert_int_eq(refresh_call(r1, NULL, NULL), 401);
	/* Rule: the other session lives on. */
	ck_assert_int_eq(me_status(a2), 200);
	ck_assert_int_eq(refresh_call(r2, NULL, NULL), 200);
	/* Idempotent, with or without (or with garbage) tokens. */
	med_handle(&ctx, &req, &resp);
	ck_assert_int_eq(resp.status, 200);
	med_resp_free(&resp);
	med_req_free(&req);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/logout", NULL, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/logout", "garbage", NULL, NULL), 200);
	free(a1);
	free(r1);
	free(a2);
	free(r2);
}
END_TEST

static int
reset_call(const char *token, const char *password)
{
	char body[2048];
	cJSON *env;
	int status;

	snprintf(body, sizeof body, "{\"reset_token\":\"%s\",\"new_password\":\"%s\"}", token, password);
	status = test_call(&ctx, "POST", "/api/v1/auth/reset", NULL, body, &env);
	if (status == 400)
		ck_assert_str_eq(ut_str(env, "message"), "Invalid or expired reset token");
	cJSON_Delete(env);
	return status;
}

START_TEST(password_reset)
{
	char token[JWT_MAX], token2[JWT_MAX], *access, *access_new, *text;
	cJSON *env;

	ck_assert_int_eq(auth_post("login", AMINA, PW, &access, NULL), 200);
	/* forgot answers the same for known and unknown addresses, and never returns a token. */
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/forgot", NULL,
	    "{\"email\":\"" AMINA "\"}", &env), 200);
	text = cJSON_PrintUnformatted(env);
	ck_assert_ptr_null(strstr(text, "eyJ"));
	free(text);
	ck_assert_str_eq(ut_str(ut_data(env), "message"),
	    "If the email exists in our system, you will receive password reset instructions");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/forgot", NULL,
	    "{\"email\":\"nobody@example.dz\"}", NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/forgot", NULL, "{}", NULL), 422);

	ck_assert_int_eq(auth_issue_reset_token(&ctx, AMINA, token, sizeof token), MED_OK);
	ck_assert_int_eq(auth_issue_reset_token(&ctx, AMINA, token2, sizeof token2), MED_OK);
	/* A reset token is not an access token. */
	ck_assert_int_eq(me_status(token), 401);
	ck_assert_int_eq(reset_call(token, "short"), 422);
	ck_assert_int_eq(reset_call("not-a-token", "NewPassword1"), 400);
	ck_assert_int_eq(reset_call(token, "NewPassword1"), 200);
	/* Single use; and the reset ended every session, other reset tokens included. */
	ck_assert_int_eq(reset_call(token, "NewPassword2"), 400);
	ck_assert_int_eq(reset_call(token2, "NewPassword2"), 400);
	ck_assert_int_eq(me_status(access), 401);
	ck_assert_int_eq(auth_post("login", AMINA, PW, NULL, NULL), 401);
	ck_assert_int_eq(auth_post("login", AMINA, "NewPassword1", &access_new, NULL), 200);
	free(access_new);
	free(access);
}
END_TEST

START_TEST(reset_token_expires)
{
	char token[JWT_MAX];

	ck_assert_int_eq(auth_issue_reset_token(&ctx, AMINA, token, sizeof token), MED_OK);
	ctx.fixed_now += 15 * 60;
	ck_assert_int_eq(reset_call(token, "NewPassword1"), 400);
}
END_TEST

static char *
admin_token(void)
{
	char *t = test_login(&ctx, ADMIN, PW);
	ck_assert_ptr_nonnull(t);
	return t;
}

static char *
user_id_of(const char *token)
{
	cJSON *env;
	char *id;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/me", token, NULL, &env), 200);
	id = strdup(ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	return id;
}

START_TEST(inactive_user)
{
	char *admin = admin_token(), *amina = test_login(&ctx, AMINA, PW), *id, path[128];
	cJSON *env;

	id = user_id_of(amina);
	snprintf(path, sizeof path, "/api/v1/users/%s", id);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"is_active\":false}", &env), 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(ut_data(env), "is_active")));
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/me", amina, NULL, &env), 403);
	ck_assert_str_eq(ut_str(env, "message"), "Inactive user");
	cJSON_Delete(env);
	/* Rule: an inactive user cannot log in. */
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/login", NULL,
	    "{\"email\":\"" AMINA "\",\"password\":\"" PW "\"}", &env), 403);
	ck_assert_str_eq(ut_str(env, "message"), "Inactive user");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"is_active\":true}", NULL), 200);
	/* Deactivation ended the session: the old token stays dead. */
	ck_assert_int_eq(me_status(amina), 401);
	free(amina);
	amina = test_login(&ctx, AMINA, PW);
	ck_assert_int_eq(me_status(amina), 200);
	free(admin);
	free(amina);
	free(id);
}
END_TEST

START_TEST(patch_me_rules)
{
	char *amina = test_login(&ctx, AMINA, PW), *again;
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"role\":\"ADMIN\"}", &env), 403);
	ck_assert_str_eq(ut_str(env, "message"), "You cannot change your role");
	cJSON_Delete(env);
	/* Rule: no self-made superusers, no self-reactivation. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"is_superuser\":true}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"is_active\":true}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"email\":\"ADMIN@example.dz\"}", NULL), 409);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"email\":\"not an email\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"email\":\"amina.new@example.dz\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "email"), "amina.new@example.dz");
	cJSON_Delete(env);
	/* Rule: a password change ends every session, this one included. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/me", amina,
	    "{\"password\":\"Another-pass1\"}", NULL), 200);
	ck_assert_int_eq(me_status(amina), 401);
	again = test_login(&ctx, "amina.new@example.dz", "Another-pass1");
	ck_assert_ptr_nonnull(again);
	free(again);
	free(amina);
}
END_TEST

START_TEST(admin_users)
{
	char *admin = admin_token(), *amina = test_login(&ctx, AMINA, PW), *id, path[128];
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users", admin, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 11);
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users/?skip=2&limit=3", admin, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 3);
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users?limit=abc", admin, NULL, NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users", amina, NULL, &env), 403);
	ck_assert_str_eq(ut_str(env, "message"), "Insufficient role permissions");
	cJSON_Delete(env);

	id = user_id_of(amina);
	snprintf(path, sizeof path, "/api/v1/users/%s", id);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, amina, "{\"role\":\"ADMIN\"}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"role\":\"WIZARD\"}", &env), 400);
	ck_assert_str_eq(ut_str(env, "message"), "Invalid role");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"role\":\"STAFF\"}", &env), 200);
	ck_assert_str_eq(ut_str(cJSON_GetObjectItem(ut_data(env), "role"), "name"), "STAFF");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"email\":\"admin@example.dz\"}", NULL), 409);
	ck_assert_int_eq(test_call(&ctx, "PATCH",
	    "/api/v1/users/00000000-0000-4000-8000-000000000000", admin, "{}", NULL), 404);
	ck_assert_int_eq(test_call(&ctx, "PATCH", "/api/v1/users/not-a-uuid", admin, "{}", &env), 422);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(ut_data(env), "detail"), 0), "loc"), 0)->valuestring, "path");
	cJSON_Delete(env);
	/* A superuser passes every role check, whatever its role. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, admin, "{\"is_superuser\":true}", NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/users", amina, NULL, NULL), 200);
	free(admin);
	free(amina);
	free(id);
}
END_TEST

START_TEST(forged_tokens)
{
	struct jwt_claims c = { 0 };
	char token[JWT_MAX], *amina = test_login(&ctx, AMINA, PW), *id;
	unsigned char wrong_key[MED_KEY_LEN] = { 1 };

	id = user_id_of(amina);
	snprintf(c.sub, sizeof c.sub, "%s", id);
	snprintf(c.jti, sizeof c.jti, "0123456789abcdef0123456789abcdef");
	c.iat = ctx.fixed_now;
	c.exp = ctx.fixed_now + 600;
	c.type = JWT_ACCESS;
	/* Right key: accepted (the control case). */
	ck_assert_int_eq(jwt_sign(ctx.access_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	ck_assert_int_eq(me_status(token), 200);
	/* Signed with the refresh key, or any other key: refused. */
	ck_assert_int_eq(jwt_sign(ctx.refresh_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	ck_assert_int_eq(me_status(token), 401);
	ck_assert_int_eq(jwt_sign(wrong_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	ck_assert_int_eq(me_status(token), 401);
	/* Stale token_version: refused. */
	c.ver = 7;
	ck_assert_int_eq(jwt_sign(ctx.access_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	ck_assert_int_eq(me_status(token), 401);
	/* Unknown user. */
	c.ver = 0;
	snprintf(c.sub, sizeof c.sub, "00000000-0000-4000-8000-000000000000");
	ck_assert_int_eq(jwt_sign(ctx.access_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	ck_assert_int_eq(me_status(token), 401);
	free(amina);
	free(id);
}
END_TEST

/*
 * One auth call as the browser app makes it: X-Client: web, the given
 * Cookie header; returns the status, the Set-Cookie value in set_cookie
 * and the envelope in *env (caller frees).
 */
static int
web_call(const char *route, const char *body, const char *cookie, char *set_cookie,
    size_t size, cJSON **env)
{
	char path[64];
	struct med_req req = { 0 };
	struct med_resp resp;
	int status;

	snprintf(path, sizeof path, "/api/v1/auth/%s", route);
	req.method = "POST";
	req.path = path;
	req.client = "web";
	req.cookie = cookie;
	req.content_type = "application/json";
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	med_handle(&ctx, &req, &resp);
	status = resp.status;
	snprintf(set_cookie, size, "%s", resp.set_cookie);
	*env = resp.body != NULL ? cJSON_Parse(resp.body) : NULL;
	med_resp_free(&resp);
	med_req_free(&req);
	return status;
}

/* "med_refresh=TOKEN; ..." -> "med_refresh=TOKEN" in out. */
static void
cookie_pair(const char *set_cookie, char *out, size_t size)
{
	size_t n = strcspn(set_cookie, ";");

	ck_assert_uint_lt(n, size);
	memcpy(out, set_cookie, n);
	out[n] = '\0';
}

START_TEST(web_refresh_cookie)
{
	char sc[1400], cookie[1400], old[1400], body[256];
	cJSON *env;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", AMINA, PW);
	ck_assert_int_eq(web_call("login", body, NULL, sc, sizeof sc, &env), 200);
	/* The refresh token is in the cookie only, never readable by the page. */
	ck_assert_ptr_nonnull(ut_str(ut_data(env), "access_token"));
	ck_assert_ptr_null(cJSON_GetObjectItem(ut_data(env), "refresh_token"));
	cJSON_Delete(env);
	ck_assert_int_eq(strncmp(sc, "med_refresh=ey", 14), 0);
	ck_assert_ptr_nonnull(strstr(sc, "; Path=/api/v1/auth; HttpOnly; Secure; SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(sc, "Max-Age=604800"));
	cookie_pair(sc, cookie, sizeof cookie);

	/* Refresh reads the cookie when the body has no token, and rotates it. */
	ck_assert_int_eq(web_call("refresh", "{}", cookie, sc, sizeof sc, &env), 200);
	ck_assert_ptr_nonnull(ut_str(ut_data(env), "access_token"));
	ck_assert_ptr_null(cJSON_GetObjectItem(ut_data(env), "refresh_token"));
	cJSON_Delete(env);
	snprintf(old, sizeof old, "%s", cookie);
	cookie_pair(sc, cookie, sizeof cookie);
	ck_assert_str_ne(old, cookie);
	/* Among other cookies, in any place. */
	{
		char many[1500];

		snprintf(many, sizeof many, "theme=dark; %s; lang=ar", cookie);
		ck_assert_int_eq(web_call("refresh", "{}", many, sc, sizeof sc, &env), 200);
		cJSON_Delete(env);
		cookie_pair(sc, cookie, sizeof cookie);
	}

	/* Without X-Client: web the cookie is not read: a JSON client, or a
	 * forged cross-site request, gets the old 422. */
	ck_assert_int_eq(test_call(&ctx, "POST", "/api/v1/auth/refresh", NULL, "{}", NULL), 422);
	ck_assert_int_eq(web_call("refresh", "{}", NULL, sc, sizeof sc, &env), 422);
	ck_assert_str_eq(sc, "");
	cJSON_Delete(env);

	/* Logout revokes the cookie's token and clears the cookie. */
	ck_assert_int_eq(web_call("logout", NULL, cookie, sc, sizeof sc, &env), 200);
	cJSON_Delete(env);
	ck_assert_str_eq(sc, "med_refresh=; Max-Age=0; Path=/api/v1/auth; HttpOnly; Secure; SameSite=Strict");
	ck_assert_int_eq(web_call("refresh", "{}", cookie, sc, sizeof sc, &env), 401);
	cJSON_Delete(env);
}
END_TEST

START_TEST(web_register_and_json_clients_unchanged)
{
	char sc[1400], *access, *refresh;
	cJSON *env;

	ck_assert_int_eq(web_call("register",
	    "{\"email\":\"web.new@example.dz\",\"password\":\"longenough1\"}", NULL, sc, sizeof sc,
	    &env), 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(ut_data(env), "refresh_token"));
	ck_assert_int_eq(strncmp(sc, "med_refresh=ey", 14), 0);
	cJSON_Delete(env);
	/* A JSON client still gets both tokens in the body and no cookie. */
	ck_assert_int_eq(auth_post("login", AMINA, PW, &access, &refresh), 200);
	ck_assert_ptr_nonnull(refresh);
	ck_assert_int_eq(refresh_call(refresh, NULL, NULL), 200);
	free(access);
	free(refresh);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("tokens");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, register_login_me);
	tcase_add_test(tc, register_ignores_role);
	tcase_add_test(tc, login_failures_same_message);
	tcase_add_test(tc, login_throttled);
	tcase_add_test(tc, login_throttled_per_address);
	tcase_add_test(tc, login_no_lockout_from_known_address);
	tcase_add_test(tc, login_unlock);
	tcase_add_test(tc, refresh_rotation_and_reuse);
	tcase_add_test(tc, tokens_expire);
	tcase_add_test(tc, logout_ends_this_session_only);
	tcase_add_test(tc, web_refresh_cookie);
	tcase_add_test(tc, web_register_and_json_clients_unchanged);
	tcase_add_test(tc, password_reset);
	tcase_add_test(tc, reset_token_expires);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inactive_user);
	tcase_add_test(tc, patch_me_rules);
	tcase_add_test(tc, admin_users);
	tcase_add_test(tc, forged_tokens);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(auth_suite)
