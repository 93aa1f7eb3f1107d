/*
 * test_race.c - concurrent bookings against the real stack: many workers
 * racing for one slot must leave exactly one booking (API.md §6 Rule:
 * check and insert in one BEGIN IMMEDIATE transaction).
 *
 * Requests are fired by forked children held at a pipe until all exist
 * (e2e_fire()), then released at once by closing it (no sleeps).  Bookings are
 * made by staff on behalf of fresh patients (registering 200 users would
 * cost 200 password hashes), for a fresh doctor nobody else books.
 *
 * The same holds with services' buffers (a visit occupies its buffers
 * too) and for recurring series (all occurrences or none): after those
 * runs a SQL check over the whole appointments table of the stack's
 * database finds no two live visits of a doctor whose buffered spans
 * overlap, and no series with fewer visits than it was booked with.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

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
	const char *path;   /* NULL: POST /appointments of patient, start, end */
	char body[512];     /* with path: the body sent */
};

/* e2e_fire() request: booking i of the shots arg, by staff. */
static int
book_shot(int i, void *arg)
{
	const struct shot *s = (const struct shot *)arg + i;
	char body[512];

	if (s->path != NULL)
		snprintf(body, sizeof body, "%s", s->body);
	else
		snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"doctor_id\":\"%s\","
		    "\"start_time\":\"%s\",\"end_time\":\"%s\"}", s->patient, doc.profile_id,
		    s->start, s->end);
	return e2e_call("POST", s->path != NULL ? s->path : "/appointments", staff.token, body,
	    NULL);
}

/*
 * Fire n bookings at once; count the statuses.
 * counts[0] = 201, counts[1] = 409, counts[2] = anything else.
 */
