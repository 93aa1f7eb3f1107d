/*
 * test_people.c - /patients and /doctors (API.md §4-5) against the real
 * stack: every route with the identities anonymous, patient A, patient B,
 * doctor X, doctor Y, staff and admin, forbidden cases included.
 *
 * The stack and its database are shared with the other suites, so every
 * test that changes state makes its own accounts, profiles and windows,
 * and books only on its own fresh doctor.  Dates come from the slots the
 * API itself offers, so the tests hold whatever CLINIC_TZ the stack has.
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

#define ADMIN_EMAIL "admin@example.dz"
#define STAFF_EMAIL "reception@example.dz"
#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

/* The cast of one test: fresh accounts, each with its profile. */
struct cast {
	char *admin, *staff, *anon;
	char *pa, *pb, *dx, *dy;              /* tokens */
	char pa_id[37], pb_id[37];            /* patient ids */
	char dx_id[37], dy_id[37];            /* doctor ids */
	char pa_user[37], dx_user[37];
	char tag[48];
};

static int seq;

static void
unique_tag(char *buf, size_t size, const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, size, "%s%ld%ld%d", what, (long)getpid(), ts.tv_nsec % 100000, ++seq);
}

static char *
fresh_patient(const char *admin, const char *first, char *user_id, char *patient_id)
{
	char body[256];
	char *tok = e2e_fresh_account(admin, "e2e.people.pat", NULL, user_id);

	snprintf(body, sizeof body, "{\"first_name\":\"%s\",\"last_name\":\"E2E\","
	    "\"blood_type\":\"A+\",\"allergies\":\"None\"}", first);
	ck_assert_int_eq(e2e_call("POST", "/patients/me", tok, body, patient_id), 201);
	return tok;
}

/* A fresh doctor with a profile (last name = tag) and 09:00-10:00 every day. */
static char *
fresh_doctor(const char *admin, const char *tag, char *user_id, char *doctor_id)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char body[256], path[128];
	char *tok = e2e_fresh_account(admin, "e2e.people.doc", "DOCTOR", user_id);

	snprintf(body, sizeof body, "{\"first_name\":\"Doc\",\"last_name\":\"%s\",\"city\":\"%s\","
	    "\"specialties\":[\"%s\"]}", tag, tag, tag);
	ck_assert_int_eq(e2e_call("POST", "/doctors/me/profile", tok, body, doctor_id), 201);
	snprintf(path, sizeof path, "/doctors/%s/availability", doctor_id);
	for (int i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"09:00\","
		    "\"end_time\":\"10:00\"}", days[i]);
		ck_assert_int_eq(e2e_call("POST", path, tok, body, NULL), 201);
	}
	return tok;
}

static void
cast_open(struct cast *c)
{
	char uid[37], tag[64];

	memset(c, 0, sizeof *c);
	unique_tag(c->tag, sizeof c->tag, "Zz");
	c->admin = e2e_token(ADMIN_EMAIL, E2E_PW);
	c->staff = e2e_token(STAFF_EMAIL, E2E_PW);
	c->pa = fresh_patient(c->admin, "Alpha", c->pa_user, c->pa_id);
	c->pb = fresh_patient(c->admin, "Beta", uid, c->pb_id);
	snprintf(tag, sizeof tag, "%sX", c->tag);
	c->dx = fresh_doctor(c->admin, tag, c->dx_user, c->dx_id);
	snprintf(tag, sizeof tag, "%sY", c->tag);
	c->dy = fresh_doctor(c->admin, tag, uid, c->dy_id);
}

static void
cast_close(struct cast *c)
{
	free(c->admin);
	free(c->staff);
	free(c->pa);
	free(c->pb);
	free(c->dx);
	free(c->dy);
}

static int
st(const char *method, const char *path, const char *token, const char *body)
{
	return e2e_call(method, path, token, body, NULL);
}

/* Call and keep the answer (caller frees r). */
static int
call(const char *method, const char *path, const char *token, const char *body,
    struct http_result *r)
{
	return api(method, path, token, body, r);
}

static const char *
message_of(const struct http_result *r)
{
	return e2e_str(r->json, "message");
}

