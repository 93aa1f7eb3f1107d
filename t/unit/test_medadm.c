/*
 * test_medadm.c - the medadm binary (env MEDADM), run with fork/exec on
 * temporary databases: every subcommand's happy path and its refusals,
 * and the restore round trip compared table by table.  The secret
 * pick-up by a second "worker" context is tested in-process at the end.
 */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "dbsum.h"
#include "secrets.h"
#include "proc.h"
#include "testctx.h"
#include "testreg.h"

#define MAX_ARGS 16
#define PW "Algeria123!"

static char dir[64];
static char dbp[128];
static char out[1 << 20];
static char err[1 << 16];

/*
 * Run medadm --db <dbp> ARGS... (NULL-terminated) with `in` on stdin;
 * stdout lands in out[], stderr in err[].  Returns the exit status.
 */
static int
run(const char *in, const char *arg, ...)
{
	const char *bin = getenv("MEDADM");
	char *argv[MAX_ARGS + 4], opath[160], epath[160], ipath[160];
	va_list ap;
	int n = 0;

	ck_assert_msg(bin != NULL, "MEDADM is not set (run through make unit)");
	argv[n++] = (char *)bin;
	argv[n++] = "--db";
	argv[n++] = dbp;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < MAX_ARGS; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(opath, sizeof opath, "%s/.out", dir);
	snprintf(epath, sizeof epath, "%s/.err", dir);
	snprintf(ipath, sizeof ipath, "%s/.in", dir);
	{
		FILE *f = fopen(ipath, "w");
		ck_assert_ptr_nonnull(f);
		fputs(in != NULL ? in : "", f);
		fclose(f);
	}
	return proc_run(argv, ipath, opath, epath, out, sizeof out, err, sizeof err);
}

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/medadmtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbp, sizeof dbp, "%s/clinic.db", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
seeded(void)
{
	ck_assert_int_eq(run(NULL, "init", NULL), 0);
	ck_assert_int_eq(run(NULL, "seed", NULL), 0);
}

static sqlite3 *
open_db(const char *path)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* First column of the first row of sql as an integer (-1 if no row). */
static int64_t
scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t
scalar_at(const char *path, const char *sql)
{
	sqlite3 *db = open_db(path);
	int64_t v = scalar(db, sql);

	sqlite3_close(db);
	return v;
}

static cJSON *
json_out(void)
{
	cJSON *j = cJSON_Parse(out);

	ck_assert_msg(j != NULL, "not JSON: %s", out);
	return j;
}

/* ---- usage, help, missing database -------------------------------------- */

START_TEST(test_adm_usage_errors)
{
	seeded();
	ck_assert_int_eq(run(NULL, NULL), 2);
	ck_assert_int_eq(run(NULL, "frobnicate", NULL), 2);
	ck_assert_int_eq(run(NULL, "--bogus", "check", NULL), 2);
	ck_assert_int_eq(run(NULL, "backup", NULL), 2);
	ck_assert_int_eq(run(NULL, "backup", "a.db", "b.db", NULL), 2);
	ck_assert_int_eq(run(NULL, "backup", "--fast", NULL), 2);
	ck_assert_int_eq(run(NULL, "restore", NULL), 2);
	ck_assert_int_eq(run(NULL, "check", "--max-wal", "lots", NULL), 2);
	ck_assert_int_eq(run(NULL, "check", "--max-wal", NULL), 2);
	ck_assert_int_eq(run(NULL, "check", "extra", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--limit", "0", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--limit", "100001", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--from", "2026-02-30", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--to", "yesterday", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--patient", "not-a-uuid", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "--user", NULL), 2);
	ck_assert_int_eq(run(NULL, "audit", "stray", NULL), 2);
	ck_assert_int_eq(run(NULL, "export-patient", NULL), 2);
	ck_assert_int_eq(run(NULL, "export-patient", "a", "b", NULL), 2);
	ck_assert_int_eq(run(NULL, "rotate-secret", "now", NULL), 2);
	ck_assert_int_eq(run(NULL, "seed", "--forcefully", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "usage: medadm seed"));
}
END_TEST

/* user unlock forgets the account's failed logins, and only its own. */
START_TEST(test_adm_user_unlock)
{
	sqlite3 *db;

	seeded();
	db = open_db(dbp);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO login_failures (key, failed_at) VALUES"
	    " ('account:amina.benali@example.dz', unixepoch()),"
	    " ('pair:amina.benali@example.dz|192.0.2.1', unixepoch()),"
	    " ('account:sara.bouzid@example.dz', unixepoch())", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "user", "unlock", "Amina.Benali@example.dz", NULL), 0);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM login_failures"
	    " WHERE key LIKE '%amina%'"), 0);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM login_failures"), 1);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'user.unlock'"), 1);
	ck_assert_int_eq(run(NULL, "user", "unlock", "nobody@example.dz", NULL), 1);
}
END_TEST

