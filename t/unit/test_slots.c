/*
 * test_slots.c - availability windows and free slots in-process (API.md
 * §5): window rules (end after start, no overlap, owner only) and the slot
 * algorithm - window edges, appointments, the past, bounds, and the two
 * DST days of Europe/Paris in 2026.
 */
#include <time.h>

#include "unitkit.h"
#include "testreg.h"

/* A doctor of our own, with no windows but those a test adds. */
#define DOC_T "dddddddd-0000-4000-8000-000000000001"
#define SLOTS "/api/v1/doctors/" DOC_T "/availability/slots"

/* 2026-06-01 is a Monday. */
#define T_0601 1780272000LL
#define H(h, m) ((h) * 3600 + (m) * 60)

static struct med_ctx ctx;

static void
add_doctor(void)
{
	ut_exec(&ctx, "INSERT INTO users (id, email, password_hash, role_id, created_at, updated_at)"
	    " VALUES ('dddddddd-0000-4000-8000-0000000000aa', 'slots.doc@example.dz', 'x', 2, 0, 0);"
	    "INSERT INTO doctors (id, user_id, last_name, created_at, updated_at) VALUES ('" DOC_T "',"
	    " 'dddddddd-0000-4000-8000-0000000000aa', 'Slots', 0, 0)");
}

static void
setup(void)
{
	test_ctx_open(&ctx, 1);
	add_doctor();
}

static void
teardown(void)
{
	test_ctx_close(&ctx);
}

static void
add_window(int weekday, int start, int end, int active)
{
	static int n;

	ut_exec(&ctx, "INSERT INTO doctor_availability (id, doctor_id, weekday, start_time, end_time,"
	    " is_active, created_at, updated_at) VALUES ('eeeeeeee-0000-4000-8000-%012d', '" DOC_T "',"
	    " %d, %d, %d, %d, 0, 0)", ++n, weekday, start, end, active);
}

static void
add_appt(int n, long long start, long long end, const char *status)
{
	char id[40];

	snprintf(id, sizeof id, "ffffffff-0000-4000-8000-%012d", n);
	ut_appt(&ctx, id, DOC_T, PAT_AMINA, start, end, status);
}

/*
 * GET the slots at path (query appended to SLOTS); the starts as
 * "MM-DDTHH:MM" joined by commas.  Every slot must end after it starts,
 * and starts must ascend.
 */
static int
slots(const char *query, char *buf, size_t size)
{
	char path[256], prev[32] = "";
	cJSON *env = NULL, *el;
	size_t used = 0;
	int status;

	buf[0] = '\0';
	snprintf(path, sizeof path, SLOTS "%s", query);
	status = test_call(&ctx, "GET", path, NULL, NULL, &env);
	if (status == 200) {
		cJSON_ArrayForEach(el, ut_data(env)) {
			const char *s = ut_str(el, "start_time"), *e = ut_str(el, "end_time");
			ck_assert(s != NULL && e != NULL && strlen(s) == 20 && s[19] == 'Z');
			ck_assert_msg(strcmp(e, s) > 0, "slot %s ends at %s", s, e);
			ck_assert_msg(strcmp(s, prev) > 0, "slot %s after %s", s, prev);
			snprintf(prev, sizeof prev, "%s", s);
			used += (size_t)snprintf(buf + used, size - used, "%s%.11s", used ? "," : "",
			    s + 5);
		}
	}
	cJSON_Delete(env);
	return status;
}

