/*
 * test_records.c - /medical-records in-process (API.md §7): who may read,
 * write, change and delete a record, validation, and ordering.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clin_test.h"
#include "testreg.h"

#define R "/api/v1/medical-records"


static long long
records(void)
{
	return ut_count(&ctx, "SELECT count(*) FROM medical_records");
}

START_TEST(records_mine_lists)
{
	cJSON *env = NULL, *first;

	ck_assert_int_eq(test_call(&ctx, "GET", R "/me", c.a, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 1);
	first = cJSON_GetArrayItem(ut_data(env), 0);
	ck_assert_str_eq(ut_str(first, "id"), REC_A);
	ck_assert_str_eq(ut_str(first, "patient_id"), P_A);
	ck_assert_str_eq(ut_str(first, "doctor_id"), D_X);
	ck_assert_ptr_nonnull(ut_str(first, "diagnosis"));
	ck_assert_ptr_nonnull(ut_str(first, "recorded_at"));
	ck_assert_ptr_nonnull(ut_str(first, "updated_at"));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_list_len(&ctx, R "/me/", c.a), 1);
	ck_assert_int_eq(ut_list_len(&ctx, R "/me", c.b), 0);
	ck_assert_int_eq(ut_list_len(&ctx, R "/doctor/me", c.x), 1);
	ck_assert_int_eq(ut_list_len(&ctx, R "/doctor/me", c.y), 0);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/me", c.admin, NULL, "Patient profile not found"), 404);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/doctor/me", c.admin, NULL, "Doctor profile not found"), 404);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/me", c.staff, NULL, "Insufficient role permissions"), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/me", c.x, NULL, "Insufficient role permissions"), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/doctor/me", c.a, NULL, "Insufficient role permissions"), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/me", NULL, NULL, NULL), 401);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/me?limit=0", c.a, NULL, NULL), 422);
	ck_assert_int_eq(ut_list_len(&ctx, R "/me?skip=1", c.a), 0);
}
END_TEST

START_TEST(records_get_ownership)
{
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.a, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.x, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.admin, NULL, NULL), 200);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/" REC_A, c.b, NULL, "Forbidden"), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/" REC_A, c.y, NULL, "Forbidden"), 403);
	/* STAFF never sees medical records. */
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/" REC_A, c.staff, NULL,
	    "Insufficient role permissions"), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, NULL, NULL, NULL), 401);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/not-a-uuid", c.admin, NULL, NULL), 422);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", R "/" NOBODY, c.admin, NULL,
	    "Medical record not found"), 404);
	/* Uppercase ids are the same record. */
	ck_assert_int_eq(test_call(&ctx, "GET", R "/7C804FAE-9B13-4EC5-A0D1-000000000001", c.a,
	    NULL, NULL), 200);
}
END_TEST

START_TEST(records_create_doctor_rules)
{
	cJSON *env = NULL;
	long long before = records();

	/* Doctor X treats A: author is X whatever doctor_id says. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"doctor_id\":\"" D_Y "\",\"diagnosis\":\"Angine\","
	    "\"prescription\":\"Amoxicilline\",\"notes\":null}", &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "doctor_id"), D_X);
	ck_assert_str_eq(ut_str(ut_data(env), "patient_id"), P_A);
	ck_assert_str_eq(ut_str(ut_data(env), "diagnosis"), "Angine");
	ck_assert_str_eq(ut_str(ut_data(env), "prescription"), "Amoxicilline");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "notes")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "treatment_plan")));
	cJSON_Delete(env);
	ck_assert_int_eq(records(), before + 1);
	/* Rule: no appointment with the patient, no record (Y and A; X and B). */
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.y,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\"}", "Forbidden"), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_B "\",\"diagnosis\":\"x\"}", "Forbidden"), 403);
	/* Y treats B. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.y,
	    "{\"patient_id\":\"" P_B "\",\"diagnosis\":\"Eczéma\"}", NULL), 201);
	/* Patients and staff never write. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.a,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\"}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.staff,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\"}", NULL), 403);
	ck_assert_int_eq(records(), before + 2);
}
END_TEST

START_TEST(records_create_validation)
{
	char body[2048], big[1100];
	long long before = records();
	cJSON *env = NULL;

	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.x, "{\"diagnosis\":\"x\"}",
	    "patient_id is required"), 400);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.admin,
	    "{\"patient_id\":null,\"diagnosis\":\"x\"}", "patient_id is required"), 400);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, "{\"patient_id\":\"" P_A "\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":null}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":42}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"nope\",\"diagnosis\":\"x\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, "[1,2]", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, "{oops", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\",\"recorded_at\":\"2026-02-30T10:00:00Z\"}",
	    NULL), 422);
	/* diagnosis: 500 characters fine, 501 not; other texts: 1000. */
	memset(big, 'd', 501);
	big[501] = '\0';
	snprintf(body, sizeof body, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"%s\"}", big);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, body, NULL), 422);
	big[500] = '\0';
	snprintf(body, sizeof body, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"%s\"}", big);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, body, NULL), 201);
	memset(big, 'n', 1001);
	big[1001] = '\0';
	snprintf(body, sizeof body, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\",\"notes\":\"%s\"}", big);
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x, body, NULL), 422);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.admin,
	    "{\"patient_id\":\"" NOBODY "\",\"diagnosis\":\"x\"}", "Patient not found"), 404);
	ck_assert_int_eq(records(), before + 1);
	/* recorded_at: any offset, emitted in UTC. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.x,
	    "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"x\",\"recorded_at\":\"2026-01-02T10:00:00+01:00\"}",
	    &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "recorded_at"), "2026-01-02T09:00:00Z");
	cJSON_Delete(env);
}
END_TEST

START_TEST(records_create_admin)
{
	cJSON *env = NULL;

	ck_assert_int_eq(test_call(&ctx, "POST", R, c.admin,
	    "{\"patient_id\":\"" P_B "\",\"diagnosis\":\"Bilan\"}", &env), 201);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "doctor_id")));
	cJSON_Delete(env);
	/* An admin may name any doctor, treating or not. */
	ck_assert_int_eq(test_call(&ctx, "POST", R, c.admin,
	    "{\"patient_id\":\"" P_B "\",\"doctor_id\":\"" D_X "\",\"diagnosis\":\"Bilan\"}", &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "doctor_id"), D_X);
	cJSON_Delete(env);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", R, c.admin,
	    "{\"patient_id\":\"" P_B "\",\"doctor_id\":\"" NOBODY "\",\"diagnosis\":\"x\"}",
	    "Doctor not found"), 404);
	/* X authored one for B (via admin), so X may read it; B too. */
	ck_assert_int_eq(ut_list_len(&ctx, R "/me", c.b), 2);
	ck_assert_int_eq(ut_list_len(&ctx, R "/doctor/me", c.x), 2);
}
END_TEST

