/*
 * test_sched.c - scheduling depth in-process: services (the default
 * Consultation, who manages them, delete that deactivates), booking with a
 * service (end_time from the duration), buffers in every doctor overlap
 * check both ways, slots of a service stepped by the slot step, the
 * clinic settings with minimum notice and booking horizon (doctor
 * overrides, on-behalf bookings exempt from notice), time off and
 * holidays, check-in and no-show, and recurring series (all or nothing,
 * clinic-local wall time on both DST days, cancel from an instant).
 *
 * "Now" is pinned to Wednesday 2031-01-01 00:00 UTC (clinic zone UTC but
 * where a test reopens in Europe/Paris or Africa/Algiers).  Seeded doctor
 * Samir Bensalah works Mon 09-12 and 14-17, Tue 09-12 and 14-17, Wed
 * 09-12; 2031-01-06 is a Monday.
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
#define SAMIR_SERVICES V1 "/doctors/" DOC_SAMIR "/services"
#define NADIA_SERVICES V1 "/doctors/" DOC_NADIA "/services"
#define SLOTS V1 "/doctors/" DOC_SAMIR "/availability/slots"
#define NOW_2031 1924992000LL /* 2031-01-01T00:00:00Z, a Wednesday */

static struct med_ctx ctx;
static char *tok_a, *tok_x, *tok_y, *tok_staff, *tok_admin;

static void
setup(void)
{
	setenv("CLINIC_TZ", "UTC", 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	tok_a = ut_mint(&ctx, EM_AMINA);
	tok_x = ut_mint(&ctx, EM_SAMIR);
	tok_y = ut_mint(&ctx, EM_NADIA);
	tok_staff = ut_mint(&ctx, EM_STAFF);
	tok_admin = ut_mint(&ctx, EM_ADMIN);
}

static void
teardown(void)
{
	free(tok_a);
	free(tok_x);
	free(tok_y);
	free(tok_staff);
	free(tok_admin);
	test_ctx_close(&ctx);
	unsetenv("CLINIC_TZ");
}

static char last_message[256];
static char last_id[MED_UUID_LEN + 1];
static cJSON *last_data;

/* Call; remember message, data.id and data (a copy) of the answer; returns the status. */
static int
call(const char *method, const char *path, const char *token, const char *body)
{
	cJSON *env = NULL;
	int status = test_call(&ctx, method, path, token, body, &env);
	const char *s;

	last_message[0] = '\0';
	last_id[0] = '\0';
	cJSON_Delete(last_data);
	last_data = cJSON_Duplicate(ut_data(env), 1);
	if ((s = ut_str(env, "message")) != NULL)
		snprintf(last_message, sizeof last_message, "%s", s);
	if ((s = ut_str(ut_data(env), "id")) != NULL)
		snprintf(last_id, sizeof last_id, "%s", s);
	cJSON_Delete(env);
	return status;
}

/* A new service of Samir's (as Samir); its id into id. */
static void
new_service(const char *body, char id[MED_UUID_LEN + 1])
{
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x, body), 201);
	snprintf(id, MED_UUID_LEN + 1, "%s", last_id);
}

/* Amina books Samir at start, with service (may be NULL) and end (may be NULL). */
static int
book(const char *token, const char *service, const char *start, const char *end)
{
	char body[512];
	size_t n;

	n = (size_t)snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\","
	    "\"patient_id\":\"" PAT_AMINA "\",\"start_time\":\"%s\"", start);
	if (service != NULL)
		n += (size_t)snprintf(body + n, sizeof body - n, ",\"service_id\":\"%s\"", service);
	if (end != NULL)
		n += (size_t)snprintf(body + n, sizeof body - n, ",\"end_time\":\"%s\"", end);
	snprintf(body + n, sizeof body - n, "}");
	return call("POST", V1 "/appointments", token, body);
}

/* The slot starts of a GET of SLOTS with query, as "HH:MM" joined by commas. */
static const char *
slot_starts(const char *query)
{
	static char buf[2048];
	char path[256];
	cJSON *el;
	size_t used = 0;

	snprintf(path, sizeof path, SLOTS "%s", query);
	ck_assert_int_eq(call("GET", path, NULL, NULL), 200);
	buf[0] = '\0';
	cJSON_ArrayForEach(el, last_data) {
		const char *s = ut_str(el, "start_time");
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%.5s", used ? "," : "",
		    s + 11);
	}
	return buf;
}

START_TEST(default_consultation)
{
	cJSON *s;

	/* Every seeded doctor has one; the list is public. */
	ck_assert_int_eq(call("GET", SAMIR_SERVICES, NULL, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 1);
	s = cJSON_GetArrayItem(last_data, 0);
	ck_assert_str_eq(ut_str(s, "name"), "Consultation");
	ck_assert_int_eq((int)ut_num(s, "duration_minutes"), 30);
	ck_assert_int_eq((int)ut_num(s, "buffer_before_minutes"), 0);
	ck_assert_int_eq((int)ut_num(s, "buffer_after_minutes"), 0);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(s, "is_active")));
	ck_assert_str_eq(ut_str(s, "doctor_id"), DOC_SAMIR);
	ck_assert(util_is_uuid(ut_str(s, "id")));
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctors d WHERE NOT EXISTS"
	    " (SELECT 1 FROM doctor_services s WHERE s.doctor_id = d.id)"), 0);
	/* A doctor created by any path gets one too. */
	ut_exec(&ctx, "INSERT INTO users (id, email, password_hash, role_id, created_at, updated_at)"
	    " VALUES ('dddddddd-0000-4000-8000-0000000000ab', 'new.doc@example.dz', 'x', 2, 0, 0);"
	    "INSERT INTO doctors (id, user_id, created_at, updated_at) VALUES"
	    " ('dddddddd-0000-4000-8000-000000000002', 'dddddddd-0000-4000-8000-0000000000ab', 7, 7)");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_services WHERE doctor_id ="
	    " 'dddddddd-0000-4000-8000-000000000002' AND name = 'Consultation'"), 1);
	ck_assert_int_eq(call("GET", V1 "/doctors/" NO_SUCH_ID "/services", NULL, NULL), 404);
}
END_TEST