START_TEST(window_edges)
{
	char got[1024];
	cJSON *env = NULL, *first;

	ctx.fixed_now = T_0601 - 86400;
	add_window(0, H(9, 0), H(10, 0), 1);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30");
	ck_assert_int_eq(test_call(&ctx, "GET", SLOTS "?start_date=2026-06-01&days=1", NULL, NULL, &env),
	    200);
	first = cJSON_GetArrayItem(ut_data(env), 0);
	ck_assert_str_eq(ut_str(first, "start_time"), "2026-06-01T09:00:00Z");
	ck_assert_str_eq(ut_str(first, "end_time"), "2026-06-01T09:30:00Z");
	cJSON_Delete(env);
	/* Consecutive slots while the slot end <= window end. */
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=45", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00");
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=60", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00");
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=20", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:20,06-01T09:40");
	/* A slot longer than the window: none. */
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=61", got, sizeof got), 200);
	ck_assert_str_eq(got, "");

	/* More windows, one too short, one inactive: merged in time order. */
	add_window(0, H(14, 0), H(15, 0), 1);
	add_window(0, H(10, 0), H(10, 20), 1);
	add_window(0, H(16, 0), H(17, 0), 0);
	add_window(1, H(8, 0), H(8, 30), 1);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30,06-01T14:00,06-01T14:30");
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=2", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30,06-01T14:00,06-01T14:30,06-02T08:00");
	/* Default 7 days from a Monday: the next Monday is out; 8 days bring it in. */
	ck_assert_int_eq(slots("?start_date=2026-06-01", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30,06-01T14:00,06-01T14:30,06-02T08:00");
	ck_assert_int_eq(slots("?start_date=2026-06-02&days=7", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-02T08:00,06-08T09:00,06-08T09:30,06-08T14:00,06-08T14:30");
	/* start_date defaults to today in the clinic time zone. */
	ctx.fixed_now = T_0601 + H(12, 0);
	ck_assert_int_eq(slots("?days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T14:00,06-01T14:30");
}
END_TEST

START_TEST(appointments_block)
{
	char got[512];

	ctx.fixed_now = T_0601 - 86400;
	add_window(0, H(9, 0), H(11, 0), 1);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30,06-01T10:00,06-01T10:30");
	/* Back to back: each blocks exactly its own slot (half-open). */
	add_appt(1, T_0601 + H(9, 30), T_0601 + H(10, 0), "SCHEDULED");
	add_appt(2, T_0601 + H(10, 0), T_0601 + H(10, 30), "SCHEDULED");
	/* Only SCHEDULED ones count, and only this doctor's. */
	add_appt(3, T_0601 + H(9, 0), T_0601 + H(9, 30), "CANCELLED");
	add_appt(4, T_0601 + H(10, 30), T_0601 + H(11, 0), "COMPLETED");
	ut_appt(&ctx, "ffffffff-0000-4000-8000-000000000099", DOC_SAMIR, PAT_SOFIANE,
	    T_0601 + H(9, 0), T_0601 + H(11, 0), "SCHEDULED");
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T10:30");
	/* A misaligned one blocks every slot it touches. */
	add_appt(5, T_0601 + H(8, 45), T_0601 + H(9, 5), "SCHEDULED");
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T10:30");
	/* With 60-minute slots: 09:00-10:00 and 10:00-11:00 are both touched. */
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=60", got, sizeof got), 200);
	ck_assert_str_eq(got, "");
	/* A long one from the previous day still blocks. */
	add_window(1, H(0, 0), H(1, 0), 1);
	add_appt(6, T_0601 + H(23, 30), T_0601 + H(24 + 0, 30), "SCHEDULED");
	ck_assert_int_eq(slots("?start_date=2026-06-02&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-02T00:30");
}
END_TEST

START_TEST(past_dropped)
{
	char got[512];

	add_window(0, H(9, 0), H(11, 0), 1);
	ctx.fixed_now = T_0601 + H(9, 30);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:30,06-01T10:00,06-01T10:30");
	ctx.fixed_now = T_0601 + H(9, 30) - 1;
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:00,06-01T09:30,06-01T10:00,06-01T10:30");
	/* A slot under way still ends after now: it stays. */
	ctx.fixed_now = T_0601 + H(9, 45);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-01T09:30,06-01T10:00,06-01T10:30");
	ctx.fixed_now = T_0601 + H(12, 0);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(slots("?start_date=2026-05-01&days=31", got, sizeof got), 200);
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(query_bounds)
{
	char got[8192], msg[128];

	ctx.fixed_now = T_0601 - 86400;
	add_window(0, H(9, 0), H(10, 0), 1);
	ck_assert_int_eq(ut_call_msg(&ctx, "GET", SLOTS "?days=0", NULL, NULL, msg, sizeof msg), 400);
	ck_assert_ptr_nonnull(strstr(msg, "days"));
	ck_assert_int_eq(slots("?days=63", got, sizeof got), 400);
	ck_assert_int_eq(slots("?days=-1", got, sizeof got), 400);
	ck_assert_int_eq(slots("?days=abc", got, sizeof got), 400);
	ck_assert_int_eq(slots("?days=1.5", got, sizeof got), 400);
	ck_assert_int_eq(slots("?days=", got, sizeof got), 400);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=62", got, sizeof got), 200);
	/* Nine Mondays from 2026-06-01 to 2026-07-27 lie within 62 days. */
	ck_assert_int_eq((int)(strlen(got) + 1) / 12, 18);
	ck_assert_int_eq(ut_call_msg(&ctx, "GET", SLOTS "?slot_minutes=4", NULL, NULL, msg, sizeof msg),
	    400);
	ck_assert_ptr_nonnull(strstr(msg, "slot_minutes"));
	ck_assert_int_eq(slots("?slot_minutes=481", got, sizeof got), 400);
	ck_assert_int_eq(slots("?slot_minutes=x", got, sizeof got), 400);
	ck_assert_int_eq(slots("?start_date=2026-06-01&days=1&slot_minutes=5", got, sizeof got), 200);
	ck_assert_int_eq((int)(strlen(got) + 1) / 12, 12);
	add_window(1, H(0, 0), H(8, 0), 1);
	ck_assert_int_eq(slots("?start_date=2026-06-02&days=1&slot_minutes=480", got, sizeof got), 200);
	ck_assert_str_eq(got, "06-02T00:00");
	ck_assert_int_eq(ut_call_msg(&ctx, "GET", SLOTS "?start_date=2026-02-30", NULL, NULL, msg,
	    sizeof msg), 400);
	ck_assert_ptr_nonnull(strstr(msg, "start_date"));
	ck_assert_int_eq(slots("?start_date=2026-6-1", got, sizeof got), 400);
	ck_assert_int_eq(slots("?start_date=", got, sizeof got), 400);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/" NO_SUCH_ID "/availability/slots",
	    NULL, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/zzz/availability/slots", NULL, NULL),
	    422);
}
END_TEST

/* Re-open the fixture with CLINIC_TZ=tz; the process TZ follows it. */
static void
reopen_in(const char *tz)
{
	test_ctx_close(&ctx);
	ck_assert_int_eq(setenv("CLINIC_TZ", tz, 1), 0);
	test_ctx_open(&ctx, 1);
	unsetenv("CLINIC_TZ");
	add_doctor();
}

START_TEST(dst_paris)
{
	char got[512];
	cJSON *env = NULL;

	reopen_in("Europe/Paris");
	ctx.fixed_now = 1767225600; /* 2026-01-01T00:00:00Z */
	add_window(5, H(9, 0), H(10, 0), 1);  /* Sat */
	add_window(6, H(9, 0), H(10, 0), 1);  /* Sun */
	add_window(0, H(0, 30), H(1, 30), 1); /* Mon, just after local midnight */
	/* 2026-03-29: clocks go forward; 09:00 is UTC+1 on Saturday, UTC+2 on Sunday. */
	ck_assert_int_eq(slots("?start_date=2026-03-28&days=3", got, sizeof got), 200);
	ck_assert_str_eq(got, "03-28T08:00,03-28T08:30,03-29T07:00,03-29T07:30,"
	    "03-29T22:30,03-29T23:00");
	/* 2026-10-25: clocks go back; UTC+2 on Saturday, UTC+1 on Sunday. */
	ck_assert_int_eq(slots("?start_date=2026-10-24&days=2", got, sizeof got), 200);
	ck_assert_str_eq(got, "10-24T07:00,10-24T07:30,10-25T08:00,10-25T08:30");
	/* Windows are wall-clock times whatever the season. */
	ck_assert_int_eq(test_call(&ctx, "GET", "/api/v1/doctors/" DOC_T "/availability", NULL, NULL,
	    &env), 200);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "start_time"), "00:30:00");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 1), "start_time"), "09:00:00");
	cJSON_Delete(env);
	/* A window inside the spring gap yields no slot that ends before it starts. */
	add_window(6, H(2, 0), H(3, 0), 1);
	ck_assert_int_eq(slots("?start_date=2026-03-29&days=1", got, sizeof got), 200);
	ck_assert_ptr_nonnull(strstr(got, "03-29T07:00,03-29T07:30"));
	/* "Today" is the clinic's date: 23:30Z on 03-27 is already 03-28 in Paris. */
	ctx.fixed_now = 1774656000 - 1800;
	ck_assert_int_eq(slots("?days=1", got, sizeof got), 200);
	ck_assert_str_eq(got, "03-28T08:00,03-28T08:30");
	ck_assert_int_eq(setenv("TZ", "UTC", 1), 0);
	tzset();
}
END_TEST

