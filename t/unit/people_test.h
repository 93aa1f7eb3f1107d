/*
 * people_test.h - fixtures shared by the patients, doctors and slots unit
 * suites: the seeded cast, fresh accounts with a chosen role, and small
 * readers of the envelope.  Static inline so a suite may use a subset.
 */
#ifndef PEOPLE_TEST_H
#define PEOPLE_TEST_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testctx.h"

#define PW "Algeria123!"
#define EM_ADMIN "admin@example.dz"
#define EM_STAFF "reception@example.dz"
#define EM_AMINA "amina.benali@example.dz"
#define EM_SOFIANE "sofiane.rahmani@example.dz"
#define EM_SARA "sara.bouzid@example.dz"
#define EM_SAMIR "samir.bensalah@example.dz"
#define EM_NADIA "nadia.khellaf@example.dz"

#define PAT_AMINA "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define PAT_SOFIANE "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002"
#define PAT_SARA "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003"
#define DOC_SAMIR "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define DOC_NADIA "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002"
#define USR_AMINA "1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001"
#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

static inline cJSON *
pt_data(cJSON *env)
{
	return cJSON_GetObjectItem(env, "data");
}

static inline const char *
pt_str(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline double
pt_num(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(obj, name);
	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
	return v->valuedouble;
}

static inline int
pt_is_null(cJSON *obj, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItem(obj, name));
}

static inline char *
pt_token(struct med_ctx *ctx, const char *email)
{
	char *t = test_login(ctx, email, PW);
	ck_assert_msg(t != NULL, "login failed for %s", email);
	return t;
}

/* Status of a call whose body we do not need. */
static inline int
pt_status(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body)
{
	return test_call(ctx, method, path, token, body, NULL);
}

/* The message of an error answer (copied into buf). */
static inline int
pt_call_msg(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body, char *buf, size_t size)
{
	cJSON *env = NULL;
	int status = test_call(ctx, method, path, token, body, &env);
	const char *m = pt_str(env, "message");

	snprintf(buf, size, "%s", m != NULL ? m : "");
	cJSON_Delete(env);
	return status;
}

/*
 * Register email, give it role (NULL: stay PATIENT) through the admin API
 * and return its access token; its user id into id.
 */
static inline char *
pt_new_user(struct med_ctx *ctx, const char *email, const char *role, char id[37])
{
	char body[256], path[128];
	cJSON *env = NULL;
	char *token, *admin;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(test_call(ctx, "POST", "/api/v1/auth/register", NULL, body, NULL), 200);
	token = pt_token(ctx, email);
	ck_assert_int_eq(test_call(ctx, "GET", "/api/v1/users/me", token, NULL, &env), 200);
	snprintf(id, 37, "%s", pt_str(pt_data(env), "id"));
	cJSON_Delete(env);
	if (role != NULL) {
		admin = pt_token(ctx, EM_ADMIN);
		snprintf(path, sizeof path, "/api/v1/users/%s", id);
		snprintf(body, sizeof body, "{\"role\":\"%s\"}", role);
		ck_assert_int_eq(test_call(ctx, "PATCH", path, admin, body, NULL), 200);
		free(admin);
	}
	return token;
}

/* Create the caller's own profile (patients/me or doctors/me/profile); id out. */
static inline void
pt_own_profile(struct med_ctx *ctx, const char *path, const char *token, const char *body,
    char id[37])
{
	cJSON *env = NULL;

	ck_assert_int_eq(test_call(ctx, "POST", path, token, body, &env), 201);
	snprintf(id, 37, "%s", pt_str(pt_data(env), "id"));
	cJSON_Delete(env);
}

/* Test set-up SQL (never request data). */
static inline __attribute__((format(printf, 2, 3))) void
pt_exec(struct med_ctx *ctx, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	ck_assert_msg(db_exec(ctx, sql) == MED_OK, "SQL failed: %s", sql);
}

/* The integer result of a one-row query. */
static inline __attribute__((format(printf, 2, 3))) long long
pt_count(struct med_ctx *ctx, const char *fmt, ...)
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

/* Insert an appointment directly (status as given), for relationship tests. */
static inline void
pt_appt(struct med_ctx *ctx, const char *id, const char *doctor, const char *patient,
    long long start, long long end, const char *status)
{
	pt_exec(ctx, "INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time,"
	    " status, created_at, updated_at) VALUES ('%s', '%s', '%s', %lld, %lld, '%s', 0, 0)",
	    id, doctor, patient, start, end, status);
}

#endif