START_TEST(services_managed)
{
	char id[MED_UUID_LEN + 1], path[128];
	cJSON *s;

	new_service("{\"name\":\"Echographie\",\"duration_minutes\":45,"
	    "\"buffer_before_minutes\":10,\"buffer_after_minutes\":5,\"price\":2500.5,"
	    "\"currency\":\"DZD\"}", id);
	s = last_data;
	ck_assert_int_eq((int)ut_num(s, "duration_minutes"), 45);
	ck_assert_int_eq((int)ut_num(s, "buffer_before_minutes"), 10);
	ck_assert_int_eq((int)ut_num(s, "buffer_after_minutes"), 5);
	ck_assert(ut_num(s, "price") == 2500.5);
	ck_assert_str_eq(ut_str(s, "currency"), "DZD");
	ck_assert_int_eq(ut_count(&ctx, "SELECT price_cents FROM doctor_services WHERE id = '%s'",
	    id), 250050);
	/* Another doctor, a patient and staff may not; an admin may. */
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_y, "{\"name\":\"X\",\"duration_minutes\":30}"),
	    403);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_a, "{\"name\":\"X\",\"duration_minutes\":30}"),
	    403);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_staff,
	    "{\"name\":\"X\",\"duration_minutes\":30}"), 403);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_admin,
	    "{\"name\":\"Bilan\",\"duration_minutes\":60}"), 201);
	ck_assert_int_eq(call("POST", V1 "/doctors/" NO_SUCH_ID "/services", tok_admin,
	    "{\"name\":\"X\",\"duration_minutes\":30}"), 404);
	/* Limits: duration 5..480, buffers 0..120, money with 2 decimals, currency shape. */
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x, "{\"name\":\"X\",\"duration_minutes\":4}"),
	    422);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x,
	    "{\"name\":\"X\",\"duration_minutes\":481}"), 422);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x,
	    "{\"name\":\"X\",\"duration_minutes\":30,\"buffer_after_minutes\":121}"), 422);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x,
	    "{\"name\":\"X\",\"duration_minutes\":30,\"price\":1.005}"), 422);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x,
	    "{\"name\":\"X\",\"duration_minutes\":30,\"currency\":\"dzd\"}"), 422);
	ck_assert_int_eq(call("POST", SAMIR_SERVICES, tok_x, "{\"duration_minutes\":30}"), 422);

	/* PATCH by the owner; not by another doctor. */
	snprintf(path, sizeof path, V1 "/doctors/services/%s", id);
	ck_assert_int_eq(call("PATCH", path, tok_x, "{\"duration_minutes\":20,\"is_active\":false}"),
	    200);
	ck_assert_int_eq((int)ut_num(last_data, "duration_minutes"), 20);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(last_data, "is_active")));
	ck_assert_str_eq(ut_str(last_data, "name"), "Echographie");
	ck_assert_int_eq(call("PATCH", path, tok_y, "{\"duration_minutes\":25}"), 403);
	ck_assert_int_eq(call("PATCH", V1 "/doctors/services/" NO_SUCH_ID, tok_admin, "{}"), 404);
	/* DELETE without appointments: gone. */
	ck_assert_int_eq(call("DELETE", path, tok_y, NULL), 403);
	ck_assert_int_eq(call("DELETE", path, tok_x, NULL), 204);
	ck_assert_int_eq(call("DELETE", path, tok_x, NULL), 404);
	ck_assert_int_eq(call("GET", SAMIR_SERVICES, NULL, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 2);
}
END_TEST

START_TEST(delete_used_deactivates)
{
	char id[MED_UUID_LEN + 1], path[128];

	new_service("{\"name\":\"Suivi\",\"duration_minutes\":20}", id);
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T09:00:00Z", NULL), 201);
	snprintf(path, sizeof path, V1 "/doctors/services/%s", id);
	ck_assert_int_eq(call("DELETE", path, tok_admin, NULL), 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(last_data, "is_active")));
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_services WHERE id = '%s'", id),
	    1);
	/* An inactive service cannot be booked. */
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T10:00:00Z", NULL), 404);
	ck_assert_str_eq(last_message, "Service not found");
}
END_TEST

START_TEST(book_with_service)
{
	char id[MED_UUID_LEN + 1], nadia_svc[MED_UUID_LEN + 1];

	new_service("{\"name\":\"Bilan\",\"duration_minutes\":45}", id);
	/* end_time omitted: start + duration; the appointment names its service. */
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T09:00:00Z", NULL), 201);
	ck_assert_str_eq(ut_str(last_data, "end_time"), "2031-01-06T09:45:00Z");
	ck_assert_str_eq(ut_str(last_data, "service_id"), id);
	/* end_time sent: must be exactly that. */
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z"), 400);
	ck_assert_str_eq(last_message, "end_time must be start_time plus the service's duration");
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T10:00:00Z", "2031-01-06T10:45:00Z"), 201);
	/* Without a service: end_time required (422), service_id null. */
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T11:00:00Z", NULL), 422);
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z"), 201);
	ck_assert(ut_is_null(last_data, "service_id"));
	/* Another doctor's service, or none such: 404. */
	ck_assert_int_eq(call("POST", NADIA_SERVICES, tok_y, "{\"name\":\"N\",\"duration_minutes\":30}"),
	    201);
	snprintf(nadia_svc, sizeof nadia_svc, "%s", last_id);
	ck_assert_int_eq(book(tok_staff, nadia_svc, "2031-01-06T14:00:00Z", NULL), 404);
	ck_assert_int_eq(book(tok_staff, NO_SUCH_ID, "2031-01-06T14:00:00Z", NULL), 404);
	/* The service's visit must fit the window: 11:30 + 45 min passes 12:00. */
	ck_assert_int_eq(book(tok_staff, id, "2031-01-06T11:30:00Z", NULL), 400);
	ck_assert_str_eq(last_message, "Requested time is outside doctor's availability");
}
END_TEST