/* A date two days ahead, in the future in any clinic time zone. */
static void
date_ahead(char out[11], int days)
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The slots of doctor on the day two days ahead (count returned). */
static int
slots_of(const char *doctor, char starts[][32], char ends[][32], int max)
{
	struct http_result r;
	char path[160], day[11];
	cJSON *el;
	int n = 0;

	date_ahead(day, 2);
	snprintf(path, sizeof path, "/doctors/%s/availability/slots?start_date=%s&days=1", doctor, day);
	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	cJSON_ArrayForEach(el, e2e_data(&r)) {
		if (n < max) {
			snprintf(starts[n], 32, "%s", e2e_str(el, "start_time"));
			snprintf(ends[n], 32, "%s", e2e_str(el, "end_time"));
		}
		n++;
	}
	http_result_free(&r);
	return n;
}

/* Book the first free slot of doctor for the patient token; appointment id out. */
static void
book_first(const char *patient_token, const char *doctor, char *appt_id)
{
	char starts[4][32], ends[4][32], body[256];

	ck_assert_int_ge(slots_of(doctor, starts, ends, 4), 1);
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\","
	    "\"reason\":\"e2e people\"}", doctor, starts[0], ends[0]);
	ck_assert_int_eq(e2e_call("POST", "/appointments", patient_token, body, appt_id), 201);
}

/* ---- patients ---------------------------------------------------------- */

START_TEST(patients_me)
{
	struct cast c;
	struct http_result r;
	char uid[37], pid[37];
	char *fresh;

	cast_open(&c);
	fresh = e2e_fresh_account(c.admin, "e2e.people.me", NULL, uid);
	ck_assert_int_eq(st("GET", "/patients/me", fresh, NULL), 404);
	ck_assert_int_eq(st("PATCH", "/patients/me", fresh, "{\"phone\":\"1\"}"), 404);
	ck_assert_int_eq(e2e_call("POST", "/patients/me", fresh, "{\"first_name\":\"Mina\","
	    "\"medications\":\"Aspirine\"}", pid), 201);
	ck_assert_int_eq(call("POST", "/patients/me", fresh, "{}", &r), 409);
	ck_assert_str_eq(message_of(&r), "Patient profile already exists");
	http_result_free(&r);
	ck_assert_int_eq(call("PATCH", "/patients/me", fresh, "{\"medications\":null,\"city\":\"Oran\"}",
	    &r), 200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(e2e_data(&r), "medications")));
	ck_assert_str_eq(e2e_str(e2e_data(&r), "city"), "Oran");
	ck_assert_str_eq(e2e_str(e2e_data(&r), "first_name"), "Mina");
	http_result_free(&r);
	ck_assert_int_eq(call("GET", "/patients/me", fresh, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "id"), pid);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "user_id"), uid);
	http_result_free(&r);
	ck_assert_int_eq(st("PATCH", "/patients/me", fresh, "{\"blood_type\":\"TOOLONG\"}"), 422);
	ck_assert_int_eq(st("PATCH", "/patients/me", fresh, "{\"date_of_birth\":\"31/12/1990\"}"), 422);
	ck_assert_int_eq(st("GET", "/patients/me", NULL, NULL), 401);
	ck_assert_int_eq(st("POST", "/patients/me", NULL, "{}"), 401);
	ck_assert_int_eq(st("GET", "/patients/me", c.dx, NULL), 403);
	ck_assert_int_eq(st("PATCH", "/patients/me", c.dx, "{}"), 403);
	ck_assert_int_eq(st("GET", "/patients/me", c.staff, NULL), 403);
	free(fresh);
	cast_close(&c);
}
END_TEST

