/*
 * test_appointments.c - /appointments in-process (API.md §6): every
 * booking check and its order, half-open overlaps, status transitions,
 * who may do what, reschedule excluding itself, list filters and the
 * clinic-local reading of datetimes without offset.
 *
 * "Now" is pinned to Wednesday 2031-01-01 00:00 UTC, so the seeded
 * appointments (placed around the real seeding day) lie in the past and
 * never collide with the bookings here.  Seeded doctor Samir Bensalah
 * works Mon 09-12 and 14-17, Tue 09-12 and 14-17, Wed 09-12, Thu, Fri
 * 09-12, never at week-ends; 2031-01-06 is a Monday.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "jwt.h"
#include "testctx.h"
#include "unitkit.h"
#include "testreg.h"
#include "util.h"

#define V1 "/api/v1"
#define AMINA_P "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define SOFIANE_P "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002"
#define SAMIR_D "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define NADIA_D "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002"
#define UNKNOWN "00000000-0000-4000-8000-000000000000"
#define MONDAY "2031-01-06"
#define SUNDAY "2031-01-05"

static struct med_ctx ctx;

/* Tokens: patient A (Amina), patient B (Sofiane), doctor X (Samir), doctor Y (Nadia). */
static char *tok_a, *tok_b, *tok_x, *tok_y, *tok_staff, *tok_admin;

static void
open_at(const char *tz)
{
	setenv("CLINIC_TZ", tz, 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = 1924992000; /* 2031-01-01T00:00:00Z */
	tok_a = ut_mint(&ctx, "amina.benali@example.dz");
	tok_b = ut_mint(&ctx, "sofiane.rahmani@example.dz");
	tok_x = ut_mint(&ctx, "samir.bensalah@example.dz");
	tok_y = ut_mint(&ctx, "nadia.khellaf@example.dz");
	tok_staff = ut_mint(&ctx, "reception@example.dz");
	tok_admin = ut_mint(&ctx, "admin@example.dz");
}

static void
setup(void)
{
	open_at("UTC");
}

static void
setup_algiers(void)
{
	open_at("Africa/Algiers");
}

static void
teardown(void)
{
	free(tok_a);
	free(tok_b);
	free(tok_x);
	free(tok_y);
	free(tok_staff);
	free(tok_admin);
	test_ctx_close(&ctx);
	unsetenv("CLINIC_TZ");
	setenv("TZ", "UTC", 1);
	tzset();
}

static char last_message[256];
static char last_id[MED_UUID_LEN + 1];

/*
 * Call and remember the envelope's message and data.id (when any) in
 * last_message / last_id; returns the status.
 */
static int
call(const char *method, const char *path, const char *token, const char *body)
{
	cJSON *env = NULL;
	int status = test_call(&ctx, method, path, token, body, &env);
	const char *s;

	last_message[0] = '\0';
	last_id[0] = '\0';
	if ((s = ut_str(env, "message")) != NULL)
		snprintf(last_message, sizeof last_message, "%s", s);
	if ((s = ut_str(ut_data(env), "id")) != NULL)
		snprintf(last_id, sizeof last_id, "%s", s);
	cJSON_Delete(env);
	return status;
}

/* POST /appointments; patient may be NULL (left out of the body). */
static int
book(const char *token, const char *patient, const char *doctor, const char *start,
    const char *end)
{
	char body[512];

	if (patient != NULL)
		snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\","
		    "\"start_time\":\"%s\",\"end_time\":\"%s\",\"reason\":\"Contrôle\"}",
		    patient, doctor, start, end);
	else
		snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\","
		    "\"end_time\":\"%s\"}", doctor, start, end);
	return call("POST", V1 "/appointments", token, body);
}

