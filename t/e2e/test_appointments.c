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

#include "httpc.h"
#include "testreg.h"

#define PW "Algeria123!"
#define UNKNOWN "00000000-0000-4000-8000-000000000000"

struct who {
	char token[1024];
	char user_id[40];
	char profile_id[40];   /* patient or doctor id, "" if none */
};

static struct who admin, staff, pat_a, pat_b, doc_x, doc_y, noprofile;

static cJSON *
data_of(const struct http_result *r)
{
	return cJSON_GetObjectItem(r->json, "data");
}

static const char *
str_of(cJSON *obj, const char *name)
{
	cJSON *v = cJSON_GetObjectItem(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char last_message[256];
static char last_id[40];

/*
 * One API call: returns the status and keeps the message and data.id.
 * Every answer with a body is the envelope; nothing may be a 5xx.
 */
static int
call(const char *method, const char *path, const struct who *w, const char *body)
{
	struct http_result r;
	const char *s;
	int status = api(method, path, w != NULL ? w->token : NULL, body, &r);

	last_message[0] = last_id[0] = '\0';
	if (r.body_len > 0) {
		ck_assert_msg(r.json != NULL, "%s %s: body is not JSON", method, path);
		ck_assert(cJSON_IsBool(cJSON_GetObjectItem(r.json, "success")));
		if ((s = str_of(r.json, "message")) != NULL)
			snprintf(last_message, sizeof last_message, "%s", s);
		if ((s = str_of(data_of(&r), "id")) != NULL)
			snprintf(last_id, sizeof last_id, "%s", s);
	}
	http_result_free(&r);
	ck_assert_msg(status > 0 && status < 500, "%s %s: status %d", method, path, status);
	return status;
}

static void
login_as(const char *email, struct who *w)
{
	struct http_result r;
	char body[256];

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(api("POST", "/auth/login", NULL, body, &r), 200);
	snprintf(w->token, sizeof w->token, "%s", str_of(data_of(&r), "access_token"));
	http_result_free(&r);
}

/* Register a fresh account (role PATIENT) and learn its user id. */
static void
fresh_user(const char *tag, struct who *w)
{
	struct http_result r;
	char body[256];

	memset(w, 0, sizeof *w);
	snprintf(body, sizeof body, "{\"email\":\"e2e.appt.%s.%ld@example.dz\",\"password\":\"" PW "\"}",
	    tag, (long)getpid());
	ck_assert_int_eq(api("POST", "/auth/register", NULL, body, &r), 200);
	snprintf(w->token, sizeof w->token, "%s", str_of(data_of(&r), "access_token"));
	http_result_free(&r);
	ck_assert_int_eq(api("GET", "/users/me", w->token, NULL, &r), 200);
	snprintf(w->user_id, sizeof w->user_id, "%s", str_of(data_of(&r), "id"));
	http_result_free(&r);
}

static void
fresh_patient(const char *tag, struct who *w)
{
	fresh_user(tag, w);
	ck_assert_int_eq(call("POST", "/patients/me", w, "{\"first_name\":\"E2E\",\"last_name\":\"Patient\"}"), 201);
	snprintf(w->profile_id, sizeof w->profile_id, "%s", last_id);
}

/* A fresh doctor; with windows, 08:00-18:00 every day of the week. */
static void
fresh_doctor(const char *tag, struct who *w, int windows)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char path[128], body[256];

	fresh_user(tag, w);
	snprintf(path, sizeof path, "/users/%s", w->user_id);
	ck_assert_int_eq(call("PATCH", path, &admin, "{\"role\":\"DOCTOR\"}"), 200);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"E2E\",\"last_name\":\"%s\"}",
	    w->user_id, tag);
	ck_assert_int_eq(call("POST", "/doctors", &admin, body), 201);
	snprintf(w->profile_id, sizeof w->profile_id, "%s", last_id);
	snprintf(path, sizeof path, "/doctors/%s/availability", w->profile_id);
	for (int i = 0; windows && i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"08:00\","
		    "\"end_time\":\"18:00\"}", days[i]);
		ck_assert_int_eq(call("POST", path, &admin, body), 201);
	}
}

