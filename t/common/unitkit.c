/* unitkit.c - see unitkit.h. */
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#include "unitkit.h"
#include "util.h"
#include "jwt.h"
#include "proc.h"

cJSON *
ut_data(const cJSON *env)
{
	return cJSON_GetObjectItem(env, "data");
}

const char *
ut_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
ut_num(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(obj, name);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
	return v->valuedouble;
}

int
ut_is_null(const cJSON *obj, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItem(obj, name));
}

char *
ut_login(struct med_ctx *ctx, const char *email)
{
	char *t = test_login(ctx, email, PW);

	ck_assert_msg(t != NULL, "login failed for %s", email);
	return t;
}

int
ut_status(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body)
{
	return test_call(ctx, method, path, token, body, NULL);
}

int
ut_call_msg(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body, char *buf, size_t size)
{
	cJSON *env = NULL;
	int status = test_call(ctx, method, path, token, body, &env);
	const char *m = ut_str(env, "message");

	snprintf(buf, size, "%s", m != NULL ? m : "");
	cJSON_Delete(env);
	return status;
}

int
ut_call_expect(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body, const char *want_message)
{
	cJSON *env = NULL;
	int status = test_call(ctx, method, path, token, body, &env);

	if (want_message != NULL) {
		ck_assert_msg(ut_str(env, "message") != NULL, "%s %s: no message", method, path);
		ck_assert_str_eq(ut_str(env, "message"), want_message);
	}
	cJSON_Delete(env);
	return status;
}

char *
ut_create_id(struct med_ctx *ctx, const char *path, const char *token, const char *body)
{
	cJSON *env = NULL;
	char *id;

	ck_assert_int_eq(test_call(ctx, "POST", path, token, body, &env), 201);
	ck_assert_ptr_nonnull(ut_str(ut_data(env), "id"));
	id = strdup(ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	return id;
}

int
ut_list_len(struct med_ctx *ctx, const char *path, const char *token)
{
	cJSON *env = NULL;
	int n;

	ck_assert_int_eq(test_call(ctx, "GET", path, token, NULL, &env), 200);
	ck_assert(cJSON_IsArray(ut_data(env)));
	n = cJSON_GetArraySize(ut_data(env));
	cJSON_Delete(env);
	return n;
}

char *
ut_new_user(struct med_ctx *ctx, const char *email, const char *role, char id[37])
{
	char body[256], path[128];
	cJSON *env = NULL;
	char *token, *admin;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(test_call(ctx, "POST", "/api/v1/auth/register", NULL, body, NULL), 200);
	token = ut_login(ctx, email);
	ck_assert_int_eq(test_call(ctx, "GET", "/api/v1/users/me", token, NULL, &env), 200);
	snprintf(id, 37, "%s", ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	if (role != NULL) {
		admin = ut_login(ctx, EM_ADMIN);
		snprintf(path, sizeof path, "/api/v1/users/%s", id);
		snprintf(body, sizeof body, "{\"role\":\"%s\"}", role);
		ck_assert_int_eq(test_call(ctx, "PATCH", path, admin, body, NULL), 200);
		free(admin);
	}
	return token;
}

void
ut_own_profile(struct med_ctx *ctx, const char *path, const char *token, const char *body,
    char id[37])
{
	cJSON *env = NULL;

	ck_assert_int_eq(test_call(ctx, "POST", path, token, body, &env), 201);
	snprintf(id, 37, "%s", ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
}

void
ut_exec(struct med_ctx *ctx, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	ck_assert_msg(db_exec(ctx, sql) == MED_OK, "SQL failed: %s", sql);
}

long long
ut_count(struct med_ctx *ctx, const char *fmt, ...)
{
	char sql[2048];
	sqlite3_stmt *st;
	long long n = -1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

void
ut_appt(struct med_ctx *ctx, const char *id, const char *doctor, const char *patient,
    long long start, long long end, const char *status)
{
	ut_exec(ctx, "INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time,"
	    " status, created_at, updated_at) VALUES ('%s', '%s', '%s', %lld, %lld, '%s', 0, 0)",
	    id, doctor, patient, start, end, status);
}

char *
ut_mint(struct med_ctx *ctx, const char *email)
{
	struct jwt_claims c = { 0 };
	char token[JWT_MAX];
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(ctx->db,
	    "SELECT id, token_version FROM users WHERE email = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(c.sub, sizeof c.sub, "%s", (const char *)sqlite3_column_text(st, 0));
	c.ver = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	ck_assert_int_eq(util_random_hex(c.jti, JWT_JTI_LEN / 2), MED_OK);
	c.iat = ctx->fixed_now;
	c.exp = ctx->fixed_now + 3600;
	c.type = JWT_ACCESS;
	ck_assert_int_eq(jwt_sign(ctx->access_key, MED_KEY_LEN, &c, token, sizeof token), MED_OK);
	return strdup(token);
}

cJSON *
ut_ical_check(const char *mode, const char *text)
{
	char path[] = "/tmp/ical-check-XXXXXX", out[16384], err[2048], op[64], ep[64];
	char *argv[] = { "/usr/bin/python3", "t/ical-check.py", (char *)mode, path, NULL };
	int fd = mkstemp(path), rc;
	cJSON *j;

	snprintf(op, sizeof op, "/tmp/ical-check.%d.out", (int)getpid());
	snprintf(ep, sizeof ep, "/tmp/ical-check.%d.err", (int)getpid());
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	rc = proc_run(argv, NULL, op, ep, out, sizeof out, err, sizeof err);
	unlink(path);
	ck_assert_msg(rc == 0, "t/ical-check.py rejects:\n%s\n%s", err, text);
	ck_assert_ptr_nonnull(j = cJSON_Parse(out));
	return j;
}