START_TEST(records_newest_first)
{
	cJSON *env = NULL;
	char *old, *mid, *recent;

	old = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"old\","
	    "\"recorded_at\":\"2020-01-01T00:00:00Z\"}");
	recent = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"recent\","
	    "\"recorded_at\":\"2099-01-01T00:00:00Z\"}");
	mid = ut_create_id(&ctx, R, c.x, "{\"patient_id\":\"" P_A "\",\"diagnosis\":\"mid\","
	    "\"recorded_at\":\"2024-06-01T00:00:00Z\"}");
	ck_assert_int_eq(test_call(&ctx, "GET", R "/me", c.a, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 4);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "id"), recent);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 2), "id"), mid);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 3), "id"), old);
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/doctor/me?skip=1&limit=2", c.x, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 2);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 1), "id"), mid);
	cJSON_Delete(env);
	free(old);
	free(mid);
	free(recent);
}
END_TEST

START_TEST(records_patch_rules)
{
	cJSON *env = NULL, *d;

	/* Author X: partial update; null clears an optional field. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.x,
	    "{\"notes\":null,\"treatment_plan\":\"Contrôle à 3 mois\"}", &env), 200);
	d = ut_data(env);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "notes")));
	ck_assert_str_eq(ut_str(d, "treatment_plan"), "Contrôle à 3 mois");
	ck_assert_str_eq(ut_str(d, "diagnosis"), "Hypertension artérielle de stade 1");
	ck_assert_str_eq(ut_str(d, "prescription"), "Amlodipine 5 mg, 1 cp/jour");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.x, "{\"diagnosis\":null}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.x, "{\"recorded_at\":\"x\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.x,
	    "{\"recorded_at\":\"2025-03-04T05:06:07Z\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "recorded_at"), "2025-03-04T05:06:07Z");
	cJSON_Delete(env);
	/* Rule: only the author doctor (not any doctor), or an admin. */
	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", R "/" REC_A, c.y, "{\"diagnosis\":\"hack\"}",
	    "Forbidden"), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.a, "{\"diagnosis\":\"hack\"}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.staff, "{\"diagnosis\":\"hack\"}", NULL), 403);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM medical_records WHERE diagnosis = 'hack'"), 0);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" REC_A, c.admin, "{\"diagnosis\":\"HTA\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "diagnosis"), "HTA");
	ck_assert_str_eq(ut_str(ut_data(env), "treatment_plan"), "Contrôle à 3 mois");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/" NOBODY, c.admin, "{\"diagnosis\":\"x\"}", NULL), 404);
	ck_assert_int_eq(test_call(&ctx, "PATCH", R "/bad", c.admin, "{}", NULL), 422);
}
END_TEST

START_TEST(records_delete_admin_only)
{
	long long before = records();

	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.x, NULL, NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.a, NULL, NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.staff, NULL, NULL), 403);
	ck_assert_int_eq(records(), before);
	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.admin, NULL, NULL), 204);
	ck_assert_int_eq(records(), before - 1);
	ck_assert_int_eq(test_call(&ctx, "GET", R "/" REC_A, c.a, NULL, NULL), 404);
	ck_assert_int_eq(test_call(&ctx, "DELETE", R "/" REC_A, c.admin, NULL, NULL), 404);
}
END_TEST

static Suite *
records_suite(void)
{
	Suite *s = suite_create("records");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, records_mine_lists);
	tcase_add_test(tc, records_get_ownership);
	tcase_add_test(tc, records_create_doctor_rules);
	tcase_add_test(tc, records_create_validation);
	tcase_add_test(tc, records_create_admin);
	tcase_add_test(tc, records_newest_first);
	tcase_add_test(tc, records_patch_rules);
	tcase_add_test(tc, records_delete_admin_only);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(records_suite)