START_TEST(buffers_both_ways)
{
	char buf[MED_UUID_LEN + 1];

	/* 30 minutes with 15 before and 15 after. */
	new_service("{\"name\":\"Soins\",\"duration_minutes\":30,\"buffer_before_minutes\":15,"
	    "\"buffer_after_minutes\":15}", buf);
	ck_assert_int_eq(book(tok_staff, buf, "2031-01-06T10:00:00Z", NULL), 201);
	/* Existing buffers: a plain visit ending at 10:00 or starting at 10:30 collides. */
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T09:30:00Z", "2031-01-06T10:00:00Z"), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T10:30:00Z", "2031-01-06T11:00:00Z"), 409);
	/* Clear of the buffers: fine (another patient, so only the doctor's time counts). */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SOFIANE "\",\"start_time\":\"2031-01-06T10:45:00Z\","
	    "\"end_time\":\"2031-01-06T11:00:00Z\"}"), 201);
	/* New buffers: 09:15-09:45 occupies 09:00-10:00, into the 10:00 visit's buffer. */
	ck_assert_int_eq(book(tok_staff, buf, "2031-01-06T09:15:00Z", NULL), 409);
	ck_assert_str_eq(last_message, "Doctor is not available at the requested time");
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE doctor_id = '"
	    DOC_SAMIR "' AND start_time >= %lld", NOW_2031), 2);
	/*
	 * 09:00-09:30 occupies 08:45-09:45 (a buffer may lie outside the
	 * window), the 10:00 visit from 09:45: touching, half-open, fine.
	 */
	ck_assert_int_eq(book(tok_staff, buf, "2031-01-06T09:00:00Z", NULL), 201);
}
END_TEST

START_TEST(buffers_reschedule)
{
	char svc[MED_UUID_LEN + 1], appt[MED_UUID_LEN + 1], path[160];

	new_service("{\"name\":\"Soins\",\"duration_minutes\":30,\"buffer_after_minutes\":30}", svc);
	ck_assert_int_eq(book(tok_staff, svc, "2031-01-06T09:00:00Z", NULL), 201);
	snprintf(appt, sizeof appt, "%s", last_id);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SOFIANE "\",\"start_time\":\"2031-01-06T11:00:00Z\","
	    "\"end_time\":\"2031-01-06T11:30:00Z\"}"), 201);
	/* Moved to 10:15-10:45, its 30-minute buffer runs into 11:00: refused; 10:00 fits. */
	snprintf(path, sizeof path, V1 "/appointments/%s/reschedule", appt);
	ck_assert_int_eq(call("PATCH", path, tok_staff, "{\"start_time\":\"2031-01-06T10:15:00Z\","
	    "\"end_time\":\"2031-01-06T10:45:00Z\"}"), 409);
	ck_assert_int_eq(call("PATCH", path, tok_staff, "{\"start_time\":\"2031-01-06T10:00:00Z\","
	    "\"end_time\":\"2031-01-06T10:30:00Z\"}"), 200);
}
END_TEST

START_TEST(slots_of_a_service)
{
	char svc[MED_UUID_LEN + 1], q[128];

	/* Without a service: as ever, 30-minute consecutive slots. */
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"),
	    "09:00,09:30,10:00,10:30,11:00,11:30,14:00,14:30,15:00,15:30,16:00,16:30");
	/* 45 minutes stepped by 15: the last start is 11:15 (ends 12:00). */
	new_service("{\"name\":\"Bilan\",\"duration_minutes\":45,\"buffer_before_minutes\":15,"
	    "\"buffer_after_minutes\":15}", svc);
	snprintf(q, sizeof q, "?start_date=2031-01-06&days=1&service_id=%s", svc);
	ck_assert_str_eq(slot_starts(q), "09:00,09:15,09:30,09:45,10:00,10:15,10:30,10:45,11:00,"
	    "11:15,14:00,14:15,14:30,14:45,15:00,15:15,15:30,15:45,16:00,16:15");
	/* A booked 10:00-10:45 visit occupies 09:45-11:00; a new one needs 15 minutes each side. */
	ck_assert_int_eq(book(tok_staff, svc, "2031-01-06T10:00:00Z", NULL), 201);
	ck_assert_str_eq(slot_starts(q), "11:15,14:00,14:15,14:30,14:45,15:00,15:15,15:30,"
	    "15:45,16:00,16:15");
	/* Plain slots leave the booked buffers free too. */
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"),
	    "09:00,11:00,11:30,14:00,14:30,15:00,15:30,16:00,16:30");
	/* A slot offered is bookable: 11:15 occupies 11:00-12:15, touching 11:00. */
	ck_assert_int_eq(book(tok_staff, svc, "2031-01-06T11:15:00Z", NULL), 201);
	/* The slot step comes from the settings. */
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"slot_step_minutes\":30}"), 200);
	ck_assert_str_eq(slot_starts(q), "14:00,14:30,15:00,15:30,16:00");
	/* Unknown or foreign service: 404; a malformed one: 400. */
	ck_assert_int_eq(call("GET", SLOTS "?service_id=" NO_SUCH_ID, NULL, NULL), 404);
	ck_assert_str_eq(last_message, "Service not found");
	ck_assert_int_eq(call("GET", SLOTS "?service_id=nope", NULL, NULL), 400);
}
END_TEST

START_TEST(settings_routes)
{
	ck_assert_int_eq(call("GET", V1 "/settings", tok_staff, NULL), 200);
	ck_assert_int_eq((int)ut_num(last_data, "min_notice_minutes"), 0);
	ck_assert_int_eq((int)ut_num(last_data, "booking_horizon_days"), 365);
	ck_assert_int_eq((int)ut_num(last_data, "max_no_shows"), 0);
	ck_assert_int_eq((int)ut_num(last_data, "slot_step_minutes"), 15);
	ck_assert_int_eq(call("GET", V1 "/settings", tok_a, NULL), 403);
	ck_assert_int_eq(call("GET", V1 "/settings", tok_x, NULL), 403);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_staff, "{\"max_no_shows\":2}"), 403);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin,
	    "{\"max_no_shows\":2,\"min_notice_minutes\":120}"), 200);
	ck_assert_int_eq((int)ut_num(last_data, "max_no_shows"), 2);
	ck_assert_int_eq((int)ut_num(last_data, "min_notice_minutes"), 120);
	ck_assert_int_eq((int)ut_num(last_data, "booking_horizon_days"), 365);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"booking_horizon_days\":0}"),
	    422);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"slot_step_minutes\":4}"), 422);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"min_notice_minutes\":-1}"),
	    422);
	ck_assert_int_eq(call("GET", V1 "/settings", tok_admin, NULL), 200);
	ck_assert_int_eq((int)ut_num(last_data, "max_no_shows"), 2);
}
END_TEST