START_TEST(patients_admin)
{
	struct cast c;
	struct http_result r;
	char uid[37], pid[37], body[128], path[96];
	char *fresh;

	cast_open(&c);
	ck_assert_int_eq(call("GET", "/patients?limit=1000", c.admin, NULL, &r), 200);
	ck_assert_int_ge(cJSON_GetArraySize(e2e_data(&r)), 6);
	http_result_free(&r);
	ck_assert_int_eq(call("GET", "/patients/?limit=2", c.staff, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 2);
	http_result_free(&r);
	ck_assert_int_eq(st("GET", "/patients", c.pa, NULL), 403);
	ck_assert_int_eq(st("GET", "/patients", c.dx, NULL), 403);
	ck_assert_int_eq(st("GET", "/patients", NULL, NULL), 401);

	fresh = e2e_fresh_account(c.admin, "e2e.people.adm", NULL, uid);
	ck_assert_int_eq(call("POST", "/patients", c.admin, "{\"first_name\":\"No\"}", &r), 400);
	ck_assert_str_eq(message_of(&r), "user_id is required");
	http_result_free(&r);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"last_name\":\"Made\"}", uid);
	ck_assert_int_eq(st("POST", "/patients", c.staff, body), 403);
	ck_assert_int_eq(st("POST", "/patients", c.pa, body), 403);
	ck_assert_int_eq(st("POST", "/patients", NULL, body), 401);
	ck_assert_int_eq(e2e_call("POST", "/patients", c.admin, body, pid), 201);
	ck_assert_int_eq(st("POST", "/patients", c.admin, body), 409);
	ck_assert_int_eq(st("POST", "/patients", c.admin, "{\"user_id\":\"" NO_SUCH_ID "\"}"), 404);
	ck_assert_int_eq(st("GET", "/patients/me", fresh, NULL), 200);

	snprintf(path, sizeof path, "/patients/%s", pid);
	ck_assert_int_eq(call("PATCH", path, c.admin, "{\"gender\":\"F\",\"last_name\":null}", &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "gender"), "F");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(e2e_data(&r), "last_name")));
	http_result_free(&r);
	ck_assert_int_eq(st("PATCH", path, c.staff, "{\"gender\":\"M\"}"), 403);
	ck_assert_int_eq(st("PATCH", path, fresh, "{\"gender\":\"M\"}"), 403);
	ck_assert_int_eq(st("PATCH", path, c.dx, "{\"gender\":\"M\"}"), 403);
	ck_assert_int_eq(st("PATCH", "/patients/" NO_SUCH_ID, c.admin, "{}"), 404);
	ck_assert_int_eq(st("DELETE", path, c.staff, NULL), 403);
	ck_assert_int_eq(st("DELETE", path, fresh, NULL), 403);
	ck_assert_int_eq(st("DELETE", path, NULL, NULL), 401);
	ck_assert_int_eq(st("DELETE", path, c.admin, NULL), 204);
	ck_assert_int_eq(st("GET", path, c.admin, NULL), 404);
	ck_assert_int_eq(st("DELETE", path, c.admin, NULL), 404);
	ck_assert_int_eq(st("DELETE", "/patients/not-a-uuid", c.admin, NULL), 422);
	free(fresh);
	cast_close(&c);
}
END_TEST

START_TEST(patients_by_id)
{
	struct cast c;
	struct http_result r;
	char path[96], appt[37];

	cast_open(&c);
	snprintf(path, sizeof path, "/patients/%s", c.pa_id);
	/* Before any appointment, neither doctor may read A. */
	ck_assert_int_eq(st("GET", path, c.dx, NULL), 403);
	book_first(c.pa, c.dx_id, appt);
	/* Rule: doctor X now treats A; doctor Y still does not. */
	ck_assert_int_eq(call("GET", path, c.dx, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "id"), c.pa_id);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "allergies"), "None");
	http_result_free(&r);
	ck_assert_int_eq(call("GET", path, c.dy, NULL, &r), 403);
	ck_assert_str_eq(message_of(&r), "Forbidden");
	http_result_free(&r);
	ck_assert_int_eq(st("GET", path, c.staff, NULL), 200);
	ck_assert_int_eq(st("GET", path, c.admin, NULL), 200);
	ck_assert_int_eq(st("GET", path, c.pa, NULL), 403);
	ck_assert_int_eq(st("GET", path, c.pb, NULL), 403);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 401);
	ck_assert_int_eq(st("GET", "/patients/" NO_SUCH_ID, c.admin, NULL), 404);
	ck_assert_int_eq(st("GET", "/patients/" NO_SUCH_ID, c.dx, NULL), 403);
	/* History is not cascaded away. */
	ck_assert_int_eq(st("DELETE", path, c.admin, NULL), 409);
	ck_assert_int_eq(st("GET", path, c.admin, NULL), 200);
	cast_close(&c);
}
END_TEST