START_TEST(test_adm_help_everywhere)
{
	static const char *const cmds[][2] = {
		{ "init", NULL }, { "migrate", NULL }, { "seed", NULL }, { "backup", NULL },
		{ "restore", NULL }, { "check", NULL }, { "audit", NULL },
		{ "export-patient", NULL }, { "rotate-secret", NULL }, { "user", "add" },
		{ "user", "list" }, { "user", "revoke-sessions" }, { "user", "unlock" },
	};

	/* No database at all: --help needs none. */
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (cmds[i][1] == NULL)
			ck_assert_int_eq(run(NULL, cmds[i][0], "--help", NULL), 0);
		else
			ck_assert_int_eq(run(NULL, cmds[i][0], cmds[i][1], "--help", NULL), 0);
		ck_assert_msg(strncmp(out, "usage: medadm ", 14) == 0, "%s: %s", cmds[i][0], out);
	}
	ck_assert_int_eq(run(NULL, "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "rotate-secret"));
	ck_assert_ptr_nonnull(strstr(out, "export-patient"));
	ck_assert_int_eq(access(dbp, F_OK), -1);
}
END_TEST

START_TEST(test_adm_missing_db)
{
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "no database"));
	ck_assert_int_eq(run(NULL, "backup", "x.db", NULL), 1);
	ck_assert_int_eq(run(NULL, "audit", NULL), 1);
	ck_assert_int_eq(run(NULL, "export-patient", "amina.benali@example.dz", NULL), 1);
	ck_assert_int_eq(run(NULL, "rotate-secret", NULL), 1);
	ck_assert_int_eq(run(NULL, "seed", NULL), 1);
	ck_assert_int_eq(access(dbp, F_OK), -1);
}
END_TEST

START_TEST(test_adm_seed_refuses_non_empty)
{
	ck_assert_int_eq(run(NULL, "init", NULL), 0);
	ck_assert_int_eq(run("S3cret-pass\n", "user", "add", "it@example.dz", "--role", "ADMIN",
	    NULL), 0);
	ck_assert_int_eq(run(NULL, "seed", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "--force"));
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(run(NULL, "seed", "--force", NULL), 0);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM users"), 12);
}
END_TEST

/* ---- backup ----------------------------------------------------------- */

START_TEST(test_adm_backup)
{
	char file[160];
	cJSON *j, *tables;

	seeded();
	snprintf(file, sizeof file, "%s/b.db", dir);
	ck_assert_int_eq(run(NULL, "--json", "backup", file, NULL), 0);
	j = json_out();
	tables = cJSON_GetObjectItem(j, "tables");
	ck_assert_int_eq(cJSON_GetObjectItem(tables, "users")->valueint, 11);
	ck_assert_int_eq(cJSON_GetObjectItem(tables, "appointments")->valueint,
	    (int)scalar_at(dbp, "SELECT count(*) FROM appointments"));
	ck_assert_str_eq(cJSON_GetObjectItem(j, "integrity")->valuestring, "ok");
	{
		struct stat sb;
		ck_assert_int_eq(stat(file, &sb), 0);
		ck_assert_int_eq((int)cJSON_GetObjectItem(j, "bytes")->valuedouble, (int)sb.st_size);
		ck_assert_int_eq(sb.st_mode & 077, 0); /* medical data: owner only */
	}
	cJSON_Delete(j);
	/* A single self-contained file that passes integrity_check on its own. */
	{
		sqlite3 *db = open_db(file);
		sqlite3_stmt *st;
		ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "delete");
		sqlite3_finalize(st);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	/* Audited in the live database. */
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log WHERE action = 'backup'"
	    " AND entity = 'database' AND user_id IS NULL"), 1);
	/* An existing file is not overwritten without --force. */
	ck_assert_int_eq(run(NULL, "backup", file, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "exists"));
	ck_assert_int_eq(run(NULL, "backup", file, "--force", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "integrity ok"));
	ck_assert_ptr_nonnull(strstr(out, "users"));
	/* An unwritable destination fails cleanly. */
	ck_assert_int_eq(run(NULL, "backup", "/nonexistent-dir/b.db", NULL), 1);
}
END_TEST

/* ---- restore ---------------------------------------------------------- */

START_TEST(test_adm_restore_round_trip)
{
	struct dbsum before, after;
	char file[160], where[64], aside_glob[200];
	int n;
	int64_t last_audit;

	seeded();
	snprintf(file, sizeof file, "%s/b.db", dir);
	ck_assert_int_eq(run(NULL, "export-patient", "amina.benali@example.dz", NULL), 0);
	ck_assert_int_eq(run(NULL, "backup", file, NULL), 0);
	dbsum_take(file, NULL, &before);
	n = before.n;
	ck_assert_int_ge(n, 17);
	last_audit = scalar_at(file, "SELECT max(id) FROM audit_log");
	ck_assert_int_ge(last_audit, 1);
	/* Changes after the backup, which the restore must undo. */
	ck_assert_int_eq(run("S3cret-pass\n", "user", "add", "late@example.dz", "--role", "STAFF",
	    NULL), 0);
	ck_assert_int_eq(run(NULL, "user", "deactivate", "amina.benali@example.dz", NULL), 0);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM users"), 12);

	ck_assert_int_eq(run(NULL, "--json", "restore", file, NULL), 0);
	{
		cJSON *j = json_out();
		const char *prev = cJSON_GetObjectItem(j, "previous")->valuestring;
		ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "online")));
		ck_assert_ptr_nonnull(strstr(prev, "clinic.db.pre-restore-"));
		/* The previous database, kept aside, still has the late changes. */
		ck_assert_int_eq(scalar_at(prev, "SELECT count(*) FROM users"), 12);
		snprintf(aside_glob, sizeof aside_glob, "%s", prev);
		cJSON_Delete(j);
	}
	/* Every table equal; audit_log equal up to the backup, plus the restore row. */
	snprintf(where, sizeof where, "id <= %lld", (long long)last_audit);
	dbsum_take(dbp, where, &after);
	ck_assert_int_eq(after.n, n);
	for (int i = 0; i < n; i++) {
		ck_assert_str_eq(after.name[i], before.name[i]);
		ck_assert_msg(after.rows[i] == before.rows[i] && after.sum[i] == before.sum[i],
		    "table %s differs: %lld vs %lld rows", before.name[i],
		    (long long)after.rows[i], (long long)before.rows[i]);
	}
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log WHERE id > (SELECT max(id)"
	    " FROM audit_log WHERE action <> 'db.restore')"), 1);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log WHERE action = 'db.restore'"), 1);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM users WHERE email = 'late@example.dz'"), 0);
	/* The restored database serves: check is clean, users are back. */
	ck_assert_int_eq(run(NULL, "check", NULL), 0);
	ck_assert_int_eq(run(NULL, "user", "show", "amina.benali@example.dz", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"is_active\":\ttrue"));
	(void)aside_glob;
}
END_TEST

