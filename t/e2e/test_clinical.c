/*
 * test_clinical.c - medical records (API.md §7), billing, policies and
 * claims (§8) and the audit log against the real stack, as anonymous,
 * patient A, patient B, doctor X (who treats A), doctor Y (who doesn't),
 * staff and admin, the forbidden calls included.
 *
 * Other suites share the database, so this one makes its own cast: two
 * patients, two doctors and an admin without any profile (so "profile not
 * found" answers are certain).  X "treats" A through an appointment the
 * admin books on A's behalf in X's own windows (08:00-18:00 every day),
 * days ahead of today; no other suite books with X.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"

#define UNKNOWN "00000000-0000-4000-8000-000000000000"

static struct e2e_who admin, staff, pat_a, pat_b, doc_x, doc_y;
static char appt_a_x[40];

/* before + id + after, in one of four rotating buffers. */
static const char *
pathf(const char *before, const char *id, const char *after)
{
	static char buf[4][192];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof buf[0], "%s%s%s", before, id, after);
	return b;
}

/* Runs once in the parent: every test forks from this state. */
static void
suite_setup(void)
{
	char *seed_admin = e2e_token("admin@example.dz", E2E_PW);
	char body[512], s[32], e[32];

	/* A fresh admin: no patient or doctor profile, whatever other suites do. */
	admin.token = e2e_fresh_account(seed_admin, "clin.admin", "ADMIN", admin.user_id);
	free(seed_admin);
	staff.token = e2e_fresh_account(admin.token, "clin.staff", "STAFF", staff.user_id);
	e2e_fresh_patient(&admin, "clin.a", "Clin", "E2E", &pat_a);
	e2e_fresh_patient(&admin, "clin.b", "Clin", "E2E", &pat_b);
	e2e_fresh_doctor(&admin, "clin.x", "Clin", 1, &doc_x);
	e2e_fresh_doctor(&admin, "clin.y", "Clin", 0, &doc_y);
	e2e_local_at(4, 10, 0, s);
	e2e_local_at(4, 10, 30, e);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\",\"start_time\":\"%s\","
	    "\"end_time\":\"%s\",\"reason\":\"clinical e2e\"}", pat_a.profile_id, doc_x.profile_id, s, e);
	ck_assert_msg(e2e_env("POST", "/appointments", &admin, body) == 201,
	    "booking X for A failed: %s", e2e_last_message);
	snprintf(appt_a_x, sizeof appt_a_x, "%s", e2e_last_id);
}

/* A record X writes for A; its id in out. */
static void
record_for_a(char out[40])
{
	char body[256];

	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":\"Angine\","
	    "\"prescription\":\"Amoxicilline\"}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_x, body), 201);
	snprintf(out, 40, "%s", e2e_last_id);
}

START_TEST(clin_records_create)
{
	char body[256], id[40];

	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":\"x\"}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", NULL, body), 401);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &pat_a, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &pat_b, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &staff, body), 403);
	/* Rule: Y has no appointment with A. */
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_y, body), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("POST", "/medical-records/", &doc_x, body), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":\"x\"}", pat_b.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_x, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &admin, body), 201);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_x, "{\"diagnosis\":\"x\"}"), 400);
	ck_assert_str_eq(e2e_last_message, "patient_id is required");
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\"}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_x, body), 422);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &admin,
	    "{\"patient_id\":\"" UNKNOWN "\",\"diagnosis\":\"x\"}"), 404);
	ck_assert_int_eq(e2e_env("POST", "/medical-records", &doc_x, "{\"patient_id\":"), 422);
}
END_TEST