START_TEST(notice_and_horizon)
{
	/* A notice of 5 days 14 hours: bookable from Monday 2031-01-06 14:00. */
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin,
	    "{\"min_notice_minutes\":8040,\"booking_horizon_days\":30}"), 200);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-01-06T09:00:00Z\",\"end_time\":\"2031-01-06T09:30:00Z\"}"),
	    400);
	ck_assert_str_eq(last_message, "Too soon: the minimum notice for booking is not met");
	/* 14:00 is exactly the notice. */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-01-06T14:00:00Z\",\"end_time\":\"2031-01-06T14:30:00Z\"}"),
	    201);
	/* Staff and admin on behalf: no notice; still not in the past. */
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z"), 201);
	ck_assert_int_eq(book(tok_admin, NULL, "2031-01-06T09:30:00Z", "2031-01-06T10:00:00Z"), 201);
	ck_assert_int_eq(book(tok_staff, NULL, "2030-12-30T09:00:00Z", "2030-12-30T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "Cannot book an appointment in the past");
	/* Horizon of 30 days: Monday 2031-02-03 is 33 days away, for everyone. */
	ck_assert_int_eq(book(tok_staff, NULL, "2031-02-03T09:00:00Z", "2031-02-03T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "Too far ahead: the start is beyond the booking horizon");
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-27T09:00:00Z", "2031-01-27T09:30:00Z"), 201);
	/* Slots honour both: the 6th before 14:00 and February are out. */
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"),
	    "14:30,15:00,15:30,16:00,16:30");
	ck_assert_str_eq(slot_starts("?start_date=2031-02-03&days=1"), "");
	/* The doctor's own values win over the clinic's; null gives them back. */
	ck_assert_int_eq(call("PATCH", V1 "/doctors/me/profile", tok_x,
	    "{\"min_notice_minutes\":0,\"booking_horizon_days\":60}"), 200);
	ck_assert_int_eq((int)ut_num(last_data, "min_notice_minutes"), 0);
	ck_assert_int_eq((int)ut_num(last_data, "booking_horizon_days"), 60);
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"), "10:00,10:30,11:00,11:30,"
	    "14:30,15:00,15:30,16:00,16:30");
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-02-03T09:00:00Z\",\"end_time\":\"2031-02-03T09:30:00Z\"}"),
	    201);
	ck_assert_int_eq(call("PATCH", V1 "/doctors/me/profile", tok_x,
	    "{\"min_notice_minutes\":null}"), 200);
	ck_assert(ut_is_null(last_data, "min_notice_minutes"));
	ck_assert_int_eq((int)ut_num(last_data, "booking_horizon_days"), 60);
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR, NULL, NULL), 200);
	ck_assert_int_eq((int)ut_num(last_data, "booking_horizon_days"), 60);
	ck_assert_int_eq(call("PATCH", V1 "/doctors/me/profile", tok_x,
	    "{\"booking_horizon_days\":0}"), 422);
}
END_TEST

START_TEST(time_off)
{
	char appt[MED_UUID_LEN + 1], to_id[MED_UUID_LEN + 1], path[160];
	cJSON *c;

	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z"), 201);
	snprintf(appt, sizeof appt, "%s", last_id);
	/* Over a booked visit: created, the visit is listed, not cancelled. */
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/time-off", tok_x,
	    "{\"start_time\":\"2031-01-06T09:30:00Z\",\"end_time\":\"2031-01-06T11:00:00Z\","
	    "\"reason\":\"Congrès\"}"), 201);
	snprintf(to_id, sizeof to_id, "%s", last_id);
	ck_assert_str_eq(ut_str(last_data, "reason"), "Congrès");
	ck_assert_str_eq(ut_str(last_data, "start_time"), "2031-01-06T09:30:00Z");
	c = cJSON_GetObjectItem(last_data, "conflicts");
	ck_assert_int_eq(cJSON_GetArraySize(c), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(c, 0)->valuestring, appt);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE id = '%s'"
	    " AND status = 'SCHEDULED'", appt), 1);
	/* Bookings inside: 400; touching its end: fine. */
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:45:00Z"), 400);
	ck_assert_str_eq(last_message, "Doctor is unavailable");
	ck_assert_int_eq(book(tok_a, NULL, "2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z"), 201);
	/* Slots: none inside (the 10:00 visit and 11:00 are taken anyway). */
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"),
	    "09:00,11:30,14:00,14:30,15:00,15:30,16:00,16:30");
	/* The public list hides the reason; the owner, staff and admin see it. */
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off?from=2031-01-01T00:00:00Z",
	    NULL, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 1);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(last_data, 0), "reason"));
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off", tok_a, NULL), 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(last_data, 0), "reason"));
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off", tok_y, NULL), 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(last_data, 0), "reason"));
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off", tok_staff, NULL), 200);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(last_data, 0), "reason"), "Congrès");
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off", tok_x, NULL), 200);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(last_data, 0), "reason"), "Congrès");
	/* Only past time off: an empty list from now on. */
	ck_assert_int_eq(call("GET", V1 "/doctors/" DOC_SAMIR "/time-off?from=2031-02-01T00:00:00Z",
	    tok_x, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 0);
	/* Who may: the owner, staff, admin; not another doctor nor a patient. */
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/time-off", tok_y,
	    "{\"start_time\":\"2031-01-07T09:00:00Z\",\"end_time\":\"2031-01-07T10:00:00Z\"}"), 403);
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/time-off", tok_a,
	    "{\"start_time\":\"2031-01-07T09:00:00Z\",\"end_time\":\"2031-01-07T10:00:00Z\"}"), 403);
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/time-off", tok_staff,
	    "{\"start_time\":\"2031-01-07T09:00:00Z\",\"end_time\":\"2031-01-07T10:00:00Z\"}"), 201);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(last_data, "conflicts")), 0);
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/time-off", tok_admin,
	    "{\"start_time\":\"2031-01-07T10:00:00Z\",\"end_time\":\"2031-01-07T09:00:00Z\"}"), 422);
	ck_assert_int_eq(call("POST", V1 "/doctors/" NO_SUCH_ID "/time-off", tok_admin,
	    "{\"start_time\":\"2031-01-07T09:00:00Z\",\"end_time\":\"2031-01-07T10:00:00Z\"}"), 404);
	/* Removed: bookable again. */
	snprintf(path, sizeof path, V1 "/doctors/time-off/%s", to_id);
	ck_assert_int_eq(call("DELETE", path, tok_y, NULL), 403);
	ck_assert_int_eq(call("DELETE", path, tok_x, NULL), 204);
	ck_assert_int_eq(call("DELETE", path, tok_x, NULL), 404);
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z"), 201);
}
END_TEST