/* Write garbage over [off, off+len) of a copy of src. */
static void
corrupt_copy(const char *src, const char *dst, long off, long len)
{
	char cmd[512];
	FILE *f;

	if (strcmp(src, dst) != 0) {
		snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, dst);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_ptr_nonnull(f = fopen(dst, "r+"));
	fseek(f, off, SEEK_SET);
	for (long i = 0; i < len; i++)
		fputc((int)(i * 37 % 251), f);
	fclose(f);
}

START_TEST(test_adm_restore_refusals)
{
	struct dbsum before, after;
	char good[160], bad[160], sql[512];
	int n;
	sqlite3 *db;

	seeded();
	snprintf(good, sizeof good, "%s/good.db", dir);
	ck_assert_int_eq(run(NULL, "backup", good, NULL), 0);
	dbsum_take(dbp, NULL, &before);
	n = before.n;

	/* Not there. */
	snprintf(bad, sizeof bad, "%s/absent.db", dir);
	ck_assert_int_eq(run(NULL, "restore", bad, NULL), 1);
	/* Not a database at all. */
	snprintf(bad, sizeof bad, "%s/text.db", dir);
	{
		FILE *f = fopen(bad, "w");
		ck_assert_ptr_nonnull(f);
		fputs("this is not a database\n", f);
		fclose(f);
	}
	ck_assert_int_eq(run(NULL, "restore", bad, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "refusing"));
	/* A clinic database with pages overwritten. */
	snprintf(bad, sizeof bad, "%s/corrupt.db", dir);
	corrupt_copy(good, bad, 4096 * 3, 4096 * 8);
	ck_assert_int_eq(run(NULL, "restore", bad, "--force", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "refusing"));
	/* A valid SQLite file of something else. */
	snprintf(bad, sizeof bad, "%s/foreign.db", dir);
	ck_assert_int_eq(sqlite3_open(bad, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE users (x); INSERT INTO users VALUES (1);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "restore", bad, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "not a clinic database"));
	/* Our schema, another version. */
	snprintf(bad, sizeof bad, "%s/v99.db", dir);
	snprintf(sql, sizeof sql, "cp '%s' '%s'", good, bad);
	ck_assert_int_eq(system(sql), 0);
	db = open_db(bad);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "restore", bad, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "schema version 99"));
	/* Foreign keys broken. */
	snprintf(bad, sizeof bad, "%s/fk.db", dir);
	snprintf(sql, sizeof sql, "cp '%s' '%s'", good, bad);
	ck_assert_int_eq(system(sql), 0);
	db = open_db(bad);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA foreign_keys = OFF; UPDATE appointments SET"
	    " doctor_id = 'nobody'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "restore", bad, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "foreign key"));

	/* None of it touched the live database or left files aside. */
	dbsum_take(dbp, NULL, &after);
	ck_assert_int_eq(after.n, n);
	for (int i = 0; i < n; i++)
		ck_assert(after.rows[i] == before.rows[i] && after.sum[i] == before.sum[i]);
	snprintf(sql, sizeof sql, "ls '%s' | grep -q pre-restore", dir);
	ck_assert_int_ne(system(sql), 0);
}
END_TEST

START_TEST(test_adm_restore_in_use)
{
	char file[160];
	sqlite3 *held;

	seeded();
	snprintf(file, sizeof file, "%s/b.db", dir);
	ck_assert_int_eq(run(NULL, "backup", file, NULL), 0);
	/* This test process plays a worker: the database open in WAL mode. */
	held = open_db(dbp);
	ck_assert_int_eq(sqlite3_exec(held, "PRAGMA journal_mode=WAL; DELETE FROM login_failures;"
	    " INSERT INTO specialties (name) VALUES ('Late')", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(scalar(held, "SELECT count(*) FROM specialties"), 11);
	ck_assert_int_eq(run(NULL, "restore", file, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "is open in process"));
	ck_assert_int_eq(scalar(held, "SELECT count(*) FROM specialties"), 11);
	/* check sees it too. */
	ck_assert_int_eq(run(NULL, "--json", "check", NULL), 0);
	{
		cJSON *j = json_out();
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "in_use")));
		ck_assert_int_eq(cJSON_GetObjectItem(j, "in_use_by_pid")->valueint, (int)getpid());
		cJSON_Delete(j);
	}
	/* --force: online, and the running connection sees the restored data. */
	ck_assert_int_eq(run(NULL, "restore", file, "--force", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "(online)"));
	ck_assert_int_eq(scalar(held, "SELECT count(*) FROM specialties"), 10);
	ck_assert_int_eq(scalar(held, "SELECT count(*) FROM audit_log WHERE action = 'db.restore'"), 1);
	ck_assert_int_eq(scalar(held, "SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check = 'ok'"), 1);
	sqlite3_close(held);
	ck_assert_int_eq(run(NULL, "check", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "in use        no"));
}
END_TEST

/* ---- check ------------------------------------------------------------ */

/* The scalar result of sql on db. */
static int
count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
	    sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * A version-1 database is brought forward through every migration: the
 * index version 2 dropped goes, the idempotency table of version 3, the
 * search keys of version 4 and the outbox of version 6 come, and two
 * specialties that differ only in accents and case (which version 1 let
 * exist) become one.
 */
