/*
 * test_billing.c - /billing in-process (API.md §8): invoices, money edge
 * cases, policies, claims, roles and route order.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clin_test.h"
#include "testreg.h"

#define B "/api/v1/billing"


static long long
billings(void)
{
	return ut_count(&ctx, "SELECT count(*) FROM billings");
}

/* POST /billing for patient B with this amount text; the status. */
static int
bill_amount(const char *amount, long long *cents)
{
	char body[256];
	cJSON *env = NULL;
	int status;

	snprintf(body, sizeof body, "{\"patient_id\":\"" P_B "\",\"amount\":%s}", amount);
	status = test_call(&ctx, "POST", B, c.staff, body, &env);
	if (status == 201 && cents != NULL)
		*cents = llround(cJSON_GetObjectItem(ut_data(env), "amount")->valuedouble * 100.0);
	cJSON_Delete(env);
	return status;
}

START_TEST(billing_money_edges)
{
	long long before = billings(), cents = 0;
	cJSON *env = NULL;

	/* A client's 0.1 + 0.2 is thirty cents, not a refusal. */
	ck_assert_int_eq(bill_amount("0.30000000000000004", &cents), 201);
	ck_assert_int_eq(cents, 30);
	ck_assert_int_eq(bill_amount("0.01", &cents), 201);
	ck_assert_int_eq(cents, 1);
	ck_assert_int_eq(bill_amount("99999999.99", &cents), 201);
	ck_assert_int_eq(cents, 9999999999LL);
	ck_assert_int_eq(bill_amount("12", &cents), 201);
	ck_assert_int_eq(cents, 1200);
	ck_assert_int_eq(billings(), before + 4);
	ck_assert_int_eq(bill_amount("0.001", NULL), 422);
	ck_assert_int_eq(bill_amount("12.345", NULL), 422);
	ck_assert_int_eq(bill_amount("0", NULL), 422);
	ck_assert_int_eq(bill_amount("0.00", NULL), 422);
	ck_assert_int_eq(bill_amount("-5", NULL), 422);
	ck_assert_int_eq(bill_amount("100000000.00", NULL), 422);
	ck_assert_int_eq(bill_amount("1e300", NULL), 422);
	ck_assert_int_eq(bill_amount("\"12.50\"", NULL), 422);
	ck_assert_int_eq(bill_amount("null", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff, "{\"patient_id\":\"" P_B "\"}", NULL), 422);
	ck_assert_int_eq(billings(), before + 4);
	/* Output: a JSON number with (at most) two decimals. */
	ck_assert_int_eq(test_call(&ctx, "GET", B "/" BILL_A, c.staff, NULL, &env), 200);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(ut_data(env), "amount")));
	ck_assert(cJSON_GetObjectItem(ut_data(env), "amount")->valuedouble == 2500.0);
	cJSON_Delete(env);
}
END_TEST