START_TEST(clin_records_read)
{
	char id[40];
	const char *p;
	int has;

	record_for_a(id);
	p = pathf("/medical-records/", id, "");
	ck_assert_int_eq(e2e_env("GET", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &doc_x, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &admin, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &pat_b, NULL), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("GET", p, &doc_y, NULL), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("GET", p, &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/" UNKNOWN, &admin, NULL), 404);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/xyz", &admin, NULL), 422);

	ck_assert_int_eq(e2e_list_count("/medical-records/me", NULL, NULL, NULL), -1);
	ck_assert_int_ge(e2e_list_count("/medical-records/me", &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_ge(e2e_list_count("/medical-records/me/", &pat_b, id, &has), 0);
	ck_assert(!has);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/me", &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/me", &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/me", &admin, NULL), 404);
	ck_assert_str_eq(e2e_last_message, "Patient profile not found");

	ck_assert_int_eq(e2e_list_count("/medical-records/doctor/me", NULL, NULL, NULL), -1);
	ck_assert_int_ge(e2e_list_count("/medical-records/doctor/me", &doc_x, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count("/medical-records/doctor/me", &doc_y, NULL, NULL), 0);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/doctor/me", &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/doctor/me", &pat_b, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/doctor/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/medical-records/doctor/me", &admin, NULL), 404);
	ck_assert_str_eq(e2e_last_message, "Doctor profile not found");
}
END_TEST

START_TEST(clin_records_patch_delete)
{
	char id[40];
	const char *p;

	record_for_a(id);
	p = pathf("/medical-records/", id, "");
	ck_assert_int_eq(e2e_env("PATCH", p, NULL, "{\"notes\":\"n\"}"), 401);
	ck_assert_int_eq(e2e_env("PATCH", p, &pat_a, "{\"notes\":\"n\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &pat_b, "{\"notes\":\"n\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"notes\":\"n\"}"), 403);
	/* Rule: the author doctor only, not any doctor. */
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_y, "{\"notes\":\"n\"}"), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_x, "{\"notes\":\"n\",\"prescription\":null}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_x, "{\"diagnosis\":null}"), 422);
	ck_assert_int_eq(e2e_env("PATCH", p, &admin, "{\"diagnosis\":\"Angine blanche\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", "/medical-records/" UNKNOWN, &admin, "{\"notes\":\"n\"}"), 404);
	/* Rule: DELETE is for admins only. */
	ck_assert_int_eq(e2e_env("DELETE", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("DELETE", p, &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &pat_b, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 200);
	ck_assert_int_eq(e2e_env("DELETE", p, &admin, NULL), 204);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 404);
	ck_assert_int_eq(e2e_env("DELETE", p, &admin, NULL), 404);
}
END_TEST

/* The scripted sequence, through HTTP, checked with GET /audit. */
START_TEST(clin_audit_sequence)
{
	static const struct {
		const struct e2e_who *w;
		const char *role, *action, *outcome;
	} want[] = {
		{ &admin, "ADMIN", "read", "ok" },
		{ &doc_y, "DOCTOR", "read", "denied" },
		{ &pat_a, "PATIENT", "read", "ok" },
		{ &doc_x, "DOCTOR", "create", "ok" },
	};
	struct http_result r;
	const cJSON *rows, *row;
	char id[40];
	const char *p;
	int i = 0;

	record_for_a(id);
	p = pathf("/medical-records/", id, "");
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, &admin, NULL), 200);

	ck_assert_int_eq(e2e_env("GET", pathf("/audit?entity_id=", id, ""), &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", pathf("/audit?entity_id=", id, ""), &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", pathf("/audit?entity_id=", id, ""), NULL, NULL), 401);
	ck_assert_int_eq(api("GET", pathf("/audit?entity_id=", id, ""), admin.token, NULL, &r), 200);
	rows = e2e_data(&r);
	ck_assert_int_eq(cJSON_GetArraySize(rows), 4);
	cJSON_ArrayForEach(row, rows) {
		ck_assert_str_eq(e2e_str(row, "user_id"), want[i].w->user_id);
		ck_assert_str_eq(e2e_str(row, "role"), want[i].role);
		ck_assert_str_eq(e2e_str(row, "action"), want[i].action);
		ck_assert_str_eq(e2e_str(row, "outcome"), want[i].outcome);
		ck_assert_str_eq(e2e_str(row, "entity"), "medical_record");
		ck_assert_str_eq(e2e_str(row, "entity_id"), id);
		ck_assert_ptr_nonnull(e2e_str(row, "at"));
		i++;
	}
	http_result_free(&r);
	ck_assert_int_eq(e2e_env("GET", "/audit?user_id=nope", &admin, NULL), 422);
	ck_assert_int_eq(e2e_env("GET", "/audit?from=2026-02-30", &admin, NULL), 422);
	ck_assert_int_eq(e2e_list_count(pathf("/audit?user_id=", pat_a.user_id, "&entity=medical_record&limit=1"),
	    &admin, NULL, NULL), 1);
}
END_TEST

/* POST /billing for A by staff; the id in out. */
static void
bill_for_a(const char *amount, char out[40])
{
	char body[256];

	snprintf(body, sizeof body, "{\"appointment_id\":\"%s\",\"amount\":%s,\"currency\":\"DZD\"}",
	    appt_a_x, amount);
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, body), 201);
	snprintf(out, 40, "%s", e2e_last_id);
}

