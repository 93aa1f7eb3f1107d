/*
 * db.c - the process's one SQLite connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "embedded.h"
#include "util.h"

/* Open addressing on the SQL text's address; far more slots than statements. */
#define STMT_SLOTS 1024

struct stmt_cache {
	const char *sql[STMT_SLOTS];
	sqlite3_stmt *st[STMT_SLOTS];
};

/* A random version-4 UUID in SQL (lower case), for rows created by SQL itself. */
#define MED_SQL_UUID \
    "lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2))," \
    " substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random() % 4), 1)," \
    " substr(hex(randomblob(2)), 2), hex(randomblob(6))))"

/*
 * The scheduling objects of migration 5 -> 6, as schema.sql creates them
 * (keep the two alike: medadm check compares the tables).
 */
#define MED_SQL_SERVICES \
    "CREATE TABLE IF NOT EXISTS doctor_services (" \
    " id TEXT PRIMARY KEY," \
    " doctor_id TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE," \
    " name TEXT NOT NULL," \
    " duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480)," \
    " buffer_before_minutes INTEGER NOT NULL DEFAULT 0" \
    "  CHECK (buffer_before_minutes BETWEEN 0 AND 120)," \
    " buffer_after_minutes INTEGER NOT NULL DEFAULT 0" \
    "  CHECK (buffer_after_minutes BETWEEN 0 AND 120)," \
    " price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0)," \
    " currency TEXT NOT NULL DEFAULT 'USD'," \
    " is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))," \
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);" \
    "CREATE INDEX IF NOT EXISTS doctor_services_doctor ON doctor_services(doctor_id, name);" \
    "CREATE TRIGGER IF NOT EXISTS doctors_default_service AFTER INSERT ON doctors BEGIN" \
    " INSERT INTO doctor_services (id, doctor_id, name, duration_minutes," \
    " buffer_before_minutes, buffer_after_minutes, price_cents, currency, is_active," \
    " created_at, updated_at) VALUES (" MED_SQL_UUID ", NEW.id, 'Consultation', 30, 0, 0," \
    " 0, 'USD', 1, NEW.created_at, NEW.created_at); END;"

/* One row: the clinic's booking rules (settings.c). */
#define MED_SQL_SETTINGS \
    "CREATE TABLE IF NOT EXISTS clinic_settings (" \
    " id INTEGER PRIMARY KEY CHECK (id = 1)," \
    " min_notice_minutes INTEGER NOT NULL DEFAULT 0," \
    " booking_horizon_days INTEGER NOT NULL DEFAULT 365," \
    " max_no_shows INTEGER NOT NULL DEFAULT 0," \
    " slot_step_minutes INTEGER NOT NULL DEFAULT 15," \
    " updated_at INTEGER NOT NULL DEFAULT 0);" \
    "INSERT OR IGNORE INTO clinic_settings (id) VALUES (1);"

/*
 * A doctor's time off (UTC instants) and the clinic's holidays
 * (clinic-local dates).  Time off is looked up by its end: the rows that
 * end after an instant are the future ones, few however long the history.
 */
#define MED_SQL_CLOSED \
    "CREATE TABLE IF NOT EXISTS doctor_time_off (" \
    " id TEXT PRIMARY KEY," \
    " doctor_id TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE," \
    " start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, reason TEXT," \
    " created_at INTEGER NOT NULL, CHECK (end_time > start_time));" \
    "CREATE INDEX IF NOT EXISTS doctor_time_off_end ON doctor_time_off(doctor_id, end_time);" \
    "CREATE TABLE IF NOT EXISTS clinic_holidays (" \
    " id TEXT PRIMARY KEY, date TEXT NOT NULL UNIQUE, name TEXT NOT NULL," \
    " created_at INTEGER NOT NULL);"