START_TEST(test_adm_migrate_1_to_2)
{
	char want[64];
	sqlite3 *db;

	seeded();
	ck_assert_int_eq(sqlite3_open(dbp, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db,
	    "CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, at);"
	    "DROP TRIGGER appointment_reach_insert; DROP TRIGGER appointment_reach_update;"
	    "DROP TABLE appointment_reach;"
	    "DROP TRIGGER directory_doctors_insert; DROP TRIGGER directory_doctors_update; DROP TRIGGER directory_doctors_delete; DROP TRIGGER directory_doctor_specialties_insert; DROP TRIGGER directory_doctor_specialties_update; DROP TRIGGER directory_doctor_specialties_delete; DROP TRIGGER directory_specialties_insert; DROP TRIGGER directory_specialties_update; DROP TRIGGER directory_specialties_delete; DROP TABLE directory_version;"
	    "DROP VIEW audit_seen_all; DROP TABLE audit_seen_mark; DROP TABLE audit_seen;"
	    "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
	    "ALTER TABLE audit_log DROP COLUMN entity_ids;"
	    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	    "DROP TABLE idempotency_keys; DROP TABLE login_known; DROP TABLE outbox;"
	    "DROP INDEX doctors_city_key; DROP INDEX specialties_key;"
	    "ALTER TABLE doctors DROP COLUMN first_name_key;"
	    "ALTER TABLE doctors DROP COLUMN last_name_key;"
	    "ALTER TABLE doctors DROP COLUMN city_key;"
	    "ALTER TABLE specialties DROP COLUMN name_key;"
	    "CREATE INDEX doctors_city ON doctors(city);"
	    "INSERT INTO specialties (id, name) VALUES (901, 'Médecine-sport'), (902, 'MÉDECINE-SPORT');"
	    "DROP TRIGGER doctors_default_service; DROP TABLE doctor_services;"
	    "DROP TABLE clinic_settings; DROP INDEX appointments_service;"
	    "ALTER TABLE appointments DROP COLUMN service_id;"
	    "ALTER TABLE appointments DROP COLUMN buffer_before;"
	    "ALTER TABLE appointments DROP COLUMN buffer_after;"
	    "ALTER TABLE doctors DROP COLUMN min_notice_minutes;"
	    "ALTER TABLE doctors DROP COLUMN booking_horizon_days;"
	    "DROP TABLE doctor_time_off; DROP TABLE clinic_holidays;"
	    "DROP INDEX appointments_series; ALTER TABLE appointments DROP COLUMN series_id;"
	    "ALTER TABLE patients DROP COLUMN no_show_count;"
	    "DROP INDEX appointments_scheduled_start; ALTER TABLE appointments DROP COLUMN sequence;"
	    "DROP TABLE reminders_sent; DROP TABLE notifications; DROP TABLE calendar_feeds;"
	    "DROP TABLE waitlist_offers; DROP TABLE waitlist_entries;"
	    /* The status CHECK of version 5, without ARRIVED and NO_SHOW. */
	    "ALTER TABLE appointments RENAME COLUMN status TO status_new;"
	    "ALTER TABLE appointments ADD COLUMN status TEXT NOT NULL DEFAULT 'SCHEDULED'"
	    " CHECK (status IN ('SCHEDULED', 'COMPLETED', 'CANCELLED'));"
	    "UPDATE appointments SET status = status_new;"
	    "ALTER TABLE appointments DROP COLUMN status_new;"
	    "INSERT INTO doctor_specialties SELECT id, 902 FROM doctors LIMIT 1;"
	    "PRAGMA user_version = 1", NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_int_eq(run(NULL, "migrate", NULL), 0);
	snprintf(want, sizeof want, "schema version 1 -> %d", MED_SCHEMA_VERSION);
	ck_assert_ptr_nonnull(strstr(out, want));
	ck_assert_int_eq(sqlite3_open(dbp, &db), SQLITE_OK);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('audit_log_entity', 'doctors_city')"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('idempotency_keys', 'doctors_city_key', 'specialties_key', 'login_known',"
	    " 'outbox', 'outbox_due')"), 6);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM doctors WHERE city IS NOT NULL"
	    " AND city_key IS NULL"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM specialties WHERE name_key IS NULL"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM specialties WHERE id IN (901, 902)"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM doctor_specialties"
	    " WHERE specialty_id = 901"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM doctor_specialties"
	    " WHERE specialty_id = 902"), 0);
	/* Every doctor has its default service; the settings row and the trigger exist. */
	ck_assert_int_gt(count_of(db, "SELECT count(*) FROM doctors"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM doctors d WHERE NOT EXISTS"
	    " (SELECT 1 FROM doctor_services s WHERE s.doctor_id = d.id"
	    " AND s.name = 'Consultation' AND s.duration_minutes = 30 AND s.is_active = 1)"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM doctor_services"
	    " WHERE length(id) <> 36 OR substr(id, 15, 1) <> '4'"), 0);
	ck_assert_int_eq(count_of(db, "SELECT slot_step_minutes FROM clinic_settings"), 15);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('doctors_default_service', 'appointments_service', 'doctor_services_doctor')"), 3);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM appointments WHERE service_id IS NOT NULL"
	    " OR buffer_before <> 0 OR buffer_after <> 0"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('doctor_time_off', 'clinic_holidays', 'appointments_series')"), 3);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('audit_seen', 'audit_seen_no_update', 'audit_seen_no_delete', 'audit_seen_mark',"
	    " 'audit_seen_all')"), 5);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM audit_seen_mark"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM pragma_table_info('audit_log')"
	    " WHERE name = 'entity_ids'"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('waitlist_entries', 'waitlist_offers', 'waitlist_entries_active',"
	    " 'waitlist_offers_held')"), 4);
	/* Every status kept; the new ones accepted. */
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM appointments WHERE status = 'COMPLETED'"),
	    2);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM appointments WHERE status = 'CANCELLED'"),
	    1);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE appointments SET status = 'NO_SHOW'"
	    " WHERE status = 'CANCELLED'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE appointments SET status = 'LOST'"
	    " WHERE status = 'NO_SHOW'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(count_of(db, "SELECT sum(no_show_count) FROM patients"), 0);
	/* Outreach: every visit at sequence 0, the default reminders, the new tables. */
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM appointments WHERE sequence <> 0"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM clinic_settings"
	    " WHERE reminder_offsets = '[1440,120]'"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('reminders_sent', 'notifications', 'notifications_user', 'calendar_feeds',"
	    " 'appointments_scheduled_start')"), 5);
	/* The overlap look-back starts from the longest visit on file and is kept by triggers. */
	ck_assert_int_gt(count_of(db, "SELECT count(*) FROM appointments"), 0);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM appointment_reach WHERE seconds ="
	    " (SELECT max(end_time + buffer_after - start_time) FROM appointments)"), 1);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
	    " ('appointment_reach_insert', 'appointment_reach_update')"), 2);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
	    " AND name LIKE 'directory_%'"), 9);
	ck_assert_int_eq(count_of(db, "SELECT count(*) FROM directory_version"), 1);
	sqlite3_close(db);
	ck_assert_int_eq(run(NULL, "check", NULL), 0);
	ck_assert_int_eq(run(NULL, "migrate", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "up to date"));
}
END_TEST

