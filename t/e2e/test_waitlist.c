/*
 * test_waitlist.c - the waitlist against the real stack, under load: 100
 * visits of one doctor cancelled at once, with 150 patients waiting, give
 * each freed interval to exactly one patient (one HELD offer per interval,
 * no entry offered two); then the 100 offered patients accepting while as
 * many others try to book the same intervals directly leave each interval
 * with exactly one visit, the offered patient's.
 *
 * Requests are fired at once by e2e_fire() (forked children released
 * together, no sleeps).  The 160 patients are written straight into the stack's
 * database in one transaction and their access tokens signed with the
 * stack's key (as test_hostile.c forges its tokens): 160 scrypt hashes
 * would cost minutes, and logging in is not what is tested here.
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
#include "jwt.h"
#include "med.h"
#include "testreg.h"
#include "util.h"

#define NVISITS 100
#define NWAIT 150
#define NVP 10          /* patients of the visits, ten visits each */
#define FIRST_DAY 40    /* the visits fill days FIRST_DAY.. FIRST_DAY + 4, 08:00-18:00 */
#define PER_DAY 20

static struct e2e_who admin, staff, doc;
static char vpat[NVP][40], vuser[NVP][40];
static char wpat[NWAIT][40], wuser[NWAIT][40];
static char *wtok[NWAIT];
static char visits[NVISITS][40];

