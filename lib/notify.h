/*
 * notify.h - what people are told when their visits change, and before
 * them: confirmation, reschedule and cancellation mails with an .ics,
 * reminders, SMS and in-app notifications.
 *
 * Who is told: the patient, always (the visit is theirs, and a patient
 * booked by the front desk must learn of it).  The doctor is not mailed:
 * a doctor's day is in the application, in the calendar feed and on the
 * live screens, and a clinic's doctor does not want a mail per booking.
 *
 * When the text is made: the values of a message (names, date and time
 * in the clinic's zone, the .ics) are taken in the transaction of the
 * change and stored with the outbox row; the template is rendered at send
 * time from them.  So a message always describes the change that caused
 * it, even if the visit changes again before delivery, and the .ics
 * SEQUENCE (appointments.sequence, raised by each move or cancellation)
 * lets the calendar app order a late REQUEST after a CANCEL correctly.
 *
 * SMS: a booking confirmation and the reminders also go as SMS when the
 * patient has a phone number and SMS_COMMAND is set in the environment
 * of the process writing the row (workers and sender read the same
 * /etc/medclinic/medclinic.env, deploy/); with none set, no SMS row is
 * written, so the outbox never fills with messages nobody can send.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include "appt_events.h"
#include "med.h"

/*
 * A doctor's name as every message writes it ("Dr First Last"), an SQL
 * expression over the doctors row aliased d: the visit mails and the
 * waitlist offer name the doctor alike.
 */
#define NOTIFY_SQL_DOCTOR_NAME \
    "trim('Dr ' || coalesce(d.first_name, '') || ' ' || coalesce(d.last_name, ''))"

/* Bounds of the clinic setting reminder_offsets_minutes. */
#define REMINDER_OFFSETS_MAX 5
#define REMINDER_OFFSET_MAX_MINUTES (14 * 1440)

/*
 * The messages of change c (appt_changed()): in the caller's transaction,
 * raise the visit's sequence on a move or a cancellation, write the
 * patient's mail (and SMS) rows and in-app notification, and drop the
 * pending reminders of a visit that moved or was cancelled.
 */
enum med_err notify_appt_change(struct med_ctx *ctx, const struct appt_change *c);

/*
 * The reminder scheduler, run by each pass of the sender (medadm outbox
 * run) in its own transaction: for every SCHEDULED visit not yet begun
 * whose start minus an offset of reminder_offsets_minutes has come,
 * write the reminder once per (visit, offset, sequence): reminders_sent's
 * key makes a second one impossible however often the scheduler runs.
 * Only the nearest due offset is sent (a visit booked 3 hours ahead gets
 * one reminder, not one per offset); an offset whose time had already
 * come when the patient was last told of the visit (its booking or move)
 * is skipped.  *written (may be NULL) = reminders written.
 */
enum med_err notify_reminders(struct med_ctx *ctx, int *written);

/* The scheduler's look-ahead query, for the index test (test_notify.c). */
extern const char notify_sql_due_visits[];

#endif
