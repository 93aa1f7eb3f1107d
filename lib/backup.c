/*
 * backup.c - online backup, verification, restore and health check of the
 * database file.  See backup.h for the contracts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "backup.h"
#include "db.h"
#include "embedded.h"
#include "util.h"

#define RAW_BUSY_MS 5000
#define BUSY_RETRIES 200        /* x 50 ms: a copy waits up to 10 s for a lock */

/* SQLite's unix VFS lock bytes (os_unix.c): the SHARED range of the
 * database file and the "DMS" byte of the -shm file. */
#define SQLITE_PENDING_BYTE 0x40000000
#define SQLITE_LOCK_RANGE 512
#define SQLITE_SHM_DMS_BYTE 128

static const char SQL_TABLES[] =
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    " ORDER BY name";
static const char SQL_HAS_TABLE[] =
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1";


/* Open a database file outside any med_ctx (a backup, a file to restore). */
static enum med_err
raw_open(const char *path, int flags, sqlite3 **db)
{
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		sqlite3_close_v2(*db);
		*db = NULL;
		return MED_EIO;
	}
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, RAW_BUSY_MS);
	return MED_OK;
}

/* Create path owner-only and empty; it must not exist (medical data). */
static enum med_err
create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? MED_ECONFLICT : MED_EIO;
	close(fd);
	return MED_OK;
}