START_TEST(clin_billing_routes)
{
	struct http_result r;
	char body[256], id[40];
	const char *p;
	int has;

	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":10}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/billing", NULL, body), 401);
	ck_assert_int_eq(e2e_env("POST", "/billing", &pat_a, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing", &doc_x, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing", &doc_y, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing", &admin, body), 201);
	bill_for_a("0.30000000000000004", id);
	ck_assert_int_eq(api("GET", pathf("/billing/", id, ""), pat_a.token, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "patient_id"), pat_a.profile_id);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "status"), "PENDING");
	ck_assert(cJSON_GetObjectItem(e2e_data(&r), "amount")->valuedouble == 0.3);
	ck_assert_ptr_nonnull(strstr(r.body, "\"amount\":0.3"));
	http_result_free(&r);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"appointment_id\":\"%s\",\"amount\":1}",
	    pat_b.profile_id, appt_a_x);
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, body), 400);
	ck_assert_str_eq(e2e_last_message, "Appointment does not belong to patient");
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, "{\"amount\":1}"), 400);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":0.001}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, body), 422);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":100000000.00}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, body), 422);

	p = pathf("/billing/", id, "");
	ck_assert_int_eq(e2e_env("GET", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &staff, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &admin, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", p, &pat_b, NULL), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("GET", p, &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, &doc_y, NULL), 403);

	ck_assert_int_eq(e2e_env("PATCH", p, NULL, "{\"status\":\"PAID\"}"), 401);
	ck_assert_int_eq(e2e_env("PATCH", p, &pat_a, "{\"status\":\"PAID\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_x, "{\"status\":\"PAID\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"status\":\"SPENT\"}"), 400);
	ck_assert_str_eq(e2e_last_message, "Invalid status");
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"status\":\"PAID\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", p, &admin, "{\"description\":\"Consultation\"}"), 200);

	p = pathf("/billing/patient/", pat_a.profile_id, "");
	ck_assert_int_eq(e2e_env("GET", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, &doc_x, NULL), 403);
	ck_assert_int_ge(e2e_list_count(p, &staff, id, &has), 2);
	ck_assert(has);
	ck_assert_int_ge(e2e_list_count(p, &admin, NULL, NULL), 2);

	/* Route order: /billing/me is not a billing id. */
	ck_assert_int_ge(e2e_list_count("/billing/me", &pat_a, id, &has), 2);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count("/billing/me", &pat_b, NULL, NULL), 0);
	ck_assert_int_eq(e2e_env("GET", "/billing/me", NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", "/billing/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/billing/me", &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/billing/me", &admin, NULL), 404);
	ck_assert_str_eq(e2e_last_message, "Patient profile not found");
}
END_TEST