START_TEST(windows_crud)
{
	char uid[37], did[37], path[160], wid[64], wpath[160], msg[128];
	char *owner = ut_new_user(&ctx, "slots.owner@example.dz", "DOCTOR", uid);
	char *other = ut_login(&ctx, EM_SAMIR), *admin = ut_login(&ctx, EM_ADMIN);
	char *pat = ut_login(&ctx, EM_AMINA), *staff = ut_login(&ctx, EM_STAFF);
	cJSON *env = NULL, *w;

	ut_own_profile(&ctx, "/api/v1/doctors/me/profile", owner, "{\"last_name\":\"Owner\"}", did);
	snprintf(path, sizeof path, "/api/v1/doctors/%s/availability", did);
	ck_assert_int_eq(test_call(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Mon\",\"start_time\":\"09:00\",\"end_time\":\"12:00:00\"}", &env), 201);
	w = ut_data(env);
	snprintf(wid, sizeof wid, "%s", ut_str(w, "id"));
	ck_assert_str_eq(ut_str(w, "doctor_id"), did);
	ck_assert_str_eq(ut_str(w, "weekday"), "Mon");
	ck_assert_str_eq(ut_str(w, "start_time"), "09:00:00");
	ck_assert_str_eq(ut_str(w, "end_time"), "12:00:00");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(w, "is_active")));
	ck_assert_ptr_nonnull(ut_str(w, "created_at"));
	cJSON_Delete(env);
	snprintf(wpath, sizeof wpath, "/api/v1/doctors/availability/%s", wid);

	/* Rule: no overlap on one weekday (409); touching is fine. */
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", path, admin,
	    "{\"weekday\":\"Mon\",\"start_time\":\"11:00\",\"end_time\":\"13:00\"}", msg, sizeof msg),
	    409);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, admin,
	    "{\"weekday\":\"Mon\",\"start_time\":\"08:00\",\"end_time\":\"13:00\"}"), 409);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, admin,
	    "{\"weekday\":\"Mon\",\"start_time\":\"12:00\",\"end_time\":\"13:00\"}"), 201);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Tue\",\"start_time\":\"11:00\",\"end_time\":\"13:00\"}"), 201);
	/* An inactive window may overlap; activating it may not. */
	ck_assert_int_eq(test_call(&ctx, "POST", path, owner, "{\"weekday\":\"Mon\","
	    "\"start_time\":\"10:00\",\"end_time\":\"11:00\",\"is_active\":false}", &env), 201);
	snprintf(msg, sizeof msg, "/api/v1/doctors/availability/%s", ut_str(ut_data(env), "id"));
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", msg, owner, "{\"is_active\":true}"), 409);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", msg, owner, "{\"is_active\":true,\"weekday\":\"Wed\"}"),
	    200);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_availability WHERE doctor_id = '%s'",
	    did), 4);

	/* 422: end not after start, unknown weekday, bad times, missing fields. */
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"10:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"09:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Monday\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Fri\",\"start_time\":\"25:00\",\"end_time\":\"26:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, owner,
	    "{\"weekday\":4,\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 422);
	ck_assert_int_eq(ut_count(&ctx, "SELECT count(*) FROM doctor_availability WHERE doctor_id = '%s'",
	    did), 4);

	/* Rule: only the owner or an admin. */
	ck_assert_int_eq(ut_call_msg(&ctx, "POST", path, other,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}", msg, sizeof msg),
	    403);
	ck_assert_str_eq(msg, "Forbidden");
	ck_assert_int_eq(ut_status(&ctx, "POST", path, pat,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, staff,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "POST", path, NULL,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 401);
	ck_assert_int_eq(ut_status(&ctx, "POST", "/api/v1/doctors/" NO_SUCH_ID "/availability", admin,
	    "{\"weekday\":\"Fri\",\"start_time\":\"10:00\",\"end_time\":\"11:00\"}"), 404);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", wpath, other, "{\"end_time\":\"12:30\"}"), 403);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", wpath, other, NULL), 403);

	/* PATCH: partial, excludes itself from the overlap check. */
	ck_assert_int_eq(test_call(&ctx, "PATCH", wpath, owner, "{\"start_time\":\"08:30\"}", &env), 200);
	ck_assert_str_eq(ut_str(ut_data(env), "start_time"), "08:30:00");
	ck_assert_str_eq(ut_str(ut_data(env), "end_time"), "12:00:00");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", wpath, owner, "{\"end_time\":\"12:30\"}"), 409);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", wpath, owner, "{\"end_time\":\"08:00\"}"), 422);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", wpath, admin, "{\"weekday\":\"Tue\"}"), 409);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", wpath, admin, "{\"weekday\":\"Sun\"}"), 200);
	ck_assert_int_eq(ut_status(&ctx, "PATCH", "/api/v1/doctors/availability/" NO_SUCH_ID, admin,
	    "{}"), 404);

	/* Public list, by weekday then start. */
	ck_assert_int_eq(test_call(&ctx, "GET", path, NULL, NULL, &env), 200);
	ck_assert_int_eq(cJSON_GetArraySize(ut_data(env)), 4);
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 0), "weekday"), "Mon");
	ck_assert_str_eq(ut_str(cJSON_GetArrayItem(ut_data(env), 3), "weekday"), "Sun");
	cJSON_Delete(env);
	ck_assert_int_eq(ut_status(&ctx, "GET", "/api/v1/doctors/" NO_SUCH_ID "/availability", NULL,
	    NULL), 404);

	ck_assert_int_eq(ut_status(&ctx, "DELETE", wpath, owner, NULL), 204);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", wpath, owner, NULL), 404);
	ck_assert_int_eq(ut_status(&ctx, "DELETE", "/api/v1/doctors/availability/bad", admin, NULL),
	    422);
	free(owner);
	free(other);
	free(admin);
	free(pat);
	free(staff);
}
END_TEST

static Suite *
slots_suite(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("slots");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, window_edges);
	tcase_add_test(tc, appointments_block);
	tcase_add_test(tc, past_dropped);
	tcase_add_test(tc, query_bounds);
	tcase_add_test(tc, dst_paris);
	tcase_add_test(tc, windows_crud);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(slots_suite)