/* fsync a file, then its directory, so a rename into place survives a crash. */
static enum med_err
sync_path(const char *path, int dir_too)
{
	char copy[MED_PATH_MAX], *slash;
	int fd, ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return MED_EIO;
	ok = fsync(fd) == 0;
	close(fd);
	if (!ok || !dir_too)
		return ok ? MED_OK : MED_EIO;
	snprintf(copy, sizeof copy, "%s", path);
	if ((slash = strrchr(copy, '/')) == NULL)
		snprintf(copy, sizeof copy, ".");
	else if (slash == copy)
		copy[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return MED_EIO;
	ok = fsync(fd) == 0;
	close(fd);
	return ok ? MED_OK : MED_EIO;
}

/* First row of PRAGMA integrity_check into msg; 1 if it says "ok". */
static int
integrity_ok(sqlite3 *db, char *msg, size_t msgsz)
{
	sqlite3_stmt *st;
	int rc, ok = 0;

	snprintf(msg, msgsz, "not a readable SQLite database");
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
		return 0;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		snprintf(msg, msgsz, "%s", t != NULL ? t : "?");
		ok = t != NULL && strcmp(t, "ok") == 0;
	} else {
		snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return ok;
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Rows of PRAGMA foreign_key_check (0 = none), -1 on error. */
static int
fk_violations(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}

/*
 * Tables of schema.sql that db lacks, added to the array missing (may be
 * NULL); returns how many, -1 on error.  The reference is the embedded
 * schema applied to an in-memory database, so it never drifts from it.
 */
static int
missing_tables(sqlite3 *db, cJSON *missing)
{
	sqlite3 *ref = NULL;
	sqlite3_stmt *names = NULL, *has = NULL;
	int n = 0, rc;

	if (raw_open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, &ref) != MED_OK)
		return -1;
	if (sqlite3_exec(ref, med_schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ref, SQL_TABLES, -1, &names, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, SQL_HAS_TABLE, -1, &has, NULL) != SQLITE_OK) {
		n = -1;
		goto out;
	}
	while ((rc = sqlite3_step(names)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(names, 0);
		sqlite3_reset(has);
		sqlite3_bind_text(has, 1, name, -1, SQLITE_TRANSIENT);
		if ((rc = sqlite3_step(has)) == SQLITE_DONE) {
			n++;
			if (missing != NULL)
				cJSON_AddItemToArray(missing, cJSON_CreateString(name));
		} else if (rc != SQLITE_ROW) {
			n = -1;
			break;
		}
	}
	if (n >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		n = -1;
out:
	sqlite3_finalize(names);
	sqlite3_finalize(has);
	sqlite3_close_v2(ref);
	return n;
}

/*
 * Copy the main database of src into the new file dst with the backup
 * API, BACKUP_PAGES_PER_STEP pages per step (pages < 0: all at once),
 * then make dst a single self-contained file (journal_mode=DELETE) and
 * check its integrity.  Whatever src's connection has as its read
 * snapshot is what gets copied.
 */
static enum med_err
copy_into(sqlite3 *src, const char *dst, int pages, struct backup_report *rep,
    char *why, size_t whysz)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	enum med_err e;
	int rc, rc2, waits = 0;

	if ((e = create_private(dst)) != MED_OK) {
		snprintf(why, whysz, "cannot create %s: %s", dst, strerror(errno));
		return e;
	}
	if ((e = raw_open(dst, SQLITE_OPEN_READWRITE, &out)) != MED_OK) {
		snprintf(why, whysz, "cannot open %s", dst);
		return e;
	}
	if ((b = sqlite3_backup_init(out, "main", src, "main")) == NULL) {
		snprintf(why, whysz, "backup: %s", sqlite3_errmsg(out));
		sqlite3_close_v2(out);
		return MED_EDB;
	}
	do {
		rc = sqlite3_backup_step(b, pages);
		if (rep != NULL)
			rep->steps++;
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (++waits > BUSY_RETRIES)
				break;
			sqlite3_sleep(50);
		}
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (rep != NULL)
		rep->pages = sqlite3_backup_pagecount(b);
	rc2 = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || rc2 != SQLITE_OK) {
		snprintf(why, whysz, "backup: %s", sqlite3_errstr(rc != SQLITE_DONE ? rc : rc2));
		sqlite3_close_v2(out);
		return db_err(rc != SQLITE_DONE ? rc : rc2) == MED_OK ? MED_EDB :
		    db_err(rc != SQLITE_DONE ? rc : rc2);
	}
	if (sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(why, whysz, "journal_mode: %s", sqlite3_errmsg(out));
		sqlite3_close_v2(out);
		return MED_EDB;
	}
	if (!integrity_ok(out, why, whysz)) {
		sqlite3_close_v2(out);
		return MED_EDB;
	}
	if (sqlite3_close(out) != SQLITE_OK)
		return MED_EDB;
	return sync_path(dst, 0);
}

enum med_err
backup_table_counts(const char *path, struct backup_report *rep)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *names = NULL;
	struct stat sb;
	enum med_err e;
	int rc;

	rep->ntables = 0;
	if (stat(path, &sb) != 0)
		return MED_EIO;
	rep->bytes = (int64_t)sb.st_size;
	if ((e = raw_open(path, SQLITE_OPEN_READONLY, &db)) != MED_OK)
		return e;
	if (sqlite3_prepare_v2(db, SQL_TABLES, -1, &names, NULL) != SQLITE_OK) {
		sqlite3_close_v2(db);
		return MED_EDB;
	}
	e = MED_OK;
	while (e == MED_OK && (rc = sqlite3_step(names)) == SQLITE_ROW &&
	    rep->ntables < BACKUP_MAX_TABLES) {
		struct table_count *t = &rep->tables[rep->ntables];
		sqlite3_stmt *cnt = NULL;
		char *sql;

		db_col_copy(names, 0, t->name, sizeof t->name);
		/*
		 * An identifier cannot be a bound parameter.  The name comes
		 * from the file's own schema, never from the user, and %w
		 * quotes it as an identifier; no value is ever spliced in.
		 */
		if ((sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", t->name)) == NULL) {
			e = MED_ENOMEM;
			break;
		}
		if (sqlite3_prepare_v2(db, sql, -1, &cnt, NULL) != SQLITE_OK ||
		    sqlite3_step(cnt) != SQLITE_ROW)
			e = MED_EDB;
		else
			t->rows = sqlite3_column_int64(cnt, 0);
		sqlite3_finalize(cnt);
		sqlite3_free(sql);
		rep->ntables++;
	}
	sqlite3_finalize(names);
	sqlite3_close_v2(db);
	return e;
}

enum med_err
backup_run(struct med_ctx *ctx, const char *dst, int overwrite, struct backup_report *rep)
{
	char tmp[MED_PATH_MAX + 32], why[256];
	enum med_err e;
	int64_t t0;

	memset(rep, 0, sizeof *rep);
	if (!overwrite && access(dst, F_OK) == 0)
		return MED_ECONFLICT;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dst, (long)getpid()) >= sizeof tmp)
		return MED_ERANGE;
	unlink(tmp);
	/*
	 * The copy holds what was committed when the snapshot began: a read
	 * transaction on our connection, started before the first page and
	 * held until the last, so every step reads the same snapshot while
	 * the workers keep committing to the WAL (and the backup never
	 * restarts because of them).
	 */
	t0 = (util_mono_us() / 1000);
	if ((e = db_begin_read(ctx)) != MED_OK)
		return e;
	if ((e = db_exec(ctx, "SELECT count(*) FROM sqlite_schema")) != MED_OK) {
		db_rollback(ctx);
		return e;
	}
	e = copy_into(ctx->db, tmp, BACKUP_PAGES_PER_STEP, rep, why, sizeof why);
	db_rollback(ctx); /* ends the read transaction; nothing was written */
	if (e != MED_OK) {
		unlink(tmp);
		return e;
	}
	if (rename(tmp, dst) != 0) {
		unlink(tmp);
		return MED_EIO;
	}
	if ((e = sync_path(dst, 1)) != MED_OK)
		return e;
	rep->elapsed_ms = (util_mono_us() / 1000) - t0;
	return backup_table_counts(dst, rep);
}

