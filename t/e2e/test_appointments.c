/*
 * test_appointments.c - every route of API.md §6 against the real stack,
 * as anonymous, patient A, patient B, doctor X (A's doctor), doctor Y,
 * staff and admin, the forbidden calls included.
 *
 * The suite makes its own doctors and patients (other suites share the
 * database), and books in clinic-local time (no offset) days ahead of
 * today, inside X's windows of 08:00-18:00 on every weekday.  Each test
 * uses its own day, so the tests do not depend on each other's order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"

#define UNKNOWN "00000000-0000-4000-8000-000000000000"

static struct e2e_who admin, staff, pat_a, pat_b, doc_x, doc_y, noprofile;

/* Runs once in the parent: every test forks from this state. */
static void
suite_setup(void)
{
	admin.token = e2e_token("admin@example.dz", E2E_PW);
	staff.token = e2e_token("reception@example.dz", E2E_PW);
	e2e_fresh_patient(&admin, "a", "E2E", "Patient", &pat_a);
	e2e_fresh_patient(&admin, "b", "E2E", "Patient", &pat_b);
	noprofile.token = e2e_fresh_account(admin.token, "noprofile", NULL, noprofile.user_id);
	e2e_fresh_doctor(&admin, "x", "E2E", 1, &doc_x);
	e2e_fresh_doctor(&admin, "y", "E2E", 0, &doc_y);
}

/* POST /appointments with doctor X; patient NULL leaves patient_id out. */
static int
book(const struct e2e_who *w, const char *patient, int day, int h1, int m1, int h2, int m2)
{
	char body[512], s[32], e[32];

	snprintf(body, sizeof body, "{%s%s%s\"doctor_id\":\"%s\",\"start_time\":\"%s\","
	    "\"end_time\":\"%s\",\"reason\":\"e2e\"}",
	    patient ? "\"patient_id\":\"" : "", patient ? patient : "", patient ? "\"," : "",
	    doc_x.profile_id, e2e_local_at(day, h1, m1, s), e2e_local_at(day, h2, m2, e));
	return e2e_env("POST", "/appointments", w, body);
}

static const char *
apath(const char *id, const char *suffix)
{
	static char buf[160];

	snprintf(buf, sizeof buf, "/appointments/%s%s", id, suffix);
	return buf;
}

/* Body {"start_time":..,"end_time":..} on day at h1:m1-h2:m2. */
static const char *
times(int day, int h1, int m1, int h2, int m2)
{
	static char buf[160];
	char s[32], e[32];

	snprintf(buf, sizeof buf, "{\"start_time\":\"%s\",\"end_time\":\"%s\"}",
	    e2e_local_at(day, h1, m1, s), e2e_local_at(day, h2, m2, e));
	return buf;
}

