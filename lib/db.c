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
	if (sqlite3_open_v2(path, &ctx->db, flags, NULL) != SQLITE_OK) {
		e = MED_EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(ctx->db, 1);
	sqlite3_busy_timeout(ctx->db, BUSY_TIMEOUT_MS);
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

/*
 * Transactions nest: the routing table opens a route's transaction and a
 * library function shared with medadm may open its own inside it.  Only
 * the outermost level talks to SQLite; an inner rollback dooms the whole.
 */
static enum med_err
begin_as(struct med_ctx *ctx, const char *sql)
{
	enum med_err e;

	if (ctx->tx_depth > 0) {
		ctx->tx_depth++;
		return MED_OK;
	}
	if ((e = db_exec(ctx, sql)) != MED_OK)
		return e;
	ctx->tx_depth = 1;
	ctx->tx_doomed = 0;
	return MED_OK;
}

enum med_err
db_begin(struct med_ctx *ctx)
{
	return begin_as(ctx, "BEGIN IMMEDIATE");
}

enum med_err
db_begin_read(struct med_ctx *ctx)
{
	return begin_as(ctx, "BEGIN DEFERRED");
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
	if ((e = db_exec(ctx, "COMMIT")) != MED_OK)
		db_rollback(ctx);
	ctx->tx_depth = 0;
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

/*
 * ---- Rows as JSON text: the one row writer ------------------------------
 *
 * A page of 100 rows built as a cJSON tree costs a few thousand
 * malloc/free pairs (every node, key and value), then a print and a
 * delete of the tree: two thirds of a list request (bench/loop.c under
 * callgrind).  So rows are written as text straight into one growing
 * buffer; db_rows_raw() hands a page over as a cJSON raw node, which
 * cJSON prints verbatim, and db_row_json() parses one row into a tree.
 * The text is what cJSON itself would print for the same values (strings
 * escaped as its print_string_ptr does, integers in int range with "%d",
 * every other number and each DB_JSON column through cJSON), so a row
 * reads the same whether it was sent raw or parsed and printed again.
 */
struct jbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void
jb_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap > 0 ? b->cap : 4096;
		char *p;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A JSON string, escaped exactly like cJSON's print_string_ptr(). */
static void
jb_string(struct jbuf *b, const unsigned char *s)
{
	const unsigned char *run = s;
	char esc[8];

	jb_put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s >= 32 && *s != '"' && *s != '\\')
			continue;
		jb_put(b, (const char *)run, (size_t)(s - run));
		run = s + 1;
		switch (*s) {
		case '"': jb_put(b, "\\\"", 2); break;
		case '\\': jb_put(b, "\\\\", 2); break;
		case '\b': jb_put(b, "\\b", 2); break;
		case '\f': jb_put(b, "\\f", 2); break;
		case '\n': jb_put(b, "\\n", 2); break;
		case '\r': jb_put(b, "\\r", 2); break;
		case '\t': jb_put(b, "\\t", 2); break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", *s);
			jb_put(b, esc, 6);
		}
	}
	jb_put(b, (const char *)run, (size_t)(s - run));
	jb_put(b, "\"", 1);
}

/* Append cJSON's own unformatted text of item, then delete item. */
static void
jb_cjson(struct jbuf *b, cJSON *item)
{
	char *text = item != NULL ? cJSON_PrintUnformatted(item) : NULL;

	if (text == NULL)
		b->oom = 1;
	else
		jb_put(b, text, strlen(text));
	free(text);
	cJSON_Delete(item);
}

/* A number as cJSON prints it: "%d" when it is an int, cJSON otherwise. */
static void
jb_number(struct jbuf *b, double d)
{
	char num[16];

	if (d >= -2147483648.0 && d <= 2147483647.0 && d == (double)(int)d) {
		int n = snprintf(num, sizeof num, "%d", (int)d);
		jb_put(b, num, (size_t)n);
		return;
	}
	jb_cjson(b, cJSON_CreateNumber(d));
}