/* Is there a lock on [off, off+len) of path that would conflict with a write lock? */
static int
locked_by_other(const char *path, off_t off, off_t len, pid_t *pid)
{
	struct flock fl;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = off;
	fl.l_len = len;
	if (fcntl(fd, F_GETLK, &fl) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (fl.l_type == F_UNLCK)
		return 0;
	*pid = fl.l_pid;
	return 1;
}

int
backup_in_use(const char *db_path, pid_t *pid)
{
	char shm[MED_PATH_MAX + 8];
	int r;

	*pid = 0;
	if ((r = locked_by_other(db_path, SQLITE_PENDING_BYTE, SQLITE_LOCK_RANGE, pid)) != 0)
		return r;
	if ((size_t)snprintf(shm, sizeof shm, "%s-shm", db_path) >= sizeof shm)
		return -1;
	return locked_by_other(shm, SQLITE_SHM_DMS_BYTE, 1, pid);
}

/* Open a file to verify or restore from, read-write if we may (a WAL file needs it). */
static enum med_err
open_source(const char *path, sqlite3 **db)
{
	if (access(path, R_OK) != 0)
		return MED_EIO;
	if (raw_open(path, SQLITE_OPEN_READWRITE, db) == MED_OK)
		return MED_OK;
	return raw_open(path, SQLITE_OPEN_READONLY, db);
}

static enum med_err
verify_open(sqlite3 *db, char *why, size_t whysz)
{
	int v, n;

	if (!integrity_ok(db, why, whysz))
		return MED_EINVAL;
	if ((n = missing_tables(db, NULL)) != 0) {
		snprintf(why, whysz, n < 0 ? "cannot read the schema" :
		    "not a clinic database (%d tables of schema.sql missing)", n);
		return MED_EINVAL;
	}
	if ((v = user_version(db)) != MED_SCHEMA_VERSION) {
		snprintf(why, whysz, "schema version %d, this medadm expects %d", v,
		    MED_SCHEMA_VERSION);
		return MED_EINVAL;
	}
	if ((n = fk_violations(db)) != 0) {
		snprintf(why, whysz, n < 0 ? "foreign_key_check failed" :
		    "%d foreign key violations", n);
		return MED_EINVAL;
	}
	snprintf(why, whysz, "ok");
	return MED_OK;
}

enum med_err
backup_verify(const char *path, char *why, size_t whysz)
{
	sqlite3 *db = NULL;
	enum med_err e;

	if (open_source(path, &db) != MED_OK) {
		snprintf(why, whysz, "cannot read %s: %s", path, strerror(errno));
		return MED_EIO;
	}
	e = verify_open(db, why, whysz);
	sqlite3_close_v2(db);
	return e;
}

enum med_err
backup_probe(const char *path, char *why, size_t whysz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int rc;

	if (stat(path, &sb) != 0) {
		if (errno == ENOENT) {
			snprintf(why, whysz, "no database (medadm init creates one)");
			return MED_ENOTFOUND;
		}
		snprintf(why, whysz, "cannot read: %s", strerror(errno));
		return MED_EIO;
	}
	errno = 0;
	if (open_source(path, &db) != MED_OK) {
		snprintf(why, whysz, "cannot open: %s", errno != 0 ? strerror(errno) : "SQLite refused");
		return MED_EIO;
	}
	/* Opening reads nothing; the first statement reads the header page. */
	if ((rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st,
	    NULL)) == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = SQLITE_OK;
	if ((rc & 0xff) == SQLITE_NOTADB)
		snprintf(why, whysz, "not a database (not an SQLite file, or an encrypted one)");
	else
		snprintf(why, whysz, "%s", rc == SQLITE_OK ? "ok" : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	if (rc == SQLITE_OK)
		return MED_OK;
	return (rc & 0xff) == SQLITE_NOTADB ? MED_EINVAL : MED_EIO;
}

/* Copy src into the live database through the backup API, in one write transaction. */
static enum med_err
restore_online(sqlite3 *live, sqlite3 *src)
{
	sqlite3_backup *b;
	int rc, rc2, waits = 0;

	if ((b = sqlite3_backup_init(live, "main", src, "main")) == NULL)
		return MED_EDB;
	/* -1: every page in one step, so the workers see a single commit. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (++waits > BUSY_RETRIES)
			break;
		sqlite3_sleep(50);
	}
	rc2 = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return db_err(rc) == MED_OK ? MED_EDB : db_err(rc);
	return rc2 == SQLITE_OK ? MED_OK : MED_EDB;
}

static void
unlink_sidecar(const char *db_path, const char *suffix)
{
	char p[MED_PATH_MAX + 8];

	if ((size_t)snprintf(p, sizeof p, "%s%s", db_path, suffix) < sizeof p)
		unlink(p);
}

enum med_err
backup_restore(const struct med_config *cfg, const char *src_path, int online,
    char *aside, size_t asidesz)
{
	char tmp[MED_PATH_MAX + 32], why[256], stamp[32], detail[PATH_MAX + MED_PATH_MAX * 2 + 64];
	char abs[PATH_MAX];
	sqlite3 *src = NULL, *live = NULL;
	struct med_ctx actx;
	enum med_err e;
	time_t now = time(NULL);
	struct tm tm;

	aside[0] = '\0';
	if ((e = backup_verify(src_path, why, sizeof why)) != MED_OK)
		return e;
	if ((e = open_source(src_path, &src)) != MED_OK)
		return e;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	if (access(cfg->db_path, F_OK) == 0) {
		if ((size_t)snprintf(aside, asidesz, "%s.pre-restore-%s", cfg->db_path, stamp) >=
		    asidesz) {
			e = MED_ERANGE;
			goto out;
		}
		/* The old database, WAL content included, as one consistent file. */
		if ((e = raw_open(cfg->db_path, SQLITE_OPEN_READWRITE, &live)) != MED_OK ||
		    (e = copy_into(live, aside, -1, NULL, why, sizeof why)) != MED_OK)
			goto out;
	} else if (online) {
		e = MED_ENOTFOUND;
		goto out;
	}
	if (online) {
		e = restore_online(live, src);
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.restore-%ld", cfg->db_path, (long)getpid()) >=
	    sizeof tmp) {
		e = MED_ERANGE;
		goto out;
	}
	unlink(tmp);
	if ((e = copy_into(src, tmp, -1, NULL, why, sizeof why)) != MED_OK) {
		unlink(tmp);
		goto out;
	}
	/*
	 * Closing the last connection checkpoints and removes the old WAL;
	 * whatever -wal or -shm is left belongs to the old file and would be
	 * replayed onto the new one, so it goes before the rename.
	 */
	if (live != NULL && sqlite3_close(live) != SQLITE_OK) {
		e = MED_EBUSY;
		unlink(tmp);
		goto out;
	}
	live = NULL;
	unlink_sidecar(cfg->db_path, "-wal");
	unlink_sidecar(cfg->db_path, "-shm");
	if (rename(tmp, cfg->db_path) != 0) {
		unlink(tmp);
		e = MED_EIO;
		goto out;
	}
	e = sync_path(cfg->db_path, 1);
out:
	sqlite3_close_v2(live);
	sqlite3_close_v2(src);
	if (e != MED_OK)
		return e;
	/* The restored database records that it was restored, and from what. */
	if (realpath(src_path, abs) == NULL)
		snprintf(abs, sizeof abs, "%s", src_path);
	snprintf(detail, sizeof detail, "medadm: from %s%s%s%s", abs,
	    online ? " (online)" : "", aside[0] != '\0' ? "; previous kept as " : "", aside);
	if ((e = med_ctx_open(&actx, cfg, 0)) != MED_OK)
		return e;
	e = audit_add(&actx, NULL, "db.restore", "database", NULL, "ok", detail);
	med_ctx_close(&actx);
	return e;
}

/* A count or version in the check's JSON; null when it could not be read (< 0). */
static void
add_known(cJSON *o, const char *name, int n)
{
	if (n < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, n);
}

enum med_err
backup_check(const char *db_path, int64_t max_wal_bytes, cJSON **out, int *ok)
{
	char wal[MED_PATH_MAX + 8], msg[512];
	sqlite3 *db = NULL;
	cJSON *o, *problems, *missing;
	struct stat sb;
	int64_t wal_bytes = 0;
	int v, n, in_use, notadb;
	pid_t holder;

	*out = NULL;
	*ok = 0;
	if (stat(db_path, &sb) != 0)
		return MED_ENOTFOUND;
	/* Measured before we open it: our own connection would add to it. */
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	{
		struct stat ws;
		if (stat(wal, &ws) == 0)
			wal_bytes = (int64_t)ws.st_size;
	}
	in_use = backup_in_use(db_path, &holder);
	/*
	 * A file that is not a database at all is reported as that, once:
	 * each check below would only fail on it.  A check that could not
	 * run gives null and its own problem, never a clean result.
	 */
	notadb = backup_probe(db_path, msg, sizeof msg) == MED_EINVAL;
	if (!notadb && raw_open(db_path, SQLITE_OPEN_READWRITE, &db) != MED_OK)
		return MED_EIO;
	o = cJSON_CreateObject();
	problems = cJSON_CreateArray();
	missing = cJSON_CreateArray();
	cJSON_AddStringToObject(o, "database", db_path);
	cJSON_AddNumberToObject(o, "size_bytes", (double)sb.st_size);
	if (notadb) {
		cJSON_AddStringToObject(o, "integrity", "not a database");
		cJSON_AddItemToArray(problems, cJSON_CreateString(msg));
	} else if (integrity_ok(db, msg, sizeof msg)) {
		cJSON_AddStringToObject(o, "integrity", "ok");
	} else {
		cJSON_AddStringToObject(o, "integrity", msg);
		cJSON_AddItemToArray(problems, cJSON_CreateString("integrity_check failed"));
	}
	n = notadb ? -1 : fk_violations(db);
	add_known(o, "foreign_key_violations", n);
	if (n > 0)
		cJSON_AddItemToArray(problems, cJSON_CreateString("foreign_key_check failed"));
	else if (n < 0 && !notadb)
		cJSON_AddItemToArray(problems, cJSON_CreateString("foreign_key_check could not run"));
	v = notadb ? -1 : user_version(db);
	add_known(o, "schema_version", v);
	cJSON_AddNumberToObject(o, "expected_schema_version", MED_SCHEMA_VERSION);
	if (v >= 0 && v != MED_SCHEMA_VERSION)
		cJSON_AddItemToArray(problems, cJSON_CreateString(v < MED_SCHEMA_VERSION ?
		    "schema is older: run medadm migrate" : "schema is newer than this medadm"));
	else if (v < 0 && !notadb)
		cJSON_AddItemToArray(problems, cJSON_CreateString("schema version unreadable"));
	n = notadb ? -1 : missing_tables(db, missing);
	if (n > 0)
		cJSON_AddItemToArray(problems, cJSON_CreateString("tables of schema.sql missing"));
	else if (n < 0 && !notadb)
		cJSON_AddItemToArray(problems, cJSON_CreateString(
		    "tables of schema.sql could not be listed"));
	if (n < 0) {
		cJSON_Delete(missing);
		cJSON_AddNullToObject(o, "missing_tables");
	} else {
		cJSON_AddItemToObject(o, "missing_tables", missing);
	}
	cJSON_AddNumberToObject(o, "wal_bytes", (double)wal_bytes);
	cJSON_AddNumberToObject(o, "wal_limit_bytes", (double)max_wal_bytes);
	if (wal_bytes > max_wal_bytes)
		cJSON_AddItemToArray(problems, cJSON_CreateString(
		    "WAL larger than the limit: a long reader is starving checkpoints"));
	cJSON_AddBoolToObject(o, "in_use", in_use == 1);
	if (in_use == 1)
		cJSON_AddNumberToObject(o, "in_use_by_pid", holder);
	sqlite3_close_v2(db);
	*ok = cJSON_GetArraySize(problems) == 0;
	cJSON_AddBoolToObject(o, "ok", *ok);
	cJSON_AddItemToObject(o, "problems", problems);
	*out = o;
	return MED_OK;
}
