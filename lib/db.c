/*
 * db.c - the process's one SQLite connection.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * Forward migrations: entry i brings user_version i to i + 1.  A new file
 * gets schema.sql (always the latest version) instead.
 */
static const char *const migrations[] = {
	NULL, /* 0 -> 1: the first schema, applied from schema.sql */
};

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
    "PRAGMA temp_store=MEMORY;";

#define BUSY_TIMEOUT_MS 5000

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
	default:
		return MED_EDB;
	}
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
	if (sqlite3_open_v2(path, &ctx->db, flags, NULL) != SQLITE_OK) {
		e = MED_EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(ctx->db, 1);
	sqlite3_busy_timeout(ctx->db, BUSY_TIMEOUT_MS);
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

enum med_err
db_begin(struct med_ctx *ctx)
{
	return db_exec(ctx, "BEGIN IMMEDIATE");
}

enum med_err
db_begin_read(struct med_ctx *ctx)
{
	return db_exec(ctx, "BEGIN DEFERRED");
}

enum med_err
db_commit(struct med_ctx *ctx)
{
	enum med_err e = db_exec(ctx, "COMMIT");

	if (e != MED_OK)
		db_rollback(ctx);
	return e;
}

void
db_rollback(struct med_ctx *ctx)
{
	if (!sqlite3_get_autocommit(ctx->db))
		sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
}

void
db_release(struct med_ctx *ctx)
{
	sqlite3_stmt *st = NULL;

	while ((st = sqlite3_next_stmt(ctx->db, st)) != NULL)
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
	db_rollback(ctx);
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
db_json_text(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	if (sqlite3_column_type(st, col) == SQLITE_NULL || s == NULL)
		cJSON_AddNullToObject(obj, name);
	else
		cJSON_AddStringToObject(obj, name, (const char *)s);
}

void
db_json_int(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(obj, name);
	else
		cJSON_AddNumberToObject(obj, name, (double)sqlite3_column_int64(st, col));
}

void
db_json_bool(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	cJSON_AddBoolToObject(obj, name, sqlite3_column_int(st, col) != 0);
}

void
db_json_instant(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	char buf[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		cJSON_AddNullToObject(obj, name);
		return;
	}
	util_fmt_instant(sqlite3_column_int64(st, col), buf);
	cJSON_AddStringToObject(obj, name, buf);
}

void
db_json_money(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	/* cJSON prints the shortest exact form: 1234 cents -> 12.34. */
	cJSON_AddNumberToObject(obj, name, (double)sqlite3_column_int64(st, col) / 100.0);
}

void
db_json_real(cJSON *obj, const char *name, sqlite3_stmt *st, int col)
{
	/* Ratings: two decimals are plenty and keep output stable. */
	cJSON_AddNumberToObject(obj, name, round(sqlite3_column_double(st, col) * 100.0) / 100.0);
}

void
db_col_copy(sqlite3_stmt *st, int col, char *buf, size_t bufsz)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(buf, bufsz, "%s", s != NULL ? (const char *)s : "");
}