static Suite *
e2e_patients_suite(void)
{
	Suite *s = suite_create("e2e_patients");
	TCase *tc = tcase_create("e2e_patients");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, patients_me);
	tcase_add_test(tc, patients_admin);
	tcase_add_test(tc, patients_by_id);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_patients_suite)

/* ---- doctors ------------------------------------------------------------ */

/* Number of doctors listed by GET path. */
static int
count_of(const char *path)
{
	struct http_result r;
	int n;

	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	n = cJSON_GetArraySize(e2e_data(&r));
	http_result_free(&r);
	return n;
}

START_TEST(doctors_directory)
{
	struct cast c;
	struct http_result r;
	char path[256], lower[64];
	cJSON *specs;

	cast_open(&c);
	ck_assert_int_ge(count_of("/doctors?limit=1000"), 7);
	ck_assert_int_eq(count_of("/doctors/?limit=2"), 2);
	/* The fresh doctors' last names and cities are their tags. */
	snprintf(lower, sizeof lower, "%sx", c.tag);
	for (char *p = lower; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	snprintf(path, sizeof path, "/doctors?name=%s", lower);
	ck_assert_int_eq(count_of(path), 1);
	snprintf(path, sizeof path, "/doctors?name=%s", c.tag);
	ck_assert_int_eq(count_of(path), 2);
	snprintf(path, sizeof path, "/doctors?city=%s&specialty=%s", lower, lower);
	ck_assert_int_eq(count_of(path), 1);
	snprintf(path, sizeof path, "/doctors?city=%s", c.tag);
	ck_assert_int_eq(count_of(path), 0);
	snprintf(path, sizeof path, "/doctors?name=%s&min_rating=1", c.tag);
	ck_assert_int_eq(count_of(path), 0);
	ck_assert_int_ge(count_of("/doctors?specialty=cardiologie&city=oran"), 1);
	ck_assert_int_eq(st("GET", "/doctors?min_rating=x", NULL, NULL), 422);
	ck_assert_int_eq(st("GET", "/doctors?skip=-1", NULL, NULL), 422);

	snprintf(path, sizeof path, "/doctors/%s", c.dx_id);
	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "user_id"), c.dx_user);
	specs = cJSON_GetObjectItem(e2e_data(&r), "specialties");
	ck_assert_int_eq(cJSON_GetArraySize(specs), 1);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetArrayItem(specs, 0), "id")));
	http_result_free(&r);
	ck_assert_int_eq(st("GET", path, c.pa, NULL), 200);
	ck_assert_int_eq(st("GET", "/doctors/" NO_SUCH_ID, NULL, NULL), 404);
	ck_assert_int_eq(st("GET", "/doctors/xyz", NULL, NULL), 422);
	ck_assert_int_eq(call("GET", "/doctors/specialties", NULL, NULL, &r), 200);
	ck_assert_int_ge(cJSON_GetArraySize(e2e_data(&r)), 12);
	ck_assert_str_eq(e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "name"), "Cardiologie");
	http_result_free(&r);
	cast_close(&c);
}
END_TEST