START_TEST(clin_policies_claims)
{
	char body[256], pol[40], pol2[40], bill_a[40], bill_b[40], claim[40];
	const char *p;
	int has;

	bill_for_a("45", bill_a);
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":12.5}", pat_b.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/billing", &staff, body), 201);
	snprintf(bill_b, sizeof bill_b, "%s", e2e_last_id);

	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"provider_name\":\"CNAS\","
	    "\"policy_number\":\"CL-1\"}", pat_a.profile_id);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", NULL, body), 401);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &pat_a, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &doc_x, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &staff, body), 201);
	snprintf(pol, sizeof pol, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &admin, body), 201);
	snprintf(pol2, sizeof pol2, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &staff,
	    "{\"patient_id\":\"" UNKNOWN "\",\"provider_name\":\"CNAS\",\"policy_number\":\"Z\"}"), 404);
	ck_assert_int_eq(e2e_env("POST", "/billing/policies", &staff, "{\"provider_name\":\"CNAS\"}"), 422);

	p = pathf("/billing/policies/patient/", pat_a.profile_id, "");
	ck_assert_int_eq(e2e_list_count(p, &staff, pol, &has), 2);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count(p, &admin, NULL, NULL), 2);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_list_count("/billing/policies/me", &pat_a, pol, &has), 2);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count("/billing/policies/me", &pat_b, NULL, NULL), 0);
	ck_assert_int_eq(e2e_env("GET", "/billing/policies/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/billing/policies/me", &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/billing/policies/me", &admin, NULL), 404);

	p = pathf("/billing/policies/", pol, "");
	ck_assert_int_eq(e2e_env("PATCH", p, &pat_a, "{\"coverage_details\":\"100 %\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_x, "{\"coverage_details\":\"100 %\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"coverage_details\":\"80 %\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", p, &admin, "{\"coverage_details\":null}"), 200);

	snprintf(body, sizeof body, "{\"policy_id\":\"%s\",\"billing_id\":\"%s\"}", pol, bill_b);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", &staff, body), 400);
	ck_assert_str_eq(e2e_last_message, "Billing does not belong to the policy's patient");
	snprintf(body, sizeof body, "{\"policy_id\":\"%s\",\"status\":\"LOST\"}", pol);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", &staff, body), 422);
	snprintf(body, sizeof body, "{\"policy_id\":\"%s\",\"billing_id\":\"%s\"}", pol, bill_a);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", NULL, body), 401);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", &pat_a, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", &doc_x, body), 403);
	ck_assert_int_eq(e2e_env("POST", "/billing/claims", &staff, body), 201);
	snprintf(claim, sizeof claim, "%s", e2e_last_id);

	p = pathf("/billing/claims/policy/", pol, "");
	ck_assert_int_eq(e2e_list_count(p, &staff, claim, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count(p, &admin, NULL, NULL), 1);
	ck_assert_int_eq(e2e_env("GET", p, &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", p, NULL, NULL), 401);

	p = pathf("/billing/claims/", claim, "");
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"status\":\"LOST\"}"), 400);
	ck_assert_str_eq(e2e_last_message, "Invalid claim status");
	ck_assert_int_eq(e2e_env("PATCH", p, &pat_a, "{\"status\":\"PAID\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &doc_y, "{\"status\":\"PAID\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", p, &staff, "{\"status\":\"SUBMITTED\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", p, &admin, "{\"status\":\"APPROVED\"}"), 200);

	p = pathf("/billing/policies/", pol, "");
	ck_assert_int_eq(e2e_env("DELETE", p, NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("DELETE", p, &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("DELETE", p, &admin, NULL), 409);
	p = pathf("/billing/policies/", pol2, "");
	ck_assert_int_eq(e2e_env("DELETE", p, &admin, NULL), 204);
	ck_assert_int_eq(e2e_env("DELETE", p, &admin, NULL), 404);
	ck_assert_int_eq(e2e_list_count("/billing/policies/me", &pat_a, NULL, NULL), 1);
}
END_TEST

static Suite *
clinical_e2e_suite(void)
{
	Suite *s = suite_create("e2e_clinical");
	TCase *tc = tcase_create("clinical");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_test(tc, clin_records_create);
	tcase_add_test(tc, clin_records_read);
	tcase_add_test(tc, clin_records_patch_delete);
	tcase_add_test(tc, clin_audit_sequence);
	tcase_add_test(tc, clin_billing_routes);
	tcase_add_test(tc, clin_policies_claims);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(clinical_e2e_suite)