START_TEST(holidays)
{
	char id[MED_UUID_LEN + 1], path[128];

	/* The seed's five fixed-date holidays, each ahead of the seeding day. */
	ck_assert_int_eq(call("GET", V1 "/holidays", NULL, NULL), 200);
	ck_assert_int_ge(cJSON_GetArraySize(last_data), 5);
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_staff,
	    "{\"date\":\"2031-01-06\",\"name\":\"Test\"}"), 403);
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_admin,
	    "{\"date\":\"2031-01-06\",\"name\":\"Test\"}"), 201);
	snprintf(id, sizeof id, "%s", last_id);
	ck_assert_str_eq(ut_str(last_data, "date"), "2031-01-06");
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_admin,
	    "{\"date\":\"2031-01-06\",\"name\":\"Twice\"}"), 409);
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_admin,
	    "{\"date\":\"2031-02-30\",\"name\":\"No such day\"}"), 422);
	ck_assert_int_eq(call("GET", V1 "/holidays?from=2031-01-01&to=2031-02-01", NULL, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 1);
	/* No slots and no bookings that day, for anyone; the next day is open. */
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=2"),
	    "09:00,09:30,10:00,10:30,11:00,11:30,14:00,14:30,15:00,15:30,16:00,16:30");
	ck_assert_int_eq(call("GET", SLOTS "?start_date=2031-01-06&days=1", NULL, NULL), 200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 0);
	ck_assert_int_eq(book(tok_admin, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z"), 400);
	ck_assert_str_eq(last_message, "The clinic is closed on that day");
	snprintf(path, sizeof path, V1 "/holidays/%s", id);
	ck_assert_int_eq(call("DELETE", path, tok_staff, NULL), 403);
	ck_assert_int_eq(call("DELETE", path, tok_admin, NULL), 204);
	ck_assert_int_eq(call("DELETE", path, tok_admin, NULL), 404);
	ck_assert_int_eq(book(tok_admin, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z"), 201);
}
END_TEST

START_TEST(holiday_in_clinic_zone)
{
	/* Algiers is UTC+1: 2031-01-06T23:30Z is already the 7th there. */
	teardown();
	setenv("CLINIC_TZ", "Africa/Algiers", 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	tok_a = ut_mint(&ctx, EM_AMINA);
	tok_x = ut_mint(&ctx, EM_SAMIR);
	tok_y = ut_mint(&ctx, EM_NADIA);
	tok_staff = ut_mint(&ctx, EM_STAFF);
	tok_admin = ut_mint(&ctx, EM_ADMIN);
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_admin,
	    "{\"date\":\"2031-01-07\",\"name\":\"Test\"}"), 201);
	/* Tuesday 09:00 local is 08:00Z: closed; Monday 11:00 local is open. */
	ck_assert_int_eq(book(tok_admin, NULL, "2031-01-07T08:00:00Z", "2031-01-07T08:30:00Z"), 400);
	ck_assert_str_eq(last_message, "The clinic is closed on that day");
	ck_assert_int_eq(book(tok_admin, NULL, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z"), 201);
}
END_TEST

/* PATCH the status of appointment id as token. */
static int
set_status(const char *id, const char *token, const char *status)
{
	char path[160], body[64];

	snprintf(path, sizeof path, V1 "/appointments/%s/status", id);
	snprintf(body, sizeof body, "{\"status\":\"%s\"}", status);
	return call("PATCH", path, token, body);
}

START_TEST(check_in_and_no_show)
{
	char a1[MED_UUID_LEN + 1], a2[MED_UUID_LEN + 1], a3[MED_UUID_LEN + 1], path[160];

	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T09:00:00Z", "2031-01-06T09:30:00Z"), 201);
	snprintf(a1, sizeof a1, "%s", last_id);
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T10:00:00Z", "2031-01-06T10:30:00Z"), 201);
	snprintf(a2, sizeof a2, "%s", last_id);
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z"), 201);
	snprintf(a3, sizeof a3, "%s", last_id);
	/* Check-in: staff, the owner doctor, admin; not another doctor nor the patient. */
	ck_assert_int_eq(set_status(a1, tok_y, "ARRIVED"), 403);
	ck_assert_int_eq(set_status(a1, tok_a, "ARRIVED"), 403);
	ck_assert_int_eq(set_status(a1, tok_staff, "ARRIVED"), 200);
	ck_assert_str_eq(ut_str(last_data, "status"), "ARRIVED");
	ck_assert_int_eq(set_status(a1, tok_staff, "ARRIVED"), 400);
	/* ARRIVED still occupies the slot. */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SOFIANE "\",\"start_time\":\"2031-01-06T09:00:00Z\","
	    "\"end_time\":\"2031-01-06T09:30:00Z\"}"), 409);
	ck_assert_str_eq(slot_starts("?start_date=2031-01-06&days=1"),
	    "09:30,10:30,11:30,14:00,14:30,15:00,15:30,16:00,16:30");
	/* ARRIVED -> COMPLETED: the doctor, not the front desk; not cancellable meanwhile. */
	snprintf(path, sizeof path, V1 "/appointments/%s/cancel", a1);
	ck_assert_int_eq(call("POST", path, tok_staff, "{}"), 400);
	ck_assert_int_eq(set_status(a1, tok_staff, "COMPLETED"), 403);
	ck_assert_int_eq(set_status(a1, tok_x, "CANCELLED"), 400);
	ck_assert_int_eq(set_status(a1, tok_x, "COMPLETED"), 200);
	ck_assert_int_eq(set_status(a1, tok_x, "NO_SHOW"), 400);
	/* SCHEDULED -> COMPLETED directly, as before. */
	ck_assert_int_eq(set_status(a3, tok_admin, "COMPLETED"), 200);
	/* NO_SHOW only once the visit has started. */
	ck_assert_int_eq(set_status(a2, tok_staff, "NO_SHOW"), 400);
	ck_assert_str_eq(last_message, "A visit can be marked NO_SHOW only after its start time");
	ctx.fixed_now = NOW_2031 + 5 * 86400 + 10 * 3600;  /* Monday 10:00 */
	free(tok_staff);
	free(tok_x);
	tok_staff = ut_mint(&ctx, EM_STAFF);
	tok_x = ut_mint(&ctx, EM_SAMIR);
	ck_assert_int_eq(set_status(a2, tok_staff, "NO_SHOW"), 200);
	ck_assert_str_eq(ut_str(last_data, "status"), "NO_SHOW");
	ck_assert_int_eq(ut_count(&ctx, "SELECT no_show_count FROM patients WHERE id = '"
	    PAT_AMINA "'"), 1);
	ck_assert_int_eq(set_status(a2, tok_staff, "NO_SHOW"), 400);
	ck_assert_int_eq(ut_count(&ctx, "SELECT no_show_count FROM patients WHERE id = '"
	    PAT_AMINA "'"), 1);
	/* The patient sees the count; lists filter by the new statuses. */
	ck_assert_int_eq(call("GET", V1 "/patients/" PAT_AMINA, tok_staff, NULL), 200);
	ck_assert_int_eq((int)ut_num(last_data, "no_show_count"), 1);
	ck_assert_int_eq(call("GET", V1 "/appointments/doctor/me?status=NO_SHOW", tok_x, NULL),
	    200);
	ck_assert_int_eq(cJSON_GetArraySize(last_data), 1);
}
END_TEST

START_TEST(no_show_limit)
{
	ut_exec(&ctx, "UPDATE patients SET no_show_count = 2 WHERE id = '" PAT_AMINA "'");
	/* No limit (0): she books. */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-01-06T09:00:00Z\",\"end_time\":\"2031-01-06T09:30:00Z\"}"),
	    201);
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"max_no_shows\":3}"), 200);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-01-06T10:00:00Z\",\"end_time\":\"2031-01-06T10:30:00Z\"}"),
	    201);
	/* At the limit: 403 for herself, the front desk still books her. */
	ck_assert_int_eq(call("PATCH", V1 "/settings", tok_admin, "{\"max_no_shows\":2}"), 200);
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_a, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"start_time\":\"2031-01-06T11:00:00Z\",\"end_time\":\"2031-01-06T11:30:00Z\"}"),
	    403);
	ck_assert_str_eq(last_message, "Too many missed appointments: the front desk must book for you");
	ck_assert_int_eq(book(tok_staff, NULL, "2031-01-06T11:00:00Z", "2031-01-06T11:30:00Z"), 201);
}
END_TEST