START_TEST(doctors_profiles)
{
	struct cast c;
	struct http_result r;
	char uid[37], puid[37], did[37], body[160], path[96];
	char *d1, *p1;

	cast_open(&c);
	d1 = e2e_fresh_account(c.admin, "e2e.people.d1", "DOCTOR", uid);
	p1 = e2e_fresh_account(c.admin, "e2e.people.p1", NULL, puid);
	/* POST /doctors: admin only; the user must be a DOCTOR. */
	snprintf(body, sizeof body, "{\"user_id\":\"%s\"}", puid);
	ck_assert_int_eq(call("POST", "/doctors", c.admin, body, &r), 400);
	ck_assert_str_eq(message_of(&r), "User is not a doctor");
	http_result_free(&r);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"last_name\":\"Made\","
	    "\"specialties\":[\"orl\"]}", uid);
	ck_assert_int_eq(st("POST", "/doctors", c.dx, body), 403);
	ck_assert_int_eq(st("POST", "/doctors", c.staff, body), 403);
	ck_assert_int_eq(st("POST", "/doctors", c.pa, body), 403);
	ck_assert_int_eq(st("POST", "/doctors", NULL, body), 401);
	ck_assert_int_eq(st("POST", "/doctors", c.admin, "{}"), 422);
	ck_assert_int_eq(e2e_call("POST", "/doctors", c.admin, body, did), 201);
	ck_assert_int_eq(st("POST", "/doctors", c.admin, body), 409);

	ck_assert_int_eq(call("GET", "/doctors/me/profile", d1, NULL, &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "id"), did);
	ck_assert_str_eq(e2e_str(cJSON_GetArrayItem(cJSON_GetObjectItem(e2e_data(&r), "specialties"), 0),
	    "name"), "ORL");
	http_result_free(&r);
	ck_assert_int_eq(st("POST", "/doctors/me/profile", d1, "{}"), 409);
	ck_assert_int_eq(call("PATCH", "/doctors/me/profile", d1, "{\"bio\":\"ORL\",\"years_experience\":7}",
	    &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "last_name"), "Made");
	ck_assert_int_eq(cJSON_GetObjectItem(e2e_data(&r), "years_experience")->valueint, 7);
	http_result_free(&r);
	ck_assert_int_eq(st("PATCH", "/doctors/me/profile", d1, "{\"years_experience\":\"7\"}"), 422);
	ck_assert_int_eq(st("GET", "/doctors/me/profile", c.pa, NULL), 403);
	ck_assert_int_eq(st("POST", "/doctors/me/profile", c.staff, "{}"), 403);
	ck_assert_int_eq(st("PATCH", "/doctors/me/profile", NULL, "{}"), 401);
	ck_assert_int_eq(st("GET", "/doctors/me/profile", NULL, NULL), 401);

	snprintf(path, sizeof path, "/doctors/%s", did);
	ck_assert_int_eq(st("PATCH", path, c.admin, "{\"city\":\"Setif\"}"), 200);
	ck_assert_int_eq(st("PATCH", path, c.dx, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(st("PATCH", path, d1, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(st("PATCH", path, c.staff, "{\"city\":\"X\"}"), 403);
	ck_assert_int_eq(st("DELETE", path, d1, NULL), 403);
	ck_assert_int_eq(st("DELETE", path, c.staff, NULL), 403);
	ck_assert_int_eq(st("DELETE", path, NULL, NULL), 401);
	ck_assert_int_eq(st("DELETE", path, c.admin, NULL), 204);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 404);
	ck_assert_int_eq(st("GET", "/doctors/me/profile", d1, NULL), 404);
	free(d1);
	free(p1);
	cast_close(&c);
}
END_TEST

START_TEST(doctors_delete_history)
{
	struct cast c;
	char path[96], appt[37];

	cast_open(&c);
	book_first(c.pa, c.dx_id, appt);
	snprintf(path, sizeof path, "/doctors/%s", c.dx_id);
	ck_assert_int_eq(st("DELETE", path, c.admin, NULL), 409);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 200);
	cast_close(&c);
}
END_TEST

START_TEST(favorites)
{
	struct cast c;
	struct http_result r;
	char path[128], id1[37], id2[37], uid[37];
	char *noprof;

	cast_open(&c);
	snprintf(path, sizeof path, "/doctors/%s/favorite", c.dx_id);
	ck_assert_int_eq(e2e_call("POST", path, c.pa, NULL, id1), 201);
	ck_assert_int_eq(e2e_call("POST", path, c.pa, NULL, id2), 201);
	ck_assert_str_eq(id1, id2);
	ck_assert_int_eq(st("POST", path, c.dx, NULL), 403);
	ck_assert_int_eq(st("POST", path, c.staff, NULL), 403);
	ck_assert_int_eq(st("POST", path, c.admin, NULL), 403);
	ck_assert_int_eq(st("POST", path, NULL, NULL), 401);
	noprof = e2e_fresh_account(c.admin, "e2e.people.np", NULL, uid);
	ck_assert_int_eq(call("POST", path, noprof, NULL, &r), 404);
	ck_assert_str_eq(message_of(&r), "Patient profile not found");
	http_result_free(&r);
	ck_assert_int_eq(st("POST", "/doctors/" NO_SUCH_ID "/favorite", c.pa, NULL), 404);

	ck_assert_int_eq(call("GET", "/doctors/me/favorites", c.pa, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 1);
	ck_assert_str_eq(e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "id"), c.dx_id);
	http_result_free(&r);
	/* B's favorites are B's own. */
	ck_assert_int_eq(call("GET", "/doctors/me/favorites", c.pb, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 0);
	http_result_free(&r);
	ck_assert_int_eq(st("GET", "/doctors/me/favorites", c.dx, NULL), 403);
	ck_assert_int_eq(st("GET", "/doctors/me/favorites", NULL, NULL), 401);
	ck_assert_int_eq(st("DELETE", path, c.dx, NULL), 403);
	ck_assert_int_eq(st("DELETE", path, NULL, NULL), 401);
	ck_assert_int_eq(st("DELETE", path, c.pb, NULL), 204);
	ck_assert_int_eq(st("DELETE", path, c.pa, NULL), 204);
	ck_assert_int_eq(st("DELETE", path, c.pa, NULL), 204);
	ck_assert_int_eq(call("GET", "/doctors/me/favorites", c.pa, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 0);
	http_result_free(&r);
	free(noprof);
	cast_close(&c);
}
END_TEST

/* patient_id of the single review of doctor as seen with token ("null" if null). */
static void
review_pid(const char *doctor, const char *token, char *out, size_t size)
{
	struct http_result r;
	char path[128];
	const char *p;

	snprintf(path, sizeof path, "/doctors/%s/reviews", doctor);
	ck_assert_int_eq(call("GET", path, token, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 1);
	p = e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "patient_id");
	snprintf(out, size, "%s", p != NULL ? p : "null");
	http_result_free(&r);
}

START_TEST(reviews)
{
	struct cast c;
	struct http_result r;
	char path[128], dpath[96], appt[37], apath[128], pid[40];

	cast_open(&c);
	snprintf(path, sizeof path, "/doctors/%s/reviews", c.dx_id);
	/* Rule: no COMPLETED appointment, no review. */
	ck_assert_int_eq(st("POST", path, c.pa, "{\"rating\":5}"), 403);
	book_first(c.pa, c.dx_id, appt);
	ck_assert_int_eq(st("POST", path, c.pa, "{\"rating\":5}"), 403);
	snprintf(apath, sizeof apath, "/appointments/%s/status", appt);
	ck_assert_int_eq(st("PATCH", apath, c.dx, "{\"status\":\"COMPLETED\"}"), 200);

	ck_assert_int_eq(st("POST", path, c.pa, "{\"rating\":9}"), 422);
	ck_assert_int_eq(st("POST", path, c.pa, "{\"comment\":\"no rating\"}"), 422);
	ck_assert_int_eq(st("POST", path, c.pb, "{\"rating\":1}"), 403);
	ck_assert_int_eq(st("POST", path, c.dx, "{\"rating\":1}"), 403);
	ck_assert_int_eq(st("POST", path, c.staff, "{\"rating\":1}"), 403);
	ck_assert_int_eq(st("POST", path, NULL, "{\"rating\":1}"), 401);
	ck_assert_int_eq(call("POST", path, c.pa, "{\"rating\":4,\"comment\":\"Bien\"}", &r), 201);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "patient_id"), c.pa_id);
	ck_assert_int_eq(cJSON_GetObjectItem(e2e_data(&r), "rating")->valueint, 4);
	http_result_free(&r);
	ck_assert_int_eq(st("POST", path, c.pa, "{\"rating\":2}"), 409);

	snprintf(dpath, sizeof dpath, "/doctors/%s", c.dx_id);
	ck_assert_int_eq(call("GET", dpath, NULL, NULL, &r), 200);
	ck_assert(cJSON_GetObjectItem(e2e_data(&r), "avg_rating")->valuedouble == 4.0);
	ck_assert_int_eq(cJSON_GetObjectItem(e2e_data(&r), "rating_count")->valueint, 1);
	http_result_free(&r);

	/* Rule: who reviewed is shown to that patient and admins only. */
	review_pid(c.dx_id, NULL, pid, sizeof pid);
	ck_assert_str_eq(pid, "null");
	review_pid(c.dx_id, c.pa, pid, sizeof pid);
	ck_assert_str_eq(pid, c.pa_id);
	review_pid(c.dx_id, c.pb, pid, sizeof pid);
	ck_assert_str_eq(pid, "null");
	review_pid(c.dx_id, c.dx, pid, sizeof pid);
	ck_assert_str_eq(pid, "null");
	review_pid(c.dx_id, c.staff, pid, sizeof pid);
	ck_assert_str_eq(pid, "null");
	review_pid(c.dx_id, c.admin, pid, sizeof pid);
	ck_assert_str_eq(pid, c.pa_id);
	snprintf(path, sizeof path, "/doctors/%s/reviews", c.dy_id);
	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 0);
	http_result_free(&r);
	ck_assert_int_eq(st("GET", "/doctors/" NO_SUCH_ID "/reviews", NULL, NULL), 404);
	cast_close(&c);
}
END_TEST

