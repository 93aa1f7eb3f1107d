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

/*
 * The look-back of every overlap check, in seconds: no visit on file
 * reaches further past its own start (end_time + buffer_after -
 * start_time), so one starting earlier than [start - APPT_REACH] cannot
 * overlap [start, ...).  schema.sql's triggers keep the one row an upper
 * bound as visits are written; the fallback, should the row be gone, is
 * the longest a visit can be (25 hours, a DST fall-back day) plus a
 * two-hour buffer.  An SQL expression: SQLite evaluates it once per
 * statement and the index range still applies.
 */
#define APPT_REACH "coalesce((SELECT seconds FROM appointment_reach), 97200)"

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

/* One visit to check and book. */
struct appt_booking {
	const char *patient_id, *doctor_id;
	const char *service_id;          /* NULL: none */
	const char *series_id;           /* NULL: a single booking */
	int64_t start, end;              /* the visit, UTC seconds */
	int64_t buffer_before, buffer_after;  /* seconds the doctor stays busy around it */
	const char *exclude_id;          /* the appointment being rescheduled, or NULL */
	int on_behalf;                   /* ADMIN or STAFF books: minimum notice does not apply */
	const char *actor_user_id;       /* who books (for appt_changed); NULL: the system */
	const char *accepting_offer_id;  /* the waitlist offer this booking accepts, or NULL */
};

/*
 * Every booking check of API.md §6, in the documented order: patient
 * exists, doctor exists, end after start, not in the past, the minimum
 * notice (unless on_behalf) and the booking horizon, not on a clinic
 * holiday nor in the doctor's time off, inside one
 * active availability window on the clinic-local weekday, no overlap
 * with the doctor's SCHEDULED or ARRIVED visits counting both sides'
 * buffers, nor with an interval the waitlist holds for someone else
 * (waitlist.h; only accepting_offer_id's own hold lets it in), nor with
 * the patient's visits (the visits alone; half-open).  Call it
 * inside the transaction that will write the booking, so the answer
 * still holds at the insert.  Single bookings, reschedules and series
 * all go through it.  Returns MED_OK when the checks ran (the outcome is
 * in *v) or a database error.
 */
enum med_err appt_check_booking(struct med_ctx *ctx, const struct appt_booking *b,
    struct appt_verdict *v);

struct fval;
struct med_req;
struct med_resp;
/*
 * The length and buffers of b from service_id (NULL: end is the visit's
 * end, required then).  0 with the refusal set in resp.
 */
int appt_take_service(struct med_ctx *ctx, const char *service_id, const struct fval *end,
    struct appt_booking *b, struct med_resp *resp);
/* The patient of a booking by the caller (own, or the body's patient_id for ADMIN/STAFF). */
int appt_booking_patient(struct med_ctx *ctx, struct med_req *req,
    char patient_id[MED_UUID_LEN + 1], struct med_resp *resp);
/* 0 with 403 set when b is a self-booking of a patient at the no-show limit. */
int appt_self_booking_allowed(struct med_ctx *ctx, const struct appt_booking *b,
    struct med_resp *resp);
/*
 * Check b, insert it as SCHEDULED appointment id and answer 201 with it
 * (the answer of POST /appointments), or set the refusal.  Returns the
 * status set in resp.
 */
int appt_book(struct med_ctx *ctx, const struct appt_booking *b, const char *id,
    const char *reason, struct med_resp *resp);
/* Insert checked booking b as SCHEDULED appointment id, and tell appt_changed(). */
enum med_err appt_insert(struct med_ctx *ctx, const char *id, const struct appt_booking *b,
    const char *reason);

/*
 * 1 when [start, end) lies on one clinic-local date inside one active
 * availability window of the doctor, 0 when not, -1 on database error.
 */
int appt_in_window(struct med_ctx *ctx, const char *doctor_id, int64_t start, int64_t end);

#endif
