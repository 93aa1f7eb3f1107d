/*
 * test_crash.c - a write load (bookings, medical records, billing) runs
 * against the stack while this test SIGKILLs random workers; the master
 * respawns them.  Afterwards every write that was acknowledged with a 2xx
 * is in the database exactly as sent, no doctor is double-booked, and
 * the database passes integrity and foreign-key checks.
 *
 * CRASH_SECONDS sets the length of the load (default 4; `make stress`
 * runs it for longer).  Needs MED_BASE_URL and MED_DATA_DIR.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "e2ekit.h"
#include "testreg.h"

#define CLIENTS 4
#define KILL_EVERY_MS 250
#define SLOT_SECONDS 900      /* 15-minute bookings */
#define SLOTS_PER_DAY 95      /* 00:00 .. 23:45 inside a 00:00-23:59:59 window */
#define MAX_ACKS 100000

enum op { OP_BOOK, OP_RECORD, OP_BILL };

struct ack {
	enum op op;
	char id[37];
	long long when;  /* booking start (UTC secs) or billed cents */
};

static struct {
	char *admin, *staff, *doctor;
	char doctor_id[37];
	char patient_id[2][37];
	long long first_day;   /* UTC midnight of the first bookable day */
} w;

static long
env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : dflt;
}

static void
fmt_utc(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A fresh doctor open every day, round the clock, and two patients. */
static void
setup_world(void)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	char user_id[37], body[512], path[128];
	char *ptok;
	int i;

	w.admin = e2e_token("admin@example.dz", E2E_PW);
	w.staff = e2e_token("reception@example.dz", E2E_PW);
	w.doctor = e2e_fresh_account(w.admin, "crash.doctor", "DOCTOR", user_id);
	/* Its days lie years ahead: the booking horizon reaches them. */
	snprintf(body, sizeof body, "{\"user_id\":\"%s\",\"first_name\":\"Crash\","
	    "\"last_name\":\"Test\",\"city\":\"Oran\",\"booking_horizon_days\":3650}", user_id);
	ck_assert_int_eq(e2e_call("POST", "/doctors", w.admin, body, w.doctor_id), 201);
	snprintf(path, sizeof path, "/doctors/%s/availability", w.doctor_id);
	for (i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "{\"weekday\":\"%s\",\"start_time\":\"00:00\","
		    "\"end_time\":\"23:59:59\"}", days[i]);
		ck_assert_int_eq(e2e_call("POST", path, w.doctor, body, NULL), 201);
	}
	for (i = 0; i < 2; i++) {
		ptok = e2e_fresh_account(w.admin, "crash.patient", NULL, NULL);
		ck_assert_int_eq(e2e_call("POST", "/patients/me", ptok,
		    "{\"first_name\":\"Crash\",\"last_name\":\"Patient\"}", w.patient_id[i]), 201);
		free(ptok);
	}
	/* Far enough ahead that no other suite books this doctor's days anyway. */
	w.first_day = ((long long)time(NULL) / 86400 + 400) * 86400;
}

static int
book(int slot, char *id)
{
	char body[512], start[32], end[32];
	long long t = w.first_day + (long long)(slot / SLOTS_PER_DAY) * 86400 +
	    (long long)(slot % SLOTS_PER_DAY) * SLOT_SECONDS;

	fmt_utc(t, start);
	fmt_utc(t + SLOT_SECONDS, end);
	snprintf(body, sizeof body, "{\"doctor_id\":\"%s\",\"patient_id\":\"%s\","
	    "\"start_time\":\"%s\",\"end_time\":\"%s\",\"reason\":\"crash test\"}",
	    w.doctor_id, w.patient_id[slot % 2], start, end);
	return e2e_call("POST", "/appointments", w.staff, body, id);
}

/*
 * One client: writes until the deadline, appending every acknowledged
 * write to its file.  Exit status: number of 5xx other than 502/503 (a
 * killed worker makes nginx answer 502), capped at 255.
 */
static int
client(int n, long long deadline, const char *file)
{
	FILE *f = fopen(file, "w");
	int i, bad = 0, status;
	struct ack a;
	char body[256];

	if (f == NULL)
		return 255;
	for (i = 0; time(NULL) < deadline; i++) {
		memset(&a, 0, sizeof a);
		a.op = (enum op)(i % 3);
		switch (a.op) {
		case OP_BOOK:
			a.when = i / 3 * CLIENTS + n;   /* slot index, unique per request */
			status = book((int)a.when, a.id);
			break;
		case OP_RECORD:
			snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"diagnosis\":"
			    "\"crash test %d/%d\"}", w.patient_id[i % 2], n, i);
			status = e2e_call("POST", "/medical-records", w.doctor, body, a.id);
			break;
		default:
			a.when = 100 + n * 100000 + i;
			snprintf(body, sizeof body, "{\"patient_id\":\"%s\",\"amount\":%lld.%02lld,"
			    "\"currency\":\"DZD\"}", w.patient_id[i % 2], a.when / 100, a.when % 100);
			status = e2e_call("POST", "/billing", w.staff, body, a.id);
			break;
		}
		if (status >= 200 && status < 300)
			fwrite(&a, sizeof a, 1, f);
		else if (status >= 500 && status != 502 && status != 503)
			bad++;
		/* 4xx (e.g. 409 after a retried booking) is simply not acknowledged. */
	}
	fclose(f);
	return bad > 255 ? 255 : bad;
}