START_TEST(test_adm_check)
{
	char sql[128];
	sqlite3 *db;
	cJSON *j;

	seeded();
	ck_assert_int_eq(run(NULL, "check", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "status        OK"));
	ck_assert_int_eq(run(NULL, "--json", "check", NULL), 0);
	j = json_out();
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
	ck_assert_str_eq(cJSON_GetObjectItem(j, "integrity")->valuestring, "ok");
	ck_assert_int_eq(cJSON_GetObjectItem(j, "schema_version")->valueint, MED_SCHEMA_VERSION);
	cJSON_Delete(j);

	/* A WAL over the limit: our open connection keeps it from being checkpointed away. */
	db = open_db(dbp);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
	    " INSERT INTO specialties (name) VALUES ('W')", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(NULL, "check", "--max-wal", "0", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "WAL larger than the limit"));
	ck_assert_int_eq(run(NULL, "check", NULL), 0);

	/* A foreign key violation. */
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA foreign_keys = OFF;"
	    " UPDATE medical_records SET patient_id = 'ghost'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(NULL, "--json", "check", NULL), 1);
	j = json_out();
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
	ck_assert_int_ge(cJSON_GetObjectItem(j, "foreign_key_violations")->valueint, 1);
	cJSON_Delete(j);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE medical_records SET patient_id ="
	    " (SELECT id FROM patients LIMIT 1)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(NULL, "check", NULL), 0);

	/* Another schema version, and a missing table. */
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "run medadm migrate"));
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d; DROP TABLE favorite_doctors",
	    MED_SCHEMA_VERSION);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "missing: favorite_doctors"));
	sqlite3_close(db);

	/* A corrupt file. */
	corrupt_copy(dbp, dbp, 4096 * 2, 4096 * 6);
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
}
END_TEST

/*
 * A file that is not SQLite at all (a text export saved under the
 * database's name): every command says "not a database", none writes to
 * it, and check reports no table finding it could not make.
 */
START_TEST(test_adm_not_a_database)
{
	char before[8192], after[8192];
	cJSON *j, *it;
	int said = 0;
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(dbp, "w"));
	for (int i = 0; i < 60; i++)
		fprintf(f, "Patient notes, exported as text by mistake: line %d\n", i);
	fclose(f);
	proc_slurp(dbp, before, sizeof before);

	ck_assert_int_eq(run(NULL, "migrate", NULL), 1);
	ck_assert_msg(strstr(err, "not a database") != NULL, "migrate said: %s", err);
	ck_assert_ptr_null(strstr(err, "I/O error"));

	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_msg(strstr(out, "not a database") != NULL, "check said: %s", out);
	ck_assert_msg(strstr(out, "all present") == NULL, "check said: %s", out);
	ck_assert_msg(strstr(out, "-1") == NULL, "check said: %s", out);
	ck_assert_int_eq(run(NULL, "--json", "check", NULL), 1);
	j = json_out();
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "missing_tables")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "schema_version")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "foreign_key_violations")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "problems"))
		said += strstr(it->valuestring, "not a database") != NULL;
	ck_assert_int_eq(said, 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "problems")), 1);
	cJSON_Delete(j);

	ck_assert_int_eq(run(NULL, "user", "list", NULL), 1);
	ck_assert_msg(strstr(err, "not a database") != NULL, "user list said: %s", err);
	ck_assert_int_eq(run(NULL, "init", NULL), 1);
	ck_assert_msg(strstr(err, "not a database") != NULL, "init said: %s", err);

	proc_slurp(dbp, after, sizeof after);
	ck_assert_str_eq(before, after);
}
END_TEST

/*
 * A database SQLite opens but cannot read through (its schema page
 * overwritten): check says the tables could not be listed, never "all
 * present" beside "tables of schema.sql missing".
 */
START_TEST(test_adm_check_unreadable_schema)
{
	seeded();
	corrupt_copy(dbp, dbp, 100, 4096 - 100);
	ck_assert_int_eq(run(NULL, "check", NULL), 1);
	ck_assert_msg(!(strstr(out, "all present") != NULL && strstr(out, "missing") != NULL),
	    "check contradicts itself: %s", out);
	ck_assert_msg(strstr(out, "all present") == NULL, "check said: %s", out);
}
END_TEST