START_TEST(billing_create_rules)
{
	long long before = billings();
	cJSON *env = NULL, *d;

	ck_assert_int_eq(test_call(&ctx, "POST", B, c.admin,
	    "{\"patient_id\":\"" P_B "\",\"amount\":45.5,\"description\":\"Consultation\"}", &env), 201);
	d = ut_data(env);
	ck_assert_str_eq(ut_str(d, "currency"), "USD");
	ck_assert_str_eq(ut_str(d, "status"), "PENDING");
	ck_assert_str_eq(ut_str(d, "patient_id"), P_B);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "appointment_id")));
	ck_assert(cJSON_GetObjectItem(d, "amount")->valuedouble == 45.5);
	cJSON_Delete(env);
	/* appointment_id alone: the patient comes from the appointment. */
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"appointment_id\":\"" APPT_B_Y "\",\"amount\":10,\"currency\":\"DZD\",\"status\":\"PAID\"}",
	    &env), 201);
	d = ut_data(env);
	ck_assert_str_eq(ut_str(d, "patient_id"), P_B);
	ck_assert_str_eq(ut_str(d, "appointment_id"), APPT_B_Y);
	ck_assert_str_eq(ut_str(d, "currency"), "DZD");
	ck_assert_str_eq(ut_str(d, "status"), "PAID");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"appointment_id\":\"" APPT_B_Y "\",\"amount\":10}", NULL), 201);
	ck_assert_int_eq(billings(), before + 3);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_A "\",\"appointment_id\":\"" APPT_B_Y "\",\"amount\":10}",
	    "Appointment does not belong to patient"), 400);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B, c.staff, "{\"amount\":10}",
	    "patient_id or appointment_id is required"), 400);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":null,\"appointment_id\":null,\"amount\":10}",
	    "patient_id or appointment_id is required"), 400);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B, c.staff,
	    "{\"appointment_id\":\"" NOBODY "\",\"amount\":10}", "Appointment not found"), 404);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" NOBODY "\",\"amount\":10}", "Patient not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"currency\":\"usd\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"currency\":\"US\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"currency\":\"EURO\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"currency\":\"U1D\"}", NULL), 422);
	/* Status is validated on create too (422, an unknown enum value). */
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"status\":\"STOLEN\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.staff,
	    "{\"patient_id\":\"" P_B "\",\"amount\":10,\"status\":\"paid\"}", NULL), 422);
	/* Rule: ADMIN and STAFF only. */
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.a,
	    "{\"patient_id\":\"" P_A "\",\"amount\":10}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "POST", B, c.x,
	    "{\"patient_id\":\"" P_A "\",\"amount\":10}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "POST", B, NULL,
	    "{\"patient_id\":\"" P_A "\",\"amount\":10}", NULL), 401);
	ck_assert_int_eq(billings(), before + 3);
}
END_TEST

START_TEST(billing_read_rules)
{
	ck_assert_int_eq(test_call(&ctx, "GET", B "/" BILL_A, c.admin, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/" BILL_A, c.staff, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/" BILL_A, c.a, NULL, NULL), 200);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/" BILL_A, c.b, NULL, "Forbidden"), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/" BILL_A, c.x, NULL,
	    "Insufficient role permissions"), 403);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/" BILL_A, NULL, NULL, NULL), 401);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/" NOBODY, c.staff, NULL, "Billing not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/12", c.staff, NULL, NULL), 422);
	/* Route order: these are not billing ids. */
	ck_assert_int_eq(ut_list_len(&ctx, B "/me", c.a), 1);
	ck_assert_int_eq(ut_list_len(&ctx, B "/me/", c.b), 0);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/me", c.admin, NULL, "Patient profile not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/me", c.staff, NULL, NULL), 403);
	ck_assert_int_eq(ut_list_len(&ctx, B "/patient/" P_A, c.staff), 1);
	ck_assert_int_eq(ut_list_len(&ctx, B "/patient/" P_B, c.admin), 0);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/patient/" P_A, c.a, NULL, NULL), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/patient/" NOBODY, c.staff, NULL,
	    "Patient not found"), 404);
	ck_assert_int_eq(ut_list_len(&ctx, B "/policies/me", c.a), 1);
	ck_assert_int_eq(ut_list_len(&ctx, B "/policies/patient/" P_A, c.staff), 1);
	ck_assert_int_eq(ut_list_len(&ctx, B "/claims/policy/" POLICY_A, c.staff), 0);
}
END_TEST

