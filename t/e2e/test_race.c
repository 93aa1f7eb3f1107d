/*
 * test_race.c - concurrent bookings against the real stack: many workers
 * racing for one slot must leave exactly one booking (API.md §6 Rule:
 * check and insert in one BEGIN IMMEDIATE transaction).
 *
 * Requests are fired by forked children held at a pipe until all exist,
 * then released at once by closing the pipe (no sleeps).  Bookings are
 * made by staff on behalf of fresh patients (registering 200 users would
 * cost 200 password hashes), for a fresh doctor nobody else books.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"
#include "testreg.h"

#define PW "Algeria123!"
#define NPATIENTS 10
#define NREQUESTS 200

static char admin_token[1024], staff_token[1024], doctor_token[1024];
static char doctor_id[40];
static char patients[NPATIENTS][40];

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

/* Call; on success copy data.<field> into out (when out != NULL). */
static int
call_get(const char *method, const char *path, const char *token, const char *body,
    const char *field, char *out, size_t size)
{
	struct http_result r;
	int status = api(method, path, token, body, &r);

	if (out != NULL) {
		const char *s = str_of(data_of(&r), field);
		snprintf(out, size, "%s", s != NULL ? s : "");
	}
	http_result_free(&r);
	return status;
}

/* Register a fresh account; its access token and user id. */
static void
fresh_user(const char *tag, char token[1024], char user_id[40])
{
	char body[256];

	snprintf(body, sizeof body, "{\"email\":\"e2e.race.%s.%ld@example.dz\",\"password\":\"" PW "\"}",
	    tag, (long)getpid());
	ck_assert_int_eq(call_get("POST", "/auth/register", NULL, body, "access_token", token, 1024), 200);
	ck_assert_int_eq(call_get("GET", "/users/me", token, NULL, "id", user_id, 40), 200);
}

static void
login(const char *email, char token[1024])
{
	char body[256];

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	ck_assert_int_eq(call_get("POST", "/auth/login", NULL, body, "access_token", token, 1024), 200);
}

/* Once, in the parent: a fresh doctor working 08:00-18:00 daily and fresh patients. */
static void
race_setup(void)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char user_id[40], token[1024], path[128], body[256], tag[16];

	login("admin@example.dz", admin_token);
	login("reception@example.dz", staff_token);
	fresh_user("doctor", doctor_token, user_id);
	snprintf(path, sizeof path, "/users/%s", user_id);
	ck_assert_int_eq(call_get("PATCH", path, admin_token, "{\"role\":\"DOCTOR\"}", NULL, NULL, 0), 200);
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Race\",\"last_name\":\"Doctor\"}",
	    user_id);
	ck_assert_int_eq(call_get("POST", "/doctors", admin_token, body, "id", doctor_id,
	    sizeof doctor_id), 201);
	snprintf(path, sizeof path, "/doctors/%s/availability", doctor_id);
	for (int i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"08:00\","
		    "\"end_time\":\"18:00\"}", days[i]);
		ck_assert_int_eq(call_get("POST", path, admin_token, body, NULL, NULL, 0), 201);
	}
	for (int i = 0; i < NPATIENTS; i++) {
		snprintf(tag, sizeof tag, "p%d", i);
		fresh_user(tag, token, user_id);
		ck_assert_int_eq(call_get("POST", "/patients/me", token, "{\"first_name\":\"Race\"}",
		    "id", patients[i], sizeof patients[i]), 201);
	}
}

/* "YYYY-MM-DDTHH:MM:00", clinic-local, days ahead of today. */
static void
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
}

struct shot {
	const char *patient;
	char start[32], end[32];
};

/*
 * Fire n bookings at once, one child each; count the statuses.
 * counts[0] = 201, counts[1] = 409, counts[2] = anything else.
 */
static void
fire(const struct shot *shots, int n, int counts[3])
{
	int gate[2], results[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(gate), 0);
	ck_assert_int_eq(pipe(results), 0);
	for (int i = 0; i < n; i++) {
		ck_assert_int_ne(pid = fork(), -1);
		if (pid == 0) {
			char body[512], c;
			ssize_t got;

			close(gate[1]);
			close(results[0]);
			snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\","
			    "\"start_time\":\"%s\",\"end_time\":\"%s\"}",
			    shots[i].patient, doctor_id, shots[i].start, shots[i].end);
			/* Wait at the gate: EOF when the parent closes it. */
			do
				got = read(gate[0], &c, 1);
			while (got < 0 && errno == EINTR);
			status = call_get("POST", "/appointments", staff_token, body, NULL, NULL, 0);
			if (write(results[1], &status, sizeof status) != sizeof status)
				_exit(2);
			_exit(0);
		}
	}
	close(gate[0]);
	close(results[1]);
	/* Every child exists: open the gate. */
	close(gate[1]);
	counts[0] = counts[1] = counts[2] = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(read(results[0], &status, sizeof status), sizeof status);
		ck_assert_msg(status < 500, "a racing request got %d", status);
		counts[status == 201 ? 0 : status == 409 ? 1 : 2]++;
	}
	close(results[0]);
	for (int i = 0; i < n; i++) {
		int ws;
		ck_assert_int_gt(wait(&ws), 0);
		ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
}

/* SCHEDULED appointments of the race doctor starting on day (local date). */
static int
scheduled_on(int days)
{
	struct http_result r;
	char from[32], to[32], path[256];
	int n;

	at(days, 0, 0, from);
	at(days + 1, 0, 0, to);
	snprintf(path, sizeof path, "/appointments/doctor/me?status=SCHEDULED&from=%.10s&to=%.10s",
	    from, to);
	ck_assert_int_eq(api("GET", path, doctor_token, NULL, &r), 200);
	n = cJSON_GetArraySize(data_of(&r));
	http_result_free(&r);
	return n;
}

START_TEST(same_slot)
{
	static struct shot shots[NREQUESTS];
	int counts[3];

	for (int i = 0; i < NREQUESTS; i++) {
		shots[i].patient = patients[i % NPATIENTS];
		at(9, 10, 0, shots[i].start);
		at(9, 10, 30, shots[i].end);
	}
	fire(shots, NREQUESTS, counts);
	ck_assert_int_eq(counts[0], 1);
	ck_assert_int_eq(counts[1], NREQUESTS - 1);
	ck_assert_int_eq(counts[2], 0);
	ck_assert_int_eq(scheduled_on(9), 1);
}
END_TEST

/* Two patients, overlapping but different slots of the same doctor. */
START_TEST(overlapping_slots)
{
	static struct shot shots[100];
	int counts[3];

	for (int i = 0; i < 100; i++) {
		shots[i].patient = patients[i % 2];
		at(10, 14, i % 2 ? 15 : 0, shots[i].start);
		at(10, 14, i % 2 ? 45 : 30, shots[i].end);
	}
	fire(shots, 100, counts);
	ck_assert_int_eq(counts[0], 1);
	ck_assert_int_eq(counts[1], 99);
	ck_assert_int_eq(scheduled_on(10), 1);
}
END_TEST

static Suite *
race_suite(void)
{
	Suite *s = suite_create("e2e_appointments_race");
	TCase *tc = tcase_create("race");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, race_setup, NULL);
	tcase_add_test(tc, same_slot);
	tcase_add_test(tc, overlapping_slots);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(race_suite)