static int
count(const char *sql)
{
	sqlite3_stmt *st;
	int n;

	ck_assert_int_eq(sqlite3_prepare_v2(ctx.db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
appointment_rows(void)
{
	return count("SELECT count(*) FROM appointments");
}

/* Path of an appointment route: /appointments/<id><suffix>. */
static const char *
apath(const char *id, const char *suffix)
{
	static char buf[160];

	snprintf(buf, sizeof buf, V1 "/appointments/%s%s", id, suffix);
	return buf;
}

START_TEST(book_as_patient)
{
	cJSON *env, *d;
	char body[512];

	/* patient_id is ignored for a PATIENT: the booking is for her own profile. */
	snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\","
	    "\"start_time\":\"" MONDAY "T09:00:00Z\",\"end_time\":\"" MONDAY "T09:30:00+00:00\","
	    "\"reason\":\"Palpitations\"}", SOFIANE_P, SAMIR_D);
	ck_assert_int_eq(test_call(&ctx, "POST", V1 "/appointments", tok_a, body, &env), 201);
	d = ut_data(env);
	ck_assert_str_eq(ut_str(d, "patient_id"), AMINA_P);
	ck_assert_str_eq(ut_str(d, "doctor_id"), SAMIR_D);
	ck_assert_str_eq(ut_str(d, "start_time"), MONDAY "T09:00:00Z");
	ck_assert_str_eq(ut_str(d, "end_time"), MONDAY "T09:30:00Z");
	ck_assert_str_eq(ut_str(d, "reason"), "Palpitations");
	ck_assert_str_eq(ut_str(d, "status"), "SCHEDULED");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "cancellation_reason")));
	ck_assert(util_is_uuid(ut_str(d, "id")));
	ck_assert_ptr_nonnull(ut_str(d, "created_at"));
	ck_assert_ptr_nonnull(ut_str(d, "updated_at"));
	cJSON_Delete(env);
	/* A patient_id that is not even a UUID is ignored too for a PATIENT. */
	snprintf(body, sizeof body, "{\"patient_id\":\"nope\",\"doctor_id\":\"%s\","
	    "\"start_time\":\"" MONDAY "T10:00:00Z\",\"end_time\":\"" MONDAY "T10:30:00Z\"}", SAMIR_D);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, body), 201);
	ck_assert_int_eq(appointment_rows(), 9);
}
END_TEST

START_TEST(book_roles_and_profiles)
{
	char *fresh;

	/* Doctors may not book; anonymous callers are not authenticated. */
	ck_assert_int_eq(book(tok_x, AMINA_P, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 403);
	ck_assert_int_eq(book(NULL, AMINA_P, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 401);
	/* A patient account without a profile. */
	ck_assert_int_eq(call("POST", V1 "/auth/register", NULL,
	    "{\"email\":\"noprofile@example.dz\",\"password\":\"longenough\"}"), 200);
	fresh = test_login(&ctx, "noprofile@example.dz", "longenough");
	ck_assert_int_eq(book(fresh, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 404);
	ck_assert_str_eq(last_message, "Patient profile not found");
	free(fresh);
	/* Admin and staff must name the patient (Rule). */
	ck_assert_int_eq(book(tok_admin, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "patient_id is required");
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"patient_id\":null,"
	    "\"doctor_id\":\"" SAMIR_D "\",\"start_time\":\"" MONDAY "T09:00:00Z\","
	    "\"end_time\":\"" MONDAY "T09:30:00Z\"}"), 400);
	ck_assert_int_eq(book(tok_staff, SOFIANE_P, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_admin, AMINA_P, SAMIR_D, MONDAY "T09:30:00Z", MONDAY "T10:00:00Z"), 201);
	ck_assert_int_eq(count("SELECT count(*) FROM appointments WHERE patient_id = '" SOFIANE_P
	    "' AND start_time = unixepoch('" MONDAY "T09:00:00Z')"), 1);
}
END_TEST

START_TEST(book_validation_422)
{
	ck_assert_int_eq(book(tok_a, NULL, "not-a-uuid", MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 422);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2031-13-06T09:00:00Z", MONDAY "T09:30:00Z"), 422);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", "tomorrow"), 422);
	ck_assert_int_eq(book(tok_admin, "x", SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 422);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" SAMIR_D "\"}"), 422);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "[1]"), 422);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":"), 422);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" SAMIR_D "\","
	    "\"start_time\":1924992000,\"end_time\":\"" MONDAY "T09:30:00Z\"}"), 422);
	{
		char body[1024], reason[502];
		memset(reason, 'r', 501);
		reason[501] = '\0';
		snprintf(body, sizeof body, "{\"doctor_id\":\"" SAMIR_D "\",\"start_time\":\""
		    MONDAY "T09:00:00Z\",\"end_time\":\"" MONDAY "T09:30:00Z\",\"reason\":\"%s\"}", reason);
		ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, body), 422);
		reason[500] = '\0';
		snprintf(body, sizeof body, "{\"doctor_id\":\"" SAMIR_D "\",\"start_time\":\""
		    MONDAY "T09:00:00Z\",\"end_time\":\"" MONDAY "T09:30:00Z\",\"reason\":\"%s\"}", reason);
		ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, body), 201);
	}
	ck_assert_int_eq(appointment_rows(), 8);
}
END_TEST

