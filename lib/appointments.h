/*
 * appointments.h - the booking rules of API.md §6 shared beyond the
 * handlers: whether an interval is bookable, and the hot SQL statements
 * (exported so t/unit/test_indexes.c checks the real text's query plan,
 * not a copy that could drift).
 */
#ifndef APPOINTMENTS_H
#define APPOINTMENTS_H

#include <stdint.h>
#include "med.h"

/* SCHEDULED appointments of a doctor overlapping [?2, ?3), except id ?4. */
extern const char appt_sql_doctor_overlap[];
/* SCHEDULED appointments of a patient overlapping [?2, ?3), except id ?4. */
extern const char appt_sql_patient_overlap[];
/* A patient's / a doctor's appointments, start in [?2, ?3), status ?4 or any. */
extern const char appt_sql_list_patient[];
extern const char appt_sql_list_doctor[];
/* An active window of doctor ?1 on weekday ?2 holding [?3, ?4] seconds of day. */
extern const char appt_sql_window[];

/* Why an interval cannot be booked: an HTTP status and the API's message. */
struct appt_verdict {
	int status;          /* 0 = bookable */
	const char *message;
};

/*
 * Every booking check of API.md §6, in the documented order: patient
 * exists, doctor exists, end after start, not in the past, inside one
 * active availability window on the clinic-local weekday, no overlap
 * with the doctor's nor the patient's SCHEDULED appointments (half-open).
 * exclude_id (may be NULL) is the appointment being rescheduled.  Call it
 * inside the db_begin() transaction that will write the booking, so the
 * answer still holds at the insert.  Returns MED_OK when the checks ran
 * (the outcome is in *v) or a database error.
 */
enum med_err appt_check_booking(struct med_ctx *ctx, const char *patient_id,
    const char *doctor_id, int64_t start, int64_t end, const char *exclude_id,
    struct appt_verdict *v);

/*
 * 1 when [start, end) lies on one clinic-local date inside one active
 * availability window of the doctor, 0 when not, -1 on database error.
 */
int appt_in_window(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end);

#endif
