/*
 * db.h - the one SQLite connection of a process: pragmas, schema and
 * migrations, a cache of prepared statements, transactions with busy
 * retry, and helpers to bind values and turn rows into JSON.
 *
 * Statements are keyed by the address of their SQL text, so each module
 * keeps `static const char SQL_x[] = "...";` and calls db_stmt(ctx, SQL_x):
 * the statement is prepared once per connection and reset on each fetch.
 */
#ifndef DB_H
#define DB_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include "med.h"

#define MED_SCHEMA_VERSION 13

enum med_err db_open(struct med_ctx *ctx, const char *path, int create);
/* PRAGMA user_version of the file at path, without opening a context. */
enum med_err db_peek_version(const char *path, int *version);
void db_close(struct med_ctx *ctx);

/* Current PRAGMA user_version, and forward migration to MED_SCHEMA_VERSION. */
enum med_err db_schema_version(struct med_ctx *ctx, int *version);
enum med_err db_migrate(struct med_ctx *ctx, int *from, int *to);

/* Prepared (cached) statement for sql, reset and unbound; NULL on error. */
sqlite3_stmt *db_stmt(struct med_ctx *ctx, const char *sql);

/*
 * Transactions.  db_begin() is BEGIN IMMEDIATE: it takes the write lock up
 * front so a read-then-write never fails to upgrade (busy_timeout applies).
 * db_begin_read() is BEGIN DEFERRED for consistent multi-statement reads.
 * They nest: inside an open transaction they only count a level, the
 * matching commit or rollback ends that level, and a rolled-back inner
 * level makes the outer commit fail (MED_EDB) and roll back.  Handlers of
 * the routing table never call them: dispatch opens the route's
 * transaction (route.h).
 */
enum med_err db_begin(struct med_ctx *ctx);
enum med_err db_begin_read(struct med_ctx *ctx);
enum med_err db_commit(struct med_ctx *ctx);
/*
 * As db_begin, for a transaction whose only writes are the audit rows of
 * a read: its commit does not wait for the disk (synchronous=NORMAL until
 * the connection's next begin).  See db.c for what that may lose.
 */
enum med_err db_begin_audit(struct med_ctx *ctx);
void db_rollback(struct med_ctx *ctx);
/* 1 while a transaction is open on ctx. */
int db_in_tx(const struct med_ctx *ctx);
/*
 * The failure exit of a write that builds an answer: roll back, free and
 * clear *out, and return e.
 */
enum med_err db_abort(struct med_ctx *ctx, enum med_err e, cJSON **out);

/*
 * End of a request: reset every statement still holding a row (a
 * statement left mid-step keeps a stale read snapshot open on this
 * connection) and roll back a transaction a handler forgot.
 */
void db_release(struct med_ctx *ctx);

/* Run SQL text with no results (schema, pragmas). */
enum med_err db_exec(struct med_ctx *ctx, const char *sql);

/*
 * Map a SQLite result code (SQLITE_CONSTRAINT -> MED_ECONFLICT, disk full
 * -> MED_EFULL, read-only files, I/O errors and corruption -> MED_ESTORAGE).
 */
enum med_err db_err(int rc);
/*
 * Remember the connection's last error in ctx->fault when it is a storage
 * fault (the first of the request wins); a read-only or unreadable file
 * also marks the database for reopening (db_reopen_due()).
 */
void db_note_fault(struct med_ctx *ctx);
/*
 * A database that failed to open, opened read-only or turned read-only
 * is reopened at most once a second, from the request path, so write
 * access that comes back is used within a second without a restart.
 * Returns 1 when the database is open and writable.
 */
int db_usable(struct med_ctx *ctx);
/*
 * 1 when the database file, and its -wal and -shm where they exist, may
 * be written by this process: access(2) also sees what mode bits do not
 * (immutable files, a read-only mount), even for root.  Three system
 * calls: cheap enough before every write.
 */
int db_files_writable(const struct med_ctx *ctx);

/* Step a statement that returns no row; MED_OK on SQLITE_DONE. */
enum med_err db_step_done(sqlite3_stmt *st);
/* Step the bound statement st once and reset it: 1 when it gave a row, 0 when not, -1 on error. */
int db_step_found(sqlite3_stmt *st);
/* Number of rows changed by the last statement. */
int db_changes(struct med_ctx *ctx);

/* Bind helpers; a NULL text binds SQL NULL. Index is 1-based. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
int db_bind_int(sqlite3_stmt *st, int idx, int64_t v);
int db_bind_null(sqlite3_stmt *st, int idx);

/* Copy a text column into buf (always NUL-terminated); "" when NULL. */
void db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t bufsz);

