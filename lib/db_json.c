/*
 * db_json.c - rows as JSON, through one writer.  jb_row() writes the
 * current row of a statement as the JSON text of its column table (db.h
 * struct db_col); lists are sent as that text (db_rows_raw), single rows
 * are that text parsed into a tree for callers that add to it
 * (db_row_json).  The declarations are in db.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

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
 * every other number and each DB_JSON or DB_JSON_OBJECT column through
 * cJSON), so a row reads the same whether it was sent raw or parsed and
 * printed again.
 */
/* A JSON string, escaped exactly like cJSON's print_string_ptr(). */
static void
jb_string(struct strbuf *b, const unsigned char *s)
{
	const unsigned char *run = s;
	char esc[8];

	strbuf_put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s >= 32 && *s != '"' && *s != '\\')
			continue;
		strbuf_put(b, (const char *)run, (size_t)(s - run));
		run = s + 1;
		switch (*s) {
		case '"': strbuf_put(b, "\\\"", 2); break;
		case '\\': strbuf_put(b, "\\\\", 2); break;
		case '\b': strbuf_put(b, "\\b", 2); break;
		case '\f': strbuf_put(b, "\\f", 2); break;
		case '\n': strbuf_put(b, "\\n", 2); break;
		case '\r': strbuf_put(b, "\\r", 2); break;
		case '\t': strbuf_put(b, "\\t", 2); break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", *s);
			strbuf_put(b, esc, 6);
		}
	}
	strbuf_put(b, (const char *)run, (size_t)(s - run));
	strbuf_put(b, "\"", 1);
}

/* Append cJSON's own unformatted text of item, then delete item. */
static void
jb_cjson(struct strbuf *b, cJSON *item)
{
	char *text = item != NULL ? cJSON_PrintUnformatted(item) : NULL;

	if (text == NULL)
		b->oom = 1;
	else
		strbuf_put(b, text, strlen(text));
	free(text);
	cJSON_Delete(item);
}

/* A number as cJSON prints it: "%d" when it is an int, cJSON otherwise. */
static void
jb_number(struct strbuf *b, double d)
{
	char num[16];

	if (d >= -2147483648.0 && d <= 2147483647.0 && d == (double)(int)d) {
		int n = snprintf(num, sizeof num, "%d", (int)d);
		strbuf_put(b, num, (size_t)n);
		return;
	}
	jb_cjson(b, cJSON_CreateNumber(d));
}

/* Column i of the current row in the form type gives it (db.h). */
static void
jb_cell(struct strbuf *b, sqlite3_stmt *st, int i, enum db_col_type type)
{
	const unsigned char *s;
	char when[32];
	int wd;

	/* SQL NULL is JSON null but in the forms that read it as false, 0 or []. */
	if (sqlite3_column_type(st, i) == SQLITE_NULL && type != DB_BOOL && type != DB_MONEY &&
	    type != DB_REAL && type != DB_JSON) {
		strbuf_put(b, "null", 4);
		return;
	}
	switch (type) {
	case DB_TEXT:
		if ((s = sqlite3_column_text(st, i)) == NULL)
			strbuf_put(b, "null", 4);
		else
			jb_string(b, s);
		break;
	case DB_INT:
		jb_number(b, (double)sqlite3_column_int64(st, i));
		break;
	case DB_BOOL:
		if (sqlite3_column_int(st, i) != 0)
			strbuf_put(b, "true", 4);
		else
			strbuf_put(b, "false", 5);
		break;
	case DB_INSTANT:
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
	case DB_JSON_OBJECT:
		/* Re-printed by cJSON: stored JSON comes out normalised. */
		if ((s = sqlite3_column_text(st, i)) != NULL)
			jb_cjson(b, cJSON_Parse((const char *)s));
		else if (type == DB_JSON)
			strbuf_put(b, "[]", 2);
		else
			strbuf_put(b, "null", 4);
		break;
	case DB_WEEKDAY:
		if ((wd = sqlite3_column_int(st, i)) < 0 || wd > 6)
			strbuf_put(b, "null", 4);
		else
			jb_string(b, (const unsigned char *)util_weekdays[wd]);
		break;
	case DB_WALLTIME:
		util_fmt_time(sqlite3_column_int(st, i), when);
		jb_string(b, (const unsigned char *)when);
		break;
	case DB_VALUE:
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			jb_cell(b, st, i, DB_INT);
			break;
		case SQLITE_FLOAT:
			jb_cell(b, st, i, DB_REAL);
			break;
		default:
			jb_cell(b, st, i, DB_TEXT);
		}
		break;
	case DB_SKIP:
		break;
	}
}