/* Runs once in the parent: every test forks from this state. */
static void
suite_setup(void)
{
	login_as("admin@example.dz", &admin);
	login_as("reception@example.dz", &staff);
	fresh_patient("a", &pat_a);
	fresh_patient("b", &pat_b);
	fresh_user("noprofile", &noprofile);
	fresh_doctor("x", &doc_x, 1);
	fresh_doctor("y", &doc_y, 0);
}

/* "YYYY-MM-DDTHH:MM:00", clinic-local, days ahead of today (>= 2: never "today" in any zone). */
static const char *
at(int days, int hour, int minute, char out[32])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	char buf[96];

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:00", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, hour, minute);
	buf[31] = '\0';
	memcpy(out, buf, 32);
	return out;
}

/* POST /appointments with doctor X; patient NULL leaves patient_id out. */
static int
book(const struct who *w, const char *patient, int day, int h1, int m1, int h2, int m2)
{
	char body[512], s[32], e[32];

	snprintf(body, sizeof body, "{%s%s%s\"doctor_id\":\"%s\",\"start_time\":\"%s\","
	    "\"end_time\":\"%s\",\"reason\":\"e2e\"}",
	    patient ? "\"patient_id\":\"" : "", patient ? patient : "", patient ? "\"," : "",
	    doc_x.profile_id, at(day, h1, m1, s), at(day, h2, m2, e));
	return call("POST", "/appointments", w, body);
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
	    at(day, h1, m1, s), at(day, h2, m2, e));
	return buf;
}

/* Number of items of a list answer (-1 if not 200), and whether id is among them. */
static int
list_count(const char *path, const struct who *w, const char *id, int *has_id)
{
	struct http_result r;
	cJSON *item;
	int n = 0;

	*has_id = 0;
	if (api("GET", path, w->token, NULL, &r) != 200) {
		http_result_free(&r);
		return -1;
	}
	cJSON_ArrayForEach(item, data_of(&r)) {
		n++;
		if (id != NULL && str_of(item, "id") != NULL && strcmp(str_of(item, "id"), id) == 0)
			*has_id = 1;
	}
	http_result_free(&r);
	return n;
}