/* Reopen the fixture's database with the clinic in zone tz. */
static void
reopen_in(const char *tz)
{
	teardown();
	setenv("CLINIC_TZ", tz, 1);
	test_ctx_open(&ctx, 1);
	ctx.fixed_now = NOW_2031;
	tok_a = ut_mint(&ctx, EM_AMINA);
	tok_x = ut_mint(&ctx, EM_SAMIR);
	tok_y = ut_mint(&ctx, EM_NADIA);
	tok_staff = ut_mint(&ctx, EM_STAFF);
	tok_admin = ut_mint(&ctx, EM_ADMIN);
}

/* POST a series for Amina with Samir as the front desk; extra: more body fields. */
static int
series(const char *start, const char *freq, int count, const char *extra)
{
	char body[512];

	snprintf(body, sizeof body, "{\"doctor_id\":\"" DOC_SAMIR "\",\"patient_id\":\""
	    PAT_AMINA "\",\"start_time\":\"%s\",\"frequency\":\"%s\",\"count\":%d%s}",
	    start, freq, count, extra);
	return call("POST", V1 "/appointments/series", tok_staff, body);
}

/* The start_time of every appointment of last_data.appointments, joined by commas. */
static const char *
series_starts(void)
{
	static char buf[1024];
	size_t used = 0;
	cJSON *el;

	buf[0] = '\0';
	cJSON_ArrayForEach(el, cJSON_GetObjectItem(last_data, "appointments"))
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? "," : "",
		    ut_str(el, "start_time"));
	return buf;
}

