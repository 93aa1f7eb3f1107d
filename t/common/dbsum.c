/* dbsum.c - see dbsum.h. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "dbsum.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Rows and checksum of one table. */
static void
sum_table(sqlite3 *db, const char *name, const char *audit_where, int64_t *rows, uint64_t *sum)
{
	int filter = audit_where != NULL && strcmp(name, "audit_log") == 0;
	char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"%s%s", name, filter ? " WHERE " : "",
	    filter ? audit_where : "");
	sqlite3_stmt *st;

	ck_assert_ptr_nonnull(sql);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	*rows = 0;
	*sum = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t h = FNV_OFFSET;
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			int type = sqlite3_column_type(st, c);
			const void *v = sqlite3_column_blob(st, c);
			h = fnv(h, &type, sizeof type);
			h = fnv(h, v != NULL ? v : "", (size_t)sqlite3_column_bytes(st, c));
		}
		(*rows)++;
		*sum += h;
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
}

void
dbsum_take(const char *path, const char *audit_where, struct dbsum *s)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *names;

	/* Only read; opened read-write so a WAL file without its -shm opens too. */
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &names, NULL), SQLITE_OK);
	s->n = 0;
	while (sqlite3_step(names) == SQLITE_ROW) {
		ck_assert_int_lt(s->n, DBSUM_MAX_TABLES);
		snprintf(s->name[s->n], sizeof s->name[0], "%s", sqlite3_column_text(names, 0));
		sum_table(db, s->name[s->n], audit_where, &s->rows[s->n], &s->sum[s->n]);
		s->n++;
	}
	sqlite3_finalize(names);
	sqlite3_close(db);
}

uint64_t
dbsum_total(const struct dbsum *s)
{
	uint64_t h = FNV_OFFSET;

	for (int i = 0; i < s->n; i++) {
		h = fnv(h, s->name[i], strlen(s->name[i]) + 1);
		h = fnv(h, &s->rows[i], sizeof s->rows[i]);
		h = fnv(h, &s->sum[i], sizeof s->sum[i]);
	}
	return h;
}