START_TEST(billing_patch_rules)
{
	cJSON *env = NULL, *d;

	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", B "/" BILL_A, c.staff, "{\"status\":\"LOST\"}",
	    "Invalid status"), 400);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.staff, "{\"status\":3}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.staff, "{\"amount\":0}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.staff, "{\"amount\":1.005}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.staff, "{\"currency\":\"eur\"}", NULL), 422);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM billings WHERE status = 'PAID'"
	    " AND amount_cents = 250000 AND currency = 'DZD'"), 1);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.staff,
	    "{\"status\":\"REFUNDED\",\"description\":null}", &env), 200);
	d = ut_data(env);
	ck_assert_str_eq(ut_str(d, "status"), "REFUNDED");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "description")));
	ck_assert(cJSON_GetObjectItem(d, "amount")->valuedouble == 2500.0);
	ck_assert_str_eq(ut_str(d, "currency"), "DZD");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.admin,
	    "{\"amount\":19.99,\"currency\":\"EUR\"}", &env), 200);
	ck_assert(cJSON_GetObjectItem(ut_data(env), "amount")->valuedouble == 19.99);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "REFUNDED");
	cJSON_Delete(env);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.a, "{\"status\":\"VOID\"}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", B "/" BILL_A, c.x, "{\"status\":\"VOID\"}", NULL), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", B "/" NOBODY, c.staff, "{\"status\":\"VOID\"}",
	    "Billing not found"), 404);
}
END_TEST

START_TEST(policies_rules)
{
	cJSON *env = NULL;
	char *pol;
	long long before = ut_count(&ctx, "SELECT count(*) FROM insurance_policies");

	ck_assert_int_eq(test_call(&ctx, "POST", B "/policies", c.staff,
	    "{\"provider_name\":\"CNAS\",\"policy_number\":\"X\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/policies", c.staff,
	    "{\"patient_id\":\"" P_B "\",\"policy_number\":\"X\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/policies", c.staff,
	    "{\"patient_id\":\"" P_B "\",\"provider_name\":\"CNAS\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/policies", c.staff,
	    "{\"patient_id\":\"" P_B "\",\"provider_name\":\"\",\"policy_number\":\"X\"}", NULL), 422);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B "/policies", c.staff,
	    "{\"patient_id\":\"" NOBODY "\",\"provider_name\":\"CNAS\",\"policy_number\":\"X\"}",
	    "Patient not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/policies", c.a,
	    "{\"patient_id\":\"" P_A "\",\"provider_name\":\"CNAS\",\"policy_number\":\"X\"}", NULL), 403);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM insurance_policies"), before);
	pol = ut_create_id(&ctx, B "/policies", c.staff,
	    "{\"patient_id\":\"" P_B "\",\"provider_name\":\"CASNOS\",\"policy_number\":\"C-1\","
	    "\"coverage_details\":\"70 %\"}");
	ck_assert_int_eq(ut_list_len(&ctx, B "/policies/me", c.b), 1);
	ck_assert_int_eq(ut_list_len(&ctx, B "/policies/patient/" P_B, c.admin), 1);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/policies/patient/" P_B, c.b, NULL, NULL), 403);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/policies/me", c.admin, NULL,
	    "Patient profile not found"), 404);
	{
		char path[128];
		snprintf(path, sizeof path, B "/policies/%s", pol);
		ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.staff,
		    "{\"coverage_details\":null,\"policy_number\":\"C-2\"}", &env), 200);
		ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "coverage_details")));
		ck_assert_str_eq(ut_str(ut_data(env), "policy_number"), "C-2");
		ck_assert_str_eq(ut_str(ut_data(env), "provider_name"), "CASNOS");
		cJSON_Delete(env);
		ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.staff, "{\"provider_name\":null}", NULL), 422);
		ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.b, "{\"policy_number\":\"Z\"}", NULL), 403);
		/* DELETE: admin only; a policy with claims stays (409). */
		ck_assert_int_eq(test_call(&ctx, "DELETE", path, c.staff, NULL, NULL), 403);
		ck_assert_int_eq(test_call(&ctx, "POST", B "/claims", c.staff,
		    "{\"policy_id\":\"" POLICY_A "\"}", NULL), 201);
		ck_assert_int_eq(ut_call_expect(&ctx, "DELETE", B "/policies/" POLICY_A, c.admin, NULL,
		    "Policy has claims"), 409);
		ck_assert_int_eq(test_call(&ctx, "DELETE", path, c.admin, NULL, NULL), 204);
		ck_assert_int_eq(test_call(&ctx, "DELETE", path, c.admin, NULL, NULL), 404);
		ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", path, c.staff, "{}", "Policy not found"), 404);
	}
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM insurance_policies"), before);
	free(pol);
}
END_TEST