START_TEST(create_rules)
{
	char body[256];

	ck_assert_int_eq(book(NULL, NULL, 3, 9, 0, 9, 30), 401);
	ck_assert_int_eq(book(&doc_x, pat_a.profile_id, 3, 9, 0, 9, 30), 403);
	ck_assert_int_eq(book(&doc_y, pat_a.profile_id, 3, 9, 0, 9, 30), 403);
	ck_assert_int_eq(book(&noprofile, NULL, 3, 9, 0, 9, 30), 404);
	ck_assert_str_eq(e2e_last_message, "Patient profile not found");
	ck_assert_int_eq(book(&staff, NULL, 3, 9, 0, 9, 30), 400);
	ck_assert_str_eq(e2e_last_message, "patient_id is required");
	ck_assert_int_eq(book(&admin, UNKNOWN, 3, 9, 0, 9, 30), 404);
	ck_assert_str_eq(e2e_last_message, "Patient not found");
	snprintf(body, sizeof body, "{\"doctor_id\":\"" UNKNOWN "\",\"start_time\":\"2099-01-01T09:00:00\","
	    "\"end_time\":\"2099-01-01T09:30:00\"}");
	ck_assert_int_eq(e2e_env("POST", "/appointments", &pat_a, body), 404);
	ck_assert_str_eq(e2e_last_message, "Doctor not found");
	ck_assert_int_eq(e2e_env("POST", "/appointments", &pat_a, "{\"doctor_id\":\"x\"}"), 422);
	ck_assert_int_eq(e2e_env("POST", "/appointments", &pat_a, "{not json"), 422);
	ck_assert_int_eq(book(&pat_a, NULL, 3, 9, 30, 9, 0), 400);
	ck_assert_str_eq(e2e_last_message, "end_time must be after start_time");
	ck_assert_int_eq(book(&pat_a, NULL, -3, 9, 0, 9, 30), 400);
	ck_assert_str_eq(e2e_last_message, "Cannot book an appointment in the past");
	ck_assert_int_eq(book(&pat_a, NULL, 3, 17, 45, 18, 15), 400);
	ck_assert_str_eq(e2e_last_message, "Requested time is outside doctor's availability");
	/* A's own booking; patient_id in the body is ignored for a patient. */
	ck_assert_int_eq(book(&pat_a, pat_b.profile_id, 3, 9, 0, 9, 30), 201);
	{
		struct http_result r;
		ck_assert_int_eq(api("GET", apath(e2e_last_id, ""), pat_a.token, NULL, &r), 200);
		ck_assert_str_eq(e2e_str(e2e_data(&r), "patient_id"), pat_a.profile_id);
		ck_assert_str_eq(e2e_str(e2e_data(&r), "doctor_id"), doc_x.profile_id);
		ck_assert_str_eq(e2e_str(e2e_data(&r), "status"), "SCHEDULED");
		http_result_free(&r);
	}
	/* Double booking: 409 (Rule), back to back is fine. */
	ck_assert_int_eq(book(&pat_b, NULL, 3, 9, 15, 9, 45), 409);
	ck_assert_str_eq(e2e_last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(book(&staff, pat_b.profile_id, 3, 9, 30, 10, 0), 201);
	ck_assert_int_eq(book(&admin, pat_b.profile_id, 3, 9, 45, 10, 15), 409);
	/* Patient busy elsewhere at the same time. */
	ck_assert_int_eq(book(&pat_b, NULL, 3, 8, 0, 8, 30), 201);
	ck_assert_int_eq(book(&admin, pat_b.profile_id, 3, 8, 15, 8, 45), 409);
}
END_TEST

START_TEST(get_and_lists)
{
	char id[40], path[160], from[32], to[32];
	int has;

	ck_assert_int_eq(book(&pat_a, NULL, 4, 10, 0, 10, 30), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &pat_a, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &doc_x, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &staff, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &admin, NULL), 200);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &pat_b, NULL), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", apath(id, ""), NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", apath(UNKNOWN, ""), &admin, NULL), 404);
	ck_assert_int_eq(e2e_env("GET", apath("not-a-uuid", ""), &admin, NULL), 422);

	/* Lists: own only, filters by status and start range. */
	ck_assert_int_ge(e2e_list_count("/appointments/me", &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_ge(e2e_list_count("/appointments/me", &pat_b, id, &has), 0);
	ck_assert(!has);
	ck_assert_int_ge(e2e_list_count("/appointments/doctor/me", &doc_x, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count("/appointments/doctor/me", &doc_y, id, &has), 0);
	/* from/to as dates: that one day (from inclusive, to exclusive). */
	snprintf(path, sizeof path, "/appointments/me?from=%.10s&to=%.10s", e2e_local_at(4, 0, 0, from),
	    e2e_local_at(5, 0, 0, to));
	ck_assert_int_eq(e2e_list_count(path, &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(e2e_list_count("/appointments/me?status=CANCELLED", &pat_a, id, &has), 0);
	ck_assert_int_ge(e2e_list_count("/appointments/me?status=SCHEDULED&limit=1000", &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me?status=NOPE", &pat_a, NULL), 422);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me?from=tomorrow", &pat_a, NULL), 422);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me", &doc_x, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me", NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("GET", "/appointments/doctor/me", &pat_a, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/appointments/doctor/me", &staff, NULL), 403);
	ck_assert_int_eq(e2e_env("GET", "/appointments/me", &noprofile, NULL), 404);
	ck_assert_str_eq(e2e_last_message, "Patient profile not found");
	ck_assert_int_eq(e2e_env("GET", "/appointments/doctor/me", &admin, NULL), 404);
	ck_assert_str_eq(e2e_last_message, "Doctor profile not found");
}
END_TEST

START_TEST(cancel_rules)
{
	char id[40], id2[40];
	struct http_result r;

	ck_assert_int_eq(book(&pat_a, NULL, 5, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/cancel"), &pat_b, NULL), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("POST", apath(id, "/cancel"), &doc_y, NULL), 403);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/cancel"), NULL, NULL), 401);
	ck_assert_int_eq(e2e_env("POST", apath(UNKNOWN, "/cancel"), &admin, NULL), 404);
	ck_assert_int_eq(api("POST", apath(id, "/cancel?cancellation_reason=Voyage"), pat_a.token, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "status"), "CANCELLED");
	ck_assert_str_eq(e2e_str(e2e_data(&r), "cancellation_reason"), "Voyage");
	http_result_free(&r);
	/* Again: unchanged. */
	ck_assert_int_eq(api("POST", apath(id, "/cancel"), staff.token, "{\"cancellation_reason\":\"x\"}", &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "cancellation_reason"), "Voyage");
	http_result_free(&r);
	/* The slot is free again. */
	ck_assert_int_eq(book(&pat_b, NULL, 5, 9, 0, 9, 30), 201);
	snprintf(id2, sizeof id2, "%s", e2e_last_id);
	/* Owner doctor may cancel (Rule); staff and admin too. */
	ck_assert_int_eq(e2e_env("POST", apath(id2, "/cancel"), &doc_x, "{\"cancellation_reason\":\"Absent\"}"), 200);
	ck_assert_int_eq(book(&pat_b, NULL, 5, 10, 0, 10, 30), 201);
	ck_assert_int_eq(e2e_env("POST", apath(e2e_last_id, "/cancel"), &admin, NULL), 200);
	/* A completed one cannot be cancelled. */
	ck_assert_int_eq(book(&pat_b, NULL, 5, 11, 0, 11, 30), 201);
	snprintf(id2, sizeof id2, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("PATCH", apath(id2, "/status"), &doc_x, "{\"status\":\"COMPLETED\"}"), 200);
	ck_assert_int_eq(e2e_env("POST", apath(id2, "/cancel"), &pat_b, NULL), 400);
	ck_assert_str_eq(e2e_last_message, "Completed appointments cannot be cancelled");
}
END_TEST

START_TEST(reschedule_rules)
{
	char id[40], other[40];
	struct http_result r;
	char s[32];

	ck_assert_int_eq(book(&pat_a, NULL, 6, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	ck_assert_int_eq(book(&pat_b, NULL, 6, 10, 0, 10, 30), 201);
	snprintf(other, sizeof other, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), &doc_x, times(6, 9, 15, 9, 45)), 403);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), &doc_y, times(6, 9, 15, 9, 45)), 403);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), &pat_b, times(6, 9, 15, 9, 45)), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), NULL, times(6, 9, 15, 9, 45)), 401);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), &pat_a, "{}"), 400);
	ck_assert_str_eq(e2e_last_message, "start_time and end_time required");
	/* Excluding itself: overlapping its own old slot is fine. */
	ck_assert_int_eq(api("POST", apath(id, "/reschedule"), pat_a.token, times(6, 9, 15, 9, 45), &r), 200);
	ck_assert(strncmp(e2e_str(e2e_data(&r), "start_time"), e2e_local_at(6, 0, 0, s), 10) == 0);
	http_result_free(&r);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/reschedule"), &staff, times(6, 9, 50, 10, 20)), 409);
	ck_assert_str_eq(e2e_last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/reschedule"), &staff, times(6, 18, 0, 18, 30)), 400);
	ck_assert_str_eq(e2e_last_message, "Requested time is outside doctor's availability");
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/reschedule"), &staff, times(-2, 9, 0, 9, 30)), 400);
	ck_assert_str_eq(e2e_last_message, "Cannot book an appointment in the past");
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/reschedule"), &staff, times(6, 11, 0, 11, 30)), 200);
	ck_assert_int_eq(e2e_env("POST", apath(id, "/reschedule"), &admin, times(6, 9, 0, 9, 30)), 200);
	ck_assert_int_eq(e2e_env("POST", apath(other, "/cancel"), &pat_b, NULL), 200);
	ck_assert_int_eq(e2e_env("POST", apath(other, "/reschedule"), &pat_b, times(6, 12, 0, 12, 30)), 400);
	ck_assert_str_eq(e2e_last_message, "Only scheduled appointments can be rescheduled");
	ck_assert_int_eq(e2e_env("POST", apath(UNKNOWN, "/reschedule"), &admin, times(6, 12, 0, 12, 30)), 404);
}
END_TEST