/* The waitlist and its offers (waitlist.h), as schema.sql creates them. */
#define MED_SQL_WAITLIST \
    "CREATE TABLE IF NOT EXISTS waitlist_entries (" \
    " id TEXT PRIMARY KEY, patient_id TEXT NOT NULL REFERENCES patients(id)," \
    " doctor_id TEXT NOT NULL REFERENCES doctors(id), service_id TEXT," \
    " from_date TEXT NOT NULL, to_date TEXT NOT NULL," \
    " status TEXT NOT NULL DEFAULT 'WAITING'" \
    "  CHECK (status IN ('WAITING', 'OFFERED', 'BOOKED', 'REMOVED', 'EXPIRED'))," \
    " created_at INTEGER NOT NULL, created_by TEXT, CHECK (to_date >= from_date));" \
    "CREATE INDEX IF NOT EXISTS waitlist_entries_patient ON waitlist_entries(patient_id, created_at);" \
    "CREATE INDEX IF NOT EXISTS waitlist_entries_doctor" \
    " ON waitlist_entries(doctor_id, created_at, id);" \
    "CREATE UNIQUE INDEX IF NOT EXISTS waitlist_entries_active" \
    " ON waitlist_entries(patient_id, doctor_id, coalesce(service_id, ''))" \
    " WHERE status IN ('WAITING', 'OFFERED');" \
    "CREATE TABLE IF NOT EXISTS waitlist_offers (" \
    " id TEXT PRIMARY KEY, entry_id TEXT NOT NULL REFERENCES waitlist_entries(id)," \
    " doctor_id TEXT NOT NULL REFERENCES doctors(id), service_id TEXT," \
    " start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, hold_until INTEGER NOT NULL," \
    " status TEXT NOT NULL DEFAULT 'HELD'" \
    "  CHECK (status IN ('HELD', 'ACCEPTED', 'DECLINED', 'EXPIRED'))," \
    " appointment_id TEXT, freed_by TEXT, created_at INTEGER NOT NULL," \
    " CHECK (end_time > start_time));" \
    "CREATE INDEX IF NOT EXISTS waitlist_offers_held ON waitlist_offers(doctor_id, start_time)" \
    " WHERE status = 'HELD';" \
    "CREATE INDEX IF NOT EXISTS waitlist_offers_entry ON waitlist_offers(entry_id);" \
    "CREATE INDEX IF NOT EXISTS waitlist_offers_due ON waitlist_offers(hold_until)" \
    " WHERE status = 'HELD';"

/*
 * Forward migrations: entry i brings user_version i to i + 1.  A new file
 * gets schema.sql (always the latest version) instead.
 */
