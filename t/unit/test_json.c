/*
 * test_json.c - the one row writer of lib/db.c.
 *
 * Lists go out as the writer's text (db_rows_raw), single rows as that
 * text parsed into a tree and printed again by cJSON (db_row_json + the
 * envelope).  The two must read byte for byte the same on awkward rows:
 * escapes, NULLs, -0.0, integers past 2^53, money, non-ASCII text.  Some
 * cells are also checked against fixed text, so a writer that drifted in
 * both places at once cannot pass either.
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
select_rows(sqlite3 *db)
{
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT text, n, flag, at, amount, rating, list,"
	    " hidden FROM t ORDER BY k", -1, &st, NULL), SQLITE_OK);
	return st;
}

/* The page as lists send it. */
static char *
page_raw(sqlite3 *db)
{
	sqlite3_stmt *st = select_rows(db);
	cJSON *raw;
	char *text;

	ck_assert_int_eq(db_rows_raw(st, cols, DB_NCOLS(cols), &raw), MED_OK);
	sqlite3_finalize(st);
	text = cJSON_PrintUnformatted(raw);
	cJSON_Delete(raw);
	return text;
}

/* The same rows one by one, as single-row answers send them. */
static char *
page_by_rows(sqlite3 *db)
{
	sqlite3_stmt *st = select_rows(db);
	cJSON *arr = cJSON_CreateArray(), *row;
	char *text;

	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_ptr_nonnull(row = db_row_json(st, cols, DB_NCOLS(cols)));
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
	char *raw = page_raw(db), *rows = page_by_rows(db);

	ck_assert_str_eq(raw, rows);
	free(raw);
	free(rows);
	sqlite3_close(db);
}
END_TEST

START_TEST(cells_read_as_specified)
{
	sqlite3 *db = open_rows();
	char *raw = page_raw(db);

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

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("row_writer");

	tcase_add_test(tc, list_and_single_rows_agree);
	tcase_add_test(tc, cells_read_as_specified);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(json_suite)
