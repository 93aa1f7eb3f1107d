/*
 * closures.h - when no visit can be booked although a window is open: a
 * doctor's time off and the clinic's holidays.  Booking
 * (appt_check_booking) and slots (availability.c) ask these; the SQL is
 * exported so t/unit/test_indexes.c checks the real text's plan.
 */
#ifndef CLOSURES_H
#define CLOSURES_H

#include <stdint.h>
#include "med.h"

/* Time off of doctor ?1 overlapping [?2, ?3): start_time, end_time. */
extern const char closure_sql_time_off[];
/* Holidays with a date in [?1, ?2) (YYYY-MM-DD text): date. */
extern const char closure_sql_holidays[];

/* 1 when doctor_id has time off overlapping [start, end), 0 when not, -1 on error. */
int closure_time_off(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end);

/* 1 when the clinic-local date of instant t is a holiday, 0 when not, -1 on error. */
int closure_holiday(struct med_ctx *ctx, int64_t t);

/* Add holiday name on clinic-local date (YYYY-MM-DD); MED_ECONFLICT when that date has one. */
enum med_err closure_holiday_add(struct med_ctx *ctx, const char *date, const char *name,
    char id[MED_UUID_LEN + 1]);
/* Remove holiday id; MED_ENOTFOUND when there is none. */
enum med_err closure_holiday_remove(struct med_ctx *ctx, const char *id);

#endif