/* Each check of API.md §6 answers in the documented order; none writes. */
START_TEST(book_check_order)
{
	int before = appointment_rows();

	/* Unknown patient beats unknown doctor and every time problem. */
	ck_assert_int_eq(book(tok_admin, UNKNOWN, UNKNOWN, "2020-01-01T10:00:00Z", "2020-01-01T09:00:00Z"), 404);
	ck_assert_str_eq(last_message, "Patient not found");
	ck_assert_int_eq(book(tok_admin, AMINA_P, UNKNOWN, "2020-01-01T10:00:00Z", "2020-01-01T09:00:00Z"), 404);
	ck_assert_str_eq(last_message, "Doctor not found");
	/* end <= start beats "in the past". */
	ck_assert_int_eq(book(tok_admin, AMINA_P, SAMIR_D, "2020-01-01T10:00:00Z", "2020-01-01T09:00:00Z"), 400);
	ck_assert_str_eq(last_message, "end_time must be after start_time");
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:00:00Z"), 400);
	ck_assert_str_eq(last_message, "end_time must be after start_time");
	/* Past + outside availability (a Sunday) -> the past message. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2030-12-29T09:00:00Z", "2030-12-29T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	/* One second before now is the past too (fixed_now = 2031-01-01T00:00Z). */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2030-12-31T23:59:59Z", "2031-01-01T00:30:00Z"), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	/* Future, but a Sunday: no window that day. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, SUNDAY "T09:00:00Z", SUNDAY "T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
	ck_assert_int_eq(appointment_rows(), before);
}
END_TEST

START_TEST(book_window_edges)
{
	const char *outside = "Requested time is outside doctor's availability";

	/* Window Mon 09:00-12:00 and 14:00-17:00. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T08:59:00Z", MONDAY "T09:29:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T11:45:00Z", MONDAY "T12:01:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
	/* Inside the union of two windows but not inside one. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T11:30:00Z", MONDAY "T14:30:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
	/* Over midnight into Tuesday. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T16:30:00Z", "2031-01-07T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
	/* Exactly the window's bounds are inside. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T11:30:00Z", MONDAY "T12:00:00Z"), 201);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T14:00:00Z", MONDAY "T17:00:00Z"), 201);
	/* An inactive window does not count. */
	ck_assert_int_eq(db_exec(&ctx, "UPDATE doctor_availability SET is_active = 0"
	    " WHERE doctor_id = '" SAMIR_D "' AND weekday = 1"), MED_OK);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2031-01-07T09:00:00Z", "2031-01-07T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
	/* A window ending at 24:00 admits an appointment ending at midnight. */
	ck_assert_int_eq(db_exec(&ctx, "INSERT INTO doctor_availability (id, doctor_id, weekday,"
	    " start_time, end_time, is_active, created_at, updated_at) VALUES"
	    " ('5a6e2d8c-7f91-4ca3-8ebf-999999999999', '" SAMIR_D "', 6, 79200, 86400, 1, 0, 0)"), MED_OK);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, SUNDAY "T23:30:00Z", MONDAY "T00:00:00Z"), 201);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, SUNDAY "T23:30:00Z", MONDAY "T00:30:00Z"), 400);
	ck_assert_str_eq(last_message, outside);
}
END_TEST