/* ---- audit and export ------------------------------------------------- */

#define AMINA_PATIENT "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"

START_TEST(test_adm_export_patient)
{
	cJSON *j, *user;
	sqlite3 *db;

	seeded();
	ck_assert_int_eq(run(NULL, "export-patient", "amina.benali@example.dz", NULL), 0);
	ck_assert_ptr_null(strstr(out, "password"));
	ck_assert_ptr_null(strstr(out, "$scrypt$"));
	ck_assert_ptr_null(strstr(out, "token_version"));
	j = json_out();
	ck_assert_str_eq(cJSON_GetObjectItem(j, "format")->valuestring, "medclinic-patient-export/1");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "patient_id")->valuestring, AMINA_PATIENT);
	user = cJSON_GetObjectItem(j, "user");
	ck_assert_str_eq(cJSON_GetObjectItem(user, "email")->valuestring, "amina.benali@example.dz");
	ck_assert_str_eq(cJSON_GetObjectItem(user, "role")->valuestring, "PATIENT");
	db = open_db(dbp);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "appointments")),
	    (int)scalar(db, "SELECT count(*) FROM appointments WHERE patient_id = '" AMINA_PATIENT "'"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "medical_records")),
	    (int)scalar(db, "SELECT count(*) FROM medical_records WHERE patient_id = '" AMINA_PATIENT "'"));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "billings")),
	    (int)scalar(db, "SELECT count(*) FROM billings WHERE patient_id = '" AMINA_PATIENT "'"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "insurance_claims"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "reviews"));
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "favorite_doctors"));
	cJSON_Delete(j);
	/* Audited, and the same patient by id gives the same patient. */
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'export'"
	    " AND entity = 'patient' AND entity_id = '" AMINA_PATIENT "'"), 1);
	ck_assert_int_eq(run(NULL, "export-patient", AMINA_PATIENT, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"Benali\""));
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'export'"), 2);
	/* Not a patient: a doctor's email, an unknown id. */
	ck_assert_int_eq(run(NULL, "export-patient", "samir.bensalah@example.dz", NULL), 1);
	ck_assert_int_eq(run(NULL, "export-patient", "00000000-0000-4000-8000-000000000000", NULL), 1);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'export'"), 2);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_adm_holidays_settings)
{
	char id[64];
	cJSON *j;

	seeded();
	/* The seed's five fixed-date holidays. */
	ck_assert_int_eq(run(NULL, "--json", "holiday", "list", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 5);
	cJSON_Delete(j);
	ck_assert_int_eq(run(NULL, "holiday", "add", "2031-03-08", "Journée de la femme", NULL), 0);
	snprintf(id, sizeof id, "%.36s", out);
	ck_assert_int_eq(run(NULL, "holiday", "add", "2031-03-08", "Twice", NULL), 1);
	ck_assert_int_eq(run(NULL, "holiday", "add", "2031-02-30", "No such day", NULL), 2);
	ck_assert_int_eq(run(NULL, "holiday", "list", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "2031-03-08"));
	ck_assert_ptr_nonnull(strstr(out, id));
	/* Removed by date or by id. */
	ck_assert_int_eq(run(NULL, "holiday", "remove", "2031-03-08", NULL), 0);
	ck_assert_int_eq(run(NULL, "holiday", "remove", id, NULL), 1);
	ck_assert_int_eq(run(NULL, "holiday", "remove", "2031-03-09", NULL), 1);

	ck_assert_int_eq(run(NULL, "settings", "show", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "booking_horizon_days  365"));
	ck_assert_int_eq(run(NULL, "settings", "set", "max_no_shows", "3", NULL), 0);
	ck_assert_int_eq(run(NULL, "settings", "set", "max_no_shows", "101", NULL), 1);
	ck_assert_int_eq(run(NULL, "settings", "set", "no_such", "1", NULL), 1);
	ck_assert_int_eq(run(NULL, "settings", "set", "slot_step_minutes", "x", NULL), 2);
	ck_assert_int_eq(run(NULL, "--json", "settings", "show", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetObjectItem(j, "max_no_shows")->valueint, 3);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "slot_step_minutes")->valueint, 15);
	cJSON_Delete(j);
}
END_TEST

/* The FHIR form: a collection Bundle of the patient's resources, audited. */
START_TEST(test_adm_export_patient_fhir)
{
	const char *dump = getenv("FHIR_DUMP_DIR");
	int patients = 0, appts = 0, conditions = 0, practitioners = 0;
	cJSON *j, *e;

	seeded();
	ck_assert_int_eq(run(NULL, "export-patient", "amina.benali@example.dz", "--fhir", NULL), 0);
	if (dump != NULL && *dump != '\0') {
		char path[1024];
		FILE *f;
		snprintf(path, sizeof path, "%s/medadm-export-%d.json", dump, (int)getpid());
		if ((f = fopen(path, "w")) != NULL) {
			fputs(out, f);
			fclose(f);
		}
	}
	j = json_out();
	ck_assert_str_eq(cJSON_GetObjectItem(j, "resourceType")->valuestring, "Bundle");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "type")->valuestring, "collection");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "entry")) {
		const char *t = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "resource"),
		    "resourceType")->valuestring;
		patients += strcmp(t, "Patient") == 0;
		appts += strcmp(t, "Appointment") == 0;
		conditions += strcmp(t, "Condition") == 0;
		practitioners += strcmp(t, "Practitioner") == 0;
	}
	cJSON_Delete(j);
	ck_assert_int_eq(patients, 1);
	ck_assert_int_eq(appts, scalar_at(dbp, "SELECT count(*) FROM appointments a JOIN patients p"
	    " ON p.id = a.patient_id JOIN users u ON u.id = p.user_id"
	    " WHERE u.email = 'amina.benali@example.dz'"));
	ck_assert_int_eq(conditions, scalar_at(dbp, "SELECT count(*) FROM medical_records r JOIN"
	    " patients p ON p.id = r.patient_id JOIN users u ON u.id = p.user_id"
	    " WHERE u.email = 'amina.benali@example.dz'"));
	ck_assert_int_ge(practitioners, 1);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log WHERE action = 'export'"
	    " AND detail = 'medadm export-patient --fhir'"), 1);
	ck_assert_int_eq(run(NULL, "export-patient", "nobody@example.dz", "--fhir", NULL), 1);
	ck_assert_int_eq(run(NULL, "export-patient", "--fhir", NULL), 2);
	ck_assert_int_eq(run(NULL, "export-patient", "a", "--xml", NULL), 2);
}
END_TEST