START_TEST(series_keeps_wall_time_across_dst)
{
	const char *sid;
	cJSON *el;

	reopen_in("Europe/Paris");
	/* Spring: 2031-03-30 moves Paris from UTC+1 to UTC+2; 10:00 local stays 10:00. */
	ck_assert_int_eq(series("2031-03-17T10:00:00+01:00", "WEEKLY", 4,
	    ",\"end_time\":\"2031-03-17T10:30:00+01:00\""), 201);
	ck_assert_str_eq(series_starts(), "2031-03-17T09:00:00Z,2031-03-24T09:00:00Z,"
	    "2031-03-31T08:00:00Z,2031-04-07T08:00:00Z");
	sid = ut_str(last_data, "series_id");
	ck_assert(util_is_uuid(sid));
	cJSON_ArrayForEach(el, cJSON_GetObjectItem(last_data, "appointments")) {
		ck_assert_str_eq(ut_str(el, "series_id"), sid);
		ck_assert_str_eq(ut_str(el, "status"), "SCHEDULED");
	}
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE series_id = '%s'"
	    " AND end_time - start_time = 1800", sid), 4);
	/* Autumn: 2031-10-26 moves back to UTC+1. */
	ck_assert_int_eq(series("2031-10-20T10:00:00+02:00", "WEEKLY", 3,
	    ",\"end_time\":\"2031-10-20T10:30:00+02:00\""), 201);
	ck_assert_str_eq(series_starts(), "2031-10-20T08:00:00Z,2031-10-27T09:00:00Z,"
	    "2031-11-03T09:00:00Z");
}
END_TEST

START_TEST(series_all_or_nothing)
{
	cJSON *f;

	/* Occurrence 2 collides with Sofiane's visit, occurrence 3 is a holiday. */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SOFIANE "\",\"start_time\":\"2031-01-20T10:15:00Z\","
	    "\"end_time\":\"2031-01-20T10:45:00Z\"}"), 201);
	ck_assert_int_eq(call("POST", V1 "/holidays", tok_admin,
	    "{\"date\":\"2031-01-27\",\"name\":\"Test\"}"), 201);
	ck_assert_int_eq(series("2031-01-06T10:00:00Z", "WEEKLY", 5,
	    ",\"end_time\":\"2031-01-06T10:30:00Z\""), 409);
	ck_assert_str_eq(last_message, "Series not booked: see failures");
	f = cJSON_GetObjectItem(last_data, "failures");
	ck_assert_int_eq(cJSON_GetArraySize(f), 2);
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(f, 0), "index"), 2);
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(f, 0), "status"), 409);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(f, 0), "start_time"), "2031-01-20T10:00:00Z");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(f, 0), "reason"),
	    "Doctor is not available at the requested time");
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(f, 1), "index"), 3);
	ck_assert_int_eq((int)ut_num(cJSON_GetArrayItem(f, 1), "status"), 400);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(f, 1), "reason"), "The clinic is closed on that day");
	/* Nothing of it was kept. */
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE series_id IS NOT NULL"),
	    0);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE patient_id = '"
	    PAT_AMINA "' AND start_time >= %lld", NOW_2031), 0);
	/* Only rule failures: 400. */
	ck_assert_int_eq(series("2031-01-13T10:00:00Z", "BIWEEKLY", 2,
	    ",\"end_time\":\"2031-01-13T10:30:00Z\""), 400);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(last_data, "failures")), 1);
	/* Around them: fine. */
	ck_assert_int_eq(series("2031-01-06T09:00:00Z", "BIWEEKLY", 3,
	    ",\"end_time\":\"2031-01-06T09:30:00Z\",\"reason\":\"Suivi\""), 201);
	ck_assert_str_eq(series_starts(), "2031-01-06T09:00:00Z,2031-01-20T09:00:00Z,"
	    "2031-02-03T09:00:00Z");
	/* A missing patient fails them all alike: 404. */
	ck_assert_int_eq(call("POST", V1 "/appointments/series", tok_staff, "{\"doctor_id\":\""
	    DOC_SAMIR "\",\"patient_id\":\"" NO_SUCH_ID "\",\"start_time\":\"2031-03-03T09:00:00Z\","
	    "\"end_time\":\"2031-03-03T09:30:00Z\",\"frequency\":\"WEEKLY\",\"count\":2}"), 404);
	ck_assert_str_eq(last_message, "Patient not found");
	/* Limits. */
	ck_assert_int_eq(series("2031-03-03T09:00:00Z", "WEEKLY", 1,
	    ",\"end_time\":\"2031-03-03T09:30:00Z\""), 422);
	ck_assert_int_eq(series("2031-03-03T09:00:00Z", "WEEKLY", 53,
	    ",\"end_time\":\"2031-03-03T09:30:00Z\""), 422);
	ck_assert_int_eq(series("2031-03-03T09:00:00Z", "DAILY", 2,
	    ",\"end_time\":\"2031-03-03T09:30:00Z\""), 422);
	ck_assert_int_eq(series("2031-03-03T09:00:00Z", "WEEKLY", 2, ""), 422);
}
END_TEST

START_TEST(series_monthly_and_service)
{
	char svc[MED_UUID_LEN + 1];
	cJSON *f;

	/* Monday 2031-03-31: April has no 31st. */
	ck_assert_int_eq(series("2031-03-31T09:00:00Z", "MONTHLY", 2,
	    ",\"end_time\":\"2031-03-31T09:30:00Z\""), 400);
	f = cJSON_GetObjectItem(last_data, "failures");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(f, 0), "reason"), "No such day in that month");
	/* Monday 2031-06-02, then Wednesday 07-02 (no window), Saturday 08-02 (none either). */
	ck_assert_int_eq(series("2031-06-02T09:00:00Z", "MONTHLY", 3,
	    ",\"end_time\":\"2031-06-02T09:30:00Z\""), 400);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(last_data, "failures")), 1);
	/* Monday 2031-09-01 and Wednesday 10-01: both inside a window. */
	ck_assert_int_eq(series("2031-09-01T09:00:00Z", "MONTHLY", 2,
	    ",\"end_time\":\"2031-09-01T09:30:00Z\""), 201);
	ck_assert_str_eq(series_starts(), "2031-09-01T09:00:00Z,2031-10-01T09:00:00Z");
	/* With a service: end_time from the duration, buffers kept by each occurrence. */
	new_service("{\"name\":\"Kiné\",\"duration_minutes\":45,\"buffer_after_minutes\":15}",
	    svc);
	{
		char extra[128];
		snprintf(extra, sizeof extra, ",\"service_id\":\"%s\"", svc);
		ck_assert_int_eq(series("2031-01-06T09:00:00Z", "WEEKLY", 3, extra), 201);
	}
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE service_id = '%s'"
	    " AND end_time - start_time = 2700 AND buffer_after = 900", svc), 3);
	/* 09:45-10:00 is the buffer of each: taken. */
	ck_assert_int_eq(call("POST", V1 "/appointments", tok_staff, "{\"doctor_id\":\"" DOC_SAMIR
	    "\",\"patient_id\":\"" PAT_SOFIANE "\",\"start_time\":\"2031-01-13T09:45:00Z\","
	    "\"end_time\":\"2031-01-13T10:00:00Z\"}"), 409);
}
END_TEST