START_TEST(overlap_half_open)
{
	char first[MED_UUID_LEN + 1];
	int rows;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(first, sizeof first, "%s", last_id);
	/* Back to back on either side is fine. */
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T09:30:00Z", MONDAY "T10:00:00Z"), 201);
	ck_assert_int_eq(book(tok_staff, SOFIANE_P, SAMIR_D, "2031-01-06T10:00:00Z", "2031-01-06T10:15:00Z"), 201);
	rows = appointment_rows();
	/* Doctor busy: any overlap, inside, around or partial. */
	ck_assert_int_eq(book(tok_staff, "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003", SAMIR_D,
	    MONDAY "T09:15:00Z", MONDAY "T09:45:00Z"), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(book(tok_staff, "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003", SAMIR_D,
	    MONDAY "T09:05:00Z", MONDAY "T09:10:00Z"), 409);
	ck_assert_int_eq(book(tok_staff, "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003", SAMIR_D,
	    MONDAY "T09:00:00Z", MONDAY "T11:00:00Z"), 409);
	/* Patient busy with another doctor (Nadia works Mon 08:30-12:30). */
	ck_assert_int_eq(book(tok_a, NULL, NADIA_D, MONDAY "T09:20:00Z", MONDAY "T09:40:00Z"), 409);
	ck_assert_str_eq(last_message, "Patient already has an appointment at the requested time");
	ck_assert_int_eq(appointment_rows(), rows);
	/* Back to back with her own appointment is fine. */
	ck_assert_int_eq(book(tok_a, NULL, NADIA_D, MONDAY "T08:30:00Z", MONDAY "T09:00:00Z"), 201);
	/* A cancelled appointment frees the slot for the doctor and the patient. */
	ck_assert_int_eq(call("POST", apath(first, "/cancel"), tok_a, NULL), 200);
	ck_assert_int_eq(book(tok_a, NULL, NADIA_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_staff, "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003", SAMIR_D,
	    MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
}
END_TEST

/*
 * The overlap checks look back only as far as the longest visit on file
 * (appointment_reach): a visit made longer than any before, by booking or
 * by a move, must still be found from its far end.
 */
START_TEST(overlap_reaches_back)
{
	char id[MED_UUID_LEN + 1];

	ck_assert_int_lt(count("SELECT seconds FROM appointment_reach"), 9000);
	/* A booking longer than any before: 09:00-11:30. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T11:30:00Z"), 201);
	ck_assert_int_eq(count("SELECT seconds FROM appointment_reach"), 9000);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T11:15:00Z", MONDAY "T11:30:00Z"), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	/* The patient too, with another doctor (Nadia works Mon 08:30-12:30). */
	ck_assert_int_eq(book(tok_a, NULL, NADIA_D, MONDAY "T11:15:00Z", MONDAY "T11:30:00Z"), 409);
	ck_assert_str_eq(last_message, "Patient already has an appointment at the requested time");
	/* A move that makes a visit longer still: 14:00-14:15, then 14:00-17:00. */
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T14:00:00Z", MONDAY "T14:15:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_b,
	    "{\"start_time\":\"" MONDAY "T14:00:00Z\",\"end_time\":\"" MONDAY "T17:00:00Z\"}"), 200);
	ck_assert_int_eq(count("SELECT seconds FROM appointment_reach"), 10800);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T16:45:00Z", MONDAY "T17:00:00Z"), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	/* Cancelled, it frees the time; the bound stays (an upper bound is enough). */
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), tok_b, NULL), 200);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T16:45:00Z", MONDAY "T17:00:00Z"), 201);
	ck_assert_int_eq(count("SELECT seconds FROM appointment_reach"), 10800);
}
END_TEST

START_TEST(get_access)
{
	char id[MED_UUID_LEN + 1];
	cJSON *env;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(test_call(&ctx, "GET", apath(id, ""), tok_a, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "id"), id);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "SCHEDULED");
	cJSON_Delete(env);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_x, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_staff, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_admin, NULL), 200);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_b, NULL), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("GET", apath(id, ""), tok_y, NULL), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("GET", apath(id, ""), NULL, NULL), 401);
	ck_assert_int_eq(call("GET", apath(UNKNOWN, ""), tok_admin, NULL), 404);
	ck_assert_int_eq(call("GET", apath("12345", ""), tok_admin, NULL), 422);
	/* Uppercase UUIDs name the same appointment. */
	{
		char upper[MED_UUID_LEN + 1];
		for (int i = 0; i <= MED_UUID_LEN; i++)
			upper[i] = (char)(id[i] >= 'a' && id[i] <= 'f' ? id[i] - 32 : id[i]);
		ck_assert_int_eq(call("GET", apath(upper, ""), tok_a, NULL), 200);
	}
}
END_TEST