static const char *const migrations[] = {
	NULL, /* 0 -> 1: the first schema, applied from schema.sql */
	/*
	 * 1 -> 2: audit_log(entity, entity_id, at) duplicated what
	 * audit_log(entity_id, at) serves, and every audited record read pays
	 * for each index (measured: half the cost of a 100-record page).
	 */
	"DROP INDEX IF EXISTS audit_log_entity;",
	/* 2 -> 3: stored answers of writes retried with an Idempotency-Key. */
	"CREATE TABLE IF NOT EXISTS idempotency_keys ("
	" user_id TEXT NOT NULL, key TEXT NOT NULL, request TEXT NOT NULL,"
	" status INTEGER NOT NULL, body TEXT, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (user_id, key)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys(created_at);",
	/*
	 * 3 -> 4: folded search keys (util_fold(), through med_fold()) for
	 * the directory's filters.  Specialties that differed only in case
	 * or accents ("MÉDECINE-SPORT", "Médecine-sport") were created twice
	 * before: their doctors move to the first one, the others go.
	 */
	"ALTER TABLE doctors ADD COLUMN first_name_key TEXT;"
	"ALTER TABLE doctors ADD COLUMN last_name_key TEXT;"
	"ALTER TABLE doctors ADD COLUMN city_key TEXT;"
	"UPDATE doctors SET first_name_key = med_fold(first_name),"
	" last_name_key = med_fold(last_name), city_key = med_fold(city);"
	"DROP INDEX IF EXISTS doctors_city;"
	"CREATE INDEX doctors_city_key ON doctors(city_key);"
	"ALTER TABLE specialties ADD COLUMN name_key TEXT;"
	"UPDATE specialties SET name_key = med_fold(name);"
	"INSERT OR IGNORE INTO doctor_specialties (doctor_id, specialty_id)"
	" SELECT ds.doctor_id, (SELECT min(s2.id) FROM specialties s2 WHERE s2.name_key = s.name_key)"
	" FROM doctor_specialties ds JOIN specialties s ON s.id = ds.specialty_id;"
	"DELETE FROM doctor_specialties WHERE specialty_id NOT IN"
	" (SELECT min(id) FROM specialties GROUP BY name_key);"
	"DELETE FROM specialties WHERE id NOT IN (SELECT min(id) FROM specialties GROUP BY name_key);"
	"CREATE UNIQUE INDEX specialties_key ON specialties(name_key);",
	/* 4 -> 5: addresses each account has logged in from (throttle.h). */
	"CREATE TABLE IF NOT EXISTS login_known ("
	" account TEXT NOT NULL, addr TEXT NOT NULL, seen_at INTEGER NOT NULL,"
	" PRIMARY KEY (account, addr)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS login_known_seen ON login_known(seen_at);",

	/* 5 -> 6: the outbox of messages to people (outbox.h). */
	"CREATE TABLE IF NOT EXISTS outbox ("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),"
	" recipient TEXT NOT NULL COLLATE NOCASE, locale TEXT NOT NULL, params TEXT,"
	" message_id TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, expires_at INTEGER,"
	" next_attempt_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),"
	" last_error TEXT, sent_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';"
	"CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox(recipient, kind, created_at);"
	"CREATE INDEX IF NOT EXISTS outbox_expiry ON outbox(expires_at) WHERE params IS NOT NULL;",
	/*
	 * 6 -> 7: services (visit types with their own length and buffers),
	 * clinic settings, time off and holidays, check-in and no-show,
	 * recurring series.  Every doctor gets a default 30-minute
	 * "Consultation", now and (the trigger) whenever a doctor is created,
	 * whichever path creates it.  An appointment keeps the buffers it was
	 * booked with, so editing a service never moves what is booked.
	 */
	MED_SQL_SERVICES
	"INSERT INTO doctor_services (id, doctor_id, name, duration_minutes,"
	" buffer_before_minutes, buffer_after_minutes, price_cents, currency, is_active,"
	" created_at, updated_at)"
	" SELECT " MED_SQL_UUID ", d.id, 'Consultation', 30, 0, 0, 0, 'USD', 1,"
	" CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)"
	" FROM doctors d WHERE NOT EXISTS"
	" (SELECT 1 FROM doctor_services s WHERE s.doctor_id = d.id);"
	"ALTER TABLE appointments ADD COLUMN service_id TEXT;"
	"ALTER TABLE appointments ADD COLUMN buffer_before INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE appointments ADD COLUMN buffer_after INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX IF NOT EXISTS appointments_service ON appointments(service_id);"
	"ALTER TABLE doctors ADD COLUMN min_notice_minutes INTEGER;"
	"ALTER TABLE doctors ADD COLUMN booking_horizon_days INTEGER;"
	MED_SQL_SETTINGS
	MED_SQL_CLOSED
	/*
	 * Check-in and no-show: the status CHECK gains ARRIVED and NO_SHOW.
	 * SQLite cannot alter a CHECK, and rebuilding the table would break
	 * the foreign keys that point at it, so the column is replaced: the
	 * old one is renamed (its CHECK goes with it), the new one added
	 * with the wider CHECK and filled, the old one dropped.
	 */
	"ALTER TABLE appointments RENAME COLUMN status TO status_v5;"
	"ALTER TABLE appointments ADD COLUMN status TEXT NOT NULL DEFAULT 'SCHEDULED'"
	" CHECK (status IN ('SCHEDULED', 'ARRIVED', 'COMPLETED', 'CANCELLED', 'NO_SHOW'));"
	"UPDATE appointments SET status = status_v5;"
	"ALTER TABLE appointments DROP COLUMN status_v5;"
	"ALTER TABLE patients ADD COLUMN no_show_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE appointments ADD COLUMN series_id TEXT;"
	"CREATE INDEX IF NOT EXISTS appointments_series ON appointments(series_id);",
	/*
	 * 7 -> 8: a list read is one audit row, its ids in audit_seen, instead
	 * of one row per item shown (each paying for three indexes).  Older
	 * list rows stay as they are: each still names its id.
	 */
	"ALTER TABLE audit_log ADD COLUMN entity_ids TEXT;"
	"CREATE TABLE IF NOT EXISTS audit_seen ("
	" entity_id TEXT NOT NULL, event_id INTEGER NOT NULL REFERENCES audit_log(id),"
	" PRIMARY KEY (entity_id, event_id)) WITHOUT ROWID;"
	"CREATE TRIGGER IF NOT EXISTS audit_seen_no_update BEFORE UPDATE ON audit_seen"
	" BEGIN SELECT RAISE(ABORT, 'audit_seen is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_seen_no_delete BEFORE DELETE ON audit_seen"
	" BEGIN SELECT RAISE(ABORT, 'audit_seen is append-only'); END;",
	/*
	 * 8 -> 9: outreach (notify.h).  appointments.sequence is the .ics
	 * SEQUENCE of the visit, raised by each change; reminders_sent lets
	 * one reminder per visit, offset and sequence exist; in-app
	 * notifications; calendar feeds, their tokens kept hashed.
	 */
	"ALTER TABLE appointments ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX IF NOT EXISTS appointments_scheduled_start ON appointments(start_time)"
	" WHERE status = 'SCHEDULED';"
	"ALTER TABLE clinic_settings ADD COLUMN reminder_offsets TEXT NOT NULL"
	" DEFAULT '[1440,120]';"
	"CREATE TABLE IF NOT EXISTS reminders_sent ("
	" appointment_id TEXT NOT NULL, offset_minutes INTEGER NOT NULL,"
	" sequence INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (appointment_id, offset_minutes, sequence)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS notifications ("
	" id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
	" kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, appointment_id TEXT,"
	" created_at INTEGER NOT NULL, read_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS notifications_user ON notifications(user_id, created_at);"
	"CREATE TABLE IF NOT EXISTS calendar_feeds ("
	" user_id TEXT PRIMARY KEY REFERENCES users(id), token_hash TEXT NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL);",
	/* 9 -> 10: the waitlist and its offers (waitlist.h). */
	MED_SQL_WAITLIST,
	/*
	 * 10 -> 11: audit_seen filled in batches after the fact (audit.h);
	 * every list event so far was indexed as it was written.
	 */
	"CREATE TABLE IF NOT EXISTS audit_seen_mark (id INTEGER NOT NULL);"
	"INSERT INTO audit_seen_mark (id) SELECT coalesce(max(id), 0) FROM audit_log;"
	"CREATE VIEW IF NOT EXISTS audit_seen_all (entity_id, event_id) AS"
	" SELECT entity_id, event_id FROM audit_seen UNION ALL"
	" SELECT j.value, a.id FROM audit_log a, json_each(a.entity_ids) j"
	" WHERE a.id > (SELECT id FROM audit_seen_mark) AND a.entity_ids IS NOT NULL;",
	/*
	 * 11 -> 12: appointment_reach, the overlap checks' look-back
	 * (appointments.h), started from the longest visit on file.
	 */
	"CREATE TABLE IF NOT EXISTS appointment_reach (seconds INTEGER NOT NULL);"
	"INSERT INTO appointment_reach (seconds)"
	" SELECT coalesce(max(end_time + buffer_after - start_time), 0) FROM appointments;"
	"CREATE TRIGGER IF NOT EXISTS appointment_reach_insert AFTER INSERT ON appointments"
	" WHEN NEW.end_time + NEW.buffer_after - NEW.start_time > (SELECT seconds FROM appointment_reach)"
	" BEGIN UPDATE appointment_reach SET seconds = NEW.end_time + NEW.buffer_after - NEW.start_time;"
	" END;"
	"CREATE TRIGGER IF NOT EXISTS appointment_reach_update"
	" AFTER UPDATE OF start_time, end_time, buffer_after ON appointments"
	" WHEN NEW.end_time + NEW.buffer_after - NEW.start_time > (SELECT seconds FROM appointment_reach)"
	" BEGIN UPDATE appointment_reach SET seconds = NEW.end_time + NEW.buffer_after - NEW.start_time;"
	" END;",
	/*
	 * 12 -> 13: directory_version and its triggers, the key of the
	 * workers' directory answers (dircache.h).
	 */
	"CREATE TABLE IF NOT EXISTS directory_version (n INTEGER NOT NULL);"
	"INSERT INTO directory_version (n) VALUES (0);"
	"CREATE TRIGGER IF NOT EXISTS directory_doctors_insert AFTER INSERT ON doctors"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_doctors_update AFTER UPDATE ON doctors"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_doctors_delete AFTER DELETE ON doctors"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_doctor_specialties_insert AFTER INSERT ON doctor_specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_doctor_specialties_update AFTER UPDATE ON doctor_specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_doctor_specialties_delete AFTER DELETE ON doctor_specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_specialties_insert AFTER INSERT ON specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_specialties_update AFTER UPDATE ON specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS directory_specialties_delete AFTER DELETE ON specialties"
	" BEGIN UPDATE directory_version SET n = n + 1; END;",
};