START_TEST(series_cancel_from)
{
	char sid[MED_UUID_LEN + 1], path[160], first[MED_UUID_LEN + 1];
	cJSON *c;

	ck_assert_int_eq(series("2031-01-06T09:00:00Z", "WEEKLY", 4,
	    ",\"end_time\":\"2031-01-06T09:30:00Z\""), 201);
	snprintf(sid, sizeof sid, "%s", ut_str(last_data, "series_id"));
	snprintf(first, sizeof first, "%s",
	    ut_str(cJSON_GetArrayItem(cJSON_GetObjectItem(last_data, "appointments"), 0), "id"));
	snprintf(path, sizeof path, V1 "/appointments/series/%s/cancel", sid);
	/* Another doctor may not; the patient may. */
	ck_assert_int_eq(call("POST", path, tok_y, "{}"), 403);
	ck_assert_int_eq(call("POST", V1 "/appointments/series/" NO_SUCH_ID "/cancel", tok_admin, "{}"),
	    404);
	/* The first is checked in: it stays whatever the bound. */
	ck_assert_int_eq(set_status(first, tok_staff, "ARRIVED"), 200);
	ck_assert_int_eq(call("POST", path, tok_a, "{\"from\":\"2031-01-20T00:00:00Z\","
	    "\"cancellation_reason\":\"Déménagement\"}"), 200);
	c = cJSON_GetObjectItem(last_data, "cancelled");
	ck_assert_int_eq(cJSON_GetArraySize(c), 2);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE series_id = '%s'"
	    " AND status = 'CANCELLED' AND start_time >= %lld", sid, NOW_2031 + 19 * 86400), 2);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE series_id = '%s'"
	    " AND status = 'SCHEDULED'", sid), 1);
	/* Default from: now, so the rest goes. */
	ck_assert_int_eq(call("POST", path, tok_x, "{}"), 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(last_data, "cancelled")), 1);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM appointments WHERE series_id = '%s'"
	    " AND status = 'ARRIVED'", sid), 1);
}
END_TEST

/* The slot starts (UTC, "MM-DDTHH:MM") of Samir's service svc on date, one day. */
static const char *
service_slots_utc(const char *svc, const char *date)
{
	static char buf[512];
	char path[256];
	size_t used = 0;
	cJSON *el;

	snprintf(path, sizeof path, SLOTS "?start_date=%s&days=1&service_id=%s", date, svc);
	ck_assert_int_eq(call("GET", path, NULL, NULL), 200);
	buf[0] = '\0';
	cJSON_ArrayForEach(el, last_data)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%.11s", used ? "," : "",
		    ut_str(el, "start_time") + 5);
	return buf;
}

START_TEST(service_slots_on_dst_days)
{
	char svc[MED_UUID_LEN + 1];

	reopen_in("Europe/Paris");
	/* Sundays 09:00-10:00 local; both 2031 changes fall on a Sunday. */
	ck_assert_int_eq(call("POST", V1 "/doctors/" DOC_SAMIR "/availability", tok_x,
	    "{\"weekday\":\"Sun\",\"start_time\":\"09:00\",\"end_time\":\"10:00\"}"), 201);
	new_service("{\"name\":\"Court\",\"duration_minutes\":30,\"buffer_after_minutes\":15}",
	    svc);
	/* 09:00, 09:15, 09:30 local: UTC+1 the week before, UTC+2 on the change day. */
	ck_assert_str_eq(service_slots_utc(svc, "2031-03-23"), "03-23T08:00,03-23T08:15,03-23T08:30");
	ck_assert_str_eq(service_slots_utc(svc, "2031-03-30"), "03-30T07:00,03-30T07:15,03-30T07:30");
	ck_assert_str_eq(service_slots_utc(svc, "2031-10-19"), "10-19T07:00,10-19T07:15,10-19T07:30");
	ck_assert_str_eq(service_slots_utc(svc, "2031-10-26"), "10-26T08:00,10-26T08:15,10-26T08:30");
	/* Booked on the change day by local time, end from the duration. */
	ck_assert_int_eq(book(tok_staff, svc, "2031-03-30T09:00:00", NULL), 201);
	ck_assert_str_eq(ut_str(last_data, "start_time"), "2031-03-30T07:00:00Z");
	ck_assert_str_eq(ut_str(last_data, "end_time"), "2031-03-30T07:30:00Z");
	/* Its 15 minutes after keep 09:30 local free of a new visit. */
	ck_assert_str_eq(service_slots_utc(svc, "2031-03-30"), "");
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, default_consultation);
	tcase_add_test(tc, services_managed);
	tcase_add_test(tc, delete_used_deactivates);
	tcase_add_test(tc, book_with_service);
	tcase_add_test(tc, buffers_both_ways);
	tcase_add_test(tc, buffers_reschedule);
	tcase_add_test(tc, slots_of_a_service);
	tcase_add_test(tc, settings_routes);
	tcase_add_test(tc, notice_and_horizon);
	tcase_add_test(tc, time_off);
	tcase_add_test(tc, holidays);
	tcase_add_test(tc, holiday_in_clinic_zone);
	tcase_add_test(tc, check_in_and_no_show);
	tcase_add_test(tc, no_show_limit);
	tcase_add_test(tc, series_keeps_wall_time_across_dst);
	tcase_add_test(tc, series_all_or_nothing);
	tcase_add_test(tc, series_monthly_and_service);
	tcase_add_test(tc, series_cancel_from);
	tcase_add_test(tc, service_slots_on_dst_days);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(sched_suite)