START_TEST(status_rules)
{
	char id[40];

	ck_assert_int_eq(book(&pat_a, NULL, 7, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", e2e_last_id);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &doc_y, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_str_eq(e2e_last_message, "Forbidden");
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &pat_a, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &staff, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), NULL, "{\"status\":\"COMPLETED\"}"), 401);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"FINISHED\"}"), 422);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_str_eq(e2e_last_message, "Invalid status transition");
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"COMPLETED\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"CANCELLED\"}"), 400);
	ck_assert_int_eq(e2e_env("PATCH", apath(id, "/status"), &admin, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_int_eq(book(&pat_a, NULL, 7, 10, 0, 10, 30), 201);
	ck_assert_int_eq(e2e_env("PATCH", apath(e2e_last_id, "/status"), &admin, "{\"status\":\"CANCELLED\"}"), 200);
	ck_assert_int_eq(e2e_env("PATCH", apath(UNKNOWN, "/status"), &admin, "{\"status\":\"CANCELLED\"}"), 404);
}
END_TEST

static Suite *
appt_e2e_suite(void)
{
	Suite *s = suite_create("e2e_appointments");
	TCase *tc = tcase_create("appointments");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_test(tc, create_rules);
	tcase_add_test(tc, get_and_lists);
	tcase_add_test(tc, cancel_rules);
	tcase_add_test(tc, reschedule_rules);
	tcase_add_test(tc, status_rules);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(appt_e2e_suite)