/*
 * The WAL's bound.  SQLite checkpoints (PASSIVE) once a commit leaves
 * 1000 frames in the WAL, but the WAL file can only start over when a
 * checkpoint has copied all of it and no reader still uses it; under a
 * steady stream of transactions that moment never comes, and the file
 * grew to hundreds of MiB in the benchmark.  So past WAL_RESTART_FRAMES
 * the committing connection asks for a RESTART checkpoint: new writers
 * wait (the busy handler) while the readers of the old frames finish,
 * then the next writer starts the file over, and journal_size_limit cuts
 * it back to WAL_KEEP_BYTES.
 */
#define WAL_PASSIVE_FRAMES 1000
#define WAL_RESTART_FRAMES 4096 /* 16 MiB of 4 KiB pages */
#define WAL_RESTART_WAIT_US 20000
#define WAL_KEEP_BYTES "16777216"

static int
wal_committed(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct med_ctx *ctx = arg;

	if (frames < WAL_PASSIVE_FRAMES)
		return SQLITE_OK;
	/*
	 * The commit is done whatever the checkpoint does: a busy one is
	 * tried again at the next commit, and an I/O error shows at the next
	 * statement that needs the disk.  A RESTART waits for the readers of
	 * the old frames, with the writers' queue held: only briefly
	 * (WAL_RESTART_WAIT_US), or one slow reader stalled every booking for
	 * the whole busy timeout (bench/NOTES.md).
	 */
	if (frames < WAL_RESTART_FRAMES) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	ctx->busy_limit_us = WAL_RESTART_WAIT_US;
	sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	ctx->busy_limit_us = 0;
	return SQLITE_OK;
}