/* The SMART Scheduling Links files as static files: complete, and the same as served. */
START_TEST(test_adm_publish)
{
	char pub[128], path[200], line[4096];
	const char *types[] = { "Location", "Schedule", "Slot" };
	int lines[3] = { 0, 0, 0 };
	FILE *f;

	seeded();
	snprintf(pub, sizeof pub, "%s/pub", dir);
	ck_assert_int_eq(mkdir(pub, 0700), 0);
	ck_assert_int_eq(run(NULL, "publish", pub, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "published"));
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s.ndjson", pub, types[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "r"));
		while (fgets(line, sizeof line, f) != NULL) {
			cJSON *r = cJSON_Parse(line);
			ck_assert_ptr_nonnull(r);
			ck_assert_str_eq(cJSON_GetObjectItem(r, "resourceType")->valuestring, types[i]);
			cJSON_Delete(r);
			lines[i]++;
		}
		fclose(f);
		snprintf(path, sizeof path, "%s/%s.ndjson.tmp", pub, types[i]);
		ck_assert_int_ne(access(path, F_OK), 0);
	}
	ck_assert_int_eq(lines[0], 1);
	ck_assert_int_eq(lines[1], scalar_at(dbp, "SELECT count(*) FROM doctors"));
	ck_assert_int_gt(lines[2], 0);
	snprintf(path, sizeof path, "%s/manifest.json", pub);
	ck_assert_int_eq(access(path, R_OK), 0);
	ck_assert_int_eq(run(NULL, "publish", NULL), 2);
	ck_assert_int_eq(run(NULL, "publish", pub, "extra", NULL), 2);
	snprintf(path, sizeof path, "%s/missing", pub);
	ck_assert_int_eq(run(NULL, "publish", path, NULL), 1);
}
END_TEST

