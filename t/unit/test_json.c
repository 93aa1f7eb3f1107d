/*
 * test_json.c - the one row writer of lib/db.c.
 *
 * Lists go out as the writer's text (db_rows_raw), single rows as that
 * text parsed into a tree and printed again by cJSON (db_row_json + the
 * envelope).  The two must read byte for byte the same on awkward rows:
 * escapes, NULLs, -0.0, integers past 2^53, money, non-ASCII text, and
 * the forms of table u (weekdays, wall-clock times, stored objects, values
 * as stored).  Cells are also checked against fixed text, so a writer that
 * drifted in both places at once cannot pass either.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "db.h"
#include "testreg.h"

static const struct db_col cols[] = {
	{ "text", DB_TEXT }, { "n", DB_INT }, { "flag", DB_BOOL }, { "at", DB_INSTANT },
	{ "amount", DB_MONEY }, { "rating", DB_REAL }, { "list", DB_JSON }, { "hidden", DB_SKIP },
};
static const char cols_sql[] =
    "SELECT text, n, flag, at, amount, rating, list, hidden FROM t ORDER BY k";

/* The forms added for windows, users and the export (table u). */
static const struct db_col forms[] = {
	{ "weekday", DB_WEEKDAY }, { "time", DB_WALLTIME }, { "obj", DB_JSON_OBJECT },
	{ "value", DB_VALUE },
};
static const char forms_sql[] = "SELECT wd, t, obj, v FROM u ORDER BY k";

static const char *const rows_sql[] = {
	"CREATE TABLE t (text TEXT, n INTEGER, flag INTEGER, at INTEGER, amount INTEGER,"
	" rating REAL, list TEXT, hidden TEXT, k INTEGER PRIMARY KEY)",
	"INSERT INTO t VALUES ('quote \" back \\ nl ' || char(10) || ' tab ' || char(9) ||"
	" ' ctl ' || char(1) || ' del ' || char(127) || ' slash /', 0, 1, 0, 0, -0.0,"
	" '[1, \"a\" ,null]', 'x', 1)",
	"INSERT INTO t VALUES (NULL, NULL, 0, NULL, -5, NULL, NULL, NULL, 2)",
	"INSERT INTO t VALUES ('Émilie Béjaïa', 9007199254740993, 0, 1767225600, 1234,"
	" 4.555, '[]', NULL, 3)",
	"INSERT INTO t VALUES ('سارة بوزيد', 9223372036854775807, 1, -1, 9999999999, 3.0,"
	" '[\"x\"]', NULL, 4)",
	"INSERT INTO t VALUES ('', -2147483648, 0, 253402300799, 1, 0.125, '[{}]', NULL, 5)",
	"CREATE TABLE u (wd INTEGER, t INTEGER, obj TEXT, v, k INTEGER PRIMARY KEY)",
	"INSERT INTO u VALUES (0, 0, '{\"id\":1,\"name\":\"ADMIN\"}', NULL, 1)",
	"INSERT INTO u VALUES (6, 86399, NULL, -7, 2)",
	"INSERT INTO u VALUES (NULL, NULL, ' { \"a\" : [1, {\"b\":null}], \"c\" : \"é\\\"\" } ',"
	" 2.125, 3)",
	"INSERT INTO u VALUES (7, 3723, '{}', 'text \"q\"' || char(10), 4)",
	"INSERT INTO u VALUES (-1, 45296, '{\"n\":1.50,\"e\":1E2}', x'41', 5)",
};

static sqlite3 *
open_rows(void)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof rows_sql / sizeof rows_sql[0]; i++)
		ck_assert_msg(sqlite3_exec(db, rows_sql[i], NULL, NULL, NULL) == SQLITE_OK,
		    "%s: %s", rows_sql[i], sqlite3_errmsg(db));
	return db;
}

static sqlite3_stmt *
select_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	return st;
}

/* The page as lists send it. */
static char *
page_raw(sqlite3 *db, const char *sql, const struct db_col *c, int n)
{
	sqlite3_stmt *st = select_rows(db, sql);
	cJSON *raw;
	char *text;

	ck_assert_int_eq(db_rows_raw(st, c, n, &raw), MED_OK);
	sqlite3_finalize(st);
	text = cJSON_PrintUnformatted(raw);
	cJSON_Delete(raw);
	return text;
}

/* The same rows one by one, as single-row answers send them. */
static char *
page_by_rows(sqlite3 *db, const char *sql, const struct db_col *c, int n)
{
	sqlite3_stmt *st = select_rows(db, sql);
	cJSON *arr = cJSON_CreateArray(), *row;
	char *text;

	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_ptr_nonnull(row = db_row_json(st, c, n));
		cJSON_AddItemToArray(arr, row);
	}
	sqlite3_finalize(st);
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return text;
}