/*
 * synchronous=FULL: every COMMIT is fsync'ed before we answer, so an
 * acknowledged write survives a crash or a power loss (NORMAL in WAL mode
 * may lose the last transactions on power loss).  secure_delete: deleted
 * medical data is overwritten, not left in free pages.
 */
static const char pragmas[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA secure_delete=ON;"
    "PRAGMA trusted_schema=OFF;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA journal_size_limit=" WAL_KEEP_BYTES ";";

#define BUSY_TIMEOUT_MS 5000
/* The longest nap between two tries for a lock, in microseconds. */
#define BUSY_NAP_MAX_US 1000

/*
 * Waiting for a lock another process holds (in practice the write lock,
 * held for well under a millisecond per transaction).  SQLite's own
 * timeout handler naps 1, 2, 5, 10 ... up to 100 ms between tries, so a
 * writer that has waited a while sleeps through many releases while
 * newer writers take the lock, and the requests nginx queued on that
 * worker wait with it: bookings measured a p99 of hundreds of
 * milliseconds (bench/RESULTS.md) behind transactions a hundred times
 * shorter.  Here the naps start at 50-100 us and double up to
 * BUSY_NAP_MAX_US, with random jitter so waiting workers do not wake in
 * step; after BUSY_TIMEOUT_MS the statement fails with SQLITE_BUSY (503).
 */
static int
busy_nap(void *arg, int tries)
{
	struct med_ctx *ctx = arg;
	int64_t now = util_mono_us();
	unsigned nap, jitter;

	if (tries == 0)
		ctx->busy_since_us = now;
	else if (now - ctx->busy_since_us >= (ctx->busy_limit_us > 0 ? ctx->busy_limit_us :
	    (int64_t)BUSY_TIMEOUT_MS * 1000))
		return 0;
	nap = tries < 5 ? 100u << tries : BUSY_NAP_MAX_US;
	if (nap > BUSY_NAP_MAX_US)
		nap = BUSY_NAP_MAX_US;
	/* The clock's low bits differ between workers: jitter without shared state. */
	jitter = (unsigned)((uint64_t)now * 2654435761u >> 7) % (nap / 2 + 1);
	usleep(nap / 2 + jitter);
	return 1;
}

enum med_err
db_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return MED_OK;
	case SQLITE_CONSTRAINT:
		return MED_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return MED_EBUSY;
	case SQLITE_NOMEM:
		return MED_ENOMEM;
	case SQLITE_NOTFOUND:
		return MED_ENOTFOUND;
	case SQLITE_FULL:
		return MED_EFULL;
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return MED_ESTORAGE;
	default:
		return MED_EDB;
	}
}

void
db_note_fault(struct med_ctx *ctx)
{
	int rc;
	enum med_err e;

	if (ctx->db == NULL || ctx->fault != 0)
		return;
	rc = sqlite3_extended_errcode(ctx->db);
	if ((e = db_err(rc)) != MED_EFULL && e != MED_ESTORAGE)
		return;
	ctx->fault = rc;
	snprintf(ctx->fault_msg, sizeof ctx->fault_msg, "%s", sqlite3_errmsg(ctx->db));
	/* Files that turned read-only or vanished: reopen before the next write. */
	if (e == MED_ESTORAGE)
		ctx->readonly = 1;
}

enum med_err
db_exec(struct med_ctx *ctx, const char *sql)
{
	return db_err(sqlite3_exec(ctx->db, sql, NULL, NULL, NULL));
}

enum med_err
db_schema_version(struct med_ctx *ctx, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ctx->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return MED_EDB;
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? MED_OK : db_err(rc);
}