START_TEST(test_adm_audit)
{
	cJSON *j, *r;
	int n;

	seeded();
	ck_assert_int_eq(run(NULL, "export-patient", AMINA_PATIENT, NULL), 0);
	ck_assert_int_eq(run(NULL, "user", "deactivate", "sara.bouzid@example.dz", NULL), 0);
	ck_assert_int_eq(run(NULL, "user", "deactivate", "amina.benali@example.dz", NULL), 0);

	ck_assert_int_eq(run(NULL, "--json", "audit", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	/* About Amina: her export and her account, not Sara's. */
	ck_assert_int_eq(run(NULL, "--json", "audit", "--patient", AMINA_PATIENT, NULL), 0);
	j = json_out();
	n = 0;
	cJSON_ArrayForEach(r, j) {
		const char *action = cJSON_GetObjectItem(r, "action")->valuestring;
		ck_assert(strcmp(action, "export") == 0 || strcmp(action, "user.deactivate") == 0);
		n++;
	}
	ck_assert_int_eq(n, 2);
	cJSON_Delete(j);
	ck_assert_int_eq(run(NULL, "--json", "audit", "--entity", "user", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	/* Newest first when limited, printed oldest first. */
	ck_assert_int_eq(run(NULL, "--json", "audit", "--limit", "1", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "entity")->valuestring, "user");
	cJSON_Delete(j);
	/* Time window: nothing before 2000 or after 2999; all of today. */
	ck_assert_int_eq(run(NULL, "--json", "audit", "--to", "2000-01-01", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);
	ck_assert_int_eq(run(NULL, "--json", "audit", "--from", "2999-01-01T00:00:00Z", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);
	ck_assert_int_eq(run(NULL, "--json", "audit", "--from", "2000-01-01", "--to", "2999-12-31",
	    NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	/* By user: medadm writes with no user; the admin has none yet. */
	ck_assert_int_eq(run(NULL, "--json", "audit", "--user", "admin@example.dz", NULL), 0);
	j = json_out();
	ck_assert_int_eq(cJSON_GetArraySize(j), 0);
	cJSON_Delete(j);
	ck_assert_int_eq(run(NULL, "audit", "--user", "nobody@example.dz", NULL), 1);
	/* Text output has a header and the rows. */
	ck_assert_int_eq(run(NULL, "audit", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "ACTION"));
	ck_assert_ptr_nonnull(strstr(out, "user.deactivate"));
}
END_TEST

/* ---- rotate-secret ---------------------------------------------------- */

START_TEST(test_adm_rotate_secret)
{
	char path[200], before[128], after[128];
	int64_t versions;

	seeded();
	snprintf(path, sizeof path, "%s/secrets/jwt_access.key", dir);
	proc_slurp(path, before, sizeof before);
	ck_assert_int_eq((int)strlen(before), 65);
	versions = scalar_at(dbp, "SELECT sum(token_version) FROM users");
	ck_assert_int_eq(run(NULL, "--json", "rotate-secret", NULL), 0);
	{
		cJSON *j = json_out();
		ck_assert_int_eq(cJSON_GetObjectItem(j, "users_signed_out")->valueint, 11);
		cJSON_Delete(j);
	}
	proc_slurp(path, after, sizeof after);
	ck_assert_int_eq((int)strlen(after), 65);
	ck_assert_str_ne(before, after);
	ck_assert_int_eq(scalar_at(dbp, "SELECT sum(token_version) FROM users"), versions + 11);
	ck_assert_int_eq(scalar_at(dbp, "SELECT count(*) FROM audit_log WHERE action = 'secrets.rotate'"), 1);
	snprintf(path, sizeof path, "%s/secrets/generation", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	/* No temporary files left behind. */
	snprintf(path, sizeof path, "ls '%s/secrets' | grep -q rotate", dir);
	ck_assert_int_ne(system(path), 0);
}
END_TEST

/*
 * Only init makes JWT keys: the commands that need none leave a data
 * directory without keys as it is, and reset-password, whose token the
 * workers must accept, refuses rather than sign with keys of its own.
 */
START_TEST(test_adm_keys_only_from_init)
{
	char keys[160], path[200], cmd[200];

	seeded();
	snprintf(keys, sizeof keys, "%s/secrets", dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", keys);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(run(NULL, "user", "list", NULL), 0);
	ck_assert_int_eq(run(NULL, "migrate", NULL), 0);
	ck_assert_int_eq(run(NULL, "check", NULL), 0);
	ck_assert_int_eq(run(NULL, "user", "revoke-sessions", "amina.benali@example.dz", NULL), 0);
	ck_assert_int_eq(access(keys, F_OK), -1);
	ck_assert_int_eq(run(NULL, "user", "reset-password", "amina.benali@example.dz", NULL), 1);
	ck_assert_msg(strstr(err, "JWT keys") != NULL && strstr(err, "medadm init") != NULL,
	    "reset-password said: %s", err);
	ck_assert_int_eq(access(keys, F_OK), -1);
	/* init beside an existing database makes them. */
	ck_assert_int_eq(run(NULL, "init", NULL), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = { "jwt_access", "jwt_refresh", "jwt_reset" };
		snprintf(path, sizeof path, "%s/%s.key", keys, names[i]);
		ck_assert_int_eq(access(path, R_OK), 0);
	}
	ck_assert_int_eq(run(NULL, "user", "reset-password", "amina.benali@example.dz", NULL), 0);
}
END_TEST

/*
 * In-process: a "worker" context that logged a user in keeps serving after
 * medadm (another context) rotates: old tokens are refused, a new login
 * works, and the worker never restarted.
 */
START_TEST(test_adm_rotate_picked_up_by_worker)
{
	struct med_ctx admin, worker;
	char *old, *fresh;
	int users;

	test_ctx_open(&admin, 1);
	ck_assert_int_eq(med_ctx_open(&worker, &admin.cfg, 0), MED_OK);
	ck_assert_int_eq(med_ctx_load_secrets(&worker, 0), MED_OK);
	old = test_login(&worker, "amina.benali@example.dz", PW);
	ck_assert_ptr_nonnull(old);
	ck_assert_int_eq(test_call(&worker, "GET", "/api/v1/users/me", old, NULL, NULL), 200);
	ck_assert_int_eq(secrets_rotate(&admin, &users), MED_OK);
	ck_assert_int_eq(users, 11);
	ck_assert_int_eq(test_call(&worker, "GET", "/api/v1/users/me", old, NULL, NULL), 401);
	fresh = test_login(&worker, "amina.benali@example.dz", PW);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_int_eq(test_call(&worker, "GET", "/api/v1/users/me", fresh, NULL, NULL), 200);
	/* Both processes agree on the keys: the token of one works at the other. */
	ck_assert_int_eq(test_call(&admin, "GET", "/api/v1/users/me", fresh, NULL, NULL), 200);
	ck_assert_int_eq(test_call(&admin, "GET", "/api/v1/users/me", old, NULL, NULL), 401);
	free(old);
	free(fresh);
	med_ctx_close(&worker);
	test_ctx_close(&admin);
}
END_TEST

static Suite *
medadm_suite(void)
{
	Suite *s = suite_create("medadm");
	TCase *tc = tcase_create("medadm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_adm_usage_errors);
	tcase_add_test(tc, test_adm_help_everywhere);
	tcase_add_test(tc, test_adm_user_unlock);
	tcase_add_test(tc, test_adm_missing_db);
	tcase_add_test(tc, test_adm_migrate_1_to_2);
	tcase_add_test(tc, test_adm_seed_refuses_non_empty);
	tcase_add_test(tc, test_adm_backup);
	tcase_add_test(tc, test_adm_restore_round_trip);
	tcase_add_test(tc, test_adm_restore_refusals);
	tcase_add_test(tc, test_adm_restore_in_use);
	tcase_add_test(tc, test_adm_check);
	tcase_add_test(tc, test_adm_not_a_database);
	tcase_add_test(tc, test_adm_check_unreadable_schema);
	tcase_add_test(tc, test_adm_export_patient);
	tcase_add_test(tc, test_adm_export_patient_fhir);
	tcase_add_test(tc, test_adm_publish);
	tcase_add_test(tc, test_adm_audit);
	tcase_add_test(tc, test_adm_holidays_settings);
	tcase_add_test(tc, test_adm_rotate_secret);
	tcase_add_test(tc, test_adm_keys_only_from_init);
	tcase_add_test(tc, test_adm_rotate_picked_up_by_worker);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(medadm_suite)