START_TEST(create_rules)
{
	char body[256];

	ck_assert_int_eq(book(NULL, NULL, 3, 9, 0, 9, 30), 401);
	ck_assert_int_eq(book(&doc_x, pat_a.profile_id, 3, 9, 0, 9, 30), 403);
	ck_assert_int_eq(book(&doc_y, pat_a.profile_id, 3, 9, 0, 9, 30), 403);
	ck_assert_int_eq(book(&noprofile, NULL, 3, 9, 0, 9, 30), 404);
	ck_assert_str_eq(last_message, "Patient profile not found");
	ck_assert_int_eq(book(&staff, NULL, 3, 9, 0, 9, 30), 400);
	ck_assert_str_eq(last_message, "patient_id is required");
	ck_assert_int_eq(book(&admin, UNKNOWN, 3, 9, 0, 9, 30), 404);
	ck_assert_str_eq(last_message, "Patient not found");
	snprintf(body, sizeof body, "{\"doctor_id\":\"" UNKNOWN "\",\"start_time\":\"2099-01-01T09:00:00\","
	    "\"end_time\":\"2099-01-01T09:30:00\"}");
	ck_assert_int_eq(call("POST", "/appointments", &pat_a, body), 404);
	ck_assert_str_eq(last_message, "Doctor not found");
	ck_assert_int_eq(call("POST", "/appointments", &pat_a, "{\"doctor_id\":\"x\"}"), 422);
	ck_assert_int_eq(call("POST", "/appointments", &pat_a, "{not json"), 422);
	ck_assert_int_eq(book(&pat_a, NULL, 3, 9, 30, 9, 0), 400);
	ck_assert_str_eq(last_message, "end_time must be after start_time");
	ck_assert_int_eq(book(&pat_a, NULL, -3, 9, 0, 9, 30), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	ck_assert_int_eq(book(&pat_a, NULL, 3, 17, 45, 18, 15), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
	/* A's own booking; patient_id in the body is ignored for a patient. */
	ck_assert_int_eq(book(&pat_a, pat_b.profile_id, 3, 9, 0, 9, 30), 201);
	{
		struct http_result r;
		ck_assert_int_eq(api("GET", apath(last_id, ""), pat_a.token, NULL, &r), 200);
		ck_assert_str_eq(str_of(data_of(&r), "patient_id"), pat_a.profile_id);
		ck_assert_str_eq(str_of(data_of(&r), "doctor_id"), doc_x.profile_id);
		ck_assert_str_eq(str_of(data_of(&r), "status"), "SCHEDULED");
		http_result_free(&r);
	}
	/* Double booking: 409 (Rule), back to back is fine. */
	ck_assert_int_eq(book(&pat_b, NULL, 3, 9, 15, 9, 45), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
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
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("GET", apath(id, ""), &pat_a, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), &doc_x, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), &staff, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), &admin, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), &pat_b, NULL), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("GET", apath(id, ""), &doc_y, NULL), 403);
	ck_assert_int_eq(call("GET", apath(id, ""), NULL, NULL), 401);
	ck_assert_int_eq(call("GET", apath(UNKNOWN, ""), &admin, NULL), 404);
	ck_assert_int_eq(call("GET", apath("not-a-uuid", ""), &admin, NULL), 422);

	/* Lists: own only, filters by status and start range. */
	ck_assert_int_ge(list_count("/appointments/me", &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_ge(list_count("/appointments/me", &pat_b, id, &has), 0);
	ck_assert(!has);
	ck_assert_int_ge(list_count("/appointments/doctor/me", &doc_x, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(list_count("/appointments/doctor/me", &doc_y, id, &has), 0);
	/* from/to as dates: that one day (from inclusive, to exclusive). */
	snprintf(path, sizeof path, "/appointments/me?from=%.10s&to=%.10s", at(4, 0, 0, from),
	    at(5, 0, 0, to));
	ck_assert_int_eq(list_count(path, &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(list_count("/appointments/me?status=CANCELLED", &pat_a, id, &has), 0);
	ck_assert_int_ge(list_count("/appointments/me?status=SCHEDULED&limit=1000", &pat_a, id, &has), 1);
	ck_assert(has);
	ck_assert_int_eq(call("GET", "/appointments/me?status=NOPE", &pat_a, NULL), 422);
	ck_assert_int_eq(call("GET", "/appointments/me?from=tomorrow", &pat_a, NULL), 422);
	ck_assert_int_eq(call("GET", "/appointments/me", &doc_x, NULL), 403);
	ck_assert_int_eq(call("GET", "/appointments/me", &staff, NULL), 403);
	ck_assert_int_eq(call("GET", "/appointments/me", NULL, NULL), 401);
	ck_assert_int_eq(call("GET", "/appointments/doctor/me", &pat_a, NULL), 403);
	ck_assert_int_eq(call("GET", "/appointments/doctor/me", &staff, NULL), 403);
	ck_assert_int_eq(call("GET", "/appointments/me", &noprofile, NULL), 404);
	ck_assert_str_eq(last_message, "Patient profile not found");
	ck_assert_int_eq(call("GET", "/appointments/doctor/me", &admin, NULL), 404);
	ck_assert_str_eq(last_message, "Doctor profile not found");
}
END_TEST

START_TEST(cancel_rules)
{
	char id[40], id2[40];
	struct http_result r;

	ck_assert_int_eq(book(&pat_a, NULL, 5, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), &pat_b, NULL), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), &doc_y, NULL), 403);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), NULL, NULL), 401);
	ck_assert_int_eq(call("POST", apath(UNKNOWN, "/cancel"), &admin, NULL), 404);
	ck_assert_int_eq(api("POST", apath(id, "/cancel?cancellation_reason=Voyage"), pat_a.token, NULL, &r), 200);
	ck_assert_str_eq(str_of(data_of(&r), "status"), "CANCELLED");
	ck_assert_str_eq(str_of(data_of(&r), "cancellation_reason"), "Voyage");
	http_result_free(&r);
	/* Again: unchanged. */
	ck_assert_int_eq(api("POST", apath(id, "/cancel"), staff.token, "{\"cancellation_reason\":\"x\"}", &r), 200);
	ck_assert_str_eq(str_of(data_of(&r), "cancellation_reason"), "Voyage");
	http_result_free(&r);
	/* The slot is free again. */
	ck_assert_int_eq(book(&pat_b, NULL, 5, 9, 0, 9, 30), 201);
	snprintf(id2, sizeof id2, "%s", last_id);
	/* Owner doctor may cancel (Rule); staff and admin too. */
	ck_assert_int_eq(call("POST", apath(id2, "/cancel"), &doc_x, "{\"cancellation_reason\":\"Absent\"}"), 200);
	ck_assert_int_eq(book(&pat_b, NULL, 5, 10, 0, 10, 30), 201);
	ck_assert_int_eq(call("POST", apath(last_id, "/cancel"), &admin, NULL), 200);
	/* A completed one cannot be cancelled. */
	ck_assert_int_eq(book(&pat_b, NULL, 5, 11, 0, 11, 30), 201);
	snprintf(id2, sizeof id2, "%s", last_id);
	ck_assert_int_eq(call("PATCH", apath(id2, "/status"), &doc_x, "{\"status\":\"COMPLETED\"}"), 200);
	ck_assert_int_eq(call("POST", apath(id2, "/cancel"), &pat_b, NULL), 400);
	ck_assert_str_eq(last_message, "Completed appointments cannot be cancelled");
}
END_TEST

