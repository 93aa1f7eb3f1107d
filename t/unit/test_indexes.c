/*
 * test_indexes.c - the hot appointment queries never scan the whole
 * appointments table (Scheduling issue): EXPLAIN QUERY PLAN of the real
 * statements exported by lib/appointments.h must show an index search.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "appointments.h"
#include "availability.h"
#include "closures.h"
#include "db.h"
#include "testctx.h"
#include "unitkit.h"
#include "waitlist.h"
#include "testreg.h"

UT_SEEDED_FIXTURE

/* The plan of sql, its detail lines joined by " | ". */
static void
plan_of(const char *sql, char *out, size_t size)
{
	char eqp[2048];
	sqlite3_stmt *st;
	int rc;

	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
	ck_assert_int_eq(sqlite3_prepare_v2(ctx.db, eqp, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%s", used ? " | " : "",
		    (const char *)sqlite3_column_text(st, 3));
	}
	ck_assert_int_eq(rc, SQLITE_DONE);
	sqlite3_finalize(st);
}

/* sql searches table through index (no full scan of the table). */
static void
assert_searches(const char *sql, const char *table, const char *index)
{
	char plan[2048], scan[64], want[128];

	plan_of(sql, plan, sizeof plan);
	snprintf(scan, sizeof scan, "SCAN %s", table);
	snprintf(want, sizeof want, "INDEX %s ", index);
	ck_assert_msg(strstr(plan, scan) == NULL, "full scan in plan of %s: %s", sql, plan);
	ck_assert_msg(strstr(plan, want) != NULL, "%s not used by %s: %s", index, sql, plan);
}

/* sql walks index between two bounds of start_time, not from one end. */
static void
assert_ranged(const char *sql, const char *index)
{
	char plan[2048], want[160];

	plan_of(sql, plan, sizeof plan);
	snprintf(want, sizeof want, "INDEX %s (", index);
	ck_assert_msg(strstr(plan, want) != NULL, "%s not used by %s: %s", index, sql, plan);
	ck_assert_msg(strstr(plan, "start_time>? AND start_time<?)") != NULL,
	    "%s is not bounded on both sides: %s", sql, plan);
}

/* The detector itself: a query on an unindexed column is reported as a scan. */
START_TEST(detector_sees_scans)
{
	char plan[2048];

	plan_of("SELECT 1 FROM appointments WHERE reason = ?1", plan, sizeof plan);
	ck_assert_ptr_nonnull(strstr(plan, "SCAN appointments"));
}
END_TEST

START_TEST(overlap_queries)
{
	assert_searches(appt_sql_doctor_overlap, "appointments", "appointments_doctor_start");
	assert_searches(appt_sql_patient_overlap, "appointments", "appointments_patient_start");
	assert_searches(appt_sql_window, "doctor_availability", "doctor_availability_doctor");
	/* The look-back of APPT_REACH is an index bound, not a filter on each row. */
	assert_ranged(appt_sql_doctor_overlap, "appointments_doctor_start");
	assert_ranged(appt_sql_patient_overlap, "appointments_patient_start");
}
END_TEST

START_TEST(list_queries)
{
	assert_searches(appt_sql_list_patient, "appointments", "appointments_patient_start");
	assert_searches(appt_sql_list_doctor, "appointments", "appointments_doctor_start");
}
END_TEST

/* Every booking check reads the holds; every freed interval reads the queue. */
START_TEST(waitlist_queries)
{
	assert_searches(waitlist_sql_held, "waitlist_offers", "waitlist_offers_held");
	assert_searches(waitlist_sql_queue, "waitlist_entries", "waitlist_entries_doctor");
}
END_TEST

START_TEST(slots_query)
{
	assert_searches(avail_sql_busy, "appointments", "appointments_doctor_start");
	assert_ranged(avail_sql_busy, "appointments_doctor_start");
}
END_TEST

/* Time off and holidays, asked by every booking and every slot list. */
START_TEST(closure_queries)
{
	assert_searches(closure_sql_time_off, "doctor_time_off", "doctor_time_off_end");
	assert_searches(closure_sql_holidays, "clinic_holidays", "sqlite_autoindex_clinic_holidays_2");
}
END_TEST

static Suite *
appt_indexes_suite(void)
{
	Suite *s = suite_create("appointments_indexes");
	TCase *tc = tcase_create("plans");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, detector_sees_scans);
	tcase_add_test(tc, overlap_queries);
	tcase_add_test(tc, list_queries);
	tcase_add_test(tc, waitlist_queries);
	tcase_add_test(tc, slots_query);
	tcase_add_test(tc, closure_queries);
	suite_add_tcase(s, tc);
	return s;
}

TEST_SUITE(appt_indexes_suite)