static Suite *
e2e_doctors_suite(void)
{
	Suite *s = suite_create("e2e_doctors");
	TCase *tc = tcase_create("e2e_doctors");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, doctors_directory);
	tcase_add_test(tc, doctors_profiles);
	tcase_add_test(tc, doctors_delete_history);
	tcase_add_test(tc, favorites);
	tcase_add_test(tc, reviews);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_doctors_suite)

/* ---- availability and slots ---------------------------------------------- */

START_TEST(windows)
{
	struct cast c;
	struct http_result r;
	char path[128], wpath[128], wid[37], other[128];
	static const char win[] = "{\"weekday\":\"Mon\",\"start_time\":\"13:00\",\"end_time\":\"14:00\"}";

	cast_open(&c);
	snprintf(path, sizeof path, "/doctors/%s/availability", c.dx_id);
	/* Rule: the owning doctor or an admin only. */
	ck_assert_int_eq(call("POST", path, c.dy, win, &r), 403);
	ck_assert_str_eq(message_of(&r), "Forbidden");
	http_result_free(&r);
	ck_assert_int_eq(st("POST", path, c.pa, win), 403);
	ck_assert_int_eq(st("POST", path, c.staff, win), 403);
	ck_assert_int_eq(st("POST", path, NULL, win), 401);
	ck_assert_int_eq(e2e_call("POST", path, c.dx, win, wid), 201);
	ck_assert_int_eq(st("POST", path, c.admin, win), 409);
	ck_assert_int_eq(st("POST", path, c.admin,
	    "{\"weekday\":\"Mon\",\"start_time\":\"09:30\",\"end_time\":\"09:45\"}"), 409);
	ck_assert_int_eq(st("POST", path, c.admin,
	    "{\"weekday\":\"Mon\",\"start_time\":\"14:00\",\"end_time\":\"15:00\"}"), 201);
	ck_assert_int_eq(st("POST", path, c.dx,
	    "{\"weekday\":\"Mon\",\"start_time\":\"16:00\",\"end_time\":\"15:00\"}"), 422);
	ck_assert_int_eq(st("POST", path, c.dx,
	    "{\"weekday\":\"Funday\",\"start_time\":\"16:00\",\"end_time\":\"17:00\"}"), 422);
	ck_assert_int_eq(st("POST", "/doctors/" NO_SUCH_ID "/availability", c.admin, win), 404);

	snprintf(wpath, sizeof wpath, "/doctors/availability/%s", wid);
	ck_assert_int_eq(st("PATCH", wpath, c.dy, "{\"end_time\":\"13:30\"}"), 403);
	ck_assert_int_eq(st("PATCH", wpath, c.pa, "{\"end_time\":\"13:30\"}"), 403);
	ck_assert_int_eq(st("PATCH", wpath, NULL, "{\"end_time\":\"13:30\"}"), 401);
	ck_assert_int_eq(st("PATCH", wpath, c.dx, "{\"end_time\":\"14:30\"}"), 409);
	ck_assert_int_eq(st("PATCH", wpath, c.dx, "{\"end_time\":\"12:00\"}"), 422);
	ck_assert_int_eq(call("PATCH", wpath, c.dx, "{\"start_time\":\"12:30:00\"}", &r), 200);
	ck_assert_str_eq(e2e_str(e2e_data(&r), "start_time"), "12:30:00");
	ck_assert_str_eq(e2e_str(e2e_data(&r), "end_time"), "14:00:00");
	http_result_free(&r);
	ck_assert_int_eq(st("PATCH", wpath, c.admin, "{\"is_active\":false}"), 200);
	ck_assert_int_eq(st("PATCH", "/doctors/availability/" NO_SUCH_ID, c.admin, "{}"), 404);

	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 9);
	ck_assert_str_eq(e2e_str(cJSON_GetArrayItem(e2e_data(&r), 0), "weekday"), "Mon");
	http_result_free(&r);
	snprintf(other, sizeof other, "/doctors/%s/availability", c.dy_id);
	ck_assert_int_eq(st("GET", other, c.pa, NULL), 200);
	ck_assert_int_eq(st("GET", "/doctors/" NO_SUCH_ID "/availability", NULL, NULL), 404);

	ck_assert_int_eq(st("DELETE", wpath, c.dy, NULL), 403);
	ck_assert_int_eq(st("DELETE", wpath, c.staff, NULL), 403);
	ck_assert_int_eq(st("DELETE", wpath, NULL, NULL), 401);
	ck_assert_int_eq(st("DELETE", wpath, c.dx, NULL), 204);
	ck_assert_int_eq(st("DELETE", wpath, c.admin, NULL), 404);
	cast_close(&c);
}
END_TEST