static int
db_is_empty(struct med_ctx *ctx)
{
	sqlite3_stmt *st;
	int empty = 0;

	if (sqlite3_prepare_v2(ctx->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return empty;
}

/* Apply schema.sql to an empty file, or the migrations after `from`. */
enum med_err
db_migrate(struct med_ctx *ctx, int *from, int *to)
{
	enum med_err e;
	int v;

	if ((e = db_begin(ctx)) != MED_OK)
		return e;
	if ((e = db_schema_version(ctx, &v)) != MED_OK)
		goto fail;
	*from = v;
	if (v > MED_SCHEMA_VERSION) {
		e = MED_ESCHEMA;
		goto fail;
	}
	if (v == 0 && db_is_empty(ctx)) {
		if ((e = db_exec(ctx, med_schema_sql)) != MED_OK)
			goto fail;
	} else {
		for (; v < MED_SCHEMA_VERSION; v++) {
			char pragma[64];
			if (migrations[v] == NULL || (e = db_exec(ctx, migrations[v])) != MED_OK) {
				e = e == MED_OK ? MED_ESCHEMA : e;
				goto fail;
			}
			snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
			if ((e = db_exec(ctx, pragma)) != MED_OK)
				goto fail;
		}
	}
	if ((e = db_schema_version(ctx, to)) != MED_OK)
		goto fail;
	return db_commit(ctx);
fail:
	db_rollback(ctx);
	return e;
}

/* Create the file owner-only before SQLite does, so medical data never sits world-readable. */
static enum med_err
precreate(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return MED_EIO;
	close(fd);
	return MED_OK;
}

enum med_err
db_peek_version(const char *path, int *version)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum med_err e = MED_EIO;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		e = MED_OK;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return e;
}

/*
 * med_fold(x): util_fold() for SQL, so migrations fill search keys of
 * existing rows and queries fold a parameter the same way the code does.
 * NULL stays NULL.
 */
static void
sql_fold(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
	const unsigned char *s;
	char *key;

	(void)argc;
	if ((s = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_null(sc);
		return;
	}
	if ((key = util_fold((const char *)s)) == NULL) {
		sqlite3_result_error_nomem(sc);
		return;
	}
	sqlite3_result_text(sc, key, -1, free);
}

enum med_err
db_open(struct med_ctx *ctx, const char *path, int create)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	enum med_err e;
	int from, to, version;

	ctx->db = NULL;
	if ((ctx->stmts = calloc(1, sizeof *ctx->stmts)) == NULL)
		return MED_ENOMEM;
	if (create && (e = precreate(path)) != MED_OK)
		goto fail;
	if ((e = db_err(sqlite3_open_v2(path, &ctx->db, flags, NULL))) != MED_OK) {
		e = e == MED_EDB ? MED_EIO : e;
		goto fail;
	}
	/*
	 * SQLite quietly opens a file it may not write read-only: say so, so
	 * no write is attempted on a handle that cannot take it.  medadm,
	 * which creates and migrates, refuses such a file outright.
	 */
	ctx->readonly = sqlite3_db_readonly(ctx->db, "main") == 1;
	if (ctx->readonly && create) {
		e = MED_ESTORAGE;
		goto fail;
	}
	sqlite3_extended_result_codes(ctx->db, 1);
	sqlite3_busy_handler(ctx->db, busy_nap, ctx);
	sqlite3_wal_hook(ctx->db, wal_committed, ctx);
	if (sqlite3_create_function(ctx->db, "med_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_INNOCUOUS, NULL, sql_fold, NULL, NULL) != SQLITE_OK) {
		e = MED_EDB;
		goto fail;
	}
	if ((e = db_exec(ctx, pragmas)) != MED_OK)
		goto fail;
	if (create) {
		if ((e = db_migrate(ctx, &from, &to)) != MED_OK)
			goto fail;
	} else {
		/* Workers never migrate behind the admin's back: medadm migrate does. */
		if ((e = db_schema_version(ctx, &version)) != MED_OK)
			goto fail;
		if (version != MED_SCHEMA_VERSION) {
			e = MED_ESCHEMA;
			goto fail;
		}
	}
	return MED_OK;
fail:
	db_close(ctx);
	return e;
}


int
db_files_writable(const struct med_ctx *ctx)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[MED_PATH_MAX + 8];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", ctx->cfg.db_path, suffixes[i]);
		if (access(path, W_OK) != 0 && (i == 0 || errno != ENOENT))
			return 0;
	}
	return 1;
}

int
db_usable(struct med_ctx *ctx)
{
	int64_t now;

	if (ctx->db != NULL && !ctx->readonly)
		return 1;
	if ((now = (util_mono_us() / 1000)) < ctx->reopen_after_ms || db_in_tx(ctx))
		return 0;
	ctx->reopen_after_ms = now + 1000;
	db_close(ctx);
	if (db_open(ctx, ctx->cfg.db_path, 0) != MED_OK) {
		ctx->readonly = 1;
		return 0;
	}
	return !ctx->readonly;
}

/*
 * Writers queue in the kernel before they ask SQLite for its write lock.
 * SQLite's lock cannot be waited on, only tried again after a nap
 * (busy_nap), so under load its writers are served in no order and some
 * try many times.  Every write transaction of this library first takes
 * flock() on <database>-wlock, which the kernel hands on to a waiting
 * process the moment it is released: SQLite's lock is then nearly always
 * free when asked (measured in bench/RESULTS.md).  Writers that do not
 * queue here (the sqlite3 shell, an old medadm) still meet busy_nap, so a
 * wait stays bounded by each statement's BUSY_TIMEOUT_MS; the kernel
 * drops the queue lock of a process that dies.  The file is opened on
 * first use in each process: a descriptor inherited through fork() shares
 * its lock with the parent and would exclude nobody.  Without the file (a
 * read-only data directory) writers go straight to SQLite.
 */