static sqlite3 *
stack_db(int flags)
{
	char path[512];
	sqlite3 *db;

	snprintf(path, sizeof path, "%s/clinic.db", e2e_data_dir());
	ck_assert_int_eq(sqlite3_open_v2(path, &db, flags, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

/* The integer of a one-row query on the stack's database (?1 = the doctor), read-only. */
static long long
doctor_count(const char *sql)
{
	sqlite3 *db = stack_db(SQLITE_OPEN_READONLY);
	sqlite3_stmt *st;
	long long n;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, doc.profile_id, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* n PATIENT accounts with profiles, in one transaction; ids into users and profiles. */
static void
insert_patients(sqlite3 *db, const char *tag, int n, char users[][40], char profiles[][40])
{
	sqlite3_stmt *u, *p;
	char email[128];
	long long now = (long long)time(NULL);

	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO users (id, email, password_hash,"
	    " role_id, is_active, is_superuser, token_version, created_at, updated_at)"
	    " VALUES (?1, ?2, '!', 3, 1, 0, 0, ?3, ?3)", -1, &u, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO patients (id, user_id, first_name,"
	    " last_name, created_at, updated_at) VALUES (?1, ?2, 'Wait', ?3, ?4, ?4)", -1, &p, NULL),
	    SQLITE_OK);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(util_uuid4(users[i]), MED_OK);
		ck_assert_int_eq(util_uuid4(profiles[i]), MED_OK);
		snprintf(email, sizeof email, "e2e.wait.%s.%ld.%d@example.dz", tag, (long)getpid(), i);
		sqlite3_bind_text(u, 1, users[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(u, 2, email, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u, 3, now);
		ck_assert_int_eq(sqlite3_step(u), SQLITE_DONE);
		sqlite3_reset(u);
		sqlite3_bind_text(p, 1, profiles[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(p, 2, users[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(p, 3, tag, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p, 4, now);
		ck_assert_int_eq(sqlite3_step(p), SQLITE_DONE);
		sqlite3_reset(p);
	}
	sqlite3_finalize(u);
	sqlite3_finalize(p);
}

/* An access token of user_id for an hour, signed with the stack's key (malloc'd). */
static char *
mint(const unsigned char key[MED_KEY_LEN], const char *user_id)
{
	struct jwt_claims c;
	char tok[JWT_MAX + 1];

	memset(&c, 0, sizeof c);
	snprintf(c.sub, sizeof c.sub, "%.36s", user_id);
	ck_assert_int_eq(util_random_hex(c.jti, JWT_JTI_LEN / 2), MED_OK);
	c.iat = (int64_t)time(NULL) - 5;
	c.exp = c.iat + 3600;
	c.type = JWT_ACCESS;
	ck_assert_int_eq(jwt_sign(key, MED_KEY_LEN, &c, tok, sizeof tok), MED_OK);
	return strdup(tok);
}

/*
 * Once, in the parent: a fresh doctor working 08:00-18:00 daily, the
 * patients, NVISITS visits filling five days, NWAIT entries covering them.
 */
static void
wait_setup(void)
{
	unsigned char key[MED_KEY_LEN];
	struct med_config cfg;
	char body[512], s[32], e[32], from[32], to[32];
	sqlite3 *db;

	admin.token = e2e_token("admin@example.dz", E2E_PW);
	staff.token = e2e_token("reception@example.dz", E2E_PW);
	e2e_fresh_doctor(&admin, "e2e.wait.doctor", "Wait", 1, &doc);
	db = stack_db(SQLITE_OPEN_READWRITE);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	insert_patients(db, "visit", NVP, vuser, vpat);
	insert_patients(db, "queue", NWAIT, wuser, wpat);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	memset(&cfg, 0, sizeof cfg);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", e2e_data_dir());
	ck_assert_int_eq(med_secret_load(&cfg, "jwt_access", key, 0), MED_OK);
	for (int i = 0; i < NWAIT; i++)
		wtok[i] = mint(key, wuser[i]);
	for (int i = 0; i < NVISITS; i++) {
		int day = FIRST_DAY + i / PER_DAY, minutes = 8 * 60 + (i % PER_DAY) * 30;
		e2e_local_at(day, minutes / 60, minutes % 60, s);
		e2e_local_at(day, (minutes + 30) / 60, (minutes + 30) % 60, e);
		snprintf(body, sizeof body, "{\"patient_id\":\"%.36s\",\"doctor_id\":\"%.36s\","
		    "\"start_time\":\"%.31s\",\"end_time\":\"%.31s\"}", vpat[i % NVP], doc.profile_id,
		    s, e);
		ck_assert_int_eq(e2e_call("POST", "/appointments", staff.token, body, visits[i]), 201);
	}
	e2e_local_at(FIRST_DAY, 0, 0, from);
	e2e_local_at(FIRST_DAY + NVISITS / PER_DAY - 1, 0, 0, to);
	for (int i = 0; i < NWAIT; i++) {
		snprintf(body, sizeof body, "{\"patient_id\":\"%.36s\",\"doctor_id\":\"%.36s\","
		    "\"from_date\":\"%.10s\",\"to_date\":\"%.10s\"}", wpat[i], doc.profile_id, from, to);
		ck_assert_int_eq(e2e_call("POST", "/waitlist", staff.token, body, NULL), 201);
	}
}

struct shot {
	const char *token;
	char path[160];
	char body[512];   /* "" : none */
};

/* e2e_fire() request: shot i of the array arg. */
static int
shoot(int i, void *arg)
{
	const struct shot *s = (const struct shot *)arg + i;

	return e2e_call("POST", s->path, s->token, s->body[0] != '\0' ? s->body : NULL, NULL);
}

/* Fire n shots at once; none may fail with a 5xx. */
static void
fire(struct shot *shots, int n, int *statuses)
{
	e2e_fire(n, shoot, shots, statuses);
	for (int i = 0; i < n; i++)
		ck_assert_msg(statuses[i] < 500, "a racing request got %d", statuses[i]);
}

START_TEST(each_freed_interval_to_one_patient)
{
	static struct shot shots[NVISITS];
	int statuses[NVISITS];

	for (int i = 0; i < NVISITS; i++) {
		shots[i].token = staff.token;
		snprintf(shots[i].path, sizeof shots[i].path, "/appointments/%.36s/cancel", visits[i]);
		snprintf(shots[i].body, sizeof shots[i].body, "{}");
	}
	fire(shots, NVISITS, statuses);
	for (int i = 0; i < NVISITS; i++)
		ck_assert_int_eq(statuses[i], 200);
	/* One HELD offer per freed interval, each to another entry; the rest wait. */
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_offers WHERE doctor_id = ?1"),
	    NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_offers WHERE doctor_id = ?1"
	    " AND status = 'HELD'"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(DISTINCT start_time) FROM waitlist_offers"
	    " WHERE doctor_id = ?1 AND status = 'HELD'"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(DISTINCT entry_id) FROM waitlist_offers"
	    " WHERE doctor_id = ?1"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_entries WHERE doctor_id = ?1"
	    " AND status = 'OFFERED'"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_entries WHERE doctor_id = ?1"
	    " AND status = 'WAITING'"), NWAIT - NVISITS);
	/* Every freed interval is one of the cancelled visits, offered whole. */
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_offers o JOIN appointments a"
	    " ON a.doctor_id = o.doctor_id AND a.start_time = o.start_time"
	    " AND a.end_time = o.end_time AND a.status = 'CANCELLED' WHERE o.doctor_id = ?1"),
	    NVISITS);
	/* One message each, to the patient offered. */
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'"
	    " AND recipient IN (SELECT u.email FROM waitlist_offers o JOIN waitlist_entries e"
	    " ON e.id = o.entry_id JOIN patients p ON p.id = e.patient_id JOIN users u"
	    " ON u.id = p.user_id WHERE o.doctor_id = ?1)"), NVISITS);
}
END_TEST

/* The index of patient profile id among the waiting patients. */
static int
waiting_index(const char *id)
{
	for (int i = 0; i < NWAIT; i++)
		if (strcmp(wpat[i], id) == 0)
			return i;
	ck_abort_msg("no waiting patient %s", id);
	return -1;
}

/* The waiting patients not offered anything, one after the other (from the database). */
static int
next_waiting(void)
{
	static int at;
	char sql[256];

	for (; at < NWAIT; at++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM waitlist_entries WHERE doctor_id = ?1"
		    " AND status = 'WAITING' AND patient_id = '%s'", wpat[at]);
		if (doctor_count(sql) == 1)
			return at++;
	}
	ck_abort_msg("no waiting patient left");
	return -1;
}

START_TEST(accepts_beat_direct_bookings)
{
	static struct shot shots[2 * NVISITS];
	int statuses[2 * NVISITS], n = 0, won = 0;
	const cJSON *entry, *offer;
	struct http_result r;
	char path[256];

	snprintf(path, sizeof path, "/waitlist?doctor_id=%s&status=OFFERED&limit=1000",
	    doc.profile_id);
	ck_assert_int_eq(api("GET", path, staff.token, NULL, &r), 200);
	cJSON_ArrayForEach(entry, e2e_data(&r)) {
		struct shot *a = &shots[n], *b = &shots[n + 1];

		ck_assert_int_lt(n, 2 * NVISITS);
		offer = cJSON_GetObjectItemCaseSensitive(entry, "offer");
		ck_assert_str_eq(e2e_str(offer, "status"), "HELD");
		a->token = wtok[waiting_index(e2e_str(entry, "patient_id"))];
		snprintf(a->path, sizeof a->path, "/waitlist/offers/%.36s/accept",
		    e2e_str(offer, "id"));
		a->body[0] = '\0';
		/*
		 * The competitor: by turns a patient whose own visit was cancelled,
		 * booked at the desk, and a patient still waiting, booking themself.
		 */
		snprintf(b->path, sizeof b->path, "/appointments");
		if ((n / 2) % 2 == 0) {
			b->token = staff.token;
			snprintf(b->body, sizeof b->body, "{\"patient_id\":\"%.36s\",", vpat[(n / 2) % NVP]);
		} else {
			b->token = wtok[next_waiting()];
			snprintf(b->body, sizeof b->body, "{");
		}
		snprintf(b->body + strlen(b->body), sizeof b->body - strlen(b->body),
		    "\"doctor_id\":\"%.36s\",\"start_time\":\"%.31s\",\"end_time\":\"%.31s\"}",
		    doc.profile_id, e2e_str(offer, "start_time"), e2e_str(offer, "end_time"));
		n += 2;
	}
	http_result_free(&r);
	ck_assert_int_eq(n, 2 * NVISITS);
	fire(shots, n, statuses);
	for (int i = 0; i < n; i += 2) {
		ck_assert_int_eq(statuses[i], 201);
		ck_assert_int_eq(statuses[i + 1], 409);
		won++;
	}
	ck_assert_int_eq(won, NVISITS);
	/* Each interval: one SCHEDULED visit, the offered patient's, from that offer. */
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM appointments WHERE doctor_id = ?1"
	    " AND status = 'SCHEDULED'"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_offers o"
	    " JOIN waitlist_entries e ON e.id = o.entry_id JOIN appointments a"
	    " ON a.id = o.appointment_id WHERE o.doctor_id = ?1 AND o.status = 'ACCEPTED'"
	    " AND e.status = 'BOOKED' AND a.status = 'SCHEDULED' AND a.patient_id = e.patient_id"
	    " AND a.start_time = o.start_time"), NVISITS);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM appointments a JOIN appointments b"
	    " ON a.doctor_id = b.doctor_id AND a.id < b.id WHERE a.doctor_id = ?1"
	    " AND a.status = 'SCHEDULED' AND b.status = 'SCHEDULED'"
	    " AND a.start_time < b.end_time AND b.start_time < a.end_time"), 0);
	ck_assert_int_eq(doctor_count("SELECT count(*) FROM waitlist_offers WHERE doctor_id = ?1"
	    " AND status = 'HELD'"), 0);
}
END_TEST

static Suite *
waitlist_suite(void)
{
	Suite *s = suite_create("e2e_waitlist");
	TCase *tc = tcase_create("waitlist");

	tcase_set_timeout(tc, 180);
	tcase_add_unchecked_fixture(tc, wait_setup, NULL);
	tcase_add_test(tc, each_freed_interval_to_one_patient);
	tcase_add_test(tc, accepts_beat_direct_bookings);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(waitlist_suite)