static void
fire(const struct shot *shots, int n, int counts[3])
{
	static int statuses[NREQUESTS];

	ck_assert_int_le(n, NREQUESTS);
	e2e_fire(n, book_shot, (void *)shots, statuses);
	counts[0] = counts[1] = counts[2] = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_msg(statuses[i] < 500, "a racing request got %d", statuses[i]);
		counts[statuses[i] == 201 ? 0 : statuses[i] == 409 ? 1 : 2]++;
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

/* The integer of a one-row query on the stack's database, read-only. */
static long long
db_count(const char *sql)
{
	const char *dir = getenv("MED_DATA_DIR");
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof path, "%s/clinic.db", dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * The whole table, every doctor: no two live visits whose spans with
 * buffers overlap, and every series of the race doctor complete (booked
 * with 4 here).
 */
static void
table_is_sound(void)
{
	char sql[512];

	ck_assert_int_eq(db_count("SELECT count(*) FROM appointments a JOIN appointments b"
	    " ON a.doctor_id = b.doctor_id AND a.id < b.id"
	    " WHERE a.status IN ('SCHEDULED', 'ARRIVED') AND b.status IN ('SCHEDULED', 'ARRIVED')"
	    " AND a.start_time - a.buffer_before < b.end_time + b.buffer_after"
	    " AND b.start_time - b.buffer_before < a.end_time + a.buffer_after"), 0);
	/* Other suites book series of other lengths with other doctors. */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT series_id FROM appointments"
	    " WHERE series_id IS NOT NULL AND doctor_id = '%s' GROUP BY series_id"
	    " HAVING count(*) <> 4)", doc.profile_id);
	ck_assert_int_eq(db_count(sql), 0);
}

/* A 30-minute service with 15 minutes of buffer each side, for the race doctor. */
static const char *
buffered_service(void)
{
	static char id[40];
	struct http_result r;
	char path[128];

	if (id[0] != '\0')
		return id;
	snprintf(path, sizeof path, "/doctors/%s/services", doc.profile_id);
	ck_assert_int_eq(api("POST", path, admin.token, "{\"name\":\"Race\","
	    "\"duration_minutes\":30,\"buffer_before_minutes\":15,\"buffer_after_minutes\":15}",
	    &r), 201);
	snprintf(id, sizeof id, "%s", e2e_str(e2e_data(&r), "id"));
	http_result_free(&r);
	return id;
}

/*
 * 200 bookings of a buffered service at five starts ten minutes apart:
 * each occupies an hour with its buffers, so every two of them collide
 * and exactly one wins.
 */
START_TEST(buffered_slots)
{
	static struct shot shots[NREQUESTS];
	const char *svc = buffered_service();
	int counts[3];

	for (int i = 0; i < NREQUESTS; i++) {
		char start[32];
		e2e_local_at(11, 10, (i % 5) * 10, start);
		shots[i].path = "/appointments";
		snprintf(shots[i].body, sizeof shots[i].body, "{\"patient_id\":\"%s\","
		    "\"doctor_id\":\"%s\",\"service_id\":\"%s\",\"start_time\":\"%s\"}",
		    patients[i % NPATIENTS], doc.profile_id, svc, start);
	}
	fire(shots, NREQUESTS, counts);
	fprintf(stderr, "buffered_slots: %d won, %d conflicts, %d other\n", counts[0], counts[1],
	    counts[2]);
	ck_assert_int_eq(counts[0], 1);
	ck_assert_int_eq(counts[1], NREQUESTS - 1);
	ck_assert_int_eq(scheduled_on(11), 1);
	table_is_sound();
}
END_TEST

/*
 * 200 weekly series of 4, starting on one of four consecutive weeks at
 * 15:00: every two share a week, so exactly one series wins, whole, and
 * no occurrence of the others is left behind.
 */
START_TEST(colliding_series)
{
	static struct shot shots[NREQUESTS];
	int counts[3], total = 0;

	for (int i = 0; i < NREQUESTS; i++) {
		char start[32], end[32];
		e2e_local_at(30 + 7 * (i % 4), 15, 0, start);
		e2e_local_at(30 + 7 * (i % 4), 15, 30, end);
		shots[i].path = "/appointments/series";
		snprintf(shots[i].body, sizeof shots[i].body, "{\"patient_id\":\"%s\","
		    "\"doctor_id\":\"%s\",\"start_time\":\"%s\",\"end_time\":\"%s\","
		    "\"frequency\":\"WEEKLY\",\"count\":4}", patients[i % NPATIENTS], doc.profile_id,
		    start, end);
	}
	fire(shots, NREQUESTS, counts);
	fprintf(stderr, "colliding_series: %d won, %d conflicts, %d other\n", counts[0], counts[1],
	    counts[2]);
	ck_assert_int_eq(counts[0], 1);
	ck_assert_int_eq(counts[1], NREQUESTS - 1);
	for (int w = 0; w < 7; w++)
		total += scheduled_on(30 + 7 * w);
	ck_assert_int_eq(total, 4);
	table_is_sound();
}
END_TEST

/*
 * Twelve wrong passwords for one account from one address, all at once:
 * each attempt is counted before its password is checked, in the same
 * transaction as the check, so no more than LOGIN_MAX_FAILURES (5) of
 * them run the check; the rest are throttled.
 */
static char wrong_login[256];

/* e2e_fire() request: the wrong login. */
static int
wrong_shot(int i, void *arg)
{
	(void)i;
	(void)arg;
	return e2e_call("POST", "/auth/login", NULL, wrong_login, NULL);
}

START_TEST(parallel_wrong_logins)
{
	static const char email[] = "racer.login@example.dz";
	int statuses[12], unauthorized = 0, throttled = 0;
	char body[256];

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"Right-pass-1\"}", email);
	ck_assert_int_eq(e2e_call("POST", "/auth/register", NULL, body, NULL), 200);
	snprintf(wrong_login, sizeof wrong_login, "{\"email\":\"%s\",\"password\":\"wrong-guess\"}",
	    email);
	e2e_fire(12, wrong_shot, NULL, statuses);
	for (int i = 0; i < 12; i++) {
		ck_assert_msg(statuses[i] == 401 || statuses[i] == 429, "a parallel login got %d",
		    statuses[i]);
		if (statuses[i] == 401)
			unauthorized++;
		else
			throttled++;
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
	tcase_add_test(tc, buffered_slots);
	tcase_add_test(tc, colliding_series);
	tcase_add_test(tc, parallel_wrong_logins);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(race_suite)