static void
wlock_take(struct med_ctx *ctx)
{
	int pid = (int)getpid();

	if (ctx->wlock_pid != pid) {
		const char *db = sqlite3_db_filename(ctx->db, "main");
		char path[PATH_MAX];

		if (ctx->wlock_pid != 0 && ctx->wlock_fd >= 0)
			close(ctx->wlock_fd);   /* the parent's, inherited */
		ctx->wlock_pid = pid;
		ctx->wlock_fd = -1;
		if (db != NULL && db[0] != '\0' &&
		    (size_t)snprintf(path, sizeof path, "%s-wlock", db) < sizeof path)
			ctx->wlock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (ctx->wlock_fd >= 0)
		while (flock(ctx->wlock_fd, LOCK_EX) != 0 && errno == EINTR)
			;
}

static void
wlock_give(struct med_ctx *ctx)
{
	if (ctx->wlock_pid == (int)getpid() && ctx->wlock_fd >= 0)
		flock(ctx->wlock_fd, LOCK_UN);
}

static void
wlock_close(struct med_ctx *ctx)
{
	if (ctx->wlock_pid != 0 && ctx->wlock_fd >= 0)
		close(ctx->wlock_fd);
	ctx->wlock_pid = 0;
	ctx->wlock_fd = -1;
}

void
db_close(struct med_ctx *ctx)
{
	if (ctx->stmts != NULL) {
		for (int i = 0; i < STMT_SLOTS; i++)
			sqlite3_finalize(ctx->stmts->st[i]);
		free(ctx->stmts);
		ctx->stmts = NULL;
	}
	if (ctx->db != NULL) {
		sqlite3_close_v2(ctx->db);
		ctx->db = NULL;
	}
	wlock_close(ctx);
}

static size_t
stmt_slot(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 7) % STMT_SLOTS;
}

sqlite3_stmt *
db_stmt(struct med_ctx *ctx, const char *sql)
{
	struct stmt_cache *c = ctx->stmts;
	size_t i = stmt_slot(sql);

	for (size_t probes = 0; probes < STMT_SLOTS; probes++, i = (i + 1) % STMT_SLOTS) {
		if (c->sql[i] == sql) {
			sqlite3_reset(c->st[i]);
			sqlite3_clear_bindings(c->st[i]);
			return c->st[i];
		}
		if (c->sql[i] == NULL) {
			if (sqlite3_prepare_v3(ctx->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			    &c->st[i], NULL) != SQLITE_OK) {
				c->st[i] = NULL;
				return NULL;
			}
			c->sql[i] = sql;
			return c->st[i];
		}
	}
	return NULL;
}

/*
 * synchronous=FULL again after a relaxed transaction (SQLite refuses the
 * change inside one, so it is made between them).  A connection left
 * relaxed would relax real writes: until this succeeds, every begin tries
 * again and fails with it.
 */
static enum med_err
sync_restore(struct med_ctx *ctx)
{
	enum med_err e;

	if (!ctx->sync_relaxed)
		return MED_OK;
	if ((e = db_exec(ctx, "PRAGMA synchronous=FULL")) == MED_OK)
		ctx->sync_relaxed = 0;
	return e;
}

/*
 * Transactions nest: the routing table opens a route's transaction and a
 * library function shared with medadm may open its own inside it.  Only
 * the outermost level talks to SQLite; an inner rollback dooms the whole.
 */
static enum med_err
begin_as(struct med_ctx *ctx, const char *sql, int writes)
{
	enum med_err e;

	if (ctx->tx_depth > 0) {
		ctx->tx_depth++;
		return MED_OK;
	}
	if (writes)
		wlock_take(ctx);
	if ((e = sync_restore(ctx)) != MED_OK || (e = db_exec(ctx, sql)) != MED_OK) {
		wlock_give(ctx);
		return e;
	}
	ctx->tx_depth = 1;
	ctx->tx_doomed = 0;
	return MED_OK;
}

enum med_err
db_begin(struct med_ctx *ctx)
{
	return begin_as(ctx, "BEGIN IMMEDIATE", 1);
}

/*
 * Why relaxed: an audited read's transaction writes nothing but its audit
 * rows, and waiting for the disk there made every page of records a
 * doctor opened cost an fsync, which a page of appointments does not.  In WAL mode with synchronous=NORMAL the commit
 * is still atomic and survives any process crash; only a power cut can
 * lose it, and only until the next fsync of the WAL: the next ordinary
 * commit of any worker, a checkpoint, or the kernel's writeback (about
 * 30 s).  The setting is per connection: the commit or rollback puts it
 * back, or failing that the next begin.
 */