START_TEST(reschedule_rules)
{
	char id[40], other[40];
	struct http_result r;
	char s[32];

	ck_assert_int_eq(book(&pat_a, NULL, 6, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(book(&pat_b, NULL, 6, 10, 0, 10, 30), 201);
	snprintf(other, sizeof other, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), &doc_x, times(6, 9, 15, 9, 45)), 403);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), &doc_y, times(6, 9, 15, 9, 45)), 403);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), &pat_b, times(6, 9, 15, 9, 45)), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), NULL, times(6, 9, 15, 9, 45)), 401);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), &pat_a, "{}"), 400);
	ck_assert_str_eq(last_message, "start_time and end_time required");
	/* Excluding itself: overlapping its own old slot is fine. */
	ck_assert_int_eq(api("POST", apath(id, "/reschedule"), pat_a.token, times(6, 9, 15, 9, 45), &r), 200);
	ck_assert(strncmp(str_of(data_of(&r), "start_time"), at(6, 0, 0, s), 10) == 0);
	http_result_free(&r);
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), &staff, times(6, 9, 50, 10, 20)), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), &staff, times(6, 18, 0, 18, 30)), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), &staff, times(-2, 9, 0, 9, 30)), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), &staff, times(6, 11, 0, 11, 30)), 200);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), &admin, times(6, 9, 0, 9, 30)), 200);
	ck_assert_int_eq(call("POST", apath(other, "/cancel"), &pat_b, NULL), 200);
	ck_assert_int_eq(call("POST", apath(other, "/reschedule"), &pat_b, times(6, 12, 0, 12, 30)), 400);
	ck_assert_str_eq(last_message, "Only scheduled appointments can be rescheduled");
	ck_assert_int_eq(call("POST", apath(UNKNOWN, "/reschedule"), &admin, times(6, 12, 0, 12, 30)), 404);
}
END_TEST

START_TEST(status_rules)
{
	char id[40];

	ck_assert_int_eq(book(&pat_a, NULL, 7, 9, 0, 9, 30), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &doc_y, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &pat_a, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &staff, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), NULL, "{\"status\":\"COMPLETED\"}"), 401);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"FINISHED\"}"), 422);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_str_eq(last_message, "Invalid status transition");
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"COMPLETED\"}"), 200);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &doc_x, "{\"status\":\"CANCELLED\"}"), 400);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), &admin, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_int_eq(book(&pat_a, NULL, 7, 10, 0, 10, 30), 201);
	ck_assert_int_eq(call("PATCH", apath(last_id, "/status"), &admin, "{\"status\":\"CANCELLED\"}"), 200);
	ck_assert_int_eq(call("PATCH", apath(UNKNOWN, "/status"), &admin, "{\"status\":\"CANCELLED\"}"), 404);
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