/* Ownership holds only while the role does: a demoted doctor loses the visits. */
START_TEST(demoted_doctor_loses_ownership)
{
	const char *cancelled = "SELECT count(*) FROM appointments WHERE status = 'CANCELLED'";
	char id[MED_UUID_LEN + 1];
	int before = count(cancelled);

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_x, NULL), 200);
	ck_assert_int_eq(sqlite3_exec(ctx.db, "UPDATE users SET role_id = 3"
	    " WHERE email = 'samir.bensalah@example.dz'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_x, NULL), 403);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), tok_x, NULL), 403);
	ck_assert_int_eq(count(cancelled), before);
	/* Reinstated, the doctor owns them again. */
	ck_assert_int_eq(sqlite3_exec(ctx.db, "UPDATE users SET role_id = 2"
	    " WHERE email = 'samir.bensalah@example.dz'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(call("GET", apath(id, ""), tok_x, NULL), 200);
}
END_TEST

START_TEST(cancel_rules)
{
	char id[MED_UUID_LEN + 1], id2[MED_UUID_LEN + 1];
	cJSON *env;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), tok_b, NULL), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), tok_y, NULL), 403);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), NULL, NULL), 401);
	ck_assert_int_eq(call("POST", apath(UNKNOWN, "/cancel"), tok_a, NULL), 404);
	ck_assert_int_eq(count("SELECT count(*) FROM appointments WHERE status = 'CANCELLED'"), 1);
	/* Owner doctor (Rule), reason from the query string. */
	ck_assert_int_eq(test_call(&ctx, "POST", apath(id, "/cancel?cancellation_reason=Cong%C3%A9+maladie"),
	    tok_x, NULL, &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "CANCELLED");
	ck_assert_str_eq(ut_str(ut_data(env), "cancellation_reason"), "Congé maladie");
	cJSON_Delete(env);
	/* Cancelling again answers it unchanged: the first reason stays. */
	ck_assert_int_eq(test_call(&ctx, "POST", apath(id, "/cancel"), tok_a,
	    "{\"cancellation_reason\":\"autre\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "cancellation_reason"), "Congé maladie");
	cJSON_Delete(env);
	/* Body reason; staff may cancel. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T10:00:00Z", MONDAY "T10:30:00Z"), 201);
	snprintf(id2, sizeof id2, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id2, "/cancel"), tok_a, "{\"cancellation_reason\":42}"), 422);
	ck_assert_int_eq(test_call(&ctx, "POST", apath(id2, "/cancel"), tok_staff,
	    "{\"cancellation_reason\":\"Rappel\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "cancellation_reason"), "Rappel");
	cJSON_Delete(env);
	/* A completed one cannot be cancelled (Rule). */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T11:00:00Z", MONDAY "T11:30:00Z"), 201);
	snprintf(id2, sizeof id2, "%s", last_id);
	ck_assert_int_eq(call("PATCH", apath(id2, "/status"), tok_x, "{\"status\":\"COMPLETED\"}"), 200);
	ck_assert_int_eq(call("POST", apath(id2, "/cancel"), tok_admin, NULL), 400);
	ck_assert_str_eq(last_message, "Completed appointments cannot be cancelled");
	ck_assert_int_eq(count("SELECT count(*) FROM appointments WHERE status = 'COMPLETED'"), 3);
}
END_TEST

START_TEST(status_transitions)
{
	char id[MED_UUID_LEN + 1];
	cJSON *env;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	/* Rule: only the appointment's own doctor, or an admin. */
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_y, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_a, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_staff, "{\"status\":\"COMPLETED\"}"), 403);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{\"status\":\"DONE\"}"), 422);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{}"), 422);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{\"status\":\"scheduled\"}"), 422);
	/* SCHEDULED -> SCHEDULED is no transition. */
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_str_eq(last_message, "Invalid status transition");
	ck_assert_int_eq(test_call(&ctx, "PATCH", apath(id, "/status"), tok_x,
	    "{\"status\":\"COMPLETED\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "status"), "COMPLETED");
	cJSON_Delete(env);
	/* Nothing leaves COMPLETED. */
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_admin, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_admin, "{\"status\":\"CANCELLED\"}"), 400);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{\"status\":\"COMPLETED\"}"), 400);
	/* SCHEDULED -> CANCELLED by an admin, then nothing leaves CANCELLED. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T10:00:00Z", MONDAY "T10:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_admin, "{\"status\":\"CANCELLED\"}"), 200);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_admin, "{\"status\":\"SCHEDULED\"}"), 400);
	ck_assert_int_eq(call("PATCH", apath(id, "/status"), tok_x, "{\"status\":\"COMPLETED\"}"), 400);
	ck_assert_int_eq(call("PATCH", apath(UNKNOWN, "/status"), tok_admin, "{\"status\":\"COMPLETED\"}"), 404);
	ck_assert_int_eq(count("SELECT count(*) FROM appointments WHERE status = 'CANCELLED'"
	    " AND start_time = unixepoch('" MONDAY "T10:00:00Z')"), 1);
}
END_TEST

START_TEST(reschedule_rules)
{
	char id[MED_UUID_LEN + 1], other[MED_UUID_LEN + 1];
	cJSON *env;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T10:00:00Z", MONDAY "T10:30:00Z"), 201);
	snprintf(other, sizeof other, "%s", last_id);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_a, "{}"), 400);
	ck_assert_str_eq(last_message, "start_time and end_time required");
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_a,
	    "{\"start_time\":\"" MONDAY "T09:15:00Z\"}"), 400);
	ck_assert_str_eq(last_message, "start_time and end_time required");
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_a,
	    "{\"start_time\":\"soon\",\"end_time\":\"" MONDAY "T09:45:00Z\"}"), 422);
	/* The owner doctor may not move it (route: 403), nor another patient. */
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_x,
	    "{\"start_time\":\"" MONDAY "T09:15:00Z\",\"end_time\":\"" MONDAY "T09:45:00Z\"}"), 403);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_b,
	    "{\"start_time\":\"" MONDAY "T09:15:00Z\",\"end_time\":\"" MONDAY "T09:45:00Z\"}"), 403);
	ck_assert_str_eq(last_message, "Forbidden");
	/* Overlapping its own old slot is fine: it excludes itself. */
	ck_assert_int_eq(test_call(&ctx, "POST", apath(id, "/reschedule"), tok_a,
	    "{\"start_time\":\"" MONDAY "T09:15:00Z\",\"end_time\":\"" MONDAY "T09:45:00Z\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "start_time"), MONDAY "T09:15:00Z");
	ck_assert_str_eq(ut_str(ut_data(env), "end_time"), MONDAY "T09:45:00Z");
	ck_assert_str_eq(ut_str(ut_data(env), "id"), id);
	cJSON_Delete(env);
	/* Same checks as booking. */
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), tok_staff,
	    "{\"start_time\":\"" MONDAY "T09:50:00Z\",\"end_time\":\"" MONDAY "T10:20:00Z\"}"), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), tok_staff,
	    "{\"start_time\":\"" MONDAY "T09:50:00Z\",\"end_time\":\"" MONDAY "T09:40:00Z\"}"), 400);
	ck_assert_str_eq(last_message, "end_time must be after start_time");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), tok_staff,
	    "{\"start_time\":\"2030-12-30T09:00:00Z\",\"end_time\":\"2030-12-30T09:30:00Z\"}"), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), tok_staff,
	    "{\"start_time\":\"" SUNDAY "T09:00:00Z\",\"end_time\":\"" SUNDAY "T09:30:00Z\"}"), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
	ck_assert_int_eq(count("SELECT count(*) FROM appointments WHERE"
	    " start_time = unixepoch('" MONDAY "T09:15:00Z')"), 1);
	/* Staff via PATCH, admin via POST. */
	ck_assert_int_eq(call("PATCH", apath(id, "/reschedule"), tok_staff,
	    "{\"start_time\":\"" MONDAY "T14:00:00Z\",\"end_time\":\"" MONDAY "T14:30:00Z\"}"), 200);
	ck_assert_int_eq(call("POST", apath(id, "/reschedule"), tok_admin,
	    "{\"start_time\":\"2031-01-07T09:00:00\",\"end_time\":\"2031-01-07T09:30:00\"}"), 200);
	/* Only SCHEDULED ones move. */
	ck_assert_int_eq(call("POST", apath(other, "/cancel"), tok_b, NULL), 200);
	ck_assert_int_eq(call("POST", apath(other, "/reschedule"), tok_b,
	    "{\"start_time\":\"" MONDAY "T11:00:00Z\",\"end_time\":\"" MONDAY "T11:30:00Z\"}"), 400);
	ck_assert_str_eq(last_message, "Only scheduled appointments can be rescheduled");
	ck_assert_int_eq(call("POST", apath(UNKNOWN, "/reschedule"), tok_admin,
	    "{\"start_time\":\"" MONDAY "T11:00:00Z\",\"end_time\":\"" MONDAY "T11:30:00Z\"}"), 404);
}
END_TEST