enum med_err
db_begin_audit(struct med_ctx *ctx)
{
	enum med_err e;

	if (ctx->tx_depth > 0)
		return db_begin(ctx);
	if ((e = sync_restore(ctx)) != MED_OK)
		return e;
	/* Marked relaxed first: a failure on the way is put right at once. */
	ctx->sync_relaxed = 1;
	if ((e = db_exec(ctx, "PRAGMA synchronous=NORMAL")) != MED_OK) {
		sync_restore(ctx);
		return e;
	}
	/* begin_as() would put FULL back: the flag waits until BEGIN is done. */
	ctx->sync_relaxed = 0;
	if ((e = db_begin(ctx)) != MED_OK) {
		ctx->sync_relaxed = 1;
		sync_restore(ctx);
		return e;
	}
	ctx->sync_relaxed = 1;
	return MED_OK;
}

enum med_err
db_begin_read(struct med_ctx *ctx)
{
	return begin_as(ctx, "BEGIN DEFERRED", 0);
}

enum med_err
db_commit(struct med_ctx *ctx)
{
	enum med_err e;

	if (ctx->tx_depth > 1) {
		ctx->tx_depth--;
		return ctx->tx_doomed ? MED_EDB : MED_OK;
	}
	if (ctx->tx_doomed) {
		db_rollback(ctx);
		return MED_EDB;
	}
	if ((e = db_exec(ctx, "COMMIT")) != MED_OK) {
		db_note_fault(ctx);
		db_rollback(ctx);
	}
	ctx->tx_depth = 0;
	wlock_give(ctx);
	sync_restore(ctx);
	return e;
}

void
db_rollback(struct med_ctx *ctx)
{
	if (ctx->tx_depth > 1) {
		ctx->tx_depth--;
		ctx->tx_doomed = 1;
		return;
	}
	ctx->tx_depth = 0;
	ctx->tx_doomed = 0;
	if (!sqlite3_get_autocommit(ctx->db))
		sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
	wlock_give(ctx);
	sync_restore(ctx);
}

int
db_in_tx(const struct med_ctx *ctx)
{
	return ctx->tx_depth > 0;
}

enum med_err
db_abort(struct med_ctx *ctx, enum med_err e, cJSON **out)
{
	db_rollback(ctx);
	cJSON_Delete(*out);
	*out = NULL;
	return e;
}

void
db_release(struct med_ctx *ctx)
{
	sqlite3_stmt *st = NULL;

	if (ctx->db == NULL)
		return;
	while ((st = sqlite3_next_stmt(ctx->db, st)) != NULL)
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
	ctx->tx_depth = 1;
	db_rollback(ctx);
	ctx->tx_keep = 0;
}

enum med_err
db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	enum med_err e = rc == SQLITE_DONE ? MED_OK : db_err(rc);

	if (rc == SQLITE_ROW)
		e = MED_OK;
	sqlite3_reset(st);
	return e;
}

int
db_step_found(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_changes(struct med_ctx *ctx)
{
	return sqlite3_changes(ctx->db);
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
db_bind_int(sqlite3_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(st, idx, v);
}

int
db_bind_null(sqlite3_stmt *st, int idx)
{
	return sqlite3_bind_null(st, idx);
}

void
db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t bufsz)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(buf, bufsz, "%s", s != NULL ? (const char *)s : "");
}

enum med_err
db_first(struct med_ctx *ctx, const char *sql, const char *key, db_first_fn fn, void *arg)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);
	enum med_err e;
	int rc;

	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = fn != NULL ? fn(st, arg) : MED_OK;
	else
		e = rc == SQLITE_DONE ? MED_ENOTFOUND : db_err(rc);
	sqlite3_reset(st);
	return e;
}

/* db_first() callback of db_lookup(): arg is a struct lookup. */
struct lookup {
	int col;
	char *out;
	size_t size;
};

static enum med_err
lookup_row(sqlite3_stmt *st, void *arg)
{
	struct lookup *lk = arg;

	if (lk->out != NULL)
		db_col_copy(st, lk->col, lk->out, lk->size);
	return MED_OK;
}

enum med_err
db_lookup(struct med_ctx *ctx, const char *sql, const char *key, int col, char *out,
    size_t size)
{
	struct lookup lk = { col, out, size };

	return db_first(ctx, sql, key, lookup_row, &lk);
}

enum med_err
db_exists(struct med_ctx *ctx, const char *sql, const char *key, int *found)
{
	enum med_err e = db_lookup(ctx, sql, key, 0, NULL, 0);

	*found = e == MED_OK;
	return e == MED_ENOTFOUND ? MED_OK : e;
}
