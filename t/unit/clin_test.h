/*
 * clin_test.h - fixtures shared by the clinical unit suites (records,
 * billing, audit): the seeded cast, a token per identity, and small
 * readers of the envelope.  Static inline so a suite may use a subset.
 *
 * The cast, from seed.sql: patient A = Amina (P1), patient B = Sofiane
 * (P2); doctor X = Samir (D1), who has appointments with Amina; doctor Y =
 * Nadia (D2), who has none with Amina but one with Sofiane.
 */
#ifndef CLIN_TEST_H
#define CLIN_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testctx.h"

#define PW "Algeria123!"
#define E_ADMIN "admin@example.dz"
#define E_STAFF "reception@example.dz"
#define E_A "amina.benali@example.dz"
#define E_B "sofiane.rahmani@example.dz"
#define E_X "samir.bensalah@example.dz"
#define E_Y "nadia.khellaf@example.dz"

#define U_ADMIN "0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001"
#define U_A "1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001"
#define U_X "2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0001"
#define U_Y "2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0002"
#define P_A "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define P_B "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002"
#define D_X "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define D_Y "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002"
#define APPT_A_X "6b7f3e9d-8a02-4db4-9fc0-000000000005"
#define APPT_B_Y "6b7f3e9d-8a02-4db4-9fc0-000000000002"
#define REC_A "7c804fae-9b13-4ec5-a0d1-000000000001"
#define BILL_A "8d915abf-ac24-4fd6-b1e2-000000000001"
#define POLICY_A "9ea26bc0-bd35-4ae7-82f3-000000000001"
#define NOBODY "00000000-0000-4000-8000-000000000000"

struct cast {
	char *admin, *staff, *a, *b, *x, *y;
};

static inline char *
clin_login(struct med_ctx *ctx, const char *email)
{
	char *t = test_login(ctx, email, PW);

	ck_assert_msg(t != NULL, "login %s failed", email);
	return t;
}

static inline void
cast_open(struct med_ctx *ctx, struct cast *c)
{
	c->admin = clin_login(ctx, E_ADMIN);
	c->staff = clin_login(ctx, E_STAFF);
	c->a = clin_login(ctx, E_A);
	c->b = clin_login(ctx, E_B);
	c->x = clin_login(ctx, E_X);
	c->y = clin_login(ctx, E_Y);
}

static inline void
cast_close(struct cast *c)
{
	free(c->admin);
	free(c->staff);
	free(c->a);
	free(c->b);
	free(c->x);
	free(c->y);
}

static inline cJSON *
data_of(cJSON *env)
{
	return cJSON_GetObjectItem(env, "data");
}

static inline const char *
str_of(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline const char *
message_of(cJSON *env)
{
	return str_of(env, "message");
}

/* A call whose envelope we only need for its status and message. */
static inline int
call_msg(struct med_ctx *ctx, const char *method, const char *path, const char *token,
    const char *body, const char *want_message)
{
	cJSON *env = NULL;
	int status = test_call(ctx, method, path, token, body, &env);

	if (want_message != NULL) {
		ck_assert_msg(message_of(env) != NULL, "%s %s: no message", method, path);
		ck_assert_str_eq(message_of(env), want_message);
	}
	cJSON_Delete(env);
	return status;
}

/* POST expecting 201; returns the new id (malloc'd). */
static inline char *
create_id(struct med_ctx *ctx, const char *path, const char *token, const char *body)
{
	cJSON *env = NULL;
	char *id;

	ck_assert_int_eq(test_call(ctx, "POST", path, token, body, &env), 201);
	ck_assert_ptr_nonnull(str_of(data_of(env), "id"));
	id = strdup(str_of(data_of(env), "id"));
	cJSON_Delete(env);
	return id;
}

/* One integer from a SQL query with no parameters (test-only inspection). */
static inline long long
sql_count(struct med_ctx *ctx, const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	ck_assert_int_eq(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Size of the data array of a GET, asserting 200. */
static inline int
list_len(struct med_ctx *ctx, const char *path, const char *token)
{
	cJSON *env = NULL;
	int n;

	ck_assert_int_eq(test_call(ctx, "GET", path, token, NULL, &env), 200);
	ck_assert(cJSON_IsArray(data_of(env)));
	n = cJSON_GetArraySize(data_of(env));
	cJSON_Delete(env);
	return n;
}

#endif