static pid_t
master_pid(void)
{
	char path[4096];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof path, "%s/run/spawn.pid", e2e_data_dir());
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no %s", path);
	ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

/* Children of the worker master, from /proc. */
static int
workers(pid_t master, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		char path[300], line[512], *rp;
		FILE *f;
		long ppid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, f) != NULL && (rp = strrchr(line, ')')) != NULL &&
		    sscanf(rp + 2, "%*c %ld", &ppid) == 1 && ppid == master)
			out[n++] = (pid_t)atol(e->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

static sqlite3 *
open_db(void)
{
	char path[4096];
	sqlite3 *db = NULL;

	snprintf(path, sizeof path, "%s/clinic.db", e2e_data_dir());
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static long long
scalar(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	long long v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (arg != NULL)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
check_ack(sqlite3 *db, const struct ack *a, long *missing)
{
	long long v;

	switch (a->op) {
	case OP_BOOK:
		v = scalar(db, "SELECT start_time FROM appointments WHERE id = ?1 AND "
		    "status = 'SCHEDULED' AND end_time = start_time + 900", a->id);
		if (v != w.first_day + a->when / SLOTS_PER_DAY * 86400 +
		    a->when % SLOTS_PER_DAY * SLOT_SECONDS)
			(*missing)++;
		break;
	case OP_RECORD:
		if (scalar(db, "SELECT count(*) FROM medical_records WHERE id = ?1 AND "
		    "diagnosis LIKE 'crash test %'", a->id) != 1)
			(*missing)++;
		break;
	case OP_BILL:
		if (scalar(db, "SELECT amount_cents FROM billings WHERE id = ?1", a->id) != a->when)
			(*missing)++;
		break;
	}
}

START_TEST(acknowledged_writes_survive_killed_workers)
{
	long seconds = env_long("CRASH_SECONDS", 4);
	long long deadline;
	pid_t kids[CLIENTS], master, ws[64];
	char files[CLIENTS][4200];
	long acked[3] = { 0 }, missing = 0, kills = 0, bad5xx = 0;
	int i, status, n;
	unsigned seed = (unsigned)getpid();
	sqlite3 *db;
	char *integrity;
	sqlite3_stmt *st;

	setup_world();
	/* One booking per patient first, so the doctor may write their records. */
	ck_assert_int_eq(book(100000, NULL), 201);
	ck_assert_int_eq(book(100001, NULL), 201);
	master = master_pid();
	deadline = (long long)time(NULL) + seconds;
	for (i = 0; i < CLIENTS; i++) {
		snprintf(files[i], sizeof files[i], "%s/log/crash-acks.%d", e2e_data_dir(), i);
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0)
			_exit(client(i, deadline, files[i]));
	}
	/* The killer: a random worker every KILL_EVERY_MS while the load runs. */
	while (time(NULL) < deadline) {
		e2e_pause_ms(KILL_EVERY_MS);
		if ((n = workers(master, ws, 64)) > 0 && kill(ws[rand_r(&seed) % n], SIGKILL) == 0)
			kills++;
	}
	for (i = 0; i < CLIENTS; i++) {
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert(WIFEXITED(status));
		bad5xx += WEXITSTATUS(status);
	}
	ck_assert_msg(bad5xx == 0, "%ld answers were 5xx other than 502/503", bad5xx);
	ck_assert_msg(kills > 0, "no worker was killed");

	db = open_db();
	for (i = 0; i < CLIENTS; i++) {
		FILE *f = fopen(files[i], "r");
		struct ack a;

		ck_assert_ptr_nonnull(f);
		while (fread(&a, sizeof a, 1, f) == 1) {
			acked[a.op]++;
			check_ack(db, &a, &missing);
		}
		fclose(f);
		unlink(files[i]);
	}
	ck_assert_msg(missing == 0, "%ld acknowledged writes are missing or altered", missing);
	ck_assert_msg(acked[OP_BOOK] > 0 && acked[OP_RECORD] > 0 && acked[OP_BILL] > 0,
	    "load made no progress: %ld/%ld/%ld", acked[0], acked[1], acked[2]);
	/* No overlapping SCHEDULED appointments for any doctor. */
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM appointments a JOIN appointments b "
	    "ON a.doctor_id = b.doctor_id AND a.id < b.id WHERE a.status = 'SCHEDULED' AND "
	    "b.status = 'SCHEDULED' AND a.start_time < b.end_time AND b.start_time < a.end_time",
	    NULL), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	integrity = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ck_assert_str_eq(integrity, "ok");
	free(integrity);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* The stack still serves after all that. */
	ck_assert_int_eq(e2e_call("GET", "/health", NULL, NULL, NULL), 200);
	printf("crash test: %lds, %ld workers killed, acknowledged %ld bookings, %ld records, "
	    "%ld billings, %ld lost\n", seconds, kills, acked[0], acked[1], acked[2], missing);
	free(w.admin);
	free(w.staff);
	free(w.doctor);
}
END_TEST

static Suite *
e2e_crash_suite(void)
{
	Suite *s = suite_create("e2e_crash");
	TCase *tc = tcase_create("crash");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, acknowledged_writes_survive_killed_workers);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(e2e_crash_suite)