START_TEST(list_and_single_rows_agree)
{
	sqlite3 *db = open_rows();
	char *raw = page_raw(db, cols_sql, cols, DB_NCOLS(cols));
	char *rows = page_by_rows(db, cols_sql, cols, DB_NCOLS(cols));

	ck_assert_str_eq(raw, rows);
	free(raw);
	free(rows);
	raw = page_raw(db, forms_sql, forms, DB_NCOLS(forms));
	rows = page_by_rows(db, forms_sql, forms, DB_NCOLS(forms));
	ck_assert_str_eq(raw, rows);
	free(raw);
	free(rows);
	sqlite3_close(db);
}
END_TEST

START_TEST(cells_read_as_specified)
{
	sqlite3 *db = open_rows();
	char *raw = page_raw(db, cols_sql, cols, DB_NCOLS(cols));

	/* Escapes as cJSON writes them; '/' and DEL stay as they are. */
	ck_assert_ptr_nonnull(strstr(raw, "\"quote \\\" back \\\\ nl \\n tab \\t ctl \\u0001 del \x7f"
	    " slash /\""));
	/* -0.0 is 0; money in decimal units; ratings to two decimals. */
	ck_assert_ptr_nonnull(strstr(raw, "\"rating\":0,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"amount\":-0.05,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"amount\":12.34,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"amount\":99999999.99,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"rating\":3,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"rating\":0.13,"));
	/* NULLs, and an absent JSON list reads as []. */
	ck_assert_ptr_nonnull(strstr(raw, "{\"text\":null,\"n\":null,\"flag\":false,\"at\":null,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"list\":[]}"));
	/* Stored JSON comes out normalised; DB_SKIP columns never show. */
	ck_assert_ptr_nonnull(strstr(raw, "\"list\":[1,\"a\",null]"));
	ck_assert_ptr_null(strstr(raw, "hidden"));
	/* Non-ASCII text is sent as UTF-8, not escaped. */
	ck_assert_ptr_nonnull(strstr(raw, "\"text\":\"Émilie Béjaïa\""));
	ck_assert_ptr_nonnull(strstr(raw, "\"text\":\"سارة بوزيد\""));
	ck_assert_ptr_nonnull(strstr(raw, "\"n\":-2147483648,"));
	ck_assert_ptr_nonnull(strstr(raw, "\"at\":\"2026-01-01T00:00:00Z\""));
	free(raw);
	sqlite3_close(db);
}
END_TEST

/*
 * The whole page of the added forms, as fixed text: weekday names with
 * 0 = Monday (null out of range), wall-clock times, stored objects
 * normalised (spaces, 1.50, 1E2; NULL -> null), values as stored (reals
 * to two decimals, blobs as text).
 */
START_TEST(forms_read_as_specified)
{
	sqlite3 *db = open_rows();
	char *raw = page_raw(db, forms_sql, forms, DB_NCOLS(forms));

	ck_assert_str_eq(raw, "["
	    "{\"weekday\":\"Mon\",\"time\":\"00:00:00\",\"obj\":{\"id\":1,\"name\":\"ADMIN\"},"
	    "\"value\":null},"
	    "{\"weekday\":\"Sun\",\"time\":\"23:59:59\",\"obj\":null,\"value\":-7},"
	    "{\"weekday\":null,\"time\":null,\"obj\":{\"a\":[1,{\"b\":null}],\"c\":\"é\\\"\"},"
	    "\"value\":2.13},"
	    "{\"weekday\":null,\"time\":\"01:02:03\",\"obj\":{},\"value\":\"text \\\"q\\\"\\n\"},"
	    "{\"weekday\":null,\"time\":\"12:34:56\",\"obj\":{\"n\":1.5,\"e\":100},\"value\":\"A\"}]");
	free(raw);
	sqlite3_close(db);
}
END_TEST

/* A stored object that is not JSON fails its row instead of sending bad text. */
START_TEST(unparsable_object_fails_the_row)
{
	sqlite3 *db = open_rows();
	sqlite3_stmt *st;
	cJSON *raw = NULL;

	ck_assert_int_eq(sqlite3_exec(db, "UPDATE u SET obj = '{\"a\":' WHERE k = 4", NULL, NULL,
	    NULL), SQLITE_OK);
	st = select_rows(db, "SELECT wd, t, obj, v FROM u WHERE k = 4");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_ptr_null(db_row_json(st, forms, DB_NCOLS(forms)));
	sqlite3_reset(st);
	ck_assert_int_ne(db_rows_raw(st, forms, DB_NCOLS(forms), &raw), MED_OK);
	ck_assert_ptr_null(raw);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("row_writer");

	tcase_add_test(tc, list_and_single_rows_agree);
	tcase_add_test(tc, cells_read_as_specified);
	tcase_add_test(tc, forms_read_as_specified);
	tcase_add_test(tc, unparsable_object_fails_the_row);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(json_suite)
