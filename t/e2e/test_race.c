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

#include "e2ekit.h"
#include "httpc.h"
#include "testreg.h"

#define NPATIENTS 10
#define NREQUESTS 200

static struct e2e_who admin, staff, doc;
static char patients[NPATIENTS][40];

/* Once, in the parent: a fresh doctor working 08:00-18:00 daily and fresh patients. */
static void
race_setup(void)
{
	struct e2e_who p;
	char tag[32];

	admin.token = e2e_token("admin@example.dz", E2E_PW);
	staff.token = e2e_token("reception@example.dz", E2E_PW);
	e2e_fresh_doctor(&admin, "e2e.race.doctor", "Race", 1, &doc);
	for (int i = 0; i < NPATIENTS; i++) {
		snprintf(tag, sizeof tag, "e2e.race.p%d", i);
		e2e_fresh_patient(&admin, tag, "Race", "Patient", &p);
		snprintf(patients[i], sizeof patients[i], "%s", p.profile_id);
		free(p.token);
	}
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
			    shots[i].patient, doc.profile_id, shots[i].start, shots[i].end);
			/* Wait at the gate: EOF when the parent closes it. */
			do
				got = read(gate[0], &c, 1);
			while (got < 0 && errno == EINTR);
			status = e2e_call("POST", "/appointments", staff.token, body, NULL);
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

	e2e_local_at(days, 0, 0, from);
	e2e_local_at(days + 1, 0, 0, to);
	snprintf(path, sizeof path, "/appointments/doctor/me?status=SCHEDULED&from=%.10s&to=%.10s",
	    from, to);
	ck_assert_int_eq(api("GET", path, doc.token, NULL, &r), 200);
	n = cJSON_GetArraySize(e2e_data(&r));
	http_result_free(&r);
	return n;
}

START_TEST(same_slot)
{
	static struct shot shots[NREQUESTS];
	int counts[3];

	for (int i = 0; i < NREQUESTS; i++) {
		shots[i].patient = patients[i % NPATIENTS];
		e2e_local_at(9, 10, 0, shots[i].start);
		e2e_local_at(9, 10, 30, shots[i].end);
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
		e2e_local_at(10, 14, i % 2 ? 15 : 0, shots[i].start);
		e2e_local_at(10, 14, i % 2 ? 45 : 30, shots[i].end);
	}
	fire(shots, 100, counts);
	ck_assert_int_eq(counts[0], 1);
	ck_assert_int_eq(counts[1], 99);
	ck_assert_int_eq(scheduled_on(10), 1);
}
END_TEST

/*
 * Twelve wrong passwords for one account from one address, all at once:
 * each attempt is counted before its password is checked, in the same
 * transaction as the check, so no more than LOGIN_MAX_FAILURES (5) of
 * them run the check; the rest are throttled.
 */
START_TEST(parallel_wrong_logins)
{
	static const char email[] = "racer.login@example.dz";
	int gate[2], results[2], status, unauthorized = 0, throttled = 0;
	char body[256];
	pid_t pid;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"Right-pass-1\"}", email);
	ck_assert_int_eq(e2e_call("POST", "/auth/register", NULL, body, NULL), 200);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"wrong-guess\"}", email);
	ck_assert_int_eq(pipe(gate), 0);
	ck_assert_int_eq(pipe(results), 0);
	for (int i = 0; i < 12; i++) {
		ck_assert_int_ne(pid = fork(), -1);
		if (pid == 0) {
			char c;
			ssize_t got;

			close(gate[1]);
			close(results[0]);
			do
				got = read(gate[0], &c, 1);
			while (got < 0 && errno == EINTR);
			status = e2e_call("POST", "/auth/login", NULL, body, NULL);
			_exit(write(results[1], &status, sizeof status) == sizeof status ? 0 : 2);
		}
	}
	close(gate[0]);
	close(results[1]);
	close(gate[1]);
	for (int i = 0; i < 12; i++) {
		ck_assert_int_eq(read(results[0], &status, sizeof status), sizeof status);
		ck_assert_msg(status == 401 || status == 429, "a parallel login got %d", status);
		if (status == 401)
			unauthorized++;
		else
			throttled++;
	}
	close(results[0]);
	for (int i = 0; i < 12; i++) {
		int ws;
		ck_assert_int_gt(wait(&ws), 0);
		ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
	fprintf(stderr, "parallel_wrong_logins: %d checked (401), %d throttled (429)\n",
	    unauthorized, throttled);
	ck_assert_int_le(unauthorized, 5);
	ck_assert_int_eq(unauthorized + throttled, 12);
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
	tcase_add_test(tc, parallel_wrong_logins);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(race_suite)