START_TEST(claims_rules)
{
	cJSON *env = NULL;
	char *bill_b, *claim, path[128], body[256];
	long long before = ut_count(&ctx, "SELECT count(*) FROM insurance_claims");

	bill_b = ut_create_id(&ctx, B, c.staff, "{\"patient_id\":\"" P_B "\",\"amount\":30}");
	ck_assert_int_eq(test_call(&ctx, "POST", B "/claims", c.staff, "{}", NULL), 422);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B "/claims", c.staff,
	    "{\"policy_id\":\"" NOBODY "\"}", "Policy not found"), 404);
	snprintf(body, sizeof body, "{\"policy_id\":\"" POLICY_A "\",\"billing_id\":\"%s\"}", bill_b);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B "/claims", c.staff, body,
	    "Billing does not belong to the policy's patient"), 400);
	ck_assert_int_eq(ut_call_expect(&ctx, "POST", B "/claims", c.staff,
	    "{\"policy_id\":\"" POLICY_A "\",\"billing_id\":\"" NOBODY "\"}", "Billing not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/claims", c.staff,
	    "{\"policy_id\":\"" POLICY_A "\",\"status\":\"MAYBE\"}", NULL), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/claims", c.a,
	    "{\"policy_id\":\"" POLICY_A "\"}", NULL), 403);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM insurance_claims"), before);
	ck_assert_int_eq(test_call(&ctx, "POST", B "/claims", c.admin,
	    "{\"policy_id\":\"" POLICY_A "\",\"billing_id\":\"" BILL_A "\",\"status\":\"SUBMITTED\","
	    "\"notes\":\"Dossier complet\"}", &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "SUBMITTED");
	ck_assert_str_eq(ut_str(ut_data(env), "billing_id"), BILL_A);
	ck_assert_str_eq(ut_str(ut_data(env), "policy_id"), POLICY_A);
	claim = strdup(ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_list_len(&ctx, B "/claims/policy/" POLICY_A, c.staff), 1);
	ck_assert_int_eq(ut_call_expect(&ctx, "GET", B "/claims/policy/" NOBODY, c.staff, NULL,
	    "Policy not found"), 404);
	ck_assert_int_eq(test_call(&ctx, "GET", B "/claims/policy/" POLICY_A, c.a, NULL, NULL), 403);
	snprintf(path, sizeof path, B "/claims/%s", claim);
	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", path, c.staff, "{\"status\":\"MAYBE\"}",
	    "Invalid claim status"), 400);
	snprintf(body, sizeof body, "{\"billing_id\":\"%s\"}", bill_b);
	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", path, c.staff, body,
	    "Billing does not belong to the policy's patient"), 400);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.a, "{\"status\":\"PAID\"}", NULL), 403);
	ck_assert_int_eq(test_call(&ctx, "PATCH", path, c.staff,
	    "{\"status\":\"APPROVED\",\"notes\":null,\"billing_id\":null}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "APPROVED");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "notes")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(ut_data(env), "billing_id")));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_call_expect(&ctx, "PATCH", B "/claims/" NOBODY, c.staff,
	    "{\"status\":\"PAID\"}", "Claim not found"), 404);
	free(claim);
	free(bill_b);
}
END_TEST

static Suite *
billing_suite(void)
{
	Suite *s = suite_create("billing");
	TCase *tc = tcase_create("billing");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, billing_money_edges);
	tcase_add_test(tc, billing_create_rules);
	tcase_add_test(tc, billing_read_rules);
	tcase_add_test(tc, billing_patch_rules);
	tcase_add_test(tc, policies_rules);
	tcase_add_test(tc, claims_rules);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(billing_suite)