/* The current row as one JSON object. */
static void
jb_row(struct jbuf *b, sqlite3_stmt *st, const struct db_col *cols, int n)
{
	const unsigned char *s;
	char when[32];
	int first = 1;

	jb_put(b, "{", 1);
	for (int i = 0; i < n; i++) {
		if (cols[i].type == DB_SKIP)
			continue;
		if (!first)
			jb_put(b, ",", 1);
		first = 0;
		jb_string(b, (const unsigned char *)cols[i].name);
		jb_put(b, ":", 1);
		switch (cols[i].type) {
		case DB_TEXT:
			s = sqlite3_column_text(st, i);
			if (sqlite3_column_type(st, i) == SQLITE_NULL || s == NULL)
				jb_put(b, "null", 4);
			else
				jb_string(b, s);
			break;
		case DB_INT:
			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				jb_put(b, "null", 4);
			else
				jb_number(b, (double)sqlite3_column_int64(st, i));
			break;
		case DB_BOOL:
			if (sqlite3_column_int(st, i) != 0)
				jb_put(b, "true", 4);
			else
				jb_put(b, "false", 5);
			break;
		case DB_INSTANT:
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				jb_put(b, "null", 4);
				break;
			}
			util_fmt_instant(sqlite3_column_int64(st, i), when);
			jb_string(b, (const unsigned char *)when);
			break;
		case DB_MONEY:
			jb_number(b, (double)sqlite3_column_int64(st, i) / 100.0);
			break;
		case DB_REAL:
			jb_number(b, round(sqlite3_column_double(st, i) * 100.0) / 100.0);
			break;
		case DB_JSON:
			s = sqlite3_column_text(st, i);
			if (s == NULL) {
				jb_put(b, "[]", 2);
				break;
			}
			/* Re-printed by cJSON: stored arrays come out normalised. */
			jb_cjson(b, cJSON_Parse((const char *)s));
			break;
		case DB_SKIP:
			break;
		}
	}
	jb_put(b, "}", 1);
}

/*
 * One writer: a single row is the text jb_row() writes for lists too,
 * parsed into a tree for the callers that add to it.  The parse costs a
 * few microseconds per row; two writers that must agree byte for byte
 * would sooner or later disagree.
 */
cJSON *
db_row_json(sqlite3_stmt *st, const struct db_col *cols, int n)
{
	struct jbuf b = { NULL, 0, 0, 0 };
	cJSON *o = NULL;

	jb_row(&b, st, cols, n);
	if (!b.oom)
		o = cJSON_ParseWithLength(b.p, b.len);
	free(b.p);
	return o;
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

/* db_first() callback of db_load_one(): arg is a struct load_one. */
struct load_one {
	db_row_fn fn;
	cJSON **out;
};

static enum med_err
load_one_row(sqlite3_stmt *st, void *arg)
{
	struct load_one *lo = arg;

	return (*lo->out = lo->fn(st)) != NULL ? MED_OK : MED_ENOMEM;
}

enum med_err
db_load_one(struct med_ctx *ctx, const char *sql, const char *id, db_row_fn fn, cJSON **out)
{
	struct load_one lo = { fn, out };

	*out = NULL;
	return db_first(ctx, sql, id, load_one_row, &lo);
}

enum med_err
db_load_list(struct med_ctx *ctx, const char *sql, const char *key, int64_t limit,
    int64_t skip, db_row_fn fn, cJSON **out)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	*out = NULL;
	if (st == NULL)
		return MED_EDB;
	db_bind_text(st, 1, key);
	db_bind_int(st, 2, limit);
	db_bind_int(st, 3, skip);
	return db_rows_json(st, fn, out);
}

enum med_err
db_rows_json(sqlite3_stmt *st, db_row_fn fn, cJSON **out)
{
	int rc;

	if ((*out = cJSON_CreateArray()) == NULL) {
		sqlite3_reset(st);
		return MED_ENOMEM;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *row = fn(st);
		if (row == NULL || !cJSON_AddItemToArray(*out, row)) {
			cJSON_Delete(row);
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return MED_OK;
	cJSON_Delete(*out);
	*out = NULL;
	return db_err(rc);
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

enum med_err
db_rows_raw(sqlite3_stmt *st, const struct db_col *cols, int n, cJSON **out)
{
	struct jbuf b = { NULL, 0, 0, 0 };
	int rc, first = 1;

	*out = NULL;
	jb_put(&b, "[", 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b.oom) {
		if (!first)
			jb_put(&b, ",", 1);
		first = 0;
		jb_row(&b, st, cols, n);
	}
	sqlite3_reset(st);
	jb_put(&b, "]", 1);
	if (b.oom)
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_DONE && (*out = cJSON_CreateRaw(b.p)) == NULL)
		rc = SQLITE_NOMEM;
	free(b.p);
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}