/* GET a list; returns the status and fills starts with "start_time,..." of the items. */
static int
list(const char *path, const char *token, char *starts, size_t size, int *n)
{
	cJSON *env = NULL, *item;
	int status = test_call(&ctx, "GET", path, token, NULL, &env);

	starts[0] = '\0';
	*n = 0;
	if (status == 200) {
		ck_assert(cJSON_IsArray(ut_data(env)));
		cJSON_ArrayForEach(item, ut_data(env)) {
			size_t used = strlen(starts);
			snprintf(starts + used, size - used, "%s%s", used ? "," : "",
			    ut_str(item, "start_time") + 11);
			(*n)++;
		}
	}
	cJSON_Delete(env);
	return status;
}

START_TEST(list_filters)
{
	char s[512], id[MED_UUID_LEN + 1];
	int n;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T10:00:00Z", MONDAY "T10:30:00Z"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2031-01-07T09:00:00Z", "2031-01-07T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T11:00:00Z", MONDAY "T11:30:00Z"), 201);
	ck_assert_int_eq(call("POST", apath(id, "/cancel"), tok_a, NULL), 200);

	/* Amina: the seeded SCHEDULED + COMPLETED ones and these three, newest first. */
	ck_assert_int_eq(list(V1 "/appointments/me?from=2031-01-01", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "09:00:00Z,10:00:00Z,09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me", tok_a, s, sizeof s, &n), 200);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(list(V1 "/appointments/me?status=CANCELLED", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "10:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me?status=SCHEDULED&from=2031-01-01", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "09:00:00Z,09:00:00Z");
	/* from inclusive, to exclusive; a date is local midnight. */
	ck_assert_int_eq(list(V1 "/appointments/me?from=" MONDAY "&to=2031-01-07", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "10:00:00Z,09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me?from=" MONDAY "T10:00:00Z&to=2031-01-07T09:00:00Z",
	    tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "10:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me?from=2031-01-07T09:00:00%2B00:00", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me?from=2031-01-01&skip=1&limit=1", tok_a, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "10:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/me?from=2031-01-08", tok_a, s, sizeof s, &n), 200);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(list(V1 "/appointments/me?status=DONE", tok_a, s, sizeof s, &n), 422);
	ck_assert_int_eq(list(V1 "/appointments/me?from=yesterday", tok_a, s, sizeof s, &n), 422);
	ck_assert_int_eq(list(V1 "/appointments/me?to=2031-02-30", tok_a, s, sizeof s, &n), 422);
	ck_assert_int_eq(list(V1 "/appointments/me?limit=0", tok_a, s, sizeof s, &n), 422);
	ck_assert_int_eq(list(V1 "/appointments/me?skip=-1", tok_a, s, sizeof s, &n), 422);
	/* Sofiane sees only his own. */
	ck_assert_int_eq(list(V1 "/appointments/me?from=2031-01-01", tok_b, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "11:00:00Z");

	/* Doctor list: Samir's four, newest first, same filters. */
	ck_assert_int_eq(list(V1 "/appointments/doctor/me?from=2031-01-01", tok_x, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "09:00:00Z,11:00:00Z,10:00:00Z,09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/doctor/me/?from=2031-01-01&status=SCHEDULED&to=2031-01-07",
	    tok_x, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "11:00:00Z,09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/doctor/me?from=2031-01-01", tok_y, s, sizeof s, &n), 200);
	ck_assert_int_eq(n, 0);
	/* Who may list. */
	ck_assert_int_eq(list(V1 "/appointments/doctor/me", tok_a, s, sizeof s, &n), 403);
	ck_assert_int_eq(list(V1 "/appointments/me", tok_x, s, sizeof s, &n), 403);
	ck_assert_int_eq(list(V1 "/appointments/me", tok_staff, s, sizeof s, &n), 403);
	ck_assert_int_eq(list(V1 "/appointments/me", NULL, s, sizeof s, &n), 401);
	ck_assert_int_eq(call("GET", V1 "/appointments/me", tok_admin, NULL), 404);
	ck_assert_str_eq(last_message, "Patient profile not found");
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/me", tok_admin, NULL), 404);
	ck_assert_str_eq(last_message, "Doctor profile not found");
}
END_TEST

/* The front desk reads any doctor's day; nobody else may. */
START_TEST(front_desk_doctor_day)
{
	char s[512];
	int n;

	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T09:00:00Z", MONDAY "T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T11:00:00Z", MONDAY "T11:30:00Z"), 201);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, "2031-01-07T09:00:00Z", "2031-01-07T09:30:00Z"), 201);
	ck_assert_int_eq(list(V1 "/appointments/doctor/" SAMIR_D "?from=" MONDAY "&to=2031-01-07",
	    tok_staff, s, sizeof s, &n), 200);
	ck_assert_str_eq(s, "11:00:00Z,09:00:00Z");
	ck_assert_int_eq(list(V1 "/appointments/doctor/" SAMIR_D "?from=" MONDAY "&to=2031-01-07",
	    tok_admin, s, sizeof s, &n), 200);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(list(V1 "/appointments/doctor/" NADIA_D "?from=" MONDAY, tok_staff, s, sizeof s,
	    &n), 200);
	ck_assert_int_eq(n, 0);
	/* "me" is still the doctor's own list, not a doctor id. */
	ck_assert_int_eq(list(V1 "/appointments/doctor/me?from=" MONDAY, tok_x, s, sizeof s, &n), 200);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/" UNKNOWN, tok_staff, NULL), 404);
	ck_assert_str_eq(last_message, "Doctor not found");
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/not-a-uuid", tok_staff, NULL), 422);
	ck_assert_int_eq(list(V1 "/appointments/doctor/" SAMIR_D "?from=yesterday", tok_staff, s,
	    sizeof s, &n), 422);
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/" SAMIR_D, tok_a, NULL), 403);
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/" SAMIR_D, tok_x, NULL), 403);
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/" SAMIR_D, NULL, NULL), 401);
}
END_TEST

/*
 * CLINIC_TZ=Africa/Algiers (UTC+1 all year): a datetime without offset is
 * clinic-local, and the window check compares clinic-local wall clock.
 */
START_TEST(clinic_local_time)
{
	cJSON *env;

	ck_assert_int_eq(test_call(&ctx, "POST", V1 "/appointments", tok_a,
	    "{\"doctor_id\":\"" SAMIR_D "\",\"start_time\":\"" MONDAY "T09:00:00\","
	    "\"end_time\":\"" MONDAY "T09:30:00\"}", &env), 201);
	ck_assert_str_eq(ut_str(ut_data(env), "start_time"), MONDAY "T08:00:00Z");
	ck_assert_str_eq(ut_str(ut_data(env), "end_time"), MONDAY "T08:30:00Z");
	cJSON_Delete(env);
	/* 08:30Z is 09:30 in Algiers: inside the 09-12 window. */
	ck_assert_int_eq(book(tok_b, NULL, SAMIR_D, MONDAY "T08:30:00Z", MONDAY "T09:00:00Z"), 201);
	/* 11:30Z-12:00Z is 12:30-13:00 local: outside, though inside 09-12 in UTC. */
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, MONDAY "T11:30:00Z", MONDAY "T12:00:00Z"), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
	/* 08:00Z is 09:00 local, taken by Amina's booking in local time. */
	ck_assert_int_eq(book(tok_staff, "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003", SAMIR_D,
	    MONDAY "T09:00:00+01:00", MONDAY "T09:15:00+01:00"), 409);
	/* Sunday 23:30Z is Monday 00:30 local: the weekday is the local one. */
	ck_assert_int_eq(db_exec(&ctx, "INSERT INTO doctor_availability (id, doctor_id, weekday,"
	    " start_time, end_time, is_active, created_at, updated_at) VALUES"
	    " ('5a6e2d8c-7f91-4ca3-8ebf-999999999998', '" SAMIR_D "', 0, 0, 3600, 1, 0, 0)"), MED_OK);
	ck_assert_int_eq(book(tok_a, NULL, SAMIR_D, SUNDAY "T23:10:00Z", SUNDAY "T23:40:00Z"), 201);
	/* A date bound in a list is local midnight: Monday starts at Sunday 23:00Z. */
	ck_assert_int_eq(test_call(&ctx, "GET", V1 "/appointments/me?from=" MONDAY "&to=2031-01-07",
	    tok_a, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 2);
	cJSON_Delete(env);
}
END_TEST

static Suite *
appt_suite(void)
{
	Suite *s = suite_create("appointments");
	TCase *tc = tcase_create("appointments");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, book_as_patient);
	tcase_add_test(tc, book_roles_and_profiles);
	tcase_add_test(tc, book_validation_422);
	tcase_add_test(tc, book_check_order);
	tcase_add_test(tc, book_window_edges);
	tcase_add_test(tc, overlap_half_open);
	tcase_add_test(tc, overlap_reaches_back);
	tcase_add_test(tc, get_access);
	tcase_add_test(tc, cancel_rules);
	tcase_add_test(tc, demoted_doctor_loses_ownership);
	tcase_add_test(tc, status_transitions);
	tcase_add_test(tc, reschedule_rules);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, front_desk_doctor_day);
	suite_add_tcase(s, tc);

	tc = tcase_create("appointments_tz");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup_algiers, teardown);
	tcase_add_test(tc, clinic_local_time);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(appt_suite)
