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

#define MED_SCHEMA_VERSION 1

enum med_err db_open(struct med_ctx *ctx, const char *path, int create);
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
 */
enum med_err db_begin(struct med_ctx *ctx);
enum med_err db_begin_read(struct med_ctx *ctx);
enum med_err db_commit(struct med_ctx *ctx);
void db_rollback(struct med_ctx *ctx);

/*
 * End of a request: reset every statement still holding a row (a
 * statement left mid-step keeps a stale read snapshot open on this
 * connection) and roll back a transaction a handler forgot.
 */
void db_release(struct med_ctx *ctx);

/* Run SQL text with no results (schema, pragmas). */
enum med_err db_exec(struct med_ctx *ctx, const char *sql);

/* Map a SQLite result code (SQLITE_CONSTRAINT -> MED_ECONFLICT, ...). */
enum med_err db_err(int rc);

/* Step a statement that returns no row; MED_OK on SQLITE_DONE. */
enum med_err db_step_done(sqlite3_stmt *st);
/* Number of rows changed by the last statement. */
int db_changes(struct med_ctx *ctx);

/* Bind helpers; a NULL text binds SQL NULL. Index is 1-based. */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);
int db_bind_int(sqlite3_stmt *st, int idx, int64_t v);
int db_bind_null(sqlite3_stmt *st, int idx);

/* Column to JSON, added to obj under name (NULL column -> JSON null). */
void db_json_text(cJSON *obj, const char *name, sqlite3_stmt *st, int col);
void db_json_int(cJSON *obj, const char *name, sqlite3_stmt *st, int col);
void db_json_bool(cJSON *obj, const char *name, sqlite3_stmt *st, int col);
void db_json_instant(cJSON *obj, const char *name, sqlite3_stmt *st, int col); /* unix secs -> RFC 3339 */
void db_json_money(cJSON *obj, const char *name, sqlite3_stmt *st, int col);   /* cents -> 12.34 */
void db_json_real(cJSON *obj, const char *name, sqlite3_stmt *st, int col);

/* Copy a text column into buf (always NUL-terminated); "" when NULL. */
void db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t bufsz);

#endif
