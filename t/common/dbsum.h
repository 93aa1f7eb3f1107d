/*
 * dbsum.h - row counts and checksums of every table of a database file,
 * to prove that something did or did not change it (hostile input,
 * backup and restore).
 */
#ifndef DBSUM_H
#define DBSUM_H

#include <stdint.h>

#define DBSUM_MAX_TABLES 64

struct dbsum {
	int n;                                  /* tables, by name */
	char name[DBSUM_MAX_TABLES][64];
	int64_t rows[DBSUM_MAX_TABLES];
	uint64_t sum[DBSUM_MAX_TABLES];         /* sum of per-row FNV-1a hashes */
};

/*
 * Fill s from the file at path (only read).  The checksum of a
 * table is independent of row order and covers every column's type and
 * bytes.  audit_where (may be NULL) is an SQL condition that filters
 * audit_log, the one table that legitimately grows under a test.  Fails
 * the current Check test on any SQLite error.
 */
void dbsum_take(const char *path, const char *audit_where, struct dbsum *s);

/* One value for all of s (tables in name order). */
uint64_t dbsum_total(const struct dbsum *s);

#endif