/* The current row as one JSON object. */
static void
jb_row(struct strbuf *b, sqlite3_stmt *st, const struct db_col *cols, int n)
{
	int first = 1;

	strbuf_put(b, "{", 1);
	for (int i = 0; i < n; i++) {
		if (cols[i].type == DB_SKIP)
			continue;
		if (!first)
			strbuf_put(b, ",", 1);
		first = 0;
		jb_string(b, (const unsigned char *)cols[i].name);
		strbuf_put(b, ":", 1);
		jb_cell(b, st, i, cols[i].type);
	}
	strbuf_put(b, "}", 1);
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
	struct strbuf b = { NULL, 0, 0, 0 };
	cJSON *o = NULL;

	jb_row(&b, st, cols, n);
	if (!b.oom)
		o = cJSON_ParseWithLength(b.p, b.len);
	free(b.p);
	return o;
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

/* A page of a list: sql with ?1 = key, ?2 = limit, ?3 = skip; NULL on failure. */
static sqlite3_stmt *
page_stmt(struct med_ctx *ctx, const char *sql, const char *key, int64_t limit, int64_t skip)
{
	sqlite3_stmt *st = db_stmt(ctx, sql);

	if (st != NULL) {
		db_bind_text(st, 1, key);
		db_bind_int(st, 2, limit);
		db_bind_int(st, 3, skip);
	}
	return st;
}

enum med_err
db_load_list(struct med_ctx *ctx, const char *sql, const char *key, int64_t limit,
    int64_t skip, db_row_fn fn, cJSON **out)
{
	sqlite3_stmt *st = page_stmt(ctx, sql, key, limit, skip);

	*out = NULL;
	return st != NULL ? db_rows_json(st, fn, out) : MED_EDB;
}

enum med_err
db_rows_json_arg(sqlite3_stmt *st, db_row_arg_fn fn, void *arg, cJSON **out)
{
	int rc;

	if ((*out = cJSON_CreateArray()) == NULL) {
		sqlite3_reset(st);
		return MED_ENOMEM;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *row = fn(st, arg);
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

/* A db_row_fn carried through db_rows_json_arg(). */
struct plain_row {
	db_row_fn fn;
};

static cJSON *
plain_row(sqlite3_stmt *st, void *arg)
{
	return ((struct plain_row *)arg)->fn(st);
}

enum med_err
db_rows_json(sqlite3_stmt *st, db_row_fn fn, cJSON **out)
{
	struct plain_row p = { fn };

	return db_rows_json_arg(st, plain_row, &p, out);
}

enum med_err
db_rows_raw_ids(sqlite3_stmt *st, const struct db_col *cols, int n, int id_col, cJSON **out,
    char **ids)
{
	struct strbuf b = { NULL, 0, 0, 0 }, idb = { NULL, 0, 0, 0 };
	int rc, first = 1;

	*out = NULL;
	if (ids != NULL)
		*ids = NULL;
	strbuf_put(&b, "[", 1);
	strbuf_put(&idb, "[", 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b.oom && !idb.oom) {
		if (!first) {
			strbuf_put(&b, ",", 1);
			strbuf_put(&idb, ",", 1);
		}
		first = 0;
		jb_row(&b, st, cols, n);
		if (ids != NULL) {
			const unsigned char *id = sqlite3_column_text(st, id_col);
			jb_string(&idb, id != NULL ? id : (const unsigned char *)"");
		}
	}
	sqlite3_reset(st);
	strbuf_put(&b, "]", 1);
	strbuf_put(&idb, "]", 1);
	if (b.oom || idb.oom)
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_DONE && (*out = cJSON_CreateRaw(b.p)) == NULL)
		rc = SQLITE_NOMEM;
	free(b.p);
	if (rc == SQLITE_DONE && ids != NULL && !first) {
		*ids = idb.p;
		idb.p = NULL;
	}
	free(idb.p);
	return rc == SQLITE_DONE ? MED_OK : db_err(rc);
}

enum med_err
db_rows_raw(sqlite3_stmt *st, const struct db_col *cols, int n, cJSON **out)
{
	return db_rows_raw_ids(st, cols, n, 0, out, NULL);
}

enum med_err
db_load_raw_ids(struct med_ctx *ctx, const char *sql, const char *key, int64_t limit,
    int64_t skip, const struct db_col *cols, int n, int id_col, cJSON **out, char **ids)
{
	sqlite3_stmt *st = page_stmt(ctx, sql, key, limit, skip);

	*out = NULL;
	*ids = NULL;
	return st != NULL ? db_rows_raw_ids(st, cols, n, id_col, out, ids) : MED_EDB;
}