/*
 * Declarative row -> JSON: each entity declares, next to its SELECT, one
 * struct db_col per selected column in column order; db_row_json() turns
 * the current row into an object with those names.  Every row the API
 * sends is written this way (lib/db.c, jb_row()): a value that needs a
 * new form gets a type here, or is computed in the SELECT.
 */
enum db_col_type {
	DB_TEXT,        /* text; NULL -> null */
	DB_INT,         /* integer; NULL -> null */
	DB_BOOL,        /* 0 or NULL -> false, anything else -> true */
	DB_INSTANT,     /* unix seconds -> "2026-01-01T00:00:00Z"; NULL -> null */
	DB_MONEY,       /* cents -> 12.34; NULL -> 0 */
	DB_REAL,        /* a number to two decimals (ratings); NULL -> 0 */
	DB_JSON,        /* text holding a JSON array; NULL -> [] */
	DB_JSON_OBJECT, /* text holding a JSON object (json_object() in SQL); NULL -> null */
	DB_WEEKDAY,     /* 0..6 -> "Mon".."Sun" (util_weekdays); NULL or other -> null */
	DB_WALLTIME,    /* seconds after local midnight -> "HH:MM:SS"; NULL -> null */
	DB_VALUE,       /* as stored: NULL, integer, real (as DB_REAL) or text */
	DB_SKIP,        /* selected for the code, not shown */
};
struct db_col {
	const char *name;
	enum db_col_type type;
};
/* The row as a new object; NULL when out of memory (or a DB_JSON* column unparsable). */
cJSON *db_row_json(sqlite3_stmt *st, const struct db_col *cols, int n);
#define DB_NCOLS(cols) ((int)(sizeof(cols) / sizeof((cols)[0])))

/* A row -> JSON callback, for the loaders below. */
typedef cJSON *(*db_row_fn)(sqlite3_stmt *st);

/*
 * Step the already bound statement st to its end (then reset it), each
 * row as fn into a new array *out (NULL on failure).
 */
enum med_err db_rows_json(sqlite3_stmt *st, db_row_fn fn, cJSON **out);
/* The same with an argument for fn (what a row needs beyond its columns). */
typedef cJSON *(*db_row_arg_fn)(sqlite3_stmt *st, void *arg);
enum med_err db_rows_json_arg(sqlite3_stmt *st, db_row_arg_fn fn, void *arg, cJSON **out);
/*
 * The same list, byte for byte, for rows described by cols: written as
 * text into one buffer and returned as a cJSON raw node (no tree of
 * nodes to build, print and free).  For lists that are only sent back:
 * the raw node cannot be walked like an array.
 */
enum med_err db_rows_raw(sqlite3_stmt *st, const struct db_col *cols, int n, cJSON **out);
/*
 * db_rows_raw for a list whose reading is audited: in the same pass, *ids
 * gets the JSON array of column id_col's values (the audit event's
 * entity_ids), or NULL when there is no row; free() it.
 */
enum med_err db_rows_raw_ids(sqlite3_stmt *st, const struct db_col *cols, int n, int id_col,
    cJSON **out, char **ids);
/* db_load_list's statement (?1 key, ?2 limit, ?3 skip) through db_rows_raw_ids. */
enum med_err db_load_raw_ids(struct med_ctx *ctx, const char *sql, const char *key, int64_t limit,
    int64_t skip, const struct db_col *cols, int n, int id_col, cJSON **out, char **ids);
/*
 * Run sql with ?1 = key and hand the first row to fn (with arg), whose
 * status is returned; MED_ENOTFOUND when there is no row.  The one place
 * that steps, resets and maps the result of a single-row lookup.
 */
typedef enum med_err (*db_first_fn)(sqlite3_stmt *st, void *arg);
enum med_err db_first(struct med_ctx *ctx, const char *sql, const char *key, db_first_fn fn,
    void *arg);
/*
 * Run sql with ?1 = id; the first row as JSON (fn) in *out.  MED_ENOTFOUND
 * when there is no row.
 */
enum med_err db_load_one(struct med_ctx *ctx, const char *sql, const char *id, db_row_fn fn,
    cJSON **out);
/*
 * Rows of a "WHERE x = ?1 ... LIMIT ?2 OFFSET ?3" query as a JSON array.
 */
enum med_err db_load_list(struct med_ctx *ctx, const char *sql, const char *key,
    int64_t limit, int64_t skip, db_row_fn fn, cJSON **out);
/*
 * Run sql with ?1 = key and copy text column col of the first row into
 * out (size bytes) when out != NULL.  MED_ENOTFOUND when there is no row.
 */
enum med_err db_lookup(struct med_ctx *ctx, const char *sql, const char *key, int col,
    char *out, size_t size);
/* *found = whether sql with ?1 = key returns a row. */
enum med_err db_exists(struct med_ctx *ctx, const char *sql, const char *key, int *found);

#endif
