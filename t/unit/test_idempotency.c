/*
 * test_idempotency.c - Idempotency-Key on authenticated POSTs that write.
 *
 * Each case counts the rows of the table the route writes, so a replay
 * that wrote twice, or a refusal that wrote at all, is seen.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "route.h"
#include "testctx.h"
#include "testreg.h"

static struct med_ctx ctx;
static char *admin, *staff;
static char patient_id[MED_UUID_LEN + 1];

/* One POST with an optional key; the answer's status, body and replay flag. */
static int
post(const char *token, const char *path, const char *body, const char *key, char **out_body,
    int *replayed)
{
	struct med_req req = { 0 };
	struct med_resp resp;
	char auth[2048];
	int status;

	snprintf(auth, sizeof auth, "Bearer %s", token);
	req.method = "POST";
	req.path = path;
	req.authorization = auth;
	req.remote_addr = "127.0.0.1";
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/json";
	req.idempotency_key = key;
	med_handle(&ctx, &req, &resp);
	status = resp.status;
	if (out_body != NULL)
		*out_body = resp.body != NULL ? strdup(resp.body) : NULL;
	if (replayed != NULL)
		*replayed = resp.replayed;
	med_resp_free(&resp);
	med_req_free(&req);
	return status;
}

static int
count_bills(void)
{
	sqlite3_stmt *st = db_stmt(&ctx, "SELECT count(*) FROM billings");
	int n;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static void
setup(void)
{
	sqlite3_stmt *st;

	test_ctx_open(&ctx, 1);
	admin = test_login(&ctx, "admin@example.dz", "Algeria123!");
	staff = test_login(&ctx, "reception@example.dz", "Algeria123!");
	ck_assert_ptr_nonnull(admin);
	ck_assert_ptr_nonnull(staff);
	st = db_stmt(&ctx, "SELECT id FROM patients ORDER BY id LIMIT 1");
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	db_col_copy(st, 0, patient_id, sizeof patient_id);
	sqlite3_reset(st);
}

static void
teardown(void)
{
	free(admin);
	free(staff);
	test_ctx_close(&ctx);
}

/* Access tokens live 30 minutes: a test that moves the clock logs in again. */
static void
relogin_admin(void)
{
	free(admin);
	admin = test_login(&ctx, "admin@example.dz", "Algeria123!");
	ck_assert_ptr_nonnull(admin);
}

static void
bill_body(char *buf, size_t size, const char *amount)
{
	snprintf(buf, size, "{\"patient_id\":\"%s\",\"amount\":%s}", patient_id, amount);
}

START_TEST(retry_replays_without_second_write)
{
	char body[256], *first, *again;
	int n = count_bills(), replayed;

	bill_body(body, sizeof body, "10.50");
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "bill-1", &first, &replayed), 201);
	ck_assert_int_eq(replayed, 0);
	ck_assert_int_eq(count_bills(), n + 1);
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "bill-1", &again, &replayed), 201);
	ck_assert_int_eq(replayed, 1);
	ck_assert_str_eq(again, first);
	ck_assert_int_eq(count_bills(), n + 1);
	free(first);
	free(again);
	/* Without a key, the same request is a new bill. */
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, NULL, NULL, NULL), 201);
	ck_assert_int_eq(count_bills(), n + 2);
}
END_TEST

START_TEST(same_key_other_request_is_422)
{
	char body[256], other[256], *answer;
	int n = count_bills();

	bill_body(body, sizeof body, "10.50");
	bill_body(other, sizeof other, "11.00");
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "bill-2", NULL, NULL), 201);
	ck_assert_int_eq(post(admin, "/api/v1/billing", other, "bill-2", &answer, NULL), 422);
	ck_assert_ptr_nonnull(strstr(answer, "Idempotency-Key"));
	free(answer);
	ck_assert_int_eq(count_bills(), n + 1);
}
END_TEST

START_TEST(keys_are_per_user_and_expire)
{
	char body[256];
	int n = count_bills(), replayed;

	bill_body(body, sizeof body, "3.00");
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "shared", NULL, NULL), 201);
	ck_assert_int_eq(post(staff, "/api/v1/billing", body, "shared", NULL, &replayed), 201);
	ck_assert_int_eq(replayed, 0);
	ck_assert_int_eq(count_bills(), n + 2);
	/* Within 24 hours the key replays; after them it is a new request. */
	ctx.fixed_now += 86400 - 1;
	relogin_admin();
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "shared", NULL, &replayed), 201);
	ck_assert_int_eq(replayed, 1);
	ck_assert_int_eq(count_bills(), n + 2);
	ctx.fixed_now += 2;
	relogin_admin();
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "shared", NULL, &replayed), 201);
	ck_assert_int_eq(replayed, 0);
	ck_assert_int_eq(count_bills(), n + 3);
}
END_TEST

START_TEST(malformed_keys_and_refusals_store_nothing)
{
	char body[256], bad[256], key[300];
	int n = count_bills(), replayed;

	bill_body(body, sizeof body, "5.00");
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "", NULL, NULL), 422);
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, "has space", NULL, NULL), 422);
	memset(key, 'k', 256);
	key[256] = '\0';
	ck_assert_int_eq(post(admin, "/api/v1/billing", body, key, NULL, NULL), 422);
	ck_assert_int_eq(count_bills(), n);
	/* A refused write stores no answer: its retry runs again. */
	snprintf(bad, sizeof bad, "{\"patient_id\":\"00000000-0000-4000-8000-000000000000\","
	    "\"amount\":5}");
	ck_assert_int_eq(post(admin, "/api/v1/billing", bad, "retry-me", NULL, NULL), 404);
	ck_assert_int_eq(post(admin, "/api/v1/billing", bad, "retry-me", NULL, &replayed), 404);
	ck_assert_int_eq(replayed, 0);
	ck_assert_int_eq(count_bills(), n);
}
END_TEST

static Suite *
idempotency_suite(void)
{
	Suite *s = suite_create("idempotency");
	TCase *tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, retry_replays_without_second_write);
	tcase_add_test(tc, same_key_other_request_is_422);
	tcase_add_test(tc, keys_are_per_user_and_expire);
	tcase_add_test(tc, malformed_keys_and_refusals_store_nothing);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(idempotency_suite)
