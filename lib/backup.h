/*
 * backup.h - whole-database operations for the administrator: an online
 * backup that never stops the workers, verification of a database file,
 * restore (offline by file replacement, or online through the backup API),
 * and the health check.
 *
 * Everything here works on database files by path, beside the one
 * connection of a med_ctx, because the files involved (a backup, a file
 * to restore) are not the clinic's live database.
 */
#ifndef BACKUP_H
#define BACKUP_H

#include <stdint.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include "med.h"

#define BACKUP_MAX_TABLES 64
#define BACKUP_PAGES_PER_STEP 256   /* 1 MiB of 4 KiB pages per backup step */

struct table_count {
	char name[64];
	int64_t rows;
};

struct backup_report {
	int64_t bytes;            /* size of the copy */
	int64_t elapsed_ms;       /* snapshot start to verified copy */
	int pages;                /* pages copied */
	int steps;                /* sqlite3_backup_step() calls */
	int ntables;
	struct table_count tables[BACKUP_MAX_TABLES];
};

/*
 * Copy the live database of ctx into dst (which must not exist unless
 * overwrite): one read snapshot is held on the source for the whole copy,
 * so the copy holds exactly the transactions committed before it started,
 * while workers keep writing to the WAL.  The copy is written to a
 * temporary file beside dst, switched to journal_mode=DELETE (a single
 * self-contained file), checked with PRAGMA integrity_check and renamed
 * into place only if it passes.  MED_ECONFLICT: dst exists.
 */
enum med_err backup_run(struct med_ctx *ctx, const char *dst, int overwrite,
    struct backup_report *rep);

/* Size and per-table row counts of a database file. */
enum med_err backup_table_counts(const char *path, struct backup_report *rep);

/*
 * Is a database file open in another process?  Every SQLite connection to
 * a WAL database holds a shared POSIX lock on the file's SHARED range and
 * on the DMS byte of its -shm file for as long as it is open; we ask the
 * kernel (F_GETLK) whether such a lock exists.  *pid receives one holder.
 * Returns 1 in use, 0 free, -1 on error.
 */
int backup_in_use(const char *db_path, pid_t *pid);

/*
 * Verify a file as a clinic database: it opens as SQLite, passes
 * integrity_check and foreign_key_check, has schema version
 * MED_SCHEMA_VERSION and every table of schema.sql.  On failure, why[]
 * says what is wrong.  MED_EINVAL: not acceptable; MED_EIO: unreadable.
 */
enum med_err backup_verify(const char *path, char *why, size_t whysz);

/*
 * Is path a database SQLite can read at all?  Asked before anything else,
 * so that a file of another kind is called what it is rather than an I/O
 * or a database error.  MED_OK (an empty file counts: SQLite takes it for
 * an empty database), MED_ENOTFOUND no such file, MED_EINVAL not a
 * database (another kind of file, or an encrypted one), MED_EIO
 * unreadable or corrupt.  why[] says which in words.  Writes nothing.
 */
enum med_err backup_probe(const char *path, char *why, size_t whysz);

/*
 * Replace the live database at cfg->db_path by the verified file src.
 * The previous database is first copied (consistently, WAL included) to
 * <db>.pre-restore-<UTC timestamp>, whose name goes to aside[].
 *   online == 0: nobody may have the database open (the caller checked);
 *     the copy goes to a temporary file, the old -wal and -shm are removed
 *     (they belong to the old file) and the copy is renamed into place.
 *   online == 1: workers are running; src is copied into the live database
 *     through the backup API in one write transaction, which the workers
 *     see as one commit.
 */
enum med_err backup_restore(const struct med_config *cfg, const char *src, int online,
    char *aside, size_t asidesz);

/* `medadm check`: the findings as JSON; *ok = 0 if anything is wrong. */
enum med_err backup_check(const char *db_path, int64_t max_wal_bytes, cJSON **out, int *ok);

#endif
