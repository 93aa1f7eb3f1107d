/*
 * appt_events.h - the one place told of every change to a visit.
 *
 * Why: a booking, a move, a cancellation or a status change has
 * consequences beyond its row (messages to the people concerned, the
 * waitlist offered a freed slot, screens told to refresh).  Each change
 * point in appointments.c calls appt_changed() once, inside the change's
 * transaction and after its row is written; the consequences are listed in
 * appt_changed() itself, so a new consequence is one line there, never a
 * new call at every change point, and a rolled-back change has none.
 */
#ifndef APPT_EVENTS_H
#define APPT_EVENTS_H

#include <stdint.h>
#include "med.h"

enum appt_change_kind {
	APPT_BOOKED,     /* a new SCHEDULED visit (single or one of a series) */
	APPT_MOVED,      /* rescheduled: [old_start, old_end) was freed */
	APPT_CANCELLED,  /* [old_start, old_end) was freed */
	APPT_STATUS      /* status changed to new_status (ARRIVED, COMPLETED, NO_SHOW, CANCELLED) */
};

struct appt_change {
	enum appt_change_kind kind;
	const char *appointment_id;
	const char *doctor_id, *patient_id;
	int64_t old_start, old_end;  /* APPT_MOVED, APPT_CANCELLED and APPT_STATUS: the visit before */
	const char *old_status, *new_status;  /* APPT_STATUS */
	const char *actor_user_id;   /* who made the change; NULL for the system */
};

/*
 * Record every consequence of change c in the caller's open transaction.
 * An error dooms the change: the caller fails the request with it.
 */
enum med_err appt_changed(struct med_ctx *ctx, const struct appt_change *c);

#endif