START_TEST(slots)
{
	struct cast c;
	struct http_result r;
	char starts[8][32], ends[8][32], appt[37], path[160], cpath[128];

	cast_open(&c);
	/* One 09:00-10:00 window every day: two 30-minute slots on any day. */
	ck_assert_int_eq(slots_of(c.dx_id, starts, ends, 8), 2);
	ck_assert_str_eq(starts[1], ends[0]);
	book_first(c.pa, c.dx_id, appt);
	ck_assert_int_eq(slots_of(c.dx_id, starts, ends, 8), 1);
	/* The patient's appointment is the doctor's: B cannot take it either. */
	snprintf(cpath, sizeof cpath, "/appointments/%s/cancel", appt);
	ck_assert_int_eq(st("POST", cpath, c.pa, "{}"), 200);
	ck_assert_int_eq(slots_of(c.dx_id, starts, ends, 8), 2);
	/* Doctor Y's slots are untouched by X's bookings. */
	ck_assert_int_eq(slots_of(c.dy_id, starts, ends, 8), 2);

	snprintf(path, sizeof path, "/doctors/%s/availability/slots?days=2&slot_minutes=60", c.dx_id);
	ck_assert_int_eq(call("GET", path, c.pa, NULL, &r), 200);
	ck_assert_int_ge(cJSON_GetArraySize(e2e_data(&r)), 1);
	ck_assert_int_le(cJSON_GetArraySize(e2e_data(&r)), 2);
	http_result_free(&r);
	snprintf(path, sizeof path, "/doctors/%s/availability/slots?days=63", c.dx_id);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 400);
	snprintf(path, sizeof path, "/doctors/%s/availability/slots?slot_minutes=4", c.dx_id);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 400);
	snprintf(path, sizeof path, "/doctors/%s/availability/slots?start_date=tomorrow", c.dx_id);
	ck_assert_int_eq(st("GET", path, NULL, NULL), 400);
	snprintf(path, sizeof path, "/doctors/%s/availability/slots?slot_minutes=61&days=62", c.dx_id);
	ck_assert_int_eq(call("GET", path, NULL, NULL, &r), 200);
	ck_assert_int_eq(cJSON_GetArraySize(e2e_data(&r)), 0);
	http_result_free(&r);
	ck_assert_int_eq(st("GET", "/doctors/" NO_SUCH_ID "/availability/slots", NULL, NULL), 404);
	ck_assert_int_eq(st("GET", "/doctors/nope/availability/slots", NULL, NULL), 422);
	cast_close(&c);
}
END_TEST

static Suite *
e2e_slots_suite(void)
{
	Suite *s = suite_create("e2e_slots");
	TCase *tc = tcase_create("e2e_slots");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, windows);
	tcase_add_test(tc, slots);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_slots_suite)
